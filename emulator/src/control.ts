// S3 Control Batch Operations (REST-XML, namespace http://awss3control.amazonaws.com/doc/2018-08-20/;
// paths /v20180820/jobs…, the account in the x-amz-account-id header), run on the emulator's objects:
//
// - CreateJob (`POST /v20180820/jobs`): Operation S3PutObjectCopy (a copy of each object onto itself
//   with the operation's SSEAwsKmsKeyId, BucketKeyEnabled, StorageClass, MetadataDirective,
//   NewObjectMetadata, NewObjectTagging, object lock settings: the rules of CopyObject, so an object
//   over 5 GB, or the seed's `copyLimitBytes`, fails) or S3UpdateObjectEncryption
//   (ObjectEncryption/SSE-KMS: KMSKeyArn, BucketKeyEnabled; the rules of UpdateObjectEncryption);
//   Manifest S3BatchOperations_CSV_20180820 (rows `bucket,key[,versionId]`, keys URL-encoded, Fields
//   naming the columns) or S3InventoryReport_CSV_20161130 (a manifest.json of an inventory report);
//   Location ObjectArn + ETag (a missing manifest or a different ETag fails the job, as S3 finds out
//   while preparing it); Report (Enabled, Bucket ARN, Format Report_CSV_20180820, Prefix, ReportScope
//   AllTasks | FailedTasksOnly); Priority; RoleArn (an IAM role ARN); ConfirmationRequired;
//   ClientRequestToken (the same token answers the same job). Answers {JobId}.
// - The job: New → Preparing (the manifest is read and its tasks counted) → Suspended when
//   ConfirmationRequired (until UpdateJobStatus Ready), else Ready → Active (tasks run in the
//   background, `taskDelayMs` apart, progress in ProgressSummary) → Completing → Complete, with the
//   completion report written to the report bucket as S3 writes it:
//   `{prefix}/job-{id}/manifest.json` and `{prefix}/job-{id}/results/{uuid}.csv`: rows Bucket, Key,
//   VersionId, TaskStatus, HTTPStatusCode, ErrorCode, ResultMessage, as AWS's own example rows show
//   (`failed,200,PermanentFailure,…`), although the manifest's ReportSchema names ErrorCode before
//   HTTPStatusCode (AWS writes that string too). More than half of at least
//   1,000 tasks failing fails the job (Failed, FailureReasons), as S3 does.
// - DescribeJob (`GET /v20180820/jobs/{id}`; NoSuchJob 404), ListJobs (jobStatuses, maxResults,
//   nextToken), UpdateJobStatus (`POST /v20180820/jobs/{id}/status?requestedJobStatus=Ready|Cancelled`;
//   JobStatusException 400 for a transition S3 refuses).
// Errors are `<ErrorResponse><Error><Code>…</Code><Message>…</Message></Error><RequestId>…`.
import { randomUUID } from 'node:crypto';
import zlib from 'node:zlib';
import { objectCall } from './objects';
import { findVersion, md5Hex, newVersionId, storeVersion, type Version } from './state';
import { type Account, el, element, elements, type Reply, type S3Request } from './wire';

export const CONTROL_NS = 'http://awss3control.amazonaws.com/doc/2018-08-20/';

export interface ControlReply {
  xml(body: string): void;
  error(status: number, code: string, message: string): void;
}

interface Task {
  bucket: string;
  key: string;
  versionId?: string;
}

interface TaskResult extends Task {
  ok: boolean;
  code: string;
  status: number;
  message: string;
}

interface Job {
  id: string;
  token?: string;
  status: string;
  confirmationRequired: boolean;
  description: string;
  priority: number;
  roleArn: string;
  operationName: string;
  operationXml: string;
  manifestXml: string;
  reportXml: string;
  created: Date;
  terminated?: Date;
  suspendedDate?: Date;
  suspendedCause?: string;
  statusUpdateReason?: string;
  total: number;
  succeeded: number;
  failed: number;
  activeSince?: number;
  activeSeconds: number;
  failures: { code: string; reason: string }[];
  results: TaskResult[];
  cancel: boolean;
}

