// `s3-encryption-guard status`, the built CLI run as a user runs it. AWS itself cannot be reached
// here, so the CLI talks to a local endpoint (emulator/) that speaks the real S3 REST/XML and KMS
// JSON 1.1 wire protocols, through the real AWS SDK and its credential chain. Runs against a
// misbehaving endpoint assert that they ended and what they said, never how long they took.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startEmulator, type Emulator, type FaultSpec } from '../../emulator/src/emulator';
import type { EmulatorSeed } from '../../emulator/src/types';
import { localJudge } from '../../cli/local-judge';
import { fetchPosture } from '../../aws/posture';
import type { PostureReport } from '../../aws/types';
import { postureTree, type PostureNode } from '../../client/views/posture-model';
import { DIST_CLI, ROOT } from '../helpers/paths';
import { emptyAwsFiles, GOOD_KEY_ARN, goodBucket, KEYS, policy, denyHttp, postureSeed, SECRET, testEnv } from '../aws/fixtures';

/** The made-up account `npm start` shows. */
const demoSeed = (): EmulatorSeed =>
  JSON.parse(fs.readFileSync(path.join(ROOT, 'emulator', 'demo-seed.json'), 'utf8')) as EmulatorSeed;
const allNodes = (n: PostureNode): PostureNode[] => [n, ...n.children.flatMap(allNodes)];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A hang detector for one run, far above what any run here needs: a run still going then is killed (code null). */
const HANG_MS = 90_000;

