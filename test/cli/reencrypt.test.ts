// `s3-encryption-guard reencrypt` and `status --objects`: the built CLI run as a user runs it,
// against the emulator (real AWS SDK, real wire protocol). The kill test kills the CLI process
// mid-run and runs the same command again: every object ends re-encrypted, each written once.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type Emulator } from '../../emulator/src/emulator';
import type { EmulatorSeed } from '../../emulator/src/types';
import { DIST_CLI } from '../helpers/paths';
import { ACCOUNT, emptyAwsFiles, GOOD_KEY_ARN, KEYS, SECRET, testEnv } from '../aws/fixtures';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A hang detector far above what any run here needs. */
const HANG_MS = 120_000;

function start(args: string[], cwd: string): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [DIST_CLI, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const hang = setTimeout(() => child.kill('SIGKILL'), HANG_MS);
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(hang);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}
const cli = (args: string[], cwd = files.dir) => start(args, cwd).done;

const files = emptyAwsFiles();
const env = testEnv(files);
let em: Emulator;
const conn = () => ['--endpoint', em.url, '--region', 'eu-west-1'];

const seed = (): EmulatorSeed => ({
  account: ACCOUNT,
  writable: true,
  keys: [KEYS.good],
  buckets: [
    {
      name: 'plan-only',
      region: 'eu-west-1',
      encryption: null,
      objects: [
        { key: 'a.txt', content: 'a', encryption: 'NOT-SSE' },
        { key: 'b.txt', content: 'b', encryption: 'SSE-S3' },
        { key: 'c.txt', content: 'c', encryption: 'SSE-C' },
      ],
    },
    {
      name: 'run-json',
      region: 'eu-west-1',
      encryption: null,
      objects: [
        { key: 'a.txt', content: 'a', encryption: 'NOT-SSE', metadata: { x: '1' } },
        { key: 'b.txt', content: 'b', encryption: 'SSE-S3' },
      ],
    },
    {
      name: 'killed',
      region: 'eu-west-1',
      encryption: null,
      generate: { count: 40, prefix: 'obj-', encryption: 'SSE-S3' },
      objects: Array.from({ length: 20 }, (_, i) => ({
        key: `plain-${i}`,
        content: `plain ${i}`,
        encryption: 'NOT-SSE' as const,
      })),
    },
  ],
});

before(async () => {
  em = await startEmulator({ seed: seed() });
});
after(async () => {
  await em.close();
});

