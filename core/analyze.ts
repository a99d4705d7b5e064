// One analysis of one document version: parse, decide the kind, run the rules, apply the
// user's severities and the work caps. Shared by the language server, the CLI and tests.
import { bucketVerdicts, clearVerdicts, MAX_BUCKET_VERDICTS, policyBuckets } from './engine/verdict';
import { keyPolicyVerdict } from './engine/key-verdict';
import { Budget, DEFAULT_MAX_STEPS } from './engine/budget';
import { MAX_KEY_LEVELS } from './engine/requests/context-keys';
import type { BucketVerdict, KeyPolicyVerdict } from '../shared/types';
import { DEFAULT_REQUIREMENTS, type Requirements } from './requirements';
import { detectKind, bucketFromFileName, kindFromFileName, kindFromSettings, type KindDecision } from './policy/kind';
import type { PolicyDocument, PolicyKind, Span } from './policy/model';
import { DEFAULT_PARSE_LIMITS, parsePolicy } from './policy/parse';
import { clearStatementFindings, findingOf, statementRuleFindings } from './statement-findings';
import { clearStatementFacts } from './policy/statement-facts';
import { clearCompiledStatements } from './engine/evaluate';
import { clearLockouts } from './engine/lockout';
import { RULES } from './rules/registry';
import type { Finding, ReportInput, Rule, RuleContext, Severity, SeveritySetting } from './rules/types';

export interface AnalysisSettings {
  /** Severity overrides by rule ID: `{ "GRM-016": "off" }`. */
  rules?: Record<string, SeveritySetting>;
  /** Globs that force a kind: `{ "**\/policies/*.json": "bucket-policy" }`. */
  kinds?: Record<string, string>;
  /** Bucket name for bucket policies that do not say it in their file name. */
  bucketName?: string;
  /** The ARN of the key a key policy is attached to, when known (a live key policy): its verdict targets that key and its region. */
  keyArn?: string;
  /** What bucket policies must enforce (docs/design/engine.md#requirements). */
  requirements?: Requirements;
  /** Larger documents are not parsed (AWS's own limits are 20 KB and 32 KB). */
  maxFileSize?: number;
  maxStatements?: number;
  maxDiagnostics?: number;
  /** The work one analysis may do, in statement checks (see Budget); past it verdicts are incomplete and an information diagnostic says so. */
  maxSteps?: number;
}

export const DEFAULT_SETTINGS = {
  // Four times the largest policy AWS accepts (key policies, 32 KB): analysis time grows with size, and
  // a document far past AWS's limits is not a policy anyone can apply.
  maxFileSize: 128 * 1024,
  maxStatements: DEFAULT_PARSE_LIMITS.maxStatements,
  maxDiagnostics: 1000,
  maxDepth: DEFAULT_PARSE_LIMITS.maxDepth,
  maxSteps: DEFAULT_MAX_STEPS,
} as const;

/** The code of diagnostics that say the analysis stopped early (not an AWS rule). */
export const LIMIT_CODE = 'analysis-limit';
/** JSON syntax errors are document-shape problems: AWS rejects the document. */
export const SYNTAX_RULE_ID = 'GRM-001';

export interface RuleFailure {
  ruleId: string;
  error: string;
}

export interface Analysis {
  kind: KindDecision;
  bucketName?: string;
  doc?: PolicyDocument;
  /** Findings after severity overrides, sorted by position. */
  findings: Finding[];
  /** Rules that threw (a bug of ours): logged, never shown as a crash. */
  ruleFailures: RuleFailure[];
  /** Set when the content was not analysed (too large, too deep): why, in one phrase. */
  notAnalysed?: string;
  /**
   * Set when the document is a policy by its name or content but AWS would reject it before reading
   * a statement (JSON syntax errors, an empty document): why, in one phrase. Its findings are then the
   * document-shape ones only, and it has no verdict: what the tolerant parser recovered is not the
   * policy, and a verdict of it ("every upload denied") would be a guess.
   */
  notEvaluated?: string;
  /** The engine's verdicts for a bucket policy (one per bucket); undefined for other kinds. */
  verdicts?: readonly BucketVerdict[];
  /** The engine's verdict for a key policy; undefined for other kinds. */
  keyVerdict?: KeyPolicyVerdict;
}

