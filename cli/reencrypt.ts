// `s3-encryption-guard reencrypt`: re-encrypts a bucket's existing objects (aws/objects/), object by
// object, or as an S3 Batch Operations job with --batch (cli/batch.ts) or when the plan is larger
// than --batch-threshold. The plan is printed first; nothing is written without --yes, and
// --dry-run prints the plan only. The run keeps a journal (--journal FILE, default
// ./s3-encryption-guard-reencrypt-<bucket>.journal): the same command resumes a run that was
// stopped, killed or crashed, without redoing or losing work. Ctrl-C stops it cleanly.
// Exit codes: 0 nothing failed; 1 an object failed, the run stopped on a surprise, or --yes was
// not given; 2 usage, journal, credentials or connection problems; 130 stopped by Ctrl-C.
// Every value from the endpoint is escaped for the terminal; credentials never appear.
import { bucketArg, connectionFlag } from './connection-flags';
import path from 'node:path';
import { GetBucketLocationCommand } from '@aws-sdk/client-s3';
import { Journal, JournalError } from '../aws/objects/journal';
import { SKIP_TEXT, type PlanSummary, type SkipReason, type Target } from '../aws/objects/plan';
import {
  DEFAULT_BATCH_THRESHOLD,
  DEFAULT_PART_BYTES,
  DEFAULT_REENCRYPT_CONCURRENCY,
  planReencryption,
  runReencryption,
  targetText,
  type ReencryptReport,
} from '../aws/objects/reencrypt';
import { locationToRegion } from '../aws/posture';
import { openSession, SessionError, type Session } from '../aws/session';
import { escapeTerminal } from '../shared/escape';
import { eachArg, textOrJson } from './args';
import { reencryptWithBatch } from './batch';

/** The deadline of one attempt of a call, unless --timeout says otherwise. */
export const REENCRYPT_TIMEOUT_MS = 120_000;

export const REENCRYPT_USAGE = `Usage: s3-encryption-guard reencrypt --bucket B (--kms-key ARN | --sse-s3) [--prefix P] [--versions]
                                   [--dry-run] [--yes] [--journal FILE] [--format text|json]
                                   [--batch --role ARN --report-bucket B2] [connection options]

reencrypt   Re-encrypts the bucket's existing objects to SSE-KMS with the key given (or SSE-S3).
            Plans first: per object UpdateObjectEncryption (SSE-S3/SSE-KMS to SSE-KMS, in place,
            proven first on a canary object the tool writes and deletes), CopyObject onto itself
            (unencrypted objects, SSE-S3 as target, endpoints without UpdateObjectEncryption), or
            a multipart copy (objects over 5 GB); SSE-C, Object Lock and archived objects are
            skipped and reported. Copies keep metadata, content-type, tags, storage class, ACL,
            Object Lock settings and checksums, and never overwrite an object changed since the plan.

Options:
  --bucket B             the bucket (required)
  --kms-key ARN          the target KMS key (a key ARN)
  --sse-s3               target SSE-S3 instead (copies only)
  --no-bucket-key        SSE-KMS without an S3 Bucket Key (default: with, fewer KMS requests)
  --prefix P             only keys that start with P
  --versions             also older versions (UpdateObjectEncryption only: a copy would add a version)
  --dry-run              print the plan only
  --yes                  carry the plan out (nothing is written without it)
  --journal FILE         the run's journal (default ./s3-encryption-guard-reencrypt-<bucket>.journal);
                         run the same command again to resume
  --copy-only            never UpdateObjectEncryption: copy every object
  --concurrency N        calls in flight at most (default ${DEFAULT_REENCRYPT_CONCURRENCY}; halved on SlowDown)
  --multipart-threshold BYTES  objects over this size are copied in parts (default 5 GiB)
  --part-size BYTES      part size of multipart copies (default ${DEFAULT_PART_BYTES})
  --batch                an S3 Batch Operations job instead (with --role ARN, --report-bucket B2)
  --batch-threshold N    plans of more objects go to Batch Operations (default ${DEFAULT_BATCH_THRESHOLD})
  --format text|json     output (json: the report, with the plan)
  --timeout MS           deadline of one attempt of a call (default ${REENCRYPT_TIMEOUT_MS}: copies answer when done)
  --profile P, --region R, --endpoint URL, --max-attempts N: as for status

Exit codes: 0 nothing failed, 1 an object failed or the run stopped on a surprise (or no --yes),
2 usage, journal, credentials or connection problem, 130 stopped with Ctrl-C (run again to resume).`;

class UsageError extends Error {}

