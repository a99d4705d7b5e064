// KMS-003: an Allow to Principal "*" that nothing scopes to your accounts lets every identity in
// every AWS account (and, as written, anonymous callers) use the key. Found per statement (no
// scoping condition key) and proved by the key-policy verdict, whose witness names the request.
import { evaluatePolicy } from '../../engine/evaluate';
import { requestClause, KEY_POLICY } from '../../../shared/wording';
import { keyRequestFromWitness } from '../../engine/key-verdict';
import type { Witness } from '../../../shared/types';
import type { Statement } from '../../policy/model';
import { addConditionEdit, editsFix, insertMember } from '../edits';
import type { Fix, Rule, RuleContext } from '../types';
import { isAllow, keyAccount } from './grants';
import { jsonString } from '../json-text';
import { capitalizedStatementLabel, SUMMARY_SID } from '../labels';
import { isEveryone } from '../model-lookups';

/** Condition keys that tie a "*" principal to accounts or an organisation (docs/design/aws-facts.md#kms-003). */
const SCOPING_KEYS = [
  'kms:calleraccount',
  'aws:principalaccount',
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:principalarn',
  'aws:sourceaccount',
  'aws:sourcearn',
];

const hasScopingKey = (st: Statement): boolean =>
  (st.condition?.operators ?? []).some(o => o.entries.some(e => SCOPING_KEYS.includes(e.key.value.toLowerCase())));

/** Add kms:CallerAccount = the key's account to the statement's StringEquals (created when missing). */
function callerAccountFix(ctx: RuleContext, st: Statement): Fix | undefined {
  const account = keyAccount(ctx.doc);
  if (!account) return undefined;
  const title = `Allow only callers in account ${account} (kms:CallerAccount)`;
  const edit = addConditionEdit(ctx.doc.text, st, 'StringEquals', 'kms:CallerAccount', jsonString(account));
  if (edit) return editsFix(title, [edit]);
  const block = st.condition?.operators.find(o => o.operator.value === 'StringEquals' && o.node.type === 'object');
  if (!block || block.entries.some(e => e.key.value.toLowerCase() === 'kms:calleraccount')) return undefined;
  return editsFix(title, [insertMember(ctx.doc.text, block.node, `"kms:CallerAccount": ${jsonString(account)}`)]);
}

/** The statements that allow a witness request. */
function allowingStatements(ctx: RuleContext, w: Witness | null): Set<number> {
  if (!w) return new Set();
  const e = evaluatePolicy(ctx.doc, keyRequestFromWitness(w));
  return new Set(e.decision === 'allow' ? e.statements : []);
}

export const kms003: Rule = {
  meta: {
    id: 'KMS-003',
    title: 'Principal "*" is allowed to use the key without a condition that scopes it to your accounts',
    severity: 'error',
    appliesTo: ['key-policy'],
    why: 'In a key policy, an Allow to Principal "*" grants every identity in every AWS account: they need only an IAM policy in their own account. AWS managed keys use this form safely by adding kms:CallerAccount (and kms:ViaService); kms:ViaService alone does not help, since any account can call through S3.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "S3Use", "Effect": "Allow", "Principal": "*", "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "S3Use", "Effect": "Allow", "Principal": "*", "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333", "kms:ViaService": "s3.us-east-1.amazonaws.com"}}}]}',
    references: [
      'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html',
      'https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      unscoped: {
        summary: '{statement} lets principals outside your accounts use the key.',
        detail:
          'Its Principal is "*" with no kms:CallerAccount, aws:PrincipalAccount or aws:PrincipalOrgID condition.{example} Add "StringEquals": {"kms:CallerAccount": "<your account>"} (and kms:ViaService for S3 use).',
      },
      scopedButOpen: {
        summary: '{statement} lets principals outside your accounts use the key.',
        detail:
          'Its conditions do not keep other accounts out.{example} Add "StringEquals": {"kms:CallerAccount": "<your account>"} (and kms:ViaService for S3 use).',
      },
    },
  },
  check(ctx) {
    const v = ctx.keyVerdict();
    if (!v) return;
    const outsider = allowingStatements(ctx, v.openToOtherAccounts.witness);
    const anonymous = allowingStatements(ctx, v.openToAnonymous.witness);
    for (const st of ctx.doc.statements) {
      if (!isAllow(st)) continue;
      const proved = outsider.has(st.index)
        ? v.openToOtherAccounts.witness
        : anonymous.has(st.index)
          ? v.openToAnonymous.witness
          : null;
      const unscoped = isEveryone(st) && !hasScopingKey(st);
      if (!proved && !unscoped) continue;
      const fix = callerAccountFix(ctx, st);
      const example = proved
        ? ` For example, ${requestClause({ ...proved, resource: 'this key' }, 'allowed', undefined, KEY_POLICY)}.`
        : '';
      ctx.report({
        span: st.principal?.member.key.span ?? st.effect?.span ?? st.span,
        messageId: unscoped ? 'unscoped' : 'scopedButOpen',
        data: { statement: capitalizedStatementLabel(st, SUMMARY_SID), example },
        fixes: fix ? [fix] : [],
      });
    }
  },
};
