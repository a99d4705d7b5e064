// Runs the built CLI (`dist/cli.js check` and `explain`) on generated hostile files, one case at
// a time with a hang guard, and reports exit codes, wall time, peak RSS, crashes and whether
// raw ESC bytes reached stdout or stderr.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { escapeTerminal } from '../../shared/escape';
import { DIST_CLI } from '../helpers/paths';
import { writeHostileFiles, type HostileFileCase } from './hostile';

/** Every reproduction must finish within this (issue 10, "Done when"). */
export const CASE_BUDGET_MS = 1000;
/** More stderr than this for one run is a flood, not a report. */
export const STDERR_FLOOD_BYTES = 100 * 1024;

export interface CliCaseResult {
  name: string;
  about: string;
  args: string[];
  exitCode: number | null;
  signal: string | null;
  ms: number;
  /** Killed by the hang guard. */
  hung: boolean;
  /** Killed by the memory guard (RSS over the limit). */
  memoryExceeded: boolean;
  /** Died of a signal, an unexpected exit code, a V8 fatal error, an uncaught exception, or ended the run with "unexpected error". */
  crashed: boolean;
  crashReason?: string;
  overBudget: boolean;
  escInStdout: boolean;
  escInStderr: boolean;
  stdoutBytes: number;
  stderrBytes: number;
  stderrLines: number;
  /** The first stderr lines (clipped), to see what the user is told. */
  stderrHead: string[];
  internalErrors: number;
  peakRssMB: number;
  /** The case's good file is missing from the output. */
  missingResult?: string;
  /** Hostile files skipped without a word (named neither on stdout nor on stderr). */
  unmentioned: string[];
  bulk: boolean;
}

export interface CliFuzzReport {
  folder: string;
  cases: CliCaseResult[];
  failed: string[];
}

const STACK_FRAME = /^\s+at .+(:\d+:\d+\)?|\(native\)|\(node:[^)]*\))$/m;

/** A run whose RSS passes this is killed: /dev/zero read whole reaches gigabytes in seconds, on a shared machine. */
export const CASE_MEMORY_LIMIT_MB = 1024;

export async function runCliCase(c: HostileFileCase, timeoutMs: number): Promise<CliCaseResult> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [DIST_CLI, ...c.args], {
    cwd: c.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  const keep = {
    out: [] as Buffer[],
    err: [] as Buffer[],
    outBytes: 0,
    errBytes: 0,
    escOut: false,
    escErr: false,
    errTail: Buffer.alloc(0),
  };
  const KEEP = 1024 * 1024;
  child.stdout!.on('data', (b: Buffer) => {
    if (b.includes(0x1b)) keep.escOut = true;
    if (keep.outBytes < KEEP) keep.out.push(b);
    keep.outBytes += b.length;
  });
  child.stderr!.on('data', (b: Buffer) => {
    if (b.includes(0x1b)) keep.escErr = true;
    if (keep.errBytes < KEEP) keep.err.push(b);
    keep.errBytes += b.length;
    keep.errTail = Buffer.concat([keep.errTail, b]).subarray(-8192);
  });
  let peakKB = 0;
  let memoryExceeded = false;
  const sample = (): void => {
    try {
      const s = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      peakKB = Math.max(peakKB, Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0), Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0));
    } catch {
      /* exited */
    }
    if (peakKB > CASE_MEMORY_LIMIT_MB * 1024 && !memoryExceeded) {
      memoryExceeded = true;
      child.kill('SIGKILL');
    }
  };
  const sampler = setInterval(sample, 20);
  let hung = false;
  const guard = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(r =>
    child.on('close', (code, sig) => r([code, sig])),
  );
  const ms = performance.now() - t0;
  clearTimeout(guard);
  clearInterval(sampler);
  const stdout = Buffer.concat(keep.out).toString('utf8');
  const stderr =
    Buffer.concat(keep.err).toString('utf8') + (keep.errBytes > KEEP ? Buffer.from(keep.errTail).toString('utf8') : '');
  const lines = stderr.split('\n').filter(l => l.trim());
  let crashReason: string | undefined;
  const killed = hung || memoryExceeded;
  if (!killed && signal) crashReason = `killed by ${signal}`;
  else if (!killed && exitCode !== null && ![0, 1, 2].includes(exitCode)) crashReason = `exit code ${exitCode}`;
  if (/FATAL ERROR/.test(stderr)) crashReason = lines.find(l => /FATAL ERROR/.test(l))!.trim();
  else if (!killed && STACK_FRAME.test(stderr))
    crashReason = `uncaught: ${lines.find(l => /Error\b/.test(l))?.trim() ?? lines[0]}`;
  // The CLI's last-resort handler: a bug of ours ended the whole run (exit 2, one line).
  else if (/: unexpected error: /.test(stderr)) crashReason = lines.find(l => /: unexpected error: /.test(l))!.trim();
  const missing = c.mustReport && !killed && !stdout.includes(c.mustReport) ? c.mustReport : undefined;
  const unmentioned = killed ? [] : (c.mustMention ?? []).filter(f => !stdout.includes(f) && !stderr.includes(f));
  return {
    name: c.name,
    about: c.about,
    args: c.args,
    exitCode,
    signal: killed ? null : signal,
    ms: Math.round(ms),
    hung,
    memoryExceeded,
    crashed: crashReason !== undefined,
    crashReason: crashReason && clipLine(crashReason),
    overBudget: !c.bulk && ms > CASE_BUDGET_MS,
    escInStdout: keep.escOut,
    escInStderr: keep.escErr,
    stdoutBytes: keep.outBytes,
    stderrBytes: keep.errBytes,
    stderrLines: keep.errBytes > KEEP ? -1 : lines.length,
    stderrHead: lines.slice(0, 3).map(clipLine),
    internalErrors: lines.filter(l => /internal error/i.test(l)).length,
    peakRssMB: Math.round(peakKB / 1024),
    missingResult: missing,
    unmentioned,
    bulk: !!c.bulk,
  };
}

