// LSP wiring only: connection, documents, settings, the analysis queue. Every feature is an adapter
// over the one cached analysis per document version (features/); the caches and indexes beside it
// are bounded by bytes and live beside it (analysis-cache.ts, analysis-queue.ts, workspace-key-policies.ts).
import {
  type CancellationToken,
  createConnection,
  DiagnosticSeverity,
  DidChangeConfigurationNotification,
  FileChangeType,
  LSPErrorCodes,
  Message,
  MessageType,
  ProposedFeatures,
  ResponseError,
  ShowMessageNotification,
  TextDocuments,
  TextDocumentSyncKind,
  type Diagnostic,
  type InitializeResult,
  type ResponseMessage,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { createHash } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { AnalysisCache } from './analysis-cache';
import { AnalysisQueue } from './analysis-queue';
import { BoundedCache } from '../core/bounded-cache';
import { codeActions, FIX_ALL_KIND } from './features/code-actions';
import { codeLenses } from './features/code-lens';
import { completion, COMPLETION_TRIGGER_CHARACTERS, resolveCompletion } from './features/completion';
import { SOURCE, toDiagnostics } from './features/diagnostics';
import { analyzeDocument, uriPath, type CrossContext, type DocumentAnalysis } from './features/document-analysis';
import { explainReport } from '../core/explain';
import { EXPLAIN_REQUEST, type ExplainReport } from '../protocol/protocol';
import { hover } from './features/hover';
import { decide, DECIDE_REQUEST, parseDecideParams } from './features/live-decide';
import {
  ANALYZE_REQUEST,
  analyzeText,
  liveDocumentSettings,
  liveResult,
  parseLiveParams,
  liveKeyArn,
} from './features/live-analysis';
import { fsPath, once, WorkspaceKeyPolicies } from './workspace-key-policies';
import { failureReason, logValue, ruleFailuresLine } from './server-log';
import { toServerSettings, type ServerSettings } from './settings';
import { CHECK_ANSWER_REQUEST, GENERATE_POLICY_REQUEST, STATS_REQUEST } from '../protocol/protocol';
import { checkAnswer, generatePolicy } from './features/new-policy';
import * as templates from './features/templates';

/** Typing pauses this long before a document is analysed again (initializationOptions.debounceMs overrides it, e.g. for benchmarks). */
let debounceMs = 150;

/** Counters for the stats request (see there). */
const stats = {
  analyses: 0,
  publications: 0,
  unchangedSkipped: 0,
  staleDropped: 0,
  crossRechecks: 0,
  cancelledRequests: 0,
  ruleFailures: 0,
};
const eventLoopDelay = monitorEventLoopDelay({ resolution: 10 });
eventLoopDelay.enable();

// A request cancelled while still waiting in the message queue is answered at once, without running.
const connection = createConnection(ProposedFeatures.all, {
  cancelUndispatched: (message: Message): ResponseMessage | undefined => {
    if (!Message.isRequest(message)) return undefined;
    stats.cancelledRequests++;
    return { jsonrpc: '2.0', id: message.id, error: cancelled().toJson() };
  },
});
const documents = new TextDocuments(TextDocument);

/**
 * The latest analysis of recently used documents, bounded by the heap they retain (an analysis
 * retains up to ~100 bytes per character of its document: analysis-cache.ts). A feature that needs
 * one that was dropped computes it again (a few ms). An analysis estimated over 16 MB (a document
 * over ~160 KB, far beyond AWS's 20 KB and 32 KB policy limits) is not kept at all.
 */
const cache = new AnalysisCache({ maxBytes: 64 * 1024 * 1024, maxEntryBytes: 16 * 1024 * 1024 });
/** Each open document's settings (its folder's, as the client resolved them for its URI). */
const settingsCache = new BoundedCache<string, Promise<ServerSettings>>({ maxBytes: 4 * 1024 * 1024 });
/** The kind line last logged per document, so that it is logged when it changes. */
const loggedKinds = new BoundedCache<string, string>({ maxBytes: 256 * 1024 });
/** The version whose rule failures were last logged, per document. */
const loggedFailures = new Map<string, number>();
/** A digest of the diagnostics last published per document: the same set is not sent again. */
const lastPublished = new Map<string, string>();
const queue = new AnalysisQueue(uri => validate(uri));
let pullConfiguration = false;

const cancelled = () => new ResponseError(LSPErrorCodes.RequestCancelled, 'The request was cancelled.');
/** Throws the LSP RequestCancelled error when the client has cancelled the request. */
function checkCancelled(token: CancellationToken | undefined): void {
  if (!token?.isCancellationRequested) return;
  stats.cancelledRequests++;
  throw cancelled();
}
/** Give the event loop back once, so that what the client sent meanwhile (a cancellation, a newer version) is read. */
const yieldToLoop = (): Promise<void> => new Promise(resolve => setImmediate(resolve));

// Key policies of the workspace, for the cross-document check (workspace-key-policies.ts).
const keyPolicies = new WorkspaceKeyPolicies({
  isOpen: p => documents.all().some(d => fsPath(d.uri) === p),
  log: connection.console,
  warnUser: message => void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message }),
  stale: uri => cache.delete(uri),
  recheck: uri => {
    stats.crossRechecks++;
    queue.soon(uri);
  },
});

