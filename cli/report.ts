// The CLI's output formats. The JSON shape is an interface other tools rely on
// (docs/design/architecture.md, "CLI check --format json"): change it only with a version bump.
import { LIMIT_CODE } from '../core/analyze';
import { statementNames, statementPhrases, type CellTone, type ExplainReport, type ReportCell } from '../protocol/protocol';
import type { PolicyKind } from '../core/policy/model';
import type { Range } from '../core/policy/lines';
import { RULES } from '../core/rules/registry';
import { TEMPLATE_SYNTAX_CODE } from '../core/templates/analyze';
import { TEMPLATE_RULES } from '../core/templates/rules/registry';
import type { Severity, SeveritySetting } from '../core/rules/types';
import { escapeTerminal } from '../shared/escape';
import type { ConfigOrigin } from './args';

export interface FileDiagnostic {
  code: string;
  severity: Severity;
  /** One sentence. */
  message: string;
  /** The rest of the explanation, when there is more (JSON: left out when absent). */
  detail?: string;
  range: Range;
}

/** What a result is about: a policy file, or in a template a policy, a resource's settings, the template itself. */
export type ResultKind = PolicyKind | 'bucket-settings' | 'key-settings' | 'template';

export interface FileResult {
  file: string;
  kind: ResultKind;
  /** In a template: where the policy or resource is (`Resources.DataBucketPolicy.Properties.PolicyDocument`, `aws_s3_bucket_policy.data`). */
  location?: string;
  diagnostics: FileDiagnostic[];
  verdict: unknown;
  /** One line per bucket verdict, for the text format. */
  summaries: string[];
}

/** What the run's config file did: SARIF records it in the run's properties, text names it on stderr. */
export interface ConfigReport {
  /** The config file as messages show it, or null when none applied. */
  file: string | null;
  foundIn: ConfigOrigin | null;
  /** --strict: what the config weakens is ignored. */
  strict: boolean;
  /** Rules the config turns off. */
  rulesOff: string[];
  /** Rules the config gives a severity below their default. */
  rulesLowered: { rule: string; from: Severity; to: Severity }[];
  /** Requirements the config turns off that are on by default (`https`). */
  requirementsWeakened: string[];
  /** True when --strict dropped some of the above. */
  ignored: boolean;
  /** --rule overrides on the command line (they apply, --strict or not). */
  commandLineRules: Record<string, SeveritySetting>;
}

// Text output is read in terminals and CI logs: every string from a policy or a file name is made
// safe (escapeTerminal: no ESC sequences, one line), and clipped at 4,000 characters.
const term = (s: string): string => escapeTerminal(s, 4000);

/**
 * Where a run's results go, one file at a time, so that a run over many files holds the output of
 * one file, not of all of them (SARIF keeps only the file names, for its artifacts).
 */
export interface ResultWriter {
  add(result: FileResult): void;
  /** `notChecked`: files the run could not read or analyse (said on stderr); the text summary counts them. */
  end(run?: { notChecked: number }): void;
}

/** Collects writes into chunks of about 64 KB (one write per file would be a system call per file). */
function chunked(write: (s: string) => void): { put(s: string): void; flush(): void } {
  let buf = '';
  return {
    put(s: string) {
      buf += s;
      if (buf.length >= 65536) {
        write(buf);
        buf = '';
      }
    },
    flush() {
      if (buf) write(buf);
      buf = '';
    },
  };
}

/** `--format json`: the same bytes as JSON.stringify(results, null, 2), written entry by entry. */
export function jsonWriter(write: (s: string) => void): ResultWriter {
  const out = chunked(write);
  let count = 0;
  return {
    add(r) {
      const entry = JSON.stringify(
        {
          file: r.file,
          kind: r.kind,
          ...(r.location !== undefined ? { location: r.location } : {}),
          diagnostics: r.diagnostics,
          verdict: r.verdict ?? null,
        },
        null,
        2,
      );
      // JSON strings hold no raw line breaks, so indenting every line nests the entry in the array.
      out.put(`${count++ ? ',\n' : '[\n'}  ${entry.split('\n').join('\n  ')}`);
    },
    end() {
      out.put(count ? '\n]\n' : '[]\n');
      out.flush();
    },
  };
}

export function formatJson(results: FileResult[]): string {
  let text = '';
  const w = jsonWriter(s => {
    text += s;
  });
  for (const r of results) w.add(r);
  w.end();
  return text.slice(0, -1);
}

