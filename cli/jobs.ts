// `s3-encryption-guard jobs`: S3 Batch Operations jobs with status and progress (aws/batch-jobs.ts).
//   jobs [--bucket B]            the account's jobs in a region (the bucket's, with --bucket: only
//                                the jobs this tool created for it)
//   jobs --job ID                one job in detail, and its completion report once it has one
//   jobs --confirm ID [--yes]    confirms a job waiting for it (Suspended): re-read, then set Ready;
//                                without --yes it only says what would be confirmed
//   jobs --cancel ID [--yes]     cancels a job that has not finished (re-read first)
// Text or --format json. Every value from the endpoint is escaped for the terminal.
// Exit codes: 0 done, 1 a call failed or the job cannot be confirmed, 2 usage, credentials or connection problems.
import { bucketArg, connectionFlag } from './connection-flags';
import { GetBucketLocationCommand } from '@aws-sdk/client-s3';
import { escapeTerminal } from '../shared/escape';
import { eachArg, textOrJson } from './args';
import { AbortedError, CallFailed, mustCall } from '../aws/batch-call';
import {
  accountId,
  cancelJob,
  confirmJob,
  describeJob,
  listJobs,
  progressText,
  readCompletionReport,
  type CompletionReport,
  type JobDetail,
  type JobSummary,
} from '../aws/batch-jobs';
import { isConnectionError } from '../aws/errors';
import { locationToRegion } from '../aws/posture';
import { openSession, SessionError, type Session, type SessionOptions } from '../aws/session';

export const JOBS_USAGE = `Usage: s3-encryption-guard jobs [--bucket B] [--job ID] [--confirm ID|--cancel ID [--yes]]
                              [--region R] [--account-id ID] [--format text|json]
                              [--profile P] [--endpoint URL] [--timeout MS]

jobs     Lists S3 Batch Operations jobs with their status and progress. Jobs are regional: the
         region is the bucket's with --bucket, else --region (or the profile's). With --bucket,
         only the jobs this tool created for that bucket are listed.

Options:
  --bucket B        the jobs re-encrypting this bucket
  --job ID          one job in detail (operation, manifest, report, role, failures) and, once it
                    has one, its completion report (tasks succeeded and failed)
  --confirm ID      confirm a job that waits for confirmation (status Suspended): it is re-read
                    first and set Ready only if it still waits; needs --yes
  --cancel ID       cancel a job that has not finished (tasks already done stay done); needs --yes
  --account-id ID   the account (default: sts:GetCallerIdentity)
  --format text|json

Exit codes: 0 done, 1 a call failed or the job cannot be confirmed, 2 usage, credentials or connection problem.`;

class JobsUsageError extends Error {}

interface JobsOptions {
  bucket?: string;
  job?: string;
  confirm?: string;
  cancel?: string;
  yes: boolean;
  account?: string;
  format: 'text' | 'json';
  session: SessionOptions;
}

function parseJobsArgs(argv: readonly string[]): JobsOptions {
  const o: JobsOptions = { yes: false, format: 'text', session: {} };
  const jobId = (v: string) => {
    if (!/^[A-Za-z0-9-]{1,64}$/.test(v)) throw new JobsUsageError(`"${v}" is not a job ID`);
    return v;
  };
  eachArg(
    argv,
    m => new JobsUsageError(m),
    (flag, value, fail) => {
      if (connectionFlag(flag, value, o.session, fail)) return;
      switch (flag) {
        case '--bucket': {
          o.bucket = bucketArg(value(), fail);
          break;
        }
        case '--job':
          o.job = jobId(value());
          break;
        case '--confirm':
          o.confirm = jobId(value());
          break;
        case '--cancel':
          o.cancel = jobId(value());
          break;
        case '--yes':
          o.yes = true;
          break;
        case '--account-id': {
          const a = value();
          if (!/^\d{12}$/.test(a)) throw new JobsUsageError('--account-id expects the 12-digit account ID');
          o.account = a;
          break;
        }
        case '--format':
          o.format = textOrJson(value(), 'jobs', fail);
          break;
        default:
          throw new JobsUsageError(flag.startsWith('-') ? `unknown option ${flag}` : `unexpected argument "${flag}"`);
      }
    },
  );
  if ([o.job, o.confirm, o.cancel].filter(Boolean).length > 1)
    throw new JobsUsageError('--job, --confirm and --cancel: one at a time');
  if (o.yes && !o.confirm && !o.cancel) throw new JobsUsageError('--yes goes with --confirm ID or --cancel ID');
  return o;
}