const OPERATIONS = ['S3PutObjectCopy', 'S3UpdateObjectEncryption'];
const ALL_OPERATIONS = [
  'LambdaInvoke',
  'S3PutObjectCopy',
  'S3PutObjectAcl',
  'S3PutObjectTagging',
  'S3DeleteObjectTagging',
  'S3InitiateRestoreObject',
  'S3PutObjectLegalHold',
  'S3PutObjectRetention',
  'S3ReplicateObject',
  'S3ComputeObjectChecksum',
  'S3UpdateObjectEncryption',
];

/** One emulator's S3 Control jobs. */
export function createControl(acct: Account, options: { taskDelayMs?: number } = {}) {
  const jobs = new Map<string, Job>();
  const sleep = (ms: number) => new Promise<void>(r => setTimeout(r, ms));

  /** The bytes of an object of the account (a manifest), or a failure reason. */
  function readObject(arn: string, etag?: string): { v: Version } | { failure: string } {
    const m = /^arn:aws[a-z-]*:s3:::([^/]+)\/(.+)$/.exec(arn);
    if (!m) return { failure: `Invalid manifest location ${arn}` };
    const b = acct.buckets.get(m[1]);
    const v = b && findVersion(b, m[2]);
    if (!v || v.deleteMarker) return { failure: `Reading the manifest failed: ${arn} does not exist` };
    if (etag !== undefined && etag.replace(/"/g, '') !== v.etag.replace(/"/g, ''))
      return { failure: `Reading the manifest failed: the manifest ETag ${etag} does not match the object's` };
    return { v };
  }

  async function* linesOf(v: Version, gz: boolean): AsyncIterable<string> {
    let rest = '';
    const source: AsyncIterable<Buffer> = v.virtual
      ? v.virtual.chunks()
      : (async function* () {
          yield v.body;
        })();
    const input = gz ? gunzipChunks(source) : source;
    for await (const chunk of input) {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop()!;
      for (const l of lines) if (l.trim()) yield l.replace(/\r$/, '');
    }
    if (rest.trim()) yield rest;
  }

  async function* gunzipChunks(source: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
    const gunzip = zlib.createGunzip();
    const feed = (async () => {
      for await (const c of source) if (!gunzip.write(c)) await new Promise<void>(r => gunzip.once('drain', () => r()));
      gunzip.end();
    })();
    for await (const out of gunzip) yield out as Buffer;
    await feed;
  }

  /** The tasks a job's manifest names (CSV manifest or inventory report). */
  async function* tasksOf(job: Job): AsyncIterable<Task> {
    const spec = element(job.manifestXml, 'Format');
    const arn = element(job.manifestXml, 'ObjectArn') ?? '';
    const read = readObject(arn, element(job.manifestXml, 'ETag'));
    if ('failure' in read) throw new Error(read.failure);
    if (spec === 'S3BatchOperations_CSV_20180820') {
      const fieldsXml = elements(job.manifestXml, 'Fields', 1)[0];
      const fields = fieldsXml ? elements(fieldsXml, 'member', 10).map(f => f.trim()) : ['Bucket', 'Key'];
      for await (const line of linesOf(read.v, false)) {
        const cols = parseCsvLine(line);
        const get = (name: string) => cols[fields.indexOf(name)];
        yield { bucket: get('Bucket') ?? '', key: decodeKey(get('Key') ?? ''), versionId: get('VersionId') || undefined };
      }
      return;
    }
    // An inventory report's manifest.json: its CSV.gz files, columns named by fileSchema.
    const manifest = JSON.parse(read.v.body.toString('utf8')) as {
      fileSchema?: string;
      fileFormat?: string;
      files?: { key: string }[];
    };
    if (manifest.fileFormat !== 'CSV')
      throw new Error(`Reading the manifest failed: the inventory format ${manifest.fileFormat} is not CSV`);
    const schema = (manifest.fileSchema ?? '').split(',').map(s => s.trim());
    const dest = /^arn:aws[a-z-]*:s3:::([^/]+)\//.exec(arn)![1];
    for (const f of manifest.files ?? []) {
      const file = readObject(`arn:aws:s3:::${dest}/${f.key}`);
      if ('failure' in file) throw new Error(file.failure);
      for await (const line of linesOf(file.v, true)) {
        const cols = parseCsvLine(line);
        const get = (name: string) => cols[schema.indexOf(name)];
        if (get('IsDeleteMarker') === 'true') continue;
        yield { bucket: get('Bucket') ?? '', key: decodeKey(get('Key') ?? ''), versionId: get('VersionId') || undefined };
      }
    }
  }

  /** Carries out one task through the object calls (the same rules as a client's call). */
  function runTask(job: Job, t: Task): TaskResult {
    const b = acct.buckets.get(t.bucket);
    if (!b) return { ...t, ok: false, code: 'NoSuchBucket', status: 404, message: 'The specified bucket does not exist' };
    const op = job.operationXml;
    let outcome: TaskResult = { ...t, ok: true, code: '', status: 200, message: 'Successful' };
    const reply: Reply = {
      xml: () => undefined,
      empty: () => undefined,
      bytes: () => undefined,
      stream: () => undefined,
      error: (status, code, message) => {
        outcome = { ...t, ok: false, code, status, message };
      },
    };
    const headers: Record<string, string> = {};
    let call: string;
    let query: URLSearchParams;
    let body = Buffer.alloc(0);
    if (job.operationName === 'S3UpdateObjectEncryption') {
      call = 'UpdateObjectEncryption';
      query = new URLSearchParams(t.versionId ? { encryption: '', versionId: t.versionId } : { encryption: '' });
      const kms = elements(op, 'SSE-KMS', 1)[0] ?? '';
      body = Buffer.from(
        `<ObjectEncryption><SSE-KMS>${el('KMSKeyArn', element(kms, 'KMSKeyArn'))}${el('BucketKeyEnabled', element(kms, 'BucketKeyEnabled'))}</SSE-KMS></ObjectEncryption>`,
      );
    } else {
      call = 'CopyObject';
      query = new URLSearchParams();
      const source = `${t.bucket}/${encodeURIComponent(t.key).replace(/%2F/g, '/')}`;
      headers['x-amz-copy-source'] = t.versionId ? `${source}?versionId=${encodeURIComponent(t.versionId)}` : source;
      const kmsKey = element(op, 'SSEAwsKmsKeyId');
      if (kmsKey) {
        headers['x-amz-server-side-encryption'] = 'aws:kms';
        headers['x-amz-server-side-encryption-aws-kms-key-id'] = kmsKey;
      } else headers['x-amz-server-side-encryption'] = 'AES256';
      if (element(op, 'BucketKeyEnabled') === 'true') headers['x-amz-server-side-encryption-bucket-key-enabled'] = 'true';
      const sc = element(op, 'StorageClass');
      if (sc) headers['x-amz-storage-class'] = sc;
      const md = element(op, 'MetadataDirective');
      if (md) headers['x-amz-metadata-directive'] = md;
      const meta = elements(op, 'NewObjectMetadata', 1)[0];
      if (md === 'REPLACE' && meta) {
        const ct = element(meta, 'ContentType');
        if (ct) headers['content-type'] = ct;
        for (const entry of elements(elements(meta, 'UserMetadata', 1)[0] ?? '', 'entry', 100))
          headers[`x-amz-meta-${(element(entry, 'key') ?? '').toLowerCase()}`] = element(entry, 'value') ?? '';
      }
      const tagging = elements(op, 'NewObjectTagging', 1)[0];
      if (tagging !== undefined && tagging.trim()) {
        headers['x-amz-tagging-directive'] = 'REPLACE';
        headers['x-amz-tagging'] = new URLSearchParams(
          elements(tagging, 'member', 10).map(m => [element(m, 'Key') ?? '', element(m, 'Value') ?? ''] as [string, string]),
        ).toString();
      }
      const lockMode = element(op, 'ObjectLockMode');
      const lockUntil = element(op, 'ObjectLockRetainUntilDate');
      if (lockMode && lockUntil) {
        headers['x-amz-object-lock-mode'] = lockMode;
        headers['x-amz-object-lock-retain-until-date'] = lockUntil;
      }
      const hold = element(op, 'ObjectLockLegalHoldStatus');
      if (hold) headers['x-amz-object-lock-legal-hold'] = hold;
    }
    const r: S3Request = { method: 'PUT', bucket: t.bucket, key: t.key, query, headers, body, trailers: {}, head: false };
    objectCall(call, acct, b, r, reply);
    return outcome;
  }

  async function prepare(job: Job): Promise<void> {
    job.status = 'Preparing';
    try {
      let n = 0;
      for await (const _ of tasksOf(job)) {
        void _;
        if (++n % 10_000 === 0) await new Promise<void>(r => setImmediate(r));
      }
      job.total = n;
    } catch (e) {
      return fail(job, 'ManifestReadFailure', e instanceof Error ? e.message : String(e));
    }
    if (job.confirmationRequired) {
      job.status = 'Suspended';
      job.suspendedDate = new Date();
      job.suspendedCause = 'AWAITING_CONFIRMATION';
      return;
    }
    job.status = 'Ready';
    void run(job);
  }

  function fail(job: Job, code: string, reason: string): void {
    job.status = 'Failed';
    job.failures.push({ code, reason });
    job.terminated = new Date();
  }

  async function run(job: Job): Promise<void> {
    await new Promise<void>(r => setImmediate(r));
    if (job.status !== 'Ready') return;
    job.status = 'Active';
    job.activeSince = Date.now();
    let done = 0;
    try {
      for await (const t of tasksOf(job)) {
        if (job.cancel) break;
        const result = runTask(job, t);
        if (result.ok) job.succeeded++;
        else job.failed++;
        job.results.push(result);
        done++;
        if (done >= 1000 && job.failed / done > 0.5) {
          job.activeSeconds += (Date.now() - job.activeSince) / 1000;
          await writeReport(job);
          return fail(job, 'TaskFailureThresholdExceeded', 'The job failed because the task failure rate exceeded 50 percent.');
        }
        if (options.taskDelayMs) await sleep(options.taskDelayMs);
        else if (done % 200 === 0) await new Promise<void>(r => setImmediate(r));
      }
    } catch (e) {
      return fail(job, 'ManifestReadFailure', e instanceof Error ? e.message : String(e));
    }
    job.activeSeconds += (Date.now() - job.activeSince) / 1000;
    job.activeSince = undefined;
    if (job.cancel) {
      job.status = 'Cancelled';
      job.terminated = new Date();
      await writeReport(job);
      return;
    }
    job.status = 'Completing';
    await writeReport(job);
    job.status = 'Complete';
    job.terminated = new Date();
  }

  /** The completion report, as S3 writes it into the report bucket. */
  async function writeReport(job: Job): Promise<void> {
    if (element(job.reportXml, 'Enabled') !== 'true') return;
    const bucketArn = element(job.reportXml, 'Bucket') ?? '';
    const dest = acct.buckets.get(bucketArn.replace(/^arn:aws[a-z-]*:s3:::/, ''));
    if (!dest) return;
    const prefix = element(job.reportXml, 'Prefix');
    const base = `${prefix ? `${prefix.replace(/\/$/, '')}/` : ''}job-${job.id}`;
    const failedOnly = element(job.reportXml, 'ReportScope') === 'FailedTasksOnly';
    const csv = (list: TaskResult[]) =>
      list
        .map(r =>
          [
            r.bucket,
            encodeURIComponent(r.key).replace(/%2F/g, '/'),
            r.versionId ?? '',
            r.ok ? 'succeeded' : 'failed',
            String(r.status),
            r.code,
            r.message,
          ]
            .map(x => (/[",\n]/.test(x) ? `"${x.replace(/"/g, '""')}"` : x))
            .join(','),
        )
        .join('\n') + '\n';
    const results: { TaskExecutionStatus: string; Bucket: string; MD5Checksum: string; Key: string }[] = [];
    for (const [status, list] of [
      ['succeeded', failedOnly ? [] : job.results.filter(r => r.ok)],
      ['failed', job.results.filter(r => !r.ok)],
    ] as const) {
      if (list.length === 0) continue;
      const body = Buffer.from(csv(list));
      const key = `${base}/results/${randomUUID()}.csv`;
      storeVersion(dest, key, reportObject(body, 'text/csv'));
      results.push({ TaskExecutionStatus: status, Bucket: dest.settings.name, MD5Checksum: md5Hex(body), Key: key });
    }
    const manifest = JSON.stringify({
      Format: 'Report_CSV_20180820',
      ReportCreationDate: new Date().toISOString(),
      Results: results,
      ReportSchema: 'Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage',
    });
    storeVersion(dest, `${base}/manifest.json`, reportObject(Buffer.from(manifest), 'application/json'));
  }

  function progressXml(job: Job): string {
    const active = job.activeSeconds + (job.activeSince ? (Date.now() - job.activeSince) / 1000 : 0);
    return (
      `<ProgressSummary>${el('TotalNumberOfTasks', job.total)}${el('NumberOfTasksSucceeded', job.succeeded)}${el('NumberOfTasksFailed', job.failed)}` +
      `<Timers>${el('ElapsedTimeInActiveSeconds', Math.floor(active))}</Timers></ProgressSummary>`
    );
  }

  const iso = (d?: Date) => (d ? d.toISOString() : undefined);

  function describeXml(job: Job): string {
    return (
      `<Job>${el('JobId', job.id)}${el('ConfirmationRequired', job.confirmationRequired)}${el('Description', job.description)}` +
      `${el('JobArn', `arn:aws:s3:${jobRegion}:${acct.account}:job/${job.id}`)}${el('Status', job.status)}` +
      `<Manifest>${job.manifestXml}</Manifest><Operation>${job.operationXml}</Operation>${el('Priority', job.priority)}${progressXml(job)}` +
      `${el('StatusUpdateReason', job.statusUpdateReason)}` +
      (job.failures.length
        ? `<FailureReasons>${job.failures.map(f => `<member>${el('FailureCode', f.code)}${el('FailureReason', f.reason)}</member>`).join('')}</FailureReasons>`
        : '') +
      `<Report>${job.reportXml}</Report>${el('CreationTime', iso(job.created))}${el('TerminationDate', iso(job.terminated))}${el('RoleArn', job.roleArn)}` +
      `${el('SuspendedDate', iso(job.suspendedDate))}${el('SuspendedCause', job.suspendedCause)}</Job>`
    );
  }

  let jobRegion = 'us-east-1';

  function createJob(xml: string, reply: ControlReply): void {
    const token = element(xml, 'ClientRequestToken');
    if (token)
      for (const j of jobs.values())
        if (j.token === token) return reply.xml(`<CreateJobResult xmlns="${CONTROL_NS}">${el('JobId', j.id)}</CreateJobResult>`);
    const invalid = (m: string) => reply.error(400, 'InvalidRequest', m);
    const roleArn = element(xml, 'RoleArn') ?? '';
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(roleArn))
      return invalid('Request invalid: RoleArn must be an IAM role ARN');
    const operationInner = elements(xml, 'Operation', 1)[0];
    if (operationInner === undefined) return invalid('Request invalid: Operation is required');
    const named = ALL_OPERATIONS.filter(o => operationInner.includes(`<${o}`));
    if (named.length !== 1) return invalid('Request invalid: exactly one operation must be specified');
    if (!OPERATIONS.includes(named[0]))
      return reply.error(400, 'InvalidRequest', `The operation ${named[0]} is not supported by this local endpoint`);
    if (named[0] === 'S3UpdateObjectEncryption' && !element(operationInner, 'KMSKeyArn'))
      return invalid('Request invalid: ObjectEncryption.SSE-KMS.KMSKeyArn is required');
    const manifestXml = elements(xml, 'Manifest', 1)[0];
    const format = manifestXml && element(manifestXml, 'Format');
    if (!manifestXml || (format !== 'S3BatchOperations_CSV_20180820' && format !== 'S3InventoryReport_CSV_20161130'))
      return invalid(
        'Request invalid: Manifest.Spec.Format must be S3BatchOperations_CSV_20180820 or S3InventoryReport_CSV_20161130',
      );
    if (!element(manifestXml, 'ObjectArn') || !element(manifestXml, 'ETag'))
      return invalid('Request invalid: Manifest.Location needs ObjectArn and ETag');
    const reportXml = elements(xml, 'Report', 1)[0];
    if (reportXml === undefined) return invalid('Request invalid: Report is required');
    if (element(reportXml, 'Enabled') === 'true') {
      const bucket = element(reportXml, 'Bucket') ?? '';
      if (!/^arn:aws[a-z-]*:s3:::[a-z0-9.-]+$/.test(bucket))
        return invalid('Request invalid: Report.Bucket must be a bucket ARN');
      if (!acct.buckets.has(bucket.replace(/^arn:aws[a-z-]*:s3:::/, '')))
        return invalid(`Request invalid: the report bucket ${bucket} does not exist`);
      if (element(reportXml, 'Format') !== 'Report_CSV_20180820')
        return invalid('Request invalid: Report.Format must be Report_CSV_20180820');
    }
    const priority = Number(element(xml, 'Priority') ?? 'NaN');
    if (!Number.isInteger(priority) || priority < 0) return invalid('Request invalid: Priority must be a non-negative integer');
    const id = randomUUID();
    const job: Job = {
      id,
      token,
      status: 'New',
      confirmationRequired: element(xml, 'ConfirmationRequired') === 'true',
      description: element(xml, 'Description') ?? '',
      priority,
      roleArn,
      operationName: named[0],
      operationXml: operationInner,
      manifestXml,
      reportXml,
      created: new Date(),
      total: 0,
      succeeded: 0,
      failed: 0,
      activeSeconds: 0,
      failures: [],
      results: [],
      cancel: false,
    };
    jobs.set(id, job);
    void prepare(job);
    reply.xml(`<CreateJobResult xmlns="${CONTROL_NS}">${el('JobId', id)}</CreateJobResult>`);
  }

  function updateJobStatus(job: Job, q: URLSearchParams, reply: ControlReply): void {
    const requested = q.get('requestedJobStatus');
    const reason = q.get('statusUpdateReason') ?? undefined;
    const refuse = () =>
      reply.error(400, 'JobStatusException', `Job ${job.id} cannot be moved from ${job.status} to ${requested}`);
    if (requested === 'Ready') {
      if (job.status !== 'Suspended') return refuse();
      job.status = 'Ready';
      job.suspendedCause = undefined;
      void run(job);
    } else if (requested === 'Cancelled') {
      if (['Complete', 'Completing', 'Failed', 'Failing', 'Cancelled', 'Cancelling'].includes(job.status)) return refuse();
      if (job.status === 'Active') {
        job.cancel = true;
        job.status = 'Cancelling';
      } else {
        job.status = 'Cancelled';
        job.terminated = new Date();
      }
    } else return reply.error(400, 'InvalidRequest', 'requestedJobStatus must be Ready or Cancelled');
    job.statusUpdateReason = reason;
    reply.xml(
      `<UpdateJobStatusResult xmlns="${CONTROL_NS}">${el('JobId', job.id)}${el('Status', job.status)}${el('StatusUpdateReason', reason)}</UpdateJobStatusResult>`,
    );
  }

  function listJobs(q: URLSearchParams, reply: ControlReply): void {
    const statuses = q.getAll('jobStatuses').flatMap(s => s.split(','));
    const max = Math.min(1000, Number(q.get('maxResults') ?? 1000) || 1000);
    const all = [...jobs.values()].filter(j => statuses.length === 0 || statuses.includes(j.status));
    const start = Number(Buffer.from(q.get('nextToken') ?? '', 'base64').toString() || 0) || 0;
    const page = all.slice(start, start + max);
    const next = start + max < all.length ? Buffer.from(String(start + max)).toString('base64') : undefined;
    reply.xml(
      `<ListJobsResult xmlns="${CONTROL_NS}">${el('NextToken', next)}<Jobs>` +
        page
          .map(
            j =>
              `<member>${el('JobId', j.id)}${el('Description', j.description)}${el('Operation', j.operationName)}${el('Priority', j.priority)}${el('Status', j.status)}` +
              `${el('CreationTime', iso(j.created))}${el('TerminationDate', iso(j.terminated))}${progressXml(j)}</member>`,
          )
          .join('') +
        `</Jobs></ListJobsResult>`,
    );
  }

  return {
    /** Serves one S3 Control request; `call` is its operation (see `controlCall`). */
    handle(call: string, path: string[], q: URLSearchParams, body: Buffer, region: string, reply: ControlReply): void {
      jobRegion = region;
      if (call === 'CreateJob') return createJob(body.toString('utf8'), reply);
      if (call === 'ListJobs') return listJobs(q, reply);
      const job = jobs.get(path[2] ?? '');
      if (!job) return reply.error(404, 'NoSuchJob', 'The specified job does not exist.');
      if (call === 'DescribeJob')
        return reply.xml(`<DescribeJobResult xmlns="${CONTROL_NS}">${describeXml(job)}</DescribeJobResult>`);
      return updateJobStatus(job, q, reply);
    },
    /** Every job's status (tests). */
    statuses: () => Object.fromEntries([...jobs.values()].map(j => [j.id, j.status])),
  };
}

/** The S3 Control operation of a request, or null. */
export function controlCall(method: string, path: string[]): string | null {
  if (path[0] !== 'v20180820' || path[1] !== 'jobs') return null;
  if (path.length === 2) return method === 'POST' ? 'CreateJob' : method === 'GET' ? 'ListJobs' : null;
  if (path.length === 3 && method === 'GET') return 'DescribeJob';
  if (path.length === 4 && path[3] === 'status' && method === 'POST') return 'UpdateJobStatus';
  return null;
}

/** One CSV line (quoted fields with doubled quotes). */
function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          v += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else v += line[i++];
      }
      out.push(v);
      i++;
    } else {
      const end = line.indexOf(',', i);
      out.push(end < 0 ? line.slice(i) : line.slice(i, end));
      i = end < 0 ? line.length + 1 : end + 1;
    }
  }
  return out;
}

/** Manifest and inventory keys are URL-encoded (`+` for a space in inventory reports). */
function decodeKey(k: string): string {
  try {
    return decodeURIComponent(k.replace(/\+/g, '%20'));
  } catch {
    return k;
  }
}

function reportObject(body: Buffer, contentType: string): Version {
  return {
    versionId: newVersionId(),
    deleteMarker: false,
    body,
    size: body.length,
    etag: `"${md5Hex(body)}"`,
    lastModified: new Date(),
    sse: { kind: 'SSE-S3', bucketKey: false },
    storageClass: 'STANDARD',
    system: { contentType },
    metadata: {},
    tags: [],
    grants: [],
    legalHold: false,
    parts: 0,
  };
}
