// A live key's policy is judged for that key (issue 11, item 1): the key-policy verdict asks about S3
// in the key's own region (kms:ViaService = s3.<region>.amazonaws.com) and its witness names the
// real key ARN, however the policy is reached — the CLI's in-process judge (`status`), the tree's
// judge (the language server's s3EncryptionGuard/analyze request with the key ARN) and the status
// bar (an open live key-policy document, whose URI names the key). The demo account of `npm start`
// (emulator/demo-seed.json) has keys in eu-west-1, us-west-2 and us-east-1 whose policies name no
// region, so nothing in the policy can stand in for the key's ARN.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type Emulator } from '../../emulator/src/emulator';
import type { EmulatorSeed } from '../../emulator/src/types';
import { localJudge } from '../../cli/local-judge';
import { fetchPosture, type Judge } from '../../aws/posture';
import type { KmsKeyPosture, PostureReport } from '../../aws/types';
import { serverJudge } from '../../client/views/judge';
import type { KeyPolicyVerdict } from '../../shared/types';
import { liveKeyArn, parseLiveParams } from '../../server/features/live-analysis';
import type { LiveAnalyzeParams, LiveAnalyzeResult } from '../../protocol/protocol';
import { LspClient } from '../lsp/lsp-client';
import { ROOT } from '../helpers/paths';
import { emptyAwsFiles, testEnv } from './fixtures';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const demoSeed = (): EmulatorSeed =>
  JSON.parse(fs.readFileSync(path.join(ROOT, 'emulator', 'demo-seed.json'), 'utf8')) as EmulatorSeed;
const env = testEnv(emptyAwsFiles());

/** The keys of a report whose policy was judged, each once. */
function judgedKeys(r: PostureReport): KmsKeyPosture[] {
  const seen = new Map<string, KmsKeyPosture>();
  for (const b of r.buckets) if (b.kmsKey?.policyVerdict && !seen.has(b.kmsKey.arn)) seen.set(b.kmsKey.arn, b.kmsKey);
  return [...seen.values()];
}

/** The verdict is about this key: S3 in its region, the witness on its ARN. */
function assertAboutKey(arn: string, region: string, v: KeyPolicyVerdict, how: string): void {
  assert.equal(v.s3CanUse.value, true, `${how}: ${arn}`);
  assert.equal(v.s3CanUse.viaService, `s3.${region}.amazonaws.com`, `${how}: ${arn}`);
  assert.equal(v.s3CanUse.witness?.resource, arn, `${how}: the witness names the real key`);
}

describe('a live key policy is judged for its own key and region', () => {
  let em: Emulator;
  let lsp: LspClient;
  const analyze = (p: LiveAnalyzeParams) => lsp.conn.sendRequest('s3EncryptionGuard/analyze', p) as Promise<LiveAnalyzeResult>;
  const posture = (judge: Judge) => fetchPosture({ endpoint: em.url, env, judge, maxAttempts: 2, timeoutMs: 5000 });

  before(async () => {
    em = await startEmulator({ seed: demoSeed() });
    lsp = new LspClient();
    await lsp.initialize();
  });
  after(async () => {
    lsp.kill();
    await em.close();
  });

  for (const [name, judge] of [
    ['status (in-process judge)', () => localJudge()],
    ["the tree (the language server's judge)", () => serverJudge(analyze, m => assert.fail(m))],
  ] as const) {
    it(`${name}: S3 in eu-west-1, us-west-2 and us-east-1, and the real key ARN`, async () => {
      const r = await posture(judge());
      const keys = judgedKeys(r).filter(k => k.policyVerdict!.s3CanUse.value);
      assert.deepEqual([...new Set(keys.map(k => k.region))].sort(), ['eu-west-1', 'us-east-1', 'us-west-2']);
      for (const k of keys) assertAboutKey(k.arn, k.region!, k.policyVerdict!, name);
      // What `status` and the tree say about it.
      const payments = r.buckets.find(b => b.name === 'acme-payments-prod')!;
      assert.match(payments.checks.find(c => c.id === 'kms-s3-use')!.message, /\(s3\.eu-west-1\.amazonaws\.com\)/);
      const ml = r.buckets.find(b => b.name === 'acme-ml-datasets')!;
      assert.match(ml.checks.find(c => c.id === 'kms-s3-use')!.message, /\(s3\.us-west-2\.amazonaws\.com\)/);
    });
  }

  it('the status bar: an open live key policy is judged for the key its URI names', async () => {
    const seed = demoSeed();
    for (const [id, region] of [
      ['1234abcd-12ab-34cd-56ef-1234567890ab', 'eu-west-1'],
      ['8b9c0d1e-2f3a-4b4c-5d6e-7f8a9b0c1d2e', 'us-west-2'],
    ]) {
      const arn = `arn:aws:kms:${region}:111122223333:key/${id}`;
      const text = JSON.stringify(seed.keys!.find(k => k.id === id)!.policy);
      // As VS Code writes the URI of client/views/live-documents.ts's liveUri (`:` encoded in the path).
      const uri = `s3-encryption-guard:/default/${region}/keys/${encodeURIComponent(arn.slice(0, arn.lastIndexOf('/')))}/${id}.key-policy.json`;
      assert.equal(liveKeyArn(uri), arn);
      await lsp.open(uri, text);
      const r = await analyze({ uri });
      assert.equal(r.kind, 'key-policy');
      assertAboutKey(arn, region, r.verdict as KeyPolicyVerdict, uri);
      assert.match(r.summary[0], new RegExp(`S3 can use it \\(s3\\.${region}\\.amazonaws\\.com\\)`));
    }
  });

  it('only a key ARN is taken from a request or a URI', () => {
    assert.equal(
      liveKeyArn('s3-encryption-guard:/default/eu-west-1/keys/1234abcd.key-policy.json'),
      undefined,
      'the key ID alone names no region',
    );
    assert.equal(
      liveKeyArn('s3-encryption-guard:/p/r/keys/arn:aws:kms:eu-west-1:1111:key/1234.key-policy.json'),
      undefined,
      'not an account',
    );
    assert.equal(liveKeyArn(`s3-encryption-guard:/p/r/keys/${'arn:'.repeat(5000)}:key/1.key-policy.json`), undefined);
    assert.equal(parseLiveParams({ text: '{}', kind: 'key-policy', keyArn: 7 }), undefined);
    assert.equal(parseLiveParams({ text: '{}', kind: 'key-policy', keyArn: 'x'.repeat(5000) }), undefined);
    assert.deepEqual(parseLiveParams({ text: '{}', kind: 'key-policy', keyArn: 'arn:aws:kms:us-west-2:111122223333:key/1' }), {
      text: '{}',
      kind: 'key-policy',
      bucket: undefined,
      keyArn: 'arn:aws:kms:us-west-2:111122223333:key/1',
      diagnostics: undefined,
    });
  });
});
