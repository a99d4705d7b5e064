// Objects (S3 REST/XML, path-style), on the state of state.ts. Every call answers as the S3 API
// Reference documents it, down to the headers the SDK parses:
//
// Reads
// - ListObjectsV2 (`GET /b?list-type=2`): prefix, delimiter (CommonPrefixes), max-keys (1-1000),
//   start-after, continuation-token (opaque; an unknown one is InvalidArgument), fetch-owner,
//   encoding-type=url, x-amz-optional-object-attributes: RestoreStatus. Delete markers are not listed.
//   ListObjects (`GET /b`, the first version): marker, and NextMarker when a delimiter is given.
// - ListObjectVersions (`GET /b?versions`): key-marker + version-id-marker paging, Version and
//   DeleteMarker entries newest first per key, IsLatest.
// - HeadObject / GetObject (`versionId`, `Range: bytes=a-b` → 206, `partNumber` no): ETag,
//   Last-Modified, Content-Type and the other system headers, x-amz-meta-*, x-amz-server-side-encryption
//   (AES256 | aws:kms | aws:kms:dsse), -aws-kms-key-id (ARN), -bucket-key-enabled, SSE-C's
//   -customer-algorithm and -customer-key-MD5 (the read must present the key: InvalidRequest 400
//   otherwise), x-amz-storage-class (not for STANDARD), x-amz-restore, x-amz-object-lock-mode,
//   -retain-until-date, -legal-hold, x-amz-version-id (versioned buckets), x-amz-tagging-count (GET),
//   x-amz-checksum-* and x-amz-checksum-type when asked with x-amz-checksum-mode: ENABLED.
//   GetObject of an archived object (GLACIER, DEEP_ARCHIVE) not restored: 403 InvalidObjectState.
//   A delete marker: 404 NoSuchKey with x-amz-delete-marker (405 MethodNotAllowed when named by version).
// - GetObjectTagging, GetObjectAcl (the owner's FULL_CONTROL plus the object's grants),
//   GetObjectRetention / GetObjectLegalHold (NoSuchObjectLockConfiguration without one).
// Writes (the seed must be writable)
// - PutObject: SSE headers (none: the bucket's default encryption; SSE-C refused with 403
//   AccessDenied when the bucket blocks it), x-amz-meta-*, system headers, x-amz-tagging,
//   x-amz-storage-class, x-amz-acl / x-amz-grant-* (AccessControlListNotSupported when the bucket
//   enforces owner ownership), Object Lock headers (and the bucket's default retention), Content-MD5
//   and x-amz-checksum-* checked (BadDigest / InvalidRequest), If-None-Match: * and If-Match
//   (412 PreconditionFailed). A versioned bucket gets a new version.
// - DeleteObject (`versionId`: that version, refused with 403 AccessDenied under Object Lock;
//   otherwise a delete marker in a versioned bucket); DeleteObjects (`POST /b?delete`, per-key results).
// - PutObjectTagging, DeleteObjectTagging, PutObjectAcl.
// - CopyObject (x-amz-copy-source `bucket/key[?versionId=]`): x-amz-copy-source-if-match /
//   -if-none-match / -if-modified-since / -if-unmodified-since (412 PreconditionFailed naming the
//   condition); x-amz-metadata-directive COPY (default: user metadata and system headers copied) or
//   REPLACE; x-amz-tagging-directive COPY (default) or REPLACE; the storage class is the header's or
//   STANDARD (as AWS: not the source's); the encryption is the headers' or the bucket default (not
//   the source's); the ACL is the request's or private (AWS never copies ACLs); Object Lock is the
//   headers' or the bucket default (never copied); the checksum algorithm is kept. Refused: a copy of
//   an object onto itself that changes nothing (InvalidRequest), a source over the copy limit
//   (InvalidRequest; seed `copyLimitBytes`, default 5 GiB), an archived source (InvalidObjectState),
//   an SSE-C source without its key (InvalidRequest).
// - UpdateObjectEncryption (`PUT /key?encryption`, body `<ObjectEncryption><SSE-KMS><KMSKeyArn>`,
//   `<BucketKeyEnabled>`): SSE-S3 or SSE-KMS → SSE-KMS in place: bytes, ETag, checksum, storage class,
//   Last-Modified, version ID, metadata, tags, ACL unchanged (archived objects too: no data moves).
//   InvalidRequest 400 for an unencrypted, DSSE-KMS or SSE-C object, for a missing or malformed key
//   ARN; AccessDenied 403 for a key of another account and for an object under Object Lock;
//   NoSuchKey / NoSuchVersion 404; KMS.NotFoundException / KMS.DisabledException for a key of the
//   account that does not exist or is disabled.
// - Multipart: CreateMultipartUpload, UploadPart, UploadPartCopy (x-amz-copy-source-range
//   `bytes=a-b`, the copy-source conditions), CompleteMultipartUpload (parts in order, ETags matching,
//   every part but the last at least `minPartBytes`, default 5 MiB: EntityTooSmall; the ETag is the
//   MD5 of the parts' MD5s plus `-N`), AbortMultipartUpload (NoSuchUpload 404), ListParts.
import { createHash } from 'node:crypto';
import { aclsDisabled, checkIntegrity } from './buckets';
import {
  type BucketState,
  bucketDefaultSse,
  checksumBytes,
  checksumOf,
  etagOf,
  firstAfter,
  findVersion,
  isArchivedUnrestored,
  isLocked,
  keysChanged,
  kmsArn,
  md5Hex,
  type MultipartUpload,
  newVersionId,
  sortedKeys,
  type Sse,
  storeVersion,
  type SystemHeaders,
  type Version,
} from './state';
import type { SeedGrant } from './types';
import {
  type Account,
  el,
  element,
  elements,
  header,
  httpDate,
  isoDate,
  OWNER_ID,
  type Reply,
  type S3Request,
  S3_NS,
} from './wire';

const GIB = 1024 ** 3;
const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'];
const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';

/** A failure as S3 answers it. */
class S3Failure {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
    readonly extra: Record<string, string> = {},
    readonly headers: Record<string, string> = {},
  ) {}
}

const fail = (
  status: number,
  code: string,
  message: string,
  extra: Record<string, string> = {},
  headers: Record<string, string> = {},
): never => {
  throw new S3Failure(status, code, message, extra, headers);
};

const noSuchKey = (key: string) => fail(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });

export function objectCall(call: string, acct: Account, b: BucketState, r: S3Request, reply: Reply): void {
  try {
    route(call, acct, b, r, reply);
  } catch (e) {
    if (!(e instanceof S3Failure)) throw e;
    reply.error(e.status, e.code, e.message, e.extra, e.headers);
  }
}

