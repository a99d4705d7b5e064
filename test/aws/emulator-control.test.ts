// The emulator's S3 Control Batch Operations and the IAM/STS reads around them (issue 14), through
// the real AWS SDK: a job waits for confirmation, runs on the emulator's objects with progress, and
// writes its completion report; jobs from a CSV manifest and from an inventory report.
//
// The S3 Control client puts the account ID in front of the endpoint's host (111122223333.127.0.0.1
// is no host), so a client for a custom endpoint fixes the endpoint with `endpointProvider`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateJobCommand,
  type CreateJobCommandInput,
  DescribeJobCommand,
  type JobStatus,
  ListJobsCommand,
  S3ControlClient,
  UpdateJobStatusCommand,
} from '@aws-sdk/client-s3-control';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startEmulator, type Emulator } from '../../emulator/src/emulator';
import { ACCESS_KEY, ACCOUNT, GOOD_KEY_ARN, KEYS, SECRET } from './fixtures';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const credentials = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET };
const ROLE = `arn:aws:iam::${ACCOUNT}:role/batch-reencrypt`;
let em: Emulator;
const s3 = () => new S3Client({ region: 'eu-west-1', endpoint: em.url, forcePathStyle: true, credentials, maxAttempts: 1 });
const control = () =>
  new S3ControlClient({ region: 'eu-west-1', credentials, maxAttempts: 1, endpointProvider: () => ({ url: new URL(em.url) }) });

before(async () => {
  em = await startEmulator({
    seed: {
      account: ACCOUNT,
      writable: true,
      jobs: { taskDelayMs: 5 },
      keys: [KEYS.good],
      roles: [
        {
          name: 'batch-reencrypt',
          trustPolicy: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Principal: { Service: 'batchoperations.s3.amazonaws.com' }, Action: 'sts:AssumeRole' },
            ],
          },
        },
      ],
      buckets: [
        {
          name: 'data',
          region: 'eu-west-1',
          encryption: null,
          objects: [
            { key: 'a.txt', content: 'a', encryption: 'SSE-S3' },
            { key: 'b c.txt', content: 'b', encryption: 'SSE-S3' },
            { key: 'plain.txt', content: 'p', encryption: 'none' },
          ],
          generate: { count: 20, prefix: 'bulk/', size: 4, encryption: 'none' },
          inventory: [{ id: 'inv', destinationBucket: 'reports', reports: ['2026-12-04T00:00:00.000Z'] }],
        },
        { name: 'reports', region: 'eu-west-1' },
      ],
    },
  });
});
after(async () => {
  await em.close();
});

async function putManifest(rows: string[]): Promise<{ arn: string; etag: string }> {
  const c = s3();
  const put = await c.send(new PutObjectCommand({ Bucket: 'reports', Key: 'manifests/m.csv', Body: rows.join('\n') + '\n' }));
  c.destroy();
  return { arn: 'arn:aws:s3:::reports/manifests/m.csv', etag: put.ETag! };
}

/** Describes the job until its status is one of `want` (a hang detector bounds the wait, not a timing assertion). */
async function until(c: S3ControlClient, JobId: string, want: JobStatus[]) {
  for (let i = 0; i < 2000; i++) {
    const d = await c.send(new DescribeJobCommand({ AccountId: ACCOUNT, JobId }));
    if (want.includes(d.Job!.Status!)) return d.Job!;
    await new Promise(r => setTimeout(r, 10));
  }
  throw new Error(`job ${JobId} never reached ${want.join('/')}`);
}

const job = (manifest: { arn: string; etag: string }, extra: Partial<CreateJobCommandInput> = {}): CreateJobCommandInput => ({
  AccountId: ACCOUNT,
  ConfirmationRequired: true,
  Priority: 10,
  RoleArn: ROLE,
  Operation: { S3UpdateObjectEncryption: { ObjectEncryption: { SSEKMS: { KMSKeyArn: GOOD_KEY_ARN, BucketKeyEnabled: true } } } },
  Manifest: {
    Spec: { Format: 'S3BatchOperations_CSV_20180820', Fields: ['Bucket', 'Key'] },
    Location: { ObjectArn: manifest.arn, ETag: manifest.etag },
  },
  Report: {
    Enabled: true,
    Bucket: 'arn:aws:s3:::reports',
    Format: 'Report_CSV_20180820',
    Prefix: 'batch-reports',
    ReportScope: 'AllTasks',
  },
  ...extra,
});

