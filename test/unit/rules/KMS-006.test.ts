import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statementApplies } from '../../../core/engine/evaluate';
import { parsePolicy } from '../../../core/policy/parse';
import { kms006 } from '../../../core/rules/kms/KMS-006-via-service-format';
import { ACCOUNT, APP, KEY_ARN, allowApp, assertFixedAway, keyPolicy, rootStatement } from './kms-table-fixtures';
import { ruleTester } from './rule-tester';

const S3_ACTIONS = '["kms:GenerateDataKey", "kms:Decrypt"]';
const via = (value: string, op = 'StringEquals') => `{"${op}": {"kms:ViaService": ${JSON.stringify(value)}}}`;
const app = (value: string, op = 'StringEquals', resource = '"*"') => allowApp(S3_ACTIONS, via(value, op), 'AppUse', resource);
const keyRes = JSON.stringify(KEY_ARN);
const euKey = JSON.stringify(KEY_ARN.replace('us-east-1', 'eu-west-1'));

ruleTester(kms006, {
  valid: [
    {
      name: "the regional S3 name in the key's Region",
      code: keyPolicy(rootStatement, app('s3.us-east-1.amazonaws.com', 'StringEquals', keyRes)),
    },
    { name: 'a pattern under StringLike', code: keyPolicy(rootStatement, app('s3.*.amazonaws.com', 'StringLike')) },
    { name: 'another service', code: keyPolicy(rootStatement, app('ec2.us-west-2.amazonaws.com')) },
    { name: 'a policy variable for the Region', code: keyPolicy(rootStatement, app('s3.${aws:RequestedRegion}.amazonaws.com')) },
    {
      name: 'S3 and EC2 in one Region',
      code: keyPolicy(
        rootStatement,
        allowApp(
          S3_ACTIONS,
          '{"StringEquals": {"kms:ViaService": ["s3.eu-west-1.amazonaws.com", "ec2.eu-west-1.amazonaws.com"]}}',
        ),
      ),
    },
    { name: 'GovCloud', code: keyPolicy(rootStatement, app('s3.us-gov-west-1.amazonaws.com')) },
  ],
  invalid: [
    {
      name: "docs/design/aws-facts.md's example: s3.amazonaws.com, Region unknown (no fix)",
      code: keyPolicy(rootStatement, app('s3.amazonaws.com')),
      errors: [
        {
          target: '"s3.amazonaws.com"',
          severity: 'error',
          messageId: 'wrongFormat',
          message:
            /^"s3\.amazonaws\.com" is not how S3 appears in kms:ViaService, so it matches no request\. S3 calls KMS as "s3\.REGION\.amazonaws\.com" .*matches no request, so statement "AppUse" never applies\. Use "s3\.REGION\.amazonaws\.com" with the Region of the bucket and the key, e\.g\. "s3\.us-east-1\.amazonaws\.com"\.$/,
        },
      ],
      output: keyPolicy(rootStatement, app('s3.amazonaws.com')),
    },
    {
      name: "s3.amazonaws.com with the key ARN in Resource: the key's Region is inserted",
      code: keyPolicy(rootStatement, app('s3.amazonaws.com', 'StringEquals', euKey)),
      errors: [
        { target: '"s3.amazonaws.com"', messageId: 'wrongFormatInRegion', message: /Use "s3\.eu-west-1\.amazonaws\.com"\.$/ },
      ],
      output: keyPolicy(rootStatement, app('s3.eu-west-1.amazonaws.com', 'StringEquals', euKey)),
    },
    {
      name: 'a legacy endpoint name keeps its own Region',
      code: keyPolicy(rootStatement, app('s3-us-west-2.amazonaws.com')),
      errors: [
        {
          target: '"s3-us-west-2.amazonaws.com"',
          messageId: 'wrongFormatInRegion',
          message: /Use "s3\.us-west-2\.amazonaws\.com"\.$/,
        },
      ],
      output: keyPolicy(rootStatement, app('s3.us-west-2.amazonaws.com')),
    },
    {
      name: 'a pattern under StringEquals; the Region comes from another ViaService value',
      code: keyPolicy(
        rootStatement,
        allowApp(S3_ACTIONS, '{"StringEquals": {"kms:ViaService": ["s3.*.amazonaws.com", "ec2.eu-central-1.amazonaws.com"]}}'),
      ),
      errors: [
        {
          target: '"s3.*.amazonaws.com"',
          messageId: 'literalWildcardInRegion',
          message:
            /^"StringEquals" takes the \* in "s3\.\*\.amazonaws\.com" literally, so it matches no request\. The \* is not a wildcard .*Use "s3\.eu-central-1\.amazonaws\.com" \(or "StringLike" to keep the pattern\)\.$/,
        },
      ],
      output: keyPolicy(
        rootStatement,
        allowApp(
          S3_ACTIONS,
          '{"StringEquals": {"kms:ViaService": ["s3.eu-central-1.amazonaws.com", "ec2.eu-central-1.amazonaws.com"]}}',
        ),
      ),
    },
    {
      name: 'an S3 ARN in a negated Deny: the Deny also hits S3',
      code: keyPolicy(
        rootStatement,
        `{"Sid": "OnlyViaS3", "Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*", "Condition": ${via('arn:aws:s3:::example-bucket', 'StringNotEquals')}}`,
      ),
      errors: [
        {
          target: '"arn:aws:s3:::example-bucket"',
          messageId: 'wrongFormat',
          message:
            /matches no request, so this Deny also applies to requests that come through S3\. Use "s3\.REGION\.amazonaws\.com"/,
        },
      ],
    },
    {
      name: 'beside a valid value the wrong one only drops out',
      code: keyPolicy(
        rootStatement,
        allowApp(S3_ACTIONS, '{"StringEquals": {"kms:ViaService": ["s3.amazonaws.com", "s3.us-east-1.amazonaws.com"]}}'),
      ),
      errors: [
        {
          target: '"s3.amazonaws.com"',
          messageId: 'wrongFormatInRegion',
          message:
            /matches no request, so this value has no effect \(only the other values count\)\. Use "s3\.us-east-1\.amazonaws\.com"\.$/,
        },
      ],
      output: keyPolicy(
        rootStatement,
        allowApp(S3_ACTIONS, '{"StringEquals": {"kms:ViaService": ["s3.us-east-1.amazonaws.com"]}}'),
      ),
    },
    {
      name: 'a pattern under StringEquals and no Region anywhere: no fix',
      code: keyPolicy(rootStatement, app('s3.*.amazonaws.com')),
      errors: [
        {
          target: '"s3.*.amazonaws.com"',
          messageId: 'literalWildcard',
          message: /literally.*e\.g\. "s3\.us-east-1\.amazonaws\.com", or "StringLike" to keep the pattern\.$/,
        },
      ],
    },
    {
      name: 'bare "s3"',
      code: keyPolicy(rootStatement, app('s3')),
      errors: [{ target: '"s3"', severity: 'error', messageId: 'wrongFormat' }],
    },
    {
      name: 'the China partition still uses .amazonaws.com',
      code: keyPolicy(rootStatement, app('s3.cn-north-1.amazonaws.com.cn')),
      errors: [
        {
          target: '"s3.cn-north-1.amazonaws.com.cn"',
          messageId: 'wrongFormatInRegion',
          message: /Use "s3\.cn-north-1\.amazonaws\.com"\.$/,
        },
      ],
      output: keyPolicy(rootStatement, app('s3.cn-north-1.amazonaws.com')),
    },
    {
      name: 'upper case under a case-sensitive operator',
      code: keyPolicy(rootStatement, app('s3.US-EAST-1.amazonaws.com')),
      errors: [
        {
          target: '"s3.US-EAST-1.amazonaws.com"',
          messageId: 'wrongFormatInRegion',
          message: /Use "s3\.us-east-1\.amazonaws\.com"\.$/,
        },
      ],
      output: keyPolicy(rootStatement, app('s3.us-east-1.amazonaws.com')),
    },
    {
      name: 'a pattern that can never match under StringLike',
      code: keyPolicy(rootStatement, app('s3.*.amazonaws.com.cn', 'StringLike')),
      errors: [{ target: '"s3.*.amazonaws.com.cn"', severity: 'error', messageId: 'wrongFormat' }],
    },
    {
      name: "Region differs from the key ARN's (warning, fixed to the key's Region)",
      code: keyPolicy(rootStatement, app('s3.eu-west-1.amazonaws.com', 'StringEquals', keyRes)),
      errors: [
        {
          target: '"s3.eu-west-1.amazonaws.com"',
          severity: 'warning',
          messageId: 'otherRegionThanKey',
          message:
            /^The key is in us-east-1, but "s3\.eu-west-1\.amazonaws\.com" names another Region, so it never matches\. The key's Region comes from its ARN in Resource, and S3 can use a key only in the bucket's own Region\. Use "s3\.us-east-1\.amazonaws\.com"\.$/,
        },
      ],
      output: keyPolicy(rootStatement, app('s3.us-east-1.amazonaws.com', 'StringEquals', keyRes)),
    },
    {
      name: 'one Region against a majority of others (no key ARN: no fix)',
      code: keyPolicy(
        rootStatement,
        allowApp(
          S3_ACTIONS,
          '{"StringEquals": {"kms:ViaService": ["s3.eu-west-1.amazonaws.com", "ec2.eu-west-1.amazonaws.com"]}}',
          'A',
        ),
        allowApp('"kms:Decrypt"', via('s3.us-east-1.amazonaws.com'), 'B'),
      ),
      errors: [
        {
          target: '"s3.us-east-1.amazonaws.com"',
          severity: 'warning',
          messageId: 'regionsDisagreeMajority',
          message:
            /^This policy names kms:ViaService in eu-west-1 and us-east-1, .*"s3\.us-east-1\.amazonaws\.com" may never match\. Use the key's Region \(probably "s3\.eu-west-1\.amazonaws\.com"\)\.$/,
        },
      ],
      output: keyPolicy(
        rootStatement,
        allowApp(
          S3_ACTIONS,
          '{"StringEquals": {"kms:ViaService": ["s3.eu-west-1.amazonaws.com", "ec2.eu-west-1.amazonaws.com"]}}',
          'A',
        ),
        allowApp('"kms:Decrypt"', via('s3.us-east-1.amazonaws.com'), 'B'),
      ),
    },
    {
      name: 'two Regions, one each: both in doubt',
      code: keyPolicy(
        rootStatement,
        allowApp(
          S3_ACTIONS,
          '{"StringEquals": {"kms:ViaService": ["s3.eu-west-1.amazonaws.com", "s3.us-east-1.amazonaws.com"]}}',
        ),
      ),
      errors: [
        {
          target: '"s3.eu-west-1.amazonaws.com"',
          severity: 'warning',
          messageId: 'regionsDisagree',
          message: /Use the key's Region\.$/,
        },
        { target: '"s3.us-east-1.amazonaws.com"', severity: 'warning', messageId: 'regionsDisagree' },
      ],
    },
  ],
});