function route(call: string, acct: Account, b: BucketState, r: S3Request, reply: Reply): void {
  const key = r.key ?? '';
  switch (call) {
    case 'ListObjectsV2':
      return listObjectsV2(b, r, reply);
    case 'ListObjects':
      return listObjectsV2(b, r, reply, true);
    case 'ListObjectVersions':
      return listObjectVersions(b, r, reply);
    case 'HeadObject':
    case 'GetObject':
      return getObject(b, r, reply, call === 'HeadObject');
    case 'PutObject':
      return putObject(acct, b, r, reply);
    case 'DeleteObject':
      return deleteObject(b, r, reply);
    case 'DeleteObjects':
      return deleteObjects(acct, b, r, reply);
    case 'CopyObject':
      return copyObject(acct, b, r, reply);
    case 'UpdateObjectEncryption':
      return updateObjectEncryption(acct, b, r, reply);
    case 'GetObjectTagging': {
      const v = readableVersion(b, r);
      return reply.xml(
        `<Tagging xmlns="${S3_NS}"><TagSet>${v.tags.map(([k, x]) => `<Tag>${el('Key', k)}${el('Value', x)}</Tag>`).join('')}</TagSet></Tagging>`,
        versionHeader(b, v),
      );
    }
    case 'PutObjectTagging': {
      const v = readableVersion(b, r);
      v.tags = parseTagSet(r.body.toString('utf8'));
      return reply.empty(200, versionHeader(b, v));
    }
    case 'DeleteObjectTagging': {
      const v = readableVersion(b, r);
      v.tags = [];
      return reply.empty(204, versionHeader(b, v));
    }
    case 'GetObjectAcl': {
      const v = readableVersion(b, r);
      return reply.xml(aclXml(aclsDisabled(b) ? [] : v.grants), versionHeader(b, v));
    }
    case 'PutObjectAcl': {
      const v = readableVersion(b, r);
      if (aclsDisabled(b)) aclNotSupported();
      v.grants = r.body.length ? parseAclXml(r.body.toString('utf8')) : grantsFromHeaders(b, r);
      return reply.empty(200, versionHeader(b, v));
    }
    case 'GetObjectRetention': {
      const v = readableVersion(b, r);
      if (!b.settings.objectLock) fail(400, 'InvalidRequest', 'Bucket is missing Object Lock Configuration');
      if (!v.retention)
        fail(404, 'NoSuchObjectLockConfiguration', 'The specified object does not have a ObjectLock configuration');
      return reply.xml(
        `<Retention xmlns="${S3_NS}">${el('Mode', v.retention!.mode)}${el('RetainUntilDate', v.retention!.retainUntil)}</Retention>`,
      );
    }
    case 'GetObjectLegalHold': {
      const v = readableVersion(b, r);
      if (!b.settings.objectLock) fail(400, 'InvalidRequest', 'Bucket is missing Object Lock Configuration');
      return reply.xml(`<LegalHold xmlns="${S3_NS}">${el('Status', v.legalHold ? 'ON' : 'OFF')}</LegalHold>`);
    }
    case 'CreateMultipartUpload':
      return createMultipartUpload(acct, b, r, reply);
    case 'UploadPart':
    case 'UploadPartCopy':
      return uploadPart(acct, b, r, reply, call === 'UploadPartCopy');
    case 'CompleteMultipartUpload':
      return completeMultipartUpload(acct, b, r, reply);
    case 'AbortMultipartUpload': {
      upload(b, r);
      b.uploads.delete(r.query.get('uploadId')!);
      return reply.empty(204);
    }
    case 'ListParts': {
      const u = upload(b, r);
      const parts = [...u.parts.entries()].sort((x, y) => x[0] - y[0]);
      return reply.xml(
        `<ListPartsResult xmlns="${S3_NS}">${el('Bucket', b.settings.name)}${el('Key', key)}${el('UploadId', u.uploadId)}` +
          `${el('StorageClass', u.template.storageClass)}<IsTruncated>false</IsTruncated>` +
          parts
            .map(
              ([n, p]) =>
                `<Part>${el('PartNumber', n)}${el('LastModified', isoDate(p.lastModified))}${el('ETag', p.etag)}${el('Size', p.body.length)}</Part>`,
            )
            .join('') +
          `</ListPartsResult>`,
      );
    }
  }
  fail(501, 'NotImplemented', `${call} is not implemented by this local endpoint.`);
}

// ---------------------------------------------------------------------------------------- reads

/** ListObjectsV2, or with `v1` the original ListObjects (marker, NextMarker with a delimiter, owners always). */
function listObjectsV2(b: BucketState, r: S3Request, reply: Reply, v1 = false): void {
  const q = r.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const maxKeys = maxKeysOf(q);
  const url = q.get('encoding-type') === 'url';
  const enc = (s: string) => (url ? encodeURIComponent(s).replace(/%2F/g, '/') : s);
  const token = v1 ? null : q.get('continuation-token');
  let after = (v1 ? q.get('marker') : q.get('start-after')) ?? '';
  if (token !== null) {
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    if (!decoded.startsWith('after:'))
      fail(400, 'InvalidArgument', 'The continuation token provided is incorrect', {
        ArgumentName: 'continuation-token',
        ArgumentValue: token,
      });
    after = decoded.slice(6);
  }
  const keys = sortedKeys(b);
  let i = Math.max(firstAfter(keys, after), firstAfter(keys, prefix, true));
  const contents: string[] = [];
  const prefixes: string[] = [];
  let last = '';
  let truncated = false;
  const restore = String(r.headers['x-amz-optional-object-attributes'] ?? '').includes('RestoreStatus');
  const owner = v1 || q.get('fetch-owner') === 'true';
  for (; i < keys.length; i++) {
    const key = keys[i];
    if (!key.startsWith(prefix)) break;
    const v = b.objects.get(key)![0];
    if (v.deleteMarker) continue;
    if (contents.length + prefixes.length >= maxKeys) {
      truncated = true;
      break;
    }
    if (delimiter) {
      const at = key.indexOf(delimiter, prefix.length);
      if (at >= 0) {
        const common = key.slice(0, at + delimiter.length);
        prefixes.push(`<CommonPrefixes>${el('Prefix', enc(common))}</CommonPrefixes>`);
        // Every key under this common prefix is one entry: skip them.
        while (i + 1 < keys.length && keys[i + 1].startsWith(common)) i++;
        last = keys[i];
        continue;
      }
    }
    last = key;
    contents.push(
      `<Contents>${el('Key', enc(key))}${el('LastModified', isoDate(v.lastModified))}${el('ETag', v.etag)}` +
        (v.checksum ? `${el('ChecksumAlgorithm', v.checksum.algorithm)}${el('ChecksumType', v.checksum.type)}` : '') +
        `${el('Size', v.size)}${owner ? `<Owner>${el('ID', OWNER_ID)}</Owner>` : ''}${el('StorageClass', v.storageClass)}` +
        (restore && v.restore
          ? `<RestoreStatus>${el('IsRestoreInProgress', v.restore.ongoing)}${el('RestoreExpiryDate', v.restore.expiry)}</RestoreStatus>`
          : '') +
        `</Contents>`,
    );
  }
  if (v1)
    return reply.xml(
      `<ListBucketResult xmlns="${S3_NS}">${el('Name', b.settings.name)}${el('Prefix', enc(prefix))}${el('Marker', enc(after))}` +
        `${el('MaxKeys', maxKeys)}${delimiter ? el('Delimiter', enc(delimiter)) : ''}${url ? el('EncodingType', 'url') : ''}` +
        `${el('IsTruncated', truncated)}${contents.join('')}${prefixes.join('')}` +
        `${truncated && delimiter ? el('NextMarker', enc(last)) : ''}</ListBucketResult>`,
    );
  const next = truncated ? Buffer.from(`after:${last}`).toString('base64') : undefined;
  reply.xml(
    `<ListBucketResult xmlns="${S3_NS}">${el('Name', b.settings.name)}${el('Prefix', enc(prefix))}` +
      `${token !== null ? el('ContinuationToken', token) : ''}${q.has('start-after') ? el('StartAfter', enc(q.get('start-after')!)) : ''}` +
      `${el('KeyCount', contents.length + prefixes.length)}${el('MaxKeys', maxKeys)}${delimiter ? el('Delimiter', enc(delimiter)) : ''}` +
      `${url ? el('EncodingType', 'url') : ''}${el('IsTruncated', truncated)}${contents.join('')}${prefixes.join('')}` +
      `${next ? el('NextContinuationToken', next) : ''}</ListBucketResult>`,
  );
}

function maxKeysOf(q: URLSearchParams): number {
  const raw = q.get('max-keys');
  if (raw === null) return 1000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    fail(400, 'InvalidArgument', 'Provided max-keys not an integer or within integer range', {
      ArgumentName: 'max-keys',
      ArgumentValue: raw,
    });
  return Math.min(n, 1000);
}

