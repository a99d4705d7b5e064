// The CLI on key policies: the key-policy verdict in `check` and `explain`, and the cross-document
// check between a bucket policy that pins a key and that key's policy.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DIST_CLI, ROOT } from '../helpers/paths';

function cli(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [DIST_CLI, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const KEY_ID = '5f2c7a1e-8d3b-4c6a-9e0f-2b7d4a6c8e10';
const PAIR = ['examples/orders-data.bucket-policy.json', `examples/orders-data.${KEY_ID}.key-policy.json`];

describe('cli on key policies', () => {
  it('check --format json gives the key-policy verdict of docs/design/engine.md', () => {
    const r = cli([
      'check',
      '--format',
      'json',
      '--no-config',
      'examples/good-app-data.key-policy.json',
      'examples/bad-app-data.key-policy.json',
    ]);
    assert.equal(r.code, 1, r.stderr);
    const [good, bad] = JSON.parse(r.stdout) as {
      kind: string;
      verdict: Record<string, unknown>;
      diagnostics: { code: string }[];
    }[];
    assert.equal(good.kind, 'key-policy');
    assert.deepEqual(Object.keys(good.verdict), [
      'kind',
      'complete',
      'lockout',
      'administrators',
      'openToOtherAccounts',
      'openToAnonymous',
      'openToOrganization',
      's3CanUse',
    ]);
    assert.equal(good.verdict.lockout, false);
    assert.deepEqual(good.verdict.administrators, ['arn:aws:iam::111122223333:root', 'arn:aws:iam::111122223333:role/KeyAdmin']);
    assert.deepEqual(good.verdict.s3CanUse, {
      value: true,
      viaService: 's3.eu-west-1.amazonaws.com',
      witness: (good.verdict.s3CanUse as { witness: unknown }).witness,
    });
    assert.equal(bad.verdict.lockout, true);
    assert.ok(
      bad.diagnostics.some(d => d.code === 'KMS-001'),
      JSON.stringify(bad.diagnostics),
    );
  });

  it('explain on a key policy lists principal classes × key actions with decisions', () => {
    const r = cli(['explain', '--format', 'json', '--no-config', 'examples/good-app-data.key-policy.json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      kind: string;
      verdict: { kind: string };
      requests: { request: Record<string, unknown>; decision: string; statements: unknown[] }[];
    };
    assert.equal(out.kind, 'key-policy');
    assert.equal(out.verdict.kind, 'key-policy');
    const find = (principal: string, action: string, via: boolean) =>
      out.requests.find(
        x =>
          x.request.principal === principal && x.request.action === action && (x.request['kms:ViaService'] !== undefined) === via,
      );
    assert.equal(find('anonymous', 'kms:Decrypt', false)?.decision, 'implicit-deny');
    assert.deepEqual(find('arn:aws:iam::111122223333:root', 'kms:PutKeyPolicy', false)?.statements, [
      'Enable IAM User Permissions',
    ]);
    // A role acts through its sessions: the request class is one of them.
    const app = find('arn:aws:sts::111122223333:assumed-role/payments-app/session', 'kms:GenerateDataKey', true);
    assert.equal(app?.decision, 'allow');
    assert.ok(app?.statements.includes('Allow S3 in this account to use the key'));
    const text = cli(['explain', '--no-config', 'examples/good-app-data.key-policy.json']);
    assert.match(
      text.stdout,
      /\nKey policy: Admins: 2 principals · Not open to other accounts · S3 can use it \(s3\.eu-west-1\.amazonaws\.com\)\n {2}Administered by \(may call kms:PutKeyPolicy\): account 111122223333, role\/KeyAdmin\.\n/,
    );
  });

  it('links the example pair by the key ID in the file name and reports the writer the key policy leaves out', () => {
    const r = cli(['check', '--format', 'json', '--no-config', ...PAIR]);
    assert.equal(r.code, 0, r.stderr); // a warning, not an error
    const [bucket, key] = JSON.parse(r.stdout) as {
      diagnostics: { code: string; severity: string; message: string; detail?: string }[];
    }[];
    assert.deepEqual(key.diagnostics, []);
    assert.deepEqual(
      bucket.diagnostics.map(d => [d.code, d.severity]),
      [['KMS-005', 'warning']],
    );
    assert.equal(
      bucket.diagnostics[0].message,
      'Uploads by arn:aws:iam::444455556666:role/orders-writer fail: the key policy does not allow kms:GenerateDataKey through S3.',
    );
    assert.match(
      bucket.diagnostics[0].detail ?? '',
      /^Uploads by arn:aws:iam::444455556666:role\/orders-writer .* the key policy examples\/orders-data\.5f2c7a1e-8d3b-4c6a-9e0f-2b7d4a6c8e10\.key-policy\.json does not allow kms:GenerateDataKey/,
    );
    const text = cli(['check', '--no-config', ...PAIR]);
    assert.match(
      text.stdout,
      /orders-data: Key policy: examples\/orders-data\.5f2c7a1e-8d3b-4c6a-9e0f-2b7d4a6c8e10\.key-policy\.json · writers ✗ 1 of 2 · readers ✓/,
    );
  });

  it('without the key policy there is no cross-document finding; --key-policy links any file; severities apply', () => {
    assert.deepEqual(
      (JSON.parse(cli(['check', '--format', 'json', '--no-config', PAIR[0]]).stdout) as { diagnostics: unknown[] }[])[0]
        .diagnostics,
      [],
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-keypol-'));
    try {
      const keyFile = path.join(dir, 'whatever.json');
      fs.copyFileSync(path.join(ROOT, PAIR[1]), keyFile);
      const arn = `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`;
      const r = cli(['check', '--format', 'json', '--no-config', '--key-policy', `${arn}=${keyFile}`, PAIR[0]]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(
        (JSON.parse(r.stdout) as { diagnostics: { code: string }[] }[])[0].diagnostics.map(d => d.code),
        ['KMS-005'],
      );
      const off = cli([
        'check',
        '--format',
        'json',
        '--no-config',
        '--rule',
        'KMS-005=off',
        '--key-policy',
        `${arn}=${keyFile}`,
        PAIR[0],
      ]);
      assert.deepEqual((JSON.parse(off.stdout) as { diagnostics: unknown[] }[])[0].diagnostics, []);
      const err = cli([
        'check',
        '--format',
        'json',
        '--no-config',
        '--rule',
        'KMS-005=error',
        '--key-policy',
        `${arn}=${keyFile}`,
        PAIR[0],
      ]);
      assert.equal(err.code, 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const bad = cli(['check', '--key-policy', 'not-an-arn=x.json', PAIR[0]]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--key-policy expects KEY_ARN=FILE/);
    const missing = cli([
      'check',
      '--no-config',
      '--key-policy',
      `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}=/nonexistent/k.json`,
      PAIR[0],
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--key-policy \/nonexistent\/k\.json: no such file/);
  });
});
