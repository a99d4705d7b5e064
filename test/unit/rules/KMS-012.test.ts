import { kms012 } from '../../../core/rules/kms/KMS-012-key-type-for-s3';
import { allowApp, keyPolicy, rootStatement } from './kms-table-fixtures';
import { ruleTester } from './rule-tester';

const s3Use = allowApp(
  '["kms:GenerateDataKey", "kms:Decrypt"]',
  '{"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}',
  'S3Use',
);
const signer = (actions: string) => allowApp(actions, undefined, 'Signing');

ruleTester(kms012, {
  valid: [
    { name: 'signing without S3', code: keyPolicy(rootStatement, signer('["kms:Sign", "kms:Verify", "kms:GetPublicKey"]')) },
    { name: 'S3 use without signing', code: keyPolicy(rootStatement, s3Use) },
    {
      name: 'wildcards that also name symmetric actions',
      code: keyPolicy(rootStatement, s3Use, signer('["kms:*", "kms:Get*"]')),
    },
  ],
  invalid: [
    {
      name: 'Sign and Verify beside S3 use',
      code: keyPolicy(rootStatement, signer('["kms:Sign", "kms:Verify", "kms:DescribeKey"]'), s3Use),
      errors: [
        {
          target: '"kms:Sign"',
          severity: 'info',
          messageId: 'notSymmetric',
          message:
            /^"kms:Sign" works only with asymmetric signing keys, but this policy also lets S3 use the key\. Statement "S3Use" lets S3 use the key \(kms:ViaService "s3\.us-east-1\.amazonaws\.com"\), and S3 supports only symmetric encryption keys: one of the two grants is useless\. If this key encrypts S3 objects, remove "kms:Sign"; if it is an asymmetric signing key, S3 cannot use it\.$/,
        },
        { target: '"kms:Verify"', messageId: 'notSymmetric' },
      ],
    },
    {
      name: 'HMAC actions in the statement that uses the S3 encryption context',
      code: keyPolicy(
        rootStatement,
        allowApp(
          '["kms:GenerateMac", "kms:Decrypt"]',
          '{"StringLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::example-bucket/*"}}',
        ),
      ),
      errors: [
        {
          target: '"kms:GenerateMac"',
          messageId: 'notSymmetric',
          message:
            /works only with HMAC keys, .* This statement lets S3 use the key \(the S3 encryption context.*if it is an HMAC key, S3 cannot use it/,
        },
      ],
    },
    {
      name: 'a wildcard naming only such actions',
      code: keyPolicy(rootStatement, signer('"kms:Verify*"'), s3Use),
      errors: [
        { target: '"kms:Verify*"', messageId: 'notSymmetric', message: /works only with asymmetric signing or HMAC keys/ },
      ],
    },
  ],
});