function listObjectVersions(b: BucketState, r: S3Request, reply: Reply): void {
  const q = r.query;
  const prefix = q.get('prefix') ?? '';
  const maxKeys = maxKeysOf(q);
  const keyMarker = q.get('key-marker') ?? '';
  const versionMarker = q.get('version-id-marker') ?? '';
  const keys = sortedKeys(b);
  let i = keyMarker ? firstAfter(keys, keyMarker, versionMarker !== '') : firstAfter(keys, prefix, true);
  const entries: string[] = [];
  let truncated = false;
  let nextKey = '';
  let nextVersion = '';
  outer: for (; i < keys.length; i++) {
    const key = keys[i];
    if (!key.startsWith(prefix)) break;
    const list = b.objects.get(key)!;
    let j = 0;
    if (key === keyMarker && versionMarker) {
      j = list.findIndex(v => v.versionId === versionMarker) + 1;
      if (j === 0)
        fail(400, 'InvalidArgument', 'Invalid version id specified', {
          ArgumentName: 'version-id-marker',
          ArgumentValue: versionMarker,
        });
    }
    for (; j < list.length; j++) {
      if (entries.length >= maxKeys) {
        truncated = true;
        break outer;
      }
      const v = list[j];
      nextKey = key;
      nextVersion = v.versionId;
      const common = `${el('Key', key)}${el('VersionId', v.versionId)}${el('IsLatest', j === 0)}${el('LastModified', isoDate(v.lastModified))}<Owner>${el('ID', OWNER_ID)}</Owner>`;
      entries.push(
        v.deleteMarker
          ? `<DeleteMarker>${common}</DeleteMarker>`
          : `<Version>${common}${el('ETag', v.etag)}${el('Size', v.size)}${el('StorageClass', v.storageClass)}` +
              (v.checksum ? el('ChecksumAlgorithm', v.checksum.algorithm) : '') +
              `</Version>`,
      );
    }
  }
  reply.xml(
    `<ListVersionsResult xmlns="${S3_NS}">${el('Name', b.settings.name)}${el('Prefix', prefix)}${el('KeyMarker', keyMarker)}` +
      `${el('VersionIdMarker', versionMarker)}${el('MaxKeys', maxKeys)}${el('IsTruncated', truncated)}` +
      (truncated ? `${el('NextKeyMarker', nextKey)}${el('NextVersionIdMarker', nextVersion)}` : '') +
      `${entries.join('')}</ListVersionsResult>`,
  );
}

/** The version a request names, which must exist and not be a delete marker. */
function readableVersion(b: BucketState, r: S3Request): Version {
  const key = r.key ?? '';
  const versionId = r.query.get('versionId');
  const v = findVersion(b, key, versionId);
  if (!v) {
    if (versionId !== null && b.objects.has(key))
      fail(404, 'NoSuchVersion', 'The specified version does not exist.', { Key: key, VersionId: versionId });
    noSuchKey(key);
  }
  if (v!.deleteMarker) {
    const headers = { 'x-amz-delete-marker': 'true', 'x-amz-version-id': v!.versionId };
    if (versionId !== null)
      fail(
        405,
        'MethodNotAllowed',
        'The specified method is not allowed against this resource.',
        { Method: r.method, ResourceType: 'DeleteMarker' },
        headers,
      );
    fail(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key }, headers);
  }
  return v!;
}

const versionHeader = (b: BucketState, v: Version): Record<string, string> =>
  b.settings.versioning ? { 'x-amz-version-id': v.versionId } : {};

/** The encryption headers S3 sends about a stored version (HeadObject, GetObject, writes). */
export function sseHeaders(sse: Sse): Record<string, string> {
  const h: Record<string, string> = {};
  if (sse.kind === 'SSE-S3') h['x-amz-server-side-encryption'] = 'AES256';
  if (sse.kind === 'SSE-KMS' || sse.kind === 'DSSE-KMS') {
    h['x-amz-server-side-encryption'] = sse.kind === 'SSE-KMS' ? 'aws:kms' : 'aws:kms:dsse';
    h['x-amz-server-side-encryption-aws-kms-key-id'] = sse.kmsKeyArn!;
    if (sse.bucketKey) h['x-amz-server-side-encryption-bucket-key-enabled'] = 'true';
  }
  if (sse.kind === 'SSE-C') {
    h['x-amz-server-side-encryption-customer-algorithm'] = 'AES256';
    h['x-amz-server-side-encryption-customer-key-MD5'] = sse.customerKeyMd5!;
  }
  return h;
}

/** The SSE-C key a read or copy presents (`prefix` = 'x-amz-copy-source-' for a copy's source). */
function checkCustomerKey(v: Version, r: S3Request, prefix = 'x-amz-'): void {
  if (v.sse.kind !== 'SSE-C') return;
  const md5 = header(r, `${prefix}server-side-encryption-customer-key-md5`);
  if (!header(r, `${prefix}server-side-encryption-customer-algorithm`) || !md5)
    fail(
      400,
      'InvalidRequest',
      'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.',
    );
  if (md5 !== v.sse.customerKeyMd5)
    fail(403, 'AccessDenied', 'The calculated MD5 hash of the key did not match the hash that was provided.');
}

function objectHeaders(b: BucketState, v: Version, r: S3Request, get: boolean): Record<string, string> {
  const h: Record<string, string> = {
    ETag: v.etag,
    'Last-Modified': httpDate(v.lastModified),
    'Content-Type': v.system.contentType,
    'Accept-Ranges': 'bytes',
    ...sseHeaders(v.sse),
    ...versionHeader(b, v),
  };
  const s = v.system;
  if (s.cacheControl) h['Cache-Control'] = s.cacheControl;
  if (s.contentDisposition) h['Content-Disposition'] = s.contentDisposition;
  if (s.contentEncoding) h['Content-Encoding'] = s.contentEncoding;
  if (s.contentLanguage) h['Content-Language'] = s.contentLanguage;
  if (s.expires) h.Expires = httpDate(new Date(s.expires));
  if (s.websiteRedirectLocation) h['x-amz-website-redirect-location'] = s.websiteRedirectLocation;
  for (const [k, x] of Object.entries(v.metadata)) h[`x-amz-meta-${k}`] = x;
  if (v.storageClass !== 'STANDARD') h['x-amz-storage-class'] = v.storageClass;
  if (v.restore)
    h['x-amz-restore'] = v.restore.ongoing
      ? 'ongoing-request="true"'
      : `ongoing-request="false", expiry-date="${httpDate(new Date(v.restore.expiry ?? Date.now() + 86400_000))}"`;
  if (v.retention) {
    h['x-amz-object-lock-mode'] = v.retention.mode;
    h['x-amz-object-lock-retain-until-date'] = v.retention.retainUntil;
  }
  if (b.settings.objectLock) h['x-amz-object-lock-legal-hold'] = v.legalHold ? 'ON' : 'OFF';
  if (v.checksum && String(r.headers['x-amz-checksum-mode'] ?? '').toUpperCase() === 'ENABLED') {
    h[`x-amz-checksum-${v.checksum.algorithm.toLowerCase()}`] = v.checksum.value;
    h['x-amz-checksum-type'] = v.checksum.type;
  }
  if (get && v.tags.length) h['x-amz-tagging-count'] = String(v.tags.length);
  return h;
}

function getObject(b: BucketState, r: S3Request, reply: Reply, head: boolean): void {
  const v = readableVersion(b, r);
  checkCustomerKey(v, r);
  checkConditions(v, r, '');
  const h = objectHeaders(b, v, r, !head);
  if (!head && isArchivedUnrestored(v))
    fail(403, 'InvalidObjectState', "The operation is not valid for the object's storage class", {
      StorageClass: v.storageClass,
    });
  const range = header(r, 'range');
  let start = 0;
  let end = v.size - 1;
  let status = 200;
  if (range) {
    const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    if (m && (m[1] || m[2])) {
      if (m[1]) {
        start = Number(m[1]);
        end = m[2] ? Math.min(Number(m[2]), v.size - 1) : v.size - 1;
      } else start = Math.max(0, v.size - Number(m[2]));
      if (start >= v.size || start > end)
        fail(416, 'InvalidRange', 'The requested range is not satisfiable', {
          RangeRequested: range,
          ActualObjectSize: String(v.size),
        });
      status = 206;
      h['Content-Range'] = `bytes ${start}-${end}/${v.size}`;
      // A checksum covers the whole object: S3 does not send it with a range.
      for (const k of Object.keys(h)) if (k.startsWith('x-amz-checksum-')) delete h[k];
    }
  }
  // A generated body (a synthetic inventory file) is streamed, the range cut out of its chunks.
  if (v.virtual && !head) return reply.stream(status, h, end - start + 1, sliceChunks(v.virtual.chunks(), start, end));
  if (head) return reply.bytes(status, { ...h, 'Content-Length': String(end - start + 1) }, Buffer.alloc(0));
  reply.bytes(status, h, v.body.subarray(start, end + 1));
}

