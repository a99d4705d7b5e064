// `check` on infrastructure templates (CloudFormation YAML and JSON, CDK output, Terraform): one
// result per policy found, in the shape of a policy file's plus its `location`, with ranges in the
// template; a bucket's or key's own settings (default encryption, SSE-C, rotation) in entries of
// kind "bucket-settings" / "key-settings"; the template's own syntax errors in one entry of kind
// "template". The engine and its verdicts are the ones a JSON policy file gets (core/templates).
import type { AnalysisSettings } from '../core/analyze';
import { LineIndex } from '../core/policy/lines';
import type { Finding } from '../core/rules/types';
import { analyzeTemplate } from '../core/templates/analyze';
import { isTemplate } from '../core/templates/index';
import { verdictSummary, keyVerdictSummary } from '../shared/summary';
import type { BucketVerdict, KeyPolicyVerdict } from '../shared/types';
import type { FileDiagnostic, FileResult } from './report';

/** File names a folder search reads besides `*.json`: templates are claimed by their content too. */
export const TEMPLATE_EXTENSIONS = ['.yaml', '.yml', '.tf'] as const;

/** Whether a folder search reads this file (a policy or a template by its name). */
export const searchedFile = (rel: string): boolean => {
  const l = rel.toLowerCase();
  return l.endsWith('.json') || TEMPLATE_EXTENSIONS.some(e => l.endsWith(e));
};

/** A file that can only be a template (not JSON): YAML or Terraform. */
export const templateOnlyFile = (p: string): boolean => {
  const l = p.toLowerCase();
  return TEMPLATE_EXTENSIONS.some(e => l.endsWith(e));
};

/**
 * Templates are read up to this size whatever --max-file-size says (that limit is about one
 * policy; a CloudFormation template of many policies is commonly larger): the scanner bounds its
 * own work and says when it does not scan a file.
 */
export const MAX_TEMPLATE_BYTES = 16 * 1024 * 1024;

/** Whether a scanner claims the file (cheap: its name and first bytes). */
export function claimsTemplate(abs: string, text: string): boolean {
  try {
    return isTemplate(abs, text);
  } catch {
    return false;
  }
}

/** The verdict as the JSON interface shows it: null, one object, or an array for several buckets. */
export const verdictJson = (verdicts: readonly BucketVerdict[] | undefined, keyVerdict?: KeyPolicyVerdict): unknown =>
  keyVerdict ?? (!verdicts?.length ? null : verdicts.length === 1 ? verdicts[0] : verdicts);

const diagnosticsOf = (findings: readonly Finding[], lines: LineIndex): FileDiagnostic[] =>
  findings.map(f => ({
    code: f.ruleId,
    severity: f.severity,
    message: f.message,
    ...(f.detail ? { detail: f.detail } : {}),
    range: lines.range(f.span),
  }));

export interface TemplateCheck {
  results: FileResult[];
  /** Rules that threw (said on stderr by the caller). */
  ruleFailures: { ruleId: string; error: string }[];
}

/** The results of one template file, in template order. */
export function checkTemplate(
  text: string,
  abs: string,
  shown: string,
  settings: AnalysisSettings,
  withVerdicts: boolean,
): TemplateCheck {
  const t = analyzeTemplate(text, abs, settings);
  const lines = new LineIndex(text);
  const results: FileResult[] = [];
  const ruleFailures: TemplateCheck['ruleFailures'] = [];
  // The template's own problems (syntax, limits); a template without policies is listed too.
  if (t.findings.length || !t.entries.length) {
    results.push({
      file: shown,
      kind: 'template',
      diagnostics: diagnosticsOf(t.findings, lines),
      verdict: null,
      summaries: [],
    });
  }
  const tls = settings.requirements?.minTlsVersion;
  for (const e of t.entries) {
    const a = e.analysis;
    if (a) ruleFailures.push(...a.ruleFailures);
    const summaries = !a
      ? []
      : a.notEvaluated
        ? [`not evaluated: ${a.notEvaluated}`]
        : a.keyVerdict
          ? [`key: ${keyVerdictSummary(a.keyVerdict)}`]
          : (a.verdicts ?? []).map(v => `${v.bucket}: ${verdictSummary(v, tls)}`);
    results.push({
      file: shown,
      kind: e.kind,
      location: e.location,
      diagnostics: diagnosticsOf(e.findings, lines),
      verdict: withVerdicts && a && !a.notEvaluated ? verdictJson(a.verdicts, a.keyVerdict) : null,
      summaries,
    });
  }
  return { results, ruleFailures };
}
