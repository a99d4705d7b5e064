// The status-bar item: the active policy file's verdict (a bucket policy: the CodeLens summary; a
// key policy: the key verdict's summary), hidden for any other file; click → Explain Enforcement.
// The summary holds bucket names and key ARNs from the policy: uiText.ts keeps `$(icon)` in them
// out of the text and Markdown out of the tooltip.
import * as vscode from 'vscode';
import type { BucketVerdict, KeyPolicyVerdict } from '../../../server/src/engine/types';
import { keyVerdictStatus } from './postureModel';
import type { LiveAnalyzeParams, LiveAnalyzeResult } from '../../../server/src/features/liveProtocol';
import { LIVE_SCHEME } from './liveDocuments';
import { verdictStatusText, verdictTooltip } from './uiText';

const SCHEMES = new Set(['file', 'untitled', LIVE_SCHEME]);
const LANGUAGES = new Set(['json', 'jsonc']);
const DEBOUNCE_MS = 300;

export class VerdictStatusBar implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('s3EncryptionGuard.verdict', vscode.StatusBarAlignment.Right, 100);
  private readonly disposables: vscode.Disposable[] = [];
  private timer?: NodeJS.Timeout;
  private generation = 0;
  /** What the item shows now, for tests: undefined when hidden. */
  shown?: { uri: string; kind: string; text: string };

  constructor(private readonly analyze: (p: LiveAnalyzeParams) => Promise<LiveAnalyzeResult>) {
    this.item.name = 'S3 Encryption Guard verdict';
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule(0)),
      vscode.workspace.onDidChangeTextDocument(e => { if (e.document === vscode.window.activeTextEditor?.document) this.schedule(); }),
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
    let r: LiveAnalyzeResult;
    try {
      r = await this.analyze({ uri: doc.uri.toString() });
    } catch {
      return gen === this.generation ? this.hide() : undefined; // server not ready or restarting: the next event updates it
    }
    if (gen !== this.generation) return;
    if ((r.kind !== 'bucket-policy' && r.kind !== 'key-policy') || !r.summary.length) return this.hide();
    const state = r.kind === 'key-policy' ? keyVerdictStatus(r.verdict as KeyPolicyVerdict) : bucketStatus(r.verdict as BucketVerdict | null);
    const icon = state === 'pass' ? (r.kind === 'key-policy' ? '$(key)' : '$(shield)') : state === 'warn' ? '$(warning)' : '$(error)';
    this.item.text = `${icon} ${verdictStatusText(r.summary)}`;
    const tip = new vscode.MarkdownString(verdictTooltip(r.kind, r.summary));
    tip.isTrusted = false;
    tip.supportHtml = false;
    this.item.tooltip = tip;
    this.item.command = { title: 'Explain Enforcement', command: 's3EncryptionGuard.explain', arguments: [doc.uri.toString()] };
    this.item.backgroundColor = state === 'fail' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
    this.shown = { uri: doc.uri.toString(), kind: r.kind, text: this.item.text };
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

function bucketStatus(v: BucketVerdict | null): 'pass' | 'warn' | 'fail' {
  if (!v) return 'warn';
  if (v.transport.http !== 'denied') return 'fail';
  return v.complete ? 'pass' : 'warn';
}
