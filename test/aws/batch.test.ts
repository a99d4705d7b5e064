// S3 Batch Operations re-encryption (aws/batch.ts, aws/batch-jobs.ts) through the real AWS SDK
// against the emulator: the plan (manifest from a listing with keys needing encoding, every version,
// a manifest already there, the role check), the job created with the right operation, manifest,
// report, role and token, ConfirmationRequired honoured, progress, the completion report read back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type Emulator } from '../../emulator/src/emulator';
import type { EmulatorSeed } from '../../emulator/src/types';
import { BATCH_PRINCIPAL, checkRole, createBatchJob, manifestLine, planBatch, type BatchRequest } from '../../aws/batch';
import { cancelJob, confirmJob, describeJob, listJobs, readCompletionReport, type JobDetail } from '../../aws/batch-jobs';
import { openSession, type Session } from '../../aws/session';
import { ACCOUNT, emptyAwsFiles, keyArn, testEnv } from './fixtures';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const REGION = 'eu-west-1';
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER_KEY_ID = '0987dcba-09fe-87dc-65ba-ab0987654321';
const TARGET = keyArn(REGION, KEY_ID);
const ROLE = `arn:aws:iam::${ACCOUNT}:role/batch-reencrypt`;
const trust = (service: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
});
/** Keys a CSV manifest must encode: spaces, plus signs, commas, quotes, non-ASCII, a newline. */
const AWKWARD_KEYS = ['plain.txt', 'with space/a b.txt', 'plus+sign', 'comma,and"quote', 'ünï/日本.csv', 'line\nbreak', '%41'];