/** The text format: each file with its verdicts and findings, then one summary line. */
export function textWriter(write: (s: string) => void, color: boolean): ResultWriter {
  const out = chunked(write);
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const sevColor: Record<Severity, string> = { error: '31', warning: '33', info: '36' };
  const count = { error: 0, warning: 0, info: 0 };
  let files = 0;
  let policies = 0;
  let filesWithProblems = 0;
  // A template's entries come one after the other: the file is counted once.
  let lastFile: string | undefined;
  let lastCounted: string | undefined;
  return {
    add(r) {
      if (r.file !== lastFile) files++;
      lastFile = r.file;
      if (r.kind === 'bucket-policy' || r.kind === 'key-policy' || r.kind === 'identity-policy') policies++;
      if (!r.diagnostics.length && !r.summaries.length) return;
      if (r.diagnostics.length && lastCounted !== r.file) {
        filesWithProblems++;
        lastCounted = r.file;
      }
      const where = r.location !== undefined ? ` ${paint('1', term(r.location))}` : '';
      const lines = [`${paint('4', term(r.file))}${where} ${paint('2', `(${r.kind})`)}`];
      for (const s of r.summaries) lines.push(`  ${paint('1', 'verdict')}  ${term(s)}`);
      for (const d of r.diagnostics) {
        count[d.severity]++;
        const pos = `${d.range.start.line + 1}:${d.range.start.character + 1}`;
        lines.push(
          `  ${pos.padEnd(8)} ${paint(sevColor[d.severity], d.severity.padEnd(7))} ${term(d.message)}  ${paint('2', term(d.code))}`,
        );
        if (d.detail) lines.push(paint('2', `${' '.repeat(18)}${term(d.detail)}`));
      }
      out.put(`${lines.join('\n')}\n\n`);
    },
    end(run) {
      const total = count.error + count.warning + count.info;
      const notChecked = run?.notChecked ?? 0;
      const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
      // "No problems" only when every file was checked: beside a file that could not be, it would read as a pass.
      const unchecked = notChecked ? `${plural(notChecked, 'file', 'files')} could not be checked (see the messages above)` : '';
      const summary =
        total === 0
          ? notChecked
            ? `${unchecked}${policies ? `; the ${plural(policies, 'policy', 'policies')} checked ${policies === 1 ? 'has' : 'have'} no problems` : ''}.`
            : `No problems in ${plural(policies, 'policy', 'policies')} (${plural(files, 'file', 'files')} checked).`
          : `${plural(total, 'problem', 'problems')} (${plural(count.error, 'error', 'errors')}, ${plural(count.warning, 'warning', 'warnings')}, ${count.info} info) in ${filesWithProblems} of ${files} files${notChecked ? `; ${unchecked}` : ''}.`;
      out.put(`${paint(count.error || notChecked ? '31;1' : '32', summary)}\n`);
      out.flush();
    },
  };
}

