// The cross-document check over the real language server: a bucket policy that pins a KMS key is
// checked against that key's policy found in the workspace (by file name, by Resource, or by the
// s3EncryptionGuard.keyPolicies setting), and re-checked when the key policy changes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { EXAMPLES } from '../helpers/paths';
import { LspClient } from './lsp-client';

const KEY_ID = '5f2c7a1e-8d3b-4c6a-9e0f-2b7d4a6c8e10';
const BUCKET_FILE = 'orders-data.bucket-policy.json';
const KEY_FILE = `orders-data.${KEY_ID}.key-policy.json`;
const WRITER = 'arn:aws:iam::444455556666:role/orders-writer';

interface Lens {
  range: { start: { line: number } };
  command?: { title: string; command: string; arguments?: unknown[] };
}

describe('cross-document check (language server)', () => {
  let dir: string;
  let client: LspClient;
  const uriOf = (name: string) => pathToFileURL(path.join(dir, name)).toString();
  const lenses = (uri: string) => client.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } }) as Promise<Lens[]>;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-cross-'));
    fs.copyFileSync(path.join(EXAMPLES, BUCKET_FILE), path.join(dir, BUCKET_FILE));
    fs.mkdirSync(path.join(dir, 'keys'));
    fs.copyFileSync(path.join(EXAMPLES, KEY_FILE), path.join(dir, 'keys', KEY_FILE));
    client = new LspClient();
    await client.initialize(true, undefined, pathToFileURL(dir).toString());
  });
  after(() => {
    client.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds the key policy on disk by its file name and reports the writer that cannot use the key', async () => {
    const uri = uriOf(BUCKET_FILE);
    await client.open(uri, fs.readFileSync(path.join(dir, BUCKET_FILE), 'utf8'), 1);
    // The workspace is indexed right after "initialized"; the bucket policy is re-checked when it is.
    const deadline = Date.now() + 15000;
    let cross: {
      code: string;
      message: string;
      relatedInformation?: { message: string }[];
      range: { start: { line: number } };
    }[] = [];
    while (Date.now() < deadline) {
      const p = await client.diagnostics(uri);
      cross = p.diagnostics.filter(d => d.message.includes('key policy'));
      if (cross.length) break;
      await new Promise(r => setTimeout(r, 100));
    }
    assert.equal(cross.length, 1, JSON.stringify(cross));
    assert.equal(cross[0].code, 'KMS-005');
    assert.equal(cross[0].message, `Uploads by ${WRITER} fail: the key policy does not allow kms:GenerateDataKey through S3.`);
    const detail = cross[0].relatedInformation?.[0]?.message ?? '';
    assert.ok(
      detail.startsWith(
        `Uploads by ${WRITER} (the bucket policy allows them in statement "AllowPartnerUploads") get AccessDenied`,
      ),
      detail,
    );
    assert.ok(detail.includes(`keys/${KEY_FILE}`), 'names the key policy relative to the workspace');
    const text = fs.readFileSync(path.join(dir, BUCKET_FILE), 'utf8');
    assert.equal(
      cross[0].range.start.line,
      text.slice(0, text.indexOf(`key/${KEY_ID}`)).split('\n').length - 1,
      'on the pinned key ARN',
    );

    const link = (await lenses(uri)).find(l => l.command?.title.startsWith('Key policy:'));
    assert.ok(link, 'a CodeLens shows the link');
    assert.equal(link.command!.title, `Key policy: ${KEY_FILE} · writers ✗ 1 of 2 · readers ✓`);
    assert.equal(link.command!.command, 's3EncryptionGuard.openFile');
    assert.equal(link.command!.arguments![0], uriOf(`keys/${KEY_FILE}`));
  });

  it('re-checks the bucket policy while the key policy is edited in the editor', async () => {
    const bucketUri = uriOf(BUCKET_FILE);
    const keyUri = uriOf(`keys/${KEY_FILE}`);
    const keyText = fs.readFileSync(path.join(dir, 'keys', KEY_FILE), 'utf8');
    const grant = `{"Sid": "Partner uploads", "Effect": "Allow", "Principal": {"AWS": "${WRITER}"}, "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}},\n    `;
    const fixed = keyText.replace('{\n      "Sid": "Allow reporting', `${grant}{\n      "Sid": "Allow reporting`);
    assert.notEqual(fixed, keyText);
    const before = (client.published.get(bucketUri) ?? []).length;
    await client.open(keyUri, fixed, 1);
    const deadline = Date.now() + 15000;
    let remaining: unknown[] = ['pending'];
    while (Date.now() < deadline) {
      const list = client.published.get(bucketUri) ?? [];
      if (list.length > before) {
        remaining = list[list.length - 1].diagnostics.filter(d => d.message.includes('key policy'));
        if (remaining.length === 0) break;
      }
      await new Promise(r => setTimeout(r, 100));
    }
    assert.deepEqual(remaining, []);
    const link = (await lenses(bucketUri)).find(l => l.command?.title.startsWith('Key policy:'));
    assert.equal(link?.command?.title, `Key policy: ${KEY_FILE} · writers ✓ · readers ✓`);
  });

  it('the setting s3EncryptionGuard.keyPolicies links a key policy whatever its name', async () => {
    const other = new LspClient();
    try {
      // A key policy with no root statement: only the roles it names can use the key.
      const keyPath = path.join(dir, 'keys', 'orders.key-policy.json');
      const noRoot = JSON.parse(fs.readFileSync(path.join(EXAMPLES, KEY_FILE), 'utf8')) as { Statement: { Sid: string }[] };
      noRoot.Statement = noRoot.Statement.filter(st => st.Sid !== 'Enable IAM User Permissions');
      fs.writeFileSync(keyPath, JSON.stringify(noRoot, null, 2));
      other.configuration = {
        keyPolicies: { [`arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`]: 'keys/orders.key-policy.json' },
      };
      await other.initialize(true, undefined, pathToFileURL(dir).toString());
      const uri = uriOf(BUCKET_FILE);
      await other.open(uri, fs.readFileSync(path.join(dir, BUCKET_FILE), 'utf8'), 1);
      const p = await other.diagnostics(uri, 1);
      const detailOf = (d: { relatedInformation?: { message: string }[] }) => d.relatedInformation?.[0]?.message ?? '';
      const cross = p.diagnostics.filter(d => detailOf(d).includes('keys/orders.key-policy.json'));
      // The mapped file wins over the one named by key ID. Without the root statement the account's
      // other principals cannot upload or read, but the reporting role (named) can still read.
      assert.deepEqual(cross.map(d => detailOf(d).split(' get AccessDenied')[0]).sort(), [
        'Downloads by principals of account 111122223333',
        'Uploads by arn:aws:iam::444455556666:role/orders-writer (the bucket policy allows them in statement "AllowPartnerUploads")',
        'Uploads by principals of account 111122223333',
      ]);
    } finally {
      other.kill();
    }
  });
});

