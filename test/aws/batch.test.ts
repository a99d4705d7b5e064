// S3 Batch Operations re-encryption (aws/batch.ts, aws/batch-jobs.ts) through the real AWS SDK
// against the emulator: the plan (manifest from a listing with keys needing encoding, every version,
// a manifest already there, the role check), the job created with the right operation, manifest,
// report, role and token, ConfirmationRequired honoured, progress, the completion report read back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type Emulator } from '../../emulator/src/emulator';
import type { EmulatorSeed } from '../../emulator/src/types';
import { createBatchJob, manifestLine, planBatch, type BatchRequest } from '../../aws/batch';
import { openSession, type Session } from '../../aws/session';
import { ACCOUNT, emptyAwsFiles, keyArn, testEnv } from './fixtures';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const REGION = 'eu-west-1';
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER_KEY_ID = '0987dcba-09fe-87dc-65ba-ab0987654321';
const TARGET = keyArn(REGION, KEY_ID);
const ROLE = `arn:aws:iam::${ACCOUNT}:role/batch-reencrypt`;
/** Keys a CSV manifest must encode: spaces, plus signs, commas, quotes, non-ASCII, a newline. */
const AWKWARD_KEYS = ['plain.txt', 'with space/a b.txt', 'plus+sign', 'comma,and"quote', 'ünï/日本.csv', 'line\nbreak', '%41'];

function seed(): EmulatorSeed {
  return {
    account: ACCOUNT,
    writable: true,
    keys: [
      { id: KEY_ID, region: REGION },
      { id: OTHER_KEY_ID, region: REGION },
    ],
    buckets: [
      {
        name: 'mixed',
        region: REGION,
        objects: [
          ...AWKWARD_KEYS.map(key => ({ key, content: `content of ${key}`, encryption: 'SSE-S3' as const })),
          { key: 'logs/old.log', content: 'old', encryption: 'NOT-SSE' as const },
          {
            key: 'logs/kms.log',
            content: 'kms',
            encryption: 'SSE-KMS' as const,
            kmsKeyId: keyArn(REGION, OTHER_KEY_ID),
          },
        ],
      },
      {
        name: 'versioned',
        region: REGION,
        versioning: 'Enabled',
        objects: [{ key: 'doc.txt', content: 'v3', versions: [{ content: 'v1' }, { content: 'v2' }] }],
      },
      {
        name: 'inventoried',
        region: REGION,
        objects: [
          { key: 'one', content: '1', encryption: 'SSE-S3' as const },
          { key: 'two words', content: '2', encryption: 'SSE-S3' as const },
          { key: 'three', content: '3', encryption: 'SSE-KMS' as const, kmsKeyId: keyArn(REGION, OTHER_KEY_ID) },
          { key: 'legacy', content: '4', encryption: 'NOT-SSE' as const },
        ],
        inventory: [
          { id: 'parquet', destinationBucket: 'reports', format: 'Parquet', reports: ['2026-12-02T01:00:00.000Z'] },
          {
            id: 'daily',
            destinationBucket: 'reports',
            destinationPrefix: 'inv',
            reports: ['2026-11-01T01:00:00.000Z', '2026-12-01T01:00:00.000Z'],
          },
        ],
      },
      {
        name: 'big-inventory',
        region: REGION,
        inventory: [
          {
            id: 'all',
            destinationBucket: 'reports',
            syntheticRows: 25_000,
            rowsPerFile: 10_000,
            reports: ['2026-12-01T01:00:00.000Z'],
          },
        ],
      },
      { name: 'reports', region: REGION },
    ],
  };
}

let em: Emulator;
let session: Session;

before(async () => {
  em = await startEmulator({ seed: seed() });
  session = await openSession({ endpoint: em.url, region: REGION, env: testEnv(emptyAwsFiles()), maxAttempts: 1 });
});
after(async () => {
  session.destroy();
  await em.close();
});

const request = (over: Partial<BatchRequest> = {}): BatchRequest => ({
  bucket: 'mixed',
  kmsKey: TARGET,
  versions: false,
  role: ROLE,
  reportBucket: 'reports',
  ...over,
});

const lines = (buf: Buffer | null) => (buf?.toString('utf8') ?? '').split('\n').filter(Boolean);

