// "Fix all" (source.fixAll.s3EncryptionGuard) through the built language server over stdio:
// only safe fixes are applied, round after round, with the document's own settings; fixes that
// need a choice stay available as quick-fixes and are never applied by "fix all".
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { analyze } from '../../core/analyze';
import { LineIndex } from '../../core/policy/lines';
import { fixAll, safeFix } from '../../core/rules/fixes';
import { LspClient, type PublishedDiagnostics } from './lsp-client';

interface Pos {
  line: number;
  character: number;
}
interface LspEdit {
  range: { start: Pos; end: Pos };
  newText: string;
}
interface Action {
  title: string;
  kind: string;
  isPreferred?: boolean;
  edit?: { changes: Record<string, LspEdit[]> };
}

/** Apply LSP edits to a text (from the end, so earlier positions stay valid). */
function applyLspEdits(text: string, edits: readonly LspEdit[]): string {
  const lines = new LineIndex(text);
  const spans = edits.map(e => ({ start: lines.offset(e.range.start), end: lines.offset(e.range.end), newText: e.newText }));
  let out = text;
  for (const e of spans.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

const B = 'arn:aws:s3:::b';
/** Safe: "deny" → "Deny", AES-256 → AES256, the missing bucket ARN beside "/*". Not safe: the header-required Deny (ENC-004) and the duplicate "Sid". */
const MIXED = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyHttp",
      "Effect": "deny",
      "Principal": "*",
      "Action": "s3:*",
      "Resource": "${B}/*",
      "Condition": { "Bool": { "aws:SecureTransport": "false" } }
    },
    {
      "Sid": "DenyUnencrypted",
      "Sid": "DenyWrongEncryption",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:PutObject",
      "Resource": "${B}/*",
      "Condition": { "StringNotEquals": { "s3:x-amz-server-side-encryption": "AES-256" } }
    }
  ]
}`;

/** Only fixes that need a choice: strict vs default-friendly (ENC-004). */
const ONLY_UNSAFE = `{"Version": "2012-10-17", "Statement": [
  {"Sid": "DenyHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["${B}", "${B}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
  {"Sid": "DenyNonKms", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "${B}/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}
]}`;

describe('"fix all" over the language server', () => {
  let client: LspClient;
  before(async () => {
    client = new LspClient();
    await client.initialize();
  });
  after(() => client.kill());

  const fixAllActions = async (uri: string): Promise<Action[]> =>
    client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll'] },
    }) as Promise<Action[]>;

  const codes = (p: PublishedDiagnostics) => p.diagnostics.map(d => d.code).sort();

  it('applies only the safe fixes, in as many rounds as it takes, and leaves the rest for a person', async () => {
    const uri = 'file:///work/policies/mixed/b.bucket-policy.json';
    await client.open(uri, MIXED, 1);
    const before = await client.diagnostics(uri, 1);
    for (const code of ['GRM-001', 'GRM-003', 'ENC-001'])
      assert.ok(codes(before).includes(code), `${code} in ${codes(before).join(', ')}`);

    const actions = await fixAllActions(uri);
    assert.equal(actions.length, 1, JSON.stringify(actions));
    assert.equal(actions[0].kind, 'source.fixAll.s3EncryptionGuard');
    const fixed = applyLspEdits(MIXED, actions[0].edit!.changes[uri]);

    // Exactly what the rules' own "fix all" gives for this document and its settings.
    const path = '/work/policies/mixed/b.bucket-policy.json';
    assert.equal(fixed, fixAll(MIXED, t => analyze(t, path).findings).text);
    JSON.parse(fixed);
    assert.match(fixed, /"Effect": "Deny"/);
    assert.match(fixed, /"AES256"/);
    assert.match(
      fixed,
      new RegExp(`"Resource": \\["${B}", "${B}/\\*"\\]`),
      'the HTTP Deny names the bucket too (a second round: only a Deny can miss it)',
    );
    // What needs a choice is untouched: both Sids, and the header-required comparison.
    assert.match(fixed, /"Sid": "DenyUnencrypted",\s+"Sid": "DenyWrongEncryption"/);
    assert.match(fixed, /"StringNotEquals": \{ "s3:x-amz-server-side-encryption": "AES256" \}/);

    await client.change(uri, 2, fixed);
    const afterFix = await client.diagnostics(uri, 2);
    assert.deepEqual(
      codes(afterFix).filter(c => ['GRM-003', 'ENC-001', 'TLS-002'].includes(c)),
      [],
    );
    assert.ok(codes(afterFix).includes('GRM-001'), 'the duplicate Sid is still reported');
    // No finding with a safe fix is left.
    assert.deepEqual(
      analyze(fixed, path)
        .findings.filter(f => safeFix(f))
        .map(f => f.ruleId),
      [],
    );
    // And nothing is left for "fix all" to do.
    assert.deepEqual(await fixAllActions(uri), []);
  });

  it('offers no "fix all" when every fix needs a choice, while the quick-fix stays available', async () => {
    const uri = 'file:///work/policies/strict/b.bucket-policy.json';
    await client.open(uri, ONLY_UNSAFE, 1);
    const p = await client.diagnostics(uri, 1);
    const enc004 = p.diagnostics.find(d => d.code === 'ENC-004');
    assert.ok(enc004, JSON.stringify(p.diagnostics));
    assert.deepEqual(await fixAllActions(uri), []);
    const quickFixes = (await client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: enc004.range,
      context: { diagnostics: [enc004], only: ['quickfix'] },
    })) as Action[];
    assert.ok(
      quickFixes.some(a => /default-friendly/.test(a.title)),
      quickFixes.map(a => a.title).join(', '),
    );
  });

  it("follows the document's settings: a rule turned off is not fixed", async () => {
    client.configuration = { rules: { 'GRM-003': 'off' } };
    try {
      const uri = 'file:///work/policies/off/b.bucket-policy.json';
      const text = MIXED.replace('"AES-256"', '"AES256"');
      await client.open(uri, text, 1);
      await client.diagnostics(uri, 1);
      const actions = await fixAllActions(uri);
      const fixed = actions.length ? applyLspEdits(text, actions[0].edit!.changes[uri]) : text;
      assert.match(fixed, /"Effect": "deny"/);
    } finally {
      client.configuration = {};
    }
  });

  it('answers a plain code-action request (no "only") with the quick-fixes and "fix all" side by side', async () => {
    const uri = 'file:///work/policies/plain/b.bucket-policy.json';
    await client.open(uri, MIXED, 1);
    const p = await client.diagnostics(uri, 1);
    const grm003 = p.diagnostics.find(d => d.code === 'GRM-003')!;
    const actions = (await client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: grm003.range,
      context: { diagnostics: [grm003] },
    })) as Action[];
    assert.ok(
      actions.some(a => a.kind === 'quickfix' && a.isPreferred && a.title === 'Change to "Deny"'),
      actions.map(a => a.title).join(', '),
    );
    assert.equal(actions.filter(a => a.kind === 'source.fixAll.s3EncryptionGuard').length, 1);
  });
});
