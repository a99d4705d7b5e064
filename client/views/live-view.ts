// Wires the live view: the "S3 Encryption" tree, its live policy documents, its commands and the
// verdict status-bar item. extension.ts calls registerLiveView once and exports what it returns.
import * as vscode from 'vscode';
import type { LiveAnalyzeParams, LiveAnalyzeResult } from '../../protocol/protocol';
import { registerLiveCommands } from '../commands/live-commands';
import { registerObjectCommands, type ObjectsApi } from '../commands/object-commands';
import { defaultBatchUi, registerBatchCommands, type BatchUi } from '../commands/batch-commands';
import { serverJudge } from './judge';
import { LIVE_SCHEME, LiveDocuments } from './live-documents';
import type { LiveSettings } from './live-settings';
import type { Report } from './posture-model';
import { currentLiveSettings, PostureTreeProvider, VIEW_ID } from './posture-tree';
import { VerdictStatusBar } from './status-bar';

export interface LiveViewApi {
  /** The tree's data provider (getChildren / getTreeItem, as the view sees them). */
  provider: PostureTreeProvider;
  statusBar: VerdictStatusBar;
  /** Loads the posture again; resolves when the tree shows it. */
  refresh(): Promise<void>;
  /** The settings the view uses now (user settings only). */
  settings(): LiveSettings;
  report(): Report | undefined;
  /** The Objects nodes and the re-encryption command (client/commands/object-commands.ts). */
  objects: ObjectsApi;
  /** The questions the Batch Operations commands ask (the in-editor tests answer them). */
  batchUi: BatchUi;
}

export { LIVE_SCHEME };

export function registerLiveView(
  context: vscode.ExtensionContext,
  analyze: (p: LiveAnalyzeParams) => Promise<LiveAnalyzeResult>,
  log: vscode.LogOutputChannel,
): LiveViewApi {
  const docs = new LiveDocuments();
  const judge = serverJudge(analyze, msg => log.warn(msg));
  const provider = new PostureTreeProvider(judge, log, report => {
    // Open live documents follow the new report (an open policy editor shows the fresh text).
    const profile = currentLiveSettings().profile ?? 'default';
    for (const b of report.buckets) {
      if (b.policy.text) docs.update('bucket-policy', profile, b.region, b.name, b.policy.text);
      if (b.kmsKey?.policyText)
        docs.update('key-policy', profile, b.kmsKey.region ?? b.region, b.kmsKey.arn, b.kmsKey.policyText);
    }
  });
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  provider.attach(view);
  const statusBar = new VerdictStatusBar(analyze);
  const objects = registerObjectCommands({ provider, log, storage: context.globalStorageUri });
  const batchUi = defaultBatchUi();
  context.subscriptions.push(
    docs,
    provider,
    view,
    statusBar,
    vscode.workspace.registerTextDocumentContentProvider(LIVE_SCHEME, docs),
    ...registerLiveCommands({ provider, docs }),
    ...objects.disposables,
    ...registerBatchCommands({ provider, ui: batchUi }),
    vscode.workspace.onDidChangeConfiguration(e => {
      // A new profile, region list or endpoint: load again, if the view has been loaded at all.
      if (e.affectsConfiguration('s3EncryptionGuard.aws') && provider.current.settings) void provider.refresh();
    }),
  );
  return {
    provider,
    statusBar,
    refresh: () => provider.refresh(),
    settings: currentLiveSettings,
    report: () => provider.current.report,
    objects: objects.api,
    batchUi,
  };
}
