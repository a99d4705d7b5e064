// S3 Batch Operations jobs: the list with status and progress, one job in detail, its completion
// report read back, and the one write: confirming a job that waits (Suspended, because it was
// created with ConfirmationRequired) by setting it Ready — after re-reading it, so that only a job
// still waiting is confirmed (docs/design/aws-facts.md, "S3 Batch Operations").
// Jobs are regional: each call goes to S3 Control in one region. A job this tool created names its
// bucket in its description (batch.ts, jobDescription); other jobs have no bucket here.
import { GetObjectCommand, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import {
  DescribeJobCommand,
  ListJobsCommand,
  UpdateJobStatusCommand,
  type DescribeJobResult,
  type JobDescriptor,
  type JobListDescriptor,
  type ListJobsResult,
  type UpdateJobStatusResult,
} from '@aws-sdk/client-s3-control';
import { GetCallerIdentityCommand, type GetCallerIdentityCommandOutput } from '@aws-sdk/client-sts';
import { bucketOfDescription } from './batch';
import { CallFailed, mustCall } from './batch-call';
import type { Session } from './session';
import type { JobProgress, JobSummary } from './batch-types';

export { progressText, type JobProgress, type JobSummary } from './batch-types';

/** ListJobs pages read at most (1,000 jobs a page). */
const MAX_JOB_PAGES = 20;
/** Result files of a completion report read at most, and bytes of each (one answer). */
const MAX_REPORT_FILES = 50;

export interface JobDetail extends JobSummary {
  confirmationRequired: boolean;
  role: string | null;
  manifest: { arn: string; etag: string; format: string } | null;
  report: { bucket: string; prefix: string; scope: string; enabled: boolean } | null;
  statusReason: string | null;
  suspendedCause: string | null;
  failures: { code: string; reason: string }[];
  /** The target key of an UpdateObjectEncryption or copy job. */
  kmsKey: string | null;
}

export function progressOf(
  p: { TotalNumberOfTasks?: number; NumberOfTasksSucceeded?: number; NumberOfTasksFailed?: number } | undefined,
): JobProgress {
  const total = typeof p?.TotalNumberOfTasks === 'number' ? p.TotalNumberOfTasks : null;
  const succeeded = p?.NumberOfTasksSucceeded ?? 0;
  const failed = p?.NumberOfTasksFailed ?? 0;
  const percent = total === null ? null : total === 0 ? 100 : Math.min(100, Math.floor(((succeeded + failed) * 100) / total));
  return { total, succeeded, failed, percent };
}

const iso = (d: Date | undefined): string | null => (d instanceof Date && !isNaN(d.getTime()) ? d.toISOString() : null);

function operationOf(op: JobDescriptor['Operation']): string | null {
  if (!op) return null;
  const names = Object.keys(op).filter(k => (op as Record<string, unknown>)[k] !== undefined);
  return names[0] ?? null;
}

function summaryOf(j: JobListDescriptor): JobSummary {
  return {
    id: j.JobId ?? '',
    status: j.Status ?? 'unknown',
    bucket: bucketOfDescription(j.Description),
    description: j.Description ?? '',
    operation: j.Operation ?? null,
    created: iso(j.CreationTime),
    terminated: iso(j.TerminationDate),
    progress: progressOf(j.ProgressSummary),
  };
}

export function detailOf(j: JobDescriptor): JobDetail {
  const op = j.Operation;
  const kmsKey = op?.S3UpdateObjectEncryption?.ObjectEncryption?.SSEKMS?.KMSKeyArn ?? op?.S3PutObjectCopy?.SSEAwsKmsKeyId ?? null;
  const reportBucket = j.Report?.Bucket ?? '';
  return {
    id: j.JobId ?? '',
    status: j.Status ?? 'unknown',
    bucket: bucketOfDescription(j.Description),
    description: j.Description ?? '',
    operation: operationOf(op),
    created: iso(j.CreationTime),
    terminated: iso(j.TerminationDate),
    progress: progressOf(j.ProgressSummary),
    confirmationRequired: j.ConfirmationRequired === true,
    role: j.RoleArn ?? null,
    manifest: j.Manifest?.Location
      ? {
          arn: j.Manifest.Location.ObjectArn ?? '',
          etag: j.Manifest.Location.ETag ?? '',
          format: j.Manifest.Spec?.Format ?? '',
        }
      : null,
    report: j.Report
      ? {
          bucket: reportBucket.startsWith('arn:') ? reportBucket.slice(reportBucket.lastIndexOf(':') + 1) : reportBucket,
          prefix: j.Report.Prefix ?? '',
          scope: j.Report.ReportScope ?? '',
          enabled: j.Report.Enabled === true,
        }
      : null,
    statusReason: j.StatusUpdateReason ?? null,
    suspendedCause: j.SuspendedCause ?? null,
    failures: (j.FailureReasons ?? []).slice(0, 20).map(f => ({ code: f.FailureCode ?? '', reason: f.FailureReason ?? '' })),
    kmsKey,
  };
}

/** The caller's account ID (S3 Control calls name it). */
export async function accountId(session: Session, signal?: AbortSignal): Promise<string> {
  const r = await mustCall<GetCallerIdentityCommandOutput>(
    session,
    'sts:GetCallerIdentity',
    session.sts(session.region),
    new GetCallerIdentityCommand({}),
    signal,
  );
  if (!r.Account || !/^\d{12}$/.test(r.Account))
    throw new CallFailed({
      call: 'sts:GetCallerIdentity',
      code: 'MalformedResponse',
      message: 'GetCallerIdentity named no 12-digit account; pass --account-id',
    });
  return r.Account;
}

/** The jobs of the account in `region`, newest first; only those of `bucket` when given. */
export async function listJobs(
  session: Session,
  opts: { account: string; region: string; bucket?: string; signal?: AbortSignal },
): Promise<{ jobs: JobSummary[]; truncated: boolean }> {
  const jobs: JobSummary[] = [];
  let token: string | undefined;
  let truncated = false;
  for (let page = 0; ; page++) {
    if (page >= MAX_JOB_PAGES) {
      truncated = true;
      break;
    }
    const r = await mustCall<ListJobsResult>(
      session,
      's3:ListJobs',
      session.s3control(opts.region),
      new ListJobsCommand({ AccountId: opts.account, NextToken: token, MaxResults: 1000 }),
      opts.signal,
    );
    for (const j of r.Jobs ?? []) {
      const s = summaryOf(j);
      if (!opts.bucket || s.bucket === opts.bucket) jobs.push(s);
    }
    if (!r.NextToken) break;
    if (r.NextToken === token) throw new Error('ListJobs repeats its page: the endpoint is not behaving like S3 Control');
    token = r.NextToken;
  }
  jobs.sort((a, b) => (b.created ?? '').localeCompare(a.created ?? ''));
  return { jobs, truncated };
}

export async function describeJob(
  session: Session,
  opts: { account: string; region: string; jobId: string; signal?: AbortSignal },
): Promise<JobDetail> {
  const r = await mustCall<DescribeJobResult>(
    session,
    's3:DescribeJob',
    session.s3control(opts.region),
    new DescribeJobCommand({ AccountId: opts.account, JobId: opts.jobId }),
    opts.signal,
  );
  if (!r.Job)
    throw new CallFailed({ call: 's3:DescribeJob', code: 'MalformedResponse', message: 'DescribeJob answered without a job' });
  return detailOf(r.Job);
}

/**
 * Confirms a job that waits for it: re-reads the job, refuses unless it is Suspended waiting for
 * confirmation, sets it Ready, and checks the answer says so.
 */
export async function confirmJob(
  session: Session,
  opts: { account: string; region: string; jobId: string; signal?: AbortSignal },
): Promise<{ before: JobDetail; status: string }> {
  const before = await describeJob(session, opts);
  if (before.status !== 'Suspended')
    throw new Error(`job ${before.id} is ${before.status}, not waiting for confirmation (Suspended): nothing was changed`);
  const r = await mustCall<UpdateJobStatusResult>(
    session,
    's3:UpdateJobStatus',
    session.s3control(opts.region),
    new UpdateJobStatusCommand({
      AccountId: opts.account,
      JobId: opts.jobId,
      RequestedJobStatus: 'Ready',
      StatusUpdateReason: 'confirmed in s3-encryption-guard',
    }),
    opts.signal,
  );
  const status = r.Status ?? 'unknown';
  if (status === 'Suspended' || status === 'Failed' || status === 'Cancelled')
    throw new Error(
      `S3 answered that job ${before.id} is ${status} after the confirmation${r.StatusUpdateReason ? ` (${r.StatusUpdateReason})` : ''}`,
    );
  return { before, status };
}

/**
 * Cancels a job that has not finished: re-reads it first and refuses one already Complete, Failed
 * or Cancelled. Tasks already done stay done (S3 cannot undo them).
 */
export async function cancelJob(
  session: Session,
  opts: { account: string; region: string; jobId: string; signal?: AbortSignal },
): Promise<{ before: JobDetail; status: string }> {
  const before = await describeJob(session, opts);
  if (['Complete', 'Failed', 'Cancelled'].includes(before.status))
    throw new Error(`job ${before.id} is ${before.status}: there is nothing to cancel`);
  const r = await mustCall<UpdateJobStatusResult>(
    session,
    's3:UpdateJobStatus',
    session.s3control(opts.region),
    new UpdateJobStatusCommand({
      AccountId: opts.account,
      JobId: opts.jobId,
      RequestedJobStatus: 'Cancelled',
      StatusUpdateReason: 'cancelled in s3-encryption-guard',
    }),
    opts.signal,
  );
  const status = r.Status ?? 'unknown';
  if (status !== 'Cancelled' && status !== 'Cancelling')
    throw new Error(`S3 answered that job ${before.id} is ${status} after the cancellation`);
  return { before, status };
}

export interface ReportTask {
  bucket: string;
  key: string;
  versionId: string;
  status: string;
  errorCode: string;
  httpStatus: string;
  message: string;
}

export interface CompletionReport {
  created: string | null;
  succeeded: number;
  failed: number;
  /** The failed tasks (the first 100). */
  failures: ReportTask[];
  /** Result files not read (beyond MAX_REPORT_FILES). */
  unread: number;
}

/** One CSV record (RFC 4180 quoting), from `text` at `i`: its fields and where the next one starts. */
function csvRecord(text: string, i: number): { fields: string[]; next: number } {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      return { fields, next: i + 1 };
    } else field += c;
  }
  fields.push(field);
  return { fields, next: i };
}

