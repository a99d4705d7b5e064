// `s3-encryption-guard explain` as text (issue 11, item 4): it leads with the same summary as the
// editor's report view (one function, features/explain.ts explainSummary, makes both), then the
// request classes grouped as the view groups them; `--format json` keeps its documented shape.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../../core/analyze';
import { explainReport } from '../../core/explain';
import { LineIndex } from '../../core/policy/lines';
import { DIST_CLI, ROOT } from '../helpers/paths';

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [DIST_CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The report the editor's view gets for the same file (the server builds it the same way). */
function viewReport(file: string) {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  return explainReport({ uri: file, analysis: analyze(text, path.join(ROOT, file)), lines: new LineIndex(text) });
}

describe('cli explain as text', () => {
  for (const file of [
    'examples/good-payments-data.bucket-policy.json',
    'examples/orders-data.bucket-policy.json',
    'examples/good-app-data.key-policy.json',
  ]) {
    it(`${path.basename(file)}: the verdict and the view's summary first, then grouped rows`, () => {
      const r = cli(['explain', '--no-config', file]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.split('\n');
      const report = viewReport(file);
      const section = report.sections[0];
      assert.equal(lines[0], file);
      assert.equal(lines[1], `${section.heading}: ${section.verdictLine}`);
      assert.deepEqual(
        lines.slice(2, 2 + section.summary.length),
        section.summary.map(s => `  ${s}`),
      );
      // Then who, then the rows: far fewer than the request classes (one line each before).
      const json = JSON.parse(cli(['explain', '--no-config', '--format', 'json', file]).stdout) as { requests: unknown[] };
      const header = lines.findIndex(l => /^ {2}\d+ request classes in \d+ rows?:$/.test(l));
      assert.ok(header > 2 + section.summary.length, r.stdout);
      assert.equal(
        lines[header],
        `  ${json.requests.length} request classes in ${section.details.rows.length} row${section.details.rows.length === 1 ? '' : 's'}:`,
      );
      assert.ok(
        section.details.rows.length * 10 < json.requests.length,
        `${section.details.rows.length} rows for ${json.requests.length} classes`,
      );
      assert.ok(lines.length < 60, `${lines.length} lines`);
      assert.doesNotMatch(r.stdout, /not-denied|explicit-deny|implicit-deny/);
    });
  }

  it('names the callers of each column and the deciding statements of each row', () => {
    const r = cli(['explain', '--no-config', 'examples/good-payments-data.bucket-policy.json']);
    assert.match(
      r.stdout,
      /\n {4}A {2}everyone else: anonymous callers, .*\n {4}B {2}role\/payments-app: arn:aws:iam::111122223333:role\/payments-app\n/,
    );
    assert.match(
      r.stdout,
      /\n {4}over HTTP\n {6}all +denied by DenyInsecureTransport; some also by DenyUploadsNamingAnotherEncryption, DenyUploadsNamingAnotherKey, DenyCustomerProvidedKeys\n/,
    );
    assert.match(
      r.stdout,
      /\n {4}over TLS 1\.2 or TLS 1\.3 · s3:GetObject\n {6}A +not denied here\n {6}B +allowed by AllowAppRoleReadWrite\n/,
    );
  });
});
