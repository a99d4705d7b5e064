// IAM wildcards, in one place for the rules, the knowledge base and the evaluator: `*` matches
// any run of characters (none included), `?` exactly one character, everything else is literal.
// They apply in Action/NotAction, Resource/NotResource and the values of the Like and Arn
// condition operators (IAM-UG reference_policies_elements_condition_operators).
// Policy variables (`${aws:username}`, and the escapes `${*}`, `${?}`, `${$}`) are substituted
// before matching and are not expanded here.
//
// Patterns come from the documents being edited, so matching must not be steerable into
// exponential time: a backtracking regular expression built from `A0*A0*A0*…` takes minutes on a
// 200-byte policy. Here a pattern is split at its stars into pieces; the first piece must match at
// the start, the last at the end, and each middle piece is found at its leftmost place after the
// previous one (leftmost is always right for pieces separated by stars), never revisiting text a
// piece has passed. Literal pieces are found with the engine's substring search, pieces with `?` by
// direct comparison, so one match costs at most O(text × pattern) character steps, and
// O(text + pattern) when the pattern has no `?`.
import { BoundedCache, stringBytes } from '../bounded-cache';
import { replaceVariables } from './variables';

/** Does the text hold a `*` or `?` (an action pattern, a Resource ARN)? */
export const hasWildcard = (s: string): boolean => /[*?]/.test(s);

/** Does a condition value hold a `*` or `?` wildcard? The escapes `${*}` and `${?}` stand for the literal characters. */
export const containsWildcard = (value: string): boolean => hasWildcard(replaceVariables(value, () => ''));

/** `s` with every character that has a meaning in a RegExp escaped (for patterns built from our own tables, never from documents). */
export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface WildcardOptions {
  /** Match regardless of case (action names); condition values compare case-sensitively. */
  ignoreCase?: boolean;
}

/** A piece of a pattern: literal text, `*` (any run) or `?` (one character). Text may hold `*` and `?` as literal characters. */
export type WildcardPart = { kind: 'text'; text: string } | { kind: 'star' } | { kind: 'one' };

/** A compiled pattern; `test` has the shape of RegExp's so call sites read the same. */
export interface WildcardMatcher {
  test(value: string): boolean;
}

// ---------------------------------------------------------------------------------------------
// Work accounting: tests pin the worst cases to a number of steps instead of a time.

let steps = 0;
/** Character comparisons made by every matcher so far (monotonic; take differences). */
export const wildcardSteps = (): number => steps;

// ---------------------------------------------------------------------------------------------
// Pieces between stars

/** A run of text and `?` between two stars: `any[i]` marks the positions that match any character. */
interface Piece {
  readonly text: string;
  readonly any: Uint8Array | undefined;
}

/**
 * Does `piece` match `s` at `at` (the caller checked that it fits)? Compared from the end: the
 * patterns of one policy share long prefixes (`arn:aws:s3:::bucket/…`) and differ at the end.
 */
function pieceAt(piece: Piece, s: string, at: number): boolean {
  const { text, any } = piece;
  steps += text.length;
  for (let i = text.length - 1; i >= 0; i--) {
    if (s.charCodeAt(at + i) !== text.charCodeAt(i) && !any?.[i]) return false;
  }
  return true;
}

/**
 * The leftmost place at or after `from` where `piece` matches and ends by `end`; -1 when none.
 * Literal pieces use the engine's substring search (Boyer–Moore family, linear in the text); pieces
 * with `?` compare at each place, so their cost is at most (end - from) × piece length.
 */
function findPiece(piece: Piece, s: string, from: number, end: number): number {
  const n = piece.text.length;
  if (n === 0) return from;
  if (!piece.any) {
    const at = s.indexOf(piece.text, from);
    const found = at >= 0 && at + n <= end;
    steps += (found ? at - from : end - from) + n;
    return found ? at : -1;
  }
  for (let at = from; at + n <= end; at++) if (pieceAt(piece, s, at)) return at;
  return -1;
}

/** Pieces of a pattern, split at its stars (a run of stars is one star). */
interface Glob {
  readonly pieces: readonly Piece[];
  /** No star at all: the one piece must be the whole value. */
  readonly exact: boolean;
  readonly minLength: number;
}

function makePiece(text: string, any: number[]): Piece {
  let mask: Uint8Array | undefined;
  if (any.length) {
    mask = new Uint8Array(text.length);
    for (const i of any) mask[i] = 1;
  }
  return { text, any: mask };
}