describe('cli reencrypt', () => {
  it('--dry-run prints the plan and writes nothing', async () => {
    em.resetStats();
    const r = await cli(['reencrypt', '--bucket', 'plan-only', '--kms-key', GOOD_KEY_ARN, '--dry-run', ...conn()]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Re-encryption plan for s3:\/\/plan-only\//);
    assert.match(
      r.stdout,
      /to change: {2}2 objects: 1 UpdateObjectEncryption \(in place\), 1 CopyObject onto itself, 0 multipart copy/,
    );
    assert.match(r.stdout, /skipped: {4}1 SSE-C/);
    assert.match(r.stdout, /cost: {7}under \$0\.01 \(S3 Standard and KMS request prices, us-east-1/);
    for (const w of ['PutObject', 'CopyObject', 'UpdateObjectEncryption']) assert.equal(em.calls()[w] ?? 0, 0);
    assert.equal(fs.readdirSync(files.dir).filter(f => f.endsWith('.journal')).length, 0, 'a dry run keeps no journal');
    assert.ok(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET));
  });

  it('without --yes: the plan, nothing written, exit 1', async () => {
    em.resetStats();
    const r = await cli(['reencrypt', '--bucket', 'plan-only', '--kms-key', GOOD_KEY_ARN, ...conn()]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /nothing written: run again with --yes to re-encrypt 2 objects of plan-only to SSE-KMS arn:aws:kms:eu-west-1:111122223333:key\/1234abcd/,
    );
    assert.equal(em.object('plan-only', 'a.txt')!.encryption, 'NOT-SSE');
  });

  it('usage problems exit 2 with one line', async () => {
    const r = await cli(['reencrypt', '--bucket', 'plan-only', '--kms-key', 'alias/payments', ...conn()]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--kms-key needs a key ARN/);
    const none = await cli(['reencrypt', '--bucket', 'plan-only', ...conn()]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--kms-key ARN \(SSE-KMS\) or --sse-s3/);
  });

  it('a plan over the batch threshold goes to S3 Batch Operations (reencryptWithBatch), still only a plan with --dry-run', async () => {
    em.resetStats();
    const r = await cli([
      'reencrypt',
      '--bucket',
      'plan-only',
      '--kms-key',
      GOOD_KEY_ARN,
      '--dry-run',
      '--batch-threshold',
      '1',
      ...conn(),
    ]);
    assert.match(r.stderr, /2 objects are more than the batch threshold \(1\): the job goes to S3 Batch Operations instead/);
    assert.match(r.stdout, /^Batch Operations job for s3:\/\/plan-only\//m);
    for (const w of ['PutObject', 'CopyObject', 'UpdateObjectEncryption', 'CreateJob']) assert.equal(em.calls()[w] ?? 0, 0, w);
  });

  it('--yes --format json: the report of the issue’s interface, exit 0', async () => {
    const journal = path.join(files.dir, 'json.journal');
    const r = await cli([
      'reencrypt',
      '--bucket',
      'run-json',
      '--kms-key',
      GOOD_KEY_ARN,
      '--yes',
      '--format',
      'json',
      '--journal',
      journal,
      ...conn(),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(
      {
        bucket: out.bucket,
        planned: out.planned,
        updated: out.updated,
        copied: out.copied,
        skipped: out.skipped,
        failed: out.failed,
        job: out.job,
      },
      { bucket: 'run-json', planned: 2, updated: 1, copied: 1, skipped: {}, failed: [], job: null },
    );
    assert.equal(em.object('run-json', 'a.txt')!.kmsKeyId, GOOD_KEY_ARN);
    assert.deepEqual(em.object('run-json', 'a.txt')!.metadata, { x: '1' });
    assert.ok(fs.readFileSync(journal, 'utf8').includes('"status":"done"'));
  });

  it('killed mid-run, the same command resumes: every object done exactly once, none lost', async () => {
    const journal = path.join(files.dir, 'killed.journal');
    const args = [
      'reencrypt',
      '--bucket',
      'killed',
      '--kms-key',
      GOOD_KEY_ARN,
      '--yes',
      '--journal',
      journal,
      '--concurrency',
      '2',
      ...conn(),
    ];
    // Slow writes, so that the kill lands mid-run.
    em.setFaults([{ call: 'write', bucket: 'killed', latencyMs: 40 }]);
    em.resetStats();
    const first = start(args, files.dir);
    const doneLines = () =>
      fs.existsSync(journal)
        ? fs
            .readFileSync(journal, 'utf8')
            .split('\n')
            .filter(l => l.includes('"status":"done"')).length
        : 0;
    // Wait (bounded) until some objects are journalled, then kill: no cleanup runs.
    for (let i = 0; i < 600 && doneLines() < 10; i++) await new Promise(r => setTimeout(r, 50));
    first.child.kill('SIGKILL');
    const killed = await first.done;
    assert.equal(killed.signal, 'SIGKILL');
    const before = doneLines();
    assert.ok(before >= 10 && before < 60, `journalled ${before} before the kill`);
    em.setFaults([]);
    const second = await cli(args);
    assert.equal(second.code, 0, second.stderr + second.stdout);
    assert.match(second.stdout, /done by an earlier run/);
    for (let i = 0; i < 40; i++) {
      const o = em.object('killed', `obj-${String(i).padStart(8, '0')}`)!;
      assert.equal(o.encryption, 'SSE-KMS');
      assert.equal(o.kmsKeyId, GOOD_KEY_ARN);
    }
    for (let i = 0; i < 20; i++) {
      const o = em.object('killed', `plain-${i}`)!;
      assert.equal(o.kmsKeyId, GOOD_KEY_ARN);
      assert.equal(o.content.toString(), `plain ${i}`);
    }
    // Nothing the journal records as done was written again: one `done` line per object at most.
    const done = new Map<string, number>();
    for (const line of fs.readFileSync(journal, 'utf8').split('\n'))
      if (line.includes('"status":"done"')) {
        const key = (JSON.parse(line) as { key: string }).key;
        done.set(key, (done.get(key) ?? 0) + 1);
      }
    assert.deepEqual(
      [...done].filter(([, n]) => n > 1),
      [],
    );
    const c = em.calls();
    // 40 updates in place, 20 copies and the one canary. A write still in flight when the process
    // was killed may land after it (S3 does the same): the client never learnt of it, so the resumed
    // run can find it done or do it again, harmlessly: at most --concurrency (2) such writes.
    const writes = (c.UpdateObjectEncryption ?? 0) + (c.CopyObject ?? 0);
    assert.ok(writes >= 61 && writes <= 63, JSON.stringify(c));
    assert.equal(c.PutObject ?? 0, 1, 'one canary across both runs');
  });
});

describe('cli status --objects', () => {
  it('adds the object audit to each bucket in JSON', async () => {
    const r = await cli(['status', '--bucket', 'plan-only', '--objects', '--format', 'json', ...conn()]);
    const out = JSON.parse(r.stdout) as { buckets: { objects: Record<string, unknown> }[] };
    const o = out.buckets[0].objects;
    assert.equal(o.source, 'listing');
    assert.equal(o.complete, true);
    assert.equal(o.scanned, 3);
    assert.deepEqual(o.byEncryption, { 'NOT-SSE': 1, 'SSE-S3': 1, 'SSE-KMS': 0, 'DSSE-KMS': 0, 'SSE-C': 1 });
    assert.equal(o.nonCompliant, 2);
    assert.deepEqual(o.bucketKey, { enabled: 0, disabled: 0 });
    assert.ok(Array.isArray(o.examples));
    assert.equal(r.code, 1, 'objects that fail make the bucket fail');
  });

  it('--max-objects caps the listing and says the result is partial', async () => {
    const r = await cli(['status', '--bucket', 'killed', '--max-objects', '5', ...conn()]);
    assert.match(r.stdout, /^Objects:$/m);
    assert.match(r.stdout, /killed: 5 objects \(listing, PARTIAL\)/);
    assert.match(r.stdout, /note: stopped at the cap of 5 objects/);
  });
});