interface ReencryptArgs {
  bucket?: string;
  kmsKey?: string;
  sseS3: boolean;
  bucketKey: boolean;
  prefix: string;
  versions: boolean;
  dryRun: boolean;
  yes: boolean;
  journal?: string;
  copyOnly: boolean;
  concurrency?: number;
  multipartThreshold?: number;
  partSize?: number;
  batch: boolean;
  batchThreshold: number;
  role?: string;
  reportBucket?: string;
  format: 'text' | 'json';
  profile?: string;
  region?: string;
  endpoint?: string;
  timeoutMs?: number;
  maxAttempts?: number;
}

const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

function parse(argv: string[]): ReencryptArgs {
  const a: ReencryptArgs = {
    sseS3: false,
    bucketKey: true,
    prefix: '',
    versions: false,
    dryRun: false,
    yes: false,
    copyOnly: false,
    batch: false,
    batchThreshold: DEFAULT_BATCH_THRESHOLD,
    format: 'text',
  };
  eachArg(
    argv,
    m => new UsageError(m),
    (flag, value, fail) => {
      const whole = (name: string, min: number, max: number): number => {
        const n = Number(value());
        if (!Number.isInteger(n) || n < min || n > max)
          throw new UsageError(`${name} expects a whole number from ${min} to ${max}`);
        return n;
      };
      if (connectionFlag(flag, value, a, fail)) return;
      switch (flag) {
        case '--bucket': {
          const b = bucketArg(value(), fail);
          a.bucket = b;
          break;
        }
        case '--kms-key': {
          const k = value();
          if (!KEY_ARN.test(k))
            throw new UsageError(
              `--kms-key needs a key ARN such as arn:aws:kms:eu-west-1:111122223333:key/1234abcd-…, not "${k}" (S3 records the ARN; an alias could later point elsewhere)`,
            );
          a.kmsKey = k;
          break;
        }
        case '--sse-s3':
          a.sseS3 = true;
          break;
        case '--no-bucket-key':
          a.bucketKey = false;
          break;
        case '--prefix':
          a.prefix = value();
          break;
        case '--versions':
          a.versions = true;
          break;
        case '--dry-run':
          a.dryRun = true;
          break;
        case '--yes':
          a.yes = true;
          break;
        case '--journal':
          a.journal = value();
          break;
        case '--copy-only':
          a.copyOnly = true;
          break;
        case '--concurrency':
          a.concurrency = whole('--concurrency', 1, 256);
          break;
        case '--multipart-threshold':
          a.multipartThreshold = whole('--multipart-threshold', 1, 5 * 1024 ** 3);
          break;
        case '--part-size':
          a.partSize = whole('--part-size', 1, 5 * 1024 ** 3);
          break;
        case '--batch':
          a.batch = true;
          break;
        case '--batch-threshold':
          a.batchThreshold = whole('--batch-threshold', 1, 1e12);
          break;
        case '--role':
          a.role = value();
          break;
        case '--report-bucket':
          a.reportBucket = value();
          break;
        case '--format':
          a.format = textOrJson(value(), 'reencrypt', fail);
          break;
        default:
          throw new UsageError(
            flag.startsWith('-') ? `unknown option ${flag}` : `reencrypt takes no file arguments (got "${flag}")`,
          );
      }
    },
  );
  if (!a.bucket) throw new UsageError('--bucket B is required');
  if (!a.kmsKey && !a.sseS3) throw new UsageError('name the target: --kms-key ARN (SSE-KMS) or --sse-s3');
  if (a.kmsKey && a.sseS3) throw new UsageError('--kms-key and --sse-s3 name two targets: give one');
  if (a.dryRun && a.yes) throw new UsageError('--dry-run and --yes contradict each other: give one');
  return a;
}

