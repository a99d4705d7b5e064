// The custom request `s3EncryptionGuard/analyze` of the built language server: the live view's
// judge sends a live policy's text, the status bar an open document's URI.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LiveAnalyzeResult } from '../../protocol/protocol';
import type { BucketVerdict, KeyPolicyVerdict } from '../../shared/types';
import { EXAMPLES } from '../helpers/paths';
import { LspClient } from './lsp-client';

const example = (file: string): string => fs.readFileSync(path.join(EXAMPLES, file), 'utf8');

describe('s3EncryptionGuard/analyze over stdio', () => {
  let client: LspClient;
  const analyze = (p: unknown) => client.conn.sendRequest('s3EncryptionGuard/analyze', p) as Promise<LiveAnalyzeResult>;
  before(async () => {
    client = new LspClient();
    await client.initialize();
  });
  after(() => client.kill());

  it('judges a live bucket policy for the bucket it is attached to, with located diagnostics', async () => {
    const text = example('bad-missing-slash-star.bucket-policy.json').split('bad-missing-slash-star').join('media-uploads');
    const r = await analyze({ text, kind: 'bucket-policy', bucket: 'media-uploads' });
    assert.equal(r.kind, 'bucket-policy');
    const v = r.verdict as BucketVerdict;
    assert.equal(v.bucket, 'media-uploads');
    assert.equal(v.transport.http, 'denied');
    assert.deepEqual(r.summary, ['HTTPS: enforced · SSE: not enforced']);
    const grm009 = r.diagnostics.filter(d => d.code === 'GRM-009');
    assert.equal(grm009.length, 1, JSON.stringify(r.diagnostics));
    const at = text.indexOf('"arn:aws:s3:::media-uploads"', text.indexOf('AllowReportsRead'));
    const line = text.slice(0, at).split('\n').length - 1;
    assert.deepEqual(grm009[0].range.start, { line, character: at - text.lastIndexOf('\n', at) - 1 });
    assert.equal(grm009[0].severity, 'error');
  });

  it("gives the same verdict without the rules when asked for no diagnostics (the live view's judge)", async () => {
    const text = example('bad-missing-slash-star.bucket-policy.json');
    const full = await analyze({ text, kind: 'bucket-policy', bucket: 'bad-missing-slash-star' });
    const lean = await analyze({ text, kind: 'bucket-policy', bucket: 'bad-missing-slash-star', diagnostics: false });
    assert.ok(full.diagnostics.length > 0);
    assert.deepEqual(lean, { ...full, diagnostics: [] });
    const key = example('good-app-data.key-policy.json');
    assert.deepEqual(await analyze({ text: key, kind: 'key-policy', diagnostics: false }), {
      ...(await analyze({ text: key, kind: 'key-policy' })),
      diagnostics: [],
    });
  });

  it('uses the given bucket: a policy for another bucket gets GRM-008', async () => {
    const text = example('good-payments-data.bucket-policy.json');
    const r = await analyze({ text, kind: 'bucket-policy', bucket: 'some-other-bucket' });
    assert.ok(
      r.diagnostics.some(d => d.code === 'GRM-008'),
      JSON.stringify(r.diagnostics.map(d => d.code)),
    );
    const own = await analyze({ text, kind: 'bucket-policy', bucket: 'good-payments-data' });
    assert.deepEqual(own.diagnostics, []);
    assert.equal((own.verdict as BucketVerdict).transport.minTlsVersion, '1.2');
  });

  it('judges a key policy with the key verdict', async () => {
    const r = await analyze({ text: example('good-app-data.key-policy.json'), kind: 'key-policy' });
    assert.equal(r.kind, 'key-policy');
    const v = r.verdict as KeyPolicyVerdict;
    assert.equal(v.kind, 'key-policy');
    assert.equal(v.s3CanUse.value, true);
    assert.match(r.summary[0], /^Admins: .* · Not open to other accounts · S3 can use it \(s3\.eu-west-1\.amazonaws\.com\)$/);
  });

  it('takes the kind it is told, whatever the content looks like', async () => {
    // Content detection would call this a key policy (kms: actions, Resource "*").
    const text =
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}';
    const r = await analyze({ text, kind: 'bucket-policy', bucket: 'b' });
    assert.equal(r.kind, 'bucket-policy');
  });

  it('answers for an open document by URI, as its CodeLens says', async () => {
    const uri = 'file:///work/live/good-payments-data.bucket-policy.json';
    await client.open(uri, example('good-payments-data.bucket-policy.json'), 1);
    await client.diagnostics(uri, 1);
    const lenses = (await client.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as {
      command: { title: string; command: string };
    }[];
    const r = await analyze({ uri });
    assert.equal(r.kind, 'bucket-policy');
    // The verdict lens (the one that opens the Explain report).
    assert.deepEqual(
      r.summary,
      lenses.filter(l => l.command.command === 's3EncryptionGuard.explain').map(l => l.command.title),
    );
    assert.equal(r.summary.length, 1);
    const other = 'file:///work/live/package.json';
    await client.open(other, '{"name": "x"}', 1);
    await client.diagnostics(other, 1);
    assert.deepEqual(await analyze({ uri: other }), { kind: 'unknown', verdict: null, summary: [], diagnostics: [] });
    assert.deepEqual(await analyze({ uri: 'file:///not/open.json' }), {
      kind: 'unknown',
      verdict: null,
      summary: [],
      diagnostics: [],
    });
  });

  it("takes a live document's bucket and kind from its name, not from the folder's settings", async () => {
    client.configuration = { bucketName: 'example-bucket', kinds: { '**/*.json': 'unknown' } };
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    try {
      const uri = 's3-encryption-guard:/default/us-east-1/media-uploads.bucket-policy.json';
      await client.open(
        uri,
        example('good-payments-data.bucket-policy.json').split('good-payments-data').join('media-uploads'),
        1,
      );
      const p = await client.diagnostics(uri, 1);
      assert.deepEqual(
        p.diagnostics.map(d => d.code),
        [],
      );
      const r = await analyze({ uri });
      assert.equal(r.kind, 'bucket-policy');
      assert.equal((r.verdict as BucketVerdict).bucket, 'media-uploads');
      // A local file still follows the settings.
      const local = 'file:///work/live/media-uploads.bucket-policy.json';
      await client.open(local, '{"Version": "2012-10-17", "Statement": []}', 1);
      assert.equal((await analyze({ uri: local })).kind, 'unknown');
    } finally {
      client.configuration = {};
      await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    }
  });

  it('survives malformed policy text and rejects malformed requests with a message', async () => {
    const broken = await analyze({
      text: '{"Version": "2012-10-17", "Statement": [ {"Effect": ',
      kind: 'bucket-policy',
      bucket: 'b',
    });
    assert.ok(broken.diagnostics.some(d => d.code === 'GRM-001'));
    await assert.rejects(analyze({ text: 1, kind: 'bucket-policy' }), /expects \{ text, kind/);
    await assert.rejects(analyze({ text: '{}', kind: 'identity-policy' }), /expects \{ text, kind/);
    await assert.rejects(analyze(null), /expects/);
    await assert.rejects(analyze({ text: '{}', kind: 'key-policy', diagnostics: 'no' }), /expects/);
    // Still answering.
    const ok = await analyze({ text: example('good-app-data.key-policy.json'), kind: 'key-policy' });
    assert.equal(ok.kind, 'key-policy');
  });
});
