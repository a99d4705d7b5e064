// The live encryption posture of an account's buckets: default encryption, the bucket policy and its
// verdict, Block Public Access, the KMS key behind default encryption (state, spec, region, rotation,
// key policy and its verdict), and the cross-checks between them (checks.ts).
//
// Only Get/List/Describe calls: nothing is ever written to an account. At most `concurrency` calls are
// in flight at once (a semaphore around every call); a bucket's calls run in the bucket's region and a
// key's calls in the key's region. Every failed call is recorded on its bucket as {call, code, message}
// and never thrown through: one bucket's AccessDenied or throttling leaves the others complete. The
// only rejection is an abort.
//
// Nothing an endpoint does holds a fetch forever: each attempt of a call has a deadline that covers
// its whole answer and each answer a size limit (wire.ts); each call has a deadline that covers its
// attempts and the waits between them (session.callDeadlineMs), after which it is abandoned, as it
// is at once when the caller aborts; ListBuckets stops on a page that repeats itself or after
// MAX_LIST_PAGES pages, and then fails as a whole (errors.ts, paginationError).
import { setMaxListeners } from 'node:events';
import {
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { BucketVerdict, KeyPolicyVerdict, Requirements } from '../shared/types';
import { postureChecks, type FactsRead } from './checks';
import { errorCode, isConnectionError, paginationError, toCallError, type ErrorContext } from './errors';
import { openSession, SessionError, type Session, type SessionOptions } from './session';
import {
  KMS_KEY_ARN,
  type BucketPosture,
  type CallError,
  type DefaultEncryption,
  type KmsKeyPosture,
  type PostureReport,
} from './types';
import { LIST_BUCKETS_PAGE_SIZE, MAX_LIST_PAGES, WireError } from './wire';

/** Judges policy text with the engine: in-process (localJudge) or through the language server. */
export interface Judge {
  bucketPolicy(text: string, bucket: string): Promise<BucketVerdict | null>;
  /** `keyArn`: the key the policy is attached to, as DescribeKey named it (its region is the one S3 calls KMS from); undefined when KMS gave no key ARN. */
  keyPolicy(text: string, keyArn: string | undefined): Promise<KeyPolicyVerdict | null>;
}

export interface PostureOptions extends SessionOptions {
  /** Only these buckets (no ListBuckets call). */
  buckets?: string[];
  /** Only buckets in these regions. */
  regions?: string[];
  /** Calls in flight at most (default 8). */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number; bucket?: string }) => void;
  judge: Judge;
  /** What bucket policies must enforce (the CLI's config file, the editor's setting); defaults: HTTPS required. */
  requirements?: Readonly<Requirements>;
  /** ListBuckets pages read at most (default MAX_LIST_PAGES). */
  maxListPages?: number;
  /** Buckets per ListBuckets page (default LIST_BUCKETS_PAGE_SIZE; S3 accepts 1 to 10,000). */
  listPageSize?: number;
}

export const DEFAULT_CONCURRENCY = 8;

/** GetBucketLocation's answer as a region: empty is us-east-1, `EU` is eu-west-1 (legacy names). */
export function locationToRegion(constraint: string | undefined | null): string {
  if (!constraint) return 'us-east-1';
  if (constraint === 'EU') return 'eu-west-1';
  return constraint;
}

/** The region in a KMS ARN (`arn:aws:kms:eu-west-1:111122223333:key/…` or `…:alias/…`). */
export function regionFromArn(id: string): string | null {
  const m = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:(key|alias)\//.exec(id);
  return m ? m[1] : null;
}

const abortError = (signal?: AbortSignal): Error => {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const e = new Error('posture fetch aborted');
  e.name = 'AbortError';
  return e;
};

/** At most `limit` holders at once; waiters leave the queue when the signal aborts. */
class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw abortError(signal);
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const go = () => {
        signal?.removeEventListener('abort', onAbort);
        this.active++;
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(abortError(signal));
      };
      this.waiting.push(go);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  release(): void {
    this.active--;
    const next = this.waiting.shift();
    if (next) next();
  }
}

