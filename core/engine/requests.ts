// The request classes of docs/design/engine.md#request-classes: from a policy, the finite set of requests that is complete
// for it. Only what the policy mentions can change its decision, so every dimension is built from
// what the policy names (principals, actions, object patterns, condition keys and their literals)
// plus one value it does not name. Requests are produced lazily, level by level (a depth-first
// walk over the product of the dimensions), so that a caller can stop at the first witness and
// skip whole subtrees that a Deny already covers. No vscode or LSP imports.
import type { JsonNode, PolicyDocument, Statement } from '../policy/model';
import {
  dominantPartition,
  parseArn,
  parseS3Arn,
  accountPrincipal,
  assumedRoleSession,
  iamIdentity,
  ACCOUNT_ID,
  PARTITIONS,
} from '../policy/arn';
import { parseOperator, type OperatorFamily } from '../policy/operators';
import { hasWildcard, matchesWildcard, compileWildcard, type WildcardMatcher } from '../policy/wildcard';
import { BoundedCache, stringBytes } from '../bounded-cache';
import { hasVariableSyntax, isEscape, replaceVariables, splitVariables, variableKeys } from '../policy/variables';
import {
  allActions,
  isKeyPrefixCovered,
  keyAppliesToAction,
  lookupConditionKey,
  type ActionInfo,
  type ConditionKeyType,
} from '../knowledge';
import { parseCidr } from './conditions';
import type { Request, RequestPrincipal, UploadClass, Witness } from '../../shared/types';

// ---------------------------------------------------------------------------------------------
// Context keys the engine sets itself (lower-cased, as in Request.context)

