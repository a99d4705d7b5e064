// Infrastructure templates in the editor (CloudFormation YAML and JSON, CDK output, Terraform): a
// document that a template scanner claims (core/templates) is analysed policy by policy by the one
// engine (core/templates/analyze.ts); its DocumentAnalysis then carries the template's analysis,
// with every finding in template offsets, so that diagnostics and quick fixes need nothing of their
// own. What is per policy (the verdict CodeLens, hover, Explain, the status bar) is here: each picks
// the policy by its location or by a position inside it, and reads the engine's analysis of that
// policy's JSON through its source map (EmbeddedPolicy.toTemplate).
import type { CodeLens, Hover, Position } from 'vscode-languageserver';
import { analyze, DEFAULT_SETTINGS, LIMIT_CODE, type Analysis, type AnalysisSettings } from '../../core/analyze';
import { BoundedCache } from '../../core/bounded-cache';
import { LineIndex, type Range } from '../../core/policy/lines';
import type { Span } from '../../core/policy/model';
import { RULES } from '../../core/rules/registry';
import type { Finding } from '../../core/rules/types';
import { TEMPLATE_RULES } from '../../core/templates/rules/registry';
import { analyzeTemplate, createTemplateCache, type TemplateCache } from '../../core/templates/analyze';
import { initTerraform, terraformReady } from '../../core/templates/hcl-parse';
import { isTemplate } from '../../core/templates/index';
import { PLACEHOLDER_CLOSE, PLACEHOLDER_OPEN, type TemplateAnalysis, type TemplateEntry } from '../../core/templates/types';
import type { ExplainReport, ExplainTarget } from '../../protocol/protocol';
import type { LiveAnalyzeResult } from '../../protocol/protocol';
import { escapeMarkdown, markdownCode, plainLine } from '../../shared/escape';
import { EXPLAIN_COMMAND } from '../../protocol/protocol';
import { explainReport } from '../../core/explain';
import type { DocumentAnalysis } from './document-analysis';
import { uriPath } from './document-analysis';
import { bucketVerdictLine, keyVerdictLine, liveResult, positionOf } from './live-analysis';
import { ruleDocUri } from './rule-docs';

/** A template's analysis as the server keeps it beside (in place of) a policy document's. */
export interface TemplateDocument {
  analysis: TemplateAnalysis;
  /** The template's text (completion reads the policy written there). */
  text: string;
  /** Policies analysed afresh for this version (the others came from the per-policy cache). */
  policiesAnalysed: number;
}

/**
 * What is kept per open template across its versions: analyzeTemplate's per-policy cache (a
 * keystroke inside one policy re-analyses that policy only), and the analyses of the last version,
 * to count the policies analysed afresh.
 */
interface TemplateState {
  cache: TemplateCache;
  last: Set<object>;
}

/** Open templates' states, bounded by what their policy caches may hold. */
const policyCaches = new BoundedCache<string, TemplateState>({ maxBytes: 256 * 1024 * 1024 });
/** One template's policy analyses (a 500 KB template of 50 policies needs ~20 MB). */
const POLICY_CACHE_BYTES = 32 * 1024 * 1024;

/** Counters for the stats request. */
export const templateStats = { templateAnalyses: 0, templatePolicyAnalyses: 0 };

/** Entries kept per template URI (the stats request's documentEntries). */
export const templateEntries = (): number => policyCaches.size;

/** Forget what is kept for a closed document. */
export function forgetTemplate(uri: string): void {
  policyCaches.delete(uri);
}

/** Forget every template's cached policies (the settings changed: every verdict may differ). */
export function forgetAllTemplates(): void {
  policyCaches.clear();
}

/** Cheap: does a template scanner claim this document (by its name and first bytes)? */
export function claimsTemplate(filePath: string, text: string): boolean {
  try {
    return isTemplate(filePath, text);
  } catch {
    return false;
  }
}

