// Findings' fixes → quick-fix code actions, "Explain <ID>" (opens the rule's page), and "fix all" as a source action.
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type TextEdit } from 'vscode-languageserver';
import { analyze, type AnalysisSettings } from '../../core/analyze';
import { fixAllTextEdits as fixAllSpans, preferredFix } from '../../core/rules/fixes';
import type { Finding, Fix } from '../../core/rules/types';
import { SOURCE, toDiagnostics } from './diagnostics';
import { uriPath, type DocumentAnalysis } from './document-analysis';
import { ruleDocUri } from './rule-docs';
import { plainLine } from '../../shared/escape';
import { SHOW_RULE_DOC_COMMAND } from '../../protocol/protocol';

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

/** `settings`: the document's analysis settings, so that "fix all" can analyse its own result again (without them it does one round). */
export function codeActions(a: DocumentAnalysis, params: CodeActionParams, settings?: AnalysisSettings): CodeAction[] {
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
          title: plainLine(fix.title),
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          isPreferred: fix === preferredFix(f),
          edit: { changes: { [a.uri]: editsOf(a, fix) } },
        });
      }
    }
    // After the fixes, "Explain <ID>" opens the rule's page inside the editor (once per rule).
    const explained = new Set<string>();
    for (const d of params.context.diagnostics) {
      const id = String(d.code ?? '');
      if (d.source !== SOURCE || explained.has(id) || !ruleDocUri(id)) continue;
      explained.add(id);
      const title = `Explain ${id}`;
      out.push({
        title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        command: { title, command: SHOW_RULE_DOC_COMMAND, arguments: [id] },
      });
    }
  }
  if (wants(FIX_ALL_KIND)) {
    const all = fixAllTextEdits(a, settings);
    if (all.length) {
      out.push({
        title: 'Fix all S3 Encryption Guard problems',
        kind: FIX_ALL_KIND,
        diagnostics: toDiagnostics(a),
        edit: { changes: { [a.uri]: all } },
      });
    }
  }
  return out;
}

/**
 * "Fix all" as LSP edits: only safe fixes, round after round with the document analysed again
 * (the selection is the rules' `fixAllTextEdits`, shared with the tests).
 */
export function fixAllTextEdits(a: DocumentAnalysis, settings?: AnalysisSettings): TextEdit[] {
  const text = a.analysis.doc?.text;
  if (text === undefined) return [];
  const path = uriPath(a.uri);
  const analyse = settings
    ? (t: string) => (t === text ? a.analysis.findings : analyze(t, path, settings).findings)
    : (t: string) => (t === text ? a.analysis.findings : []);
  return fixAllSpans(text, analyse).map(e => ({ range: a.lines.range(e.span), newText: e.newText }));
}
