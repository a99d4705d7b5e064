/// <reference types="mocha" />
// The Objects node and the Re-encrypt Objects command in a real VS Code, against the emulator
// (started here, in the extension host): the node audits its bucket on demand and shows the counts;
// the command plans, asks for confirmation with a modal that names the bucket, the number of objects
// and the target key (answered here through the API's ui, as a modal cannot be clicked from a test),
// writes nothing when declined, and re-encrypts every object when confirmed.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startEmulator, type Emulator } from '../../emulator/src/emulator';
import type { PostureNode } from '../../client/views/posture-model';
import type { LiveViewApi } from '../../client/views/live-view';
import { ROOT } from '../helpers/paths';
import { waitFor } from './wait-for';

const EXTENSION_ID = 's3-encryption-guard.s3-encryption-guard';
const SECTION = 's3EncryptionGuard';
const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ENV_KEYS = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_PROFILE',
] as const;
const all = (n: PostureNode): PostureNode[] => [n, ...n.children.flatMap(all)];

suite('live view: objects', () => {
  let api: LiveViewApi;
  let emulator: Emulator;
  const savedEnv: Partial<Record<(typeof ENV_KEYS)[number], string>> = {};
  const config = () => vscode.workspace.getConfiguration(SECTION);
  const nodes = () => api.provider.getChildren().flatMap(all);
  const objectsNode = () => nodes().find(n => n.kind === 'objects' && n.bucket === 'mixed-objects');

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const exported = (await ext.activate()) as { ready: Promise<void>; liveView: LiveViewApi };
    api = exported.liveView;
    await exported.ready;
    for (const k of ENV_KEYS) savedEnv[k] = process.env[k];
    emulator = await startEmulator({
      seed: {
        writable: true,
        keys: [{ id: '1234abcd-12ab-34cd-56ef-1234567890ab', region: 'eu-west-1' }],
        buckets: [
          {
            name: 'mixed-objects',
            region: 'eu-west-1',
            encryption: null,
            objects: [
              { key: 'a.txt', content: 'a', encryption: 'NOT-SSE', contentType: 'text/plain', tags: { t: '1' } },
              { key: 'b.txt', content: 'b', encryption: 'SSE-S3' },
              { key: 'c.txt', content: 'c', encryption: 'SSE-KMS', kmsKeyId: KEY, bucketKeyEnabled: true },
            ],
          },
        ],
      },
    });
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'eu-west-1',
      AWS_CONFIG_FILE: path.join(ROOT, 'no-such-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(ROOT, 'no-such-aws-credentials'),
    });
    delete process.env.AWS_PROFILE;
    await config().update('aws.endpoint', emulator.url, vscode.ConfigurationTarget.Global);
    await waitFor(
      'the endpoint setting',
      () => (api.settings().endpoint === emulator.url ? true : undefined),
      () => JSON.stringify(api.settings()),
    );
    await api.refresh();
  });

  suiteTeardown(async () => {
    await config().update('aws.endpoint', undefined, vscode.ConfigurationTarget.Global);
    for (const k of ENV_KEYS) {
      if (savedEnv[k] === undefined) delete process.env[k];
      else process.env[k] = savedEnv[k];
    }
    await emulator?.close();
  });

  test('each bucket has an Objects node that audits on demand and shows the counts', async () => {
    const node = await waitFor('the Objects node', objectsNode, () => JSON.stringify(nodes().map(n => n.label)));
    assert.equal(node.description, 'not audited: Audit Objects');
    assert.match(api.provider.getTreeItem(node).contextValue ?? '', /^objects\b/);
    assert.equal(emulator.calls().HeadObject ?? 0, 0, 'nothing read before it is asked for');
    await vscode.commands.executeCommand('s3EncryptionGuard.objects.audit', node);
    const done = await waitFor(
      'the audit',
      () => (api.objects.state('mixed-objects').kind === 'done' ? objectsNode() : undefined),
      () => JSON.stringify(api.objects.state('mixed-objects')),
    );
    // The default requirements ask for encryption, any algorithm: only the unencrypted object fails.
    assert.equal(done.description, '3 objects, 1 fail (listing)');
    assert.equal(done.status, 'fail');
    const labels = done.children.map(c => `${c.label}: ${c.description}`);
    assert.ok(labels.includes('NOT-SSE: 1 object'), labels.join(' | '));
    assert.ok(labels.includes('SSE-S3: 1 object'), labels.join(' | '));
    assert.ok(labels.includes('a.txt: NOT-SSE'), labels.join(' | '));
  });

  test('Re-encrypt Objects asks with a modal naming bucket, count and target; declined writes nothing, confirmed re-encrypts', async () => {
    const bucket = nodes().find(n => n.kind === 'bucket' && n.bucket === 'mixed-objects')!;
    const asked: { message: string; detail: string; action: string }[] = [];
    const saved = api.objects.ui;
    let answer = false;
    api.objects.ui = {
      prefix: async () => '',
      kmsKey: async () => KEY,
      confirm: async (message, detail, action) => {
        asked.push({ message, detail, action });
        return answer;
      },
    };
    try {
      emulator.resetStats();
      await vscode.commands.executeCommand('s3EncryptionGuard.objects.reencrypt', bucket);
      assert.equal(asked.length, 1);
      assert.equal(asked[0].message, `Re-encrypt 2 objects of bucket mixed-objects to SSE-KMS with key ${KEY}?`);
      assert.equal(asked[0].action, 'Re-encrypt 2 objects');
      assert.match(
        asked[0].detail,
        /1 in place \(UpdateObjectEncryption, proven first on a canary object\), 1 copied onto themselves/,
      );
      const writes = Object.entries(emulator.calls()).filter(([c]) => /^(Put|Copy|Update|Delete|Create)/.test(c));
      assert.deepEqual(writes, [], 'declined: nothing written');

      answer = true;
      await vscode.commands.executeCommand('s3EncryptionGuard.objects.reencrypt', bucket);
      const report = api.objects.lastReport as { updated: number; copied: number; failed: unknown[]; stopped: string | null };
      assert.deepEqual(
        { updated: report.updated, copied: report.copied, failed: report.failed, stopped: report.stopped },
        { updated: 1, copied: 1, failed: [], stopped: null },
      );
      for (const key of ['a.txt', 'b.txt', 'c.txt']) {
        const o = emulator.object('mixed-objects', key)!;
        assert.equal(o.encryption, 'SSE-KMS', key);
        assert.equal(o.kmsKeyId, KEY, key);
      }
      assert.equal(emulator.object('mixed-objects', 'a.txt')!.contentType, 'text/plain');
      assert.deepEqual(emulator.object('mixed-objects', 'a.txt')!.tags, { t: '1' });
    } finally {
      api.objects.ui = saved;
    }
  });

  test('Re-encrypt Objects is disabled in untrusted workspaces', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { commands: { command: string; enablement?: string }[] };
    };
    const c = pkg.contributes.commands.find(x => x.command === 's3EncryptionGuard.objects.reencrypt');
    assert.equal(c?.enablement, 'isWorkspaceTrusted');
  });
});
