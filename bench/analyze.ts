// Benchmark: whole analysis (parse, kind, every rule, the engine's verdict) beside parse-only
// time of the same text, for realistic policies and the hostile inputs of the robustness tests.
import { parseTree } from 'jsonc-parser';
import { analyze } from '../core/analyze';
import { BAD_INPUTS } from '../test/helpers/bad-input';
import { bucketPolicy, keyPolicy } from './policies';
import { fmt, table, time, type Timing } from './stats';

export interface AnalysisRow {
  input: string;
  bytes: number;
  parse: Timing | null;
  analysis: Timing;
  ratio: number | null;
  findings: number;
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
    out.push({
      input,
      bytes: text.length,
      parse,
      analysis,
      ratio: parse ? analysis.median / parse.median : null,
      findings: analyze(text, file).findings.length,
    });
  }
  return out;
}

export function printAnalysis(rows: AnalysisRow[]): void {
  console.log(
    table([
      ['input', 'size', 'parse (median)', 'analysis (median)', 'analysis (p95)', 'ratio', 'findings'],
      ...rows.map(r => [
        r.input,
        `${(r.bytes / 1024).toFixed(1)} KB`,
        r.parse ? fmt(r.parse.median) : 'stack overflow',
        fmt(r.analysis.median),
        fmt(r.analysis.p95),
        r.ratio === null ? '–' : `${r.ratio.toFixed(1)}×`,
        String(r.findings),
      ]),
    ]),
  );
}
