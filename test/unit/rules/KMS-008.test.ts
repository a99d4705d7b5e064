import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statementApplies } from '../../../core/engine/evaluate';
import { runRule } from '../../../core/analyze';
import { parsePolicy } from '../../../core/policy/parse';
import { fixAll } from '../../../core/rules/fixes';
import { kms008 } from '../../../core/rules/kms/KMS-008-set-operator-on-encryption-context';
import { ACCOUNT, APP, KEY_ARN, allowApp, assertFixedAway, keyPolicy, rootStatement } from './kms-table-fixtures';
import { ruleTester } from './rule-tester';

const CTX = 'kms:EncryptionContext:aws:s3:arn';
const BUCKET = 'arn:aws:s3:::example-bucket';
const app = (condition: string) => keyPolicy(rootStatement, allowApp('["kms:GenerateDataKey", "kms:Decrypt"]', condition));

const pretty = (condition: object) =>
  JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'AppUse', Effect: 'Allow', Principal: { AWS: APP }, Action: 'kms:Decrypt', Resource: '*', Condition: condition },
      ],
    },
    null,
    2,
  );

ruleTester(kms008, {
  valid: [
    { name: 'the plain operator', code: app(`{"StringEquals": {"${CTX}": "${BUCKET}"}}`) },
    {
      name: 'set operators on the multivalued kms:EncryptionContextKeys',
      code: app(
        '{"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "aws:s3:arn"}, "ForAllValues:StringLike": {"kms:EncryptionContextKeys": ["aws:s3:*"]}}',
      ),
    },
    {
      name: 'a set operator on another key',
      code: app('{"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/*"}}'),
    },
  ],
  invalid: [
    {
      name: "docs/design/aws-facts.md's example: ForAllValues:StringEquals",
      code: app(`{"ForAllValues:StringEquals": {"${CTX}": "${BUCKET}"}}`),
      errors: [
        {
          target: `"${CTX}"`,
          severity: 'error',
          messageId: 'forAllValues',
          message:
            /^"kms:EncryptionContext:aws:s3:arn" is single-valued, so "ForAllValues:StringEquals" is the wrong operator\. It holds one value per request, and "ForAllValues:" is true when the request has no value for it, so the condition also holds for requests without that encryption context \(KMS rejects new policies with it as overly permissive\)\. Use "StringEquals"\.$/,
        },
      ],
      output: app(`{"StringEquals": {"${CTX}": "${BUCKET}"}}`),
    },
    {
      name: 'ForAnyValue:StringNotEquals in a Deny',
      code: keyPolicy(
        rootStatement,
        `{"Sid": "OnlyThisBucket", "Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"ForAnyValue:StringNotEquals": {"${CTX}": "${BUCKET}"}}}`,
      ),
      errors: [
        {
          target: `"${CTX}"`,
          messageId: 'forAnyValueNegated',
          message:
            /"ForAnyValue:" is false when the request has no value for it, unlike "StringNotEquals" alone, and AWS warns against it\. Use "StringNotEquals"\.$/,
        },
      ],
      output: keyPolicy(
        rootStatement,
        `{"Sid": "OnlyThisBucket", "Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringNotEquals": {"${CTX}": "${BUCKET}"}}}`,
      ),
    },
    {
      name: 'IfExists is kept',
      code: app(`{"ForAllValues:StringLikeIfExists": {"${CTX}": "${BUCKET}/*"}}`),
      errors: [{ target: `"${CTX}"`, messageId: 'forAllValues', message: /Use "StringLikeIfExists"\.$/ }],
      output: app(`{"StringLikeIfExists": {"${CTX}": "${BUCKET}/*"}}`),
    },
    {
      name: 'beside kms:EncryptionContextKeys in one block: the context key moves to its own block',
      code: app(`{"ForAllValues:StringLike": {"${CTX}": "${BUCKET}/*", "kms:EncryptionContextKeys": "aws:s3:arn"}}`),
      errors: [{ target: `"${CTX}"`, messageId: 'forAllValues', message: /Use "StringLike"\.$/ }],
      output: app(
        `{"ForAllValues:StringLike": {"kms:EncryptionContextKeys": "aws:s3:arn"}, "StringLike": {"${CTX}": "${BUCKET}/*"}}`,
      ),
    },
    {
      name: 'joins an existing block of the plain operator',
      code: app(
        '{"ForAllValues:StringEquals": {"kms:EncryptionContext:Project": "Alpha"}, "StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}',
      ),
      errors: [{ target: '"kms:EncryptionContext:Project"', messageId: 'forAllValues' }],
      output: app('{"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:EncryptionContext:Project": "Alpha"}}'),
    },
    {
      name: 'two context keys in one block: one fix for both',
      code: app(
        '{"ForAnyValue:StringEquals": {"kms:EncryptionContext:Project": "Alpha", "kms:EncryptionContext:Stage": "prod"}}',
      ),
      errors: [
        {
          target: '"kms:EncryptionContext:Project"',
          messageId: 'forAnyValue',
          message:
            /"ForAnyValue:" is false when the request has no value for it, and AWS warns against it\. Use "StringEquals"\.$/,
        },
        { target: '"kms:EncryptionContext:Stage"', messageId: 'forAnyValue' },
      ],
      output: app('{"StringEquals": {"kms:EncryptionContext:Project": "Alpha", "kms:EncryptionContext:Stage": "prod"}}'),
    },
    {
      name: 'pretty-printed: the new block follows the layout',
      code: pretty({ 'ForAllValues:StringLike': { 'kms:EncryptionContextKeys': 'aws:s3:arn', [CTX]: `${BUCKET}/*` } }),
      errors: [{ target: `"${CTX}"`, messageId: 'forAllValues' }],
      output: pretty({
        'ForAllValues:StringLike': { 'kms:EncryptionContextKeys': 'aws:s3:arn' },
        StringLike: { [CTX]: `${BUCKET}/*` },
      }).replace(`"StringLike": {\n          "${CTX}": "${BUCKET}/*"\n        }`, `"StringLike": {"${CTX}": "${BUCKET}/*"}`),
    },
  ],
});