let initSettings: ServerSettings = toServerSettings({});

connection.onInitialize(async (params): Promise<InitializeResult> => {
  await templates.initTemplates(m => connection.console.info(m));
  pullConfiguration = !!params.capabilities.workspace?.configuration;
  const folders = params.workspaceFolders?.map(f => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
  keyPolicies.setFolders(folders);
  // Editors that cannot answer workspace/configuration pass settings here instead.
  const init = params.initializationOptions as
    { settings?: unknown; debounceMs?: unknown; crossDebounceMs?: unknown } | undefined;
  initSettings = toServerSettings(init?.settings ?? init);
  const ms = (v: unknown): number | undefined =>
    typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.min(v, 60_000) : undefined;
  debounceMs = ms(init?.debounceMs) ?? debounceMs;
  // How long a key policy's typing pauses before the bucket policies linked to it are re-checked.
  keyPolicies.debounceMs = ms(init?.crossDebounceMs) ?? keyPolicies.debounceMs;
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      completionProvider: { triggerCharacters: COMPLETION_TRIGGER_CHARACTERS, resolveProvider: true },
      codeActionProvider: { codeActionKinds: ['quickfix', FIX_ALL_KIND] },
      codeLensProvider: { resolveProvider: false },
    },
    serverInfo: { name: 's3-encryption-guard', version: '0.1.0' },
  };
});

connection.onInitialized(() => {
  void keyPolicies
    .indexWorkspace()
    .catch(e => connection.console.error(`cross-document check: indexing the workspace failed: ${failureReason(e)}`));
  if (pullConfiguration) {
    void connection.client
      .register(DidChangeConfigurationNotification.type, { section: 's3EncryptionGuard' })
      .catch(() => undefined);
  }
});

const reportedProblems = new Set<string>();
/** Tell the user once per distinct problem that their requirements setting is wrong, and how. */
function reportSettingProblems(s: ServerSettings): ServerSettings {
  const problems = logValue(s.requirementProblems.join('; '), 1000);
  if (problems && once(reportedProblems, problems)) {
    connection.console.warn(`s3EncryptionGuard.requirements: ${problems}`);
    // A notification, not window/showMessageRequest: some editors do not answer requests they do not know.
    void connection.sendNotification(ShowMessageNotification.type, {
      type: MessageType.Warning,
      message: `S3 Encryption Guard: the setting s3EncryptionGuard.requirements has problems (those fields use their defaults): ${problems}`,
    });
  }
  return s;
}

/** A client that never answers workspace/configuration must not hold the analyses up: its defaults are used after this long. */
const CONFIGURATION_TIMEOUT_MS = 10_000;

function settingsFor(uri: string): Promise<ServerSettings> {
  if (!pullConfiguration) return Promise.resolve(liveDocumentSettings(uri, initSettings));
  const cached = settingsCache.get(uri);
  if (cached) return cached;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>(resolve => {
    timer = setTimeout(() => resolve(undefined), CONFIGURATION_TIMEOUT_MS);
  });
  const asked = connection.workspace.getConfiguration({ scopeUri: uri, section: 's3EncryptionGuard' }).then(
    (raw: unknown) => ({ raw }),
    () => undefined,
  );
  const pending: Promise<ServerSettings> = Promise.race([asked, timeout]).then(answer => {
    clearTimeout(timer);
    // No answer (or an error): the initial settings, and the client is asked again next time.
    if (!answer) {
      if (settingsCache.peek(uri) === pending) settingsCache.delete(uri);
      return liveDocumentSettings(uri, initSettings);
    }
    if (settingsCache.peek(uri) === pending) settingsCache.resize(uri, settingsBytes(answer.raw));
    return liveDocumentSettings(uri, reportSettingProblems(toServerSettings(answer.raw)));
  });
  settingsCache.set(uri, pending, settingsBytes(undefined));
  return pending;
}

