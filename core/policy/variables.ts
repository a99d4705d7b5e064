// Policy variables in values: `${aws:username}`, `${aws:PrincipalTag/team, 'none'}`, and the
// escapes `${*}`, `${?}`, `${$}` (IAM-UG reference_policies_variables). One linear scanner for every
// place that looks for them: the obvious regular expression `/\$\{[^}]*\}/` restarts at every `${`
// and takes quadratic time on a value like `${${${…` with no closing brace, which a document can hold.

/** A piece of a value: literal text, or the body of one `${…}` (without the braces). */
export type VariablePiece = { kind: 'text'; text: string } | { kind: 'variable'; body: string };

/** Split a value at its `${…}` (each ends at the first `}` after its `${`, as IAM reads them). Linear in the value. */
export function splitVariables(value: string): VariablePiece[] {
  const out: VariablePiece[] = [];
  let pos = 0;
  let text = '';
  while (pos < value.length) {
    const open = value.indexOf('${', pos);
    if (open < 0) break;
    const close = value.indexOf('}', open + 2);
    // No `}` after this `${`: none after any later one either.
    if (close < 0) break;
    text += value.slice(pos, open);
    if (text) out.push({ kind: 'text', text });
    text = '';
    out.push({ kind: 'variable', body: value.slice(open + 2, close) });
    pos = close + 1;
  }
  text += value.slice(pos);
  if (text) out.push({ kind: 'text', text });
  return out;
}

/** Does the value hold a `${…}` (a variable or an escape)? */
export function hasVariableSyntax(value: string): boolean {
  const open = value.indexOf('${');
  return open >= 0 && value.indexOf('}', open + 2) >= 0;
}

/** The escapes `${*}`, `${?}`, `${$}` stand for their character. */
export const isEscape = (body: string): boolean => body === '*' || body === '?' || body === '$';

/**
 * `key` or `key, 'default'` (IAM-UG reference_policies_variables, "Specifying default values"): the
 * lower-cased key and the default; undefined when the body is not of that form.
 */
export function parseVariableBody(body: string): { key: string; fallback?: string } | undefined {
  const comma = body.indexOf(',');
  const key = (comma < 0 ? body : body.slice(0, comma)).trim();
  if (!key || key.includes("'")) return undefined;
  if (comma < 0) return { key: key.toLowerCase() };
  const rest = body.slice(comma + 1).trim();
  if (rest.length < 2 || rest[0] !== "'" || rest[rest.length - 1] !== "'") return undefined;
  const fallback = rest.slice(1, -1);
  if (fallback.includes("'")) return undefined;
  return { key: key.toLowerCase(), fallback };
}

/** The value with every `${…}` replaced by `replace(body)`. */
export function replaceVariables(value: string, replace: (body: string) => string): string {
  let out = '';
  for (const p of splitVariables(value)) out += p.kind === 'text' ? p.text : replace(p.body);
  return out;
}

/** The context keys a value's policy variables name, lower-cased (not the escapes). */
export function variableKeys(value: string): string[] {
  const out: string[] = [];
  for (const p of splitVariables(value)) {
    if (p.kind !== 'variable') continue;
    const name = p.body.split(',')[0].trim();
    if (name && !isEscape(name)) out.push(name.toLowerCase());
  }
  return out;
}
