// The protocol between the editor client and the language server: every custom request and its
// method name, the commands the server puts in CodeLenses and code actions, and the types that cross
// the wire. Types and names only (plus a few pure helpers over them), so the client bundle never pulls
// in the engine: the client asks the server, the server runs core/. Values from policies are as
// written: renderers escape them (shared/escape.ts).
import type { BucketPolicyOptions, KeyPolicyOptions } from '../core/authoring/generate';
import type {
  BucketVerdict,
  Decision,
  KeyPolicyVerdict,
  PolicyKind,
  Position,
  Range,
  Request,
  Severity,
  Witness,
} from '../shared/types';
import type { Outcome } from '../shared/wording';

// ---------------------------------------------------------------------------------------------
// Commands the server names (CodeLens, code actions); the client registers them.

/** Opens the Explain view for a document: arguments `[uri]`. */
export const EXPLAIN_COMMAND = 's3EncryptionGuard.explain';
/** Opens a file (a key policy a CodeLens links to): arguments `[uri]`. */
export const OPEN_FILE_COMMAND = 's3EncryptionGuard.openFile';
/** Shows a rule's documentation: arguments `[ruleId]`. */
export const SHOW_RULE_DOC_COMMAND = 's3EncryptionGuard.showRuleDocumentation';

// ---------------------------------------------------------------------------------------------
// `s3EncryptionGuard/analyze`: judge text (the live view) or an open document (the status bar).
// Server: server/features/live-analysis.ts.

export const ANALYZE_REQUEST = 's3EncryptionGuard/analyze';

/** The URI scheme of live policies opened from the editor's S3 Encryption view (client/views/live-documents.ts). */
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

// ---------------------------------------------------------------------------------------------
// `s3EncryptionGuard/explain`: the report view. Server: server/features/explain.ts; client:
// client/views/explain-view.ts.

/**
 * The request behind the report view: `{ uri, bucket?, at? }` → `{ report: ExplainReport }`. In an
 * infrastructure template, `at` picks the policy: its location (`Resources.DataBucketPolicy.Properties.PolicyDocument`,
 * as the CodeLens passes it) or a position inside it (the cursor); without it, the first policy.
 */
export const EXPLAIN_REQUEST = 's3EncryptionGuard/explain';

/** The word in a cell: never colour alone. */
export type CellWord = 'denied' | 'allowed' | 'not denied here' | 'partly denied' | 'not allowed';
/** The colour family of a cell. */
export type CellTone = 'denied' | 'allowed' | 'open' | 'mixed';

export interface ReportExample {
  outcome: Outcome;
  request: Witness;
  /** The request in words (wording.ts), with the verb that matches `outcome` where the report states one. */
  text: string;
}

export interface ReportCell {
  word: CellWord;
  tone: CellTone;
  /** Statements (indexes into ExplainReport.statements) that decide every request class of the cell. */
  statements: number[];
  /** Statements that decide some of them only (or, when `statements` is empty, each decides one of them). */
  alsoBy: number[];
  /** Request classes the cell stands for. */
  classes: number;
  /** One request per outcome the cell holds: replayed through the engine each gets that outcome. */
  examples: ReportExample[];
}

export interface ReportColumn {
  /** Short header: "everyone else", "role/payments-app". */
  label: string;
  /** Every principal of the column, in words. */
  members: string[];
}

export interface ReportRow {
  /** What the row covers, one phrase per dimension it is narrowed on (empty: every request). */
  parts: string[];
  cells: (ReportCell | null)[];
}

export interface ReportTable {
  title: string;
  /** What the rows stand for and how to read the cells. */
  note: string;
  rowHeader: string;
  rows: ReportRow[];
}

export interface ReportSection {
  kind: 'bucket' | 'key';
  heading: string;
  /** The one-line verdict of the CodeLens. */
  verdictLine: string;
  /** The verdict in plain words (explainSummary). */
  summary: string[];
  complete: boolean;
  columns: ReportColumn[];
  matrices: ReportTable[];
  /** Every request class, grouped. */
  details: ReportTable;
  /** Request classes the grouped rows stand for. */
  requestClasses: number;
  /** The enumeration stopped at MAX_EXPLAIN_CLASSES. */
  truncated: boolean;
}

export interface StatementRef {
  /** The Sid, or "statement N". */
  label: string;
  /** Where it starts: its Sid, or its opening brace. */
  range: Range;
}

/** Which policy of a template to explain: its location, or a position inside it. */
export type ExplainTarget = string | Position;

export interface ExplainReport {
  uri: string;
  /** In a template: the location of the policy explained (the view asks for it again when the template changes). */
  location?: string;
  /** The file name. */
  file: string;
  kind: 'bucket-policy' | 'key-policy' | 'other';
  /** Why there is nothing to explain, when there is not. */
  message?: string;
  /** Indexed as the engine indexes statements. */
  statements: (StatementRef | null)[];
  sections: ReportSection[];
}

/** The statements of a cell in words: "DenyInsecureTransport", "statement 3"; "" when none. */
export function statementNames(report: Pick<ExplainReport, 'statements'>, indexes: readonly number[]): string[] {
  return indexes.map(i => report.statements[i]?.label ?? `statement ${i + 1}`);
}