/** The bytes [start, end] of a body generated chunk by chunk, without holding more than one chunk. */
async function* sliceChunks(chunks: AsyncIterable<Buffer>, start: number, end: number): AsyncIterable<Buffer> {
  let at = 0;
  for await (const c of chunks) {
    const from = Math.max(0, start - at);
    const to = Math.min(c.length, end + 1 - at);
    if (to > from) yield c.subarray(from, to);
    at += c.length;
    if (at > end) return;
  }
}

/** If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since (`prefix` x-amz-copy-source- for a copy's source). */
function checkConditions(v: Version, r: S3Request, prefix: string): void {
  const name = (n: string) => (prefix ? `x-amz-copy-source-${n}` : n);
  const condition = (n: string) => (prefix ? `x-amz-copy-source-${n.replace(/^if/, 'If')}` : n.replace(/^if/, 'If'));
  const etagMatches = (list: string) =>
    list.split(',').some(e => e.trim() === '*' || e.trim().replace(/^W\//, '') === v.etag || `"${e.trim()}"` === v.etag);
  const ifMatch = header(r, name('if-match'));
  if (ifMatch !== undefined && !etagMatches(ifMatch))
    fail(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
      Condition: condition('if-match'),
    });
  const ifNone = header(r, name('if-none-match'));
  if (ifNone !== undefined && etagMatches(ifNone)) {
    if (prefix)
      fail(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
        Condition: condition('if-none-match'),
      });
    fail(304, 'NotModified', 'Not Modified');
  }
  const unmod = header(r, name('if-unmodified-since'));
  if (unmod !== undefined && ifMatch === undefined && v.lastModified.getTime() > Date.parse(unmod))
    fail(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
      Condition: condition('if-unmodified-since'),
    });
  const mod = header(r, name('if-modified-since'));
  if (mod !== undefined && ifNone === undefined && v.lastModified.getTime() <= Date.parse(mod)) {
    if (prefix)
      fail(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
        Condition: condition('if-modified-since'),
      });
    fail(304, 'NotModified', 'Not Modified');
  }
}

// --------------------------------------------------------------------------------- request parts

/** The encryption a write asks for (headers), or the bucket's default when it names none. */
function requestedSse(acct: Account, b: BucketState, r: S3Request): Sse {
  const alg = header(r, 'x-amz-server-side-encryption');
  const keyId = header(r, 'x-amz-server-side-encryption-aws-kms-key-id');
  const bke = header(r, 'x-amz-server-side-encryption-bucket-key-enabled');
  const cAlg = header(r, 'x-amz-server-side-encryption-customer-algorithm');
  const region = b.settings.region ?? 'us-east-1';
  if (cAlg !== undefined) {
    if (alg !== undefined)
      fail(
        400,
        'InvalidArgument',
        'Server Side Encryption with Customer provided key is incompatible with the encryption method specified',
      );
    if (cAlg !== 'AES256')
      fail(400, 'InvalidEncryptionAlgorithmError', 'The Encryption request you specified is not valid. Supported value: AES256.');
    const blocked = b.settings.encryption?.blockedEncryptionTypes ?? [];
    if (blocked.includes('SSE-C'))
      fail(
        403,
        'AccessDenied',
        'Requests specifying Server Side Encryption with Customer provided keys are not allowed for this bucket.',
      );
    const keyB64 = header(r, 'x-amz-server-side-encryption-customer-key') ?? '';
    const keyBytes = Buffer.from(keyB64, 'base64');
    if (keyBytes.length !== 32) fail(400, 'InvalidArgument', 'The secret key was invalid for the specified algorithm.');
    const md5 = createHash('md5').update(keyBytes).digest('base64');
    const given = header(r, 'x-amz-server-side-encryption-customer-key-md5');
    if (given !== undefined && given !== md5)
      fail(400, 'InvalidArgument', 'The calculated MD5 hash of the key did not match the hash that was provided.');
    return { kind: 'SSE-C', bucketKey: false, customerKeyMd5: md5 };
  }
  if (alg === undefined) {
    if (keyId !== undefined)
      fail(
        400,
        'InvalidArgument',
        'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms',
      );
    const sse = bucketDefaultSse(b.settings, acct.managedKeyArn);
    if (bke !== undefined && sse.kind === 'SSE-KMS') sse.bucketKey = bke === 'true';
    if (sse.kmsKeyArn) sse.kmsKeyArn = kmsArn(sse.kmsKeyArn, region, acct.account);
    return sse;
  }
  if (alg === 'AES256') {
    if (keyId !== undefined)
      fail(
        400,
        'InvalidArgument',
        'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms',
      );
    return { kind: 'SSE-S3', bucketKey: false };
  }
  if (alg !== 'aws:kms' && alg !== 'aws:kms:dsse')
    fail(400, 'InvalidArgument', 'The encryption method specified is not supported', {
      ArgumentName: 'x-amz-server-side-encryption',
      ArgumentValue: alg,
    });
  const def = b.settings.encryption && b.settings.encryption.algorithm !== 'AES256' ? b.settings.encryption : undefined;
  const arn = kmsArn(keyId ?? def?.kmsKeyId ?? acct.managedKeyArn(region), region, acct.account);
  checkKmsKey(acct, arn, region);
  return {
    kind: alg === 'aws:kms' ? 'SSE-KMS' : 'DSSE-KMS',
    kmsKeyArn: resolveKeyArn(acct, arn, region),
    bucketKey: alg === 'aws:kms' && (bke !== undefined ? bke === 'true' : def?.bucketKeyEnabled === true),
  };
}

/** A key of this account in the bucket's region must exist and be enabled (keys of other accounts are taken as given). */
function checkKmsKey(acct: Account, arn: string, region: string): void {
  const m = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):/.exec(arn);
  if (!m || m[2] !== acct.account) return;
  if (m[1] !== region) fail(400, 'KMS.NotFoundException', `Invalid arn ${region}`);
  const key = acct.findKey(arn, region);
  if (!key) fail(400, 'KMS.NotFoundException', `Invalid keyId ${arn}`);
  const state = key!.state ?? 'Enabled';
  if (state === 'Disabled') fail(400, 'KMS.DisabledException', `${key!.arn} is disabled.`);
  if (state !== 'Enabled') fail(400, 'KMS.KMSInvalidStateException', `${key!.arn} is ${state}.`);
  if ((key!.spec ?? 'SYMMETRIC_DEFAULT') !== 'SYMMETRIC_DEFAULT')
    fail(400, 'KMS.InvalidKeyUsageException', `${key!.arn} key usage is not ENCRYPT_DECRYPT.`);
}

/** S3 records the key ARN an alias points to, not the alias. */
function resolveKeyArn(acct: Account, arn: string, region: string): string {
  if (!arn.includes(':alias/')) return arn;
  return acct.findKey(arn, region)?.arn ?? arn;
}

function systemFromHeaders(r: S3Request): SystemHeaders {
  return {
    contentType: header(r, 'content-type') ?? 'binary/octet-stream',
    cacheControl: header(r, 'cache-control'),
    contentDisposition: header(r, 'content-disposition'),
    contentEncoding:
      header(r, 'content-encoding')
        ?.split(',')
        .map(s => s.trim())
        .filter(s => s && s !== 'aws-chunked')
        .join(',') || undefined,
    contentLanguage: header(r, 'content-language'),
    expires: header(r, 'expires'),
    websiteRedirectLocation: header(r, 'x-amz-website-redirect-location'),
  };
}

const USER_METADATA_MAX_BYTES = 2048;