/**
 * Analyse a template document. The returned Analysis stands for the whole file: not a policy itself
 * (kind "unknown", so the JSON policy features pass it by), its findings every entry's findings
 * and the template's own (syntax errors, limits), in template offsets, sorted.
 */
export function analyzeTemplateDocument(
  uri: string,
  text: string,
  filePath: string,
  settings: AnalysisSettings,
): { analysis: Analysis; template: TemplateDocument } {
  let state = policyCaches.get(uri);
  if (!state) {
    state = { cache: createTemplateCache(POLICY_CACHE_BYTES), last: new Set() };
    policyCaches.set(uri, state, POLICY_CACHE_BYTES);
  }
  const t = analyzeTemplate(text, filePath, settings, state.cache);
  // A policy whose analysis object is not one of the last version's was analysed afresh (the
  // cache hands back the same object for the same policy text and settings).
  const now = new Set<object>();
  let fresh = 0;
  for (const e of t.entries) {
    const engine = e.analysis && engineIdentity(e.analysis);
    if (!engine || now.has(engine)) continue;
    now.add(engine);
    if (!state.last.has(engine)) fresh++;
  }
  state.last = now;
  templateStats.templateAnalyses++;
  templateStats.templatePolicyAnalyses += fresh;
  let findings: Finding[] = [...t.findings, ...t.entries.flatMap(e => e.findings)].sort(
    (a, b) => a.span.offset - b.span.offset || a.ruleId.localeCompare(b.ruleId),
  );
  // Each policy's findings are capped by the analysis; the template's together are capped here too.
  const max = settings.maxDiagnostics ?? DEFAULT_SETTINGS.maxDiagnostics;
  if (findings.length > max) {
    const hidden = findings.length - max;
    findings = findings.slice(0, max);
    findings.push({
      ruleId: LIMIT_CODE,
      severity: 'info',
      span: { offset: 0, length: Math.min(1, text.length) },
      message: `${hidden} more problems in this template are not shown (limit ${max}, setting s3EncryptionGuard.maxDiagnostics).`,
      fixes: [],
    });
  }
  const policies = t.entries.filter(e => e.policy).length;
  const format = t.format === 'terraform' ? 'Terraform file' : 'CloudFormation template';
  return {
    analysis: {
      kind: {
        kind: 'unknown',
        source: 'content',
        reason: `a ${format} with ${policies} polic${policies === 1 ? 'y' : 'ies'}`,
      },
      findings,
      ruleFailures: t.entries.flatMap(e => e.analysis?.ruleFailures ?? []),
    },
    template: { analysis: t, text, policiesAnalysed: fresh },
  };
}

// ---------------------------------------------------------------------------------------------
// The policy under the cursor

/** What the per-policy features need of a document analysis. */
export interface TemplateView {
  uri: string;
  lines: LineIndex;
  template: TemplateDocument;
}

function viewOf(a: DocumentAnalysis): TemplateView {
  if (!a.template) throw new Error(`${uriPath(a.uri)} is not a template`);
  return { uri: a.uri, lines: a.lines, template: a.template };
}

const contains = (s: Span, offset: number): boolean => offset >= s.offset && offset <= s.offset + s.length;

/** The policy entries of a template, in template order. */
export const policyEntries = (t: TemplateDocument): TemplateEntry[] => t.analysis.entries.filter(e => e.policy && e.analysis);

/** The policy at `offset` (the innermost, should two spans nest), or undefined. */
export function policyAt(t: TemplateDocument, offset: number): TemplateEntry | undefined {
  let best: TemplateEntry | undefined;
  for (const e of policyEntries(t)) if (contains(e.span, offset) && (!best || e.span.length < best.span.length)) best = e;
  return best;
}

/** The policy a request names: by location, by a position inside it, else the template's first. */
export function policyFor(v: TemplateView, at: ExplainTarget | undefined): TemplateEntry | undefined {
  if (typeof at === 'string') return policyEntries(v.template).find(e => e.location === at);
  if (at) return policyAt(v.template, v.lines.offset(at));
  return policyEntries(v.template)[0];
}

