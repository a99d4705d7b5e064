// The re-encryption plan (issue 14, item 2): per object, how it reaches the target encryption, or
// why it is left alone, and what the whole run costs in requests.
//
// Methods (docs/design/aws-facts.md#obj-001, #obj-003, #obj-005):
// - `update`: UpdateObjectEncryption, for SSE-S3 or SSE-KMS objects going to SSE-KMS: no data
//   moves, the ETag, checksums, storage class and dates stay; the only method for an older version
//   (a copy would make a new current version instead);
// - `copy`: CopyObject onto itself, for unencrypted and DSSE-KMS objects, for SSE-S3 as the target,
//   and wherever the endpoint does not implement UpdateObjectEncryption;
// - `multipart-copy`: UploadPartCopy, for objects over CopyObject's limit (5 GiB);
// - skipped, with the reason: SSE-C (S3 cannot read the object without the customer's key),
//   Object Lock retention or a legal hold (the object must not change), archived storage classes
//   (GLACIER, DEEP_ARCHIVE, the Intelligent-Tiering archive tiers: a copy needs a restore first),
//   and older versions that only a copy could reach.
// Objects already under the target are not in the plan's work at all.
import { failsRequirement, type ObjectInfo } from './types';

export type Method = 'update' | 'copy' | 'multipart-copy';
export type SkipReason = 'sse-c' | 'object-lock' | 'archived' | 'noncurrent-version' | 'changed-since-plan';

export const SKIP_TEXT: Record<SkipReason, string> = {
  'sse-c': 'SSE-C: S3 cannot read the object without the customer-provided key',
  'object-lock': 'Object Lock retention or legal hold: the object must not change',
  archived: 'archived storage class: restore the object first',
  'noncurrent-version': 'older version: only UpdateObjectEncryption changes it in place, and it cannot apply',
  'changed-since-plan': 'changed since the plan: not overwritten',
};

/** CopyObject copies objects up to 5 GiB (S3 API Reference, CopyObject). */
export const COPY_LIMIT_BYTES = 5 * 1024 ** 3;

export interface Target {
  /** `aws:kms` with `kmsKeyArn`, or `AES256` (SSE-S3). */
  algorithm: 'aws:kms' | 'AES256';
  kmsKeyArn: string | null;
  bucketKey: boolean;
}

export interface PlanOptions {
  target: Target;
  /** The endpoint is known not to implement UpdateObjectEncryption (or the user said --copy-only). */
  copyOnly?: boolean;
  /** Objects over this size take the multipart path (default COPY_LIMIT_BYTES; lowered by tests). */
  copyLimitBytes?: number;
  now?: Date;
}

export type Decision = { action: 'nothing' } | { action: 'skip'; reason: SkipReason } | { action: Method };

const ARCHIVED_CLASSES = new Set(['GLACIER', 'DEEP_ARCHIVE']);

/** What to do with one object. */
export function decide(o: ObjectInfo, opts: PlanOptions): Decision {
  const t = opts.target;
  const req = { algorithms: [t.algorithm], kmsKeyArns: t.kmsKeyArn ? [t.kmsKeyArn] : [] };
  const wrongBucketKey = t.algorithm === 'aws:kms' && t.bucketKey && o.encryption === 'SSE-KMS' && o.bucketKey === false;
  if (!failsRequirement(o, req) && !wrongBucketKey) return { action: 'nothing' };
  if (o.encryption === 'SSE-C') return { action: 'skip', reason: 'sse-c' };
  const now = opts.now ?? new Date();
  if (o.legalHold || (o.lockMode && o.lockRetainUntil && o.lockRetainUntil.getTime() > now.getTime()))
    return { action: 'skip', reason: 'object-lock' };
  const canUpdate = !opts.copyOnly && t.algorithm === 'aws:kms' && (o.encryption === 'SSE-S3' || o.encryption === 'SSE-KMS');
  if (ARCHIVED_CLASSES.has(o.storageClass) || (o.archiveStatus && /ARCHIVE/.test(o.archiveStatus)))
    return { action: 'skip', reason: 'archived' };
  if (canUpdate) return { action: 'update' };
  if (!o.isLatest) return { action: 'skip', reason: 'noncurrent-version' };
  return { action: o.size > (opts.copyLimitBytes ?? COPY_LIMIT_BYTES) ? 'multipart-copy' : 'copy' };
}

