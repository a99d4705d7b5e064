// Condition evaluation (docs/design/engine.md#evaluation, docs/design/aws-facts.md#table-0-2 and EVAL-002…007): one `Condition` block
// against one request, with AWS's three-valued honesty added — `'unknown'` whenever AWS's
// behaviour is not documented or the request lacks what a policy variable needs. Never throws.
//
// Each block is compiled once (operators parsed, values converted, wildcard matchers built) and kept
// with its document (policy/memo.ts), so evaluating it again costs a few property lookups and comparisons.
import type { ConditionBlock, ConditionEntry, Located } from '../policy/model';
import { parseOperator, resultWhenKeyAbsent, type ParsedOperator } from '../policy/operators';
import { slot, statementNode } from '../policy/memo';
import { compileArnParts, compileParts, compileWildcard, type WildcardMatcher, type WildcardPart } from '../policy/wildcard';
import { hasVariableSyntax, isEscape, parseVariableBody } from '../policy/variables';
import type { Applies, Request } from '../../shared/types';

export interface ConditionOptions {
  /**
   * Substitute policy variables (`${aws:username}`, `${*}`…). False for a policy whose `Version`
   * is missing or `2008-10-17`: there variables are literal text (IAM-UG
   * reference_policies_variables, GRM-002). Default true.
   */
  variables?: boolean;
}

/** Evaluates something against one request. */
export type RequestTest = (request: Request) => Applies;

/** Three-valued AND over a list of tests (false wins, then unknown). */
export function allOf(tests: readonly RequestTest[]): RequestTest {
  if (tests.length === 0) return () => true;
  if (tests.length === 1) return tests[0];
  if (tests.length === 2) {
    const [a, b] = tests;
    return r => {
      const x = a(r);
      if (x === false) return false;
      const y = b(r);
      if (y === false) return false;
      return x === true && y === true ? true : 'unknown';
    };
  }
  return r => {
    let unknown = false;
    for (let i = 0; i < tests.length; i++) {
      const x = tests[i](r);
      if (x === false) return false;
      if (x !== true) unknown = true;
    }
    return unknown ? 'unknown' : true;
  };
}

const constant =
  (value: Applies): RequestTest =>
  () =>
    value;
const ALWAYS_TRUE = constant(true);
const UNKNOWN = constant('unknown');

export const not = (a: Applies): Applies => (a === 'unknown' ? a : !a);

// ---------------------------------------------------------------------------------------------
// Policy variables and wildcards in values

/** A condition or Resource value split into literal text, wildcards and policy variables. */
export type Segment =
  { kind: 'text'; text: string } | { kind: 'star' } | { kind: 'one' } | { kind: 'variable'; key: string; fallback?: string };

/**
 * Split a value into segments. With `wildcards`, `*` and `?` are wildcards; with `variables`,
 * `${*}`, `${?}` and `${$}` are the literal characters and `${key}` / `${key, 'default'}` are
 * variables. Undefined when a `${…}` is not a well-formed variable.
 */
export function parseSegments(
  value: string,
  { wildcards, variables }: { wildcards: boolean; variables: boolean },
): Segment[] | undefined {
  const out: Segment[] = [];
  let text = '';
  const flush = (): void => {
    if (text) out.push({ kind: 'text', text });
    text = '';
  };
  // Once a `${` has no `}` after it, no later one has: stop looking (linear on `${${${…`).
  let closing = variables;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (closing && c === '$' && value[i + 1] === '{') {
      const close = value.indexOf('}', i + 2);
      if (close >= 0) {
        const body = value.slice(i + 2, close);
        i = close;
        if (isEscape(body)) {
          text += body;
          continue;
        }
        const v = parseVariableBody(body);
        if (!v) return undefined;
        flush();
        out.push({ kind: 'variable', key: v.key, fallback: v.fallback });
        continue;
      }
      closing = false;
    }
    if (wildcards && c === '*') {
      flush();
      if (out[out.length - 1]?.kind !== 'star') out.push({ kind: 'star' });
    } else if (wildcards && c === '?') {
      flush();
      out.push({ kind: 'one' });
    } else text += c;
  }
  flush();
  return out;
}

const hasVariable = (segments: readonly Segment[]): boolean => segments.some(s => s.kind === 'variable');

/**
 * The value of a policy variable in this request: the context value, else the default the policy
 * gives, else undefined (the condition cannot be decided; we never guess). Multivalued keys cannot
 * be variables (IAM-UG reference_policies_condition-single-vs-multi-valued-context-keys).
 */