const t = (s: string | number, max = 300) => escapeTerminal(String(s), max);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The plan as text. */
export function formatPlan(p: PlanSummary, alreadyDone: number): string {
  const m = p.byMethod;
  const lines = [
    `Re-encryption plan for s3://${t(p.bucket)}/${t(p.prefix)} → ${t(targetText(p.target), 400)}`,
    `  read:       ${plural(p.scanned, 'object')}${p.complete ? '' : ' (PARTIAL: see the notes)'}; ${p.alreadyCompliant} already compliant${alreadyDone ? ` (${alreadyDone} done by an earlier run of this journal)` : ''}`,
    `  to change:  ${plural(p.planned, 'object')}: ${m.update} UpdateObjectEncryption (in place), ${m.copy} CopyObject onto itself, ${m['multipart-copy']} multipart copy`,
  ];
  const skipped = Object.entries(p.skipped) as [SkipReason, number][];
  if (skipped.length) lines.push(`  skipped:    ${skipped.map(([r, n]) => `${n} ${SKIP_TEXT[r]}`).join('; ')}`);
  lines.push(
    `  requests:   ${p.s3Requests.writes} S3 writes, ${p.s3Requests.reads} S3 reads, at most ${p.kmsRequests} KMS requests${p.target.bucketKey ? ' (far fewer with the S3 Bucket Key)' : ''}; ${p.copyBytes} bytes copied inside S3`,
    `  cost:       ${p.costUsd < 0.01 ? 'under $0.01' : `about $${p.costUsd.toFixed(2)}`} (${t(p.priceSource, 400)})`,
  );
  for (const n of p.notes) lines.push(`  note:       ${t(n, 600)}`);
  return lines.join('\n');
}

/** The final report as text. */
export function formatReport(r: ReencryptReport): string {
  const skipped = Object.entries(r.skipped) as [SkipReason, number][];
  const lines = [
    `${r.stopped ? 'Stopped' : 'Done'}: s3://${t(r.bucket)}: ${r.updated} updated in place, ${r.copied} copied, ${skipped.reduce((n, [, c]) => n + c, 0)} skipped, ${r.failed.length} failed` +
      `${r.alreadyDone ? ` (and ${r.alreadyDone} done by an earlier run)` : ''}`,
  ];
  for (const [reason, n] of skipped) lines.push(`  skipped ${n}: ${SKIP_TEXT[reason]}`);
  for (const f of r.failed.slice(0, 50))
    lines.push(
      `  failed: ${t(f.key, 200)}${f.versionId ? ` (version ${t(f.versionId, 80)})` : ''}: ${t(f.code, 60)}: ${t(f.message, 600)}`,
    );
  if (r.failed.length > 50) lines.push(`  … ${r.failed.length - 50} more failures (--format json lists them all)`);
  if (r.stopped) lines.push(`  stopped: ${t(r.stopped, 800)}`);
  for (const n of r.notes) lines.push(`  note: ${t(n, 600)}`);
  return lines.join('\n');
}

/** The journal's default file: in the working folder, named after the bucket. */
export const defaultJournal = (bucket: string, prefix: string): string =>
  path.resolve(
    `s3-encryption-guard-reencrypt-${bucket}${prefix ? `-${prefix.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60)}` : ''}.journal`,
  );

