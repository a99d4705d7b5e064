// The CLI: `s3-encryption-guard check <files|folders|globs> [--format text|json|sarif]`.
// Exit codes: 0 no error findings, 1 error findings, 2 usage or I/O problem (one line, no stack).
import fs from 'node:fs';
import path from 'node:path';
import pkg from '../package.json';
import { analyze, DEFAULT_SETTINGS, LIMIT_CODE, type AnalysisSettings } from '../core/analyze';
import { crossDocument, keyIdOf, KeyPolicyIndex, linkSummary } from '../core/crossdoc';
import { configChoice, eachArg } from './args';
import { collectFiles, type Collected } from './files';
import { initTerraform } from '../core/templates/hcl-parse';
import { checkTemplate, claimsTemplate, MAX_TEMPLATE_BYTES, searchedFile, templateOnlyFile, verdictJson } from './templates';
import {
  formatExplainText,
  jsonWriter,
  sarifWriter,
  textWriter,
  type ConfigReport,
  type FileDiagnostic,
  type FileResult,
  type ResultWriter,
} from './report';
import { batchCommand } from './batch';
import { jobs } from './jobs';
import { reencrypt } from './reencrypt';
import { status } from './status';
import { explainReport } from '../core/explain';
import { verdictSummary, keyVerdictSummary } from '../shared/summary';
import { explainKeyRequests } from '../core/engine/key-verdict';
import { fix } from './fix';
import { explainRequests } from '../core/engine/verdict';
import { decodeText, safeReadFileSync } from '../shared/safe-read';
import { loadConfigFile, RequirementsError } from '../core/requirements';
import { LineIndex } from '../core/policy/lines';
import { detectKind, kindFromFileName, kindFromSettings, POLICY_KINDS, type KindDecision } from '../core/policy/kind';
import { parsePolicy } from '../core/policy/parse';
import { RULES } from '../core/rules/registry';
import type { Severity, SeveritySetting } from '../core/rules/types';
import { errorLine, escapeTerminal } from '../shared/escape';

const USAGE = `Usage: s3-encryption-guard check <files|folders|globs>... [options]
       s3-encryption-guard explain <file> [--format text|json] [--bucket NAME]
       s3-encryption-guard status [--profile P] [--region R] [--endpoint URL] [--bucket B]... [--format text|json]
       s3-encryption-guard jobs [--bucket B] [--job ID] [--confirm ID --yes] [--format text|json]
       s3-encryption-guard reencrypt --bucket B --kms-key ARN [--prefix P] [--dry-run] [--yes] [--journal FILE]

       s3-encryption-guard fix --bucket B [--kms-key ARN] [--dry-run] [--yes] [--undo]

check    Checks S3 bucket policies and KMS key policies, as JSON files or inside
         CloudFormation templates (YAML, JSON, CDK output) and Terraform files: one
         result per policy, with its "location" in the template. Folders are searched
         for *.json, *.yaml, *.yml and *.tf files; JSON files that are not policies are
         listed as kind "unknown", YAML that is not a template is passed over.
explain  Shows every request class of a bucket policy (or, for a key policy, each principal
         class × key action, called directly or through S3) with the policy's decision on it
         and the statements that decided it.
status   Reads the live encryption posture of an account's buckets (read-only AWS calls);
         "s3-encryption-guard status --help" lists its options and exit codes.
jobs     Lists S3 Batch Operations jobs with status and progress, shows one, confirms one;
         "s3-encryption-guard jobs --help" lists its options.
reencrypt  Re-encrypts a bucket's existing objects (plan first, --yes to write, resumable);
         "s3-encryption-guard reencrypt --help" lists its options.

fix      Fixes one live bucket's settings after showing the plan and the policy diff; writes
         only with --yes; --undo restores the last fix ("s3-encryption-guard fix --help").

Options:
  --format text|json|sarif   output format (default: text)
  --rule ID=SEVERITY         override a rule: error, warning, info or off (repeatable)
  --kind KIND                treat every file as bucket-policy, key-policy or identity-policy
  --bucket NAME              the bucket the bucket policies are for (checks Resource ARNs)
  --max-file-size BYTES      larger files are not analysed (default 131072, four times the
                             largest policy AWS accepts)
  --key-policy ARN=FILE      the key policy of a KMS key that bucket policies pin (repeatable);
                             key policies among the checked files are linked by a Resource
                             naming the key ARN or a file name with the key ID
                             (<key-id>.key-policy.json)
  --config FILE              requirements and rule severities (default: the first
                             .s3-encryption-guard.json from the working folder upwards)
  --no-config                ignore .s3-encryption-guard.json files
  --strict                   the config file may not turn rules off, lower their severity
                             or turn the HTTPS requirement off: such settings are ignored
                             (and listed); --rule on the command line still applies
  --no-color                 plain text output
  -h, --help                 this help
  --version                  print the version

A config file found in a parent folder, and every rule a config file turns off or
lowers, is named on stderr (and in the SARIF run's properties).

Exit codes: 0 no errors, 1 error findings, 2 usage or I/O problem (a file that could
not be read or analysed: the other files' results are still printed).`;

