// LSP wiring only: connection, documents, settings, debounce. Every feature is an adapter
// over the one cached analysis per document version (features/).
import {
  createConnection,
  DiagnosticSeverity,
  DidChangeConfigurationNotification,
  MessageType,
  ProposedFeatures,
  ShowMessageNotification,
  TextDocuments,
  TextDocumentSyncKind,
  type Diagnostic,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { codeActions, FIX_ALL_KIND } from './features/codeActions';
import { codeLenses } from './features/codeLens';
import { completion, COMPLETION_TRIGGER_CHARACTERS, resolveCompletion } from './features/completion';
import { explainReport } from './features/explain';
import { SOURCE, toDiagnostics } from './features/diagnostics';
import { analyzeDocument, uriPath, type DocumentAnalysis } from './features/documentAnalysis';
import { hover } from './features/hover';
import { ANALYZE_REQUEST, analyzeText, liveDocumentSettings, liveResult, parseLiveParams } from './features/liveAnalysis';
import { failureReason, logValue, ruleFailuresLine } from './server-log';
import { toServerSettings, type ServerSettings } from './settings';
import { escapeMarkdown } from './text/escape';
import { KeyPolicyIndex, MAX_KEY_POLICY_SIZE } from './crossdoc';
import { safeReadText, type SafeReadCode } from './io/safe-read';
import { findKeyPolicyFiles, KEY_POLICY_FILE } from './workspace-scan';
import type { CrossContext } from './features/documentAnalysis';
import nodePath from 'node:path';
import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** Typing pauses this long before a document is analysed again (initializationOptions.debounceMs overrides it, e.g. for benchmarks). */
let debounceMs = 150;

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
/**
 * Analyses of recently used documents (most recent last). Older ones are dropped to bound memory
 * with hundreds of policies open; a feature that needs one again recomputes it (a few ms).
 */
const cache = new Map<string, DocumentAnalysis>();
const MAX_CACHED = 32;
/** An analysis retains about 30 bytes of heap per byte of text: 4 MB of text is ~120 MB at most. */
const MAX_CACHED_TEXT = 4 * 1024 * 1024;
const textSize = (a: DocumentAnalysis): number => a.analysis.doc?.text.length ?? 0;
function remember(a: DocumentAnalysis): void {
  cache.delete(a.uri);
  cache.set(a.uri, a);
  let total = 0;
  for (const c of cache.values()) total += textSize(c);
  // Drop the least recently used first; the newest one stays whatever its size.
  while (cache.size > 1 && (cache.size > MAX_CACHED || total > MAX_CACHED_TEXT)) {
    const oldest = cache.keys().next().value!;
    total -= textSize(cache.get(oldest)!);
    cache.delete(oldest);
  }
}
const timers = new Map<string, NodeJS.Timeout>();
const settingsCache = new Map<string, Promise<ServerSettings>>();
const loggedKinds = new Map<string, string>();
/** The version whose rule failures were last logged, per document. */
const loggedFailures = new Map<string, number>();
let pullConfiguration = false;

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
let workspaceFolders: string[] = [];
/** The workspace folders with symbolic links resolved: a file the server reads must be inside one. */
let workspaceRoots: string[] = [];
/** A file: URI as a file system path; other schemes keep their path part. */
const fsPath = (uri: string): string => {
  try { return uri.startsWith('file:') ? fileURLToPath(uri) : uriPath(uri); } catch { return uriPath(uri); }
};
const within = (p: string, folder: string): boolean => p === folder || p.startsWith(folder.endsWith(nodePath.sep) ? folder : folder + nodePath.sep);
const folderOf = (p: string): string | undefined => workspaceFolders.find(f => within(p, f));
const relativePath = (p: string): string => {
  const f = folderOf(p);
  return f ? nodePath.relative(f, p).split(nodePath.sep).join('/') : p;
};
const isOpen = (p: string): boolean => documents.all().some(d => fsPath(d.uri) === p);

/** Re-check the open bucket policies: a key policy they may pin changed. */
function revalidateBucketPolicies(): void {
  for (const d of documents.all()) {
    const kind = cache.get(d.uri)?.analysis.kind.kind;
    if (kind === undefined || kind === 'bucket-policy') {
      cache.delete(d.uri); // its cached analysis saw the old key policies
      schedule(d, 0);
    }
  }
}

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
    return code === 'ENOENT' || code === 'ENOTDIR' ? { ok: false, code: 'not-found', message: 'no such file' } : { ok: false, code: 'unreadable', message: `cannot read it (${code ?? failureReason(e)})` };
  }
  if (!workspaceRoots.some(r => within(real, r))) {
    return { ok: false, code: 'outside', message: `it is outside the workspace folders${real !== p ? ` (it leads to ${real})` : ''}, so it is not read` };
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
    if (r.code !== 'not-found' && once(refusedFiles, `${p}\n${r.message}`)) connection.console.warn(`cross-document check: ${logValue(p)}: ${logValue(r.message, 300)}`);
    return keyIndex.delete(p);
  }
  return keyIndex.set(p, r.text);
}


