// Drives the built language server (dist/server/server.js, over stdio, with the V8 flags the
// VS Code client ships) with seeded random edits, requests and cancellations for a bounded time,
// and measures it from the outside: crashes, requests never answered, cancellations honoured,
// peak RSS (/proc/<pid>/status), the longest event-loop stall (latency of a cheap request sent
// every ~75 ms), diagnostics publications and errors the server logs.
//
// The operations are drawn from the seed alone, never from the server's answers, so a seed
// replays the same documents and edits (timing, and so what the server sees between two
// analyses, still varies from run to run).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CancellationTokenSource,
  createMessageConnection,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import { SERVER_NODE_FLAGS } from '../../protocol/protocol';
import { clip } from '../../shared/escape';
import { DIST_SERVER } from '../helpers/paths';
import {
  corpus,
  documentText,
  hostileFragment,
  hostileStatements,
  hostileValue,
  Rng,
  statementText,
  valueFor,
  type Corpus,
  type FuzzKind,
  type Hostile,
} from './hostile';

export interface LspFuzzOptions {
  seconds: number;
  docs: number;
  /** Operations per second (edits, requests, closes and reopens). */
  rate: number;
  seed: number;
  /** Fraction of edits that are hostile inserts. */
  hostile: number;
  /** How long to wait for outstanding requests after the last operation. */
  graceSeconds?: number;
  /** Interval of the stall probe (`s3EncryptionGuard/stats`). */
  pingMs?: number;
  /** Folder for reproduction material (document texts, operation logs); none when undefined. */
  artifacts?: string;
  /** Also answer workspace/configuration with hostile settings (keyPolicies at /dev/zero, a FIFO, outside paths). */
  hostileSettings?: boolean;
  /** Cap on generated wildcard chains (default none): to see what else breaks while backtracking patterns still freeze the server. */
  maxWildcards?: number;
  /** Restart the server after a crash at most this many times. */
  maxRestarts?: number;
  /** Progress lines (every 30 s). */
  log?: (line: string) => void;
}

export interface OpRecord {
  t: number;
  op: string;
  doc?: string;
  version?: number;
  detail: string;
}

export interface LspFuzzReport {
  seed: number;
  options: { seconds: number; docs: number; rate: number; hostile: number; hostileSettings: boolean; maxWildcards?: number };
  serverFlags: string[];
  durationMs: number;
  operations: {
    total: number;
    perSecond: number;
    opens: number;
    closes: number;
    edits: number;
    hostileEdits: number;
    requests: number;
    cancelsSent: number;
    configChanges: number;
    skippedWhileRestarting: number;
  };
  crashes: {
    atMs: number;
    code: number | null;
    signal: string | null;
    stderrTail: string;
    lastOps: OpRecord[];
    artifact?: string;
  }[];
  /** Requests still without a reply after the grace period, on a server that is alive. */
  unanswered: { id: number; method: string; doc?: string; sentAtMs: number; cancelled: boolean }[];
  /** Requests whose server crashed before replying. */
  lostToCrash: number;
  cancellations: {
    sent: number;
    repliedCancelled: number;
    repliedEmpty: number;
    repliedWithResult: number;
    repliedOtherError: number;
    unanswered: number;
    lostToCrash: number;
  };
  requestErrors: { message: string; count: number }[];
  latencyMs: Record<string, { count: number; median: number; p95: number; max: number }>;
  peakRssMB: number;
  rssTimelineMB: [number, number][];
  stalls: {
    probes: number;
    longestMs: number;
    over250: number;
    over1000: number;
    /**
     * What the verdict is judged on: the server's own event-loop delay (maxEventLoopDelayMs of the
     * stats answers) when it reports one — the probe's latency also holds the fuzzer's own delays, which
     * building and applying megabyte-sized hostile edits makes long — else the probe's latency.
     */
    judgedMs: number;
    top: { atMs: number; ms: number; recentEdits: OpRecord[]; artifact?: string }[];
    /** Figures the stats request reports itself (any numeric field whose name mentions a stall or the event loop). */
    serverReported: Record<string, number>;
  };
  diagnostics: { publications: number; perSecond: number; peakInOneSecond: number };
  internalErrors: {
    total: number;
    distinct: { line: string; where?: string; count: number; firstAtMs: number; doc?: string; artifact?: string }[];
  };
  /** Answers that carry document text unescaped: raw control characters (ESC…), or a Sid's Markdown link alive in hover, Explain or completion. */
  hygiene: { rawControl: number; unescapedLink: number; examples: { method: string; doc?: string; text: string }[] };
  /** The fuzzer's own worst event-loop delay: stalls near this figure may be the fuzzer's. */
  driverLagMaxMs: number;
  /** Which of the issue's "Done when" thresholds failed. */
  failed: string[];
}

export const RSS_LIMIT_MB = 300;
export const STALL_LIMIT_MS = 250;

interface FuzzDoc {
  uri: string;
  name: string;
  kind: FuzzKind;
  bucket: string;
  doc: TextDocument;
  open: boolean;
  diagnostics: unknown[];
  /** The hostile statements the document was created with, if any. */
  hostileAtStart?: string;
  /** Recent small versions, for reproduction files. */
  recent: { version: number; text: string }[];
  tree?: { version: number; root: Node | undefined };
}

interface Pending {
  id: number;
  method: string;
  doc?: string;
  sentAt: number;
  session: number;
  cancelledAt?: number;
  probe?: boolean;
}

const stringNodes = (root: Node | undefined): Node[] => {
  const out: Node[] = [];
  const stack = root ? [root] : [];
  while (stack.length && out.length < 5000) {
    const n = stack.pop()!;
    if (n.type === 'string') out.push(n);
    if (n.children) stack.push(...n.children);
  }
  return out;
};

