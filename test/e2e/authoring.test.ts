/// <reference types="mocha" />
// Writing policies in a real VS Code: a contributed snippet typed into its tab stops, a quick-fix
// and "Explain <ID>", fix-all, and the "New Bucket Policy…" command (driven with an answers
// object instead of the questions, plus Esc on the first question). Each result is judged by the
// language server itself: its diagnostics and the verdict in its CodeLens.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { generateBucketPolicy, generateKeyPolicy, type BucketPolicyOptions } from '../../core/authoring/generate';
import { waitFor } from './wait-for';

const EXTENSION_ID = 's3-encryption-guard.s3-encryption-guard';
const SOURCE = 's3-encryption-guard';
const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const ruleId = (d: vscode.Diagnostic) => String(typeof d.code === 'object' ? d.code.value : d.code);
const ours = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter(d => d.source === SOURCE);
const listed = (ds: vscode.Diagnostic[]) =>
  JSON.stringify(ds.map(d => `${ruleId(d)} ${vscode.DiagnosticSeverity[d.severity]} ${d.message}`));
const errorsOf = (uri: vscode.Uri) => ours(uri).filter(d => d.severity === vscode.DiagnosticSeverity.Error);

/** The verdict line the server puts above a policy: proof that it analysed this version of the document. */
async function verdictLens(doc: vscode.TextDocument, expected: RegExp): Promise<string> {
  let seen: string[] = [];
  return waitFor(
    `the verdict CodeLens of ${doc.uri.toString()} matching ${expected}`,
    async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      seen = lenses.filter(l => l.command?.command === 's3EncryptionGuard.explain').map(l => l.command!.title);
      return seen.find(t => expected.test(t));
    },
    () => JSON.stringify(seen),
  );
}

/** No error from us on `uri`, watched for a while after the server has certainly analysed the document. */
async function staysFreeOfErrors(uri: vscode.Uri, ms = 1500): Promise<void> {
  const end = Date.now() + ms;
  do {
    assert.deepEqual(errorsOf(uri).map(ruleId), [], listed(ours(uri)));
    await new Promise(resolve => setTimeout(resolve, 100));
  } while (Date.now() < end);
}

async function untitled(content: string): Promise<{ doc: vscode.TextDocument; editor: vscode.TextEditor }> {
  const doc = await vscode.workspace.openTextDocument({ language: 'json', content });
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  return { doc, editor };
}

