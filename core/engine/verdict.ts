// The bucket-policy verdict of docs/design/engine.md#bucket-verdict: what the policy explicitly denies over HTTP, below which
// TLS version, and for each upload encryption class — decided by evaluating the policy over the
// request classes of requests/, with a witness (one request that gets through) whenever a
// property does not hold.
//
// Only an explicit Deny counts (identity policies elsewhere may allow anything, docs/design/engine.md#evaluation), so
// every question here is "is there a request of this kind that no Deny statement covers?". The
// search walks the request classes depth first and skips a whole subtree as soon as a Deny
// statement whose every input is fixed applies: a policy that denies HTTP for `s3:*` on both ARNs is
// settled after one check per principal and action class, not one per request.
import type { PolicyDocument, Statement } from '../policy/model';
import { parseS3Arn } from '../policy/arn';
import { oncePerDocument, statementText } from '../policy/memo';
import { isAnyS3Action, isEveryone } from '../policy/statement';
import { hasWildcard, compileWildcard, type WildcardMatcher } from '../policy/wildcard';
import { compilePolicy, type CompiledStatement } from './evaluate';
import { Budget, DEFAULT_MAX_STEPS } from './budget';
import { carriesSse } from './requests/action-classes';
import { SECURE_TRANSPORT, TLS_VERSION, TLS_VERSIONS, SSE_KEYS, type TlsVersion } from './requests/context-keys';
import {
  actionResourceLevel,
  allRequests,
  applyTransport,
  applyUpload,
  baseRequest,
  copyRequest,
  enumerateRequests,
  keyLevel,
  objectLevel,
  principalLevel,
  sseLevel,
  type Level,
} from './requests/levels';
import { principalLabel } from './requests/principals';
import { bucketPartition, requestClasses, type RequestClasses, type UploadSpec } from './requests/request-classes';
import { BoundedCache, stringBytes } from '../bounded-cache';
import { isDeny, statementKeys } from './requests/statements';
import { requestToWitness } from './requests/witnesses';
import type { BucketVerdict, Decision, Evaluation, Request, RequestPrincipal, UploadClass, Witness } from '../../shared/types';

export { requestToWitness, witnessToRequest } from './requests/witnesses';

export interface VerdictOptions {
  /** The bucket the policy is for (file name, setting): one verdict for it instead of one per bucket the policy names. */
  bucketName?: string;
  /** The work allowance to draw from (shared by a whole analysis); when absent, a fresh one of `maxSteps`. */
  budget?: Budget;
  /** Work cap in statement checks (see Budget) when no `budget` is given. Past it the verdict is `complete: false`. */
  maxSteps?: number;
}

export interface BucketAnalysis {
  verdict: BucketVerdict;
  /** Statement checks used (see Budget). */
  steps: number;
  /** The work cap was reached. */
  exhausted: boolean;
  /**
   * For `http: "partly-denied"`: a request over HTTPS that is not denied while the same request over
   * HTTP is (what makes the denial one "because of HTTP"); null otherwise.
   */
  httpCause: Witness | null;
}

/**
 * The buckets a policy names in Resource/NotResource, in order of appearance. Patterns and policy
 * variables in the bucket name do not name a bucket.
 */
export function policyBuckets(doc: PolicyDocument): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const st of doc.statements) {
    for (const i of [...(st.resource?.items ?? []), ...(st.notResource?.items ?? [])]) {
      if (typeof i.value !== 'string' || /\s/.test(i.value)) continue;
      const arn = parseS3Arn(i.value);
      if (!arn || !arn.bucket || hasWildcard(arn.bucket) || arn.bucket.includes('${')) continue;
      if (!seen.has(arn.bucket)) {
        seen.add(arn.bucket);
        out.push(arn.bucket);
      }
    }
  }
  return out;
}

/**
 * A bucket policy applies to its own bucket only (S3 rejects one that names another); a policy that
 * names many is a template or a mistake, and each bucket costs a pass over the whole document.
 */
export const MAX_BUCKET_VERDICTS = 20;

/**
 * One verdict per bucket the policy names (the first MAX_BUCKET_VERDICTS), or one for
 * `opts.bucketName`. A bucket whose request classes the allowance cannot pay for gets no verdict.
 */
