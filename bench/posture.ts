// Benchmark: the live posture of 500 buckets, each with SSE-KMS default encryption, a bucket policy
// and its own KMS key, with 50 ms of latency injected on every call by the local endpoint (run in a
// child process, so the memory figures are the posture fetch's own). Wall time is shown beside the
// floor the concurrency limit implies: calls × latency / concurrency.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { localJudge } from '../cli/local-judge';
import { fetchPosture } from '../aws/posture';
import type { EmulatorSeed } from '../emulator/src/types';
import { table } from './stats';

const BUCKETS = 500;
const LATENCY_MS = 50;
/** ListBuckets once; per bucket GetBucketLocation, GetBucketEncryption, GetBucketPolicy, GetPublicAccessBlock, kms:DescribeKey, kms:GetKeyRotationStatus, kms:GetKeyPolicy. */
const CALLS_PER_BUCKET = 7;

export interface PostureRow {
  buckets: number;
  latencyMs: number;
  concurrency: number;
  calls: number;
  wallMs: number;
  floorMs: number;
  ratio: number;
  failedCalls: number;
  rssMb: number;
  peakRssMb: number;
  heapUsedMb: number;
  /** CPU time of this process (SDK, engine) during the fetch: what is not waiting on the endpoint. */
  cpuMs: number;
  /** The machine's 1-minute load average at the end: other work competing for the cores. */
  load: number;
}

function seed(): EmulatorSeed {
  const account = '111122223333';
  const keys = Array.from({ length: BUCKETS }, (_, i) => ({
    id: `0000${String(i).padStart(4, '0')}-1111-4222-8333-${String(i).padStart(12, '0')}`,
    region: 'eu-west-1',
    rotation: i % 2 === 0,
    policy: {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' },
      ],
    },
  }));
  const buckets = keys.map((k, i) => {
    const name = `bench-bucket-${String(i).padStart(4, '0')}`;
    const key = `arn:aws:kms:eu-west-1:${account}:key/${k.id}`;
    return {
      name,
      region: 'eu-west-1',
      publicAccessBlock: true,
      encryption: { algorithm: 'aws:kms' as const, kmsKeyId: key, bucketKeyEnabled: true },
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyHttp',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
          {
            Sid: 'DenyOtherKeys',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:PutObject',
            Resource: `arn:aws:s3:::${name}/*`,
            Condition: {
              ArnNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': key },
              Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'false' },
            },
          },
        ],
      },
    };
  });
  return { account, buckets, keys, faults: [{ call: '*', latencyMs: LATENCY_MS }] };
}

async function startEndpoint(seedFile: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [path.resolve(__dirname, '..', '..', 'dist', 'emulator.js'), '--seed', seedFile, '--port', '0'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', code => reject(new Error(`emulator exited with ${code} (run npm run build first)`)));
  });
  return { url, child };
}

const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;