export function formatText(results: FileResult[], color: boolean): string {
  let text = '';
  const w = textWriter(s => {
    text += s;
  }, color);
  for (const r of results) w.add(r);
  w.end();
  return text.slice(0, -1);
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** Lines of `JSON.stringify(value, null, 2)` indented by `indent` more spaces (JSON strings hold no raw line breaks). */
const nested = (value: unknown, indent: string): string =>
  indent + JSON.stringify(value, null, 2).split('\n').join(`\n${indent}`);

/**
 * `--format sarif`: SARIF 2.1.0 as GitHub code scanning accepts it: rules in the driver, 1-based
 * regions, relative URIs. Results are written file by file; the artifacts (file names only) follow
 * them. The run's properties always say which config file applied and what it turned off or lowered.
 */
export function sarifWriter(write: (s: string) => void, version: string, cwd: string, config?: ConfigReport): ResultWriter {
  // The policy rules, the template rules (checks across a template's resources), then the codes that are not rules.
  const lang = (id: string) => (id.startsWith('TPL-') ? 'yaml' : 'json');
  const rules = [
    ...[...RULES, ...TEMPLATE_RULES].map(r => ({
      id: r.meta.id,
      name: r.meta.title
        .replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))
        .replace(/^./, c => c.toUpperCase()),
      shortDescription: { text: r.meta.title },
      fullDescription: { text: r.meta.why },
      help: {
        text: `${r.meta.why}\n\nExample:\n${r.meta.example}\n\nUse instead:\n${r.meta.useInstead}`,
        markdown: `${r.meta.why}\n\n**Example**\n\n\`\`\`${lang(r.meta.id)}\n${r.meta.example}\n\`\`\`\n\n**Use instead**\n\n\`\`\`${lang(r.meta.id)}\n${r.meta.useInstead}\n\`\`\`\n\n${r.meta.references.map(u => `- ${u}`).join('\n')}`,
      },
      helpUri: r.meta.references[0],
      defaultConfiguration: { level: SARIF_LEVEL[r.meta.severity] },
      properties: { tags: ['security', 'aws', r.meta.id.split('-')[0].toLowerCase()], confidence: r.meta.confidence },
    })),
    {
      id: LIMIT_CODE,
      name: 'AnalysisLimit',
      shortDescription: { text: 'The analysis stopped at a limit' },
      fullDescription: {
        text: 'The file was larger or more deeply nested than the analysis limits allow, so part of it was not checked.',
      },
      defaultConfiguration: { level: 'note' as const },
      properties: { tags: ['limit'] },
    },
    {
      id: TEMPLATE_SYNTAX_CODE,
      name: 'TemplateSyntax',
      shortDescription: { text: 'The template does not parse' },
      fullDescription: {
        text: 'A YAML, JSON or HCL syntax error in an infrastructure template: CloudFormation or Terraform rejects it, and the policies after it may not have been found.',
      },
      defaultConfiguration: { level: 'error' as const },
      properties: { tags: ['syntax'] },
    },
  ];
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const encode = (p: string) => p.split('\\').join('/').split('/').map(encodeURIComponent).join('/');
  // Files under the working folder are relative to %SRCROOT% (what code scanning maps to the repository).
  const location = (file: string) =>
    file.startsWith('/') ? { uri: `file://${encode(file)}` } : { uri: encode(file), uriBaseId: '%SRCROOT%' };
  // The document with markers where the results and the artifacts go, cut there.
  const RESULTS = '\u0000results';
  const ARTIFACTS = '\u0000artifacts';
  const skeleton = JSON.stringify(
    {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 's3-encryption-guard',
              version,
              semanticVersion: version,
              informationUri: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html',
              rules,
            },
          },
          originalUriBaseIds: { '%SRCROOT%': { uri: `file://${cwd.split('/').map(encodeURIComponent).join('/')}/` } },
          results: [RESULTS],
          artifacts: [ARTIFACTS],
          columnKind: 'utf16CodeUnits',
          properties: {
            config: config?.file
              ? {
                  file: config.file,
                  foundIn: config.foundIn,
                  rulesOff: config.rulesOff,
                  rulesLowered: config.rulesLowered,
                  requirementsWeakened: config.requirementsWeakened,
                  ignoredWithStrict: config.ignored,
                }
              : null,
            strict: config?.strict ?? false,
            commandLineRules: config?.commandLineRules ?? {},
          },
        },
      ],
    },
    null,
    2,
  );
  const marker = (m: string) => {
    const at = skeleton.indexOf(JSON.stringify(m));
    const lineStart = skeleton.lastIndexOf('\n', at);
    return {
      open: skeleton.lastIndexOf('[', lineStart),
      close: skeleton.indexOf(']', at),
      indent: skeleton.slice(lineStart + 1, at),
    };
  };
  const r = marker(RESULTS);
  const a = marker(ARTIFACTS);
  const out = chunked(write);
  const files: string[] = [];
  let results = 0;
  out.put(skeleton.slice(0, r.open + 1));
  return {
    add(res) {
      // A template's entries share one artifact.
      const artifactIndex = files[files.length - 1] === res.file ? files.length - 1 : files.push(res.file) - 1;
      for (const d of res.diagnostics) {
        out.put(
          `${results++ ? ',' : ''}\n${nested(
            {
              ruleId: d.code,
              ...(index.has(d.code) ? { ruleIndex: index.get(d.code) } : {}),
              level: SARIF_LEVEL[d.severity],
              message: { text: d.detail ? `${d.message} ${d.detail}` : d.message },
              locations: [
                {
                  // In a template: the policy or resource by name, beside its exact place.
                  ...(res.location !== undefined
                    ? { logicalLocations: [{ fullyQualifiedName: res.location, kind: 'resource' }] }
                    : {}),
                  physicalLocation: {
                    artifactLocation: { ...location(res.file), index: artifactIndex },
                    region: {
                      startLine: d.range.start.line + 1,
                      startColumn: d.range.start.character + 1,
                      endLine: d.range.end.line + 1,
                      // SARIF columns are exclusive at the end, like LSP's; never before the start.
                      endColumn: Math.max(
                        d.range.end.character + 1,
                        d.range.start.line === d.range.end.line ? d.range.start.character + 2 : 1,
                      ),
                    },
                  },
                },
              ],
            },
            r.indent,
          )}`,
        );
      }
    },
    end() {
      // `[]` when empty, as JSON.stringify writes it; otherwise the closing bracket on its own line.
      const closeOf = (m: { open: number; close: number }) => skeleton.slice(skeleton.lastIndexOf('\n', m.close), m.close + 1);
      out.put(results ? closeOf(r) : ']');
      out.put(skeleton.slice(r.close + 1, a.open + 1));
      out.put(files.length ? `\n${files.map(f => nested({ location: location(f) }, a.indent)).join(',\n')}${closeOf(a)}` : ']');
      out.put(`${skeleton.slice(a.close + 1)}\n`);
      out.flush();
    },
  };
}