export function bucketVerdicts(doc: PolicyDocument, opts: VerdictOptions = {}): BucketVerdict[] {
  const buckets = opts.bucketName ? [opts.bucketName] : policyBuckets(doc).slice(0, MAX_BUCKET_VERDICTS);
  // One allowance for every bucket: a policy naming many buckets does not get one each.
  const budget = opts.budget ?? new Budget(opts.maxSteps ?? DEFAULT_MAX_STEPS);
  const out: BucketVerdict[] = [];
  for (const b of buckets) {
    const a = analyzeBucket(doc, b, { ...opts, budget });
    if (a) out.push(a.verdict);
  }
  return out;
}

/** The values a pass over the document reads (principals, actions, resources, condition values): what building request classes costs. */
const documentSize = oncePerDocument((doc: PolicyDocument): number => {
  let n = 0;
  for (const st of doc.statements) {
    n += 1 + ((st.action ?? st.notAction)?.items.length ?? 0) + ((st.resource ?? st.notResource)?.items.length ?? 0);
    for (const e of (st.principal ?? st.notPrincipal)?.entries ?? []) n += e.values.items.length;
    for (const o of st.condition?.operators ?? []) for (const e of o.entries) n += e.values.items.length;
  }
  return n;
});

// ---------------------------------------------------------------------------------------------
// The search

interface Found {
  request: Request;
  evaluation: Evaluation;
  /** No statement the decision depends on was undecided. */
  definite: boolean;
}

interface SearchResult {
  found?: Found;
  /** `accept` could not decide some request (an undecided statement). */
  uncertain?: boolean;
}

interface DenyStatement {
  compiled: CompiledStatement;
  keys: ReadonlySet<string>;
  /** `Principal: "*"`: the principal does not matter. */
  anyPrincipal: boolean;
  /** `Action` holds `*` or `s3:*`: no S3 action is left out. */
  anyS3Action: boolean;
  /** The plain `Resource` patterns (none for NotResource, none with policy variables). */
  resourcePatterns: readonly WildcardMatcher[];
}

function plainResourcePatterns(st: Statement): WildcardMatcher[] {
  if (st.notResource || !st.resource) return [];
  return st.resource.items
    .filter((i): i is typeof i & { value: string } => typeof i.value === 'string' && !i.value.includes('${'))
    .map(i => compileWildcard(i.value));
}

class Searcher {
  private readonly compiled;
  readonly denies: DenyStatement[];

  constructor(
    readonly doc: PolicyDocument,
    readonly classes: RequestClasses,
    readonly budget: Budget,
  ) {
    this.compiled = compilePolicy(doc);
    this.denies = [];
    doc.statements.forEach((st: Statement, i) => {
      const c = this.compiled.statements[i];
      if (c && c.effect === 'Deny') {
        this.denies.push({
          compiled: c,
          keys: statementKeys(st),
          anyPrincipal: isEveryone(st),
          anyS3Action: isAnyS3Action(st),
          resourcePatterns: plainResourcePatterns(st),
        });
      }
    });
  }

  /**
   * The level after which every input of the statement is fixed (-1: fixed by the base request).
   * A statement does not read the principal when its Principal is `*`, nor the action and resource
   * when it names every S3 action and its Resource patterns cover every resource the level yields;
   * such a statement decides higher up and prunes more. (Its leaf evaluations still confirm it.)
   */
  readyLevel(d: DenyStatement, levels: readonly Level[]): number {
    let ready = -1;
    levels.forEach((level, i) => {
      const dims = level.dims;
      let reads = dims.some(k => d.keys.has(k));
      if (dims.includes('principal') && !d.anyPrincipal) reads = true;
      if (dims.includes('action') && !d.anyS3Action) reads = true;
      if (dims.includes('resource')) {
        const resources = dims.includes('action')
          ? [this.classes.bucketArn, ...this.classes.objectArns]
          : this.classes.objectArns;
        if (!resources.every(r => d.resourcePatterns.some(p => p.test(r)))) reads = true;
      }
      if (reads) ready = i;
    });
    return ready;
  }

  evaluate(req: Request): Evaluation | undefined {
    if (!this.budget.take(this.compiled.statements.length)) return undefined;
    return this.compiled.evaluate(req);
  }

  /** Could a statement that was undecided for this request have denied it? */
  undecidedMatters(req: Request, ev: Evaluation): boolean {
    if (!ev.undecided || ev.decision === 'explicit-deny') return false;
    // Out of allowance: assume it could (the caller then keeps the request only as a fallback).
    if (!this.budget.take(this.compiled.statements.length)) return true;
    // An Allow cannot turn into an explicit deny; a Deny, or a statement whose Effect is unusable, can.
    return this.compiled.statements.some(s => s.effect !== 'Allow' && s.applies(req) === 'unknown');
  }

