/// <reference types="mocha" />
// Fix Bucket Settings and Undo Last Change in a real VS Code, against the local emulator (started
// here, writable): the plan opens a diff editor between the live policy and the new one, the modal
// names the bucket and each setting, the writes reach the emulator, the tree shows the fixed checks,
// a failing check offers its quick-fix, and Undo restores every setting. The prompts (a quick pick
// and a modal, which a test cannot click) are replaced through the extension's test-only seam.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startEmulator, type Emulator } from '../../emulator/src/emulator';
import type { EmulatorSeed } from '../../emulator/src/types';
import type { PostureNode } from '../../client/views/posture-model';
import type { LiveViewApi } from '../../client/views/live-view';
import type { FixApi, FixPrompts } from '../../client/commands/fix-commands';
import type { FixResult } from '../../aws/fix';
import { readSettings, sameSetting, SETTING_NAMES, type BucketSettings } from '../../aws/fix-state';
import { openSession } from '../../aws/session';
import { ROOT } from '../helpers/paths';
import { waitFor } from './wait-for';

const EXTENSION_ID = 's3-encryption-guard.s3-encryption-guard';
const SECTION = 's3EncryptionGuard';
const ACCOUNT = '111122223333';
const KEY_ID = '7777aaaa-12ab-34cd-56ef-777777770007';
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${KEY_ID}`;
const BUCKET = 'fix-me-bucket';
const ENV_KEYS = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_REGION',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
] as const;

const LIVE_POLICY = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'TeamReads',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/team` },
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${BUCKET}/*`,
      },
    ],
  },
  null,
  2,
);

const seed = (): EmulatorSeed => ({
  account: ACCOUNT,
  writable: true,
  keys: [
    {
      id: KEY_ID,
      region: 'eu-west-1',
      rotation: false,
      policy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
      },
    },
  ],
  buckets: [{ name: BUCKET, region: 'eu-west-1', policy: LIVE_POLICY }],
});

const all = (n: PostureNode): PostureNode[] => [n, ...n.children.flatMap(all)];

suite('bucket fix (Fix Bucket Settings, Undo Last Change)', () => {
  let live: LiveViewApi;
  let fix: FixApi;
  let emulator: Emulator;
  let original: BucketSettings;
  const asked: { message: string; detail: string }[] = [];
  const savedEnv: Partial<Record<(typeof ENV_KEYS)[number], string>> = {};
  const config = () => vscode.workspace.getConfiguration(SECTION);

  const prompts: FixPrompts = {
    encryption: async () => ({ kmsKey: KEY, encryption: 'sse-kms' }),
    confirm: async (message, detail) => {
      asked.push({ message, detail });
      return true;
    },
  };

  async function settings(): Promise<BucketSettings> {
    const s = await openSession({ endpoint: emulator.url, env: process.env });
    try {
      return await readSettings(s, BUCKET, 'eu-west-1', SETTING_NAMES, KEY);
    } finally {
      s.destroy();
    }
  }
  const nodes = () => live.provider.getChildren().flatMap(all);
  const check = (id: string) => nodes().find(n => n.kind === 'check' && n.bucket === BUCKET && n.checkId === id);

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const exported = (await ext.activate()) as { ready: Promise<void>; liveView: LiveViewApi; fix?: FixApi };
    assert.ok(exported.fix, 'the extension exports fix on its API');
    live = exported.liveView;
    fix = exported.fix;
    await exported.ready;
    for (const k of ENV_KEYS) savedEnv[k] = process.env[k];
    emulator = await startEmulator({ seed: seed(), port: 0 });
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
      AWS_CONFIG_FILE: path.join(ROOT, 'no-such-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(ROOT, 'no-such-aws-credentials'),
    });
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
    await config().update('aws.endpoint', emulator.url, vscode.ConfigurationTarget.Global);
    await config().update('aws.regions', undefined, vscode.ConfigurationTarget.Global);
    await waitFor(
      'the endpoint setting',
      () => (live.settings().endpoint === emulator.url ? true : undefined),
      () => JSON.stringify(live.settings()),
    );
    await vscode.commands.executeCommand('workbench.view.extension.s3EncryptionGuard');
    await live.refresh();
    fix.setPrompts(prompts);
    original = await settings();
  });

  suiteTeardown(async () => {
    for (const k of ['aws.endpoint', 'aws.regions']) await config().update(k, undefined, vscode.ConfigurationTarget.Global);
    for (const k of ENV_KEYS) {
      if (savedEnv[k] === undefined) delete process.env[k];
      else process.env[k] = savedEnv[k];
    }
    await emulator?.close();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('a failing check offers its quick-fix; the bucket offers Fix Bucket Settings', () => {
    const https = check('https');
    assert.ok(https, `the https check of ${BUCKET} is in the tree`);
    assert.equal(https.status, 'fail');
    assert.match(String(live.provider.getTreeItem(https).contextValue), /\bfixable\b/);
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      capabilities: { untrustedWorkspaces: { supported: string } };
      contributes: { menus: Record<string, { command: string; when?: string }[]> };
    };
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    const menu = pkg.contributes.menus['view/item/context'];
    assert.ok(
      menu.some(
        m =>
          m.command === 's3EncryptionGuard.live.fixCheck' &&
          /fixable/.test(m.when ?? '') &&
          /isWorkspaceTrusted/.test(m.when ?? ''),
      ),
    );
    assert.ok(menu.some(m => m.command === 's3EncryptionGuard.live.fixBucket' && /isWorkspaceTrusted/.test(m.when ?? '')));
  });

  test('Fix Bucket Settings: the policy diff, a modal naming what changes, the writes, the refreshed tree', async () => {
    const bucketNode = nodes().find(n => n.kind === 'bucket' && n.bucket === BUCKET);
    assert.ok(bucketNode);
    const result = (await vscode.commands.executeCommand('s3EncryptionGuard.live.fixBucket', bucketNode)) as
      FixResult | undefined;
    assert.ok(result, 'the command returns its result');
    assert.equal(result.stopped, null, result.stopped?.message);
    assert.deepEqual(result.written, ['encryption', 'policy', 'publicAccessBlock', 'keyRotation']);

    // The diff editor: the live policy on the left, the new one on the right.
    const diff = vscode.window.tabGroups.all
      .flatMap(g => g.tabs)
      .map(t => t.input)
      .find(
        (i): i is vscode.TabInputTextDiff =>
          i instanceof vscode.TabInputTextDiff && i.modified.scheme === 's3-encryption-guard-fix',
      );
    assert.ok(diff, 'a diff editor shows the policy change');
    const left = (await vscode.workspace.openTextDocument(diff.original)).getText();
    const right = (await vscode.workspace.openTextDocument(diff.modified)).getText();
    assert.equal(left, LIVE_POLICY);
    assert.ok(right.startsWith(LIVE_POLICY.slice(0, LIVE_POLICY.indexOf('}\n  ]') + 1)), 'the live statements are kept');
    assert.match(right, /DenyInsecureTransport/);

    // The modal named the bucket and every setting.
    const { message, detail } = asked[asked.length - 1];
    assert.match(
      message,
      new RegExp(
        `Write 4 changes to bucket ${BUCKET} \\(Default encryption, Bucket policy, Block Public Access, Key rotation\\)`,
      ),
    );
    assert.match(detail, /Default encryption: SSE-S3.* → SSE-KMS with arn:aws:kms:eu-west-1:111122223333:key\/7777aaaa/);
    assert.match(detail, /\+ DenyInsecureTransport: denies every request over HTTP/);
    assert.match(detail, /Lock-out check: the new policy does not deny/);

    const now = await settings();
    assert.equal(now.policy, right);
    assert.equal(now.encryption?.[0].ApplyServerSideEncryptionByDefault?.KMSMasterKeyID, KEY);
    assert.deepEqual(now.keyRotation, { keyArn: KEY, enabled: true });
    // The tree was loaded again and shows the fixed checks.
    await waitFor(
      'the refreshed tree',
      () => (check('https')?.status === 'pass' ? true : undefined),
      () => JSON.stringify(check('https')),
    );
    assert.equal(check('public-access-block')?.status, 'pass');
  });

  test('Undo Last Change restores every setting after a modal that names them', async () => {
    const result = (await vscode.commands.executeCommand('s3EncryptionGuard.live.undoFix')) as FixResult | undefined;
    assert.ok(result);
    assert.equal(result.stopped, null, result.stopped?.message);
    assert.deepEqual(result.written, ['keyRotation', 'publicAccessBlock', 'policy', 'encryption']);
    assert.match(
      asked[asked.length - 1].message,
      new RegExp(`Restore Default encryption, Bucket policy, Block Public Access, Key rotation of bucket ${BUCKET}`),
    );
    const now = await settings();
    for (const n of SETTING_NAMES)
      assert.ok(sameSetting(n, now, original), `${n}: ${JSON.stringify(now[n])} vs ${JSON.stringify(original[n])}`);
    assert.equal(now.policy, LIVE_POLICY);
    await waitFor(
      'the refreshed tree',
      () => (check('https')?.status === 'fail' ? true : undefined),
      () => JSON.stringify(check('https')),
    );
    // Nothing left to undo.
    assert.equal(await vscode.commands.executeCommand('s3EncryptionGuard.live.undoFix'), undefined);
  });

  test('the quick-fix on one check changes only what answers it', async () => {
    const pab = check('public-access-block');
    assert.ok(pab && pab.status !== 'pass');
    const before = asked.length;
    const result = (await vscode.commands.executeCommand('s3EncryptionGuard.live.fixCheck', pab)) as FixResult | undefined;
    assert.ok(result);
    assert.deepEqual(result.written, ['publicAccessBlock']);
    assert.match(asked[before].message, /Write 1 change to bucket fix-me-bucket \(Block Public Access\)/);
    const now = await settings();
    assert.ok(sameSetting('policy', now, original));
    assert.deepEqual(now.publicAccessBlock, {
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    });
    await vscode.commands.executeCommand('s3EncryptionGuard.live.undoFix');
    assert.equal((await settings()).publicAccessBlock, null);
  });
});
