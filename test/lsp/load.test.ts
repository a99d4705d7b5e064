// The language server under load, over stdio: cancelled requests are answered as cancelled, a
// burst of edits is analysed once, closed documents leave nothing behind, and a rule that throws
// is logged once per version.
// Everything here counts work (publications, analyses, re-checks); deadlines are hang detectors only.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CancellationTokenSource, ResponseError } from 'vscode-jsonrpc/node';
import { LspClient } from './lsp-client';

const REQUEST_CANCELLED = -32800;

const BAD = `{
  "Version": "2012-10-17",
  "Statement": [
    { "Effect": "deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
      "Condition": { "Bool": { "aws:SecureTransport": "false" } }, "Sid": "S" }
  ]
}`;
const GOOD = BAD.replace('"deny"', '"Deny"');

/** The error code a request ended with, or 'answered' and the answer. */
async function outcome<T>(p: Promise<T>): Promise<{ code: number } | { answered: T }> {
  try {
    return { answered: await p };
  } catch (e) {
    assert.ok(e instanceof ResponseError, `a JSON-RPC error, not ${String(e)}`);
    return { code: e.code };
  }
}

/** A policy whose parse alone keeps the server busy for a while (an array of 300,000 numbers): requests sent meanwhile wait in its queue. */
const BUSY_POLICY = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":[${Array(300_000).fill(1).join(',')}]}]}`;

describe('language server: cancellation', () => {
  let client: LspClient;
  const uri = 'file:///work/load/cancel.bucket-policy.json';
  const hoverAt = { textDocument: { uri }, position: { line: 3, character: 8 } }; // on "Effect"
  before(async () => {
    client = new LspClient();
    await client.initialize();
    await client.open(uri, BAD, 1);
    await client.diagnostics(uri, 1);
  });
  after(() => client.kill());

  it('answers a request cancelled while it waits behind other work with RequestCancelled, without running it', async () => {
    // The settings for text analyses are asked for once: after that the busy request starts at once.
    await client.conn.sendRequest('s3EncryptionGuard/analyze', { text: GOOD, kind: 'bucket-policy', diagnostics: false });
    const before = await client.stats();
    const busy = client.conn.sendRequest('s3EncryptionGuard/analyze', { text: BUSY_POLICY, kind: 'bucket-policy', diagnostics: false });
    const source = new CancellationTokenSource();
    const hover = client.conn.sendRequest('textDocument/hover', hoverAt, source.token);
    source.cancel();
    assert.deepEqual(await outcome(hover), { code: REQUEST_CANCELLED });
    const r = await busy as { kind: string };
    assert.equal(r.kind, 'bucket-policy', 'the request before it was answered');
    const after = await client.stats();
    assert.equal(after.cancelledRequests - before.cancelledRequests, 1);
    assert.equal(after.analyses - before.analyses, 1, 'only the busy request analysed anything');
  });

  it('answers RequestCancelled when the cancellation arrives while the request waits for the settings', async () => {
    // New settings drop every cached analysis and settings: the hover must ask the client for the
    // settings again, and the client sends the cancellation before it answers that question.
    for (const method of ['textDocument/hover', 'textDocument/codeLens', 's3EncryptionGuard/explain'] as const) {
      // Not awaited: the three messages leave in this order before the client can answer anything.
      void client.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
      const source = new CancellationTokenSource();
      const params = method === 'textDocument/hover' ? hoverAt : method === 'textDocument/codeLens' ? { textDocument: { uri } } : { uri };
      const pending = client.conn.sendRequest(method, params, source.token);
      source.cancel();
      assert.deepEqual(await outcome(pending), { code: REQUEST_CANCELLED }, method);
    }
  });

  it('still answers afterwards', async () => {
    const h = await client.conn.sendRequest('textDocument/hover', hoverAt) as { contents: { value: string } } | null;
    assert.ok(h && h.contents.value.length > 0, 'a hover with content');
    const lenses = await client.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } }) as unknown[];
    assert.ok(lenses.length > 0);
  });
});