function metadataFromHeaders(r: S3Request): Record<string, string> {
  const m: Record<string, string> = {};
  let bytes = 0;
  for (const [k, x] of Object.entries(r.headers))
    if (k.startsWith('x-amz-meta-') && x !== undefined) {
      const value = Array.isArray(x) ? x.join(',') : x;
      m[k.slice('x-amz-meta-'.length)] = value;
      bytes += k.length - 'x-amz-meta-'.length + Buffer.byteLength(value);
    }
  if (bytes > USER_METADATA_MAX_BYTES)
    fail(400, 'MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size', {
      MaxSizeAllowed: String(USER_METADATA_MAX_BYTES),
    });
  return m;
}

function tagsFromHeader(r: S3Request): [string, string][] {
  const t = header(r, 'x-amz-tagging');
  if (!t) return [];
  const tags = [...new URLSearchParams(t).entries()];
  checkTags(tags);
  return tags;
}

function checkTags(tags: [string, string][]): void {
  if (tags.length > 10) fail(400, 'BadRequest', 'Object tags cannot be greater than 10');
  if (new Set(tags.map(t => t[0])).size !== tags.length)
    fail(400, 'InvalidTag', 'Cannot provide multiple Tags with the same key');
  for (const [k, v] of tags)
    if (k.length === 0 || k.length > 128 || v.length > 256) fail(400, 'InvalidTag', 'The TagKey you have provided is invalid');
}

function parseTagSet(xml: string): [string, string][] {
  if (!xml.includes('<Tagging'))
    fail(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  const tags = elements(xml, 'Tag', 11).map(t => [element(t, 'Key') ?? '', element(t, 'Value') ?? ''] as [string, string]);
  checkTags(tags);
  return tags;
}

function storageClassOf(r: S3Request): string {
  const sc = header(r, 'x-amz-storage-class') ?? 'STANDARD';
  const known = [
    'STANDARD',
    'REDUCED_REDUNDANCY',
    'STANDARD_IA',
    'ONEZONE_IA',
    'INTELLIGENT_TIERING',
    'GLACIER',
    'DEEP_ARCHIVE',
    'GLACIER_IR',
    'OUTPOSTS',
    'SNOW',
    'EXPRESS_ONEZONE',
  ];
  if (!known.includes(sc))
    fail(400, 'InvalidStorageClass', 'The storage class you specified is not valid', { StorageClassRequested: sc });
  return sc;
}

const aclNotSupported = () => fail(400, 'AccessControlListNotSupported', 'The bucket does not allow ACLs');

/** Grants of x-amz-acl (canned) or x-amz-grant-* headers; [] (private) when none. */
function grantsFromHeaders(b: BucketState, r: S3Request): SeedGrant[] {
  const canned = header(r, 'x-amz-acl');
  const explicit = ['read', 'write', 'read-acp', 'write-acp', 'full-control'].filter(
    p => header(r, `x-amz-grant-${p}`) !== undefined,
  );
  if (aclsDisabled(b)) {
    // With ACLs disabled S3 still takes the ACL that says the owner has everything.
    if ((canned && canned !== 'bucket-owner-full-control' && canned !== 'private') || explicit.length) aclNotSupported();
    return [];
  }
  if (canned) {
    switch (canned) {
      case 'public-read':
        return [{ grantee: { uri: ALL_USERS }, permission: 'READ' }];
      case 'public-read-write':
        return [
          { grantee: { uri: ALL_USERS }, permission: 'READ' },
          { grantee: { uri: ALL_USERS }, permission: 'WRITE' },
        ];
      case 'authenticated-read':
        return [{ grantee: { uri: AUTHENTICATED_USERS }, permission: 'READ' }];
      case 'private':
      case 'bucket-owner-read':
      case 'bucket-owner-full-control':
      case 'aws-exec-read':
        return [];
      default:
        fail(400, 'InvalidArgument', 'Invalid canned ACL', { ArgumentName: 'x-amz-acl', ArgumentValue: canned });
    }
  }
  const grants: SeedGrant[] = [];
  for (const p of explicit) {
    const permission = p.toUpperCase().replace('-', '_') as SeedGrant['permission'];
    for (const part of header(r, `x-amz-grant-${p}`)!.split(',').slice(0, 100)) {
      const m = /^\s*(id|uri)\s*=\s*"?([^"]*)"?\s*$/.exec(part);
      if (!m) fail(400, 'InvalidArgument', 'Invalid grantee in the ACL header', { ArgumentName: `x-amz-grant-${p}` });
      grants.push({ grantee: m![1] === 'id' ? { id: m![2] } : { uri: m![2] }, permission });
    }
  }
  return grants;
}

function parseAclXml(xml: string): SeedGrant[] {
  if (!xml.includes('<AccessControlPolicy'))
    fail(400, 'MalformedACLError', 'The XML you provided was not well-formed or did not validate against our published schema');
  const grants: SeedGrant[] = [];
  for (const g of elements(xml, 'Grant', 100)) {
    const id = element(g, 'ID');
    const uri = element(g, 'URI');
    const permission = element(g, 'Permission') as SeedGrant['permission'];
    // The owner's FULL_CONTROL is implied (the ACL always lists it).
    if (id === OWNER_ID && permission === 'FULL_CONTROL') continue;
    if (!permission || (!id && !uri))
      fail(400, 'MalformedACLError', 'The XML you provided was not well-formed or did not validate against our published schema');
    grants.push({ grantee: id ? { id } : { uri: uri! }, permission });
  }
  return grants;
}

function aclXml(grants: SeedGrant[]): string {
  const owner = `<Owner>${el('ID', OWNER_ID)}${el('DisplayName', 'demo')}</Owner>`;
  const grant = (g: SeedGrant) =>
    'id' in g.grantee
      ? `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">${el('ID', g.grantee.id)}</Grantee>${el('Permission', g.permission)}</Grant>`
      : `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group">${el('URI', g.grantee.uri)}</Grantee>${el('Permission', g.permission)}</Grant>`;
  return (
    `<AccessControlPolicy xmlns="${S3_NS}">${owner}<AccessControlList>` +
    grant({ grantee: { id: OWNER_ID }, permission: 'FULL_CONTROL' }) +
    grants.map(grant).join('') +
    `</AccessControlList></AccessControlPolicy>`
  );
}

/** Object Lock of a write: the headers', else the bucket's default retention. */
function lockFromHeaders(b: BucketState, r: S3Request): Pick<Version, 'retention' | 'legalHold'> {
  const mode = header(r, 'x-amz-object-lock-mode');
  const until = header(r, 'x-amz-object-lock-retain-until-date');
  const hold = header(r, 'x-amz-object-lock-legal-hold');
  const lock = b.settings.objectLock;
  if ((mode || until || hold) && !lock) fail(400, 'InvalidRequest', 'Bucket is missing Object Lock Configuration');
  if (!!mode !== !!until)
    fail(400, 'InvalidArgument', 'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied');
  if (mode && mode !== 'GOVERNANCE' && mode !== 'COMPLIANCE') fail(400, 'InvalidArgument', 'Unknown wormMode directive.');
  if (hold && hold !== 'ON' && hold !== 'OFF') fail(400, 'InvalidArgument', "Legal Hold must be either of 'ON' or 'OFF'");
  let retention: Version['retention'];
  if (mode && until) retention = { mode: mode as 'GOVERNANCE' | 'COMPLIANCE', retainUntil: new Date(until).toISOString() };
  else if (lock?.defaultRetention)
    retention = {
      mode: lock.defaultRetention.mode,
      retainUntil: new Date(Date.now() + lock.defaultRetention.days * 86400_000).toISOString(),
    };
  return { retention, legalHold: hold === 'ON' };
}

