import { kms004 } from '../../../core/rules/kms/KMS-004-admin-user-separation';
import { ruleTester } from './rule-tester';

const ROOT =
  '{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}';
const doc = (...s: string[]) => `{"Version": "2012-10-17", "Statement": [${s.join(', ')}]}`;
const app = (action: string, cond = '') =>
  `{"Sid": "App", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": ${action}, "Resource": "*"${cond}}`;

ruleTester(kms004, {
  valid: [
    { name: 'the root statement is delegation, not an application role', code: doc(ROOT) },
    {
      name: 'key users: crypto only',
      code: doc(ROOT, app('["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]')),
    },
    {
      name: 'key users with grants for AWS resources only',
      code: doc(
        ROOT,
        app(
          '["kms:Decrypt", "kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"]',
          ', "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}',
        ),
      ),
    },
    {
      name: 'key administrators: management only',
      code: doc(
        ROOT,
        app(
          '["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"]',
        ),
      ),
    },
  ],
  invalid: [
    {
      name: 'kms:* to an application role: split into the key-user actions (the root still administers)',
      code: doc(ROOT, app('"kms:*"')),
      errors: [
        {
          target: '"kms:*"',
          occurrence: 2,
          severity: 'warning',
          messageId: 'adminAndUse',
          message:
            /^Statement "App" gives role\/App both administration and use of the key\. It gives arn:aws:iam::111122223333:role\/App administration of the key \(kms:PutKeyPolicy, kms:ScheduleKeyDeletion or kms:DisableKey…\) and its use.*Give it only the key-user actions/,
        },
      ],
      output: doc(ROOT, app('["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]')),
    },
    {
      name: 'kms:* in a list',
      code: doc(ROOT, app('["kms:*", "kms:Decrypt"]')),
      errors: [{ target: '["kms:*", "kms:Decrypt"]', messageId: 'adminAndUse' }],
      output: doc(
        ROOT,
        app('["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:Decrypt"]'),
      ),
    },
    {
      name: 'PutKeyPolicy and Decrypt together, CreateGrant unrestricted',
      code: doc(ROOT, app('["kms:PutKeyPolicy", "kms:CreateGrant", "kms:Decrypt"]')),
      errors: [
        {
          target: '["kms:PutKeyPolicy", "kms:CreateGrant", "kms:Decrypt"]',
          messageId: 'adminAndUseSeparate',
          message: /kms:PutKeyPolicy or kms:CreateGrant\) and its use \(kms:Decrypt\).*Separate key administrators/,
        },
      ],
    },
    {
      name: 'the only administrator: no fix (splitting would lock the key out)',
      code: doc(app('"kms:*"')),
      errors: [{ target: '"kms:*"', messageId: 'adminAndUseSeparate', message: /Separate key administrators/ }],
    },
  ],
});
