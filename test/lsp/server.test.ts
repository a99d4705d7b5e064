// The built language server, spawned over stdio and driven by a real JSON-RPC client.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ExplainReport } from '../../protocol/protocol';
import { BAD_INPUTS, httpsDeny, policyWith } from '../helpers/bad-input';
import { rendered } from '../helpers/markdown';
import { LspClient } from './lsp-client';

const BAD = `{
  "Version": "2012-10-17",
  "Statement": [
    { "Effect": "deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
      "Condition": { "Bool": { "aws:SecureTransport": "false" } } }
  ]
}`;

describe('language server over stdio', () => {
  let client: LspClient;
  before(async () => {
    client = new LspClient();
    const init = await client.initialize();
    assert.ok(init.capabilities.textDocumentSync, 'announces document sync');
    assert.ok(init.capabilities.codeActionProvider, 'announces code actions');
  });
  after(() => client.kill());

  it('publishes a diagnostic at the exact range, with code and source', async () => {
    const uri = 'file:///work/policies/a.bucket-policy.json';
    await client.open(uri, BAD, 1);
    const p = await client.diagnostics(uri, 1);
    const grm003 = p.diagnostics.filter(d => d.code === 'GRM-003');
    assert.equal(grm003.length, 1, JSON.stringify(p.diagnostics));
    assert.deepEqual(grm003[0].range, { start: { line: 3, character: 16 }, end: { line: 3, character: 22 } });
    assert.equal(grm003[0].source, 's3-encryption-guard');
    assert.equal(grm003[0].severity, 1);
  });

  it('updates after didChange, and the quick-fix repairs the document', async () => {
    const uri = 'file:///work/policies/b.bucket-policy.json';
    await client.open(uri, BAD, 1);
    const first = await client.diagnostics(uri, 1);
    const d = first.diagnostics.find(x => x.code === 'GRM-003')!;
    const actions = (await client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: d.range,
      context: { diagnostics: [d], only: ['quickfix'] },
    })) as { title: string; isPreferred?: boolean; edit: { changes: Record<string, { newText: string }[]> } }[];
    const preferred = actions.find(a => a.isPreferred);
    assert.ok(preferred, `a preferred quick-fix among ${actions.map(a => a.title).join(', ')}`);
    assert.deepEqual(
      preferred.edit.changes[uri].map(e => e.newText),
      ['"Deny"'],
    );

    await client.change(uri, 2, BAD.replace('"deny"', '"Deny"'));
    const second = await client.diagnostics(uri, 2);
    assert.deepEqual(
      second.diagnostics.filter(x => x.code === 'GRM-003'),
      [],
    );
  });

  it('offers "fix all" as a source action that repairs every fixable problem at once', async () => {
    // Named after its bucket "b": renaming ARNs to the file's bucket is a choice, not a safe fix.
    const uri = 'file:///work/policies/fixall/b.bucket-policy.json';
    // Every problem here has a safe fix (letter case only): "fix all" applies only safe ones (test/lsp/fix-all.test.ts).
    const text = BAD.replace('"Version"', '"version"').replace('"Bool"', '"bool"');
    await client.open(uri, text, 1);
    const p = await client.diagnostics(uri, 1);
    assert.ok(p.diagnostics.length >= 3, JSON.stringify(p.diagnostics));
    const actions = (await client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll'] },
    })) as {
      kind: string;
      edit: {
        changes: Record<
          string,
          { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]
        >;
      };
    }[];
    assert.equal(actions.length, 1);
    assert.equal(actions[0].kind, 'source.fixAll.s3EncryptionGuard');
    // Apply the edits (from the end, so earlier positions stay valid) and check the result is clean.
    const lines = text.split('\n');
    const offset = (pos: { line: number; character: number }) =>
      lines.slice(0, pos.line).reduce((n, l) => n + l.length + 1, 0) + pos.character;
    let fixed = text;
    for (const e of [...actions[0].edit.changes[uri]].sort((a, b) => offset(b.range.start) - offset(a.range.start))) {
      fixed = fixed.slice(0, offset(e.range.start)) + e.newText + fixed.slice(offset(e.range.end));
    }
    JSON.parse(fixed);
    await client.change(uri, 2, fixed);
    const after = await client.diagnostics(uri, 2);
    assert.deepEqual(
      after.diagnostics.filter(d => d.severity === 1).map(d => `${d.code} ${d.message}`),
      [],
    );
  });

  it('values with control characters reach diagnostics, code action titles and completion labels made visible, never raw', async () => {
    const uri = 'file:///work/policies/esc.bucket-policy.json';
    const op = 'ArnLike\u001b[31m\u0007';
    const text = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'x\u001b]0;t\u0007',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: ['arn:aws:s3:::esc', 'arn:aws:s3:::esc/*'],
          Condition: { [op]: { 'aws:SourceArn': 'arn:aws:s3:::esc\u001b[2J' } },
        },
      ],
    });
    await client.open(uri, text, 1);
    const d = await client.diagnostics(uri, 1);
    const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
    assert.ok(d.diagnostics.length > 0);
    for (const x of d.diagnostics) {
      assert.ok(!raw.test(x.message), x.message);
      for (const r of x.relatedInformation ?? []) assert.ok(!raw.test(r.message), r.message);
    }
    assert.ok(
      d.diagnostics.some(x => x.message.includes('\\u001b') || x.message.includes('\\x1b')),
      'the control character is shown as an escape',
    );
    const actions = (await client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: text.length } },
      context: { diagnostics: d.diagnostics },
    })) as { title: string }[];
    for (const a of actions) assert.ok(!raw.test(a.title), a.title);
    // Completion offers the ARNs already in the document: one holding control characters is shown escaped.
    const uri2 = 'file:///work/policies/esc2.bucket-policy.json';
    const text2 = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ${JSON.stringify('arn:aws:iam::111122223333:role/x\u001b[31m\u0007')}}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::esc2/*"}, {"Effect": "Allow", "Principal": {"AWS": ""}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::esc2/*"}]}`;
    await client.open(uri2, text2, 1);
    await client.diagnostics(uri2, 1);
    const at = text2.indexOf('{"AWS": ""}') + '{"AWS": "'.length;
    const items = (await client.conn.sendRequest('textDocument/completion', {
      textDocument: { uri: uri2 },
      position: { line: 0, character: at },
    })) as { items?: { label: string }[] } | { label: string }[] | null;
    const list = Array.isArray(items) ? items : (items?.items ?? []);
    assert.ok(
      list.some(i => i.label.includes('role/x')),
      `the document's ARN is offered: ${list.map(i => i.label).join(', ')}`,
    );
    for (const i of list) assert.ok(!raw.test(i.label), i.label);
  });

  it('a policy cut short mid-edit: its syntax error once per place, no other finding, and the CodeLens says it is not evaluated', async () => {
    // Once it showed "SSE: every upload denied" and TLS-001 for what the parser recovered (issue 11, item 7).
    const uri = 'file:///work/policies/cut-data.bucket-policy.json';
    const text =
      '{"Version":"2012-10-17","Statement":[{"Sid":"D","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::cut-data/*","Condition":{"StringNotEquals" ';
    await client.open(uri, text, 1);
    const d = await client.diagnostics(uri, 1);
    assert.deepEqual(
      d.diagnostics.map(x => [x.code, x.message]),
      [['GRM-001', 'JSON syntax error: Colon expected; Closing brace } expected; Closing bracket ] expected']],
    );
    const lenses = (await client.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as {
      command: { title: string };
    }[];
    assert.deepEqual(
      lenses.map(l => l.command.title),
      ['Verdict: not evaluated, the JSON has syntax errors (AWS rejects it); fix them first'],
    );
  });

  it('shows the verdict in a CodeLens, what a statement denies on hover, and the Explain report', async () => {
    const uri = 'file:///work/policies/b.bucket-policy.json';
    const text = policyWith([httpsDeny('b').replace('"Effect"', '"Sid": "DenyHttp", "Effect"')]);
    await client.open(uri, text, 1);
    await client.diagnostics(uri, 1);
    const lenses = (await client.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as {
      range: unknown;
      command: { title: string; command: string; arguments: unknown[] };
    }[];
    assert.equal(lenses.length, 1);
    assert.equal(lenses[0].command.title, 'HTTPS: enforced · SSE: not enforced');
    assert.deepEqual(lenses[0].command.arguments, [uri, 'b']);
    assert.equal(lenses[0].command.command, 's3EncryptionGuard.explain');
    const effectAt = text.indexOf('"Deny"') + 2;
    const hover = (await client.conn.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position: { line: 0, character: effectAt },
    })) as { contents: { value: string } };
    // Values from the policy are backslash-escaped in the Markdown: match what the reader sees.
    assert.match(
      rendered(hover.contents.value),
      /\*\*statement "DenyHttp"\*\* denies \d+ of \d+ request classes for bucket `b`, for example:\n- an anonymous caller calling s3:\S+ on arn:aws:s3:::b\S* over HTTP/,
    );
    // The report as data (test/lsp/explain.test.ts checks its content in depth).
    const { report } = (await client.conn.sendRequest('s3EncryptionGuard/explain', { uri })) as { report: ExplainReport };
    assert.equal(report.file, 'b.bucket-policy.json');
    assert.deepEqual(
      report.sections.map(s => [s.heading, s.verdictLine, s.summary[0]]),
      [['Bucket b', 'HTTPS: enforced · SSE: not enforced', 'HTTPS is enforced: every request over plain HTTP is denied.']],
    );
    const http = report.sections[0].details.rows.find(r => r.parts.join(' · ') === 'over HTTP');
    assert.deepEqual(
      http?.cells.map(c => [c?.word, c && report.statements[c.statements[0]]?.label]),
      [['denied', 'DenyHttp']],
    );
    // A key policy gets the key-policy verdict in its lens, and its own Explain report.
    const key = 'file:///work/policies/k.key-policy.json';
    await client.open(
      key,
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}',
      1,
    );
    await client.diagnostics(key, 1);
    const keyLenses = (await client.conn.sendRequest('textDocument/codeLens', { textDocument: { uri: key } })) as typeof lenses;
    assert.deepEqual(
      keyLenses.map(l => [l.command.title, l.command.command, l.command.arguments]),
      [
        [
          'Admins: account 111122223333 · Not open to other accounts · S3 can use it (s3.us-east-1.amazonaws.com)',
          's3EncryptionGuard.explain',
          [key],
        ],
      ],
    );
    const { report: keyReport } = (await client.conn.sendRequest('s3EncryptionGuard/explain', { uri: key })) as {
      report: ExplainReport;
    };
    const section = keyReport.sections[0];
    assert.match(section.verdictLine, /^Admins: account 111122223333/);
    assert.equal(section.summary[0], 'Administered by (may call kms:PutKeyPolicy): account 111122223333.');
    assert.deepEqual(
      section.columns.map(c => c.label),
      ['everyone else', 'everyone in account 111122223333'],
    );
    assert.deepEqual(
      section.details.rows.map(r => r.cells.map(c => c?.word)),
      [['not allowed', 'allowed']],
    );
  });

  it('reports JSON syntax errors at their position', async () => {
    const uri = 'file:///work/policies/c.bucket-policy.json';
    await client.open(uri, '{"Version": "2012-10-17", "Statement": [}', 1);
    const p = await client.diagnostics(uri, 1);
    const syntax = p.diagnostics.filter(d => d.message.startsWith('JSON syntax error'));
    assert.ok(syntax.length >= 1, JSON.stringify(p.diagnostics));
    assert.equal(syntax[0].range.start.line, 0);
    assert.equal(syntax[0].range.start.character, 40);
  });

  it('gives JSON that is not a policy no diagnostics at all', async () => {
    const uri = 'file:///work/app/package.json';
    await client.open(uri, '{"name": "x", "version": "1.0.0", "scripts": {"build": "tsc"}, "Effect": "deny"}', 1);
    const p = await client.diagnostics(uri, 1);
    assert.deepEqual(p.diagnostics, []);
  });

  it('detects a policy from its content when the file name says nothing', async () => {
    const uri = 'file:///work/untitled/policy.json';
    await client.open(uri, BAD, 1);
    const p = await client.diagnostics(uri, 1);
    assert.ok(p.diagnostics.some(d => d.code === 'GRM-003'));
    const hover = (await client.conn.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position: { line: 2, character: 4 },
    })) as { contents: { value: string } } | null;
    assert.ok(hover, 'hover on "Statement"');
    assert.match(hover.contents.value, /S3 bucket policy: its statements name a Principal/);
  });

  it('honours severity overrides from the settings', async () => {
    client.configuration = { rules: { 'GRM-003': 'off', 'GRM-001': 'warning' } };
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    const uri = 'file:///work/policies/d.bucket-policy.json';
    await client.open(uri, BAD.replace('"Version"', '"Version": "2012-10-17", "version"'), 1);
    const p = await client.diagnostics(uri, 1);
    assert.deepEqual(
      p.diagnostics.filter(d => d.code === 'GRM-003'),
      [],
    );
    const shape = p.diagnostics.filter(d => d.code === 'GRM-001');
    assert.ok(shape.length > 0 && shape.every(d => d.severity === 2), JSON.stringify(shape));
    client.configuration = {};
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
  });

  it('says once, naming the field, when the requirements setting is invalid, and keeps working', async () => {
    client.configuration = { requirements: { sse: ['AES-256'], minTlsVersion: 'TLS1.2' } };
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    const uri = 'file:///work/policies/req.bucket-policy.json';
    await client.open(uri, BAD, 1);
    await client.diagnostics(uri, 1);
    const uri2 = 'file:///work/policies/req2.bucket-policy.json';
    await client.open(uri2, BAD, 1);
    await client.diagnostics(uri2, 1);
    const warnings = client.messages.filter(m => /s3EncryptionGuard\.requirements has problems/.test(m.message));
    assert.equal(warnings.length, 1, JSON.stringify(client.messages));
    assert.equal(warnings[0].type, 2);
    assert.match(
      warnings[0].message,
      /"sse" accepts "AES256", "aws:kms" and "aws:kms:dsse", not "AES-256" \(did you mean "AES256"\?\)/,
    );
    assert.match(warnings[0].message, /"minTlsVersion" must be one of/);
    client.configuration = {};
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
  });

  for (const [name, make] of Object.entries(BAD_INPUTS)) {
    it(`keeps answering after a hostile document: ${name}`, async () => {
      const hostile = `file:///work/hostile/${name}.bucket-policy.json`;
      await client.open(hostile, make(), 1);
      const h = await client.diagnostics(hostile, 1, 60000);
      assert.ok(Array.isArray(h.diagnostics));
      // Another document still gets its diagnostics afterwards.
      const probe = `file:///work/hostile/after-${name}.bucket-policy.json`;
      await client.open(probe, BAD, 1);
      const p = await client.diagnostics(probe, 1);
      assert.ok(p.diagnostics.some(d => d.code === 'GRM-003'));
      if (name === 'fiveMegabytes' || name === 'nested10000') {
        assert.ok(
          h.diagnostics.some(d => d.code === 'analysis-limit' && d.severity === 3),
          `an info diagnostic says the cap was hit: ${JSON.stringify(h.diagnostics)}`,
        );
      }
      if (name === 'statements1300') {
        assert.ok(h.diagnostics.some(d => d.code === 'analysis-limit' && /first 1000 statements/.test(d.message)));
        assert.ok(h.diagnostics.length <= 1002, `diagnostics are capped at 1000 plus the two notices (${h.diagnostics.length})`);
      }
      if (name === 'truncated' || name === 'empty' || name === 'binary') {
        assert.ok(
          h.diagnostics.some(d => d.severity === 1),
          `an error for ${name}`,
        );
      }
    });
  }

  it('reads settings from initializationOptions when the editor cannot answer workspace/configuration', async () => {
    const other = new LspClient();
    try {
      await other.initialize(false, { settings: { rules: { 'GRM-003': 'info' } } });
      const uri = 'file:///work/e.bucket-policy.json';
      await other.open(uri, policyWith([httpsDeny('e').replace('"Deny"', '"deny"')]), 1);
      const p = await other.diagnostics(uri, 1);
      const d = p.diagnostics.find(x => x.code === 'GRM-003');
      assert.equal(d?.severity, 3);
      assert.equal(other.configurationRequests, 0);
    } finally {
      assert.equal(await other.shutdown(), 0, 'exits with 0 after shutdown/exit');
    }
  });
});
