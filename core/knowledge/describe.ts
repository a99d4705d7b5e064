// Markdown explanations of actions, condition keys, operators and values, shared by hover and
// completion. Facts from the generated SAR tables, global-keys.ts, values.ts and docs/design/aws-facts.md#table-0-2
// (what each operator does when the key is absent).

import { parseOperator, resultWhenKeyAbsent, type OperatorFamily, type ParsedOperator } from '../policy/operators';
import { actionsSupportingKey, lookupConditionKey } from './condition-keys';
import type { ActionInfo, ConditionKeyInfo } from './types';
import { markdownCode } from '../../shared/escape';
import { describeValue, keyFacts, nullOperatorValues } from './values';

// Inline code through markdownCode: a pattern or key can come from the policy (or a completion
// item's data) and may hold backticks. One argument: `.map(code)` must not pass the index as `max`.
const code = (s: string): string => markdownCode(s);

/** `a, b, c … and 12 more` */
function listSome(items: readonly string[], max: number): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} … and ${items.length - max} more`;
}

/** Every condition key an action can carry: action-level and per resource type, without duplicates. */
export function keysOfAction(a: ActionInfo): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const k of [...a.conditionKeys, ...a.resourceTypes.flatMap(r => r.conditionKeys)]) {
    if (!seen.has(k.toLowerCase())) {
      seen.add(k.toLowerCase());
      out.push(k);
    }
  }
  return out;
}

const ENCRYPTION_KEY = /server-side-encryption|TlsVersion|kms:/i;

/** Hover / completion documentation for one action. */
export function describeAction(a: ActionInfo): string {
  const lines = [`**${a.fullName}** · ${a.accessLevel}`];
  if (a.description) lines.push('', `${a.description}.`);
  const rts = a.resourceTypes.map(r => r.name);
  lines.push('', `Resource types: ${rts.length > 0 ? rts.join(', ') : 'none — only `"Resource": "*"`'}`);
  // Encryption and transport keys first: they are what this extension is about.
  const keys = keysOfAction(a).sort((x, y) => Number(ENCRYPTION_KEY.test(y)) - Number(ENCRYPTION_KEY.test(x)));
  lines.push('', `Condition keys: ${keys.length > 0 ? listSome(keys.map(code), 16) : 'none of its own (global keys only)'}`);
  return lines.join('\n');
}

/** Hover / completion documentation for a wildcard action pattern. */
export function describeActionPattern(pattern: string, actions: readonly ActionInfo[]): string {
  if (actions.length === 0) return `${code(pattern)} matches no known action.`;
  const levels = [...new Set(actions.map(a => a.accessLevel))];
  return [
    `${code(pattern)} matches ${actions.length} action${actions.length > 1 ? 's' : ''} (${levels.join('; ')}):`,
    '',
    listSome(
      actions.map(a => a.name),
      60,
    ),
    '',
    'The pattern also covers actions AWS adds later.',
  ].join('\n');
}

const TYPE_TEXT: Record<string, string> = {
  String: 'String',
  ARN: 'ARN',
  Numeric: 'Numeric',
  Bool: 'Boolean',
  Date: 'Date',
  IPAddress: 'IP address',
  Binary: 'Binary',
};

/** `String`, `ARN`, `list of String`… */
export function keyTypeText(k: ConditionKeyInfo): string {
  const base = k.type.replace(/^ArrayOf/, '');
  const t = TYPE_TEXT[base] ?? base;
  return k.multivalued ? `multivalued ${t} (use ForAnyValue:/ForAllValues:)` : t;
}

/** What the condition on an absent key evaluates to, in words, for one operator as written. */
export function absentOutcome(op: ParsedOperator, values: readonly unknown[] = []): string {
  const r = resultWhenKeyAbsent(op, values);
  if (r === undefined) {
    return op.family === 'Null'
      ? `${code('Null')} with ${code('"true"')} is true when the key is absent; with ${code('"false"')} it is true when the key is present`
      : `AWS does not document which rule wins for ${code(op.canonical)} when the key is absent`;
  }
  return `when the key is absent, ${code(op.canonical)} is **${r}**`;
}

/** Hover / completion documentation for a condition key; with the operator it is used under, the absent-key outcome too. */
export function describeConditionKey(k: ConditionKeyInfo, context?: { operator?: string; values?: readonly unknown[] }): string {
  const lines = [`**${k.name}** · ${keyTypeText(k)} · ${k.source === 'global' ? 'global key' : `${k.source} key`}`];
  if (k.description) lines.push('', `${k.description}.`);
  if (k.source === 'global') {
    lines.push('', 'Usable with every action; whether a request carries it depends on who calls and how.');
  } else {
    const carriers = actionsSupportingKey(k.name).map(a => a.fullName);
    lines.push('', carriers.length > 0 ? `Carried by: ${listSome(carriers.map(code), 12)}` : 'No action lists this key.');
  }
  const facts = keyFacts(k.name);
  if (facts?.absent) lines.push('', facts.absent);
  if (facts && facts.values.length > 0 && facts.values.length <= 8) {
    lines.push('', 'Values:', ...facts.values.map(v => `- ${code(v.value)}: ${v.description}`));
  }
  const op = context?.operator !== undefined ? parseOperator(context.operator) : undefined;
  if (op) lines.push('', `Here: ${absentOutcome(op, context?.values)}.`);
  return lines.join('\n');
}

const FAMILY_TEXT: Record<OperatorFamily, string> = {
  String: 'Compares text',
  Numeric: 'Compares numbers',
  Date: 'Compares dates (ISO 8601 or epoch seconds)',
  Bool: 'Compares a Boolean (`"true"` or `"false"`)',
  Binary: 'Compares base64-encoded binary values',
  IpAddress: 'Compares an IP address with addresses or CIDR ranges',
  Arn: 'Compares ARNs, part by part; `*` and `?` are wildcards in every Arn operator (ArnEquals behaves like ArnLike)',
  Null: 'Tests whether the key is present: `"true"` matches when it is absent, `"false"` when it is present',
};

const COMPARISON_TEXT: Record<string, string> = {
  lt: 'matches when the request value is less than the policy value',
  lte: 'matches when the request value is less than or equal to the policy value',
  gt: 'matches when the request value is greater than the policy value',
  gte: 'matches when the request value is greater than or equal to the policy value',
};

/** Hover / completion documentation for a condition operator as written (with its qualifiers). */
export function describeOperator(name: string, values: readonly unknown[] = []): string | undefined {
  const op = parseOperator(name);
  if (!op) return undefined;
  const lines = [`**${op.canonical}** · ${op.family} operator`];
  const parts = [FAMILY_TEXT[op.family]];
  if (op.family !== 'Null' && op.family !== 'Arn') {
    if (op.comparison !== 'eq') parts.push(COMPARISON_TEXT[op.comparison]);
    else if (op.negated)
      parts.push('matches when the request value differs from every listed value (a list means "none of these")');
    else parts.push('matches when the request value equals one of the listed values');
    if (op.like) parts.push('`*` and `?` are wildcards');
    if (op.ignoreCase) parts.push('case is ignored');
    else if (op.family === 'String') parts.push('case-sensitive');
  } else if (op.family === 'Arn') {
    parts.push(
      op.negated
        ? 'matches when the ARN differs from every listed pattern'
        : 'matches when the ARN matches one of the listed patterns',
    );
  }
  lines.push('', `${parts.join('; ')}.`);
  const absent: string[] = [];
  if (op.family === 'Null') {
    absent.push('Missing key: this is the operator that tests for it.');
  } else {
    const r = resultWhenKeyAbsent(op, values);
    absent.push(
      r === undefined
        ? 'Missing key: with both ForAnyValue: and IfExists, AWS does not document which rule wins; avoid the combination.'
        : `Missing key: the condition is **${r}** when the request does not carry the key${op.ifExists ? '' : op.negated ? ' (negated operators match an absent key)' : ''}.`,
    );
  }
  if (op.ifExists) {
    absent.push(
      op.negated
        ? 'IfExists: true when the key is absent, evaluated normally when present. A negated operator is already true on an absent key, so IfExists adds nothing here (in a Deny, requests without the key are still denied; ENC-009).'
        : 'IfExists: true when the key is absent, evaluated normally when present (in a Deny, requests without the key are then not denied).',
    );
  }
  if (op.set === 'ForAnyValue')
    absent.push(
      'ForAnyValue: for multivalued keys; true when at least one value in the request matches; false when the key is absent or empty.',
    );
  if (op.set === 'ForAllValues')
    absent.push(
      'ForAllValues: for multivalued keys; true when every value in the request matches; also true when the key is absent or empty, so add a Null check or it allows everything.',
    );
  lines.push('', ...absent.flatMap((t, i) => (i === 0 ? [t] : ['', t])));
  return lines.join('\n');
}

/** Hover documentation for a value under a condition key, when it is one we know (`AES256`, `aws:kms`, `"false"`…). */
export function describeConditionValue(key: string, operator: string, value: unknown): string | undefined {
  const text =
    typeof value === 'boolean' || typeof value === 'number' ? String(value) : typeof value === 'string' ? value : undefined;
  if (text === undefined) return undefined;
  const op = parseOperator(operator);
  if (op?.family === 'Null') {
    const v = nullOperatorValues().find(n => n.value === text);
    return v ? `**${v.value}** under ${code('Null')}: ${v.description}.` : undefined;
  }
  // describeValue matches the value exactly: `text` is then one of the table's values.
  const known = describeValue(key, text);
  if (known) return `**${text}** for ${code(lookupConditionKey(key)?.name ?? key)}: ${known}.`;
  return undefined;
}
