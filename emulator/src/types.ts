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
  encryption?: { algorithm: SseAlgorithm; kmsKeyId?: string; bucketKeyEnabled?: boolean } | null;
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
 * - `reset-before-answer`: the connection is reset before any byte of the answer.
 */
export type WireFault = 'stall' | 'trickle' | 'reset' | 'reset-before-answer';

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
 * `DescribeKey`, `*` for all); `bucket` / `key` narrow it to one bucket or key (id, ARN or alias).
 */
export interface FaultSpec {
  call: string;
  bucket?: string;
  key?: string;
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

export interface EmulatorSeed {
  /** The fake account ID (default 111122223333). */
  account?: string;
  buckets: SeedBucket[];
  keys?: SeedKey[];
  faults?: FaultSpec[];
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
}
