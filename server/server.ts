// LSP wiring only: connection, documents, settings, the analysis queue. Every feature is an adapter
// over the one cached analysis per document version (features/); the caches and indexes beside it
// are bounded by bytes (analysis-cache.ts, util/bounded-cache.ts, crossdoc.ts).
import {
  CancellationToken,
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
import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import nodePath from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { AnalysisCache } from './analysis-cache';
import { AnalysisQueue } from './analysis-queue';
import { BoundedCache } from '../core/bounded-cache';
import { KeyPolicyIndex, MAX_KEY_POLICY_SIZE } from '../core/crossdoc';
import { codeActions, FIX_ALL_KIND } from './features/codeActions';
import { codeLenses } from './features/codeLens';
import { completion, COMPLETION_TRIGGER_CHARACTERS, resolveCompletion } from './features/completion';
import { SOURCE, toDiagnostics } from './features/diagnostics';
import { analyzeDocument, uriPath, type CrossContext, type DocumentAnalysis } from './features/documentAnalysis';
import { EXPLAIN_REQUEST, explainReport, type ExplainReport } from './features/explain';
import { hover } from './features/hover';
import { decide, DECIDE_REQUEST, parseDecideParams } from './features/liveDecide';
import {
  ANALYZE_REQUEST,
  analyzeText,
  liveDocumentSettings,
  liveResult,
  parseLiveParams,
  liveKeyArn,
} from './features/liveAnalysis';
import { safeReadText, type SafeReadCode } from '../shared/safe-read';
import { KeyPolicyLinks } from './key-policy-links';
import { failureReason, logValue, ruleFailuresLine } from './server-log';
import { toServerSettings, type ServerSettings } from './settings';
import { findKeyPolicyFiles, KEY_POLICY_FILE } from './workspace-scan';

/** Typing pauses this long before a document is analysed again (initializationOptions.debounceMs overrides it, e.g. for benchmarks). */
let debounceMs = 150;
/**
 * After a key policy changes, the bucket policies that link to it are re-checked once its typing
 * has paused this long (initializationOptions.crossDebounceMs overrides it): a keystroke in a key
 * policy must not re-check, and republish, every bucket policy that pins its key.
 */
let crossDebounceMs = 500;

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

/** Remember at most this many distinct things already said once (warnings, refusals), then start over. */
const MAX_SAID_ONCE = 256;
function once(said: Set<string>, key: string): boolean {
  if (said.has(key)) return false;
  if (said.size >= MAX_SAID_ONCE) said.clear();
  said.add(key);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Key policies of the workspace, for the cross-document check (crossdoc.ts)

/** Key-policy texts in the index are bounded (8 MB: 250 key policies of AWS's 32 KB maximum), and so are the parsed ones kept. */
const keyIndex = new KeyPolicyIndex({ maxTextBytes: 8 * 1024 * 1024, maxParsedBytes: 16 * 1024 * 1024 });
/** Which open bucket policies link to which key-policy file. */
const keyLinks = new KeyPolicyLinks();
/** Bucket policies to re-check once the key policy being edited stops changing. */
const crossPending = new Set<string>();
let crossTimer: NodeJS.Timeout | undefined;
let workspaceFolders: string[] = [];
/** The workspace folders with symbolic links resolved: a file the server reads must be inside one. */
let workspaceRoots: string[] = [];
/** A file: URI as a file system path; other schemes keep their path part. */
const fsPath = (uri: string): string => {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : uriPath(uri);
  } catch {
    return uriPath(uri);
  }
};
const within = (p: string, folder: string): boolean =>
  p === folder || p.startsWith(folder.endsWith(nodePath.sep) ? folder : folder + nodePath.sep);
const folderOf = (p: string): string | undefined => workspaceFolders.find(f => within(p, f));
const relativePath = (p: string): string => {
  const f = folderOf(p);
  return f ? nodePath.relative(f, p).split(nodePath.sep).join('/') : p;
};
const isOpen = (p: string): boolean => documents.all().some(d => fsPath(d.uri) === p);

/** A key-policy file read from disk, or why it was not. */
type KeyPolicyRead = { ok: true; text: string } | { ok: false; code: SafeReadCode | 'outside'; message: string };

/**
 * Read a key-policy file that the workspace or a setting names, trusting nothing about it: it must
 * be inside a workspace folder once symbolic links are resolved (a cloned repository's settings or
 * links must not make the server read the rest of the disk), and a regular file within the size
 * limit (safe-read.ts refuses devices such as /dev/zero, FIFOs and sockets without blocking).
 */
async function readKeyPolicy(p: string): Promise<KeyPolicyRead> {
  // An untitled document's "path" is a name, not a file (a relative path would be read from the server's working folder).
  if (!nodePath.isAbsolute(p)) return { ok: false, code: 'not-found', message: 'no such file' };
  let real: string;
  try {
    real = await realpath(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR'
      ? { ok: false, code: 'not-found', message: 'no such file' }
      : { ok: false, code: 'unreadable', message: `cannot read it (${code ?? failureReason(e)})` };
  }
  if (!workspaceRoots.some(r => within(real, r))) {
    return {
      ok: false,
      code: 'outside',
      message: `it is outside the workspace folders${real !== p ? ` (it leads to ${real})` : ''}, so it is not read`,
    };
  }
  return safeReadText(real, { maxBytes: MAX_KEY_POLICY_SIZE });
}

/** Key-policy files found by the scan or the watcher that were not read (said once each in the log). */
const refusedFiles = new Set<string>();

/** Index (or forget) the key policy at `p` from disk. Returns whether the index changed. */
async function loadKeyPolicy(p: string): Promise<boolean> {
  // An open document's text wins over the file on disk.
  if (isOpen(p)) return false;
  const r = await readKeyPolicy(p);
  if (isOpen(p)) return false; // opened while it was read
  if (!r.ok) {
    if (r.code !== 'not-found' && once(refusedFiles, `${p}\n${r.message}`))
      connection.console.warn(`cross-document check: ${logValue(p)}: ${logValue(r.message, 300)}`);
    return keyIndex.delete(p);
  }
  return keyIndex.set(p, r.text);
}

/** Re-check (once typing in the key policy pauses) the open bucket policies that the changed key-policy files concern. */
function keyPoliciesChanged(paths: ReadonlySet<string>): void {
  for (const uri of keyLinks.affectedBy(paths, keyIndex)) {
    cache.delete(uri); // its cached analysis saw the old key policy: a request computes it again
    crossPending.add(uri);
  }
  if (crossPending.size) armCrossRecheck();
}

function armCrossRecheck(): void {
  clearTimeout(crossTimer);
  crossTimer = setTimeout(() => {
    crossTimer = undefined;
    for (const uri of crossPending) {
      stats.crossRechecks++;
      queue.soon(uri);
    }
    crossPending.clear();
  }, crossDebounceMs);
}

async function indexWorkspace(): Promise<void> {
  if (!workspaceFolders.length) return;
  const t0 = Date.now();
  const { files, truncated } = await findKeyPolicyFiles(workspaceFolders);
  const changed = new Set<string>();
  for (const f of files) if (await loadKeyPolicy(f)) changed.add(f);
  const full = keyIndex.refusedForSize
    ? `; ${keyIndex.refusedForSize} were left out because the index holds at most 8 MB of key policies (map the ones you need in s3EncryptionGuard.keyPolicies)`
    : '';
  connection.console.info(
    `cross-document check: ${keyIndex.size} key polic${keyIndex.size === 1 ? 'y' : 'ies'} indexed in ${Date.now() - t0} ms${truncated ? ' (the workspace is large: the search stopped early; map keys explicitly in s3EncryptionGuard.keyPolicies)' : ''}${full}`,
  );
  keyPoliciesChanged(changed);
}

/** Explicitly mapped files already read (or refused) since the settings last changed. */
const explicitLoaded = new Set<string>();
/** Refusals of s3EncryptionGuard.keyPolicies entries already shown. */
const warnedSettings = new Set<string>();

/** Read a file named in s3EncryptionGuard.keyPolicies; say once, with the way out, why one is not used. */
async function loadExplicitKeyPolicy(abs: string, keyArn: string): Promise<boolean> {
  if (isOpen(abs)) return false;
  const r = await readKeyPolicy(abs);
  if (isOpen(abs)) return false;
  if (r.ok) return keyIndex.set(abs, r.text);
  if (once(warnedSettings, `${abs}\n${r.code}`)) {
    const fix =
      r.code === 'outside'
        ? 'Put the key policy file in the workspace and name it relative to the workspace folder.'
        : r.code === 'not-found'
          ? 'Correct the path (relative to the workspace folder) or remove the entry.'
          : `Name a regular JSON file of at most ${MAX_KEY_POLICY_SIZE / 1024} KB inside the workspace.`;
    const message = `The setting s3EncryptionGuard.keyPolicies maps ${logValue(keyArn, 120)} to ${logValue(abs)}: ${logValue(r.message, 300)}. ${fix}`;
    connection.console.warn(message);
    void connection.sendNotification(ShowMessageNotification.type, {
      type: MessageType.Warning,
      message: `S3 Encryption Guard: ${message}`,
    });
  }
  return keyIndex.delete(abs);
}

/** The explicit key → file map of a document's settings, with paths made absolute and the files indexed. */
async function crossContext(uri: string, settings: ServerSettings): Promise<CrossContext> {
  const explicit = new Map<string, string>();
  const base = folderOf(fsPath(uri)) ?? workspaceFolders[0] ?? nodePath.dirname(fsPath(uri));
  const changed = new Set<string>();
  for (const [arn, file] of Object.entries(settings.keyPolicies ?? {})) {
    const abs = nodePath.isAbsolute(file) ? nodePath.normalize(file) : nodePath.resolve(base, file);
    explicit.set(arn, abs);
    if (!once(explicitLoaded, abs)) continue;
    if (await loadExplicitKeyPolicy(abs, arn)) changed.add(abs);
  }
  // Other bucket policies may map the same file.
  if (changed.size) keyPoliciesChanged(changed);
  return { index: keyIndex, explicit, relative: relativePath };
}
let initSettings: ServerSettings = toServerSettings({});

connection.onInitialize((params): InitializeResult => {
  pullConfiguration = !!params.capabilities.workspace?.configuration;
  const folders = params.workspaceFolders?.map(f => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
  workspaceFolders = folders.filter(u => u.startsWith('file:')).map(fsPath);
  workspaceRoots = workspaceFolders.map(f => {
    try {
      return realpathSync(f);
    } catch {
      return f;
    }
  });
  // Editors that cannot answer workspace/configuration pass settings here instead.
  const init = params.initializationOptions as
    { settings?: unknown; debounceMs?: unknown; crossDebounceMs?: unknown } | undefined;
  initSettings = toServerSettings(init?.settings ?? init);
  const ms = (v: unknown): number | undefined =>
    typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.min(v, 60_000) : undefined;
  debounceMs = ms(init?.debounceMs) ?? debounceMs;
  crossDebounceMs = ms(init?.crossDebounceMs) ?? crossDebounceMs;
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
  void indexWorkspace().catch(e =>
    connection.console.error(`cross-document check: indexing the workspace failed: ${failureReason(e)}`),
  );
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
  explicitLoaded.clear();
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
  const path = fsPath(uri);
  if (kind.kind === 'bucket-policy') keyLinks.record(uri, result.keyLinks, cross?.explicit ?? new Map());
  else keyLinks.forget(uri);
  // A key policy being edited: the bucket policies that link to it see the change (once typing pauses).
  if (kind.kind === 'key-policy' && parsed ? keyIndex.setParsed(path, parsed) : keyIndex.delete(path))
    keyPoliciesChanged(new Set([path]));
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
    return await crossContext(uri, settings);
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
  // Typing in a key policy pushes back the re-check of the bucket policies that link to it.
  if (crossPending.size && keyIndex.has(fsPath(e.document.uri))) armCrossRecheck();
});
connection.onDidChangeWatchedFiles(async change => {
  const changed = new Set<string>();
  for (const c of change.changes.slice(0, 10_000)) {
    const p = fsPath(c.uri);
    if (!KEY_POLICY_FILE.test(p) && !keyIndex.has(p) && !explicitLoaded.has(p)) continue;
    if (c.type === FileChangeType.Deleted ? keyIndex.delete(p) : await loadKeyPolicy(p)) changed.add(p);
  }
  keyPoliciesChanged(changed);
});

documents.onDidClose(e => {
  const { uri } = e.document;
  const p = fsPath(uri);
  // The file on disk is the key policy again (or none, if it was never saved).
  if (keyIndex.has(p)) {
    setTimeout(
      () =>
        void loadKeyPolicy(p).then(changed => {
          if (changed) keyPoliciesChanged(new Set([p]));
        }),
      0,
    );
  }
  queue.cancel(uri);
  cache.delete(uri);
  settingsCache.delete(uri);
  loggedKinds.delete(uri);
  loggedFailures.delete(uri);
  lastPublished.delete(uri);
  keyLinks.forget(uri);
  crossPending.delete(uri);
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

/**
 * The Explain report as data (features/explain.ts ExplainReport) for the client's report view
 * ("S3 Encryption: Explain Enforcement"); the view escapes and renders it.
 */
connection.onRequest(EXPLAIN_REQUEST, async (raw: unknown, token: CancellationToken): Promise<{ report: ExplainReport }> => {
  const p = raw as { uri?: unknown; bucket?: unknown } | null;
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
 *   maxEventLoopDelayMs  the longest event-loop stall since the previous stats request
 *   memory               process.memoryUsage() in bytes (rss, heapUsed, …)
 */
connection.onRequest('s3EncryptionGuard/stats', () => {
  const maxEventLoopDelayMs = Math.round(eventLoopDelay.max / 1e5) / 10;
  eventLoopDelay.reset();
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc(); // only when started with --expose-gc (the benchmark), to report live memory
  return {
    openDocuments: documents.all().length,
    cachedAnalyses: cache.size,
    cachedAnalysisBytes: cache.bytes,
    keyPolicies: keyIndex.size,
    keyIndexBytes: keyIndex.bytes,
    pendingAnalyses: queue.pending,
    pendingRechecks: crossPending.size,
    documentEntries:
      settingsCache.size + loggedKinds.size + loggedFailures.size + lastPublished.size + keyLinks.size + crossPending.size,
    ...stats,
    maxEventLoopDelayMs,
    memory: process.memoryUsage(),
  };
});

// A bug of ours in a feature must not take the server down with every open document's diagnostics.
process.on('unhandledRejection', e => connection.console.error(`unexpected error (please report it): ${failureReason(e)}`));

documents.listen(connection);
connection.listen();
