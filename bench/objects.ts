// Benchmark: the object audit and re-encryption (aws/objects/) against the emulator with 20 ms of
// latency on every call, and the audit of a 10-million-row S3 Inventory report.
// `npm run bench:objects` (builds first); figures are measurements, never assertions.
//
// The emulator runs in a child process (dist/emulator.js), so the memory measured is the client's
// own: peak RSS and peak heap of this process, sampled every 50 ms. Wall time is printed beside the
// concurrency floor: calls × latency / calls in flight, the time no client could beat at that width.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import os from 'node:os';
import path from 'node:path';
import { auditObjects } from '../aws/objects/audit';
import { planReencryption, runReencryption } from '../aws/objects/reencrypt';
import { openSession } from '../aws/session';
import type { EmulatorSeed } from '../emulator/src/types';

const ROOT = path.resolve(__dirname, '..', '..');
const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 100_000);
const INVENTORY_ROWS = Number(process.env.BENCH_INVENTORY_ROWS ?? 10_000_000);
const LATENCY_MS = 20;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 128);
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

async function emulator(
  seed: EmulatorSeed,
): Promise<{ url: string; child: ChildProcess; stats(): Promise<Record<string, number>> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-bench-'));
  const file = path.join(dir, 'seed.json');
  fs.writeFileSync(file, JSON.stringify(seed));
  const child = spawn(process.execPath, ['--max-old-space-size=4096', path.join(ROOT, 'dist', 'emulator.js'), '--seed', file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', code => reject(new Error(`emulator exited with ${code}`)));
  });
  return { url, child, stats: async () => ({}) };
}

class Peak {
  rss = 0;
  heap = 0;
  private timer: NodeJS.Timeout;
  private readonly cpu = process.cpuUsage();
  constructor() {
    global.gc?.();
    this.timer = setInterval(() => this.sample(), 50);
    this.sample();
  }
  private sample(): void {
    const m = process.memoryUsage();
    this.rss = Math.max(this.rss, m.rss);
    this.heap = Math.max(this.heap, m.heapUsed);
  }
  /** Peak memory, and this process's CPU time (user + system): on a loaded machine the wall time is mostly waiting for a core. */
  stop(): { rssMb: number; heapMb: number; clientCpuMs: number } {
    clearInterval(this.timer);
    this.sample();
    const c = process.cpuUsage(this.cpu);
    return {
      rssMb: Math.round(this.rss / 1048576),
      heapMb: Math.round(this.heap / 1048576),
      clientCpuMs: Math.round((c.user + c.system) / 1000),
    };
  }
}

export interface ObjectsBench {
  objects: number;
  latencyMs: number;
  concurrency: number;
  audit: { calls: number; wallMs: number; floorMs: number; rssMb: number; heapMb: number; clientCpuMs: number };
  plan: { calls: number; wallMs: number; floorMs: number; rssMb: number; heapMb: number; clientCpuMs: number };
  run: {
    calls: number;
    wallMs: number;
    floorMs: number;
    rssMb: number;
    heapMb: number;
    updated: number;
    copied: number;
    failed: number;
  };
  inventory: { rows: number; wallMs: number; rowsPerSecond: number; rssMb: number; heapMb: number };
}