function seed(): EmulatorSeed {
  return {
    account: ACCOUNT,
    writable: true,
    roles: [
      { name: 'batch-reencrypt', trustPolicy: trust(BATCH_PRINCIPAL) },
      { name: 'lambda-only', trustPolicy: trust('lambda.amazonaws.com') },
    ],
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
      {
        name: 'legacy',
        region: REGION,
        objects: [
          {
            key: 'old/report.pdf',
            content: 'pdf bytes',
            encryption: 'NOT-SSE' as const,
            contentType: 'application/pdf',
            metadata: { owner: 'finance' },
            tags: { team: 'a' },
          },
          { key: 'old/data.csv', content: 'a,b', encryption: 'NOT-SSE' as const, contentType: 'text/csv' },
        ],
      },
      { name: 'reports', region: REGION },
      {
        name: 'kms-reports',
        region: REGION,
        encryption: { algorithm: 'aws:kms', kmsKeyId: keyArn(REGION, KEY_ID), bucketKeyEnabled: true },
      },
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
    assert.equal(plan.manifest.bucket, 'reports', 'the manifest goes beside the report unless told otherwise');
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

  it('checks the role trusts Batch Operations; one that cannot be read is said, and the plan goes on', async () => {
    const good = await checkRole(session, ROLE);
    assert.equal(good.trust, 'trusted', good.message);
    const lambda = await checkRole(session, `arn:aws:iam::${ACCOUNT}:role/lambda-only`);
    assert.equal(lambda.trust, 'not-trusted');
    assert.match(lambda.message, /does not let batchoperations\.s3\.amazonaws\.com assume it/);
    const blocked = await planBatch(session, request({ role: `arn:aws:iam::${ACCOUNT}:role/lambda-only` }));
    assert.ok(
      blocked.plan.blockers.some(b => /^role: /.test(b)),
      blocked.plan.blockers.join('; '),
    );
    const missing = await planBatch(session, request({ role: `arn:aws:iam::${ACCOUNT}:role/no-such-role` }));
    assert.equal(missing.plan.role.trust, 'unreadable');
    assert.match(missing.plan.role.message, /could not be read \(NoSuchEntity/);
    assert.ok(missing.plan.warnings.some(w => w.startsWith('role:')));
    assert.ok(!missing.plan.blockers.some(b => b.startsWith('role:')));
  });
});

describe('batch manifest writing', () => {
  it('writes the manifest as planned, and reuses it when the same objects are planned again', async () => {
    const planned = await planBatch(session, request({ prefix: 'with space/', manifestBucket: 'reports' }));
    assert.equal(planned.plan.manifest.bucket, 'reports');
    await createBatchJob(session, planned);
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

/** Polls DescribeJob until `done` holds (a hang detector, not a timing assertion). */
async function until(jobId: string, done: (j: JobDetail) => boolean, what: string): Promise<JobDetail> {
  const end = Date.now() + 60_000;
  for (;;) {
    const j = await describeJob(session, { account: ACCOUNT, region: REGION, jobId });
    if (done(j)) return j;
    if (Date.now() > end) assert.fail(`job ${jobId} never became ${what}: ${j.status}, ${JSON.stringify(j.progress)}`);
    await new Promise(r => setTimeout(r, 50));
  }
}

describe('batch job', () => {
  it('is created with the operation, manifest, report and role planned, and waits for confirmation', async () => {
    const planned = await planBatch(session, request({ prefix: 'logs/', reportScope: 'AllTasks' }));
    const created = await createBatchJob(session, planned);
    const j = await until(created.jobId, x => x.status === 'Suspended', 'Suspended');
    assert.equal(j.confirmationRequired, true);
    assert.equal(j.operation, 'S3UpdateObjectEncryption');
    assert.equal(j.kmsKey, TARGET);
    assert.equal(j.role, ROLE);
    assert.equal(j.bucket, 'mixed');
    assert.deepEqual(j.manifest, {
      arn: `arn:aws:s3:::reports/${planned.plan.manifest.key}`,
      etag: created.manifestEtag,
      format: 'S3BatchOperations_CSV_20180820',
    });
    assert.deepEqual(j.report, {
      bucket: 'reports',
      prefix: 's3-encryption-guard/batch-reports/mixed',
      scope: 'AllTasks',
      enabled: true,
    });
    // Suspended means nothing ran: the objects are as they were.
    assert.equal(em.object('mixed', 'logs/kms.log')?.kmsKeyId, keyArn(REGION, OTHER_KEY_ID));
    await new Promise(r => setTimeout(r, 200));
    assert.equal((await describeJob(session, { account: ACCOUNT, region: REGION, jobId: created.jobId })).status, 'Suspended');
  });

  it('is created once: the same plan again answers the same job', async () => {
    const a = await planBatch(session, request({ prefix: 'with space/' }));
    const first = await createBatchJob(session, a);
    const b = await planBatch(session, request({ prefix: 'with space/' }));
    assert.equal(b.plan.clientRequestToken, a.plan.clientRequestToken);
    const second = await createBatchJob(session, b);
    assert.equal(second.jobId, first.jobId);
    const listed = await listJobs(session, { account: ACCOUNT, region: REGION, bucket: 'mixed' });
    assert.equal(listed.jobs.filter(j => j.id === first.jobId).length, 1);
  });

  it('runs once confirmed: progress, objects re-encrypted in place, the completion report read back', async () => {
    const planned = await planBatch(session, request({ reportBucket: 'reports' }));
    const { jobId } = await createBatchJob(session, planned);
    await until(jobId, x => x.status === 'Suspended', 'Suspended');
    const before = em.object('mixed', 'plain.txt');
    const confirmed = await confirmJob(session, { account: ACCOUNT, region: REGION, jobId });
    assert.equal(confirmed.before.status, 'Suspended');
    assert.notEqual(confirmed.status, 'Suspended');
    const done = await until(jobId, x => x.status === 'Complete' || x.status === 'Failed', 'Complete');
    assert.equal(done.status, 'Complete');
    assert.equal(done.progress.total, AWKWARD_KEYS.length + 2);
    assert.equal(done.progress.succeeded + done.progress.failed, done.progress.total);
    assert.equal(done.progress.failed, 1, 'the unencrypted object cannot be updated in place');
    assert.equal(done.progress.percent, 100);
    // In place: same content and ETag, new encryption.
    const after = em.object('mixed', 'plain.txt');
    assert.equal(after?.encryption, 'SSE-KMS');
    assert.equal(after?.kmsKeyId, TARGET);
    assert.equal(after?.etag, before?.etag);
    assert.equal(after?.content.toString(), before?.content.toString());
    for (const key of AWKWARD_KEYS) assert.equal(em.object('mixed', key)?.kmsKeyId, TARGET, key);
    assert.equal(em.object('mixed', 'logs/old.log')?.encryption, 'NOT-SSE');

    const report = await readCompletionReport(session, done, REGION);
    assert.equal(report.succeeded, AWKWARD_KEYS.length + 1);
    assert.equal(report.failed, 1);
    assert.equal(report.failures[0].key, 'logs/old.log');
    assert.equal(report.failures[0].status, 'failed');
    assert.ok(report.failures[0].errorCode, 'the failure has an error code');
    assert.match(report.failures[0].httpStatus, /^\d{3}$/);
  });

  it('refuses to confirm a job that no longer waits', async () => {
    const planned = await planBatch(session, request({ prefix: 'ünï/' }));
    const { jobId } = await createBatchJob(session, planned);
    await until(jobId, x => x.status === 'Suspended', 'Suspended');
    await confirmJob(session, { account: ACCOUNT, region: REGION, jobId });
    await until(jobId, x => x.status === 'Complete', 'Complete');
    await assert.rejects(
      confirmJob(session, { account: ACCOUNT, region: REGION, jobId }),
      /is Complete, not waiting for confirmation/,
    );
  });

  it('is checked once created, and can be cancelled before it runs', async () => {
    const planned = await planBatch(session, request({ bucket: 'versioned' }));
    const before = em.object('versioned', 'doc.txt');
    const created = await createBatchJob(session, planned);
    assert.deepEqual(created.problems, []);
    assert.ok(
      created.status === 'New' || created.status === 'Preparing' || created.status === 'Suspended',
      String(created.status),
    );
    await until(created.jobId, x => x.status === 'Suspended', 'Suspended');
    const r = await cancelJob(session, { account: ACCOUNT, region: REGION, jobId: created.jobId });
    assert.ok(r.status === 'Cancelled' || r.status === 'Cancelling', r.status);
    await until(created.jobId, x => x.status === 'Cancelled', 'Cancelled');
    const after = em.object('versioned', 'doc.txt');
    assert.deepEqual(
      [after?.encryption, after?.kmsKeyId, after?.versionId],
      [before?.encryption, before?.kmsKeyId, before?.versionId],
      'a cancelled job changed nothing',
    );
    await assert.rejects(
      cancelJob(session, { account: ACCOUNT, region: REGION, jobId: created.jobId }),
      /is Cancelled: there is nothing to cancel/,
    );
  });

  it('lists the jobs of a bucket with their progress', async () => {
    const listed = await listJobs(session, { account: ACCOUNT, region: REGION, bucket: 'mixed' });
    assert.ok(listed.jobs.length >= 3);
    for (const j of listed.jobs) {
      assert.equal(j.bucket, 'mixed');
      assert.ok(j.progress.total === null || j.progress.total >= 1);
    }
    assert.ok(listed.jobs.some(j => j.status === 'Complete' && j.progress.percent === 100));
    const other = await listJobs(session, { account: ACCOUNT, region: REGION, bucket: 'inventoried' });
    assert.deepEqual(other.jobs, []);
  });
});

describe('batch job: the copy operation', () => {
  it('copies unencrypted objects onto themselves with SSE-KMS, keeping content, metadata and content-type', async () => {
    const planned = await planBatch(session, request({ bucket: 'legacy', operation: 'copy' }));
    assert.equal(planned.plan.operationName, 'S3PutObjectCopy');
    assert.ok(planned.plan.assumptions.some(a => /cannot keep per-object storage classes/.test(a)));
    const { jobId } = await createBatchJob(session, planned);
    const waiting = await until(jobId, x => x.status === 'Suspended', 'Suspended');
    assert.equal(waiting.operation, 'S3PutObjectCopy');
    assert.equal(waiting.kmsKey, TARGET);
    await confirmJob(session, { account: ACCOUNT, region: REGION, jobId });
    const done = await until(jobId, x => x.status === 'Complete' || x.status === 'Failed', 'Complete');
    assert.equal(done.status, 'Complete');
    assert.deepEqual([done.progress.succeeded, done.progress.failed], [2, 0]);
    const pdf = em.object('legacy', 'old/report.pdf');
    assert.equal(pdf?.encryption, 'SSE-KMS');
    assert.equal(pdf?.kmsKeyId, TARGET);
    assert.equal(pdf?.bucketKeyEnabled, true);
    assert.equal(pdf?.content.toString(), 'pdf bytes');
    assert.equal(pdf?.contentType, 'application/pdf');
    assert.deepEqual(pdf?.metadata, { owner: 'finance' });
    assert.deepEqual(pdf?.tags, { team: 'a' }, 'tags are copied (CopyObject copies them unless told otherwise)');
    assert.equal(em.object('legacy', 'old/data.csv')?.contentType, 'text/csv');
  });
});

describe('batch job: CreateJob retried after a lost answer', () => {
  it('creates one job when the connection drops after S3 created it and the SDK retries', async () => {
    const retrying = await openSession({ endpoint: em.url, region: REGION, env: testEnv(emptyAwsFiles()), maxAttempts: 3 });
    try {
      const planned = await planBatch(retrying, request({ prefix: 'plus' }));
      const before = (await listJobs(retrying, { account: ACCOUNT, region: REGION, bucket: 'mixed' })).jobs.length;
      const sent = em.calls().CreateJob ?? 0;
      em.setFaults([{ call: 'CreateJob', times: 1, wire: 'reset-after-write' }]);
      const created = await createBatchJob(retrying, planned);
      em.setFaults([]);
      assert.equal((em.calls().CreateJob ?? 0) - sent, 2, 'the SDK sent CreateJob again after the reset');
      const after = (await listJobs(retrying, { account: ACCOUNT, region: REGION, bucket: 'mixed' })).jobs;
      assert.equal(after.length, before + 1, 'one job, not two');
      assert.ok(after.some(j => j.id === created.jobId));
    } finally {
      em.setFaults([]);
      retrying.destroy();
    }
  });
});

describe('batch job: SSE-S3 as the target', () => {
  it('plans the copy operation with SSE-S3 and runs it', async () => {
    const planned = await planBatch(session, request({ bucket: 'legacy', sseS3: true, kmsKey: '', prefix: 'old/data' }));
    assert.deepEqual(planned.plan.blockers, []);
    assert.equal(planned.plan.target, 'SSE-S3');
    assert.equal(planned.plan.operationName, 'S3PutObjectCopy');
    assert.equal(planned.plan.bucketKey, false);
    assert.equal(planned.plan.cost.kmsRequests, 0);
    const refused = await planBatch(session, request({ bucket: 'legacy', sseS3: true, kmsKey: '', operation: 'update' }));
    assert.ok(refused.plan.blockers.some(b => /SSE-KMS only/.test(b)));
    const { jobId, problems } = await createBatchJob(session, planned);
    assert.deepEqual(problems, []);
    await until(jobId, x => x.status === 'Suspended', 'Suspended');
    await confirmJob(session, { account: ACCOUNT, region: REGION, jobId });
    const done = await until(jobId, x => x.status === 'Complete' || x.status === 'Failed', 'Complete');
    assert.deepEqual([done.status, done.progress.succeeded, done.progress.failed], ['Complete', 1, 0]);
    const o = em.object('legacy', 'old/data.csv');
    assert.equal(o?.encryption, 'SSE-S3');
    assert.equal(o?.content.toString(), 'a,b');
  });
});

describe('batch manifest in an SSE-KMS bucket', () => {
  it('is written and checked by its size (its ETag is not its MD5), and the same plan again reuses it and its job', async () => {
    const planned = await planBatch(session, request({ prefix: 'logs/', reportBucket: 'kms-reports' }));
    assert.equal(planned.plan.manifest.bucket, 'kms-reports');
    const first = await createBatchJob(session, planned);
    const stored = em.object('kms-reports', planned.plan.manifest.key);
    assert.equal(stored?.encryption, 'SSE-KMS');
    assert.equal(first.manifestEtag, stored?.etag.replace(/"/g, ''));
    const again = await planBatch(session, request({ prefix: 'logs/', reportBucket: 'kms-reports' }));
    assert.equal(again.plan.manifest.reused, true, again.plan.blockers.join('; '));
    assert.deepEqual(again.plan.blockers, []);
    const second = await createBatchJob(session, again);
    assert.equal(second.jobId, first.jobId);
  });
});
