// IAM wildcards, in one place for the rules, the knowledge base and the evaluator: `*` matches
// any run of characters (none included), `?` exactly one character, everything else is literal.
// They apply in Action/NotAction, Resource/NotResource and the values of the Like and Arn
// condition operators (IAM-UG reference_policies_elements_condition_operators).
// Policy variables (`${aws:username}`, and the escapes `${*}`, `${?}`, `${$}`) are substituted
// before matching and are not expanded here. No vscode or LSP imports.

/** Does the text hold a `*` or `?` (an action pattern, a Resource ARN)? */
export const hasWildcard = (s: string): boolean => /[*?]/.test(s);

const VARIABLE = /\$\{[^}]*\}/g;

/** Does a condition value hold a `*` or `?` wildcard? The escapes `${*}` and `${?}` stand for the literal characters. */
export const containsWildcard = (value: string): boolean => hasWildcard(value.replace(VARIABLE, ''));

/** `s` with every character that has a meaning in a RegExp escaped. */
export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface WildcardOptions {
  /** Match regardless of case (action names); condition values compare case-sensitively. */
  ignoreCase?: boolean;
}

/** Compiled patterns, per case mode; bounded, since patterns come from the documents being edited. */
const MAX_CACHED = 512;
const caches = { s: new Map<string, RegExp>(), is: new Map<string, RegExp>() };

/**
 * The RegExp that matches exactly the strings an IAM wildcard pattern matches (anchored at both
 * ends). Compiled patterns are cached, so calling this in a loop is cheap.
 */
export function wildcardToRegExp(pattern: string, options: WildcardOptions = {}): RegExp {
  const flags = options.ignoreCase ? 'is' : 's';
  const cache = caches[flags];
  const hit = cache.get(pattern);
  if (hit) return hit;
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      source += '.*';
      // `**` means what `*` means; one `.*` keeps backtracking down on hostile patterns.
      while (pattern[i + 1] === '*') i++;
    } else if (c === '?') source += '.';
    else source += escapeRegExp(c);
  }
  const re = new RegExp(`^${source}$`, flags);
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(pattern, re);
  return re;
}

/** Does `value` match the IAM wildcard `pattern` as a whole? */
export const matchesWildcard = (value: string, pattern: string, options?: WildcardOptions): boolean =>
  wildcardToRegExp(pattern, options).test(value);