/**
 * How a cell names its statements, for every renderer: "by A", "some also by B", "by one of A, B";
 * for a cell whose classes are not all decided alike, the statements of the ones that stand out
 * ("some denied by A", "some allowed by B").
 */
export function statementPhrases(c: ReportCell): { prefix: string; statements: number[] }[] {
  const out: { prefix: string; statements: number[] }[] = [];
  const mixed =
    c.word === 'partly denied'
      ? 'some denied by'
      : c.word === 'not denied here' || c.word === 'not allowed'
        ? 'some allowed by'
        : undefined;
  if (mixed) {
    if (c.alsoBy.length) out.push({ prefix: mixed, statements: c.alsoBy });
    return out;
  }
  if (!c.statements.length) {
    if (c.alsoBy.length) out.push({ prefix: 'by one of', statements: c.alsoBy });
    return out;
  }
  out.push({ prefix: 'by', statements: c.statements });
  if (c.alsoBy.length) out.push({ prefix: 'some also by', statements: c.alsoBy });
  return out;
}

// ---------------------------------------------------------------------------------------------
// `s3EncryptionGuard/checkAnswer` and `s3EncryptionGuard/generatePolicy`: the "New Bucket Policy…"
// and "New KMS Key Policy…" commands ask the server to check each answer as it is typed and to write
// the policy. Server: server/features/new-policy.ts; client: client/commands/new-policy.ts.

export const CHECK_ANSWER_REQUEST = 's3EncryptionGuard/checkAnswer';
/** What an answer is: each has its own checks (core/authoring/generate.ts). */
export type AnswerField = 'bucket' | 'account' | 'region' | 'kmsKeyArn' | 'principals' | 'principalArns' | 'trailName';
export interface CheckAnswerParams {
  field: AnswerField;
  value: string;
}
export interface CheckAnswerResult {
  /** The problem and its fix, in one sentence; absent when the answer is fine. */
  problem?: string;
}

export const GENERATE_POLICY_REQUEST = 's3EncryptionGuard/generatePolicy';
export type GeneratePolicyParams =
  { kind: 'bucket-policy'; options: BucketPolicyOptions } | { kind: 'key-policy'; options: KeyPolicyOptions };
/** The policy as formatted JSON, or every problem of the answers. */
export type GeneratePolicyResult = { text: string } | { problems: string[] };
export type { BucketPolicyOptions, KeyPolicyOptions, MinTlsChoice, SseChoice } from '../core/authoring/generate';

// ---------------------------------------------------------------------------------------------
// `s3EncryptionGuard/decide`: the engine's decision on single requests against policy text. The
// bucket fix asks whether a new policy would deny the caller the calls that undo it (aws/fix.ts, the
// lock-out guard). Server: server/features/live-decide.ts; client: client/commands/fix-commands.ts.

export const DECIDE_REQUEST = 's3EncryptionGuard/decide';

/** Requests per call at most (the lock-out guard asks three). */
export const MAX_DECIDE_REQUESTS = 32;

export interface DecideParams {
  text: string;
  bucket: string;
  requests: Request[];
}

/** One decision per request, in order; null when the text is not a policy the engine reads. */
export interface DecideResult {
  decisions: { decision: Decision; undecided: boolean }[] | null;
}

// ---------------------------------------------------------------------------------------------
// Infrastructure templates: the editor languages whose documents the server may find policies in
// (CloudFormation YAML, CDK output as JSON, Terraform).

/** Language IDs of template documents besides JSON: VS Code's `yaml`, HashiCorp's `terraform` (also ours, for `.tf`) and `hcl`. */
export const TEMPLATE_LANGUAGES: readonly string[] = ['yaml', 'terraform', 'hcl'];

// ---------------------------------------------------------------------------------------------
// `s3EncryptionGuard/stats`: the figures the fuzzer, the benchmark and the load tests read.

export const STATS_REQUEST = 's3EncryptionGuard/stats';

// ---------------------------------------------------------------------------------------------
// How the language server's Node process is started (the VS Code client, the tests and the
// benchmark all use this, so what is measured is what ships).
//
// Analysis runs on every keystroke and makes short-lived garbage. On a machine with lots of RAM,
// V8's default heap limit is several GB and it lets the heap grow instead of collecting. A 512 MB
// old-space limit keeps the server near 115 MB with 200 policies open (206 MB without it); an
// 8 MB young generation was the best trade found between that and keystroke latency (2 MB:
// ~104 MB but a 50 % slower round trip; 16 MB: ~135 MB and no faster). See bench/lsp.ts. The
// server's analysis cache is bounded well below the limit.
//
// A 64 MB initial old space: without it V8 sized the old generation to the server's small live
// heap (10-30 MB) and ran a full collection every few dozen analyses of a large policy, which
// was most of the keystroke p95 (32 KB key policy, 1,200 keystrokes: p95 9.1-9.8 ms without it,
// 7.3-8.2 ms with it; 20 KB bucket policy round trip over stdio: p95 9.8-11.3 ms, 5.9-7.7 ms).
// The server's memory did not change (bench/lsp.ts: 161-173 MB RSS with its 200 policies of
// 1-29 KB open, 109-119 MB with its 220 documents).
export const SERVER_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=8',
  '--max-old-space-size=512',
  '--initial-old-space-size=64',
];
