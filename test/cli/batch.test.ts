// `reencrypt --batch` and `jobs`, the built CLI run as a user runs it, against the emulator (real
// SDK, real wire protocols): the plan printed first, --dry-run writes nothing, no job without
// --yes, the job waits for confirmation, `jobs` lists it with its progress, `jobs --confirm` lets
// it run, `jobs --job` reads its completion report. Secrets never appear in any output.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type Emulator } from '../../emulator/src/emulator';
import type { EmulatorSeed } from '../../emulator/src/types';
import { CreateJobCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { DIST_CLI } from '../helpers/paths';
import { ACCOUNT, emptyAwsFiles, keyArn, SECRET, testEnv } from '../aws/fixtures';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A hang detector, far above what any run needs: a run still going then is killed (code null). */
const HANG_MS = 90_000;

function cli(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DIST_CLI, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const hang = setTimeout(() => child.kill('SIGKILL'), HANG_MS);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', e => {
      clearTimeout(hang);
      reject(e);
    });
    child.once('close', code => {
      clearTimeout(hang);
      resolve({ code, stdout, stderr });
    });
  });
}

const REGION = 'eu-west-1';
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const TARGET = keyArn(REGION, KEY_ID);
const ROLE = `arn:aws:iam::${ACCOUNT}:role/batch-reencrypt`;

const seed = (): EmulatorSeed => ({
  account: ACCOUNT,
  writable: true,
  keys: [{ id: KEY_ID, region: REGION }],
  buckets: [
    {
      name: 'cli-batch',
      region: REGION,
      objects: [
        { key: 'a.txt', content: 'a', encryption: 'SSE-S3' },
        { key: 'b c.txt', content: 'b', encryption: 'SSE-S3' },
        { key: 'd+e.txt', content: 'd', encryption: 'SSE-S3' },
      ],
    },
    { name: 'cli-reports', region: REGION },
  ],
});

let em: Emulator;
const files = emptyAwsFiles();
const env = testEnv(files, { AWS_REGION: REGION });
const cwd = files.dir;
const runs: Run[] = [];
const run = async (args: string[]): Promise<Run> => {
  const r = await cli(args, env, cwd);
  runs.push(r);
  return r;
};
const batchArgs = () => [
  'reencrypt',
  '--batch',
  '--bucket',
  'cli-batch',
  '--kms-key',
  TARGET,
  '--role',
  ROLE,
  '--report-bucket',
  'cli-reports',
  '--endpoint',
  em.url,
];

before(async () => {
  em = await startEmulator({ seed: seed() });
});
after(async () => {
  await em.close();
  for (const r of runs) {
    assert.ok(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET), 'the secret key never appears');
  }
});

