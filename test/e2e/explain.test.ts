/// <reference types="mocha" />
// "S3 Encryption: Explain Enforcement" in a real VS Code (issue 11, item 4): the command opens a
// rendered, read-only report view beside the policy — a webview, not an "Untitled" Markdown
// document — that closes without asking anything, whose statement links reveal the statement's
// line, and that follows the policy's edits.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from './wait-for';

const EXTENSION_ID = 's3-encryption-guard.s3-encryption-guard';
const VIEW_TYPE = 's3EncryptionGuard.explainReport';
// The workspace's settings make every policy there the policy of "example-bucket": the suite writes
// the orders-data policy for that bucket into the workspace copy, and deletes it afterwards.
const POLICY_FILE = 'explain-example.bucket-policy.json';

const tabs = () => vscode.window.tabGroups.all.flatMap(g => g.tabs);
const reportTab = (label: string) =>
  tabs().find(t => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(VIEW_TYPE) && t.label === label);
const documents = () =>
  vscode.workspace.textDocuments.map(
    d => `${d.uri.toString()}${d.isUntitled ? ' (untitled)' : ''}${d.isDirty ? ' (dirty)' : ''}`,
  );

/** The arguments of the statement links in the view's HTML (command URIs of the reveal command). */
function links(html: string): { label: string; args: unknown[] }[] {
  const out: { label: string; args: unknown[] }[] = [];
  for (const m of html.matchAll(
    /<a class="stmt" href="command:s3EncryptionGuard\.revealPolicyRange\?([^"]*)"[^>]*>([^<]*)<\/a>/g,
  )) {
    out.push({ label: m[2], args: JSON.parse(decodeURIComponent(m[1])) as unknown[] });
  }
  return out;
}

suite('Explain Enforcement view', () => {
  let doc: vscode.TextDocument;
  let file: vscode.Uri;

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const api = (await ext.activate()) as { ready: Promise<void> };
    await api.ready;
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const orders = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, 'orders-data.bucket-policy.json'));
    file = vscode.Uri.joinPath(folder.uri, POLICY_FILE);
    await vscode.workspace.fs.writeFile(
      file,
      new TextEncoder().encode(new TextDecoder().decode(orders).split('orders-data').join('example-bucket')),
    );
    doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.One });
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(file);
  });

  test('opens a rendered, read-only view beside the policy, not a document, and closing it asks nothing', async () => {
    const before = new Set(vscode.workspace.textDocuments.map(d => d.uri.toString()));
    const panel = await vscode.commands.executeCommand<vscode.WebviewPanel>('s3EncryptionGuard.explain', doc.uri);
    assert.ok(panel, 'the command returns its view');
    assert.equal(panel.viewType, VIEW_TYPE);
    assert.equal(panel.title, `Enforcement: ${POLICY_FILE}`);
    // No script runs in it; the one command it may run is the reveal of a statement.
    assert.equal(panel.webview.options.enableScripts, false);
    assert.deepEqual(panel.webview.options.enableCommandUris, ['s3EncryptionGuard.revealPolicyRange']);
    const html = panel.webview.html;
    assert.match(
      html,
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-[A-Za-z0-9+/=]+'; script-src 'none';/,
    );
    assert.ok(!/<script/i.test(html));
    // The summary first, then the matrices, then the details collapsed.
    const summary = html.indexOf('<li>HTTPS is enforced: every request over plain HTTP is denied.</li>');
    assert.ok(summary > 0 && summary < html.indexOf('<table'), 'the summary before the tables');
    assert.match(html, /<details><summary>Every request class: \d+ request classes in \d+ rows<\/summary>/);

    // A view: a webview tab beside the policy; no new document, none untitled or dirty.
    const tab = await waitFor(
      'the report tab',
      () => reportTab(`Enforcement: ${POLICY_FILE}`),
      () => JSON.stringify(tabs().map(t => t.label)),
    );
    assert.notEqual(tab.group.viewColumn, vscode.ViewColumn.One, 'beside the policy');
    const added = vscode.workspace.textDocuments.filter(d => !before.has(d.uri.toString()));
    assert.deepEqual(
      added.map(d => d.uri.toString()),
      [],
      `no document was opened: ${documents().join(', ')}`,
    );
    assert.equal(doc.isDirty, false);

    // Closing it: nothing to save, so no question; the close resolves at once (a question would block it).
    let disposed = false;
    panel.onDidDispose(() => {
      disposed = true;
    });
    assert.equal(await vscode.window.tabGroups.close(tab), true);
    assert.equal(reportTab(`Enforcement: ${POLICY_FILE}`), undefined);
    assert.equal(disposed, true);
  });

  test('a statement link reveals the statement in the policy', async () => {
    const panel = await vscode.commands.executeCommand<vscode.WebviewPanel>('s3EncryptionGuard.explain', doc.uri);
    try {
      const link = links(panel.webview.html).find(l => l.label === 'DenyTlsBelow12');
      assert.ok(link, JSON.stringify(links(panel.webview.html).map(l => l.label)));
      assert.equal(link.args[0], doc.uri.toString());
      await vscode.commands.executeCommand('s3EncryptionGuard.revealPolicyRange', ...link.args);
      const editor = await waitFor(
        'the policy revealed',
        () => {
          const e = vscode.window.activeTextEditor;
          return e?.document.uri.toString() === doc.uri.toString() ? e : undefined;
        },
        () => String(vscode.window.activeTextEditor?.document.uri),
      );
      const line = doc.lineAt(editor.selection.start.line).text;
      assert.match(line, /"Sid": "DenyTlsBelow12"/);
    } finally {
      panel.dispose();
    }
  });

  test("the view follows the policy's edits", async () => {
    const panel = await vscode.commands.executeCommand<vscode.WebviewPanel>('s3EncryptionGuard.explain', doc.uri);
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
    const original = doc.getText();
    try {
      assert.match(panel.webview.html, /<li>TLS 1\.2 or later is required/);
      // Let the TLS statement name a version no client sends: the minimum goes.
      const at = original.indexOf('"1.2"');
      assert.ok(at > 0);
      const ok = await editor.edit(b => b.replace(new vscode.Range(doc.positionAt(at), doc.positionAt(at + 5)), '"1.0"'));
      assert.ok(ok);
      await waitFor(
        'the report of the edited policy',
        () => (panel.webview.html.includes('<li>No minimum TLS version is enforced') ? true : undefined),
        () => /<ul class="summary">.*?<\/ul>/s.exec(panel.webview.html)?.[0] ?? '',
      );
    } finally {
      panel.dispose();
      await editor.edit(b => b.replace(new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), original));
      await doc.save();
    }
  });
});