function variableValue(s: { key: string; fallback?: string }, request: Request): string | undefined {
  const v = request.context[s.key];
  if (typeof v === 'string') return v;
  if (v === undefined) return s.fallback;
  return undefined;
}

/** The literal text of segments without wildcards, variables substituted; undefined when one cannot be. */
function substitute(segments: readonly Segment[], request: Request): string | undefined {
  let out = '';
  for (const s of segments) {
    if (s.kind === 'text') out += s.text;
    else if (s.kind === 'variable') {
      const v = variableValue(s, request);
      if (v === undefined) return undefined;
      out += v;
    } else out += s.kind === 'star' ? '*' : '?';
  }
  return out;
}

/**
 * The wildcard parts of segments, policy variables substituted from the request. Undefined when a
 * variable cannot be substituted, or when a substituted value holds `*`/`?` (whether AWS then treats
 * them as wildcards is undocumented).
 */
function partsOf(segments: readonly Segment[], request: Request | undefined): WildcardPart[] | undefined {
  const out: WildcardPart[] = [];
  for (const s of segments) {
    if (s.kind === 'text') out.push(s);
    else if (s.kind === 'variable') {
      if (!request) return undefined;
      const v = variableValue(s, request);
      if (v === undefined || /[*?]/.test(v)) return undefined;
      out.push({ kind: 'text', text: v });
    } else out.push(s);
  }
  return out;
}

/**
 * The matcher for segments. With `arn`, wildcards stay within one of the first five colon-separated
 * ARN fields (EVAL-006: ArnLike matches each field separately); the sixth field (the resource) may
 * hold colons. Undefined when a variable cannot be substituted (see partsOf) or when an ARN pattern
 * has fewer than six fields.
 */
function segmentMatcher(
  segments: readonly Segment[],
  request: Request | undefined,
  mode: PatternMode,
): WildcardMatcher | undefined {
  const parts = partsOf(segments, request);
  if (!parts) return undefined;
  return mode.arn ? compileArnParts(parts, mode) : compileParts(parts, mode);
}

/** How a value list matches: `*`/`?` wildcards or not, per ARN field or not, case or not. */
export interface PatternMode {
  wildcards: boolean;
  arn?: boolean;
  ignoreCase?: boolean;
  variables: boolean;
}

/** Tests one request value against a list of policy patterns: true when any matches. */
export type ValueTest = (value: string, request: Request) => Applies;

/**
 * Compile a list of policy values (Action, Resource, String and Arn condition values) into one
 * test: any value matches → true; otherwise 'unknown' when some value is malformed or needs a
 * variable the request lacks; otherwise false.
 */
export function compilePatterns(values: readonly unknown[], mode: PatternMode): ValueTest {
  let matchAll = false;
  let invalid = false;
  const exact = new Set<string>();
  const matchers: WildcardMatcher[] = [];
  const dynamic: Segment[][] = [];
  for (const raw of values) {
    const value = scalarText(raw);
    if (value === undefined) {
      invalid = true;
      continue;
    }
    if (!mode.variables) {
      // Version 2008-10-17 or none: `${…}` is text, `*` in it a wildcard like any other.
      if (!mode.wildcards) exact.add(mode.ignoreCase ? value.toLowerCase() : value);
      else if (value === '*' && !mode.arn) matchAll = true;
      else if (!mode.arn && !/[*?]/.test(value)) exact.add(mode.ignoreCase ? value.toLowerCase() : value);
      else if (!mode.arn) matchers.push(compileWildcard(value, { ignoreCase: mode.ignoreCase }));
      else {
        const m = segmentMatcher(parseSegments(value, { wildcards: true, variables: false }) ?? [], undefined, mode);
        if (m === undefined) invalid = true;
        else matchers.push(m);
      }
      continue;
    }
    const segments = parseSegments(value, { wildcards: mode.wildcards, variables: true });
    if (!segments) {
      invalid = true;
      continue;
    }
    if (hasVariable(segments)) {
      dynamic.push(segments);
      continue;
    }
    const onlyText = segments.every(s => s.kind === 'text');
    if (!mode.wildcards || (onlyText && !mode.arn)) {
      const text = segments.map(s => (s.kind === 'text' ? s.text : '')).join('');
      exact.add(mode.ignoreCase ? text.toLowerCase() : text);
    } else if (segments.length === 1 && segments[0].kind === 'star' && !mode.arn) matchAll = true;
    else {
      const m = segmentMatcher(segments, undefined, mode);
      if (m === undefined) invalid = true;
      else matchers.push(m);
    }
  }
  if (matchAll) return () => true;
  const lower = mode.ignoreCase === true;
  if (dynamic.length === 0 && matchers.length === 0) {
    const miss: Applies = invalid ? 'unknown' : false;
    if (exact.size === 1) {
      const only = [...exact][0];
      return lower ? v => (v.toLowerCase() === only ? true : miss) : v => (v === only ? true : miss);
    }
    return lower ? v => (exact.has(v.toLowerCase()) ? true : miss) : v => (exact.has(v) ? true : miss);
  }
  const templates = dynamic.map(segments => dynamicTest(segments, mode));
  return (v, request) => {
    if (exact.size > 0 && exact.has(lower ? v.toLowerCase() : v)) return true;
    for (let i = 0; i < matchers.length; i++) if (matchers[i].test(v)) return true;
    let unknown = invalid;
    for (let i = 0; i < templates.length; i++) {
      const r = templates[i](v, request);
      if (r === true) return true;
      if (r !== false) unknown = true;
    }
    return unknown ? 'unknown' : false;
  };
}

