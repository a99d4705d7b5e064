// `s3-encryption-guard status`: the live encryption posture of an account's buckets (aws),
// judged by the engine in-process, as a table or as JSON (docs/design/architecture.md, "CLI status").
// Exit codes: 0 every call succeeded and every bucket meets the requirements; 1 some bucket fails a
// check (the requirements of .s3-encryption-guard.json / --config, or a key S3 cannot use) or some
// of its facts could not be read; 2 usage, config, credentials or connection problems (one line each),
// and an endpoint that cannot list its buckets (a malformed or endless ListBuckets, aws).
// Only Get/List/Describe calls are made. Credentials never appear in the output, and every string
// that comes from the endpoint (bucket names, regions, key ARNs, error messages, what a policy
// says) is escaped for the terminal, one value on one line.
import { bucketArg, connectionFlag, regionName } from './connection-flags';
import { clip, escapeTerminal } from '../shared/escape';
import { configFileFor, eachArg, shownPath, textOrJson } from './args';
import { localJudge } from './local-judge';
import { fetchPosture } from '../aws/posture';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_TIMEOUT_MS } from '../aws/session';
import { MAX_ANSWER_BYTES, RETRY_BACKOFF_ALLOWANCE_MS } from '../aws/wire';
import { marksText, policyMarks } from '../aws/checks';
import type { BucketPosture, CallError, PostureReport } from '../aws/types';
import { verdictSummary } from '../shared/summary';
import { DEFAULT_REQUIREMENTS, loadConfigFile, RequirementsError, type Requirements } from '../core/requirements';
import { shortKeyArn } from '../shared/wording';
import { addObjectAudits, formatObjectsSection, objectsFail } from './objects';

/** The default output fits this many columns (issue 11, item 8); `--wide` shows every value whole. */
export const STATUS_COLUMNS = 120;

export const STATUS_USAGE = `Usage: s3-encryption-guard status [--profile P] [--region R]... [--endpoint URL] [--bucket B]...
                                [--format text|json] [--wide] [--concurrency N] [--timeout MS]

status   Reads the live encryption posture of the account's buckets (default encryption, bucket
         policy verdict, Block Public Access, the KMS key and its policy) with Get/List/Describe
         calls only, and checks it against the requirements.

Options:
  --profile P          AWS profile (default: AWS_PROFILE, else the default credential chain)
  --region R           only buckets in this region (repeatable); the first is also the region of
                       account-wide calls (default: AWS_REGION, the profile's region, us-east-1)
  --endpoint URL       an S3/KMS-compatible endpoint (path-style); on localhost, dummy credentials
                       are used when none are configured
  --bucket B           only this bucket (repeatable; no ListBuckets call)
  --format text|json   output format (default: text)
  --wide               text: every value whole and each check with its details, in lines as
                       long as they need; by default the text fits ${STATUS_COLUMNS} columns: a mark per
                       bucket policy check (✓ pass, ⚠ warn, ✗ fail), values too long cut with …
  --concurrency N      AWS calls in flight at most (default 8)
  --timeout MS         deadline of one attempt of a call: connecting, the headers and the
                       whole answer (default ${DEFAULT_TIMEOUT_MS})
  --max-attempts N     attempts per call, with the SDK's backoff (default ${DEFAULT_MAX_ATTEMPTS}); a call
                       ends after N x (MS + ${RETRY_BACKOFF_ALLOWANCE_MS / 1000} s) at most
  --config FILE        requirements (default: the first .s3-encryption-guard.json upwards)
  --no-config          ignore .s3-encryption-guard.json files
  --objects            also audit each bucket's existing objects: counts by encryption, KMS key
                       and Bucket Key, objects that fail the requirements (unencrypted, SSE-C,
                       another algorithm or key than the config file's sse / kmsKeyArns); from
                       the newest S3 Inventory report when the bucket has one with the
                       EncryptionStatus field, else by listing with HeadObject per object
  --max-objects N      objects listed at most per bucket (default 10000; implies --objects);
                       the audit then says it is partial

Answers larger than ${MAX_ANSWER_BYTES / (1024 * 1024)} MB, malformed answers and a bucket list that never ends are refused,
each with a line that names what happened.

Exit codes: 0 all buckets pass, 1 a bucket fails a check or could not be read fully,
2 usage, credentials or connection problem, or the bucket list could not be read.`;

class StatusUsageError extends Error {}

