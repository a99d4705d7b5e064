// Every rule's documented example triggers the rule, and its "use instead" does not (issue 12: rule
// metadata is checked data). Both are whole policies of the rule's first kind, analysed the way the
// editor analyses a file named for that kind, under the requirements the rule's meta gives.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../core/analyze';
import { DEFAULT_REQUIREMENTS } from '../../core/requirements';
import { RULES } from '../../core/rules/registry';

const FILE: Record<string, string> = {
  'bucket-policy': '/work/example-bucket.bucket-policy.json',
  'key-policy': '/work/example.key-policy.json',
  'identity-policy': '/work/example.identity-policy.json',
};

describe('rule examples are whole policies that show the rule', () => {
  for (const { meta } of RULES) {
    it(`${meta.id}: the example triggers it, "use instead" does not${meta.reminder ? ' (a reminder: it does too)' : ''}`, () => {
      const kind = meta.appliesTo[0];
      for (const [name, text] of [
        ['example', meta.example],
        ['useInstead', meta.useInstead],
      ] as const) {
        const json = JSON.parse(text) as { Statement?: unknown };
        assert.ok(
          json && typeof json === 'object' && 'Statement' in json,
          `${name} is a whole policy (an object with "Statement")`,
        );
      }
      const requirements = { ...DEFAULT_REQUIREMENTS, ...meta.exampleRequirements };
      const ids = (text: string) => analyze(text, FILE[kind], { requirements }).findings.map(f => f.ruleId);
      assert.ok(
        ids(meta.example).includes(meta.id),
        `the example does not trigger ${meta.id}: ${ids(meta.example).join(', ') || 'no findings'}`,
      );
      // A reminder speaks of what lies outside the policy, so the right policy gets it too.
      assert.equal(ids(meta.useInstead).includes(meta.id), meta.reminder !== undefined, `"use instead" and ${meta.id}`);
    });
  }
});
