// The lock-out verdict (MIS-003's question, decided by the evaluator as the other verdicts are): does
// a Deny statement apply to every normal request of a bucket, so that nobody, administrators
// included, can read the data or change the policy any more?
//
// Normal requests (built from the request classes of engine/requests/; for each Deny, the classes of
// that statement alone, which are complete for it — only what it mentions can change whether it
// applies — and stay small in a 20 KB policy with hundreds of principals and prefixes):
//   principals  every principal it names (a role as one of its sessions, which is how roles call S3,
//               so a NotPrincipal that lacks the session ARN does not exempt it), anonymous, another
//               principal of each account it names and one of a fresh account; AWS service
//               principals are left out (a Deny that spares only them still locks people out); the
//               message shows a principal the policy names (an administrator) when it is denied too;
//   calls       s3:GetObject on every object class, s3:ListBucket, s3:GetBucketPolicy and
//               s3:PutBucketPolicy on the bucket; s3:PutObject with aws:kms (and the key the policy's
//               Denies pin, if they name one) on every object class;
//   transport   HTTPS with TLS 1.3;
//   other keys  every value class the statement's condition keys have (absent, each literal, a fresh
//               value) — a lockout must hold whatever the caller's VPC endpoint, organization, tags…;
//               keys only AWS services send (aws:SourceArn, aws:SourceAccount…) are absent.
// A statement is a lockout when it applies (it is among the deciding Denies) to every normal request
// except possibly two kinds, which only change the wording: the root user's (the root user is still
// locked out of the data, but the "everyone except root" form is what a NotPrincipal that names the
// account but not the role sessions produces), and well-formed uploads (a `Null`/negated test on an
// SSE header with `s3:*` denies every call but the uploads that send the header: still a lockout).
//
// Network-origin keys (aws:SourceVpce, aws:SourceVpc, aws:SourceIp, …) get a softer, warning form:
// when the statement denies every normal request that does not come through what it names, but not
// those that do, it is a lockout only if some callers (administrators in the console, AWS services)
// do not use that network path.
//
// Work is bounded: the policy is compiled once (compilePolicy, shared with the verdict), and at most
// MAX_LOCKOUT_CHECKS statement checks, drawn from the analysis Budget, are made per analysis; a statement whose check would need more is
// not reported. A Deny that does not lock out usually fails on its first normal request (1–2 checks).
import { compilePolicy, type CompiledStatement } from './evaluate';
import { ipInRange, parseCidr, parseIpAddress } from './conditions';
import type { Budget } from './budget';
import { policyBuckets, verdictKey } from './verdict';
import { BoundedCache, stringBytes } from '../bounded-cache';
import { PRINCIPAL_KEYS, SSE_KEYS } from './requests/context-keys';
import type { KeyDomain } from './requests/key-domains';
import {
  applyTransport,
  applyUpload,
  baseRequest,
  enumerateRequests,
  keyLevel,
  principalLevel,
  type Level,
} from './requests/levels';
import { principalContext } from './requests/principals';
import { requestClasses, type RequestClasses, type UploadSpec } from './requests/request-classes';
import { isDeny, statementKeys } from './requests/statements';
import { requestToWitness } from './requests/witnesses';
import type { Request, RequestPrincipal, Witness } from '../../shared/types';
import { accountPrincipal, iamIdentity, parseArn } from '../policy/arn';
import type { PolicyDocument, Statement } from '../policy/model';
import { isEveryone } from '../policy/statement';
import { hasWildcard, matchesWildcard } from '../policy/wildcard';

/** Statement checks per analysis (docs/design/engine.md#work-allowance: analysis runs on every keystroke). */
export const MAX_LOCKOUT_CHECKS = 600;

