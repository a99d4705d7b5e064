// The built CLI against files a repository or a command line can point it at on purpose: pipes and
// devices where files are expected, a file the analysis cannot handle among good ones, broken files
// given to `explain`, and control characters in file names and policies. Every run must end (the
// spawn timeout is only a hang detector) with one clear line per problem.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpsDeny, policyWith } from '../helpers/bad-input';
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
const KEY_ID = '5f2c7a1e-8d3b-4c6a-9e0f-2b7d4a6c8e10';
const KEY_ARN = `arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`;
const ORDERS = path.join(ROOT, 'examples/orders-data.bucket-policy.json');
const noFifo = process.platform === 'win32' || !fs.existsSync('/dev/zero');

// Brackets nested 20,000 deep behind a comment holding a quote: the depth scan before parsing takes
// the quote for the start of a string and sees no nesting; the parser then recurses 20,000 deep.
const hiddenDeep = `{"Statement": /* " */ ${'['.repeat(20000)}${']'.repeat(20000)}}`;

describe('cli on hostile input', { skip: noFifo && 'needs mkfifo and /dev/zero' }, () => {
  let dir: string;
  let fifo: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-hostile-'));
    fifo = path.join(dir, 'pipe.json');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('files that are not regular files are refused in one line, without reading them', () => {
    for (const [name, args, pattern] of [
      [
        '--config /dev/zero',
        () => ['check', '--config', '/dev/zero', ORDERS],
        /^s3-encryption-guard: config \/dev\/zero: not read: it is a device, not a regular file$/,
      ],
      [
        '--config FIFO',
        () => ['check', '--config', fifo, ORDERS],
        /^s3-encryption-guard: config .*pipe\.json: not read: it is a named pipe \(FIFO\), not a regular file$/,
      ],
      [
        'a FIFO as the policy file',
        () => ['check', '--no-config', fifo],
        /^s3-encryption-guard: .*pipe\.json: not read: it is a named pipe \(FIFO\), not a regular file$/,
      ],
      [
        '/dev/zero as the policy file',
        () => ['check', '--no-config', '/dev/zero'],
        /^s3-encryption-guard: \/dev\/zero: not read: it is a device, not a regular file$/,
      ],
      [
        'explain on a FIFO',
        () => ['explain', '--no-config', fifo],
        /^s3-encryption-guard: .*pipe\.json: not read: it is a named pipe \(FIFO\), not a regular file$/,
      ],
      [
        'explain on /dev/zero',
        () => ['explain', '--no-config', '/dev/zero'],
        /^s3-encryption-guard: \/dev\/zero: not read: it is a device, not a regular file$/,
      ],
    ] as [string, () => string[], RegExp][]) {
      it(name, () => {
        const r = cli(args());
        assert.equal(r.code, 2, r.stderr);
        assert.equal(lines(r.stderr).length, 1, r.stderr);
        assert.match(lines(r.stderr)[0], pattern);
      });
    }

    for (const [name, target] of [
      ['/dev/zero', () => '/dev/zero'],
      ['a FIFO', () => fifo],
    ] as [string, () => string][]) {
      it(`--key-policy ARN=${name}: one line, and the bucket policies are still checked`, () => {
        const r = cli(['check', '--no-config', '--format', 'json', '--key-policy', `${KEY_ARN}=${target()}`, ORDERS]);
        assert.equal(r.code, 2);
        assert.equal(lines(r.stderr).length, 1, r.stderr);
        assert.match(
          lines(r.stderr)[0],
          /^s3-encryption-guard: --key-policy .*: not read: it is (a device|a named pipe \(FIFO\)), not a regular file$/,
        );
        const out = JSON.parse(r.stdout) as { file: string; kind: string }[];
        assert.deepEqual(
          out.map(e => e.kind),
          ['bucket-policy'],
        );
      });
    }

    it('a committed .s3-encryption-guard.json linked to /dev/zero', () => {
      const repo = path.join(dir, 'repo-zero');
      fs.mkdirSync(path.join(repo, 'sub'), { recursive: true });
      fs.symlinkSync('/dev/zero', path.join(repo, '.s3-encryption-guard.json'));
      fs.copyFileSync(ORDERS, path.join(repo, 'sub', 'orders-data.bucket-policy.json'));
      const r = cli(['check', 'orders-data.bucket-policy.json'], path.join(repo, 'sub'));
      assert.equal(r.code, 2);
      assert.deepEqual(lines(r.stderr), [
        's3-encryption-guard: config ../.s3-encryption-guard.json: not read: it is a device, not a regular file',
      ]);
    });

    it('a pipe named *.json inside a searched folder is skipped with one line; the rest is checked', () => {
      const folder = path.join(dir, 'with-pipe');
      fs.mkdirSync(folder);
      assert.equal(spawnSync('mkfifo', [path.join(folder, 'a.json')]).status, 0);
      fs.writeFileSync(path.join(folder, 'b.bucket-policy.json'), policyWith([httpsDeny('b')]));
      const r = cli(['check', '--no-config', '--format', 'json', folder]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(lines(r.stderr).length, 1, r.stderr);
      assert.match(r.stderr, /a\.json: skipped: it is a named pipe \(FIFO\), not a regular file$/m);
      assert.deepEqual(
        (JSON.parse(r.stdout) as { file: string }[]).map(e => path.basename(e.file)),
        ['b.bucket-policy.json'],
      );
    });
  });

  describe('a file nested too deep behind a comment is one refused file, the others are printed', () => {
    // A quote inside a comment once hid the nesting from the pre-parse check; the parser then overflowed
    // the stack and the whole run ended without printing anything. Now it is refused like any deep file.
    let folder: string;
    before(() => {
      folder = path.join(dir, 'mixed');
      fs.mkdirSync(folder);
      for (const name of ['good-payments-data.bucket-policy.json', 'bad-missing-slash-star.bucket-policy.json'])
        fs.copyFileSync(path.join(ROOT, 'examples', name), path.join(folder, name));
      fs.writeFileSync(path.join(folder, 'deep.json'), hiddenDeep);
      fs.writeFileSync(path.join(folder, 'deep.bucket-policy.json'), hiddenDeep);
    });

    it('check reports the file in one line on stderr and prints every other result', () => {
      const r = cli(['check', '--no-config', '--format', 'json', folder]);
      assert.equal(r.code, 1, 'the GRM-009 error of the other file decides the exit code');
      const err = lines(r.stderr);
      assert.equal(err.length, 1, r.stderr);
      assert.match(err[0], /deep\.json: skipped: nested more than 64 levels deep$/);
      const out = JSON.parse(r.stdout) as { file: string; kind: string; diagnostics: { code: string; severity: string }[] }[];
      assert.deepEqual(
        out.map(e => path.basename(e.file)),
        [
          'bad-missing-slash-star.bucket-policy.json',
          'deep.bucket-policy.json',
          'deep.json',
          'good-payments-data.bucket-policy.json',
        ],
      );
      assert.deepEqual(
        out[0].diagnostics.map(d => d.code),
        ['GRM-009'],
      );
      assert.deepEqual(out[3].diagnostics, []);
      // A policy by its name that was not analysed says so in the output too.
      assert.equal(out[1].kind, 'bucket-policy');
      assert.deepEqual(
        out[1].diagnostics.map(d => [d.code, d.severity]),
        [['analysis-limit', 'info']],
      );
      const text = cli(['check', '--no-config', folder]);
      assert.match(
        text.stdout,
        /good-payments-data\.bucket-policy\.json \(bucket-policy\)\n {2}verdict {2}good-payments-data: HTTPS: enforced/,
      );
      assert.match(text.stdout, /20:19 +error +.*GRM-009/);
    });

    it('explain exits 2 with one line on a broken file or one nested too deep', () => {
      const truncated = path.join(folder, 'e-truncated.bucket-policy.json');
      fs.writeFileSync(truncated, policyWith([httpsDeny('e')]).slice(0, 120));
      const tooDeep = path.join(folder, 'f-nested.bucket-policy.json');
      fs.writeFileSync(tooDeep, `{"Statement": ${'['.repeat(100)}${']'.repeat(100)}}`);
      for (const [file, pattern] of [
        [
          path.join(folder, 'deep.bucket-policy.json'),
          /deep\.bucket-policy\.json: not analysed: nested more than 64 levels deep/,
        ],
        [truncated, /e-truncated\.bucket-policy\.json:1:\d+: JSON syntax error: .*nothing to explain/],
        [tooDeep, /f-nested\.bucket-policy\.json: not analysed: nested more than 64 levels deep/],
      ] as [string, RegExp][]) {
        const r = cli(['explain', '--no-config', file]);
        assert.equal(r.code, 2, `${file}: ${r.stdout}`);
        assert.equal(lines(r.stderr).length, 1, r.stderr);
        assert.match(r.stderr, pattern);
        assert.equal(r.stdout, '');
      }
    });
  });

  describe('terminal hygiene', () => {
    const ESC = '\u001b';
    it('escapes control characters from file names and Sids in text; JSON keeps them JSON-escaped', () => {
      const folder = path.join(dir, 'esc');
      fs.mkdirSync(folder);
      const name = `evil${ESC}]0;owned\u0007.bucket-policy.json`;
      // No Action: GRM-007 quotes the Sid in its message.
      fs.writeFileSync(
        path.join(folder, name),
        policyWith([
          httpsDeny('evil'),
          '{"Sid": "x\\u001b[2Jy", "Effect": "Deny", "Principal": "*", "Resource": "arn:aws:s3:::evil/*"}',
        ]),
      );
      const r = cli(['check', '--no-config', folder]);
      assert.equal(r.code, 1, r.stderr);
      assert.ok(!r.stdout.includes(ESC) && !r.stdout.includes('\u0007'), 'no raw control characters on the terminal');
      assert.ok(r.stdout.includes('evil\\x1b]0;owned\\x07.bucket-policy.json'), r.stdout);
      assert.match(r.stdout, /Statement "x\\x1b\[2Jy" has neither "Action" nor "NotAction"/);
      const json = cli(['check', '--no-config', '--format', 'json', folder]);
      const out = JSON.parse(json.stdout) as { file: string; diagnostics: { message: string }[] }[];
      assert.equal(path.basename(out[0].file), name, 'JSON carries the exact name');
      assert.ok(out[0].diagnostics.some(d => d.message.includes(`"x${ESC}[2Jy"`)));
      assert.ok(json.stdout.includes('\\u001b'));
      const sarif = cli(['check', '--no-config', '--format', 'sarif', folder]);
      assert.ok(!sarif.stdout.includes(ESC) && sarif.stdout.includes('\\u001b'));
    });

    it('escapes Sids in explain and file names on stderr', () => {
      const file = path.join(dir, 'sid.bucket-policy.json');
      fs.writeFileSync(file, policyWith([httpsDeny('sid').replace('{', '{"Sid": "Deny\\u001b]8;;http://x\\u001b\\\\",')]));
      const r = cli(['explain', '--no-config', file]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(!r.stdout.includes(ESC));
      assert.match(r.stdout, /by Deny\\x1b\]8;;http:\/\/x\\x1b\\/);
      const bin = path.join(dir, `bin${ESC}[31m.json`);
      fs.writeFileSync(bin, Buffer.from([0, 1, 2, 3]));
      const b = cli(['check', '--no-config', bin]);
      assert.ok(!b.stderr.includes(ESC));
      assert.match(b.stderr, /bin\\x1b\[31m\.json: skipped: binary content/);
    });

    it('internal errors are one short line each, however large the policy', () => {
      // A Resource with 200,000 wildcards: if an engine step fails on it, the error must not quote it.
      const file = path.join(dir, 'wild.bucket-policy.json');
      fs.writeFileSync(
        file,
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: `arn:aws:s3:::wild/${'a*'.repeat(200_000)}`,
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        }),
      );
      const r = cli(['check', '--no-config', file]);
      assert.ok(r.stderr.length < 64 * 1024, `${r.stderr.length} bytes of stderr`);
      assert.ok(lines(r.stderr).every(l => l.length <= 2100 && !/^\s+at /.test(l)));
      // Messages quoting the Resource are clipped in the text format too.
      assert.ok(
        lines(r.stdout).every(l => l.length < 4200),
        'no 400 KB line on the terminal',
      );
    });
  });
});
