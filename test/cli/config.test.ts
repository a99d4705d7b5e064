// A config file never applies without a word: one from a parent folder is named, what it turns off
// or lowers is listed (stderr, SARIF run properties), and --strict ignores it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RULES } from '../../core/rules/registry';
import { DIST_CLI, ROOT } from '../helpers/paths';

function cli(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [DIST_CLI, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 30_000,
  });
  assert.equal(r.signal, null, `the CLI was killed (a hang): ${args.join(' ')}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lines = (s: string) => s.split('\n').filter(Boolean);
// Grants a role reads and denies nothing: no HTTPS enforcement (TLS-001).
const OPEN =
  '{"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::open-data/*"}]}';
const BAD = 'bad-missing-slash-star.bucket-policy.json';

type Diag = { code: string; severity: string };
const codes = (stdout: string): string[] =>
  (JSON.parse(stdout) as { diagnostics: Diag[] }[]).flatMap(e => e.diagnostics.map(d => `${d.code}:${d.severity}`));

describe('cli config file', () => {
  let repo: string;
  let work: string;
  const writeConfig = (config: unknown) => fs.writeFileSync(path.join(repo, '.s3-encryption-guard.json'), JSON.stringify(config));
  before(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-config-'));
    work = path.join(repo, 'policies');
    fs.mkdirSync(work);
    fs.writeFileSync(path.join(work, 'open-data.bucket-policy.json'), OPEN);
    fs.copyFileSync(path.join(ROOT, 'examples', BAD), path.join(work, BAD));
  });
  after(() => fs.rmSync(repo, { recursive: true, force: true }));

  it('names a config file found in a parent folder, in text, JSON and SARIF runs', () => {
    writeConfig({ requirements: { minTlsVersion: '1.2' } });
    for (const format of ['text', 'json', 'sarif']) {
      const r = cli(['check', '--format', format, 'open-data.bucket-policy.json'], work);
      assert.deepEqual(
        lines(r.stderr),
        [
          's3-encryption-guard: using config ../.s3-encryption-guard.json, found in a parent folder (--no-config ignores it, --config names another)',
        ],
        format,
      );
    }
    const sarif = JSON.parse(cli(['check', '--format', 'sarif', 'open-data.bucket-policy.json'], work).stdout);
    assert.deepEqual(sarif.runs[0].properties, {
      config: {
        file: '../.s3-encryption-guard.json',
        foundIn: 'parent folder',
        rulesOff: [],
        rulesLowered: [],
        requirementsWeakened: [],
        ignoredWithStrict: false,
      },
      strict: false,
      commandLineRules: {},
    });
    // In the working folder itself it is not news; SARIF still records it.
    const here = JSON.parse(cli(['check', '--format', 'sarif', `policies/open-data.bucket-policy.json`], repo).stdout);
    assert.equal(here.runs[0].properties.config.foundIn, 'working folder');
    assert.equal(here.runs[0].properties.config.file, '.s3-encryption-guard.json');
    assert.equal(cli(['check', 'policies/open-data.bucket-policy.json'], repo).stderr, '');
    // No config at all: recorded as null.
    const none = JSON.parse(
      cli(['check', '--no-config', '--format', 'sarif', '--rule', 'TLS-001=error', 'open-data.bucket-policy.json'], work).stdout,
    );
    assert.deepEqual(none.runs[0].properties, { config: null, strict: false, commandLineRules: { 'TLS-001': 'error' } });
  });

  it('a config that turns every rule off no longer passes an open bucket silently; --strict checks it as usual', () => {
    writeConfig({ rules: Object.fromEntries(RULES.map(r => [r.meta.id, 'off'])) });
    const quiet = cli(['check', '--format', 'json', 'open-data.bucket-policy.json', BAD], work);
    assert.equal(quiet.code, 0, 'the config still applies without --strict');
    assert.deepEqual(codes(quiet.stdout), []);
    const err = lines(quiet.stderr);
    assert.equal(err.length, 2, quiet.stderr);
    assert.match(
      err[1],
      new RegExp(
        `^s3-encryption-guard: config \\.\\./\\.s3-encryption-guard\\.json turns off every rule \\(${RULES.length}\\) \\(--strict ignores this\\)$`,
      ),
    );
    const sarif = JSON.parse(cli(['check', '--format', 'sarif', 'open-data.bucket-policy.json'], work).stdout);
    assert.equal(sarif.runs[0].properties.config.rulesOff.length, RULES.length);
    assert.ok(sarif.runs[0].properties.config.rulesOff.includes('TLS-001'));

    const strict = cli(['check', '--strict', '--format', 'json', 'open-data.bucket-policy.json', BAD], work);
    assert.equal(strict.code, 1, strict.stderr);
    assert.deepEqual(codes(strict.stdout), ['TLS-001:warning', 'GRM-009:error']);
    assert.match(strict.stderr, /config \.\.\/\.s3-encryption-guard\.json turns off every rule \(\d+\): ignored with --strict$/m);
  });

  it('--strict ignores rules turned off or lowered and "https": false, and lists them; --rule still applies', () => {
    writeConfig({
      requirements: { https: false },
      rules: { 'ENC-003': 'off', 'TLS-001': 'off', 'GRM-009': 'warning', 'GRM-014': 'error' },
    });
    const loose = cli(['check', '--format', 'json', 'open-data.bucket-policy.json', BAD], work);
    assert.equal(loose.code, 0);
    assert.deepEqual(codes(loose.stdout), ['GRM-009:warning']);
    assert.match(
      loose.stderr,
      /config \.\.\/\.s3-encryption-guard\.json turns off ENC-003, TLS-001, lowers GRM-009 \(error to warning\) and turns the HTTPS requirement off \("https": false\) \(--strict ignores this\)$/m,
    );

    const strict = cli(['check', '--strict', '--format', 'sarif', 'open-data.bucket-policy.json', BAD], work);
    assert.equal(strict.code, 1);
    assert.match(
      strict.stderr,
      /config \.\.\/\.s3-encryption-guard\.json turns off ENC-003, TLS-001, lowers GRM-009 \(error to warning\) and turns the HTTPS requirement off \("https": false\): ignored with --strict$/m,
    );
    const run = JSON.parse(strict.stdout).runs[0];
    assert.deepEqual(
      run.results.map((x: { ruleId: string; level: string }) => `${x.ruleId}:${x.level}`),
      ['TLS-001:warning', 'GRM-009:error'],
    );
    assert.deepEqual(run.properties, {
      config: {
        file: '../.s3-encryption-guard.json',
        foundIn: 'parent folder',
        rulesOff: ['ENC-003', 'TLS-001'],
        rulesLowered: [{ rule: 'GRM-009', from: 'error', to: 'warning' }],
        requirementsWeakened: ['https'],
        ignoredWithStrict: true,
      },
      strict: true,
      commandLineRules: {},
    });

    // The command line is the user's own choice: it applies with --strict, and is not the config's doing.
    const cmd = cli(['check', '--strict', '--format', 'json', '--rule', 'GRM-009=off', BAD], work);
    assert.equal(cmd.code, 0, cmd.stderr);
    assert.deepEqual(codes(cmd.stdout), []);
    assert.match(cmd.stderr, /turns off ENC-003, TLS-001 and turns the HTTPS/);
    assert.doesNotMatch(cmd.stderr, /GRM-009/);
  });

  it('documents --strict in the usage text', () => {
    const r = cli(['check', '--help']);
    assert.match(r.stdout, /--strict {2,}the config file may not turn rules off, lower their severity/);
  });
});
