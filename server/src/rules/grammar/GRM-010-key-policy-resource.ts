import { parseKeyArn } from '../../policy/arn';
import type { Located, Statement } from '../../policy/model';
import { hasWildcard } from '../../policy/wildcard';
import { editsFix, insertMember, markSafe, replaceFix } from '../edits';
import type { Rule, RuleContext } from '../types';
import { isEveryone, jsonTypeName, statementHead, statementLabel, stringItems } from '../util';

// In a key policy the resource is the key itself; `"*"` means "this key" (KMS-DG key-policy-overview).
const isKeyArn = (value: string): boolean => parseKeyArn(value) !== undefined;
const ALIAS_ARN = /^arn:[^:]*:kms:[^:]*:[^:]*:alias\//;

/** Key ARNs named in the Resource elements of the whole policy. */
function keyArnsOf(statements: Statement[]): Set<string> {
  const out = new Set<string>();
  for (const st of statements) for (const i of stringItems(st.resource)) if (isKeyArn(i.value)) out.add(i.value);
  return out;
}

function problemWith(value: string, keyArns: Set<string>): string | undefined {
  if (value === '*') return undefined;
  if (isKeyArn(value)) {
    if (keyArns.size < 2) return undefined;
    return `the policy names ${keyArns.size} different key ARNs, but a key policy only ever applies to its own key, so statements naming another key probably do nothing`;
  }
  if (ALIAS_ARN.test(value)) return 'it is an alias ARN; in a key policy the resource is the key itself, so an alias ARN matches nothing and the statement does nothing';
  if (hasWildcard(value)) return 'it is a pattern; it applies only if it happens to match this key\'s ARN';
  if (value.startsWith('arn:')) return 'it is not the ARN of a KMS key, so the statement probably applies to nothing';
  return 'it is not an ARN, so the statement probably applies to nothing';
}

/**
 * "Resource": "*" is the unambiguous repair (in a key policy it means this key), but it brings a
 * statement that applies to no key today to life. Safe only for an Allow to named principals: it
 * grants what its author wrote. A Deny comes to life for whom it names, which can lock the key for
 * good (KMS lockouts cannot be undone, RULES.md EVAL-008); an Allow to everyone opens the key.
 */
const revivingIsSafe = (st: Statement): boolean => st.effect?.value === 'Allow' && !!st.principal && !st.notPrincipal && !isEveryone(st);

function checkStatement(ctx: RuleContext, st: Statement, keyArns: Set<string>): void {
  const label = statementLabel(st);
  const safe = revivingIsSafe(st);
  if (!st.resource) {
    if (st.notResource) return;
    ctx.report({
      span: statementHead(st),
      message: `${label} has no "Resource": KMS accepts the policy but the statement applies to no key, so it silently does nothing. Add "Resource": "*" (in a key policy, "*" means this key).`,
      fixes: [markSafe(editsFix('Add "Resource": "*"', [insertMember(ctx.doc.text, st.node, '"Resource": "*"')]), safe)],
    });
    return;
  }
  const list = st.resource;
  const toStar = markSafe(replaceFix('Replace with "*" (this key)', list.span, '"*"'), safe);
  if ((list.node.type !== 'string' && list.node.type !== 'array') || (list.isArray && list.items.length === 0)) {
    ctx.report({
      span: list.span,
      message: `"Resource" in ${label} must be "*" (this key)${list.isArray ? ', not an empty list' : `, not ${jsonTypeName(list.node.type)}`}: the statement applies to no key. Use "Resource": "*".`,
      fixes: [toStar],
    });
    return;
  }
  for (const item of list.items) {
    if (typeof item.value !== 'string') {
      ctx.report({ span: item.span, message: `Each Resource must be a string; in a key policy use "*" (this key), not ${jsonTypeName(item.node.type)}.`, fixes: [toStar] });
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
      message: `Resource "${value}" in ${label}: ${problem}. In a key policy use "Resource": "*", which means this key` +
        (ambiguous ? ', in the statements meant for this key, and move the others to their own key\'s policy.' : '.'),
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
    example: '{"Sid": "Allow use", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:Decrypt"}',
    useInstead: '{"Sid": "Allow use", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:Decrypt", "Resource": "*"}',
    references: [
      'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html',
      'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html',
    ],
    confidence: 'DOC',
    fixable: true,
  },
  check(ctx) {
    const keyArns = keyArnsOf(ctx.doc.statements);
    for (const st of ctx.doc.statements) checkStatement(ctx, st, keyArns);
  },
};
