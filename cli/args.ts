// What the CLI's subcommands share when they read their command line and their config file.
import path from 'node:path';
import { findConfigFile } from '../core/requirements';

/**
 * Walks a command line: `--flag value`, `--flag=value` and plain arguments (given as the flag).
 * `value()` takes the flag's value, failing with `usage(...)` when it is missing.
 */
export function eachArg(
  argv: readonly string[],
  usage: (message: string) => Error,
  handle: (flag: string, value: () => string, fail: (message: string) => never) => void,
): void {
  const fail = (message: string): never => {
    throw usage(message);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] =
      a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    handle(
      flag,
      () => {
        const v = inline ?? argv[++i];
        if (v === undefined || (inline === undefined && v.startsWith('--'))) throw usage(`${flag} needs a value`);
        return v;
      },
      fail,
    );
  }
}

/** The value of `--format` for a command that prints text or JSON; anything else fails with the command's name. */
export function textOrJson(value: string, command: string, fail: (message: string) => never): 'text' | 'json' {
  return value === 'text' || value === 'json' ? value : fail(`unknown format "${value}": ${command} prints text or json`);
}

/** Where the config file of a run came from; one found in a parent folder is always named in the output. */
export type ConfigOrigin = 'command line' | 'working folder' | 'parent folder';

export interface ConfigChoice {
  path: string;
  origin: ConfigOrigin;
  /** As messages show it: `../.s3-encryption-guard.json` for a parent folder's. */
  shown: string;
}

/** The config file of this run and where it came from: --config, else the first .s3-encryption-guard.json from the working folder upwards; none with --no-config. */
export function configChoice(opts: { config?: string; noConfig: boolean }): ConfigChoice | undefined {
  if (opts.noConfig) return undefined;
  const cwd = process.cwd();
  if (opts.config) {
    const file = path.resolve(opts.config);
    return { path: file, origin: 'command line', shown: shownPath(file) };
  }
  const found = findConfigFile(cwd);
  if (!found) return undefined;
  if (path.dirname(found) === path.resolve(cwd)) return { path: found, origin: 'working folder', shown: shownPath(found) };
  return { path: found, origin: 'parent folder', shown: path.relative(cwd, found).split(path.sep).join('/') };
}

/** The config file of this run (see configChoice). */
export function configFileFor(opts: { config?: string; noConfig: boolean }): string | undefined {
  return configChoice(opts)?.path;
}

/** A path as messages show it: relative to the working folder when it is inside it. */
export function shownPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
