// Reading a bucket's objects: ListObjectsV2 (ListObjectVersions with versions) page by page, and
// HeadObject per object for what a listing does not say (encryption, KMS key, Bucket Key, Object
// Lock, archive tier, metadata). Pages are read one at a time and handed on as they come, so memory
// holds one page and the calls in flight, however large the bucket. A listing that would never end
// (a repeated continuation token or marker) is an error, not a partial answer that looks whole.
import { HeadObjectCommand, ListObjectVersionsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { errorCode } from '../errors';
import type { CallError } from '../types';
import type { Caller } from './calls';
import type { EncryptionKind, ObjectInfo } from './types';

/**
 * Keys per listing page. S3 allows 1,000; a key may be 1,024 bytes, so a page of 1,000 entries
 * could pass the wire guard's answer limit (wire.ts, MAX_ANSWER_BYTES): 400 stays under it.
 */
export const LIST_PAGE_SIZE = 400;

export interface ListedObject {
  key: string;
  versionId: string | null;
  isLatest: boolean;
  size: number;
  etag: string;
  storageClass: string;
}

export interface ListOptions {
  bucket: string;
  prefix?: string;
  versions?: boolean;
  pageSize?: number;
}

/** Lists objects (or versions, delete markers left out); a failed page ends the listing with `onError`. */
export async function* listObjects(
  s3: S3Client,
  caller: Caller,
  opts: ListOptions,
  onError: (e: CallError) => void,
): AsyncGenerator<ListedObject> {
  const pageSize = Math.min(1000, Math.max(1, opts.pageSize ?? LIST_PAGE_SIZE));
  const seen = new Set<string>();
  if (!opts.versions) {
    let token: string | undefined;
    for (;;) {
      const r = await caller.call<{
        Contents?: { Key?: string; Size?: number; ETag?: string; StorageClass?: string }[];
        IsTruncated?: boolean;
        NextContinuationToken?: string;
      }>(
        s3,
        new ListObjectsV2Command({
          Bucket: opts.bucket,
          Prefix: opts.prefix || undefined,
          MaxKeys: pageSize,
          ContinuationToken: token,
        }),
        'ListObjectsV2',
      );
      if (!r.ok) return onError(r.error);
      for (const o of r.value.Contents ?? [])
        if (o.Key !== undefined)
          yield {
            key: o.Key,
            versionId: null,
            isLatest: true,
            size: o.Size ?? 0,
            etag: o.ETag ?? '',
            storageClass: o.StorageClass ?? 'STANDARD',
          };
      const next = r.value.NextContinuationToken;
      if (!r.value.IsTruncated || !next) return;
      if (seen.has(next))
        return onError({
          call: 'ListObjectsV2',
          code: 'PaginationLoop',
          message: 'the object listing repeats a continuation token it already gave; stopped',
        });
      seen.add(next);
      token = next;
    }
  }
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (;;) {
    const r = await caller.call<{
      Versions?: { Key?: string; VersionId?: string; IsLatest?: boolean; Size?: number; ETag?: string; StorageClass?: string }[];
      IsTruncated?: boolean;
      NextKeyMarker?: string;
      NextVersionIdMarker?: string;
    }>(
      s3,
      new ListObjectVersionsCommand({
        Bucket: opts.bucket,
        Prefix: opts.prefix || undefined,
        MaxKeys: pageSize,
        KeyMarker: keyMarker,
        VersionIdMarker: versionMarker,
      }),
      'ListObjectVersions',
    );
    if (!r.ok) return onError(r.error);
    for (const v of r.value.Versions ?? [])
      if (v.Key !== undefined)
        yield {
          key: v.Key,
          // S3 answers "null" for objects written while versioning was off.
          versionId: v.VersionId ?? null,
          isLatest: v.IsLatest !== false,
          size: v.Size ?? 0,
          etag: v.ETag ?? '',
          storageClass: v.StorageClass ?? 'STANDARD',
        };
    if (!r.value.IsTruncated) return;
    const marker = `${r.value.NextKeyMarker ?? ''}\u0000${r.value.NextVersionIdMarker ?? ''}`;
    if (!r.value.NextKeyMarker || seen.has(marker))
      return onError({
        call: 'ListObjectVersions',
        code: 'PaginationLoop',
        message: 'the version listing repeats a marker it already gave; stopped',
      });
    seen.add(marker);
    keyMarker = r.value.NextKeyMarker;
    versionMarker = r.value.NextVersionIdMarker;
  }
}

interface HeadAnswer {
  ContentLength?: number;
  ETag?: string;
  StorageClass?: string;
  ServerSideEncryption?: string;
  SSEKMSKeyId?: string;
  BucketKeyEnabled?: boolean;
  SSECustomerAlgorithm?: string;
  ArchiveStatus?: string;
  ObjectLockMode?: string;
  ObjectLockRetainUntilDate?: Date;
  ObjectLockLegalHoldStatus?: string;
  ContentType?: string;
  CacheControl?: string;
  ContentDisposition?: string;
  ContentEncoding?: string;
  ContentLanguage?: string;
  Expires?: Date;
  WebsiteRedirectLocation?: string;
  Metadata?: Record<string, string>;
  ChecksumCRC32?: string;
  ChecksumCRC32C?: string;
  ChecksumCRC64NVME?: string;
  ChecksumSHA1?: string;
  ChecksumSHA256?: string;
  ChecksumType?: string;
}

export function encryptionKind(sse: string | undefined, sseCustomer: string | undefined): EncryptionKind {
  if (sseCustomer) return 'SSE-C';
  if (sse === 'aws:kms') return 'SSE-KMS';
  if (sse === 'aws:kms:dsse') return 'DSSE-KMS';
  if (sse === 'AES256') return 'SSE-S3';
  return 'NOT-SSE';
}

const CHECKSUMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;

/** The object as HeadObject describes it. */
export function objectFromHead(listed: Pick<ListedObject, 'key' | 'versionId' | 'isLatest'>, h: HeadAnswer): ObjectInfo {
  const checksum = CHECKSUMS.find(c => h[`Checksum${c}`]);
  return {
    key: listed.key,
    versionId: listed.versionId,
    isLatest: listed.isLatest,
    size: h.ContentLength ?? 0,
    etag: h.ETag ?? '',
    storageClass: h.StorageClass ?? 'STANDARD',
    encryption: encryptionKind(h.ServerSideEncryption, h.SSECustomerAlgorithm),
    kmsKey: h.SSEKMSKeyId ?? null,
    bucketKey: h.ServerSideEncryption?.startsWith('aws:kms') ? h.BucketKeyEnabled === true : null,
    archiveStatus: h.ArchiveStatus ?? null,
    lockMode: h.ObjectLockMode ?? null,
    lockRetainUntil: h.ObjectLockRetainUntilDate ?? null,
    legalHold: h.ObjectLockLegalHoldStatus === 'ON',
    contentType: h.ContentType,
    cacheControl: h.CacheControl,
    contentDisposition: h.ContentDisposition,
    contentEncoding: h.ContentEncoding,
    contentLanguage: h.ContentLanguage,
    expires: h.Expires,
    websiteRedirectLocation: h.WebsiteRedirectLocation,
    metadata: h.Metadata,
    checksumAlgorithm: checksum ?? null,
    checksumValue: checksum ? (h[`Checksum${checksum}`] ?? null) : null,
    checksumType: h.ChecksumType ?? null,
  };
}

/**
 * HeadObject for one listed object. S3 refuses HeadObject on an SSE-C object without its key with
 * a bare 400 (a HEAD answer has no body to say more): that object is reported as SSE-C from the
 * listing's facts rather than failed.
 */
export async function headObject(
  s3: S3Client,
  caller: Caller,
  bucket: string,
  listed: ListedObject,
): Promise<{ ok: true; object: ObjectInfo } | { ok: false; error: CallError }> {
  const r = await caller.call<HeadAnswer>(
    s3,
    new HeadObjectCommand({ Bucket: bucket, Key: listed.key, VersionId: listed.versionId ?? undefined, ChecksumMode: 'ENABLED' }),
    'HeadObject',
  );
  if (r.ok) return { ok: true, object: objectFromHead(listed, r.value) };
  const code = errorCode(r.raw);
  if (code === 'BadRequest' || code === 'HTTP400' || code === 'InvalidRequest' || code === '400')
    return {
      ok: true,
      object: { ...listed, encryption: 'SSE-C', kmsKey: null, bucketKey: null },
    };
  return { ok: false, error: { ...r.error, message: `${listed.key}: ${r.error.message}` } };
}