async function main(): Promise<void> {
  process.env.AWS_ACCESS_KEY_ID = 'bench';
  process.env.AWS_SECRET_ACCESS_KEY = 'bench';
  process.env.AWS_CONFIG_FILE = path.join(os.tmpdir(), 'no-such-aws-config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(os.tmpdir(), 'no-such-aws-credentials');
  const half = Math.floor(OBJECTS / 2);
  const em = await emulator({
    writable: true,
    keys: [{ id: '1234abcd-12ab-34cd-56ef-1234567890ab', region: 'us-east-1' }],
    faults: [{ call: '*', bucket: 'bench', latencyMs: LATENCY_MS }],
    buckets: [
      {
        name: 'bench',
        encryption: null,
        generate: { count: half, prefix: 's3-', encryption: 'SSE-S3' },
        objects: Array.from({ length: OBJECTS - half }, (_, i) => ({ key: `plain-${i}`, size: 16, encryption: 'NOT-SSE' })),
      },
      {
        name: 'huge',
        inventory: [
          {
            id: 'all',
            destinationBucket: 'inventory-reports',
            syntheticRows: INVENTORY_ROWS,
            reports: ['2026-12-01T00:00:00.000Z'],
          },
        ],
      },
      { name: 'inventory-reports' },
    ],
  } as EmulatorSeed);
  const session = await openSession({ endpoint: em.url, region: 'us-east-1', timeoutMs: 60_000 });
  const s3 = session.s3('us-east-1');
  const out: Partial<ObjectsBench> = { objects: OBJECTS, latencyMs: LATENCY_MS, concurrency: CONCURRENCY };
  const file = path.join(ROOT, 'bench', 'objects-results.json');
  const save = () =>
    fs.writeFileSync(
      file,
      JSON.stringify(
        { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, loadAverage: os.loadavg(), ...out },
        null,
        2,
      ) + '\n',
    );
  try {
    if (INVENTORY_ROWS > 0) {
      // The inventory report of INVENTORY_ROWS rows: CSV.gz files of a million rows and their manifest,
      // written where S3 writes them; the audit then reads them with ranged GETs through gunzip.
      {
        const date = '2026-12-01T00-00Z';
        const base = `huge/all/${date}`;
        const files: { key: string; size: number; MD5checksum: string }[] = [];
        const kinds = ['SSE-S3', 'SSE-KMS', 'NOT-SSE', 'SSE-KMS', 'DSSE-KMS', 'SSE-C'];
        for (let f = 0, row = 0; row < INVENTORY_ROWS; f++) {
          const lines: string[] = [];
          for (let n = 0; n < 1_000_000 && row < INVENTORY_ROWS; n++, row++)
            lines.push(
              `"huge","data/part-${row}.parquet","${1000 + (row % 5000)}","2026-11-30T00:00:00.000Z","d41d8cd98f00b204e9800998ecf8427e","STANDARD","${kinds[row % kinds.length]}","${row % 2 ? 'ENABLED' : 'DISABLED'}"`,
            );
          const body = zlib.gzipSync(lines.join('\n') + '\n', { level: 1 });
          const key = `${base}/data/${f}.csv.gz`;
          await s3.send(new PutObjectCommand({ Bucket: 'inventory-reports', Key: key, Body: body }));
          files.push({ key, size: body.length, MD5checksum: createHash('md5').update(body).digest('hex') });
        }
        const manifest = {
          sourceBucket: 'huge',
          destinationBucket: 'arn:aws:s3:::inventory-reports',
          version: '2016-11-30',
          creationTimestamp: String(Date.parse('2026-12-01T00:00:00Z')),
          fileFormat: 'CSV',
          fileSchema: 'Bucket, Key, Size, LastModifiedDate, ETag, StorageClass, EncryptionStatus, BucketKeyStatus',
          files,
        };
        await s3.send(
          new PutObjectCommand({ Bucket: 'inventory-reports', Key: `${base}/manifest.json`, Body: JSON.stringify(manifest) }),
        );
      }
      {
        const peak = new Peak();
        const t0 = Date.now();
        const a = await auditObjects(s3, session, {
          bucket: 'huge',
          requirement: { algorithms: ['aws:kms'], kmsKeyArns: [] },
          source: 'inventory',
          concurrency: 4,
        });
        const wallMs = Date.now() - t0;
        const m = peak.stop();
        out.inventory = { rows: a.scanned, wallMs, rowsPerSecond: Math.round((a.scanned * 1000) / Math.max(1, wallMs)), ...m };
        console.log(
          `inventory: ${a.scanned} rows in ${wallMs} ms = ${out.inventory.rowsPerSecond} rows/s; peak RSS ${m.rssMb} MB, heap ${m.heapMb} MB${a.complete ? '' : ` (partial: ${a.notes.join('; ')} ${a.errors.map(e => e.message).join('; ')})`}`,
        );
      }
    }
    // The audit of OBJECTS objects (every call 20 ms late).
    {
      const peak = new Peak();
      const t0 = Date.now();
      const a = await auditObjects(s3, session, {
        bucket: 'bench',
        requirement: { algorithms: ['aws:kms'], kmsKeyArns: [] },
        maxObjects: OBJECTS,
        concurrency: CONCURRENCY,
        source: 'listing',
      });
      const wallMs = Date.now() - t0;
      const calls = a.scanned + Math.ceil(a.scanned / 400);
      out.audit = { calls, wallMs, floorMs: Math.round((calls * LATENCY_MS) / CONCURRENCY), ...peak.stop() };
      console.log(
        `audit: ${a.scanned} objects, ${calls} calls in ${wallMs} ms (floor ${out.audit.floorMs} ms at ${CONCURRENCY} in flight); peak RSS ${out.audit.rssMb} MB, heap ${out.audit.heapMb} MB, client CPU ${out.audit.clientCpuMs} ms; load ${os.loadavg()[0].toFixed(1)}`,
      );
    }
    // Plan and run: half updated in place, half copied onto themselves.
    {
      const target = { algorithm: 'aws:kms' as const, kmsKeyArn: KEY, bucketKey: true };
      const peak = new Peak();
      const t0 = Date.now();
      const plan = await planReencryption(s3, session, { bucket: 'bench', target, concurrency: CONCURRENCY });
      const planMs = Date.now() - t0;
      const planCalls = plan.summary.scanned + Math.ceil(plan.summary.scanned / 400) + 1;
      const p = peak.stop();
      out.plan = { calls: planCalls, wallMs: planMs, floorMs: Math.round((planCalls * LATENCY_MS) / CONCURRENCY), ...p };
      console.log(
        `plan: ${plan.items.length} objects, ${planCalls} calls in ${planMs} ms (floor ${out.plan.floorMs} ms); peak RSS ${p.rssMb} MB, heap ${p.heapMb} MB, client CPU ${p.clientCpuMs} ms; load ${os.loadavg()[0].toFixed(1)}`,
      );
      const peak2 = new Peak();
      const t1 = Date.now();
      const report = await runReencryption(s3, session, { bucket: 'bench', target, concurrency: CONCURRENCY }, plan);
      const runMs = Date.now() - t1;
      // Per object: the call and the HEAD that verifies it; the canary: put, head, update, head, get, list, delete.
      const runCalls = 2 * (report.updated + report.copied) + 7;
      const r = peak2.stop();
      out.run = {
        calls: runCalls,
        wallMs: runMs,
        floorMs: Math.round((runCalls * LATENCY_MS) / CONCURRENCY),
        ...r,
        updated: report.updated,
        copied: report.copied,
        failed: report.failed.length,
      };
      console.log(
        `run: ${report.updated} updated, ${report.copied} copied, ${report.failed.length} failed; ${runCalls} calls in ${runMs} ms (floor ${out.run.floorMs} ms); peak RSS ${r.rssMb} MB, heap ${r.heapMb} MB, client CPU ${r.clientCpuMs} ms; load ${os.loadavg()[0].toFixed(1)}`,
      );
    }
  } finally {
    session.destroy();
    em.child.kill('SIGTERM');
  }
  save();
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