interface StatusOptions {
  profile?: string;
  regions: string[];
  endpoint?: string;
  buckets: string[];
  format: 'text' | 'json';
  wide: boolean;
  concurrency?: number;
  timeoutMs?: number;
  maxAttempts?: number;
  config?: string;
  noConfig: boolean;
  color: boolean;
  /** --objects: the object audit of each bucket; --max-objects N objects listed at most per bucket. */
  objects: boolean;
  maxObjects?: number;
}

function parseStatusArgs(argv: string[]): StatusOptions {
  const opts: StatusOptions = {
    regions: [],
    buckets: [],
    format: 'text',
    wide: false,
    noConfig: false,
    color: process.stdout.isTTY === true && !process.env.NO_COLOR,
    objects: false,
  };
  eachArg(
    argv,
    m => new StatusUsageError(m),
    (flag, value, fail) => {
      const positive = (name: string, max: number): number => {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1 || n > max)
          throw new StatusUsageError(`${name} expects a whole number from 1 to ${max}`);
        return n;
      };
      if (flag !== '--region' && connectionFlag(flag, value, opts, fail)) return;
      switch (flag) {
        case '--region':
          // status takes several Regions; the other commands one.
          opts.regions.push(regionName(value(), fail));
          break;
        case '--bucket': {
          // Lenient: buckets made in us-east-1 before 2018 may have upper case and underscores.
          const b = bucketArg(value(), fail);
          opts.buckets.push(b);
          break;
        }
        case '--format':
          opts.format = textOrJson(value(), 'status', fail);
          break;
        case '--wide':
          opts.wide = true;
          break;
        case '--concurrency':
          opts.concurrency = positive('--concurrency', 256);
          break;
        case '--config':
          opts.config = value();
          break;
        case '--no-config':
          opts.noConfig = true;
          break;
        case '--no-color':
          opts.color = false;
          break;
        case '--color':
          opts.color = true;
          break;
        case '--objects':
          opts.objects = true;
          break;
        case '--max-objects':
          opts.maxObjects = positive('--max-objects', 100_000_000);
          opts.objects = true;
          break;
        default:
          throw new StatusUsageError(
            flag.startsWith('-') ? `unknown option ${flag}` : `status takes no file arguments (got "${flag}"); use --bucket NAME`,
          );
      }
    },
  );
  return opts;
}

function requirementsFor(opts: StatusOptions): { requirements: Requirements; problem?: string } {
  const file = configFileFor(opts);
  if (!file) return { requirements: { ...DEFAULT_REQUIREMENTS } };
  try {
    return { requirements: loadConfigFile(file).requirements };
  } catch (e) {
    if (e instanceof RequirementsError)
      return { requirements: { ...DEFAULT_REQUIREMENTS }, problem: `config ${shownPath(file)}: ${e.problems.join('; ')}` };
    throw e;
  }
}

type BucketStatus = 'pass' | 'warn' | 'fail' | 'error';

export function bucketStatus(b: BucketPosture): BucketStatus {
  if (b.checks.some(c => c.status === 'fail')) return 'fail';
  if (b.errors.length) return 'error';
  return b.checks.some(c => c.status === 'warn') ? 'warn' : 'pass';
}

/** The report as printed by --format json: policy texts left out (they are the account's, not ours to echo). */
export function statusJson(report: PostureReport): unknown {
  return {
    buckets: report.buckets.map(b => {
      const { text: _text, ...policy } = b.policy;
      const kmsKey = b.kmsKey ? (({ policyText: _p, ...k }) => k)(b.kmsKey) : null;
      return { ...b, policy, kmsKey };
    }),
    ...(report.errors?.length ? { errors: report.errors } : {}),
    ...(report.source ? { source: report.source } : {}),
  };
}

const shortKey = shortKeyArn;

const ALGORITHMS: Record<string, string> = { AES256: 'SSE-S3', 'aws:kms': 'SSE-KMS', 'aws:kms:dsse': 'DSSE-KMS' };

function encryptionCell(b: BucketPosture, wide: boolean): string {
  const e = b.defaultEncryption;
  if (!e) return '?';
  if (!e.algorithm) return 'none';
  if (!wide) return ALGORITHMS[e.algorithm] ?? e.algorithm;
  return `${e.algorithm}${e.bucketKeyEnabled ? ' +BucketKey' : ''}`;
}