  /**
   * The first request of the walk that no Deny covers and that `accept` takes (a decided one when
   * there is one; else the first undecided one).
   */
  search(
    levels: readonly Level[],
    base: Request,
    opts: { prune?: (req: Request, level: number) => boolean; accept?: (req: Request) => boolean | 'unknown' } = {},
  ): SearchResult {
    const byLevel: CompiledStatement[][] = levels.map(() => []);
    for (const d of this.denies) {
      const ready = this.readyLevel(d, levels);
      if (ready < 0) {
        // Fixed by the base request alone: if it applies, every request of the walk is denied.
        if (!this.budget.take()) return {};
        if (d.compiled.applies(base) === true) return {};
      } else byLevel[ready].push(d.compiled);
    }
    const budget = this.budget;
    const prune = (req: Request, level: number): boolean => {
      if (budget.exhausted) return true;
      for (const s of byLevel[level]) {
        if (!budget.take()) return true;
        if (s.applies(req) === true) return true;
      }
      return opts.prune ? opts.prune(req, level) : false;
    };
    let fallback: Found | undefined;
    let uncertain = false;
    for (const req of enumerateRequests(levels, base, prune)) {
      const ev = this.evaluate(req);
      if (!ev) break;
      if (ev.decision === 'explicit-deny') continue;
      const accepted = opts.accept ? opts.accept(req) : true;
      if (accepted !== true) {
        if (accepted === 'unknown') uncertain = true;
        continue;
      }
      if (!this.undecidedMatters(req, ev))
        return { found: { request: copyRequest(req), evaluation: ev, definite: true }, uncertain };
      // The evaluator assumed an undecided Deny does not apply: keep looking for a decided request.
      fallback ??= { request: copyRequest(req), evaluation: ev, definite: false };
    }
    return { found: fallback, uncertain };
  }

  witness(req: Request): Witness {
    return requestToWitness(req, this.classes.referencedKeys, this.classes.keyNames);
  }
}

// ---------------------------------------------------------------------------------------------
// The questions

/**
 * Action and resource first: enforcement Denies name everyone (`Principal: "*"`) far more often than
 * every resource, so most of them decide before the principal is chosen.
 */
function requestLevels(classes: RequestClasses): Level[] {
  return [
    actionResourceLevel(classes),
    principalLevel(classes.principals),
    sseLevel(classes.uploads),
    ...classes.keys.map(keyLevel),
  ];
}

function baseWith(classes: RequestClasses, transport: { secure: boolean; tls?: TlsVersion }, upload?: UploadSpec): Request {
  const base = baseRequest(classes);
  applyTransport(base, transport);
  if (upload) applyUpload(base, upload);
  return base;
}

interface Incomplete {
  value: boolean;
}

interface HttpAnswer {
  http: BucketVerdict['transport']['http'];
  witness: Witness | null;
  cause: Witness | null;
}

function httpQuestion(s: Searcher, incomplete: Incomplete): HttpAnswer {
  const { classes, budget } = s;
  const levels = requestLevels(classes);
  const notDenied = s.search(levels, baseWith(classes, { secure: false }));
  if (budget.exhausted) incomplete.value = true;
  if (!notDenied.found) return { http: 'denied', witness: null, cause: null };
  if (!notDenied.found.definite) incomplete.value = true;
  const witness = s.witness(notDenied.found.request);

  // "Because of HTTP": some request is denied over HTTP and not over HTTPS. Only a Deny that reads
  // the transport keys can make that difference; look for an HTTPS request that no Deny covers and
  // whose HTTP twin one of those denies.
  const transportDenies = s.denies.filter(d => d.keys.has(SECURE_TRANSPORT) || d.keys.has(TLS_VERSION));
  if (transportDenies.length === 0) return { http: 'allowed', witness, cause: null };
  const readyAll = Math.max(...transportDenies.map(d => s.readyLevel(d, levels)));
  const httpTwin = (req: Request, f: () => boolean | 'unknown'): boolean | 'unknown' => {
    const st = req.context[SECURE_TRANSPORT];
    const tls = req.context[TLS_VERSION];
    applyTransport(req, { secure: false });
    try {
      return f();
    } finally {
      (req.context as Record<string, unknown>)[SECURE_TRANSPORT] = st;
      (req.context as Record<string, unknown>)[TLS_VERSION] = tls;
    }
  };
  // Once every transport-reading Deny is fixed, a subtree where none of them applies over HTTP has no cause.
  const prune = (req: Request, level: number): boolean => {
    if (level !== readyAll) return false;
    return (
      httpTwin(req, () => {
        for (const d of transportDenies) {
          if (!budget.take()) return false;
          if (d.compiled.applies(req) !== false) return false;
        }
        return true;
      }) === true
    );
  };
  const accept = (req: Request): boolean | 'unknown' =>
    httpTwin(req, () => {
      const ev = s.evaluate(req);
      if (!ev) return false;
      if (ev.decision === 'explicit-deny') return true;
      return s.undecidedMatters(req, ev) ? 'unknown' : false;
    });
  // The same request over HTTPS: try each TLS version, the most likely to pass first.
  let fallback: Witness | null = null;
  for (const tls of [...TLS_VERSIONS].reverse()) {
    const base = baseWith(classes, { secure: true, tls });
    if (readyAll < 0 && prune(base, readyAll)) continue;
    const cause = s.search(levels, base, { prune: readyAll >= 0 ? prune : undefined, accept });
    if (cause.uncertain) incomplete.value = true;
    if (cause.found?.definite) return { http: 'partly-denied', witness, cause: s.witness(cause.found.request) };
    if (cause.found) fallback ??= s.witness(cause.found.request);
    if (budget.exhausted) break;
  }
  if (budget.exhausted || fallback) incomplete.value = true;
  // Undecided statements are assumed not to apply, as the evaluator does.
  return { http: fallback ? 'partly-denied' : 'allowed', witness, cause: fallback };
}

