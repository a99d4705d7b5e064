// Benchmark: the built language server over stdio, driven by a real JSON-RPC client.
// Round trip didChange → publishDiagnostics for a 20 KB bucket policy (debounce set to 0, so
// the figure is the server's own work plus the protocol), and the server's memory (RSS from
// /proc) after 200 policies are open.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { SERVER_NODE_FLAGS } from '../protocol/protocol';
import { bucketPolicy, keyPolicy } from './policies';
import { fmt, summarize, table, type Timing } from './stats';
import { STATS_REQUEST } from '../protocol/protocol';

export interface LspResults {
  roundTrip20KB: Timing;
  rssAfter200PoliciesMB: number;
  rssIdleMB: number;
  heapUsedAfter200PoliciesMB: number;
  rssAfter200PoliciesAfterGcMB: number;
  load: LoadResults;
}

const rssMB = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};

export async function benchLsp(): Promise<LspResults> {
  const server = path.resolve(__dirname, '..', '..', 'dist', 'server', 'server.js');
  // The flags the VS Code client starts the server with (client/extension.ts); --expose-gc
  // lets the stats request collect garbage before it reports live memory.
  const proc = spawn(process.execPath, [...SERVER_NODE_FLAGS, '--expose-gc', server, '--stdio'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const waiting = new Map<string, (v: number) => void>();
  conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; version?: number }) => {
    const k = `${p.uri}#${p.version}`;
    waiting.get(k)?.(performance.now());
    waiting.delete(k);
  });
  conn.onNotification('window/logMessage', () => undefined);
  conn.listen();
  const published = (uri: string, version: number) => new Promise<number>(r => waiting.set(`${uri}#${version}`, r));
  await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: {},
    initializationOptions: { debounceMs: 0 },
  });
  await conn.sendNotification('initialized', {});
  const rssIdleMB = rssMB(proc.pid!);

  const uri = 'file:///bench/bench-bucket.bucket-policy.json';
  const text = bucketPolicy(20 * 1024);
  let wait = published(uri, 1);
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'json', version: 1, text } });
  await wait;
  const samples: number[] = [];
  for (let v = 2; v < 2 + 230; v++) {
    // Alternate two texts of the same size so every version is a real change.
    const next = v % 2 ? text : text.replace('"Tenant0"', '"Tenant9"');
    wait = published(uri, v);
    const t0 = performance.now();
    await conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: v },
      contentChanges: [{ text: next }],
    });
    const t1 = await wait;
    if (v >= 2 + 30) samples.push(t1 - t0); // the first 30 warm the JIT
  }

  for (let i = 0; i < 200; i++) {
    const u = `file:///bench/many/p${i}.${i % 4 === 3 ? 'key' : 'bucket'}-policy.json`;
    const t =
      i % 4 === 3
        ? keyPolicy(2048 + (i % 10) * 3000)
        : bucketPolicy(1024 + (i % 10) * 2000, `bucket-${i}`).replace(/bench-bucket/g, `p${i}`);
    wait = published(u, 1);
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: u, languageId: 'json', version: 1, text: t } });
    await wait;
  }
  await new Promise(r => setTimeout(r, 500));
  const rssAfter200PoliciesMB = rssMB(proc.pid!);
  const stats = (await conn.sendRequest(STATS_REQUEST)) as { openDocuments: number; memory: NodeJS.MemoryUsage };
  if (stats.openDocuments !== 201) throw new Error(`expected 201 open documents, the server has ${stats.openDocuments}`);
  const heapUsedAfter200PoliciesMB = stats.memory.heapUsed / 1024 / 1024;
  const rssAfter200PoliciesAfterGcMB = rssMB(proc.pid!);
  await conn.sendRequest('shutdown');
  await conn.sendNotification('exit');
  conn.dispose();
  const load = await benchLoad(server);
  return {
    roundTrip20KB: summarize(samples),
    rssAfter200PoliciesMB,
    rssIdleMB,
    heapUsedAfter200PoliciesMB,
    rssAfter200PoliciesAfterGcMB,
    load,
  };
}

