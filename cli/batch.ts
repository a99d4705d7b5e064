// `reencrypt --batch`: re-encryption as one S3 Batch Operations job (aws/batch.ts). The plan is
// printed first (operation, manifest, objects, report, role, cost, assumptions); nothing is
// written without --yes, and --dry-run prints the plan only. The job is created with
// ConfirmationRequired, so it also waits in S3 (status Suspended) until someone confirms it there
// or with the editor's "Confirm job". Every value from the endpoint is escaped for the terminal.
// Exit codes: 0 the job was created (or the dry run planned it), 1 it could not be (a blocker in
// the plan, a failed call, no --yes), 2 usage, credentials or connection problems.
import { bucketArg, connectionFlag } from './connection-flags';
import { escapeTerminal } from '../shared/escape';
import { eachArg, textOrJson } from './args';
import { createBatchJob, planBatch, type BatchOperation, type BatchPlan, type PlannedBatch } from '../aws/batch';
import { AbortedError, CallFailed } from '../aws/batch-call';
import { isConnectionError } from '../aws/errors';
import { openSession, SessionError, type Session, type SessionOptions } from '../aws/session';

export interface BatchReencryptOptions {
  bucket: string;
  kmsKey: string;
  prefix?: string;
  versions: boolean;
  yes: boolean;
  dryRun: boolean;
  role?: string;
  reportBucket?: string;
  manifestBucket?: string;
  manifestKey?: string;
  format: 'text' | 'json';
  session: SessionOptions;
  /** Replace an object already at --manifest-key (said in the plan). */
  overwriteManifest?: boolean;
  /** SSE-S3 as the target (the copy operation; `kmsKey` is then ignored and may be empty). */
  sseS3?: boolean;
  /** Force the job's operation (default UpdateObjectEncryption). */
  operation?: BatchOperation;
  /** S3 Bucket Key for re-encrypted objects (default true). */
  bucketKey?: boolean;
  /** Completion report scope (default all tasks). */
  reportScope?: 'AllTasks' | 'FailedTasksOnly';
  /** Read the bucket's S3 Inventory when one fits (default true). */
  useInventory?: boolean;
  /** Objects a generated manifest may list. */
  maxObjects?: number;
}

export interface BatchIo {
  out(s: string): void;
  err(s: string): void;
  signal?: AbortSignal;
}

const t = (s: string | number | null | undefined, max = 300): string => escapeTerminal(String(s ?? ''), max);

const usd = (n: number): string => (n >= 1 ? `$${n.toFixed(2)}` : `$${n.toFixed(4)}`);

/** The plan as text, one fact a line. */
export function formatBatchPlan(plan: BatchPlan): string {
  const m = plan.manifest;
  const lines = [
    `Batch Operations job for s3://${t(plan.bucket)}/${t(plan.prefix)} (${t(plan.region)})`,
    `  operation:  ${plan.operationName} to ${plan.target === 'SSE-S3' ? 'SSE-S3' : `SSE-KMS ${t(plan.kmsKey)}, S3 Bucket Key ${plan.bucketKey ? 'on' : 'off'}`}${plan.versions ? ', every version' : ', current versions'}`,
    `  manifest:   s3://${t(m.bucket)}/${t(m.key)} (${m.source === 'inventory' ? `S3 Inventory report of ${t(m.inventoryDate)}` : `generated CSV${m.reused ? ', already written by an earlier plan' : m.replaces ? ', REPLACES the object there' : ''}`})`,
    `  objects:    ${m.objects === null ? 'as many as the inventory report lists (not counted)' : m.objects}${
      m.byEncryption
        ? ` (${Object.entries(m.byEncryption)
            .map(([k, n]) => `${t(k, 20)} ${n}`)
            .join(', ')})`
        : ''
    }`,
    `  report:     s3://${t(plan.report.bucket)}/${t(plan.report.prefix)} (${plan.report.scope === 'AllTasks' ? 'all tasks' : 'failed tasks only'})`,
    `  role:       ${plan.role.arn ? t(plan.role.arn) : '(none)'}: ${t(plan.role.message, 600)}`,
    `  account:    ${plan.account ? `${t(plan.account)}${plan.accountSource === 'role' ? ' (from the role ARN)' : ''}` : 'unknown'}`,
    `  cost:       ${usd(plan.cost.perJob)} per job + ${usd(plan.cost.perObject)} per object${plan.cost.total !== null ? `, about ${usd(plan.cost.total)} in all (${plan.cost.kmsRequests} KMS requests)` : ''}`,
    '  confirmation: the job is created waiting for confirmation (Suspended) and runs only once confirmed in S3',
  ];
  for (const a of plan.assumptions) lines.push(`  assumes: ${t(a, 800)}`);
  for (const w of plan.warnings) lines.push(`  warning: ${t(w, 800)}`);
  for (const b of plan.blockers) lines.push(`  cannot create: ${t(b, 800)}`);
  return lines.join('\n');
}