/**
 * A value with policy variables. The pattern depends only on the variables' values, so the
 * compiled form is kept per combination of values (bounded): a request class re-uses it.
 */
function dynamicTest(segments: readonly Segment[], mode: PatternMode): ValueTest {
  const variables = segments.filter((s): s is Extract<Segment, { kind: 'variable' }> => s.kind === 'variable');
  const lower = mode.ignoreCase === true;
  const byValues = new Map<string, WildcardMatcher | string | null>();
  return (v, request) => {
    let id = '';
    for (let i = 0; i < variables.length; i++) {
      const value = variableValue(variables[i], request);
      if (value === undefined) return 'unknown';
      id = i === 0 ? value : `${id}\u0000${value}`;
    }
    let compiled = byValues.get(id);
    if (compiled === undefined) {
      if (!mode.wildcards) {
        const text = substitute(segments, request) as string;
        compiled = lower ? text.toLowerCase() : text;
      } else compiled = segmentMatcher(segments, request, mode) ?? null;
      if (byValues.size >= 256) byValues.clear();
      byValues.set(id, compiled);
    }
    if (compiled === null) return 'unknown';
    if (typeof compiled === 'string') return compiled === (lower ? v.toLowerCase() : v);
    return compiled.test(v);
  };
}

/** A JSON scalar as policy text: strings as they are, numbers and Booleans as JSON writes them (quotes are optional for them, IAM-UG reference_policies_grammar). */
function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Operator families other than String and Arn (no policy variables: IAM-UG condition operators)

/** Build a test from converted policy values: any value matching → true (undefined values are malformed). */
function anyOf<P>(
  values: readonly unknown[],
  convert: (v: unknown) => P | undefined,
  parseRequest: (v: string) => P | undefined,
  matches: (request: P, policy: P) => boolean,
): ValueTest {
  const parsed: P[] = [];
  let invalid = false;
  for (const v of values) {
    const p = convert(v);
    if (p === undefined) invalid = true;
    else parsed.push(p);
  }
  const miss: Applies = invalid ? 'unknown' : false;
  return v => {
    const r = parseRequest(v);
    if (r === undefined) return 'unknown';
    for (let i = 0; i < parsed.length; i++) if (matches(r, parsed[i])) return true;
    return miss;
  };
}

const DECIMAL = /^-?\d+(?:\.\d+)?$/;

/** A Numeric value: a JSON number or a decimal string (`"1.2"`); `"TLS1.2"`, `"1.2 "` are not numbers. */
export function parseNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && DECIMAL.test(v)) return Number(v);
  return undefined;
}