/**
 * Positions in a policy's rendered JSON shown as positions in the template: what explain.ts and
 * liveResult need of a LineIndex, through the policy's source map.
 */
class PolicyLines extends LineIndex {
  constructor(
    private readonly template: LineIndex,
    private readonly toTemplate: (s: Span) => Span,
  ) {
    super('');
  }
  override position(offset: number) {
    return this.template.position(this.toTemplate({ offset, length: 0 }).offset);
  }
  override range(span: Span): Range {
    return this.template.range(this.toTemplate(span));
  }
  override offset(): number {
    // Nothing maps template positions back into the JSON: callers use the template's index.
    throw new Error('PolicyLines maps JSON offsets to the template only');
  }
}

/** JSON offsets of the policy as the engine read it → template spans. */
function policyLines(v: TemplateView, e: TemplateEntry): LineIndex {
  const policy = e.policy!;
  const read = e.analysis!.doc?.text;
  const toPolicy = read === undefined || read === policy.json ? (o: number) => o : engineToPolicy(read, policy.json);
  return new PolicyLines(v.lines, s => {
    const from = toPolicy(s.offset);
    const to = s.length ? toPolicy(s.offset + s.length) : from;
    return policy.toTemplate({ offset: from, length: Math.max(0, to - from) });
  });
}

/**
 * Offsets of the text the engine read → offsets of the policy's rendered JSON. The two differ only
 * where a value the template does not fix stands: the rendered JSON writes it as a placeholder
 * (`${?BucketName}`), the engine reads a stand-in of another length. The text between placeholders
 * is the same in both; an offset inside a stand-in maps to its placeholder's start.
 */
function engineToPolicy(read: string, json: string): (offset: number) => number {
  // [start in read, start in json, length] of the runs the two texts share.
  const runs: [number, number, number][] = [];
  let i = 0;
  let j = 0;
  const MAX_PLACEHOLDERS = 10_000;
  for (let n = 0; n < MAX_PLACEHOLDERS; n++) {
    const open = json.indexOf(PLACEHOLDER_OPEN, i);
    const close = open < 0 ? -1 : json.indexOf(PLACEHOLDER_CLOSE, open + PLACEHOLDER_OPEN.length);
    if (close < 0) break;
    runs.push([j, i, open - i]);
    j += open - i;
    i = close + PLACEHOLDER_CLOSE.length;
    // The stand-in ends where the shared text resumes.
    const nextOpen = json.indexOf(PLACEHOLDER_OPEN, i);
    const shared = json.slice(i, Math.min(nextOpen < 0 ? json.length : nextOpen, i + 32));
    const resume = shared ? read.indexOf(shared, j) : read.length;
    if (resume < 0) break;
    runs.push([j, open, 0]); // the stand-in itself: its placeholder's start
    j = resume;
  }
  runs.push([j, i, json.length - i]);
  return offset => {
    let best = runs[0];
    for (const r of runs) if (r[0] <= offset) best = r;
    return best[1] + Math.min(Math.max(0, offset - best[0]), best[2]);
  };
}

const KIND_WORDS: Record<string, string> = { 'bucket-policy': 'Bucket policy', 'key-policy': 'Key policy' };

/** The verdict lines of one policy, as the CodeLens and the hover show them. */
function verdictLines(e: TemplateEntry, wantedTls?: string | null): { bucket?: string; line: string }[] {
  const a = e.analysis!;
  if (a.notAnalysed) return [{ line: `Verdict: not analysed, ${a.notAnalysed}` }];
  if (a.notEvaluated) return [{ line: `Verdict: not evaluated, ${a.notEvaluated}` }];
  if (a.keyVerdict) return [{ line: keyVerdictLine(a.keyVerdict) }];
  const verdicts = a.verdicts ?? [];
  if (!verdicts.length && e.kind === 'bucket-policy')
    return [{ line: 'Verdict: the policy names no bucket the template resolves' }];
  return verdicts.map(v => ({ bucket: v.bucket, line: bucketVerdictLine(v, verdicts.length > 1, wantedTls) }));
}

