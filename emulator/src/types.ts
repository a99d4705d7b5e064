// The emulator's seed (a fake account: buckets and KMS keys) and its fault injection.

export type SseAlgorithm = 'AES256' | 'aws:kms' | 'aws:kms:dsse';

export interface SeedBucket {
  name: string;
  /**
   * The name is not checked against S3's naming rules: a hostile endpoint's bucket name (control
   * characters, terminal escape sequences), to test how clients print it. Still no `/`.
   */
  unsafeName?: boolean;
  /** Default us-east-1 (GetBucketLocation then answers an empty LocationConstraint, as AWS does). */
  region?: string;
  /** ISO date; default 2024-01-15T10:00:00.000Z. */
  created?: string;
  /**
   * Default encryption. Left out: SSE-S3 (AES256), what AWS gives every bucket since January 2023.
   * null: no configuration (ServerSideEncryptionConfigurationNotFoundError, as older or S3-compatible stores answer).
   */
  encryption?: {
    algorithm: SseAlgorithm;
    kmsKeyId?: string;
    bucketKeyEnabled?: boolean;
    /**
     * BlockedEncryptionTypes of the rule (PutBucketEncryption/GetBucketEncryption): `['SSE-C']` blocks
     * SSE-C uploads (403 AccessDenied), `['NONE']` allows them. Left out: the element is not sent.
     */
    blockedEncryptionTypes?: ('SSE-C' | 'NONE')[];
  } | null;
  /** The bucket policy (JSON text, or an object that is serialised); left out or null: NoSuchBucketPolicy. */
  policy?: string | Record<string, unknown> | null;
  /** Block Public Access: true = all four on; left out or null: NoSuchPublicAccessBlockConfiguration. */
  publicAccessBlock?:
    | boolean
    | null
    | Partial<{
        blockPublicAcls: boolean;
        ignorePublicAcls: boolean;
        blockPublicPolicy: boolean;
        restrictPublicBuckets: boolean;
      }>;
  /** Versioning (GetBucketVersioning); left out: never enabled (objects have the version ID `null`). */
  versioning?: 'Enabled' | 'Suspended';
  /**
   * Object Lock (GetObjectLockConfiguration; needs versioning, which it turns on); left out:
   * ObjectLockConfigurationNotFoundError.
   */
  objectLock?: { defaultRetention?: { mode: 'GOVERNANCE' | 'COMPLIANCE'; days: number } };
  /**
   * Object Ownership (GetBucketOwnershipControls). Default BucketOwnerEnforced, what AWS gives every
   * bucket since April 2023: ACLs are disabled (PutObjectAcl answers AccessControlListNotSupported).
   * null: OwnershipControlsNotFoundError (ACLs enabled, as an old bucket).
   */
  ownership?: 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter' | null;
  /** The bucket's objects (see SeedObject). */
  objects?: SeedObject[];
  /**
   * Many objects made cheaply (for benchmarks): `count` objects named `${prefix}${index padded to 8}`,
   * `size` bytes each (default 16), with the encryption given (default: the bucket's default).
   */
  generate?: { count: number; prefix?: string; size?: number } & Pick<
    SeedObject,
    'encryption' | 'kmsKeyId' | 'bucketKeyEnabled' | 'storageClass'
  >;
  /** S3 Inventory configurations (see SeedInventory). */
  inventory?: SeedInventory[];
}

/**
 * An object's encryption, as S3 Inventory names it: `NOT-SSE` (also `none`: stored before 2023
 * without encryption), `SSE-S3` (AES256), `SSE-KMS` (aws:kms + key), `DSSE-KMS` (aws:kms:dsse + key),
 * `SSE-C` (a customer-provided key: reads without the key are refused; a seeded SSE-C object's key
 * is 32 bytes of the letter `k`, base64 `a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=`).
 */
export type ObjectEncryptionKind = 'NOT-SSE' | 'none' | 'SSE-S3' | 'SSE-KMS' | 'DSSE-KMS' | 'SSE-C';

/** Checksum algorithms the emulator computes (others sent by a client are stored as sent). */
export type ChecksumAlgorithmName = 'CRC32' | 'CRC32C' | 'SHA1' | 'SHA256';

