import { lookupConditionKey } from '../../knowledge';
import type { ConditionBlock, ConditionEntry, ConditionOperatorBlock } from '../../policy/model';
import { likeFormOf, parseOperator, type ParsedOperator } from '../../policy/operators';
import { containsWildcard } from '../../policy/wildcard';
import { editsFix, insertMember, markSafe, removeMember } from '../edits';
import { ALL_POLICY_KINDS, type Fix, type Rule, type StatementContext, type TextEditSpan } from '../types';
import { perStatement, operatorBlocksOf } from '../statement-rule';
import { jsonString, spanText } from '../json-text';
import { show } from '../labels';
import { memberAt, stringItems } from '../model-lookups';

const isArnKey = (key: string): boolean => /^(?:ArrayOf)?ARN$/.test(lookupConditionKey(key)?.type ?? '');

/** The `Like` operator an entry should move to: ArnLike/ArnNotLike for ARN-typed keys, else StringLike/StringNotLike. */
const targetOf = (op: ParsedOperator, entry: ConditionEntry): string => likeFormOf(op, isArnKey(entry.key.value))!;

/**
 * One fix for a whole operator block: every entry with a wildcard moves to its Like operator.
 * When all of them go to the same operator, the operator is simply renamed (keeps the layout);
 * otherwise the block is rewritten as "kept entries" plus one block per target, or the entries
 * are added to a block of that operator the Condition already has.
 */
function blockFix(
  text: string,
  cond: ConditionBlock,
  ob: ConditionOperatorBlock,
  op: ParsedOperator,
  flagged: ConditionEntry[],
): Fix | undefined {
  const targets = new Map<string, ConditionEntry[]>();
  for (const e of flagged) targets.set(targetOf(op, e), [...(targets.get(targetOf(op, e)) ?? []), e]);
  const existing = (name: string) => cond.operators.find(o => o !== ob && o.operator.value === name && o.node.type === 'object');
  const names = [...targets.keys()];
  const title = `Use ${names.map(n => `"${n}"`).join(' and ')}` + (op.ignoreCase ? ' (matching becomes case-sensitive)' : '');
  const member = memberAt(cond.node, ob.operator);
  if (!member) return undefined;
  if (names.length === 1 && flagged.length === ob.entries.length && !existing(names[0])) {
    return editsFix(title, [{ span: ob.operator.span, newText: jsonString(names[0]) }]);
  }
  const slice = (e: ConditionEntry) => spanText(text, memberAt(ob.node, e.key)!.span);
  const edits: TextEditSpan[] = [];
  const parts: string[] = [];
  const kept = ob.entries.filter(e => !flagged.includes(e));
  if (kept.length > 0) parts.push(`${jsonString(ob.operator.value)}: { ${kept.map(slice).join(', ')} }`);
  for (const [name, entries] of targets) {
    const into = existing(name);
    if (!into) {
      parts.push(`${jsonString(name)}: { ${entries.map(slice).join(', ')} }`);
      continue;
    }
    edits.push(insertMember(text, into.node, entries.map(slice).join(', '), 'first'));
  }
  edits.push(parts.length > 0 ? { span: member.span, newText: parts.join(', ') } : removeMember(cond.node, ob.operator)!);
  return editsFix(title, edits);
}

function checkBlock(ctx: StatementContext, cond: ConditionBlock, ob: ConditionOperatorBlock): void {
  const op = parseOperator(ob.operator.value);
  // ArnEquals honours wildcards exactly like ArnLike; Like forms are what we want.
  if (!op || op.family !== 'String' || op.like || ob.node.type !== 'object') return;
  const flagged = ob.entries.filter(e => stringItems(e.values).some(i => containsWildcard(i.value)));
  if (flagged.length === 0) return;
  // Safe only for a negated operator: the Like form then applies the statement to fewer requests
  // (a Deny that today fires on practically everything, an Allow that grants practically
  // everything). A non-negated one never matches today: the Like form would bring a dead Allow to
  // life (widening access) or a dead Deny (it may lock callers out). IgnoreCase operators become
  // case-sensitive, a change of meaning a person confirms.
  const fix = markSafe(blockFix(ctx.text, cond, ob, op, flagged), op.negated && !op.ignoreCase);
  for (const e of flagged) {
    const target = targetOf(op, e);
    for (const item of stringItems(e.values)) {
      if (!containsWildcard(item.value)) continue;
      ctx.report({
        span: item.span,
        messageId: op.negated ? 'negated' : 'literal',
        data: {
          operator: show(ob.operator.value, 34),
          value: item.value,
          target,
          caseSensitive: op.ignoreCase ? ' (Like operators are case-sensitive)' : '',
        },
        fixes: fix ? [fix] : [],
      });
    }
  }
}

export const grm013: Rule = {
  meta: {
    id: 'GRM-013',
    title: 'Wildcards with non-Like operators',
    severity: 'warning',
    appliesTo: ALL_POLICY_KINDS,
    why: '`StringEquals`, `StringNotEquals` and their `IgnoreCase` forms compare literally: a `*` or `?` in the value is just a character. `"arn:aws:kms:*:111122223333:key/*"` under `StringEquals` never matches, so an Allow does nothing and a negated Deny always fires. Use `StringLike`/`StringNotLike`, or `ArnLike`/`ArnNotLike` for ARN-typed keys. Arn operators are not flagged: `ArnEquals` honours wildcards exactly like `ArnLike`.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyOtherAccountsKeys", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:*:111122223333:key/*"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyOtherAccountsKeys", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"ArnNotLike": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:*:111122223333:key/*"}}}]}',
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      negated: {
        summary: '{operator} takes * and ? literally, so this condition is almost always true.',
        detail:
          'The value "{value}" matches only that exact text, so this negated condition holds for practically every request. Use "{target}"{caseSensitive}. For a literal * or ?, write ${*} or ${?} instead.',
      },
      literal: {
        summary: '{operator} takes * and ? literally, so this condition almost never matches.',
        detail:
          'The value "{value}" matches only that exact text, so the condition practically never matches. Use "{target}"{caseSensitive}. For a literal * or ?, write ${*} or ${?} instead.',
      },
    },
  },
  ...perStatement((ctx, st) => {
    for (const { cond, ob } of operatorBlocksOf(st)) checkBlock(ctx, cond, ob);
  }),
};
