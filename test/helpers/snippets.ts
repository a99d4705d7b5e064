// Snippet bodies expanded the way VS Code expands them: shared by the snippet tests of every format.

/**
 * Expand a snippet body as VS Code does (TextMate snippet syntax: `$1`, `${1}`, `${1:default}` with
 * nested placeholders, `${1|a,b|}` choices, `\$` `\}` `\\` escapes). A tab stop takes `values[n]`
 * when given (what the user typed), else its default; mirrors of a tab stop without a default take
 * the default of its first occurrence.
 */
export function expandSnippet(body: string, values: Record<number, string> = {}): string {
  const defaults = new Map<number, string>();
  let i = 0;
  const parse = (until?: string): string => {
    let out = '';
    while (i < body.length) {
      const c = body[i];
      if (c === '\\' && i + 1 < body.length && '$}\\'.includes(body[i + 1])) {
        out += body[i + 1];
        i += 2;
      } else if (until && body.startsWith(until, i)) {
        return out;
      } else if (c === '$') {
        out += tabStop();
      } else {
        out += c;
        i++;
      }
    }
    if (until) throw new Error(`unterminated placeholder, expected ${until}`);
    return out;
  };
  const resolve = (n: number, own?: string): string => {
    if (own !== undefined && !defaults.has(n)) defaults.set(n, own);
    return values[n] ?? own ?? defaults.get(n) ?? '';
  };
  const tabStop = (): string => {
    const simple = /^\$(\d+)/.exec(body.slice(i));
    if (simple) {
      i += simple[0].length;
      return resolve(Number(simple[1]));
    }
    const head = /^\$\{(\d+)([:|}])/.exec(body.slice(i));
    if (!head)
      throw new Error(
        `unsupported snippet syntax at ${JSON.stringify(body.slice(i, i + 20))} (variables are not used by our snippets)`,
      );
    i += head[0].length;
    const n = Number(head[1]);
    if (head[2] === '}') return resolve(n);
    if (head[2] === ':') {
      const own = parse('}');
      i++;
      return resolve(n, own);
    }
    const end = body.indexOf('|}', i);
    if (end < 0) throw new Error('unterminated choice');
    const choices = body.slice(i, end).split(',');
    i = end + 2;
    return resolve(n, choices[0]);
  };
  return parse();
}
