// How `check` searches folders a repository controls: symbolic links followed once, loops and
// skipped links said on stderr, a bounded search, and globs matched without regular expressions.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { collectFiles } from '../../cli/files';
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

describe('cli folder search', { skip: process.platform === 'win32' && 'symbolic links need privileges on Windows' }, () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-folders-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('follows links once, names every link it skips, and ends on a loop', () => {
    const root = path.join(dir, 'repo');
    const outside = path.join(dir, 'outside');
    fs.mkdirSync(path.join(root, 'policies', 'sub'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(root, 'policies', 'a.bucket-policy.json'), policyWith([httpsDeny('a')]));
    fs.writeFileSync(path.join(root, 'policies', 'sub', 'b.bucket-policy.json'), policyWith([httpsDeny('b')]));
    fs.writeFileSync(path.join(outside, 'c.bucket-policy.json'), policyWith([httpsDeny('c')]));
    // A policy file that is a link (skipped silently before), a link to a folder, and a link back up (a loop).
    fs.symlinkSync(path.join(outside, 'c.bucket-policy.json'), path.join(root, 'policies', 'c.bucket-policy.json'));
    fs.symlinkSync(outside, path.join(root, 'policies', 'linked'));
    fs.symlinkSync('..', path.join(root, 'policies', 'sub', 'up'));
    // The same file under two names, a link to nothing, a link to itself, a link to a device.
    fs.symlinkSync('a.bucket-policy.json', path.join(root, 'policies', 'a-again.bucket-policy.json'));
    fs.symlinkSync('missing.json', path.join(root, 'policies', 'gone.json'));
    fs.symlinkSync('self.json', path.join(root, 'policies', 'self.json'));
    if (fs.existsSync('/dev/zero')) fs.symlinkSync('/dev/zero', path.join(root, 'policies', 'zero.json'));

    const r = cli(['check', '--no-config', '--format', 'json', 'policies'], root);
    assert.equal(r.code, 0, r.stderr);
    const files = (JSON.parse(r.stdout) as { file: string }[]).map(e => e.file);
    // c.bucket-policy.json is reached twice (a file link, and inside a folder link): checked once.
    assert.deepEqual(files, [
      'policies/a.bucket-policy.json',
      'policies/linked/c.bucket-policy.json',
      'policies/sub/b.bucket-policy.json',
    ]);
    const err = lines(r.stderr);
    const expected = [
      /^s3-encryption-guard: policies\/gone\.json: skipped: a symbolic link to nothing$/,
      /^s3-encryption-guard: policies\/self\.json: skipped: a loop of symbolic links$/,
      /^s3-encryption-guard: policies\/sub\/up: skipped: a link to a folder already searched \(policies\); links are followed once$/,
      /^s3-encryption-guard: policies\/a-again\.bucket-policy\.json: skipped: a link to policies\/a\.bucket-policy\.json, which is checked under that name$/,
      /^s3-encryption-guard: policies\/c\.bucket-policy\.json: skipped: a link to policies\/linked\/c\.bucket-policy\.json, which is checked under that name$/,
    ];
    if (fs.existsSync('/dev/zero'))
      expected.push(/^s3-encryption-guard: policies\/zero\.json: skipped: a symbolic link to a device, not a regular file$/);
    assert.equal(err.length, expected.length, r.stderr);
    for (const re of expected)
      assert.ok(
        err.some(l => re.test(l)),
        `${re} in:\n${r.stderr}`,
      );
  });

  it('a link loop between two folders ends too', () => {
    const root = path.join(dir, 'ping');
    fs.mkdirSync(path.join(root, 'a'), { recursive: true });
    fs.mkdirSync(path.join(root, 'b'));
    fs.symlinkSync('../b', path.join(root, 'a', 'to-b'));
    fs.symlinkSync('../a', path.join(root, 'b', 'to-a'));
    fs.writeFileSync(path.join(root, 'b', 'p.bucket-policy.json'), policyWith([httpsDeny('p')]));
    const r = cli(['check', '--no-config', '--format', 'json', 'a'], root);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      (JSON.parse(r.stdout) as { file: string }[]).map(e => e.file),
      ['a/to-b/p.bucket-policy.json'],
    );
    assert.deepEqual(lines(r.stderr), [
      's3-encryption-guard: a/to-b/to-a: skipped: a link to a folder already searched (a); links are followed once',
    ]);
  });

  it('stops after a bounded number of folder entries and says so', () => {
    const root = path.join(dir, 'many');
    fs.mkdirSync(root);
    for (let i = 0; i < 30; i++) fs.writeFileSync(path.join(root, `p${String(i).padStart(2, '0')}.json`), '{}');
    const all = collectFiles([root], dir);
    assert.equal(all.files.length, 30);
    assert.deepEqual(all.problems, []);
    const capped = collectFiles([root, root], dir, { maxEntries: 10 });
    assert.deepEqual(capped.files, []);
    assert.deepEqual(capped.problems, [
      'many: stopped searching after 10 folder entries; name the policy folders or files to check instead',
    ]);
  });

  it('matches a hostile glob argument in bounded time', () => {
    const r = cli(['check', '--no-config', `examples/${'**/'.repeat(200)}*${'a*'.repeat(200)}zz.json`]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no files match this pattern/);
    const long = cli(['check', '--no-config', `examples/${'*'.repeat(2000)}`]);
    assert.equal(long.code, 2);
    assert.match(long.stderr, /over the 1024-character limit/);
    assert.equal(lines(long.stderr).length, 1, long.stderr);
  });
});