suite('authoring in the editor', () => {
  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
    const api = (await ext.activate()) as { ready?: Promise<void> } | undefined;
    await api?.ready;
  });

  // Untitled documents are dirty: revert them while closing (closeAllEditors would ask whether to save),
  // so each test starts without editors and the server has seen every document closed.
  teardown(async () => {
    for (let i = 0; i < 20 && vscode.window.tabGroups.all.some(g => g.tabs.length > 0); i++) {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  test('the bucket-policy snippet, with a bucket name typed into its first tab stop, checks clean and enforces HTTPS, TLS 1.2 and SSE-KMS', async () => {
    const { doc, editor } = await untitled('');
    await vscode.commands.executeCommand('editor.action.insertSnippet', {
      langId: 'json',
      name: 'S3 bucket policy: HTTPS, TLS 1.2 and SSE-KMS with a pinned key',
    });
    await waitFor(
      'the snippet to be inserted',
      () => (doc.getText().includes('"Statement"') ? true : undefined),
      () => doc.getText(),
    );
    // The first tab stop is selected: typing replaces the bucket name in every Resource at once.
    assert.equal(editor.document.getText(editor.selection), 'bucket-name');
    await vscode.commands.executeCommand('type', { text: 'payments-data' });
    const text = doc.getText();
    assert.equal(text.match(/arn:aws:s3:::payments-data\b/g)?.length, 7, text);
    assert.doesNotMatch(text, /bucket-name|\$\{/);
    const policy = JSON.parse(text) as { Statement: { Sid: string }[] };
    assert.deepEqual(
      policy.Statement.map(s => s.Sid),
      [
        'DenyInsecureTransport',
        'DenyOutdatedTls',
        'DenyUploadsNamingAnotherEncryption',
        'DenyUploadsNamingAnotherKey',
        'DenyCustomerProvidedKeys',
      ],
    );

    const lens = await verdictLens(doc, /^HTTPS: enforced/);
    assert.match(lens, /SSE: .*aws:kms/);
    assert.match(lens, /TLS ≥ 1\.2: enforced/);
    await staysFreeOfErrors(doc.uri);
    assert.deepEqual(ours(doc.uri).map(ruleId), [], `a clean policy: ${listed(ours(doc.uri))}`);
  });

  test('the ENC-001 quick-fix turns "AES-256" into "AES256", and "Explain ENC-001" opens the rule page in the Markdown preview', async () => {
    const { doc } = await untitled(
      JSON.stringify(
        {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'DenyInsecureTransport',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: ['arn:aws:s3:::reports-data', 'arn:aws:s3:::reports-data/*'],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
            {
              Sid: 'DenyOtherEncryption',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:PutObject',
              Resource: 'arn:aws:s3:::reports-data/*',
              Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES-256' } },
            },
          ],
        },
        null,
        2,
      ),
    );
    const typo = await waitFor(
      'ENC-001 on "AES-256"',
      () => ours(doc.uri).find(d => ruleId(d) === 'ENC-001'),
      () => listed(ours(doc.uri)),
    );
    assert.equal(doc.getText(typo.range), '"AES-256"');
    // The rule ID in the Problems panel links to its page.
    const target = typeof typo.code === 'object' ? typo.code.target : undefined;
    assert.match(String(target), /docs\/rules\/ENC-001\.md$/);

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      typo.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find(a => a.isPreferred && a.edit?.get(doc.uri).some(e => e.range.isEqual(typo.range)));
    assert.ok(fix, JSON.stringify(actions.map(a => a.title)));
    assert.equal(await vscode.workspace.applyEdit(fix.edit!), true);
    assert.match(doc.getText(), /"s3:x-amz-server-side-encryption": "AES256"/);
    await waitFor(
      'ENC-001 to go',
      () => (ours(doc.uri).some(d => ruleId(d) === 'ENC-001') ? undefined : true),
      () => listed(ours(doc.uri)),
    );
    await staysFreeOfErrors(doc.uri);

    const explain = actions.find(a => a.title === 'Explain ENC-001');
    assert.ok(explain?.command, JSON.stringify(actions.map(a => a.title)));
    const page = await vscode.commands.executeCommand<vscode.Uri | undefined>(
      explain.command.command,
      ...(explain.command.arguments ?? []),
    );
    assert.match(String(page?.path), /\/docs\/rules\/ENC-001\.md$/);
    const previewTab = () =>
      vscode.window.tabGroups.all
        .flatMap(g => g.tabs)
        .find(t => t.input instanceof vscode.TabInputWebview && /ENC-001/.test(t.label));
    await waitFor('a Markdown preview tab of ENC-001.md', previewTab, () =>
      JSON.stringify(vscode.window.tabGroups.all.flatMap(g => g.tabs).map(t => t.label)),
    );
  });

  test('fix-all (source.fixAll.s3EncryptionGuard) repairs every safe problem at once and leaves no error', async () => {
    const text = [
      '{',
      '  "Version": "2012-10-17",',
      '  "Statement": [',
      '    { "Sid": "DenyInsecureTransport", "Effect": "deny", "Principal": "*", "Action": "s3:*",',
      '      "Resource": ["arn:aws:s3:::fixall-data", "arn:aws:s3:::fixall-data/*"], "Condition": { "Bool": { "aws:SecureTransport": "false" } } },',
      '    { "Sid": "DenyOtherEncryption", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::fixall-data/*",',
      '      "Condition": { "StringNotEquals": { "s3:x-amz-server-side-encryption": "AES-256" } } },',
      '    { "Sid": "Read", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:role/app" }, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::fixall-data\u200b/*" }',
      '  ]',
      '}',
    ].join('\n');
    const { doc } = await untitled(text);
    const before = await waitFor(
      'GRM-003, ENC-001 and GRM-016',
      () => {
        const ids = new Set(ours(doc.uri).map(ruleId));
        return ['GRM-003', 'ENC-001', 'GRM-016'].every(id => ids.has(id)) ? ours(doc.uri) : undefined;
      },
      () => listed(ours(doc.uri)),
    );
    assert.ok(
      before.some(d => d.severity === vscode.DiagnosticSeverity.Error),
      listed(before),
    );

    const all = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      new vscode.Range(0, 0, 0, 0),
      'source.fixAll.s3EncryptionGuard',
    );
    const fixAll = all.filter(a => a.kind?.value === 'source.fixAll.s3EncryptionGuard');
    assert.equal(fixAll.length, 1, JSON.stringify(all.map(a => `${a.kind?.value} ${a.title}`)));
    assert.equal(await vscode.workspace.applyEdit(fixAll[0].edit!), true);
    const fixed = doc.getText();
    JSON.parse(fixed);
    assert.match(fixed, /"Effect": "Deny", "Principal": "\*", "Action": "s3:\*"/);
    assert.match(fixed, /"AES256"/);
    assert.doesNotMatch(fixed, /\u200b/);
    await waitFor(
      'GRM-003, ENC-001 and GRM-016 to go',
      () => {
        const ids = new Set(ours(doc.uri).map(ruleId));
        return ['GRM-003', 'ENC-001', 'GRM-016'].some(id => ids.has(id)) ? undefined : true;
      },
      () => listed(ours(doc.uri)),
    );
    await verdictLens(doc, /^HTTPS: enforced/);
    await staysFreeOfErrors(doc.uri);
  });

  test('"New Bucket Policy…" with answers opens an untitled JSON document with the generated policy, which the server checks clean', async () => {
    const answers: BucketPolicyOptions = {
      bucket: 'payments-data',
      sse: 'aws:kms',
      kmsKeyArn: KEY_ARN,
      minTls: '1.2',
      banSseC: true,
      headerlessUploads: 'allow',
      readWriteRoles: ['arn:aws:iam::111122223333:role/payments-app'],
    };
    const doc = await vscode.commands.executeCommand<vscode.TextDocument | undefined>(
      's3EncryptionGuard.newBucketPolicy',
      answers,
    );
    assert.ok(doc, 'the command returns the new document');
    assert.equal(doc.isUntitled, true);
    assert.equal(doc.languageId, 'json');
    assert.equal(doc.getText(), generateBucketPolicy(answers));
    assert.equal(vscode.window.activeTextEditor?.document, doc, 'it is shown');
    const lens = await verdictLens(doc, /^HTTPS: enforced/);
    assert.match(lens, /TLS ≥ 1\.2: enforced/);
    await staysFreeOfErrors(doc.uri);
  });

  test('"New KMS Key Policy…" with answers opens the generated key policy, recognised as one by its content, without errors', async () => {
    const answers = {
      account: '111122223333',
      region: 'eu-west-1',
      administrators: ['role/KeyAdmin'],
      users: ['role/payments-app'],
      bucket: 'payments-data',
    };
    const doc = await vscode.commands.executeCommand<vscode.TextDocument | undefined>('s3EncryptionGuard.newKeyPolicy', answers);
    assert.ok(doc, 'the command returns the new document');
    assert.equal(doc.isUntitled, true);
    assert.equal(doc.getText(), generateKeyPolicy(answers));
    const hover = await waitFor(
      'the kind hover on "Statement"',
      async () => {
        const at = doc.positionAt(doc.getText().indexOf('"Statement"') + 2);
        const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, at);
        const text = hovers
          .flatMap(h => h.contents)
          .map(c => (typeof c === 'string' ? c : c.value))
          .join('\n');
        return /S3 Encryption Guard/.test(text) ? text : undefined;
      },
      () => 'no hover yet',
    );
    assert.match(hover, /as a KMS key policy/);
    await staysFreeOfErrors(doc.uri);
  });

  test('"New Bucket Policy…" refuses bad answers and Esc on the first question cancels, without opening anything', async () => {
    const count = () => vscode.workspace.textDocuments.filter(d => d.isUntitled).length;
    const before = count();
    assert.equal(
      await vscode.commands.executeCommand('s3EncryptionGuard.newBucketPolicy', { bucket: 'Not_A_Bucket' }),
      undefined,
    );
    assert.equal(
      await vscode.commands.executeCommand('s3EncryptionGuard.newBucketPolicy', {
        bucket: 'payments-data',
        sse: 'AES256',
        kmsKeyArn: KEY_ARN,
      }),
      undefined,
    );

    const asked = vscode.commands.executeCommand<vscode.TextDocument | undefined>('s3EncryptionGuard.newBucketPolicy');
    // The first question is an input box; give it time to show, then press Esc.
    await new Promise(resolve => setTimeout(resolve, 1000));
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(await asked, undefined);
    assert.equal(count(), before);
  });
});
