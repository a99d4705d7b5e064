// S3 and KMS actions: lookups, pattern expansion, resource types and the wildcard families worth
// offering.
import { hasWildcard, compileWildcard } from '../policy/wildcard';
import { BoundedCache, stringBytes } from '../bounded-cache';
import { splitAction, tables as st } from './tables';
import type { ActionInfo, KnownService, ResourceTypeInfo } from './types';

/** Is `prefix` (case-insensitive) a service this knowledge base covers (`s3`, `kms`)? */
export function isKnownService(prefix: string): boolean {
  const p = prefix.toLowerCase();
  return p === 's3' || p === 'kms';
}

/** Case-insensitive lookup of `service:Action`; undefined for unknown actions and other services. */
export function lookupAction(fullName: string): ActionInfo | undefined {
  const parts = splitAction(fullName);
  if (!parts) return undefined;
  const svc = st().services.get(parts[0] as KnownService);
  return svc?.byName.get(parts[1]);
}

/** All actions of one covered service, or of all of them (sorted by name within a service). */
export function allActions(service?: KnownService): readonly ActionInfo[] {
  const s = st();
  if (service === undefined) return s.allActions;
  return s.services.get(service)?.actions ?? [];
}

/**
 * Actions matched by an IAM action pattern (`*` any run, `?` one character, case-insensitive):
 * `s3:Get*`, `s3:*Object*`, `kms:*`, `*`. Only covered services can match; a pattern without a
 * service prefix matches only when it is all `*`.
 */
const expansions = new BoundedCache<string, readonly ActionInfo[]>({
  maxBytes: 1024 * 1024,
  sizeOf: (k, v) => stringBytes(k) + 8 * v.length + 32,
});

/** Memoised: rules expand the same few patterns on every keystroke. */
export function expandActionPattern(pattern: string): readonly ActionInfo[] {
  let hit = expansions.get(pattern);
  if (!hit) {
    hit = Object.freeze(expandUncached(pattern));
    expansions.set(pattern, hit);
  }
  return hit;
}

function expandUncached(pattern: string): ActionInfo[] {
  const s = st();
  const colon = pattern.indexOf(':');
  if (colon < 0) return /^\*+$/.test(pattern) ? [...s.allActions] : [];
  const svcRe = compileWildcard(pattern.slice(0, colon), { ignoreCase: true });
  const nameRe = compileWildcard(pattern.slice(colon + 1), { ignoreCase: true });
  const out: ActionInfo[] = [];
  for (const [prefix, svc] of s.services) {
    if (!svcRe.test(prefix)) continue;
    for (const a of svc.actions) if (nameRe.test(a.name)) out.push(a);
  }
  return out;
}

/**
 * The actions an `Action`/`NotAction` value names: every action a pattern matches, or the one
 * action it spells (none when it is unknown or of another service).
 */
export function actionsNamed(value: string): readonly ActionInfo[] {
  if (hasWildcard(value)) return expandActionPattern(value);
  const a = lookupAction(value);
  return a ? [a] : [];
}

/**
 * Names of the resource types an action applies to (`object`, `bucket`, `accesspoint`, `key`,
 * ...). `[]` means the action only supports `"Resource": "*"`; undefined means the action is
 * unknown.
 */
export function resourceTypesOf(action: string | ActionInfo): readonly string[] | undefined {
  const a = typeof action === 'string' ? lookupAction(action) : action;
  return a?.resourceTypes.map(r => r.name);
}

/** A resource type of a covered service by name (case-insensitive). */
export function lookupResourceType(service: string, name: string): ResourceTypeInfo | undefined {
  if (!isKnownService(service)) return undefined;
  return st()
    .services.get(service.toLowerCase() as KnownService)
    ?.resourceTypeByName.get(name.toLowerCase());
}

/** All resource types of a covered service, sorted by name. */
export function allResourceTypes(service: KnownService): readonly ResourceTypeInfo[] {
  return st().services.get(service)?.resourceTypes ?? [];
}

/** A wildcard action pattern worth suggesting: `s3:*`, `s3:Put*`, `kms:GenerateDataKey*`. */
export interface ActionFamily {
  readonly pattern: string;
  /** The actions it matches (at least two). */
  readonly actions: readonly ActionInfo[];
}

const families = new Map<KnownService, readonly ActionFamily[]>();

/** Leading words of an action name at capital-letter boundaries: `GetBucketPolicy` → `Get`, `GetBucket`. */
function wordPrefixes(name: string): string[] {
  const cuts: number[] = [];
  for (let i = 1; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90 && name.charCodeAt(i - 1) >= 97) cuts.push(i);
  }
  return cuts.slice(0, 2).map(i => name.slice(0, i));
}

/**
 * The wildcard patterns of one service worth offering, sorted by pattern: `svc:*`, then
 * `svc:P*` for the first one or two words P of the action names (`s3:Get*`, `s3:GetBucket*`)
 * and for action names that prefix others (`kms:GenerateDataKey*`), keeping one pattern per
 * distinct set of matched actions (the longest) and only those matching two or more actions.
 */
export function actionFamilies(service: KnownService): readonly ActionFamily[] {
  const hit = families.get(service);
  if (hit) return hit;
  const actions = allActions(service);
  const prefixes = new Set<string>();
  for (const a of actions) for (const p of wordPrefixes(a.name)) prefixes.add(p);
  for (const a of actions) if (actions.some(b => b !== a && b.name.startsWith(a.name))) prefixes.add(a.name);
  const bySet = new Map<string, ActionFamily>();
  for (const p of prefixes) {
    if (p.length < 3) continue; // `kms:Re*` would mix ReEncrypt*, RetireGrant and RevokeGrant
    const matched = actions.filter(a => a.name.startsWith(p));
    if (matched.length < 2) continue;
    const id = matched.map(a => a.name).join(',');
    const prev = bySet.get(id);
    if (!prev || prev.pattern.length < service.length + 2 + p.length)
      bySet.set(id, { pattern: `${service}:${p}*`, actions: matched });
  }
  const out = [{ pattern: `${service}:*`, actions }, ...[...bySet.values()].sort((x, y) => (x.pattern < y.pattern ? -1 : 1))];
  families.set(service, Object.freeze(out));
  return out;
}