// ---------------------------------------------------------------------------------------------
// CodeLens, hover, Explain, the status bar

/** Above each policy: its verdict (one lens per bucket), running Explain on that policy. */
export function templateCodeLenses(v: TemplateView, wantedTls?: string | null): CodeLens[] {
  return policyEntries(v.template).flatMap(e => {
    const range = v.lines.range({ offset: e.span.offset, length: 0 });
    return verdictLines(e, wantedTls).map(l => ({
      range,
      command: {
        title: plainLine(l.line),
        command: e.analysis!.notEvaluated || e.analysis!.notAnalysed ? '' : EXPLAIN_COMMAND,
        arguments: [v.uri, l.bucket, e.location],
      },
    }));
  });
}

/** Titles of the policy rules and of the template rules (checks across resources). */
const META = new Map<string, { title: string }>([...RULES, ...TEMPLATE_RULES].map(r => [r.meta.id, r.meta]));

/** On a finding: its rule, its explanation and the rule's page; inside a policy: where it is and its verdict. */
export function templateHover(
  v: TemplateView,
  findings: readonly Finding[],
  position: Position,
  wantedTls?: string | null,
): Hover | null {
  const offset = v.lines.offset(position);
  const parts: string[] = [];
  const hits = findings.filter(f => contains(f.span, offset));
  for (const f of hits.slice(0, 5)) {
    const meta = META.get(f.ruleId);
    const link = ruleDocUri(f.ruleId);
    parts.push(
      [
        `**${escapeMarkdown(f.ruleId)}**${meta ? ` · ${escapeMarkdown(meta.title)}` : ''}`,
        '',
        escapeMarkdown(f.message, 1000),
        ...(f.detail ? ['', escapeMarkdown(f.detail, 2000)] : []),
        ...(link ? ['', `[${escapeMarkdown(f.ruleId)} documentation](${link})`] : []),
      ].join('\n'),
    );
  }
  const e = policyAt(v.template, offset);
  if (e) {
    const lines = verdictLines(e, wantedTls).map(l => `- ${escapeMarkdown(l.line, 1000)}`);
    const unresolved = e.policy!.unresolved.map(u => markdownCode(u.name, 120));
    parts.push(
      [
        `**${KIND_WORDS[e.kind] ?? 'Policy'}** ${markdownCode(e.location, 300)}`,
        '',
        ...lines,
        ...(unresolved.length
          ? [
              '',
              `Values the template does not fix, judged as "some value" (never a reason for "enforced"): ${[...new Set(unresolved)].slice(0, 10).join(', ')}`,
            ]
          : []),
      ].join('\n'),
    );
  }
  if (!parts.length) return null;
  const span = hits[0]?.span ?? e?.span;
  return {
    ...(span ? { range: v.lines.range(span) } : {}),
    contents: { kind: 'markdown', value: parts.join('\n\n---\n\n') },
  };
}

/** The Explain report of the template policy a request names (`at`: its location, or a position inside it, as the client sent it). */
export function explainTemplate(
  a: DocumentAnalysis,
  at: unknown,
  bucket: string | undefined,
  wantedTls: string | null | undefined,
): ExplainReport {
  const target: ExplainTarget | undefined = typeof at === 'string' ? at.slice(0, 2000) : positionOf(at);
  return templateExplainReport(viewOf(a), target, bucket, wantedTls, uriPath(a.uri).split('/').pop() ?? a.uri);
}

/** The Explain report of the policy `at` names (its location, or a position inside it; the first policy without it). */
export function templateExplainReport(
  v: TemplateView,
  at: ExplainTarget | undefined,
  bucket: string | undefined,
  wantedTls: string | null | undefined,
  fileName: string,
): ExplainReport {
  const e = policyFor(v, at);
  if (!e) {
    const none = !policyEntries(v.template).length;
    return {
      uri: v.uri,
      file: fileName,
      kind: 'other',
      message: none
        ? 'This template holds no bucket policy or key policy to explain.'
        : typeof at === 'string'
          ? `The template no longer has the policy ${at}.`
          : 'The cursor is not inside a bucket policy or key policy: put it inside one (or use the verdict line above one) and run Explain again.',
      statements: [],
      sections: [],
    };
  }
  const report = explainReport({ uri: v.uri, analysis: e.analysis!, lines: policyLines(v, e), bucket, wantedTls });
  return { ...report, file: `${fileName} · ${e.location}`, location: e.location };
}

