// KMS-004: one statement gives a role or user both administration of the key (rewrite its policy,
// delete or disable it, create grants, change tags) and its cryptographic use. AWS's console policy
// keeps key administrators and key users apart; an application role that can rewrite the policy can
// escalate its own access.
import type { Statement } from '../../policy/model';
import { replaceItemFix } from '../edits';
import type { Fix, Rule, RuleContext } from '../types';
import { clip } from '../../../shared/escape';
import { ADMIN_ACTIONS, CRYPTO_ACTIONS, USER_ACTIONS, grantedOf, isAllow, namedIdentities, namesAccountRoot } from './grants';
import { jsonString } from '../json-text';
import { capitalizedStatementLabel, SUMMARY_SID, listOf } from '../labels';
import { stringItems } from '../model-lookups';
import { statementAnswer } from '../../policy/statement-facts';

/** CreateGrant limited to AWS services (kms:GrantIsForAWSResource true) is a key user's right, not an administrator's. */
const grantsForAwsOnly = (st: Statement): boolean =>
  (st.condition?.operators ?? []).some(o => o.entries.some(e => e.key.value.toLowerCase() === 'kms:grantisforawsresource'));

function adminActionsOf(st: Statement): string[] {
  return grantedOf(st, ADMIN_ACTIONS).filter(a => a !== 'kms:CreateGrant' || !grantsForAwsOnly(st));
}

/** Does the statement give named roles or users both administration and use? (From the statement alone.) */
const grantsAdminAndUse = (st: Statement): boolean =>
  isAllow(st) &&
  !namesAccountRoot(st) &&
  namedIdentities(st).length > 0 &&
  adminActionsOf(st).length > 0 &&
  grantedOf(st, CRYPTO_ACTIONS).length > 0;

/** Replace `kms:*` / `*` by the key-user actions, when someone else still administers the key. */
function splitFix(ctx: RuleContext, st: Statement, identities: readonly string[]): Fix | undefined {
  const list = st.action;
  const star = stringItems(list).find(i => i.value === '*' || i.value.toLowerCase() === 'kms:*');
  if (!list || !star) return undefined;
  const others = (ctx.keyVerdict()?.administrators ?? []).filter(a => !identities.includes(a));
  if (others.length === 0) return undefined; // the only administrator: splitting would lock the key (KMS-001)
  return replaceItemFix(
    `Give ${identities.length === 1 ? identities[0].replace(/^arn:[^:]+:iam::\d{12}:/, '') : 'these principals'} only the key-user actions`,
    list,
    star,
    USER_ACTIONS.map(jsonString),
  );
}

export const kms004: Rule = {
  meta: {
    id: 'KMS-004',
    title: 'A role or user gets both administration and use of the key',
    severity: 'warning',
    appliesTo: ['key-policy'],
    why: "AWS's console key policy separates key administrators (manage the key, no cryptographic use) from key users (Encrypt, Decrypt, ReEncrypt*, GenerateDataKey*, DescribeKey, and grants only for AWS resources). Administration includes rewriting the key policy and creating grants, so an application role that holds both can give itself or others any access; tags and aliases can steer attribute-based access.",
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "App", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:*", "Resource": "*"}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "App", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*"}]}',
    references: [
      'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-administrators',
      'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-users',
      'https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies-best-practices.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      adminAndUse: {
        summary: '{statement} gives {whoShort} both administration and use of the key.',
        detail:
          'It gives {who} administration of the key ({admin}) and its use ({use}): such a principal can rewrite the policy or create grants to widen its own access. Give it only the key-user actions and keep administration with the key administrators.',
      },
      adminAndUseSeparate: {
        summary: '{statement} gives {whoShort} both administration and use of the key.',
        detail:
          'It gives {who} administration of the key ({admin}) and its use ({use}): such a principal can rewrite the policy or create grants to widen its own access. Separate key administrators (management actions, no cryptographic use) from key users (Encrypt, Decrypt, ReEncrypt*, GenerateDataKey*, DescribeKey).',
      },
    },
  },
  check(ctx) {
    for (const st of ctx.doc.statements) {
      // The answer says: an Allow naming roles or users, not the account root, with both kinds of action.
      if (!statementAnswer(ctx.doc, st, 'KMS-004', grantsAdminAndUse)) continue;
      const identities = namedIdentities(st);
      const admin = adminActionsOf(st);
      const crypto = grantedOf(st, CRYPTO_ACTIONS);
      const fix = splitFix(ctx, st, identities);
      const who = identities.length === 1 ? identities[0] : `${identities.length} principals`;
      ctx.report({
        span: st.action?.span ?? st.notAction?.span ?? st.span,
        messageId: fix ? 'adminAndUse' : 'adminAndUseSeparate',
        data: {
          statement: capitalizedStatementLabel(st, SUMMARY_SID),
          // The summary names a role or user by its resource part (role/App): the account is the key's, as a rule.
          whoShort: clip(identities.length === 1 ? identities[0].replace(/^arn:[^:]+:(?:iam|sts)::\d{12}:/, '') : who, 40),
          who,
          admin: `${listOf(admin.slice(0, 3))}${admin.length > 3 ? '…' : ''}`,
          use: `${listOf(crypto.slice(0, 3))}${crypto.length > 3 ? '…' : ''}`,
        },
        fixes: fix ? [fix] : [],
      });
    }
  },
};