function keyCell(b: BucketPosture, wide: boolean): string {
  const k = b.kmsKey;
  if (!k) return b.defaultEncryption?.algorithm?.startsWith('aws:kms') ? '?' : '–';
  const name = k.keyManager === 'AWS' ? 'aws/s3' : shortKey(k.arn);
  // Narrow: the key alone; its state, spec, region and rotation are checks, listed below the table.
  if (!wide) return name;
  const parts = [name];
  if (k.state) parts.push(k.state);
  if (k.keySpec && k.keySpec !== 'SYMMETRIC_DEFAULT') parts.push(k.keySpec);
  if (k.region && b.region && k.region !== b.region) parts.push(k.region);
  if (k.rotation !== null) parts.push(k.rotation ? 'rotated' : 'not rotated');
  return parts.join(' ');
}

function policyCell(b: BucketPosture, minTls: string | null, wide: boolean): string {
  if (b.policy.present === null) return '?';
  if (b.policy.present && !b.policy.verdict) return 'not judged';
  // Narrow: a mark per check, as the editor's status bar shows a policy (`✓ HTTPS ⚠ SSE ✓ TLS`).
  if (!wide) return `${b.policy.present ? '' : 'none '}${marksText(policyMarks(b.checks))}`;
  if (!b.policy.verdict) return 'no policy';
  return verdictSummary(b.policy.verdict, minTls);
}

function pabCell(b: BucketPosture): string {
  const p = b.publicAccessBlock;
  if (!p) return b.errors.some(e => e.call === 'GetPublicAccessBlock') ? '?' : 'not set';
  const on = Object.values(p).filter(Boolean).length;
  return on === 4 ? 'all on' : `${on}/4 on`;
}

const COLORS: Record<BucketStatus | 'info', string> = {
  pass: '\x1b[32m',
  warn: '\x1b[33m',
  fail: '\x1b[31m',
  error: '\x1b[35m',
  info: '\x1b[2m',
};

/** The table's columns: header, and in the narrow table the widest a value may be (the sum fits STATUS_COLUMNS). */
const COLUMNS: { header: string; wideHeader?: string; max: number }[] = [
  { header: 'bucket', max: 30 },
  { header: 'region', max: 14 },
  { header: 'encryption', wideHeader: 'default encryption', max: 10 },
  { header: 'KMS key', max: 14 },
  { header: 'bucket policy', max: 20 },
  { header: 'public access', wideHeader: 'public access block', max: 13 },
  { header: 'status', max: 6 },
];

/**
 * The report as text: a table (one row per bucket), then each bucket's failed and warned checks and
 * failed calls, then a count. By default every line fits STATUS_COLUMNS: cells and messages that do
 * not are clipped with "…" and a last line says so; `wide` shows each value whole and each check's
 * detail.
 */
