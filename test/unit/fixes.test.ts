// Quick-fixes as a whole: what "fix all" selects (safe fixes only, never two overlapping edits,
// round after round with the document analysed again), every fix of every rule table applied on
// its own and re-checked, and "fix all" on the bad examples and on hostile policies.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { analyze, type AnalysisSettings } from '../../core/analyze';
import { parsePolicy } from '../../core/policy/parse';
import { DEFAULT_REQUIREMENTS } from '../../core/requirements';
import {
  applyEdits,
  applyFindingFixes,
  fixAll,
  fixAllEdits,
  fixAllTextEdits,
  preferredFix,
  safeFix,
  wholeEdit,
} from '../../core/rules/fixes';
import { RULES } from '../../core/rules/registry';
import type { Finding, Fix } from '../../core/rules/types';
import { EXAMPLES } from '../helpers/paths';
import { collecting, ruleTables, runCase, type InvalidCase } from './rules/rule-tester';

const edit = (offset: number, length: number, newText: string) => ({ span: { offset, length }, newText });
const finding = (fixes: Fix[]): Finding => ({
  ruleId: 'GRM-000',
  severity: 'error',
  span: { offset: 0, length: 1 },
  message: 'm',
  fixes,
});
const fix = (offset: number, length: number, newText: string, flags: Partial<Fix> = {}): Fix => ({
  title: newText,
  edits: [edit(offset, length, newText)],
  ...flags,
});

/** A finding that keeps the fix-all loop honest: "fix all" must leave no such finding behind. */
const safelyFixable = (findings: readonly Finding[]) => findings.filter(f => safeFix(f)).map(f => `${f.ruleId} ${f.message}`);

// ---------------------------------------------------------------------------------------------
// The rule tables, loaded without running them (their own files do)

collecting.only = true;
const tablesDir = path.join(__dirname, 'rules');
for (const f of fs
  .readdirSync(tablesDir)
  .filter(n => /^[A-Z]{3}-\d{3}\.test\.js$/.test(n))
  .sort()) {
  require(path.join(tablesDir, f));
}
collecting.only = false;

describe('fix all selects safe fixes only', () => {
  it('applies non-overlapping edits in one pass', () => {
    assert.equal(applyEdits('abcdef', [edit(4, 1, 'E'), edit(0, 1, 'A')]), 'AbcdEf');
  });
  it('takes a safe fix, never an unsafe one, even when the unsafe one is preferred', () => {
    const f = finding([fix(0, 1, 'U', { preferred: true }), fix(0, 1, 'S', { safe: true })]);
    assert.equal(preferredFix(f)?.title, 'U');
    assert.equal(safeFix(f)?.title, 'S');
    assert.deepEqual(
      fixAllEdits([f]).map(e => e.newText),
      ['S'],
    );
    assert.deepEqual(fixAllEdits([finding([fix(0, 1, 'U', { preferred: true })])]), []);
  });
  it('among safe fixes takes the preferred one', () => {
    const f = finding([fix(0, 1, 'A', { safe: true }), fix(0, 1, 'B', { safe: true, preferred: true })]);
    assert.deepEqual(
      fixAllEdits([f]).map(e => e.newText),
      ['B'],
    );
  });
  it('skips a fix that overlaps one already taken', () => {
    const a = finding([fix(1, 3, 'X', { safe: true })]);
    const b = finding([fix(2, 3, 'Y', { safe: true })]);
    assert.equal(applyEdits('abcdef', fixAllEdits([a, b])), 'aXef');
  });
  it('treats an insertion at the start or end of a replaced range as a clash (order would matter)', () => {
    const r = finding([fix(4, 2, 'R', { safe: true })]);
    assert.equal(fixAllEdits([finding([fix(4, 0, 'ins', { safe: true })]), r]).length, 1);
    assert.equal(fixAllEdits([finding([fix(6, 0, 'ins', { safe: true })]), r]).length, 1);
    assert.equal(fixAllEdits([finding([fix(3, 0, 'ins', { safe: true })]), r]).length, 2);
  });
  it("the rule tables' output applies preferred fixes, safe or not", () => {
    assert.equal(applyFindingFixes('abc', [finding([fix(0, 1, 'U', { preferred: true })])]), 'Ubc');
  });
  it('wholeEdit replaces exactly the differing middle', () => {
    for (const [a, b] of [
      ['abcdef', 'abXYef'],
      ['abc', 'abc'],
      ['', 'x'],
      ['aaa', 'aaaa'],
      ['{"a": 1}', '{"b": 1, "a": 1}'],
    ]) {
      const e = wholeEdit(a, b);
      assert.equal(applyEdits(a, [e]), b, `${a} → ${b}`);
    }
    assert.deepEqual(wholeEdit('abcdef', 'abXYef'), edit(2, 2, 'XY'));
  });
});