/** Where a request comes from on the network: callers outside what the policy names are common (console users, AWS services). */
export const NETWORK_KEYS = new Set(['aws:sourcevpce', 'aws:sourcevpc', 'aws:sourcevpcarn', 'aws:sourceip', 'aws:vpcsourceip']);
const IP_KEYS = new Set(['aws:sourceip', 'aws:vpcsourceip']);
/** Keys in the request context only when an AWS service calls on a resource owner's behalf: never in a principal's own request. */
export const SERVICE_ONLY_KEYS = new Set(['aws:sourcearn', 'aws:sourceaccount', 'aws:sourceorgid', 'aws:sourceorgpaths']);

// ---------------------------------------------------------------------------------------------
// The normal requests

interface NormalPrincipal {
  principal: RequestPrincipal;
  /** An account's root user (`arn:…:iam::ACCOUNT:root`). */
  root: boolean;
  /** Named by the policy (not anonymous, not one of the engine's "other principal"s). */
  named: boolean;
}

interface NormalCall {
  action: string;
  resource: string;
}

/** Roles call S3 through sessions: `arn:P:sts::ACCOUNT:assumed-role/NAME/SESSION`. */
const sessionOf = (partition: string, account: string, role: string): string =>
  `arn:${partition}:sts::${account}:assumed-role/${role}/session`;

/** The principals of normal traffic, those the policy names first (exemptions name them: a failing check ends sooner), root users last. */
function normalPrincipals(classes: RequestClasses): NormalPrincipal[] {
  const out: NormalPrincipal[] = [];
  const seen = new Set<string>();
  const add = (principal: RequestPrincipal, root: boolean, named: boolean) => {
    const id = principal.kind === 'aws' ? principal.arn : principal.kind;
    if (seen.has(id)) return;
    seen.add(id);
    out.push({ principal, root, named });
  };
  for (const p of classes.principals) {
    if (p.kind === 'service') continue;
    if (p.kind === 'anonymous') {
      add(p, false, false);
      continue;
    }
    const named = !/:role\/other-principal(?:-2)?$/.test(p.arn);
    if (accountPrincipal(p.arn) !== undefined) {
      add(p, true, named);
      continue;
    }
    const identity = iamIdentity(p.arn);
    if (identity?.kind === 'role') {
      const partition = parseArn(p.arn)?.partition ?? classes.partition;
      add({ kind: 'aws', arn: sessionOf(partition, identity.arn.account, identity.name), account: p.account }, false, named);
    } else add(p, false, named);
  }
  const rank = (n: NormalPrincipal) => (n.root ? 3 : n.named ? 0 : n.principal.kind === 'anonymous' ? 2 : 1);
  return out.sort((a, b) => rank(a) - rank(b));
}

/**
 * The IAM principals (not root users) the policy's Principal and NotPrincipal elements name, roles
 * as sessions, in order: the ones a message would rather show than an anonymous caller.
 */
function namedPrincipals(doc: PolicyDocument): NormalPrincipal[] {
  const out: NormalPrincipal[] = [];
  const seen = new Set<string>();
  for (const st of doc.statements) {
    for (const block of [st.principal, st.notPrincipal]) {
      for (const e of block?.entries ?? []) {
        if (e.type.value !== 'AWS') continue;
        for (const i of e.values.items) {
          if (typeof i.value !== 'string') continue;
          if (hasWildcard(i.value) || i.value.includes('${')) continue;
          const identity = iamIdentity(i.value);
          if (!identity) continue;
          const arn = identity.kind === 'role' ? sessionOf(identity.arn.partition, identity.arn.account, identity.name) : i.value;
          if (seen.has(arn)) continue;
          seen.add(arn);
          out.push({ principal: { kind: 'aws', arn, account: identity.arn.account }, root: false, named: true });
          if (out.length >= 4) return out;
        }
      }
    }
  }
  return out;
}

/** An upload as a well-behaved client sends it: aws:kms, with the key the policy's Denies pin when they name one. */
function normalUpload(denyClasses: RequestClasses): UploadSpec | undefined {
  return (
    denyClasses.uploads.find(u => u.sse === 'aws:kms' && u.kmsKey !== null && u.kmsKey !== 'other') ??
    denyClasses.uploads.find(u => u.sse === 'aws:kms' && u.kmsKey === null)
  );
}

