// The object audit of one bucket (issue 14, item 1): how its existing objects are encrypted,
// counted by encryption, KMS key and Bucket Key, and which fail the caller's requirement.
//
// Small buckets are listed (ListObjectsV2, ListObjectVersions with `versions`) and each object is
// read with HeadObject, `concurrency` calls at most in flight; after `maxObjects` objects the audit
// stops and says it is partial. Large buckets (or on request) are read from their newest S3
// Inventory report when a configuration with the EncryptionStatus field exists (inventory.ts):
// an inventory has no KMS key column, so the audit then counts keys as unknown and says so.
// Progress is reported with counts as objects are read; the caller's signal stops the audit, which
// then returns what it has read, marked partial.
import type { S3Client } from '@aws-sdk/client-s3';
import type { Session } from '../session';
import type { CallError } from '../types';
import { Caller, forEachBounded, StoppedError } from './calls';
import { findInventory, newestReport, reportRows } from './inventory';
import { headObject, listObjects } from './scan';
import { emptyCounts, failsRequirement, type ObjectInfo, type ObjectRequirement, type ObjectsAudit } from './types';

export const DEFAULT_MAX_OBJECTS = 10_000;
export const DEFAULT_OBJECT_CONCURRENCY = 16;
export const EXAMPLES = 5;

export interface AuditProgress {
  scanned: number;
  nonCompliant: number;
  source: 'listing' | 'inventory';
}

export interface AuditOptions {
  bucket: string;
  prefix?: string;
  versions?: boolean;
  /** Objects read at most by listing (default DEFAULT_MAX_OBJECTS); an inventory is read whole. */
  maxObjects?: number;
  /** Calls in flight at most (default DEFAULT_OBJECT_CONCURRENCY). */
  concurrency?: number;
  requirement: ObjectRequirement;
  /** `auto` (default): the inventory when one is usable, else the listing; `listing`/`inventory`: only that. */
  source?: 'auto' | 'listing' | 'inventory';
  signal?: AbortSignal;
  onProgress?: (p: AuditProgress) => void;
}

type SessionLike = Pick<Session, 'endpoint' | 'timeoutMs' | 'maxAttempts' | 'callDeadlineMs' | 'scrub'>;

class Tally {
  readonly audit: ObjectsAudit;
  constructor(
    source: 'listing' | 'inventory',
    private readonly req: ObjectRequirement,
  ) {
    this.audit = {
      source,
      complete: true,
      scanned: 0,
      byEncryption: emptyCounts(),
      byKmsKey: {},
      bucketKey: { enabled: 0, disabled: 0 },
      nonCompliant: 0,
      examples: [],
      notes: [],
      errors: [],
    };
  }

  add(o: Pick<ObjectInfo, 'key' | 'encryption' | 'kmsKey' | 'bucketKey'>): void {
    const a = this.audit;
    a.scanned++;
    a.byEncryption[o.encryption]++;
    if (o.kmsKey) a.byKmsKey[o.kmsKey] = (a.byKmsKey[o.kmsKey] ?? 0) + 1;
    if (o.bucketKey === true) a.bucketKey.enabled++;
    else if (o.bucketKey === false) a.bucketKey.disabled++;
    if (failsRequirement(o, this.req)) {
      a.nonCompliant++;
      if (a.examples.length < EXAMPLES) a.examples.push({ key: o.key, encryption: o.encryption, kmsKey: o.kmsKey });
    }
  }

  error(e: CallError): void {
    this.audit.complete = false;
    if (this.audit.errors.length < 20) this.audit.errors.push(e);
  }
}

/** Audits a bucket's objects; never rejects (a stop returns what was read, marked partial). */
export async function auditObjects(s3: S3Client, session: SessionLike, opts: AuditOptions): Promise<ObjectsAudit> {
  const caller = new Caller(session, opts.concurrency ?? DEFAULT_OBJECT_CONCURRENCY, opts.signal);
  const prefix = opts.prefix ?? '';
  const versions = opts.versions === true;
  const wanted = opts.source ?? 'auto';
  let inventoryNote: string | null = null;
  if (wanted !== 'listing') {
    try {
      const found = await findInventory(s3, caller, opts.bucket, prefix, versions);
      if (found.kind === 'usable') {
        const report = await newestReport(s3, caller, opts.bucket, found.config);
        if (report.ok) return await fromInventory(s3, caller, opts, report.report, found.config.id);
        inventoryNote = report.error.message;
      } else if (found.kind === 'unusable') inventoryNote = found.reason;
      else if (found.kind === 'error')
        inventoryNote = `the inventory configurations could not be read (${found.error.code}): ${found.error.message}`;
      else inventoryNote = 'the bucket has no S3 Inventory configuration';
    } catch (e) {
      if (!(e instanceof StoppedError)) throw e;
      const t = new Tally('inventory', opts.requirement);
      t.audit.complete = false;
      t.audit.notes.push('stopped before any object was read');
      return t.audit;
    }
    if (wanted === 'inventory') {
      const t = new Tally('inventory', opts.requirement);
      t.audit.complete = false;
      t.audit.notes.push(inventoryNote);
      return t.audit;
    }
  }
  const audit = await fromListing(s3, caller, opts);
  // Said only when it matters: the listing stopped at its cap, where an inventory would have read everything.
  if (inventoryNote && !audit.complete && audit.scanned >= (opts.maxObjects ?? DEFAULT_MAX_OBJECTS))
    audit.notes.push(`no inventory used: ${inventoryNote}`);
  return audit;
}

