// KMS-002: no statement gives the key's account (its root principal) access, so IAM policies in the
// account cannot grant use of the key. Reported only when someone can still administer the key
// (otherwise KMS-001 says it, with the same fix).
import { policyHead } from '../model-lookups';
import type { Rule } from '../types';
import { addRootStatementFix, isAllow, keyAccount, namesAccountRoot } from './grants';

export const kms002: Rule = {
  meta: {
    id: 'KMS-002',
    title: 'The account is not delegated access (IAM policies cannot grant use of the key)',
    severity: 'warning',
    appliesTo: ['key-policy'],
    why: 'Key policies are the exception to "either policy may allow": unless the key policy names the account (its root principal), IAM policies that allow using the key have no effect, and only the principals the key policy names can use it. The account root statement does not give anyone access by itself; it lets IAM decide.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "KeyAdministrators", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/KeyAdmin"}, "Action": "kms:*", "Resource": "*"}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "KeyAdministrators", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/KeyAdmin"}, "Action": "kms:*", "Resource": "*"}]}',
    references: [
      'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      noDelegation: {
        summary: 'No statement names {account} (its root), so IAM policies cannot grant use of this key.',
        detail:
          'Only the principals named in the key policy can use it; IAM policies in the account have no effect. Add the account root statement ("Enable IAM User Permissions") unless you mean to keep IAM out.',
      },
    },
  },
  check(ctx) {
    const v = ctx.keyVerdict();
    if (!v || v.lockout || ctx.doc.statements.length === 0) return;
    const owner = keyAccount(ctx.doc);
    if (ctx.doc.statements.some(st => isAllow(st) && namesAccountRoot(st, owner))) return;
    const fix = addRootStatementFix(ctx.doc);
    ctx.report({
      span: policyHead(ctx.doc),
      messageId: 'noDelegation',
      data: { account: owner ? `account ${owner}` : "the key's account" },
      fixes: fix ? [fix] : [],
    });
  },
};