describe('fix all round by round', () => {
  const path0 = '/work/policies/b.bucket-policy.json';
  const analyse =
    (settings: AnalysisSettings = {}) =>
    (t: string) =>
      analyze(t, path0, settings).findings;

  it('repairs what only a second analysis shows, and stops when nothing safe is left', () => {
    // Round 1: "deny" → "Deny" (GRM-003). Only then is the statement a Deny whose Resource misses the
    // bucket (TLS-002), repaired in round 2.
    const text =
      '{"Version": "2012-10-17", "Statement": [{"Effect": "deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}';
    const r = fixAll(text, analyse());
    assert.equal(r.stopped, 'done');
    assert.ok(r.rounds >= 2, `${r.rounds} round(s): ${r.text}`);
    assert.match(r.text, /"Effect": "Deny"/);
    assert.match(r.text, /"Resource": \["arn:aws:s3:::b", "arn:aws:s3:::b\/\*"\]/);
    assert.deepEqual(safelyFixable(analyse()(r.text)), []);
    // What the editor receives: one edit over the changed region that yields the same text.
    const edits = fixAllTextEdits(text, analyse());
    assert.equal(edits.length, 1);
    assert.equal(applyEdits(text, edits), r.text);
  });

  it("sends the first round's own edits when one round is enough", () => {
    const text =
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": "False"}}}]}';
    const edits = fixAllTextEdits(text, analyse());
    assert.deepEqual(
      edits.map(e => e.newText),
      ['"false"'],
    );
  });

  it('applies no unsafe fix: a header-required Deny stays as it is (strict vs default-friendly is a choice)', () => {
    const strict =
      '{"Version": "2012-10-17", "Statement": [' +
      '{"Sid": "DenyHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}, ' +
      '{"Sid": "DenyNonKms", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}]}';
    const findings = analyse()(strict);
    assert.ok(
      findings.some(f => f.ruleId === 'ENC-004' && f.fixes.length > 0),
      findings.map(f => f.ruleId).join(', '),
    );
    assert.equal(fixAll(strict, analyse()).text, strict);
    assert.deepEqual(fixAllEdits(findings.filter(f => f.ruleId === 'ENC-004')), []);
  });

  it('respects the settings it analyses with: a rule turned off is not fixed', () => {
    const text =
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyHttp", "Effect": "deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}';
    assert.equal(fixAll(text, analyse({ rules: { 'GRM-003': 'off' } })).text.includes('"deny"'), true);
    assert.equal(fixAll(text, analyse()).text.includes('"Deny"'), true);
  });

  it('is bounded: a round limit stops it, and a round that changes nothing ends it', () => {
    const text =
      '{"Version": "2012-10-17", "Statement": [{"Effect": "deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}';
    const one = fixAll(text, analyse(), 1);
    assert.equal(one.rounds, 1);
    assert.equal(one.stopped, 'limit');
    // A fix whose edit reproduces the text is no progress.
    const noop: Finding = finding([{ title: 'noop', edits: [edit(0, 1, '{')], safe: true }]);
    assert.equal(fixAll('{"a": 1}', () => [noop]).stopped, 'unchanged');
  });

  it('drops a round that would break the JSON (a backstop: fixes must never do that)', () => {
    const breaking: Finding = finding([{ title: 'break', edits: [edit(0, 1, '[')], safe: true }]);
    const r = fixAll('{"a": 1}', () => [breaking]);
    assert.equal(r.stopped, 'invalid');
    assert.equal(r.text, '{"a": 1}');
  });
});

// ---------------------------------------------------------------------------------------------
// Every fix of every rule table