/** Runs `work` over `items` with at most `width` at once; stops starting new work on abort. */
async function pool<T>(
  items: readonly T[],
  width: number,
  work: (item: T, index: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      if (signal?.aborted) throw abortError(signal);
      const i = next++;
      await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, items.length)) }, lane));
}

interface KeyResult {
  key: KmsKeyPosture;
  errors: CallError[];
}

/** One fetch: the session, the call limiter, the key cache. */
class PostureRun {
  private readonly limit: Semaphore;
  private readonly keys = new Map<string, Promise<KeyResult>>();
  /**
   * Key policies judged once per key and text: a key reached by its alias and by its ARN is one
   * key. Keys that share a policy text are judged apart: the verdict (S3 in the key's region, the
   * witness's key) is about one key.
   */
  private readonly keyVerdicts = new Map<string, Promise<KeyPolicyVerdict | null>>();
  readonly errCtx: ErrorContext;

  /** The caller's signal, relayed: every in-flight call listens to it, more than Node's default 10 listeners. */
  private readonly signal?: AbortSignal;

  constructor(
    private readonly session: Session,
    private readonly opts: PostureOptions,
  ) {
    this.limit = new Semaphore(Math.max(1, Math.floor(opts.concurrency ?? DEFAULT_CONCURRENCY)));
    if (opts.signal) {
      const relay = new AbortController();
      setMaxListeners(0, relay.signal);
      if (opts.signal.aborted) relay.abort(opts.signal.reason);
      else opts.signal.addEventListener('abort', () => relay.abort(opts.signal?.reason), { once: true });
      this.signal = relay.signal;
    }
    this.errCtx = {
      endpoint: session.endpoint,
      timeoutMs: session.timeoutMs,
      maxAttempts: session.maxAttempts,
      scrub: session.scrub,
    };
  }

