// Small pieces that several rules share.
import type { JsonNode, Located, Member, Span, Statement, ValueList } from '../policy/model';
import { spanOf } from '../policy/parse';
import type { Fix } from './types';

/** JSON text for a string value, as it would be written in the policy. */
export const jsonString = (s: string): string => JSON.stringify(s);

/** A fix that replaces one span with new text. */
export function replaceFix(title: string, span: Span, newText: string, preferred = true): Fix {
  return { title, edits: [{ span, newText }], preferred };
}

/** The items of a list that are strings, with their positions. */
export function stringItems(list: ValueList | undefined): Located<string>[] {
  return (list?.items ?? []).filter((i): i is Located<string> => typeof i.value === 'string');
}

/** The member named `name` (exact case) of a statement; the last one when duplicated. */
export function memberNamed(members: Member[], name: string): Member | undefined {
  let found: Member | undefined;
  for (const m of members) if (m.key.value === name) found = m;
  return found;
}

/** How the statement is called in messages: its Sid when it has one, else its position. */
export function statementLabel(st: Statement): string {
  return typeof st.sid?.value === 'string' && st.sid.value ? `statement "${st.sid.value}"` : `statement ${st.index + 1}`;
}

/** The span of a statement's opening brace, for findings about the statement as a whole. */
export function statementHead(st: Statement): Span {
  return { offset: st.node.offset, length: 1 };
}

/** The span of a member's key, for findings about a whole element. */
export const keySpan = (m: Member): Span => m.key.span;

export const nodeSpan = (n: JsonNode): Span => spanOf(n);

/** Levenshtein distance, capped: returns `max + 1` once it is certain to exceed `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

/** The candidate closest to `word` (case-insensitive), if it is close enough to be a typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  const max = Math.max(1, Math.min(3, Math.floor(w.length / 3)));
  let best: string | undefined;
  let bestD = max + 1;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase(), bestD);
    if (d < bestD) { best = c; bestD = d; }
  }
  return best;
}

/** A short, safe rendering of a JSON value for messages. */
export function show(value: unknown): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