/** The status bar's answer for the policy under the cursor (or the template's first). */
export function templateLiveResult(
  a: DocumentAnalysis,
  position: Position | undefined,
  wantedTls: string | null | undefined,
): LiveAnalyzeResult {
  const v = viewOf(a);
  const e = position ? policyAt(v.template, v.lines.offset(position)) : policyEntries(v.template)[0];
  if (!e) return { kind: 'unknown', verdict: null, summary: [], diagnostics: [] };
  const r = liveResult(e.analysis!, policyLines(v, e), undefined, wantedTls);
  // The entry's findings are the ones the template shows (in template offsets, cross-resource ones too).
  const diagnostics = e.findings.map(f => ({
    code: f.ruleId,
    severity: f.severity,
    message: f.message,
    range: v.lines.range(f.span),
  }));
  return { ...r, diagnostics, location: e.location };
}

/**
 * What identifies the engine's run behind an entry's analysis: analyzeTemplate copies the cached
 * analysis with the template's kind and words, but keeps its parsed document (and findings), the
 * same objects while the policy's text and settings do not change.
 */
const engineIdentity = (a: Analysis): object => a.doc ?? a.findings;

/**
 * Start-up work of the template scanners: Terraform's parser is WebAssembly, loaded once before the
 * first .tf file is scanned (initTerraform never rejects: a failure is kept, and every .tf file then
 * says why it cannot be read). Bounded: a load that does not finish in 10 s does not hold up the
 * server's start; .tf files opened meanwhile wait for nothing, they are scanned when it is done.
 */
export async function initTemplates(log: (message: string) => void): Promise<void> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const loaded = await Promise.race([
    initTerraform().then(() => true),
    new Promise<boolean>(resolve => {
      timer = setTimeout(() => resolve(false), 10_000);
    }),
  ]);
  clearTimeout(timer);
  if (!loaded) log('Terraform files: the HCL parser did not load within 10 s; .tf files are checked once it has');
  else if (!terraformReady())
    log('Terraform files cannot be checked: the HCL parser did not load (see the diagnostics of a .tf file for why)');
  else log(`Terraform parser loaded in ${Math.round(performance.now() - t0)} ms`);
}

/**
 * Completion inside a policy written as JSON in the template (CloudFormation JSON, CDK output): the
 * policy's completion (`complete`, features/completion.ts) on a text in which everything outside the
 * policy is blanked, so that offsets, lines and the policy's own JSON stay as they are. Outside a
 * policy, and in policies written in YAML or HCL, there is nothing to offer.
 */
export function templateCompletion<T>(
  a: DocumentAnalysis,
  position: Position,
  settings: AnalysisSettings,
  complete: (policy: DocumentAnalysis, position: Position) => T | null,
): T | null {
  const v = viewOf(a);
  const e = policyAt(v.template, v.lines.offset(position));
  if (!e || e.policy!.syntax !== 'cfn-json') return null;
  const { text } = v.template;
  const start = e.span.offset;
  const end = Math.min(text.length, e.span.offset + e.span.length);
  const masked =
    text.slice(0, start).replace(/[^\r\n]/g, ' ') + text.slice(start, end) + text.slice(end).replace(/[^\r\n]/g, ' ');
  const analysis = analyze(masked, `${uriPath(a.uri)}#${e.location}`, {
    ...settings,
    kinds: { '**': e.kind },
    bucketName: e.analysis!.bucketName,
  });
  return complete({ ...a, analysis, template: undefined }, position);
}
