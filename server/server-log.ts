// The language server's log lines: one line each, whatever a document, a URI or a setting holds.
// Values from outside are made one-line and clipped (escapeTerminal: the log is shown as text in the
// editor's Output panel and often copied into a terminal or an issue); internal errors are reduced
// to their first line, never a stack or the regular expression a message may quote.
// No vscode or LSP imports.
import type { RuleFailure } from '../core/analyze';
import { clip, errorLine, escapeTerminal } from '../shared/escape';

/** A URI, a path or a setting value in a log line: one line, at most `max` characters. */
export const logValue = (value: string, max = 200): string => escapeTerminal(value, max);

const REGEX_ERROR = 'Invalid regular expression: ';

/**
 * The first line of an internal error (a message or a stack), without what it quotes from a
 * regular expression: V8's "Invalid regular expression: /<pattern>/: <reason>" can carry a
 * pattern built from a whole policy.
 */
export function failureReason(error: unknown, max = 160): string {
  let first = (error instanceof Error ? error.message : String(error)).split(/\r?\n/, 1)[0];
  const at = first.indexOf(REGEX_ERROR);
  if (at >= 0) {
    const sep = first.lastIndexOf(': ');
    const reason = sep >= at + REGEX_ERROR.length ? first.slice(sep + 2) : '';
    first = `${first.slice(0, at)}Invalid regular expression (pattern not shown)${reason ? `: ${reason}` : ''}`;
  }
  // An Error's message lacks its kind, which a stack's first line has.
  if (error instanceof Error && first && !first.startsWith(error.name)) first = `${error.name}: ${first}`;
  return errorLine(first, max);
}

/** One line for the rules that threw on one version of a document (logged once per version). */
export function ruleFailuresLine(where: string, version: number, failures: readonly RuleFailure[]): string {
  const each = failures.map(f => `${clip(f.ruleId, 40)}: ${failureReason(f.error)}`);
  return clip(
    `${logValue(where)} (version ${version}): ${failures.length === 1 ? 'rule' : `${failures.length} rules`} failed (please report this; the other rules' findings are shown): ${each.join('; ')}`,
    1000,
  );
}