export const SECURE_TRANSPORT = 'aws:securetransport';
export const TLS_VERSION = 's3:tlsversion';
export const SSE = 's3:x-amz-server-side-encryption';
export const SSE_KMS_KEY_ID = 's3:x-amz-server-side-encryption-aws-kms-key-id';
export const SSE_CUSTOMER_ALGORITHM = 's3:x-amz-server-side-encryption-customer-algorithm';
export const TRANSPORT_KEYS: readonly string[] = [SECURE_TRANSPORT, TLS_VERSION];
export const SSE_KEYS: readonly string[] = [SSE, SSE_KMS_KEY_ID, SSE_CUSTOMER_ALGORITHM];
export const TLS_VERSIONS = ['1.0', '1.1', '1.2', '1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/**
 * Condition keys enumerated, one level of the request walk each. Real policies test a handful; a
 * document testing thousands would make every request a walk through thousands of levels, so past
 * this the rest are left out and the answers say they are incomplete.
 */
export const MAX_KEY_LEVELS = 64;

/** Server access logging delivers with no SSE header (docs/design/aws-facts.md#enc-013): always one of the principals. */
export const LOG_DELIVERY_SERVICE = 'logging.s3.amazonaws.com';

/**
 * Keys that follow from who sends the request; they are set with the principal instead of being
 * enumerated, so that no request is inconsistent (an anonymous caller with an aws:PrincipalArn).
 * IAM-UG reference_policies_condition-keys: absent for anonymous callers except aws:PrincipalType.
 */
export const PRINCIPAL_KEYS: readonly string[] = [
  'aws:principalarn',
  'aws:principalaccount',
  'aws:principalisawsservice',
  'aws:principalservicename',
  'aws:principalservicenameslist',
  'aws:principaltype',
  'aws:username',
];

/** Keys that only an IAM principal's request carries (never anonymous or service requests); enumerated for IAM principals only. */
const IDENTITY_KEY =
  /^aws:(principalorgid|principalorgpaths|principaltag\/.*|userid|multifactorauthpresent|multifactorauthage|tokenissuetime|sourceidentity|federatedprovider|assumedroot|signinsessionarn)$/;

/** Keys IAM always puts in the request context (no "absent" class for them). */
const ALWAYS_PRESENT = new Set(['aws:currenttime', 'aws:epochtime', 'aws:requestedregion']);

const OBJECT_KEY_INSTANCE = 'example';
const FRESH_STRING = 'other';
const FRESH_ACCOUNT = '999999999999';

// ---------------------------------------------------------------------------------------------
// Small helpers

type ContextValue = string | readonly string[];

function stringsIn(node: JsonNode | undefined, out: string[] = []): string[] {
  if (!node) return out;
  if (node.type === 'string' && typeof node.value === 'string') out.push(node.value);
  for (const c of node.children ?? []) stringsIn(c, out);
  return out;
}

export { variableKeys };

/**
 * Every context key a statement can read, lower-cased: its condition keys and the keys of the policy
 * variables anywhere in it (Resource, condition values…). A statement's applicability depends on the
 * principal, the action, the resource and these keys only.
 */
export function statementKeys(st: Statement): ReadonlySet<string> {
  let keys = statementKeyCache.get(st);
  if (keys) return keys;
  const found = new Set<string>();
  for (const o of st.condition?.operators ?? []) for (const e of o.entries) found.add(e.key.value.toLowerCase());
  for (const s of stringsIn(st.node)) if (s.includes('${')) for (const k of variableKeys(s)) found.add(k);
  statementKeyCache.set(st, (keys = found));
  return keys;
}
const statementKeyCache = new WeakMap<Statement, ReadonlySet<string>>();

export const isDeny = (st: Statement): boolean => st.effect?.value === 'Deny';

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

const hasVariable = hasVariableSyntax;

// ---------------------------------------------------------------------------------------------
// Principals

export function principalLabel(p: RequestPrincipal): string {
  return p.kind === 'anonymous' ? 'anonymous' : p.kind === 'aws' ? p.arn : p.service;
}

/**
 * Who sends the requests of a principal a policy names. A role never signs a request itself: its
 * sessions do (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`). `Principal` with the role's ARN takes
 * its sessions in; `NotPrincipal` with it does not spare them (IAM-UG
 * reference_policies_elements_notprincipal: name the session, and the role and account too). So a
 * named role stands in the request classes as one of its sessions; users, account roots and sessions
 * stand as themselves.
 */
export function requester(arn: string): string {
  const identity = iamIdentity(arn);
  if (identity?.kind !== 'role') return arn;
  return `arn:${identity.arn.partition}:sts::${identity.arn.account}:assumed-role/${identity.name}/${ROLE_SESSION}`;
}

/** The session name of the request classes' role sessions. */
export const ROLE_SESSION = 'session';

/** The principal a witness names: `anonymous`, an ARN (or a bare account ID), or a service principal name. */
export function principalFromLabel(label: string, partition = 'aws'): RequestPrincipal {
  if (label === 'anonymous') return { kind: 'anonymous' };
  if (ACCOUNT_ID.test(label)) return { kind: 'aws', arn: `arn:${partition}:iam::${label}:root`, account: label };
  const arn = parseArn(label);
  if (arn) return { kind: 'aws', arn: label, account: arn.account };
  return { kind: 'service', service: label };
}

function principalType(arn: string): string {
  if (accountPrincipal(arn)) return 'Account';
  const parsed = parseArn(arn);
  if (parsed?.service === 'sts' && parsed.resource.startsWith('federated-user/')) return 'FederatedUser';
  return iamIdentity(arn)?.kind === 'user' ? 'User' : 'AssumedRole';
}

/** The context keys that follow from the principal (PRINCIPAL_KEYS), lower-cased. */
export function principalContext(p: RequestPrincipal): Record<string, ContextValue> {
  switch (p.kind) {
    case 'anonymous':
      return { 'aws:principaltype': 'Anonymous' };
    case 'service':
      return {
        'aws:principalisawsservice': 'true',
        'aws:principalservicename': p.service,
        'aws:principalservicenameslist': [p.service],
      };
    case 'aws': {
      const session = assumedRoleSession(p.arn);
      const partition = parseArn(p.arn)?.partition ?? 'aws';
      const ctx: Record<string, ContextValue> = {
        // A session's aws:PrincipalArn is its role's ARN (IAM-UG, aws:PrincipalArn).
        'aws:principalarn': session ? `arn:${partition}:iam::${session.account}:role/${session.role}` : p.arn,
        'aws:principalaccount': p.account,
        'aws:principalisawsservice': 'false',
        'aws:principaltype': principalType(p.arn),
      };
      const identity = iamIdentity(p.arn);
      if (identity?.kind === 'user') ctx['aws:username'] = identity.name;
      return ctx;
    }
  }
}

/** Principals the policy cannot tell apart, asked once for all of them. */
export interface PrincipalClass {
  readonly representative: RequestPrincipal;
  readonly members: readonly RequestPrincipal[];
}

/**
 * Group principals by everything about them the policy can read: which statements' Principal /
 * NotPrincipal elements take them in, their kind (identity-only keys exist for IAM principals only),
 * and the value of every principal key (`aws:PrincipalArn`, `aws:PrincipalAccount`…) that a
 * condition reads; `also` adds what a caller sets from the principal (kms:CallerAccount, say).
 * Principals with the same signature get the same decision on every request, so a question asked of
 * the representative answers for the class: a key policy naming 500 administrators costs 500
 * signature checks and a few searches, not 500 searches over every statement.
 */
export function principalClasses(
  principals: readonly RequestPrincipal[],
  policy: { principalSignature(p: RequestPrincipal): string },
  referencedKeys: ReadonlySet<string>,
  also: (p: RequestPrincipal) => string = () => '',
): PrincipalClass[] {
  const keys = PRINCIPAL_KEYS.filter(k => referencedKeys.has(k));
  const groups = new Map<string, RequestPrincipal[]>();
  for (const p of principals) {
    let sig = `${p.kind}|${also(p)}|${policy.principalSignature(p)}`;
    if (keys.length) {
      const ctx = principalContext(p);
      for (const k of keys) sig += `|${JSON.stringify(ctx[k] ?? null)}`;
    }
    const g = groups.get(sig);
    if (g) g.push(p);
    else groups.set(sig, [p]);
  }
  return [...groups.values()].map(members => ({ representative: members[0], members }));
}

// ---------------------------------------------------------------------------------------------
// The classes

export interface ActionClass {
  /** The representative, canonical `s3:Name`. */
  readonly action: string;
  /** Object actions act on `bucket/key`, bucket actions on the bucket ARN. */
  readonly target: 'object' | 'bucket';
  /** Its request context can carry the SSE headers (docs/design/aws-facts.md#table-0-1: PutObject, ReplicateObject…). */
  readonly carriesSse: boolean;
  /** Every S3 action the policy cannot tell apart from the representative. */
  readonly members: readonly string[];
}

export interface UploadSpec {
  readonly sse: UploadClass['sse'];
  readonly kmsKey: string | null;
  /** The SSE context keys of such a PutObject (docs/design/aws-facts.md#table-0-3), lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface KeyDomain {
  /** Lower-cased context key. */
  readonly key: string;
  /** Canonical spelling for witnesses. */
  readonly name: string;
  /** Values in enumeration order; `undefined` stands for "absent from the request". */
  readonly values: readonly (ContextValue | undefined)[];
  /** `identity`: only IAM principals' requests carry it. */
  readonly scope: 'request' | 'identity';
  /** Which requests can carry the key at all. */
  readonly presence: 'always' | 'never' | 'per-action';
}

export interface Transport {
  readonly secure: boolean;
  readonly tls?: TlsVersion;
}

export interface RequestClasses {
  readonly bucket: string;
  readonly partition: string;
  readonly bucketArn: string;
  /** Object ARNs: for each object pattern a key that matches and one that does not. */
  readonly objectArns: readonly string[];
  readonly principals: readonly RequestPrincipal[];
  readonly actions: readonly ActionClass[];
  readonly uploads: readonly UploadSpec[];
  /** Condition keys other than the transport, SSE and principal keys, which have levels of their own (the first MAX_KEY_LEVELS). */
  readonly keys: readonly KeyDomain[];
  /** Condition keys left out past MAX_KEY_LEVELS: answers built on these classes are then incomplete. */
  readonly keysLeftOut: number;
  readonly transports: readonly Transport[];
  /** KMS key ARNs (or patterns) the policy compares the key-id header with. */
  readonly kmsKeys: readonly string[];
  /** The fresh key ARN used for the "other key" upload classes. */
  readonly otherKmsKey: string;
  /** Every context key the statements read (lower-cased): what a witness shows. */
  readonly referencedKeys: ReadonlySet<string>;
  /** Lower-cased key → spelling for witnesses. */
  readonly keyNames: ReadonlyMap<string, string>;
  /** The statements the classes were built from. */
  readonly statements: readonly Statement[];
}

export interface RequestClassOptions {
  /** Build the classes from these statements only (the verdict uses the Deny statements). */
  statements?: (st: Statement) => boolean;
}

interface KeyUsage {
  name: string;
  families: Set<OperatorFamily | 'unknown'>;
  literals: unknown[];
  setOperator: boolean;
}

/** The canonical spelling of a context key for witnesses, or the spelling the policy uses. */
export function keyDisplayName(key: string, asWritten?: string): string {
  switch (key.toLowerCase()) {
    case SECURE_TRANSPORT:
      return 'aws:SecureTransport';
    case TLS_VERSION:
      return 's3:TlsVersion';
  }
  return lookupConditionKey(asWritten ?? key)?.name ?? asWritten ?? key;
}

function bucketPartition(doc: PolicyDocument, bucket: string): string {
  for (const st of doc.statements) {
    for (const i of [...(st.resource?.items ?? []), ...(st.notResource?.items ?? [])]) {
      if (typeof i.value !== 'string') continue;
      const arn = parseS3Arn(i.value);
      if (arn && arn.bucket === bucket && PARTITIONS.includes(arn.partition)) return arn.partition;
    }
  }
  return dominantPartition(doc) ?? 'aws';
}

/** The request classes of one bucket, built from the policy's statements (or those `options.statements` selects). */
export function requestClasses(doc: PolicyDocument, bucket: string, options: RequestClassOptions = {}): RequestClasses {
  const statements = doc.statements.filter(options.statements ?? (() => true));
  const partition = bucketPartition(doc, bucket);
  const bucketArn = `arn:${partition}:s3:::${bucket}`;

  // --- what the statements mention
  const named: RequestPrincipal[] = [];
  const services: string[] = [];
  const accounts: string[] = [];
  const usages = new Map<string, KeyUsage>();
  const actionPatterns = new Set<string>();
  const resourcePatterns: string[] = [];
  const referenced = new Set<string>();
  const keyNames = new Map<string, string>();

  // Sets beside the lists: a 20 KB policy can name thousands of principals, and list scans made this quadratic.
  const accountSet = new Set<string>();
  const namedArns = new Set<string>();
  const serviceSet = new Set<string>();
  const addAccount = (a: string) => {
    if (a && !accountSet.has(a)) {
      accountSet.add(a);
      accounts.push(a);
    }
  };
  const addPrincipal = (arn: string, account: string, namesAccount = true) => {
    const who = requester(arn);
    if (!namedArns.has(who)) {
      namedArns.add(who);
      named.push(who === arn ? { kind: 'aws', arn, account } : { kind: 'aws', arn: who, account, written: arn });
    }
    if (namesAccount) addAccount(account);
  };
  /** A Principal value: an account (12 digits or its root ARN) or an IAM ARN; "*" and partial wildcards name no one in particular (GRM-005). */
  const addNamed = (value: string) => {
    if (hasWildcard(value) || hasVariable(value)) return;
    const account = accountPrincipal(value);
    if (account) addPrincipal(`arn:${partition}:iam::${account}:root`, account);
    else {
      const arn = parseArn(value);
      if (arn) addPrincipal(value, arn.account);
    }
  };
  const addService = (s: string) => {
    if (s && !hasWildcard(s) && !serviceSet.has(s)) {
      serviceSet.add(s);
      services.push(s);
    }
  };
  const usage = (key: string, asWritten: string): KeyUsage => {
    let u = usages.get(key);
    if (!u)
      usages.set(key, (u = { name: keyDisplayName(key, asWritten), families: new Set(), literals: [], setOperator: false }));
    return u;
  };

  for (const st of statements) {
    for (const block of [st.principal, st.notPrincipal]) {
      for (const e of block?.entries ?? []) {
        const type = e.type.value;
        for (const item of e.values.items) {
          if (typeof item.value !== 'string' || item.value === '*') continue;
          if (type === 'AWS') addNamed(item.value);
          else if (type === 'Service') addService(item.value);
          // Federated and CanonicalUser principals have no request class: bucket policies rarely
          // name them and the RequestPrincipal model has no such kind.
        }
      }
    }
    for (const list of [st.action, st.notAction])
      for (const i of list?.items ?? []) if (typeof i.value === 'string') actionPatterns.add(i.value);
    for (const list of [st.resource, st.notResource])
      for (const i of list?.items ?? []) if (typeof i.value === 'string') resourcePatterns.push(i.value);
    for (const o of st.condition?.operators ?? []) {
      const op = parseOperator(o.operator.value);
      for (const e of o.entries) {
        const key = e.key.value.toLowerCase();
        if (!keyNames.has(key)) keyNames.set(key, keyDisplayName(key, e.key.value));
        const u = usage(key, e.key.value);
        u.families.add(op?.family ?? 'unknown');
        if (op?.set) u.setOperator = true;
        if (op?.family !== 'Null') for (const i of e.values.items) u.literals.push(i.value);
      }
    }
    for (const k of statementKeys(st)) {
      referenced.add(k);
      if (!usages.has(k)) usage(k, k);
      if (!keyNames.has(k)) keyNames.set(k, keyDisplayName(k));
    }
  }

  const stringLiterals = (key: string): string[] =>
    (usages.get(key)?.literals ?? []).filter((v): v is string => typeof v === 'string' && !hasVariable(v));

  // --- principals named through their condition keys
  for (const pattern of stringLiterals('aws:principalarn')) {
    const arn = instantiate(pattern);
    const parsed = parseArn(arn);
    if (parsed) addPrincipal(arn, parsed.account);
  }
  for (const a of stringLiterals('aws:principalaccount')) addAccount(instantiate(a));
  for (const s of stringLiterals('aws:principalservicename')) addService(instantiate(s));
  let freshAccount = FRESH_ACCOUNT;
  while (accountSet.has(freshAccount)) freshAccount = String(Number(freshAccount) - 1).padStart(12, '0');
  // aws:username is an IAM user's name: a user of that name in the first named account.
  for (const name of stringLiterals('aws:username')) {
    const account = accounts[0] ?? freshAccount;
    addPrincipal(`arn:${partition}:iam::${account}:user/${instantiate(name)}`, account, false);
  }
  addService(LOG_DELIVERY_SERVICE);

  const principals: RequestPrincipal[] = [{ kind: 'anonymous' }, ...named];
  for (const a of accounts) {
    let arn = `arn:${partition}:iam::${a}:role/other-principal`;
    if (namedArns.has(arn)) arn += '-2';
    principals.push({ kind: 'aws', arn, account: a });
  }
  principals.push({ kind: 'aws', arn: `arn:${partition}:iam::${freshAccount}:role/other-principal`, account: freshAccount });
  for (const s of services) principals.push({ kind: 'service', service: s });

  // --- condition keys (other than transport, SSE and principal keys)
  const keys: KeyDomain[] = [];
  const freshValues = new Map<string, string>();
  let keysLeftOut = 0;
  for (const [key, u] of usages) {
    if (TRANSPORT_KEYS.includes(key) || SSE_KEYS.includes(key) || PRINCIPAL_KEYS.includes(key)) continue;
    if (keys.length >= MAX_KEY_LEVELS) {
      keysLeftOut++;
      continue;
    }
    const domain = keyDomain(key, u, partition, freshAccount);
    keys.push(domain);
    // The fresh value comes last; policy variables in object patterns are instantiated with it.
    const fresh = [...domain.values].reverse().find((v): v is string => typeof v === 'string');
    freshValues.set(key, fresh ?? FRESH_STRING);
  }
  const variableValue = (key: string): string => freshValues.get(key) ?? OBJECT_KEY_INSTANCE;

  // --- resources
  const objectArns = objectResources(resourcePatterns, partition, bucket, variableValue);

  // --- actions
  const serviceKeys = [...usages.keys()].filter(
    k => !k.startsWith('aws:') && isKeyPrefixCovered(k) && !TRANSPORT_KEYS.includes(k) && !SSE_KEYS.includes(k),
  );
  const actions = actionClasses([...actionPatterns], serviceKeys);

  // --- uploads
  const kmsKeys = [...new Set(stringLiterals(SSE_KMS_KEY_ID))];
  const region = kmsKeys.map(k => parseArn(k)?.region).find(r => r && !hasWildcard(r)) ?? 'us-east-1';
  let otherKmsKey = `arn:${partition}:kms:${region}:${freshAccount}:key/00000000-0000-4000-8000-000000000000`;
  for (let n = 1; kmsKeys.some(k => matchesWildcard(otherKmsKey, k)) && n < 10; n++)
    otherKmsKey = otherKmsKey.slice(0, -1) + String(n);
  const uploads: UploadSpec[] = [
    { sse: 'none', kmsKey: null, headers: {} },
    { sse: 'AES256', kmsKey: null, headers: { [SSE]: 'AES256' } },
  ];
  for (const sse of ['aws:kms', 'aws:kms:dsse'] as const) {
    uploads.push({ sse, kmsKey: null, headers: { [SSE]: sse } });
    for (const k of kmsKeys) uploads.push({ sse, kmsKey: k, headers: { [SSE]: sse, [SSE_KMS_KEY_ID]: instantiate(k) } });
    uploads.push({ sse, kmsKey: 'other', headers: { [SSE]: sse, [SSE_KMS_KEY_ID]: otherKmsKey } });
  }
  uploads.push({ sse: 'SSE-C', kmsKey: null, headers: { [SSE_CUSTOMER_ALGORITHM]: 'AES256' } });

  const transports: Transport[] = [{ secure: false }, ...TLS_VERSIONS.map(tls => ({ secure: true, tls }))];

  return {
    bucket,
    partition,
    bucketArn,
    objectArns,
    principals,
    actions,
    uploads,
    keys,
    keysLeftOut,
    transports,
    kmsKeys,
    otherKmsKey,
    referencedKeys: referenced,
    keyNames,
    statements,
  };
}

// ---------------------------------------------------------------------------------------------
// Values of one condition key

const FAMILY_OF_TYPE: Record<string, OperatorFamily> = {
  String: 'String',
  ARN: 'Arn',
  Numeric: 'Numeric',
  Bool: 'Bool',
  Date: 'Date',
  IPAddress: 'IpAddress',
  Binary: 'Binary',
};

function keyType(key: string, u: KeyUsage): { family: OperatorFamily | 'unknown'; multivalued: boolean } {
  const info = lookupConditionKey(key);
  if (info) {
    const base = info.type.replace(/^ArrayOf/, '') as ConditionKeyType;
    return { family: FAMILY_OF_TYPE[base] ?? 'String', multivalued: info.multivalued };
  }
  const fam = [...u.families].find(f => f !== 'Null' && f !== 'unknown') ?? 'String';
  return { family: fam, multivalued: false };
}

function keyDomain(key: string, u: KeyUsage, partition: string, freshAccount: string): KeyDomain {
  const info = lookupConditionKey(key);
  let presence: KeyDomain['presence'];
  if (info) presence = info.source === 'global' ? 'always' : 'per-action';
  // A key of a covered prefix (aws:, s3:, kms:) that the tables do not know is a typo: never in a request (GRM-017).
  else presence = isKeyPrefixCovered(key) ? 'never' : 'always';
  const scope: KeyDomain['scope'] = IDENTITY_KEY.test(key) ? 'identity' : 'request';
  if (presence === 'never') return { key, name: u.name, values: [undefined], scope, presence };

  const { family, multivalued } = keyType(key, u);
  const families = new Set<OperatorFamily | 'unknown'>([family, ...u.families]);
  families.delete('Null');
  families.delete('unknown');
  if (families.size === 0) families.add('String');

  const literals = u.literals
    .map(v => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined))
    .filter((v): v is string => v !== undefined && !hasVariable(v));
  const values: string[] = [];
  const added = new Set<string>();
  const add = (v: string | undefined) => {
    if (v !== undefined && !added.has(v)) {
      added.add(v);
      values.push(v);
    }
  };
  for (const lit of literals) {
    if (families.has('Numeric')) for (const v of numericBoundaries(lit)) add(v);
    if (families.has('Date')) for (const v of dateBoundaries(lit)) add(v);
    if (families.has('IpAddress')) for (const v of ipClasses(lit)) add(v);
    if (families.has('Bool')) {
      add('true');
      add('false');
    }
    if (families.has('String') || families.has('Arn') || families.has('Binary')) {
      add(lit);
      if (hasWildcard(lit)) add(instantiate(lit));
    }
  }
  // One fresh value, of the key's type.
  if (families.has('Bool')) {
    add('true');
    add('false');
  }
  if (families.has('Numeric') && values.length === 0) add('0');
  if (families.has('Date') && values.length === 0) add('2001-01-01T00:00:00Z');
  if (families.has('IpAddress') && values.length === 0) add('192.0.2.10');
  if (families.has('Binary')) add(freshAgainst('b3RoZXI=', literals));
  if (families.has('Arn')) add(freshAgainst(`arn:${partition}:iam::${freshAccount}:role/other`, literals));
  if (families.has('String')) add(freshAgainst(FRESH_STRING, literals));

  let ordered: (ContextValue | undefined)[];
  if (multivalued || (u.setOperator && info?.multivalued !== false)) {
    const lists: ContextValue[] = [[], ...values.map(v => [v])];
    if (values.length > 1) lists.push([values[0], values[values.length - 1]]);
    ordered = [undefined, ...lists];
  } else ordered = [undefined, ...values];
  if (ALWAYS_PRESENT.has(key)) ordered = ordered.filter(v => v !== undefined);
  return { key, name: u.name, values: ordered, scope, presence };
}

