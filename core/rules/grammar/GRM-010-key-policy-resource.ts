import { parseKeyArn } from '../../policy/arn';
import type { Located, Statement } from '../../policy/model';
import { hasWildcard } from '../../policy/wildcard';
import { editsFix, insertMember, markSafe, replaceFix } from '../edits';
import { stringItems, isEveryone, statementHead } from '../model-lookups';
import { statementLabel, capitalizedStatementLabel, SUMMARY_SID, jsonTypeName } from '../labels';
import type { Rule, RuleContext } from '../types';

// In a key policy the resource is the key itself; `"*"` means "this key" (KMS-DG key-policy-overview).
const isKeyArn = (value: string): boolean => parseKeyArn(value) !== undefined;
const ALIAS_ARN = /^arn:[^:]*:kms:[^:]*:[^:]*:alias\//;

/** Key ARNs named in the Resource elements of the whole policy. */
function keyArnsOf(statements: Statement[]): Set<string> {
  const out = new Set<string>();
  for (const st of statements) for (const i of stringItems(st.resource)) if (isKeyArn(i.value)) out.add(i.value);
  return out;
}

/** Which message a Resource value of a key policy gets, if any. */
function problemWith(value: string, keyArns: Set<string>): string | undefined {
  if (value === '*') return undefined;
  if (isKeyArn(value)) return keyArns.size < 2 ? undefined : 'severalKeys';
  if (ALIAS_ARN.test(value)) return 'aliasArn';
  if (hasWildcard(value)) return 'pattern';
  if (value.startsWith('arn:')) return 'notKeyArn';
  return 'notArn';
}

/**
 * "Resource": "*" is the unambiguous repair (in a key policy it means this key), but it brings a
 * statement that applies to no key today to life. Safe only for an Allow to named principals: it
 * grants what its author wrote. A Deny comes to life for whom it names, which can lock the key for
 * good (KMS lockouts cannot be undone, docs/design/aws-facts.md#eval-008); an Allow to everyone opens the key.
 */
const revivingIsSafe = (st: Statement): boolean =>
  st.effect?.value === 'Allow' && !!st.principal && !st.notPrincipal && !isEveryone(st);

function checkStatement(ctx: RuleContext, st: Statement, keyArns: Set<string>): void {
  const label = statementLabel(st);
  const safe = revivingIsSafe(st);
  if (!st.resource) {
    if (st.notResource) return;
    ctx.report({
      span: statementHead(st),
      messageId: 'noResource',
      data: { statement: capitalizedStatementLabel(st, SUMMARY_SID) },
      fixes: [markSafe(editsFix('Add "Resource": "*"', [insertMember(ctx.doc.text, st.node, '"Resource": "*"')]), safe)],
    });
    return;
  }
  const list = st.resource;
  const toStar = markSafe(replaceFix('Replace with "*" (this key)', list.span, '"*"'), safe);
  if ((list.node.type !== 'string' && list.node.type !== 'array') || (list.isArray && list.items.length === 0)) {
    ctx.report({
      span: list.span,
      messageId: 'wrongType',
      data: { statement: label, type: list.isArray ? 'an empty list' : jsonTypeName(list.node.type) },
      fixes: [toStar],
    });
    return;
  }
  for (const item of list.items) {
    if (typeof item.value !== 'string') {
      ctx.report({ span: item.span, messageId: 'itemNotString', data: { type: jsonTypeName(item.node.type) }, fixes: [toStar] });
      continue;
    }
    const value = (item as Located<string>).value;
    const problem = problemWith(value, keyArns);
    if (!problem) continue;
    // With several key ARNs we cannot tell which one is this key: "*" could revive a statement
    // meant for another key and grant access to this one, so there is no automatic fix then.
    const ambiguous = isKeyArn(value);
    ctx.report({
      span: item.span,
      severity: 'warning',
      messageId: problem,
      data: { value, statement: label, count: keyArns.size },
      fixes: ambiguous ? [] : [toStar],
    });
  }
}

export const grm010: Rule = {
  meta: {
    id: 'GRM-010',
    title: 'KMS key policy Resource',
    severity: 'error',
    appliesTo: ['key-policy'],
    why: 'In a key policy `"Resource": "*"` means "this key". CreateKey and PutKeyPolicy accept a statement without `Resource` (only the console complains), but it applies to no key: a silently dead statement. The full ARN of the key itself is tolerated (AWS\'s CloudTrail examples use it); an alias ARN, another key\'s ARN or an ARN pattern is at best confusing and usually makes the statement do nothing.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "Allow use", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:Decrypt"}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "Allow use", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:Decrypt", "Resource": "*"}]}',
    references: [
      'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html',
      'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      noResource: {
        summary: '{statement} has no "Resource", so it applies to no key and silently does nothing.',
        detail:
          'KMS accepts the policy, but the statement applies to no key. Add "Resource": "*" (in a key policy, "*" means this key).',
      },
      wrongType: {
        summary: '"Resource" must be "*" (this key), not {type}: the statement applies to no key.',
        detail: 'In {statement}, use "Resource": "*".',
      },
      itemNotString: {
        summary: 'Each Resource must be a string; in a key policy use "*" (this key), not {type}.',
      },
      severalKeys: {
        summary: 'This policy names {count} different key ARNs, but a key policy applies only to its own key.',
        detail:
          'Resource "{value}" in {statement}: statements naming another key probably do nothing. In a key policy use "Resource": "*", which means this key, in the statements meant for this key, and move the others to their own key\'s policy.',
      },
      aliasArn: {
        summary: 'This Resource is an alias ARN, which matches nothing in a key policy: the statement does nothing.',
        detail:
          'Resource "{value}" in {statement}: in a key policy the resource is the key itself. Use "Resource": "*", which means this key.',
      },
      pattern: {
        summary: "This Resource is a pattern: it applies only if it happens to match this key's ARN.",
        detail: 'Resource "{value}" in {statement}. In a key policy use "Resource": "*", which means this key.',
      },
      notKeyArn: {
        summary: 'This Resource is not the ARN of a KMS key, so the statement probably applies to nothing.',
        detail: 'Resource "{value}" in {statement}. In a key policy use "Resource": "*", which means this key.',
      },
      notArn: {
        summary: 'This Resource is not an ARN, so the statement probably applies to nothing.',
        detail: 'Resource "{value}" in {statement}. In a key policy use "Resource": "*", which means this key.',
      },
    },
  },
  check(ctx) {
    const keyArns = keyArnsOf(ctx.doc.statements);
    for (const st of ctx.doc.statements) checkStatement(ctx, st, keyArns);
  },
};