class UsageError extends Error {}
/** A problem in the user's config file: one line, no usage hint. */
class ConfigProblem extends Error {}

interface CheckOptions {
  paths: string[];
  format: 'text' | 'json' | 'sarif';
  settings: AnalysisSettings;
  forceKind?: string;
  color: boolean;
  config?: string;
  noConfig: boolean;
  /** --strict: the config file may only make the check stricter. */
  strict: boolean;
  /** --key-policy ARN=FILE: explicit links for the cross-document check. */
  keyPolicies: [string, string][];
  /** What the config file did to the rules (filled by applyConfig). */
  configReport: ConfigReport;
}

function parseCheckArgs(argv: string[]): CheckOptions {
  const opts: CheckOptions = {
    paths: [],
    format: 'text',
    settings: { rules: {} },
    color: process.stdout.isTTY === true && !process.env.NO_COLOR,
    noConfig: false,
    strict: false,
    keyPolicies: [],
    configReport: {
      file: null,
      foundIn: null,
      strict: false,
      rulesOff: [],
      rulesLowered: [],
      requirementsWeakened: [],
      ignored: false,
      commandLineRules: {},
    },
  };
  eachArg(
    argv,
    m => new UsageError(m),
    (flag, value) => {
      switch (flag) {
        case '--format': {
          const f = value();
          if (f !== 'text' && f !== 'json' && f !== 'sarif')
            throw new UsageError(`unknown format "${f}": use text, json or sarif`);
          opts.format = f;
          break;
        }
        case '--rule': {
          const v = value();
          const m = /^([A-Za-z]+-\d{3})[=:](error|warning|info|off)$/.exec(v);
          if (!m) throw new UsageError(`--rule expects ID=SEVERITY such as GRM-016=off, got "${v}"`);
          opts.settings.rules![m[1].toUpperCase()] = m[2] as SeveritySetting;
          break;
        }
        case '--kind': {
          const k = value();
          if (!POLICY_KINDS.includes(k as never) || k === 'unknown')
            throw new UsageError(`unknown kind "${k}": use bucket-policy, key-policy or identity-policy`);
          opts.forceKind = k;
          break;
        }
        case '--bucket':
          opts.settings.bucketName = value();
          break;
        case '--max-file-size': {
          const n = Number(value());
          if (!Number.isFinite(n) || n <= 0) throw new UsageError('--max-file-size expects a positive number of bytes');
          opts.settings.maxFileSize = n;
          break;
        }
        case '--config':
          opts.config = value();
          break;
        case '--key-policy': {
          const v = value();
          const m = /^(arn:[^=]+)=(.+)$/.exec(v);
          if (!m || !keyIdOf(m[1]))
            throw new UsageError(
              `--key-policy expects KEY_ARN=FILE such as arn:aws:kms:us-east-1:111122223333:key/1234abcd-…=keys/app.key-policy.json, got "${v}"`,
            );
          opts.keyPolicies.push([m[1], m[2]]);
          break;
        }
        case '--no-config':
          opts.noConfig = true;
          break;
        case '--strict':
          opts.strict = true;
          break;
        case '--no-color':
          opts.color = false;
          break;
        case '--color':
          opts.color = true;
          break;
        default:
          if (flag.startsWith('-') && flag !== '-') throw new UsageError(`unknown option ${flag}`);
          opts.paths.push(flag);
      }
    },
  );
  if (opts.forceKind) opts.settings.kinds = { '**': opts.forceKind };
  applyConfig(opts);
  return opts;
}