export async function benchPosture(concurrencies: readonly number[] = [8, 32]): Promise<PostureRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-bench-'));
  const seedFile = path.join(dir, 'seed.json');
  fs.writeFileSync(seedFile, JSON.stringify(seed()));
  const { url, child } = await startEndpoint(seedFile);
  const env = {
    AWS_ACCESS_KEY_ID: 'AKIABENCHEXAMPLE0000',
    AWS_SECRET_ACCESS_KEY: 'bench-secret-not-real',
    AWS_CONFIG_FILE: path.join(dir, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'),
  };
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const rows: PostureRow[] = [];
  try {
    for (const concurrency of concurrencies) {
      global.gc?.();
      let peak = process.memoryUsage.rss();
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage.rss());
      }, 50);
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const report = await fetchPosture({ endpoint: url, env, judge: localJudge(), concurrency, timeoutMs: 10_000 });
      const wallMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      clearInterval(sampler);
      const mem = process.memoryUsage();
      peak = Math.max(peak, mem.rss);
      if (report.errors?.length || report.buckets.length !== BUCKETS)
        throw new Error(`posture bench: ${report.buckets.length} buckets, ${JSON.stringify(report.errors)}`);
      const calls = 1 + BUCKETS * CALLS_PER_BUCKET;
      const floorMs = (BUCKETS * CALLS_PER_BUCKET * LATENCY_MS) / concurrency;
      rows.push({
        buckets: BUCKETS,
        latencyMs: LATENCY_MS,
        concurrency,
        calls,
        wallMs: Math.round(wallMs),
        floorMs: Math.round(floorMs),
        ratio: Math.round((wallMs / floorMs) * 100) / 100,
        failedCalls: report.buckets.reduce((n, b) => n + b.errors.length, 0),
        rssMb: mb(mem.rss),
        peakRssMb: mb(peak),
        heapUsedMb: mb(mem.heapUsed),
        cpuMs: Math.round((cpu.user + cpu.system) / 1000),
        load: Math.round(os.loadavg()[0] * 10) / 10,
      });
    }
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export function printPosture(rows: PostureRow[]): void {
  console.log(
    table([
      [
        'posture',
        'concurrency',
        'calls',
        'wall time',
        'floor (calls × latency / concurrency)',
        'wall / floor',
        'failed calls',
        'CPU (client)',
        'RSS after',
        'peak RSS',
        'heap used',
        'load avg',
      ],
      ...rows.map(r => [
        `${r.buckets} buckets, ${r.latencyMs} ms/call`,
        String(r.concurrency),
        String(r.calls),
        `${(r.wallMs / 1000).toFixed(2)} s`,
        `${(r.floorMs / 1000).toFixed(2)} s`,
        `${r.ratio.toFixed(2)}×`,
        String(r.failedCalls),
        `${(r.cpuMs / 1000).toFixed(2)} s`,
        `${r.rssMb} MB`,
        `${r.peakRssMb} MB`,
        `${r.heapUsedMb} MB`,
        String(r.load),
      ]),
    ]),
  );
}

// Misbehaving endpoints (issue 10): `status` run as a user runs it (the built CLI in a child
// process, under /usr/bin/time -v when there is one, for its peak RSS) against the local endpoint
// with each fault. Not part of `npm run bench` (the two stalled cases take 30 s each with the
// default timeout); run it alone:
//   node scripts/build.mjs && npx tsc -p tsconfig.json && node out/bench/posture.js --hostile [CLI.js]
// A run still going after HOSTILE_KILL_MS is killed and reported as such.

export interface HostileRow {
  case: string;
  wallMs: number;
  exit: string;
  firstLine: string;
  peakRssMb: number | null;
  requests: number;
}

const HOSTILE_KILL_MS = 120_000;

function hostileCases(): [string, EmulatorSeed][] {
  const account = '111122223333';
  const key = { id: '1234abcd-12ab-34cd-56ef-1234567890ab', region: 'eu-west-1' };
  const bucket = (name: string) => ({
    name,
    region: 'eu-west-1',
    publicAccessBlock: true,
    encryption: { algorithm: 'aws:kms' as const, kmsKeyId: `arn:aws:kms:eu-west-1:${account}:key/${key.id}` },
    policy: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyHttp',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    },
  });
  const one = (faults: EmulatorSeed['faults']): EmulatorSeed => ({
    account,
    keys: [key],
    buckets: [bucket('victim-bucket')],
    faults,
  });
  const three = (faults: EmulatorSeed['faults']): EmulatorSeed => ({
    account,
    keys: [key],
    buckets: ['big-a', 'big-b', 'big-c'].map(bucket),
    faults,
  });
  return [
    ['trickled body (GetBucketPolicy, 1 byte/s)', one([{ call: 'GetBucketPolicy', wire: 'trickle', trickleMs: 1000 }])],
    ['stalled body (GetBucketPolicy)', one([{ call: 'GetBucketPolicy', wire: 'stall' }])],
    ['endless pages (ListBuckets, new token, same buckets)', one([{ call: 'ListBuckets', endlessPages: 'new' }])],
    ['endless pages (ListBuckets, same token)', one([{ call: 'ListBuckets', endlessPages: 'same' }])],
    ['3 × 100 MB bucket policies (Content-Length)', three([{ call: 'GetBucketPolicy', oversizeBytes: 100_000_000 }])],
    ['3 × 100 MB bucket policies (chunked)', three([{ call: 'GetBucketPolicy', oversizeBytes: 100_000_000, chunked: true }])],
    ['50 MB ListBuckets page', one([{ call: 'ListBuckets', oversizeBytes: 50_000_000 }])],
    ['reset before the answer (ListBuckets)', one([{ call: 'ListBuckets', wire: 'reset-before-answer' }])],
    ['reset mid-answer (GetBucketPolicy)', one([{ call: 'GetBucketPolicy', wire: 'reset' }])],
    ['entity bomb (ListBuckets)', one([{ call: 'ListBuckets', malformed: 'entity-bomb' }])],
    ['ListBuckets without its root element', one([{ call: 'ListBuckets', malformed: 'no-root' }])],
    ['truncated XML (ListBuckets)', one([{ call: 'ListBuckets', malformed: 'truncated' }])],
    ['entity bomb (GetBucketEncryption)', one([{ call: 'GetBucketEncryption', malformed: 'entity-bomb' }])],
    ['KMS answer not JSON (DescribeKey)', one([{ call: 'DescribeKey', malformed: 'not-json' }])],
  ];
}

