// `s3-encryption-guard fix --bucket B`: fixes a live bucket's settings (aws/fix.ts, issue 14 item 4).
// Prints the plan (each setting from → to, the Deny statements added and the policy diff, the checks
// as the engine sees them after the fix, the lock-out check), then writes only with --yes, then
// prints what it changed and what was there before, which it keeps in an undo file for
// `fix --undo --bucket B`. --dry-run prints the plan only.
// Exit codes: 0 written (or nothing to do, or a dry run); 1 not written or stopped (no --yes, the
// plan was refused, the bucket changed since the preview, a write did not take effect, a call
// failed); 2 usage, config, credentials or connection problems. Text from the endpoint is escaped
// for the terminal; credentials never appear.
import { bucketArg, connectionFlag } from './connection-flags';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { escapeTerminal } from '../shared/escape';
import { safeReadTextSync } from '../shared/safe-read';
import { configFileFor, eachArg, shownPath, textOrJson } from './args';
import {
  applyFix,
  describeSetting,
  FIX_KINDS,
  FixError,
  planFix,
  SETTING_LABELS,
  undoFix,
  type FixKind,
  type FixPlan,
  type FixResult,
  type SettingName,
  type UndoRecord,
} from '../aws/fix';
import { MAX_UNDO_FILE_BYTES, parseUndoRecord } from '../aws/fix-undo';
import { MARK } from '../aws/checks';
import { DEFAULT_REQUIREMENTS, loadConfigFile, RequirementsError, type Requirements } from '../core/requirements';
import { localFixJudge } from './fix-judge';

export const FIX_USAGE = `Usage: s3-encryption-guard fix --bucket B [--kms-key ARN | --sse-s3] [--only KINDS]
                             [--min-tls 1.2|1.3|none] [--dry-run] [--yes] [--format text|json]
       s3-encryption-guard fix --undo --bucket B [--undo-file FILE] [--dry-run] [--yes]

fix      Fixes the settings of one live bucket: default encryption (SSE-KMS with the key and an
         S3 Bucket Key, or SSE-S3), SSE-C blocked, Block Public Access, rotation of the bucket's
         key, and the Deny statements its policy is missing (HTTPS, the TLS minimum, SSE-KMS with
         the key pinned), added to the live policy. Prints the plan and the policy diff first;
         writes only with --yes. Before each write the setting is read again and compared with
         the plan (a bucket changed since stops the fix); after it, read back.

Options:
  --bucket B           the bucket (required)
  --kms-key ARN        default encryption SSE-KMS with this key (ARN, key ID or alias), pinned in
                       the policy; without it the bucket's own SSE-KMS key is kept
  --sse-s3             default encryption SSE-S3 (AES256)
  --only KINDS         only these fixes, comma-separated: ${FIX_KINDS.join(', ')}
  --min-tls V          the TLS minimum the policy enforces (default: the requirements' minTlsVersion,
                       else 1.2); none: no TLS statement
  --dry-run            print the plan only; nothing is written
  --yes                write the plan (nothing is written without it)
  --undo               restore what the last fix of the bucket changed (from its undo file)
  --undo-file FILE     where the undo record is kept (default: ${shownUndoDir()}/<bucket>.json)
  --format text|json   output format (default: text)
  --profile P, --region R, --endpoint URL, --timeout MS, --max-attempts N
                       the connection, as for status
  --config FILE, --no-config
                       requirements (default: the first .s3-encryption-guard.json upwards)

Exit codes: 0 written, nothing to do, or a dry run; 1 not written or stopped part way (see the
message; what was written is in the undo file); 2 usage, config, credentials or connection problem.`;

class FixUsageError extends Error {}

interface FixCliOptions {
  bucket?: string;
  kmsKey?: string;
  sseS3: boolean;
  only?: FixKind[];
  minTls?: string | null;
  dryRun: boolean;
  yes: boolean;
  undo: boolean;
  undoFile?: string;
  format: 'text' | 'json';
  profile?: string;
  region?: string;
  endpoint?: string;
  timeoutMs?: number;
  maxAttempts?: number;
  config?: string;
  noConfig: boolean;
}