const SEVERITY_RANK: Record<SeveritySetting, number> = { off: 0, info: 1, warning: 2, error: 3 };
const DEFAULT_SEVERITY = new Map<string, Severity>(RULES.map(r => [r.meta.id, r.meta.severity]));

/**
 * Requirements and rule severities from the config file; --rule on the command line wins. What the
 * config weakens (rules off, severities lowered, the HTTPS requirement off) is recorded for the
 * output, and dropped with --strict: a config file committed anywhere up the folder tree must not
 * make an open bucket pass without a word.
 */
function applyConfig(opts: CheckOptions): void {
  const report = opts.configReport;
  report.strict = opts.strict;
  report.commandLineRules = { ...opts.settings.rules };
  const choice = configChoice(opts);
  if (!choice) return;
  let config;
  try {
    config = loadConfigFile(choice.path);
  } catch (e) {
    if (e instanceof RequirementsError) throw new ConfigProblem(`config ${choice.shown}: ${e.problems.join('; ')}`);
    throw e;
  }
  report.file = choice.shown;
  report.foundIn = choice.origin;
  const rules: Record<string, SeveritySetting> = {};
  for (const [id, setting] of Object.entries(config.rules as Record<string, SeveritySetting>)) {
    // A rule that --rule sets on the command line is not the config's doing.
    const fallback = id in report.commandLineRules ? undefined : DEFAULT_SEVERITY.get(id);
    if (fallback && setting === 'off') report.rulesOff.push(id);
    else if (fallback && SEVERITY_RANK[setting] < SEVERITY_RANK[fallback])
      report.rulesLowered.push({ rule: id, from: fallback, to: setting as Severity });
    else {
      rules[id] = setting;
      continue;
    }
    if (!opts.strict) rules[id] = setting;
  }
  const requirements = { ...config.requirements };
  if (!requirements.https) {
    report.requirementsWeakened.push('https');
    if (opts.strict) requirements.https = true;
  }
  report.ignored = opts.strict && report.rulesOff.length + report.rulesLowered.length + report.requirementsWeakened.length > 0;
  opts.settings.requirements = requirements;
  opts.settings.rules = { ...rules, ...opts.settings.rules };
}

/** One line per thing the run's config file does that the user must not miss (stderr). */
function configNotes(report: ConfigReport): string[] {
  if (report.file === null) return [];
  const notes: string[] = [];
  if (report.foundIn === 'parent folder')
    notes.push(`using config ${report.file}, found in a parent folder (--no-config ignores it, --config names another)`);
  const parts: string[] = [];
  if (report.rulesOff.length)
    parts.push(
      report.rulesOff.length === DEFAULT_SEVERITY.size
        ? `turns off every rule (${report.rulesOff.length})`
        : `turns off ${report.rulesOff.join(', ')}`,
    );
  if (report.rulesLowered.length)
    parts.push(`lowers ${report.rulesLowered.map(l => `${l.rule} (${l.from} to ${l.to})`).join(', ')}`);
  if (report.requirementsWeakened.length) parts.push('turns the HTTPS requirement off ("https": false)');
  const said = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0];
  if (said) notes.push(`config ${report.file} ${said}${report.strict ? ': ignored with --strict' : ' (--strict ignores this)'}`);
  return notes;
}

