// The language server under load, over stdio: cancelled requests are answered as cancelled, a
// burst of edits is analysed once, an edit of a key policy re-checks only the bucket policies that
// link to it (and publishes only what changed), closed documents leave nothing behind, and a rule
// that throws is logged once per version.
// Everything here counts work (publications, analyses, re-checks); deadlines are hang detectors only.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CancellationTokenSource, ResponseError } from 'vscode-jsonrpc/node';
import { EXAMPLES } from '../helpers/paths';
import { LspClient } from './lsp-client';

const KEY_ID = '5f2c7a1e-8d3b-4c6a-9e0f-2b7d4a6c8e10';
const OTHER_KEY_ID = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';
const BUCKET_EXAMPLE = fs.readFileSync(path.join(EXAMPLES, 'orders-data.bucket-policy.json'), 'utf8');
const KEY_FILE = `orders-data.${KEY_ID}.key-policy.json`;
const KEY_EXAMPLE = fs.readFileSync(path.join(EXAMPLES, KEY_FILE), 'utf8');
const WRITER = 'arn:aws:iam::444455556666:role/orders-writer';
/** A key-policy statement that lets the example bucket's partner writer use the key through S3. */
const WRITER_GRANT = `{"Sid": "Partner uploads", "Effect": "Allow", "Principal": {"AWS": "${WRITER}"}, "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}},\n    `;
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
    // Over the default analysis limit on purpose: the busy policy must really be parsed.
    client.configuration = { maxFileSize: 4 * 1024 * 1024 };
    await client.initialize();
    await client.open(uri, BAD, 1);
    await client.diagnostics(uri, 1);
  });
  after(() => client.kill());

  it('answers a request cancelled while it waits behind other work with RequestCancelled, without running it', async () => {
    // The settings for text analyses are asked for once: after that the busy request starts at once.
    await client.conn.sendRequest('s3EncryptionGuard/analyze', { text: GOOD, kind: 'bucket-policy', diagnostics: false });
    const before = await client.stats();
    const busy = client.conn.sendRequest('s3EncryptionGuard/analyze', {
      text: BUSY_POLICY,
      kind: 'bucket-policy',
      diagnostics: false,
    });
    const source = new CancellationTokenSource();
    const hover = client.conn.sendRequest('textDocument/hover', hoverAt, source.token);
    source.cancel();
    assert.deepEqual(await outcome(hover), { code: REQUEST_CANCELLED });
    const r = (await busy) as { kind: string };
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
      const params =
        method === 'textDocument/hover' ? hoverAt : method === 'textDocument/codeLens' ? { textDocument: { uri } } : { uri };
      const pending = client.conn.sendRequest(method, params, source.token);
      source.cancel();
      assert.deepEqual(await outcome(pending), { code: REQUEST_CANCELLED }, method);
    }
  });

  it('still answers afterwards', async () => {
    const h = (await client.conn.sendRequest('textDocument/hover', hoverAt)) as { contents: { value: string } } | null;
    assert.ok(h && h.contents.value.length > 0, 'a hover with content');
    const lenses = (await client.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as unknown[];
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
    assert.deepEqual(
      last.diagnostics.filter(d => d.code === 'GRM-003'),
      [],
    );
    const stats = await client.idle();
    const published = client.published.get(uri)!.slice(1);
    assert.deepEqual(
      published.map(p => p.version),
      [201],
      'one publication, for the final version',
    );
    assert.equal(stats.analyses - before.analyses, 1, 'one analysis');
  });
});

