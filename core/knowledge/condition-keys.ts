// Condition keys: lookups (templated keys included) and which actions' requests can carry a key.
import { allActions, isKnownService, lookupAction } from './actions';
import { keyInfo, tables as st } from './tables';
import type { ActionInfo, ConditionKeyInfo } from './types';

/**
 * Case-insensitive lookup of a condition key among the global keys and the S3 and KMS keys.
 * Templated keys match with any non-empty suffix: `aws:PrincipalTag/Team`,
 * `s3:ExistingObjectTag/classification`, `kms:EncryptionContext:Department`. Exact matches win
 * over templates. The key must be written exactly (no surrounding spaces).
 */
export function lookupConditionKey(name: string): ConditionKeyInfo | undefined {
  const s = st();
  const plain = s.plainKeys.get(name.toLowerCase());
  if (plain) return keyInfo(plain, plain.definition, false);
  for (const t of s.templates) {
    const m = t.re.exec(name);
    if (!m) continue;
    let canonical = t.literals[0];
    for (let i = 1; i < t.literals.length; i++) canonical += m[i] + t.literals[i];
    return keyInfo(t.def, canonical, true);
  }
  return undefined;
}

/** Every key definition (plain and templated), global first, for completion lists. */
export function allConditionKeys(): readonly ConditionKeyInfo[] {
  const s = st();
  return [
    ...[...s.plainKeys.values()].map(d => keyInfo(d, d.definition, false)),
    ...s.templates.map(t => keyInfo(t.def, t.def.definition, true)),
  ];
}

/**
 * Is the key's prefix one whose keys this knowledge base lists completely (`aws:`, `s3:`,
 * `kms:`)? For other prefixes an unknown key is not necessarily an error.
 */
export function isKeyPrefixCovered(name: string): boolean {
  const colon = name.indexOf(':');
  if (colon <= 0) return false;
  const p = name.slice(0, colon).toLowerCase();
  return p === 'aws' || isKnownService(p);
}

function applicableKeys(a: ActionInfo): ReadonlySet<string> {
  const s = st();
  const hit = s.applicable.get(a);
  if (hit) return hit;
  const set = new Set<string>();
  for (const k of a.conditionKeys) set.add(k.toLowerCase());
  const svc = s.services.get(a.service);
  for (const rt of a.resourceTypes) {
    for (const k of rt.conditionKeys) set.add(k.toLowerCase());
    for (const k of svc?.resourceTypeByName.get(rt.name.toLowerCase())?.conditionKeys ?? []) set.add(k.toLowerCase());
  }
  s.applicable.set(a, set);
  return set;
}

/**
 * Can `key` appear in the request context of `action`? True for every global key; for a
 * service key, true when the SAR lists it for the action (action-level, for one of the
 * action's resource types, or on one of those resource types). False for unknown keys or
 * actions. Action patterns are not expanded here: use expandActionPattern.
 */
export function keyAppliesToAction(key: string, action: string | ActionInfo): boolean {
  const k = lookupConditionKey(key);
  if (!k) return false;
  if (k.source === 'global') return true;
  const a = typeof action === 'string' ? lookupAction(action) : action;
  if (!a || a.service !== k.source) return false;
  return applicableKeys(a).has(k.definition.toLowerCase());
}

/** Actions whose request context can carry `key` (all covered actions for a global key). */
export function actionsSupportingKey(key: string): ActionInfo[] {
  const k = lookupConditionKey(key);
  if (!k) return [];
  if (k.source === 'global') return [...st().allActions];
  return allActions(k.source).filter(a => applicableKeys(a).has(k.definition.toLowerCase()));
}
