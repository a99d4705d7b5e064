// Glob matching for the `s3EncryptionGuard.kinds` setting and the CLI's path arguments:
// `**` crosses folders, `*` and `?` do not, `{a,b}` alternates, `[abc]`, `[a-z]` and `[!abc]` are
// classes. A pattern without a slash matches the file's base name (as VS Code's files.associations
// does).
//
// Globs come from users and from repositories (a cloned workspace's settings), so they are never
// turned into a regular expression: a backtracking engine takes exponential time on `**/**/**/…a`.
// A glob is compiled into a small automaton (Thompson's construction; every wildcard loops on one
// character, so no state is more than a few per pattern character) and run over the path with a set
// of current states. Each state enters the set at most once per path position, so one match costs
// at most about 2 × states × (path length + 1) steps, whatever the pattern; `GlobMatcher.test`
// counts them for the tests.

/** Longer globs are refused: no setting or command line needs one, and they bound the work per match. */
export const MAX_GLOB_LENGTH = 1024;

/** What a state does. */
const Op = {
  /** One character equal to `alt`. */
  Char: 0,
  /** One character other than `/` (`?`, and the loop of `*`). */
  NotSlash: 1,
  /** Any one character (the loop of `**`). */
  Any: 2,
  /** One character in (or, negated, not in) `ranges`. */
  Class: 3,
  /** No character: go on at `next` and at `alt`. */
  Split: 4,
  /** The whole path matched. */
  Match: 5,
} as const;
type Op = (typeof Op)[keyof typeof Op];

interface State {
  op: Op;
  next: number;
  /** Split: the second way on. Char: the character code. */
  alt: number;
  /** Class: inclusive [low, high] pairs of UTF-16 code units. */
  ranges?: number[];
  negated?: boolean;
}

type Token =
  | { t: 'char'; code: number }
  | { t: 'notSlash' }
  | { t: 'star' }
  | { t: 'globstar' }
  | { t: 'globstarSlash' }
  | { t: 'class'; ranges: number[]; negated: boolean }
  | { t: 'open' | 'close' | 'comma' };

/** Split a glob into tokens; braces without a partner and commas outside braces are plain characters. */
function tokenize(glob: string): Token[] {
  const tokens: Token[] = [];
  // Indexes of `{` tokens not yet closed, and for each comma the `{` it belongs to.
  const open: number[] = [];
  const commaOwner = new Map<number, number>();
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches zero or more folders; `**` anywhere else matches anything, slashes included.
        const slash = glob[i + 2] === '/';
        tokens.push({ t: slash ? 'globstarSlash' : 'globstar' });
        i += slash ? 2 : 1;
      } else tokens.push({ t: 'star' });
    } else if (c === '?') tokens.push({ t: 'notSlash' });
    else if (c === '{') {
      open.push(tokens.length);
      tokens.push({ t: 'open' });
    } else if (c === '}' && open.length) {
      open.pop();
      tokens.push({ t: 'close' });
    } else if (c === ',' && open.length) {
      commaOwner.set(tokens.length, open[open.length - 1]);
      tokens.push({ t: 'comma' });
    } else if (c === '[' && glob.indexOf(']', i + 1) >= 0) {
      const end = glob.indexOf(']', i + 1);
      let body = glob.slice(i + 1, end);
      const negated = body.startsWith('!') || body.startsWith('^');
      if (negated) body = body.slice(1);
      const ranges: number[] = [];
      for (let j = 0; j < body.length; j++) {
        const lo = body.charCodeAt(j);
        if (body[j + 1] === '-' && j + 2 < body.length) {
          const hi = body.charCodeAt(j + 2);
          // A range written backwards (`[z-a]`) matches nothing.
          if (lo <= hi) ranges.push(lo, hi);
          j += 2;
        } else ranges.push(lo, lo);
      }
      tokens.push({ t: 'class', ranges, negated });
      i = end;
    } else tokens.push({ t: 'char', code: glob.charCodeAt(i) });
  }
  // A `{` that is never closed, and its commas, are plain characters.
  const unclosed = new Set(open);
  for (const i of unclosed) tokens[i] = { t: 'char', code: 0x7b };
  for (const [i, owner] of commaOwner) if (unclosed.has(owner)) tokens[i] = { t: 'char', code: 0x2c };
  return tokens;
}

/** The number of steps a match has taken; pass one to `test` to see the work done. */
export interface StepCounter {
  steps: number;
}

export interface GlobMatcher {
  /** Does the whole of `text` match? At most about 2 × `states` × (text length + 1) steps. */
  test(text: string, counter?: StepCounter): boolean;
  /** The automaton's size. */
  readonly states: number;
}

/**
 * Compile a glob into an automaton. Built from the end of the pattern to its start, so that each
 * token's continuation already exists; braces are handled with an explicit stack (no recursion
 * that a pattern could drive deep).
 */
