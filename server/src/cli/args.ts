// What the CLI's subcommands share when they read their command line and their config file.
import path from 'node:path';
import { findConfigFile } from '../requirements';

/**
 * Walks a command line: `--flag value`, `--flag=value` and plain arguments (given as the flag).
 * `value()` takes the flag's value, failing with `usage(...)` when it is missing.
 */
export function eachArg(argv: readonly string[], usage: (message: string) => Error, handle: (flag: string, value: () => string) => void): void {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    handle(flag, () => {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith('--'))) throw usage(`${flag} needs a value`);
      return v;
    });
  }
}

/** The config file of this run: --config, else the first .s3-encryption-guard.json from the working folder upwards; none with --no-config. */
export function configFileFor(opts: { config?: string; noConfig: boolean }): string | undefined {
  if (opts.noConfig) return undefined;
  return opts.config ? path.resolve(opts.config) : findConfigFile(process.cwd());
}

/** A path as messages show it: relative to the working folder when it is inside it. */
export function shownPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
