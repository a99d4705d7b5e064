// Findings' fixes → quick-fix code actions, plus "fix all" as a source action.
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type TextEdit } from 'vscode-languageserver';
import { fixAllEdits, preferredFix } from '../rules/fixes';
import type { Finding, Fix } from '../rules/types';
import { SOURCE, toDiagnostics } from './diagnostics';
import type { DocumentAnalysis } from './documentAnalysis';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.s3EncryptionGuard`;

function editsOf(a: DocumentAnalysis, fix: Fix): TextEdit[] {
  return fix.edits.map(e => ({ range: a.lines.range(e.span), newText: e.newText }));
}

function findingFor(a: DocumentAnalysis, d: Diagnostic): Finding | undefined {
  const data = d.data as { version?: number; index?: number } | undefined;
  if (data?.version === a.version && typeof data.index === 'number') return a.analysis.findings[data.index];
  // Diagnostics from an older version: match by code and range.
  return a.analysis.findings.find(f => f.ruleId === d.code && JSON.stringify(a.lines.range(f.span)) === JSON.stringify(d.range));
}

export function codeActions(a: DocumentAnalysis, params: CodeActionParams): CodeAction[] {
  const only = params.context.only;
  const wants = (kind: string) => !only || only.some(o => kind === o || kind.startsWith(`${o}.`));
  const out: CodeAction[] = [];
  if (wants(CodeActionKind.QuickFix)) {
    for (const d of params.context.diagnostics) {
      if (d.source !== SOURCE) continue;
      const f = findingFor(a, d);
      if (!f) continue;
      for (const fix of f.fixes) {
        out.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          isPreferred: fix === preferredFix(f),
          edit: { changes: { [a.uri]: editsOf(a, fix) } },
        });
      }
    }
  }
  if (wants(FIX_ALL_KIND)) {
    const all = fixAllTextEdits(a);
    if (all.length) {
      out.push({ title: 'Fix all S3 Encryption Guard problems', kind: FIX_ALL_KIND, diagnostics: toDiagnostics(a), edit: { changes: { [a.uri]: all } } });
    }
  }
  return out;
}

/** "Fix all" as LSP edits (the selection itself is the rules' `fixAllEdits`, shared with the CLI and tests). */
export function fixAllTextEdits(a: DocumentAnalysis): TextEdit[] {
  return fixAllEdits(a.analysis.findings).map(e => ({ range: a.lines.range(e.span), newText: e.newText }));
}
