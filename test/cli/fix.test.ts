// `s3-encryption-guard fix`, the built CLI run as a user runs it, against the emulator through the
// real AWS SDK: --dry-run writes nothing (the emulator's call counts say so), no --yes writes
// nothing, --yes writes and keeps the undo file, --undo restores, JSON output, usage errors.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startEmulator, type Emulator } from '../../emulator/src/emulator';
import type { EmulatorSeed } from '../../emulator/src/types';
import { readSettings, sameSetting, SETTING_NAMES } from '../../aws/fix-state';
import { openSession } from '../../aws/session';
import { DIST_CLI } from '../helpers/paths';
import { ACCOUNT, emptyAwsFiles, keyArn, KEYS, SECRET, testEnv } from '../aws/fixtures';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A hang detector only, far above what a run needs. */
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

const KEY = keyArn('eu-west-1', KEYS.other.id);
const seed = (): EmulatorSeed => ({
  account: ACCOUNT,
  writable: true,
  keys: [{ ...KEYS.other, rotation: false }],
  buckets: [
    {
      name: 'cli-bucket',
      region: 'eu-west-1',
      // A hostile endpoint's policy text: the diff must not pass its escape sequences to the terminal.
      policy: JSON.stringify(
        {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'Keep\u001b[31mRed',
              Effect: 'Allow',
              Principal: { AWS: ACCOUNT },
              Action: 's3:ListBucket',
              Resource: 'arn:aws:s3:::cli-bucket',
            },
          ],
        },
        null,
        2,
      ),
    },
  ],
});

let em: Emulator;
const files = emptyAwsFiles();
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-fix-cli-'));
const env = testEnv(files, { XDG_STATE_HOME: path.join(cwd, 'state') });
const undoFile = path.join(cwd, 'state', 's3-encryption-guard', 'fix-undo', 'cli-bucket.json');

const writes = () =>
  Object.entries(em.calls())
    .filter(([c]) => /^(Put|Delete)|EnableKeyRotation|DisableKeyRotation/.test(c.replace(/^kms:/, '')))
    .reduce((n, [, v]) => n + v, 0);

async function settings() {
  const s = await openSession({ endpoint: em.url, env });
  try {
    return await readSettings(s, 'cli-bucket', 'eu-west-1', ['encryption', 'policy', 'publicAccessBlock', 'keyRotation'], KEY);
  } finally {
    s.destroy();
  }
}

before(async () => {
  em = await startEmulator({ seed: seed() });
});
after(async () => {
  await em.close();
  fs.rmSync(cwd, { recursive: true, force: true });
});
beforeEach(() => em.resetStats());

const fixArgs = () => ['fix', '--bucket', 'cli-bucket', '--kms-key', KEY, '--endpoint', em.url, '--no-config'];