/** The CLI in a child process (asynchronous: the emulator answers from this process). */
function cli(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DIST_CLI, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const hang = setTimeout(() => child.kill('SIGKILL'), HANG_MS);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
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

let em: Emulator;
let good: Emulator;
let demo: Emulator;
const files = emptyAwsFiles();
const env = testEnv(files);
/** A folder without .s3-encryption-guard.json above it (the default requirements apply). */
const cwd = files.dir;
const runs: Run[] = [];
const status = async (args: string[], e: NodeJS.ProcessEnv = env): Promise<Run> => {
  const r = await cli(['status', ...args], e, cwd);
  runs.push(r);
  return r;
};

before(async () => {
  em = await startEmulator({ seed: postureSeed() });
  good = await startEmulator({ seed: { keys: [KEYS.good], buckets: [goodBucket('payments-a'), goodBucket('payments-b')] } });
  demo = await startEmulator({ seed: demoSeed() });
});
after(async () => {
  await em.close();
  await good.close();
  await demo.close();
});
beforeEach(() => {
  em.setFaults([]);
  em.resetStats();
});

describe('cli status', () => {
  it('a misbehaving endpoint: every run ends and names what happened (issue 10)', async () => {
    const quick = ['--timeout', '300', '--max-attempts', '2'];
    const cases: {
      faults: FaultSpec[];
      args?: string[];
      code: number;
      stdout?: RegExp;
      stderr?: RegExp;
      requests?: Record<string, number>;
    }[] = [
      // A body that never finishes or trickles: that call fails with a timeout, the report is printed.
      {
        faults: [{ call: 'GetBucketPolicy', bucket: 'good-payments', wire: 'stall' }],
        code: 1,
        stdout:
          /^ {2}error {2}GetBucketPolicy: TimeoutError: the answer from http:\/\/127\.0\.0\.1:\d+ was not complete within 300 ms \(each of 2 attempts\): \d+ bytes arrived, then it stalled or trickled; retry later or raise the timeout \(--timeout MS\)$/m,
      },
      {
        faults: [{ call: 'GetBucketPolicy', bucket: 'good-payments', wire: 'trickle', trickleMs: 20 }],
        code: 1,
        stdout: /GetBucketPolicy: TimeoutError: the answer from .* was not complete within 300 ms/,
      },
      // Three 100 MB policies: refused, each on its bucket.
      {
        faults: [{ call: 'GetBucketPolicy', oversizeBytes: 100_000_000 }],
        args: ['--bucket', 'plain-us-east', '--bucket', 'partial-pab'],
        code: 1,
        stdout:
          /^ {2}error {2}GetBucketPolicy: ResponseTooLarge: the answer from .* is larger than the 1 MB allowed for one answer \(it announced 95 MB\)/m,
      },
      // The listing: exit 2 with one line, never "No buckets.".
      {
        faults: [{ call: 'ListBuckets', endlessPages: 'new' }],
        args: [],
        code: 2,
        stderr:
          /^s3-encryption-guard: ListBuckets: the bucket list of http:\/\/127\.0\.0\.1:\d+ would never end: page 2 lists no bucket that earlier pages did not, yet says there is another page; stopped after 2 pages: name the buckets to read instead \(--bucket NAME\)\n$/,
        requests: { ListBuckets: 2 },
      },
      {
        faults: [{ call: 'ListBuckets', endlessPages: 'same' }],
        args: [],
        code: 2,
        stderr: /^s3-encryption-guard: ListBuckets: .* \(a repeated continuation token\); stopped after 2 pages/,
        requests: { ListBuckets: 2 },
      },
      {
        faults: [{ call: 'ListBuckets', malformed: 'entity-bomb' }],
        args: [],
        code: 2,
        stderr:
          /^s3-encryption-guard: ListBuckets: the answer from http:\/\/127\.0\.0\.1:\d+ is malformed: it declares a DTD \(<!DOCTYPE or <!ENTITY\), which AWS never sends; it is not an answer S3 sends \(check the endpoint URL, or a proxy in the way\)\n$/,
      },
      {
        faults: [{ call: 'ListBuckets', malformed: 'no-root' }],
        args: [],
        code: 2,
        stderr: /^s3-encryption-guard: ListBuckets: .* is malformed: its root element is <Owner>, not <ListAllMyBucketsResult>;/,
      },
      {
        faults: [{ call: 'ListBuckets', malformed: 'truncated' }],
        args: [],
        code: 2,
        stderr: /^s3-encryption-guard: ListBuckets: .* is malformed: it ends before <\/\w+> \(truncated after \d+ characters\)/,
      },
      {
        faults: [{ call: 'ListBuckets', oversizeBytes: 50_000_000 }],
        args: [],
        code: 2,
        stderr: /^s3-encryption-guard: ListBuckets: .* is larger than the 1 MB allowed for one answer \(it announced 48 MB\)/,
      },
      // Resets: named as resets, with when.
      {
        faults: [{ call: 'ListBuckets', wire: 'reset-before-answer' }],
        args: [],
        code: 2,
        stderr:
          /^s3-encryption-guard: ListBuckets: the connection to http:\/\/127\.0\.0\.1:\d+ was reset before an answer \(\d+ ms into the last of 2 attempts\); retry later\n$/,
        requests: { ListBuckets: 2 },
      },
      {
        faults: [{ call: 'GetBucketPolicy', wire: 'reset' }],
        args: ['--bucket', 'plain-us-east'],
        code: 2,
        stderr:
          /^s3-encryption-guard: GetBucketPolicy: the connection to .* was reset mid-answer, after \d+ bytes of it \(\d+ ms into the last of 2 attempts\); retry later\n$/,
      },
      // A malformed fact of one bucket is that call's error, not an empty fact.
      {
        faults: [
          { call: 'GetBucketEncryption', malformed: 'entity-bomb' },
          { call: 'DescribeKey', malformed: 'not-json' },
        ],
        code: 1,
        stdout: /^ {2}error {2}GetBucketEncryption: MalformedResponse: the answer from .* is malformed: it declares a DTD/m,
      },
      {
        faults: [{ call: 'DescribeKey', malformed: 'not-json' }],
        code: 1,
        stdout:
          /^ {2}error {2}kms:DescribeKey: MalformedResponse: the answer from .* is malformed: it is not JSON \(it starts with "<", like an HTML or XML page\); it is not an answer KMS sends/m,
      },
    ];
    for (const c of cases) {
      em.setFaults(c.faults);
      em.resetStats();
      // --wide: each message whole (the default clips lines to 120 columns).
      const r = await status(['--endpoint', em.url, ...quick, '--wide', ...(c.args ?? ['--bucket', 'good-payments'])]);
      const label = JSON.stringify(c.faults);
      assert.equal(r.code, c.code, `${label}: ${r.stderr}${r.stdout}`);
      assert.doesNotMatch(r.stdout, /No buckets\./, label);
      if (c.stdout) assert.match(r.stdout, c.stdout, label);
      if (c.stderr) {
        assert.match(r.stderr, c.stderr, label);
        assert.equal(r.stderr.split('\n').length, 2, `${label}: one line`);
        assert.equal(r.stdout, '', label);
      } else assert.equal(r.stderr, '', label);
      if (c.requests) assert.deepEqual(em.calls(), c.requests, label);
    }
    // JSON: the listing's error in "errors", no buckets.
    em.setFaults([{ call: 'ListBuckets', malformed: 'entity-bomb' }]);
    const json = await status(['--endpoint', em.url, '--format', 'json']);
    assert.equal(json.code, 2);
    const out = JSON.parse(json.stdout) as { buckets: unknown[]; errors: { call: string; code: string }[] };
    assert.deepEqual([out.buckets, out.errors.map(e => [e.call, e.code])], [[], [['ListBuckets', 'MalformedResponse']]]);
  });

  it('--format json prints the documented shape', async () => {
    const r = await status(['--endpoint', em.url, '--format', 'json']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, '');
    const out = JSON.parse(r.stdout) as { buckets: Record<string, unknown>[]; errors?: unknown; source: Record<string, unknown> };
    assert.deepEqual(Object.keys(out), ['buckets', 'source']);
    assert.deepEqual(out.source, { profile: null, region: 'us-east-1', endpoint: em.url, credentials: 'chain' });
    assert.equal(out.buckets.length, postureSeed().buckets.length);
    for (const b of out.buckets) {
      assert.deepEqual(Object.keys(b), [
        'name',
        'region',
        'defaultEncryption',
        'policy',
        'publicAccessBlock',
        'kmsKey',
        'checks',
        'errors',
      ]);
      assert.deepEqual(Object.keys(b.defaultEncryption as object), ['algorithm', 'kmsKeyId', 'bucketKeyEnabled']);
      assert.deepEqual(Object.keys(b.policy as object), ['present', 'verdict'], 'the policy text is not echoed');
      if (b.kmsKey)
        assert.deepEqual(Object.keys(b.kmsKey as object), [
          'arn',
          'state',
          'rotation',
          'keySpec',
          'region',
          'policyVerdict',
          'keyManager',
        ]);
      for (const c of b.checks as Record<string, unknown>[])
        assert.deepEqual(
          Object.keys(c),
          c.detail === undefined ? ['id', 'status', 'message'] : ['id', 'status', 'message', 'detail'],
        );
    }
    const payments = out.buckets.find(b => b.name === 'good-payments')!;
    assert.equal((payments.kmsKey as { arn: string }).arn, GOOD_KEY_ARN);
    assert.equal((payments.policy as { verdict: { transport: { http: string } } }).verdict.transport.http, 'denied');
  });

  it("the live view's tree shows exactly the checks `status --format json` prints, for every demo bucket (issue 11, item 3)", async () => {
    const r = await status(['--endpoint', demo.url, '--format', 'json']);
    assert.equal(r.stderr, '');
    const printed = JSON.parse(r.stdout) as PostureReport;
    // The tree of the same account, as the editor builds it from its own fetch.
    const tree = postureTree(await fetchPosture({ endpoint: demo.url, env, judge: localJudge() }), { connection: {} });
    const bucketNodes = allNodes(tree).filter(n => n.kind === 'bucket');
    assert.deepEqual(bucketNodes.map(n => n.label).sort(), printed.buckets.map(b => b.name).sort());
    for (const b of printed.buckets) {
      const shown = allNodes(bucketNodes.find(n => n.label === b.name)!).filter(n => n.checkId !== undefined);
      assert.ok(b.checks.length >= 3, `${b.name}: ${b.checks.length} checks`);
      assert.deepEqual(
        shown.map(n => ({ id: n.checkId, status: n.status, message: n.description })),
        b.checks.map(c => ({ id: c.id, status: c.status, message: c.message })),
        b.name,
      );
      // Nothing else in the tree judges: every other node is a failed call, or the policy or key holding its checks.
      for (const n of allNodes(bucketNodes.find(x => x.label === b.name)!).slice(1))
        assert.ok(n.checkId || ['error', 'policy', 'key'].includes(n.kind), `${b.name}: ${n.label}`);
    }
    // A DSSE-KMS bucket has no Bucket Key (S3 does not use one for DSSE-KMS), an SSE-S3 bucket neither; an SSE-KMS bucket without one is told.
    const checksOf = (name: string) => printed.buckets.find(b => b.name === name)!.checks;
    assert.equal(printed.buckets.find(b => b.name === 'acme-ledger-dsse')!.defaultEncryption?.algorithm, 'aws:kms:dsse');
    assert.equal(
      checksOf('acme-ledger-dsse').find(c => c.id === 'bucket-key'),
      undefined,
    );
    assert.equal(
      checksOf('acme-app-logs').find(c => c.id === 'bucket-key'),
      undefined,
    );
    assert.equal(checksOf('acme-payments-prod').find(c => c.id === 'bucket-key')?.status, 'pass');
    assert.equal(checksOf('acme-analytics-raw').find(c => c.id === 'bucket-key')?.status, 'warn');
    assert.ok(
      !allNodes(bucketNodes.find(n => n.label === 'acme-ledger-dsse')!).some(n => n.label === 'Bucket Key'),
      'no Bucket Key node on the DSSE-KMS bucket',
    );
    // And the text prints it with its ID.
    const text = await status(['--endpoint', demo.url, '--bucket', 'acme-analytics-raw', '--bucket', 'acme-ledger-dsse']);
    assert.match(text.stdout, /^ {2}warn {3}S3 Bucket Key off: .*\[bucket-key\]$/m);
    assert.equal(text.stdout.match(/\[bucket-key\]/g)?.length, 1);
  });

  it("the text fits 120 columns on the demo account; --wide shows every value and each check's details (issue 11, item 8)", async () => {
    const widest = (text: string) => Math.max(...text.split('\n').map(l => [...l].length));
    const r = await status(['--endpoint', demo.url]);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.ok(widest(r.stdout) <= 120, `widest line: ${widest(r.stdout)}\n${lines.filter(l => [...l].length > 120).join('\n')}`);
    assert.match(lines[0], /^bucket\s+region\s+encryption\s+KMS key\s+bucket policy\s+public access\s+status$/);
    assert.equal(lines.filter(l => /\s(pass|warn|fail|error)$/.test(l)).length, demoSeed().buckets!.length, 'one row per bucket');
    assert.match(r.stdout, /^acme-payments-prod\s+eu-west-1\s+SSE-KMS\s+key\/1234abcd…\s+✓ HTTPS ✓ SSE ✓ TLS\s+all on\s+pass$/m);
    assert.match(r.stdout, /^acme-legacy-exports\s+us-east-1\s+none\s+–\s+none ✗ HTTPS\s+not set\s+fail$/m);
    assert.match(
      r.stdout,
      /^ {2}warn {3}S3 Bucket Key off: S3 calls KMS for every object it encrypts or decrypts\. \[bucket-key\]$/m,
    );
    assert.doesNotMatch(r.stdout, /Values cut with/, 'nothing of the demo account needs cutting');
    // --wide: the full table and each check's details, in lines as long as they need.
    const wide = await status(['--endpoint', demo.url, '--wide']);
    assert.equal(wide.code, 1);
    assert.ok(widest(wide.stdout) > 120);
    assert.match(
      wide.stdout,
      /^acme-payments-prod\s+eu-west-1\s+aws:kms \+BucketKey\s+key\/1234abcd… Enabled rotated\s+HTTPS: enforced · SSE: only aws:kms, named key must be key\/1234abcd… · TLS ≥ 1\.2: enforced\s+all on\s+pass$/m,
    );
    assert.match(
      wide.stdout,
      /^ {2}warn {3}S3 Bucket Key off: .*\. Each call is billed and counts against the KMS request quota.*Enable the S3 Bucket Key .* \[bucket-key\]$/m,
    );
    assert.match(
      wide.stdout,
      /^ {2}fail {3}HTTP requests are not denied\. For example, an anonymous caller calling s3:GetObject on arn:aws:s3:::acme-static-site\/example over HTTP is not denied by this policy/m,
    );

    // Values longer than their place: cut with …, said once at the end; --wide keeps them whole.
    const longName = `acme-${'very-long-bucket-name-'.repeat(2)}for-exports-2024`.slice(0, 63);
    const alias = `alias/${'a-very-long-alias-name-'.repeat(3)}`;
    const long = await startEmulator({
      seed: {
        account: '111122223333',
        keys: [
          {
            id: '9999aaaa-12ab-34cd-56ef-aaaaaaaa0009',
            region: 'ap-southeast-4',
            aliases: [alias],
            rotation: true,
            policy: policy({
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::111122223333:root' },
              Action: 'kms:*',
              Resource: '*',
            }),
          },
        ],
        buckets: [
          {
            name: longName,
            region: 'ap-southeast-4',
            encryption: { algorithm: 'aws:kms', kmsKeyId: alias },
            publicAccessBlock: true,
          },
        ],
        faults: [{ call: 'GetPublicAccessBlock', error: 'accessDenied', errorMessage: `denied: ${'because '.repeat(30)}` }],
      },
    });
    try {
      const cut = await status(['--endpoint', long.url]);
      assert.ok(widest(cut.stdout) <= 120, cut.stdout);
      assert.match(cut.stdout, new RegExp(`^${longName.slice(0, 29)}…\\s+ap-southeast-4\\s+SSE-KMS\\s`, 'm'));
      assert.match(cut.stdout, /^ {2}error {2}GetPublicAccessBlock: AccessDenied: .*…$/m);
      assert.match(
        cut.stdout,
        /\nValues cut with … to fit 120 columns: --wide or --format json shows them whole, with each check's details\.\n$/,
      );
      const whole = await status(['--endpoint', long.url, '--wide']);
      assert.match(whole.stdout, new RegExp(`^${longName}\\s+ap-southeast-4\\s`, 'm'));
      assert.match(whole.stdout, /because because because because because because because because because/);
      assert.doesNotMatch(whole.stdout, /Values cut with/);
    } finally {
      await long.close();
    }
  });

  it('exit 0 when every bucket passes; the text table shows each bucket', async () => {
    const r = await status(['--endpoint', good.url]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const lines = r.stdout.split('\n');
    assert.match(lines[0], /^bucket\s+region\s+encryption\s+KMS key\s+bucket policy\s+public access\s+status$/);
    assert.match(lines[1], /^payments-a\s+eu-west-1\s+SSE-KMS\s+key\/1234abcd…\s+✓ HTTPS ✓ SSE ✓ TLS\s+all on\s+pass$/);
    assert.match(lines[2], /^payments-b\s/);
    assert.match(r.stdout, /2 buckets: 2 pass, 0 warn, 0 fail\n$/);
    // --wide: every value whole.
    const wide = (await status(['--endpoint', good.url, '--wide'])).stdout.split('\n');
    assert.match(wide[0], /^bucket\s+region\s+default encryption\s+KMS key\s+bucket policy\s+public access block\s+status$/);
    assert.match(
      wide[1],
      /^payments-a\s+eu-west-1\s+aws:kms \+BucketKey\s+key\/1234abcd… Enabled rotated\s+HTTPS: enforced · SSE: only aws:kms.*all on\s+pass$/,
    );
  });

  it('exit 1 when a bucket fails; the text lists each failing check', async () => {
    const r = await status(['--endpoint', em.url, '--bucket', 'key-disabled', '--bucket', 'good-payments']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^key-disabled:\n {2}fail {3}The key is Disabled: .* \[kms-state\]$/m);
    assert.match(r.stdout, /2 buckets: 1 pass, 0 warn, 1 fail\n$/);
  });

  it('--bucket reads only those buckets, without ListBuckets', async () => {
    const r = await status(['--endpoint', em.url, '--bucket', 'good-payments', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      (JSON.parse(r.stdout) as { buckets: { name: string }[] }).buckets.map(b => b.name),
      ['good-payments'],
    );
    assert.equal(em.calls().ListBuckets, undefined);
  });

  it('--region keeps buckets of those regions', async () => {
    const r = await status(['--endpoint', em.url, '--region', 'us-east-1', '--format', 'json']);
    const out = JSON.parse(r.stdout) as { buckets: { name: string; region: string }[]; source: { region: string } };
    assert.deepEqual(out.buckets.map(b => b.name).sort(), ['dsse-bucket', 'plain-us-east']);
    assert.equal(out.source.region, 'us-east-1');
    const two = await status(['--endpoint', em.url, '--region', 'eu-central-1', '--region', 'us-east-1', '--format', 'json']);
    assert.deepEqual((JSON.parse(two.stdout) as { buckets: { name: string }[] }).buckets.map(b => b.name).sort(), [
      'dsse-bucket',
      'key-other-region',
      'plain-us-east',
    ]);
  });

  it('the requirements of .s3-encryption-guard.json / --config decide pass or fail', async () => {
    const dir = fs.mkdtempSync(path.join(files.dir, 'cfg-'));
    fs.writeFileSync(
      path.join(dir, '.s3-encryption-guard.json'),
      JSON.stringify({ requirements: { https: true, sse: ['aws:kms'] } }),
    );
    const strict = await cli(['status', '--endpoint', em.url, '--bucket', 'plain-us-east', '--format', 'json'], env, dir);
    runs.push(strict);
    assert.equal(strict.code, 1);
    const checks = (JSON.parse(strict.stdout) as { buckets: { checks: { id: string; status: string }[] }[] }).buckets[0].checks;
    assert.equal(checks.find(c => c.id === 'sse-required')?.status, 'fail');
    // The same bucket passes the default requirements (HTTPS only).
    const relaxed = await status(['--endpoint', em.url, '--bucket', 'plain-us-east']);
    assert.equal(relaxed.code, 0, relaxed.stdout);
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ requirements: { sse: ['AES-256'] } }));
    const invalid = await status(['--endpoint', em.url, '--config', bad]);
    assert.equal(invalid.code, 2);
    assert.match(
      invalid.stderr,
      /^s3-encryption-guard: config .*bad\.json: "sse" accepts "AES256", "aws:kms" and "aws:kms:dsse", not "AES-256" \(did you mean "AES256"\?\)\n$/,
    );
  });

  it('a failed call is reported on its bucket, and the run exits 1', async () => {
    em.setFaults([{ call: 'GetBucketPolicy', bucket: 'plain-us-east', error: 'accessDenied' }]);
    const r = await status(['--endpoint', em.url, '--bucket', 'plain-us-east', '--bucket', 'good-payments']);
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /^plain-us-east:\n(?: {2}.*\n)* {2}error {2}GetBucketPolicy: AccessDenied: access denied: the caller needs s3:GetBucketPolicy$/m,
    );
    assert.match(r.stdout, /1 pass, 0 warn, 0 fail, 1 incomplete; 1 call failed/);
  });

  it('endpoint down: exit 2 with one line', async () => {
    const down = await startEmulator({ seed: { buckets: [] } });
    const url = down.url;
    await down.close();
    for (const extra of [[], ['--bucket', 'a-bucket', '--bucket', 'b-bucket']]) {
      const r = await status(['--endpoint', url, '--max-attempts', '1', ...extra]);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        /^s3-encryption-guard: (ListBuckets|GetBucketLocation): cannot connect to http:\/\/127\.0\.0\.1:\d+: connection refused; is the endpoint running and the URL right\?\n$/,
      );
    }
  });

  it('usage errors: exit 2 with one line', async () => {
    const cases: [string[], RegExp][] = [
      [['--format', 'sarif'], /unknown format "sarif": status prints text or json/],
      [['--concurrency', '0'], /--concurrency expects a whole number from 1 to 256/],
      [['--region', 'Europe'], /"Europe" is not a region name such as eu-west-1/],
      [['--bogus'], /unknown option --bogus/],
      [['policy.json'], /status takes no file arguments/],
      [['--bucket', 'logs/2024'], /"logs\/2024" is not a bucket name/],
      [['--endpoint', 'ftp://x'], /must start with http:\/\/ or https:\/\//],
    ];
    for (const [args, re] of cases) {
      const r = await status(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    const help = await status(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--endpoint URL/);
  });

  it('missing credentials: one line naming AWS_PROFILE, aws sso login and --endpoint', async () => {
    const none = testEnv(emptyAwsFiles(), { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    delete none.AWS_ACCESS_KEY_ID;
    delete none.AWS_SECRET_ACCESS_KEY;
    for (const args of [[], ['--endpoint', 'https://s3.storage.example.com']]) {
      const r = await status(args, none);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        /^s3-encryption-guard: no AWS credentials found: set AWS_PROFILE or pass --profile NAME, run "aws sso login --profile NAME" for an SSO profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; for a local emulator pass --endpoint http:\/\/127\.0\.0\.1:PORT\n$/,
      );
    }
    // A local endpoint works without credentials (the emulator ignores signatures): dummy ones are used, and said so.
    const local = await status(['--endpoint', good.url], none);
    assert.equal(local.code, 0, local.stderr);
    assert.match(local.stdout, /dummy credentials\)\n$/);
    const unknown = await status(['--profile', 'prod'], none);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /profile "prod" is not in /);
    // An SSO profile without a login (no token in HOME's SSO cache): the way out is `aws sso login`.
    const sso = emptyAwsFiles();
    fs.writeFileSync(
      sso.config,
      '[profile prod-sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = ReadOnly\nregion = eu-west-1\n\n[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\nsso_region = eu-west-1\n',
    );
    const ssoEnv: NodeJS.ProcessEnv = { ...testEnv(sso), HOME: sso.dir, USERPROFILE: sso.dir };
    delete ssoEnv.AWS_ACCESS_KEY_ID;
    delete ssoEnv.AWS_SECRET_ACCESS_KEY;
    const login = await status(['--profile', 'prod-sso'], ssoEnv);
    assert.equal(login.code, 2);
    assert.equal(
      login.stderr,
      's3-encryption-guard: the SSO session of profile "prod-sso" has expired or was never started: run "aws sso login --profile prod-sso"\n',
    );
  });

  it('credentials from a profile in the shared credentials file work, and never show', async () => {
    const f = emptyAwsFiles();
    fs.writeFileSync(f.credentials, `[auditor]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = ${SECRET}\n`);
    fs.writeFileSync(f.config, '[profile auditor]\nregion = eu-west-1\n');
    const e = testEnv(f);
    delete e.AWS_ACCESS_KEY_ID;
    delete e.AWS_SECRET_ACCESS_KEY;
    em.setFaults([
      { call: 'GetBucketEncryption', error: 'accessDenied' },
      { call: 'DescribeKey', error: 'internal' },
      { call: 'GetBucketLocation', bucket: 'partial-pab', latencyMs: 800 },
    ]);
    for (const format of ['json', 'text']) {
      const r = await status(
        ['--profile', 'auditor', '--endpoint', em.url, '--format', format, '--timeout', '300', '--max-attempts', '1'],
        e,
      );
      assert.equal(r.code, 1, r.stderr);
      assert.ok(r.stdout.includes('AccessDenied') && r.stdout.includes('TimeoutError'));
      if (format === 'json')
        assert.equal((JSON.parse(r.stdout) as { source: { profile: string; region: string } }).source.profile, 'auditor');
    }
  });

  it('a bucket policy that is not valid JSON is a failed check, never a crash', async () => {
    const odd = await startEmulator({
      seed: {
        buckets: [
          { name: 'odd-policy', policy: '{"Version": "2012-10-17", "Statement": [' },
          { name: 'fine-bucket', publicAccessBlock: true, policy: policy(denyHttp('fine-bucket')) },
        ],
      },
    });
    try {
      const r = await status(['--endpoint', odd.url, '--format', 'json']);
      assert.equal(r.code, 1);
      const out = JSON.parse(r.stdout) as { buckets: { name: string; policy: { present: boolean } }[] };
      assert.deepEqual(
        out.buckets.map(b => [b.name, b.policy.present]),
        [
          ['odd-policy', true],
          ['fine-bucket', true],
        ],
      );
      const checks = (out.buckets[0] as unknown as { checks: { id: string; status: string; message: string }[] }).checks;
      assert.match(checks.find(c => c.id === 'https' && c.status === 'fail')?.message ?? '', /could not be judged/);
    } finally {
      await odd.close();
    }
  });

  it('a bucket name and an error text with terminal escape sequences are shown escaped, one line each', async () => {
    const evil = 'evil\x1b]0;owned\x07\x1b[2J-bucket';
    const hostile = await startEmulator({
      seed: {
        buckets: [{ name: evil, unsafeName: true, publicAccessBlock: true }],
        faults: [
          {
            call: 'GetBucketPolicy',
            error: 'accessDenied',
            errorMessage: 'denied \x1b[31mRED\x1b[0m\nsecond line \x1b]8;;http://x\x07link',
          },
        ],
      },
    });
    try {
      const r = await status(['--endpoint', hostile.url]);
      assert.equal(r.code, 1, r.stderr);
      assert.ok(
        !r.stdout.includes('\x1b') && !r.stdout.includes('\x07'),
        `no control character reaches the terminal: ${JSON.stringify(r.stdout)}`,
      );
      // Escaped, then cut to its column (30) in the default table; whole with --wide.
      const row = r.stdout.split('\n')[1];
      assert.match(row, /^evil\\x1b\]0;owned\\x07\\x1b\[2J-b…\s+us-east-1\s/);
      const wideRow = (await status(['--endpoint', hostile.url, '--wide'])).stdout.split('\n')[1];
      assert.match(wideRow, /^evil\\x1b\]0;owned\\x07\\x1b\[2J-bucket\s+us-east-1\s/);
      assert.match(r.stdout, /^evil\\x1b\]0;owned\\x07\\x1b\[2J-bucket:$/m);
      assert.match(
        r.stdout,
        /^ {2}error {2}GetBucketPolicy: AccessDenied: access denied: the caller needs s3:GetBucketPolicy \(denied \\x1b\[31mRED\\x1b\[0m\)$/m,
      );
      assert.doesNotMatch(r.stdout, /second line/, 'an error is one line');
      // JSON keeps the value exact (JSON escapes control characters itself).
      const json = await status(['--endpoint', hostile.url, '--format', 'json']);
      assert.equal((JSON.parse(json.stdout) as { buckets: { name: string }[] }).buckets[0].name, evil);
      assert.ok(!json.stdout.includes('\x1b'));
    } finally {
      await hostile.close();
    }
  });

  // Runs last: every run above (successes, denials, timeouts, endpoint down, bad credentials).
  it('never shows the secret access key or a stack trace, whatever happened', () => {
    assert.ok(runs.length >= 20, `${runs.length} runs`);
    for (const r of runs) {
      assert.ok(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET), 'the secret access key appears in the output');
      assert.ok(!/\n\s+at .*\(.*:\d+:\d+\)/.test(r.stderr), `no stack traces: ${r.stderr}`);
    }
  });
});