function parseFixArgs(argv: string[]): FixCliOptions {
  const o: FixCliOptions = { sseS3: false, dryRun: false, yes: false, undo: false, format: 'text', noConfig: false };
  eachArg(
    argv,
    m => new FixUsageError(m),
    (flag, value, fail) => {
      if (connectionFlag(flag, value, o, fail)) return;
      switch (flag) {
        case '--bucket': {
          const b = bucketArg(value(), fail);
          if (o.bucket && o.bucket !== b) throw new FixUsageError('fix takes one --bucket');
          o.bucket = b;
          break;
        }
        case '--kms-key': {
          const k = value();
          if (
            !/^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+|alias\/[A-Za-z0-9/_-]+|[A-Za-z0-9-]{1,128})$/.test(
              k,
            )
          )
            throw new FixUsageError(`"${k}" is not a KMS key ARN, key ID or alias`);
          o.kmsKey = k;
          break;
        }
        case '--sse-s3':
          o.sseS3 = true;
          break;
        case '--only': {
          const kinds = value()
            .split(',')
            .map(s => s.trim())
            .filter(Boolean);
          const bad = kinds.filter(k => !FIX_KINDS.includes(k as FixKind));
          if (bad.length || !kinds.length)
            throw new FixUsageError(
              `--only takes ${FIX_KINDS.join(', ')} (comma-separated)${bad.length ? `, not "${bad.join(', ')}"` : ''}`,
            );
          o.only = kinds as FixKind[];
          break;
        }
        case '--min-tls': {
          const v = value();
          if (v !== 'none' && !['1.1', '1.2', '1.3'].includes(v))
            throw new FixUsageError('--min-tls takes 1.1, 1.2, 1.3 or none');
          o.minTls = v === 'none' ? null : v;
          break;
        }
        case '--dry-run':
          o.dryRun = true;
          break;
        case '--yes':
          o.yes = true;
          break;
        case '--undo':
          o.undo = true;
          break;
        case '--undo-file':
          o.undoFile = value();
          break;
        case '--format':
          o.format = textOrJson(value(), 'fix', fail);
          break;
        case '--config':
          o.config = value();
          break;
        case '--no-config':
          o.noConfig = true;
          break;
        default:
          throw new FixUsageError(`unknown option "${flag}"`);
      }
    },
  );
  if (!o.bucket) throw new FixUsageError('fix needs --bucket B');
  if (o.kmsKey && o.sseS3)
    throw new FixUsageError('--kms-key and --sse-s3 ask for two different default encryptions: choose one');
  if (o.dryRun && o.yes) throw new FixUsageError('--dry-run writes nothing and --yes writes: choose one');
  if (o.undo && (o.kmsKey || o.sseS3 || o.only || o.minTls !== undefined))
    throw new FixUsageError('--undo restores what the last fix changed: it takes no fix options');
  return o;
}

function stateDir(): string {
  const base = process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(base, 's3-encryption-guard', 'fix-undo');
}

function shownUndoDir(): string {
  return process.env.XDG_STATE_HOME
    ? '$XDG_STATE_HOME/s3-encryption-guard/fix-undo'
    : '~/.local/state/s3-encryption-guard/fix-undo';
}

const undoFileOf = (o: FixCliOptions): string => path.resolve(o.undoFile ?? path.join(stateDir(), `${o.bucket}.json`));

function requirementsFor(o: FixCliOptions): Requirements {
  const file = configFileFor(o);
  if (!file) return { ...DEFAULT_REQUIREMENTS };
  try {
    return loadConfigFile(file).requirements;
  } catch (e) {
    if (e instanceof RequirementsError) throw new FixUsageError(`config ${shownPath(file)}: ${e.problems.join('; ')}`);
    throw e;
  }
}

const t = (s: string, max = 1000) => escapeTerminal(s, max);

/** The plan as text: settings from → to, statements added, the diff, the checks that change, the lock-out check, notes. */
export function formatPlan(plan: FixPlan): string {
  const out: string[] = [];
  out.push(`Fix plan for bucket ${t(plan.bucket, 300)} (${t(plan.region, 64)}):`);
  if (!plan.changes.length) out.push('  nothing to change');
  for (const c of plan.changes) {
    out.push(`  ${SETTING_LABELS[c.setting]}: ${t(c.from)} → ${t(c.to)}`);
    if (c.setting === 'policy' && plan.policy)
      for (const a of plan.policy.added) out.push(`    + statement ${t(a.sid, 100)}: ${t(a.does)}`);
  }
  if (plan.policy) {
    out.push('', 'Bucket policy diff (- now, + after the fix):');
    // Line by line: each line of the live policy escaped on its own.
    for (const line of plan.policy.diff.split('\n').slice(0, 2000)) out.push(`  ${t(line, 2000)}`);
  }
  const before = new Map(plan.checksBefore.map(c => [c.id, c]));
  const moved = plan.checksAfter.filter(c => before.get(c.id)?.status !== c.status);
  if (moved.length) {
    out.push('', 'Checks after the fix (as the engine judges the new settings):');
    for (const c of moved) {
      const b = before.get(c.id);
      out.push(`  ${b ? MARK[b.status] : '·'} → ${MARK[c.status]} ${t(c.message)}`);
    }
  }
  const still = plan.checksAfter.filter(c => c.status === 'fail');
  if (still.length) {
    out.push('', 'Still failing after the fix:');
    for (const c of still) out.push(`  ${MARK.fail} ${t(c.message)}`);
  }
  if (plan.lockout) out.push('', `Lock-out check: ${plan.lockout.ok ? 'passed' : 'FAILED'}: ${t(plan.lockout.message)}`);
  if (plan.notes.length) {
    out.push('', 'Left alone:');
    for (const n of plan.notes) out.push(`  - ${t(n)}`);
  }
  if (plan.refused) out.push('', `Refused: ${t(plan.refused)}`);
  return out.join('\n');
}

