// How rules name things in their messages: statements, lists, values, the closest known word.
import { editDistance } from '../knowledge';
import type { Statement } from '../policy/model';
import { clip } from '../../shared/escape';

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