/** One version of an object in a seed (the fields of SeedObject but the key). */
export interface SeedObjectVersion {
  /** UTF-8 content; or `size` bytes of a repeated pattern. Default: empty. */
  content?: string;
  size?: number;
  /** Default: what the bucket's default encryption gives a new upload (NOT-SSE when it has none). */
  encryption?: ObjectEncryptionKind;
  /** SSE-KMS / DSSE-KMS: the key ARN (default: the bucket's default key, else the aws/s3 key of its region). */
  kmsKeyId?: string;
  bucketKeyEnabled?: boolean;
  /** STANDARD (default), STANDARD_IA, INTELLIGENT_TIERING, GLACIER, DEEP_ARCHIVE, GLACIER_IR… */
  storageClass?: string;
  /** GLACIER/DEEP_ARCHIVE: a restore in progress, or a restored copy readable until `expiry`. */
  restore?: { ongoing: boolean; expiry?: string };
  contentType?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  /** HTTP date or ISO date. */
  expires?: string;
  websiteRedirectLocation?: string;
  /** User metadata (x-amz-meta-*), names in lower case. */
  metadata?: Record<string, string>;
  tags?: Record<string, string>;
  /** ACL grants besides the owner's FULL_CONTROL (which every object has). */
  grants?: SeedGrant[];
  /** Object Lock retention and legal hold (the bucket needs `objectLock`). */
  retention?: { mode: 'GOVERNANCE' | 'COMPLIANCE'; retainUntil: string };
  legalHold?: boolean;
  /** The checksum S3 keeps (computed from the content). */
  checksumAlgorithm?: ChecksumAlgorithmName;
  /** ISO date; default 2022-06-01T12:00:00.000Z. */
  lastModified?: string;
  /** A delete marker (versioned buckets only; the other fields are ignored). */
  deleteMarker?: boolean;
}

export interface SeedObject extends SeedObjectVersion {
  key: string;
  /** Older versions, oldest first (versioned buckets); the object's own fields are the current version. */
  versions?: SeedObjectVersion[];
}

export interface SeedGrant {
  /** A canonical user ID, or a group URI such as http://acs.amazonaws.com/groups/global/AllUsers. */
  grantee: { id: string } | { uri: string };
  permission: 'FULL_CONTROL' | 'READ' | 'WRITE' | 'READ_ACP' | 'WRITE_ACP';
}

/** An S3 Inventory configuration (GetBucketInventoryConfiguration) and the reports it has. */
export interface SeedInventory {
  id: string;
  /** The bucket the reports are written to (a bucket of the seed). */
  destinationBucket: string;
  /** Key prefix of the reports in the destination bucket. */
  destinationPrefix?: string;
  /** CSV (default), ORC or Parquet: the emulator writes CSV reports only (others: the configuration only). */
  format?: 'CSV' | 'ORC' | 'Parquet';
  /** Default true. */
  enabled?: boolean;
  /** Objects of this prefix only. */
  prefix?: string;
  /** Current (default) or All. */
  includedObjectVersions?: 'Current' | 'All';
  /** Default Daily. */
  frequency?: 'Daily' | 'Weekly';
  /** Optional fields (InventoryOptionalField); default Size, LastModifiedDate, ETag, StorageClass, EncryptionStatus, BucketKeyStatus. */
  optionalFields?: string[];
  /**
   * Reports published when the emulator starts: each an ISO date-time (its folder `YYYY-MM-DDTHH-MMZ`).
   * Also `Emulator.publishInventory` at any time.
   */
  reports?: string[];
  /**
   * A large made-up inventory: reports list this many rows (`${syntheticPrefix}${index}`, cycling
   * through the encryption kinds) generated while they are read, never held in memory.
   */
  syntheticRows?: number;
  /** Rows per data file (default 1,000,000). */
  rowsPerFile?: number;
}

export interface SeedKey {
  /** The key ID (a UUID, as KMS makes them). */
  id: string;
  region: string;
  /** Alias names such as `alias/payments`. */
  aliases?: string[];
  /** KeyState: Enabled (default), Disabled, PendingDeletion, PendingImport, Unavailable… */
  state?: string;
  /** KeySpec: SYMMETRIC_DEFAULT (default), RSA_2048, ECC_NIST_P256, HMAC_256… */
  spec?: string;
  /** Automatic rotation (default false). */
  rotation?: boolean;
  /** Days between automatic rotations (90-2560; default 365). */
  rotationPeriodInDays?: number;
  /** The key policy (JSON text or an object); default: the account root may do everything. */
  policy?: string | Record<string, unknown>;
  /** CUSTOMER (default) or AWS (an AWS managed key). */
  manager?: 'CUSTOMER' | 'AWS';
  description?: string;
}

