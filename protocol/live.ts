// The shape of the custom request `s3EncryptionGuard/analyze` (server: liveAnalysis.ts; client:
// the live view's judge and the status bar). Types and the method name only, so the client bundle
// does not pull in the engine.
import type { BucketVerdict, KeyPolicyVerdict } from '../shared/types';
import type { Position, Range } from '../core/policy/lines';
import type { PolicyKind } from '../core/policy/model';
import type { Severity } from '../core/rules/types';

export const ANALYZE_REQUEST = 's3EncryptionGuard/analyze';

/** The URI scheme of live policies opened from the editor's S3 Encryption view (client/views/liveDocuments.ts). */
export const LIVE_DOCUMENT_SCHEME = 's3-encryption-guard';

/** Text to judge (the live view), or an open document by URI (the status bar). */
export type LiveAnalyzeParams =
  /**
   * `diagnostics: false`: the verdict only (the rules are not run; `diagnostics` is then empty).
   * `keyArn`: the key a key policy is attached to (a live key): the verdict asks about that key, and
   * about S3 in its region, instead of guessing both from the policy.
   */
  | { text: string; kind: 'bucket-policy' | 'key-policy'; bucket?: string; keyArn?: string; diagnostics?: boolean }
  /** `position`: in an infrastructure template, the policy under it (the cursor); without it, the template's first policy. */
  | { uri: string; position?: Position };

/** The longest key ARN a request may name (real ones are under 100 characters). */
export const MAX_KEY_ARN_LENGTH = 2048;

export interface LiveDiagnostic {
  code: string;
  severity: Severity;
  message: string;
  range: Range;
}

export interface LiveAnalyzeResult {
  kind: PolicyKind;
  /** In a template: the location of the policy judged (`aws_s3_bucket_policy.data`). */
  location?: string;
  /** The bucket's verdict (the named bucket, else the first), the key policy's, or null. */
  verdict: BucketVerdict | KeyPolicyVerdict | null;
  /** One line per verdict, as the CodeLens shows it (bucket and key policies). */
  summary: string[];
  diagnostics: LiveDiagnostic[];
}