function normalCalls(classes: RequestClasses): NormalCall[] {
  return [
    ...classes.objectArns.map(resource => ({ action: 's3:GetObject', resource })),
    { action: 's3:ListBucket', resource: classes.bucketArn },
    { action: 's3:GetBucketPolicy', resource: classes.bucketArn },
    { action: 's3:PutBucketPolicy', resource: classes.bucketArn },
    ...classes.objectArns.map(resource => ({ action: 's3:PutObject', resource })),
  ];
}

function callLevel(calls: readonly NormalCall[], upload: () => UploadSpec | undefined, current: { call?: NormalCall }): Level {
  return {
    name: 'call',
    dims: ['action', 'resource', ...SSE_KEYS],
    *assign(req) {
      for (const c of calls) {
        req.action = c.action;
        req.resource = c.resource;
        applyUpload(req, c.action === 's3:PutObject' ? upload() : undefined);
        current.call = c;
        yield;
      }
      applyUpload(req, undefined);
      current.call = undefined;
    },
  };
}

/** The literals a statement compares a key with (for the network keys' "outside" values). */
function keyLiterals(st: Statement, key: string): string[] {
  const out: string[] = [];
  for (const ob of st.condition?.operators ?? []) {
    for (const e of ob.entries)
      if (e.key.value.toLowerCase() === key) for (const i of e.values.items) if (typeof i.value === 'string') out.push(i.value);
  }
  return out;
}

/** Does a request value of a network key fall inside something the policy names (an endpoint, a VPC, a CIDR)? */
function insideNamed(key: string, value: string, literals: readonly string[]): boolean {
  if (IP_KEYS.has(key)) {
    const address = parseIpAddress(value);
    if (!address) return false;
    return literals.some(l => {
      const r = parseCidr(l.trim());
      return !!r && ipInRange(address, r);
    });
  }
  return literals.some(l => matchesWildcard(value, l, { ignoreCase: true }));
}

/** A network key's values for a request that comes through nothing the policy names: absent, or a value outside every literal. */
function outsideValues(st: Statement, d: KeyDomain): KeyDomain {
  const literals = keyLiterals(st, d.key);
  const values = d.values.filter(
    v =>
      v === undefined ||
      (typeof v === 'string' ? !insideNamed(d.key, v, literals) : v.every(x => !insideNamed(d.key, x, literals))),
  );
  return { ...d, values };
}

// ---------------------------------------------------------------------------------------------
// The check

export interface Lockout {
  /** `error`: whatever the request's origin; `warning`: for every request that does not come through the network path the statement names. */
  tier: 'error' | 'warning';
  /** Some root user's normal request is not denied. */
  rootExempt: boolean;
  /** Some well-formed upload is not denied. */
  uploadsPass: boolean;
  /** One denied normal request, preferably by a principal the policy names. */
  witness: Witness;
}

type Outcome =
  | { locked: true; rootExempt: boolean; uploadsPass: boolean; example: Request }
  | { locked: false }
  | { abandoned: true; locked: false };

/**
 * Does the statement apply to every normal request (roots' and uploads only noted)? `keys` are the
 * key levels to enumerate; `requiredOnly` skips roots and uploads.
 */