const sev = (s: SeveritySetting | undefined, fallback: Severity): Severity | undefined =>
  s === 'off' ? undefined : (s ?? fallback);

function limitFinding(span: Span, message: string): Finding {
  return { ruleId: LIMIT_CODE, severity: 'info', span, message, fixes: [] };
}

const fmtSize = (n: number): string => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.round(n / 1024)} KB`);

/** What rules share about one document: the verdicts are computed once, on first use, from one work allowance. */
export interface RuleInputs {
  bucketName?: string;
  requirements?: Requirements;
  verdicts?: () => readonly BucketVerdict[];
  keyVerdict?: () => KeyPolicyVerdict | undefined;
  budget?: Budget;
}

/** Verdicts for bucket policies only; other kinds have none. */
export function lazyVerdicts(
  doc: PolicyDocument,
  kind: PolicyKind,
  bucketName?: string,
  budget?: Budget,
): () => readonly BucketVerdict[] {
  let cached: readonly BucketVerdict[] | undefined;
  return () => (cached ??= kind === 'bucket-policy' ? bucketVerdicts(doc, { bucketName, budget }) : []);
}

/** The verdict of a key policy; other kinds have none. */
export function lazyKeyVerdict(
  doc: PolicyDocument,
  kind: PolicyKind,
  budget?: Budget,
  keyArn?: string,
): () => KeyPolicyVerdict | undefined {
  let cached: KeyPolicyVerdict | undefined;
  let done = false;
  return () => {
    if (!done) {
      cached = kind === 'key-policy' ? keyPolicyVerdict(doc, { budget, keyArn }) : undefined;
      done = true;
    }
    return cached;
  };
}

export function runRule(rule: Rule, doc: PolicyDocument, kind: PolicyKind, inputs: RuleInputs = {}): Finding[] {
  const { bucketName, requirements } = inputs;
  const budget = inputs.budget ?? new Budget(DEFAULT_MAX_STEPS);
  const verdicts = inputs.verdicts ?? lazyVerdicts(doc, kind, bucketName, budget);
  const keyVerdict = inputs.keyVerdict ?? lazyKeyVerdict(doc, kind, budget);
  const out: Finding[] = [];
  const ctx: RuleContext = {
    doc,
    kind,
    bucketName,
    requirements: requirements ?? DEFAULT_REQUIREMENTS,
    verdicts,
    keyVerdict,
    budget,
    report: (r: ReportInput) => out.push(findingOf(rule, r)),
  };
  rule.check(ctx);
  return out;
}

/**
 * Forget what earlier versions of documents left for reuse (compiled statements, verdicts, lock-out
 * sweeps, statement rules' findings): the next analysis is computed from scratch. For tests that
 * compare with a fresh analysis; the caches are bounded, so nothing else needs this.
 */
export function forgetEarlierVersions(): void {
  clearCompiledStatements();
  clearVerdicts();
  clearStatementFindings();
  clearStatementFacts();
  clearLockouts();
}

/** Analyse one document. Never throws. `filePath` may be a path or a URI's path. */
export function analyze(
  text: string,
  filePath: string,
  settings: AnalysisSettings = {},
  rules: readonly Rule[] = RULES,
): Analysis {
  const maxFileSize = settings.maxFileSize ?? DEFAULT_SETTINGS.maxFileSize;
  const maxDiagnostics = settings.maxDiagnostics ?? DEFAULT_SETTINGS.maxDiagnostics;
  const start: Span = { offset: 0, length: Math.min(text.length, 1) };

  if (text.length > maxFileSize) {
    // Too big to parse on every keystroke; only a name or a setting can make it a policy.
    const kind = kindFromSettings(filePath, settings.kinds) ??
      kindFromFileName(filePath) ?? {
        kind: 'unknown' as const,
        source: 'content' as const,
        reason: `it is ${fmtSize(text.length)}, over the ${fmtSize(maxFileSize)} analysis limit, so its content was not read`,
      };
    const findings =
      kind.kind === 'unknown'
        ? []
        : [
            limitFinding(
              start,
              `Not analysed: the file is ${fmtSize(text.length)}, over the ${fmtSize(maxFileSize)} limit (setting s3EncryptionGuard.maxFileSize). ` +
                'AWS accepts bucket policies up to 20 KB and key policies up to 32 KB.',
            ),
          ];
    return {
      kind,
      findings,
      ruleFailures: [],
      notAnalysed: `${fmtSize(text.length)}, over the ${fmtSize(maxFileSize)} analysis limit`,
    };
  }

  const doc = parsePolicy(text, {
    maxDepth: DEFAULT_SETTINGS.maxDepth,
    maxStatements: settings.maxStatements ?? DEFAULT_SETTINGS.maxStatements,
  });
  const kind = detectKind({ filePath, doc, kinds: settings.kinds });
  const bucketName = settings.bucketName || bucketFromFileName(filePath);

  if (doc.depthExceededAt !== undefined) {
    // Only say so when the file could be a policy; other JSON gets no diagnostics at all.
    const maybePolicy = kind.kind !== 'unknown' || text.includes('"Statement"');
    const findings = maybePolicy
      ? [
          limitFinding(
            { offset: doc.depthExceededAt, length: 1 },
            `Not analysed: values are nested more than ${DEFAULT_SETTINGS.maxDepth} levels deep here; a policy needs at most 6.`,
          ),
        ]
      : [];
    return {
      kind,
      bucketName,
      doc,
      findings,
      ruleFailures: [],
      notAnalysed: `nested more than ${DEFAULT_SETTINGS.maxDepth} levels deep`,
    };
  }
  if (kind.kind === 'unknown') return { kind, bucketName, doc, findings: [], ruleFailures: [] };

  let findings: Finding[] = doc.syntaxErrors.map(e => ({
    ruleId: SYNTAX_RULE_ID,
    severity: 'error' as Severity,
    span: e.span,
    message: e.message,
    fixes: [],
  }));
  if (doc.syntaxErrorsLeftOut) {
    const last = doc.syntaxErrors[doc.syntaxErrors.length - 1].span;
    findings.push(
      limitFinding(
        last,
        `${doc.syntaxErrorsLeftOut} more JSON syntax errors after this one are not shown; fix the ones above first.`,
      ),
    );
  }
  const notEvaluated = doc.syntaxErrors.length
    ? 'the JSON has syntax errors (AWS rejects it); fix them first'
    : !doc.root
      ? 'the document is empty (AWS rejects it)'
      : undefined;
  if (notEvaluated) {
    // Like a compiler after a parse error: the document-shape rule only, no verdict.
    const shape = rules.find(r => r.meta.id === SYNTAX_RULE_ID);
    const ruleFailures: RuleFailure[] = [];
    if (shape && settings.rules?.[SYNTAX_RULE_ID] !== 'off') {
      try {
        findings.push(...runRule(shape, doc, kind.kind, { bucketName, requirements: settings.requirements }));
      } catch (e) {
        ruleFailures.push({ ruleId: SYNTAX_RULE_ID, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      }
    }
    findings.sort((a, b) => a.span.offset - b.span.offset || a.ruleId.localeCompare(b.ruleId));
    return { kind, bucketName, doc, findings: findings.slice(0, maxDiagnostics), ruleFailures, notEvaluated };
  }
  const ruleFailures: RuleFailure[] = [];
  const budget = new Budget(settings.maxSteps ?? DEFAULT_SETTINGS.maxSteps);
  const verdicts = lazyVerdicts(doc, kind.kind, bucketName, budget);
  const keyVerdict = lazyKeyVerdict(doc, kind.kind, budget, settings.keyArn);
  const inputs: RuleInputs = { bucketName, requirements: settings.requirements, verdicts, keyVerdict, budget };
  const active = rules.filter(r => r.meta.appliesTo.includes(kind.kind) && settings.rules?.[r.meta.id] !== 'off');
  // Statement rules first, reusing what an earlier version of the document found (statement-findings.ts).
  const perStatement = statementRuleFindings(
    doc,
    kind.kind,
    active.filter(r => r.checkStatement),
  );
  findings.push(...perStatement.findings);
  ruleFailures.push(...perStatement.failures);
  for (const rule of active) {
    if (rule.checkStatement) continue;
    try {
      findings.push(...runRule(rule, doc, kind.kind, inputs));
    } catch (e) {
      ruleFailures.push({ ruleId: rule.meta.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  }
  findings = findings.flatMap(f => {
    const s = sev(settings.rules?.[f.ruleId], f.severity);
    return s ? [{ ...f, severity: s }] : [];
  });
  findings.sort((a, b) => a.span.offset - b.span.offset || a.ruleId.localeCompare(b.ruleId));
  if (findings.length > maxDiagnostics) {
    const hidden = findings.length - maxDiagnostics;
    findings = findings.slice(0, maxDiagnostics);
    findings.push(
      limitFinding(
        start,
        `${hidden} more problems are not shown (limit ${maxDiagnostics}, setting s3EncryptionGuard.maxDiagnostics).`,
      ),
    );
  }
  if (doc.truncated) {
    const st = doc.statementMember?.valueNode;
    findings.push(
      limitFinding(
        st ? { offset: st.offset, length: 1 } : start,
        `Only the first ${doc.statements.length} statements were analysed (setting s3EncryptionGuard.maxStatements); ` +
          'AWS size limits allow far fewer in one policy.',
      ),
    );
  }
  // The verdict is part of every bucket policy's analysis (CodeLens, CLI), even when no rule asked.
  let computed: readonly BucketVerdict[] | undefined;
  if (kind.kind === 'bucket-policy') {
    try {
      computed = verdicts();
    } catch (e) {
      ruleFailures.push({ ruleId: 'engine', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  }
  let keyComputed: KeyPolicyVerdict | undefined;
  if (kind.kind === 'key-policy') {
    try {
      keyComputed = keyVerdict();
    } catch (e) {
      ruleFailures.push({ ruleId: 'engine', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  }
  if (kind.kind === 'bucket-policy' && !bucketName) {
    const named = policyBuckets(doc).length;
    if (named > MAX_BUCKET_VERDICTS) {
      findings.push(
        limitFinding(
          start,
          `This policy names ${named} buckets; verdicts and the checks built on them cover the first ${MAX_BUCKET_VERDICTS} only. ` +
            'A bucket policy applies to its own bucket (S3 rejects one that names another).',
        ),
      );
    }
  }
  if (kind.kind === 'bucket-policy' || kind.kind === 'key-policy') {
    const keys = new Set<string>();
    for (const st of doc.statements)
      for (const o of st.condition?.operators ?? []) for (const e of o.entries) keys.add(e.key.value.toLowerCase());
    if (keys.size > MAX_KEY_LEVELS) {
      findings.push(
        limitFinding(
          start,
          `This policy tests ${keys.size} different condition keys; the engine enumerates requests over the first ${MAX_KEY_LEVELS} of them, ` +
            'so its verdict is marked incomplete. Real policies test a handful.',
        ),
      );
    }
  }
  if (budget.exhausted) {
    findings.push(
      limitFinding(
        start,
        `Analysis stopped early: this policy needs more than ${String(budget.max).replace(/\B(?=(\d{3})+$)/g, ',')} evaluation steps (the limit for one analysis), ` +
          "so its verdict is marked incomplete and some problems may be missing. Policies within AWS's size limits rarely need that many; " +
          'many condition keys or values in one statement multiply the work.',
      ),
    );
  }
  return { kind, bucketName, doc, findings, ruleFailures, verdicts: computed, keyVerdict: keyComputed };
}
