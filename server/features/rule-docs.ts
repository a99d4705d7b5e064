// Where a rule's page is: docs/rules/<ID>.md of the installed extension (shipped in the .vsix, see
// .vscodeignore), as a file: URI that diagnostics link to (codeDescription) and the "Explain <ID>"
// code action opens. Found by walking up from this module: the bundle is dist/server/server.js,
// compiled tests run it from out-*/server/features/.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

let docsDir: string | null | undefined;

function rulesDir(): string | null {
  if (docsDir === undefined) {
    docsDir = null;
    for (let dir = __dirname, i = 0; i < 6; i++, dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'docs', 'rules');
      if (existsSync(path.join(candidate, 'README.md'))) {
        docsDir = candidate;
        break;
      }
    }
  }
  return docsDir;
}

const uris = new Map<string, string | undefined>();

/** `file:///…/docs/rules/GRM-003.md`, or undefined when the ID has no page (e.g. the analysis-limit notes). */
export function ruleDocUri(id: string): string | undefined {
  if (!uris.has(id)) {
    const dir = rulesDir();
    const file = dir && /^[A-Z]{3}-\d{3}$/.test(id) ? path.join(dir, `${id}.md`) : undefined;
    uris.set(id, file && existsSync(file) ? pathToFileURL(file).toString() : undefined);
  }
  return uris.get(id);
}
