import { kms002 } from '../../../core/rules/kms/KMS-002-account-delegation';
import { ruleTester } from './rule-tester';

const ROOT =
  '{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}';
const ADMIN =
  '{"Sid": "Admins", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/KeyAdmin"}, "Action": "kms:*", "Resource": "*"}';
const doc = (...s: string[]) => `{"Version": "2012-10-17", "Statement": [${s.join(', ')}]}`;

ruleTester(kms002, {
  valid: [
    { name: 'AWS default key policy', code: doc(ROOT) },
    {
      name: 'root as a bare account ID, with admins',
      code: doc('{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:*", "Resource": "*"}', ADMIN),
    },
    {
      name: 'locked out: KMS-001 speaks for it',
      code: doc(
        '{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:Decrypt", "Resource": "*"}',
      ),
    },
  ],
  invalid: [
    {
      name: 'only named roles: IAM cannot grant use; the fix adds the root statement',
      code: doc(ADMIN),
      errors: [
        {
          target: '"Statement"',
          severity: 'warning',
          messageId: 'noDelegation',
          message:
            /^No statement names account 111122223333 \(its root\), so IAM policies cannot grant use of this key\. Only the principals named/,
        },
      ],
      output: doc(ADMIN, ROOT),
    },
    {
      name: 'the root statement is a Deny: still no delegation',
      code: doc(
        ADMIN,
        '{"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:ScheduleKeyDeletion", "Resource": "*"}',
      ),
      errors: [{ target: '"Statement"', messageId: 'noDelegation', message: /No statement names account 111122223333/ }],
    },
  ],
});