export interface PlannedObject {
  key: string;
  versionId: string | null;
  etag: string;
  size: number;
  method: Method;
  /** The object as read at planning (what a copy keeps). */
  object: ObjectInfo;
}

/**
 * Price assumptions (docs/design/aws-facts.md#obj-007: S3 Standard and KMS in us-east-1, as published on aws.amazon.com/s3/pricing
 * and aws.amazon.com/kms/pricing). Other regions and storage classes cost
 * more or less: the estimate says which prices it used.
 */
export const PRICES = {
  /** PUT, COPY, POST, LIST: per 1,000 requests. */
  s3WritePer1000: 0.005,
  /** GET, HEAD and others: per 1,000 requests. */
  s3ReadPer1000: 0.0004,
  /** KMS symmetric requests: per 10,000. */
  kmsPer10000: 0.03,
  source:
    'S3 Standard and KMS request prices, us-east-1 (aws.amazon.com/s3/pricing, aws.amazon.com/kms/pricing); UpdateObjectEncryption assumed priced as a PUT request',
};

export interface PlanSummary {
  bucket: string;
  prefix: string;
  target: Target;
  /** Objects read to make the plan. */
  scanned: number;
  alreadyCompliant: number;
  planned: number;
  byMethod: Record<Method, number>;
  skipped: Partial<Record<SkipReason, number>>;
  /** Bytes the copies move inside S3 (UpdateObjectEncryption moves none). */
  copyBytes: number;
  /** KMS requests the run causes at most (each object's data key; fewer with an S3 Bucket Key). */
  kmsRequests: number;
  /** S3 requests: the writes, the reads (HEAD, tags, ACL) and verification. */
  s3Requests: { writes: number; reads: number };
  costUsd: number;
  priceSource: string;
  /** Things the user must know before confirming (versions, ACLs, limits). */
  notes: string[];
  /** The plan is partial: the listing stopped (a cap, a failed call). */
  complete: boolean;
}

/** Multipart part size for an object: parts of at least `partBytes`, at most 10,000 of them (S3's limit). */
export function partSizeFor(size: number, partBytes: number): number {
  return Math.max(partBytes, Math.ceil(size / 10_000));
}

/** Adds up the requests and price of a plan. */
export function estimate(
  s: Omit<PlanSummary, 'kmsRequests' | 's3Requests' | 'costUsd' | 'priceSource'>,
  perObject: { kmsSource: number }[],
  multipartParts: number,
): Pick<PlanSummary, 'kmsRequests' | 's3Requests' | 'costUsd' | 'priceSource'> {
  const m = s.byMethod;
  // Each object is read once to plan it (HEAD) and once to verify it; a copy also reads its tags/ACL.
  const reads = s.scanned + s.planned + m.copy + m['multipart-copy'];
  // A multipart copy: create, one UploadPartCopy per part, complete.
  const writes = m.update + m.copy + multipartParts + 2 * m['multipart-copy'];
  // A KMS data key per object written (GenerateDataKey), and a Decrypt to read an SSE-KMS source.
  const kms =
    s.target.algorithm === 'aws:kms'
      ? m.update + m.copy + m['multipart-copy'] + perObject.reduce((n, o) => n + o.kmsSource, 0)
      : perObject.reduce((n, o) => n + o.kmsSource, 0);
  const cost =
    (writes / 1000) * PRICES.s3WritePer1000 + (reads / 1000) * PRICES.s3ReadPer1000 + (kms / 10_000) * PRICES.kmsPer10000;
  return {
    kmsRequests: kms,
    s3Requests: { writes, reads },
    costUsd: Math.round(cost * 1e6) / 1e6,
    priceSource: PRICES.source,
  };
}
