import assert from 'node:assert/strict';
import { it } from 'node:test';
import { enc009 } from '../../../core/rules/encryption/ENC-009-key-pin-denies-default-key';
import { KEY, KEY_ID, SSE, ban, canonical, denyPut, httpDeny, policy } from './enc-fixtures';
import { ruleTester, tableSuite } from './rule-tester';
import { decisions } from './verdict-helpers';

const algorithms = canonical('DenyUploadsWithoutRequiredEncryption', {
  StringNotEqualsIfExists: { [SSE]: ['aws:kms', 'aws:kms:dsse'] },
  Null: { [SSE]: 'false' },
});

const awsExample = policy(httpDeny, denyPut('OnlyOurKey', `{"ArnNotEqualsIfExists": {"${KEY_ID}": "${KEY}"}}`));
const awsExampleFixed = `${policy(httpDeny, denyPut('OnlyOurKey', `{"ArnNotEqualsIfExists": {"${KEY_ID}": "${KEY}"}, "Null": {"${KEY_ID}": "false"}}`)).slice(0, -2)}, ${algorithms}, ${ban}]}`;

const withAlgorithm = policy(
  denyPut('OnlyKms', `{"StringNotEquals": {"${SSE}": "aws:kms"}}`),
  denyPut('OnlyOurKey', `{"StringNotEqualsIfExists": {"${KEY_ID}": "${KEY}"}}`),
);
const withAlgorithmFixed = policy(
  denyPut('OnlyKms', `{"StringNotEquals": {"${SSE}": "aws:kms"}}`),
  denyPut('OnlyOurKey', `{"StringNotEqualsIfExists": {"${KEY_ID}": "${KEY}"}, "Null": {"${KEY_ID}": "false"}}`),
);

const nullKeyId = policy(httpDeny, denyPut('DenyObjectsThatAreNotSSEKMS', `{"Null": {"${KEY_ID}": "true"}}`));
const nullKeyIdFixed = `${policy(httpDeny).slice(0, -2)}, ${algorithms}, ${ban}]}`;

ruleTester(enc009, {
  valid: [
    { name: 'strict mode chosen in the requirements', code: awsExample, requirements: { headerlessUploads: 'deny' } },
    { name: "template 3's key part", code: withAlgorithmFixed },
    {
      name: 'aws:kms without a key id is denied by the algorithm statement anyway',
      code: policy(
        denyPut('OnlyAes', `{"StringNotEquals": {"${SSE}": "AES256"}}`),
        denyPut('Pin', `{"ArnNotEqualsIfExists": {"${KEY_ID}": "${KEY}"}}`),
      ),
    },
    { name: 'no key pin', code: policy(httpDeny) },
    {
      name: 'a policy that lets no upload through is another problem',
      code: policy(
        denyPut('Typo', `{"StringNotEquals": {"${SSE}": "AES-256"}}`),
        denyPut('Pin', `{"ArnNotEqualsIfExists": {"${KEY_ID}": "${KEY}"}}`),
      ),
    },
  ],
  invalid: [
    {
      name: "AWS's specific-key example alone: header-less and aws:kms without key id are denied; the rewrite keeps AES256 and SSE-C denied",
      code: awsExample,
      errors: [
        {
          target: '"ArnNotEqualsIfExists"',
          severity: 'warning',
          messageId: 'pinDeniesDefaultKey',
          message:
            /^Statement "OnlyOurKey" pins the KMS key but also denies uploads that use the default key\. Its test is true when x-amz-server-side-encryption-aws-kms-key-id is absent, so it also denies uploads that send aws:kms without a key id and uploads without any encryption header — S3 would encrypt those with the bucket's default key, even when that is the pinned key\. For example, an anonymous caller calling s3:PutObject on arn:aws:s3:::b\/\S+ over HTTPS \([^)]*s3:x-amz-server-side-encryption = aws:kms\) is denied by this policy\. "IfExists" adds nothing to a negated operator/,
        },
      ],
      fixAll: 'unchanged',
      output: awsExampleFixed,
    },
    {
      name: 'beside an algorithm Deny only the pin changes',
      code: withAlgorithm,
      errors: [
        {
          target: '"StringNotEqualsIfExists"',
          messageId: 'pinDeniesDefaultKey',
          message: /also denies uploads that send aws:kms without a key id — S3/,
        },
      ],
      fixAll: 'unchanged',
      output: withAlgorithmFixed,
    },
    {
      name: "AWS's Null-on-key-id example: replaced by the algorithm Deny and the SSE-C ban",
      code: nullKeyId,
      errors: [
        {
          target: '"Null"',
          messageId: 'pinDeniesDefaultKey',
          message: /^Statement "DenyObjectsThatAreNotSSEKMS" pins the KMS key/,
        },
      ],
      fixAll: 'unchanged',
      output: nullKeyIdFixed,
    },
  ],
});

tableSuite('ENC-009 fixes re-analysed', () => {
  it('uploads naming aws:kms without a key id get through; other keys, AES256 and SSE-C stay denied', () => {
    for (const [before, after] of [
      [awsExample, awsExampleFixed],
      [withAlgorithm, withAlgorithmFixed],
    ]) {
      const b = decisions(before);
      const a = decisions(after);
      assert.equal(b['aws:kms'], 'denied');
      assert.equal(a['aws:kms'], 'not-denied');
      for (const k of ['aws:kms/other', 'aws:kms:dsse/other', 'AES256', 'SSE-C']) assert.equal(a[k], b[k], k);
    }
    assert.equal(decisions(awsExampleFixed).none, 'not-denied');
  });
  it('the Null-on-key-id rewrite keeps AES256 and SSE-C denied', () => {
    const a = decisions(nullKeyIdFixed);
    assert.equal(a['aws:kms'], 'not-denied');
    assert.equal(a.AES256, 'denied');
    assert.equal(a['SSE-C'], 'denied');
  });
});
