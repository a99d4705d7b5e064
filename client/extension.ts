// Activation: start the language server over IPC and register the client-side commands.
import * as vscode from 'vscode';
import { SERVER_NODE_FLAGS } from '../protocol/protocol';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { ANALYZE_REQUEST, type LiveAnalyzeParams, type LiveAnalyzeResult } from '../protocol/protocol';
import { EXPLAIN_REQUEST, type ExplainReport } from '../protocol/protocol';
import { registerExplainView } from './views/explain-view';
import { LIVE_SCHEME, registerLiveView, type LiveViewApi } from './views/live-view';
import { registerNewPolicyCommands } from './commands/new-policy';
import { registerRuleDocsCommand } from './commands/rule-docs';
import { messageValue } from './views/ui-text';
import { OPEN_FILE_COMMAND } from '../protocol/protocol';
import { TEMPLATE_LANGUAGES } from '../protocol/protocol';
import { DECIDE_REQUEST, type DecideParams, type DecideResult } from '../protocol/protocol';
import { registerFixCommands, type FixApi } from './commands/fix-commands';
import { serverJudge } from './views/judge';

export interface ExtensionApi {
  /** Resolves once the language server has answered `initialize`. */
  ready: Promise<void>;
  /** Milliseconds from activate() to the server being ready. */
  activationMs(): number | undefined;
  /** The "S3 Encryption" live view (tree, commands, status bar). */
  liveView: LiveViewApi;
  /** Fix Bucket Settings and Undo Last Change (commands/fix-commands.ts). */
  fix: FixApi;
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
    debug: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: [...execArgv, '--nolazy', '--inspect=6010'] },
    },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'json' },
      { scheme: 'file', language: 'jsonc' },
      { scheme: 'untitled', language: 'json' },
      { scheme: 'untitled', language: 'jsonc' },
      // Infrastructure templates (CloudFormation YAML, CDK output, Terraform): the server answers
      // only for the ones its scanners claim; other YAML (CI, Kubernetes) gets nothing.
      ...TEMPLATE_LANGUAGES.flatMap(language => [
        { scheme: 'file', language },
        { scheme: 'untitled', language },
      ]),
      // Live bucket and key policies opened from the S3 Encryption view (views/live-documents.ts).
      { scheme: LIVE_SCHEME, language: 'json' },
    ],
    outputChannel: output,
    synchronize: {
      configurationSection: 's3EncryptionGuard',
      // Key policies linked to bucket policies (cross-document check) are watched on disk.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.key-policy.json'),
    },
  };
  client = new LanguageClient('s3EncryptionGuard', 'S3 Encryption Guard', serverOptions, clientOptions);
  const ready = client.start().then(
    () => {
      readyAt = Date.now();
      output.info(`language server ready ${readyAt - t0} ms after activation`);
    },
    (e: unknown) => {
      const msg = e instanceof Error ? e.message : String(e);
      output.error(`the language server did not start: ${msg}`);
      void vscode.window.showErrorMessage(
        `S3 Encryption Guard: the language server did not start (${msg}). See the "S3 Encryption Guard" output for details, then run "S3 Encryption Guard: Restart Language Server".`,
      );
      throw e;
    },
  );

  /** One request to the language server, once it is running. */
  const request = async <R>(method: string, params: unknown): Promise<R> => {
    await ready;
    if (!client) throw new Error('the language server is not running');
    return client.sendRequest<R>(method, params);
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('s3EncryptionGuard.restartServer', async () => {
      if (!client) return;
      await client.restart();
      output.info('language server restarted');
    }),
    vscode.commands.registerCommand('s3EncryptionGuard.showOutput', () => output.show(true)),
    // Opens the key policy a bucket policy's key CodeLens links to (cross-document check).
    vscode.commands.registerCommand(OPEN_FILE_COMMAND, async (uri: string) => {
      try {
        await vscode.window.showTextDocument(vscode.Uri.parse(uri), { preview: true });
      } catch (e) {
        void vscode.window.showErrorMessage(
          `S3 Encryption Guard: cannot open ${messageValue(String(uri))}: ${messageValue(e instanceof Error ? e.message : String(e))}`,
        );
      }
    }),
    // "S3 Encryption: Explain Enforcement": the report view (views/explain-view.ts).
    registerExplainView((uri, bucket, at) => request<{ report: ExplainReport }>(EXPLAIN_REQUEST, { uri, bucket, at })),
    ...registerNewPolicyCommands(request),
    registerRuleDocsCommand(context.extensionUri),
  );

  const analyzePolicy = (p: LiveAnalyzeParams): Promise<LiveAnalyzeResult> => request<LiveAnalyzeResult>(ANALYZE_REQUEST, p);
  const liveView = registerLiveView(context, analyzePolicy, output);
  const decide = async (p: DecideParams): Promise<DecideResult> => {
    await ready;
    if (!client) throw new Error('the language server is not running');
    return client.sendRequest<DecideResult>(DECIDE_REQUEST, p);
  };
  const fix = registerFixCommands({
    context,
    provider: liveView.provider,
    judge: serverJudge(analyzePolicy, msg => output.warn(msg)),
    decide,
    log: output,
  });
  context.subscriptions.push(...fix.disposables);

  return { ready, activationMs: () => (readyAt === undefined ? undefined : readyAt - t0), liveView, fix: fix.api };
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop().catch(() => undefined);
  client = undefined;
}