/** `base`, or `base-2`, `base-3`… whichever no literal (as a wildcard pattern) matches. */
function freshAgainst(base: string, literals: readonly string[]): string {
  let v = base;
  for (let n = 2; literals.some(l => l === v || matchesWildcard(v, l)) && n < 50; n++) v = `${base}-${n}`;
  return v;
}

function numericBoundaries(lit: string): string[] {
  const s = lit.trim();
  if (!/^[-+]?\d+(\.\d+)?$/.test(s)) return [lit];
  const decimals = (s.split('.')[1] ?? '').length;
  const n = Number(s);
  const step = 10 ** -decimals;
  return [(n - step).toFixed(decimals), s, (n + step).toFixed(decimals)];
}

function dateBoundaries(lit: string): string[] {
  const s = lit.trim();
  if (/^\d+$/.test(s)) return [String(Number(s) - 1), s, String(Number(s) + 1)];
  const t = Date.parse(s);
  if (Number.isNaN(t)) return [lit];
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  return [iso(t - 1000), s, iso(t + 1000)];
}

/** An address inside and one outside a CIDR (IPv4 or IPv6), parsed as the evaluator parses it. */
export function ipClasses(cidr: string): string[] {
  const range = parseCidr(cidr.trim());
  if (!range) return [cidr];
  const width = range.bytes.length * 8;
  const value = range.bytes.reduce((acc, b) => (acc << 8n) + BigInt(b), 0n);
  const hostBits = BigInt(width - range.prefix);
  const network = (value >> hostBits) << hostBits;
  const last = network + (1n << hostBits) - 1n;
  const max = (1n << BigInt(width)) - 1n;
  const fmt = width === 32 ? formatIPv4 : formatIPv6;
  const out = [fmt(network)];
  if (network > 0n) out.push(fmt(network - 1n));
  else if (last < max) out.push(fmt(last + 1n));
  return out;
}

