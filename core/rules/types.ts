// What a rule is: self-describing metadata (docs are generated from it) plus a check that
// reports findings.
import type { Budget } from '../engine/budget';
import type { BucketVerdict, KeyPolicyVerdict } from '../../shared/types';
import type { PolicyDocument, PolicyKind, Span, Statement } from '../policy/model';
import type { Requirements } from '../requirements';

export type Severity = 'error' | 'warning' | 'info';
export type SeveritySetting = Severity | 'off';
export type Confidence = 'DOC' | 'COMMUNITY' | 'UNCONFIRMED';

export interface RuleMeta {
  /** Stable ID from docs/design/aws-facts.md, e.g. `GRM-003`. */
  id: string;
  title: string;
  /** Default severity; a finding may carry its own (rules with an error and a warning form). */
  severity: Severity;
  appliesTo: readonly PolicyKind[];
  /** Why it matters (the AWS behaviour). */
  why: string;
  /** A whole policy of the rule's first kind that triggers the rule. */
  example: string;
  /** The same policy, fixed. */
  useInstead: string;
  /** The requirements under which the example triggers the rule, when it depends on them (docs show them). */
  exampleRequirements?: Partial<Requirements>;
  /**
   * Set for a reminder that also reports a correct policy (what it asks for lies outside the policy,
   * e.g. an IAM policy in another account): why. Its "use instead" then triggers it too.
   */
  reminder?: string;
  /** AWS pages and other sources (docs/design/aws-facts.md names them). */
  references: readonly string[];
  /** How sure we are of the AWS fact behind it; UNCONFIRMED rules word their messages softly. */
  confidence: Confidence;
  /** Whether findings usually carry a quick-fix. */
  fixable: boolean;
  /**
   * Every message the rule reports, by ID, as templates whose `{name}` placeholders the report fills
   * in. Rewording a message means editing it here; tests assert message IDs, not wording.
   */
  messages?: Readonly<Record<string, RuleMessage>>;
}

/**
 * One message of a rule. The summary is what the Problems panel shows: one sentence of at most
 * MAX_SUMMARY characters once filled in, saying what is wrong and where. The detail is the rest —
 * why, the request that gets through, what to do — shown in the diagnostic's related information,
 * its hover and the CLI's text output.
 */
export interface RuleMessage {
  summary: string;
  detail?: string;
}

/** The longest first sentence a Problems panel shows without cutting it. */
export const MAX_SUMMARY = 120;

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
  /** The summary: one sentence (see RuleMessage). */
  message: string;
  /** The rest of the explanation, when there is more to say. */
  detail?: string;
  /** Which of the rule's messages (meta.messages) this is. */
  messageId?: string;
  fixes: Fix[];
}

export type ReportInput = {
  span: Span;
  severity?: Severity;
  fixes?: Fix[];
  /** Which of the rule's meta.messages; its placeholders are filled from `data`. */
  messageId: string;
  data?: Readonly<Record<string, string | number>>;
};

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

/**
 * What a statement check may read besides its statement: nothing another statement can change. The
 * type is the guarantee: without the document, a check cannot look at the other statements.
 */
export interface StatementContext {
  readonly kind: PolicyKind;
  /**
   * The document's text, for fixes that follow its layout: read only the statement's own text, the
   * line it starts on and the document's line-break style (what the reuse key covers).
   */
  readonly text: string;
  report(input: ReportInput): void;
}

export interface Rule {
  meta: RuleMeta;
  check(ctx: RuleContext): void;
  /**
   * Set by rules whose findings about a statement follow from that statement alone (its text, its
   * index, the policy kind), and that report inside it: `check` is then this for every statement
   * (see statementRule), and the analysis reuses a statement's findings across versions of the
   * document while its text and index are unchanged (docs/design/engine.md#reuse).
   */
  checkStatement?(ctx: StatementContext, st: Statement): void;
}

export const RESOURCE_POLICY_KINDS: readonly PolicyKind[] = ['bucket-policy', 'key-policy'];
export const ALL_POLICY_KINDS: readonly PolicyKind[] = ['bucket-policy', 'key-policy', 'identity-policy'];