function minTlsQuestion(s: Searcher, incomplete: Incomplete): BucketVerdict['transport']['minTlsVersion'] {
  const { classes } = s;
  // Without a Deny that reads s3:TlsVersion every version fares alike: no minimum.
  if (!s.denies.some(d => d.keys.has(TLS_VERSION))) return null;
  const levels = requestLevels(classes);
  for (const tls of TLS_VERSIONS) {
    const r = s.search(levels, baseWith(classes, { secure: true, tls }));
    if (s.budget.exhausted) incomplete.value = true;
    if (r.found) {
      if (!r.found.definite) incomplete.value = true;
      return tls === '1.0' ? null : tls;
    }
    if (s.budget.exhausted) return null;
  }
  // No HTTPS request gets through at any version: there is no lowest version to report.
  return null;
}

function uploadQuestion(s: Searcher, spec: UploadSpec, incomplete: Incomplete): UploadClass {
  const { classes } = s;
  const levels = [objectLevel(classes), principalLevel(classes.principals), ...classes.keys.map(keyLevel)];
  const base = baseWith(classes, { secure: true, tls: '1.3' }, spec);
  // The base must lie inside every level's domain: statements that read no level are checked on it alone.
  base.action = 's3:PutObject';
  base.resource = classes.objectArns[0];
  const r = s.search(levels, base);
  if (s.budget.exhausted) incomplete.value = true;
  if (!r.found) return { sse: spec.sse, kmsKey: spec.kmsKey, decision: 'denied', witness: null };
  if (!r.found.definite) incomplete.value = true;
  return { sse: spec.sse, kmsKey: spec.kmsKey, decision: 'not-denied', witness: s.witness(r.found.request) };
}

/**
 * The one-word summary of the upload classes. "none" (no header) is left out of the algorithm
 * categories: S3 then applies default encryption, so whether it is a hole depends on the user's
 * requirements (docs/design/engine.md#bucket-verdict); it only separates "unrestricted" from "encrypted-header-required".
 */
export function encryptionSummary(uploads: readonly UploadClass[]): BucketVerdict['encryption']['summary'] {
  const open = uploads.filter(u => u.decision === 'not-denied');
  const openSse = (sse: UploadClass['sse']) => open.some(u => u.sse === sse);
  const explicit = open.filter(u => u.sse !== 'none');
  if (openSse('AES256') && openSse('aws:kms') && openSse('aws:kms:dsse'))
    return openSse('none') ? 'unrestricted' : 'encrypted-header-required';
  if (explicit.length === 0) return 'mixed';
  if (explicit.every(u => u.sse === 'AES256')) return 'sse-s3-only';
  if (explicit.every(u => u.sse === 'aws:kms:dsse')) return 'dsse-only';
  if (explicit.every(u => u.sse === 'aws:kms' || u.sse === 'aws:kms:dsse')) {
    return explicit.every(u => u.kmsKey !== null && u.kmsKey !== 'other') ? 'sse-kms-key-pinned' : 'sse-kms-only';
  }
  return 'mixed';
}