const formatIPv4 = (v: bigint): string => [24n, 16n, 8n, 0n].map(s => String((v >> s) & 255n)).join('.');
const formatIPv6 = (v: bigint): string =>
  Array.from({ length: 8 }, (_, i) => ((v >> BigInt((7 - i) * 16)) & 0xffffn).toString(16)).join(':');

// ---------------------------------------------------------------------------------------------
// Resources

/** A Resource pattern split once into what objectResources asks of it for every bucket. */
interface ObjectPattern {
  /** Service `s3`, empty region and account: the pattern can name S3 objects at all. */
  readonly s3: boolean;
  readonly partition: WildcardMatcher;
  /** The bucket part before the first `/` of the resource, or undefined when the resource has no `/`. */
  readonly bucket: WildcardMatcher | undefined;
  /** The key part after that `/`, or the whole resource when it has none. */
  readonly rest: string;
  readonly whole: WildcardMatcher;
}

/** Parsed once per pattern text: a document's patterns are asked about each of its buckets. */
const objectPatternCache = new BoundedCache<string, ObjectPattern | null>({
  maxBytes: 2 * 1024 * 1024,
  sizeOf: k => 4 * stringBytes(k),
});

function objectPattern(pattern: string): ObjectPattern | null {
  const hit = objectPatternCache.get(pattern);
  if (hit !== undefined) return hit;
  let parsed: ObjectPattern | null = null;
  const arn = parseArn(pattern);
  if (arn) {
    const slash = arn.resource.indexOf('/');
    parsed = {
      s3: matchesWildcard('s3', arn.service) && matchesWildcard('', arn.region) && matchesWildcard('', arn.account),
      partition: compileWildcard(arn.partition),
      bucket: slash >= 0 ? compileWildcard(arn.resource.slice(0, slash)) : undefined,
      rest: slash >= 0 ? arn.resource.slice(slash + 1) : arn.resource,
      whole: compileWildcard(pattern),
    };
  }
  objectPatternCache.set(pattern, parsed);
  return parsed;
}