/**
 * How the answer travels once its status line and headers are sent:
 * - `stall`: half the body, then nothing more (the connection stays open);
 * - `trickle`: the body one byte every `trickleMs` ms;
 * - `reset`: half the body, then the connection is reset (TCP RST);
 * - `reset-before-answer`: the connection is reset before any byte of the answer (a write is not done);
 * - `reset-after-write`: the call is carried out (a write is done), then the connection is reset
 *   before any byte of the answer: a crash where the client cannot know whether its write happened.
 */
export type WireFault = 'stall' | 'trickle' | 'reset' | 'reset-before-answer' | 'reset-after-write';

/**
 * What is wrong with the answer itself (status 200 unless the call's answer is an error):
 * - `entity-bomb`: an XML document with a DOCTYPE of nested ENTITY declarations (billion laughs);
 *   AWS never sends a DTD;
 * - `truncated`: the first half of the body, with a Content-Length that matches it;
 * - `no-root`: an XML answer without its root element (its children only), a JSON answer without
 *   its members (`{}`);
 * - `not-json`: an HTML error page, as a proxy in the way sends (status 200).
 */
export type MalformedAnswer = 'entity-bomb' | 'truncated' | 'no-root' | 'not-json';

/**
 * ListBuckets pages that never end: `same` answers the continuation token it was asked with (the
 * first page a made-up one), `new` a fresh token with the same buckets on every page (an endpoint
 * that ignores the token), `new-buckets` a fresh token with a made-up bucket on every page (an
 * endless account).
 */
export type EndlessPages = 'same' | 'new' | 'new-buckets';

/**
 * A fault on calls that match: `call` is the operation (`GetBucketPolicy`, `kms:DescribeKey` or
 * `DescribeKey`, `*` for all, `write` for every call that changes state: PutObject, CopyObject,
 * UpdateObjectEncryption, UploadPartCopy, CompleteMultipartUpload, Put/Delete bucket settings…);
 * `bucket` / `key` narrow it to one bucket or KMS key (id, ARN or alias), `object` to one object key.
 *
 * Mid-run faults: `after: N` lets the first N matching calls through untouched, then the fault applies
 * (to `times` calls). For example SlowDown from the 50th CopyObject for 10 calls:
 * `{ call: 'CopyObject', after: 49, times: 10, error: 'throttle' }`; a crash after 20 writes:
 * `{ call: 'write', after: 20, times: 1, wire: 'reset-after-write' }`.
 */
export interface FaultSpec {
  call: string;
  bucket?: string;
  key?: string;
  /** An object key: the fault applies to calls on that object only. */
  object?: string;
  /** The first `after` matching calls are served normally (default 0). */
  after?: number;
  /**
   * An object changed between plan and copy: before the matching call is served, another writer
   * replaces the object it names (new content, so a new ETag; a new version in a versioned bucket).
   * Counts as the fault's answer (with `after` / `times`).
   */
  changeObject?: boolean;
  /** Delay before answering, in ms. */
  latencyMs?: number;
  /** The error to answer with: throttle (S3 SlowDown 503, KMS ThrottlingException), internal (500), accessDenied. */
  error?: 'throttle' | 'internal' | 'accessDenied';
  /** The error's message in place of AWS's: a hostile endpoint's text (control characters, several lines). */
  errorMessage?: string;
  /** How the answer is sent (see WireFault). */
  wire?: WireFault;
  /** `wire: 'trickle'`: milliseconds between two bytes (default 1000). */
  trickleMs?: number;
  /** The answer is malformed (see MalformedAnswer). */
  malformed?: MalformedAnswer;
  /**
   * The answer padded to this many bytes with whitespace inside the document, so it stays valid:
   * a bucket or key policy, a ListBuckets page of N MB. Streamed in chunks: the emulator never
   * holds it.
   */
  oversizeBytes?: number;
  /** ListBuckets only: every page carries a continuation token (see EndlessPages). */
  endlessPages?: EndlessPages;
  /** The answer is sent without Content-Length (chunked), so a client learns its size only by reading it. */
  chunked?: boolean;
  /**
   * The fault (error, wire, malformed, oversize, endless pages) applies to this many matching
   * calls, then the call is answered normally; left out: always. Latency always applies.
   */
  times?: number;
}

