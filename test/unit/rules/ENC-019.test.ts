import { enc019 } from '../../../core/rules/encryption/ENC-019-encryption-context-not-a-key';
import { ruleTester } from './rule-tester';

const policy = (condition: string) =>
  `{"Version": "2012-10-17", "Statement": [{"Sid": "Ctx", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*", "Condition": ${condition}}]}`;
/** The statement once its only (always-true) test is removed: a Deny of every upload, as it already was. */
const UNCONDITIONAL =
  '{"Version": "2012-10-17", "Statement": [{"Sid": "Ctx", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}]}';

ruleTester(enc019, {
  valid: [
    { code: policy('{"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}') },
    {
      code: policy(
        '{"ArnNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/k"}}',
      ),
    },
    {
      name: 'real SSE keys with similar names',
      code: policy('{"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}}'),
    },
  ],
  invalid: [
    {
      name: 'the encryption-context header',
      code: policy('{"StringNotEquals": {"s3:x-amz-server-side-encryption-context": "eyJwcm9qZWN0IjoiYXBwIn0="}}'),
      errors: [
        {
          target: '"s3:x-amz-server-side-encryption-context"',
          severity: 'info',
          messageId: 'headerHasNoKey',
          message:
            /^A bucket policy cannot test the encryption context header: S3 has no condition key for it\. "s3:x-amz-server-side-encryption-context" is never in the request context, so "StringNotEquals" on it is always true\. Restrict the encryption context in the KMS key policy/,
        },
      ],
      // The always-true test goes (not safe for "fix all": the Deny is left with no condition).
      fixAll: 'unchanged',
      output: UNCONDITIONAL,
    },
    {
      name: 'the Bucket Key header',
      code: policy('{"StringEquals": {"x-amz-server-side-encryption-bucket-key-enabled": "true"}}'),
      errors: [
        {
          target: '"x-amz-server-side-encryption-bucket-key-enabled"',
          messageId: 'headerHasNoKey',
          message:
            /Bucket Key header.*never true and the statement never applies\. Enable S3 Bucket Keys in the bucket's default encryption instead\.$/,
        },
      ],
      // A never-true test keeps the statement dead: removing it would bring it to life, so no fix.
      fixAll: 'output',
      output: policy('{"StringEquals": {"x-amz-server-side-encryption-bucket-key-enabled": "true"}}'),
    },
    {
      name: 'Bucket Keys cannot be required by a policy (docs/design/aws-facts.md example)',
      code: policy('{"Bool": {"s3:x-amz-server-side-encryption-bucket-key-enabled": "true"}}'),
      errors: [
        {
          target: '"s3:x-amz-server-side-encryption-bucket-key-enabled"',
          severity: 'info',
          messageId: 'headerHasNoKey',
          message:
            /^A bucket policy cannot test the Bucket Key header: S3 has no condition key for it\. "s3:x-amz-server-side-encryption-bucket-key-enabled" is never in the request context, so "Bool" on it is never true and the statement never applies\. Enable S3 Bucket Keys/,
        },
      ],
    },
    {
      name: 'the encryption-context header beside another condition',
      code: policy(
        '{"StringNotEquals": {"s3:x-amz-server-side-encryption-context": "x"}, "Bool": {"aws:SecureTransport": "false"}}',
      ),
      errors: [
        {
          target: '"s3:x-amz-server-side-encryption-context"',
          messageId: 'headerHasNoKey',
          message: /encryption context header.*"StringNotEquals" on it is always true/,
        },
      ],
      fixAll: 'output',
      output: policy('{"Bool": {"aws:SecureTransport": "false"}}'),
    },
    {
      name: 'the encryption-context header with IfExists',
      code: policy('{"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption-context": "x"}}'),
      errors: [
        {
          target: '"s3:x-amz-server-side-encryption-context"',
          messageId: 'headerHasNoKey',
          message: /"StringNotEqualsIfExists" on it is always true/,
        },
      ],
      fixAll: 'unchanged',
      output: UNCONDITIONAL,
    },
    {
      name: 'a KMS context key in a bucket policy',
      code: policy('{"StringNotLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::b/*"}}'),
      errors: [
        {
          target: '"kms:EncryptionContext:aws:s3:arn"',
          messageId: 'kmsKey',
          message:
            /^"kms:EncryptionContext:aws:s3:arn" is a KMS condition key: it is never in the S3 requests a bucket policy sees\. "kms:EncryptionContext:aws:s3:arn" is a KMS key: it is in requests to KMS, never in the S3 requests a bucket policy sees, so "StringNotLike" on it is always true/,
        },
      ],
      fixAll: 'unchanged',
      output: UNCONDITIONAL,
    },
  ],
});