/**
 * Object ARNs of the bucket: for each object pattern that can cover the bucket's objects, a key that
 * matches it and (when one exists) a key that does not; `bucket/example` when the policy has no
 * object pattern.
 */
function objectResources(
  patterns: readonly string[],
  partition: string,
  bucket: string,
  variable: (key: string) => string,
): string[] {
  const prefix = `arn:${partition}:s3:::${bucket}/`;
  const seen = new Set<string>();
  const matching: string[] = [];
  const others: string[] = [];
  const add = (list: string[], key: string) => {
    const arn = prefix + key;
    if (!seen.has(arn)) {
      seen.add(arn);
      list.push(arn);
    }
  };
  for (const raw of patterns) {
    const pattern = hasVariable(raw) ? instantiateVariablesOnly(raw, variable) : raw;
    const parsed = objectPattern(pattern);
    if (!parsed || !parsed.s3 || !parsed.partition.test(partition)) continue;
    let keyPattern: string;
    if (parsed.bucket) {
      if (!parsed.bucket.test(bucket)) continue;
      keyPattern = parsed.rest;
    } else if (hasWildcard(parsed.rest) && matchesWildcard(`${bucket}/${OBJECT_KEY_INSTANCE}`, parsed.rest)) keyPattern = '*';
    else continue;
    add(matching, instantiate(keyPattern));
    const miss = ['other', 'x', 'other/x', `${instantiate(keyPattern)}-other`, 'zzz'].find(k => !parsed.whole.test(prefix + k));
    if (miss !== undefined) add(others, miss);
  }
  const out = [...matching, ...others];
  return out.length ? out : [prefix + OBJECT_KEY_INSTANCE];
}

