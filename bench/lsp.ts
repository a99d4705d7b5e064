// Benchmark: the built language server over stdio, driven by a real JSON-RPC client.
// Round trip didChange → publishDiagnostics for a 20 KB bucket policy (debounce set to 0, so
// the figure is the server's own work plus the protocol), and the server's memory (RSS from
// /proc) after 200 policies are open.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { SERVER_NODE_FLAGS } from '../server/src/runtime';
import { bucketPolicy, keyPolicy } from './policies';
import { fmt, summarize, table, type Timing } from './stats';

export interface LspResults { roundTrip20KB: Timing; rssAfter200PoliciesMB: number; rssIdleMB: number; heapUsedAfter200PoliciesMB: number; rssAfter200PoliciesAfterGcMB: number }

const rssMB = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};

export async function benchLsp(): Promise<LspResults> {
  const server = path.resolve(__dirname, '..', '..', 'dist', 'server', 'server.js');
  // The flags the VS Code client starts the server with (client/src/extension.ts); --expose-gc
  // lets the stats request collect garbage before it reports live memory.
  const proc = spawn(process.execPath, [...SERVER_NODE_FLAGS, '--expose-gc', server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
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
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: { debounceMs: 0 } });
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
    await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ text: next }] });
    const t1 = await wait;
    if (v >= 2 + 30) samples.push(t1 - t0); // the first 30 warm the JIT
  }

  for (let i = 0; i < 200; i++) {
    const u = `file:///bench/many/p${i}.${i % 4 === 3 ? 'key' : 'bucket'}-policy.json`;
    const t = i % 4 === 3 ? keyPolicy(2048 + (i % 10) * 3000) : bucketPolicy(1024 + (i % 10) * 2000, `bucket-${i}`).replace(/bench-bucket/g, `p${i}`);
    wait = published(u, 1);
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: u, languageId: 'json', version: 1, text: t } });
    await wait;
  }
  await new Promise(r => setTimeout(r, 500));
  const rssAfter200PoliciesMB = rssMB(proc.pid!);
  const stats = await conn.sendRequest('s3EncryptionGuard/stats') as { openDocuments: number; memory: NodeJS.MemoryUsage };
  if (stats.openDocuments !== 201) throw new Error(`expected 201 open documents, the server has ${stats.openDocuments}`);
  const heapUsedAfter200PoliciesMB = stats.memory.heapUsed / 1024 / 1024;
  const rssAfter200PoliciesAfterGcMB = rssMB(proc.pid!);
  await conn.sendRequest('shutdown');
  await conn.sendNotification('exit');
  conn.dispose();
  return { roundTrip20KB: summarize(samples), rssAfter200PoliciesMB, rssIdleMB, heapUsedAfter200PoliciesMB, rssAfter200PoliciesAfterGcMB };
}

export function printLsp(r: LspResults): void {
  console.log(table([
    ['language server (stdio)', 'median', 'p95', 'runs'],
    ['didChange → publishDiagnostics, 20 KB bucket policy (debounce 0)', fmt(r.roundTrip20KB.median), fmt(r.roundTrip20KB.p95), String(r.roundTrip20KB.runs)],
  ]));
  console.log(`server memory with 200 policies open (1–20 KB bucket policies, 2–29 KB key policies): RSS ${r.rssAfter200PoliciesMB.toFixed(0)} MB, ` +
    `after a full GC ${r.rssAfter200PoliciesAfterGcMB.toFixed(0)} MB (live heap ${r.heapUsedAfter200PoliciesMB.toFixed(0)} MB); idle ${r.rssIdleMB.toFixed(0)} MB`);
}
