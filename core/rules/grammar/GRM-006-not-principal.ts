// GRM-006: NotPrincipal. With Allow it grants to everyone else, anonymous users included.
// With Deny, AWS checks the account, then the role, then the role session, so an exemption
// that names a role without its account and session ARN still denies the role's sessions
// (and a user without its account). The robust form is Principal "*" + ArnNotLike
// aws:PrincipalArn. docs/design/aws-facts.md#grm-006; IAM-UG reference_policies_elements_notprincipal.
import { ACCOUNT_ID, accountPrincipal, accountRootArn, assumedRoleSession, iamIdentity } from '../../policy/arn';
import type { Located, Statement } from '../../policy/model';
import { hasWildcard } from '../../policy/wildcard';
import { addConditionEdit } from '../edits';
import { RESOURCE_POLICY_KINDS, type Fix, type Rule, type StatementContext } from '../types';
import { perStatement } from '../statement-rule';
import { jsonStringOrList } from '../json-text';
import { show } from '../labels';
import { stringItems } from '../model-lookups';

/**
 * Rewrite Deny + NotPrincipal as Principal "*" + ArnNotLike aws:PrincipalArn. Offered only when
 * the NotPrincipal is plain AWS role/user/account principals: aws:PrincipalArn of a role
 * session is the role's ARN, so listed sessions (which pin one session name) cannot be carried
 * over, and other principal types have no ARN to match. Not safe: the exemption then covers every
 * session of the listed roles, which a person should confirm. Allow + NotPrincipal gets no fix:
 * whom to allow is the author's choice.
 */
function rewriteFix(ctx: StatementContext, st: Statement): Fix[] {
  const block = st.notPrincipal;
  if (!block || st.principal || block.entries.length !== 1 || block.entries[0].type.value !== 'AWS') return [];
  const items = block.entries[0].values.items;
  const values = stringItems(block.entries[0].values).map(i => i.value);
  if (values.length === 0 || values.length !== items.length) return [];
  const arns: string[] = [];
  let partition = 'aws';
  for (const v of values) {
    const id = iamIdentity(v);
    if (id && !hasWildcard(v)) partition = id.arn.partition;
  }
  for (const v of values) {
    const id = iamIdentity(v);
    const account = accountPrincipal(v);
    if (id && !hasWildcard(v)) arns.push(v);
    // The account ARN in NotPrincipal exempts the account's root user, whose aws:PrincipalArn is that ARN.
    else if (account) arns.push(ACCOUNT_ID.test(v) ? accountRootArn(partition, account) : v);
    else return [];
  }
  if (!arns.some(a => iamIdentity(a))) return [];
  const condition = addConditionEdit(ctx.text, st, 'ArnNotLike', 'aws:PrincipalArn', jsonStringOrList([...new Set(arns)]));
  if (!condition) return [];
  return [
    {
      title: 'Rewrite as "Principal": "*" with an ArnNotLike aws:PrincipalArn condition',
      preferred: true,
      edits: [{ span: block.member.span, newText: '"Principal": "*"' }, condition],
    },
  ];
}

export const grm006: Rule = {
  meta: {
    id: 'GRM-006',
    title: 'NotPrincipal',
    severity: 'warning',
    appliesTo: RESOURCE_POLICY_KINDS,
    why: '"NotPrincipal" with "Allow" grants the actions to every principal except those listed, anonymous users included; AWS documents the combination as unsupported and Access Analyzer flags it. With "Deny", AWS checks the account, then the role, then the assumed-role session, so the exemption must name all three (the account, the role and arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION); otherwise requests made with the role are still denied. AWS recommends "Principal": "*" with an ArnNotLike/ArnNotEquals condition on aws:PrincipalArn instead.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "OnlyAdminDeletes", "Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:role/Admin"}, "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::example-bucket/*"}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "OnlyAdminDeletes", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/Admin"}}}]}',
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      allow: {
        summary: '"Allow" with "NotPrincipal" grants the actions to everyone except the listed principals.',
        detail:
          'That includes anonymous users, and AWS documents this combination as unsupported. Use "Principal" with the principals you mean to allow.',
      },
      incompleteExemption: {
        summary: 'This Deny still applies to this {identity}: NotPrincipal also needs {missingShort}.',
        detail:
          'Deny with NotPrincipal exempts {value} only if it also lists {missing}; as written, {who}. Rewrite it as "Principal": "*" with an ArnNotLike condition on aws:PrincipalArn.',
      },
    },
  },
  ...perStatement((ctx, st) => {
    const block = st.notPrincipal;
    if (!block) return;
    const effect = st.effect?.value;
    if (effect === 'Allow') {
      ctx.report({ span: block.member.key.span, messageId: 'allow' });
      return;
    }
    if (effect !== 'Deny') return;
    const aws = block.entries.filter(e => e.type.value === 'AWS').flatMap(e => stringItems(e.values));
    const values = aws.map(i => i.value);
    const accounts = new Set(values.map(accountPrincipal).filter((a): a is string => a !== undefined));
    const sessions = values.map(assumedRoleSession).filter(s => s !== undefined);
    let fixes: Fix[] | undefined;
    for (const item of aws as Located<string>[]) {
      const id = iamIdentity(item.value);
      if (!id || hasWildcard(item.value)) continue;
      const account = id.arn.account;
      const missing: string[] = [];
      const missingShort: string[] = [];
      if (!accounts.has(account)) {
        missing.push(`the account ("${accountRootArn(id.arn.partition, account)}")`);
        missingShort.push('the account');
      }
      if (id.kind === 'role' && !sessions.some(s => s.account === account && s.role === id.name)) {
        missing.push(`the session ARN ("arn:${id.arn.partition}:sts::${account}:assumed-role/${id.name}/SESSION")`);
        missingShort.push('the session ARN');
      }
      if (missing.length === 0) continue;
      fixes ??= rewriteFix(ctx, st);
      const who = id.kind === 'role' ? 'requests made with this role are still denied' : 'this user is still denied';
      ctx.report({
        span: item.span,
        messageId: 'incompleteExemption',
        data: {
          identity: id.kind === 'role' ? "role's sessions" : 'user',
          missingShort: missingShort.join(' and '),
          value: show(item.value),
          missing: missing.join(' and '),
          who,
        },
        fixes,
      });
    }
  }),
};