function instantiateVariablesOnly(pattern: string, variable: (key: string) => string): string {
  return replaceVariables(pattern, body => {
    const name = body.split(',')[0].trim();
    return isEscape(name) ? name : variable(name.toLowerCase());
  });
}

// ---------------------------------------------------------------------------------------------
// Actions

/** Representatives in this order, when a class contains them (they read best in a witness). */
const PREFERRED_ACTIONS = [
  's3:GetObject',
  's3:PutObject',
  's3:ListBucket',
  's3:DeleteObject',
  's3:GetBucketPolicy',
  's3:PutBucketPolicy',
  's3:GetBucketLocation',
];
const rank = (a: string): number => {
  const i = PREFERRED_ACTIONS.indexOf(a);
  return i < 0 ? PREFERRED_ACTIONS.length : i;
};

/** Keyed by action names, some of them as policies write them: bounded by bytes. */
const sseCarriers = new BoundedCache<string, boolean>({ maxBytes: 256 * 1024, sizeOf: k => stringBytes(k) + 16 });
/** Can the action's request context carry the SSE headers (SAR-S3, docs/design/aws-facts.md#table-0-1)? */
export function carriesSse(action: string): boolean {
  let v = sseCarriers.get(action);
  if (v === undefined) {
    v = keyAppliesToAction(SSE, action);
    sseCarriers.set(action, v);
  }
  return v;
}

function targetOf(a: ActionInfo): 'object' | 'bucket' | undefined {
  const names = a.resourceTypes.map(r => r.name);
  if (names.includes('object')) return 'object';
  if (names.includes('bucket')) return 'bucket';
  return undefined;
}

/**
 * The S3 actions on a bucket or its objects, grouped by what the policy can tell apart: which of its
 * Action/NotAction patterns match, the resource the action acts on, and which of the policy's S3
 * condition keys its request can carry. Every action the policy names falls in some class, and so do
 * the object and bucket actions it does not name.
 */
interface BucketAction {
  readonly info: ActionInfo;
  readonly target: 'object' | 'bucket';
  readonly sse: boolean;
}
let bucketActions: readonly BucketAction[] | undefined;
/** The S3 actions that act on a bucket or its objects (once). */
function s3BucketActions(): readonly BucketAction[] {
  if (!bucketActions) {
    const out: BucketAction[] = [];
    for (const info of allActions('s3')) {
      const target = targetOf(info);
      if (target) out.push({ info, target, sse: keyAppliesToAction(SSE, info) });
    }
    bucketActions = out;
  }
  return bucketActions;
}