/** The `reencrypt` JSON interface (issue 14) for a batch run, with the plan beside it. */
function resultJson(
  plan: BatchPlan | null,
  bucket: string,
  job: string | null,
  failed: { key: string; code: string; message: string }[],
) {
  return {
    bucket,
    planned: plan?.manifest.objects ?? 0,
    updated: 0,
    copied: 0,
    skipped: {},
    failed,
    job,
    batch: plan,
  };
}

/**
 * Plans and (with `yes`) creates the job; resolves to the exit code. Prints the plan (text) or
 * the `reencrypt` JSON with `"job": "<id>"` (json). h14-objects' `reencrypt --batch` calls this.
 */
export async function reencryptWithBatch(opts: BatchReencryptOptions, io: BatchIo): Promise<number> {
  const err = (s: string) => io.err(`s3-encryption-guard: ${s}\n`);
  const json = opts.format === 'json';
  const finish = (plan: BatchPlan | null, job: string | null, failed: { key: string; code: string; message: string }[]) => {
    if (json) io.out(JSON.stringify(resultJson(plan, opts.bucket, job, failed), null, 2) + '\n');
  };
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
  let planned: PlannedBatch | null = null;
  try {
    planned = await planBatch(
      session,
      {
        bucket: opts.bucket,
        kmsKey: opts.kmsKey,
        prefix: opts.prefix,
        versions: opts.versions,
        role: opts.role,
        reportBucket: opts.reportBucket,
        reportScope: opts.reportScope,
        manifestBucket: opts.manifestBucket,
        manifestKey: opts.manifestKey,
        overwriteManifest: opts.overwriteManifest,
        sseS3: opts.sseS3,
        operation: opts.operation,
        bucketKey: opts.bucketKey,
        useInventory: opts.useInventory,
        maxObjects: opts.maxObjects,
      },
      io.signal,
    );
    const plan = planned.plan;
    if (!json) io.out(formatBatchPlan(plan) + '\n');
    if (plan.blockers.length) {
      err(`no job created: ${t(plan.blockers[0], 600)}`);
      finish(plan, null, [{ key: '', code: 'PlanBlocked', message: plan.blockers.join('; ') }]);
      return 1;
    }
    if (opts.dryRun) {
      if (!json) io.out('dry run: nothing was written and no job was created\n');
      finish(plan, null, []);
      return 0;
    }
    if (!opts.yes) {
      err('no job created: pass --yes to write the manifest and create this job (or --dry-run to only plan)');
      finish(plan, null, []);
      return 1;
    }
    const created = await createBatchJob(session, planned, io.signal);
    if (created.unchecked) err(`warning: ${t(created.unchecked, 600)}`);
    if (created.problems.length) {
      // A job that is not what was asked for is a surprise: said, and the run fails.
      for (const p of created.problems) err(`job ${t(created.jobId)} is not as planned: ${t(p, 600)}`);
      finish(
        plan,
        created.jobId,
        created.problems.map(message => ({ key: '', code: 'JobNotAsPlanned', message })),
      );
      return 1;
    }
    if (!json)
      io.out(
        `created job ${t(created.jobId)}: it waits for confirmation (Suspended); confirm it in the S3 console, with "aws s3control update-job-status --requested-job-status Ready", or with the editor's "Confirm job"; follow it with "s3-encryption-guard jobs --bucket ${t(opts.bucket)}"\n`,
      );
    finish(plan, created.jobId, []);
    return 0;
  } catch (e) {
    if (e instanceof AbortedError) {
      err('interrupted');
      return 130;
    }
    const code = e instanceof CallFailed ? e.error.code : 'Error';
    const message = e instanceof Error ? e.message : String(e);
    err(escapeTerminal(message, 600));
    finish(planned?.plan ?? null, null, [{ key: '', code, message }]);
    return e instanceof CallFailed && isConnectionError(e.error) ? 2 : 1;
  } finally {
    session.destroy();
  }
}