function sweep(
  s: CompiledStatement,
  classes: RequestClasses,
  calls: readonly NormalCall[],
  upload: () => UploadSpec | undefined,
  principals: readonly NormalPrincipal[],
  keys: readonly KeyDomain[],
  budget: Budget,
  requiredOnly: boolean,
): Outcome {
  const current: { call?: NormalCall } = {};
  const info = new Map(principals.map(p => [p.principal, p]));
  const levels: Level[] = [
    principalLevel(principals.map(p => p.principal)),
    callLevel(calls, upload, current),
    ...keys.map(keyLevel),
  ];
  const base = baseRequest(classes);
  applyTransport(base, { secure: true, tls: '1.3' });
  let rootExempt = false;
  let uploadsPass = false;
  let example: Request | undefined;
  let exampleRank = Infinity;
  const skip = (req: Request, level: number): boolean => {
    const p = info.get(req.principal);
    if (level === 0) return !!p?.root && (requiredOnly || rootExempt);
    if (level === 1) return current.call?.action === 's3:PutObject' && (requiredOnly || uploadsPass || !!p?.root);
    return false;
  };
  for (const req of enumerateRequests(levels, base, skip)) {
    if (!budget.take()) return { abandoned: true, locked: false };
    const denied = s.applies(req) === true;
    const p = info.get(req.principal);
    if (req.action === 's3:PutObject') {
      if (!denied) uploadsPass = true;
      continue;
    }
    if (p?.root) {
      if (!denied) rootExempt = true;
      continue;
    }
    if (!denied) return { locked: false };
    const rank = p?.named ? 0 : p?.principal.kind === 'anonymous' ? 2 : 1;
    if (rank < exampleRank) {
      exampleRank = rank;
      example = { principal: req.principal, action: req.action, resource: req.resource, context: { ...req.context } };
    }
  }
  return example ? { locked: true, rootExempt, uploadsPass, example } : { locked: false };
}

/** Does the statement read who sends the request (beyond Principal "*")? */
function readsPrincipal(st: Statement, keys: ReadonlySet<string>, classes: RequestClasses): boolean {
  if (!isEveryone(st)) return true;
  for (const k of keys) {
    if (PRINCIPAL_KEYS.includes(k)) return true;
    if (classes.keys.find(d => d.key === k)?.scope === 'identity') return true;
  }
  return false;
}

/** What the lockout check needs besides the statement: the normal upload and the principals a message would rather show. */
interface PolicyContext {
  /** The normal upload (lazily: most Denies are settled before an upload is tried). */
  upload(): UploadSpec | undefined;
  /** Principals the whole policy names (lazily: only a finding shows one). */
  shown(): readonly NormalPrincipal[];
}

/**
 * Is the statement a lockout for the bucket? Its request classes come from the statement alone:
 * only what it mentions can change whether it applies (docs/design/engine.md#request-classes), which keeps the work small
 * in a 20 KB policy with hundreds of principals and object prefixes.
 */
function lockoutOf(
  doc: PolicyDocument,
  st: Statement,
  s: CompiledStatement,
  bucket: string,
  policy: PolicyContext,
  budget: Budget,
): Lockout | undefined {
  const classes = requestClasses(doc, bucket, { statements: x => x === st });
  const keys = statementKeys(st);
  let principals = normalPrincipals(classes);
  if (!readsPrincipal(st, keys, classes)) {
    // Every principal fares alike: check one.
    const one = principals.find(p => !p.root);
    if (!one) return undefined;
    principals = [one];
  }
  const calls = normalCalls(classes);
  const domains = classes.keys.filter(d => keys.has(d.key));
  const serviceOnly = (d: KeyDomain): KeyDomain => (SERVICE_ONLY_KEYS.has(d.key) ? { ...d, values: [undefined] } : d);
  const outside = domains.map(d => (NETWORK_KEYS.has(d.key) ? outsideValues(st, serviceOnly(d)) : serviceOnly(d)));
  const first = sweep(s, classes, calls, policy.upload, principals, outside, budget, false);
  if (!first.locked) return undefined;
  let tier: Lockout['tier'] = 'error';
  if (outside.some((d, i) => d.values.length !== domains[i].values.length && NETWORK_KEYS.has(d.key))) {
    // Denied from outside: is it also denied through what the statement names?
    const all = sweep(s, classes, calls, policy.upload, principals, domains.map(serviceOnly), budget, true);
    if ('abandoned' in all) return undefined;
    if (!all.locked) tier = 'warning';
  }
  // Show a principal the policy names (an administrator, typically), when the statement denies it too.
  let example = first.example;
  const current = principals.find(p => p.principal === example.principal);
  if (!current?.named) {
    for (const shown of policy.shown()) {
      const req: Request = { ...example, principal: shown.principal, context: { ...example.context } };
      for (const k of PRINCIPAL_KEYS) delete (req.context as Record<string, unknown>)[k];
      Object.assign(req.context, principalContext(shown.principal));
      if (!budget.take()) break;
      if (s.applies(req) === true) {
        example = req;
        break;
      }
    }
  }
  const rootExempt = principals.length === 1 ? false : first.rootExempt;
  return { tier, rootExempt, uploadsPass: first.uploadsPass, witness: requestToWitness(example, keys, classes.keyNames) };
}

