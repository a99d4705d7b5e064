// "S3 Encryption: Show Rule Documentation" and the "Explain <ID>" code action: a rule's page
// (docs/rules/<ID>.md, shipped with the extension) in VS Code's Markdown preview.
import * as vscode from 'vscode';
import { SHOW_RULE_DOC_COMMAND } from '../../protocol/protocol';
import { messageValue } from '../views/ui-text';

const RULE_ID = /^[A-Z]{3}-\d{3}$/;

export function registerRuleDocsCommand(extensionUri: vscode.Uri): vscode.Disposable {
  return vscode.commands.registerCommand(SHOW_RULE_DOC_COMMAND, (id?: unknown) =>
    showRuleDocumentation(extensionUri, typeof id === 'string' ? id : undefined),
  );
}

/** The rules that have a page, with their titles (from each page's heading). */
async function listRules(dir: vscode.Uri): Promise<vscode.QuickPickItem[]> {
  const entries = await vscode.workspace.fs.readDirectory(dir);
  const ids = entries
    .map(([name]) => name.replace(/\.md$/, ''))
    .filter(id => RULE_ID.test(id))
    .sort();
  return Promise.all(
    ids.map(async id => {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(dir, `${id}.md`)));
      return { label: id, description: /^# [A-Z]{3}-\d{3}: (.*)$/m.exec(text)?.[1] ?? '' };
    }),
  );
}

/** Opens the page of rule `id` (asks which rule without one); resolves to the page's URI, or undefined. */
export async function showRuleDocumentation(extensionUri: vscode.Uri, id?: string): Promise<vscode.Uri | undefined> {
  const dir = vscode.Uri.joinPath(extensionUri, 'docs', 'rules');
  if (id === undefined) {
    const items = await listRules(dir).catch(() => []);
    const picked = await vscode.window.showQuickPick(items, {
      title: 'S3 Encryption Guard rules',
      placeHolder: 'Rule ID or title',
      matchOnDescription: true,
    });
    if (!picked) return undefined;
    id = picked.label;
  }
  const page = vscode.Uri.joinPath(dir, `${id}.md`);
  const exists =
    RULE_ID.test(id) &&
    (await vscode.workspace.fs.stat(page).then(
      () => true,
      () => false,
    ));
  if (!exists) {
    void vscode.window.showWarningMessage(
      `S3 Encryption Guard: there is no page for rule "${messageValue(id, 40)}". Run "S3 Encryption: Show Rule Documentation" to pick one.`,
    );
    return undefined;
  }
  try {
    await vscode.commands.executeCommand('markdown.showPreview', page);
  } catch {
    // Markdown preview disabled or missing: the page as text is still readable.
    await vscode.window.showTextDocument(page, { preview: true });
  }
  return page;
}