async function fromListing(s3: S3Client, caller: Caller, opts: AuditOptions): Promise<ObjectsAudit> {
  const t = new Tally('listing', opts.requirement);
  const max = Math.max(1, opts.maxObjects ?? DEFAULT_MAX_OBJECTS);
  let listed = 0;
  let capped = false;
  const source = (async function* () {
    for await (const o of listObjects(s3, caller, { bucket: opts.bucket, prefix: opts.prefix, versions: opts.versions }, e =>
      t.error(e),
    )) {
      if (listed >= max) {
        capped = true;
        return;
      }
      listed++;
      yield o;
    }
  })();
  let lastReport = 0;
  try {
    await forEachBounded(
      source,
      caller.maxConcurrency * 2,
      async listedObject => {
        const h = await headObject(s3, caller, opts.bucket, listedObject);
        if (h.ok) t.add(h.object);
        else t.error(h.error);
        const now = Date.now();
        if (opts.onProgress && now - lastReport >= 100) {
          lastReport = now;
          opts.onProgress({ scanned: t.audit.scanned, nonCompliant: t.audit.nonCompliant, source: 'listing' });
        }
      },
      caller.signal,
    );
  } catch (e) {
    if (!(e instanceof StoppedError)) throw e;
  }
  if (caller.stopped) {
    t.audit.complete = false;
    t.audit.notes.push(`stopped after ${t.audit.scanned} objects`);
  } else if (capped) {
    t.audit.complete = false;
    t.audit.notes.push(`stopped at the cap of ${max} objects (--max-objects N, or an S3 Inventory report for large buckets)`);
  }
  if (t.audit.errors.length) t.audit.notes.push(`${t.audit.errors.length} call${t.audit.errors.length === 1 ? '' : 's'} failed`);
  opts.onProgress?.({ scanned: t.audit.scanned, nonCompliant: t.audit.nonCompliant, source: 'listing' });
  return t.audit;
}

async function fromInventory(
  s3: S3Client,
  caller: Caller,
  opts: AuditOptions,
  report: Awaited<ReturnType<typeof newestReport>> extends infer R
    ? R extends { ok: true; report: infer P }
      ? P
      : never
    : never,
  id: string,
): Promise<ObjectsAudit> {
  const t = new Tally('inventory', opts.requirement);
  t.audit.inventory = { id, date: report.date, created: report.created, destination: report.destinationBucket };
  const prefix = opts.prefix ?? '';
  let unknown = 0;
  let kms = 0;
  let last = 0;
  try {
    for await (const row of reportRows(s3, caller, report, opts.versions === true, e => t.error(e))) {
      if (prefix && !row.key.startsWith(prefix)) continue;
      if (!row.encryption) {
        unknown++;
        continue;
      }
      if (row.encryption === 'SSE-KMS' || row.encryption === 'DSSE-KMS') kms++;
      t.add({ key: row.key, encryption: row.encryption, kmsKey: null, bucketKey: row.bucketKey });
      if (opts.onProgress && (t.audit.scanned & 0x3fff) === 0) {
        const now = Date.now();
        if (now - last >= 100) {
          last = now;
          opts.onProgress({ scanned: t.audit.scanned, nonCompliant: t.audit.nonCompliant, source: 'inventory' });
        }
      }
    }
  } catch (e) {
    if (!(e instanceof StoppedError)) throw e;
    t.audit.complete = false;
    t.audit.notes.push(`stopped after ${t.audit.scanned} rows`);
  }
  if (unknown) t.audit.notes.push(`${unknown} rows with an encryption status not known here were not counted`);
  if (kms && opts.requirement.kmsKeyArns.length)
    t.audit.notes.push(
      `an inventory report does not name KMS keys: ${kms} KMS-encrypted objects were judged by algorithm only (a listing names each key)`,
    );
  t.audit.notes.push(`from the inventory report "${id}" of ${report.date}`);
  opts.onProgress?.({ scanned: t.audit.scanned, nonCompliant: t.audit.nonCompliant, source: 'inventory' });
  return t.audit;
}
