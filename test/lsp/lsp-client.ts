// A real JSON-RPC client that spawns the built language server over stdio.
import { spawn, type ChildProcess } from 'node:child_process';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { SERVER_NODE_FLAGS } from '../../protocol/protocol';
import { DIST_SERVER } from '../helpers/paths';
import { STATS_REQUEST } from '../../protocol/protocol';

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: {
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
    severity: number;
    code: string;
    source: string;
    message: string;
    relatedInformation?: { message: string }[];
    data?: unknown;
  }[];
}

/** The s3EncryptionGuard/stats answer (field meanings in server/server.ts). */
export interface ServerStats {
  openDocuments: number;
  cachedAnalyses: number;
  cachedAnalysisBytes: number;
  keyPolicies: number;
  keyIndexBytes: number;
  pendingAnalyses: number;
  pendingRechecks: number;
  documentEntries: number;
  analyses: number;
  publications: number;
  unchangedSkipped: number;
  staleDropped: number;
  crossRechecks: number;
  cancelledRequests: number;
  ruleFailures: number;
  templateAnalyses: number;
  templatePolicyAnalyses: number;
  maxEventLoopDelayMs: number;
  memory: NodeJS.MemoryUsage;
}

export class LspClient {
  readonly proc: ChildProcess;
  readonly conn: MessageConnection;
  readonly published = new Map<string, PublishedDiagnostics[]>();
  private waiters: (() => void)[] = [];
  stderr = '';
  /** What the server asked for with workspace/configuration, and what we answer. */
  configuration: unknown = {};
  configurationRequests = 0;
  /** window/logMessage notifications (the server's log), in order. */
  readonly logs: { type: number; message: string }[] = [];
  /** window/showMessage notifications, in order. */
  readonly messages: { type: number; message: string }[] = [];

  constructor() {
    // The flags VS Code starts it with: hostile documents must fit in that heap too.
    this.proc = spawn(process.execPath, [...SERVER_NODE_FLAGS, DIST_SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr!.on('data', d => {
      this.stderr += d;
    });
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishedDiagnostics) => {
      const list = this.published.get(p.uri) ?? [];
      list.push(p);
      this.published.set(p.uri, list);
      for (const w of this.waiters.splice(0)) w();
    });
    this.conn.onNotification('window/logMessage', (m: { type: number; message: string }) => {
      this.logs.push(m);
    });
    this.conn.onNotification('window/showMessage', (m: { type: number; message: string }) => {
      this.messages.push(m);
    });
    this.conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => {
      this.configurationRequests++;
      return p.items.map(() => this.configuration);
    });
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.listen();
  }

  async initialize(
    withConfiguration = true,
    initializationOptions?: unknown,
    rootUri: string | null = null,
  ): Promise<{ capabilities: Record<string, unknown> }> {
    const r = await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri,
      workspaceFolders: rootUri ? [{ uri: rootUri, name: 'workspace' }] : null,
      capabilities: {
        workspace: { configuration: withConfiguration },
        textDocument: { publishDiagnostics: { versionSupport: true } },
      },
      initializationOptions,
    });
    await this.conn.sendNotification('initialized', {});
    return r as { capabilities: Record<string, unknown> };
  }

  open(uri: string, text: string, version = 1, languageId = 'json'): Promise<void> {
    return this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  change(uri: string, version: number, text: string): Promise<void> {
    return this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  /** Wait until diagnostics for `uri` (and `version`, if given) have been published. */
  async diagnostics(uri: string, version?: number, timeoutMs = 20000): Promise<PublishedDiagnostics> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = (this.published.get(uri) ?? []).filter(p => version === undefined || p.version === version).pop();
      if (hit) return hit;
      if (Date.now() > deadline)
        throw new Error(`no diagnostics for ${uri} (version ${version}) within ${timeoutMs} ms; server stderr: ${this.stderr}`);
      await new Promise<void>(r => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }

  /** Notifications for `uri` so far (all URIs without one). */
  publications(uri?: string): number {
    if (uri !== undefined) return (this.published.get(uri) ?? []).length;
    let n = 0;
    for (const list of this.published.values()) n += list.length;
    return n;
  }

  /** The server's figures (server.ts, request s3EncryptionGuard/stats). */
  stats(): Promise<ServerStats> {
    return this.conn.sendRequest(STATS_REQUEST) as Promise<ServerStats>;
  }

  /** Wait (a hang detector, not a timer under test) until the server has no analysis or re-check pending. */
  async idle(timeoutMs = 20000): Promise<ServerStats> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.stats();
      if (s.pendingAnalyses === 0 && s.pendingRechecks === 0) return s;
      if (Date.now() > deadline) throw new Error(`the server still has work pending after ${timeoutMs} ms: ${JSON.stringify(s)}`);
      await new Promise(r => setTimeout(r, 50));
    }
  }

  /** Wait until `done()` holds, re-checking after each publication (a hang detector with a generous deadline). */
  async until(what: string, done: () => boolean, timeoutMs = 20000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; server stderr: ${this.stderr}`);
      await new Promise<void>(r => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  async shutdown(): Promise<number | null> {
    await this.conn.sendRequest('shutdown');
    await this.conn.sendNotification('exit');
    const code = await new Promise<number | null>(r => {
      if (this.proc.exitCode !== null) r(this.proc.exitCode);
      else this.proc.once('exit', c => r(c));
    });
    this.conn.dispose();
    return code;
  }

  kill(): void {
    this.conn.dispose();
    this.proc.kill();
  }
}
