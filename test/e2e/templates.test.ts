/// <reference types="mocha" />
// Infrastructure templates in a real VS Code: a CloudFormation YAML template opened in the editor
// gets our diagnostics at the offending YAML scalar (not at 1:1), a quick fix written in YAML that
// the editor applies and the server then finds clean, and the verdict CodeLens above its policy.
// Fixtures: test/fixtures/e2e-workspace/infra/ (the runner opens a temporary copy).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from './wait-for';

const EXTENSION_ID = 's3-encryption-guard.s3-encryption-guard';
const SOURCE = 's3-encryption-guard';

const ruleId = (d: vscode.Diagnostic): string => String(typeof d.code === 'object' ? d.code.value : d.code);
const ours = (uri: vscode.Uri): vscode.Diagnostic[] => vscode.languages.getDiagnostics(uri).filter(d => d.source === SOURCE);
const fmtRange = (r: vscode.Range) => `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
const listed = (ds: vscode.Diagnostic[]) => JSON.stringify(ds.map(d => `${ruleId(d)} ${fmtRange(d.range)} ${d.message}`));

/** The range of the first `needle` after `anchor`. */
function rangeOf(doc: vscode.TextDocument, needle: string, anchor: string): vscode.Range {
  const text = doc.getText();
  const from = text.indexOf(anchor);
  assert.ok(from >= 0, `fixture ${doc.uri.path}: ${anchor} not found`);
  const start = text.indexOf(needle, from);
  assert.ok(start >= 0, `fixture ${doc.uri.path}: ${needle} not found after ${anchor}`);
  return new vscode.Range(doc.positionAt(start), doc.positionAt(start + needle.length));
}

async function open(relative: string): Promise<vscode.TextDocument> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  const api = (await ext.activate()) as { ready: Promise<void> };
  await api.ready;
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the runner opens a copy of test/fixtures/e2e-workspace');
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, relative));
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

suite('infrastructure templates in the editor', () => {
  test('CloudFormation YAML: the diagnostic is on the YAML scalar, its YAML quick fix applies, and the template is then clean', async () => {
    const doc = await open('infra/stack.yaml');
    assert.equal(doc.languageId, 'yaml');
    const effect = rangeOf(doc, 'deny', 'Effect:');
    const found = await waitFor(
      'GRM-003 on infra/stack.yaml',
      () => ours(doc.uri).find(d => ruleId(d) === 'GRM-003'),
      () => listed(ours(doc.uri)),
    );
    assert.equal(fmtRange(found.range), fmtRange(effect), listed(ours(doc.uri)));
    for (const d of ours(doc.uri)) assert.notEqual(fmtRange(d.range), '0:0-0:0', `${ruleId(d)} is not pinned at 1:1`);

    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const verdicts = lenses.filter(l => l.command?.command === 's3EncryptionGuard.explain');
    assert.equal(verdicts.length, 1, JSON.stringify(lenses.map(l => l.command?.title)));
    assert.equal(verdicts[0].range.start.line, rangeOf(doc, 'Version', 'PolicyDocument:').start.line);
    assert.deepEqual(verdicts[0].command!.arguments?.slice(1), [
      'e2e-data-bucket',
      'Resources.DataBucketPolicy.Properties.PolicyDocument',
    ]);

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      effect,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find(a => a.isPreferred && a.edit);
    assert.ok(fix, JSON.stringify(actions.map(a => a.title)));
    assert.equal(await vscode.workspace.applyEdit(fix.edit!), true);
    assert.equal(doc.getText(new vscode.Range(effect.start, effect.start.translate(0, 4))), 'Deny');
    const after = await waitFor(
      'GRM-003 to disappear after the quick fix',
      () => (ours(doc.uri).some(d => ruleId(d) === 'GRM-003') ? undefined : ours(doc.uri)),
      () => listed(ours(doc.uri)),
    );
    assert.deepEqual(after.filter(d => d.severity === vscode.DiagnosticSeverity.Error).map(ruleId), []);
    const fixedLenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    assert.ok(
      fixedLenses.some(l => /^HTTPS: enforced/.test(l.command?.title ?? '')),
      JSON.stringify(fixedLenses.map(l => l.command?.title)),
    );
  });

  test('Terraform: a .tf file is the terraform language, its diagnostic is on the HCL expression, and its HCL quick fix applies', async () => {
    const doc = await open('infra/main.tf');
    // Our contribution of the language (package.json): no HashiCorp extension is installed here.
    assert.equal(doc.languageId, 'terraform');
    const effect = rangeOf(doc, '"deny"', 'Effect');
    const found = await waitFor(
      'GRM-003 on infra/main.tf',
      () => ours(doc.uri).find(d => ruleId(d) === 'GRM-003'),
      () => listed(ours(doc.uri)),
    );
    assert.equal(fmtRange(found.range), fmtRange(effect), listed(ours(doc.uri)));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      effect,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find(a => a.isPreferred && a.edit);
    assert.ok(fix, JSON.stringify(actions.map(a => a.title)));
    assert.equal(await vscode.workspace.applyEdit(fix.edit!), true);
    assert.equal(doc.getText(new vscode.Range(effect.start, effect.start.translate(0, 6))), '"Deny"');
    await waitFor(
      'GRM-003 to disappear after the quick fix',
      () => (ours(doc.uri).some(d => ruleId(d) === 'GRM-003') ? undefined : true),
      () => listed(ours(doc.uri)),
    );
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const verdicts = lenses.filter(l => l.command?.command === 's3EncryptionGuard.explain');
    assert.equal(verdicts.length, 1, JSON.stringify(lenses.map(l => l.command?.title)));
    assert.match(verdicts[0].command!.title, /^HTTPS: enforced/);
    assert.deepEqual(verdicts[0].command!.arguments?.slice(1), ['e2e-tf-bucket', 'aws_s3_bucket_policy.data']);
  });
});
