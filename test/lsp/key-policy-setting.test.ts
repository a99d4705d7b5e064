// The setting s3EncryptionGuard.keyPolicies comes from the workspace (a cloned repository's
// .vscode/settings.json): it must not make the language server read files outside the workspace
// folders, nor devices, FIFOs or links that lead out of it. Each refused entry is said once, with
// the way out, and the server goes on answering.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { EXAMPLES } from '../helpers/paths';
import { LspClient } from './lsp-client';

const KEY_ID = '5f2c7a1e-8d3b-4c6a-9e0f-2b7d4a6c8e10';
const KEY_ARN = `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`;
const BUCKET_EXAMPLE = fs.readFileSync(path.join(EXAMPLES, 'orders-data.bucket-policy.json'), 'utf8');
const KEY_EXAMPLE = fs.readFileSync(path.join(EXAMPLES, `orders-data.${KEY_ID}.key-policy.json`), 'utf8');

describe('s3EncryptionGuard.keyPolicies names only files inside the workspace (language server)', () => {
  let dir: string;
  let outside: string;
  let client: LspClient;
  const uriOf = (name: string) => pathToFileURL(path.join(dir, name)).toString();
  const arnOf = (n: number) => `arn:aws:kms:us-east-1:111122223333:key/${String(n).padStart(8, '0')}-1111-4222-8333-444455556666`;
  let fifo = false;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-keysetting-'));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-outside-'));
    // A key policy outside the workspace that would link (and report the writer) if it were read.
    fs.writeFileSync(path.join(outside, 'orders.key-policy.json'), KEY_EXAMPLE);
    fs.writeFileSync(path.join(dir, 'orders-data.bucket-policy.json'), BUCKET_EXAMPLE);
    fs.symlinkSync('/dev/zero', path.join(dir, 'zero.key-policy.json'));
    fs.symlinkSync(path.join(outside, 'orders.key-policy.json'), path.join(dir, 'escape.key-policy.json'));
    fifo = spawnSync('mkfifo', [path.join(dir, 'pipe.key-policy.json')]).status === 0;
    client = new LspClient();
    client.configuration = {
      keyPolicies: {
        [KEY_ARN]: path.join(outside, 'orders.key-policy.json'),
        [arnOf(1)]: '/dev/zero',
        [arnOf(2)]: 'zero.key-policy.json',
        [arnOf(3)]: 'escape.key-policy.json',
        ...(fifo ? { [arnOf(4)]: 'pipe.key-policy.json' } : {}),
      },
    };
    await client.initialize(true, undefined, pathToFileURL(dir).toString());
  });
  after(() => {
    client.kill();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('refuses each file outside the workspace or not a regular file with one warning, and stays up', async () => {
    const uri = uriOf('orders-data.bucket-policy.json');
    await client.open(uri, BUCKET_EXAMPLE, 1);
    const p = await client.diagnostics(uri, 1);
    assert.deepEqual(
      p.diagnostics.filter(d => d.message.includes('key policy')),
      [],
      'the file outside the workspace was not linked',
    );
    // Analysed again (and another document with the same settings): still one warning per entry.
    await client.change(uri, 2, BUCKET_EXAMPLE.replace('"Id": "EncryptionEnforcement"', '"Id": "E2"'));
    await client.idle(); // the same diagnostics: not published again
    const other = uriOf('other.bucket-policy.json');
    await client.open(other, BUCKET_EXAMPLE.replaceAll('orders-data', 'other'), 1);
    await client.diagnostics(other, 1);
    const h = (await client.conn.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position: { line: 6, character: 8 },
    })) as { contents: { value: string } } | null;
    assert.ok(h && h.contents.value.length > 0, 'the server answers a hover');

    const warnings = client.messages.filter(m => m.message.includes('s3EncryptionGuard.keyPolicies'));
    const about = (needle: string) => warnings.filter(w => w.message.includes(needle));
    assert.equal(
      about(
        `maps ${KEY_ARN} to ${path.join(outside, 'orders.key-policy.json')}: it is outside the workspace folders, so it is not read. Put the key policy file in the workspace`,
      ).length,
      1,
      JSON.stringify(warnings),
    );
    assert.equal(about(`maps ${arnOf(1)} to /dev/zero: it is outside the workspace folders`).length, 1);
    assert.match(
      about(`maps ${arnOf(2)}`)[0]?.message ?? '',
      /zero\.key-policy\.json: it is outside the workspace folders \(it leads to \/dev\/zero\)/,
    );
    assert.match(
      about(`maps ${arnOf(3)}`)[0]?.message ?? '',
      /escape\.key-policy\.json: it is outside the workspace folders \(it leads to /,
    );
    if (fifo)
      assert.match(
        about(`maps ${arnOf(4)}`)[0]?.message ?? '',
        /pipe\.key-policy\.json: not read: it is a named pipe \(FIFO\), not a regular file\. Name a regular JSON file/,
      );
    assert.equal(warnings.length, fifo ? 5 : 4, JSON.stringify(warnings));
    for (const w of warnings) assert.ok(!w.message.includes('\n'), 'one line');
    const s = await client.stats();
    assert.equal(s.keyPolicies, 0, 'nothing was indexed');
    assert.ok(s.memory.rss < 400 * 1024 * 1024, `RSS ${s.memory.rss}`);
  });
});