/** Looks like binary data rather than text: NUL bytes in the first 8 KB. */
const isBinary = (buf: Buffer): boolean => buf.subarray(0, 8192).includes(0);

/** One line on stderr. Everything in it that came from a file name, a policy or an error is made safe for a terminal. */
const warn = (line: string): void => {
  process.stderr.write(`s3-encryption-guard: ${escapeTerminal(line, 2000)}\n`);
};

const fmtSize = (n: number): string => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.round(n / 1024)} KB`);

/** A file's result when its content was not analysed: the kind its name or --kind gives, and one note saying why. */
function notAnalysedResult(shown: string, abs: string, settings: AnalysisSettings, why: string): FileResult {
  const kind: KindDecision | undefined = kindFromSettings(abs, settings.kinds) ?? kindFromFileName(abs);
  const diagnostics: FileDiagnostic[] = kind
    ? [
        {
          code: LIMIT_CODE,
          severity: 'info',
          message: `Not analysed: ${why}.`,
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
        },
      ]
    : [];
  return { file: shown, kind: kind?.kind ?? 'unknown', diagnostics, verdict: null, summaries: [] };
}

/** A file with nothing in it but white space: not JSON, so not a policy either. */
const isBlank = (text: string): boolean => text.trim() === '';

/**
 * `check`. Memory does not grow with the number of files: each file's analysis is turned into its
 * output at once and dropped (its parsed model and line index with it); text and JSON are written
 * file by file.
 * So that every bucket policy can be cross-checked right away, key policies are indexed first
 * (their text only, crossdoc.ts); files that a name or --kind already says are not key policies
 * are not read for that.
 */
function check(opts: CheckOptions): number | Promise<number> {
  if (!opts.paths.length) throw new UsageError('check needs at least one file, folder or glob');
  const cwd = process.cwd();
  for (const note of configNotes(opts.configReport)) warn(note);
  const collected = collectFiles(opts.paths, cwd);
  // Terraform's parser is WebAssembly, loaded once before the first .tf file is read (it never rejects).
  return collected.files.some(f => f.toLowerCase().endsWith('.tf'))
    ? initTerraform().then(() => checkFiles(opts, cwd, collected))
    : checkFiles(opts, cwd, collected);
}

function checkFiles(opts: CheckOptions, cwd: string, { files, problems, skipped }: Collected): number {
  // Files named or found that could not be checked: the summary line must not read "No problems" beside them.
  let notChecked = problems.length;
  let ioProblem = problems.length > 0;
  for (const p of problems) warn(p);
  for (const s of skipped) warn(s);
  const maxFileSize = opts.settings.maxFileSize ?? DEFAULT_SETTINGS.maxFileSize;
  const parseLimits = {
    maxDepth: DEFAULT_SETTINGS.maxDepth,
    maxStatements: opts.settings.maxStatements ?? DEFAULT_SETTINGS.maxStatements,
  };
  const shownOf = new Map<string, string>();
  for (const abs of files) {
    const rel = path.relative(cwd, abs);
    shownOf.set(abs, rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : abs);
  }
  const shownPath = (abs: string) => shownOf.get(abs) ?? path.relative(cwd, abs).split(path.sep).join('/');

  // The key policies: among the files (what the main pass below would take for one), then --key-policy.
  const index = new KeyPolicyIndex();
  for (const abs of files) {
    const named = kindFromSettings(abs, opts.settings.kinds) ?? kindFromFileName(abs);
    if (named && named.kind !== 'key-policy') continue;
    if (!named && templateOnlyFile(abs)) continue; // YAML, Terraform: a template's key policies are its own
    const read = safeReadFileSync(abs, { maxBytes: maxFileSize });
    if (!read.ok) continue; // said once, by the main pass
    try {
      const doc = parsePolicy(decodeText(read.bytes), parseLimits);
      if ((named ?? detectKind({ filePath: abs, doc, kinds: opts.settings.kinds })).kind === 'key-policy')
        index.setParsed(abs, doc);
    } catch {
      // The main pass reports a file that cannot be analysed.
    }
  }
  const explicit = new Map<string, string>();
  for (const [arn, file] of opts.keyPolicies) {
    const abs = path.resolve(file);
    const read = safeReadFileSync(abs, { maxBytes: maxFileSize });
    if (!read.ok) {
      warn(`--key-policy ${file}: ${read.message}`);
      ioProblem = true;
      continue;
    }
    try {
      index.set(abs, decodeText(read.bytes));
      explicit.set(arn, abs);
    } catch (e) {
      warn(`--key-policy ${file}: not analysed: internal error (please report it): ${errorLine(e)}`);
      ioProblem = true;
    }
  }
  index.setExplicit(explicit);

  const write = (chunk: string) => {
    process.stdout.write(chunk);
  };
  const writer: ResultWriter =
    opts.format === 'json'
      ? jsonWriter(write)
      : opts.format === 'sarif'
        ? sarifWriter(write, pkg.version, cwd, opts.configReport)
        : textWriter(write, opts.color);
  let errors = false;
  const emit = (r: FileResult) => {
    if (r.diagnostics.some(d => d.severity === 'error')) errors = true;
    writer.add(r);
  };
  // Files named on the command line (not found by a search): listed even when they are not ours.
  const named = new Set(opts.paths.map(p => path.resolve(cwd, p)));
  const tooLarge = (abs: string, shown: string, limit: number) => {
    let size = '';
    try {
      size = `${fmtSize(fs.statSync(abs).size)}, `;
    } catch {
      /* the limit still says it */
    }
    warn(`${shown}: skipped: ${size}over the ${fmtSize(limit)} analysis limit`);
    emit(
      notAnalysedResult(
        shown,
        abs,
        opts.settings,
        limit === maxFileSize
          ? `the file is ${size}over the ${fmtSize(maxFileSize)} limit (--max-file-size). AWS accepts bucket policies up to 20 KB and key policies up to 32 KB`
          : `the file is ${size}over the ${fmtSize(limit)} limit for infrastructure templates`,
      ),
    );
  };
  for (const abs of files) {
    const shown = shownPath(abs);
    // A template may be larger than one policy may be: its scanner bounds its own work.
    const forced = opts.forceKind !== undefined || kindFromSettings(abs, opts.settings.kinds) !== undefined;
    const limit = !forced && searchedFile(abs) ? Math.max(maxFileSize, MAX_TEMPLATE_BYTES) : maxFileSize;
    const read = safeReadFileSync(abs, { maxBytes: limit });
    if (!read.ok) {
      if (read.code === 'too-large') tooLarge(abs, shown, limit);
      else {
        warn(`${shown}: ${read.message}`);
        ioProblem = true;
        notChecked++;
      }
      continue;
    }
    try {
      const text = decodeText(read.bytes);
      if (!forced && claimsTemplate(abs, text)) {
        const t = checkTemplate(text, abs, shown, opts.settings, opts.format === 'json');
        for (const f of t.ruleFailures)
          warn(`${shown}: internal error in rule ${f.ruleId} (please report it): ${errorLine(f.error)}`);
        for (const r of t.results) emit(r);
        continue;
      }
      if (!forced && templateOnlyFile(abs)) {
        // YAML or HCL that no scanner claims (CI files, Kubernetes): not ours. Listed only when named.
        if (named.has(abs)) emit({ file: shown, kind: 'unknown', diagnostics: [], verdict: null, summaries: [] });
        continue;
      }
      if (read.bytes.length > maxFileSize) {
        tooLarge(abs, shown, maxFileSize);
        continue;
      }
      if (isBlank(text) && !(kindFromSettings(abs, opts.settings.kinds) ?? kindFromFileName(abs))) {
        // Not a policy by its name either: nothing else would say anything about it.
        warn(`${shown}: not checked: the file is empty (not JSON, so not a policy); delete it or write the policy into it`);
        emit(notAnalysedResult(shown, abs, opts.settings, 'the file is empty'));
        ioProblem = true;
        notChecked++;
        continue;
      }
      const analysis = analyze(text, abs, opts.settings);
      if (analysis.kind.kind === 'unknown') {
        if (isBinary(read.bytes)) warn(`${shown}: skipped: binary content, not a JSON policy`);
        else if (analysis.notAnalysed) warn(`${shown}: skipped: ${analysis.notAnalysed}`);
      }
      for (const f of analysis.ruleFailures)
        warn(`${shown}: internal error in rule ${f.ruleId} (please report it): ${errorLine(f.error)}`);
      const lines = new LineIndex(text);
      // AWS rejects it before reading a statement: its syntax errors, no verdict (analyze.ts).
      if (analysis.notEvaluated) {
        emit({
          file: shown,
          kind: analysis.kind.kind,
          diagnostics: analysis.findings.map(f => ({
            code: f.ruleId,
            severity: f.severity,
            message: f.message,
            ...(f.detail ? { detail: f.detail } : {}),
            range: lines.range(f.span),
          })),
          verdict: null,
          summaries: [`not evaluated: ${analysis.notEvaluated}`],
        });
        continue;
      }
      // Cross-document check: a bucket policy that pins a key against that key's policy (crossdoc.ts).
      const cross = crossDocument(analysis, index, opts.settings, shownPath);
      const findings = cross.findings.length
        ? [...analysis.findings, ...cross.findings].sort(
            (a, b) => a.span.offset - b.span.offset || a.ruleId.localeCompare(b.ruleId),
          )
        : analysis.findings;
      emit({
        file: shown,
        kind: analysis.kind.kind,
        diagnostics: findings.map(f => ({
          code: f.ruleId,
          severity: f.severity,
          message: f.message,
          ...(f.detail ? { detail: f.detail } : {}),
          range: lines.range(f.span),
        })),
        // Only the JSON format prints verdicts; the others need only the summaries.
        verdict: opts.format === 'json' ? verdictJson(analysis.verdicts, analysis.keyVerdict) : null,
        summaries: [
          ...(analysis.keyVerdict
            ? [`key: ${keyVerdictSummary(analysis.keyVerdict)}`]
            : (analysis.verdicts ?? []).map(v => `${v.bucket}: ${verdictSummary(v, opts.settings.requirements?.minTlsVersion)}`)),
          ...cross.links.filter(l => l.keyPolicy).map(l => `${l.bucket}: ${linkSummary(l, shownPath)}`),
        ],
      });
    } catch (e) {
      // One file the analysis cannot handle is one failure: said once, and the run goes on.
      warn(`${shown}: not analysed: internal error (please report it): ${errorLine(e)}`);
      emit(
        notAnalysedResult(shown, abs, opts.settings, 'the analysis failed on this file (an internal error, reported on stderr)'),
      );
      ioProblem = true;
      notChecked++;
    }
  }
  writer.end({ notChecked });
  if (ioProblem) return 2;
  return errors ? 1 : 0;
}

function explain(argv: string[]): number {
  const opts = parseCheckArgs(argv);
  if (opts.format === 'sarif') throw new UsageError('explain prints text or json, not sarif');
  if (opts.paths.length !== 1) throw new UsageError(`explain takes one policy file, got ${opts.paths.length}`);
  for (const note of configNotes(opts.configReport)) warn(note);
  const file = opts.paths[0];
  const maxFileSize = opts.settings.maxFileSize ?? DEFAULT_SETTINGS.maxFileSize;
  const read = safeReadFileSync(file, { maxBytes: maxFileSize });
  if (!read.ok) {
    warn(`${file}: ${read.message}${read.code === 'too-large' ? ' (--max-file-size)' : ''}`);
    return 2;
  }
  try {
    const text = decodeText(read.bytes);
    if (isBlank(text)) {
      warn(`${file}: the file is empty, so there is nothing to explain`);
      return 2;
    }
    const analysis = analyze(text, path.resolve(file), opts.settings);
    for (const f of analysis.ruleFailures)
      warn(`${file}: internal error in rule ${f.ruleId} (please report it): ${errorLine(f.error)}`);
    if (analysis.notAnalysed) {
      warn(`${file}: not analysed: ${analysis.notAnalysed}`);
      return 2;
    }
    // A policy that does not parse has no meaning to explain: AWS rejects it.
    const syntax = analysis.kind.kind !== 'unknown' ? analysis.doc?.syntaxErrors[0] : undefined;
    if (syntax) {
      const at = new LineIndex(text).position(syntax.span.offset);
      warn(
        `${file}:${at.line + 1}:${at.character + 1}: ${syntax.message}; AWS rejects this policy, so there is nothing to explain (fix it, or run "check" to see every problem)`,
      );
      return 2;
    }
    // Text: the same report as the editor's view (summary first, then the grouped table). JSON: every request class, ungrouped.
    const report = (): string =>
      formatExplainText(
        file,
        explainReport({ uri: file, analysis, lines: new LineIndex(text), wantedTls: opts.settings.requirements?.minTlsVersion }),
        opts.color,
      );
    if (analysis.kind.kind === 'key-policy' && analysis.doc && analysis.keyVerdict) {
      if (opts.format === 'json')
        process.stdout.write(
          JSON.stringify(
            { file, kind: analysis.kind.kind, verdict: analysis.keyVerdict, requests: explainKeyRequests(analysis.doc) },
            null,
            2,
          ) + '\n',
        );
      else process.stdout.write(report() + '\n');
      return 0;
    }
    if (analysis.kind.kind !== 'bucket-policy' || !analysis.doc) {
      warn(
        `${file}: explain works on bucket policies and key policies; this file was taken for ${analysis.kind.kind} (${analysis.kind.reason}). Use --kind bucket-policy or --kind key-policy to override.`,
      );
      return 2;
    }
    const verdicts = analysis.verdicts ?? [];
    if (!verdicts.length) {
      warn(`${file}: the policy names no bucket in its Resource ARNs; pass --bucket NAME`);
      return 2;
    }
    const doc = analysis.doc;
    if (opts.format === 'json') {
      const requests = verdicts.flatMap(v => explainRequests(doc, v.bucket));
      process.stdout.write(
        JSON.stringify({ file, kind: analysis.kind.kind, verdict: verdictJson(verdicts), requests }, null, 2) + '\n',
      );
    } else process.stdout.write(report() + '\n');
    return 0;
  } catch (e) {
    warn(`${file}: not analysed: internal error (please report it): ${errorLine(e)}`);
    return 2;
  }
}

export function main(argv: string[]): number | Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  if (command === 'status') return status(rest);
  if (command === 'reencrypt' && rest.includes('--batch')) return batchCommand(rest);
  if (command === 'jobs') return jobs(rest);
  if (command === 'reencrypt') return reencrypt(rest);

  if (command === 'fix') return fix(rest);
  if (command !== 'check' && command !== 'explain')
    throw new UsageError(`unknown command "${command}": try "s3-encryption-guard check <files>"`);
  if (rest.includes('-h') || rest.includes('--help')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  return command === 'explain' ? explain(rest) : check(parseCheckArgs(rest));
}

if (require.main === module) {
  // `check … | head` closes the pipe early: that is not an error worth a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  const failed = (e: unknown): number => {
    const msg =
      e instanceof UsageError
        ? `${e.message} (run "s3-encryption-guard --help" for usage)`
        : e instanceof ConfigProblem
          ? e.message
          : `unexpected error: ${errorLine(e)}`;
    process.stderr.write(`s3-encryption-guard: ${escapeTerminal(msg, 2000)}\n`);
    return 2;
  };
  // Let stdout drain before exiting (large JSON output into a pipe): set the exit code, do not exit.
  try {
    const code = main(process.argv.slice(2));
    if (typeof code === 'number') process.exitCode = code;
    else
      code.then(
        c => {
          process.exitCode = c;
        },
        e => {
          process.exitCode = failed(e);
        },
      );
  } catch (e) {
    process.exitCode = failed(e);
  }
}
