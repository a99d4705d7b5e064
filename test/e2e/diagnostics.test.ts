/// <reference types="mocha" />
// The extension in a real VS Code: the client starts the language server, the server
// analyses policy documents as they are opened and edited, and the diagnostics reach the
// editor with the contract of docs/ARCHITECTURE ("Interfaces"): code = rule ID,
// source = 's3-encryption-guard', range = the JSON token at fault (strings with their quotes).
// Fixtures: test/fixtures/e2e-workspace/ (the runner opens a temporary copy of it).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from './wait-for';

const EXTENSION_ID = 's3-encryption-guard.s3-encryption-guard';
const SOURCE = 's3-encryption-guard';
const POLICY_FILE = 'bad.bucket-policy.json';
const NON_POLICY_FILE = 'not-a-policy.json';

function ruleId(d: vscode.Diagnostic): string {
  const code = typeof d.code === 'object' ? d.code.value : d.code;
  return String(code);
}

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter(d => d.source === SOURCE);
}

const fmtRange = (r: vscode.Range) => `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
/** "GRM-003 19:16-19:22": what the assertions compare (0-based line:character, as in LSP). */
const brief = (d: vscode.Diagnostic) => `${ruleId(d)} ${fmtRange(d.range)}`;
const listed = (ds: vscode.Diagnostic[]) =>
  JSON.stringify(ds.map(d => `${brief(d)} ${vscode.DiagnosticSeverity[d.severity]} ${d.message}`));

/** Range of the JSON string token `"literal"` (quotes included): its first occurrence after `anchor`. */
function stringToken(doc: vscode.TextDocument, literal: string, anchor: string): vscode.Range {
  const text = doc.getText();
  const from = text.indexOf(anchor);
  assert.ok(from >= 0, `fixture ${doc.uri.path}: ${anchor} not found`);
  const token = JSON.stringify(literal);
  const start = text.indexOf(token, from + anchor.length);
  assert.ok(start >= 0, `fixture ${doc.uri.path}: ${token} not found after ${anchor}`);
  return new vscode.Range(doc.positionAt(start), doc.positionAt(start + token.length));
}

suite('diagnostics in the editor', () => {
  let policyDoc: vscode.TextDocument;
  let nonPolicyDoc: vscode.TextDocument;
  let effectRange: vscode.Range; // "deny" in statement DenyBucketDeletion
  let resourceRange: vscode.Range; // the bare bucket ARN in statement AllowReaderRole

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded (publisher/name in package.json?)`);
    const api: unknown = await ext.activate();
    assert.ok(ext.isActive, 'extension did not activate');
    // The client's API (client/extension.ts) resolves `ready` once the server answered
    // `initialize`; a server that cannot start fails here with its reason, not after a 30 s wait.
    const { ready, activationMs } = (api ?? {}) as { ready?: Promise<void>; activationMs?: () => number | undefined };
    assert.ok(ready && activationMs, 'the extension exports { ready, activationMs }');
    await ready;
    const ms = activationMs();
    assert.ok(typeof ms === 'number' && ms >= 0, `activation time is measured (${ms})`);
    // Read by the benchmark notes: activate() → language server answered initialize.
    console.log(`[e2e] activation: ${ms} ms from activate() to language server ready`);

    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the runner must open test/fixtures/e2e-workspace (a copy) as the workspace folder');
    // The non-policy file is opened first, so by the time the policy file has its diagnostics
    // the server has certainly seen (and had its chance to judge) this one too.
    nonPolicyDoc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, NON_POLICY_FILE));
    await vscode.window.showTextDocument(nonPolicyDoc, { preview: false });
    policyDoc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, POLICY_FILE));
    await vscode.window.showTextDocument(policyDoc, { preview: false });

    effectRange = stringToken(policyDoc, 'deny', '"DenyBucketDeletion"');
    resourceRange = stringToken(policyDoc, 'arn:aws:s3:::example-bucket', '"AllowReaderRole"');
  });

  test('a bad bucket policy gets exactly GRM-003 and GRM-009, on the offending string tokens', async () => {
    const uri = policyDoc.uri;
    const diagnostics = await waitFor(
      `${SOURCE} diagnostics on ${POLICY_FILE}`,
      () => {
        const ds = ours(uri);
        return ds.length >= 2 ? ds : undefined;
      },
      () => listed(ours(uri)),
    );

    assert.deepEqual(
      diagnostics.map(brief).sort(),
      [
        `GRM-003 ${fmtRange(effectRange)}`, // "Effect": "deny" (the value is case-sensitive)
        `GRM-009 ${fmtRange(resourceRange)}`, // s3:GetObject on the bucket ARN instead of bucket/*
      ].sort(),
      `got ${listed(diagnostics)}`,
    );

    const effect = diagnostics.find(d => ruleId(d) === 'GRM-003')!;
    assert.equal(effect.severity, vscode.DiagnosticSeverity.Error, `GRM-003 severity: ${listed([effect])}`);
    assert.ok(effect.message.trim().length > 0, 'GRM-003 has a message');
  });

  test('a JSON file that is not a policy gets no diagnostics', async () => {
    // Runs after the policy file got its diagnostics: the server had time to analyse this
    // file, which was opened before it. Watch it for one more second to catch a late publish.
    const end = Date.now() + 1000;
    do {
      assert.deepEqual(ours(nonPolicyDoc.uri).map(brief), [], `${NON_POLICY_FILE}: ${listed(ours(nonPolicyDoc.uri))}`);
      await new Promise(resolve => setTimeout(resolve, 100));
    } while (Date.now() < end);
  });

  test('the quick-fix VS Code offers for GRM-009 appends /* to the bucket ARN', async () => {
    const uri = policyDoc.uri;
    await waitFor(
      'GRM-009',
      () => ours(uri).find(d => ruleId(d) === 'GRM-009'),
      () => listed(ours(uri)),
    );
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      resourceRange,
      vscode.CodeActionKind.QuickFix.value,
    );
    // The API command does not hand back each action's diagnostics: find ours by its edit.
    const preferred = actions.filter(
      a => a.isPreferred && a.edit?.get(uri).some(e => fmtRange(e.range) === fmtRange(resourceRange)),
    );
    assert.equal(
      preferred.length,
      1,
      `one preferred quick-fix on the ARN among: ${JSON.stringify(actions.map(a => ({ title: a.title, isPreferred: a.isPreferred })))}`,
    );
    const edits = preferred[0].edit!.get(uri);
    assert.equal(edits.length, 1);
    assert.equal(edits[0].newText, '"arn:aws:s3:::example-bucket/*"');
    assert.match(preferred[0].title, /arn:aws:s3:::example-bucket\/\*/);
  });

  test('fixing "Effect" in the editor removes GRM-003 and keeps GRM-009', async () => {
    const uri = policyDoc.uri;
    assert.ok(
      ours(uri).some(d => ruleId(d) === 'GRM-003'),
      `precondition: GRM-003 present, got ${listed(ours(uri))}`,
    );

    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, effectRange, '"Deny"');
    assert.equal(await vscode.workspace.applyEdit(edit), true, 'the WorkspaceEdit was not applied');
    assert.equal(policyDoc.getText(effectRange), '"Deny"');

    const after = await waitFor(
      'GRM-003 to disappear after the fix',
      () => {
        const ds = ours(uri);
        return ds.length > 0 && !ds.some(d => ruleId(d) === 'GRM-003') ? ds : undefined;
      },
      () => listed(ours(uri)),
    );
    // Same length replacement: the other diagnostic keeps its range.
    assert.deepEqual(after.map(brief), [`GRM-009 ${fmtRange(resourceRange)}`], `got ${listed(after)}`);
  });

  test('the verdict shows as a CodeLens and "Explain Enforcement" opens the report view', async () => {
    const uri = policyDoc.uri;
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const ours = lenses.filter(l => l.command?.command === 's3EncryptionGuard.explain');
    assert.equal(ours.length, 1, JSON.stringify(lenses.map(l => l.command?.title)));
    assert.match(ours[0].command!.title, /^HTTPS: enforced · SSE: not enforced$/);
    assert.equal(ours[0].range.start.line, 0);
    // The lens runs the command with the policy and its bucket; explain.test.ts checks the view in depth.
    const panel = await vscode.commands.executeCommand<vscode.WebviewPanel>(
      ours[0].command!.command,
      ...(ours[0].command!.arguments ?? []),
    );
    assert.ok(panel, 'the command returns its view');
    try {
      assert.equal(panel.title, 'Enforcement: bad.bucket-policy.json');
      assert.match(panel.webview.html, /<h2>Bucket example-bucket<\/h2>/);
      assert.match(panel.webview.html, /<li>HTTPS is enforced: every request over plain HTTP is denied\.<\/li>/);
    } finally {
      panel.dispose();
    }
  });
});