describe('emulator: S3 Batch Operations', () => {
  it('an UpdateObjectEncryption job waits for confirmation, runs with progress, writes its report', async () => {
    const c = control();
    const manifest = await putManifest(['data,a.txt', 'data,b%20c.txt', 'data,plain.txt']);
    const { JobId } = await c.send(new CreateJobCommand(job(manifest, { Description: 're-encrypt data' })));
    assert.ok(JobId);
    const suspended = await until(c, JobId!, ['Suspended']);
    assert.equal(suspended.ProgressSummary?.TotalNumberOfTasks, 3);
    assert.equal(suspended.SuspendedCause, 'AWAITING_CONFIRMATION');
    assert.equal(suspended.ConfirmationRequired, true);
    assert.equal(suspended.Operation?.S3UpdateObjectEncryption?.ObjectEncryption?.SSEKMS?.KMSKeyArn, GOOD_KEY_ARN);
    assert.equal(em.object('data', 'a.txt')?.encryption, 'SSE-S3', 'nothing runs before confirmation');
    const listed = await c.send(new ListJobsCommand({ AccountId: ACCOUNT, JobStatuses: ['Suspended'] }));
    assert.ok(listed.Jobs?.some(j => j.JobId === JobId && j.Operation === 'S3UpdateObjectEncryption'));
    await assert.rejects(
      c
        .send(new UpdateJobStatusCommand({ AccountId: ACCOUNT, JobId, RequestedJobStatus: 'Ready' }))
        .then(() => c.send(new UpdateJobStatusCommand({ AccountId: ACCOUNT, JobId, RequestedJobStatus: 'Ready' }))),
      {
        name: 'JobStatusException',
      },
    );
    const done = await until(c, JobId!, ['Complete', 'Failed']);
    assert.equal(done.Status, 'Complete');
    assert.deepEqual([done.ProgressSummary?.NumberOfTasksSucceeded, done.ProgressSummary?.NumberOfTasksFailed], [2, 1]);
    assert.equal(em.object('data', 'a.txt')?.encryption, 'SSE-KMS');
    assert.equal(em.object('data', 'b c.txt')?.kmsKeyId, GOOD_KEY_ARN);
    assert.equal(em.object('data', 'plain.txt')?.encryption, 'NOT-SSE', 'UpdateObjectEncryption refuses unencrypted objects');
    const r = s3();
    const reportManifest = JSON.parse(
      await (
        await r.send(new GetObjectCommand({ Bucket: 'reports', Key: `batch-reports/job-${JobId}/manifest.json` }))
      ).Body!.transformToString(),
    );
    assert.equal(reportManifest.Format, 'Report_CSV_20180820');
    const failed = reportManifest.Results.find((x: { TaskExecutionStatus: string }) => x.TaskExecutionStatus === 'failed');
    const csv = await (await r.send(new GetObjectCommand({ Bucket: 'reports', Key: failed.Key }))).Body!.transformToString();
    assert.match(csv, /^data,plain\.txt,,failed,400,InvalidRequest,/);
    r.destroy();
    c.destroy();
  });

  it('a copy job from an inventory report, running without confirmation; progress is visible mid-run', async () => {
    const c = control();
    const r = s3();
    const manifestKey = 'data/inv/2026-12-04T00-00Z/manifest.json';
    const head = await r.send(new GetObjectCommand({ Bucket: 'reports', Key: manifestKey }));
    const { JobId } = await c.send(
      new CreateJobCommand(
        job(
          { arn: `arn:aws:s3:::reports/${manifestKey}`, etag: head.ETag! },
          {
            ConfirmationRequired: false,
            Operation: { S3PutObjectCopy: { SSEAwsKmsKeyId: GOOD_KEY_ARN, BucketKeyEnabled: true, MetadataDirective: 'COPY' } },
            Manifest: {
              Spec: { Format: 'S3InventoryReport_CSV_20161130' },
              Location: { ObjectArn: `arn:aws:s3:::reports/${manifestKey}`, ETag: head.ETag! },
            },
          },
        ),
      ),
    );
    const active = await until(c, JobId!, ['Active', 'Complete']);
    assert.equal(active.ProgressSummary?.TotalNumberOfTasks, 23);
    const done = await until(c, JobId!, ['Complete', 'Failed']);
    assert.equal(done.ProgressSummary?.NumberOfTasksSucceeded, 23);
    assert.equal(em.object('data', 'bulk/00000007')?.encryption, 'SSE-KMS');
    assert.equal(em.object('data', 'plain.txt')?.kmsKeyId, GOOD_KEY_ARN);
    const listed = await r.send(new ListObjectsV2Command({ Bucket: 'reports', Prefix: `batch-reports/job-${JobId}/` }));
    assert.equal(listed.KeyCount, 2, 'manifest.json and one results file');
    r.destroy();
    c.destroy();
  });

  it('refuses what S3 refuses: a bad role, a missing job, a manifest whose ETag changed fails the job', async () => {
    const c = control();
    const manifest = await putManifest(['data,a.txt']);
    await assert.rejects(c.send(new CreateJobCommand(job(manifest, { RoleArn: 'not-a-role' }))), { name: 'InvalidRequest' });
    await assert.rejects(c.send(new DescribeJobCommand({ AccountId: ACCOUNT, JobId: 'nope' })), { name: 'NoSuchJob' });
    const { JobId } = await c.send(new CreateJobCommand(job({ ...manifest, etag: '"0123"' })));
    const failed = await until(c, JobId!, ['Failed', 'Suspended']);
    assert.equal(failed.Status, 'Failed');
    assert.match(failed.FailureReasons?.[0].FailureReason ?? '', /ETag/);
    const cancelled = await c.send(new CreateJobCommand(job(manifest)));
    await until(c, cancelled.JobId!, ['Suspended']);
    const out = await c.send(
      new UpdateJobStatusCommand({
        AccountId: ACCOUNT,
        JobId: cancelled.JobId,
        RequestedJobStatus: 'Cancelled',
        StatusUpdateReason: 'changed my mind',
      }),
    );
    assert.equal(out.Status, 'Cancelled');
    c.destroy();
  });

  it('IAM GetRole answers the trust policy; STS GetCallerIdentity the caller', async () => {
    const iam = new IAMClient({ region: 'us-east-1', endpoint: em.url, credentials, maxAttempts: 1 });
    const role = await iam.send(new GetRoleCommand({ RoleName: 'batch-reencrypt' }));
    assert.equal(role.Role?.Arn, ROLE);
    const trust = JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!));
    assert.equal(trust.Statement[0].Principal.Service, 'batchoperations.s3.amazonaws.com');
    await assert.rejects(iam.send(new GetRoleCommand({ RoleName: 'missing' })), { name: 'NoSuchEntityException' });
    const sts = new STSClient({ region: 'us-east-1', endpoint: em.url, credentials, maxAttempts: 1 });
    const me = await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(me.Arn, `arn:aws:iam::${ACCOUNT}:user/auditor`);
    assert.equal(me.Account, ACCOUNT);
    iam.destroy();
    sts.destroy();
  });
});