/** What one document's settings retain: the validated copy of the client's answer, estimated from its JSON. */
function settingsBytes(raw: unknown): number {
  let json = 0;
  try {
    json = JSON.stringify(raw)?.length ?? 0;
  } catch {
    /* a cycle cannot come over JSON-RPC */
  }
  return 2048 + 4 * json;
}

connection.onDidChangeConfiguration(change => {
  settingsCache.clear();
  cache.clear();
  keyPolicies.settingsChanged();
  templates.forgetAllTemplates();
  if (!pullConfiguration)
    initSettings = toServerSettings((change.settings as { s3EncryptionGuard?: unknown } | undefined)?.s3EncryptionGuard);
  for (const d of documents.all()) queue.schedule(d.uri, 0);
});

/**
 * The analysis of a document's current version: the cached one, or a new one (which updates the
 * key-policy index and links, and logs the document's kind and rule failures).
 */
function analyseNow(doc: TextDocument, settings: ServerSettings, cross: CrossContext | undefined): DocumentAnalysis {
  const { uri, version } = doc;
  const hit = cache.get(uri, version);
  if (hit) return hit;
  stats.analyses++;
  const result = analyzeDocument(uri, version, doc.getText(), settings, cross);
  cache.remember(result);
  const { kind, ruleFailures, doc: parsed } = result.analysis;
  keyPolicies.analysed(uri, kind.kind, result.keyLinks, cross, parsed);
  const line = logValue(`${kind.kind} (${kind.reason})`, 300);
  if (loggedKinds.peek(uri) !== line) {
    loggedKinds.set(uri, line, 2 * (uri.length + line.length) + 64);
    connection.console.info(
      `${logValue(uriPath(uri))}: ${line}; ${result.analysis.findings.length} problem(s) in ${result.ms.toFixed(1)} ms`,
    );
  }
  if (ruleFailures.length && loggedFailures.get(uri) !== version) {
    loggedFailures.set(uri, version);
    stats.ruleFailures += ruleFailures.length;
    connection.console.error(ruleFailuresLine(uriPath(uri), version, ruleFailures));
  }
  return result;
}

/** The key-policy links of a document, or none if they cannot be worked out (the document's own diagnostics still publish). */
async function crossContextOrNone(uri: string, settings: ServerSettings): Promise<CrossContext | undefined> {
  try {
    return await keyPolicies.crossContext(uri, settings);
  } catch (e) {
    connection.console.error(`${logValue(uriPath(uri))}: cross-document check skipped (please report this): ${failureReason(e)}`);
    return undefined;
  }
}

/** Send diagnostics unless they are the ones the client already has for this document. */
async function publish(uri: string, version: number, diagnostics: Diagnostic[]): Promise<void> {
  // `data` carries the version (code actions also match a diagnostic by code and range): not a change.
  const digest = createHash('sha1')
    .update(JSON.stringify(diagnostics, (k: string, v: unknown) => (k === 'data' ? undefined : v)))
    .digest('base64');
  if (lastPublished.get(uri) === digest) {
    stats.unchangedSkipped++;
    return;
  }
  lastPublished.set(uri, digest);
  stats.publications++;
  await connection.sendDiagnostics({ uri, version, diagnostics });
}

/** Shown instead of a document's diagnostics when its analysis failed as a whole (a bug of ours). */
function analysisFailedDiagnostic(e: unknown): Diagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
    severity: DiagnosticSeverity.Information,
    code: 'analysis-failed',
    source: SOURCE,
    message:
      `Not analysed: an internal error stopped the analysis of this version (${failureReason(e)}). ` +
      'The problems shown before were removed, as they may no longer apply; the next edit analyses the document again. Please report this.',
  };
}

/** Diagnostics for a document's current version (run by the queue, one document at a time). */
async function validate(uri: string): Promise<void> {
  const doc = documents.get(uri);
  if (!doc) return;
  const { version } = doc;
  const stale = (): boolean => {
    if (documents.get(uri)?.version === version) return false;
    stats.staleDropped++; // a newer version has its own analysis pending (or the document was closed)
    return true;
  };
  try {
    const settings = await settingsFor(uri);
    if (stale()) return;
    const cross = cache.get(uri, version) ? undefined : await crossContextOrNone(uri, settings);
    if (stale()) return;
    const result = analyseNow(doc, settings, cross);
    await publish(uri, version, toDiagnostics(result));
  } catch (e) {
    // One bad document must never stop the others from getting diagnostics, nor keep stale ones.
    if (stale()) return;
    connection.console.error(
      `${logValue(uriPath(uri))} (version ${version}): analysis failed (please report this): ${failureReason(e)}`,
    );
    await publish(uri, version, [analysisFailedDiagnostic(e)]).catch(() => undefined);
  }
}

