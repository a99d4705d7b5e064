// Benchmark: textDocument/completion from the built language server over stdio, on a 20 KB
// bucket policy, at each kind of position (statement element, action, condition operator,
// condition key, condition value, resource). "cached" asks again for the same document version
// (the analysis is cached); "after an edit" changes the document first, so the request also pays
// for the analysis of the new version (debounce 0, but the completion arrives first).
//
//   node scripts/build.mjs && tsc -p tsconfig.json --outDir out-X && node out-X/bench/completion.js
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { SERVER_NODE_FLAGS } from '../protocol/protocol';
import { bucketPolicy } from './policies';
import { fmt, summarize, table, type Timing } from './stats';

export interface CompletionResults {
  bytes: number;
  positions: { name: string; items: number; cached: Timing; afterEdit: Timing }[];
}

/** The 20 KB policy with one more statement holding the cursor positions (`§name§` marks). */
function policyWithHoles(): { text: string; marks: Map<string, number> } {
  const base = bucketPolicy(20 * 1024);
  const extra = `,\n{"Effect": "Deny", "Principal": "*", "§element§": "", "Action": "s3:Pu§action§", "Resource": "§resource§",
 "Condition": {"§operator§": {}, "StringNotEquals": {"§key§": "x", "s3:x-amz-server-side-encryption": "§value§"}}}`;
  let text = base.replace(/\]\}$/, `${extra}]}`);
  const marks = new Map<string, number>();
  for (;;) {
    const m = /§(\w+)§/.exec(text);
    if (!m) break;
    marks.set(m[1], m.index);
    text = text.slice(0, m.index) + text.slice(m.index + m[0].length);
  }
  return { text, marks };
}

function positionOf(text: string, offset: number): { line: number; character: number } {
  const lines = text.slice(0, offset).split('\n');
  return { line: lines.length - 1, character: lines[lines.length - 1].length };
}

export async function benchCompletion(): Promise<CompletionResults> {
  const server = path.resolve(__dirname, '..', '..', 'dist', 'server', 'server.js');
  const proc = spawn(process.execPath, [...SERVER_NODE_FLAGS, server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  conn.onNotification('textDocument/publishDiagnostics', () => undefined);
  conn.onNotification('window/logMessage', () => undefined);
  conn.listen();
  await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: {},
    initializationOptions: { debounceMs: 0 },
  });
  await conn.sendNotification('initialized', {});

  const { text, marks } = policyWithHoles();
  const uri = 'file:///bench/typing.bucket-policy.json';
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'json', version: 1, text } });
  let version = 1;
  const positions: CompletionResults['positions'] = [];
  for (const [name, offset] of marks) {
    const position = positionOf(text, offset);
    const ask = async () => {
      const t0 = performance.now();
      const r = (await conn.sendRequest('textDocument/completion', { textDocument: { uri }, position })) as {
        items: unknown[];
      } | null;
      return { ms: performance.now() - t0, items: r?.items.length ?? 0 };
    };
    let items = 0;
    const cached: number[] = [];
    for (let i = 0; i < 130; i++) {
      const r = await ask();
      items = r.items;
      if (i >= 30) cached.push(r.ms); // the first 30 warm the JIT
    }
    const afterEdit: number[] = [];
    for (let i = 0; i < 60; i++) {
      version++;
      // Same length and same positions: only a tenant name changes.
      const next = version % 2 ? text : text.replace('"Tenant0"', '"Tenant9"');
      await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text: next }] });
      const r = await ask();
      if (i >= 10) afterEdit.push(r.ms);
    }
    positions.push({ name, items, cached: summarize(cached), afterEdit: summarize(afterEdit) });
  }
  await conn.sendRequest('shutdown');
  await conn.sendNotification('exit');
  conn.dispose();
  return { bytes: text.length, positions };
}

export function printCompletion(r: CompletionResults): void {
  console.log(`completion over stdio, ${(r.bytes / 1024).toFixed(1)} KB bucket policy`);
  console.log(
    table([
      ['position', 'items', 'cached median', 'cached p95', 'after an edit median', 'after an edit p95'],
      ...r.positions.map(p => [
        p.name,
        String(p.items),
        fmt(p.cached.median),
        fmt(p.cached.p95),
        fmt(p.afterEdit.median),
        fmt(p.afterEdit.p95),
      ]),
    ]),
  );
}

if (require.main === module) {
  benchCompletion().then(printCompletion, e => {
    console.error(e);
    process.exit(1);
  });
}
