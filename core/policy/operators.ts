// The IAM condition operators: one table that the grammar rules (GRM-011…013, GRM-017) and the
// evaluator share, so that "which operators exist" and "what each one means" live in one place.
// Source: IAM User Guide, reference_policies_elements_condition_operators and
// reference_policies_multi-value-conditions (docs/design/aws-facts.md#table-0-2, EVAL-004…006).
import { hasVariableSyntax } from './variables';
import { BoundedCache, stringBytes } from '../bounded-cache';

export type OperatorFamily = 'String' | 'Numeric' | 'Date' | 'Bool' | 'Binary' | 'IpAddress' | 'Arn' | 'Null';
export type SetOperator = 'ForAnyValue' | 'ForAllValues';
/** What a Numeric/Date operator compares; `eq` for every other family. */
export type Comparison = 'eq' | 'lt' | 'lte' | 'gt' | 'gte';

/** One operator without its `ForAnyValue:`/`ForAllValues:` prefix and `IfExists` suffix. */
export interface BaseOperator {
  /** Canonical spelling, e.g. `StringNotEqualsIgnoreCase`. */
  readonly name: string;
  readonly family: OperatorFamily;
  /** Matches when the key does NOT match any listed value (`StringNotEquals`, `NotIpAddress`…). */
  readonly negated: boolean;
  /** `*` and `?` in values are wildcards (`StringLike`, `StringNotLike`, every `Arn*`: ArnEquals behaves like ArnLike). */
  readonly like: boolean;
  readonly ignoreCase: boolean;
  readonly comparison: Comparison;
}

export interface ParsedOperator extends BaseOperator {
  /** The full operator in canonical spelling, e.g. `ForAnyValue:StringNotEqualsIfExists`. */
  readonly canonical: string;
  /** The base operator name, e.g. `StringNotEquals`. */
  readonly base: string;
  readonly ifExists: boolean;
  readonly set?: SetOperator;
  /** The name was written with other casing than the canonical one (whether AWS accepts that is undocumented). */
  readonly caseMismatch: boolean;
}

const op = (name: string, family: OperatorFamily, o: Partial<Omit<BaseOperator, 'name' | 'family'>> = {}): BaseOperator =>
  Object.freeze({ name, family, negated: false, like: false, ignoreCase: false, comparison: 'eq' as Comparison, ...o });

function ordered(family: 'Numeric' | 'Date'): BaseOperator[] {
  return [
    op(`${family}Equals`, family),
    op(`${family}NotEquals`, family, { negated: true }),
    op(`${family}LessThan`, family, { comparison: 'lt' }),
    op(`${family}LessThanEquals`, family, { comparison: 'lte' }),
    op(`${family}GreaterThan`, family, { comparison: 'gt' }),
    op(`${family}GreaterThanEquals`, family, { comparison: 'gte' }),
  ];
}

/** Every base operator of the IAM policy language. */
export const BASE_OPERATORS: readonly BaseOperator[] = Object.freeze([
  op('StringEquals', 'String'),
  op('StringNotEquals', 'String', { negated: true }),
  op('StringEqualsIgnoreCase', 'String', { ignoreCase: true }),
  op('StringNotEqualsIgnoreCase', 'String', { negated: true, ignoreCase: true }),
  op('StringLike', 'String', { like: true }),
  op('StringNotLike', 'String', { negated: true, like: true }),
  ...ordered('Numeric'),
  ...ordered('Date'),
  op('Bool', 'Bool'),
  op('BinaryEquals', 'Binary'),
  op('IpAddress', 'IpAddress'),
  op('NotIpAddress', 'IpAddress', { negated: true }),
  op('ArnEquals', 'Arn', { like: true }),
  op('ArnLike', 'Arn', { like: true }),
  op('ArnNotEquals', 'Arn', { negated: true, like: true }),
  op('ArnNotLike', 'Arn', { negated: true, like: true }),
  op('Null', 'Null'),
]);

export const SET_OPERATORS: readonly SetOperator[] = ['ForAnyValue', 'ForAllValues'];

const baseByLower = new Map(BASE_OPERATORS.map(b => [b.name.toLowerCase(), b]));
const setByLower = new Map(SET_OPERATORS.map(s => [s.toLowerCase(), s]));
const IF_EXISTS = 'ifexists';

/** The base operator named `name` (case-insensitive). */
export const lookupBaseOperator = (name: string): BaseOperator | undefined => baseByLower.get(name.toLowerCase());

/** Build an operator name from its parts: `formatOperator('StringNotEquals', { ifExists: true })`. */
export function formatOperator(base: string, parts: { set?: SetOperator; ifExists?: boolean } = {}): string {
  return `${parts.set ? `${parts.set}:` : ''}${base}${parts.ifExists ? 'IfExists' : ''}`;
}