describe('KMS-008 fixes re-analysed', () => {
  const noContext = {
    principal: { kind: 'aws' as const, arn: APP, account: ACCOUNT },
    action: 'kms:Decrypt',
    resource: KEY_ARN,
    context: {},
  };
  const withContext = { ...noContext, context: { 'kms:encryptioncontext:aws:s3:arn': BUCKET } };
  it('ForAllValues lets a request without context through; the plain operator does not', () => {
    const before = parsePolicy(app(`{"ForAllValues:StringEquals": {"${CTX}": "${BUCKET}"}}`)).statements[1];
    const fixedText = app(`{"StringEquals": {"${CTX}": "${BUCKET}"}}`);
    const after = parsePolicy(fixedText).statements[1];
    assert.equal(statementApplies(before, noContext), true);
    assert.equal(statementApplies(after, noContext), false);
    assert.equal(statementApplies(after, withContext), true);
    assertFixedAway(kms008, fixedText);
  });
  it('"fix all" takes the fix only where it can only narrow access (an Allow with ForAllValues)', () => {
    const analyse = (t: string) => runRule(kms008, parsePolicy(t), 'key-policy');
    const allow = app(`{"ForAllValues:StringEquals": {"${CTX}": "${BUCKET}"}}`);
    assert.equal(fixAll(allow, analyse).text, app(`{"StringEquals": {"${CTX}": "${BUCKET}"}}`));
    const deny = keyPolicy(
      rootStatement,
      `{"Sid": "OnlyThisBucket", "Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"ForAnyValue:StringNotEquals": {"${CTX}": "${BUCKET}"}}}`,
    );
    assert.equal(fixAll(deny, analyse).text, deny);
  });
  it('moved and merged entries are no longer reported', () => {
    assertFixedAway(
      kms008,
      app(`{"ForAllValues:StringLike": {"kms:EncryptionContextKeys": "aws:s3:arn"}, "StringLike": {"${CTX}": "${BUCKET}/*"}}`),
    );
    assertFixedAway(
      kms008,
      app('{"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:EncryptionContext:Project": "Alpha"}}'),
    );
  });
});
