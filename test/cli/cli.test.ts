// The built CLI, run as a user runs it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BAD_INPUTS, httpsDeny, policyWith } from '../helpers/bad-input';
import { DIST_CLI, ROOT } from '../helpers/paths';

function cli(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [DIST_CLI, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli check', () => {
  it('prints exactly the documented JSON shape for examples/', () => {
    const r = cli(['check', '--format', 'json', 'examples/']);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.ok(Array.isArray(out));
    const files = out.map(e => e.file);
    assert.deepEqual(files, [...files].sort(), 'files in a stable order');
    for (const e of out) {
      // A policy in a template (examples/infra/) says where it is in the template.
      assert.deepEqual(
        Object.keys(e),
        'location' in e ? ['file', 'kind', 'location', 'diagnostics', 'verdict'] : ['file', 'kind', 'diagnostics', 'verdict'],
      );
      assert.ok(
        ['bucket-policy', 'key-policy', 'identity-policy', 'unknown', 'bucket-settings', 'key-settings', 'template'].includes(
          e.kind as string,
        ),
      );
      assert.equal(
        'location' in e,
        /\.(ya?ml|tf)$|\.template\.json$/.test(e.file as string) && e.kind !== 'template',
        `${e.file}`,
      );
      if (e.kind === 'bucket-policy') {
        // docs/design/engine.md#bucket-verdict: one verdict per bucket (an object when the policy names one bucket).
        const v = e.verdict as Record<string, unknown>;
        assert.deepEqual(Object.keys(v), ['bucket', 'complete', 'transport', 'encryption']);
        assert.deepEqual(Object.keys(v.transport as object), ['http', 'minTlsVersion', 'witness']);
        assert.deepEqual(Object.keys(v.encryption as object), ['uploads', 'summary']);
      } else if (e.kind === 'key-policy') {
        // docs/design/engine.md#key-policy-verdict.
        const v = e.verdict as Record<string, unknown>;
        assert.deepEqual(Object.keys(v), [
          'kind',
          'complete',
          'lockout',
          'administrators',
          'openToOtherAccounts',
          'openToAnonymous',
          'openToOrganization',
          's3CanUse',
        ]);
        assert.equal(v.kind, 'key-policy');
      } else assert.equal(e.verdict, null);
      for (const d of e.diagnostics as Record<string, unknown>[]) {
        // "detail" (the rest of the explanation after the one-sentence message) only when the rule has more to say.
        assert.deepEqual(
          Object.keys(d),
          'detail' in d ? ['code', 'severity', 'message', 'detail', 'range'] : ['code', 'severity', 'message', 'range'],
        );
        if ('detail' in d) assert.ok(typeof d.detail === 'string' && d.detail.length > 0);
        assert.ok(['error', 'warning', 'info'].includes(d.severity as string));
        const range = d.range as { start: Record<string, unknown>; end: Record<string, unknown> };
        assert.deepEqual(Object.keys(range), ['start', 'end']);
        assert.deepEqual(Object.keys(range.start), ['line', 'character']);
        assert.deepEqual(Object.keys(range.end), ['line', 'character']);
      }
    }
    const byFile = new Map(out.map(e => [e.file as string, e]));
    assert.equal(byFile.get('examples/not-a-policy/package.json')?.kind, 'unknown');
    assert.deepEqual(byFile.get('examples/not-a-policy/package.json')?.diagnostics, []);
    assert.deepEqual(byFile.get('examples/good-payments-data.bucket-policy.json')?.diagnostics, []);
    assert.deepEqual(byFile.get('examples/good-app-data.key-policy.json')?.diagnostics, []);
    const slash = byFile.get('examples/bad-missing-slash-star.bucket-policy.json')!.diagnostics as {
      code: string;
      range: unknown;
    }[];
    assert.deepEqual(
      slash.map(d => d.code),
      ['GRM-009'],
    );
    assert.deepEqual(slash[0].range, { start: { line: 19, character: 18 }, end: { line: 19, character: 55 } });
    // Every bad example shows the problem it was written for, and only that.
    const codes = (f: string) => (byFile.get(`examples/${f}`)!.diagnostics as { code: string }[]).map(d => d.code);
    assert.deepEqual(codes('bad-invisible-character.bucket-policy.json'), ['GRM-016']);
    assert.deepEqual(codes('bad-aes-256-typo.bucket-policy.json'), ['ENC-001']);
    assert.deepEqual(codes('bad-ams-kms-typo.bucket-policy.json'), ['GRM-003', 'ENC-001']);
    assert.deepEqual(codes('bad-allow-instead-of-deny.bucket-policy.json'), ['TLS-003', 'ENC-005']);
    assert.deepEqual(codes('bad-app-data.key-policy.json'), ['KMS-001', 'GRM-010', 'GRM-005']);
    // The cross-document check links the orders-data pair by the key ID in the key policy's name.
    assert.deepEqual(codes('orders-data.bucket-policy.json'), ['KMS-005']);
    assert.deepEqual(codes('orders-data.5f2c7a1e-8d3b-4c6a-9e0f-2b7d4a6c8e10.key-policy.json'), []);
  });

  it('includes the verdict: the good example enforces HTTPS, TLS 1.2 and its KMS key', () => {
    const r = cli(['check', '--format', 'json', 'examples/good-payments-data.bucket-policy.json']);
    const v = JSON.parse(r.stdout)[0].verdict;
    assert.equal(v.bucket, 'good-payments-data');
    assert.equal(v.complete, true);
    assert.deepEqual(v.transport, { http: 'denied', minTlsVersion: '1.2', witness: null });
    // Template 3 of docs/design/aws-facts.md: uploads may rely on default encryption, but whatever they name must be aws:kms and the pinned key.
    assert.equal(v.encryption.summary, 'sse-kms-only');
    const open = v.encryption.uploads.filter((u: { decision: string }) => u.decision === 'not-denied');
    assert.deepEqual(
      open.map((u: { sse: string; kmsKey: string }) => `${u.sse} ${u.kmsKey}`),
      ['none null', 'aws:kms null', 'aws:kms arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    );
    const text = cli(['check', 'examples/good-payments-data.bucket-policy.json']);
    assert.match(
      text.stdout,
      /verdict {2}good-payments-data: HTTPS: enforced · SSE: only aws:kms, named key must be key\/1234abcd… · TLS ≥ 1\.2: enforced/,
    );
  });

  it('explain prints the documented JSON shape, one entry per request class', () => {
    const r = cli(['explain', '--format', 'json', 'examples/bad-missing-slash-star.bucket-policy.json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), ['file', 'kind', 'verdict', 'requests']);
    assert.equal(out.kind, 'bucket-policy');
    assert.equal(out.verdict.bucket, 'bad-missing-slash-star');
    assert.ok(out.requests.length > 10);
    for (const q of out.requests) {
      assert.deepEqual(Object.keys(q), ['request', 'decision', 'statements']);
      assert.ok(['explicit-deny', 'allow', 'implicit-deny'].includes(q.decision));
      assert.equal(q.decision === 'implicit-deny', q.statements.length === 0);
    }
    // Every HTTP request is denied by the Sid that does it; the reader role's GET is allowed by its own Sid.
    const http = out.requests.filter((q: { request: Record<string, unknown> }) => q.request['aws:SecureTransport'] === false);
    assert.ok(
      http.length > 0 &&
        http.every(
          (q: { decision: string; statements: string[] }) =>
            q.decision === 'explicit-deny' && q.statements.includes('DenyInsecureTransport'),
        ),
    );
    // The reader role's Allow names only the bucket ARN, so its GetObject on an object is not allowed (the GRM-009 bug, seen from the engine).
    type Q = { request: Record<string, unknown>; decision: string; statements: string[] };
    const readerGet = (q: Q) =>
      q.request.principal === 'arn:aws:sts::111122223333:assumed-role/reports/session' &&
      q.request.action === 's3:GetObject' &&
      q.request['aws:SecureTransport'] === true;
    assert.ok(out.requests.some(readerGet));
    assert.ok(out.requests.filter(readerGet).every((q: Q) => q.decision === 'implicit-deny'));
    const good = JSON.parse(cli(['explain', '--format', 'json', 'examples/good-payments-data.bucket-policy.json']).stdout);
    assert.ok(
      good.requests.some(
        (q: Q) =>
          q.request.principal === 'arn:aws:sts::111122223333:assumed-role/payments-app/session' &&
          q.request.action === 's3:GetObject' &&
          q.request['aws:SecureTransport'] === true &&
          q.decision === 'allow' &&
          q.statements.includes('AllowAppRoleReadWrite'),
      ),
    );
    // Text: the summary, then the classes grouped (test/cli/explain-text.test.ts).
    const text = cli(['explain', 'examples/bad-missing-slash-star.bucket-policy.json']);
    assert.match(text.stdout, new RegExp(`\\n {2}${out.requests.length} request classes in \\d+ rows:\\n`));
  });

  it('explain refuses what is not a bucket or key policy, in one line', () => {
    const r = cli(['explain', 'examples/not-a-policy/package.json']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /explain works on bucket policies and key policies; this file was taken for unknown/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  describe('config file', () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-cfg-'));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('is read from the working folder upwards, and --rule beats it', () => {
      fs.writeFileSync(path.join(dir, '.s3-encryption-guard.json'), '{"rules": {"GRM-009": "off"}}');
      const sub = path.join(dir, 'sub');
      fs.mkdirSync(sub, { recursive: true });
      fs.copyFileSync(
        path.join(ROOT, 'examples/bad-missing-slash-star.bucket-policy.json'),
        path.join(sub, 'bad-missing-slash-star.bucket-policy.json'),
      );
      const quiet = cli(['check', '--format', 'json', 'bad-missing-slash-star.bucket-policy.json'], sub);
      assert.equal(quiet.code, 0, quiet.stderr);
      assert.deepEqual(JSON.parse(quiet.stdout)[0].diagnostics, []);
      const loud = cli(
        ['check', '--format', 'json', '--rule', 'GRM-009=error', 'bad-missing-slash-star.bucket-policy.json'],
        sub,
      );
      assert.equal(loud.code, 1);
      const ignored = cli(['check', '--format', 'json', '--no-config', 'bad-missing-slash-star.bucket-policy.json'], sub);
      assert.equal(ignored.code, 1);
    });

    it('stops with one line naming the file and every problem when it is invalid', () => {
      const bad = path.join(dir, 'bad-config.json');
      fs.writeFileSync(bad, '{"requirements": {"sse": ["AES-256"], "minTlsVersion": "TLS1.2"}}');
      const r = cli(['check', '--config', bad, 'examples/']);
      assert.equal(r.code, 2);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^s3-encryption-guard: config .*bad-config\.json: /);
      assert.match(r.stderr, /"minTlsVersion" must be one of "1\.0", "1\.1", "1\.2", "1\.3" or null, not "TLS1\.2"/);
      assert.match(r.stderr, /"sse" accepts "AES256", "aws:kms" and "aws:kms:dsse", not "AES-256" \(did you mean "AES256"\?\)/);
      assert.doesNotMatch(r.stderr, /--help/);
    });
  });

  it('exits 0 when there are no error findings', () => {
    const r = cli(['check', 'examples/good-payments-data.bucket-policy.json', 'examples/good-app-data.key-policy.json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /No problems in 2 policies/);
  });

  it('prints file, position, severity, message and rule ID as text', () => {
    const r = cli(['check', 'examples/bad-missing-slash-star.bucket-policy.json']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /examples\/bad-missing-slash-star\.bucket-policy\.json \(bucket-policy\)/);
    assert.match(r.stdout, /20:19 +error +.*GRM-009/);
    assert.match(r.stdout, /1 problem \(1 error, 0 warnings, 0 info\) in 1 of 1 files\./);
  });

  it('writes SARIF 2.1.0 that validates against the schema', () => {
    const r = cli(['check', '--format', 'sarif', 'examples/']);
    assert.equal(r.code, 1, r.stderr);
    const sarif = JSON.parse(r.stdout);
    const Ajv = require('ajv-draft-04');
    const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false, validateFormats: false, logger: false });
    const validate = ajv.compile(require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'));
    assert.ok(validate(sarif), JSON.stringify(validate.errors?.slice(0, 5)));
    const run = sarif.runs[0];
    assert.equal(run.tool.driver.name, 's3-encryption-guard');
    assert.ok(run.results.length > 0);
    for (const res of run.results) {
      // What GitHub code scanning needs: a rule that exists, a relative URI, 1-based regions.
      assert.equal(run.tool.driver.rules[res.ruleIndex].id, res.ruleId);
      const loc = res.locations[0].physicalLocation;
      assert.match(loc.artifactLocation.uri, /^examples\//);
      assert.ok(loc.region.startLine >= 1 && loc.region.startColumn >= 1);
      assert.ok(loc.region.endLine > loc.region.startLine || loc.region.endColumn > loc.region.startColumn);
    }
  });

  it('honours --rule overrides', () => {
    const r = cli(['check', '--format', 'json', '--rule', 'GRM-009=off', 'examples/bad-missing-slash-star.bucket-policy.json']);
    assert.equal(r.code, 0, r.stdout);
    assert.deepEqual(JSON.parse(r.stdout)[0].diagnostics, []);
  });

  it('expands globs', () => {
    const r = cli(['check', '--format', 'json', 'examples/*.key-policy.json']);
    assert.deepEqual(
      JSON.parse(r.stdout).map((e: { file: string }) => e.file),
      [
        'examples/bad-app-data.key-policy.json',
        'examples/good-app-data.key-policy.json',
        'examples/orders-data.5f2c7a1e-8d3b-4c6a-9e0f-2b7d4a6c8e10.key-policy.json',
      ],
    );
  });

  for (const [args, message] of [
    [[], /Usage: s3-encryption-guard check/],
    [['check'], /check needs at least one file/],
    [['check', '--format', 'xml', 'examples'], /unknown format "xml"/],
    [['check', '--bogus', 'examples'], /unknown option --bogus/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ] as [string[], RegExp][]) {
    it(`exits 2 with a one-line message for: ${args.join(' ') || '(no arguments)'}`, () => {
      const r = cli(args);
      assert.equal(r.code, 2);
      const text = r.stderr || r.stdout;
      assert.match(text, message);
      if (args.length) {
        assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
        assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      }
    });
  }

  describe('bad files', () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-cli-'));
      for (const [name, make] of Object.entries(BAD_INPUTS))
        fs.writeFileSync(path.join(dir, `${name}.json`), make(), name === 'binary' ? 'latin1' : 'utf8');
      fs.writeFileSync(path.join(dir, 'ok.bucket-policy.json'), policyWith([httpsDeny('ok')]));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('says one line per file it skips and goes on with the rest', () => {
      const r = cli(['check', '--format', 'json', dir, path.join(dir, 'missing.json')]);
      assert.equal(r.code, 2, 'a missing file is an I/O problem');
      const lines = r.stderr.trim().split('\n');
      assert.ok(
        lines.some(l => /missing\.json: no such file or folder$/.test(l)),
        r.stderr,
      );
      assert.ok(
        lines.some(l => /binary\.json: skipped: binary content/.test(l)),
        r.stderr,
      );
      assert.ok(
        lines.some(l => /fiveMegabytes\.json: skipped: 5\.\d MB, over the 128 KB analysis limit/.test(l)),
        r.stderr,
      );
      assert.ok(
        lines.some(l => /nested10000\.json: skipped: nested more than 64 levels deep/.test(l)),
        r.stderr,
      );
      assert.ok(
        lines.every(l => l.startsWith('s3-encryption-guard: ')),
        r.stderr,
      );
      const out = JSON.parse(r.stdout) as { file: string; kind: string; diagnostics: { code: string; severity: string }[] }[];
      assert.equal(out.length, Object.keys(BAD_INPUTS).length + 1);
      const ok = out.find(e => e.file.endsWith('ok.bucket-policy.json'))!;
      assert.deepEqual(ok.diagnostics, []);
      const many = out.find(e => e.file.endsWith('statements1300.json'))!;
      assert.equal(many.kind, 'bucket-policy');
      assert.ok(many.diagnostics.some(d => d.code === 'analysis-limit'));
      const truncated = out.find(e => e.file.endsWith('truncated.json'))!;
      assert.ok(
        truncated.diagnostics.some(d => d.code === 'GRM-001' && d.severity === 'error'),
        JSON.stringify(truncated),
      );
    });

    it('analyses a named policy file that is binary garbage as a broken policy', () => {
      const f = path.join(dir, 'garbage.bucket-policy.json');
      fs.writeFileSync(f, Buffer.from([0, 1, 2, 255, 254, 10, 123, 34]));
      const r = cli(['check', '--format', 'json', f]);
      assert.equal(r.code, 1);
      assert.ok(JSON.parse(r.stdout)[0].diagnostics.some((d: { code: string }) => d.code === 'GRM-001'));
    });
  });
});
