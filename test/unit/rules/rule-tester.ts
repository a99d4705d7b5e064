// ESLint-style table tests for one rule: valid cases report nothing; invalid cases report
// exactly the listed findings (rule ID, exact range via the text it covers, message) and,
// when `output` is given, produce that text once every finding's preferred fix is applied.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runRule } from '../../../core/analyze';
import type { PolicyKind } from '../../../core/policy/model';
import { parsePolicy } from '../../../core/policy/parse';
import { applyFindingFixes, fixAll } from '../../../core/rules/fixes';
import { MAX_SUMMARY, type Finding, type Rule, type Severity } from '../../../core/rules/types';
import { DEFAULT_REQUIREMENTS, type Requirements } from '../../../core/requirements';

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
  /** Which of the rule's messages (meta.messages). */
  messageId?: string;
  /** Matched against the whole text: the summary, a space, the detail. */
  message?: RegExp;
  severity?: Severity;
}

export interface InvalidCase extends ValidCase {
  errors: ExpectedFinding[];
  /** The text after each finding's preferred fix (safe or not). */
  output?: string;
  /**
   * What "fix all" with this rule alone does (safe fixes only, analysed again round after round):
   * `'output'` — the same as the preferred fixes (they are safe); `'unchanged'` — nothing, no fix
   * is safe; or the exact text.
   */
  fixAll?: 'output' | 'unchanged' | (string & {});
}

function offsetOf(code: string, target: string, occurrence = 1): number {
  let at = -1;
  for (let i = 0; i < occurrence; i++) {
    at = code.indexOf(target, at + 1);
    assert.ok(at >= 0, `target ${JSON.stringify(target)} (occurrence ${occurrence}) is not in the code`);
  }
  return at;
}

export interface RuleTable {
  rule: Rule;
  valid: ValidCase[];
  invalid: InvalidCase[];
}

/**
 * Every table `ruleTester` was given in this process, by rule ID. test/unit/fixes.test.ts loads the
 * tables with `collecting.only` set, to check every fix of every case without running the tables twice.
 */
export const ruleTables = new Map<string, RuleTable>();
export const collecting = { only: false };

/** The findings of one case, as the table runs it. */
export function runCase(rule: Rule, c: ValidCase) {
  const kind = c.kind ?? rule.meta.appliesTo[0];
  return runRule(rule, parsePolicy(c.code), kind, {
    bucketName: c.bucketName,
    requirements: { ...DEFAULT_REQUIREMENTS, ...c.requirements },
  });
}

/** What a finding says in full: the summary, then the detail. */
export const fullText = (f: Finding): string => (f.detail ? `${f.message} ${f.detail}` : f.message);

/** node:test's `describe` for a table file's own suites: left out while fixes.test.ts only collects the tables. */
export function tableSuite(name: string, fn: () => void): void {
  if (!collecting.only) describe(name, fn);
}