/** The property a string value sits under (`Resource` for an item of a Resource array); `<key>` for a key. */
const propertyOf = (n: Node): string => {
  const p = n.parent;
  if (p?.type === 'property') return p.children?.[0] === n ? '<key>' : String(p.children?.[0]?.value ?? '');
  if (p?.type === 'array' && p.parent?.type === 'property') return String(p.parent.children?.[0]?.value ?? '');
  return '';
};

const isEmptyResult = (r: unknown): boolean =>
  r === null ||
  r === undefined ||
  (Array.isArray(r) && r.length === 0) ||
  (typeof r === 'object' &&
    r !== null &&
    Array.isArray((r as { items?: unknown }).items) &&
    (r as { items: unknown[] }).items.length === 0);

const firstLine = (s: string): string => s.split('\n')[0];
const isHostile = (o: OpRecord): boolean => o.op.endsWith('hostile');
// C0 controls but tab and line breaks, DEL, C1 controls, bidirectional overrides and isolates.
const RAW_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** The line of a dead server's stderr that says why: V8's fatal error, else the last error message. */
export const crashLine = (stderr: string): string => {
  const lines = stderr
    .split('\n')
    .map(l => l.trim())
    .filter(Boolean);
  return (
    lines.find(l => /^FATAL ERROR/.test(l)) ??
    lines.filter(l => /^\w*Error\b|Maximum call stack|out of memory/i.test(l)).pop() ??
    lines.pop() ??
    '(nothing on stderr)'
  );
};
/** Groups internal errors that differ only in document, numbers or an embedded regular expression. */
const errorKey = (line: string): string =>
  line
    .replace(/^\S+?\.json: /, '<doc>: ')
    .replace(/\/\^.*\$\/[a-z]*/g, '/<regexp>/')
    .replace(/\d+/g, 'N')
    .slice(0, 240);

function quantiles(xs: number[]): { count: number; median: number; p95: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : 0);
  return { count: s.length, median: Math.round(q(0.5)), p95: Math.round(q(0.95)), max: Math.round(s[s.length - 1] ?? 0) };
}

function readStatusKB(pid: number): { hwm: number; rss: number } | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return { hwm: Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0), rss: Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0) };
  } catch {
    return undefined;
  }
}

class Session {
  readonly proc: ChildProcess;
  readonly conn: MessageConnection;
  ready = false;
  exited = false;
  shuttingDown = false;
  stderrTail = '';
  peakKB = 0;
  /** Writes still waiting for a server that stopped reading (stuck or dead). */
  private readonly waiting = new Set<(error?: Error | null) => void>();
  constructor(readonly n: number) {
    this.proc = spawn(process.execPath, [...SERVER_NODE_FLAGS, DIST_SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdin = this.proc.stdin!;
    stdin.on('error', () => undefined); // EPIPE after a crash: the exit handler reports the crash
    this.proc.stderr!.on('data', d => {
      this.stderrTail = (this.stderrTail + d).slice(-16384);
    });
    // The connection writes through this: once the server is gone, writes are dropped instead of
    // failing inside the JSON-RPC library (where a failed write is an unhandled rejection).
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        if (this.exited || stdin.destroyed) return done();
        this.waiting.add(done);
        stdin.write(chunk, () => {
          if (this.waiting.delete(done)) done();
        });
      },
    });
    const reader = new StreamMessageReader(this.proc.stdout!);
    // Its "partial message" timer re-arms itself forever once a server dies mid-message (and
    // disposing the reader does not stop it): we do not use the notification, so no timer.
    reader.partialMessageTimeout = 0;
    this.conn = createMessageConnection(reader, new StreamMessageWriter(sink));
    this.conn.onError(() => undefined);
  }
  /** The process has exited: nothing more goes to it or comes from it. */
  end(): void {
    this.exited = true;
    for (const done of this.waiting) done();
    this.waiting.clear();
    this.conn.dispose();
    this.proc.stdin!.destroy();
    this.proc.stdout!.destroy();
    this.proc.stderr!.destroy();
  }
}