function compile(glob: string): State[] {
  const tokens = tokenize(glob);
  const states: State[] = [{ op: Op.Match, next: -1, alt: -1 }];
  const add = (s: State): number => states.push(s) - 1;
  /** A loop over one character, then `next`: a Split whose first way consumes and comes back. */
  const loop = (op: typeof Op.NotSlash | typeof Op.Any, next: number): number => {
    const split = add({ op: Op.Split, next: -1, alt: next });
    states[split].next = add({ op, next: split, alt: -1 });
    return split;
  };
  let k = 0;
  // One frame per group being built (right to left): where the group goes on, and its alternatives' starts.
  const groups: { after: number; starts: number[] }[] = [];
  for (let i = tokens.length - 1; i >= 0; i--) {
    const tok = tokens[i];
    switch (tok.t) {
      case 'char':
        k = add({ op: Op.Char, next: k, alt: tok.code });
        break;
      case 'notSlash':
        k = add({ op: Op.NotSlash, next: k, alt: -1 });
        break;
      case 'class':
        k = add({ op: Op.Class, next: k, alt: -1, ranges: tok.ranges, negated: tok.negated });
        break;
      case 'star':
        k = loop(Op.NotSlash, k);
        break;
      case 'globstar':
        k = loop(Op.Any, k);
        break;
      case 'globstarSlash': {
        // `(anything/)?`: either skip, or any characters then a slash.
        const slash = add({ op: Op.Char, next: k, alt: 0x2f });
        k = add({ op: Op.Split, next: loop(Op.Any, slash), alt: k });
        break;
      }
      case 'close':
        groups.push({ after: k, starts: [] });
        break;
      case 'comma': {
        const g = groups[groups.length - 1];
        g.starts.push(k);
        k = g.after;
        break;
      }
      case 'open': {
        const g = groups.pop()!;
        g.starts.push(k);
        // Alternatives become a chain of Splits.
        let start = g.starts[g.starts.length - 1];
        for (let j = g.starts.length - 2; j >= 0; j--) start = add({ op: Op.Split, next: g.starts[j], alt: start });
        k = start;
        break;
      }
    }
  }
  // The start state goes last, where `test` finds it.
  add({ op: Op.Split, next: k, alt: k });
  return states;
}

function matcherOf(states: State[]): GlobMatcher {
  const start = states.length - 1;
  // Generation stamps: a state already entered for this position is not entered again.
  const seen = new Int32Array(states.length);
  let generation = 0;
  const stack: number[] = [];
  return {
    states: states.length,
    test(text: string, counter?: StepCounter): boolean {
      if (generation > 0x3fffffff - text.length) {
        seen.fill(0);
        generation = 0;
      }
      const base = generation + 1;
      generation += text.length + 1;
      let steps = 0;
      let current: number[] = [];
      let next: number[] = [];
      let matched = false;
      // Adds `s` and every state reachable from it without a character (Splits) to `into`.
      const enter = (s: number, position: number, into: number[]): void => {
        stack.push(s);
        while (stack.length) {
          const id = stack.pop()!;
          if (seen[id] === base + position) continue;
          seen[id] = base + position;
          steps++;
          const st = states[id];
          if (st.op === Op.Split) {
            stack.push(st.alt, st.next);
          } else if (st.op === Op.Match) {
            if (position === text.length) matched = true;
          } else into.push(id);
        }
      };
      enter(start, 0, current);
      for (let pos = 0; pos < text.length && current.length; pos++) {
        const c = text.charCodeAt(pos);
        for (const id of current) {
          steps++;
          const st = states[id];
          let ok: boolean;
          switch (st.op) {
            case Op.Char:
              ok = c === st.alt;
              break;
            case Op.NotSlash:
              ok = c !== 0x2f;
              break;
            case Op.Any:
              ok = true;
              break;
            default: {
              const r = st.ranges!;
              let inside = false;
              for (let j = 0; j < r.length && !inside; j += 2) inside = c >= r[j] && c <= r[j + 1];
              ok = inside !== st.negated;
            }
          }
          if (ok) enter(st.next, pos + 1, next);
        }
        [current, next] = [next, current];
        next.length = 0;
      }
      if (counter) counter.steps += steps;
      return matched;
    },
  };
}

// Compiled globs by pattern; every pattern is at most MAX_GLOB_LENGTH long, so this is bounded in bytes too.
const cache = new Map<string, GlobMatcher>();
const MAX_CACHED = 256;

/** Why a glob cannot be used, or undefined when it can. */
export function globProblem(glob: string): string | undefined {
  return glob.length > MAX_GLOB_LENGTH
    ? `the pattern is ${glob.length} characters long, over the ${MAX_GLOB_LENGTH}-character limit`
    : undefined;
}

function cached(glob: string): GlobMatcher {
  const hit = cache.get(glob);
  if (hit) return hit;
  const m = matcherOf(compile(glob));
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(glob, m);
  return m;
}

/** The matcher of a glob (whole-text match). Throws on a glob over MAX_GLOB_LENGTH; check `globProblem` first. */
export function compileGlob(glob: string): GlobMatcher {
  const problem = globProblem(glob);
  if (problem) throw new Error(problem);
  return cached(glob);
}

export const hasGlobMagic = (s: string): boolean => /[*?{[]/.test(s);

/**
 * Does `filePath` (any separators) match `glob`? Tried against the whole path, its tail, and the
 * base name. A glob over MAX_GLOB_LENGTH matches nothing.
 */
export function matchesGlob(filePath: string, glob: string, counter?: StepCounter): boolean {
  const p = filePath.replace(/\\/g, '/');
  const g = glob.replace(/\\/g, '/');
  if (globProblem(g)) return false;
  const m = cached(g);
  if (!g.includes('/')) return m.test(p.slice(p.lastIndexOf('/') + 1), counter);
  if (m.test(p, counter)) return true;
  // Relative patterns (`policies/*.json`) match the end of an absolute path.
  if (!g.startsWith('/') && !g.startsWith('**')) return cached(`**/${g}`).test(p, counter);
  return false;
}