/**
 * Verdicts across versions of a document. A verdict reads the statements that can deny (Deny, or an
 * unusable Effect) and, of the others, only how many there are and how large (what each step costs):
 * a keystroke in an Allow statement leaves it as it was. Only complete, unexhausted answers are kept.
 */
const verdictCache = new BoundedCache<string, BucketAnalysis>({
  maxBytes: 2 * 1024 * 1024,
  // A verdict holds a few witnesses: a few KB (measuring each would cost more than it saves).
  sizeOf: k => stringBytes(k) + 8 * 1024,
});

/** Forget every earlier version's verdicts (tests compare with a fresh analysis). */
export function clearVerdicts(): void {
  verdictCache.clear();
}

/**
 * What the verdict for `bucket` depends on, as a string; undefined when it is not to be reused.
 * The lock-out sweep reads no more of the document (lockout.ts, lockoutDenies).
 */
export function verdictKey(doc: PolicyDocument, bucket: string): string | undefined {
  // With syntax errors the tolerant parser's reading can depend on what surrounds a statement.
  if (doc.syntaxErrors.length || doc.truncated) return undefined;
  const compiled = compilePolicy(doc);
  let key = `${bucket}\u0000${bucketPartition(doc, bucket)}\u0000${String(doc.version?.value)}\u0000${doc.statements.length}\u0000${documentSize(doc)}`;
  doc.statements.forEach((st, i) => {
    if (compiled.statements[i]?.effect !== 'Allow') key += `\u0000${i}\u0000${statementText(doc, st)}`;
  });
  return key;
}

/**
 * The verdict for one bucket, with the work it took; undefined when the allowance cannot pay for its
 * request classes. An earlier version's verdict is reused when nothing it reads changed; the work it
 * took is then drawn from the allowance again, so that what is left for the rest of the analysis is
 * what it would be. (One difference is possible: an Allow statement that cannot be decided makes the
 * search check the denying statements once more; that extra work is not drawn on reuse.)
 */
export function analyzeBucket(doc: PolicyDocument, bucket: string, opts: VerdictOptions = {}): BucketAnalysis | undefined {
  const budget = opts.budget ?? new Budget(opts.maxSteps ?? DEFAULT_MAX_STEPS);
  const key = verdictKey(doc, bucket);
  const hit = key === undefined ? undefined : verdictCache.get(key);
  if (hit && budget.max - budget.used >= hit.steps && budget.take(hit.steps)) return structuredClone(hit);
  const a = searchBucket(doc, bucket, budget);
  if (a && key !== undefined && a.verdict.complete && !a.exhausted) verdictCache.set(key, structuredClone(a));
  return a;
}

function searchBucket(doc: PolicyDocument, bucket: string, budget: Budget): BucketAnalysis | undefined {
  const before = budget.used;
  if (!budget.take(documentSize(doc))) return undefined;
  // Only Deny statements can change an explicit-deny question: the classes come from them alone.
  const classes = requestClasses(doc, bucket, { statements: isDeny });
  const s = new Searcher(doc, classes, budget);
  const incomplete: Incomplete = { value: doc.truncated || doc.syntaxErrors.length > 0 || classes.keysLeftOut > 0 };

  const { http, witness, cause } = httpQuestion(s, incomplete);
  const minTlsVersion = minTlsQuestion(s, incomplete);
  const uploads = classes.uploads.map(spec => uploadQuestion(s, spec, incomplete));

  const verdict: BucketVerdict = {
    bucket,
    complete: !incomplete.value && !budget.exhausted,
    transport: { http, minTlsVersion, witness },
    encryption: { uploads, summary: encryptionSummary(uploads) },
  };
  return { verdict, steps: budget.used - before, exhausted: budget.exhausted, httpCause: cause };
}

// ---------------------------------------------------------------------------------------------
// explain

export interface ExplainedRequest {
  request: Witness;
  decision: Decision;
  /** The statements that decided, by Sid when they have one, else by index. */
  statements: (string | number)[];
}

/** How explain reports name statements: by Sid when they have one, else by index. */
export function statementLabels(doc: PolicyDocument): Map<number, string | number> {
  const label = new Map<number, string | number>();
  for (const st of doc.statements)
    label.set(st.index, typeof st.sid?.value === 'string' && st.sid.value !== '' ? st.sid.value : st.index);
  return label;
}

export interface ExplainOptions {
  /** Stop after this many requests (default 10 000). */
  maxRequests?: number;
}