export function ruleTester(rule: Rule, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
  // A file may call ruleTester more than once for a rule: the cases add up.
  const known = ruleTables.get(rule.meta.id);
  ruleTables.set(rule.meta.id, {
    rule,
    valid: [...(known?.valid ?? []), ...cases.valid],
    invalid: [...(known?.invalid ?? []), ...cases.invalid],
  });
  if (collecting.only) return;
  const kindOf = (c: ValidCase) => c.kind ?? rule.meta.appliesTo[0];
  const inputsOf = (c: ValidCase) => ({ bucketName: c.bucketName, requirements: { ...DEFAULT_REQUIREMENTS, ...c.requirements } });
  const label = (c: ValidCase, i: number) =>
    c.name ?? (c.code.length > 70 ? `${c.code.slice(0, 67).replace(/\s+/g, ' ')}…` : c.code.replace(/\s+/g, ' ')) + ` #${i + 1}`;
  describe(`${rule.meta.id} ${rule.meta.title}`, () => {
    it('has complete metadata', () => {
      assert.match(rule.meta.id, /^(GRM|ENC|TLS|KMS|MIS)-\d{3}$/);
      for (const k of ['title', 'why', 'example', 'useInstead'] as const)
        assert.ok(rule.meta[k].length > 0, `meta.${k} is empty`);
      assert.ok(rule.meta.references.length > 0, 'meta.references is empty');
      assert.ok(rule.meta.appliesTo.length > 0, 'meta.appliesTo is empty');
      for (const [id, m] of Object.entries(rule.meta.messages ?? {})) {
        assert.match(id, /^[a-z][A-Za-z0-9]*$/, `message ID ${id}`);
        assert.ok(m.summary.length > 0 && !m.summary.includes('\n'), `${id}: the summary is one line`);
      }
    });
    if (rule.meta.messages) {
      it('reports only its own messages, each summary at most one short sentence, and every message is exercised by a case', () => {
        const seen = new Set<string>();
        for (const c of cases.invalid) {
          for (const f of runRule(rule, parsePolicy(c.code), kindOf(c), inputsOf(c))) {
            assert.ok(
              f.messageId && rule.meta.messages![f.messageId],
              `a finding without a message of meta.messages: ${f.message}`,
            );
            seen.add(f.messageId);
            assert.ok(
              f.message.length <= MAX_SUMMARY,
              `${f.messageId}: the summary has ${f.message.length} characters (at most ${MAX_SUMMARY}): ${f.message}`,
            );
          }
        }
        assert.deepEqual(
          Object.keys(rule.meta.messages!).filter(id => !seen.has(id)),
          [],
          'messages no invalid case reports',
        );
      });
    }
    cases.valid.forEach((c, i) => {
      it(`valid: ${label(c, i)}`, () => {
        const findings = runRule(rule, parsePolicy(c.code), kindOf(c), inputsOf(c));
        assert.deepEqual(
          findings.map(f => `${f.message} @${c.code.slice(f.span.offset, f.span.offset + f.span.length)}`),
          [],
        );
      });
    });
    cases.invalid.forEach((c, i) => {
      it(`invalid: ${label(c, i)}`, () => {
        const findings = runRule(rule, parsePolicy(c.code), kindOf(c), inputsOf(c));
        const got = findings.map(f => ({
          text: c.code.slice(f.span.offset, f.span.offset + f.span.length),
          offset: f.span.offset,
          f,
        }));
        assert.equal(
          findings.length,
          c.errors.length,
          `expected ${c.errors.length} finding(s), got ${findings.length}:\n${got.map(g => `  ${g.text} — ${fullText(g.f)}`).join('\n')}`,
        );
        c.errors.forEach((e, j) => {
          const g = got[j];
          assert.equal(g.f.ruleId, rule.meta.id);
          assert.equal(
            g.text,
            e.target,
            `finding ${j + 1} covers ${JSON.stringify(g.text)}, expected ${JSON.stringify(e.target)} (${g.f.message})`,
          );
          assert.equal(
            g.offset,
            offsetOf(c.code, e.target, e.occurrence),
            `finding ${j + 1} is at the wrong occurrence of ${JSON.stringify(e.target)}`,
          );
          if (e.messageId) assert.equal(g.f.messageId, e.messageId, `finding ${j + 1}: ${fullText(g.f)}`);
          if (e.message) assert.match(fullText(g.f), e.message);
          if (e.severity) assert.equal(g.f.severity, e.severity);
        });
        if (c.output !== undefined) assert.equal(applyFindingFixes(c.code, findings), c.output);
        if (c.fixAll !== undefined) {
          const expected = c.fixAll === 'output' ? c.output : c.fixAll === 'unchanged' ? c.code : c.fixAll;
          assert.equal(
            fixAll(c.code, t => runRule(rule, parsePolicy(t), kindOf(c), inputsOf(c))).text,
            expected,
            `"fix all" (safe fixes only): ${c.fixAll}`,
          );
        }
      });
    });
  });
}
