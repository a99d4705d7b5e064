// Which files a `check` run reads: files as given, folders walked for *.json and templates
// (*.yaml, *.yml, *.tf), globs expanded.
// A searched folder is a repository's, so nothing in it is trusted: symbolic links are followed
// once (a folder reached twice, as through a link to one of its parents, is searched once), a link
// or entry that is skipped is said so, the walk is a loop over an explicit stack (no recursion a
// deep tree could drive) and stops after MAX_WALK_ENTRIES entries.
import fs from 'node:fs';
import path from 'node:path';
import { compileGlob, globProblem, hasGlobMagic } from '../core/policy/glob';
import { searchedFile } from './templates';

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', '.vscode-test', 'dist', 'out']);

/** Entries (files, folders, links) a run looks at before it stops searching. */
export const MAX_WALK_ENTRIES = 200_000;

export interface Collected {
  files: string[];
  /** One line per argument that named nothing readable, or a search that stopped early: the run is incomplete. */
  problems: string[];
  /** One line per link or special file that the search skipped on purpose (the rest of the run is complete). */
  skipped: string[];
}

export interface CollectOptions {
  /** Stop searching after this many folder entries (default MAX_WALK_ENTRIES). */
  maxEntries?: number;
}

interface WalkState {
  files: string[];
  problems: string[];
  skipped: string[];
  entries: number;
  maxEntries: number;
  stopped: boolean;
}

const idOf = (st: fs.Stats): string => `${st.dev}:${st.ino}`;

function typeName(st: fs.Stats | fs.Dirent): string {
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

const code = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? String(e);

/** Files under `root` whose path relative to it passes `accept`, in name order (folders in place). */
function walk(root: string, accept: (rel: string) => boolean, state: WalkState, shown: (p: string) => string): void {
  // Folders searched in this walk, by device and inode: a link back to one of them is a loop.
  const searched = new Map<string, string>();
  // Files reached through a link, by device and inode, to drop the ones also found under another name.
  const linkedFiles: { file: string; id: string }[] = [];
  const found: string[] = [];
  const rel = (p: string) => path.relative(root, p).split(path.sep).join('/');
  // Folders and accepted files, popped in name order: a folder's files come where its name sorts, as in a recursive walk.
  const stack: { path: string; folder: boolean; linkTo?: string }[] = [{ path: root, folder: true }];
  while (stack.length && !state.stopped) {
    const item = stack.pop()!;
    if (!item.folder) {
      found.push(item.path);
      if (item.linkTo) linkedFiles.push({ file: item.path, id: item.linkTo });
      continue;
    }
    const dir = item.path;
    let entries: fs.Dirent[];
    try {
      const id = idOf(fs.statSync(dir));
      const before = searched.get(id);
      if (before !== undefined) {
        state.skipped.push(
          `${shown(dir)}: skipped: a link to a folder already searched (${shown(before)}); links are followed once`,
        );
        continue;
      }
      searched.set(id, dir);
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      state.problems.push(`${shown(dir)}: cannot read folder (${code(e)})`);
      continue;
    }
    state.entries += entries.length;
    if (state.entries > state.maxEntries) {
      state.problems.push(
        `${shown(dir)}: stopped searching after ${state.maxEntries} folder entries; name the policy folders or files to check instead`,
      );
      state.stopped = true;
      break;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const next: typeof stack = [];
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) next.push({ path: p, folder: true });
      } else if (e.isFile()) {
        if (accept(rel(p))) next.push({ path: p, folder: false });
      } else if (e.isSymbolicLink()) {
        let target: fs.Stats;
        try {
          target = fs.statSync(p);
        } catch (err) {
          // A dangling link is only worth a word when it has a name we would have checked.
          if (accept(rel(p)))
            state.skipped.push(
              `${shown(p)}: skipped: ${code(err) === 'ELOOP' ? 'a loop of symbolic links' : 'a symbolic link to nothing'}`,
            );
          continue;
        }
        if (target.isDirectory()) {
          if (!SKIP_DIRS.has(e.name)) next.push({ path: p, folder: true });
        } else if (!accept(rel(p))) continue;
        else if (target.isFile()) next.push({ path: p, folder: false, linkTo: idOf(target) });
        else state.skipped.push(`${shown(p)}: skipped: a symbolic link to ${typeName(target)}, not a regular file`);
      } else if (accept(rel(p))) state.skipped.push(`${shown(p)}: skipped: it is ${typeName(e)}, not a regular file`);
    }
    for (let i = next.length - 1; i >= 0; i--) stack.push(next[i]);
  }
  if (linkedFiles.length) {
    // A file reached both through a link and under its own name (or through two links) is checked once.
    const linked = new Set(linkedFiles.map(l => l.file));
    const firstById = new Map<string, string>();
    for (const f of found) {
      if (linked.has(f)) continue;
      try {
        firstById.set(idOf(fs.statSync(f)), f);
      } catch {
        /* reported when read */
      }
    }
    const dropped = new Set<string>();
    for (const l of linkedFiles) {
      const first = firstById.get(l.id);
      if (first !== undefined) {
        dropped.add(l.file);
        state.skipped.push(`${shown(l.file)}: skipped: a link to ${shown(first)}, which is checked under that name`);
      } else firstById.set(l.id, l.file);
    }
    state.files.push(...found.filter(f => !dropped.has(f)));
  } else state.files.push(...found);
}

export function collectFiles(args: string[], cwd = process.cwd(), options: CollectOptions = {}): Collected {
  const state: WalkState = {
    files: [],
    problems: [],
    skipped: [],
    entries: 0,
    maxEntries: options.maxEntries ?? MAX_WALK_ENTRIES,
    stopped: false,
  };
  const shown = (p: string): string => {
    const r = path.relative(cwd, p);
    return r && !r.startsWith('..') && !path.isAbsolute(r) ? r.split(path.sep).join('/') : p;
  };
  for (const arg of args) {
    if (state.stopped) break;
    const abs = path.resolve(cwd, arg);
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(abs);
    } catch {
      stat = undefined;
    }
    // Policies (*.json) and infrastructure templates (*.json, *.yaml, *.yml, *.tf).
    if (stat?.isDirectory()) walk(abs, searchedFile, state, shown);
    // A file named on the command line is read whatever it is: the read says why a pipe or a device is refused.
    else if (stat) state.files.push(abs);
    else if (hasGlobMagic(arg)) {
      // Walk from the part of the pattern before the first wildcard.
      const parts = arg.split(/[\\/]/);
      const firstMagic = parts.findIndex(hasGlobMagic);
      const baseRel = parts.slice(0, firstMagic).join('/') || '.';
      const base = path.resolve(cwd, baseRel);
      const pattern = parts.slice(firstMagic).join('/');
      const problem = globProblem(pattern);
      if (problem) {
        state.problems.push(`${arg.slice(0, 80)}…: ${problem}`);
        continue;
      }
      const matcher = compileGlob(pattern);
      const before = state.files.length;
      if (fs.existsSync(base)) walk(base, rel => matcher.test(rel), state, shown);
      if (state.files.length === before && !state.stopped) state.problems.push(`${arg}: no files match this pattern`);
    } else state.problems.push(`${arg}: no such file or folder`);
  }
  return { files: [...new Set(state.files)], problems: state.problems, skipped: state.skipped };
}
