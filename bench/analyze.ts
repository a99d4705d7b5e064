// Benchmark: whole analysis (parse, kind, every rule, the engine's verdict) beside parse-only
// time of the same text, for realistic policies and the hostile inputs of the robustness tests: the
// same text again, a keystroke (one statement changed, the version before analysed first), and a
// fresh analysis with nothing reused (docs/design/engine.md#reuse).
import { parseTree } from 'jsonc-parser';
import { analyze, forgetEarlierVersions } from '../core/analyze';
import { parsePolicy } from '../core/policy/parse';
import { BAD_INPUTS } from '../test/helpers/bad-input';
import { bucketPolicy, keyPolicy } from './policies';
import { fmt, table, time, type Timing } from './stats';

export interface AnalysisRow {
  input: string;
  bytes: number;
  parse: Timing | null;
  /** The same text analysed again and again (what the earlier results measured). */
  analysis: Timing;
  ratio: number | null;
  /**
   * A keystroke: each run analyses the text with one character more in a value of its middle
   * statement (a different one each run), after the version before — what the editor does.
   */
  edit: Timing | null;
  editRatio: number | null;
  /** Nothing reused from an earlier version (opening a file). */
  fresh: Timing;
  findings: number;
}

/**
 * Versions of `text` with something more in the last string value of its middle statement: `n` gives
 * a version no earlier run has seen (built in the timed run: a copy of the text, microseconds).
 * Undefined when the text has no statement to change.
 */
export function keystrokes(text: string): ((n: number) => string) | undefined {
  const doc = parsePolicy(text);
  const st = doc.statements[doc.statements.length >> 1];
  if (!st || doc.syntaxErrors.length) return undefined;
  const end = st.span.offset + st.span.length;
  const q = text.lastIndexOf('"', text.lastIndexOf('"', end - 1) - 1);
  if (q <= st.span.offset) return undefined;
  const head = text.slice(0, q + 1);
  const tail = text.slice(q + 1);
  return n => `${head}x${n}${tail}`;
}

export function benchAnalysis(): AnalysisRow[] {
  const cases: [string, string, string][] = [
    ['bucket policy 1 KB', bucketPolicy(1024), 'bench-bucket.bucket-policy.json'],
    ['bucket policy 5 KB', bucketPolicy(5 * 1024), 'bench-bucket.bucket-policy.json'],
    ['bucket policy 20 KB (AWS maximum)', bucketPolicy(20 * 1024), 'bench-bucket.bucket-policy.json'],
    ['key policy 32 KB (AWS maximum)', keyPolicy(32 * 1024), 'bench.key-policy.json'],
    ...Object.entries(BAD_INPUTS).map(([n, make]): [string, string, string] => [
      `hostile: ${n}`,
      make(),
      `${n}.bucket-policy.json`,
    ]),
  ];
  const out: AnalysisRow[] = [];
  for (const [input, text, file] of cases) {
    const minMs = text.length > 1e6 ? 1500 : 700;
    // jsonc-parser alone recurses once per nesting level: 10 000 levels overflow the stack (the analysis refuses them first).
    let parse: Timing | null;
    try {
      parse = time(() => parseTree(text, []), minMs);
    } catch {
      parse = null;
    }
    const analysis = time(() => analyze(text, file), minMs);
    const version = keystrokes(text);
    let n = 0;
    const edit = version ? time(() => analyze(version(n++), file), minMs) : null;
    const fresh = time(() => {
      forgetEarlierVersions();
      analyze(text, file);
    }, minMs);
    out.push({
      input,
      bytes: text.length,
      parse,
      analysis,
      ratio: parse ? analysis.median / parse.median : null,
      edit,
      editRatio: parse && edit ? edit.median / parse.median : null,
      fresh,
      findings: analyze(text, file).findings.length,
    });
  }
  return out;
}

export function printAnalysis(rows: AnalysisRow[]): void {
  console.log(
    table([
      [
        'input',
        'size',
        'parse (median)',
        'analysis (median)',
        'analysis (p95)',
        'ratio',
        'keystroke (median)',
        'keystroke (p95)',
        'ratio',
        'fresh (median)',
        'fresh (p95)',
        'findings',
      ],
      ...rows.map(r => [
        r.input,
        `${(r.bytes / 1024).toFixed(1)} KB`,
        r.parse ? fmt(r.parse.median) : 'stack overflow',
        fmt(r.analysis.median),
        fmt(r.analysis.p95),
        r.ratio === null ? '–' : `${r.ratio.toFixed(1)}×`,
        r.edit ? fmt(r.edit.median) : '–',
        r.edit ? fmt(r.edit.p95) : '–',
        r.editRatio === null ? '–' : `${r.editRatio.toFixed(1)}×`,
        fmt(r.fresh.median),
        fmt(r.fresh.p95),
        String(r.findings),
      ]),
    ]),
  );
}