function formatResult(r: FixResult, undoFile: string | null, undo: boolean): string {
  const out: string[] = [];
  const verb = undo ? 'Restored' : 'Changed';
  if (r.written.length) {
    out.push(`${verb} on bucket ${t(r.bucket, 300)} (each read back and found as intended):`);
    for (const n of r.written) out.push(`  ${SETTING_LABELS[n]}: ${t(describeSetting(n, r.undo.applied))}`);
    out.push('', 'Before:');
    for (const n of r.written) {
      out.push(`  ${SETTING_LABELS[n]}: ${t(describeSetting(n, r.undo.previous))}`);
      if (n === 'policy' && r.undo.previous.policy)
        for (const line of r.undo.previous.policy.split('\n').slice(0, 2000)) out.push(`    ${t(line, 2000)}`);
    }
  } else out.push(`Nothing ${undo ? 'restored' : 'written'} on bucket ${t(r.bucket, 300)}.`);
  if (r.stopped)
    out.push(
      '',
      `Stopped: ${r.stopped.message
        .split('\n')
        .map(l => t(l, 2000))
        .join('\n  ')}`,
    );
  if (undoFile && r.written.length && !undo)
    out.push(
      '',
      `The previous settings are kept in ${t(undoFile)}; undo with: s3-encryption-guard fix --undo --bucket ${t(r.bucket, 300)} --yes`,
    );
  return out.join('\n');
}