/** Policies change a character at a time: their action classes rarely do. */
const actionClassCache = new BoundedCache<string, ActionClass[]>({
  maxBytes: 2 * 1024 * 1024,
  sizeOf: (k, v) => stringBytes(k) + v.reduce((n, c) => n + 64 + 48 * c.members.length, 0),
});

function actionClasses(patterns: readonly string[], serviceKeys: readonly string[]): ActionClass[] {
  const cacheKey = `${patterns.join('\n')}\u0000${serviceKeys.join('\n')}`;
  const hit = actionClassCache.get(cacheKey);
  if (hit) return hit;
  const regexes = patterns.map(p => compileWildcard(p, { ignoreCase: true }));
  const groups = new Map<string, { target: 'object' | 'bucket'; sse: boolean; members: string[] }>();
  for (const { info: a, target, sse } of s3BucketActions()) {
    let sig = `${target}|${sse ? 1 : 0}|`;
    for (const r of regexes) sig += r.test(a.fullName) ? '1' : '0';
    sig += '|';
    for (const k of serviceKeys) sig += keyAppliesToAction(k, a) ? '1' : '0';
    let g = groups.get(sig);
    if (!g) groups.set(sig, (g = { target, sse, members: [] }));
    g.members.push(a.fullName);
  }
  const classes = [...groups.values()].map(g => {
    const action = [...g.members].sort((x, y) => rank(x) - rank(y) || (x < y ? -1 : x > y ? 1 : 0))[0];
    return { action, target: g.target, carriesSse: g.sse, members: g.members };
  });
  classes.sort(
    (x, y) =>
      rank(x.action) - rank(y.action) ||
      (x.target === y.target ? 0 : x.target === 'object' ? -1 : 1) ||
      (x.action < y.action ? -1 : 1),
  );
  actionClassCache.set(cacheKey, classes);
  return classes;
}

// ---------------------------------------------------------------------------------------------
// Levels: one dimension each, enumerated lazily

/**
 * One dimension of the request space. `assign` sets the dimension's part of the (mutable) request for
 * each of its values in turn, yielding after each; when it finishes the part is cleared again.
 * `dims` names what it assigns: `principal`, `action`, `resource`, or lower-cased context keys.
 */
export interface Level {
  readonly name: string;
  readonly dims: readonly string[];
  assign(req: Request): Iterable<void>;
}

type MutableContext = Record<string, ContextValue>;
const ctx = (req: Request): MutableContext => req.context as MutableContext;

function setKey(req: Request, key: string, value: ContextValue | undefined): void {
  if (value === undefined) delete ctx(req)[key];
  else ctx(req)[key] = value;
}

export function principalLevel(principals: readonly RequestPrincipal[]): Level {
  return {
    name: 'principal',
    dims: ['principal', ...PRINCIPAL_KEYS],
    *assign(req) {
      for (const p of principals) {
        req.principal = p;
        for (const k of PRINCIPAL_KEYS) delete ctx(req)[k];
        Object.assign(ctx(req), principalContext(p));
        yield;
      }
      for (const k of PRINCIPAL_KEYS) delete ctx(req)[k];
    },
  };
}

/** Each action class paired with each resource it can act on (the bucket ARN, or each object ARN). */
export function actionResourceLevel(classes: RequestClasses, only?: (a: ActionClass) => boolean): Level {
  return {
    name: 'action/resource',
    dims: ['action', 'resource'],
    *assign(req) {
      for (const a of classes.actions) {
        if (only && !only(a)) continue;
        req.action = a.action;
        for (const r of a.target === 'bucket' ? [classes.bucketArn] : classes.objectArns) {
          req.resource = r;
          yield;
        }
      }
    },
  };
}

/** Each object ARN, for a fixed action set in the base request (the upload classes: s3:PutObject). */
export function objectLevel(classes: RequestClasses): Level {
  return {
    name: 'object',
    dims: ['resource'],
    *assign(req) {
      for (const r of classes.objectArns) {
        req.resource = r;
        yield;
      }
    },
  };
}

/** Sets `aws:SecureTransport` and `s3:TlsVersion` (HTTP: TLS version absent). */
export function applyTransport(req: Request, t: Transport): void {
  setKey(req, SECURE_TRANSPORT, t.secure ? 'true' : 'false');
  setKey(req, TLS_VERSION, t.secure ? (t.tls ?? '1.3') : undefined);
}

export function transportLevel(transports: readonly Transport[]): Level {
  return {
    name: 'transport',
    dims: [...TRANSPORT_KEYS],
    *assign(req) {
      for (const t of transports) {
        applyTransport(req, t);
        yield;
      }
      for (const k of TRANSPORT_KEYS) delete ctx(req)[k];
    },
  };
}

export function applyUpload(req: Request, u: UploadSpec | undefined): void {
  for (const k of SSE_KEYS) delete ctx(req)[k];
  if (u) Object.assign(ctx(req), u.headers);
}

/** The upload encryption of actions that carry the SSE headers; absent for every other action. */
export function sseLevel(uploads: readonly UploadSpec[]): Level {
  return {
    name: 'upload encryption',
    dims: [...SSE_KEYS],
    *assign(req) {
      if (!carriesSse(req.action)) {
        applyUpload(req, undefined);
        yield;
        return;
      }
      for (const u of uploads) {
        applyUpload(req, u);
        yield;
      }
      applyUpload(req, undefined);
    },
  };
}

/** Keyed by condition keys from the documents (templated keys carry any suffix): bounded by bytes. */
const keyActionCache = new BoundedCache<string, boolean>({ maxBytes: 512 * 1024, sizeOf: k => stringBytes(k) + 16 });
function keyPresentFor(d: KeyDomain, req: Request): boolean {
  if (d.presence === 'never') return false;
  if (d.scope === 'identity' && req.principal.kind !== 'aws') return false;
  if (d.presence === 'always') return true;
  const id = `${d.key}\u0000${req.action}`;
  let v = keyActionCache.get(id);
  if (v === undefined) keyActionCache.set(id, (v = keyAppliesToAction(d.key, req.action)));
  return v;
}