describe('cross-document check on a half-typed bucket policy (language server)', () => {
  let dir: string;
  let client: LspClient;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-partial-'));
    // Without its root and reporting statements the key policy lets no one use the key, the reader
    // (allowed by the bucket policy's last statement) included.
    const key = JSON.parse(fs.readFileSync(path.join(EXAMPLES, KEY_FILE), 'utf8')) as { Statement: { Sid: string }[] };
    key.Statement = key.Statement.filter(st => !st.Sid.startsWith('Allow reporting') && st.Sid !== 'Enable IAM User Permissions');
    fs.writeFileSync(path.join(dir, KEY_FILE), JSON.stringify(key, null, 2));
    client = new LspClient();
    await client.initialize(true, undefined, pathToFileURL(dir).toString());
  });
  after(() => {
    client.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('names the statements right when a non-object comes first (this named the next statement, or threw a TypeError for the last)', async () => {
    const uri = pathToFileURL(path.join(dir, BUCKET_FILE)).toString();
    // A value being typed before the first statement: the statements' positions in the array shift by one.
    const text = fs
      .readFileSync(path.join(EXAMPLES, BUCKET_FILE), 'utf8')
      .replace('"Statement": [\n', '"Statement": [\n    "half-typed",\n');
    await client.open(uri, text, 1);
    const deadline = Date.now() + 15000;
    let labelled: string[] = [];
    let last: { code: string; message: string; relatedInformation?: { message: string }[] }[] = [];
    while (Date.now() < deadline) {
      last = (await client.diagnostics(uri)).diagnostics;
      labelled = last
        .map(d => (d.code === 'KMS-005' ? (d.relatedInformation?.[0]?.message ?? '') : ''))
        .filter(m => m.includes('(the bucket policy allows them in'))
        .map(m => m.split(' get AccessDenied')[0]);
      if (labelled.length) break;
      await new Promise(r => setTimeout(r, 100));
    }
    assert.deepEqual(labelled, [
      `Uploads by ${WRITER} (the bucket policy allows them in statement "AllowPartnerUploads")`,
      'Downloads by arn:aws:iam::111122223333:role/orders-reporting (the bucket policy allows them in statement "AllowReportingReads")',
    ]);
    assert.ok(
      last.some(d => d.code !== 'KMS-005'),
      "the document's own findings are there too",
    );
  });
});