documents.onDidOpen(e => {
  void settingsFor(e.document.uri); // asked now, answered by the time the analysis runs
  queue.schedule(e.document.uri, 0);
});
documents.onDidChangeContent(e => {
  queue.schedule(e.document.uri, debounceMs);
  keyPolicies.edited(e.document.uri);
});
connection.onDidChangeWatchedFiles(change =>
  keyPolicies.filesChanged(change.changes.map(c => ({ uri: c.uri, deleted: c.type === FileChangeType.Deleted }))),
);

documents.onDidClose(e => {
  const { uri } = e.document;
  keyPolicies.closed(uri);
  queue.cancel(uri);
  cache.delete(uri);
  settingsCache.delete(uri);
  loggedKinds.delete(uri);
  loggedFailures.delete(uri);
  lastPublished.delete(uri);
  templates.forgetTemplate(uri);
  void connection.sendDiagnostics({ uri, diagnostics: [] });
});

/**
 * The analysis of the document's current version for a request, computing it now if the debounce
 * has not run yet. Throws RequestCancelled when the client cancels the request before the answer.
 */
async function current(uri: string, token?: CancellationToken): Promise<DocumentAnalysis | undefined> {
  checkCancelled(token);
  const doc = documents.get(uri);
  if (!doc) return undefined;
  const hit = cache.get(uri, doc.version);
  if (hit) return hit;
  // Read what is waiting first: this request's cancellation, a newer version of the document.
  await yieldToLoop();
  checkCancelled(token);
  const settings = await settingsFor(uri);
  checkCancelled(token);
  const cross = await crossContextOrNone(uri, settings);
  checkCancelled(token);
  const latest = documents.get(uri);
  return latest && analyseNow(latest, settings, cross);
}

connection.onHover(async (p, token) => {
  const a = await current(p.textDocument.uri, token);
  return a ? hover(a, p.position) : null;
});

connection.onCompletion(async (p, token) => {
  const a = await current(p.textDocument.uri, token);
  return a ? completion(a, p.position) : null;
});

connection.onCompletionResolve(item => resolveCompletion(item));

connection.onCodeAction(async (p, token) => {
  const a = await current(p.textDocument.uri, token);
  if (!a) return [];
  const settings = await settingsFor(p.textDocument.uri);
  checkCancelled(token);
  return codeActions(a, p, settings);
});

connection.onCodeLens(async (p, token) => {
  const a = await current(p.textDocument.uri, token);
  if (!a) return [];
  const settings = await settingsFor(p.textDocument.uri);
  checkCancelled(token);
  return codeLenses(a, settings.requirements.minTlsVersion);
});

// The "New … Policy" commands: each answer checked as it is typed, then the policy written.
connection.onRequest(CHECK_ANSWER_REQUEST, (raw: unknown) => checkAnswer(raw));
connection.onRequest(GENERATE_POLICY_REQUEST, (raw: unknown) => generatePolicy(raw));

/**
 * The Explain report as data (features/explain.ts ExplainReport) for the client's report view
 * ("S3 Encryption: Explain Enforcement"); the view escapes and renders it.
 */
connection.onRequest(EXPLAIN_REQUEST, async (raw: unknown, token: CancellationToken): Promise<{ report: ExplainReport }> => {
  const p = raw as { uri?: unknown; bucket?: unknown; at?: unknown } | null;
  if (!p || typeof p.uri !== 'string') throw new Error(`${EXPLAIN_REQUEST} expects { uri, bucket? }`);
  const uri = p.uri;
  const bucket = typeof p.bucket === 'string' ? p.bucket : undefined;
  const a = await current(uri, token);
  if (!a)
    return {
      report: {
        uri,
        file: uriPath(uri).split('/').pop() ?? uri,
        kind: 'other',
        message: 'The document is not open in the editor.',
        statements: [],
        sections: [],
      },
    };
  const settings = await settingsFor(uri);
  checkCancelled(token);
  // A few hundred to ten thousand evaluations: let a queued edit or cancellation in first.
  await yieldToLoop();
  checkCancelled(token);
  if (a.template) return { report: templates.explainTemplate(a, p.at, bucket, settings.requirements.minTlsVersion) };
  return {
    report: explainReport({
      uri,
      analysis: a.analysis,
      lines: a.lines,
      bucket,
      wantedTls: settings.requirements.minTlsVersion,
      keyArn: liveKeyArn(uri),
    }),
  };
});

