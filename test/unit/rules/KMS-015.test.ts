import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statementApplies } from '../../../core/engine/evaluate';
import { parsePolicy } from '../../../core/policy/parse';
import { kms015 } from '../../../core/rules/kms/KMS-015-cloudtrail-key-policy';
import { ACCOUNT, assertFixedAway, keyPolicy, rootStatement } from './kms-table-fixtures';
import { ruleTester } from './rule-tester';

const TRAIL = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/management-events`;
const CONTEXT = `"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:${ACCOUNT}:trail/*"}`;
const SOURCE = `"StringEquals": {"aws:SourceArn": "${TRAIL}"}`;
const encrypt = (action: string, condition?: string) =>
  `{"Sid": "Allow CloudTrail to encrypt logs", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": ${action}, "Resource": "*"${condition ? `, "Condition": {${condition}}` : ''}}`;
const DESCRIBE =
  '{"Sid": "Allow CloudTrail access", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:DescribeKey", "Resource": "*"}';
const good = encrypt('"kms:GenerateDataKey*"', `${CONTEXT}, ${SOURCE}`);

ruleTester(kms015, {
  valid: [
    { name: "AWS's CloudTrail key policy", code: keyPolicy(rootStatement, good, DESCRIBE) },
    {
      name: 'DescribeKey with aws:SourceArn, as newer AWS examples write it',
      code: keyPolicy(rootStatement, good, DESCRIBE.replace('"Resource": "*"}', `"Resource": "*", "Condition": {${SOURCE}}}`)),
    },
    { name: 'no CloudTrail statement at all', code: keyPolicy(rootStatement) },
  ],
  invalid: [
    {
      name: "docs/design/aws-facts.md's example: kms:Encrypt instead of kms:GenerateDataKey*, and no DescribeKey",
      code: keyPolicy(rootStatement, encrypt('"kms:Encrypt"')),
      errors: [
        {
          target: '"kms:Encrypt"',
          severity: 'error',
          messageId: 'encryptInsteadOfGenerateDataKey',
          message:
            /^CloudTrail encrypts logs with kms:GenerateDataKey\*, never kms:Encrypt: it cannot deliver logs\. It encrypts each log file with a data key from kms:GenerateDataKey\*, so with this grant alone it cannot deliver logs\. Use "kms:GenerateDataKey\*"\.$/,
        },
        {
          target: '"cloudtrail.amazonaws.com"',
          severity: 'warning',
          messageId: 'noDescribeKey',
          message:
            /^CloudTrail also needs kms:DescribeKey on the key, or creating and updating trails fails\. .*encryption-context condition, which DescribeKey requests never carry.*Add a statement allowing "kms:DescribeKey" to cloudtrail\.amazonaws\.com\.$/,
        },
      ],
      output: keyPolicy(rootStatement, encrypt('"kms:GenerateDataKey*"'), DESCRIBE),
    },
    {
      name: "no encryption-context or SourceArn condition: the context is added for the key's account",
      code: keyPolicy(rootStatement, encrypt('"kms:GenerateDataKey*"'), DESCRIBE),
      errors: [
        {
          target: '"cloudtrail.amazonaws.com"',
          severity: 'warning',
          messageId: 'anyTrail',
          message:
            /^Statement "Allow CloudTrail to encrypt logs" lets CloudTrail use the key for any trail, in any account\. .*a trail in any account that names this key can use it\. Add "StringLike": \{"kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:\*:111122223333:trail\/\*"\}/,
        },
        {
          target: '"cloudtrail.amazonaws.com"',
          messageId: 'noSourceArn',
          message:
            /^Statement "Allow CloudTrail to encrypt logs" has no aws:SourceArn condition limiting CloudTrail to your trail\. AWS recommends limiting CloudTrail's use of the key to your trail\. Add "StringEquals": \{"aws:SourceArn": "arn:aws:cloudtrail:REGION:111122223333:trail\/TRAIL-NAME"\}\.$/,
        },
      ],
      output: keyPolicy(rootStatement, encrypt('"kms:GenerateDataKey*"', CONTEXT), DESCRIBE),
    },
    {
      name: 'the context joins an existing StringLike block',
      code: keyPolicy(
        rootStatement,
        encrypt('"kms:GenerateDataKey*"', `"StringLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:${ACCOUNT}:trail/*"}`),
        DESCRIBE,
      ),
      errors: [
        {
          target: '"cloudtrail.amazonaws.com"',
          messageId: 'noContextCondition',
          message: /has no kms:EncryptionContext:aws:cloudtrail:arn condition\. AWS's CloudTrail key policy uses/,
        },
      ],
      output: keyPolicy(
        rootStatement,
        encrypt(
          '"kms:GenerateDataKey*"',
          `"StringLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:${ACCOUNT}:trail/*", "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:${ACCOUNT}:trail/*"}`,
        ),
        DESCRIBE,
      ),
    },
    {
      name: 'aws:SourceAccount instead of aws:SourceArn',
      code: keyPolicy(
        rootStatement,
        encrypt('"kms:GenerateDataKey*"', `${CONTEXT}, "StringEquals": {"aws:SourceAccount": "${ACCOUNT}"}`),
        DESCRIBE,
      ),
      errors: [
        {
          target: '"cloudtrail.amazonaws.com"',
          messageId: 'sourceAccountOnly',
          message: /to your trail \(aws:SourceAccount works, but aws:SourceArn is recommended\)\./,
        },
      ],
    },
    {
      name: 'aws:SourceArn naming the log bucket',
      code: keyPolicy(
        rootStatement,
        encrypt('"kms:GenerateDataKey*"', `${CONTEXT}, "StringEquals": {"aws:SourceArn": "arn:aws:s3:::trail-logs"}`),
        DESCRIBE,
      ),
      errors: [
        {
          target: '"arn:aws:s3:::trail-logs"',
          messageId: 'sourceArnNotTrail',
          message:
            /^For CloudTrail, aws:SourceArn is the trail's ARN, so this s3 ARN never matches\. "arn:aws:s3:::trail-logs" is not a trail, so CloudTrail cannot use the key/,
        },
      ],
    },
    {
      name: 'CloudTrail may only describe the key',
      code: keyPolicy(rootStatement, DESCRIBE),
      errors: [
        {
          target: '"cloudtrail.amazonaws.com"',
          messageId: 'noGenerateDataKey',
          message: /^No statement lets CloudTrail call kms:GenerateDataKey\*.*limited to your trails/,
        },
      ],
    },
    {
      name: 'DescribeKey under the encryption-context condition never applies',
      code: keyPolicy(rootStatement, encrypt('["kms:GenerateDataKey*", "kms:DescribeKey"]', `${CONTEXT}, ${SOURCE}`)),
      errors: [
        { target: '"cloudtrail.amazonaws.com"', messageId: 'noDescribeKey', message: /^CloudTrail also needs kms:DescribeKey/ },
      ],
    },
  ],
});

describe('KMS-015 fixes re-analysed', () => {
  const trailRequest = (action: string, context: Record<string, string>) => ({
    principal: { kind: 'service' as const, service: 'cloudtrail.amazonaws.com' },
    action,
    resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/k`,
    context,
  });
  it('after the first round CloudTrail gets data keys and can describe the key', () => {
    const fixed = keyPolicy(rootStatement, encrypt('"kms:GenerateDataKey*"'), DESCRIBE);
    const sts = parsePolicy(fixed).statements;
    assert.equal(
      statementApplies(sts[1], trailRequest('kms:GenerateDataKey', { 'kms:encryptioncontext:aws:cloudtrail:arn': TRAIL })),
      true,
    );
    assert.equal(statementApplies(sts[2], trailRequest('kms:DescribeKey', {})), true);
    assertFixedAway(kms015, fixed, /never kms:Encrypt|also needs kms:DescribeKey/);
  });
  it("after the context fix another account's trail is refused; only the SourceArn advice is left", () => {
    const fixed = keyPolicy(rootStatement, encrypt('"kms:GenerateDataKey*"', CONTEXT), DESCRIBE);
    const st = parsePolicy(fixed).statements[1];
    assert.equal(
      statementApplies(st, trailRequest('kms:GenerateDataKey', { 'kms:encryptioncontext:aws:cloudtrail:arn': TRAIL })),
      true,
    );
    assert.equal(
      statementApplies(
        st,
        trailRequest('kms:GenerateDataKey', {
          'kms:encryptioncontext:aws:cloudtrail:arn': 'arn:aws:cloudtrail:us-east-1:999988887777:trail/x',
        }),
      ),
      false,
    );
    assertFixedAway(kms015, fixed, /any trail|kms:EncryptionContext:aws:cloudtrail:arn condition/);
  });
});