async function indexWorkspace(): Promise<void> {
  if (!workspaceFolders.length) return;
  const t0 = Date.now();
  const { files, truncated } = await findKeyPolicyFiles(workspaceFolders);
  let changed = false;
  for (const f of files) changed = (await loadKeyPolicy(f)) || changed;
  const full = keyIndex.refusedForSize ? `; ${keyIndex.refusedForSize} were left out because the index holds at most 8 MB of key policies (map the ones you need in s3EncryptionGuard.keyPolicies)` : '';
  connection.console.info(`cross-document check: ${keyIndex.size} key polic${keyIndex.size === 1 ? 'y' : 'ies'} indexed in ${Date.now() - t0} ms${truncated ? ' (the workspace is large: the search stopped early; map keys explicitly in s3EncryptionGuard.keyPolicies)' : ''}${full}`);
  if (changed) revalidateBucketPolicies();
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
    const fix = r.code === 'outside'
      ? 'Put the key policy file in the workspace and name it relative to the workspace folder.'
      : r.code === 'not-found'
        ? 'Correct the path (relative to the workspace folder) or remove the entry.'
        : `Name a regular JSON file of at most ${MAX_KEY_POLICY_SIZE / 1024} KB inside the workspace.`;
    const message = `The setting s3EncryptionGuard.keyPolicies maps ${logValue(keyArn, 120)} to ${logValue(abs)}: ${logValue(r.message, 300)}. ${fix}`;
    connection.console.warn(message);
    void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: `S3 Encryption Guard: ${message}` });
  }
  return keyIndex.delete(abs);
}

/** The explicit key → file map of a document's settings, with paths made absolute and the files indexed. */
async function crossContext(uri: string, settings: ServerSettings): Promise<CrossContext> {
  const explicit = new Map<string, string>();
  const base = folderOf(fsPath(uri)) ?? workspaceFolders[0] ?? nodePath.dirname(fsPath(uri));
  for (const [arn, file] of Object.entries(settings.keyPolicies ?? {})) {
    const abs = nodePath.isAbsolute(file) ? nodePath.normalize(file) : nodePath.resolve(base, file);
    explicit.set(arn, abs);
    if (once(explicitLoaded, abs)) await loadExplicitKeyPolicy(abs, arn);
  }
  return { index: keyIndex, explicit, relative: relativePath };
}
let initSettings: ServerSettings = toServerSettings({});