function globOf(parts: readonly WildcardPart[], lower: boolean): Glob {
  const pieces: Piece[] = [];
  let text = '';
  let any: number[] = [];
  let stars = 0;
  for (const p of parts) {
    if (p.kind === 'star') {
      pieces.push(makePiece(text, any));
      text = '';
      any = [];
      stars++;
    } else if (p.kind === 'one') {
      any.push(text.length);
      text += '?';
    } else text += lower ? p.text.toLowerCase() : p.text;
  }
  pieces.push(makePiece(text, any));
  return { pieces, exact: stars === 0, minLength: pieces.reduce((n, p) => n + p.text.length, 0) };
}

function globMatches(g: Glob, s: string): boolean {
  const { pieces } = g;
  if (s.length < g.minLength) return false;
  const first = pieces[0];
  if (g.exact) return s.length === first.text.length && pieceAt(first, s, 0);
  const last = pieces[pieces.length - 1];
  if (!pieceAt(first, s, 0)) return false;
  const end = s.length - last.text.length;
  if (!pieceAt(last, s, end)) return false;
  let pos = first.text.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const at = findPiece(pieces[i], s, pos, end);
    if (at < 0) return false;
    pos = at + pieces[i].text.length;
  }
  return pos <= end;
}

// ---------------------------------------------------------------------------------------------
// Compiling

/** The parts of a pattern string: every `*` and `?` is a wildcard. */
export function wildcardParts(pattern: string): WildcardPart[] {
  const out: WildcardPart[] = [];
  let text = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' || c === '?') {
      if (text) out.push({ kind: 'text', text });
      text = '';
      if (c === '?') out.push({ kind: 'one' });
      else if (out[out.length - 1]?.kind !== 'star') out.push({ kind: 'star' });
    } else text += c;
  }
  if (text) out.push({ kind: 'text', text });
  return out;
}

/** A matcher for parts (wildcards and literal text). `ignoreCase` lower-cases both sides. */
export function compileParts(parts: readonly WildcardPart[], options: WildcardOptions = {}): WildcardMatcher {
  const lower = options.ignoreCase === true;
  const g = globOf(parts, lower);
  return { test: lower ? v => globMatches(g, v.toLowerCase()) : v => globMatches(g, v) };
}

/**
 * A matcher for ARN values whose wildcards stay inside one field (EVAL-006: ArnLike compares each of
 * the six colon-separated fields separately; the sixth, the resource, may hold colons). Undefined when
 * the pattern has fewer than six fields.
 */
export function compileArnParts(parts: readonly WildcardPart[], options: WildcardOptions = {}): WildcardMatcher | undefined {
  const fields: WildcardPart[][] = [[]];
  for (const p of parts) {
    if (p.kind !== 'text' || fields.length === 6) {
      fields[fields.length - 1].push(p);
      continue;
    }
    let rest = p.text;
    let colon = rest.indexOf(':');
    while (colon >= 0 && fields.length < 6) {
      if (colon > 0) fields[fields.length - 1].push({ kind: 'text', text: rest.slice(0, colon) });
      fields.push([]);
      rest = rest.slice(colon + 1);
      colon = rest.indexOf(':');
    }
    if (rest) fields[fields.length - 1].push({ kind: 'text', text: rest });
  }
  if (fields.length < 6) return undefined;
  const lower = options.ignoreCase === true;
  const globs = fields.map(f => globOf(f, lower));
  return {
    test(raw) {
      const v = lower ? raw.toLowerCase() : raw;
      let start = 0;
      for (let i = 0; i < 5; i++) {
        const colon = v.indexOf(':', start);
        steps += colon < 0 ? v.length - start : colon - start + 1;
        if (colon < 0 || !globMatches(globs[i], v.slice(start, colon))) return false;
        start = colon + 1;
      }
      return globMatches(globs[5], v.slice(start));
    },
  };
}

/** Compiled patterns, per case mode; bounded by the bytes of their text, since patterns come from the documents being edited. */
const caches = {
  s: new BoundedCache<string, WildcardMatcher>({ maxBytes: 4 * 1024 * 1024, sizeOf: k => 3 * stringBytes(k) }),
  i: new BoundedCache<string, WildcardMatcher>({ maxBytes: 4 * 1024 * 1024, sizeOf: k => 3 * stringBytes(k) }),
};

/** The matcher for an IAM wildcard pattern (anchored at both ends); cached, so calling this in a loop is cheap. */
export function compileWildcard(pattern: string, options: WildcardOptions = {}): WildcardMatcher {
  const cache = options.ignoreCase ? caches.i : caches.s;
  let m = cache.get(pattern);
  if (!m) {
    m = compileParts(wildcardParts(pattern), options);
    cache.set(pattern, m);
  }
  return m;
}

/** Does `value` match the IAM wildcard `pattern` as a whole? */
export const matchesWildcard = (value: string, pattern: string, options?: WildcardOptions): boolean =>
  compileWildcard(pattern, options).test(value);
