// One concrete value an IAM pattern matches: the request classes stand for a pattern by one of its
// instances (an object key, a principal ARN, a KMS key ARN).
import { isEscape, replaceVariables, splitVariables } from '../../policy/variables';
import { OBJECT_KEY_INSTANCE } from './context-keys';

/**
 * One value that an IAM wildcard pattern matches: `*` → `example`, `?` → `x`; policy variables are
 * replaced by `variable(key)` (the escapes `${*}`, `${?}`, `${$}` by their character).
 */
export function instantiate(pattern: string, variable: (key: string) => string = () => OBJECT_KEY_INSTANCE): string {
  let out = '';
  for (const p of splitVariables(pattern)) {
    if (p.kind === 'variable') {
      const name = p.body.split(',')[0].trim();
      out += isEscape(name) ? name : variable(name.toLowerCase());
    } else {
      out += p.text.replace(/[*?]/g, c => (c === '*' ? OBJECT_KEY_INSTANCE : 'x'));
    }
  }
  return out;
}

export function instantiateVariablesOnly(pattern: string, variable: (key: string) => string): string {
  return replaceVariables(pattern, body => {
    const name = body.split(',')[0].trim();
    return isEscape(name) ? name : variable(name.toLowerCase());
  });
}