/**
 * How the endpoint departs from AWS (an S3-compatible store):
 * - `updateObjectEncryptionAsPut`: `PUT /key?encryption` is taken for a PutObject: the object's
 *   content is replaced by the request body (the XML) and the answer is 200, as from AWS. The data-loss
 *   trap a client must detect (a canary object) before trusting UpdateObjectEncryption;
 * - `noUpdateObjectEncryption`: `PUT /key?encryption` is answered 501 NotImplemented.
 */
export interface Quirks {
  updateObjectEncryptionAsPut?: boolean;
  noUpdateObjectEncryption?: boolean;
}

export interface EmulatorSeed {
  /** The fake account ID (default 111122223333). */
  account?: string;
  buckets: SeedBucket[];
  keys?: SeedKey[];
  faults?: FaultSpec[];
  /**
   * Writes are served (objects, bucket settings, KMS key writes, multipart, S3 Control jobs). Left out:
   * read-only, every write is refused (S3 MethodNotAllowed, KMS UnknownOperationException), which is
   * what posture code must never need.
   */
  writable?: boolean;
  /** The largest object CopyObject copies (default 5 GiB, as AWS); lower it to test the multipart path. */
  copyLimitBytes?: number;
  /** The smallest part but the last in CompleteMultipartUpload (default 5 MiB, as AWS). */
  minPartBytes?: number;
  quirks?: Quirks;
  /** S3 Control jobs: milliseconds between two tasks (default 0), so tests can watch progress. */
  jobs?: { taskDelayMs?: number };
  /** IAM roles GetRole answers (the Batch Operations role with its trust policy). */
  roles?: { name: string; path?: string; trustPolicy: string | Record<string, unknown> }[];
  /** The ARN STS GetCallerIdentity answers (default arn:aws:iam::ACCOUNT:user/auditor). */
  caller?: string;
}

export interface EmulatorOptions {
  /** The seed, or the path of a JSON file holding it. */
  seed: EmulatorSeed | string;
  /** 0 (default) = a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface Emulator {
  /** `http://127.0.0.1:PORT`: pass it as the endpoint (path-style addressing). */
  url: string;
  close(): Promise<void>;
  /** Replaces the faults (the seed's included). */
  setFaults(faults: FaultSpec[]): void;
  /** Requests answered so far, by call name (`GetBucketPolicy`, `kms:DescribeKey`, …). */
  calls(): Record<string, number>;
  /** The most requests that were in flight at the same time. */
  maxInFlight(): number;
  /** Zero the call counts and the in-flight maximum. */
  resetStats(): void;
  /** Replaces the quirks (the seed's included). */
  setQuirks(quirks: Quirks): void;
  /**
   * An object as stored (the current version, or `versionId`), for tests to check what a call did;
   * undefined when there is none (or the current version is a delete marker).
   */
  object(bucket: string, key: string, versionId?: string): ObjectSnapshot | undefined;
  /** Every version of an object, newest first (delete markers included). */
  versions(bucket: string, key: string): ObjectSnapshot[];
  /** Another writer puts an object (content only; the bucket's default encryption applies). */
  putObject(bucket: string, key: string, content: string | Buffer): ObjectSnapshot;
  /**
   * Writes an S3 Inventory report of `bucket`'s configuration `id` into its destination bucket, as
   * S3 does (manifest.json, manifest.checksum, CSV.gz data files); answers the manifest's key.
   */
  publishInventory(bucket: string, id: string, date?: string): Promise<string>;
}

/** What a test sees of a stored object version. */
export interface ObjectSnapshot {
  key: string;
  versionId: string;
  isLatest: boolean;
  deleteMarker: boolean;
  content: Buffer;
  size: number;
  etag: string;
  lastModified: string;
  encryption: Exclude<ObjectEncryptionKind, 'none'>;
  kmsKeyId?: string;
  bucketKeyEnabled: boolean;
  storageClass: string;
  contentType: string;
  metadata: Record<string, string>;
  tags: Record<string, string>;
  grants: SeedGrant[];
  retention?: { mode: string; retainUntil: string };
  legalHold: boolean;
  checksum?: { algorithm: string; value: string; type: string };
}
