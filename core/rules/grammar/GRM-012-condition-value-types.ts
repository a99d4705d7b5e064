import { lookupConditionKey, type ConditionKeyInfo, type ConditionKeyType } from '../../knowledge';
import { isArn } from '../../policy/arn';
import type { ConditionBlock, ConditionEntry, ConditionOperatorBlock, Located } from '../../policy/model';
import {
  containsPolicyVariable,
  formatOperator,
  parseOperator,
  type OperatorFamily,
  type ParsedOperator,
} from '../../policy/operators';
import { containsWildcard } from '../../policy/wildcard';
import { markSafe, operatorTaken, replaceFix } from '../edits';
import { ALL_POLICY_KINDS, type Fix, type Rule, type StatementContext, type Severity } from '../types';
import { perStatement, operatorBlocksOf } from '../statement-rule';
import { jsonString } from '../json-text';
import { show } from '../labels';

// ---------------------------------------------------------------------------------------------
// Literal formats per operator family (IAM-UG condition operators; Access Analyzer "Type mismatch")

const NUMBER = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)$/;

/** `"1.2 "`, `"TLS1.2"`, `"TLSv1.2"`, `"v1.2"` → `1.2`: the number the author evidently meant. */
function coerceNumber(s: string): string | undefined {
  const t = s.trim().replace(/^(?:tls\s*v?|v)\s*/i, '');
  return NUMBER.test(t) ? t : undefined;
}

const inRange = (s: string | undefined, lo: number, hi: number): boolean =>
  s === undefined || (Number(s) >= lo && Number(s) <= hi);

