// The bucket-policy verdict of ENGINE.md §3: what the policy explicitly denies over HTTP, below which
// TLS version, and for each upload encryption class — decided by evaluating the policy over the
// request classes of requests.ts, with a witness (one request that gets through) whenever a
// property does not hold. No vscode or LSP imports.
//
// Only an explicit Deny counts (identity policies elsewhere may allow anything, ENGINE.md §1), so
// every question here is "is there a request of this kind that no Deny statement covers?". The
// search walks the request classes depth first and skips a whole subtree as soon as a Deny
// statement whose every input is fixed applies: a policy that denies HTTP for `s3:*` on both ARNs is
// settled after one check per principal and action class, not one per request.
import type { PolicyDocument, Statement } from '../policy/model';
import { parseS3Arn } from '../policy/arn';
import { isAnyS3Action, isEveryone } from '../policy/statement';
import { hasWildcard, compileWildcard, type WildcardMatcher } from '../policy/wildcard';
import { compilePolicy, type CompiledStatement } from './evaluate';
import {
  Budget,
  DEFAULT_MAX_STEPS,
  SECURE_TRANSPORT,
  TLS_VERSION,
  TLS_VERSIONS,
  actionResourceLevel,
  allRequests,
  applyTransport,
  applyUpload,
  baseRequest,
  copyRequest,
  enumerateRequests,
  isDeny,
  keyLevel,
  objectLevel,
  principalLevel,
  requestClasses,
  requestToWitness,
  sseLevel,
  statementKeys,
  type Level,
  type RequestClasses,
  type TlsVersion,
  type UploadSpec,
} from './requests';
import type { BucketVerdict, Decision, Evaluation, Request, UploadClass, Witness } from './types';

export { requestToWitness, witnessToRequest } from './requests';

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
      if (!seen.has(arn.bucket)) { seen.add(arn.bucket); out.push(arn.bucket); }
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

const sizeCache = new WeakMap<PolicyDocument, number>();
/** The values a pass over the document reads (principals, actions, resources, condition values): what building request classes costs. */
function documentSize(doc: PolicyDocument): number {
  let n = sizeCache.get(doc);
  if (n === undefined) {
    n = 0;
    for (const st of doc.statements) {
      n += 1 + ((st.action ?? st.notAction)?.items.length ?? 0) + ((st.resource ?? st.notResource)?.items.length ?? 0);
      for (const e of (st.principal ?? st.notPrincipal)?.entries ?? []) n += e.values.items.length;
      for (const o of st.condition?.operators ?? []) for (const e of o.entries) n += e.values.items.length;
    }
    sizeCache.set(doc, n);
  }
  return n;
}

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
        this.denies.push({ compiled: c, keys: statementKeys(st), anyPrincipal: isEveryone(st), anyS3Action: isAnyS3Action(st), resourcePatterns: plainResourcePatterns(st) });
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
        const resources = dims.includes('action') ? [this.classes.bucketArn, ...this.classes.objectArns] : this.classes.objectArns;
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
  search(levels: readonly Level[], base: Request, opts: { prune?: (req: Request, level: number) => boolean; accept?: (req: Request) => boolean | 'unknown' } = {}): SearchResult {
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
      if (!this.undecidedMatters(req, ev)) return { found: { request: copyRequest(req), evaluation: ev, definite: true }, uncertain };
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
  return [actionResourceLevel(classes), principalLevel(classes.principals), sseLevel(classes.uploads), ...classes.keys.map(keyLevel)];
}

function baseWith(classes: RequestClasses, transport: { secure: boolean; tls?: TlsVersion }, upload?: UploadSpec): Request {
  const base = baseRequest(classes);
  applyTransport(base, transport);
  if (upload) applyUpload(base, upload);
  return base;
}

interface Incomplete { value: boolean }

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
    return httpTwin(req, () => {
      for (const d of transportDenies) {
        if (!budget.take()) return false;
        if (d.compiled.applies(req) !== false) return false;
      }
      return true;
    }) === true;
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
 * requirements (ENGINE.md §3); it only separates "unrestricted" from "encrypted-header-required".
 */
export function encryptionSummary(uploads: readonly UploadClass[]): BucketVerdict['encryption']['summary'] {
  const open = uploads.filter(u => u.decision === 'not-denied');
  const openSse = (sse: UploadClass['sse']) => open.some(u => u.sse === sse);
  const explicit = open.filter(u => u.sse !== 'none');
  if (openSse('AES256') && openSse('aws:kms') && openSse('aws:kms:dsse')) return openSse('none') ? 'unrestricted' : 'encrypted-header-required';
  if (explicit.length === 0) return 'mixed';
  if (explicit.every(u => u.sse === 'AES256')) return 'sse-s3-only';
  if (explicit.every(u => u.sse === 'aws:kms:dsse')) return 'dsse-only';
  if (explicit.every(u => u.sse === 'aws:kms' || u.sse === 'aws:kms:dsse')) {
    return explicit.every(u => u.kmsKey !== null && u.kmsKey !== 'other') ? 'sse-kms-key-pinned' : 'sse-kms-only';
  }
  return 'mixed';
}

/** The verdict for one bucket, with the work it took; undefined when the allowance cannot pay for its request classes. */
export function analyzeBucket(doc: PolicyDocument, bucket: string, opts: VerdictOptions = {}): BucketAnalysis | undefined {
  const budget = opts.budget ?? new Budget(opts.maxSteps ?? DEFAULT_MAX_STEPS);
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
  for (const st of doc.statements) label.set(st.index, typeof st.sid?.value === 'string' && st.sid.value !== '' ? st.sid.value : st.index);
  return label;
}

export interface ExplainOptions {
  /** Stop after this many requests (default 10 000). */
  maxRequests?: number;
}

/**
 * Every request class of the bucket with the policy's decision on it, for the CLI's `explain`
 * (ARCHITECTURE.md "CLI explain --format json"). Classes come from all statements, Allow included.
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
