// Activation: start the language server over IPC and register the client-side commands.
import * as vscode from 'vscode';
import { SERVER_NODE_FLAGS } from '../../server/src/runtime';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

export interface ExtensionApi {
  /** Resolves once the language server has answered `initialize`. */
  ready: Promise<void>;
  /** Milliseconds from activate() to the server being ready. */
  activationMs(): number | undefined;
}

let client: LanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const t0 = Date.now();
  let readyAt: number | undefined;
  const output = vscode.window.createOutputChannel('S3 Encryption Guard', { log: true });
  context.subscriptions.push(output);

  const serverModule = context.asAbsolutePath('dist/server/server.js');
  const execArgv = [...SERVER_NODE_FLAGS];
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...execArgv, '--nolazy', '--inspect=6010'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'json' },
      { scheme: 'file', language: 'jsonc' },
      { scheme: 'untitled', language: 'json' },
      { scheme: 'untitled', language: 'jsonc' },
    ],
    outputChannel: output,
    synchronize: { configurationSection: 's3EncryptionGuard' },
  };
  client = new LanguageClient('s3EncryptionGuard', 'S3 Encryption Guard', serverOptions, clientOptions);
  const ready = client.start().then(() => {
    readyAt = Date.now();
    output.info(`language server ready ${readyAt - t0} ms after activation`);
  }, (e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    output.error(`the language server did not start: ${msg}`);
    void vscode.window.showErrorMessage(`S3 Encryption Guard: the language server did not start (${msg}). See the "S3 Encryption Guard" output for details, then run "S3 Encryption Guard: Restart Language Server".`);
    throw e;
  });

  context.subscriptions.push(
    vscode.commands.registerCommand('s3EncryptionGuard.restartServer', async () => {
      if (!client) return;
      await client.restart();
      output.info('language server restarted');
    }),
    vscode.commands.registerCommand('s3EncryptionGuard.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('s3EncryptionGuard.explain', (uri?: string | vscode.Uri, bucket?: string) => explain(uri, bucket)),
  );

  /** Opens the Explain report of a policy (the active editor's by default) beside it. */
  async function explain(uri?: string | vscode.Uri, bucket?: string): Promise<vscode.TextDocument | undefined> {
    const target = typeof uri === 'string' ? uri : (uri ?? vscode.window.activeTextEditor?.document.uri)?.toString();
    if (!target || !client) {
      void vscode.window.showInformationMessage('S3 Encryption Guard: open a bucket policy first, then run "S3 Encryption: Explain Enforcement".');
      return undefined;
    }
    await ready;
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'S3 Encryption Guard: evaluating the policy' },
      () => client!.sendRequest<{ markdown: string }>('s3EncryptionGuard/explain', { uri: target, bucket }),
    );
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: report.markdown });
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    return doc;
  }

  return { ready, activationMs: () => (readyAt === undefined ? undefined : readyAt - t0) };
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop().catch(() => undefined);
  client = undefined;
}