export function formatSarif(results: FileResult[], version: string, cwd: string, config?: ConfigReport): string {
  let text = '';
  const w = sarifWriter(
    s => {
      text += s;
    },
    version,
    cwd,
    config,
  );
  for (const r of results) w.add(r);
  w.end();
  return text.slice(0, -1);
}

/** Column names in the text table: A, B, … then C27, C28, …. */
const columnName = (i: number): string => (i < 26 ? String.fromCharCode(65 + i) : `C${i + 1}`);

const WORD_COLOR: Record<CellTone, string> = { denied: '31', allowed: '32', open: '33', mixed: '35' };

/** " by DenyInsecureTransport; some also by DenyTlsBelow12". */
function cellText(report: ExplainReport, c: ReportCell): string {
  return statementPhrases(c)
    .map(p => ` ${p.prefix} ${statementNames(report, p.statements).join(', ')}`)
    .join(';');
}

/**
 * `explain` as text: per bucket (or for the key policy) the verdict line, the summary in plain words
 * (the same sentences as the editor's report view), the callers the policy treats alike, then every
 * request class, grouped: a line per row, a line per distinct cell naming the columns it holds for.
 */
export function formatExplainText(file: string, report: ExplainReport, color: boolean): string {
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lines = [paint('4', term(file))];
  if (report.message) lines.push(`  ${term(report.message)}`);
  for (const section of report.sections) {
    lines.push(`${paint('1', term(section.heading))}: ${term(section.verdictLine)}`);
    for (const s of section.summary) lines.push(`  ${term(s)}`);
    lines.push(
      '',
      `  ${section.columns.length === 1 ? 'Callers (the policy treats them alike)' : 'Callers the policy treats alike'}:`,
    );
    section.columns.forEach((c, i) =>
      lines.push(`    ${paint('1', columnName(i))}  ${term(c.label)}: ${term(c.members.join(', '))}`),
    );
    const rows = section.details.rows;
    lines.push(
      '',
      `  ${section.requestClasses} request classes in ${rows.length} row${rows.length === 1 ? '' : 's'}${section.truncated ? ` (only the first ${section.requestClasses} were enumerated)` : ''}:`,
    );
    const width = Math.max(...section.columns.map((_, i) => columnName(i).length + 1)) * Math.min(section.columns.length, 4);
    for (const row of rows) {
      lines.push(`    ${term(row.parts.length ? row.parts.join(' · ') : 'every request')}`);
      // Columns whose cells read the same share a line.
      const same = new Map<string, { cols: number[]; cell: ReportCell }>();
      row.cells.forEach((c, i) => {
        if (!c) return;
        const key = `${c.word}|${c.statements.join(',')}|${c.alsoBy.join(',')}`;
        const entry = same.get(key);
        if (entry) entry.cols.push(i);
        else same.set(key, { cols: [i], cell: c });
      });
      for (const { cols, cell } of same.values()) {
        const who = cols.length === section.columns.length && cols.length > 1 ? 'all' : cols.map(columnName).join(' ');
        lines.push(`      ${who.padEnd(width)} ${paint(WORD_COLOR[cell.tone], cell.word)}${term(cellText(report, cell))}`);
      }
    }
    lines.push('');
  }
  return lines.join('\n').replace(/\n+$/, '');
}
