// Small pieces that several rules share: JSON text, lookups in the model, message wording.
// Text edits for quick-fixes are in edits.ts.
import { editDistance } from '../knowledge';
import type {
  ConditionBlock,
  ConditionEntry,
  ConditionOperatorBlock,
  JsonNode,
  Located,
  Member,
  PolicyDocument,
  Span,
  Statement,
  ValueList,
} from '../policy/model';
import { parseOperator, type ParsedOperator } from '../policy/operators';
import { membersOf } from '../policy/parse';
import { matchesWildcard } from '../policy/wildcard';
import { clip } from '../../shared/escape';

// ---------------------------------------------------------------------------------------------
// JSON text

/** JSON text for a string value, as it would be written in the policy. */
export const jsonString = (s: string): string => JSON.stringify(s);

/** `"a"` or `["a", "b"]`: one value stays a string, as AWS's own examples write it. */
export const jsonStringOrList = (values: readonly string[]): string =>
  values.length === 1 ? jsonString(values[0]) : `[${values.map(jsonString).join(', ')}]`;

/** The text a span covers. */
export const spanText = (text: string, span: Span): string => text.slice(span.offset, span.offset + span.length);

// ---------------------------------------------------------------------------------------------
// The model

/** The items of a list that are strings, with their positions. */
export function stringItems(list: ValueList | undefined): Located<string>[] {
  return (list?.items ?? []).filter((i): i is Located<string> => typeof i.value === 'string');
}

/** The member named `name` (exact case) of a statement; the last one when duplicated. */
export function memberNamed(members: readonly Member[], name: string): Member | undefined {
  let found: Member | undefined;
  for (const m of members) if (m.key.value === name) found = m;
  return found;
}

/**
 * The member of `object` whose key is `key` (a member's key, a condition operator or key, a
 * principal type), found by position, so duplicated names cannot be confused.
 */
export function memberAt(object: JsonNode, key: Located<string>): Member | undefined {
  return membersOf(object).find(m => m.key.span.offset === key.span.offset);
}

/** Every operator block of the policy, with its statement and Condition (Conditions that are objects only). */
const blocksCache = new WeakMap<PolicyDocument, readonly { st: Statement; cond: ConditionBlock; ob: ConditionOperatorBlock }[]>();

/** Every condition operator block of the policy with its statement (computed once per document: many rules ask). */
export function operatorBlocks(
  doc: PolicyDocument,
): readonly { st: Statement; cond: ConditionBlock; ob: ConditionOperatorBlock }[] {
  let hit = blocksCache.get(doc);
  if (!hit) {
    const out: { st: Statement; cond: ConditionBlock; ob: ConditionOperatorBlock }[] = [];
    for (const st of doc.statements) {
      const cond = st.condition;
      if (!cond || cond.node.type !== 'object') continue;
      for (const ob of cond.operators) out.push({ st, cond, ob });
    }
    hit = out;
    blocksCache.set(doc, hit);
  }
  return hit;
}

/**
 * Every entry of a statement's Condition that tests `key` (condition key names are
 * case-insensitive), with its operator block and parsed operator; unknown operators are left out.
 */
export function* keyTests(
  st: Statement,
  key: string,
): Generator<{ ob: ConditionOperatorBlock; op: ParsedOperator; entry: ConditionEntry }> {
  const lower = key.toLowerCase();
  for (const ob of st.condition?.operators ?? []) {
    const op = parseOperator(ob.operator.value);
    if (!op) continue;
    for (const entry of ob.entries) if (entry.key.value.toLowerCase() === lower) yield { ob, op, entry };
  }
}

export { coversAction, isAnyS3Action, isEveryone, principalValues } from '../policy/statement';

/** Does Resource/NotResource take in `arn`? (Case-sensitive, with wildcards.) */
export function coversResource(st: Statement, arn: string): boolean {
  const list = st.resource ?? st.notResource;
  if (!list) return false;
  const named = stringItems(list).some(i => matchesWildcard(arn, i.value));
  return st.notResource && !st.resource ? !named : named;
}

/** The span of a statement's opening brace, for findings about the statement as a whole. */
export function statementHead(st: Statement): Span {
  return { offset: st.node.offset, length: 1 };
}

/** The span of a statement's Effect value (its opening brace when Effect is missing). */
export const effectSpan = (st: Statement): Span => st.effect?.span ?? statementHead(st);

/** The span of the `Statement` key (else the document's opening brace), for findings about what the policy lacks. */
export function policyHead(doc: PolicyDocument): Span {
  return doc.statementMember?.key.span ?? { offset: doc.root?.offset ?? 0, length: doc.root ? 1 : 0 };
}

// ---------------------------------------------------------------------------------------------
// Messages

/** How the statement is called in messages: its Sid (clipped to `maxSid` characters) when it has one, else its position. */
export function statementLabel(st: Statement, maxSid = Infinity): string {
  return typeof st.sid?.value === 'string' && st.sid.value
    ? `statement "${clip(st.sid.value, maxSid)}"`
    : `statement ${st.index + 1}`;
}

/** The longest Sid a summary quotes whole: a summary must fit the Problems panel (MAX_SUMMARY). */
export const SUMMARY_SID = 32;

/** `a`, `a or b`, `a, b or c`. */
export const listOf = (values: readonly string[]): string =>
  values.length <= 1 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;

/** `s` with its first character upper-cased. */
export const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** `statementLabel` at the start of a sentence: `Statement "DenyHttp"`, `Statement 2`. */
export const capitalizedStatementLabel = (st: Statement, maxSid = Infinity): string => capitalize(statementLabel(st, maxSid));

/** A short, safe rendering of a JSON value for messages (`max` characters at most; a summary wants fewer). */
export function show(value: unknown, max = 60): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > max ? `${s.slice(0, max - 3)}…` : s;
}

/** How a JSON node type reads in a message: `null`, `an object`, `a number`. */
export const jsonTypeName = (type: string): string =>
  type === 'null' ? 'null' : type === 'array' || type === 'object' ? `an ${type}` : `a ${type}`;

/** The candidate closest to `word` (case-insensitive, plain Levenshtein), if it is close enough to be a typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  const max = Math.max(1, Math.min(3, Math.floor(w.length / 3)));
  let best: string | undefined;
  let bestD = max + 1;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase(), bestD, { transpositions: false });
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}