/** A Deny statement that locks everyone out of a bucket. */
export interface LockoutFinding extends Lockout {
  readonly statement: Statement;
  readonly bucket: string;
}

/**
 * The Deny statements that lock everyone out, each reported for the first bucket it locks (the
 * bucket the document is for when known, else every bucket the policy names). At most
 * MAX_LOCKOUT_CHECKS statement checks, drawn from `budget`; a statement whose check would need more
 * is not reported.
 */
export function lockoutDenies(doc: PolicyDocument, budget: Budget, bucketName?: string): LockoutFinding[] {
  const compiled = compilePolicy(doc);
  // Compiled statements line up with doc.statements, not with Statement indexes (a non-object entry of the array has an index but no statement).
  const compiledOf = new Map(doc.statements.map((st, i) => [st, compiled.statements[i]]));
  const candidates = doc.statements.filter(st => compiledOf.get(st)?.effect === 'Deny' && st.effect);
  if (candidates.length === 0) return [];
  const buckets = bucketName ? [bucketName] : policyBuckets(doc);
  const slice = budget.slice(MAX_LOCKOUT_CHECKS);
  const key = sweepKey(doc, buckets);
  const steps = key === undefined ? undefined : nothingLocked.get(key);
  // The same steps are drawn again, so that what is left for the rest of the analysis is unchanged.
  if (steps !== undefined && budget.max - budget.used >= steps && slice.take(steps)) return [];
  const out = sweepAll(doc, candidates, compiledOf, buckets, slice);
  if (key !== undefined && out.length === 0 && !slice.exhausted) nothingLocked.set(key, slice.used);
  return out;
}

/**
 * Sweeps that found no lock-out, by what they read, with the steps they took: a keystroke in an
 * Allow statement changes none of it. A sweep reads the buckets, each bucket's partition, Version
 * and the Deny statements (and statements that cannot be read, which verdictKey keeps too); the
 * principals of the whole policy only once it found a lock-out, which is not kept.
 */
const nothingLocked = new BoundedCache<string, number>({ maxBytes: 1024 * 1024, sizeOf: k => stringBytes(k) + 64 });

/** Forget every earlier version's sweeps (tests compare with a fresh analysis). */
export function clearLockouts(): void {
  nothingLocked.clear();
}

function sweepKey(doc: PolicyDocument, buckets: readonly string[]): string | undefined {
  let key = '';
  for (const bucket of buckets) {
    const k = verdictKey(doc, bucket);
    if (k === undefined) return undefined;
    key += `${k}\u0001`;
  }
  return key;
}

function sweepAll(
  doc: PolicyDocument,
  candidates: readonly Statement[],
  compiledOf: ReadonlyMap<Statement, CompiledStatement>,
  buckets: readonly string[],
  slice: Budget,
): LockoutFinding[] {
  const reported = new Set<Statement>();
  const out: LockoutFinding[] = [];
  for (const bucket of buckets) {
    let shown: NormalPrincipal[] | undefined;
    let upload: { spec: UploadSpec | undefined } | undefined;
    const policy: PolicyContext = {
      upload: () => (upload ??= { spec: normalUpload(requestClasses(doc, bucket, { statements: isDeny })) }).spec,
      shown: () => (shown ??= namedPrincipals(doc)),
    };
    for (const st of candidates) {
      if (reported.has(st)) continue;
      const lockout = lockoutOf(doc, st, compiledOf.get(st)!, bucket, policy, slice);
      if (!lockout) continue;
      reported.add(st);
      out.push({ ...lockout, statement: st, bucket });
    }
  }
  return out;
}
