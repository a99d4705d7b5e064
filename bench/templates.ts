// Benchmark: infrastructure templates of about 500 KB with 40 bucket policies and 10 key policies
// (bench/template-inputs.ts), CloudFormation YAML and Terraform: the full analysis of a template
// opened cold (no per-policy cache), and the analysis after a keystroke inside one policy with the
// cache the language server keeps per document (the other 49 policies come from it).
import { analyzeTemplate, createTemplateCache } from '../core/templates/analyze';
import { initTerraform } from '../core/templates/hcl-parse';
import { cloudFormationTemplate, terraformModule } from './template-inputs';
import { fmt, summarize, table, time, type Timing } from './stats';

export interface TemplateRow {
  input: string;
  bytes: number;
  policies: number;
  /** Every policy analysed (a template just opened). */
  full: Timing;
  /** One policy edited, the others from the cache. */
  keystroke: Timing;
}

/** The text with one character added to the Sid of the n-th DenyOutdatedTls statement. */
function edit(text: string, n: number, marker: string): string {
  let at = -1;
  for (let i = 0; i <= n; i++) at = text.indexOf(marker, at + 1);
  if (at < 0) throw new Error(`benchmark input has no ${marker} #${n}`);
  return `${text.slice(0, at + marker.length)}X${text.slice(at + marker.length)}`;
}

function bench(input: string, text: string, file: string, marker: string): TemplateRow {
  const first = analyzeTemplate(text, file);
  const policies = first.entries.filter(e => e.policy).length;
  if (policies !== 50) throw new Error(`${input}: ${policies} policies found, 50 expected`);
  // About 70 runs: with 35, the p95 was the second-slowest run, and one collection in it moved the figure by a third.
  const full = time(() => analyzeTemplate(text, file), 6000);
  // Each sample: a cache holding the previous version, then one policy changed (a different one each time).
  const samples: number[] = [];
  const cache = createTemplateCache();
  analyzeTemplate(text, file, {}, cache);
  for (let i = 0; i < 60; i++) {
    const next = edit(text, i % 40, marker);
    const t = performance.now();
    analyzeTemplate(next, file, {}, cache);
    samples.push(performance.now() - t);
  }
  return { input, bytes: text.length, policies, full, keystroke: summarize(samples.slice(5)) };
}

export async function benchTemplates(): Promise<TemplateRow[]> {
  await initTerraform();
  return [
    bench(
      'CloudFormation YAML, 40 bucket + 10 key policies',
      cloudFormationTemplate(),
      '/bench/stack.yaml',
      'Sid: DenyOutdatedTls',
    ),
    bench('Terraform module, 40 bucket + 10 key policies', terraformModule(), '/bench/main.tf', 'DenyOutdatedTls'),
  ];
}

export function printTemplates(rows: TemplateRow[]): void {
  console.log(
    table([
      ['template', 'size', 'policies', 'full (median)', 'full (p95)', 'keystroke (median)', 'keystroke (p95)'],
      ...rows.map(r => [
        r.input,
        `${(r.bytes / 1024).toFixed(0)} KB`,
        String(r.policies),
        fmt(r.full.median),
        fmt(r.full.p95),
        fmt(r.keystroke.median),
        fmt(r.keystroke.p95),
      ]),
    ]),
  );
}

if (require.main === module) {
  void benchTemplates().then(printTemplates);
}
