// What the request walk reads of a statement: the context keys it can read, and its effect.
import type { JsonNode, Statement } from '../../policy/model';
import { variableKeys } from '../../policy/variables';
import { statementFact } from '../../policy/statement-facts';

function stringsIn(node: JsonNode | undefined, out: string[] = []): string[] {
  if (!node) return out;
  if (node.type === 'string' && typeof node.value === 'string') out.push(node.value);
  for (const c of node.children ?? []) stringsIn(c, out);
  return out;
}

/**
 * Every context key a statement can read, lower-cased: its condition keys and the keys of the policy
 * variables anywhere in it (Resource, condition values…). A statement's applicability depends on the
 * principal, the action, the resource and these keys only.
 */
export const statementKeys = (st: Statement): ReadonlySet<string> => statementFact(st, 'context keys', keysRead);

function keysRead(st: Statement): ReadonlySet<string> {
  const found = new Set<string>();
  for (const o of st.condition?.operators ?? []) for (const e of o.entries) found.add(e.key.value.toLowerCase());
  for (const s of stringsIn(st.node)) if (s.includes('${')) for (const k of variableKeys(s)) found.add(k);
  return found;
}

export const isDeny = (st: Statement): boolean => st.effect?.value === 'Deny';