/** ISO 8601 (`2026-01-31`, `2026-01-31T12:00:00Z`, `…+01:00`, basic `20260131T120000Z`) or epoch seconds. */
export function isPolicyDate(s: string): boolean {
  if (/^\d+$/.test(s)) return true;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})(?:T(\d{2}):?(\d{2})(?::?(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/.exec(s);
  return (
    !!m && inRange(m[2], 1, 12) && inRange(m[3], 1, 31) && inRange(m[4], 0, 24) && inRange(m[5], 0, 59) && inRange(m[6], 0, 60)
  );
}

function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every(p => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function isIPv6(s: string): boolean {
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groups = halves.map(h => (h === '' ? [] : h.split(':')));
  if (!groups.every(g => g.every(x => /^[0-9a-fA-F]{1,4}$/.test(x)))) return false;
  const n = groups.reduce((k, g) => k + g.length, 0);
  return halves.length === 2 ? n <= 7 : n === 8;
}

/** An IPv4 or IPv6 address with an optional `/prefix` (IAM assumes /32 or /128 without one). */
export function isCidr(s: string): boolean {
  const [addr, prefix, extra] = s.split('/');
  if (extra !== undefined) return false;
  const v4 = isIPv4(addr);
  if (!v4 && !isIPv6(addr)) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (v4 ? 32 : 128));
}

const isBase64 = (s: string): boolean =>
  s.length > 0 && /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s);

const BOOL_WORDS = new Map(
  Object.entries({
    yes: true,
    y: true,
    on: true,
    '1': true,
    enabled: true,
    no: false,
    n: false,
    off: false,
    '0': false,
    disabled: false,
  }),
);

/** A Boolean literal: exact (`true`, `"false"`), only the casing differs (`"True"`), or evidently meant (`"no"`, `1`). */
function booleanOf(v: unknown): { value: boolean; exact: boolean; caseOnly: boolean } | undefined {
  if (typeof v === 'boolean') return { value: v, exact: true, caseOnly: false };
  if (typeof v === 'number' && (v === 0 || v === 1)) return { value: v === 1, exact: false, caseOnly: false };
  if (typeof v !== 'string') return undefined;
  if (v === 'true' || v === 'false') return { value: v === 'true', exact: true, caseOnly: false };
  const t = v.trim().toLowerCase();
  if (t === 'true' || t === 'false') return { value: t === 'true', exact: false, caseOnly: v.trim() === v };
  const word = BOOL_WORDS.get(t);
  return word === undefined ? undefined : { value: word, exact: false, caseOnly: false };
}

// ---------------------------------------------------------------------------------------------
// Operator family vs. condition-key type (SAR / global-keys page types)

const FAMILIES_OF_TYPE: Record<string, OperatorFamily[]> = {
  String: ['String'],
  ARN: ['Arn', 'String'],
  Numeric: ['Numeric'],
  Bool: ['Bool'],
  Date: ['Date'],
  IPAddress: ['IpAddress'],
  Binary: ['Binary'],
};

const FAMILY_OF_TYPE: Record<string, string> = {
  String: 'String',
  ARN: 'ARN',
  Numeric: 'Numeric',
  Bool: 'Bool',
  Date: 'Date',
  IPAddress: 'IpAddress',
  Binary: 'BinaryEquals',
};

function familiesFor(key: ConditionKeyInfo): OperatorFamily[] {
  const types: ConditionKeyType[] = [key.type, ...(key.alsoAccepts ?? [])];
  return types.flatMap(t => FAMILIES_OF_TYPE[t.replace(/^ArrayOf/, '')] ?? []);
}

/** The same test in the family the key needs, where there is one (ArnLike → StringLike, StringEquals → NumericEquals). */
function operatorForKey(o: ParsedOperator, keyFamily: OperatorFamily, values: Located[]): string | undefined {
  const parts = { set: o.set, ifExists: o.ifExists };
  if (o.family === 'Arn' && keyFamily === 'String') {
    const like = o.base.endsWith('Like') || values.some(v => typeof v.value === 'string' && containsWildcard(v.value));
    return formatOperator(o.negated ? (like ? 'StringNotLike' : 'StringNotEquals') : like ? 'StringLike' : 'StringEquals', parts);
  }
  if (o.family === 'String' && !o.like && (keyFamily === 'Numeric' || keyFamily === 'Date')) {
    return formatOperator(`${keyFamily}${o.negated ? 'NotEquals' : 'Equals'}`, parts);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------

interface EntryScope {
  ctx: StatementContext;
  cond: ConditionBlock;
  ob: ConditionOperatorBlock;
  op: ParsedOperator;
  entry: ConditionEntry;
}

const FAMILY_TEXT: Record<OperatorFamily, string> = {
  String: 'text',
  Numeric: 'numbers',
  Date: 'dates',
  Bool: 'Booleans',
  Binary: 'base64 binary values',
  IpAddress: 'IP ranges',
  Arn: 'ARNs',
  Null: 'key presence',
};

function checkKeyType(s: EntryScope, key: ConditionKeyInfo): void {
  const { ctx, cond, ob, op, entry } = s;
  if (op.family === 'Null') return;
  const allowed = familiesFor(key);
  if (allowed.length === 0 || allowed.includes(op.family)) return;
  // docs/design/aws-facts.md#grm-012 names these two as errors; other mismatches are Access Analyzer "Type mismatch" warnings.
  const severity: Severity = op.family === 'Arn' || (op.family === 'String' && allowed.includes('Numeric')) ? 'error' : 'warning';
  const to = operatorForKey(op, allowed[0], entry.values.items);
  // Safe: the same comparison (negation, IfExists and set kept) in the family the key's type needs.
  const fixes: Fix[] =
    to && ob.entries.length === 1 && !operatorTaken(cond, to, ob)
      ? [markSafe(replaceFix(`Use "${to}"`, ob.operator.span, jsonString(to)))]
      : [];
  const typeText = FAMILY_OF_TYPE[key.type.replace(/^ArrayOf/, '')] ?? key.type;
  ctx.report({
    span: entry.key.span,
    severity,
    messageId: to ? 'typeMismatchRepairable' : 'typeMismatch',
    data: {
      operator: show(ob.operator.value, 36),
      what: FAMILY_TEXT[op.family],
      key: show(entry.key.value, 40),
      type: `${/^[AEIOU]/.test(typeText) ? 'an' : 'a'} ${typeText}`,
      to: to ?? '',
      family: allowed[0],
    },
    fixes,
  });
}

function checkMixedTypes(s: EntryScope): boolean {
  const { ctx, entry } = s;
  const items = entry.values.items;
  const types = new Set(items.map(i => typeof i.value));
  if (types.size < 2) return false;
  const asStrings = `[${items.map(i => jsonString(String(i.value))).join(', ')}]`;
  ctx.report({
    span: entry.values.span,
    messageId: 'mixedTypes',
    data: { key: show(entry.key.value, 40), types: [...types].join(', ') },
    // Safe: quotes are optional for numbers and Booleans, so the values mean the same.
    fixes: [markSafe(replaceFix('Write every value as a string', entry.values.span, asStrings))],
  });
  return true;
}

function checkBooleans(s: EntryScope): void {
  const { ctx, op, entry } = s;
  const items = entry.values.items;
  const what =
    op.family === 'Null' ? '"Null" takes true (the key is absent) or false (the key is present)' : '"Bool" takes true or false';
  if (op.family === 'Bool' && items.length > 1) {
    const parsed = items.map(i => booleanOf(i.value));
    const values = new Set(parsed.map(p => p?.value));
    const single = values.size === 1 && !values.has(undefined) ? [...values][0] : undefined;
    const invalid = items.filter((_, j) => !parsed[j]?.exact).map(i => show(i.value));
    ctx.report({
      span: entry.values.span,
      messageId: single !== undefined ? 'multipleBooleansRepairable' : 'multipleBooleans',
      data: {
        key: show(entry.key.value, 40),
        count: items.length,
        invalid:
          invalid.length > 0 ? `, and ${invalid.join(', ')} ${invalid.length > 1 ? 'are not Booleans' : 'is not a Boolean'}` : '',
        single: String(single),
      },
      fixes:
        single !== undefined ? [markSafe(replaceFix(`Write "${single}"`, entry.values.span, jsonString(String(single))))] : [],
    });
    return;
  }
  for (const item of items) {
    const b = booleanOf(item.value);
    if (b?.exact) continue;
    // Safe when the value is "true" or "false" in another case or with spaces; a word ("no", "on",
    // 1) is evident but still a reading of the author's mind, so it waits for a person.
    const spelt = typeof item.value === 'string' && ['true', 'false'].includes(item.value.trim().toLowerCase());
    const fix = b ? [markSafe(replaceFix(`Write "${b.value}"`, item.span, jsonString(String(b.value))), spelt)] : [];
    if (b?.caseOnly) {
      ctx.report({
        span: item.span,
        severity: 'warning',
        messageId: 'booleanCase',
        data: { value: show(item.value, 24), key: show(entry.key.value, 40), fixed: String(b.value) },
        fixes: fix,
      });
      continue;
    }
    ctx.report({
      span: item.span,
      messageId: b ? 'notBooleanRepairable' : 'notBoolean',
      data: { value: show(item.value, 40), what, fixed: String(b?.value) },
      fixes: fix,
    });
  }
}

function checkValue(s: EntryScope, item: Located): void {
  const { ctx, op, entry } = s;
  const v = item.value;
  const str = typeof v === 'string' ? v : undefined;
  // Safe: each repair only strips what cannot be part of the literal (spaces, a "TLSv" prefix).
  const data = { value: show(v, 40), operator: show(op.canonical, 36), key: show(entry.key.value, 40) };
  const report = (messageId: string, fixed?: string) =>
    ctx.report({
      span: item.span,
      messageId,
      data: { ...data, fixed: fixed ?? '' },
      fixes: fixed !== undefined ? [markSafe(replaceFix(`Write ${jsonString(fixed)}`, item.span, jsonString(fixed)))] : [],
    });
  switch (op.family) {
    case 'Numeric': {
      if (typeof v === 'number' || (str !== undefined && NUMBER.test(str))) return;
      const fixed = str !== undefined ? coerceNumber(str) : undefined;
      report(fixed ? 'notNumberRepairable' : 'notNumber', fixed);
      return;
    }
    case 'Date': {
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return;
      if (str !== undefined && isPolicyDate(str)) return;
      const fixed = str !== undefined && str.trim() !== str && isPolicyDate(str.trim()) ? str.trim() : undefined;
      report('notDate', fixed);
      return;
    }
    case 'IpAddress': {
      if (str !== undefined && isCidr(str)) return;
      const fixed = str !== undefined && isCidr(str.replace(/\s+/g, '')) ? str.replace(/\s+/g, '') : undefined;
      report('notIpRange', fixed);
      return;
    }
    case 'Binary': {
      if (str !== undefined && isBase64(str)) return;
      report('notBase64');
      return;
    }
    case 'Arn': {
      if (str !== undefined && (isArn(str) || containsPolicyVariable(str))) return;
      report('notArn');
      return;
    }
    default:
      return;
  }
}

const NO_VARIABLES: readonly OperatorFamily[] = ['Numeric', 'Date', 'Bool', 'Binary', 'IpAddress', 'Null'];

function checkEntry(s: EntryScope): void {
  const { ctx, op, entry } = s;
  const items = entry.values.items;
  // Shapes that are not scalar values are GRM-011's.
  if (!items.every(i => ['string', 'number', 'boolean'].includes(typeof i.value))) return;
  if (checkMixedTypes(s)) return;
  const key = lookupConditionKey(entry.key.value);
  if (key) checkKeyType(s, key);
  let rest = items;
  if (NO_VARIABLES.includes(op.family)) {
    rest = [];
    for (const item of items) {
      if (typeof item.value === 'string' && containsPolicyVariable(item.value)) {
        ctx.report({ span: item.span, messageId: 'variableWithOperator', data: { operator: show(op.canonical, 36) } });
      } else rest.push(item);
    }
  }
  if (op.family === 'Bool' || op.family === 'Null') {
    if (rest.length === items.length) checkBooleans(s);
    return;
  }
  for (const item of rest) checkValue(s, item);
}

export const grm012: Rule = {
  meta: {
    id: 'GRM-012',
    title: 'Condition value types',
    severity: 'error',
    appliesTo: ALL_POLICY_KINDS,
    why: 'Each operator family compares one type of value, and each condition key has a type (Service Authorization Reference). `Bool` takes exactly one `true`/`false` (JSON Boolean or string); `Numeric*` plain numbers; `Date*` ISO 8601 or epoch seconds; `IpAddress` CIDR ranges; `BinaryEquals` base64; `Arn*` ARNs, on ARN keys. Policy variables work only with String and ARN operators, and one value list must not mix JSON types. A mismatch is either rejected (Access Analyzer errors) or makes the condition never match as intended (Access Analyzer "Type mismatch" warnings) — e.g. a String operator on the numeric `s3:TlsVersion`.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": ["false", "no"]}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}',
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html',
      'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      typeMismatchRepairable: {
        summary: '{operator} compares {what}, but {key} is {type} key: the condition probably never matches.',
        detail: 'Access Analyzer reports a "Type mismatch". Use "{to}".',
      },
      typeMismatch: {
        summary: '{operator} compares {what}, but {key} is {type} key: the condition probably never matches.',
        detail: 'Access Analyzer reports a "Type mismatch". Use a {family} operator.',
      },
      mixedTypes: {
        summary: 'The values of {key} mix JSON types ({types}): Access Analyzer rejects this.',
        detail: 'Its error is "Invalid condition data type". Write every value as a string.',
      },
      multipleBooleansRepairable: {
        summary: '{key} has {count} values, but Bool takes exactly one: AWS rejects it.',
        detail: 'Access Analyzer: "Invalid condition multiple Boolean"{invalid}. Write "{single}".',
      },
      multipleBooleans: {
        summary: '{key} has {count} values, but Bool takes exactly one: AWS rejects it.',
        detail:
          'Access Analyzer: "Invalid condition multiple Boolean"{invalid}. Keep the one value you mean (or use "Null" to test whether the key exists).',
      },
      booleanCase: {
        summary: '{value} for {key}: AWS documents only lower-case "true" and "false".',
        detail: 'Whether other casings work is not documented. Write "{fixed}".',
      },
      notBooleanRepairable: {
        summary: '{value} is not a Boolean, so this condition never matches as intended.',
        detail: '{what} (Access Analyzer: "Type mismatch Boolean"). Write "{fixed}".',
      },
      notBoolean: {
        summary: '{value} is not a Boolean, so this condition never matches as intended.',
        detail: '{what} (Access Analyzer: "Type mismatch Boolean").',
      },
      notNumberRepairable: {
        summary: '{value} is not a number, so {operator} on {key} never matches as intended.',
        detail: 'Access Analyzer: "Type mismatch number". Write "{fixed}".',
      },
      notNumber: {
        summary: '{value} is not a number, so {operator} on {key} never matches as intended.',
        detail: 'Access Analyzer: "Type mismatch number". Use a plain number such as "1.2".',
      },
      notDate: {
        summary: '{value} is not a date, so the condition never matches as intended.',
        detail:
          'Date operators take ISO 8601 ("2026-01-31", "2026-01-31T12:00:00Z") or epoch seconds (Access Analyzer: "Type mismatch date").',
      },
      notIpRange: {
        summary: '{value} is not an IP address range in CIDR form, so {operator} never matches as intended.',
        detail: 'Write ranges such as "203.0.113.0/24" or "2001:DB8::/32" (Access Analyzer: "Type mismatch IP range").',
      },
      notBase64: {
        summary: '{value} is not base64, so the condition never matches as intended.',
        detail: 'BinaryEquals compares base64-encoded values.',
      },
      notArn: {
        summary: '{value} is not an ARN, so {operator} probably never matches.',
        detail:
          '{operator} compares ARNs field by field (arn:partition:service:region:account:resource). Use an ARN, or a String operator for other values.',
      },
      variableWithOperator: {
        summary: 'Policy variables work only with String and ARN operators, not with {operator}.',
        detail: 'AWS rejects the policy (Access Analyzer: "Invalid variable for operator"). Use a literal value.',
      },
    },
  },
  ...perStatement((ctx, st) => {
    for (const { cond, ob } of operatorBlocksOf(st)) {
      const op = parseOperator(ob.operator.value);
      if (!op) continue;
      for (const entry of ob.entries) checkEntry({ ctx, cond, ob, op, entry });
    }
  }),
};
