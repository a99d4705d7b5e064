import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, runRule } from '../../../core/analyze';
import { parsePolicy } from '../../../core/policy/parse';
import { kms014 } from '../../../core/rules/kms/KMS-014-alias-condition-values';
import { allowApp, assertFixedAway, keyPolicy, rootStatement } from './kms-table-fixtures';
import { ruleTester } from './rule-tester';

const app = (condition: string) => keyPolicy(rootStatement, allowApp('"kms:Decrypt"', condition));
/** An IAM (identity) policy statement: no Principal, keys by ARN. */
const iam = (condition: string) =>
  `{"Version": "2012-10-17", "Statement": [{"Sid": "UseAppKeys", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "arn:aws:kms:*:111122223333:key/*", "Condition": ${condition}}]}`;

ruleTester(kms014, {
  valid: [
    { name: 'alias names', code: app('{"StringEquals": {"kms:RequestAlias": ["alias/app", "alias/app-*"]}}') },
    { name: 'a pattern that may match an alias name', code: app('{"StringLike": {"kms:RequestAlias": "*app*"}}') },
    {
      name: 'ResourceAliases with ForAnyValue in an IAM policy',
      kind: 'identity-policy',
      code: iam('{"ForAnyValue:StringLike": {"kms:ResourceAliases": "alias/app-*"}}'),
    },
    {
      name: "ResourceAliases in a key policy is KMS-013's",
      code: app('{"StringEquals": {"kms:ResourceAliases": "arn:aws:kms:us-east-1:111122223333:alias/app"}}'),
    },
  ],
  invalid: [
    {
      name: "docs/design/aws-facts.md's example: an alias ARN in kms:RequestAlias",
      code: app('{"StringEquals": {"kms:RequestAlias": "arn:aws:kms:us-east-1:111122223333:alias/app"}}'),
      errors: [
        {
          target: '"arn:aws:kms:us-east-1:111122223333:alias/app"',
          severity: 'error',
          messageId: 'aliasArn',
          message:
            /^kms:RequestAlias compares alias names, not alias ARNs, so this value never matches\. "arn:aws:kms:us-east-1:111122223333:alias\/app" is an alias ARN\. Use "alias\/app"\.$/,
        },
      ],
      output: app('{"StringEquals": {"kms:RequestAlias": "alias/app"}}'),
    },
    {
      name: 'a name without alias/',
      code: app('{"StringEquals": {"kms:RequestAlias": "app"}}'),
      errors: [
        {
          target: '"app"',
          messageId: 'noAliasPrefix',
          message:
            /always start with "alias\/", so this value never matches\. "app" has no "alias\/" prefix\. Use "alias\/app"\.$/,
        },
      ],
      output: app('{"StringEquals": {"kms:RequestAlias": "alias/app"}}'),
    },
    {
      name: 'a key ARN is not an alias name (no fix)',
      code: app(
        '{"StringEquals": {"kms:RequestAlias": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}',
      ),
      errors: [
        {
          target: '"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"',
          messageId: 'otherArn',
          message: /compares alias names such as "alias\/app", so this ARN never matches\. "arn:aws:kms:.*" is not an alias/,
        },
      ],
    },
    {
      name: 'ResourceAliases without a set operator in an IAM policy',
      kind: 'identity-policy',
      code: iam('{"StringLike": {"kms:ResourceAliases": "alias/app-*"}}'),
      errors: [
        {
          target: '"kms:ResourceAliases"',
          messageId: 'needsSetOperator',
          message:
            /^"kms:ResourceAliases" holds every alias of the key, so "StringLike" needs a set operator\. A key can have several aliases\. Use "ForAnyValue:StringLike" \(any alias matches\) or "ForAllValues:StringLike"/,
        },
      ],
      output: iam('{"ForAnyValue:StringLike": {"kms:ResourceAliases": "alias/app-*"}}'),
    },
    {
      name: 'ResourceAliases with an alias ARN and no set operator: "fix all" takes the value first (the operator fix follows on re-analysis)',
      kind: 'identity-policy',
      code: iam(
        '{"StringEquals": {"aws:PrincipalTag/Team": "data", "kms:ResourceAliases": "arn:aws:kms:us-east-1:111122223333:alias/app"}}',
      ),
      errors: [
        { target: '"arn:aws:kms:us-east-1:111122223333:alias/app"', messageId: 'aliasArn', message: /Use "alias\/app"\.$/ },
        { target: '"kms:ResourceAliases"', messageId: 'needsSetOperator', message: /Use "ForAnyValue:StringEquals"/ },
      ],
      output: iam('{"StringEquals": {"aws:PrincipalTag/Team": "data", "kms:ResourceAliases": "alias/app"}}'),
    },
    {
      name: 'the second round moves the key to a ForAnyValue block',
      kind: 'identity-policy',
      code: iam('{"StringEquals": {"aws:PrincipalTag/Team": "data", "kms:ResourceAliases": "alias/app"}}'),
      errors: [{ target: '"kms:ResourceAliases"', messageId: 'needsSetOperator' }],
      output: iam(
        '{"StringEquals": {"aws:PrincipalTag/Team": "data"}, "ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/app"}}',
      ),
    },
    {
      name: 'RequestAlias on S3 traffic (unconfirmed, soft)',
      code: app('{"StringEquals": {"kms:RequestAlias": "alias/app", "kms:ViaService": "s3.us-east-1.amazonaws.com"}}'),
      errors: [
        {
          target: '"kms:RequestAlias"',
          severity: 'info',
          messageId: 'requestAliasThroughS3',
          message:
            /^Statement "AppUse" is for S3 requests, but "kms:RequestAlias" may not match what S3 sends\. "kms:RequestAlias" only matches when the request names the key by that alias, and which identifier S3 passes to KMS is not documented: the statement may not apply to S3 uploads\./,
        },
      ],
    },
  ],
});

describe('KMS-014 fixes re-analysed', () => {
  it('the alias name is no longer reported in a key policy', () => {
    assertFixedAway(kms014, app('{"StringEquals": {"kms:RequestAlias": "alias/app"}}'));
  });
  it('the IAM policy with ForAnyValue and the alias name is clean', () => {
    const text = iam(
      '{"StringEquals": {"aws:PrincipalTag/Team": "data"}, "ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/app"}}',
    );
    assert.deepEqual(
      runRule(kms014, parsePolicy(text), 'identity-policy').map(f => f.message),
      [],
    );
    const whole = analyze(text, 'fixed.identity-policy.json');
    assert.equal(whole.kind.kind, 'identity-policy');
    assert.ok(!whole.findings.some(f => f.ruleId === 'KMS-014' || f.ruleId === 'GRM-001'));
  });
});
