// Objects as the audit and the re-encryption see them, and the shapes other tools read
// (`status --objects --format json`, `reencrypt --format json`: issue 14, "Interfaces").
import type { CallError } from '../types';

/** How an object is encrypted, in S3 Inventory's words (its EncryptionStatus field). */
export type EncryptionKind = 'NOT-SSE' | 'SSE-S3' | 'SSE-KMS' | 'DSSE-KMS' | 'SSE-C';
export const ENCRYPTION_KINDS: readonly EncryptionKind[] = ['NOT-SSE', 'SSE-S3', 'SSE-KMS', 'DSSE-KMS', 'SSE-C'];

/** One object (or one version of it) as HeadObject or an inventory row describes it. */
export interface ObjectInfo {
  key: string;
  /** The version, with --versions (null: the bucket is not versioned, or the listing did not ask). */
  versionId: string | null;
  /** The current version (always true without --versions). */
  isLatest: boolean;
  size: number;
  etag: string;
  storageClass: string;
  encryption: EncryptionKind;
  /** The KMS key ARN (SSE-KMS, DSSE-KMS), as HeadObject names it; null when unknown (an inventory has no key column). */
  kmsKey: string | null;
  /** S3 Bucket Key in use (null: unknown). */
  bucketKey: boolean | null;
  /** Intelligent-Tiering archive tier (ARCHIVE_ACCESS, DEEP_ARCHIVE_ACCESS), from HeadObject's x-amz-archive-status. */
  archiveStatus?: string | null;
  lockMode?: string | null;
  lockRetainUntil?: Date | null;
  legalHold?: boolean;
  /** System and user metadata a copy must keep (HeadObject). */
  contentType?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  expires?: Date;
  websiteRedirectLocation?: string;
  metadata?: Record<string, string>;
  /** The full-object checksum S3 keeps, if any (CRC32, CRC32C, CRC64NVME, SHA1, SHA256) and its value. */
  checksumAlgorithm?: string | null;
  checksumValue?: string | null;
  checksumType?: string | null;
}

/** What objects must be encrypted with (the caller decides: a config file, the target of a re-encryption). */
export interface ObjectRequirement {
  /** Allowed algorithms (`AES256`, `aws:kms`, `aws:kms:dsse`); empty: any server-side encryption. */
  algorithms: readonly string[];
  /** Allowed KMS key ARNs for SSE-KMS and DSSE-KMS; empty: any key. */
  kmsKeyArns: readonly string[];
}

const KIND_ALGORITHM: Record<EncryptionKind, string | null> = {
  'NOT-SSE': null,
  'SSE-S3': 'AES256',
  'SSE-KMS': 'aws:kms',
  'DSSE-KMS': 'aws:kms:dsse',
  'SSE-C': null,
};

/**
 * Why an object fails the requirement, or null. Unencrypted and SSE-C objects always fail (the
 * bucket's owner cannot read the key of an SSE-C object, nor enforce anything on it); a KMS object
 * whose key is unknown (an inventory row) is judged on its algorithm only.
 */
export function failsRequirement(o: Pick<ObjectInfo, 'encryption' | 'kmsKey'>, req: ObjectRequirement): string | null {
  if (o.encryption === 'NOT-SSE') return 'not encrypted';
  if (o.encryption === 'SSE-C') return 'SSE-C (customer-provided key)';
  const alg = KIND_ALGORITHM[o.encryption];
  if (req.algorithms.length && (!alg || !req.algorithms.includes(alg)))
    return `${o.encryption} where ${req.algorithms.join(' or ')} is required`;
  if (
    req.kmsKeyArns.length &&
    (o.encryption === 'SSE-KMS' || o.encryption === 'DSSE-KMS') &&
    o.kmsKey &&
    !req.kmsKeyArns.includes(o.kmsKey)
  )
    return 'another KMS key';
  return null;
}

export interface ObjectExample {
  key: string;
  encryption: EncryptionKind;
  kmsKey: string | null;
}

/** The audit of one bucket's objects, as `status --objects --format json` prints it under the bucket. */
export interface ObjectsAudit {
  source: 'listing' | 'inventory';
  /** Every object was read (false: the cap was reached, the run was stopped, or a call failed). */
  complete: boolean;
  scanned: number;
  byEncryption: Record<EncryptionKind, number>;
  byKmsKey: Record<string, number>;
  bucketKey: { enabled: number; disabled: number };
  nonCompliant: number;
  /** A few objects that fail the requirement. */
  examples: ObjectExample[];
  /** Inventory: which report (configuration ID, the report's date folder, its creation time). */
  inventory?: { id: string; date: string; created: string | null; destination: string };
  /** Why the result is partial, or what it cannot say (one line each). */
  notes: string[];
  errors: CallError[];
}

export const emptyCounts = (): Record<EncryptionKind, number> => ({
  'NOT-SSE': 0,
  'SSE-S3': 0,
  'SSE-KMS': 0,
  'DSSE-KMS': 0,
  'SSE-C': 0,
});
