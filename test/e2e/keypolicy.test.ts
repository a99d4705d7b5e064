/// <reference types="mocha" />
// Key policies in a real VS Code: the KMS rules' diagnostics, the key-policy verdict in a CodeLens,
// and the cross-document link from a bucket policy's pinned key to the key policy in the workspace
// (test/fixtures/e2e-workspace/orders-data.bucket-policy.json and keys/orders-data.<key-id>.key-policy.json).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from './wait-for';

const EXTENSION_ID = 's3-encryption-guard.s3-encryption-guard';
const SOURCE = 's3-encryption-guard';
const KEY_FILE = 'keys/orders-data.5f2c7a1e-8d3b-4c6a-9e0f-2b7d4a6c8e10.key-policy.json';

const code = (d: vscode.Diagnostic) => String(typeof d.code === 'object' ? d.code.value : d.code);

/** What the editor shows for a document: our diagnostics, for a timeout's message. */
const shown = (uri: vscode.Uri) => () =>
  JSON.stringify(
    vscode.languages
      .getDiagnostics(uri)
      .filter(d => d.source === SOURCE)
      .map(d => `${code(d)} ${d.message}`),
  );

suite('key policies', () => {
  let root: vscode.Uri;
  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'extension installed');
    const api = (await ext.activate()) as { ready: Promise<void> };
    await api.ready;
    root = vscode.workspace.workspaceFolders![0].uri;
  });

  test('an untitled key policy that locks everyone out gets KMS-001 with the fix, and a verdict CodeLens', async () => {
    const doc = await vscode.workspace.openTextDocument({
      language: 'json',
      content: JSON.stringify(
        {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'Use',
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::111122223333:role/App' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:CreateGrant'],
              Resource: '*',
              Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
            },
          ],
        },
        null,
        2,
      ),
    });
    await vscode.window.showTextDocument(doc);
    const kms001 = await waitFor(
      'KMS-001',
      () => vscode.languages.getDiagnostics(doc.uri).find(d => d.source === SOURCE && code(d) === 'KMS-001'),
      shown(doc.uri),
    );
    assert.equal(kms001.severity, vscode.DiagnosticSeverity.Error);
    const lenses = await waitFor(
      'a key verdict CodeLens',
      async () => {
        const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
        return l?.find(x => x.command?.title.startsWith('Admins:'));
      },
      shown(doc.uri),
    );
    assert.equal(
      lenses.command!.title,
      'Admins: none (lock-out) · Not open to other accounts · S3 can use it (s3.us-east-1.amazonaws.com)',
    );

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      kms001.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find(a => a.title.startsWith('Add the account root statement'));
    assert.ok(fix?.edit, `the root-statement fix among ${actions.map(a => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    await waitFor(
      'KMS-001 to go away',
      () => (vscode.languages.getDiagnostics(doc.uri).some(d => code(d) === 'KMS-001') ? undefined : true),
      shown(doc.uri),
    );
    const after = await waitFor(
      'the new verdict',
      async () => {
        const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
        return l?.find(x => x.command?.title.startsWith('Admins: account 111122223333'));
      },
      shown(doc.uri),
    );
    assert.match(after.command!.title, /^Admins: account 111122223333 · Not open to other accounts · S3 can use it/);
  });

  test('a bucket policy pinning a key links to its key policy in the workspace and reports the writer left out', async () => {
    // The workspace names "example-bucket" for its other fixture (.vscode/settings.json); this policy is orders-data's.
    const config = vscode.workspace.getConfiguration('s3EncryptionGuard');
    await config.update('bucketName', 'orders-data', vscode.ConfigurationTarget.Workspace);
    try {
      await linkedPair();
    } finally {
      await config.update('bucketName', 'example-bucket', vscode.ConfigurationTarget.Workspace);
    }
  });

  async function linkedPair(): Promise<void> {
    const bucketUri = vscode.Uri.joinPath(root, 'orders-data.bucket-policy.json');
    const doc = await vscode.workspace.openTextDocument(bucketUri);
    await vscode.window.showTextDocument(doc);
    const cross = await waitFor(
      'the cross-document KMS-005',
      () => vscode.languages.getDiagnostics(bucketUri).find(d => d.source === SOURCE && code(d) === 'KMS-005'),
      shown(bucketUri),
    );
    assert.equal(
      cross.message,
      'Uploads by arn:aws:iam::444455556666:role/orders-writer fail: the key policy does not allow kms:GenerateDataKey through S3.',
    );
    // The rest of the explanation is the diagnostic's related information, under it in the Problems panel.
    assert.match(
      cross.relatedInformation?.[0]?.message ?? '',
      /^Uploads by arn:aws:iam::444455556666:role\/orders-writer \(the bucket policy allows them in statement "AllowPartnerUploads"\) get AccessDenied: the key policy keys\/orders-data\.5f2c7a1e-8d3b-4c6a-9e0f-2b7d4a6c8e10\.key-policy\.json/,
    );
    assert.equal(doc.getText(cross.range), '"arn:aws:kms:us-east-1:111122223333:key/5f2c7a1e-8d3b-4c6a-9e0f-2b7d4a6c8e10"');
    const link = await waitFor(
      'the key-policy link CodeLens',
      async () => {
        const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', bucketUri);
        return l?.find(x => x.command?.title.startsWith('Key policy:'));
      },
      shown(bucketUri),
    );
    assert.equal(
      link.command!.title,
      'Key policy: orders-data.5f2c7a1e-8d3b-4c6a-9e0f-2b7d4a6c8e10.key-policy.json · writers ✗ 1 of 2 · readers ✓',
    );
    // Clicking the lens opens the key policy.
    await vscode.commands.executeCommand(link.command!.command, ...(link.command!.arguments ?? []));
    await waitFor(
      'the key policy in the active editor',
      () => (vscode.window.activeTextEditor?.document.uri.path.endsWith(KEY_FILE) ? true : undefined),
      () => String(vscode.window.activeTextEditor?.document.uri),
    );
  }
});
