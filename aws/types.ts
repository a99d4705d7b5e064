// The live posture of buckets, as `s3-encryption-guard status --format json` prints it
// (docs/design/architecture.md, "CLI status").
import type { BucketVerdict, KeyPolicyVerdict } from '../shared/types';
import type { ObjectsAudit } from './objects/types';

/**
 * A KMS key ARN as KMS writes one (DescribeKey's Arn): only such an ARN is handed on as the key a
 * policy is attached to (its region decides which S3 endpoint the verdict asks about). Anything
 * else an endpoint answers is kept for display only.
 */
export const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]{1,32}:\d{12}:key\/[A-Za-z0-9-]{1,128}$/;

/** One failed AWS call, recorded on the bucket it concerns; never thrown through. */
export interface CallError {
  /** The API operation, e.g. `GetBucketPolicy`, `kms:DescribeKey`. */
  call: string;
  /** AWS's error code (`AccessDenied`, `NoSuchBucketPolicy`, `ThrottlingException`…) or a transport code (`TimeoutError`, `ECONNREFUSED`). */
  code: string;
  message: string;
}

export interface DefaultEncryption {
  algorithm: 'AES256' | 'aws:kms' | 'aws:kms:dsse' | null;
  kmsKeyId: string | null;
  bucketKeyEnabled: boolean;
}

export interface PublicAccessBlock {
  blockPublicAcls: boolean;
  ignorePublicAcls: boolean;
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
}

export interface KmsKeyPosture {
  arn: string;
  /** KeyState from DescribeKey: Enabled, Disabled, PendingDeletion, … (null when it could not be read). */
  state: string | null;
  /** Automatic rotation enabled (null when it could not be read). */
  rotation: boolean | null;
  /** KeySpec from DescribeKey: SYMMETRIC_DEFAULT, RSA_2048, … */
  keySpec: string | null;
  region: string | null;
  /** The key policy's verdict by the engine (null when the policy could not be read). */
  policyVerdict: KeyPolicyVerdict | null;
  /** The key policy as read (GetKeyPolicy, policy name `default`); null when it could not be read. */
  policyText?: string | null;
  /** KeyManager from DescribeKey: CUSTOMER or AWS (an AWS managed key such as aws/s3). */
  keyManager?: string | null;
}

export type CheckStatus = 'pass' | 'warn' | 'fail';

/** A check of one bucket's facts, alone or together (aws/checks.ts). */
export interface PostureCheck {
  id: string;
  status: CheckStatus;
  /** One short sentence (what `status` prints and the tree shows beside the check's label). */
  message: string;
  /** Why it matters and what to do, when there is more to say (`status --wide`, `--format json`, the tree's tooltip). */
  detail?: string;
}

export interface BucketPosture {
  name: string;
  region: string | null;
  /** null when it could not be read; algorithm null when the bucket has no default encryption. */
  defaultEncryption: DefaultEncryption | null;
  policy: { present: boolean | null; verdict: BucketVerdict | null; text?: string | null };
  publicAccessBlock: PublicAccessBlock | null;
  kmsKey: KmsKeyPosture | null;
  checks: PostureCheck[];
  errors: CallError[];
  /** The object audit (`status --objects`, the tree's Objects node), when it was asked for. */
  objects?: ObjectsAudit;
}

export interface PostureReport {
  buckets: BucketPosture[];
  /** Failures before any bucket is known (no credentials, ListBuckets denied, endpoint down). */
  errors?: CallError[];
  /** Where the report came from (never credentials). */
  source?: { profile: string | null; region: string; endpoint: string | null; credentials: 'chain' | 'dummy' };
}