describe('language server: a burst of edits', () => {
  let client: LspClient;
  before(async () => {
    client = new LspClient();
    // A long quiet period: the 200 edits below arrive well within it, however busy the machine.
    await client.initialize(true, { debounceMs: 1000 });
  });
  after(() => client.kill());

  it('publishes diagnostics for the final version only, from one analysis', async () => {
    const uri = 'file:///work/load/burst.bucket-policy.json';
    await client.open(uri, BAD, 1);
    const first = await client.diagnostics(uri, 1);
    assert.ok(first.diagnostics.some(d => d.code === 'GRM-003'));
    const before = await client.stats();
    const sent: Promise<void>[] = [];
    // Versions 2…200 keep the mistake (the Sid changes); version 201 fixes it.
    for (let v = 2; v <= 200; v++) sent.push(client.change(uri, v, BAD.replace('"Sid": "S"', `"Sid": "S${v}"`)));
    sent.push(client.change(uri, 201, GOOD));
    await Promise.all(sent);
    const last = await client.diagnostics(uri, 201);
    assert.deepEqual(last.diagnostics.filter(d => d.code === 'GRM-003'), []);
    const stats = await client.idle();
    const published = client.published.get(uri)!.slice(1);
    assert.deepEqual(published.map(p => p.version), [201], 'one publication, for the final version');
    assert.equal(stats.analyses - before.analyses, 1, 'one analysis');
  });
});

describe('language server: closing documents', () => {
  let client: LspClient;
  before(async () => {
    client = new LspClient();
    await client.initialize();
  });
  after(() => client.kill());

  it('forgets a closed document everywhere', async () => {
    const uris = Array.from({ length: 20 }, (_, i) => `file:///work/load/closing/p${i}.bucket-policy.json`);
    for (const uri of uris) await client.open(uri, BAD, 1);
    for (const uri of uris) await client.diagnostics(uri, 1);
    // A request and a pending edit too: nothing of them may stay behind.
    await client.conn.sendRequest('textDocument/hover', { textDocument: { uri: uris[0] }, position: { line: 3, character: 8 } });
    await client.change(uris[1], 2, GOOD);
    for (const uri of uris) await client.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    const s = await client.idle();
    assert.equal(s.openDocuments, 0);
    assert.equal(s.cachedAnalyses, 0);
    assert.equal(s.cachedAnalysisBytes, 0);
    assert.equal(s.documentEntries, 0, 'per-document entries left after closing every document');
  });
});

describe('language server: a rule that throws', () => {
  let client: LspClient;
  before(async () => {
    client = new LspClient();
    await client.initialize();
  });
  after(() => client.kill());

  it('logs the failure once per version, on one line, and publishes the other rules\' findings', async () => {
    // Half-typed text on which MIS-003 threw a TypeError (found by random edits). Once that rule
    // is fixed this document no longer fails: the test then checks that nothing is logged, and the
    // log line itself stays covered by server-parts.test.ts.
    const uri = 'file:///work/load/throws.bucket-policy.json';
    const text = '{"","Statement":[""{"""","Effect":"Deny';
    await client.open(uri, text, 1);
    const first = await client.diagnostics(uri, 1);
    assert.ok(first.diagnostics.some(d => d.code === 'GRM-001'), 'the syntax errors are published');
    // Requests on the same version use the cached analysis; a new version is analysed (and logged) once more.
    await client.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } });
    await client.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 20 } });
    await client.change(uri, 2, ` ${text}`);
    await client.idle();
    await client.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 20 } });
    const s = await client.stats();
    const lines = client.logs.filter(l => l.message.includes('failed (please report this'));
    for (const l of lines) {
      assert.ok(!l.message.includes('\n') && !l.message.includes(' at '), l.message);
      assert.match(l.message, /^\/work\/load\/throws\.bucket-policy\.json \(version [12]\): rule failed .*: MIS-003: TypeError: /);
    }
    assert.equal(lines.length, s.ruleFailures > 0 ? 2 : 0, JSON.stringify(lines));
  });
});