describe('batch plan: generated CSV manifest', () => {
  it('lists every object, URL-encodes the keys, and writes nothing', async () => {
    const before = em.calls();
    const { plan, csv } = await planBatch(session, request());
    assert.equal(plan.bucket, 'mixed');
    assert.equal(plan.region, REGION);
    assert.equal(plan.manifest.source, 'generated');
    assert.equal(plan.manifest.objects, AWKWARD_KEYS.length + 2);
    assert.equal(plan.operationName, 'S3UpdateObjectEncryption');
    assert.deepEqual(plan.manifest.fields, ['Bucket', 'Key']);
    assert.equal(plan.manifest.bucket, 'mixed', 'the manifest goes to the bucket unless told otherwise');
    assert.match(plan.manifest.key, /^s3-encryption-guard\/batch-manifests\/mixed-[0-9a-f]{16}\.csv$/);
    assert.deepEqual(plan.report, { bucket: 'reports', prefix: 's3-encryption-guard/batch-reports/mixed', scope: 'AllTasks' });
    const got = lines(csv);
    for (const key of AWKWARD_KEYS)
      assert.ok(got.includes(manifestLine('mixed', key)), `${JSON.stringify(key)} is in the manifest`);
    // Each line is exactly bucket,key: nothing in a key splits it into more columns or lines.
    for (const line of got) assert.equal(line.split(',').length, 2, line);
    assert.deepEqual(
      got.map(l => decodeURIComponent(l.split(',')[1])).sort(),
      [...AWKWARD_KEYS, 'logs/old.log', 'logs/kms.log'].sort(),
    );
    const calls = em.calls();
    for (const write of ['PutObject', 'CreateJob', 'UpdateObjectEncryption'])
      assert.equal(calls[write] ?? 0, before[write] ?? 0, `planning made no ${write}`);
  });

  it('lists only the prefix asked for', async () => {
    const { plan, csv } = await planBatch(session, request({ prefix: 'logs/' }));
    assert.equal(plan.manifest.objects, 2);
    assert.deepEqual(lines(csv).sort(), ['mixed,logs/kms.log', 'mixed,logs/old.log']);
  });

  it('lists every version with its ID for --versions', async () => {
    const { plan, csv } = await planBatch(session, request({ bucket: 'versioned', versions: true }));
    assert.deepEqual(plan.manifest.fields, ['Bucket', 'Key', 'VersionId']);
    const versions = em.versions('versioned', 'doc.txt').map(v => v.versionId);
    assert.equal(versions.length, 3);
    assert.deepEqual(lines(csv).sort(), versions.map(v => `versioned,doc.txt,${v}`).sort());
  });

  it('refuses the copy operation for older versions (it would make them current)', async () => {
    const { plan } = await planBatch(session, request({ bucket: 'versioned', versions: true, operation: 'copy' }));
    assert.ok(
      plan.blockers.some(b => /older versions/.test(b)),
      plan.blockers.join('; '),
    );
  });

  it('needs a role, a key ARN in the bucket region, and objects', async () => {
    const noRole = await planBatch(session, request({ role: undefined }));
    assert.ok(
      noRole.plan.blockers.some(b => /no role: pass --role/.test(b)),
      noRole.plan.blockers.join('; '),
    );
    const wrongRegion = await planBatch(session, request({ kmsKey: keyArn('us-east-1', KEY_ID) }));
    assert.ok(wrongRegion.plan.blockers.some(b => /bucket's region/.test(b)));
    const alias = await planBatch(session, request({ kmsKey: 'alias/payments' }));
    assert.ok(alias.plan.blockers.some(b => /key ARN/.test(b)));
    const empty = await planBatch(session, request({ prefix: 'nothing-here/' }));
    assert.ok(empty.plan.blockers.some(b => /no objects/.test(b)));
  });

  it('says so when the role cannot be read, and goes on', async () => {
    const { plan } = await planBatch(session, request());
    assert.equal(plan.role.arn, ROLE);
    if (plan.role.trust === 'unreadable') {
      assert.match(plan.role.message, /could not be read/);
      assert.ok(plan.warnings.some(w => w.startsWith('role:')));
      assert.ok(!plan.blockers.some(b => b.startsWith('role:')));
    } else assert.equal(plan.role.trust, 'trusted');
  });
});

describe('batch manifest writing', () => {
  it('writes the manifest as planned, and reuses it when the same objects are planned again', async () => {
    const planned = await planBatch(session, request({ prefix: 'with space/', manifestBucket: 'reports' }));
    assert.equal(planned.plan.manifest.bucket, 'reports');
    await createBatchJob(session, planned).catch(() => undefined); // CreateJob may not be served yet; the manifest is written first
    const stored = em.object('reports', planned.plan.manifest.key);
    assert.ok(stored, 'the manifest was written');
    assert.equal(stored.content.toString('utf8'), planned.csv?.toString('utf8'));
    const again = await planBatch(session, request({ prefix: 'with space/', manifestBucket: 'reports' }));
    assert.equal(again.plan.manifest.key, planned.plan.manifest.key);
    assert.equal(again.plan.manifest.reused, true);
    assert.equal(again.plan.clientRequestToken, planned.plan.clientRequestToken, 'the same plan makes the same token');
    assert.deepEqual(again.plan.blockers, []);
  });

  it('never replaces another object at the manifest key unless told to', async () => {
    em.putObject('reports', 'taken.csv', "somebody else's file");
    const planned = await planBatch(session, request({ manifestBucket: 'reports', manifestKey: 'taken.csv' }));
    assert.equal(planned.plan.manifest.replaces, true);
    assert.ok(planned.plan.blockers.some(b => /already exists at s3:\/\/reports\/taken\.csv/.test(b)));
    await assert.rejects(createBatchJob(session, planned), /cannot be created/);
    assert.equal(em.object('reports', 'taken.csv')?.content.toString('utf8'), "somebody else's file");

    const overwrite = await planBatch(
      session,
      request({ manifestBucket: 'reports', manifestKey: 'taken.csv', overwriteManifest: true }),
    );
    assert.deepEqual(overwrite.plan.blockers, []);
    assert.ok(overwrite.plan.warnings.some(w => /replaces the object at s3:\/\/reports\/taken\.csv/.test(w)));
  });
});

describe('batch plan: S3 Inventory manifest', () => {
  it('takes the newest CSV report of a fitting inventory, with its ETag and its objects counted by encryption', async () => {
    const { plan, csv } = await planBatch(session, request({ bucket: 'inventoried' }));
    assert.equal(csv, null, 'nothing to write');
    assert.equal(plan.manifest.source, 'inventory');
    assert.equal(plan.manifest.format, 'S3InventoryReport_CSV_20161130');
    assert.equal(plan.manifest.bucket, 'reports');
    assert.equal(plan.manifest.key, 'inv/inventoried/daily/2026-12-01T01-00Z/manifest.json');
    assert.equal(plan.manifest.inventoryDate, '2026-12-01T01-00Z');
    assert.equal(plan.manifest.etag, em.object('reports', plan.manifest.key)?.etag.replace(/"/g, ''));
    assert.equal(plan.manifest.objects, 4);
    assert.deepEqual(plan.manifest.byEncryption, { 'SSE-S3': 2, 'SSE-KMS': 1, 'NOT-SSE': 1 });
    assert.ok(
      plan.warnings.some(w => /1 NOT-SSE object\(s\) that UpdateObjectEncryption cannot change/.test(w)),
      plan.warnings.join('; '),
    );
    assert.ok(
      plan.assumptions.some(a => /parquet is Parquet/.test(a)) ||
        plan.assumptions.some(a => /daily's report of 2026-12-01T01-00Z/.test(a)),
    );
    assert.deepEqual(plan.blockers, []);
  });

  it('lists the bucket instead when the inventory does not cover the prefix or the versions asked for', async () => {
    const prefixed = await planBatch(session, request({ bucket: 'inventoried', prefix: 'two' }));
    assert.equal(prefixed.plan.manifest.source, 'generated');
    assert.ok(
      prefixed.plan.assumptions.some(a => /no inventory fits: .*daily covers the whole bucket, not prefix "two"/.test(a)),
      prefixed.plan.assumptions.join('; '),
    );
    const versions = await planBatch(session, request({ bucket: 'inventoried', versions: true }));
    assert.equal(versions.plan.manifest.source, 'generated');
    assert.ok(versions.plan.assumptions.some(a => /daily lists current versions only/.test(a)));
    const asked = await planBatch(session, request({ bucket: 'inventoried', useInventory: false }));
    assert.equal(asked.plan.manifest.source, 'generated');
  });

  it('counts a large report in bounded reads, and does not count one over the limit', async () => {
    const before = em.calls().GetObject ?? 0;
    const counted = await planBatch(session, request({ bucket: 'big-inventory' }));
    assert.equal(counted.plan.manifest.source, 'inventory');
    assert.equal(counted.plan.manifest.objects, 25_000);
    assert.equal(
      Object.values(counted.plan.manifest.byEncryption ?? {}).reduce((a, b) => a + b, 0),
      25_000,
    );
    assert.ok((em.calls().GetObject ?? 0) - before >= 3, 'one read per data file at least');
    const notCounted = await planBatch(session, request({ bucket: 'big-inventory', maxInventoryBytes: 1000 }));
    assert.equal(notCounted.plan.manifest.objects, null);
    assert.equal(notCounted.plan.cost.total, null);
    assert.ok(notCounted.plan.assumptions.some(a => /too large to count/.test(a)));
  });
});