connection.onInitialize((params): InitializeResult => {
  pullConfiguration = !!params.capabilities.workspace?.configuration;
  const folders = params.workspaceFolders?.map(f => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
  workspaceFolders = folders.filter(u => u.startsWith('file:')).map(fsPath);
  workspaceRoots = workspaceFolders.map(f => { try { return realpathSync(f); } catch { return f; } });
  // Editors that cannot answer workspace/configuration pass settings here instead.
  const init = params.initializationOptions as { settings?: unknown; debounceMs?: unknown } | undefined;
  initSettings = toServerSettings(init?.settings ?? init);
  if (typeof init?.debounceMs === 'number' && init.debounceMs >= 0) debounceMs = init.debounceMs;
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
  void indexWorkspace().catch(e => connection.console.error(`cross-document check: indexing the workspace failed: ${failureReason(e)}`));
  if (pullConfiguration) {
    void connection.client.register(DidChangeConfigurationNotification.type, { section: 's3EncryptionGuard' }).catch(() => undefined);
  }
});

const reportedProblems = new Set<string>();
/** Tell the user once per distinct problem that their requirements setting is wrong, and how. */
function reportSettingProblems(s: ServerSettings): ServerSettings {
  // The problems quote the setting's values: one line, clipped.
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

function settingsFor(uri: string): Promise<ServerSettings> {
  if (!pullConfiguration) return Promise.resolve(liveDocumentSettings(uri, initSettings));
  let s = settingsCache.get(uri);
  if (!s) {
    s = connection.workspace.getConfiguration({ scopeUri: uri, section: 's3EncryptionGuard' })
      .then(raw => reportSettingProblems(toServerSettings(raw)), () => initSettings)
      .then(settings => liveDocumentSettings(uri, settings));
    settingsCache.set(uri, s);
  }
  return s;
}

connection.onDidChangeConfiguration(change => {
  settingsCache.clear();
  cache.clear();
  explicitLoaded.clear();
  if (!pullConfiguration) initSettings = toServerSettings((change.settings as { s3EncryptionGuard?: unknown } | undefined)?.s3EncryptionGuard);
  for (const d of documents.all()) schedule(d, 0);
});

/** Shown instead of a document's diagnostics when its analysis failed as a whole (a bug of ours). */
function analysisFailedDiagnostic(e: unknown): Diagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
    severity: DiagnosticSeverity.Information,
    code: 'analysis-failed',
    source: SOURCE,
    message: `Not analysed: an internal error stopped the analysis of this version (${failureReason(e)}). ` +
      'The problems shown before were removed, as they may no longer apply; the next edit analyses the document again. Please report this.',
  };
}

async function validate(doc: TextDocument): Promise<void> {
  const { uri, version } = doc;
  try {
    const settings = await settingsFor(uri);
    const current = documents.get(uri);
    if (!current || current.version !== version) return; // a newer version is on its way
    const cross = await crossContext(uri, settings);
    if (documents.get(uri)?.version !== version) return;
    // Completion or hover may already have analysed this version (with the same settings and key policies).
    const hit = cache.get(uri);
    const result = hit && hit.version === version ? hit : analyzeDocument(uri, version, current.getText(), settings, cross);
    remember(result);
    const { kind, ruleFailures, doc: parsed } = result.analysis;
    // A key policy being edited: the bucket policies that pin its key see the change.
    if (kind.kind === 'key-policy' && parsed ? keyIndex.setParsed(fsPath(uri), parsed) : keyIndex.delete(fsPath(uri))) revalidateBucketPolicies();
    const line = logValue(`${kind.kind} (${kind.reason})`, 300);
    if (loggedKinds.get(uri) !== line) {
      loggedKinds.set(uri, line);
      connection.console.info(`${logValue(uriPath(uri))}: ${line}; ${result.analysis.findings.length} problem(s) in ${result.ms.toFixed(1)} ms`);
    }
    if (ruleFailures.length && loggedFailures.get(uri) !== version) {
      loggedFailures.set(uri, version);
      connection.console.error(ruleFailuresLine(uriPath(uri), version, ruleFailures));
    }
    await connection.sendDiagnostics({ uri, version, diagnostics: toDiagnostics(result) });
  } catch (e) {
    // One bad document must never stop the others from getting diagnostics, nor keep stale ones.
    if (documents.get(uri)?.version !== version) return;
    connection.console.error(`${logValue(uriPath(uri))} (version ${version}): analysis failed (please report this): ${failureReason(e)}`);
    await connection.sendDiagnostics({ uri, version, diagnostics: [analysisFailedDiagnostic(e)] }).catch(() => undefined);
  }
}

function schedule(doc: TextDocument, delay = debounceMs): void {
  clearTimeout(timers.get(doc.uri));
  timers.set(doc.uri, setTimeout(() => { timers.delete(doc.uri); void validate(doc); }, delay));
}

documents.onDidOpen(e => schedule(e.document, 0));
documents.onDidChangeContent(e => schedule(e.document));
connection.onDidChangeWatchedFiles(async change => {
  let changed = false;
  for (const c of change.changes) {
    const p = fsPath(c.uri);
    if (!KEY_POLICY_FILE.test(p) && !keyIndex.has(p) && !explicitLoaded.has(p)) continue;
    changed = (c.type === 3 /* Deleted */ ? keyIndex.delete(p) : await loadKeyPolicy(p)) || changed;
  }
  if (changed) revalidateBucketPolicies();
});

