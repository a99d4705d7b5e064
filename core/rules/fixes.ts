// Applying fixes to text: one quick-fix, the rule tables' `output`, and "fix all"
// (source.fixAll.s3EncryptionGuard in the editor).
//
// `preferred` and `safe` answer different questions:
// - preferred: of a finding's alternatives, the one the editor offers first (VS Code's
//   `isPreferred`). A person sees it and accepts it or picks another. Every finding with fixes
//   has one; the rule tables' `output` is the text after each finding's preferred fix.
// - safe: the fix may be applied without anyone looking, by "fix all". A fix is safe when
//   1. it is unambiguous: the text decides the repair (letter case, whitespace, invisible
//      characters, a fixed table of known misspellings such as AES-256 → AES256 or API names →
//      IAM actions, an ARN the document itself names), not a nearest guess among plausible
//      candidates nor a choice between designs (strict vs default-friendly, which key ARN);
//   2. it cannot widen access: it grants nothing the statement's evident intent does not, never
//      revives a dead Allow, never exempts principals from a Deny or drops a Deny's condition
//      that is not always true;
//   3. it cannot lock anyone out: it never makes a Deny (or a new Deny) apply to ordinary
//      traffic its author did not evidently target; denying HTTP, old TLS versions or uploads
//      that name an encryption the requirements forbid is the target, not a lock-out.
//   A safe fix is usually the preferred one as well; a preferred fix is often not safe.
// Fixes are plain text edits (edits.ts), so a fix-all round takes at most one fix per finding and
// never two overlapping edits; the document is then analysed again, and the next round fixes
// what the first uncovered or skipped (two statements inserted at the end of the list), until
// nothing changes or the round limit is reached.
import { parse as parseJson, type ParseError } from 'jsonc-parser';
import type { Finding, Fix, TextEditSpan } from './types';

/** Apply edits that do not overlap; overlapping ones after the first are skipped. */
export function applyEdits(text: string, edits: readonly TextEditSpan[]): string {
  const sorted = [...edits].sort((a, b) => a.span.offset - b.span.offset);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.span.offset < pos) continue;
    out += text.slice(pos, e.span.offset) + e.newText;
    pos = e.span.offset + e.span.length;
  }
  return out + text.slice(pos);
}

/** The fix the editor offers first for a finding: the preferred one, else the first. */
export const preferredFix = (f: Finding): Fix | undefined => f.fixes.find(x => x.preferred) ?? f.fixes[0];

/** The fix "fix all" takes for a finding: a safe one (the preferred one among them), else none. */
export const safeFix = (f: Finding): Fix | undefined => f.fixes.find(x => x.safe && x.preferred) ?? f.fixes.find(x => x.safe);

// Edits clash when their ranges intersect, or when one inserts at the start, inside or at the end
// of the other: the order of the two would change the result.
const inside = (at: number, e: TextEditSpan) => at >= e.span.offset && at <= e.span.offset + e.span.length;
const overlaps = (a: TextEditSpan, b: TextEditSpan) =>
  (a.span.offset < b.span.offset + b.span.length && b.span.offset < a.span.offset + a.span.length) ||
  (a.span.length === 0 && inside(a.span.offset, b)) ||
  (b.span.length === 0 && inside(b.span.offset, a));

/**
 * One fix per finding (the one `pick` chooses), in order, skipping a fix whose edits overlap one
 * already taken (two inserts at the same place count as overlapping).
 */
export function selectEdits(findings: readonly Finding[], pick: (f: Finding) => Fix | undefined): TextEditSpan[] {
  const taken: TextEditSpan[] = [];
  for (const f of findings) {
    const fix = pick(f);
    if (!fix) continue;
    if (fix.edits.some(e => taken.some(t => overlaps(e, t)))) continue;
    taken.push(...fix.edits);
  }
  return taken;
}

/** The edits of one "fix all" round: the safe fixes only. */
export const fixAllEdits = (findings: readonly Finding[]): TextEditSpan[] => selectEdits(findings, safeFix);

/** The text after each finding's preferred fix (what the rule tables' `output` shows). */
export const applyFindingFixes = (text: string, findings: readonly Finding[]): string =>
  applyEdits(text, selectEdits(findings, preferredFix));

/** The text after one "fix all" round (safe fixes only). */
export const applySafeFixes = (text: string, findings: readonly Finding[]): string => applyEdits(text, fixAllEdits(findings));

/** Rounds are bounded: each round repairs what the previous one uncovered, and a policy needs a handful. */
export const MAX_FIX_ALL_ROUNDS = 8;

export interface FixAllResult {
  text: string;
  /** Rounds that changed the text. */
  rounds: number;
  /** The edits of the first round, against the original text. */
  firstRound: TextEditSpan[];
  /** Why it stopped: nothing left to fix, a round changed nothing or broke the JSON, or the round limit. */
  stopped: 'done' | 'unchanged' | 'invalid' | 'limit';
}

const syntaxErrors = (text: string): number => {
  const errors: ParseError[] = [];
  parseJson(text, errors, { allowTrailingComma: false, disallowComments: false });
  return errors.length;
};

/**
 * "Fix all": apply the safe fixes, analyse the result again with `analyse` (the same settings as
 * the original analysis), and repeat until no safe fix is left or a round changes nothing. A round
 * whose result has more JSON syntax errors than its input is dropped (a fix must never break the
 * document; this is the backstop), and so is one that brings back a text seen before.
 */
export function fixAll(
  text: string,
  analyse: (text: string) => readonly Finding[],
  maxRounds = MAX_FIX_ALL_ROUNDS,
): FixAllResult {
  const seen = new Set([text]);
  let current = text;
  let rounds = 0;
  let firstRound: TextEditSpan[] = [];
  let errors = syntaxErrors(text);
  for (let i = 0; i < maxRounds; i++) {
    const edits = fixAllEdits(analyse(current));
    if (edits.length === 0) return { text: current, rounds, firstRound, stopped: 'done' };
    const next = applyEdits(current, edits);
    if (next === current || seen.has(next)) return { text: current, rounds, firstRound, stopped: 'unchanged' };
    const nextErrors = syntaxErrors(next);
    if (nextErrors > errors) return { text: current, rounds, firstRound, stopped: 'invalid' };
    if (rounds === 0) firstRound = edits;
    seen.add(next);
    errors = nextErrors;
    current = next;
    rounds++;
  }
  return { text: current, rounds, firstRound, stopped: fixAllEdits(analyse(current)).length ? 'limit' : 'done' };
}

/** One edit that turns `before` into `after`: the differing middle, between their common prefix and suffix. */
export function wholeEdit(before: string, after: string): TextEditSpan {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (end < max - start && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)) end++;
  return { span: { offset: start, length: before.length - start - end }, newText: after.slice(start, after.length - end) };
}

/**
 * The edits "fix all" sends to an editor for `text`: the first round's own edits when one round
 * did everything (they keep the cursor and the undo steps small), else one edit over the changed
 * region; none when nothing is safely fixable.
 */
export function fixAllTextEdits(
  text: string,
  analyse: (text: string) => readonly Finding[],
  maxRounds = MAX_FIX_ALL_ROUNDS,
): TextEditSpan[] {
  const r = fixAll(text, analyse, maxRounds);
  if (r.rounds === 0) return [];
  return r.rounds === 1 ? r.firstRound : [wholeEdit(text, r.text)];
}