  /**
   * One AWS call under the concurrency limit and the call's deadline; the caller's abort rejects,
   * every other failure is returned (the deadline as a TimeoutError of phase `call`). The SDK gets
   * an abort signal for both and is not waited for after either: whatever it still has running is
   * aborted, and nothing it does later can hold the fetch.
   */
  private async send<T>(
    operation: string,
    client: S3Client | KMSClient,
    command: unknown,
  ): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
    const signal = this.signal;
    await this.limit.acquire(signal);
    const call = new AbortController();
    const started = Date.now();
    const deadline = this.session.callDeadlineMs;
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      call.abort();
    }, deadline);
    const onAbort = () => call.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const value = await new Promise<T>((resolve, reject) => {
        call.signal.addEventListener('abort', () => reject(abortError(call.signal)), { once: true });
        (client as { send(c: unknown, o: { abortSignal?: AbortSignal }): Promise<T> })
          .send(command, { abortSignal: call.signal })
          .then(resolve, reject);
      });
      return { ok: true, value };
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      if (expired)
        return {
          ok: false,
          error: new WireError('TimeoutError', {
            operation,
            phase: 'call',
            elapsedMs: Date.now() - started,
            bytes: 0,
            limit: deadline,
          }),
        };
      return { ok: false, error };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      this.limit.release();
    }
  }

  /**
   * Every bucket name, page by page. A listing that would never end fails as a whole: a page that
   * repeats a continuation token, one that adds no bucket yet asks for another page, or more
   * pages than `maxListPages`.
   */
  async listBuckets(): Promise<{ names: string[] } | { error: CallError }> {
    const names = new Set<string>();
    const tokens = new Set<string>();
    const maxPages = Math.max(1, this.opts.maxListPages ?? MAX_LIST_PAGES);
    const pageSize = Math.min(10_000, Math.max(1, Math.floor(this.opts.listPageSize ?? LIST_BUCKETS_PAGE_SIZE)));
    let token: string | undefined;
    for (let page = 1; ; page++) {
      const r = await this.send<{ Buckets?: { Name?: string }[]; ContinuationToken?: string }>(
        'ListBuckets',
        this.session.s3(this.session.region),
        new ListBucketsCommand({ MaxBuckets: pageSize, ...(token ? { ContinuationToken: token } : {}) }),
      );
      if (!r.ok) return { error: toCallError('ListBuckets', r.error, this.errCtx) };
      const known = names.size;
      for (const b of r.value.Buckets ?? []) if (b.Name) names.add(b.Name);
      const next = r.value.ContinuationToken || undefined;
      if (!next) return { names: [...names] };
      if (tokens.has(next) || next === token) return { error: paginationError({ kind: 'repeated-token', page }, this.errCtx) };
      if (names.size === known) return { error: paginationError({ kind: 'no-new-buckets', page }, this.errCtx) };
      if (page >= maxPages) return { error: paginationError({ kind: 'too-many-pages', page, buckets: names.size }, this.errCtx) };
      tokens.add(next);
      token = next;
    }
  }

  /** The posture of one bucket, or null when its region is not one of the wanted regions. */
  async bucket(name: string): Promise<BucketPosture | null> {
    const p: BucketPosture = {
      name,
      region: null,
      defaultEncryption: null,
      policy: { present: null, verdict: null, text: null },
      publicAccessBlock: null,
      kmsKey: null,
      checks: [],
      errors: [],
    };
    const read: FactsRead = { encryption: false, policy: false, publicAccessBlock: false };
    const fail = (call: string, e: unknown) => p.errors.push(toCallError(call, e, this.errCtx));

    const loc = await this.send<{ LocationConstraint?: string }>(
      'GetBucketLocation',
      this.session.s3(this.session.region),
      new GetBucketLocationCommand({ Bucket: name }),
    );
    if (loc.ok) p.region = locationToRegion(loc.value.LocationConstraint);
    else fail('GetBucketLocation', loc.error);
    const wanted = this.opts.regions?.filter(Boolean);
    if (wanted?.length && p.region && !wanted.includes(p.region)) return null;
    // A bucket that does not exist (or whose name S3 refuses) has no other facts to read.
    if (!loc.ok && ['NoSuchBucket', 'InvalidBucketName'].includes(errorCode(loc.error))) return p;
    const s3 = this.session.s3(p.region ?? this.session.region);

    await Promise.all([
      (async () => {
        const r = await this.send<{
          ServerSideEncryptionConfiguration?: {
            Rules?: {
              ApplyServerSideEncryptionByDefault?: { SSEAlgorithm?: string; KMSMasterKeyID?: string };
              BucketKeyEnabled?: boolean;
            }[];
          };
        }>('GetBucketEncryption', s3, new GetBucketEncryptionCommand({ Bucket: name }));
        if (r.ok) {
          const rule =
            r.value.ServerSideEncryptionConfiguration?.Rules?.find(x => x.ApplyServerSideEncryptionByDefault) ??
            r.value.ServerSideEncryptionConfiguration?.Rules?.[0];
          const byDefault = rule?.ApplyServerSideEncryptionByDefault;
          p.defaultEncryption = {
            algorithm: (byDefault?.SSEAlgorithm as DefaultEncryption['algorithm']) ?? null,
            kmsKeyId: byDefault?.KMSMasterKeyID || null,
            bucketKeyEnabled: rule?.BucketKeyEnabled === true,
          };
          read.encryption = true;
        } else if (errorCode(r.error) === 'ServerSideEncryptionConfigurationNotFoundError') {
          p.defaultEncryption = { algorithm: null, kmsKeyId: null, bucketKeyEnabled: false };
          read.encryption = true;
        } else fail('GetBucketEncryption', r.error);
      })(),
      (async () => {
        const r = await this.send<{ Policy?: string }>('GetBucketPolicy', s3, new GetBucketPolicyCommand({ Bucket: name }));
        if (r.ok) {
          const text = r.value.Policy ?? '';
          p.policy.present = true;
          p.policy.text = text;
          try {
            p.policy.verdict = await this.opts.judge.bucketPolicy(text, name);
            read.policy = true;
          } catch (e) {
            p.errors.push({
              call: 'analyze bucket policy',
              code: 'AnalysisFailed',
              message: this.session.scrub(`the engine could not judge the policy: ${e instanceof Error ? e.message : String(e)}`),
            });
          }
        } else if (errorCode(r.error) === 'NoSuchBucketPolicy') {
          p.policy.present = false;
          read.policy = true;
        } else fail('GetBucketPolicy', r.error);
      })(),
      (async () => {
        const r = await this.send<{
          PublicAccessBlockConfiguration?: {
            BlockPublicAcls?: boolean;
            IgnorePublicAcls?: boolean;
            BlockPublicPolicy?: boolean;
            RestrictPublicBuckets?: boolean;
          };
        }>('GetPublicAccessBlock', s3, new GetPublicAccessBlockCommand({ Bucket: name }));
        if (r.ok) {
          const c = r.value.PublicAccessBlockConfiguration ?? {};
          p.publicAccessBlock = {
            blockPublicAcls: c.BlockPublicAcls === true,
            ignorePublicAcls: c.IgnorePublicAcls === true,
            blockPublicPolicy: c.BlockPublicPolicy === true,
            restrictPublicBuckets: c.RestrictPublicBuckets === true,
          };
          read.publicAccessBlock = true;
        } else if (errorCode(r.error) === 'NoSuchPublicAccessBlockConfiguration') {
          read.publicAccessBlock = true;
        } else fail('GetPublicAccessBlock', r.error);
      })(),
    ]);

    const alg = p.defaultEncryption?.algorithm;
    if (alg === 'aws:kms' || alg === 'aws:kms:dsse') {
      // No key named: S3 uses the AWS managed key aws/s3 of the bucket's region.
      const keyId = p.defaultEncryption?.kmsKeyId || 'alias/aws/s3';
      const { key, errors } = await this.key(keyId, p.region ?? this.session.region);
      p.kmsKey = key;
      p.errors.push(...errors);
    }
    p.checks = postureChecks(p, read, this.opts.requirements);
    return p;
  }

  /** A key's posture, fetched once per key and region however many buckets use it. */
  key(keyId: string, bucketRegion: string): Promise<KeyResult> {
    const region = regionFromArn(keyId) ?? bucketRegion;
    const cacheKey = `${region}|${keyId}`;
    let pending = this.keys.get(cacheKey);
    if (!pending) {
      pending = this.fetchKey(keyId, region);
      // A rejected (aborted) fetch must not be served to later buckets.
      pending.catch(() => this.keys.delete(cacheKey));
      this.keys.set(cacheKey, pending);
    }
    return pending;
  }

  private async fetchKey(keyId: string, region: string): Promise<KeyResult> {
    const kms = this.session.kms(region);
    const errors: CallError[] = [];
    const key: KmsKeyPosture = {
      arn: keyId,
      state: null,
      rotation: null,
      keySpec: null,
      region,
      policyVerdict: null,
      policyText: null,
      keyManager: null,
    };
    const d = await this.send<{
      KeyMetadata?: { Arn?: string; KeyState?: string; KeySpec?: string; CustomerMasterKeySpec?: string; KeyManager?: string };
    }>('kms:DescribeKey', kms, new DescribeKeyCommand({ KeyId: keyId }));
    if (!d.ok) {
      errors.push(toCallError('kms:DescribeKey', d.error, this.errCtx));
      return { key, errors };
    }
    const m = d.value.KeyMetadata ?? {};
    key.arn = m.Arn ?? keyId;
    key.region = regionFromArn(key.arn) ?? region;
    key.state = m.KeyState ?? null;
    key.keySpec = m.KeySpec ?? m.CustomerMasterKeySpec ?? null;
    key.keyManager = m.KeyManager ?? null;
    await Promise.all([
      (async () => {
        const r = await this.send<{ KeyRotationEnabled?: boolean }>(
          'kms:GetKeyRotationStatus',
          kms,
          new GetKeyRotationStatusCommand({ KeyId: key.arn }),
        );
        if (r.ok) key.rotation = r.value.KeyRotationEnabled ?? null;
        // Asymmetric keys have no automatic rotation: KMS answers UnsupportedOperationException, a fact, not a failure.
        else if (errorCode(r.error) !== 'UnsupportedOperationException')
          errors.push(toCallError('kms:GetKeyRotationStatus', r.error, this.errCtx));
      })(),
      (async () => {
        const r = await this.send<{ Policy?: string }>(
          'kms:GetKeyPolicy',
          kms,
          new GetKeyPolicyCommand({ KeyId: key.arn, PolicyName: 'default' }),
        );
        if (!r.ok) {
          errors.push(toCallError('kms:GetKeyPolicy', r.error, this.errCtx));
          return;
        }
        key.policyText = r.value.Policy ?? null;
        if (!key.policyText) return;
        try {
          const text = key.policyText;
          const cacheKey = `${key.arn}\n${text}`;
          let verdict = this.keyVerdicts.get(cacheKey);
          if (!verdict)
            this.keyVerdicts.set(
              cacheKey,
              (verdict = this.opts.judge.keyPolicy(text, KMS_KEY_ARN.test(key.arn) ? key.arn : undefined)),
            );
          key.policyVerdict = await verdict;
        } catch (e) {
          errors.push({
            call: 'analyze key policy',
            code: 'AnalysisFailed',
            message: this.session.scrub(
              `the engine could not judge the key policy: ${e instanceof Error ? e.message : String(e)}`,
            ),
          });
        }
      })(),
    ]);
    return { key, errors };
  }
}