/** The checksum a write sends (header or aws-chunked trailer), checked against the bytes; or the one asked for by algorithm. */
function checksumOfWrite(r: S3Request, body: Buffer): Version['checksum'] {
  for (const alg of CHECKSUM_ALGORITHMS) {
    const name = `x-amz-checksum-${alg.toLowerCase()}`;
    const sent = header(r, name) ?? r.trailers[name];
    if (sent === undefined) continue;
    const computed = checksumOf(alg, body);
    if (computed !== undefined && computed !== sent)
      fail(400, 'BadDigest', `The ${alg} you specified did not match the calculated checksum.`);
    return { algorithm: alg, value: sent, type: 'FULL_OBJECT' };
  }
  const asked = header(r, 'x-amz-sdk-checksum-algorithm') ?? header(r, 'x-amz-checksum-algorithm');
  if (asked) {
    const value = checksumOf(asked, body);
    if (value) return { algorithm: asked.toUpperCase(), value, type: 'FULL_OBJECT' };
  }
  return undefined;
}

const checksumXml = (c: Version['checksum']): string =>
  c ? `${el(`Checksum${c.algorithm}`, c.value)}${el('ChecksumType', c.type)}` : '';

const checksumHeader = (c: Version['checksum']): Record<string, string> =>
  c ? { [`x-amz-checksum-${c.algorithm.toLowerCase()}`]: c.value, 'x-amz-checksum-type': c.type } : {};

// ---------------------------------------------------------------------------------------- writes

