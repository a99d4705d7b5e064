// Reuse across versions of a document (issue 13, "Fast"): a keystroke changes one statement, and the
// analysis reuses compiled statements, verdicts and statement rules' findings from the version
// before. Whatever the edit, the result must be the one a fresh analysis gives: for every policy of
// the corpus and several edits of each statement, the analysis of the edited text right after the
// original's equals the analysis of the edited text with nothing reused and every rule run on the
// whole document.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { analyze, forgetEarlierVersions, type Analysis } from '../../../core/analyze';
import { parsePolicy } from '../../../core/policy/parse';
import { RULES } from '../../../core/rules/registry';
import { LOOKALIKE_CHARS } from '../../../core/rules/suspect-characters';
import type { Rule } from '../../../core/rules/types';
import { bucketPolicy, keyPolicy } from '../../../bench/policies';
import { ROOT } from '../../helpers/paths';

const FILE: Record<string, string> = {
  'bucket-policy': '/work/example-bucket.bucket-policy.json',
  'key-policy': '/work/example.key-policy.json',
  'identity-policy': '/work/example.identity-policy.json',
};

/** The rules as whole-document checks only: nothing is reused per statement. */
const WHOLE: readonly Rule[] = RULES.map(r => ({ meta: r.meta, check: r.check }));

interface Doc {
  name: string;
  text: string;
  file: string;
}

function corpus(): Doc[] {
  const docs: Doc[] = [];
  for (const { meta } of RULES) {
    const file = FILE[meta.appliesTo[0]];
    docs.push({ name: `${meta.id} example`, text: meta.example, file });
    docs.push({ name: `${meta.id} useInstead`, text: meta.useInstead, file });
  }
  for (const dir of ['examples', 'test/fixtures/key-policies']) {
    const abs = path.join(ROOT, dir);
    for (const f of fs.readdirSync(abs).sort()) {
      if (!/\.(bucket|key)-policy\.json$/.test(f)) continue;
      docs.push({ name: `${dir}/${f}`, text: fs.readFileSync(path.join(abs, f), 'utf8'), file: path.join(abs, f) });
    }
  }
  docs.push({ name: 'bench bucket policy 5 KB', text: bucketPolicy(5 * 1024), file: '/work/bench-bucket.bucket-policy.json' });
  docs.push({ name: 'bench key policy 8 KB', text: keyPolicy(8 * 1024), file: '/work/bench.key-policy.json' });
  return docs;
}

/** Edits of the statement at [start, end): each keeps the document JSON. */
function edits(text: string, start: number, end: number): { what: string; text: string }[] {
  const st = text.slice(start, end);
  const out: { what: string; text: string }[] = [];
  const at = (s: string) => text.slice(0, start) + s + text.slice(end);
  out.push({ what: 'a space inside it', text: at(`{ ${st.slice(1)}`) });
  out.push({ what: 'a new line before it', text: text.slice(0, start) + '\n      ' + text.slice(start) });
  // Statements after it move one index on (labels without a Sid name the index).
  if (/[[,]\s*$/.test(text.slice(0, start))) out.push({ what: 'a copy of it before it', text: at(`${st}, ${st}`) });
  if (st.includes('"Deny"')) out.push({ what: 'Deny → Allow', text: at(st.replace('"Deny"', '"Allow"')) });
  else if (st.includes('"Allow"')) out.push({ what: 'Allow → Deny', text: at(st.replace('"Allow"', '"Deny"')) });
  // A character more in its last string value (an ARN, a condition value, a key name…).
  const q = st.lastIndexOf('"', st.lastIndexOf('"') - 1);
  if (q > 0) out.push({ what: 'a character more in a value', text: at(st.slice(0, q + 1) + 'x' + st.slice(q + 1)) });
  return out;
}

/** What an analysis shows: findings (with fixes), verdicts, failures. */
const shown = (a: Analysis) =>
  JSON.stringify({
    findings: a.findings,
    verdicts: a.verdicts,
    keyVerdict: a.keyVerdict,
    failures: a.ruleFailures.map(f => f.ruleId),
  });

describe('fast paths stay exact', () => {
  it('no look-alike character is printable ASCII (strings of printable ASCII are skipped unread)', () => {
    for (const cp of LOOKALIKE_CHARS.keys()) assert.ok(cp < 0x20 || cp > 0x7e, `U+${cp.toString(16)}`);
  });
});

describe('reuse across versions gives what a fresh analysis gives', () => {
  it('some rules are statement rules (the reuse is exercised)', () => {
    assert.ok(RULES.filter(r => r.checkStatement).length >= 1);
  });

  for (const doc of corpus()) {
    it(`${doc.name}: every edit of each of its first statements`, () => {
      const statements = parsePolicy(doc.text).statements.slice(0, 6);
      assert.ok(statements.length > 0, 'the corpus policy has statements');
      let compared = 0;
      for (const st of statements) {
        for (const e of edits(doc.text, st.span.offset, st.span.offset + st.span.length)) {
          forgetEarlierVersions();
          const fresh = shown(analyze(e.text, doc.file, {}, WHOLE));
          forgetEarlierVersions();
          analyze(doc.text, doc.file);
          const reused = shown(analyze(e.text, doc.file));
          assert.equal(reused, fresh, `statement ${st.index}, ${e.what}`);
          // And back: the original again, after the edit.
          const back = shown(analyze(doc.text, doc.file));
          forgetEarlierVersions();
          assert.equal(back, shown(analyze(doc.text, doc.file, {}, WHOLE)), `statement ${st.index}, ${e.what}, undone`);
          compared++;
        }
      }
      assert.ok(compared >= statements.length * 2);
    });
  }
});
