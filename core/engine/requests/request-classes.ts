// The request classes (docs/design/engine.md#request-classes): from a policy, the finite set of requests that is complete
// for it. Only what the policy mentions can change its decision, so every dimension is built from
// what the policy names (principals, actions, object patterns, condition keys and their literals)
// plus one value it does not name. Requests are produced lazily, level by level (a depth-first
// walk over the product of the dimensions), so that a caller can stop at the first witness and
// skip whole subtrees that a Deny already covers. (The walk itself is in levels.ts.)
import type { PolicyDocument, Statement } from '../../policy/model';
import { dominantPartition, parseArn, parseS3Arn, accountPrincipal, PARTITIONS } from '../../policy/arn';
import { parseOperator } from '../../policy/operators';
import { hasWildcard, matchesWildcard } from '../../policy/wildcard';
import { hasVariableSyntax as hasVariable } from '../../policy/variables';
import { oncePerDocument } from '../../policy/memo';
import { isKeyPrefixCovered } from '../../knowledge';
import type { RequestPrincipal, UploadClass } from '../../../shared/types';
import {
  FRESH_ACCOUNT,
  FRESH_STRING,
  LOG_DELIVERY_SERVICE,
  MAX_KEY_LEVELS,
  OBJECT_KEY_INSTANCE,
  PRINCIPAL_KEYS,
  SSE,
  SSE_CUSTOMER_ALGORITHM,
  SSE_KEYS,
  SSE_KMS_KEY_ID,
  TLS_VERSIONS,
  TRANSPORT_KEYS,
  keyDisplayName,
  type TlsVersion,
} from './context-keys';
import { statementKeys } from './statements';
import { instantiate } from './instances';
import { requester } from './principals';
import { keyDomain, type KeyDomain, type KeyUsage } from './key-domains';
import { objectResources } from './object-resources';
import { actionClasses, type ActionClass } from './action-classes';

export interface UploadSpec {
  readonly sse: UploadClass['sse'];
  readonly kmsKey: string | null;
  /** The SSE context keys of such a PutObject (docs/design/aws-facts.md#table-0-3), lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
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
  /**
   * The account of the "any other principal" class: 999999999999, or the next ID down that the
   * policy does not name (a policy may name 999999999999 itself).
   */
  readonly freshAccount: string;
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

const partitions = oncePerDocument((_: PolicyDocument) => new Map<string, string>());

/** The partition of the bucket's ARNs in the policy, else the partition the policy mostly uses (once per document and bucket). */
export function bucketPartition(doc: PolicyDocument, bucket: string): string {
  const byBucket = partitions(doc);
  let p = byBucket.get(bucket);
  if (p === undefined) byBucket.set(bucket, (p = findBucketPartition(doc, bucket)));
  return p;
}

function findBucketPartition(doc: PolicyDocument, bucket: string): string {
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
    freshAccount,
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