export function printLsp(r: LspResults): void {
  console.log(
    table([
      ['language server (stdio)', 'median', 'p95', 'runs'],
      [
        'didChange → publishDiagnostics, 20 KB bucket policy (debounce 0)',
        fmt(r.roundTrip20KB.median),
        fmt(r.roundTrip20KB.p95),
        String(r.roundTrip20KB.runs),
      ],
    ]),
  );
  console.log(
    `server memory with 200 policies open (1–20 KB bucket policies, 2–29 KB key policies): RSS ${r.rssAfter200PoliciesMB.toFixed(0)} MB, ` +
      `after a full GC ${r.rssAfter200PoliciesAfterGcMB.toFixed(0)} MB (live heap ${r.heapUsedAfter200PoliciesMB.toFixed(0)} MB); idle ${r.rssIdleMB.toFixed(0)} MB`,
  );
  printLoad(r.load);
}

// ---------------------------------------------------------------------------------------------
// The server under load (issue 10): how many diagnostic publications keystrokes in a key policy
// cause with 200 bucket policies open, and the server's memory with 220 documents open.

export interface FanOutResults {
  bucketPolicies: number;
  linkedToTheKey: number;
  keystrokes: number;
  /** Every publishDiagnostics the keystrokes caused, and how many of them went to bucket policies. */
  publications: number;
  bucketPublications: number;
}

export interface LoadResults {
  /** Keystrokes into a Sid: the bucket policies' results do not change. */
  fanOut: FanOutResults;
  /** Each keystroke adds or removes the linked writer's grant: the linked bucket policies' results change every time. */
  fanOutToggling: FanOutResults;
  openDocuments: number;
  /** From the stats request (with --expose-gc: after a full collection). */
  rssMB: number;
  heapUsedMB: number;
  cachedAnalyses?: number;
  cachedAnalysisMB?: number;
}

const ORDERS_KEY_ID = '5f2c7a1e-8d3b-4c6a-9e0f-2b7d4a6c8e10';

interface Counted {
  conn: ReturnType<typeof createMessageConnection>;
  proc: ReturnType<typeof spawn>;
  count: Map<string, number>;
  total: () => number;
  lastAt: () => number;
}

function startServer(server: string, rootUri: string | null, initializationOptions: unknown): Counted {
  const proc = spawn(process.execPath, [...SERVER_NODE_FLAGS, '--expose-gc', server, '--stdio'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const count = new Map<string, number>();
  let last = performance.now();
  conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string }) => {
    count.set(p.uri, (count.get(p.uri) ?? 0) + 1);
    last = performance.now();
  });
  conn.onNotification('window/logMessage', () => undefined);
  conn.onNotification('window/showMessage', () => undefined);
  conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => ({})));
  conn.onRequest('client/registerCapability', () => null);
  conn.listen();
  void conn
    .sendRequest('initialize', {
      processId: process.pid,
      rootUri,
      workspaceFolders: rootUri ? [{ uri: rootUri, name: 'bench' }] : null,
      capabilities: { workspace: { configuration: true } },
      initializationOptions,
    })
    .then(() => conn.sendNotification('initialized', {}));
  return { conn, proc, count, total: () => [...count.values()].reduce((a, b) => a + b, 0), lastAt: () => last };
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
/** Wait until no publication has arrived for `quietMs` (works with servers that have no stats fields). */
async function settle(s: Counted, quietMs: number): Promise<void> {
  while (performance.now() - s.lastAt() < quietMs) await sleep(100);
}

/**
 * 200 bucket policies open (10 of them pin the key), the key policy open, then 100 keystrokes into
 * one of its Sids, 250 ms apart (slower than the 150 ms debounce, so each keystroke is analysed):
 * the publications counted from the first keystroke until the server is quiet again.
 */
