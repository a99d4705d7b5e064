import assert from 'node:assert/strict';
import { it } from 'node:test';
import { enc011 } from '../../../core/rules/encryption/ENC-011-sse-c';
import { B, SSE, SSE_C, ban, denyPut, policy, withAdded } from './enc-fixtures';
import { ruleTester, tableSuite } from './rule-tester';
import { decisions } from './verdict-helpers';

const friendly = (sid: string, algorithm: string) =>
  denyPut(sid, `{"StringNotEqualsIfExists": {"${SSE}": "${algorithm}"}, "Null": {"${SSE}": "false"}}`);

const kmsOnly = policy(friendly('OnlyKms', 'aws:kms'));
const aesOnly = policy(friendly('OnlyAes', 'AES256'));

ruleTester(enc011, {
  valid: [
    { name: 'KMS-only with the SSE-C ban', code: withAdded(kmsOnly, ban) },
    {
      name: 'the strict Deny denies SSE-C uploads (they send no x-amz-server-side-encryption)',
      code: policy(denyPut('OnlyKms', `{"StringNotEquals": {"${SSE}": "aws:kms"}}`)),
    },
    { name: 'SSE-S3 intent without a requirement: SSE-C is not "another algorithm" by intent alone', code: aesOnly },
    {
      name: 'a Sid that mentions SSE-C on a customer-algorithm test',
      code: policy(denyPut('DenySseC', `{"Null": {"${SSE_C}": "false"}}`)),
    },
    {
      name: 'no encryption statements',
      code: policy(
        `{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "s3:GetObject", "Resource": "${B}/*"}`,
      ),
    },
  ],
  invalid: [
    {
      name: '(a) requiring SSE-C',
      code: policy(denyPut('RequireSseC', `{"Null": {"${SSE_C}": "true"}}`)),
      errors: [
        {
          target: '"Null"',
          severity: 'warning',
          messageId: 'requiresSseC',
          message:
            /^Statement "RequireSseC" requires SSE-C, which S3 blocks by default since April 2026\. It lets only SSE-C uploads through \(customer-provided keys\)\. Since April 2026 S3 blocks SSE-C on new general purpose buckets/,
        },
      ],
    },
    {
      name: '(b) "enforce SSE-C" written on the SSE-S3 header',
      code: policy(denyPut('EnforceSSE-C', `{"StringNotEquals": {"${SSE}": "AES256"}}`)),
      errors: [
        {
          target: '"AES256"',
          messageId: 'sseS3NotSseC',
          message: /looks meant for SSE-C, .* "AES256" in x-amz-server-side-encryption is SSE-S3/,
        },
      ],
    },
    {
      name: '(c) KMS-only intent, default-friendly, no SSE-C ban',
      code: kmsOnly,
      errors: [
        {
          target: '"Deny"',
          messageId: 'sseCNotDenied',
          message:
            /^SSE-C uploads are not denied, but the policy accepts only aws:kms\. Statement "OnlyKms" accepts only aws:kms\. For example, an anonymous caller calling s3:PutObject .*s3:x-amz-server-side-encryption-customer-algorithm = AES256/,
        },
      ],
      fixAll: 'unchanged',
      output: withAdded(kmsOnly, ban),
    },
    {
      name: '(c) the "sse" requirement makes SSE-C "another algorithm"',
      code: aesOnly,
      requirements: { sse: ['AES256'] },
      errors: [
        {
          target: '"Deny"',
          messageId: 'sseCNotDenied',
          message: /but the requirements accept only AES256\. Your requirements accept only AES256 \("sse": \["AES256"\]\)/,
        },
      ],
      fixAll: 'output',
      output: withAdded(aesOnly, ban),
    },
  ],
});

tableSuite('ENC-011 fixes re-analysed', () => {
  it('the ban denies SSE-C uploads and nothing else', () => {
    const before = decisions(kmsOnly);
    const after = decisions(withAdded(kmsOnly, ban));
    assert.equal(before['SSE-C'], 'not-denied');
    assert.equal(after['SSE-C'], 'denied');
    for (const k of Object.keys(before)) if (k !== 'SSE-C') assert.equal(after[k], before[k], k);
  });
});
