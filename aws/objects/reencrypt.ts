// Re-encrypting a bucket's existing objects (issue 14, item 2): the plan (plan.ts) made from a
// listing and HeadObject per object, then, once the caller has confirmed it, the run.
//
// Never lose data:
// - UpdateObjectEncryption is used on an endpoint only after it has been proven on a canary object
//   the run writes and deletes itself: same content, size and ETag, new encryption. An endpoint that
//   answers it with a clear "not implemented" gets copies instead; one that answers 200 but did
//   something else (an S3-compatible store may take `PUT /key?encryption` for a PutObject and replace
//   the content) stops the run before any object of the user's is touched.
// - Every object is verified after its call (HeadObject): an update must leave size and ETag as
//   planned, a copy size, checksum, content-type and user metadata; both must show the target
//   encryption. Any surprise stops the whole run: nothing more is written, and the report says why.
// - A copy is conditional on the ETag seen at planning (x-amz-copy-source-if-match, on every part of
//   a multipart copy): an object changed since is skipped and reported, never overwritten with stale
//   content. A failed multipart copy is aborted.
// - A copy keeps what a naive copy loses: user metadata, content-type and the other system headers
//   (MetadataDirective COPY), tags (TaggingDirective COPY), storage class, checksum algorithm, Object
//   Lock settings, and the ACL (read before and put back after, when the bucket's ACLs are enabled).
// - The journal (journal.ts) records each done, failed and skipped object; a resumed run skips what
//   is done.
// Calls go through calls.ts: bounded concurrency, halved on SlowDown.
import { randomUUID } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectAclCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  UpdateObjectEncryptionCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { errorCode } from '../errors';
import type { Session } from '../session';
import type { CallError } from '../types';
import { Caller, forEachBounded, StoppedError } from './calls';
import { type Journal } from './journal';
import {
  decide,
  estimate,
  partSizeFor,
  type Method,
  type PlannedObject,
  type PlanSummary,
  type SkipReason,
  type Target,
} from './plan';
import { headObject, listObjects, objectFromHead } from './scan';
import type { ObjectInfo } from './types';

export const DEFAULT_REENCRYPT_CONCURRENCY = 16;
/** Part size of a multipart copy (S3 allows 5 MiB to 5 GiB per part, 10,000 parts). */
export const DEFAULT_PART_BYTES = 512 * 1024 ** 2;
/** Above this many objects the per-object path gives way to S3 Batch Operations (`--batch`). */
export const DEFAULT_BATCH_THRESHOLD = 100_000;

type SessionLike = Pick<Session, 'endpoint' | 'timeoutMs' | 'maxAttempts' | 'callDeadlineMs' | 'scrub'>;

export interface ReencryptOptions {
  bucket: string;
  prefix?: string;
  versions?: boolean;
  target: Target;
  /** Never UpdateObjectEncryption: copies only (an endpoint known not to implement it). */
  copyOnly?: boolean;
  /** Objects over this size are copied in parts (default 5 GiB, CopyObject's limit). */
  copyLimitBytes?: number;
  /** Part size of multipart copies (default DEFAULT_PART_BYTES). */
  partBytes?: number;
  /** Calls in flight at most (default DEFAULT_REENCRYPT_CONCURRENCY). */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (p: ReencryptProgress) => void;
}

export interface ReencryptProgress {
  phase: 'plan' | 'canary' | 'run';
  done: number;
  total: number;
  updated: number;
  copied: number;
  skipped: number;
  failed: number;
  concurrency: number;
}

export interface Plan {
  summary: PlanSummary;
  items: PlannedObject[];
  /** Objects a journal of an earlier run records as done and the listing still shows so. */
  alreadyDone: number;
  errors: CallError[];
}

/** The final report (issue 14, "Interfaces": `reencrypt --format json`). */
export interface ReencryptReport {
  bucket: string;
  planned: number;
  updated: number;
  copied: number;
  skipped: Partial<Record<SkipReason, number>>;
  failed: { key: string; versionId?: string | null; code: string; message: string }[];
  job: string | null;
  /** Done by an earlier run of the same journal. */
  alreadyDone: number;
  /** Why the run stopped before its end (a surprise, the user's Stop), or null. */
  stopped: string | null;
  /** Times the run halved its calls in flight after SlowDown. */
  slowDowns: number;
  /** UpdateObjectEncryption: proven on a canary, not implemented (copies instead), or not needed. */
  updateObjectEncryption: 'proven' | 'not-implemented' | 'not-needed' | 'copy-only' | 'refused';
  notes: string[];
}

