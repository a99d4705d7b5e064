// KMS-001: nobody can call kms:PutKeyPolicy, so nobody could ever change the policy again.
// Decided by the key-policy verdict (every principal class, every condition value).
import type { Statement } from '../../policy/model';
import { isEveryone, policyHead } from '../model-lookups';
import { capitalizedStatementLabel, SUMMARY_SID } from '../labels';
import type { Rule } from '../types';
import { addRootStatementFix, grantedOf } from './grants';

/** A Deny that takes kms:PutKeyPolicy from everyone: the root statement cannot undo it. */
const deniesPutKeyPolicyToAll = (st: Statement): boolean =>
  st.effect?.value === 'Deny' && isEveryone(st) && !st.condition && grantedOf(st, ['kms:PutKeyPolicy']).length > 0;

export const kms001: Rule = {
  meta: {
    id: 'KMS-001',
    title: 'Nobody can change the key policy (lock-out)',
    severity: 'error',
    appliesTo: ['key-policy'],
    why: "KMS runs a lock-out safety check when a policy is set, but it can be bypassed, and an administrator role can later be deleted. A key policy that lets no principal call kms:PutKeyPolicy can never be changed again; unlike S3, where the bucket owner's root user can always replace a bucket policy, only AWS Support can help. AWS's default key policy keeps a statement that gives the account root kms:*, which delegates administration to IAM.",
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "AppUse", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*"}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "AppUse", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*"}]}',
    references: [
      'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html',
      'https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-bypass-policy-lockout-safety-check',
      'https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      denyToEveryone: {
        summary: '{statement} denies kms:PutKeyPolicy to everyone: the key policy is locked for good.',
        detail:
          'Nobody could ever change this key policy again, not even the account root; only AWS Support can recover such a key. Remove kms:PutKeyPolicy from this Deny or scope it with a condition that leaves your key administrators out.',
      },
      noAdministrator: {
        summary: 'No principal can call kms:PutKeyPolicy, so nobody could ever change this key policy again.',
        detail:
          'KMS has no root-user override; only AWS Support can help. Add the account root statement ("Enable IAM User Permissions"), or grant kms:PutKeyPolicy to a key administrator.',
      },
      noAdministratorAccountUnknown: {
        summary: 'No principal can call kms:PutKeyPolicy, so nobody could ever change this key policy again.',
        detail:
          'KMS has no root-user override; only AWS Support can help. Add a statement that gives your account root ("arn:aws:iam::ACCOUNT:root") kms:*, or grant kms:PutKeyPolicy to a key administrator.',
      },
    },
  },
  check(ctx) {
    const v = ctx.keyVerdict();
    if (!v || !v.lockout || ctx.doc.statements.length === 0) return;
    const deny = ctx.doc.statements.find(deniesPutKeyPolicyToAll);
    if (deny) {
      ctx.report({
        span: deny.effect?.span ?? deny.span,
        messageId: 'denyToEveryone',
        data: { statement: capitalizedStatementLabel(deny, SUMMARY_SID) },
      });
      return;
    }
    const fix = addRootStatementFix(ctx.doc);
    ctx.report({
      span: policyHead(ctx.doc),
      messageId: fix ? 'noAdministrator' : 'noAdministratorAccountUnknown',
      fixes: fix ? [fix] : [],
    });
  },
};
