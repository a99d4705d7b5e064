// KMS-016 — principals of other accounts in a key policy. Cross-account use needs both sides: the
// key policy and an IAM policy in the other account that allows the actions on this key's ARN,
// and the account must be enabled in the key's Region (KMS-DG key-policy-modifying-external-accounts,
// IAM-UG evaluation logic cross-account). Unique-ID principals (AROA…, AIDA…) of deleted roles and
// users are reported by GRM-005 for every resource policy, key policies included, so not here.
import { stringItems } from '../model-lookups';
import { capitalizedStatementLabel } from '../labels';
import type { Rule } from '../types';
import { ownerAccount, principalAccount } from './key-policy-context';

export const kms016: Rule = {
  meta: {
    id: 'KMS-016',
    title: 'Cross-account principals need both sides',
    severity: 'info',
    appliesTo: ['key-policy'],
    why: "A key policy that names a principal of another account is only half of cross-account access: the other account's principals also need an IAM policy in their own account that allows the KMS actions on this key (by key ARN; an alias does not work across accounts), and that account must be enabled in the key's Region. Naming the other account's root delegates to its administrators, who decide through IAM. Principals must exist when the policy is saved: deleted roles and users show up as unique IDs (AROA…, AIDA…), which GRM-005 reports.",
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "Allow an external account to use this KMS key", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*"}]}',
    // The same key policy: the other half is an IAM policy in account 444455556666 (see `reminder`).
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "Allow an external account to use this KMS key", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*"}]}',
    reminder:
      'The key policy can be right as it is: the other half is an IAM policy in account 444455556666 that allows kms:Decrypt and kms:GenerateDataKey on the key by its ARN (arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab), which no key policy can show, so this note stays.',
    references: [
      'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html',
      'https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html',
    ],
    confidence: 'DOC',
    fixable: false,
    messages: {
      otherAccount: {
        summary: "Account {account} is not the key's account: its principals also need an IAM policy there.",
        detail:
          "{statement} names account {account}, not the key's account {owner}: its principals can use the key only if an IAM policy in account {account} also allows these actions on this key's ARN (not an alias), and the account is enabled in the key's Region. Grant them in account {account}'s IAM policies too.",
      },
    },
  },
  check(ctx) {
    const owner = ownerAccount(ctx.doc);
    if (!owner) return;
    for (const st of ctx.doc.statements) {
      if (st.effect?.value !== 'Allow') continue;
      const seen = new Set<string>();
      for (const e of st.principal?.entries ?? []) {
        if (e.type.value !== 'AWS') continue;
        for (const item of stringItems(e.values)) {
          const account = principalAccount(item.value);
          if (!account || account === owner || seen.has(account)) continue;
          seen.add(account);
          ctx.report({
            span: item.span,
            messageId: 'otherAccount',
            data: { statement: capitalizedStatementLabel(st), account, owner },
          });
        }
      }
    }
  },
};