/**
 * Every request class of the bucket with the policy's decision on it, for the CLI's `explain`
 * (docs/design/architecture.md "CLI explain --format json"). Classes come from all statements, Allow included.
 */
export function explainRequests(doc: PolicyDocument, bucket: string, opts: ExplainOptions = {}): ExplainedRequest[] {
  const classes = requestClasses(doc, bucket);
  const compiled = compilePolicy(doc);
  const label = statementLabels(doc);
  const max = opts.maxRequests ?? 10_000;
  const out: ExplainedRequest[] = [];
  for (const req of allRequests(classes)) {
    if (out.length >= max) break;
    const ev = compiled.evaluate(req);
    out.push({
      request: requestToWitness(req, classes.referencedKeys, classes.keyNames),
      decision: ev.decision,
      statements: ev.statements.map(i => label.get(i) ?? i),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// explain, grouped: request classes that the policy treats alike, in one row or one column
//
// The raw list above has one entry per request class: hundreds for a five-statement policy, most
// of them alike. A grid keeps each class's place in every dimension (transport, action, upload
// encryption…; the principal apart), so that `groupExplainGrid` can put the principals the policy
// cannot tell apart in one column and the classes every column decides alike in one row.

/** Who a principal of the request classes stands for. */
export type PrincipalRole =
  /** A principal the policy names (a role stands as one of its sessions). */
  | 'named'
  /** Another principal of an account the policy names. */
  | 'account-other'
  /** A principal of an account the policy does not name. */
  | 'outsider'
  | 'anonymous'
  | 'service';

export interface GridPrincipal {
  principal: RequestPrincipal;
  role: PrincipalRole;
}

export interface ExplainClass {
  /** Index into the grid's principals. */
  principal: number;
  /** The class's value in each dimension of the grid; '' where the dimension is absent from its requests (the upload encryption of s3:GetObject, a condition key the request does not carry). */
  coords: readonly string[];
  request: Witness;
  decision: Decision;
  /** The deciding statements, by index. */
  statements: readonly number[];
}

export interface ExplainGrid {
  /** The dimensions besides the principal, in the order the grouped table splits on them. */
  dims: readonly string[];
  principals: readonly GridPrincipal[];
  classes: readonly ExplainClass[];
  /** Bucket grids: the upload classes that the `upload` coordinate indexes. */
  uploads?: readonly Pick<UploadClass, 'sse' | 'kmsKey'>[];
  /** The enumeration stopped at `maxRequests`: the grid holds only the first classes. */
  truncated: boolean;
  /** Some statement could not be decided for some class (decisions assume it does not apply). */
  undecided: boolean;
}

export const TRANSPORT_DIM = 'transport';
export const ACTION_DIM = 'action';
export const UPLOAD_DIM = 'upload';
export const RESOURCE_DIM = 'resource';

/** A bucket grid's transport coordinates, in the order requests are enumerated. */
export const HTTP = 'HTTP';
export const tlsCoord = (version: string): string => `TLS ${version}`;

const SYNTHETIC = /:role\/other-principal(-2)?$/;

/**
 * The roles of the request classes' principals. requestClasses adds one synthetic principal per
 * account the policy names, then the one of an account it does not name: the last synthetic one.
 */
function bucketPrincipalRoles(principals: readonly RequestPrincipal[]): GridPrincipal[] {
  let outsider = -1;
  principals.forEach((p, i) => {
    if (p.kind === 'aws' && SYNTHETIC.test(p.arn)) outsider = i;
  });
  return principals.map((p, i): GridPrincipal => ({
    principal: p,
    role:
      p.kind === 'anonymous'
        ? 'anonymous'
        : p.kind === 'service'
          ? 'service'
          : i === outsider
            ? 'outsider'
            : SYNTHETIC.test(p.arn)
              ? 'account-other'
              : 'named',
  }));
}

/**
 * The request classes of explainRequests, each with its place in the dimensions transport, action,
 * upload encryption, resource and each condition key the policy reads.
 */
export function explainGrid(doc: PolicyDocument, bucket: string, opts: ExplainOptions = {}): ExplainGrid {
  const classes = requestClasses(doc, bucket);
  const compiled = compilePolicy(doc);
  const max = opts.maxRequests ?? 10_000;
  const uploadKey = (ctx: Request['context']) => SSE_KEYS.map(k => String(ctx[k] ?? '')).join('\u0000');
  const uploadIds = new Map(classes.uploads.map((u, i) => [uploadKey(u.headers), String(i)]));
  const principalIndex = new Map(classes.principals.map((p, i) => [principalLabel(p), i]));
  const out: ExplainClass[] = [];
  let truncated = false;
  let undecided = false;
  for (const req of allRequests(classes)) {
    if (out.length >= max) {
      truncated = true;
      break;
    }
    const ev = compiled.evaluate(req);
    if (ev.undecided) undecided = true;
    const ctx = req.context;
    const coords = [
      ctx[SECURE_TRANSPORT] === 'false' ? HTTP : tlsCoord(String(ctx[TLS_VERSION] ?? '')),
      req.action,
      carriesSse(req.action) ? (uploadIds.get(uploadKey(ctx)) ?? '') : '',
      req.resource,
      ...classes.keys.map(k => {
        const v = ctx[k.key];
        return v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
      }),
    ];
    out.push({
      principal: principalIndex.get(principalLabel(req.principal)) ?? 0,
      coords,
      request: requestToWitness(req, classes.referencedKeys, classes.keyNames),
      decision: ev.decision,
      statements: ev.statements,
    });
  }
  return {
    dims: [TRANSPORT_DIM, ACTION_DIM, UPLOAD_DIM, RESOURCE_DIM, ...classes.keys.map(k => k.name)],
    principals: bucketPrincipalRoles(classes.principals),
    classes: out,
    uploads: classes.uploads.map(u => ({ sse: u.sse, kmsKey: u.kmsKey })),
    truncated,
    undecided,
  };
}

/** The principals of one column: the policy gives every request of theirs the same decision. */
export interface ExplainColumn {
  /** Indexes into the grid's principals, in their order. */
  members: readonly number[];
}

/** What the policy decides for one column over the classes of one row. */
export interface ExplainCell {
  decision: Decision;
  /** The statements that decide every class of the cell (for a Deny or an Allow, empty only when no one statement decides them all: then each is decided by one of `alsoBy`). */
  statements: readonly number[];
  /** Statements that decide some classes of the cell, not all. */
  alsoBy: readonly number[];
  /** The first class of the cell: its request stands for the others. */
  example: ExplainClass;
  /** How many request classes (of all the column's principals) the cell covers. */
  classes: number;
}

/** The values one row covers in one dimension. */
export interface RowScope {
  values: readonly string[];
  /** The values left over after the rows beside this one took theirs ("any other action"). */
  rest: boolean;
}

export interface ExplainRow {
  /** Per dimension of the grid: the values the row covers, or null for any. */
  scope: readonly (RowScope | null)[];
  /** Per column; null where no class of the row exists for that column's principals. */
  cells: readonly (ExplainCell | null)[];
}

export interface GroupedExplain {
  columns: readonly ExplainColumn[];
  rows: readonly ExplainRow[];
}

const intersect = (a: readonly number[], b: readonly number[]): number[] => a.filter(i => b.includes(i));

/** Folds classes into the cell of one column: undefined when their decisions differ. */
function foldCell(classes: Iterable<ExplainClass>): ExplainCell | null | undefined {
  let cell: { decision: Decision; statements: number[]; union: Set<number>; example: ExplainClass; classes: number } | null =
    null;
  for (const c of classes) {
    if (!cell) {
      cell = { decision: c.decision, statements: [...c.statements], union: new Set(c.statements), example: c, classes: 1 };
      continue;
    }
    if (c.decision !== cell.decision) return undefined;
    cell.statements = intersect(cell.statements, c.statements);
    for (const i of c.statements) cell.union.add(i);
    cell.classes++;
  }
  if (!cell) return null;
  const { decision, statements, union, example, classes: count } = cell;
  return {
    decision,
    statements,
    alsoBy: [...union].filter(i => !statements.includes(i)).sort((a, b) => a - b),
    example,
    classes: count,
  };
}

/**
 * Groups a grid. Columns: the principals that get the same decision on every request class. Rows:
 * the classes are split dimension by dimension, in the grid's order. A branch becomes a row as soon
 * as each column decides all its classes alike and, for a Deny or an Allow, some statement decides
 * them all; at each split the values whose branches would read the same share one: those decided
 * alike by the same statements throughout, or with identical sub-tables. Every class is in exactly
 * one row and one column. Work: a pass over the classes per dimension.
 */
export function groupExplainGrid(grid: ExplainGrid): GroupedExplain {
  const keyOf = (coords: readonly string[]) => coords.join('\u0000');
  // --- columns: principals with the same decision on every coordinate set
  const byPrincipal = new Map<number, Map<string, ExplainClass>>();
  for (const c of grid.classes) {
    let m = byPrincipal.get(c.principal);
    if (!m) byPrincipal.set(c.principal, (m = new Map()));
    m.set(keyOf(c.coords), c);
  }
  const columnOf = new Map<string, number[]>();
  for (const [p, m] of byPrincipal) {
    let sig = '';
    for (const [k, c] of m) sig += `${k}\u0001${c.decision}\u0002`;
    const members = columnOf.get(sig);
    if (members) members.push(p);
    else columnOf.set(sig, [p]);
  }
  const columns: ExplainColumn[] = [...columnOf.values()].map(members => ({ members }));

  // --- one tuple per coordinate set, with the classes of each column's principals
  interface Tuple {
    coords: readonly string[];
    cells: ExplainClass[][];
    vector: string;
  }
  const tuples = new Map<string, Tuple>();
  columns.forEach((col, ci) => {
    for (const p of col.members) {
      for (const [k, c] of byPrincipal.get(p)!) {
        let t = tuples.get(k);
        if (!t) tuples.set(k, (t = { coords: c.coords, cells: columns.map(() => []), vector: '' }));
        t.cells[ci].push(c);
      }
    }
  });
  const cellKey = (cell: ExplainCell | null | undefined) => (cell ? `${cell.decision}:${cell.statements.join(',')}` : '-');
  for (const t of tuples.values()) t.vector = t.cells.map(cs => cellKey(foldCell(cs))).join('|');

  /** The cells of a branch when it reads as one row, else undefined. */
  const rowCells = (ts: readonly Tuple[], last: boolean): (ExplainCell | null)[] | undefined => {
    const cells: (ExplainCell | null)[] = [];
    for (let col = 0; col < columns.length; col++) {
      const cell = foldCell(
        (function* () {
          for (const t of ts) yield* t.cells[col];
        })(),
      );
      if (cell === undefined) return undefined;
      // Past the last dimension no split is left: the statements are then each class's own.
      if (cell && cell.decision !== 'implicit-deny' && cell.statements.length === 0 && !last) return undefined;
      cells.push(cell);
    }
    return cells;
  };

  const rows: ExplainRow[] = [];
  const dims = grid.dims.length;
  const split = (
    ts: readonly Tuple[],
    dim: number,
    scope: (RowScope | null)[],
    cells: (ExplainCell | null)[] | undefined,
  ): void => {
    if (cells || dim >= dims) {
      rows.push({
        scope: [...scope, ...new Array<null>(Math.max(0, dims - scope.length)).fill(null)],
        cells: cells ?? rowCells(ts, true) ?? [],
      });
      return;
    }
    const byValue = new Map<string, Tuple[]>();
    for (const t of ts) {
      const v = t.coords[dim];
      const list = byValue.get(v);
      if (list) list.push(t);
      else byValue.set(v, [t]);
    }
    // Values whose branches read the same share one: a branch that is one row by its cells, any other by its sub-table.
    const branches = new Map<string, { values: string[]; tuples: Tuple[]; cells: (ExplainCell | null)[] | undefined }>();
    for (const [v, list] of byValue) {
      const cells = rowCells(list, dim + 1 >= dims);
      let sig: string;
      if (cells) sig = `row\u0001${cells.map(cellKey).join('|')}`;
      else {
        const rest = new Set<string>();
        for (const t of list) rest.add(`${keyOf(t.coords.slice(dim + 1))}\u0001${t.vector}`);
        sig = `table\u0001${[...rest].sort().join('\u0002')}`;
      }
      const b = branches.get(sig);
      if (!b) branches.set(sig, { values: [v], tuples: [...list], cells });
      else {
        b.values.push(v);
        for (const t of list) b.tuples.push(t);
        // The same statements decide both; the classes and the statements deciding some of them add up.
        if (b.cells) b.cells = rowCells(b.tuples, dim + 1 >= dims);
      }
    }
    const groups = [...branches.values()];
    // The largest branch of several, when it holds more than one value, may read as "the others".
    const largest = groups.length > 1 ? groups.reduce((a, b) => (b.values.length > a.values.length ? b : a)) : undefined;
    for (const b of groups) {
      const here: RowScope | null = groups.length === 1 ? null : { values: b.values, rest: b === largest && b.values.length > 1 };
      split(b.tuples, dim + 1, [...scope, here], b.cells);
    }
  };
  split([...tuples.values()], 0, [], rowCells([...tuples.values()], dims === 0));
  return { columns, rows };
}