describe('KMS-006 fixes re-analysed', () => {
  const request = (viaService: string) => ({
    principal: { kind: 'aws' as const, arn: APP, account: ACCOUNT },
    action: 'kms:GenerateDataKey',
    resource: KEY_ARN,
    context: { 'kms:viaservice': viaService, 'kms:calleraccount': ACCOUNT },
  });
  it("the wrong format never matches S3's requests; the fixed value does", () => {
    const wrong = keyPolicy(rootStatement, app('s3.amazonaws.com', 'StringEquals', euKey));
    const fixed = keyPolicy(rootStatement, app('s3.eu-west-1.amazonaws.com', 'StringEquals', euKey));
    const s3Request = { ...request('s3.eu-west-1.amazonaws.com'), resource: KEY_ARN.replace('us-east-1', 'eu-west-1') };
    assert.equal(statementApplies(parsePolicy(wrong).statements[1], s3Request), false);
    assert.equal(statementApplies(parsePolicy(fixed).statements[1], s3Request), true);
    assertFixedAway(kms006, fixed);
  });
  it('the legacy endpoint, the China suffix, upper case and the Region mismatch are gone after their fixes', () => {
    assertFixedAway(kms006, keyPolicy(rootStatement, app('s3.us-west-2.amazonaws.com')));
    assertFixedAway(kms006, keyPolicy(rootStatement, app('s3.cn-north-1.amazonaws.com')));
    assertFixedAway(kms006, keyPolicy(rootStatement, app('s3.us-east-1.amazonaws.com', 'StringEquals', keyRes)));
    assertFixedAway(
      kms006,
      keyPolicy(
        rootStatement,
        allowApp(
          S3_ACTIONS,
          '{"StringEquals": {"kms:ViaService": ["s3.eu-central-1.amazonaws.com", "ec2.eu-central-1.amazonaws.com"]}}',
        ),
      ),
    );
  });
});
