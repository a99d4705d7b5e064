// The status-bar item: the active policy file's verdict in a few marks (a bucket policy: HTTPS, SSE,
// TLS as the live view's checks judge them; a key policy: its administrators, who can use it, S3),
// with the whole summary (the CodeLens's) in the tooltip; hidden for any other file; click → Explain
// Enforcement. The summary holds bucket names and key ARNs from the policy: ui-text.ts keeps Markdown
// in them out of the tooltip; the text holds only our words.
import * as vscode from 'vscode';
import type { BucketVerdict, KeyPolicyVerdict } from '../../shared/types';
import { keyPolicyMarks, policyChecks, policyMarks, worstStatus } from '../../aws/checks';
import type { CheckStatus } from '../../aws/types';
import type { LiveAnalyzeParams, LiveAnalyzeResult } from '../../protocol/protocol';
import { LIVE_SCHEME } from './live-documents';
import { liveRequirements } from './live-settings';
import { verdictStatusText, verdictTooltip } from './ui-text';
import { EXPLAIN_COMMAND } from '../../protocol/protocol';
import { TEMPLATE_LANGUAGES } from '../../protocol/protocol';

const SCHEMES = new Set(['file', 'untitled', LIVE_SCHEME]);
const LANGUAGES = new Set(['json', 'jsonc', ...TEMPLATE_LANGUAGES]);
const DEBOUNCE_MS = 300;

export class VerdictStatusBar implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('s3EncryptionGuard.verdict', vscode.StatusBarAlignment.Right, 100);
  private readonly disposables: vscode.Disposable[] = [];
  private timer?: NodeJS.Timeout;
  private generation = 0;
  /** What the item shows now, for tests: undefined when hidden. `location`: the template's policy it is about. */
  shown?: { uri: string; kind: string; text: string; tooltip: string; location?: string };
  /** The active document holds several policies (a template): the item follows the cursor. */
  private followsCursor = false;

  constructor(private readonly analyze: (p: LiveAnalyzeParams) => Promise<LiveAnalyzeResult>) {
    this.item.name = 'S3 Encryption Guard verdict';
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule(0)),
      // In a template the item is about the policy under the cursor.
      vscode.window.onDidChangeTextEditorSelection(e => {
        if (e.textEditor === vscode.window.activeTextEditor && this.followsCursor) this.schedule();
      }),
      vscode.workspace.onDidChangeTextDocument(e => {
        if (e.document === vscode.window.activeTextEditor?.document) this.schedule();
      }),
      // The server may still be analysing a just-opened document: its diagnostics mean it is done.
      vscode.languages.onDidChangeDiagnostics(e => {
        const active = vscode.window.activeTextEditor?.document.uri.toString();
        if (active && e.uris.some(u => u.toString() === active)) this.schedule(0);
      }),
    );
    this.schedule(0);
  }

  private schedule(delay = DEBOUNCE_MS): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), delay);
  }

  /** Recomputes the item for the active editor now. */
  async update(): Promise<void> {
    const gen = ++this.generation;
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || !SCHEMES.has(doc.uri.scheme) || !LANGUAGES.has(doc.languageId)) return this.hide();
    const cursor = vscode.window.activeTextEditor?.selection.active;
    let r: LiveAnalyzeResult;
    try {
      r = await this.analyze({
        uri: doc.uri.toString(),
        ...(cursor ? { position: { line: cursor.line, character: cursor.character } } : {}),
      });
    } catch {
      return gen === this.generation ? this.hide() : undefined; // server not ready or restarting: the next event updates it
    }
    if (gen !== this.generation) return;
    this.followsCursor = r.location !== undefined || TEMPLATE_LANGUAGES.includes(doc.languageId);
    if ((r.kind !== 'bucket-policy' && r.kind !== 'key-policy') || !r.summary.length || !r.verdict) return this.hide();
    // The requirements of the document's folder, as the language server reads them for it.
    const requirements = liveRequirements(vscode.workspace.getConfiguration('s3EncryptionGuard', doc.uri).get('requirements'));
    const marks =
      r.kind === 'key-policy'
        ? keyPolicyMarks(r.verdict as KeyPolicyVerdict)
        : policyMarks(policyChecks(r.verdict as BucketVerdict, true, requirements));
    const worstMark: CheckStatus = worstStatus(marks) ?? 'pass';
    const state = !r.verdict.complete && worstMark === 'pass' ? 'warn' : worstMark;
    const icon =
      state === 'pass' ? (r.kind === 'key-policy' ? '$(key)' : '$(shield)') : state === 'warn' ? '$(warning)' : '$(error)';
    this.item.text = `${icon} ${verdictStatusText(r.kind, marks, r.summary.length)}`;
    const markdown = verdictTooltip(r.kind, r.summary);
    const tip = new vscode.MarkdownString(markdown);
    tip.isTrusted = false;
    tip.supportHtml = false;
    this.item.tooltip = tip;
    this.item.command = {
      title: 'Explain Enforcement',
      command: EXPLAIN_COMMAND,
      arguments: r.location ? [doc.uri.toString(), undefined, r.location] : [doc.uri.toString()],
    };
    this.item.backgroundColor = state === 'fail' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
    this.shown = {
      uri: doc.uri.toString(),
      kind: r.kind,
      text: this.item.text,
      tooltip: markdown,
      ...(r.location ? { location: r.location } : {}),
    };
  }

  private hide(): void {
    this.item.hide();
    this.shown = undefined;
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
