// Finds key-policy files in the workspace folders for the cross-document check (crossdoc.ts).
// Bounded: skips dependency and build folders, stops after MAX_ENTRIES directory entries and
// MAX_FILES matches, never follows symbolic links (the server reads what it finds through
// safe-read.ts, inside the workspace folders only). No vscode or LSP imports.
import fs from 'node:fs/promises';
import path from 'node:path';

const SKIP = new Set([
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  'dist',
  'out',
  '.vscode-test',
  '.terraform',
  'cdk.out',
  '.venv',
  'venv',
  '__pycache__',
  'target',
  'build',
]);
export const KEY_POLICY_FILE = /\.key-policy\.json$/i;

export interface ScanLimits {
  maxEntries?: number;
  maxFiles?: number;
  signal?: AbortSignal;
}

export interface ScanResult {
  files: string[];
  /** The walk stopped at a limit before seeing everything. */
  truncated: boolean;
}

export async function findKeyPolicyFiles(folders: readonly string[], limits: ScanLimits = {}): Promise<ScanResult> {
  const maxEntries = limits.maxEntries ?? 50_000;
  const maxFiles = limits.maxFiles ?? 1000;
  const files: string[] = [];
  let entries = 0;
  let truncated = false;
  const queue = [...folders];
  while (queue.length) {
    if (limits.signal?.aborted) {
      truncated = true;
      break;
    }
    const dir = queue.shift()!;
    let folder: import('node:fs').Dir;
    try {
      folder = await fs.opendir(dir);
    } catch {
      continue; // unreadable folder: skip it
    }
    // Read entry by entry (not readdir's whole list): a folder of a million files costs nothing more than the limit.
    try {
      for await (const e of folder) {
        if (++entries > maxEntries || files.length >= maxFiles) {
          truncated = true;
          return { files, truncated };
        }
        if (e.isDirectory()) {
          if (!SKIP.has(e.name) && !e.name.startsWith('.')) queue.push(path.join(dir, e.name));
        } else if (e.isFile() && KEY_POLICY_FILE.test(e.name)) files.push(path.join(dir, e.name));
      }
    } catch {
      // the folder went away while it was read: keep what was found
    }
  }
  return { files, truncated };
}