function writeUndoFile(file: string, record: UndoRecord): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(record, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function readUndoFile(file: string): UndoRecord {
  const r = safeReadTextSync(file, { maxBytes: MAX_UNDO_FILE_BYTES });
  if (!r.ok) throw new FixUsageError(`undo file ${shownPath(file)}: ${r.message}`);
  const p = parseUndoRecord(r.text);
  if (!p.ok) throw new FixUsageError(`undo file ${shownPath(file)}: ${p.message}`);
  return p.record;
}

/** An endpoint as the session names it (aws/session.ts): origin and path, no trailing slash; null for AWS. */
function sameEndpoint(endpoint: string | undefined): string | null {
  if (!endpoint) return null;
  try {
    const u = new URL(endpoint);
    return u.origin + u.pathname.replace(/\/$/, '');
  } catch {
    return endpoint;
  }
}

/** The record less the settings an undo restored (what is left to undo). */
function remaining(record: UndoRecord, restored: readonly SettingName[]): UndoRecord | null {
  const left: UndoRecord = { ...record, previous: { ...record.previous }, applied: { ...record.applied } };
  for (const n of restored) {
    delete left.previous[n];
    delete left.applied[n];
  }
  return Object.keys(left.applied).length ? left : null;
}

export async function fix(argv: string[]): Promise<number> {
  const err = (msg: string) => process.stderr.write(`s3-encryption-guard fix: ${msg}\n`);
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(`${FIX_USAGE}\n`);
    return 0;
  }
  let o: FixCliOptions;
  let requirements: Requirements;
  try {
    o = parseFixArgs(argv);
    requirements = requirementsFor(o);
  } catch (e) {
    if (!(e instanceof FixUsageError)) throw e;
    err(`${t(e.message)} (run "s3-encryption-guard fix --help" for usage)`);
    return 2;
  }
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const conn = { profile: o.profile, region: o.region, endpoint: o.endpoint, timeoutMs: o.timeoutMs, maxAttempts: o.maxAttempts };
  const file = undoFileOf(o);
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  const json = o.format === 'json';
  const print = (s: string) => process.stdout.write(`${s}\n`);
  try {
    if (o.undo) {
      let record: UndoRecord;
      try {
        record = readUndoFile(file);
      } catch (e) {
        if (!(e instanceof FixUsageError)) throw e;
        err(t(e.message));
        return 2;
      }
      if (record.bucket !== o.bucket) {
        err(`undo file ${t(shownPath(file))} is for bucket ${t(record.bucket, 300)}, not ${t(o.bucket!, 300)}`);
        return 2;
      }
      if ((record.endpoint ?? null) !== sameEndpoint(conn.endpoint)) {
        err(`undo file ${t(shownPath(file))} was written for ${t(record.endpoint ?? 'AWS')}: pass the same --endpoint`);
        return 2;
      }
      const names = Object.keys(record.applied) as SettingName[];
      const planText = [
        `Undo of the fix of ${t(record.time, 64)} on bucket ${t(record.bucket, 300)}:`,
        ...names.map(
          n => `  ${SETTING_LABELS[n]}: ${t(describeSetting(n, record.applied))} → ${t(describeSetting(n, record.previous))}`,
        ),
      ].join('\n');
      if (o.dryRun || !o.yes) {
        if (json) print(JSON.stringify({ bucket: record.bucket, undo: true, dryRun: o.dryRun, record, written: [] }, null, 2));
        else
          print(
            `${planText}\n\n${o.dryRun ? 'Dry run: nothing restored.' : 'Nothing restored: pass --yes to restore these settings.'}`,
          );
        return o.dryRun ? 0 : 1;
      }
      if (!json) print(planText + '\n');
      const r = await undoFix(record, { ...conn, signal: abort.signal });
      const left = remaining(record, r.written);
      if (left) writeUndoFile(file, left);
      else fs.rmSync(file, { force: true });
      if (json)
        print(
          JSON.stringify(
            { bucket: r.bucket, undo: true, dryRun: false, written: r.written, stopped: r.stopped, restored: r.undo.applied },
            null,
            2,
          ),
        );
      else print(formatResult(r, null, true));
      return r.stopped ? 1 : 0;
    }

    const plan = await planFix({
      ...conn,
      bucket: o.bucket!,
      judge: localFixJudge(),
      requirements,
      kmsKey: o.kmsKey,
      encryption: o.sseS3 ? 'sse-s3' : o.kmsKey ? 'sse-kms' : undefined,
      only: o.only,
      minTlsVersion: o.minTls,
      signal: abort.signal,
    });
    const planJson = {
      changes: plan.changes,
      policy: plan.policy ? { ...plan.policy, before: plan.before.policy ?? null, after: plan.after.policy ?? null } : null,
      checksBefore: plan.checksBefore,
      checksAfter: plan.checksAfter,
      lockout: plan.lockout,
      notes: plan.notes,
      refused: plan.refused,
    };
    const base = { bucket: plan.bucket, region: plan.region, dryRun: o.dryRun, plan: planJson };
    if (!json) print(formatPlan(plan));
    if (plan.refused) {
      if (json) print(JSON.stringify({ ...base, written: [], stopped: { reason: 'refused', message: plan.refused } }, null, 2));
      return 1;
    }
    if (!plan.changes.length || o.dryRun || !o.yes) {
      if (json) print(JSON.stringify({ ...base, written: [], stopped: null }, null, 2));
      else if (plan.changes.length)
        print(
          `\n${o.dryRun ? 'Dry run: nothing written.' : `Nothing written: pass --yes to make ${plan.changes.length === 1 ? 'this change' : `these ${plan.changes.length} changes`} to bucket ${t(plan.bucket, 300)}.`}`,
        );
      return plan.changes.length && !o.dryRun ? 1 : 0;
    }
    const r = await applyFix(plan, { ...conn, signal: abort.signal });
    if (r.written.length) writeUndoFile(file, r.undo);
    if (json)
      print(
        JSON.stringify(
          {
            ...base,
            written: r.written,
            stopped: r.stopped,
            previous: r.undo.previous,
            undoFile: r.written.length ? file : null,
          },
          null,
          2,
        ),
      );
    else print('\n' + formatResult(r, file, false));
    if (abort.signal.aborted) return 130;
    return r.stopped ? 1 : 0;
  } catch (e) {
    if (abort.signal.aborted) {
      err('interrupted');
      return 130;
    }
    if (e instanceof FixError) {
      err(t(e.message, 2000));
      return 2;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