/** Runs `reencrypt`; resolves to the exit code. */
export async function reencrypt(argv: string[]): Promise<number> {
  const err = (msg: string) => process.stderr.write(`s3-encryption-guard: ${msg}\n`);
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(`${REENCRYPT_USAGE}\n`);
    return 0;
  }
  let a: ReencryptArgs;
  try {
    a = parse(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`${escapeTerminal(e.message, 600)} (run "s3-encryption-guard reencrypt --help" for usage)`);
    return 2;
  }
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const bucket = a.bucket!;
  // A copy inside S3 answers only when it is done: a part of 512 MiB may take far longer than a
  // read, so the deadline of one attempt is longer here than for status (still a deadline).
  const sessionOpts = {
    profile: a.profile,
    region: a.region,
    endpoint: a.endpoint,
    timeoutMs: a.timeoutMs ?? REENCRYPT_TIMEOUT_MS,
    maxAttempts: a.maxAttempts,
  };
  const runBatch = async (): Promise<number> => {
    if (!a.kmsKey) {
      err('--batch re-encrypts to SSE-KMS: give --kms-key ARN');
      return 2;
    }
    return reencryptWithBatch(
      {
        bucket,
        kmsKey: a.kmsKey,
        prefix: a.prefix || undefined,
        versions: a.versions,
        yes: a.yes,
        dryRun: a.dryRun,
        role: a.role,
        reportBucket: a.reportBucket,
        format: a.format,
        session: sessionOpts,
        bucketKey: a.bucketKey,
      },
      { out: s => process.stdout.write(s), err: s => process.stderr.write(s) },
    );
  };
  if (a.batch) return runBatch();

  let session: Session;
  try {
    session = await openSession(sessionOpts);
  } catch (e) {
    if (e instanceof SessionError) {
      err(escapeTerminal(e.message, 600));
      return 2;
    }
    throw e;
  }
  const abort = new AbortController();
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    abort.abort();
  };
  process.once('SIGINT', onSigint);
  const tty = process.stderr.isTTY === true;
  let journal: Journal | undefined;
  try {
    // The bucket's region: its calls go there (the emulator and S3-compatible stores answer any).
    let region = session.region;
    try {
      const loc = await session
        .s3(session.region)
        .send(new GetBucketLocationCommand({ Bucket: bucket }), { abortSignal: abort.signal });
      region = locationToRegion(loc.LocationConstraint);
    } catch {
      // Unknown: the session's region, with the SDK following S3's redirects.
    }
    const s3 = session.s3(region);
    const target: Target = a.sseS3
      ? { algorithm: 'AES256', kmsKeyArn: null, bucketKey: false }
      : { algorithm: 'aws:kms', kmsKeyArn: a.kmsKey!, bucketKey: a.bucketKey };
    if (!a.dryRun) {
      const file = a.journal ? path.resolve(a.journal) : defaultJournal(bucket, a.prefix);
      try {
        journal = Journal.open(file, { bucket, prefix: a.prefix, target: targetText(target), versions: a.versions });
      } catch (e) {
        if (!(e instanceof JournalError)) throw e;
        err(escapeTerminal(e.message, 800));
        return 2;
      }
    }
    let lastProgress = 0;
    const opts = {
      bucket,
      prefix: a.prefix,
      versions: a.versions,
      target,
      copyOnly: a.copyOnly || a.sseS3,
      copyLimitBytes: a.multipartThreshold,
      partBytes: a.partSize,
      concurrency: a.concurrency,
      signal: abort.signal,
      onProgress: tty
        ? (p: { phase: string; done: number; total: number; failed: number; concurrency: number }) =>
            Date.now() - lastProgress >= 100 &&
            (lastProgress = Date.now()) &&
            process.stderr.write(
              `\r\x1b[K${p.phase === 'plan' ? `planning: ${p.done} objects read` : p.phase === 'canary' ? 'proving UpdateObjectEncryption on a canary object…' : `re-encrypting: ${p.done}/${p.total}, ${p.failed} failed, ${p.concurrency} in flight`}`,
            )
        : undefined,
    };
    const plan = await planReencryption(s3, session, opts, journal);
    if (tty) process.stderr.write('\r\x1b[K');
    if (interrupted) {
      err('interrupted while planning: nothing was written');
      return 130;
    }
    const planText = formatPlan(plan.summary, plan.alreadyDone);
    // JSON: the plan travels in the document; its text goes to stderr for whoever watches.
    if (a.format === 'text') process.stdout.write(planText + '\n');
    else process.stderr.write(planText + '\n');
    if (plan.items.length > a.batchThreshold) {
      process.stderr.write(
        `${plan.items.length} objects are more than the batch threshold (${a.batchThreshold}): the job goes to S3 Batch Operations instead (--batch-threshold N to change it)\n`,
      );
      journal?.close();
      journal = undefined;
      return runBatch();
    }
    const empty: ReencryptReport = {
      bucket,
      planned: plan.items.length,
      updated: 0,
      copied: 0,
      skipped: { ...plan.summary.skipped },
      failed: plan.errors.map(e => ({ key: '', code: e.code, message: e.message })),
      job: null,
      alreadyDone: plan.alreadyDone,
      stopped: null,
      slowDowns: 0,
      updateObjectEncryption: 'not-needed',
      notes: plan.summary.notes,
    };
    if (a.dryRun || !a.yes || !plan.items.length) {
      if (a.format === 'json')
        process.stdout.write(JSON.stringify({ ...empty, dryRun: a.dryRun, plan: plan.summary }, null, 2) + '\n');
      if (!plan.items.length) {
        if (a.format === 'text') process.stdout.write('Nothing to re-encrypt.\n');
        return empty.failed.length ? 1 : 0;
      }
      if (a.dryRun) return 0;
      err(
        `nothing written: run again with --yes to re-encrypt ${plural(plan.items.length, 'object')} of ${t(bucket)} to ${t(targetText(target), 400)}`,
      );
      return 1;
    }
    const report = await runReencryption(s3, session, opts, plan, journal);
    if (tty) process.stderr.write('\r\x1b[K');
    journal?.close();
    if (a.format === 'json')
      process.stdout.write(JSON.stringify({ ...report, plan: plan.summary, journal: journal?.file ?? null }, null, 2) + '\n');
    else process.stdout.write(formatReport(report) + `\n  journal: ${t(journal?.file ?? '')}\n`);
    if (interrupted) {
      err('interrupted: run the same command again to resume');
      return 130;
    }
    return report.failed.length || report.stopped ? 1 : 0;
  } finally {
    journal?.close();
    process.off('SIGINT', onSigint);
    session.destroy();
  }
}