/**
 * A policy's verdict and diagnostics: `{ text, kind, bucket? }` for text that is not a document
 * (the live view's bucket and key policies), or `{ uri }` for an open document (the status bar).
 */
const LIVE_SETTINGS_URI = 's3-encryption-guard:/live';
connection.onRequest(ANALYZE_REQUEST, async (raw: unknown, token: CancellationToken) => {
  const p = parseLiveParams(raw);
  if (!p) throw new Error('s3EncryptionGuard/analyze expects { text, kind: "bucket-policy" | "key-policy", bucket? } or { uri }');
  if ('uri' in p) {
    const a = await current(p.uri, token);
    if (!a) return { kind: 'unknown', verdict: null, summary: [], diagnostics: [] };
    const settings = await settingsFor(p.uri);
    checkCancelled(token);
    if (a.template) return templates.templateLiveResult(a, p.position, settings.requirements.minTlsVersion);
    return liveResult(a.analysis, a.lines, undefined, settings.requirements.minTlsVersion);
  }
  const settings = await settingsFor(LIVE_SETTINGS_URI);
  await yieldToLoop();
  checkCancelled(token);
  stats.analyses++;
  return analyzeText(p.text, p.kind, p.bucket, settings, p.diagnostics !== false, p.keyArn);
});

/** The engine's decision on single requests (the bucket fix's lock-out guard, protocol/decide.ts). */
connection.onRequest(DECIDE_REQUEST, (raw: unknown) => {
  const p = parseDecideParams(raw);
  if (!p) throw new Error('s3EncryptionGuard/decide expects { text, bucket, requests: Request[] }');
  return decide(p);
});

/**
 * Figures for the benchmark, the fuzzer (scripts/fuzz) and bug reports ("S3 Encryption Guard: Show
 * Output"). Fields (counts are since the server started):
 *   openDocuments        documents the editor has open
 *   cachedAnalyses       analyses in the cache
 *   cachedAnalysisBytes  their estimated heap (analysis-cache.ts; the cache keeps it under 64 MB)
 *   keyPolicies          key policies in the cross-document index
 *   keyIndexBytes        the index's estimated heap (texts plus the parsed models it keeps)
 *   pendingAnalyses      documents waiting for an analysis for diagnostics (or in one), now
 *   pendingRechecks      bucket policies waiting for a key policy they link to to stop changing, now
 *   documentEntries      entries kept per document URI in the server's maps (settings, last
 *                        diagnostics, logged lines, key links): must fall back with closed documents
 *   analyses             analyses run (for diagnostics and for requests)
 *   publications         textDocument/publishDiagnostics sent (not counting the empty one on close)
 *   unchangedSkipped     diagnostics not sent because they equal the last ones sent for the document
 *   staleDropped         analyses for diagnostics dropped because a newer version had arrived
 *   crossRechecks        bucket policies re-checked because a key policy they link to changed
 *   cancelledRequests    requests answered with RequestCancelled (-32800)
 *   ruleFailures         rules that threw (logged once per document version)
 *   templateAnalyses     analyses of infrastructure templates (features/templates.ts)
 *   templatePolicyAnalyses  policies in templates analysed afresh: a keystroke inside one policy
 *                        adds 1 (the template's other policies come from its per-policy cache)
 *   maxEventLoopDelayMs  the longest event-loop stall since the previous stats request
 *   memory               process.memoryUsage() in bytes (rss, heapUsed, …)
 */
connection.onRequest(STATS_REQUEST, () => {
  const maxEventLoopDelayMs = Math.round(eventLoopDelay.max / 1e5) / 10;
  eventLoopDelay.reset();
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc(); // only when started with --expose-gc (the benchmark), to report live memory
  return {
    openDocuments: documents.all().length,
    cachedAnalyses: cache.size,
    cachedAnalysisBytes: cache.bytes,
    keyPolicies: keyPolicies.index.size,
    keyIndexBytes: keyPolicies.index.bytes,
    pendingAnalyses: queue.pending,
    pendingRechecks: keyPolicies.pendingRechecks,
    documentEntries:
      settingsCache.size +
      loggedKinds.size +
      loggedFailures.size +
      lastPublished.size +
      keyPolicies.trackedEntries +
      templates.templateEntries(),
    ...stats,
    ...templates.templateStats,
    maxEventLoopDelayMs,
    memory: process.memoryUsage(),
  };
});

// A bug of ours in a feature must not take the server down with every open document's diagnostics.
process.on('unhandledRejection', e => connection.console.error(`unexpected error (please report it): ${failureReason(e)}`));

documents.listen(connection);
connection.listen();
