// The CLI's output formats. The JSON shape is an interface other tools rely on
// (ARCHITECTURE.md, "CLI check --format json"): change it only with a version bump.
import { LIMIT_CODE } from '../analyze';
import type { ExplainedRequest } from '../engine/verdict';
import type { PolicyKind } from '../policy/model';
import type { Range } from '../policy/lines';
import { RULES } from '../rules/registry';
import type { Severity, SeveritySetting } from '../rules/types';
import { escapeTerminal } from '../text/escape';
import type { ConfigOrigin } from './args';

export interface FileDiagnostic {
  code: string;
  severity: Severity;
  message: string;
  range: Range;
}

export interface FileResult {
  file: string;
  kind: PolicyKind;
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

export function formatJson(results: FileResult[]): string {
  return JSON.stringify(results.map(r => ({ file: r.file, kind: r.kind, diagnostics: r.diagnostics, verdict: r.verdict ?? null })), null, 2);
}

export function formatText(results: FileResult[], color: boolean): string {
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const sevColor: Record<Severity, string> = { error: '31', warning: '33', info: '36' };
  const lines: string[] = [];
  const count = { error: 0, warning: 0, info: 0 };
  let filesWithProblems = 0;
  for (const r of results) {
    if (!r.diagnostics.length && !r.summaries.length) continue;
    if (r.diagnostics.length) filesWithProblems++;
    lines.push(`${paint('4', term(r.file))} ${paint('2', `(${r.kind})`)}`);
    for (const s of r.summaries) lines.push(`  ${paint('1', 'verdict')}  ${term(s)}`);
    for (const d of r.diagnostics) {
      count[d.severity]++;
      const pos = `${d.range.start.line + 1}:${d.range.start.character + 1}`;
      lines.push(`  ${pos.padEnd(8)} ${paint(sevColor[d.severity], d.severity.padEnd(7))} ${term(d.message)}  ${paint('2', term(d.code))}`);
    }
    lines.push('');
  }
  const total = count.error + count.warning + count.info;
  const policies = results.filter(r => r.kind !== 'unknown').length;
  const summary = total === 0
    ? `No problems in ${policies} ${policies === 1 ? 'policy' : 'policies'} (${results.length} file${results.length === 1 ? '' : 's'} checked).`
    : `${total} problem${total === 1 ? '' : 's'} (${count.error} error${count.error === 1 ? '' : 's'}, ${count.warning} warning${count.warning === 1 ? '' : 's'}, ${count.info} info) in ${filesWithProblems} of ${results.length} files.`;
  lines.push(paint(count.error ? '31;1' : '32', summary));
  return lines.join('\n');
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/**
 * SARIF 2.1.0 as GitHub code scanning accepts it: rules in the driver, 1-based regions, relative URIs.
 * The run's properties always say which config file applied and what it turned off or lowered.
 */
export function formatSarif(results: FileResult[], version: string, cwd: string, config?: ConfigReport): string {
  const rules = [
    ...RULES.map(r => ({
      id: r.meta.id,
      name: r.meta.title.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : '')).replace(/^./, c => c.toUpperCase()),
      shortDescription: { text: r.meta.title },
      fullDescription: { text: r.meta.why },
      help: { text: `${r.meta.why}\n\nExample:\n${r.meta.example}\n\nUse instead:\n${r.meta.useInstead}`, markdown: `${r.meta.why}\n\n**Example**\n\n\`\`\`json\n${r.meta.example}\n\`\`\`\n\n**Use instead**\n\n\`\`\`json\n${r.meta.useInstead}\n\`\`\`\n\n${r.meta.references.map(u => `- ${u}`).join('\n')}` },
      helpUri: r.meta.references[0],
      defaultConfiguration: { level: SARIF_LEVEL[r.meta.severity] },
      properties: { tags: ['security', 'aws', r.meta.id.split('-')[0].toLowerCase()], confidence: r.meta.confidence },
    })),
    {
      id: LIMIT_CODE,
      name: 'AnalysisLimit',
      shortDescription: { text: 'The analysis stopped at a limit' },
      fullDescription: { text: 'The file was larger or more deeply nested than the analysis limits allow, so part of it was not checked.' },
      defaultConfiguration: { level: 'note' as const },
      properties: { tags: ['limit'] },
    },
  ];
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const encode = (p: string) => p.split('\\').join('/').split('/').map(encodeURIComponent).join('/');
  // Files under the working folder are relative to %SRCROOT% (what code scanning maps to the repository).
  const location = (file: string) => (file.startsWith('/') ? { uri: `file://${encode(file)}` } : { uri: encode(file), uriBaseId: '%SRCROOT%' });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 's3-encryption-guard', version, semanticVersion: version, informationUri: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html', rules } },
      originalUriBaseIds: { '%SRCROOT%': { uri: `file://${cwd.split('/').map(encodeURIComponent).join('/')}/` } },
      artifacts: results.map(r => ({ location: location(r.file) })),
      results: results.flatMap((r, artifactIndex) => r.diagnostics.map(d => ({
        ruleId: d.code,
        ...(index.has(d.code) ? { ruleIndex: index.get(d.code) } : {}),
        level: SARIF_LEVEL[d.severity],
        message: { text: d.message },
        locations: [{
          physicalLocation: {
            artifactLocation: { ...location(r.file), index: artifactIndex },
            region: {
              startLine: d.range.start.line + 1,
              startColumn: d.range.start.character + 1,
              endLine: d.range.end.line + 1,
              // SARIF columns are exclusive at the end, like LSP's; never before the start.
              endColumn: Math.max(d.range.end.character + 1, d.range.start.line === d.range.end.line ? d.range.start.character + 2 : 1),
            },
          },
        }],
      }))),
      columnKind: 'utf16CodeUnits',
      properties: {
        config: config?.file ? { file: config.file, foundIn: config.foundIn, rulesOff: config.rulesOff, rulesLowered: config.rulesLowered, requirementsWeakened: config.requirementsWeakened, ignoredWithStrict: config.ignored } : null,
        strict: config?.strict ?? false,
        commandLineRules: config?.commandLineRules ?? {},
      },
    }],
  };
  return JSON.stringify(sarif, null, 2);
}

/** `explain` as text: the verdict, then each request class with its decision and the deciding statements. */
export function formatExplainText(file: string, summaries: readonly string[], requests: readonly ExplainedRequest[], color: boolean): string {
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const decisionColor: Record<string, string> = { 'explicit-deny': '32', allow: '33', 'implicit-deny': '2' };
  const lines = [paint('4', term(file))];
  for (const line of summaries) {
    const i = line.indexOf(': ');
    lines.push(`  ${paint('1', term(line.slice(0, i)))}: ${term(line.slice(i + 2))}`);
  }
  lines.push('');
  for (const r of requests) {
    const { principal, action, resource, ...context } = r.request;
    const ctx = Object.entries(context).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : String(v)}`).join(' ');
    const by = r.statements.length ? ` by ${r.statements.map(s => (typeof s === 'number' ? `#${s + 1}` : s)).join(', ')}` : '';
    lines.push(`  ${paint(decisionColor[r.decision], r.decision.padEnd(13))} ${term(`${String(principal)} ${String(action)} ${String(resource)} ${ctx}${by}`)}`);
  }
  const count = (d: string) => requests.filter(r => r.decision === d).length;
  lines.push('', `${requests.length} request classes: ${count('explicit-deny')} explicitly denied, ${count('allow')} allowed, ${count('implicit-deny')} implicitly denied.`);
  return lines.join('\n');
}