const t = (s: string | number | null | undefined, max = 300): string => escapeTerminal(String(s ?? ''), max);

function jobsTable(jobs: readonly JobSummary[]): string {
  if (!jobs.length) return 'no jobs';
  const rows = jobs.map(j => [
    t(j.id, 64),
    t(j.status, 20),
    progressText(j.progress),
    t(j.bucket ?? '-', 63),
    t(j.operation ?? '-', 40),
    t(j.created ?? '-', 30),
  ]);
  const head = ['JOB', 'STATUS', 'PROGRESS', 'BUCKET', 'OPERATION', 'CREATED'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

function jobText(j: JobDetail, report: CompletionReport | null, reportProblem: string | null): string {
  const lines = [
    `job ${t(j.id)}: ${t(j.status)}${j.status === 'Suspended' && j.confirmationRequired ? ' (waits for confirmation: jobs --confirm ID --yes)' : ''}`,
    `  progress:   ${progressText(j.progress)}`,
    `  operation:  ${t(j.operation ?? '-')}${j.kmsKey ? ` to ${t(j.kmsKey)}` : ''}`,
    `  bucket:     ${t(j.bucket ?? '-')}`,
    `  described:  ${t(j.description || '-', 300)}`,
    `  manifest:   ${t(j.manifest?.arn ?? '-', 600)}${j.manifest ? ` (${t(j.manifest.format)})` : ''}`,
    `  report:     ${j.report?.enabled ? `s3://${t(j.report.bucket)}/${t(j.report.prefix)} (${t(j.report.scope)})` : 'none'}`,
    `  role:       ${t(j.role ?? '-')}`,
    `  created:    ${t(j.created ?? '-')}${j.terminated ? `, ended ${t(j.terminated)}` : ''}`,
  ];
  if (j.statusReason) lines.push(`  reason:     ${t(j.statusReason, 600)}`);
  if (j.suspendedCause) lines.push(`  suspended:  ${t(j.suspendedCause, 600)}`);
  for (const f of j.failures) lines.push(`  failure:    ${t(f.code)}: ${t(f.reason, 600)}`);
  if (report) {
    lines.push(
      `  completion report${report.created ? ` of ${t(report.created)}` : ''}: ${report.succeeded} succeeded, ${report.failed} failed`,
    );
    for (const f of report.failures.slice(0, 20))
      lines.push(
        `    ${t(f.key, 200)}${f.versionId ? ` (version ${t(f.versionId, 100)})` : ''}: ${t(f.errorCode || f.status)} ${t(f.message, 300)}`,
      );
    if (report.failures.length > 20) lines.push(`    … ${report.failed - 20} more (see --format json or the report)`);
    if (report.unread) lines.push(`    ${report.unread} result files not read`);
  } else if (reportProblem) lines.push(`  completion report: ${t(reportProblem, 600)}`);
  return lines.join('\n');
}

const FINAL = new Set(['Complete', 'Failed', 'Cancelled']);

async function regionOf(session: Session, bucket: string | undefined, signal: AbortSignal): Promise<string> {
  if (!bucket) return session.region;
  const loc = await mustCall<{ LocationConstraint?: string }>(
    session,
    's3:GetBucketLocation',
    session.s3(session.region),
    new GetBucketLocationCommand({ Bucket: bucket }),
    signal,
  );
  return locationToRegion(loc.LocationConstraint);
}

/** Runs `jobs`; resolves to the exit code. */
export async function jobs(argv: string[]): Promise<number> {
  const err = (msg: string) => process.stderr.write(`s3-encryption-guard: ${msg}\n`);
  const out = (s: string) => process.stdout.write(s);
  if (argv.includes('-h') || argv.includes('--help')) {
    out(`${JOBS_USAGE}\n`);
    return 0;
  }
  let opts: JobsOptions;
  try {
    opts = parseJobsArgs(argv);
  } catch (e) {
    if (!(e instanceof JobsUsageError)) throw e;
    err(`${escapeTerminal(e.message)} (run "s3-encryption-guard jobs --help" for usage)`);
    return 2;
  }
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let session: Session;
  try {
    session = await openSession(opts.session);
  } catch (e) {
    if (e instanceof SessionError) {
      err(escapeTerminal(e.message, 600));
      return 2;
    }
    throw e;
  }
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  const signal = abort.signal;
  try {
    const region = await regionOf(session, opts.bucket, signal);
    const account = opts.account ?? (await accountId(session, signal));
    if (opts.confirm) {
      const jobId = opts.confirm;
      if (!opts.yes) {
        const j = await describeJob(session, { account, region, jobId, signal });
        if (opts.format === 'json') out(JSON.stringify({ region, account, job: j, confirmed: false }, null, 2) + '\n');
        else out(jobText(j, null, null) + '\n');
        err(
          j.status === 'Suspended'
            ? `not confirmed: pass --yes to let job ${t(jobId)} run (${j.progress.total ?? 'an unknown number of'} tasks, ${t(j.operation ?? 'its operation')}${j.kmsKey ? ` to ${t(j.kmsKey)}` : ''})`
            : `job ${t(jobId)} is ${t(j.status)}, not waiting for confirmation`,
        );
        return 1;
      }
      const r = await confirmJob(session, { account, region, jobId, signal });
      if (opts.format === 'json')
        out(JSON.stringify({ region, account, job: r.before, confirmed: true, status: r.status }, null, 2) + '\n');
      else out(`confirmed job ${t(jobId)}: now ${t(r.status)}\n`);
      return 0;
    }
    if (opts.cancel) {
      const jobId = opts.cancel;
      if (!opts.yes) {
        const j = await describeJob(session, { account, region, jobId, signal });
        if (opts.format === 'json') out(JSON.stringify({ region, account, job: j, cancelled: false }, null, 2) + '\n');
        else out(jobText(j, null, null) + '\n');
        err(
          `not cancelled: pass --yes to cancel job ${t(jobId)} (${t(j.status)}, ${progressText(j.progress)}); tasks already done stay done`,
        );
        return 1;
      }
      const r = await cancelJob(session, { account, region, jobId, signal });
      if (opts.format === 'json')
        out(JSON.stringify({ region, account, job: r.before, cancelled: true, status: r.status }, null, 2) + '\n');
      else out(`cancelled job ${t(jobId)}: now ${t(r.status)} (${progressText(r.before.progress)} were done before)\n`);
      return 0;
    }
    if (opts.job) {
      const j = await describeJob(session, { account, region, jobId: opts.job, signal });
      let report: CompletionReport | null = null;
      let reportProblem: string | null = null;
      if (FINAL.has(j.status) && j.report?.enabled) {
        try {
          report = await readCompletionReport(session, j, region, signal);
        } catch (e) {
          if (e instanceof AbortedError) throw e;
          reportProblem = `could not be read: ${e instanceof Error ? e.message : String(e)}`;
        }
      }
      if (opts.format === 'json') out(JSON.stringify({ region, account, job: j, report, reportProblem }, null, 2) + '\n');
      else out(jobText(j, report, reportProblem) + '\n');
      return 0;
    }
    const listed = await listJobs(session, { account, region, bucket: opts.bucket, signal });
    if (opts.format === 'json')
      out(
        JSON.stringify(
          { region, account, bucket: opts.bucket ?? null, jobs: listed.jobs, truncated: listed.truncated },
          null,
          2,
        ) + '\n',
      );
    else {
      out(`Batch Operations jobs in ${t(region)}${opts.bucket ? ` for ${t(opts.bucket)}` : ''}\n${jobsTable(listed.jobs)}\n`);
      if (listed.truncated) err('more jobs than were read: the list is partial');
    }
    return 0;
  } catch (e) {
    if (e instanceof AbortedError) {
      err('interrupted');
      return 130;
    }
    err(escapeTerminal(e instanceof Error ? e.message : String(e), 600));
    return e instanceof CallFailed && isConnectionError(e.error) ? 2 : 1;
  } finally {
    process.off('SIGINT', onSigint);
    session.destroy();
  }
}
