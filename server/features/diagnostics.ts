// Analysis findings → LSP diagnostics.
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { Severity } from '../../core/rules/types';
import type { DocumentAnalysis } from './document-analysis';
import { ruleDocUri } from './rule-docs';
import { plainLine } from '../../shared/escape';

export const SOURCE = 's3-encryption-guard';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

export function toDiagnostics(a: DocumentAnalysis): Diagnostic[] {
  return a.analysis.findings.map((f, i) => {
    const href = ruleDocUri(f.ruleId);
    return {
      range: a.lines.range(f.span),
      severity: SEVERITY[f.severity],
      code: f.ruleId,
      // The rule ID in the Problems panel links to the rule's page.
      ...(href ? { codeDescription: { href } } : {}),
      source: SOURCE,
      // Messages quote the policy: a value holding control characters must not reach the editor raw.
      message: plainLine(f.message, 1000),
      // The rest of the explanation, beside the one-sentence message (the Problems panel shows it under it).
      ...(f.detail
        ? { relatedInformation: [{ location: { uri: a.uri, range: a.lines.range(f.span) }, message: plainLine(f.detail, 4000) }] }
        : {}),
      // Lets code actions find the finding (and its fixes) behind a diagnostic.
      data: { version: a.version, index: i },
    };
  });
}
