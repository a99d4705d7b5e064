// Rule pages from the editor: every diagnostic of a rule links to docs/rules/<ID>.md of the installed
// extension (codeDescription.href, a file: URI next to the bundle), and each rule on the diagnostics
// at hand gets one "Explain <ID>" code action that runs the client command opening that page.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ROOT } from '../helpers/paths';
import { LspClient, type PublishedDiagnostics } from './lsp-client';

type Diagnostic = PublishedDiagnostics['diagnostics'][number] & { codeDescription?: { href: string } };
interface CodeAction {
  title: string;
  kind?: string;
  isPreferred?: boolean;
  edit?: unknown;
  command?: { title: string; command: string; arguments?: unknown[] };
}

// Two GRM-003 problems ("deny", "allow") and a GRM-009 one (s3:GetObject on the bucket ARN).
const BAD = `{
  "Version": "2012-10-17",
  "Statement": [
    { "Sid": "DenyHttp", "Effect": "deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
      "Condition": { "Bool": { "aws:SecureTransport": "false" } } },
    { "Sid": "Read", "Effect": "allow", "Principal": { "AWS": "arn:aws:iam::111122223333:role/app" }, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b" }
  ]
}`;

const docPage = (id: string) => path.join(ROOT, 'docs', 'rules', `${id}.md`);

describe('rule documentation links and "Explain <ID>"', () => {
  let client: LspClient;
  before(async () => {
    client = new LspClient();
    await client.initialize();
  });
  after(() => client.kill());

  async function diagnosticsOf(uri: string, text: string): Promise<Diagnostic[]> {
    await client.open(uri, text, 1);
    return (await client.diagnostics(uri, 1)).diagnostics as Diagnostic[];
  }

  const codeActions = (uri: string, diagnostics: Diagnostic[], only?: string[]) =>
    client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: diagnostics[0].range,
      context: { diagnostics, ...(only ? { only } : {}) },
    }) as Promise<CodeAction[]>;

  it("each diagnostic links to its rule's page, a file that exists and documents that rule", async () => {
    const ds = await diagnosticsOf('file:///work/docs-a/b.bucket-policy.json', BAD);
    assert.deepEqual(
      ds
        .map(d => d.code)
        .filter(c => c.startsWith('GRM-'))
        .sort(),
      ['GRM-003', 'GRM-003', 'GRM-009'],
    );
    for (const d of ds) {
      assert.equal(d.codeDescription?.href, pathToFileURL(docPage(d.code)).toString(), JSON.stringify(d));
      const page = fs.readFileSync(fileURLToPath(d.codeDescription!.href), 'utf8');
      assert.match(page, new RegExp(`^# ${d.code}: `, 'm'));
    }
  });

  it('a note that is not a rule (the analysis limit) has no link', async () => {
    client.configuration = { maxDiagnostics: 1 };
    try {
      const ds = await diagnosticsOf('file:///work/docs-limit/b.bucket-policy.json', BAD);
      const limit = ds.find(d => d.code === 'analysis-limit');
      assert.ok(limit, JSON.stringify(ds));
      assert.equal(limit.codeDescription, undefined);
      assert.ok(ds.find(d => d.code !== 'analysis-limit')?.codeDescription?.href);
    } finally {
      client.configuration = {};
    }
  });

  it('offers "Explain <ID>" once per rule, after the fixes, running the command that opens the page', async () => {
    const uri = 'file:///work/docs-b/b.bucket-policy.json';
    const ds = await diagnosticsOf(uri, BAD);
    const actions = await codeActions(uri, ds);
    const explain = actions.filter(a => a.title.startsWith('Explain '));
    // One per rule, in the order of the diagnostics (GRM-003 twice, GRM-009, and whatever else the policy gets).
    assert.deepEqual(
      explain.map(a => a.title),
      [...new Set(ds.map(d => d.code))].map(id => `Explain ${id}`),
    );
    assert.ok(
      explain.some(a => a.title === 'Explain GRM-009') && explain.filter(a => a.title === 'Explain GRM-003').length === 1,
    );
    for (const a of explain) {
      const id = a.title.slice('Explain '.length);
      assert.equal(a.kind, 'quickfix');
      assert.equal(a.edit, undefined, 'it changes nothing in the document');
      assert.ok(!a.isPreferred, 'never the preferred fix');
      assert.deepEqual(a.command, { title: a.title, command: 's3EncryptionGuard.showRuleDocumentation', arguments: [id] });
      assert.ok(fs.existsSync(docPage(id)));
    }
    // Among the quick-fixes the repairs come first: the lightbulb's first entries fix, the last ones explain.
    const quickFixes = actions.filter(a => a.kind === 'quickfix');
    const firstExplain = quickFixes.findIndex(a => a.title.startsWith('Explain '));
    const titles = quickFixes.map(a => a.title).join(' | ');
    assert.ok(firstExplain > 0 && quickFixes.slice(0, firstExplain).every(a => a.edit), titles);
    assert.ok(
      quickFixes.slice(firstExplain).every(a => a.title.startsWith('Explain ')),
      titles,
    );
  });

  it("is a quick-fix kind: asked for with only=quickfix, absent from fix-all, absent for other tools' diagnostics", async () => {
    const uri = 'file:///work/docs-c/b.bucket-policy.json';
    const ds = await diagnosticsOf(uri, BAD);
    const grm009 = ds.filter(d => d.code === 'GRM-009');
    assert.deepEqual(
      (await codeActions(uri, grm009, ['quickfix'])).filter(a => a.command).map(a => a.title),
      ['Explain GRM-009'],
    );
    assert.deepEqual(
      (await codeActions(uri, ds, ['source.fixAll'])).filter(a => a.title.startsWith('Explain ')),
      [],
    );
    const foreign = grm009.map(d => ({ ...d, source: 'some-other-linter' }));
    assert.deepEqual(
      (await codeActions(uri, foreign)).filter(a => a.title.startsWith('Explain ')),
      [],
    );
  });
});