function putObject(acct: Account, b: BucketState, r: S3Request, reply: Reply): void {
  const key = r.key ?? '';
  if (Buffer.byteLength(key) > 1024) fail(400, 'KeyTooLongError', 'Your key is too long');
  const current = b.objects.get(key)?.[0];
  const exists = current !== undefined && !current.deleteMarker;
  const ifNone = header(r, 'if-none-match');
  if (ifNone === '*' && exists)
    fail(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
      Condition: 'If-None-Match',
    });
  const ifMatch = header(r, 'if-match');
  if (ifMatch !== undefined) {
    if (!exists) noSuchKey(key);
    if (ifMatch !== '*' && ifMatch !== current!.etag)
      fail(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-Match' });
  }
  const md5 = header(r, 'content-md5');
  if (md5 !== undefined && createHash('md5').update(r.body).digest('base64') !== md5)
    fail(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
  const sse = requestedSse(acct, b, r);
  const v: Version = {
    versionId: newVersionId(),
    deleteMarker: false,
    body: Buffer.from(r.body),
    size: r.body.length,
    etag: etagOf(r.body, sse),
    lastModified: new Date(),
    sse,
    storageClass: storageClassOf(r),
    system: systemFromHeaders(r),
    metadata: metadataFromHeaders(r),
    tags: tagsFromHeader(r),
    grants: grantsFromHeaders(b, r),
    ...lockFromHeaders(b, r),
    checksum: checksumOfWrite(r, r.body),
    parts: 0,
  };
  storeVersion(b, key, v);
  const stored = b.objects.get(key)![0];
  reply.empty(200, { ETag: v.etag, ...sseHeaders(sse), ...versionHeader(b, stored), ...checksumHeader(v.checksum) });
}

function deleteObject(b: BucketState, r: S3Request, reply: Reply): void {
  const key = r.key ?? '';
  const versionId = r.query.get('versionId');
  const list = b.objects.get(key);
  if (versionId !== null) {
    const i = list ? list.findIndex(v => v.versionId === versionId) : -1;
    if (i < 0) return reply.empty(204, { 'x-amz-version-id': versionId });
    const v = list![i];
    if (!v.deleteMarker && isLocked(v)) {
      const bypass =
        header(r, 'x-amz-bypass-governance-retention') === 'true' && !v.legalHold && v.retention?.mode === 'GOVERNANCE';
      if (!bypass) fail(403, 'AccessDenied', 'Access Denied because object protected by object lock.');
    }
    list!.splice(i, 1);
    if (list!.length === 0) {
      b.objects.delete(key);
      keysChanged(b);
    }
    return reply.empty(204, { 'x-amz-version-id': versionId, ...(v.deleteMarker ? { 'x-amz-delete-marker': 'true' } : {}) });
  }
  if (b.settings.versioning) {
    const marker: Version = {
      versionId: newVersionId(),
      deleteMarker: true,
      body: Buffer.alloc(0),
      size: 0,
      etag: '',
      lastModified: new Date(),
      sse: { kind: 'NOT-SSE', bucketKey: false },
      storageClass: 'STANDARD',
      system: { contentType: '' },
      metadata: {},
      tags: [],
      grants: [],
      legalHold: false,
      parts: 0,
    };
    storeVersion(b, key, marker);
    const stored = b.objects.get(key)![0];
    return reply.empty(204, { 'x-amz-delete-marker': 'true', 'x-amz-version-id': stored.versionId });
  }
  if (list) {
    b.objects.delete(key);
    keysChanged(b);
  }
  reply.empty(204);
}

/**
 * DeleteObjects (`POST /b?delete`, Content-MD5 or a checksum required): up to 1,000 keys, each deleted
 * as DeleteObject would; per-key errors (Object Lock) in `<Error>`, `Quiet` leaves out the successes.
 */
function deleteObjects(acct: Account, b: BucketState, r: S3Request, reply: Reply): void {
  if (!checkIntegrity(r, reply)) return;
  const xml = r.body.toString('utf8');
  if (!xml.includes('<Delete'))
    fail(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  const objects = elements(xml, 'Object', 1001);
  if (objects.length === 0 || objects.length > 1000)
    fail(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  const quiet = element(xml, 'Quiet') === 'true';
  const out: string[] = [];
  for (const o of objects) {
    const key = element(o, 'Key') ?? '';
    const versionId = element(o, 'VersionId');
    let answer: { headers: Record<string, string> } | { code: string; message: string } = { headers: {} };
    const one: Reply = {
      xml: () => undefined,
      bytes: () => undefined,
      stream: () => undefined,
      empty: (_status, headers = {}) => {
        answer = { headers };
      },
      error: (_status, code, message) => {
        answer = { code, message };
      },
    };
    objectCall(
      'DeleteObject',
      acct,
      b,
      { ...r, key, query: new URLSearchParams(versionId ? { versionId } : {}), body: Buffer.alloc(0) },
      one,
    );
    const a = answer as { headers: Record<string, string> } | { code: string; message: string };
    if ('code' in a)
      out.push(`<Error>${el('Key', key)}${el('VersionId', versionId)}${el('Code', a.code)}${el('Message', a.message)}</Error>`);
    else if (!quiet)
      out.push(
        `<Deleted>${el('Key', key)}${el('VersionId', versionId)}` +
          (a.headers['x-amz-delete-marker']
            ? `${el('DeleteMarker', true)}${el('DeleteMarkerVersionId', a.headers['x-amz-version-id'])}`
            : '') +
          `</Deleted>`,
      );
  }
  reply.xml(`<DeleteResult xmlns="${S3_NS}">${out.join('')}</DeleteResult>`);
}

/** The source of a copy: `x-amz-copy-source` as `bucket/key[?versionId=…]`, URL-encoded. */
function copySource(acct: Account, r: S3Request): { bucket: BucketState; key: string; version: Version } {
  const raw = header(r, 'x-amz-copy-source') ?? '';
  const q = raw.indexOf('?');
  const path = (q < 0 ? raw : raw.slice(0, q)).replace(/^\//, '');
  const versionId = q < 0 ? null : new URLSearchParams(raw.slice(q + 1)).get('versionId');
  const slash = path.indexOf('/');
  if (slash <= 0)
    fail(400, 'InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey', {
      ArgumentName: 'x-amz-copy-source',
      ArgumentValue: raw,
    });
  let bucketName: string;
  let key: string;
  try {
    bucketName = decodeURIComponent(path.slice(0, slash));
    key = decodeURIComponent(path.slice(slash + 1));
  } catch {
    return fail(400, 'InvalidArgument', 'Invalid copy source encoding', {
      ArgumentName: 'x-amz-copy-source',
      ArgumentValue: raw,
    });
  }
  const bucket = acct.buckets.get(bucketName);
  if (!bucket) fail(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucketName });
  const version = findVersion(bucket!, key, versionId);
  if (!version) {
    if (versionId !== null)
      fail(404, 'NoSuchVersion', 'The specified version does not exist.', { Key: key, VersionId: versionId });
    noSuchKey(key);
  }
  if (version!.deleteMarker) {
    if (versionId !== null)
      fail(400, 'InvalidRequest', 'The source of a copy request may not specifically refer to a delete marker by version id.');
    noSuchKey(key);
  }
  return { bucket: bucket!, key, version: version! };
}

/** What every copy checks of its source: conditions, storage class, SSE-C key. */
function checkCopySource(v: Version, r: S3Request): void {
  checkConditions(v, r, 'x-amz-copy-source-');
  if (isArchivedUnrestored(v))
    fail(403, 'InvalidObjectState', "Operation is not valid for the source object's storage class", {
      StorageClass: v.storageClass,
    });
  checkCustomerKey(v, r, 'x-amz-copy-source-');
}

function copyObject(acct: Account, b: BucketState, r: S3Request, reply: Reply): void {
  const key = r.key ?? '';
  const src = copySource(acct, r);
  const v = src.version;
  checkCopySource(v, r);
  const limit = acct.seed.copyLimitBytes ?? 5 * GIB;
  if (v.size > limit)
    fail(
      400,
      'InvalidRequest',
      `The specified copy source is larger than the maximum allowable size for a copy source: ${limit}`,
    );
  const metadataDirective = header(r, 'x-amz-metadata-directive') ?? 'COPY';
  const taggingDirective = header(r, 'x-amz-tagging-directive') ?? 'COPY';
  if (!['COPY', 'REPLACE'].includes(metadataDirective))
    fail(400, 'InvalidArgument', 'Unknown metadata directive.', {
      ArgumentName: 'x-amz-metadata-directive',
      ArgumentValue: metadataDirective,
    });
  if (!['COPY', 'REPLACE'].includes(taggingDirective))
    fail(400, 'InvalidArgument', 'Unknown tagging directive.', {
      ArgumentName: 'x-amz-tagging-directive',
      ArgumentValue: taggingDirective,
    });
  const same = src.bucket === b && src.key === key;
  const changes =
    metadataDirective === 'REPLACE' ||
    header(r, 'x-amz-server-side-encryption') !== undefined ||
    header(r, 'x-amz-server-side-encryption-customer-algorithm') !== undefined ||
    header(r, 'x-amz-storage-class') !== undefined ||
    header(r, 'x-amz-website-redirect-location') !== undefined;
  if (same && !changes)
    fail(
      400,
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  const sse = requestedSse(acct, b, r);
  const explicitAlg = header(r, 'x-amz-checksum-algorithm');
  const algorithm = explicitAlg?.toUpperCase() ?? v.checksum?.algorithm;
  const checksumValue = algorithm ? checksumOf(algorithm, v.body) : undefined;
  const copy: Version = {
    versionId: newVersionId(),
    deleteMarker: false,
    body: v.body,
    size: v.size,
    // A copy is a single PUT: the ETag of a multipart source becomes the MD5 of the bytes (or, under
    // KMS or SSE-C, a new value that is not one).
    etag: etagOf(v.body, sse),
    lastModified: new Date(),
    sse,
    storageClass: storageClassOf(r),
    system:
      metadataDirective === 'REPLACE'
        ? systemFromHeaders(r)
        : {
            ...v.system,
            websiteRedirectLocation: header(r, 'x-amz-website-redirect-location') ?? v.system.websiteRedirectLocation,
          },
    metadata: metadataDirective === 'REPLACE' ? metadataFromHeaders(r) : { ...v.metadata },
    tags: taggingDirective === 'REPLACE' ? tagsFromHeader(r) : v.tags.map(t => [...t] as [string, string]),
    grants: grantsFromHeaders(b, r),
    ...lockFromHeaders(b, r),
    checksum: algorithm && checksumValue ? { algorithm, value: checksumValue, type: 'FULL_OBJECT' } : undefined,
    parts: 0,
  };
  storeVersion(b, key, copy);
  const stored = b.objects.get(key)![0];
  reply.xml(
    `<CopyObjectResult xmlns="${S3_NS}">${el('LastModified', isoDate(copy.lastModified))}${el('ETag', copy.etag)}${checksumXml(copy.checksum)}</CopyObjectResult>`,
    {
      ...sseHeaders(sse),
      ...versionHeader(b, stored),
      ...(src.bucket.settings.versioning ? { 'x-amz-copy-source-version-id': v.versionId } : {}),
    },
  );
}

function updateObjectEncryption(acct: Account, b: BucketState, r: S3Request, reply: Reply): void {
  const xml = r.body.toString('utf8');
  if (!xml.includes('<ObjectEncryption'))
    fail(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  const kms = elements(xml, 'SSE-KMS', 2);
  if (kms.length !== 1)
    fail(
      400,
      'InvalidRequest',
      'Requests that modify an object encryption configuration require a valid new encryption type. Valid values are SSEKMS.',
    );
  const arn = element(kms[0], 'KMSKeyArn');
  if (!arn)
    fail(
      400,
      'InvalidRequest',
      "Requests that modify an object's encryption type to SSE-KMS require an AWS KMS key Amazon Resource Name (ARN).",
    );
  const m = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/[A-Za-z0-9-]+$/.exec(arn!);
  if (!m)
    fail(
      400,
      'InvalidRequest',
      "Requests that modify an object's encryption type to SSE-KMS require a valid AWS KMS key Amazon Resource Name (ARN).",
    );
  const bke = element(kms[0], 'BucketKeyEnabled');
  if (bke !== undefined && bke !== 'true' && bke !== 'false')
    fail(400, 'InvalidRequest', "The BucketKeyEnabled value isn't valid. Valid values are true or false.");
  if (m![2] !== acct.account)
    fail(403, 'AccessDenied', 'The AWS KMS key in the request must be owned by the same account as the bucket.');
  const v = readableVersion(b, r);
  if (v.sse.kind === 'NOT-SSE')
    fail(
      400,
      'InvalidRequest',
      "The UpdateObjectEncryption operation doesn't support unencrypted source objects. Only source objects encrypted with SSE-S3 or SSE-KMS are supported.",
    );
  if (v.sse.kind === 'DSSE-KMS' || v.sse.kind === 'SSE-C')
    fail(
      400,
      'InvalidRequest',
      "The UpdateObjectEncryption operation doesn't support source objects with the encryption type DSSE-KMS or SSE-C. Only source objects encrypted with SSE-S3 or SSE-KMS are supported.",
    );
  if (v.legalHold || (v.retention && (v.retention.mode === 'COMPLIANCE' || isLocked(v))))
    fail(
      403,
      'AccessDenied',
      "The encryption type for the specified object can't be updated because that object is protected by S3 Object Lock.",
    );
  checkKmsKey(acct, arn!, b.settings.region ?? 'us-east-1');
  // In place: only the encryption record changes (no new version, same bytes, ETag, dates, checksum).
  v.sse = { kind: 'SSE-KMS', kmsKeyArn: arn!, bucketKey: bke === 'true' };
  reply.empty(200, versionHeader(b, v));
}

// ------------------------------------------------------------------------------------- multipart

function upload(b: BucketState, r: S3Request): MultipartUpload {
  const id = r.query.get('uploadId') ?? '';
  const u = b.uploads.get(id);
  if (!u || u.key !== r.key)
    fail(
      404,
      'NoSuchUpload',
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      { UploadId: id },
    );
  return u!;
}

function createMultipartUpload(acct: Account, b: BucketState, r: S3Request, reply: Reply): void {
  const key = r.key ?? '';
  const sse = requestedSse(acct, b, r);
  const uploadId = newVersionId() + newVersionId();
  const alg = header(r, 'x-amz-checksum-algorithm')?.toUpperCase();
  const type = header(r, 'x-amz-checksum-type')?.toUpperCase();
  const u: MultipartUpload = {
    uploadId,
    key,
    initiated: new Date(),
    template: {
      sse,
      storageClass: storageClassOf(r),
      system: systemFromHeaders(r),
      metadata: metadataFromHeaders(r),
      tags: tagsFromHeader(r),
      grants: grantsFromHeaders(b, r),
      ...lockFromHeaders(b, r),
    },
    checksumAlgorithm: alg,
    checksumType: alg ? (type === 'FULL_OBJECT' ? 'FULL_OBJECT' : 'COMPOSITE') : undefined,
    parts: new Map(),
  };
  b.uploads.set(uploadId, u);
  reply.xml(
    `<InitiateMultipartUploadResult xmlns="${S3_NS}">${el('Bucket', b.settings.name)}${el('Key', key)}${el('UploadId', uploadId)}</InitiateMultipartUploadResult>`,
    {
      ...sseHeaders(sse),
      ...(alg ? { 'x-amz-checksum-algorithm': alg, 'x-amz-checksum-type': u.checksumType! } : {}),
    },
  );
}

function uploadPart(acct: Account, b: BucketState, r: S3Request, reply: Reply, copy: boolean): void {
  const u = upload(b, r);
  const n = Number(r.query.get('partNumber'));
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    fail(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', {
      ArgumentName: 'partNumber',
      ArgumentValue: String(r.query.get('partNumber')),
    });
  let body: Buffer;
  const extra: Record<string, string> = {};
  if (copy) {
    const src = copySource(acct, r);
    checkCopySource(src.version, r);
    const size = src.version.size;
    const range = header(r, 'x-amz-copy-source-range');
    body = src.version.body;
    if (range !== undefined) {
      const m = /^bytes=(\d+)-(\d+)$/.exec(range.trim());
      if (!m || Number(m[1]) > Number(m[2]) || Number(m[2]) >= size)
        fail(400, 'InvalidArgument', `Range specified is not valid for source object of size: ${size}`, {
          ArgumentName: 'x-amz-copy-source-range',
          ArgumentValue: range,
        });
      body = body.subarray(Number(m![1]), Number(m![2]) + 1);
    } else if (size > (acct.seed.copyLimitBytes ?? 5 * GIB))
      fail(
        400,
        'InvalidRequest',
        `The specified copy source is larger than the maximum allowable size for a copy source: ${acct.seed.copyLimitBytes ?? 5 * GIB}`,
      );
    if (src.bucket.settings.versioning) extra['x-amz-copy-source-version-id'] = src.version.versionId;
  } else {
    body = r.body;
    const md5 = header(r, 'content-md5');
    if (md5 !== undefined && createHash('md5').update(body).digest('base64') !== md5)
      fail(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
    checksumOfWrite(r, body);
  }
  const part = { body: Buffer.from(body), etag: `"${md5Hex(body)}"`, lastModified: new Date() };
  u.parts.set(n, part);
  const partChecksum = u.checksumAlgorithm ? checksumOf(u.checksumAlgorithm, part.body) : undefined;
  const checksumEl = partChecksum ? el(`Checksum${u.checksumAlgorithm}`, partChecksum) : '';
  const headers = { ...sseHeaders(u.template.sse), ...extra };
  if (copy)
    return reply.xml(
      `<CopyPartResult xmlns="${S3_NS}">${el('LastModified', isoDate(part.lastModified))}${el('ETag', part.etag)}${checksumEl}</CopyPartResult>`,
      headers,
    );
  reply.empty(200, {
    ETag: part.etag,
    ...headers,
    ...(partChecksum ? { [`x-amz-checksum-${u.checksumAlgorithm!.toLowerCase()}`]: partChecksum } : {}),
  });
}

function completeMultipartUpload(acct: Account, b: BucketState, r: S3Request, reply: Reply): void {
  const u = upload(b, r);
  const xml = r.body.toString('utf8');
  if (!xml.includes('<CompleteMultipartUpload'))
    fail(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  const listed = elements(xml, 'Part', 10_001).map(p => ({
    n: Number(element(p, 'PartNumber')),
    etag: element(p, 'ETag') ?? '',
  }));
  if (listed.length === 0)
    fail(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  const minPart = acct.seed.minPartBytes ?? 5 * 1024 * 1024;
  const bodies: Buffer[] = [];
  const md5s: Buffer[] = [];
  const partChecksums: Buffer[] = [];
  let previous = 0;
  listed.forEach(({ n, etag }, i) => {
    if (!(n > previous))
      fail(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.');
    previous = n;
    const part = u.parts.get(n);
    const normalized = etag.startsWith('"') ? etag : `"${etag}"`;
    if (!part || part.etag !== normalized)
      fail(
        400,
        'InvalidPart',
        "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag.",
        {
          PartNumber: String(n),
          ETag: etag,
        },
      );
    if (i < listed.length - 1 && part!.body.length < minPart)
      fail(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', {
        ProposedSize: String(part!.body.length),
        MinSizeAllowed: String(minPart),
        PartNumber: String(n),
      });
    bodies.push(part!.body);
    md5s.push(Buffer.from(part!.etag.slice(1, -1), 'hex'));
    if (u.checksumAlgorithm) partChecksums.push(checksumBytes(u.checksumAlgorithm, part!.body) ?? Buffer.alloc(0));
  });
  const body = Buffer.concat(bodies);
  let checksum: Version['checksum'];
  if (u.checksumAlgorithm) {
    const value =
      u.checksumType === 'FULL_OBJECT'
        ? checksumOf(u.checksumAlgorithm, body)
        : `${checksumBytes(u.checksumAlgorithm, Buffer.concat(partChecksums))?.toString('base64')}-${listed.length}`;
    if (value && !value.startsWith('undefined')) checksum = { algorithm: u.checksumAlgorithm, value, type: u.checksumType! };
  }
  const v: Version = {
    ...u.template,
    versionId: newVersionId(),
    deleteMarker: false,
    body,
    size: body.length,
    etag: `"${md5Hex(Buffer.concat(md5s))}-${listed.length}"`,
    lastModified: new Date(),
    checksum,
    parts: listed.length,
  };
  b.uploads.delete(u.uploadId);
  storeVersion(b, u.key, v);
  const stored = b.objects.get(u.key)![0];
  reply.xml(
    `<CompleteMultipartUploadResult xmlns="${S3_NS}">${el('Location', `/${b.settings.name}/${u.key}`)}${el('Bucket', b.settings.name)}${el('Key', u.key)}${el('ETag', v.etag)}${checksumXml(checksum)}</CompleteMultipartUploadResult>`,
    { ...sseHeaders(v.sse), ...versionHeader(b, stored) },
  );
}

// ----------------------------------------------------------------------------------- test hooks

/**
 * Another writer replaces the object (a fault: the object changed between plan and copy): new
 * bytes (so a new ETag), the bucket's default encryption, its other settings kept.
 */
export function rewriteObject(acct: Account, b: BucketState, key: string, content?: Buffer): void {
  const current = b.objects.get(key)?.[0];
  const body =
    content ??
    Buffer.concat([
      current && !current.deleteMarker ? current.body : Buffer.alloc(0),
      Buffer.from(`\nchanged by another writer at ${new Date().toISOString()}\n`),
    ]);
  const base: Version =
    current && !current.deleteMarker
      ? { ...current, tags: [...current.tags], metadata: { ...current.metadata } }
      : {
          versionId: '',
          deleteMarker: false,
          body,
          size: 0,
          etag: '',
          lastModified: new Date(),
          sse: { kind: 'NOT-SSE', bucketKey: false },
          storageClass: 'STANDARD',
          system: { contentType: 'binary/octet-stream' },
          metadata: {},
          tags: [],
          grants: [],
          legalHold: false,
          parts: 0,
        };
  const sse = bucketDefaultSse(b.settings, acct.managedKeyArn);
  const v: Version = {
    ...base,
    versionId: newVersionId(),
    body,
    size: body.length,
    etag: etagOf(body, sse),
    lastModified: new Date(),
    sse,
    checksum: base.checksum
      ? { algorithm: base.checksum.algorithm, value: checksumOf(base.checksum.algorithm, body) ?? '', type: 'FULL_OBJECT' }
      : undefined,
    parts: 0,
    retention: undefined,
    legalHold: false,
  };
  storeVersion(b, key, v);
}
