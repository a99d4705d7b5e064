import { kms005 } from '../../../core/rules/kms/KMS-005-s3-permissions';
import { ruleTester } from './rule-tester';

const ROOT =
  '{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}';
const ADMIN =
  '{"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/KeyAdmin"}, "Action": "kms:PutKeyPolicy", "Resource": "*"}';
const doc = (...s: string[]) => `{"Version": "2012-10-17", "Statement": [${s.join(', ')}]}`;
const VIA = ', "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}';
const up = (action: string, cond = '') =>
  `{"Sid": "Uploader", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Uploader"}, "Action": ${action}, "Resource": "*"${cond}}`;

ruleTester(kms005, {
  valid: [
    { name: 'AWS default key policy', code: doc(ROOT) },
    { name: 'GenerateDataKey and Decrypt through S3', code: doc(ROOT, up('["kms:GenerateDataKey", "kms:Decrypt"]', VIA)) },
    {
      name: 'the console key-user statement (Encrypt with GenerateDataKey*)',
      code: doc(ROOT, up('["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]')),
    },
    { name: 'Encrypt for a non-S3 application that also decrypts', code: doc(ROOT, up('["kms:Encrypt", "kms:Decrypt"]')) },
    { name: 'a key policy with no S3 evidence that S3 cannot use', code: doc(ADMIN) },
  ],
  invalid: [
    {
      name: 'docs/design/aws-facts.md bad example: Encrypt only',
      code: doc(ROOT, up('"kms:Encrypt"')),
      errors: [
        {
          target: '"kms:Encrypt"',
          severity: 'warning',
          messageId: 'encryptInsteadOfGenerateDataKey',
          message:
            /^Statement "Uploader" grants kms:Encrypt but not kms:GenerateDataKey, which S3 uploads use\. .*AccessDenied\. Add kms:GenerateDataKey and kms:Decrypt\.$/,
        },
      ],
      output: doc(ROOT, up('["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"]')),
    },
    {
      name: 'Encrypt and Decrypt through S3: uploads still fail',
      code: doc(ROOT, up('["kms:Encrypt", "kms:Decrypt"]', VIA)),
      errors: [{ target: '"kms:Encrypt"', messageId: 'encryptInsteadOfGenerateDataKey', message: /Add kms:GenerateDataKey\./ }],
      output: doc(ROOT, up('["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"]', VIA)),
    },
    {
      name: 'GenerateDataKey through S3 without Decrypt: multipart uploads fail',
      code: doc(ROOT, up('["kms:GenerateDataKey*"]', VIA)),
      errors: [
        {
          target: '"kms:GenerateDataKey*"',
          messageId: 'noDecrypt',
          message: /but not decrypt\. Multipart uploads.*Add kms:Decrypt/,
        },
      ],
      output: doc(ROOT, up('["kms:GenerateDataKey*", "kms:Decrypt"]', VIA)),
    },
    {
      name: 'meant for S3 but nobody can use it through S3 (ViaService in the wrong form)',
      code: doc(
        ADMIN,
        up('["kms:GenerateDataKey", "kms:Decrypt"]', ', "Condition": {"StringEquals": {"kms:ViaService": "s3.amazonaws.com"}}'),
      ),
      errors: [
        {
          target: '"Allow"',
          occurrence: 2,
          messageId: 's3CannotUseViaServiceFormat',
          message:
            /meant for S3, .*It names S3 \(kms:ViaService "s3\.amazonaws\.com"\).*not in the form s3\.<region>\.amazonaws\.com/,
        },
      ],
    },
    {
      name: 'meant for S3 (its encryption context) but nobody may use the key through S3',
      code: doc(
        ADMIN,
        up(
          '["kms:GenerateDataKey", "kms:Decrypt"]',
          ', "Condition": {"StringEquals": {"kms:ViaService": "ec2.us-east-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::example-bucket"}}',
        ),
      ),
      errors: [
        {
          target: '"Allow"',
          occurrence: 2,
          messageId: 's3CannotUse',
          message:
            /^This key policy is meant for S3, but no principal can use the key through S3\. It names S3 \(the S3 encryption context.*Grant both actions/,
        },
      ],
    },
  ],
});