export async function benchHostileEndpoints(cli = path.resolve(__dirname, '..', '..', 'dist', 'cli.js')): Promise<HostileRow[]> {
  // Loaded here: the rest of the benchmarks run the emulator in a child process.
  const { startEmulator } = await import('../emulator/src/emulator');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-hostile-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    AWS_ACCESS_KEY_ID: 'AKIABENCHEXAMPLE0000',
    AWS_SECRET_ACCESS_KEY: 'bench-secret-not-real',
    AWS_CONFIG_FILE: path.join(dir, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const timeBin = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
  const rows: HostileRow[] = [];
  try {
    for (const [name, seed] of hostileCases()) {
      const em = await startEmulator({ seed });
      const t0 = performance.now();
      const argv = [cli, 'status', '--endpoint', em.url, '--no-color'];
      const child = timeBin
        ? spawn(timeBin, ['-v', process.execPath, ...argv], { env, cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn(process.execPath, argv, { env, cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout!.on('data', (d: Buffer) => {
        if (out.length < 100_000) out += d.toString();
      });
      child.stderr!.on('data', (d: Buffer) => {
        if (err.length < 100_000) err += d.toString();
      });
      let killed = false;
      // The whole process group: /usr/bin/time and the CLI under it.
      const killer = setTimeout(() => {
        killed = true;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, HOSTILE_KILL_MS);
      const code = await new Promise<number | null>(resolve => child.once('close', resolve));
      clearTimeout(killer);
      const wallMs = Math.round(performance.now() - t0);
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
      const exit = timeBin ? /Exit status: (\d+)/.exec(err)?.[1] : String(code);
      const cliErr = err
        .split('\n')
        .filter(l => l.trim() && !l.startsWith('\t') && !/^Command (exited|being timed|terminated)/.test(l));
      rows.push({
        case: name,
        wallMs,
        exit: killed ? `killed at ${HOSTILE_KILL_MS / 1000} s` : (exit ?? String(code)),
        firstLine: (out.split('\n')[0] || cliErr[0] || '').slice(0, 160),
        peakRssMb: rss && !killed ? Math.round(Number(rss[1]) / 1024) : null,
        requests: Object.values(em.calls()).reduce((a, b) => a + b, 0),
      });
      await em.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export function printHostile(rows: HostileRow[]): void {
  console.log(
    table([
      ['status against', 'wall time', 'exit', 'peak RSS', 'requests', 'first line of output'],
      ...rows.map(r => [
        r.case,
        `${(r.wallMs / 1000).toFixed(1)} s`,
        r.exit,
        r.peakRssMb === null ? '–' : `${r.peakRssMb} MB`,
        String(r.requests),
        r.firstLine,
      ]),
    ]),
  );
}

if (require.main === module && process.argv.includes('--hostile')) {
  const cli = process.argv.slice(2).find(a => a.endsWith('.js'));
  benchHostileEndpoints(cli && path.resolve(cli)).then(printHostile, e => {
    console.error(e);
    process.exit(1);
  });
}
