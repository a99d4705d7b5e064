// The CLI on input that is not a policy AWS would read (issue 11, item 7): a document that does not
// parse gets its syntax error once per place and no verdict or findings built on what the parser
// recovered; an empty file is never a silent pass; "No problems" never stands beside a file that could
// not be checked; `explain` exits 2 on all of these.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DIST_CLI, EXAMPLES } from '../helpers/paths';

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [DIST_CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const lines = (s: string) => s.split('\n').filter(Boolean);

// Cut short after `"StringNotEquals"`: what the parser recovers is a Deny of every upload with an
// empty condition, which the verdict used to report as "SSE: every upload denied".
const CUT = [
  '{',
  '  "Version": "2012-10-17",',
  '  "Statement": [',
  '    { "Sid": "DenyUnencrypted", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::cut-data/*",',
  '      "Condition": { "StringNotEquals" ',
].join('\n');

describe('cli on broken input', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-broken-'));
    fs.writeFileSync(path.join(dir, 'cut-data.bucket-policy.json'), CUT);
    fs.writeFileSync(path.join(dir, 'empty.json'), '');
    fs.writeFileSync(path.join(dir, 'blank.bucket-policy.json'), ' \n');
    fs.copyFileSync(
      path.join(EXAMPLES, 'good-payments-data.bucket-policy.json'),
      path.join(dir, 'good-payments-data.bucket-policy.json'),
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a policy that does not parse: its syntax errors once per place, no verdict, no findings on the recovered part', () => {
    const r = cli(['check', '--no-config', 'cut-data.bucket-policy.json'], dir);
    assert.equal(r.code, 1, r.stderr);
    const out = lines(r.stdout);
    // The file, the verdict line, one syntax error, the summary.
    assert.equal(out.length, 4, r.stdout);
    assert.match(out[1], /^ {2}verdict {2}not evaluated: the JSON has syntax errors \(AWS rejects it\)/);
    assert.doesNotMatch(r.stdout, /SSE:|HTTPS:|TLS-001|GRM-011/);
    const errors = out.filter(l => /\berror\b/.test(l) && /GRM-001$/.test(l));
    assert.equal(errors.length, 1, r.stdout);
    // The several "expected" messages of the one place, each said once.
    assert.match(errors[0], /^ {2}5:\d+ +error +JSON syntax error: Colon expected; .*Closing brace \} expected.*GRM-001$/);
    assert.equal(errors[0].split('Closing brace } expected').length, 2, errors[0]);

    const json = JSON.parse(cli(['check', '--no-config', '--format', 'json', 'cut-data.bucket-policy.json'], dir).stdout) as {
      verdict: unknown;
      diagnostics: { code: string }[];
    }[];
    assert.equal(json[0].verdict, null);
    assert.deepEqual(
      json[0].diagnostics.map(d => d.code),
      ['GRM-001'],
    );

    const explain = cli(['explain', '--no-config', 'cut-data.bucket-policy.json'], dir);
    assert.equal(explain.code, 2);
    assert.equal(explain.stdout, '');
    assert.match(explain.stderr, /cut-data\.bucket-policy\.json:5:\d+: JSON syntax error: .*nothing to explain/);
  });

  it('an empty .json file is said on stderr and fails the run; an empty policy by its name is a GRM-001 error, not a verdict', () => {
    const r = cli(['check', '--no-config', 'empty.json'], dir);
    assert.equal(r.code, 2, r.stdout);
    assert.deepEqual(lines(r.stderr), [
      's3-encryption-guard: empty.json: not checked: the file is empty (not JSON, so not a policy); delete it or write the policy into it',
    ]);
    assert.doesNotMatch(r.stdout, /No problems/);

    const blank = cli(['check', '--no-config', 'blank.bucket-policy.json'], dir);
    assert.equal(blank.code, 1, blank.stdout);
    assert.match(blank.stdout, /verdict {2}not evaluated: the document is empty/);
    assert.doesNotMatch(blank.stdout, /HTTPS:|TLS-001/);

    for (const file of ['empty.json', 'blank.bucket-policy.json']) {
      const e = cli(['explain', '--no-config', file], dir);
      assert.equal(e.code, 2, `${file}: ${e.stdout.slice(0, 200)}`);
      assert.equal(e.stdout, '');
      assert.deepEqual(lines(e.stderr), [`s3-encryption-guard: ${file}: the file is empty, so there is nothing to explain`]);
    }
  });

  it('"No problems" is not printed beside a file that could not be checked', () => {
    const r = cli(['check', '--no-config', 'missing.json', 'good-payments-data.bucket-policy.json'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing\.json: no such file or folder/);
    const summary = lines(r.stdout).pop()!;
    assert.doesNotMatch(summary, /^No problems/);
    assert.equal(summary, '1 file could not be checked (see the messages above); the 1 policy checked has no problems.');

    const both = cli(['check', '--no-config', 'empty.json', 'cut-data.bucket-policy.json'], dir);
    assert.equal(both.code, 2);
    assert.equal(
      lines(both.stdout).pop(),
      '1 problem (1 error, 0 warnings, 0 info) in 1 of 2 files; 1 file could not be checked (see the messages above).',
    );
  });
});
