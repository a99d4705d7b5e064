// Which files a `check` run reads: files as given, folders walked for *.json, globs expanded.
import fs from 'node:fs';
import path from 'node:path';
import { compileGlob, globProblem, hasGlobMagic } from '../policy/glob';

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', '.vscode-test', 'dist', 'out']);

export interface Collected {
  files: string[];
  /** One line per argument that named nothing readable. */
  problems: string[];
}

function walk(dir: string, accept: (rel: string) => boolean, base: string, out: string[], problems: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    problems.push(`${dir}: cannot read folder (${(e as NodeJS.ErrnoException).code ?? e})`);
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) walk(p, accept, base, out, problems);
    } else if (e.isFile() && accept(path.relative(base, p).split(path.sep).join('/'))) out.push(p);
  }
}

export function collectFiles(args: string[], cwd = process.cwd()): Collected {
  const files: string[] = [];
  const problems: string[] = [];
  for (const arg of args) {
    const abs = path.resolve(cwd, arg);
    let stat: fs.Stats | undefined;
    try { stat = fs.statSync(abs); } catch { stat = undefined; }
    if (stat?.isFile()) files.push(abs);
    else if (stat?.isDirectory()) walk(abs, rel => rel.toLowerCase().endsWith('.json'), abs, files, problems);
    else if (hasGlobMagic(arg)) {
      // Walk from the part of the pattern before the first wildcard.
      const parts = arg.split(/[\\/]/);
      const firstMagic = parts.findIndex(hasGlobMagic);
      const baseRel = parts.slice(0, firstMagic).join('/') || '.';
      const base = path.resolve(cwd, baseRel);
      const pattern = parts.slice(firstMagic).join('/');
      const problem = globProblem(pattern);
      if (problem) { problems.push(`${arg.slice(0, 80)}…: ${problem}`); continue; }
      const matcher = compileGlob(pattern);
      const before = files.length;
      if (fs.existsSync(base)) walk(base, rel => matcher.test(rel), base, files, problems);
      if (files.length === before) problems.push(`${arg}: no files match this pattern`);
    } else problems.push(`${arg}: no such file or folder`);
  }
  return { files: [...new Set(files)], problems };
}
