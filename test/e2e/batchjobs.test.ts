/// <reference types="mocha" />
// S3 Batch Operations in the live view, in a real VS Code against the emulator (its S3 Control
// jobs, IAM and STS): "Re-encrypt With Batch Operations…" on a bucket asks for the key, the role and
// the report bucket, shows the plan in a modal naming bucket, count, key and role, and only then
// creates the job; the job shows under its bucket, waiting; "Confirm Job" shows what it will do in
// a modal and lets it run; "Refresh Jobs" shows its progress to the end; "Cancel Job" cancels a
// waiting job after a modal. Declining writes nothing.
// The modals and input boxes are answered through the API the extension exports (batchUi).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startEmulator, type Emulator } from '../../emulator/src/emulator';
import type { EmulatorSeed } from '../../emulator/src/types';
import type { PostureNode } from '../../client/views/posture-model';
import type { LiveViewApi } from '../../client/views/live-view';
import type { BatchUi } from '../../client/commands/batch-commands';
import { ROOT } from '../helpers/paths';
import { waitFor } from './wait-for';

const EXTENSION_ID = 's3-encryption-guard.s3-encryption-guard';
const SECTION = 's3EncryptionGuard';
const ENV_KEYS = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_REGION',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
] as const;
const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/batch-reencrypt`;
const BUCKET = 'batch-demo-data';

const seed = (): EmulatorSeed => ({
  account: ACCOUNT,
  writable: true,
  jobs: { taskDelayMs: 20 },
  keys: [{ id: '1234abcd-12ab-34cd-56ef-1234567890ab', region: REGION }],
  roles: [
    {
      name: 'batch-reencrypt',
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'batchoperations.s3.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
    },
  ],
  buckets: [
    {
      name: BUCKET,
      region: REGION,
      objects: [
        { key: 'a.txt', content: 'a', encryption: 'SSE-S3' },
        { key: 'b.txt', content: 'b', encryption: 'SSE-S3' },
        { key: 'c d.txt', content: 'c', encryption: 'SSE-S3' },
      ],
    },
    { name: 'batch-demo-reports', region: REGION },
    { name: 'batch-demo-reports-2', region: REGION },
  ],
});

const all = (n: PostureNode): PostureNode[] => [n, ...n.children.flatMap(all)];

suite('live view: S3 Batch Operations jobs', () => {
  let api: LiveViewApi;
  let emulator: Emulator;
  let savedUi: BatchUi;
  const savedEnv: Partial<Record<(typeof ENV_KEYS)[number], string>> = {};
  const config = () => vscode.workspace.getConfiguration(SECTION);
  const shown = (): PostureNode[] => api.provider.getChildren().flatMap(all);
  const bucketNode = () => shown().find(n => n.kind === 'bucket' && n.bucket === BUCKET);
  const jobNodes = () => shown().filter(n => n.kind === 'job' && n.bucket === BUCKET);

  /** Answers the commands' questions: inputs in order, each modal with `answer`; records what was asked. */
  function answer(inputs: string[], confirm: boolean) {
    const asked: { message: string; detail: string; action: string }[] = [];
    const prompts: string[] = [];
    api.batchUi.input = async options => {
      prompts.push(options.title ?? '');
      return inputs.shift();
    };
    api.batchUi.confirm = async (message, detail, action) => {
      asked.push({ message, detail, action });
      return confirm;
    };
    return { asked, prompts };
  }

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
    const exported = (await ext.activate()) as { ready: Promise<void>; liveView?: LiveViewApi };
    assert.ok(exported.liveView);
    api = exported.liveView;
    await exported.ready;
    savedUi = { ...api.batchUi };
    for (const k of ENV_KEYS) savedEnv[k] = process.env[k];
    emulator = await startEmulator({ seed: seed(), port: 0 });
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: REGION,
      AWS_CONFIG_FILE: path.join(ROOT, 'no-such-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(ROOT, 'no-such-aws-credentials'),
    });
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
    await config().update('aws.endpoint', emulator.url, vscode.ConfigurationTarget.Global);
    await config().update('aws.profile', undefined, vscode.ConfigurationTarget.Global);
    await config().update('aws.regions', undefined, vscode.ConfigurationTarget.Global);
    await waitFor(
      'the endpoint setting',
      () => (api.settings().endpoint === emulator.url ? true : undefined),
      () => JSON.stringify(api.settings()),
    );
    await vscode.commands.executeCommand('workbench.view.extension.s3EncryptionGuard');
    await api.refresh();
    await waitFor('the bucket in the tree', bucketNode, () =>
      shown()
        .map(n => n.label)
        .join(', '),
    );
  });

  suiteTeardown(async () => {
    Object.assign(api.batchUi, savedUi);
    for (const k of ['aws.endpoint', 'aws.profile', 'aws.regions'])
      await config().update(k, undefined, vscode.ConfigurationTarget.Global);
    for (const k of ENV_KEYS) {
      if (savedEnv[k] === undefined) delete process.env[k];
      else process.env[k] = savedEnv[k];
    }
    await emulator?.close();
  });

  test('contributes the commands, Confirm Job only on a job that waits', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['reencryptWithBatch', 'confirmJob', 'cancelJob', 'refreshJobs'])
      assert.ok(commands.includes(`s3EncryptionGuard.live.${c}`), c);
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { menus: Record<string, { command: string; when?: string }[]> };
    };
    const confirmMenus = pkg.contributes.menus['view/item/context'].filter(
      m => m.command === 's3EncryptionGuard.live.confirmJob',
    );
    assert.ok(confirmMenus.length > 0);
    for (const m of confirmMenus) assert.match(m.when ?? '', /suspended/);
  });

  test('declining the modal writes nothing and creates no job', async () => {
    const { asked } = answer([KEY, ROLE, 'batch-demo-reports'], false);
    const before = emulator.calls();
    const result = await vscode.commands.executeCommand('s3EncryptionGuard.live.reencryptWithBatch', bucketNode());
    assert.equal(result, undefined);
    assert.equal(asked.length, 1, 'the modal was shown');
    const after = emulator.calls();
    for (const w of ['PutObject', 'CreateJob']) assert.equal(after[w] ?? 0, before[w] ?? 0, `no ${w}`);
    assert.deepEqual(jobNodes(), []);
  });

  test('Re-encrypt With Batch Operations shows a modal naming bucket, count, key and role, then creates a waiting job', async () => {
    const { asked, prompts } = answer([KEY, ROLE, 'batch-demo-reports'], true);
    const jobId = (await vscode.commands.executeCommand('s3EncryptionGuard.live.reencryptWithBatch', bucketNode())) as
      string | undefined;
    assert.equal(prompts.length, 3, prompts.join(' | '));
    assert.equal(asked.length, 1);
    const { message, detail, action } = asked[0];
    assert.equal(action, 'Create Job');
    assert.ok(message.includes(BUCKET), message);
    assert.ok(message.includes('3 objects'), message);
    assert.ok(message.includes(KEY), message);
    assert.ok(message.includes(ROLE), message);
    assert.match(detail, /Manifest: s3:\/\/batch-demo-reports\//);
    assert.match(detail, /trusts batchoperations\.s3\.amazonaws\.com/);
    assert.match(detail, /waiting for confirmation/);
    assert.ok(jobId, 'a job was created');

    const node = await waitFor(
      'the job under its bucket',
      () => jobNodes().find(n => n.jobId === jobId),
      () =>
        shown()
          .map(n => `${n.kind}:${n.label}`)
          .join(', '),
    );
    assert.match(node.description ?? '', /^Suspended · 0\/3 \(0%\) · waits for confirmation$/);
    const item = api.provider.getTreeItem(node);
    assert.equal(item.contextValue, 'job suspended unfinished');
    const jobs = bucketNode()!.children.find(c => c.kind === 'jobs');
    assert.match(jobs?.description ?? '', /1 job, 1 waiting for confirmation/);
    assert.equal(emulator.object(BUCKET, 'a.txt')?.encryption, 'SSE-S3', 'nothing ran yet');
  });

  test('Confirm Job shows what the job will do, lets it run, and Refresh Jobs shows it complete', async () => {
    const node = jobNodes()[0];
    assert.ok(node?.jobId);
    const { asked } = answer([], true);
    const status = await vscode.commands.executeCommand('s3EncryptionGuard.live.confirmJob', node);
    assert.equal(asked.length, 1);
    assert.equal(asked[0].action, 'Confirm Job');
    for (const part of [node.jobId, BUCKET, '3 objects', KEY, ROLE])
      assert.ok(asked[0].message.includes(part), `${part} in: ${asked[0].message}`);
    assert.ok(status && status !== 'Suspended', String(status));

    const done = await waitFor(
      'the job to complete',
      async () => {
        await vscode.commands.executeCommand('s3EncryptionGuard.live.refreshJobs');
        const n = jobNodes().find(x => x.jobId === node.jobId);
        return n?.description?.startsWith('Complete') ? n : undefined;
      },
      () =>
        jobNodes()
          .map(n => n.description)
          .join(', '),
      60_000,
    );
    assert.equal(done.description, 'Complete · 3/3 (100%)');
    assert.equal(done.status, 'pass');
    assert.equal(api.provider.getTreeItem(done).contextValue, 'job', 'neither Confirm nor Cancel on a finished job');
    for (const key of ['a.txt', 'b.txt', 'c d.txt']) assert.equal(emulator.object(BUCKET, key)?.kmsKeyId, KEY, key);
  });

  test('Cancel Job names the job and its bucket, says done tasks stay done, and cancels a job that waits', async () => {
    answer([KEY, ROLE, 'batch-demo-reports-2'], true);
    const jobId = (await vscode.commands.executeCommand('s3EncryptionGuard.live.reencryptWithBatch', bucketNode())) as string;
    assert.ok(jobId);
    const node = await waitFor(
      'the second job under its bucket',
      () => jobNodes().find(n => n.jobId === jobId && n.description?.startsWith('Suspended')),
      () =>
        jobNodes()
          .map(n => `${n.jobId}: ${n.description}`)
          .join(', '),
    );
    const { asked } = answer([], true);
    const status = await vscode.commands.executeCommand('s3EncryptionGuard.live.cancelJob', node);
    assert.equal(asked.length, 1);
    assert.equal(asked[0].action, 'Cancel Job');
    assert.ok(asked[0].message.includes(jobId) && asked[0].message.includes(BUCKET), asked[0].message);
    assert.match(asked[0].detail, /Tasks already done stay done/);
    assert.ok(status === 'Cancelled' || status === 'Cancelling', String(status));
    const cancelled = await waitFor(
      'the job cancelled',
      async () => {
        await vscode.commands.executeCommand('s3EncryptionGuard.live.refreshJobs');
        const n = jobNodes().find(x => x.jobId === jobId);
        return n?.description?.startsWith('Cancelled') ? n : undefined;
      },
      () =>
        jobNodes()
          .map(n => n.description)
          .join(', '),
    );
    assert.equal(cancelled.status, 'fail');
    assert.match(bucketNode()!.children.find(c => c.kind === 'jobs')?.description ?? '', /^2 jobs$/);
  });
});
