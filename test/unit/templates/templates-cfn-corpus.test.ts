// Every policy of the test corpus, embedded in a CloudFormation YAML template and a CloudFormation
// JSON template (as CDK writes them), gets the same verdict and the same findings as the JSON
// file, and each finding on a value lands on that value in the template.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { analyze } from '../../../core/analyze';
import { applyEdits } from '../../../core/rules/fixes';
import { analyzeTemplate } from '../../../core/templates/index';
import { asFile, corpus, inJson, inYaml } from './corpus';

const covered = (text: string, span: { offset: number; length: number }): string =>
  text.slice(span.offset, span.offset + span.length);
const key = (f: { ruleId: string; messageId?: string; message: string; severity: string }): string =>
  `${f.ruleId} ${f.severity} ${f.messageId ?? ''} ${f.message}`;

for (const [format, embed, fileName] of [
  ['YAML', inYaml, 'stack.yaml'],
  ['JSON', inJson, 'cdk.out/Stack.template.json'],
] as const) {
  describe(`the corpus in CloudFormation ${format}: same verdict, same findings, on the same values`, () => {
    for (const p of corpus()) {
      it(p.name, () => {
        const file = asFile(p);
        const expected = analyze(file.text, file.fileName, file.settings);
        const template = embed(p);
        const a = analyzeTemplate(template, fileName);
        assert.deepEqual(a.findings, [], 'no template-level findings');
        assert.equal(a.entries.filter(e => e.policy).length, 1, 'one policy found');
        const entry = a.entries.find(e => e.policy)!;
        assert.equal(entry.kind, p.kind);
        assert.deepEqual(entry.analysis?.verdicts, expected.verdicts, 'bucket verdicts');
        assert.deepEqual(entry.analysis?.keyVerdict, expected.keyVerdict, 'key verdict');
        assert.deepEqual(entry.findings.map(key).sort(), expected.findings.map(key).sort(), 'findings');
        // Each finding on a string value covers that value in the template.
        for (const f of expected.findings) {
          const jsonText = covered(file.text, f.span);
          if (!/^"(?:[^"\\]|\\.)*"$/.test(jsonText)) continue;
          const value = JSON.parse(jsonText) as string;
          const match = entry.findings.find(
            g =>
              key(g) === key(f) &&
              (() => {
                const t = covered(template, g.span);
                try {
                  return format === 'JSON' ? JSON.parse(t) === value : String(parse(t)) === value;
                } catch {
                  return false;
                }
              })(),
          );
          assert.ok(match, `${f.ruleId} on ${jsonText} lands on that value in the template`);
        }
      });
      it(`${p.name}: every fix, written in the template, does what it does in the JSON file`, () => {
        const file = asFile(p);
        const expected = analyze(file.text, file.fileName, file.settings);
        const template = embed(p);
        const entry = analyzeTemplate(template, fileName).entries.find(e => e.policy)!;
        // The n-th finding of a kind in the file is the n-th of that kind in the template (both in document order).
        const seen = new Map<string, number>();
        for (const f of expected.findings) {
          const n = seen.get(key(f)) ?? 0;
          seen.set(key(f), n + 1);
          const g = entry.findings.filter(x => key(x) === key(f))[n];
          for (const fix of f.fixes) {
            assert.ok(
              g?.fixes.some(y => y.title === fix.title),
              `${f.ruleId} offers "${fix.title}" in the template too`,
            );
            const tfix = g.fixes.find(y => y.title === fix.title)!;
            const fixedJson = analyze(applyEdits(file.text, fix.edits), file.fileName, file.settings);
            const fixedTemplate = applyEdits(template, tfix.edits);
            const after = analyzeTemplate(fixedTemplate, fileName);
            assert.deepEqual(after.findings, [], `the fixed template reads (${f.ruleId}: ${fix.title})\n${fixedTemplate}`);
            const e2 = after.entries.find(e => e.policy)!;
            assert.deepEqual(
              e2.findings.map(key).sort(),
              fixedJson.findings.map(key).sort(),
              `${f.ruleId}: ${fix.title}\n${fixedTemplate}`,
            );
            assert.deepEqual(e2.analysis?.verdicts, fixedJson.verdicts, `${f.ruleId}: ${fix.title}`);
          }
        }
      });
    }
  });
}
