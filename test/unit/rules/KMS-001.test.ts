import { kms001 } from '../../../core/rules/kms/KMS-001-lockout';
import { ruleTester } from './rule-tester';

const ROOT =
  '{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}';
const APP =
  '{"Sid": "Use", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*"}';
const doc = (...s: string[]) => `{"Version": "2012-10-17", "Statement": [${s.join(', ')}]}`;

ruleTester(kms001, {
  valid: [
    { name: 'AWS default key policy', code: doc(ROOT) },
    {
      name: 'account as bare ID',
      code: doc('{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:*", "Resource": "*"}'),
    },
    {
      name: 'a key administrator with kms:Put*',
      code: doc(
        '{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/KeyAdmin"}, "Action": ["kms:Describe*", "kms:Put*"], "Resource": "*"}',
        APP,
      ),
    },
    {
      name: 'a Deny of PutKeyPolicy scoped to one role leaves the root',
      code: doc(
        ROOT,
        '{"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:PutKeyPolicy", "Resource": "*"}',
      ),
    },
    { name: "an empty Statement array is GRM-001's", code: doc() },
  ],
  invalid: [
    {
      name: 'only key users: nobody can change the policy; the fix adds the root statement for the account the principals name',
      code: doc(APP),
      errors: [
        {
          target: '"Statement"',
          severity: 'error',
          messageId: 'noAdministrator',
          message:
            /^No principal can call kms:PutKeyPolicy, so nobody could ever change this key policy again\. KMS has no root-user override.*Add the account root statement/,
        },
      ],
      output: doc(APP, ROOT),
    },
    {
      name: 'administration without PutKeyPolicy (Describe/Enable/List only)',
      code: doc(
        '{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/KeyAdmin"}, "Action": ["kms:Describe*", "kms:Enable*", "kms:List*"], "Resource": "*"}',
      ),
      errors: [{ target: '"Statement"', messageId: 'noAdministrator', message: /No principal can call kms:PutKeyPolicy/ }],
      output: doc(
        '{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/KeyAdmin"}, "Action": ["kms:Describe*", "kms:Enable*", "kms:List*"], "Resource": "*"}',
        ROOT,
      ),
    },
    {
      name: 'a Deny of kms:PutKeyPolicy to everyone: reported on the Deny, no statement can undo it',
      code: doc(ROOT, '{"Effect": "Deny", "Principal": "*", "Action": "kms:PutKeyPolicy", "Resource": "*"}'),
      errors: [
        {
          target: '"Deny"',
          messageId: 'denyToEveryone',
          message:
            /^Statement 2 denies kms:PutKeyPolicy to everyone: the key policy is locked for good\. Nobody could ever change this key policy again.*only AWS Support can recover.*Remove kms:PutKeyPolicy from this Deny/,
        },
      ],
    },
    {
      name: 'a long Sid is clipped in the summary, which stays one short line',
      code: doc(
        ROOT,
        '{"Sid": "Nobody may ever change this key policy, not even administrators", "Effect": "Deny", "Principal": "*", "Action": "kms:PutKeyPolicy", "Resource": "*"}',
      ),
      errors: [
        {
          target: '"Deny"',
          messageId: 'denyToEveryone',
          message:
            /^Statement "Nobody may ever change this key…" denies kms:PutKeyPolicy to everyone: the key policy is locked for good\. /,
        },
      ],
    },
    {
      name: "principals of two accounts: the key's account is unknown, so no fix",
      code: doc(
        '{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:role/A", "arn:aws:iam::444455556666:role/B"]}, "Action": "kms:Decrypt", "Resource": "*"}',
      ),
      errors: [{ target: '"Statement"', messageId: 'noAdministratorAccountUnknown', message: /arn:aws:iam::ACCOUNT:root/ }],
    },
    {
      name: 'the key ARN in Resource names the account for the fix',
      code: doc(
        '{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/B"}, "Action": "kms:Decrypt", "Resource": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}',
      ),
      errors: [{ target: '"Statement"', messageId: 'noAdministrator' }],
      output: doc(
        '{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/B"}, "Action": "kms:Decrypt", "Resource": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}',
        ROOT,
      ),
    },
  ],
});