/**
 * Parse a condition operator as written. Undefined for anything that is not an operator,
 * `NullIfExists` included (Access Analyzer: "Null with if exists"). Never throws.
 */
const parsedCache = new BoundedCache<string, ParsedOperator | null>({ maxBytes: 256 * 1024, sizeOf: k => stringBytes(k) + 96 });

/** Parse an operator name (results are frozen and memoised: every rule and the evaluator ask, on every keystroke). */
export function parseOperator(name: string): ParsedOperator | undefined {
  if (typeof name !== 'string') return undefined;
  const hit = parsedCache.get(name);
  if (hit !== undefined) return hit ?? undefined;
  const parsed = parseOperatorUncached(name);
  parsedCache.set(name, parsed ?? null);
  return parsed;
}

function parseOperatorUncached(name: string): ParsedOperator | undefined {
  if (name.length === 0 || name.length > 80) return undefined;
  let rest = name;
  let set: SetOperator | undefined;
  const colon = name.indexOf(':');
  if (colon >= 0) {
    set = setByLower.get(name.slice(0, colon).toLowerCase());
    if (!set) return undefined;
    rest = name.slice(colon + 1);
  }
  const lower = rest.toLowerCase();
  let base = baseByLower.get(lower);
  let ifExists = false;
  if (!base && lower.endsWith(IF_EXISTS)) {
    base = baseByLower.get(lower.slice(0, -IF_EXISTS.length));
    ifExists = true;
    // `IfExists` can be added to every operator except Null.
    if (base?.family === 'Null') return undefined;
  }
  if (!base) return undefined;
  const canonical = formatOperator(base.name, { set, ifExists });
  return Object.freeze({ ...base, canonical, base: base.name, ifExists, set, caseMismatch: canonical !== name });
}

/** `NullIfExists` in any casing, with or without a set prefix: not an operator. */
export const isNullIfExists = (name: string): boolean => /^(?:foranyvalue:|forallvalues:)?nullifexists$/i.test(name);

/** Every valid operator name in canonical spelling (for completion and did-you-mean). */
export const ALL_OPERATOR_NAMES: readonly string[] = Object.freeze(
  [undefined, ...SET_OPERATORS].flatMap(set =>
    BASE_OPERATORS.flatMap(b =>
      b.family === 'Null'
        ? [formatOperator(b.name, { set })]
        : [formatOperator(b.name, { set }), formatOperator(b.name, { set, ifExists: true })],
    ),
  ),
);

/**
 * The `Like` form of a String or Arn operator, keeping its prefix and suffix:
 * `StringNotEqualsIfExists` → `StringNotLikeIfExists`; with `arn: true`, → `ArnNotLikeIfExists`.
 * Undefined for other families. StringLike is case-sensitive, so `...IgnoreCase` loses that.
 */
export function likeFormOf(o: ParsedOperator, arn = false): string | undefined {
  if (o.family !== 'String' && o.family !== 'Arn') return undefined;
  const base = arn || o.family === 'Arn' ? (o.negated ? 'ArnNotLike' : 'ArnLike') : o.negated ? 'StringNotLike' : 'StringLike';
  return formatOperator(base, { set: o.set, ifExists: o.ifExists });
}

/**
 * What a condition (one operator, one key) evaluates to when the key is absent from the
 * request context (docs/design/aws-facts.md#table-0-2): `...IfExists` → true (undefined together with `ForAnyValue:`); `Null` → true for `"true"`, false for
 * `"false"`; `ForAllValues:` → true; `ForAnyValue:` → false; negated operators → true; the rest
 * → false. `nullValues` are the policy's values, needed for Null only; undefined when they
 * contradict each other or are not Booleans.
 */
export function resultWhenKeyAbsent(o: ParsedOperator, nullValues: readonly unknown[] = []): boolean | undefined {
  if (o.family === 'Null') {
    if (o.set === 'ForAllValues') return true;
    if (o.set === 'ForAnyValue') return false;
    const bools = new Set(
      nullValues.map(v => (v === true || v === 'true' ? true : v === false || v === 'false' ? false : undefined)),
    );
    if (bools.size !== 1 || bools.has(undefined)) return undefined;
    return bools.has(true);
  }
  // ForAnyValue with IfExists: the two documented rules disagree and AWS does not say which wins.
  if (o.set === 'ForAnyValue') return o.ifExists ? undefined : false;
  if (o.ifExists || o.set === 'ForAllValues') return true;
  return o.negated;
}

// ---------------------------------------------------------------------------------------------
// Values

/** Does a policy value use a policy variable (`${aws:username}`, or the escapes `${*}`, `${?}`, `${$}`)? */
export const containsPolicyVariable = hasVariableSyntax;

// Wildcards in values (containsWildcard, matching): see wildcard.ts.
