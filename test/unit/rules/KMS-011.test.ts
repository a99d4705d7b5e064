import { kms011 } from '../../../core/rules/kms/KMS-011-aws-managed-s3-key';
import { ACCOUNT, allowApp, keyPolicy, rootStatement } from './kms-table-fixtures';
import { ruleTester } from './rule-tester';

const S3_STATEMENT = `{"Sid": "Allow access through S3 for all principals in the account that are authorized to use S3", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "${ACCOUNT}", "kms:ViaService": "s3.us-east-1.amazonaws.com"}}}`;
const METADATA = `{"Sid": "Allow direct access to key metadata to the account", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${ACCOUNT}:root"}, "Action": ["kms:Describe*", "kms:Get*", "kms:List*"], "Resource": "*"}`;

ruleTester(kms011, {
  valid: [
    {
      name: 'a customer managed key for S3',
      code: keyPolicy(
        rootStatement,
        allowApp('["kms:GenerateDataKey", "kms:Decrypt"]', '{"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}'),
      ),
    },
    {
      name: 'a customer alias',
      code: keyPolicy(rootStatement, allowApp('"kms:Decrypt"', '{"StringEquals": {"kms:RequestAlias": "alias/app"}}')),
    },
  ],
  invalid: [
    {
      name: 'the captured aws/s3 policy, by its Id',
      code: `{"Version": "2012-10-17", "Id": "auto-s3-2", "Statement": [${S3_STATEMENT}, ${METADATA}]}`,
      errors: [
        {
          target: '"auto-s3-2"',
          severity: 'info',
          messageId: 'managedKeyPolicy',
          message:
            /^This looks like the key policy of the aws\/s3 AWS managed key, which AWS owns: it cannot be changed\. It is marked "auto-s3-2"\. Only principals of its own account can use that key, through S3\. .*create a customer managed key/,
        },
      ],
    },
    {
      name: 'the captured aws/s3 statement without the Id',
      code: keyPolicy(S3_STATEMENT, METADATA),
      errors: [
        {
          target: '"Allow access through S3 for all principals in the account that are authorized to use S3"',
          messageId: 'managedKeyPolicy',
          message:
            /looks like the key policy of the aws\/s3 AWS managed key.*It is marked "Allow access through S3 for all principals/,
        },
      ],
    },
    {
      name: "kms:RequestAlias naming alias/aws/s3 in a customer key's policy",
      code: keyPolicy(rootStatement, allowApp('"kms:Decrypt"', '{"StringEquals": {"kms:RequestAlias": "alias/aws/s3"}}')),
      errors: [
        {
          target: '"alias/aws/s3"',
          messageId: 'managedKeyAlias',
          message:
            /^This names the aws\/s3 AWS managed key, whose key policy AWS owns: it is not this key\. "alias\/aws\/s3" is the aws\/s3 AWS managed key: its key policy is AWS's and cannot be changed, .*Use a customer managed key you control\.$/,
        },
      ],
    },
    {
      name: 'an alias ARN of aws/s3 in Resource',
      code: keyPolicy(
        rootStatement,
        allowApp('"kms:Decrypt"', undefined, 'AppUse', `"arn:aws:kms:us-east-1:${ACCOUNT}:alias/aws/s3"`),
      ),
      errors: [{ target: `"arn:aws:kms:us-east-1:${ACCOUNT}:alias/aws/s3"`, messageId: 'managedKeyAlias' }],
    },
  ],
});
