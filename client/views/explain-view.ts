// "S3 Encryption: Explain Enforcement": the report of a policy in a webview panel beside it.
//
// Why a webview and not the Markdown preview of a virtual document: the report needs coloured
// cells with words, collapsed details and links that reveal a statement in the policy, for saved
// files and untitled policies alike. The Markdown preview strips styling, and command links in it
// are limited to its own commands; file links do not reach an untitled document. A webview shows
// what we render, runs no script at all here (strict Content-Security-Policy, explain-html.ts), allows
// exactly one command URI, and like any webview is never a document: never "Untitled", never
// dirty, never asks to be saved.
//
// One panel per policy (and bucket): running the command again shows it and refreshes it; it follows
// the policy's edits while open.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

import { explainHtml, REVEAL_COMMAND } from './explain-html';
import { messageValue } from './ui-text';
import { EXPLAIN_COMMAND } from '../../protocol/protocol';
import type { ExplainReport, ExplainTarget } from '../../protocol/protocol';
import { TEMPLATE_LANGUAGES } from '../../protocol/protocol';

export const EXPLAIN_VIEW_TYPE = 's3EncryptionGuard.explainReport';
/** After the last keystroke, wait this long before asking the server again. */
const REFRESH_DELAY_MS = 600;

export type ExplainRequester = (
  uri: string,
  bucket: string | undefined,
  at?: ExplainTarget,
) => Promise<{ report: ExplainReport }>;

/** Languages whose documents may hold several policies (infrastructure templates, CDK output in JSON): the command asks about the one under the cursor. */
const MULTI_POLICY_LANGUAGES = new Set([...TEMPLATE_LANGUAGES, 'json']);

interface OpenReport {
  panel: vscode.WebviewPanel;
  uri: string;
  bucket?: string;
  /** In a template: which policy (its location once the server has named it, so that edits above it do not change the answer). */
  at?: ExplainTarget;
  /** Renders only the newest answer: an older request that resolves late is dropped. */
  generation: number;
  timer?: ReturnType<typeof setTimeout>;
}

const nonce = (): string => randomBytes(18).toString('base64');

/** Registers the Explain command and the command its statement links run. */
export function registerExplainView(request: ExplainRequester): vscode.Disposable {
  const open = new Map<string, OpenReport>();
  const keyOf = (uri: string, bucket?: string, location?: string) => `${uri}\u0000${bucket ?? ''}\u0000${location ?? ''}`;

  const render = async (r: OpenReport): Promise<void> => {
    const generation = ++r.generation;
    let html: string;
    try {
      const { report } = await request(r.uri, r.bucket, r.at);
      if (generation !== r.generation) return;
      if (report.location) r.at = report.location;
      r.panel.title = `Enforcement: ${messageValue(report.file, 60)}`;
      html = explainHtml(report, { nonce: nonce() });
    } catch (e) {
      if (generation !== r.generation) return;
      const msg = e instanceof Error ? e.message : String(e);
      html = explainHtml(
        {
          uri: r.uri,
          file: vscode.Uri.parse(r.uri).path.split('/').pop() ?? r.uri,
          kind: 'other',
          statements: [],
          sections: [],
          message: `The report could not be made: ${msg}. Run "S3 Encryption: Explain Enforcement" again, or see the "S3 Encryption Guard" output.`,
        },
        { nonce: nonce() },
      );
    }
    r.panel.webview.html = html;
  };

  async function explain(
    arg?: string | vscode.Uri,
    bucket?: string,
    location?: string,
  ): Promise<vscode.WebviewPanel | undefined> {
    const target = typeof arg === 'string' ? arg : (arg ?? vscode.window.activeTextEditor?.document.uri)?.toString();
    // A CodeLens in a template names its policy; otherwise the policy under the cursor of the active editor.
    const editor = vscode.window.activeTextEditor;
    const at: ExplainTarget | undefined =
      typeof location === 'string'
        ? location
        : editor && editor.document.uri.toString() === target && MULTI_POLICY_LANGUAGES.has(editor.document.languageId)
          ? { line: editor.selection.active.line, character: editor.selection.active.character }
          : undefined;
    if (!target) {
      void vscode.window.showInformationMessage(
        'S3 Encryption Guard: open a bucket policy or key policy first, then run "S3 Encryption: Explain Enforcement".',
      );
      return undefined;
    }
    const key = keyOf(
      target,
      typeof bucket === 'string' ? bucket : undefined,
      typeof location === 'string' ? location : undefined,
    );
    let r = open.get(key);
    if (r) {
      if (at) r.at = at;
      r.panel.reveal(vscode.ViewColumn.Beside, false);
    } else {
      const panel = vscode.window.createWebviewPanel(
        EXPLAIN_VIEW_TYPE,
        'Enforcement',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
        {
          enableScripts: false,
          enableForms: false,
          enableCommandUris: [REVEAL_COMMAND],
          localResourceRoots: [],
          enableFindWidget: true,
        },
      );
      r = { panel, uri: target, bucket: typeof bucket === 'string' ? bucket : undefined, at, generation: 0 };
      const entry = r;
      open.set(key, entry);
      panel.onDidDispose(() => {
        if (entry.timer) clearTimeout(entry.timer);
        open.delete(key);
      });
    }
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'S3 Encryption Guard: evaluating the policy' },
      () => render(r!),
    );
    return r.panel;
  }

  /** Shows a statement of a policy: the link target of every statement name in the report. */
  async function reveal(uri: unknown, ...at: unknown[]): Promise<void> {
    const n = at.map(x => (typeof x === 'number' && Number.isInteger(x) && x >= 0 ? x : 0));
    if (typeof uri !== 'string' || at.length !== 4) return;
    const range = new vscode.Range(n[0], n[1], n[2], n[3]);
    try {
      const target = vscode.Uri.parse(uri, true);
      const shown = vscode.window.visibleTextEditors.find(e => e.document.uri.toString() === target.toString());
      const editor = await vscode.window.showTextDocument(target, {
        viewColumn: shown?.viewColumn ?? vscode.ViewColumn.One,
        selection: range,
        preserveFocus: false,
      });
      editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    } catch (e) {
      void vscode.window.showErrorMessage(
        `S3 Encryption Guard: cannot open the policy: ${messageValue(e instanceof Error ? e.message : String(e))}`,
      );
    }
  }

  const refreshLater = (uri: string) => {
    for (const r of open.values()) {
      if (r.uri !== uri) continue;
      if (r.timer) clearTimeout(r.timer);
      r.timer = setTimeout(() => {
        r.timer = undefined;
        void render(r);
      }, REFRESH_DELAY_MS);
    }
  };

  return vscode.Disposable.from(
    vscode.commands.registerCommand(EXPLAIN_COMMAND, explain),
    vscode.commands.registerCommand(REVEAL_COMMAND, reveal),
    vscode.workspace.onDidChangeTextDocument(e => {
      if (e.contentChanges.length) refreshLater(e.document.uri.toString());
    }),
    {
      dispose: () => {
        for (const r of [...open.values()]) r.panel.dispose();
      },
    },
  );
}