documents.onDidClose(e => {
  // The file on disk is the key policy again (or none, if it was never saved).
  if (keyIndex.has(fsPath(e.document.uri))) {
    const p = fsPath(e.document.uri);
    setTimeout(() => void loadKeyPolicy(p).then(changed => { if (changed) revalidateBucketPolicies(); }), 0);
  }
  clearTimeout(timers.get(e.document.uri));
  timers.delete(e.document.uri);
  cache.delete(e.document.uri);
  settingsCache.delete(e.document.uri);
  loggedKinds.delete(e.document.uri);
  loggedFailures.delete(e.document.uri);
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

/** The analysis of the document's current version, computing it now if the debounce has not run yet. */
async function current(uri: string): Promise<DocumentAnalysis | undefined> {
  const doc = documents.get(uri);
  if (!doc) return undefined;
  const hit = cache.get(uri);
  if (hit && hit.version === doc.version) {
    remember(hit);
    return hit;
  }
  const settings = await settingsFor(uri);
  const fresh = analyzeDocument(uri, doc.version, doc.getText(), settings, await crossContext(uri, settings));
  remember(fresh);
  return fresh;
}

connection.onHover(async p => {
  const a = await current(p.textDocument.uri);
  return a ? hover(a, p.position) : null;
});

connection.onCompletion(async p => {
  const a = await current(p.textDocument.uri);
  return a ? completion(a, p.position) : null;
});

connection.onCompletionResolve(item => resolveCompletion(item));

connection.onCodeAction(async p => {
  const a = await current(p.textDocument.uri);
  return a ? codeActions(a, p, await settingsFor(p.textDocument.uri)) : [];
});

connection.onCodeLens(async p => {
  const a = await current(p.textDocument.uri);
  if (!a) return [];
  const settings = await settingsFor(p.textDocument.uri);
  return codeLenses(a, settings.requirements.minTlsVersion);
});

/** The Explain report (Markdown) for the client's "S3 Encryption: Explain Enforcement" command. */
connection.onRequest('s3EncryptionGuard/explain', async (p: { uri: string; bucket?: string }) => {
  const a = await current(p.uri);
  if (!a) return { markdown: `The document ${escapeMarkdown(uriPath(p.uri), 200)} is not open.` };
  const settings = await settingsFor(p.uri);
  return { markdown: explainReport(a, p.bucket, settings.requirements.minTlsVersion) };
});

/**
 * A policy's verdict and diagnostics: `{ text, kind, bucket? }` for text that is not a document
 * (the live view's bucket and key policies), or `{ uri }` for an open document (the status bar).
 */
const LIVE_SETTINGS_URI = 's3-encryption-guard:/live';
connection.onRequest(ANALYZE_REQUEST, async (raw: unknown) => {
  const p = parseLiveParams(raw);
  if (!p) throw new Error('s3EncryptionGuard/analyze expects { text, kind: "bucket-policy" | "key-policy", bucket? } or { uri }');
  if ('uri' in p) {
    const a = await current(p.uri);
    if (!a) return { kind: 'unknown', verdict: null, summary: [], diagnostics: [] };
    const settings = await settingsFor(p.uri);
    return liveResult(a.analysis, a.lines, undefined, settings.requirements.minTlsVersion);
  }
  return analyzeText(p.text, p.kind, p.bucket, await settingsFor(LIVE_SETTINGS_URI), p.diagnostics !== false);
});

/** Memory and cache figures, for the benchmark and for bug reports ("S3 Encryption Guard: Show Output"). */
connection.onRequest('s3EncryptionGuard/stats', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc(); // only when started with --expose-gc (the benchmark), to report live memory
  return { openDocuments: documents.all().length, cachedAnalyses: cache.size, keyPolicies: keyIndex.size, memory: process.memoryUsage() };
});

// A bug of ours in a feature must not take the server down with every open document's diagnostics.
process.on('unhandledRejection', e => connection.console.error(`unexpected error (please report it): ${failureReason(e)}`));

documents.listen(connection);
connection.listen();