export async function benchLoad(
  server = path.resolve(__dirname, '..', '..', 'dist', 'server', 'server.js'),
): Promise<LoadResults> {
  const examples = path.resolve(__dirname, '..', '..', 'examples');
  const bucketExample = fs.readFileSync(path.join(examples, 'orders-data.bucket-policy.json'), 'utf8');
  const keyFile = `orders-data.${ORDERS_KEY_ID}.key-policy.json`;
  const keyExample = fs.readFileSync(path.join(examples, keyFile), 'utf8');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-bench-load-'));
  const BUCKETS = 200;
  const LINKED = 10;
  const KEYSTROKES = 100;
  try {
    fs.mkdirSync(path.join(dir, 'keys'));
    fs.writeFileSync(path.join(dir, 'keys', keyFile), keyExample);
    const s = startServer(server, pathToFileURL(dir).toString(), {});
    const bucketUris: string[] = [];
    for (let i = 0; i < BUCKETS; i++) {
      const name = `bucket-${i}`;
      // The others pin a key of their own, which no key policy in the workspace describes.
      const keyId = i < LINKED ? ORDERS_KEY_ID : `${String(i).padStart(8, '0')}-1111-4222-8333-444455556666`;
      const text = bucketExample.replaceAll('orders-data', name).replaceAll(ORDERS_KEY_ID, keyId);
      const file = path.join(dir, `${name}.bucket-policy.json`);
      fs.writeFileSync(file, text);
      const uri = pathToFileURL(file).toString();
      bucketUris.push(uri);
      await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'json', version: 1, text } });
    }
    const keyUri = pathToFileURL(path.join(dir, 'keys', keyFile)).toString();
    await s.conn.sendNotification('textDocument/didOpen', {
      textDocument: { uri: keyUri, languageId: 'json', version: 1, text: keyExample },
    });
    await settle(s, 3000);
    const withGrant = keyExample.replace(
      '{\n      "Sid": "Allow reporting',
      `{"Sid": "Partner uploads", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/orders-writer"}, "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}},\n    {\n      "Sid": "Allow reporting`,
    );
    let version = 1;
    const typing = async (textOf: (k: number) => string): Promise<FanOutResults> => {
      const before = s.total();
      const bucketsBefore = bucketUris.reduce((n, u) => n + (s.count.get(u) ?? 0), 0);
      for (let k = 0; k < KEYSTROKES; k++) {
        await s.conn.sendNotification('textDocument/didChange', {
          textDocument: { uri: keyUri, version: ++version },
          contentChanges: [{ text: textOf(k) }],
        });
        await sleep(250);
      }
      await settle(s, 3000);
      return {
        bucketPolicies: BUCKETS,
        linkedToTheKey: LINKED,
        keystrokes: KEYSTROKES,
        publications: s.total() - before,
        bucketPublications: bucketUris.reduce((n, u) => n + (s.count.get(u) ?? 0), 0) - bucketsBefore,
      };
    };
    let sid = 'Allow access for Key Administrators';
    const fanOut = await typing(() => keyExample.replace('Allow access for Key Administrators', (sid += 'x')));
    // The last keystroke leaves the grant in: the linked bucket policies' results differ from before.
    const fanOutToggling = await typing(k => (k % 2 === 0 ? keyExample : withGrant));
    // 19 more documents (key policies, 2–29 KB): 220 open.
    for (let i = 0; i < 19; i++) {
      const uri = pathToFileURL(path.join(dir, `extra-${i}.key-policy.json`)).toString();
      await s.conn.sendNotification('textDocument/didOpen', {
        textDocument: { uri, languageId: 'json', version: 1, text: keyPolicy(2048 + (i % 10) * 3000) },
      });
    }
    await settle(s, 3000);
    const stats = (await s.conn.sendRequest(STATS_REQUEST)) as {
      openDocuments: number;
      cachedAnalyses: number;
      cachedAnalysisBytes?: number;
      memory: NodeJS.MemoryUsage;
    };
    await s.conn.sendRequest('shutdown');
    await s.conn.sendNotification('exit');
    s.conn.dispose();
    return {
      fanOut,
      fanOutToggling,
      openDocuments: stats.openDocuments,
      rssMB: stats.memory.rss / 1024 / 1024,
      heapUsedMB: stats.memory.heapUsed / 1024 / 1024,
      cachedAnalyses: stats.cachedAnalyses,
      cachedAnalysisMB: stats.cachedAnalysisBytes === undefined ? undefined : stats.cachedAnalysisBytes / 1024 / 1024,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function printLoad(r: LoadResults): void {
  for (const [what, f] of [
    ['into a Sid', r.fanOut],
    ['each adding or removing a grant', r.fanOutToggling],
  ] as const) {
    console.log(
      `${f.keystrokes} keystrokes in a key policy (${what}), 250 ms apart, ${f.bucketPolicies} bucket policies open (${f.linkedToTheKey} pin its key): ` +
        `${f.publications} diagnostic publications (${f.bucketPublications} to bucket policies)`,
    );
  }
  console.log(
    `server with ${r.openDocuments} documents open: RSS ${r.rssMB.toFixed(0)} MB, live heap ${r.heapUsedMB.toFixed(0)} MB` +
      `${r.cachedAnalysisMB === undefined ? '' : `, ${r.cachedAnalyses} cached analyses (${r.cachedAnalysisMB.toFixed(1)} MB estimated)`}`,
  );
}

// `node out/bench/lsp.js [server.js]`: only this part (e.g. against another build of the server).
if (require.main === module) {
  benchLoad(process.argv[2]).then(printLoad, e => {
    console.error(e);
    process.exit(1);
  });
}
