// The enforcement engine's vocabulary (docs/design/engine.md).

/** Who sends a request. */
export type RequestPrincipal =
  | { kind: 'anonymous' }
  /**
   * An IAM principal: a user, an assumed-role session or an account root (a role acts through its
   * sessions). `written` is the ARN as a policy names it when that differs (the role of a session).
   */
  | { kind: 'aws'; arn: string; account: string; written?: string }
  /** An AWS service principal such as `logging.s3.amazonaws.com`. */
  | { kind: 'service'; service: string };

/**
 * One concrete request. Condition keys are stored lower-cased (key names are case-insensitive);
 * a key that is not in `context` is absent from the request context. Values are strings, as AWS
 * sees them (`"true"`, `"1.2"`), or string lists for multivalued keys.
 */
export interface Request {
  principal: RequestPrincipal;
  /** Canonical `service:Action`, e.g. `s3:PutObject`. */
  action: string;
  /** The resource ARN, e.g. `arn:aws:s3:::bucket/key`. */
  resource: string;
  context: Record<string, string | readonly string[]>;
}

export type Decision = 'explicit-deny' | 'allow' | 'implicit-deny';

/** Whether one statement applies to one request; `unknown` when the engine cannot decide (a policy variable the request lacks, an unknown operator, a malformed value). */
export type Applies = boolean | 'unknown';

export interface Evaluation {
  decision: Decision;
  /** The statements that decided (every applicable Deny, or every applicable Allow), by index. */
  statements: number[];
  /** Some statement could not be decided for this request; the decision assumes it does not apply. */
  undecided: boolean;
}

/** A witness as docs/design/engine.md shows it: the request's parts plus the condition keys that matter. */
export type Witness = Record<string, string | boolean | readonly string[]>;

export interface UploadClass {
  sse: 'none' | 'AES256' | 'aws:kms' | 'aws:kms:dsse' | 'SSE-C';
  kmsKey: null | string;
  decision: 'denied' | 'not-denied';
  witness: Witness | null;
}

export interface BucketVerdict {
  bucket: string;
  complete: boolean;
  transport: {
    http: 'denied' | 'partly-denied' | 'allowed';
    minTlsVersion: '1.1' | '1.2' | '1.3' | null;
    witness: Witness | null;
  };
  encryption: {
    uploads: UploadClass[];
    summary:
      | 'unrestricted'
      | 'encrypted-header-required'
      | 'sse-kms-only'
      | 'sse-kms-key-pinned'
      | 'dsse-only'
      | 'sse-s3-only'
      | 'mixed';
  };
}

/** A key policy's verdict (docs/design/engine.md#key-policy-verdict). */
export interface KeyPolicyVerdict {
  kind: 'key-policy';
  complete: boolean;
  /** No principal can call kms:PutKeyPolicy: nobody could ever change the policy again. */
  lockout: boolean;
  /** The principals that can call kms:PutKeyPolicy, as written in the policy. */
  administrators: string[];
  /** Some principal of an account the policy does not name is allowed a cryptographic or management action. */
  openToOtherAccounts: { value: boolean; witness: Witness | null };
  /** Some anonymous request is allowed a cryptographic or management action. */
  openToAnonymous: { value: boolean; witness: Witness | null };
  /**
   * Principals of accounts the policy does not name get in through an organisation (or organisation
   * path) it names (`aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`): often intended, never to be hidden.
   * `organizations` lists the values they get in with; the witness is one such request.
   */
  openToOrganization: { value: boolean; organizations: string[]; witness: Witness | null };
  /** Some principal of an account the policy names is allowed kms:GenerateDataKey and kms:Decrypt through S3. */
  s3CanUse: { value: boolean; viaService: string | null; witness?: Witness | null };
}

/** A 0-based line/character position, as LSP and the CLI's JSON use them. */
export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}

/** What a document is, as the analysis decided. */
export type PolicyKind = 'bucket-policy' | 'key-policy' | 'identity-policy' | 'unknown';

export type Severity = 'error' | 'warning' | 'info';
export type SeveritySetting = Severity | 'off';

export type SseAlgorithm = 'AES256' | 'aws:kms' | 'aws:kms:dsse';
export type TlsVersion = '1.0' | '1.1' | '1.2' | '1.3';

/** What a bucket policy must enforce (docs/design/engine.md#requirements); core/requirements.ts reads and checks it. */
export interface Requirements {
  /** Every HTTP request must be denied. */
  https: boolean;
  /** HTTPS below this TLS version must be denied (null: no requirement). */
  minTlsVersion: TlsVersion | null;
  /** Uploads that name another algorithm must be denied (empty: no requirement). */
  sse: SseAlgorithm[];
  /** SSE-KMS uploads that name another key must be denied (empty: no requirement). */
  kmsKeyArns: string[];
  /** Uploads without an encryption header (default encryption applies): must they be denied? */
  headerlessUploads: 'allow' | 'deny';
}