export async function runLspFuzz(opts: LspFuzzOptions): Promise<LspFuzzReport> {
  const graceMs = (opts.graceSeconds ?? 10) * 1000;
  const pingMs = opts.pingMs ?? 75;
  const maxRestarts = opts.maxRestarts ?? 10;
  const log = opts.log ?? (() => undefined);
  const root = new Rng(opts.seed);
  const docRng = root.fork();
  const opRng = root.fork();
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const driverLag = monitorEventLoopDelay({ resolution: 10 });
  driverLag.enable();

  // A workspace folder on disk: some key policies are also files, so that closing their document
  // makes the server read the file again, and the keyPolicies setting names files in it.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-fuzz-'));
  const ws = path.join(tmp, 'workspace');
  for (const d of ['buckets', 'keys', 'iam', 'misc']) fs.mkdirSync(path.join(ws, d), { recursive: true });
  const artifacts = opts.artifacts;
  // Separate budgets, so that snapshots of long stalls cannot crowd out a crash report.
  const artifactCounts = new Map<string, number>();
  const saveArtifact = (name: string, content: string): string | undefined => {
    const kind = name.replace(/-\d.*$/, ''); // crash, internal-error, stall, stall-at
    const n = artifactCounts.get(kind) ?? 0;
    if (!artifacts || n >= 150) return undefined;
    artifactCounts.set(kind, n + 1);
    fs.mkdirSync(artifacts, { recursive: true }); // only when there is something to keep
    const p = path.join(artifacts, name);
    fs.writeFileSync(p, content);
    return p;
  };

  const keyCount = Math.max(2, Math.round(opts.docs * 0.2));
  const c: Corpus = { ...corpus(docRng, keyCount), maxWildcards: opts.maxWildcards };
  const docs: FuzzDoc[] = [];
  for (let i = 0; i < opts.docs; i++) {
    const kind: FuzzKind =
      i < keyCount
        ? 'key-policy'
        : docRng.weighted<FuzzKind>([
            ['bucket-policy', 60],
            ['identity-policy', 20],
            ['not-a-policy', 20],
          ]);
    const bucket = `fuzz-bucket-${i}`;
    const rel =
      kind === 'key-policy'
        ? `keys/key-${i}.${c.keys[i].id}.key-policy.json`
        : kind === 'bucket-policy'
          ? `buckets/${bucket}.bucket-policy.json`
          : kind === 'identity-policy'
            ? `iam/role-${i}${docRng.chance(0.5) ? '.identity-policy' : ''}.json`
            : `misc/${docRng.pick(['package', 'settings', 'data'])}-${i}.json`;
    const file = path.join(ws, rel);
    let text = documentText(docRng, kind, c, bucket);
    let hostileAtStart: string | undefined;
    if (docRng.chance(opts.hostile)) {
      let array: Node | undefined;
      try {
        const t = parseTree(text);
        array = t && findNodeAtLocation(t, ['Statement']);
      } catch {
        array = undefined;
      }
      const h = hostileStatements(docRng, kind, bucket, c);
      hostileAtStart = h.label;
      text = applyOffsets(text, ...insertStatements(text, h.text, array));
    }
    if (kind === 'key-policy' && i % 2 === 0) fs.writeFileSync(file, text);
    const uri = pathToFileURL(file).href;
    docs.push({
      uri,
      name: rel,
      kind,
      bucket,
      doc: TextDocument.create(uri, 'json', 1, text),
      open: false,
      diagnostics: [],
      recent: [],
      hostileAtStart,
    });
  }
  const fifo = path.join(tmp, 'settings.fifo');
  if (opts.hostileSettings) spawnSync('mkfifo', [fifo], { stdio: 'ignore' });

  // ---- figures
  const ops: OpRecord[] = [];
  const opLog = (r: OpRecord): void => {
    ops.push(r);
    if (ops.length > 50_000) ops.splice(0, 25_000);
  };
  /** The operations that may have caused a stall that began at `t` (analysis runs ~150 ms after an edit; opens and configuration changes start analyses too). */
  const editsBefore = (t: number): OpRecord[] =>
    ops
      .filter(o => /^(edit|open|config)/.test(o.op) && o.t >= t - 3000 && o.t <= t + 250)
      .sort((a, b) => Number(isHostile(b)) - Number(isHostile(a)) || b.t - a.t);
  const counts = {
    total: 0,
    opens: 0,
    closes: 0,
    edits: 0,
    hostileEdits: 0,
    requests: 0,
    cancelsSent: 0,
    configChanges: 0,
    skippedWhileRestarting: 0,
  };
  const crashes: LspFuzzReport['crashes'] = [];
  const cancellations = {
    sent: 0,
    repliedCancelled: 0,
    repliedEmpty: 0,
    repliedWithResult: 0,
    repliedOtherError: 0,
    unanswered: 0,
    lostToCrash: 0,
  };
  const requestErrors = new Map<string, number>();
  const latencies = new Map<string, number[]>();
  const pending = new Map<number, Pending>();
  let lostToCrash = 0;
  let requestSeq = 0;
  let peakKB = 0;
  const rssTimeline: [number, number][] = [];
  const stalls: { atMs: number; ms: number }[] = [];
  let probes = 0;
  let probeOutstanding: Pending | undefined;
  const serverReported: Record<string, number> = {};
  const hygiene: LspFuzzReport['hygiene'] = { rawControl: 0, unescapedLink: 0, examples: [] };
  /** Document texts saved while a stall was going on, by the probe's send time. */
  const stallTexts = new Map<number, string[]>();
  let publications = 0;
  const publicationsBySecond = new Map<number, number>();
  const internal = new Map<
    string,
    { line: string; where?: string; count: number; firstAtMs: number; doc?: string; artifact?: string }
  >();
  let internalTotal = 0;

  const settings = (): unknown => ({
    enable: true,
    requirements: {
      https: true,
      minTlsVersion: '1.2',
      sse: ['aws:kms'],
      kmsKeyArns: c.keys.slice(0, 2).map(k => k.arn),
      headerlessUploads: 'allow',
    },
    keyPolicies: Object.fromEntries(
      docs
        .filter(d => d.kind === 'key-policy')
        .slice(0, 3)
        .map(d => [c.keys[docs.indexOf(d)].arn, d.name])
        .concat(
          opts.hostileSettings
            ? [
                [`arn:aws:kms:us-east-1:${c.account}:key/00000000-0000-4000-8000-000000000001`, '/dev/zero'],
                [`arn:aws:kms:us-east-1:${c.account}:key/00000000-0000-4000-8000-000000000002`, fifo],
                [`arn:aws:kms:us-east-1:${c.account}:key/00000000-0000-4000-8000-000000000003`, '../../../../etc/passwd'],
              ]
            : [],
        ),
    ),
    kinds: opts.hostileSettings ? { [`**/${'*a'.repeat(40)}*.json`]: 'bucket-policy' } : {},
  });

  // ---- the server
  let session: Session | undefined;
  let sessions = 0;
  let stopping = false;

  const settle = (p: Pending, outcome: 'result' | 'error', value: unknown): void => {
    if (!pending.has(p.id)) return;
    pending.delete(p.id);
    const ms = now() - p.sentAt;
    if (p.probe) {
      probeOutstanding = undefined;
      probes++;
      if (ms > STALL_LIMIT_MS) stalls.push({ atMs: p.sentAt, ms });
      if (outcome === 'result') collectServerStall(value, '');
      return;
    }
    (latencies.get(p.method) ?? latencies.set(p.method, []).get(p.method)!).push(ms);
    if (outcome === 'result') checkHygiene(p, value);
    const err = outcome === 'error' && value instanceof ResponseError ? value : undefined;
    if (err && err.code !== -32800) {
      const key = `${p.method}: ${clip(firstLine(err.message), 200)}`;
      requestErrors.set(key, (requestErrors.get(key) ?? 0) + 1);
    }
    if (p.cancelledAt !== undefined) {
      if (err?.code === -32800) cancellations.repliedCancelled++;
      else if (err) cancellations.repliedOtherError++;
      else if (isEmptyResult(value)) cancellations.repliedEmpty++;
      else cancellations.repliedWithResult++;
    }
  };
  /** Text from documents must reach the editor escaped: no raw control characters, no live Markdown link from a Sid. */
  const checkHygiene = (p: Pending, result: unknown): void => {
    const strings: string[] = [];
    const walk = (v: unknown, depth: number): void => {
      if (strings.length > 2000 || depth > 8) return;
      if (typeof v === 'string') strings.push(v);
      else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x, depth + 1);
    };
    walk(result, 0);
    const markdown = /hover|explain|completion/.test(p.method);
    const control = strings.find(x => RAW_CONTROL.test(x));
    const link = markdown ? strings.find(x => x.includes('](https://evil.example')) : undefined;
    if (control !== undefined) hygiene.rawControl++;
    if (link !== undefined) hygiene.unescapedLink++;
    const bad = control ?? link;
    if (bad !== undefined && hygiene.examples.length < 5) {
      const at = Math.max(0, bad.search(control !== undefined ? RAW_CONTROL : /\]\(https:\/\/evil/) - 40);
      hygiene.examples.push({ method: p.method, doc: p.doc, text: bad.slice(at, at + 120) });
    }
  };
  const collectServerStall = (v: unknown, prefix: string): void => {
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const name = prefix ? `${prefix}.${k}` : k;
      if (typeof x === 'number' && /stall|lag|eventloop|blocked/i.test(name))
        serverReported[name] = Math.max(serverReported[name] ?? 0, x);
      else if (x && typeof x === 'object' && name.split('.').length < 3) collectServerStall(x, name);
    }
  };

  const send = (s: Session, method: string, params: unknown, doc?: FuzzDoc, cancelAfterMs?: number, probe = false): void => {
    const p: Pending = { id: ++requestSeq, method, doc: doc?.name, sentAt: now(), session: s.n, probe };
    pending.set(p.id, p);
    const source = new CancellationTokenSource();
    s.conn.sendRequest(method, params, source.token).then(
      r => settle(p, 'result', r),
      e => settle(p, 'error', e),
    );
    if (probe) probeOutstanding = p;
    if (cancelAfterMs !== undefined) {
      setTimeout(() => {
        if (!pending.has(p.id) || s.exited) return;
        p.cancelledAt = now();
        cancellations.sent++;
        counts.cancelsSent++;
        opLog({ t: now(), op: 'cancel', doc: doc?.name, detail: `$/cancelRequest ${method} #${p.id}` });
        source.cancel();
      }, cancelAfterMs);
    }
  };
  const notify = (method: string, params: unknown): void => {
    if (session?.ready && !session.exited) void session.conn.sendNotification(method, params).catch(() => undefined);
  };

  const onCrash = (s: Session, code: number | null, signal: NodeJS.Signals | null): void => {
    s.end();
    for (const p of [...pending.values()]) {
      if (p.session !== s.n) continue;
      pending.delete(p.id);
      if (s.shuttingDown) continue; // already counted as unanswered, before the shutdown
      if (p.probe) {
        probeOutstanding = undefined;
        stalls.push({ atMs: p.sentAt, ms: now() - p.sentAt });
        continue;
      }
      lostToCrash++;
      if (p.cancelledAt !== undefined) cancellations.lostToCrash++;
    }
    if (s.shuttingDown) return;
    const atMs = now();
    const lastOps = ops.slice(-40);
    const tail = s.stderrTail.split('\n').slice(-25).join('\n');
    const edited = [...new Set(ops.filter(o => o.t > atMs - 10_000 && o.op.startsWith('edit')).map(o => o.doc!))].slice(-5);
    const artifact = saveArtifact(
      `crash-${crashes.length + 1}.txt`,
      [
        `seed ${opts.seed}; server exited at ${(atMs / 1000).toFixed(1)} s with code ${code} signal ${signal}`,
        '--- stderr (tail)',
        tail,
        '--- last operations',
        ...lastOps.map(o => `${(o.t / 1000).toFixed(2)}s ${o.op} ${o.doc ?? ''} v${o.version ?? ''} ${o.detail}`),
        '--- documents edited in the last 10 s (size)',
        ...edited.map(n => `${n} ${docs.find(d => d.name === n)?.doc.getText().length} chars`),
      ].join('\n'),
    );
    for (const n of edited) {
      const d = docs.find(x => x.name === n)!;
      if (d.doc.getText().length <= 2 * 1024 * 1024)
        saveArtifact(`crash-${crashes.length + 1}-${path.basename(n)}`, d.doc.getText());
    }
    crashes.push({ atMs, code, signal, stderrTail: tail, lastOps: lastOps.slice(-15), artifact });
    log(`${(atMs / 1000).toFixed(1)} s: the server exited (code ${code}, signal ${signal}): ${clip(crashLine(tail), 160)}`);
    if (!stopping && crashes.length <= maxRestarts && now() < opts.seconds * 1000) setTimeout(() => void start(), 500);
  };

  const start = async (): Promise<void> => {
    if (stopping) return; // a restart scheduled just before the end
    const s = new Session(++sessions);
    session = s;
    // 'close', not 'exit': by then stderr has been read to the end (the crash report quotes it).
    s.proc.on('close', (code, signal) => onCrash(s, code, signal));
    s.conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: unknown[] }) => {
      publications++;
      const sec = Math.floor(now() / 1000);
      publicationsBySecond.set(sec, (publicationsBySecond.get(sec) ?? 0) + 1);
      const d = docs.find(x => x.uri === p.uri);
      if (d) d.diagnostics = p.diagnostics;
    });
    s.conn.onNotification('window/logMessage', (m: { type: number; message: string }) => {
      if (m.type !== 1) return;
      internalTotal++;
      const line = firstLine(m.message);
      const key = errorKey(line);
      const seen = internal.get(key);
      if (seen) {
        seen.count++;
        return;
      }
      const d = docs.find(x => line.startsWith(x.doc.uri.replace(/^file:\/\//, '')) || line.startsWith(path.join(ws, x.name)));
      const where = m.message
        .split('\n')
        .find(l => /^\s+at /.test(l))
        ?.trim();
      const n = internal.size + 1;
      let artifact: string | undefined;
      if (d) {
        artifact = saveArtifact(
          `internal-error-${n}.json`,
          JSON.stringify(
            { seed: opts.seed, document: d.name, message: clip(m.message, 4000), versions: d.recent.map(r => r.version) },
            null,
            2,
          ),
        );
        for (const r of d.recent) saveArtifact(`internal-error-${n}-v${r.version}-${path.basename(d.name)}`, r.text);
      }
      internal.set(key, { line: clip(line, 300), where, count: 1, firstAtMs: now(), doc: d?.name, artifact });
      log(`${(now() / 1000).toFixed(1)} s: internal error: ${clip(line, 200)}`);
    });
    s.conn.onNotification('window/showMessage', () => undefined);
    s.conn.onNotification('telemetry/event', () => undefined);
    s.conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => settings()));
    s.conn.onRequest('client/registerCapability', () => null);
    s.conn.onRequest('window/workDoneProgress/create', () => null);
    s.conn.listen();
    try {
      const rootUri = pathToFileURL(ws).href;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        s.conn.sendRequest('initialize', {
          processId: process.pid,
          rootUri,
          workspaceFolders: [{ uri: rootUri, name: 'workspace' }],
          capabilities: {
            workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
            textDocument: { publishDiagnostics: { versionSupport: true } },
          },
        }),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('initialize took over 60 s')), 60_000);
        }),
      ]).finally(() => clearTimeout(timer));
      await s.conn.sendNotification('initialized', {});
    } catch (e) {
      if (!s.exited) log(`the server did not initialize: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    s.ready = true;
    // After a restart the editor opens the documents again.
    for (const d of docs)
      if (d.open)
        notify('textDocument/didOpen', {
          textDocument: { uri: d.uri, languageId: 'json', version: d.doc.version, text: d.doc.getText() },
        });
  };

  const sampler = setInterval(() => {
    const s = session;
    if (!s || s.exited || s.proc.pid === undefined) return;
    const st = readStatusKB(s.proc.pid);
    if (!st) return;
    s.peakKB = Math.max(s.peakKB, st.hwm, st.rss);
    peakKB = Math.max(peakKB, s.peakKB);
    const sec = Math.floor(now() / 10_000) * 10;
    if (!rssTimeline.length || rssTimeline[rssTimeline.length - 1][0] !== sec) rssTimeline.push([sec, Math.round(st.rss / 1024)]);
  }, 200);
  const prober = setInterval(() => {
    const s = session;
    const p = probeOutstanding;
    if (p && now() - p.sentAt > 2000 && !stallTexts.has(p.sentAt) && stallTexts.size < 25) {
      // The server is stuck now: keep the texts of what was edited just before, while we have them.
      const files: string[] = [];
      for (const name of [...new Set(editsBefore(p.sentAt).flatMap(o => (o.doc ? [o.doc] : [])))].slice(0, 6)) {
        const r = docs.find(x => x.name === name)?.recent.at(-1);
        if (r?.text)
          files.push(saveArtifact(`stall-at-${Math.round(p.sentAt)}ms-v${r.version}-${path.basename(name)}`, r.text) ?? '');
      }
      stallTexts.set(p.sentAt, files.filter(Boolean));
    }
    if (stopping || !s?.ready || s.exited || probeOutstanding) return;
    send(s, 's3EncryptionGuard/stats', undefined, undefined, undefined, true);
  }, pingMs);
  const progress = setInterval(() => {
    const longest = Math.max(0, ...stalls.map(x => x.ms), probeOutstanding ? now() - probeOutstanding.sentAt : 0);
    log(
      `${(now() / 1000).toFixed(0)} s: ${counts.total} operations, ${pending.size} requests pending, RSS peak ${(peakKB / 1024).toFixed(0)} MB, longest stall ${longest.toFixed(0)} ms, ${crashes.length} crashes, ${internalTotal} internal errors`,
    );
  }, 30_000);

  await start();

  // ---- operations
  const remember = (d: FuzzDoc): void => {
    const text = d.doc.getText();
    d.recent.push({ version: d.doc.version, text: text.length <= 256 * 1024 ? text : '' });
    if (d.recent.length > 3) d.recent.shift();
  };
  const tree = (d: FuzzDoc): Node | undefined => {
    if (d.tree?.version === d.doc.version) return d.tree.root;
    const text = d.doc.getText();
    let rootNode: Node | undefined;
    if (text.length <= 1024 * 1024) {
      try {
        rootNode = parseTree(text);
      } catch {
        rootNode = undefined;
      } // deep nesting overflows the parser's stack
    }
    d.tree = { version: d.doc.version, root: rootNode };
    return rootNode;
  };
  const edit = (d: FuzzDoc, start: number, end: number, text: string, op: string, detail: string): void => {
    const range = { start: d.doc.positionAt(start), end: d.doc.positionAt(end) };
    const version = d.doc.version + 1;
    TextDocument.update(d.doc, [{ range, text }], version);
    remember(d);
    notify('textDocument/didChange', { textDocument: { uri: d.uri, version }, contentChanges: [{ range, text }] });
    opLog({ t: now(), op, doc: d.name, version, detail });
  };

  // Most editing happens in a few documents at a time, like a person's; the focus moves on.
  let focus: FuzzDoc[] = [];
  const pickDoc = (): FuzzDoc | undefined => {
    if (!focus.length || opRng.chance(0.004)) focus = Array.from({ length: 5 }, () => opRng.pick(docs));
    const u = opRng.next();
    const pool = docs.filter(d => d.open);
    const inFocus = focus.filter(d => d.open);
    const from = u < 0.7 && inFocus.length ? inFocus : pool;
    return from.length ? from[Math.floor(opRng.next() * from.length)] : undefined;
  };

  const editOp = (d: FuzzDoc): void => {
    const text = d.doc.getText();
    const hostile = opRng.chance(opts.hostile);
    const rootNode = tree(d);
    const strings = stringNodes(rootNode);
    const u = opRng.next();
    const str = strings.length ? strings[Math.floor(u * strings.length)] : undefined;
    const statements = rootNode && findNodeAtLocation(rootNode, ['Statement']);
    counts.edits++;
    if (hostile) {
      counts.hostileEdits++;
      const what = opRng.weighted([
        ['value', 4],
        ['statements', 4],
        ['fragment', 2],
      ] as const);
      if (what === 'value' && str) {
        const h = hostileValue(opRng, propertyOf(str), d.bucket, c);
        return edit(d, str.offset + 1, str.offset + str.length - 1, h.text, 'edit hostile', h.label);
      }
      if (what !== 'fragment' && statements?.type === 'array') {
        const h = hostileStatements(opRng, d.kind, d.bucket, c);
        return edit(d, ...insertStatements(text, h.text, statements), 'edit hostile', h.label);
      }
      const h: Hostile = hostileFragment(opRng, opts.maxWildcards);
      const at = opRng.int(0, text.length);
      return edit(d, at, at, h.text, 'edit hostile', h.label);
    }
    if (text.length > 4 * 1024 * 1024 || opRng.chance(0.03)) {
      return edit(
        d,
        0,
        text.length,
        documentText(opRng, d.kind, c, d.bucket),
        'edit',
        'replace everything with a fresh document',
      );
    }
    const kind = opRng.weighted([
      ['type-in-string', 30],
      ['replace-value', 20],
      ['type', 15],
      ['insert-statement', 10],
      ['delete-statement', 8],
      ['delete-range', 6],
      ['paste', 5],
      ['undo', 3],
    ] as const);
    if (kind === 'type-in-string' && str) {
      const at = opRng.int(str.offset + 1, Math.max(str.offset + 1, str.offset + str.length - 1));
      const typed = Array.from({ length: opRng.int(1, 3) }, () =>
        opRng.pick(['*', '?', '*', 'a', 'Z', '0', '/', '-', ':', '$', '{', '}']),
      ).join('');
      if (opRng.chance(0.3) && at > str.offset + 1) return edit(d, at - 1, at, '', 'edit', `backspace in ${propertyOf(str)}`);
      return edit(d, at, at, typed, 'edit', `type ${JSON.stringify(typed)} in ${propertyOf(str)}`);
    }
    if (kind === 'replace-value' && str) {
      const prop = propertyOf(str);
      const value =
        prop === '<key>'
          ? opRng.pick([
              'Effect',
              'Efect',
              'Resource',
              'NotResource',
              'Condition',
              'StringLike',
              'ArnNotLike',
              'Principal',
              'Action',
              'Sid',
              'aws:PrincipalArn',
              'StringLikeX',
            ])
          : valueFor(opRng, prop, c, d.bucket);
      return edit(d, str.offset + 1, str.offset + str.length - 1, value, 'edit', `set ${prop} to ${JSON.stringify(value)}`);
    }
    if (kind === 'insert-statement' && statements?.type === 'array') {
      return edit(
        d,
        ...insertStatements(text, statementText(opRng, d.kind, c, d.bucket), statements),
        'edit',
        'insert a statement',
      );
    }
    if (kind === 'delete-statement' && statements?.type === 'array' && statements.children?.length) {
      const i = opRng.int(0, statements.children.length - 1);
      const ch = statements.children;
      const start = i > 0 ? ch[i - 1].offset + ch[i - 1].length : ch[i].offset;
      const end = i > 0 ? ch[i].offset + ch[i].length : (ch[i + 1]?.offset ?? ch[i].offset + ch[i].length);
      return edit(d, start, end, '', 'edit', `delete statement ${i}`);
    }
    if (kind === 'delete-range' && text.length) {
      const a = opRng.int(0, text.length - 1);
      return edit(d, a, Math.min(text.length, a + opRng.int(1, 200)), '', 'edit', 'delete a selection');
    }
    if (kind === 'paste' && text.length) {
      const a = opRng.int(0, text.length - 1);
      const piece = text.slice(a, a + opRng.int(1, 2048));
      const at = opRng.int(0, text.length);
      return edit(d, at, at, piece, 'edit', `paste ${piece.length} chars`);
    }
    if (kind === 'undo' && d.recent.length > 1 && d.recent[0].text) {
      return edit(d, 0, text.length, d.recent[0].text, 'edit', `undo to version ${d.recent[0].version}`);
    }
    // Typing anywhere: the JSON is often broken while a person types.
    const at = opRng.int(0, text.length);
    if (opRng.chance(0.4) && at > 0) return edit(d, at - 1, at, '', 'edit', 'backspace');
    const typed = Array.from({ length: opRng.int(1, 4) }, () =>
      opRng.pick(['"', '{', '}', '[', ']', ',', ':', ' ', '\n', '*', 'a', '1', 'S']),
    ).join('');
    return edit(d, at, at, typed, 'edit', `type ${JSON.stringify(typed)}`);
  };

  /** Draws the same numbers whether or not the server is up, so that a seed replays the same edits. */
  const requestOp = (d: FuzzDoc, ready: boolean): void => {
    const text = d.doc.getText();
    const rootNode = tree(d);
    const strings = stringNodes(rootNode);
    const u = opRng.next();
    const str = strings.length && opRng.chance(0.7) ? strings[Math.floor(u * strings.length)] : undefined;
    const offset = str ? opRng.int(str.offset, str.offset + str.length) : opRng.int(0, text.length);
    let position: { line: number; character: number } = d.doc.positionAt(offset);
    let uri = d.uri;
    // Hostile parameters: positions past the end, a document that is not open.
    const oddity = opRng.weighted([
      ['none', 95],
      ['position', 3],
      ['uri', 2],
    ] as const);
    if (oddity === 'position')
      position = opRng.pick([
        { line: 1e9, character: 5 },
        { line: -1, character: -1 },
        { line: 0, character: 1e9 },
      ]);
    if (oddity === 'uri') uri = opRng.pick([`${d.uri}.missing`, 'file:///%zz/not-open.json', 'untitled:Untitled-1']);
    const method = opRng.weighted([
      ['textDocument/hover', 30],
      ['textDocument/completion', 25],
      ['textDocument/codeAction', 15],
      ['textDocument/codeLens', 15],
      ['s3EncryptionGuard/explain', 10],
      ['s3EncryptionGuard/analyze', 5],
    ] as const);
    const v = opRng.next();
    let params: unknown;
    switch (method) {
      case 'textDocument/completion':
        params = {
          textDocument: { uri },
          position,
          context: v < 0.5 ? { triggerKind: 1 } : { triggerKind: 2, triggerCharacter: v < 0.75 ? '"' : ':' },
        };
        break;
      case 'textDocument/codeAction': {
        const diags = d.diagnostics.slice(0, 5);
        params = {
          textDocument: { uri },
          range: { start: position, end: position },
          context: { diagnostics: diags, ...(v < 0.3 ? { only: ['source.fixAll'] } : v < 0.6 ? { only: ['quickfix'] } : {}) },
        };
        break;
      }
      case 'textDocument/codeLens':
        params = { textDocument: { uri } };
        break;
      case 's3EncryptionGuard/explain':
        params =
          v < 0.8 ? { uri } : { uri, bucket: v < 0.9 ? d.bucket : `xyz${'A0*'.repeat(Math.min(30, opts.maxWildcards ?? 30))}` };
        break;
      case 's3EncryptionGuard/analyze':
        params =
          v < 0.6
            ? { uri }
            : {
                text:
                  d.kind === 'key-policy' || d.kind === 'bucket-policy'
                    ? text
                    : documentText(opRng, 'bucket-policy', c, d.bucket),
                kind: d.kind === 'key-policy' ? 'key-policy' : 'bucket-policy',
                bucket: d.bucket,
              };
        break;
      default:
        params = { textDocument: { uri }, position };
    }
    const cancel = opRng.chance(0.2) ? opRng.pick([0, 0, 5, 20, 50, 100]) : undefined;
    if (!ready || !session) {
      counts.skippedWhileRestarting++;
      return;
    }
    counts.requests++;
    opLog({
      t: now(),
      op: 'request',
      doc: d.name,
      version: d.doc.version,
      detail: `${method}${cancel !== undefined ? ` (cancel after ${cancel} ms)` : ''}`,
    });
    send(session, method, params, d, cancel);
  };

  const tick = (): void => {
    counts.total++;
    const u = opRng.next();
    const closed = docs.filter(d => !d.open);
    const op =
      u < 0.55 ? 'edit' : u < 0.9 ? 'request' : u < 0.94 ? 'close' : u < 0.985 ? 'reopen' : u < 0.987 ? 'config' : 'request';
    const ready = !!session?.ready && !session.exited;
    if (op === 'reopen' && closed.length) {
      const d = closed[Math.floor(opRng.next() * closed.length)];
      return openDoc(d);
    }
    if (op === 'config') {
      counts.configChanges++;
      opLog({ t: now(), op: 'config', detail: 'workspace/didChangeConfiguration' });
      return notify('workspace/didChangeConfiguration', { settings: null });
    }
    const d = pickDoc();
    if (!d) return;
    if (op === 'close') {
      if (closed.length && docs.filter(x => x.open).length < docs.length * 0.8)
        return openDoc(closed[Math.floor(opRng.next() * closed.length)]);
      d.open = false;
      counts.closes++;
      opLog({ t: now(), op: 'close', doc: d.name, version: d.doc.version, detail: 'didClose' });
      return notify('textDocument/didClose', { textDocument: { uri: d.uri } });
    }
    if (op === 'request') return requestOp(d, ready);
    editOp(d);
  };
  const openDoc = (d: FuzzDoc): void => {
    d.open = true;
    counts.opens++;
    const version = d.doc.version + 1;
    d.doc = TextDocument.create(d.uri, 'json', version, d.doc.getText());
    remember(d);
    opLog({
      t: now(),
      op: d.hostileAtStart ? 'open hostile' : 'open',
      doc: d.name,
      version,
      detail: `didOpen (${d.doc.getText().length} chars${d.hostileAtStart ? `; created with ${d.hostileAtStart}` : ''})`,
    });
    notify('textDocument/didOpen', { textDocument: { uri: d.uri, languageId: 'json', version, text: d.doc.getText() } });
  };

  // Open the documents (a restored editor session: faster than editing, but not all at once),
  // then operate at the set rate until the time is up.
  const endAt = opts.seconds * 1000;
  const interval = 1000 / opts.rate;
  const openInterval = 1000 / Math.max(opts.rate, 20);
  let next = now();
  for (const d of docs) {
    if (now() >= endAt || crashes.length > maxRestarts) break;
    openDoc(d); // sent now if the server is up, else by start() once it is
    next += openInterval;
    await sleep(Math.max(0, next - now()));
  }
  while (now() < endAt && crashes.length <= maxRestarts) {
    tick();
    next += interval;
    // Behind by more than a second (a huge insert): skip ahead rather than burst.
    if (now() - next > 1000) next = now();
    await sleep(Math.max(0, next - now()));
  }
  const durationMs = now();

  // ---- grace period: outstanding requests get their chance to be answered
  stopping = true;
  const graceEnd = now() + graceMs;
  while (now() < graceEnd && [...pending.values()].some(p => !p.probe)) await sleep(100);
  if (probeOutstanding) stalls.push({ atMs: probeOutstanding.sentAt, ms: now() - probeOutstanding.sentAt });
  const unanswered = [...pending.values()]
    .filter(p => !p.probe)
    .map(p => ({
      id: p.id,
      method: p.method,
      doc: p.doc,
      sentAtMs: Math.round(p.sentAt),
      cancelled: p.cancelledAt !== undefined,
    }));
  cancellations.unanswered = unanswered.filter(u => u.cancelled).length;
  clearInterval(sampler);
  clearInterval(prober);
  clearInterval(progress);
  driverLag.disable();

  // ---- shut the server down (or kill it if it does not listen any more)
  const s = session;
  if (s && !s.exited) {
    s.shuttingDown = true;
    const exited = new Promise<void>(r => {
      if (s.exited) r();
      else s.proc.once('close', () => r());
    });
    const ok = await Promise.race([
      s.conn.sendRequest('shutdown').then(
        () => true,
        () => false,
      ),
      sleep(3000).then(() => false),
    ]);
    if (ok) void s.conn.sendNotification('exit').catch(() => undefined);
    if (!(await Promise.race([exited.then(() => true), sleep(ok ? 3000 : 0).then(() => false)]))) s.proc.kill('SIGKILL');
    await Promise.race([exited, sleep(5000)]);
  }
  fs.rmSync(tmp, { recursive: true, force: true });

  // ---- the report
  const sortedStalls = [...stalls].sort((a, b) => b.ms - a.ms);
  const top = sortedStalls.slice(0, 10).map((st, i) => {
    const recentEdits = editsBefore(st.atMs).slice(0, 8);
    const artifact =
      st.ms > 1000
        ? saveArtifact(
            `stall-${i + 1}.txt`,
            [
              `seed ${opts.seed}; the stats probe sent at ${(st.atMs / 1000).toFixed(2)} s waited ${st.ms.toFixed(0)} ms`,
              '--- edits, opens and configuration changes in the 3 s before it began (hostile first, then the latest first)',
              ...recentEdits.map(o => `${(o.t / 1000).toFixed(2)}s ${o.op} ${o.doc} v${o.version} ${o.detail}`),
              ...(stallTexts.get(st.atMs) ?? []).map(f => `--- text: ${f}`),
            ].join('\n'),
          )
        : undefined;
    return { atMs: Math.round(st.atMs), ms: Math.round(st.ms), recentEdits, artifact };
  });
  const perSecond = [...publicationsBySecond.values()];
  const peakRssMB = Math.round(peakKB / 1024);
  const longestMs = Math.round(sortedStalls[0]?.ms ?? 0);
  const failed: string[] = [];
  if (crashes.length) failed.push(`${crashes.length} crash${crashes.length === 1 ? '' : 'es'}`);
  if (unanswered.length || lostToCrash)
    failed.push(`${unanswered.length + lostToCrash} unanswered request${unanswered.length + lostToCrash === 1 ? '' : 's'}`);
  if (peakRssMB >= RSS_LIMIT_MB) failed.push(`peak RSS ${peakRssMB} MB >= ${RSS_LIMIT_MB} MB`);
  const serverStall = serverReported.maxEventLoopDelayMs;
  const judgedMs = serverStall !== undefined ? Math.round(serverStall) : longestMs;
  if (judgedMs > STALL_LIMIT_MS)
    failed.push(
      `longest stall ${judgedMs} ms > ${STALL_LIMIT_MS} ms${serverStall !== undefined ? " (the server's own event-loop delay)" : ''}`,
    );
  return {
    seed: opts.seed,
    options: {
      seconds: opts.seconds,
      docs: opts.docs,
      rate: opts.rate,
      hostile: opts.hostile,
      hostileSettings: !!opts.hostileSettings,
      maxWildcards: opts.maxWildcards,
    },
    serverFlags: [...SERVER_NODE_FLAGS],
    durationMs: Math.round(durationMs),
    operations: {
      ...counts,
      perSecond: Number((counts.total / Math.max(1, (durationMs - docs.length * openInterval) / 1000)).toFixed(2)),
    },
    crashes,
    unanswered,
    lostToCrash,
    cancellations,
    requestErrors: [...requestErrors].map(([message, count]) => ({ message, count })).sort((a, b) => b.count - a.count),
    latencyMs: Object.fromEntries([...latencies].map(([m, xs]) => [m, quantiles(xs)])),
    peakRssMB,
    rssTimelineMB: rssTimeline,
    stalls: {
      probes,
      longestMs,
      judgedMs,
      over250: stalls.filter(x => x.ms > 250).length,
      over1000: stalls.filter(x => x.ms > 1000).length,
      top,
      serverReported,
    },
    diagnostics: {
      publications,
      perSecond: Number((publications / Math.max(1, durationMs / 1000)).toFixed(1)),
      peakInOneSecond: Math.max(0, ...perSecond),
    },
    internalErrors: { total: internalTotal, distinct: [...internal.values()].sort((a, b) => b.count - a.count) },
    hygiene,
    driverLagMaxMs: Math.round(driverLag.max / 1e6),
    failed,
  };
}

/** Offsets and text that insert statements at the start of the Statement array (or before the last `]`). */
function insertStatements(text: string, statements: string, array?: Node): [number, number, string] {
  if (array?.type === 'array') {
    const hasItems = !!array.children?.length;
    return [array.offset + 1, array.offset + 1, hasItems ? `${statements},` : statements];
  }
  const at = Math.max(0, text.lastIndexOf(']'));
  return [at, at, `,${statements}`];
}

function applyOffsets(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));