export function formatStatusText(report: PostureReport, requirements: Requirements, color: boolean, wide = false): string {
  const paint = (s: BucketStatus, text: string) => (color ? `${COLORS[s]}${text}\x1b[0m` : text);
  let clipped = false;
  /** A value in a line of at most `max` columns: control characters made visible, one line, clipped (narrow). */
  const fit = (text: string, max: number): string => {
    const one = escapeTerminal(text, 1000);
    if (wide || one.length <= max) return one;
    clipped = true;
    return clip(one, max);
  };
  const headers = COLUMNS.map(c => (wide ? (c.wideHeader ?? c.header) : c.header));
  const rows = report.buckets.map(b =>
    [
      b.name,
      b.region ?? '?',
      encryptionCell(b, wide),
      keyCell(b, wide),
      policyCell(b, requirements.minTlsVersion, wide),
      pabCell(b),
    ]
      .map((v, i) => fit(v, COLUMNS[i].max))
      .concat(bucketStatus(b)),
  );
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
  const line = (r: string[], status?: BucketStatus) =>
    r
      .map((c, i) => (i === r.length - 1 ? (status ? paint(status, c) : c) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out: string[] = [];
  if (!report.buckets.length) out.push('No buckets.');
  else {
    out.push(line(headers));
    for (let i = 0; i < rows.length; i++) out.push(line(rows[i], rows[i][6] as BucketStatus));
  }
  const details = report.buckets.filter(b => b.errors.length || b.checks.some(c => c.status !== 'pass'));
  if (details.length) out.push('');
  const indent = 9; // "  fail   ", "  error  "
  for (const b of details) {
    out.push(`${fit(b.name, STATUS_COLUMNS - 1)}:`);
    for (const status of ['fail', 'warn'] as const) {
      for (const c of b.checks.filter(x => x.status === status)) {
        const id = ` [${escapeTerminal(c.id, 60)}]`;
        const text = wide && c.detail ? `${c.message} ${c.detail}` : c.message;
        out.push(
          `  ${paint(status, status)}${' '.repeat(7 - status.length)}${fit(text, STATUS_COLUMNS - indent - id.length)}${id}`,
        );
      }
    }
    for (const e of b.errors) out.push(`  ${paint('error', 'error')}  ${fit(errorText(e), STATUS_COLUMNS - indent)}`);
  }
  const counts = { pass: 0, warn: 0, fail: 0, error: 0 } as Record<BucketStatus, number>;
  for (const b of report.buckets) counts[bucketStatus(b)]++;
  const failedCalls = report.buckets.reduce((n, b) => n + b.errors.length, 0);
  out.push(
    '',
    fit(
      `${report.buckets.length} bucket${report.buckets.length === 1 ? '' : 's'}: ${counts.pass} pass, ${counts.warn} warn, ${counts.fail} fail${counts.error ? `, ${counts.error} incomplete` : ''}` +
        `${failedCalls ? `; ${failedCalls} call${failedCalls === 1 ? '' : 's'} failed` : ''}${report.source?.credentials === 'dummy' ? ` (endpoint ${report.source.endpoint ?? ''}, dummy credentials)` : ''}`,
      STATUS_COLUMNS,
    ),
  );
  if (clipped)
    out.push(
      `Values cut with … to fit ${STATUS_COLUMNS} columns: --wide or --format json shows them whole, with each check's details.`,
    );
  return out.join('\n');
}

/** A failed call as one line: `call: code: message`, the message (which may quote the endpoint) escaped. */
function errorText(e: CallError, withCode = true): string {
  return escapeTerminal(`${e.call}: ${withCode ? `${e.code}: ` : ''}${e.message}`, 600);
}

/** Runs `status`; resolves to the exit code. Writes the report to stdout, problems to stderr. */
export async function status(argv: string[]): Promise<number> {
  const err = (msg: string) => process.stderr.write(`s3-encryption-guard: ${msg}\n`);
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(`${STATUS_USAGE}\n`);
    return 0;
  }
  let opts: StatusOptions;
  try {
    opts = parseStatusArgs(argv);
  } catch (e) {
    if (!(e instanceof StatusUsageError)) throw e;
    err(`${e.message} (run "s3-encryption-guard status --help" for usage)`);
    return 2;
  }
  const { requirements, problem } = requirementsFor(opts);
  if (problem) {
    err(problem);
    return 2;
  }
  // The SDK's notice about future Node versions is not the user's problem in a CLI run.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  const progress = process.stderr.isTTY === true;
  let report: PostureReport;
  try {
    report = await fetchPosture({
      profile: opts.profile,
      region: opts.regions[0],
      regions: opts.regions,
      endpoint: opts.endpoint,
      buckets: opts.buckets,
      concurrency: opts.concurrency,
      timeoutMs: opts.timeoutMs,
      maxAttempts: opts.maxAttempts,
      judge: localJudge(),
      requirements,
      signal: abort.signal,
      onProgress: progress
        ? p => {
            if (p.total > 0) process.stderr.write(`\rreading ${p.done}/${p.total} buckets…`);
          }
        : undefined,
    });
    if (opts.objects && !report.errors?.length)
      await addObjectAudits(
        report,
        {
          profile: opts.profile,
          region: opts.regions[0],
          endpoint: opts.endpoint,
          timeoutMs: opts.timeoutMs,
          maxAttempts: opts.maxAttempts,
        },
        requirements,
        {
          maxObjects: opts.maxObjects,
          concurrency: opts.concurrency,
          signal: abort.signal,
          onProgress: progress
            ? (b, n) => process.stderr.write(`\r\x1b[Kreading objects of ${escapeTerminal(b, 60)}: ${n}…`)
            : undefined,
        },
      );
  } catch (e) {
    if (abort.signal.aborted) {
      if (progress) process.stderr.write('\r\x1b[K');
      err('interrupted');
      return 130;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (progress) process.stderr.write('\r\x1b[K');
  if (opts.format === 'json') process.stdout.write(JSON.stringify(statusJson(report), null, 2) + '\n');
  if (report.errors?.length) {
    for (const e of report.errors) err(e.call === 'credentials' ? escapeTerminal(e.message, 600) : errorText(e, false));
    return 2;
  }
  if (opts.format === 'text')
    process.stdout.write(
      formatStatusText(report, requirements, opts.color, opts.wide) + formatObjectsSection(report, opts.wide) + '\n',
    );
  return report.buckets.some(b => (bucketStatus(b) !== 'pass' && bucketStatus(b) !== 'warn') || objectsFail(b)) ? 1 : 0;
}
