// What a rule is: self-describing metadata (docs are generated from it) plus a check that
// reports findings. No vscode or LSP imports: the CLI, the server and the tests share rules.
import type { Budget } from '../engine/requests';
import type { BucketVerdict, KeyPolicyVerdict } from '../engine/types';
import type { PolicyDocument, PolicyKind, Span } from '../policy/model';
import type { Requirements } from '../requirements';

export type Severity = 'error' | 'warning' | 'info';
export type SeveritySetting = Severity | 'off';
export type Confidence = 'DOC' | 'COMMUNITY' | 'UNCONFIRMED';

export interface RuleMeta {
  /** Stable ID from RULES.md, e.g. `GRM-003`. */
  id: string;
  title: string;
  /** Default severity; a finding may carry its own (rules with an error and a warning form). */
  severity: Severity;
  appliesTo: readonly PolicyKind[];
  /** Why it matters (the AWS behaviour). */
  why: string;
  /** A JSON fragment that triggers the rule. */
  example: string;
  /** The same fragment, fixed. */
  useInstead: string;
  /** AWS pages and other sources (RULES.md names them). */
  references: readonly string[];
  /** How sure we are of the AWS fact behind it; UNCONFIRMED rules word their messages softly. */
  confidence: Confidence;
  /** Whether findings usually carry a quick-fix. */
  fixable: boolean;
}

export interface TextEditSpan {
  span: Span;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEditSpan[];
  /** The fix the editor offers first among a finding's alternatives (VS Code's `isPreferred`); a person still looks at it. */
  preferred?: boolean;
  /**
   * Unambiguous, and it cannot lock anyone out or widen access: "fix all" applies only these,
   * without anyone looking (the criteria are in fixes.ts).
   */
  safe?: boolean;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  span: Span;
  message: string;
  fixes: Fix[];
}

export interface ReportInput {
  span: Span;
  message: string;
  severity?: Severity;
  fixes?: Fix[];
}

export interface RuleContext {
  readonly doc: PolicyDocument;
  readonly kind: PolicyKind;
  /** The bucket this policy is for, when a file name or setting says so. */
  readonly bucketName?: string;
  /** What the user requires bucket policies to enforce (defaults: HTTPS only). */
  readonly requirements: Requirements;
  /** The engine's verdicts, one per bucket (bucket policies only; computed once per analysis, on first use). */
  verdicts(): readonly BucketVerdict[];
  /** The engine's key-policy verdict (key policies only; computed once per analysis, on first use). */
  keyVerdict(): KeyPolicyVerdict | undefined;
  /** The analysis's work allowance: a rule that evaluates requests itself draws from it and stops when it is exhausted. */
  readonly budget: Budget;
  report(input: ReportInput): void;
}

export interface Rule {
  meta: RuleMeta;
  check(ctx: RuleContext): void;
}

export const RESOURCE_POLICY_KINDS: readonly PolicyKind[] = ['bucket-policy', 'key-policy'];
export const ALL_POLICY_KINDS: readonly PolicyKind[] = ['bucket-policy', 'key-policy', 'identity-policy'];
