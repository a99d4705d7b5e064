// ESLint-style table tests for one rule: valid cases report nothing; invalid cases report
// exactly the listed findings (rule ID, exact range via the text it covers, message) and,
// when `output` is given, produce that text once every finding's preferred fix is applied.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runRule } from '../../../server/src/analyze';
import type { PolicyKind } from '../../../server/src/policy/model';
import { parsePolicy } from '../../../server/src/policy/parse';
import { applyFindingFixes } from '../../../server/src/rules/fixes';
import type { Rule, Severity } from '../../../server/src/rules/types';
import { DEFAULT_REQUIREMENTS, type Requirements } from '../../../server/src/requirements';

export interface ValidCase {
  name?: string;
  code: string;
  kind?: PolicyKind;
  bucketName?: string;
  /** What the user requires (merged over the defaults: HTTPS required, nothing else). */
  requirements?: Partial<Requirements>;
}

export interface ExpectedFinding {
  /** The exact text the finding's range covers (e.g. `"deny"` with its quotes). */
  target: string;
  /** Which occurrence of `target` in the code (1-based); default 1. */
  occurrence?: number;
  message?: RegExp;
  severity?: Severity;
}

export interface InvalidCase extends ValidCase {
  errors: ExpectedFinding[];
  output?: string;
}

function offsetOf(code: string, target: string, occurrence = 1): number {
  let at = -1;
  for (let i = 0; i < occurrence; i++) {
    at = code.indexOf(target, at + 1);
    assert.ok(at >= 0, `target ${JSON.stringify(target)} (occurrence ${occurrence}) is not in the code`);
  }
  return at;
}

export function ruleTester(rule: Rule, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
  const kindOf = (c: ValidCase) => c.kind ?? rule.meta.appliesTo[0];
  const inputsOf = (c: ValidCase) => ({ bucketName: c.bucketName, requirements: { ...DEFAULT_REQUIREMENTS, ...c.requirements } });
  const label = (c: ValidCase, i: number) => c.name ?? (c.code.length > 70 ? `${c.code.slice(0, 67).replace(/\s+/g, ' ')}…` : c.code.replace(/\s+/g, ' ')) + ` #${i + 1}`;
  describe(`${rule.meta.id} ${rule.meta.title}`, () => {
    it('has complete metadata', () => {
      assert.match(rule.meta.id, /^(GRM|ENC|TLS|KMS|MIS)-\d{3}$/);
      for (const k of ['title', 'why', 'example', 'useInstead'] as const) assert.ok(rule.meta[k].length > 0, `meta.${k} is empty`);
      assert.ok(rule.meta.references.length > 0, 'meta.references is empty');
      assert.ok(rule.meta.appliesTo.length > 0, 'meta.appliesTo is empty');
    });
    cases.valid.forEach((c, i) => {
      it(`valid: ${label(c, i)}`, () => {
        const findings = runRule(rule, parsePolicy(c.code), kindOf(c), inputsOf(c));
        assert.deepEqual(findings.map(f => `${f.message} @${c.code.slice(f.span.offset, f.span.offset + f.span.length)}`), []);
      });
    });
    cases.invalid.forEach((c, i) => {
      it(`invalid: ${label(c, i)}`, () => {
        const findings = runRule(rule, parsePolicy(c.code), kindOf(c), inputsOf(c));
        const got = findings.map(f => ({ text: c.code.slice(f.span.offset, f.span.offset + f.span.length), offset: f.span.offset, f }));
        assert.equal(findings.length, c.errors.length,
          `expected ${c.errors.length} finding(s), got ${findings.length}:\n${got.map(g => `  ${g.text} — ${g.f.message}`).join('\n')}`);
        c.errors.forEach((e, j) => {
          const g = got[j];
          assert.equal(g.f.ruleId, rule.meta.id);
          assert.equal(g.text, e.target, `finding ${j + 1} covers ${JSON.stringify(g.text)}, expected ${JSON.stringify(e.target)} (${g.f.message})`);
          assert.equal(g.offset, offsetOf(c.code, e.target, e.occurrence), `finding ${j + 1} is at the wrong occurrence of ${JSON.stringify(e.target)}`);
          if (e.message) assert.match(g.f.message, e.message);
          if (e.severity) assert.equal(g.f.severity, e.severity);
        });
        if (c.output !== undefined) assert.equal(applyFindingFixes(c.code, findings), c.output);
      });
    });
  });
}