describe('language server: fan-out of key-policy edits', () => {
  const LINKED = 4;
  const UNLINKED = 36;
  const BURSTS = 3;
  const KEYSTROKES = 10;
  let dir: string;
  let client: LspClient;
  const uriOf = (name: string) => pathToFileURL(path.join(dir, name)).toString();
  const linked = Array.from({ length: LINKED }, (_, i) => `linked-${i}`);
  const unlinked = Array.from({ length: UNLINKED }, (_, i) => `unlinked-${i}`);
  const bucketText = (bucket: string, keyId: string) =>
    BUCKET_EXAMPLE.replaceAll('orders-data', bucket).replaceAll(KEY_ID, keyId);
  const hasWriterProblem = (uri: string) => {
    const list = client.published.get(uri) ?? [];
    return (
      list.length > 0 &&
      list[list.length - 1].diagnostics.some(d => d.code === 'KMS-005' && d.message.startsWith(`Uploads by ${WRITER}`))
    );
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-fanout-'));
    for (const b of linked) fs.writeFileSync(path.join(dir, `${b}.bucket-policy.json`), bucketText(b, KEY_ID));
    for (const b of unlinked) fs.writeFileSync(path.join(dir, `${b}.bucket-policy.json`), bucketText(b, OTHER_KEY_ID));
    fs.mkdirSync(path.join(dir, 'keys'));
    fs.writeFileSync(path.join(dir, 'keys', KEY_FILE), KEY_EXAMPLE);
    client = new LspClient();
    await client.initialize(true, { debounceMs: 20, crossDebounceMs: 1000 }, pathToFileURL(dir).toString());
  });
  after(() => {
    client.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('re-checks only the bucket policies linked to the edited key, once per pause, and publishes only changes', async () => {
    for (const b of [...linked, ...unlinked])
      await client.open(uriOf(`${b}.bucket-policy.json`), fs.readFileSync(path.join(dir, `${b}.bucket-policy.json`), 'utf8'), 1);
    // The workspace index finds the key policy by its file name: the linked ones report the writer.
    await client.until('the linked bucket policies are checked against the key policy', () =>
      linked.every(b => hasWriterProblem(uriOf(`${b}.bucket-policy.json`))),
    );
    await client.until('every bucket policy has diagnostics', () =>
      unlinked.every(b => client.publications(uriOf(`${b}.bucket-policy.json`)) > 0),
    );
    const keyUri = uriOf(`keys/${KEY_FILE}`);
    await client.open(keyUri, KEY_EXAMPLE, 1);
    await client.diagnostics(keyUri, 1);
    const start = await client.idle();
    const count = (names: string[]) => names.map(b => client.publications(uriOf(`${b}.bucket-policy.json`)));
    const linkedBefore = count(linked);
    const unlinkedBefore = count(unlinked);

    const withGrant = KEY_EXAMPLE.replace('{\n      "Sid": "Allow reporting', `${WRITER_GRANT}{\n      "Sid": "Allow reporting`);
    assert.notEqual(withGrant, KEY_EXAMPLE);
    let version = 1;
    let sid = 'Allow access for Key Administrators';
    for (let burst = 0; burst < BURSTS; burst++) {
      // Even bursts add the writer's grant, odd ones remove it.
      const [from, to] = burst % 2 === 0 ? [KEY_EXAMPLE, withGrant] : [withGrant, KEY_EXAMPLE];
      const sent: Promise<void>[] = [];
      // Keystrokes into a Sid (nothing changes for the bucket policies), then the one that adds or removes the grant.
      for (let k = 0; k < KEYSTROKES - 1; k++) {
        sid += 'x';
        sent.push(client.change(keyUri, ++version, from.replace('Allow access for Key Administrators', sid)));
      }
      sent.push(client.change(keyUri, ++version, to.replace('Allow access for Key Administrators', sid)));
      await Promise.all(sent);
      await client.until(`burst ${burst}: the linked bucket policies see the change`, () =>
        linked.every(b => hasWriterProblem(uriOf(`${b}.bucket-policy.json`)) === (to === KEY_EXAMPLE)),
      );
    }
    const end = await client.idle();
    assert.deepEqual(
      count(linked),
      linkedBefore.map(n => n + BURSTS),
      'each linked bucket policy: one publication per pause',
    );
    assert.deepEqual(count(unlinked), unlinkedBefore, 'the others: none');
    assert.equal(end.crossRechecks - start.crossRechecks, LINKED * BURSTS, 'one re-check per linked bucket policy per pause');
    const keyPublications = client.publications(keyUri) - 1;
    assert.ok(keyPublications <= BURSTS * KEYSTROKES, `the key policy's own diagnostics: ${keyPublications}`);
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

  it("logs the failure once per version, on one line, and publishes the other rules' findings", async () => {
    // Half-typed text on which MIS-003 threw a TypeError (found by random edits). Once that rule
    // is fixed this document no longer fails: the test then checks that nothing is logged, and the
    // log line itself stays covered by server-parts.test.ts.
    const uri = 'file:///work/load/throws.bucket-policy.json';
    const text = '{"","Statement":[""{"""","Effect":"Deny';
    await client.open(uri, text, 1);
    const first = await client.diagnostics(uri, 1);
    assert.ok(
      first.diagnostics.some(d => d.code === 'GRM-001'),
      'the syntax errors are published',
    );
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
      assert.match(
        l.message,
        /^\/work\/load\/throws\.bucket-policy\.json \(version [12]\): rule failed .*: MIS-003: TypeError: /,
      );
    }
    assert.equal(lines.length, s.ruleFailures > 0 ? 2 : 0, JSON.stringify(lines));
  });
});
