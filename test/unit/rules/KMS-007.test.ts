import { kms007 } from '../../../core/rules/kms/KMS-007-encryption-context-bucket-keys';
import { ruleTester } from './rule-tester';

const doc = (cond: string) =>
  `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*", "Condition": ${cond}}]}`;
const B = 'arn:aws:s3:::example-bucket';

ruleTester(kms007, {
  valid: [
    {
      name: 'bucket and objects (template 4)',
      code: doc(`{"StringLike": {"kms:EncryptionContext:aws:s3:arn": ["${B}", "${B}/*"]}}`),
    },
    {
      name: 'another context key',
      code: doc('{"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:111122223333:trail/*"}}'),
    },
    {
      name: "a non-S3 value is someone else's problem",
      code: doc('{"StringEquals": {"kms:EncryptionContext:aws:s3:arn": "example"}}'),
    },
  ],
  invalid: [
    {
      name: 'docs/design/aws-facts.md bad example: objects only',
      code: doc(`{"StringLike": {"kms:EncryptionContext:aws:s3:arn": "${B}/*"}}`),
      errors: [
        {
          target: '"kms:EncryptionContext:aws:s3:arn"',
          severity: 'warning',
          messageId: 'objectsOnly',
          message:
            /^"kms:EncryptionContext:aws:s3:arn" lists only object ARNs, so it stops matching once S3 Bucket Keys are enabled\. With S3 Bucket Keys enabled the encryption context is the bucket ARN \(arn:aws:s3:::example-bucket\).*AccessDenied from KMS\. Add the bucket ARN\.$/,
        },
      ],
      output: doc(`{"StringLike": {"kms:EncryptionContext:aws:s3:arn": ["${B}/*", "${B}"]}}`),
    },
    {
      name: 'an object prefix: the restriction cannot survive Bucket Keys',
      code: doc(`{"StringLike": {"kms:EncryptionContext:aws:s3:arn": ["${B}/reports/*"]}}`),
      errors: [
        {
          target: '"kms:EncryptionContext:aws:s3:arn"',
          messageId: 'objectPrefixOnly',
          message: /prefix restriction cannot be kept/,
        },
      ],
      output: doc(`{"StringLike": {"kms:EncryptionContext:aws:s3:arn": ["${B}/reports/*", "${B}"]}}`),
    },
    {
      name: 'bucket only with StringLike: info, add the objects',
      code: doc(`{"StringLike": {"kms:EncryptionContext:aws:s3:arn": "${B}"}}`),
      errors: [
        {
          target: '"kms:EncryptionContext:aws:s3:arn"',
          severity: 'info',
          messageId: 'bucketsOnly',
          message: /only bucket ARNs.*own ARN as context\. Add arn:aws:s3:::example-bucket\/\* to work either way/,
        },
      ],
      output: doc(`{"StringLike": {"kms:EncryptionContext:aws:s3:arn": ["${B}", "${B}/*"]}}`),
    },
    {
      name: 'bucket only with StringEquals: no fix (a wildcard needs StringLike)',
      code: doc(`{"StringEquals": {"kms:EncryptionContext:aws:s3:arn": "${B}"}}`),
      errors: [
        {
          target: '"kms:EncryptionContext:aws:s3:arn"',
          severity: 'info',
          messageId: 'bucketsOnlyLiteral',
          message: /use StringLike with arn:aws:s3:::example-bucket\/\* as well/,
        },
      ],
    },
  ],
});
