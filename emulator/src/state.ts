// The emulator's in-memory account state: buckets (their settings as the seed describes them, then
// as writes change them) and their objects, with every version S3 keeps.
//
// Objects follow S3's model: a key has versions, newest first; an unversioned bucket keeps one, with
// the version ID `null`; a versioned bucket adds a version on every write and a delete marker on a
// delete. A version holds its bytes, its ETag (MD5 of the bytes, or of the parts' MD5s plus `-N` for
// a multipart upload), its encryption (which S3 records and HeadObject reports: the bytes themselves
// are kept in clear, the emulator encrypts nothing), storage class, system and user metadata, tags,
// ACL grants, Object Lock retention and legal hold, and checksum. Keys are listed in UTF-8 binary
// order from a sorted index rebuilt only when a key is added or removed.
import { createHash, randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import type {
  ChecksumAlgorithmName,
  EmulatorSeed,
  ObjectEncryptionKind,
  ObjectSnapshot,
  SeedBucket,
  SeedGrant,
  SeedInventory,
  SeedObjectVersion,
} from './types';

export type EncryptionKind = Exclude<ObjectEncryptionKind, 'none'>;

export interface Sse {
  kind: EncryptionKind;
  /** SSE-KMS / DSSE-KMS: the key ARN. */
  kmsKeyArn?: string;
  bucketKey: boolean;
  /** SSE-C: the MD5 of the customer's key (base64), which reads must present again. */
  customerKeyMd5?: string;
}

export interface SystemHeaders {
  contentType: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  expires?: string;
  websiteRedirectLocation?: string;
}

export interface Checksum {
  algorithm: string;
  /** Base64, with `-N` for a composite multipart checksum. */
  value: string;
  type: 'FULL_OBJECT' | 'COMPOSITE';
}

/** Bytes produced on demand (a synthetic inventory data file): never held whole. */
export interface VirtualBody {
  size: number;
  md5: string;
  chunks(): AsyncIterable<Buffer>;
}

export interface Version {
  versionId: string;
  deleteMarker: boolean;
  body: Buffer;
  virtual?: VirtualBody;
  size: number;
  etag: string;
  lastModified: Date;
  sse: Sse;
  storageClass: string;
  restore?: { ongoing: boolean; expiry?: string };
  system: SystemHeaders;
  metadata: Record<string, string>;
  tags: [string, string][];
  grants: SeedGrant[];
  retention?: { mode: 'GOVERNANCE' | 'COMPLIANCE'; retainUntil: string };
  legalHold: boolean;
  checksum?: Checksum;
  /** Parts of a multipart upload (0: a single PUT or copy). */
  parts: number;
}

export interface MultipartUpload {
  uploadId: string;
  key: string;
  initiated: Date;
  /** The object to be: everything but the bytes, fixed by CreateMultipartUpload. */
  template: Omit<Version, 'versionId' | 'body' | 'size' | 'etag' | 'lastModified' | 'parts' | 'deleteMarker' | 'checksum'>;
  checksumAlgorithm?: string;
  checksumType?: 'FULL_OBJECT' | 'COMPOSITE';
  parts: Map<number, { body: Buffer; etag: string; lastModified: Date }>;
}

export interface BucketState {
  /** The settings (the seed's, changed by writes). */
  settings: SeedBucket;
  /** Versions of each key, newest first. */
  objects: Map<string, Version[]>;
  uploads: Map<string, MultipartUpload>;
  inventory: Map<string, SeedInventory>;
}

/** The customer key of seeded SSE-C objects (32 bytes of `k`): reads must present it. */
export const SEED_CUSTOMER_KEY = Buffer.alloc(32, 'k');

export const DEFAULT_LAST_MODIFIED = '2022-06-01T12:00:00.000Z';
export const MAX_SEED_OBJECT_BYTES = 64 * 1024 * 1024;

export const md5Hex = (b: Buffer): string => createHash('md5').update(b).digest('hex');

/**
 * The ETag S3 gives a single-part upload or copy: the MD5 of the bytes, except under SSE-KMS,
 * DSSE-KMS and SSE-C, whose ETags are not an MD5 of the data (so a copy re-encrypted under KMS gets
 * a new ETag; UpdateObjectEncryption keeps the old one). `salt` makes those deterministic for seeds.
 */
export function etagOf(body: Buffer, sse: Pick<Sse, 'kind'>, salt: Buffer | string = randomBytes(8)): string {
  if (sse.kind === 'SSE-KMS' || sse.kind === 'DSSE-KMS' || sse.kind === 'SSE-C')
    return `"${md5Hex(Buffer.concat([Buffer.from(`${sse.kind}:`), Buffer.from(salt), body]))}"`;
  return `"${md5Hex(body)}"`;
}

export const newVersionId = (): string => randomBytes(24).toString('base64').replace(/\+/g, '.').replace(/\//g, '_').slice(0, 32);

/** CRC32C (Castagnoli), which node:zlib does not offer. */
const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32c(b: Buffer): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC32C_TABLE[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

/** The raw digest of `algorithm` over `b`, or undefined for an algorithm the emulator does not compute. */
export function checksumBytes(algorithm: string, b: Buffer): Buffer | undefined {
  switch (algorithm.toUpperCase()) {
    case 'CRC32':
      return u32(zlib.crc32(b));
    case 'CRC32C':
      return u32(crc32c(b));
    case 'SHA1':
      return createHash('sha1').update(b).digest();
    case 'SHA256':
      return createHash('sha256').update(b).digest();
    default:
      return undefined;
  }
}

export const checksumOf = (algorithm: ChecksumAlgorithmName | string, b: Buffer): string | undefined =>
  checksumBytes(algorithm, b)?.toString('base64');

/** `size` bytes of a pattern that names the object, so two objects of one size still differ. */
function patternBytes(key: string, size: number): Buffer {
  if (size > MAX_SEED_OBJECT_BYTES) throw new Error(`object ${JSON.stringify(key)}: size above ${MAX_SEED_OBJECT_BYTES} bytes`);
  const unit = Buffer.from(`${key}\n`);
  const b = Buffer.alloc(size);
  for (let at = 0; at < size; at += unit.length) unit.copy(b, at, 0, Math.min(unit.length, size - at));
  return b;
}

/** What a new upload gets when it names no encryption: the bucket's default encryption. */
export function bucketDefaultSse(b: SeedBucket, managedKeyArn: (region: string) => string): Sse {
  const enc = b.encryption === undefined ? { algorithm: 'AES256' as const } : b.encryption;
  if (!enc) return { kind: 'NOT-SSE', bucketKey: false };
  if (enc.algorithm === 'AES256') return { kind: 'SSE-S3', bucketKey: false };
  return {
    kind: enc.algorithm === 'aws:kms' ? 'SSE-KMS' : 'DSSE-KMS',
    kmsKeyArn: enc.kmsKeyId ?? managedKeyArn(b.region ?? 'us-east-1'),
    bucketKey: enc.algorithm === 'aws:kms' && enc.bucketKeyEnabled === true,
  };
}

/** A key ID as S3 reports it: a full ARN (S3 turns a bare key ID into its ARN in the bucket's region). */
export function kmsArn(keyId: string, region: string, account: string): string {
  if (keyId.startsWith('arn:')) return keyId;
  return keyId.startsWith('alias/')
    ? `arn:aws:kms:${region}:${account}:${keyId}`
    : `arn:aws:kms:${region}:${account}:key/${keyId}`;
}

export interface StateContext {
  account: string;
  managedKeyArn(region: string): string;
}

/** A version from its seed description. */
export function seedVersion(ctx: StateContext, b: SeedBucket, key: string, v: SeedObjectVersion, versioned: boolean): Version {
  const body = v.content !== undefined ? Buffer.from(v.content, 'utf8') : patternBytes(key, v.size ?? 0);
  const region = b.region ?? 'us-east-1';
  let sse: Sse;
  const kind = v.encryption === 'none' ? 'NOT-SSE' : v.encryption;
  if (!kind) sse = bucketDefaultSse(b, ctx.managedKeyArn);
  else if (kind === 'SSE-KMS' || kind === 'DSSE-KMS') {
    const def = b.encryption && b.encryption.algorithm !== 'AES256' ? b.encryption.kmsKeyId : undefined;
    sse = {
      kind,
      kmsKeyArn: kmsArn(v.kmsKeyId ?? def ?? ctx.managedKeyArn(region), region, ctx.account),
      bucketKey: kind === 'SSE-KMS' && v.bucketKeyEnabled === true,
    };
  } else if (kind === 'SSE-C')
    sse = { kind, bucketKey: false, customerKeyMd5: createHash('md5').update(SEED_CUSTOMER_KEY).digest('base64') };
  else sse = { kind, bucketKey: false };
  return {
    versionId: versioned ? newVersionId() : 'null',
    deleteMarker: v.deleteMarker === true,
    body: v.deleteMarker ? Buffer.alloc(0) : body,
    size: v.deleteMarker ? 0 : body.length,
    etag: etagOf(body, sse, key),
    lastModified: new Date(v.lastModified ?? DEFAULT_LAST_MODIFIED),
    sse,
    storageClass: v.storageClass ?? 'STANDARD',
    restore: v.restore,
    system: {
      contentType: v.contentType ?? 'binary/octet-stream',
      cacheControl: v.cacheControl,
      contentDisposition: v.contentDisposition,
      contentEncoding: v.contentEncoding,
      contentLanguage: v.contentLanguage,
      expires: v.expires,
      websiteRedirectLocation: v.websiteRedirectLocation,
    },
    metadata: Object.fromEntries(Object.entries(v.metadata ?? {}).map(([k, x]) => [k.toLowerCase(), x])),
    tags: Object.entries(v.tags ?? {}),
    grants: v.grants ?? [],
    retention: v.retention,
    legalHold: v.legalHold === true,
    checksum: v.checksumAlgorithm
      ? { algorithm: v.checksumAlgorithm, value: checksumOf(v.checksumAlgorithm, body)!, type: 'FULL_OBJECT' }
      : undefined,
    parts: 0,
  };
}

/** The buckets of a seed, with their objects. */
export function loadState(ctx: StateContext, seed: EmulatorSeed): Map<string, BucketState> {
  const out = new Map<string, BucketState>();
  for (const original of seed.buckets) {
    const settings = structuredClone(original);
    if (settings.objectLock && !settings.versioning) settings.versioning = 'Enabled';
    const versioned = settings.versioning !== undefined;
    const objects = new Map<string, Version[]>();
    for (const o of settings.objects ?? []) {
      if (!o || typeof o.key !== 'string' || o.key.length === 0 || Buffer.byteLength(o.key) > 1024)
        throw new Error(`seed: bucket ${settings.name}: every object needs a "key" of 1 to 1024 bytes`);
      const history = [...(versioned ? (o.versions ?? []) : []), o].map(v => seedVersion(ctx, settings, o.key, v, versioned));
      objects.set(o.key, history.reverse());
    }
    const g = settings.generate;
    if (g) {
      if (!Number.isInteger(g.count) || g.count < 0 || g.count > 10_000_000)
        throw new Error(`seed: bucket ${settings.name}: generate.count must be an integer 0-10,000,000`);
      const size = g.size ?? 16;
      const shared = seedVersion(ctx, settings, g.prefix ?? 'object-', { ...g, size }, false);
      for (let i = 0; i < g.count; i++) {
        const key = `${g.prefix ?? 'object-'}${String(i).padStart(8, '0')}`;
        const body = Buffer.alloc(size, key);
        objects.set(key, [
          {
            ...shared,
            body,
            etag: etagOf(body, shared.sse, key),
            versionId: versioned ? newVersionId() : 'null',
            tags: [],
            metadata: {},
          },
        ]);
      }
    }
    delete settings.objects;
    delete settings.generate;
    out.set(settings.name, {
      settings,
      objects,
      uploads: new Map(),
      inventory: new Map((settings.inventory ?? []).map(i => [i.id, i])),
    });
  }
  return out;
}

/** Sorted key lists, rebuilt when a key is added or removed (not on every listing). */
const sortedCache = new WeakMap<Map<string, Version[]>, string[]>();

const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

export function sortedKeys(b: BucketState): string[] {
  let keys = sortedCache.get(b.objects);
  if (!keys) {
    keys = [...b.objects.keys()];
    // Plain string order is UTF-16 order; S3 lists in UTF-8 byte order, which differs only beyond the BMP.
    keys.sort((a, c) => (a < c ? -1 : a > c ? 1 : 0));
    if (keys.some(k => /[\ud800-\udfff]/.test(k))) keys.sort(byteOrder);
    sortedCache.set(b.objects, keys);
  }
  return keys;
}

export const keysChanged = (b: BucketState): void => void sortedCache.delete(b.objects);

/** The first index of `keys` whose key sorts after `after` (binary search). */
export function firstAfter(keys: readonly string[], after: string, inclusive = false): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < after || (!inclusive && keys[mid] === after)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A new version stored under `key`: replaces the `null` version when the bucket is not versioned. */
export function storeVersion(b: BucketState, key: string, v: Version): void {
  const versioned = b.settings.versioning === 'Enabled';
  const list = b.objects.get(key);
  if (!list) {
    b.objects.set(key, [{ ...v, versionId: versioned ? v.versionId : 'null' }]);
    keysChanged(b);
    return;
  }
  if (!versioned) {
    // Unversioned or suspended: the new version is `null`, replacing any `null` version.
    const rest = list.filter(x => x.versionId !== 'null');
    b.objects.set(key, [{ ...v, versionId: 'null' }, ...rest]);
  } else list.unshift(v);
}

/** The version a read names (the current one when `versionId` is left out), or undefined. */
export function findVersion(b: BucketState, key: string, versionId?: string | null): Version | undefined {
  const list = b.objects.get(key);
  if (!list) return undefined;
  if (versionId === undefined || versionId === null) return list[0];
  return list.find(v => v.versionId === versionId);
}

export function snapshot(key: string, v: Version, isLatest: boolean): ObjectSnapshot {
  return {
    key,
    versionId: v.versionId,
    isLatest,
    deleteMarker: v.deleteMarker,
    content: Buffer.from(v.body),
    size: v.size,
    etag: v.etag,
    lastModified: v.lastModified.toISOString(),
    encryption: v.sse.kind,
    kmsKeyId: v.sse.kmsKeyArn,
    bucketKeyEnabled: v.sse.bucketKey,
    storageClass: v.storageClass,
    contentType: v.system.contentType,
    metadata: { ...v.metadata },
    tags: Object.fromEntries(v.tags),
    grants: structuredClone(v.grants),
    retention: v.retention ? { ...v.retention } : undefined,
    legalHold: v.legalHold,
    checksum: v.checksum ? { ...v.checksum } : undefined,
  };
}

/** Storage classes whose objects must be restored before they are read or copied. */
export const ARCHIVED = new Set(['GLACIER', 'DEEP_ARCHIVE']);

export const isArchivedUnrestored = (v: Version): boolean => ARCHIVED.has(v.storageClass) && !(v.restore && !v.restore.ongoing);

/** Object Lock protects the version now: a legal hold, or a retention date still ahead. */
export const isLocked = (v: Version, now = Date.now()): boolean =>
  v.legalHold || (v.retention !== undefined && Date.parse(v.retention.retainUntil) > now);