export const BATCH_USAGE = `Usage: s3-encryption-guard reencrypt --batch --bucket B (--kms-key ARN | --sse-s3) --role ARN [--prefix P] [--versions]
         [--report-bucket B2] [--manifest-bucket B3] [--manifest-key K] [--overwrite-manifest]
         [--operation update|copy] [--no-bucket-key] [--failed-only-report] [--no-inventory]
         [--dry-run] [--yes] [--format text|json] [--profile P] [--region R] [--endpoint URL]

Creates one S3 Batch Operations job that re-encrypts the bucket's objects with SSE-KMS under the
key: UpdateObjectEncryption (in place) by default, or a copy onto itself (--operation copy, for
unencrypted objects, and for --sse-s3). The manifest is the bucket's newest S3 Inventory report when one fits, else
a CSV written to --manifest-bucket (default: the report bucket, else the bucket) under
--manifest-key. The plan is printed first; nothing is written without --yes. The job waits for
confirmation in S3: "s3-encryption-guard jobs --confirm ID --yes" lets it run.`;

class BatchUsageError extends Error {}

/** Parses `reencrypt --batch …` into options; throws a usage error naming the problem. */
export function parseBatchArgs(argv: readonly string[]): BatchReencryptOptions {
  const o: Partial<BatchReencryptOptions> & { session: SessionOptions } = {
    versions: false,
    yes: false,
    dryRun: false,
    format: 'text',
    session: {},
  };
  eachArg(
    argv,
    m => new BatchUsageError(m),
    (flag, value, fail) => {
      if (connectionFlag(flag, value, o.session, fail)) return;
      switch (flag) {
        case '--batch':
          break;
        case '--bucket':
          o.bucket = bucketArg(value(), fail);
          break;
        case '--kms-key':
          o.kmsKey = value();
          break;
        case '--prefix':
          o.prefix = value();
          break;
        case '--versions':
          o.versions = true;
          break;
        case '--yes':
          o.yes = true;
          break;
        case '--dry-run':
          o.dryRun = true;
          break;
        case '--role':
          o.role = value();
          break;
        case '--report-bucket':
          o.reportBucket = value();
          break;
        case '--manifest-bucket':
          o.manifestBucket = value();
          break;
        case '--manifest-key':
          o.manifestKey = value();
          break;
        case '--overwrite-manifest':
          o.overwriteManifest = true;
          break;
        case '--operation': {
          const v = value();
          if (v !== 'update' && v !== 'copy') throw new BatchUsageError('--operation is update or copy');
          o.operation = v;
          break;
        }
        case '--sse-s3':
          o.sseS3 = true;
          break;
        case '--no-bucket-key':
          o.bucketKey = false;
          break;
        case '--failed-only-report':
          o.reportScope = 'FailedTasksOnly';
          break;
        case '--no-inventory':
          o.useInventory = false;
          break;
        case '--format':
          o.format = textOrJson(value(), 'reencrypt', fail);
          break;
        default:
          throw new BatchUsageError(flag.startsWith('-') ? `unknown option ${flag}` : `unexpected argument "${flag}"`);
      }
    },
  );
  if (!o.bucket) throw new BatchUsageError('--bucket is required');
  if (o.sseS3 && o.kmsKey) throw new BatchUsageError('--sse-s3 and --kms-key: one target');
  if (!o.kmsKey && !o.sseS3) throw new BatchUsageError('--kms-key is required (the target key ARN), or --sse-s3');
  o.kmsKey ??= '';
  if (o.yes && o.dryRun) throw new BatchUsageError('--yes and --dry-run contradict each other');
  return o as BatchReencryptOptions;
}

/** `reencrypt --batch` from a command line; resolves to the exit code. */
export async function batchCommand(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(BATCH_USAGE + '\n');
    return 0;
  }
  let opts: BatchReencryptOptions;
  try {
    opts = parseBatchArgs(argv);
  } catch (e) {
    if (!(e instanceof BatchUsageError)) throw e;
    process.stderr.write(
      `s3-encryption-guard: ${escapeTerminal(e.message)} (run "s3-encryption-guard reencrypt --batch --help" for usage)\n`,
    );
    return 2;
  }
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    return await reencryptWithBatch(opts, {
      out: s => process.stdout.write(s),
      err: s => process.stderr.write(s),
      signal: abort.signal,
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
}