export function keyLevel(d: KeyDomain): Level {
  return {
    name: d.name,
    dims: [d.key],
    *assign(req) {
      if (!keyPresentFor(d, req)) {
        setKey(req, d.key, undefined);
        yield;
        return;
      }
      for (const v of d.values) {
        setKey(req, d.key, v);
        yield;
      }
      setKey(req, d.key, undefined);
    },
  };
}

/**
 * A shared allowance of work, counted in statement checks: one statement tested against one request
 * costs 1, one request evaluated against a policy of n statements costs n. One budget serves a whole
 * analysis (every verdict and every rule that evaluates requests), so that no document, however many
 * buckets, statements or condition keys it has, can keep the engine busy for long. `exhausted` once a
 * caller asked for more than is left; callers then stop and mark their answer incomplete.
 */
export class Budget {
  used = 0;
  exhausted = false;
  constructor(readonly max: number) {}
  /** Take `cost` units; false (and `exhausted`) when they are not left. */
  take(cost = 1): boolean {
    if (this.used + cost > this.max) {
      this.exhausted = true;
      return false;
    }
    this.used += cost;
    return true;
  }
}

/**
 * The work one analysis may do: about 100 ms of statement checks (one costs 50–150 ns, bench/).
 * Typical policies need tens to a few thousand (the 20 KB benchmark bucket policy 171, the 32 KB key
 * policy about 5,000); a thousand statements with conditions, about 100,000.
 */
export const DEFAULT_MAX_STEPS = 1_000_000;

/**
 * Depth-first walk over the product of the levels. After a level is assigned, `prune(req, index)`
 * may skip everything below. Yields the same mutable request at each leaf: copy it to keep it.
 * Iterative (a stack of the levels' iterators): a policy with thousands of condition keys has
 * thousands of levels, and nested generators would overflow the stack.
 */
export function* enumerateRequests(
  levels: readonly Level[],
  base: Request,
  prune?: (req: Request, level: number) => boolean,
): Generator<Request> {
  const n = levels.length;
  if (n === 0) {
    yield base;
    return;
  }
  const open: Iterator<void>[] = [levels[0].assign(base)[Symbol.iterator]()];
  let i = 0;
  while (i >= 0) {
    if (open[i].next().done) {
      i--;
      continue;
    }
    if (prune && prune(base, i)) continue;
    if (i === n - 1) {
      yield base;
      continue;
    }
    i++;
    open[i] = levels[i].assign(base)[Symbol.iterator]();
  }
}

export function baseRequest(classes: RequestClasses): Request {
  return { principal: { kind: 'anonymous' }, action: 's3:ListBucket', resource: classes.bucketArn, context: {} };
}

export function copyRequest(req: Request): Request {
  return { principal: req.principal, action: req.action, resource: req.resource, context: { ...req.context } };
}

/** Every request class of the bucket, lazily: transport × principal × action/resource × upload encryption × each condition key. */
export function* allRequests(classes: RequestClasses): Generator<Request> {
  const levels = [
    transportLevel(classes.transports),
    principalLevel(classes.principals),
    actionResourceLevel(classes),
    sseLevel(classes.uploads),
    ...classes.keys.map(keyLevel),
  ];
  for (const r of enumerateRequests(levels, baseRequest(classes))) yield copyRequest(r);
}

// ---------------------------------------------------------------------------------------------
// Witnesses

/** Keys a witness always shows when the request has them: they define the request's transport and upload class. */
const ALWAYS_SHOWN: readonly string[] = [SECURE_TRANSPORT, TLS_VERSION, ...SSE_KEYS];

/**
 * A request as docs/design/engine.md shows it: principal (`anonymous`, an ARN or a service name), action,
 * resource, `aws:SecureTransport` as a Boolean, and the context keys that matter (those in
 * `relevant`, when given; keys that follow from the principal are left out unless relevant).
 */
export function requestToWitness(req: Request, relevant?: ReadonlySet<string>, names?: ReadonlyMap<string, string>): Witness {
  const w: Witness = { principal: principalLabel(req.principal), action: req.action, resource: req.resource };
  const entries = Object.entries(req.context);
  const order = (k: string) => {
    const i = ALWAYS_SHOWN.indexOf(k);
    return i < 0 ? ALWAYS_SHOWN.length : i;
  };
  entries.sort((a, b) => order(a[0]) - order(b[0]));
  for (const [k, v] of entries) {
    const shown = ALWAYS_SHOWN.includes(k) || (relevant ? relevant.has(k) : !PRINCIPAL_KEYS.includes(k));
    if (!shown) continue;
    const name = names?.get(k) ?? keyDisplayName(k);
    w[name] = k === SECURE_TRANSPORT && (v === 'true' || v === 'false') ? v === 'true' : v;
  }
  return w;
}

/** The request a witness stands for (the inverse of `requestToWitness`): keys it does not show are absent. */
export function witnessToRequest(w: Witness): Request {
  const label = typeof w.principal === 'string' ? w.principal : 'anonymous';
  const resource = typeof w.resource === 'string' ? w.resource : '';
  const partition = parseArn(resource)?.partition ?? 'aws';
  const principal = principalFromLabel(label, partition);
  const context: Record<string, ContextValue> = { ...principalContext(principal) };
  for (const [k, v] of Object.entries(w)) {
    if (k === 'principal' || k === 'action' || k === 'resource') continue;
    context[k.toLowerCase()] = typeof v === 'boolean' ? String(v) : v;
  }
  return { principal, action: String(w.action), resource, context };
}