describe('fix from the command line', () => {
  let original: Awaited<ReturnType<typeof settings>>;
  before(async () => {
    original = await settings();
  });

  it('--dry-run prints the plan and the policy diff and writes nothing', async () => {
    const r = await cli([...fixArgs(), '--dry-run'], env, cwd);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Fix plan for bucket cli-bucket \(eu-west-1\):/);
    assert.match(
      r.stdout,
      /Default encryption: SSE-S3.* → SSE-KMS with arn:aws:kms:eu-west-1:111122223333:key\/2222bbbb.*Bucket Key on; blocked: SSE-C/,
    );
    assert.match(r.stdout, /\+ statement DenyInsecureTransport: denies every request over HTTP/);
    assert.match(r.stdout, /Bucket policy diff/);
    assert.match(r.stdout, /^\s+\+\s+"Sid": "DenyOtherKmsKeys",$/m);
    assert.match(r.stdout, /Lock-out check: passed/);
    assert.match(r.stdout, /Dry run: nothing written\./);
    assert.ok(!r.stdout.includes('\u001b'), 'escape sequences from the policy are shown, not sent');
    assert.ok(r.stdout.includes('Keep\\x1b[31mRed') || !r.stdout.includes('Keep'), 'the live Sid is escaped');
    assert.equal(writes(), 0);
    assert.ok((em.calls()['GetBucketPolicy'] ?? 0) >= 1, 'the plan read the bucket');
    assert.deepEqual(await settings(), original);
    assert.ok(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET));
  });

  it('without --yes: the plan, nothing written, exit 1', async () => {
    const r = await cli(fixArgs(), env, cwd);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /Nothing written: pass --yes to make these 4 changes to bucket cli-bucket\./);
    assert.equal(writes(), 0);
  });

  it('--yes writes, says what changed and what was there, and keeps the undo file', async () => {
    const r = await cli([...fixArgs(), '--yes', '--format', 'json'], env, cwd);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.written, ['encryption', 'policy', 'publicAccessBlock', 'keyRotation']);
    assert.equal(out.stopped, null);
    assert.equal(out.previous.policy, original.policy);
    assert.equal(out.undoFile, undoFile);
    assert.ok(out.plan.policy.diff.includes('+'));
    assert.equal(out.plan.lockout.ok, true);
    const now = await settings();
    assert.equal(now.encryption?.[0].ApplyServerSideEncryptionByDefault?.KMSMasterKeyID, KEY);
    assert.ok(now.policy?.includes('DenyOtherKmsKeys'));
    assert.deepEqual(now.keyRotation, { keyArn: KEY, enabled: true });
    const saved = JSON.parse(fs.readFileSync(undoFile, 'utf8'));
    assert.equal(saved.bucket, 'cli-bucket');
    assert.equal(saved.previous.policy, original.policy);
    assert.equal(fs.statSync(undoFile).mode & 0o777, 0o600);
    assert.ok(!fs.readFileSync(undoFile, 'utf8').includes(SECRET));
  });

  it('a second run finds nothing left to do', async () => {
    const r = await cli([...fixArgs(), '--yes'], env, cwd);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /nothing to change/);
    assert.equal(writes(), 0);
  });

  it('--undo without --yes shows what it would restore and writes nothing', async () => {
    const r = await cli(['fix', '--undo', '--bucket', 'cli-bucket', '--endpoint', em.url], env, cwd);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /Bucket policy: .* → .*characters/);
    assert.match(r.stdout, /Nothing restored: pass --yes/);
    assert.equal(writes(), 0);
  });

  it('--undo --yes restores every setting and removes the undo file', async () => {
    const r = await cli(['fix', '--undo', '--bucket', 'cli-bucket', '--endpoint', em.url, '--yes'], env, cwd);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /Restored on bucket cli-bucket/);
    const now = await settings();
    // SSE-C is unblocked in so many words (NONE), which reads back as NONE: the same setting.
    for (const name of SETTING_NAMES) assert.ok(sameSetting(name, now, original), `${name}: ${JSON.stringify(now[name])}`);
    assert.deepEqual(now.encryption?.[0].BlockedEncryptionTypes, { EncryptionType: ['NONE'] });
    assert.equal(now.policy, original.policy);
    assert.ok(!fs.existsSync(undoFile));
  });

  it('--undo with no undo file: one line, exit 2', async () => {
    const r = await cli(['fix', '--undo', '--bucket', 'cli-bucket', '--endpoint', em.url, '--yes'], env, cwd);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^s3-encryption-guard fix: undo file .*cli-bucket\.json: /);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  it('an undo file that is not a record is refused', async () => {
    const bad = path.join(cwd, 'bad-undo.json');
    fs.writeFileSync(
      bad,
      JSON.stringify({
        version: 1,
        bucket: 'cli-bucket',
        region: 'eu-west-1',
        endpoint: null,
        time: 'x',
        previous: { policy: 42 },
        applied: {},
      }),
    );
    const r = await cli(['fix', '--undo', '--bucket', 'cli-bucket', '--endpoint', em.url, '--undo-file', bad, '--yes'], env, cwd);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not the settings a fix keeps/);
    assert.equal(writes(), 0);
  });

  it('usage errors name the problem', async () => {
    const cases: [string[], RegExp][] = [
      [['fix'], /fix needs --bucket B/],
      [['fix', '--bucket', 'b', '--kms-key', 'k', '--sse-s3'], /choose one/],
      [['fix', '--bucket', 'b', '--dry-run', '--yes'], /choose one/],
      [['fix', '--bucket', 'b', '--only', 'everything'], /--only takes encryption, block-sse-c/],
      [['fix', '--bucket', 'b', '--min-tls', '1.0'], /--min-tls takes/],
    ];
    for (const [args, msg] of cases) {
      const r = await cli(args, env, cwd);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, msg);
    }
  });
});