/** Shown without its control characters (the report itself goes to a terminal). */
const clipLine = (s: string): string => escapeTerminal(s, 200);

export interface CliFuzzOptions {
  /** Per-case hang guard. */
  timeoutMs: number;
  /** Include the folder of 10,000 files. */
  many?: boolean;
  /** Only the cases whose name matches. */
  filter?: (name: string) => boolean;
  log?: (line: string) => void;
  /** Where to write the files (default: a new temporary folder, removed afterwards). */
  folder?: string;
}

export async function runCliFuzz(opts: CliFuzzOptions): Promise<CliFuzzReport> {
  const keep = opts.folder !== undefined;
  const folder = opts.folder ?? fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-hostile-files-'));
  const cases = writeHostileFiles(folder, { many: opts.many }).filter(c => !opts.filter || opts.filter(c.name));
  const results: CliCaseResult[] = [];
  try {
    for (const c of cases) {
      const r = await runCliCase(c, opts.timeoutMs);
      results.push(r);
      opts.log?.(
        `${r.name}: exit ${r.hung ? 'killed (hung)' : r.memoryExceeded ? `killed (RSS over ${CASE_MEMORY_LIMIT_MB} MB)` : (r.exitCode ?? r.signal)} in ${r.ms} ms${r.crashed ? ` CRASH ${r.crashReason}` : ''}${r.escInStdout || r.escInStderr ? ' ESC in output' : ''}`,
      );
    }
  } finally {
    if (!keep) fs.rmSync(folder, { recursive: true, force: true });
  }
  const failed: string[] = [];
  const names = (f: (r: CliCaseResult) => boolean): string =>
    results
      .filter(f)
      .map(r => r.name)
      .join(', ');
  const count = (f: (r: CliCaseResult) => boolean): number => results.filter(f).length;
  if (count(r => r.crashed)) failed.push(`crashed: ${names(r => r.crashed)}`);
  if (count(r => r.hung)) failed.push(`hung (killed after ${opts.timeoutMs} ms): ${names(r => r.hung)}`);
  if (count(r => r.memoryExceeded)) failed.push(`killed at ${CASE_MEMORY_LIMIT_MB} MB RSS: ${names(r => r.memoryExceeded)}`);
  const slow = (r: CliCaseResult): boolean => r.overBudget && !r.hung && !r.memoryExceeded;
  if (count(slow)) failed.push(`over ${CASE_BUDGET_MS} ms: ${names(slow)}`);
  if (count(r => r.escInStdout || r.escInStderr)) failed.push(`raw ESC in output: ${names(r => r.escInStdout || r.escInStderr)}`);
  if (count(r => r.stderrBytes > STDERR_FLOOD_BYTES))
    failed.push(`stderr flood: ${names(r => r.stderrBytes > STDERR_FLOOD_BYTES)}`);
  if (count(r => !!r.missingResult)) failed.push(`the good file's result is missing: ${names(r => !!r.missingResult)}`);
  if (count(r => r.unmentioned.length > 0)) failed.push(`files skipped without a word: ${names(r => r.unmentioned.length > 0)}`);
  return { folder: keep ? folder : '(removed)', cases: results, failed };
}