// W3C profile of ISO 8601 (the format IAM-UG names for Date operators): a date, or a date and time
// with a mandatory time zone designator.
const W3C_DATE = /^\d{4}(?:-\d{2}(?:-\d{2})?)?$/;
const W3C_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** A Date value in milliseconds: W3C ISO 8601 (UTC when only a date is given) or epoch seconds. */
export function parseDate(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v * 1000 : undefined;
  if (typeof v !== 'string') return undefined;
  if (/^\d{1,12}$/.test(v) && v.length !== 4) return Number(v) * 1000;
  if (!W3C_DATE.test(v) && !W3C_DATE_TIME.test(v)) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

/** `true`/`false` as JSON Booleans or lower-case strings; other spellings (`"TRUE"`) are undocumented (EVAL-007). */
export function parseBool(v: unknown): boolean | undefined {
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  return undefined;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const parseBase64 = (v: unknown): string | undefined =>
  // Canonical re-encoding makes byte-for-byte equality a string comparison.
  typeof v === 'string' && BASE64.test(v) ? Buffer.from(v, 'base64').toString('base64') : undefined;

/** An IP address or CIDR range as bytes plus prefix length. */
export interface IpRange {
  bytes: Uint8Array;
  prefix: number;
}

function parseIpv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^(?:0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

function parseIpv6(s: string): Uint8Array | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(s)) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(p)) out.push(parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = all[i] >> 8;
    out[2 * i + 1] = all[i] & 0xff;
  }
  return out;
}

/**
 * An IpAddress policy value: IPv4 or IPv6 in CIDR notation; a bare IPv4 address means /32 (IAM-UG).
 * A bare IPv6 address is undefined: the documented default (/32) is written for IPv4.
 */
export function parseCidr(v: unknown): IpRange | undefined {
  if (typeof v !== 'string') return undefined;
  const slash = v.indexOf('/');
  const addr = slash < 0 ? v : v.slice(0, slash);
  const bytes = addr.includes(':') ? parseIpv6(addr) : parseIpv4(addr);
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  if (slash < 0) return bytes.length === 4 ? { bytes, prefix: 32 } : undefined;
  const p = v.slice(slash + 1);
  if (!/^\d{1,3}$/.test(p) || Number(p) > max) return undefined;
  // Host bits after the prefix are ignored (Access Analyzer "Improve IP range").
  return { bytes, prefix: Number(p) };
}

/** A request's IP address (`aws:SourceIp`), without a prefix. */
export function parseIpAddress(v: string): IpRange | undefined {
  if (v.includes('/')) return undefined;
  const bytes = v.includes(':') ? parseIpv6(v) : parseIpv4(v);
  return bytes ? { bytes, prefix: bytes.length * 8 } : undefined;
}

/** Is the address inside the range? Different IP versions never match. */
export function ipInRange(address: IpRange, range: IpRange): boolean {
  if (address.bytes.length !== range.bytes.length) return false;
  let bits = range.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((address.bytes[i] & mask) !== (range.bytes[i] & mask)) return false;
  }
  return true;
}

/**
 * Parse request values through a bounded cache: request classes repeat a handful of literals
 * (`"1.2"`, `"203.0.113.7"`) millions of times.
 */
function memo<T>(parse: (v: string) => T | undefined): (v: string) => T | undefined {
  const cache = new Map<string, T | null>();
  return v => {
    const hit = cache.get(v);
    if (hit !== undefined) return hit === null ? undefined : hit;
    const parsed = parse(v);
    if (cache.size >= 1024) cache.clear();
    cache.set(v, parsed === undefined ? null : parsed);
    return parsed;
  };
}
const requestNumber = memo(parseNumber);
const requestDate = memo(parseDate);
const requestBase64 = memo(parseBase64);
const requestIp = memo(parseIpAddress);

function compare(c: ParsedOperator['comparison'], a: number, b: number): boolean {
  switch (c) {
    case 'eq':
      return a === b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
  }
}