describe('reencrypt --batch', () => {
  it('--dry-run prints the plan and writes nothing', async () => {
    const before = em.calls();
    const r = await run([...batchArgs(), '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Batch Operations job for s3:\/\/cli-batch\/ \(eu-west-1\)/);
    assert.match(r.stdout, /operation: +S3UpdateObjectEncryption to SSE-KMS arn:aws:kms:eu-west-1:111122223333:key\/1234abcd/);
    assert.match(r.stdout, /objects: +3\n/);
    assert.match(r.stdout, /report: +s3:\/\/cli-reports\/s3-encryption-guard\/batch-reports\/cli-batch \(all tasks\)/);
    assert.match(r.stdout, /role: +arn:aws:iam::111122223333:role\/batch-reencrypt/);
    assert.match(r.stdout, /cost: +\$0\.2500 per job/);
    assert.match(r.stdout, /dry run: nothing was written and no job was created/);
    const calls = em.calls();
    for (const w of ['PutObject', 'CreateJob']) assert.equal(calls[w] ?? 0, before[w] ?? 0, `no ${w}`);
  });

  it('--format json prints the reencrypt interface with "job": null on a dry run', async () => {
    const r = await run([...batchArgs(), '--dry-run', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(out.bucket, 'cli-batch');
    assert.equal(out.planned, 3);
    assert.equal(out.updated, 0);
    assert.equal(out.copied, 0);
    assert.deepEqual(out.skipped, {});
    assert.deepEqual(out.failed, []);
    assert.equal(out.job, null);
    assert.equal((out.batch as { operationName: string }).operationName, 'S3UpdateObjectEncryption');
  });

  it('--sse-s3 plans the copy operation to SSE-S3', async () => {
    const args = batchArgs().filter(a => a !== '--kms-key' && a !== TARGET);
    const r = await run([...args, '--sse-s3', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /operation: +S3PutObjectCopy to SSE-S3, current versions/);
    const both = await run([...batchArgs(), '--sse-s3', '--dry-run']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /one target/);
  });

  it('creates nothing without --yes', async () => {
    const before = em.calls();
    const r = await run(batchArgs());
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no job created: pass --yes/);
    assert.equal(em.calls().PutObject ?? 0, before.PutObject ?? 0);
  });

  it('exits 2 on usage problems with one line', async () => {
    const r = await run(['reencrypt', '--batch', '--bucket', 'cli-batch']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--kms-key is required/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    const both = await run([...batchArgs(), '--yes', '--dry-run']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /contradict/);
  });
});

describe('reencrypt --batch --yes, then jobs', () => {
  let jobId = '';

  it('--yes writes the manifest and creates a job that waits for confirmation', async () => {
    const r = await run([...batchArgs(), '--yes', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { job: string; planned: number; failed: unknown[] };
    assert.match(out.job, /\S/);
    assert.equal(out.planned, 3);
    assert.deepEqual(out.failed, []);
    jobId = out.job;
    // Running the same command again answers the same job (the request token), not a second one.
    const again = await run([...batchArgs(), '--yes', '--format', 'json']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as { job: string }).job, jobId);
  });

  it('jobs --bucket lists it with its status and progress', async () => {
    const text = await run(['jobs', '--bucket', 'cli-batch', '--endpoint', em.url]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Batch Operations jobs in eu-west-1 for cli-batch/);
    assert.match(text.stdout, /JOB +STATUS +PROGRESS +BUCKET +OPERATION +CREATED/);
    const row = text.stdout.split('\n').find(l => l.startsWith(jobId));
    assert.ok(row, text.stdout);
    assert.match(row, /Suspended +0\/3 \(0%\) +cli-batch +S3UpdateObjectEncryption/);
    const json = await run(['jobs', '--bucket', 'cli-batch', '--endpoint', em.url, '--format', 'json']);
    const listed = JSON.parse(json.stdout) as { account: string; jobs: { id: string; status: string }[] };
    assert.equal(listed.account, ACCOUNT);
    assert.deepEqual(
      listed.jobs.map(j => [j.id, j.status]),
      [[jobId, 'Suspended']],
    );
  });

  it('jobs --confirm needs --yes, then lets the job run; jobs --job reads its completion report', async () => {
    const ask = await run(['jobs', '--confirm', jobId, '--endpoint', em.url]);
    assert.equal(ask.code, 1);
    assert.match(ask.stderr, /not confirmed: pass --yes to let job .* run \(3 tasks, S3UpdateObjectEncryption to arn:aws:kms/);
    assert.equal(em.object('cli-batch', 'a.txt')?.encryption, 'SSE-S3', 'nothing ran');

    const yes = await run(['jobs', '--confirm', jobId, '--yes', '--endpoint', em.url]);
    assert.equal(yes.code, 0, yes.stderr);
    assert.match(yes.stdout, new RegExp(`confirmed job ${jobId}: now \\w+`));

    let detail:
      | { job: { status: string; progress: { percent: number } }; report: { succeeded: number; failed: number } | null }
      | undefined;
    const end = Date.now() + HANG_MS;
    while (Date.now() < end) {
      const r = await run(['jobs', '--job', jobId, '--endpoint', em.url, '--format', 'json']);
      assert.equal(r.code, 0, r.stderr);
      detail = JSON.parse(r.stdout) as typeof detail;
      if (detail?.job.status === 'Complete') break;
      await new Promise(res => setTimeout(res, 100));
    }
    assert.equal(detail?.job.status, 'Complete');
    assert.equal(detail?.job.progress.percent, 100);
    assert.deepEqual(detail?.report && { succeeded: detail.report.succeeded, failed: detail.report.failed }, {
      succeeded: 3,
      failed: 0,
    });
    for (const key of ['a.txt', 'b c.txt', 'd+e.txt']) {
      const o = em.object('cli-batch', key);
      assert.equal(o?.encryption, 'SSE-KMS', key);
      assert.equal(o?.kmsKeyId, TARGET, key);
    }
    const text = await run(['jobs', '--job', jobId, '--endpoint', em.url]);
    assert.match(text.stdout, /completion report.*: 3 succeeded, 0 failed/);
    const again = await run(['jobs', '--confirm', jobId, '--yes', '--endpoint', em.url]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /is Complete, not waiting for confirmation/);
  });

  it('jobs exits 2 on usage problems', async () => {
    const r = await run(['jobs', '--job', 'x y', '--endpoint', em.url]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is not a job ID/);
  });
});

describe('jobs: what the endpoint says is escaped, and --cancel', () => {
  it('prints a hostile job description on one line with its controls made visible', async () => {
    const control = new S3ControlClient({
      region: REGION,
      endpoint: em.url,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      endpointProvider: () => ({ url: new URL(em.url) }),
    });
    const planned = await run([...batchArgs(), '--dry-run', '--format', 'json']);
    // The manifest the earlier run wrote (the plan reuses it and knows its ETag).
    const manifest = (JSON.parse(planned.stdout) as { batch: { manifest: { bucket: string; key: string; etag: string } } }).batch
      .manifest;
    assert.ok(manifest.etag);
    // A job someone else made, with a description that tries to reorder the line and fake a second one.
    const created = await control.send(
      new CreateJobCommand({
        AccountId: ACCOUNT,
        ConfirmationRequired: true,
        Priority: 1,
        RoleArn: ROLE,
        ClientRequestToken: 'hostile-description',
        Description: 's3-encryption-guard re-encrypt s3://cli-batch/\u202eevil\nSTATUS Complete',
        Operation: { S3UpdateObjectEncryption: { ObjectEncryption: { SSEKMS: { KMSKeyArn: TARGET } } } },
        Manifest: {
          Spec: { Format: 'S3BatchOperations_CSV_20180820', Fields: ['Bucket', 'Key'] },
          Location: { ObjectArn: `arn:aws:s3:::${manifest.bucket}/${manifest.key}`, ETag: manifest.etag },
        },
        Report: { Enabled: false },
      }),
    );
    control.destroy();
    const r = await run(['jobs', '--job', created.JobId!, '--endpoint', em.url]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes('\u202e'), 'no bidirectional override reaches the terminal');
    assert.match(r.stdout, /described: +s3-encryption-guard re-encrypt s3:\/\/cli-batch\/\\u\{202e\}evil\\nSTATUS Complete\n/);
    const list = await run(['jobs', '--endpoint', em.url]);
    assert.ok(!list.stdout.includes('\u202e'));
    for (const line of list.stdout.split('\n')) assert.ok(!/^STATUS Complete/.test(line), 'no line is faked');

    const ask = await run(['jobs', '--cancel', created.JobId!, '--endpoint', em.url]);
    assert.equal(ask.code, 1);
    assert.match(ask.stderr, /not cancelled: pass --yes/);
    const yes = await run(['jobs', '--cancel', created.JobId!, '--yes', '--endpoint', em.url]);
    assert.equal(yes.code, 0, yes.stderr);
    assert.match(yes.stdout, /cancelled job .*: now (Cancelled|Cancelling)/);
  });
});