/**
 * The posture of the account's buckets (or of `opts.buckets`). Never rejects for AWS errors: they are
 * on the buckets (`bucket.errors`) or, before any bucket is known, in `report.errors`. Rejects only
 * when `opts.signal` aborts.
 */
export async function fetchPosture(opts: PostureOptions): Promise<PostureReport> {
  if (opts.signal?.aborted) throw abortError(opts.signal);
  let session: Session;
  try {
    session = await openSession(opts);
  } catch (e) {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    const code = e instanceof SessionError ? e.code : 'CredentialsNotFound';
    const message = e instanceof SessionError ? e.message : 'could not set up the AWS session';
    return { buckets: [], errors: [{ call: 'credentials', code, message }] };
  }
  const source = {
    profile: session.profile,
    region: session.region,
    endpoint: session.endpoint,
    credentials: session.dummy ? ('dummy' as const) : ('chain' as const),
  };
  try {
    const run = new PostureRun(session, opts);
    let names: string[];
    if (opts.buckets?.length) names = [...new Set(opts.buckets)];
    else {
      const listed = await run.listBuckets();
      if ('error' in listed) return { buckets: [], errors: [listed.error], source };
      names = listed.names;
    }
    const total = names.length;
    let done = 0;
    opts.onProgress?.({ done, total });
    const results: (BucketPosture | null)[] = new Array(total).fill(null);
    const width = 2 * Math.max(1, Math.floor(opts.concurrency ?? DEFAULT_CONCURRENCY));
    await pool(
      names,
      width,
      async (name, i) => {
        results[i] = await run.bucket(name);
        opts.onProgress?.({ done: ++done, total, bucket: name });
      },
      opts.signal,
    );
    if (opts.signal?.aborted) throw abortError(opts.signal);
    const buckets = results.filter((b): b is BucketPosture => b !== null);
    // The endpoint itself unreachable for every bucket: say it once, at the top.
    const errors: CallError[] = [];
    if (buckets.length && buckets.every(b => b.errors.length && b.errors.every(isConnectionError)))
      errors.push(buckets[0].errors[0]);
    return { buckets, ...(errors.length ? { errors } : {}), source };
  } finally {
    session.destroy();
  }
}