const emptyByMethod = (): Record<Method, number> => ({ update: 0, copy: 0, 'multipart-copy': 0 });

/** The target as one line (the journal's header, the confirmation). */
export const targetText = (t: Target): string =>
  t.algorithm === 'AES256' ? 'SSE-S3' : `SSE-KMS ${t.kmsKeyArn}${t.bucketKey ? ' with S3 Bucket Key' : ''}`;

/** Reads the bucket and decides per object. Read-only: nothing is written. */
export async function planReencryption(
  s3: S3Client,
  session: SessionLike,
  opts: ReencryptOptions,
  journal?: Journal,
): Promise<Plan> {
  const caller = new Caller(session, opts.concurrency ?? DEFAULT_REENCRYPT_CONCURRENCY, opts.signal);
  const errors: CallError[] = [];
  const items: PlannedObject[] = [];
  const byMethod = emptyByMethod();
  const skipped: Partial<Record<SkipReason, number>> = {};
  const kmsSource: { kmsSource: number }[] = [];
  let scanned = 0;
  let compliant = 0;
  let alreadyDone = 0;
  let copyBytes = 0;
  let multipartParts = 0;
  const partBytes = opts.partBytes ?? DEFAULT_PART_BYTES;
  const notes: string[] = [];

  const versioning = await caller.call<{ Status?: string }>(
    s3,
    new GetBucketVersioningCommand({ Bucket: opts.bucket }),
    'GetBucketVersioning',
  );
  const versioned = versioning.ok && (versioning.value.Status === 'Enabled' || versioning.value.Status === 'Suspended');
  if (versioned && !opts.versions)
    notes.push(
      'the bucket is versioned: older versions keep their encryption (--versions handles them too), and each copy adds a new version',
    );

  let last = 0;
  const progress = () => {
    const now = Date.now();
    if (opts.onProgress && now - last >= 100) {
      last = now;
      opts.onProgress({
        phase: 'plan',
        done: scanned,
        total: 0,
        updated: 0,
        copied: 0,
        skipped: 0,
        failed: errors.length,
        concurrency: caller.concurrency,
      });
    }
  };
  await forEachBounded(
    listObjects(s3, caller, { bucket: opts.bucket, prefix: opts.prefix, versions: opts.versions }, e => errors.push(e)),
    caller.maxConcurrency * 2,
    async listed => {
      const before = journal?.get(listed.key, listed.versionId);
      if (before?.status === 'done' && before.etag && before.etag === listed.etag) {
        scanned++;
        alreadyDone++;
        compliant++;
        return;
      }
      const h = await headObject(s3, caller, opts.bucket, listed);
      scanned++;
      if (!h.ok) {
        errors.push(h.error);
        return;
      }
      const o = h.object;
      const d = decide(o, { target: opts.target, copyOnly: opts.copyOnly, copyLimitBytes: opts.copyLimitBytes });
      if (d.action === 'nothing') {
        compliant++;
        if (before?.status === 'done') alreadyDone++;
      } else if (d.action === 'skip') skipped[d.reason] = (skipped[d.reason] ?? 0) + 1;
      else {
        byMethod[d.action]++;
        items.push({ key: o.key, versionId: o.versionId, etag: o.etag, size: o.size, method: d.action, object: o });
        kmsSource.push({
          kmsSource: d.action !== 'update' && (o.encryption === 'SSE-KMS' || o.encryption === 'DSSE-KMS') ? 1 : 0,
        });
        if (d.action !== 'update') copyBytes += o.size;
        if (d.action === 'multipart-copy') multipartParts += Math.ceil(o.size / partSizeFor(o.size, partBytes));
      }
      progress();
    },
    caller.signal,
  ).catch(e => {
    if (!(e instanceof StoppedError)) throw e;
  });
  if (caller.stopped) notes.push(`stopped while planning, after ${scanned} objects`);
  // Keys in listing order: the run and its journal read like the bucket.
  items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : (a.versionId ?? '') < (b.versionId ?? '') ? -1 : 1));
  if (skipped['sse-c']) notes.push('SSE-C objects are skipped: re-encrypt them with their customer-provided key, or delete them');
  if (skipped['object-lock'])
    notes.push('objects under Object Lock retention or legal hold are skipped: they must not change until it ends');
  if (skipped.archived)
    notes.push('archived objects (GLACIER, DEEP_ARCHIVE, Intelligent-Tiering archive tiers) are skipped: restore them first');
  if (errors.length)
    notes.push(`${errors.length} object${errors.length === 1 ? '' : 's'} could not be read: the plan is partial`);
  const base = {
    bucket: opts.bucket,
    prefix: opts.prefix ?? '',
    target: opts.target,
    scanned,
    alreadyCompliant: compliant,
    planned: items.length,
    byMethod,
    skipped,
    copyBytes,
    notes,
    complete: !errors.length && !caller.stopped,
  };
  return { summary: { ...base, ...estimate(base, kmsSource, multipartParts) }, items, alreadyDone, errors };
}