/** The test of one request value against the policy values, before negation and set operators. */
function positiveTest(op: ParsedOperator, values: readonly unknown[], variables: boolean): ValueTest {
  switch (op.family) {
    case 'String':
      return compilePatterns(values, { wildcards: op.like, ignoreCase: op.ignoreCase, variables });
    case 'Arn':
      // ArnEquals behaves like ArnLike (IAM-UG): wildcards per field, case-sensitive.
      return compilePatterns(values, { wildcards: true, arn: true, variables });
    case 'Numeric': {
      const c = op.comparison;
      return anyOf(values, parseNumber, requestNumber, (r, p) => compare(c, r, p));
    }
    case 'Date': {
      const c = op.comparison;
      return anyOf(values, parseDate, requestDate, (r, p) => compare(c, r, p));
    }
    case 'Bool':
      return anyOf(values, parseBool, parseBool, (r, p) => r === p);
    case 'Binary':
      return anyOf(values, parseBase64, requestBase64, (r, p) => r === p);
    case 'IpAddress':
      return anyOf(values, parseCidr, requestIp, ipInRange);
    case 'Null':
      return () => 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------
// One key under one operator

const fromBoolean = (b: boolean | undefined): Applies => (b === undefined ? 'unknown' : b);

/** The multivalued request value is empty ("resolves to an empty data set", IAM-UG multi-value conditions). */
const isEmpty = (v: string | readonly string[]): boolean => (typeof v === 'string' ? false : v.length === 0);

function compileNull(op: ParsedOperator, key: string, values: readonly unknown[]): RequestTest {
  // Access Analyzer "Null with qualifier": with ForAllValues always true, with ForAnyValue always false.
  if (op.set === 'ForAllValues') return ALWAYS_TRUE;
  if (op.set === 'ForAnyValue') return constant(false);
  const whenAbsent = resultWhenKeyAbsent(op, values);
  if (whenAbsent === undefined) return UNKNOWN;
  return request => {
    const v = request.context[key];
    return v === undefined || isEmpty(v) ? whenAbsent : !whenAbsent;
  };
}

function compileEntry(op: ParsedOperator, entry: ConditionEntry, variables: boolean): RequestTest {
  const key = entry.key.value.toLowerCase();
  const values = entry.values.items.map((i: Located) => i.value);
  if (values.length === 0) return UNKNOWN;
  if (op.family === 'Null') return compileNull(op, key, values);
  // Numeric, Date, Bool, Binary and IpAddress take no policy variables (IAM-UG): undecidable.
  if (
    variables &&
    op.family !== 'String' &&
    op.family !== 'Arn' &&
    values.some(v => typeof v === 'string' && hasVariableSyntax(v))
  )
    return UNKNOWN;
  const absent = fromBoolean(resultWhenKeyAbsent(op));
  const positive = positiveTest(op, values, variables);
  const negated = op.negated;
  const one: ValueTest = negated ? (v, r) => not(positive(v, r)) : positive;

  if (op.set === undefined) {
    return request => {
      const v = request.context[key];
      if (v === undefined) return absent;
      if (typeof v === 'string') return one(v, request);
      if (v.length === 0) return absent;
      // A plain operator on several request values: AWS documents only the set operators for that.
      return v.length === 1 ? one(v[0], request) : 'unknown';
    };
  }
  const forAll = op.set === 'ForAllValues';
  return request => {
    const v = request.context[key];
    // An empty string or list is an empty data set: ForAllValues true, ForAnyValue false.
    if (v === undefined || v === '' || isEmpty(v)) return absent;
    if (typeof v === 'string') return one(v, request);
    let unknown = false;
    for (let i = 0; i < v.length; i++) {
      const r = one(v[i], request);
      if (r === 'unknown') unknown = true;
      else if (r !== forAll) return r;
    }
    return unknown ? 'unknown' : forAll;
  };
}

// ---------------------------------------------------------------------------------------------
// A whole Condition block

const compiledWithVariables = slot<ConditionBlock, RequestTest>(statementNode);
const compiledLiteral = slot<ConditionBlock, RequestTest>(statementNode);

/** Compile a `Condition` block (cached per block and variables mode). Undefined block → always true. */
export function compileCondition(block: ConditionBlock | undefined, opts: ConditionOptions = {}): RequestTest {
  if (!block) return ALWAYS_TRUE;
  const variables = opts.variables !== false;
  const cache = variables ? compiledWithVariables : compiledLiteral;
  return cache.get(block) ?? cache.set(block, buildCondition(block, variables));
}

function buildCondition(block: ConditionBlock, variables: boolean): RequestTest {
  if (block.node.type !== 'object') return UNKNOWN;
  const tests: RequestTest[] = [];
  const operatorNames = new Set<string>();
  for (const o of block.operators) {
    const op = parseOperator(o.operator.value);
    // Unknown operators, and the same operator written twice (which one AWS keeps is undocumented).
    if (!op || o.node.type !== 'object' || o.entries.length === 0 || operatorNames.has(o.operator.value)) return UNKNOWN;
    operatorNames.add(o.operator.value);
    const keys = new Set<string>();
    for (const entry of o.entries) {
      if (keys.has(entry.key.value)) return UNKNOWN;
      keys.add(entry.key.value);
      tests.push(compileEntry(op, entry, variables));
    }
  }
  return allOf(tests);
}

/**
 * Evaluate a `Condition` block against a request: AND across operators and keys, OR across values
 * (negated operators: the value must differ from all). 'unknown' when AWS's result is not known.
 */
export function evaluateCondition(block: ConditionBlock | undefined, request: Request, opts?: ConditionOptions): Applies {
  return compileCondition(block, opts)(request);
}
