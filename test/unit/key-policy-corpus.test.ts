// The key-policy corpus (test/fixtures/key-policies): realistic key policies, each with a sidecar
// NAME.expect.json written by hand from the AWS facts (docs/design/aws-facts.md section 4, docs/design/engine.md#bucket-verdict), not by
// running the code. Each policy is analysed as the editor and the CLI do, and its key-policy
// verdict is computed by the engine; both must match the expectations.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../../core/analyze';
import { keyPolicyVerdict } from '../../core/engine/key-verdict';
import { ruleById } from '../../core/rules/registry';
import { ROOT } from '../helpers/paths';

const DIR = path.join(ROOT, 'test', 'fixtures', 'key-policies');
const SUFFIX = '.key-policy.json';

interface Expectation {
  /** Why an expectation is what it is, when that needs saying. */
  note?: string;
  mustReport: string[];
  mustNotReport: string[];
  verdict: {
    lockout: boolean;
    openToOtherAccounts: boolean;
    openToAnonymous: boolean;
    openToOrganization: boolean;
    s3CanUse: boolean;
  };
}

const names = fs
  .readdirSync(DIR)
  .filter(f => f.endsWith(SUFFIX))
  .map(f => f.slice(0, -SUFFIX.length))
  .sort();

function load(name: string): { text: string; expect: Expectation } {
  const text = fs.readFileSync(path.join(DIR, name + SUFFIX), 'utf8');
  const expect = JSON.parse(fs.readFileSync(path.join(DIR, `${name}.expect.json`), 'utf8')) as Expectation;
  return { text, expect };
}

describe('key-policy corpus', () => {
  it('holds at least 20 key policies, each with its expectations', () => {
    assert.ok(names.length >= 20, `only ${names.length} key policies in ${DIR}`);
    for (const name of names) {
      const { expect } = load(name);
      assert.ok(
        Array.isArray(expect.mustReport) && Array.isArray(expect.mustNotReport),
        `${name}.expect.json: mustReport/mustNotReport`,
      );
      for (const k of ['lockout', 'openToOtherAccounts', 'openToAnonymous', 'openToOrganization', 's3CanUse'] as const)
        assert.equal(typeof expect.verdict[k], 'boolean', `${name}.expect.json: verdict.${k}`);
      assert.deepEqual(
        expect.mustReport.filter(id => expect.mustNotReport.includes(id)),
        [],
        `${name}: a rule in both lists`,
      );
    }
  });

  for (const name of names) {
    const { text, expect } = load(name);
    const analysis = analyze(text, name + SUFFIX);
    const reported = new Set(analysis.findings.map(f => f.ruleId));
    const pending = [...expect.mustReport, ...expect.mustNotReport].filter(id => !ruleById(id));

    it(`${name}: findings`, () => {
      assert.equal(analysis.kind.kind, 'key-policy');
      assert.deepEqual(analysis.ruleFailures, [], 'a rule threw');
      assert.ok(!reported.has('GRM-001'), 'the fixture is not a valid policy document');
      const summary = analysis.findings.map(f => `${f.ruleId}: ${f.message}`).join('\n');
      for (const id of expect.mustReport) if (ruleById(id)) assert.ok(reported.has(id), `${id} not reported; got:\n${summary}`);
      for (const id of expect.mustNotReport) if (ruleById(id)) assert.ok(!reported.has(id), `${id} reported:\n${summary}`);
    });

    if (pending.length > 0) {
      it(
        `${name}: expectations for ${pending.join(', ')}`,
        { skip: `not registered in core/rules/registry.ts yet: ${pending.join(', ')}` },
        () => {},
      );
    }

    it(`${name}: key-policy verdict`, () => {
      assert.ok(analysis.doc);
      const v = keyPolicyVerdict(analysis.doc);
      assert.equal(v.kind, 'key-policy');
      const got = {
        lockout: v.lockout,
        openToOtherAccounts: v.openToOtherAccounts.value,
        openToAnonymous: v.openToAnonymous.value,
        openToOrganization: v.openToOrganization.value,
        s3CanUse: v.s3CanUse.value,
      };
      assert.deepEqual(got, expect.verdict);
      // Every "open" verdict names the request that gets through; a closed one names none.
      assert.equal(v.openToOtherAccounts.witness !== null, v.openToOtherAccounts.value);
      assert.equal(v.openToAnonymous.witness !== null, v.openToAnonymous.value);
      assert.equal(v.openToOrganization.witness !== null, v.openToOrganization.value);
      assert.equal(v.openToOrganization.organizations.length > 0, v.openToOrganization.value);
      if (!v.lockout) assert.ok(v.administrators.length > 0, 'not locked out, yet no administrator');
    });
  }
});