/** Every record of a CSV text. */
export function csvRecords(text: string): string[][] {
  const out: string[][] = [];
  let i = 0;
  while (i < text.length) {
    const r = csvRecord(text, i);
    if (r.fields.length > 1 || r.fields[0] !== '') out.push(r.fields);
    i = r.next;
  }
  return out;
}

/** A key as the report writes it (URL-encoded, as in the manifest) decoded; kept as is when it is not. */
const decodeKey = (k: string): string => {
  try {
    return decodeURIComponent(k.replace(/\+/g, '%20'));
  } catch {
    return k;
  }
};

async function getText(session: Session, region: string, bucket: string, key: string, signal?: AbortSignal): Promise<string> {
  const r = await mustCall<GetObjectCommandOutput>(
    session,
    's3:GetObject',
    session.s3(region),
    new GetObjectCommand({ Bucket: bucket, Key: key }),
    signal,
  );
  return (await r.Body?.transformToString('utf8')) ?? '';
}

/**
 * The job's completion report: `PREFIX/job-ID/manifest.json` in the report bucket, then its result
 * files (Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage).
 */
export async function readCompletionReport(
  session: Session,
  job: JobDetail,
  region: string,
  signal?: AbortSignal,
): Promise<CompletionReport> {
  if (!job.report?.enabled || !job.report.bucket) throw new Error(`job ${job.id} has no completion report`);
  const base = `${job.report.prefix ? `${job.report.prefix.replace(/\/$/, '')}/` : ''}job-${job.id}/`;
  const text = await getText(session, region, job.report.bucket, `${base}manifest.json`, signal);
  let manifest: { ReportCreationDate?: unknown; Results?: unknown };
  try {
    manifest = JSON.parse(text) as typeof manifest;
  } catch {
    throw new Error(`the completion report manifest s3://${job.report.bucket}/${base}manifest.json is not JSON`);
  }
  const results = Array.isArray(manifest.Results) ? manifest.Results : [];
  const report: CompletionReport = {
    created: typeof manifest.ReportCreationDate === 'string' ? manifest.ReportCreationDate : null,
    succeeded: 0,
    failed: 0,
    failures: [],
    unread: Math.max(0, results.length - MAX_REPORT_FILES),
  };
  for (const r of results.slice(0, MAX_REPORT_FILES)) {
    const { Bucket, Key } = (r ?? {}) as { Bucket?: unknown; Key?: unknown };
    if (typeof Bucket !== 'string' || typeof Key !== 'string') continue;
    for (const f of csvRecords(await getText(session, region, Bucket, Key, signal))) {
      // The schema names ErrorCode before HTTPStatusCode, but AWS's own example lines put the
      // HTTP status first (`…,failed,200,PermanentFailure,…`): a three-digit field is the status.
      const statusFirst = /^\d{3}$/.test(f[4] ?? '') && !/^\d{3}$/.test(f[5] ?? '');
      const task: ReportTask = {
        bucket: f[0] ?? '',
        key: decodeKey(f[1] ?? ''),
        versionId: f[2] ?? '',
        status: f[3] ?? '',
        errorCode: (statusFirst ? f[5] : f[4]) ?? '',
        httpStatus: (statusFirst ? f[4] : f[5]) ?? '',
        message: f[6] ?? '',
      };
      if (task.status === 'succeeded') report.succeeded++;
      else {
        report.failed++;
        if (report.failures.length < 100) report.failures.push(task);
      }
    }
  }
  return report;
}