/** A run-wide stop: a surprise (or the caller's Stop). */
class Surprise extends Error {
  constructor(
    readonly key: string,
    readonly versionId: string | null,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const copySource = (bucket: string, key: string, versionId: string | null): string =>
  `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}${versionId ? `?versionId=${encodeURIComponent(versionId)}` : ''}`;

const sameMap = (a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean => {
  const x = Object.entries(a ?? {}).sort();
  const y = Object.entries(b ?? {}).sort();
  return x.length === y.length && x.every(([k, v], i) => y[i][0] === k && y[i][1] === v);
};

/** Codes with which an endpoint says it does not implement a call at all. */
const NOT_IMPLEMENTED = new Set([
  'NotImplemented',
  'HTTP501',
  'MethodNotAllowed',
  'HTTP405',
  'UnknownOperation',
  'InvalidArgument',
  'InvalidRequest',
]);

type AclGrants = { Grants?: unknown[]; Owner?: unknown };

class Run {
  readonly report: ReencryptReport;
  private readonly stop = new AbortController();
  readonly caller: Caller;
  private aclsEnabled: boolean | null = null;
  private done = 0;

  constructor(
    private readonly s3: S3Client,
    session: SessionLike,
    private readonly opts: ReencryptOptions,
    private readonly plan: Plan,
    private readonly journal: Journal | undefined,
  ) {
    if (opts.signal) {
      if (opts.signal.aborted) this.stop.abort();
      else opts.signal.addEventListener('abort', () => this.stop.abort(), { once: true });
    }
    this.caller = new Caller(session, opts.concurrency ?? DEFAULT_REENCRYPT_CONCURRENCY, this.stop.signal);
    this.report = {
      bucket: opts.bucket,
      planned: plan.items.length,
      updated: 0,
      copied: 0,
      skipped: { ...plan.summary.skipped },
      failed: [],
      job: null,
      alreadyDone: plan.alreadyDone,
      stopped: null,
      slowDowns: 0,
      updateObjectEncryption: opts.copyOnly ? 'copy-only' : plan.summary.byMethod.update ? 'proven' : 'not-needed',
      notes: [...plan.summary.notes],
    };
    for (const e of plan.errors) this.report.failed.push({ key: e.message.split(':')[0], code: e.code, message: e.message });
  }

  private progress(): void {
    const r = this.report;
    if (!this.opts.onProgress) return;
    this.opts.onProgress({
      phase: 'run',
      done: this.done,
      total: this.plan.items.length,
      updated: r.updated,
      copied: r.copied,
      skipped: Object.values(r.skipped).reduce((a, b) => a + (b ?? 0), 0),
      failed: r.failed.length,
      concurrency: this.caller.concurrency,
    });
  }

  private surprise(s: Surprise): void {
    if (this.report.stopped) return;
    this.report.stopped = `${s.key}: ${s.message}`;
    this.report.failed.push({ key: s.key, versionId: s.versionId, code: s.code, message: s.message });
    this.journal?.add({ key: s.key, versionId: s.versionId, status: 'failed', detail: s.code, message: s.message });
    this.stop.abort();
  }

  /** Runs the plan. */
  async run(): Promise<ReencryptReport> {
    try {
      if (this.plan.summary.byMethod.update && !this.opts.copyOnly) await this.proveUpdate();
      if (!this.report.stopped)
        await forEachBounded(this.plan.items, this.caller.maxConcurrency * 2, item => this.one(item), this.stop.signal);
    } catch (e) {
      if (e instanceof Surprise) this.surprise(e);
      else if (!(e instanceof StoppedError)) throw e;
    } finally {
      this.journal?.flush();
    }
    if (!this.report.stopped && this.stop.signal.aborted)
      this.report.stopped = 'stopped by the user: run the same command again to resume';
    this.report.slowDowns = this.caller.slowDowns;
    if (this.caller.slowDowns)
      this.report.notes.push(
        `S3 asked to slow down: calls in flight were halved ${this.caller.slowDowns} time${this.caller.slowDowns === 1 ? '' : 's'}`,
      );
    this.progress();
    return this.report;
  }

  private async one(item: PlannedObject): Promise<void> {
    if (this.stop.signal.aborted) return;
    let method = item.method;
    if (method === 'update' && this.report.updateObjectEncryption === 'not-implemented') {
      if (!item.object.isLatest) {
        this.skip(item, 'noncurrent-version');
        return;
      }
      method = item.size > (this.opts.copyLimitBytes ?? 5 * 1024 ** 3) ? 'multipart-copy' : 'copy';
    }
    try {
      const outcome =
        method === 'update'
          ? await this.update(item)
          : method === 'copy'
            ? await this.copy(item)
            : await this.multipartCopy(item);
      if (outcome.kind === 'done') {
        if (method === 'update') this.report.updated++;
        else this.report.copied++;
        this.journal?.add({ key: item.key, versionId: item.versionId, status: 'done', detail: method, etag: outcome.etag });
      } else if (outcome.kind === 'skipped') this.skip(item, outcome.reason);
      else {
        this.report.failed.push({
          key: item.key,
          versionId: item.versionId,
          code: outcome.error.code,
          message: outcome.error.message,
        });
        this.journal?.add({
          key: item.key,
          versionId: item.versionId,
          status: 'failed',
          detail: outcome.error.code,
          message: outcome.error.message,
        });
      }
    } catch (e) {
      if (e instanceof Surprise) return this.surprise(e);
      throw e;
    } finally {
      this.done++;
      this.progress();
    }
  }

  private skip(item: PlannedObject, reason: SkipReason): void {
    this.report.skipped[reason] = (this.report.skipped[reason] ?? 0) + 1;
    this.journal?.add({ key: item.key, versionId: item.versionId, status: 'skipped', detail: reason });
  }

  private sse() {
    const t = this.opts.target;
    return t.algorithm === 'AES256'
      ? { ServerSideEncryption: 'AES256' as const }
      : { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: t.kmsKeyArn ?? undefined, BucketKeyEnabled: t.bucketKey };
  }

  /** The object as it is now (HeadObject), for verification. */
  private async head(key: string, versionId: string | null): Promise<ObjectInfo> {
    const r = await this.caller.call<Parameters<typeof objectFromHead>[1]>(
      this.s3,
      new HeadObjectCommand({ Bucket: this.opts.bucket, Key: key, VersionId: versionId ?? undefined, ChecksumMode: 'ENABLED' }),
      'HeadObject',
    );
    if (!r.ok)
      throw new Surprise(
        key,
        versionId,
        'VerificationFailed',
        `could not be read back to verify it (${r.error.code}: ${r.error.message}); stopped`,
      );
    return objectFromHead({ key, versionId, isLatest: true }, r.value);
  }

  private hasTarget(o: ObjectInfo): boolean {
    const t = this.opts.target;
    if (t.algorithm === 'AES256') return o.encryption === 'SSE-S3';
    return o.encryption === 'SSE-KMS' && o.kmsKey === t.kmsKeyArn;
  }

  private describe(o: ObjectInfo): string {
    return `${o.encryption}${o.kmsKey ? ` ${o.kmsKey}` : ''}, ${o.size} bytes, ETag ${o.etag}`;
  }

  private async update(item: PlannedObject): Promise<Outcome> {
    const t = this.opts.target;
    const r = await this.caller.call(
      this.s3,
      new UpdateObjectEncryptionCommand({
        Bucket: this.opts.bucket,
        Key: item.key,
        VersionId: item.versionId ?? undefined,
        ObjectEncryption: { SSEKMS: { KMSKeyArn: t.kmsKeyArn ?? undefined, BucketKeyEnabled: t.bucketKey } },
      }),
      'UpdateObjectEncryption',
    );
    if (!r.ok) {
      if (['NoSuchKey', 'NoSuchVersion'].includes(r.error.code)) return { kind: 'skipped', reason: 'changed-since-plan' };
      return { kind: 'failed', error: r.error };
    }
    const after = await this.head(item.key, item.versionId);
    if (after.size !== item.size || after.etag !== item.etag || !this.hasTarget(after))
      throw new Surprise(
        item.key,
        item.versionId,
        'VerificationFailed',
        `after UpdateObjectEncryption the object is ${this.describe(after)}, planned ${item.size} bytes, ETag ${item.etag}, now ${targetText(t)}: ` +
          'another writer or the endpoint changed it; stopped, nothing more written',
      );
    return { kind: 'done', etag: after.etag };
  }

  private async acls(): Promise<boolean> {
    if (this.aclsEnabled !== null) return this.aclsEnabled;
    const r = await this.caller.call<{ OwnershipControls?: { Rules?: { ObjectOwnership?: string }[] } }>(
      this.s3,
      new GetBucketOwnershipControlsCommand({ Bucket: this.opts.bucket }),
      'GetBucketOwnershipControls',
    );
    if (r.ok) this.aclsEnabled = !r.value.OwnershipControls?.Rules?.some(x => x.ObjectOwnership === 'BucketOwnerEnforced');
    else if (r.error.code === 'OwnershipControlsNotFoundError') this.aclsEnabled = true;
    // Unknown: read each object's ACL, and take AccessControlListNotSupported as disabled.
    else this.aclsEnabled = true;
    return this.aclsEnabled;
  }

  private async readAcl(item: PlannedObject): Promise<AclGrants | null> {
    if (!(await this.acls())) return null;
    const r = await this.caller.call<AclGrants>(
      this.s3,
      new GetObjectAclCommand({ Bucket: this.opts.bucket, Key: item.key, VersionId: item.versionId ?? undefined }),
      'GetObjectAcl',
    );
    if (r.ok) return { Grants: r.value.Grants, Owner: r.value.Owner };
    if (r.error.code === 'AccessControlListNotSupported') {
      this.aclsEnabled = false;
      return null;
    }
    throw new Surprise(
      item.key,
      item.versionId,
      r.error.code,
      `its ACL could not be read to keep it (${r.error.message}); stopped before copying`,
    );
  }

  private async putAcl(key: string, versionId: string | null, acl: AclGrants | null): Promise<void> {
    if (!acl) return;
    const r = await this.caller.call(
      this.s3,
      new PutObjectAclCommand({
        Bucket: this.opts.bucket,
        Key: key,
        VersionId: versionId ?? undefined,
        AccessControlPolicy: acl as ConstructorParameters<typeof PutObjectAclCommand>[0]['AccessControlPolicy'],
      }),
      'PutObjectAcl',
    );
    if (!r.ok)
      throw new Surprise(
        key,
        versionId,
        r.error.code,
        `was copied but its ACL could not be put back (${r.error.message}); stopped: put the ACL back by hand`,
      );
  }

  private lockHeaders(o: ObjectInfo) {
    const future = o.lockRetainUntil && o.lockRetainUntil.getTime() > Date.now();
    return {
      ...(o.lockMode && future
        ? { ObjectLockMode: o.lockMode as 'GOVERNANCE' | 'COMPLIANCE', ObjectLockRetainUntilDate: o.lockRetainUntil! }
        : {}),
      ...(o.legalHold ? { ObjectLockLegalHoldStatus: 'ON' as const } : {}),
    };
  }

  /** After a copy: the same object, with the target encryption. */
  private verifyCopy(item: PlannedObject, after: ObjectInfo): void {
    const o = item.object;
    const problems: string[] = [];
    if (after.size !== o.size) problems.push(`size ${after.size}, was ${o.size}`);
    if (!this.hasTarget(after)) problems.push(`encryption ${after.encryption}${after.kmsKey ? ` ${after.kmsKey}` : ''}`);
    if ((after.contentType ?? '') !== (o.contentType ?? ''))
      problems.push(`content-type ${after.contentType ?? 'none'}, was ${o.contentType ?? 'none'}`);
    if (!sameMap(after.metadata, o.metadata)) problems.push('user metadata differs');
    if (after.storageClass !== o.storageClass) problems.push(`storage class ${after.storageClass}, was ${o.storageClass}`);
    if (
      o.checksumAlgorithm &&
      o.checksumType !== 'COMPOSITE' &&
      after.checksumAlgorithm === o.checksumAlgorithm &&
      after.checksumValue !== o.checksumValue
    )
      problems.push(`${o.checksumAlgorithm} checksum differs`);
    if (problems.length)
      throw new Surprise(
        item.key,
        after.versionId,
        'VerificationFailed',
        `after the copy: ${problems.join('; ')}; stopped, nothing more written`,
      );
  }

  private async copy(item: PlannedObject): Promise<Outcome> {
    const o = item.object;
    const acl = await this.readAcl(item);
    const r = await this.caller.call<{ VersionId?: string; CopyObjectResult?: { ETag?: string } }>(
      this.s3,
      new CopyObjectCommand({
        Bucket: this.opts.bucket,
        Key: item.key,
        CopySource: copySource(this.opts.bucket, item.key, item.versionId),
        CopySourceIfMatch: item.etag,
        MetadataDirective: 'COPY',
        TaggingDirective: 'COPY',
        StorageClass: o.storageClass as 'STANDARD',
        ...(o.checksumAlgorithm && o.checksumAlgorithm !== 'SHA1' && o.checksumAlgorithm !== 'SHA256'
          ? { ChecksumAlgorithm: o.checksumAlgorithm as 'CRC32' }
          : o.checksumAlgorithm
            ? { ChecksumAlgorithm: o.checksumAlgorithm as 'SHA256' }
            : {}),
        ...this.lockHeaders(o),
        ...this.sse(),
      }),
      'CopyObject',
    );
    if (!r.ok) {
      if (
        r.error.code === 'PreconditionFailed' ||
        r.error.code === 'HTTP412' ||
        r.error.code === 'NoSuchKey' ||
        r.error.code === 'NoSuchVersion'
      )
        return { kind: 'skipped', reason: 'changed-since-plan' };
      return { kind: 'failed', error: r.error };
    }
    const newVersion = r.value.VersionId ?? null;
    await this.putAcl(item.key, newVersion, acl);
    const after = await this.head(item.key, newVersion);
    this.verifyCopy(item, after);
    return { kind: 'done', etag: after.etag };
  }

  private async multipartCopy(item: PlannedObject): Promise<Outcome> {
    const o = item.object;
    const bucket = this.opts.bucket;
    const acl = await this.readAcl(item);
    const tags = await this.caller.call<{ TagSet?: { Key?: string; Value?: string }[] }>(
      this.s3,
      new GetObjectTaggingCommand({ Bucket: bucket, Key: item.key, VersionId: item.versionId ?? undefined }),
      'GetObjectTagging',
    );
    if (!tags.ok) return { kind: 'failed', error: tags.error };
    const tagging = (tags.value.TagSet ?? [])
      .filter(t => t.Key !== undefined)
      .map(t => `${encodeURIComponent(t.Key!)}=${encodeURIComponent(t.Value ?? '')}`)
      .join('&');
    const created = await this.caller.call<{ UploadId?: string }>(
      this.s3,
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: item.key,
        ContentType: o.contentType,
        CacheControl: o.cacheControl,
        ContentDisposition: o.contentDisposition,
        ContentEncoding: o.contentEncoding,
        ContentLanguage: o.contentLanguage,
        Expires: o.expires,
        WebsiteRedirectLocation: o.websiteRedirectLocation,
        Metadata: o.metadata,
        StorageClass: o.storageClass as 'STANDARD',
        ...(tagging ? { Tagging: tagging } : {}),
        ...(o.checksumAlgorithm ? { ChecksumAlgorithm: o.checksumAlgorithm as 'CRC32' } : {}),
        ...this.lockHeaders(o),
        ...this.sse(),
      }),
      'CreateMultipartUpload',
    );
    if (!created.ok || !created.value.UploadId)
      return {
        kind: 'failed',
        error: created.ok
          ? { call: 'CreateMultipartUpload', code: 'MalformedResponse', message: 'no UploadId in the answer' }
          : created.error,
      };
    const uploadId = created.value.UploadId;
    const abort = async () => {
      await this.caller
        .call(
          this.s3,
          new AbortMultipartUploadCommand({ Bucket: bucket, Key: item.key, UploadId: uploadId }),
          'AbortMultipartUpload',
        )
        .catch(() => undefined);
    };
    try {
      const partSize = partSizeFor(o.size, this.opts.partBytes ?? DEFAULT_PART_BYTES);
      const parts: { PartNumber: number; ETag?: string; [k: string]: unknown }[] = [];
      // Parts in order, each conditional on the planned ETag: a change mid-copy stops it.
      for (let n = 1, start = 0; start < o.size; n++, start += partSize) {
        const end = Math.min(o.size, start + partSize) - 1;
        const r = await this.caller.call<{
          CopyPartResult?: {
            ETag?: string;
            ChecksumCRC32?: string;
            ChecksumCRC32C?: string;
            ChecksumCRC64NVME?: string;
            ChecksumSHA1?: string;
            ChecksumSHA256?: string;
          };
        }>(
          this.s3,
          new UploadPartCopyCommand({
            Bucket: bucket,
            Key: item.key,
            UploadId: uploadId,
            PartNumber: n,
            CopySource: copySource(bucket, item.key, item.versionId),
            CopySourceIfMatch: item.etag,
            CopySourceRange: `bytes=${start}-${end}`,
          }),
          'UploadPartCopy',
        );
        if (!r.ok) {
          await abort();
          if (r.error.code === 'PreconditionFailed' || r.error.code === 'HTTP412' || r.error.code === 'NoSuchKey')
            return { kind: 'skipped', reason: 'changed-since-plan' };
          return { kind: 'failed', error: r.error };
        }
        const { ETag, ...checksums } = r.value.CopyPartResult ?? {};
        parts.push({ PartNumber: n, ETag, ...Object.fromEntries(Object.entries(checksums).filter(([, v]) => v !== undefined)) });
      }
      const done = await this.caller.call<{ VersionId?: string }>(
        this.s3,
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: item.key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
        'CompleteMultipartUpload',
      );
      if (!done.ok) {
        await abort();
        return { kind: 'failed', error: done.error };
      }
      const version = done.value.VersionId ?? null;
      await this.putAcl(item.key, version, acl);
      const after = await this.head(item.key, version);
      // A multipart copy has a composite checksum of its own: compare size, encryption and metadata.
      this.verifyCopy({ ...item, object: { ...o, checksumAlgorithm: null } }, after);
      return { kind: 'done', etag: after.etag };
    } catch (e) {
      if (e instanceof StoppedError) await abort();
      throw e;
    }
  }

  /**
   * Proves on a canary object that the endpoint applies UpdateObjectEncryption as AWS documents it.
   * The canary is written SSE-S3 under the run's prefix and deleted afterwards (every version).
   */
  private async proveUpdate(): Promise<void> {
    if (this.journal?.canaryProven) return;
    this.opts.onProgress?.({
      phase: 'canary',
      done: 0,
      total: this.plan.items.length,
      updated: 0,
      copied: 0,
      skipped: 0,
      failed: 0,
      concurrency: this.caller.concurrency,
    });
    const bucket = this.opts.bucket;
    const key = `${this.opts.prefix ?? ''}s3-encryption-guard-canary-${randomUUID()}`;
    const content = `s3-encryption-guard canary: proves UpdateObjectEncryption before it is used (${new Date().toISOString()})\n`;
    const put = await this.caller.call<{ VersionId?: string; ETag?: string }>(
      this.s3,
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: content,
        ContentType: 'text/plain',
        ServerSideEncryption: 'AES256',
      }),
      'PutObject',
    );
    if (!put.ok)
      throw new Surprise(
        key,
        null,
        put.error.code,
        `the canary object could not be written (${put.error.message}); stopped before any object was changed`,
      );
    const version = put.value.VersionId ?? null;
    try {
      const before = await this.head(key, version);
      const t = this.opts.target;
      const r = await this.caller.call(
        this.s3,
        new UpdateObjectEncryptionCommand({
          Bucket: bucket,
          Key: key,
          VersionId: version ?? undefined,
          ObjectEncryption: { SSEKMS: { KMSKeyArn: t.kmsKeyArn ?? undefined, BucketKeyEnabled: t.bucketKey } },
        }),
        'UpdateObjectEncryption',
      );
      if (!r.ok) {
        if (NOT_IMPLEMENTED.has(r.error.code) || NOT_IMPLEMENTED.has(errorCode(r.raw))) {
          this.report.updateObjectEncryption = 'not-implemented';
          this.report.notes.push(
            `the endpoint does not implement UpdateObjectEncryption (${r.error.code}): objects are copied onto themselves instead`,
          );
          return;
        }
        throw new Surprise(
          key,
          version,
          r.error.code,
          `UpdateObjectEncryption failed on the canary object (${r.error.message}); stopped before any object was changed`,
        );
      }
      const after = await this.head(key, version);
      const got = await this.caller.call<{ Body?: { transformToString(): Promise<string> } }>(
        this.s3,
        new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: version ?? undefined }),
        'GetObject',
      );
      const text = got.ok ? await got.value.Body?.transformToString().catch(() => null) : null;
      const problems: string[] = [];
      if (text !== content) problems.push('its content changed');
      if (after.size !== before.size) problems.push(`its size changed (${before.size} → ${after.size} bytes)`);
      if (after.etag !== before.etag) problems.push('its ETag changed');
      if (!this.hasTarget(after))
        problems.push(`its encryption is ${after.encryption}${after.kmsKey ? ` ${after.kmsKey}` : ''}, not ${targetText(t)}`);
      if (problems.length) {
        this.report.updateObjectEncryption = 'refused';
        throw new Surprise(
          key,
          version,
          'UpdateObjectEncryptionNotUnderstood',
          `the endpoint answered UpdateObjectEncryption on the canary object with success, but ${problems.join(', ')}: ` +
            'it does not do what AWS documents (it may take the call for a PutObject and replace content); stopped before any object was changed. ' +
            'Run again with --copy-only to re-encrypt by copying',
        );
      }
      this.journal?.markCanary();
    } finally {
      await this.deleteCanary(key);
    }
  }

  private async deleteCanary(key: string): Promise<void> {
    // Every version of the canary (a misbehaving endpoint may have made more than one).
    const list = await this.caller.call<{
      Versions?: { Key?: string; VersionId?: string }[];
      DeleteMarkers?: { Key?: string; VersionId?: string }[];
    }>(this.s3, new ListObjectVersionsCommand({ Bucket: this.opts.bucket, Prefix: key, MaxKeys: 100 }), 'ListObjectVersions');
    const versions = list.ok
      ? [...(list.value.Versions ?? []), ...(list.value.DeleteMarkers ?? [])].filter(v => v.Key === key)
      : [];
    if (!versions.length) versions.push({ Key: key });
    for (const v of versions) {
      const r = await this.caller.call(
        this.s3,
        new DeleteObjectCommand({
          Bucket: this.opts.bucket,
          Key: key,
          VersionId: v.VersionId && v.VersionId !== 'null' ? v.VersionId : undefined,
        }),
        'DeleteObject',
      );
      if (!r.ok) this.report.notes.push(`the canary object ${key} could not be deleted (${r.error.code}): delete it by hand`);
    }
  }
}

type Outcome = { kind: 'done'; etag: string } | { kind: 'skipped'; reason: SkipReason } | { kind: 'failed'; error: CallError };

/** Runs a confirmed plan. */
export async function runReencryption(
  s3: S3Client,
  session: SessionLike,
  opts: ReencryptOptions,
  plan: Plan,
  journal?: Journal,
): Promise<ReencryptReport> {
  return new Run(s3, session, opts, plan, journal).run();
}