describe('rule tables and fixes', () => {
  it('loaded every rule table', () => {
    const missing = RULES.map(r => r.meta.id).filter(id => !ruleTables.has(id));
    assert.deepEqual(missing, []);
  });

  for (const rule of RULES) {
    const id = rule.meta.id;
    if (rule.meta.fixable) {
      it(`${id} is fixable: its table has an invalid case with an output`, () => {
        const table = ruleTables.get(id);
        assert.ok(table, `no table for ${id}`);
        assert.ok(
          table.invalid.some(c => c.output !== undefined),
          `${id} has fixable: true but no invalid case with an output`,
        );
      });
    } else {
      it(`${id} is not fixable: no case of its table gets a fix`, () => {
        const table = ruleTables.get(id);
        assert.ok(table, `no table for ${id}`);
        const withFixes = table.invalid.flatMap(c =>
          runCase(rule, c)
            .filter(f => f.fixes.length > 0)
            .map(f => f.message),
        );
        assert.deepEqual(withFixes, []);
      });
    }
  }

  const parseErrors = (text: string) => parsePolicy(text).syntaxErrors.length;

  for (const [id, table] of [...ruleTables].sort(([a], [b]) => a.localeCompare(b))) {
    it(`${id}: every fix of every invalid case, applied alone, parses and clears its finding`, () => {
      const problems: string[] = [];
      let checked = 0;
      table.invalid.forEach((c: InvalidCase, i) => {
        const findings = runCase(table.rule, c);
        for (const f of findings) {
          for (const x of f.fixes) {
            checked++;
            const fixed = applyEdits(c.code, x.edits);
            const where = `case ${i + 1}, "${x.title}"`;
            if (parseErrors(fixed) > parseErrors(c.code)) {
              problems.push(`${where}: the result does not parse: ${fixed}`);
              continue;
            }
            // Cleared: fewer findings say this (two statements with the same mistake say the same thing).
            const count = (list: readonly Finding[]) => list.filter(g => g.message === f.message).length;
            if (count(runCase(table.rule, { ...c, code: fixed })) >= count(findings))
              problems.push(`${where}: the finding is still reported: ${f.message}\n    ${fixed}`);
          }
        }
      });
      assert.deepEqual(problems, []);
      if (table.rule.meta.fixable) assert.ok(checked > 0, `${id} has fixable: true but its cases produce no fix`);
    });
  }

  for (const [id, table] of [...ruleTables].sort(([a], [b]) => a.localeCompare(b))) {
    it(`${id}: "fix all" on every invalid case leaves no finding with a safe fix, and the text parses`, () => {
      const problems: string[] = [];
      table.invalid.forEach((c: InvalidCase, i) => {
        const r = fixAll(c.code, t => runCase(table.rule, { ...c, code: t }));
        if (parseErrors(r.text) > parseErrors(c.code)) problems.push(`case ${i + 1}: does not parse: ${r.text}`);
        const left = safelyFixable(runCase(table.rule, { ...c, code: r.text }));
        if (left.length) problems.push(`case ${i + 1}: ${left.join('; ')}`);
      });
      assert.deepEqual(problems, []);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// "Fix all" on whole documents with every rule

/** Policies that make fixes meet: several findings on one string, one-line and CRLF layouts, a lone statement object. The file name says the bucket is "b". */
const B = 'arn:aws:s3:::b';
const NASTY: { name: string; file: string; text: string; settings?: AnalysisSettings }[] = [
  {
    name: 'a lone statement object with a lower-case effect, a resource missing the bucket, AES-256 and no Version',
    file: 'lone/b.bucket-policy.json',
    text: `{"Statement": {"Effect": "deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "${B}/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES-256"}}}}`,
  },
  {
    name: 'CRLF line endings and tabs, an invisible character and a typo in the same value',
    file: 'crlf/b.bucket-policy.json',
    text: [
      '{',
      '\t"Version": "2012-10-17",',
      '\t"Statement": [',
      '\t\t{',
      '\t\t\t"Sid": "DenyHttp",',
      '\t\t\t"Effect": "Deny",',
      '\t\t\t"Principal": "*",',
      '\t\t\t"Action": "s3:GetObject",',
      `\t\t\t"Resource": "${B}/*",`,
      '\t\t\t"Condition": {"Bool": {"aws:SecureTransport": "False"}}',
      '\t\t},',
      '\t\t{',
      '\t\t\t"Sid": "DenyOther",',
      '\t\t\t"Effect": "Deny",',
      '\t\t\t"Principal": "*",',
      '\t\t\t"Action": "s3:PutObject",',
      `\t\t\t"Resource": "${B}/*",`,
      '\t\t\t"Condition": {"StringNotEquals": {"s3:x-amz-server-side\u200b-encryption": "ams:kms"}}',
      '\t\t}',
      '\t]',
      '}',
    ].join('\r\n'),
  },
  {
    name: 'duplicate Sids, a placeholder bucket, an s3:// URL and an API name for an action',
    file: 'dups/b.bucket-policy.json',
    text: `{"Version": "2012-10-17", "Statement": [
  {"Sid": "A", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": ["s3:CreateMultipartUpload", "s3:UploadPart"], "Resource": "s3://b/uploads/*"},
  {"Sid": "A", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket", "${B}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
]}`,
  },
  {
    name: 'an inverted HTTPS test that locks everyone out, with duplicate keys (unsafe to merge)',
    file: 'lockout/b.bucket-policy.json',
    text: `{"Version": "2012-10-17", "Statement": [{"Sid": "DenyHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["${B}", "${B}/*"], "Condition": {"Bool": {"aws:SecureTransport": "true"}, "Bool": {"aws:SecureTransport": "true"}}}]}`,
  },
  {
    name: 'requirements that ask for SSE-KMS with a pinned key and TLS 1.2, on a policy with none of it',
    file: 'req/b.bucket-policy.json',
    text: `{"Version": "2012-10-17", "Statement": [{"Sid": "AllowApp", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "s3:GetObject", "Resource": "${B}/*"}]}`,
    settings: {
      requirements: {
        ...DEFAULT_REQUIREMENTS,
        sse: ['aws:kms'],
        kmsKeyArns: ['arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
        minTlsVersion: '1.2',
      },
    },
  },
  {
    name: 'a key policy with statements without Resource, one of them a Deny (reviving it is not safe)',
    file: 'app.key-policy.json',
    text: `{"Version": "2012-10-17", "Statement": [
  {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
  {"Sid": "Use", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": ["kms:Decrypt", "kms:GenerateDataKey"]},
  {"Sid": "NoDelete", "Effect": "Deny", "Principal": "*", "Action": "kms:ScheduleKeyDeletion"}
]}`,
  },
  {
    name: 'a JSON syntax error (fixes still apply where the text parses, and never make it worse)',
    file: 'broken/b.bucket-policy.json',
    text: `{"Version": "2012-10-17", "Statement": [{"Effect": "deny", "Principal": "*", "Action": "s3:*", "Resource": ["${B}", "${B}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},]}`,
  },
];

describe('fix all on the bad examples and on hostile policies', () => {
  const examples = fs
    .readdirSync(EXAMPLES)
    .filter(f => f.startsWith('bad-') && f.endsWith('.json'))
    .sort();
  const docs = [
    ...examples.map(f => ({
      name: `examples/${f}`,
      file: path.join(EXAMPLES, f),
      text: fs.readFileSync(path.join(EXAMPLES, f), 'utf8'),
      settings: undefined as AnalysisSettings | undefined,
    })),
    ...NASTY.map(n => ({ ...n, file: `/work/policies/${n.file}` })),
  ];
  let changed = 0;

  for (const d of docs) {
    it(`${d.name}: no finding with a safe fix is left, and the result still parses`, () => {
      const analyse = (t: string) => analyze(t, d.file, d.settings ?? {}).findings;
      const before = analyse(d.text);
      const r = fixAll(d.text, analyse);
      const errorsBefore = parsePolicy(d.text).syntaxErrors.length;
      assert.ok(parsePolicy(r.text).syntaxErrors.length <= errorsBefore, r.text);
      if (errorsBefore === 0) JSON.parse(r.text);
      assert.deepEqual(safelyFixable(analyse(r.text)), [], r.text);
      assert.ok(r.stopped === 'done', `stopped: ${r.stopped}`);
      // Only safe fixes were applied: every finding before with no safe fix is still there, or gone
      // because a safe fix elsewhere repaired its cause (never through its own unsafe fix).
      if (before.some(f => safeFix(f))) {
        assert.notEqual(r.text, d.text);
        changed++;
      } else assert.equal(r.text, d.text);
    });
  }

  it('the examples with a safe fix were changed', () => assert.ok(changed > 0));

  it('keeps what needs a choice: the duplicate condition block and the Deny without Resource are left for a person', () => {
    const lockout = NASTY.find(n => n.file === 'lockout/b.bucket-policy.json')!;
    const fixedLockout = fixAll(lockout.text, t => analyze(t, `/work/policies/${lockout.file}`).findings).text;
    assert.equal((fixedLockout.match(/"Bool"/g) ?? []).length, 2, fixedLockout);
    assert.doesNotMatch(fixedLockout, /"true"/, 'the inverted tests are flipped');
    const key = NASTY.find(n => n.file === 'app.key-policy.json')!;
    const fixedKey = fixAll(key.text, t => analyze(t, `/work/policies/${key.file}`).findings).text;
    const parsed = JSON.parse(fixedKey) as { Statement: { Sid: string; Resource?: string }[] };
    assert.equal(parsed.Statement.find(s => s.Sid === 'Use')?.Resource, '*');
    assert.equal(parsed.Statement.find(s => s.Sid === 'NoDelete')?.Resource, undefined);
  });
});
