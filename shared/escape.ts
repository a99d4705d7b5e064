// Text from outside (a Sid, a bucket name, a file name, an error message from an endpoint) reaches
// three kinds of output: Markdown that the editor renders (hover, tooltips), HTML (the Explain
// report view) and terminals (the CLI). None may be steered by that text: in Markdown a `[link](…)`
// or `![image](…)` would render as a link or fetch an image, in HTML a tag would, in a terminal an
// ESC sequence could rewrite the screen or the window title. Every such string goes through exactly
// one of these functions on its way out.

// Characters with a meaning somewhere in CommonMark or GitHub-flavoured Markdown (emphasis, links,
// images, code, headings, lists, tables, HTML, autolinks, strikethrough).
const MARKDOWN_SPECIAL = /[\\`*_{}[\]()#+\-.!|<>~&:]/g;
// C0 controls except tab, DEL, C1 controls; line and paragraph separators; bidirectional overrides and isolates.
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const hex = (c: string): string => {
  const n = c.codePointAt(0) ?? 0;
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u{${n.toString(16)}}`;
};

/** Clip to at most `max` characters (whole code points), with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  // Do not split a surrogate pair.
  const c = text.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut--;
  return `${text.slice(0, Math.max(0, cut))}…`;
}

/**
 * Text shown literally inside Markdown (a paragraph, a table cell, a list item): every character
 * that Markdown would interpret is backslash-escaped, line breaks become spaces, control and
 * bidirectional-override characters become visible `\xNN` escapes. Clipped to `max` characters.
 */
export function escapeMarkdown(text: string, max = 500): string {
  return (
    clip(String(text), max)
      .replace(/\r\n?|\n/g, ' ')
      .replace(MARKDOWN_SPECIAL, m => (m === '&' ? '&amp;' : m === '<' ? '&lt;' : m === '>' ? '&gt;' : `\\${m}`))
      // After the escaping above: the backslash of `\x1b` before a letter is shown as it is.
      .replace(CONTROLS, hex)
  );
}

/**
 * Text shown as inline code in Markdown: fenced with more backticks than it contains in a row (the
 * only way CommonMark lets a code span hold backticks), on one line, controls made visible.
 */
export function markdownCode(text: string, max = 500): string {
  const body = clip(String(text), max)
    .replace(/\r\n?|\n/g, ' ')
    .replace(CONTROLS, hex);
  let longest = 0;
  let run = 0;
  for (const ch of body) {
    run = ch === '`' ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  const fence = '`'.repeat(longest + 1);
  // A code span that starts or ends with a backtick needs a space inside the fence (stripped on rendering).
  const pad =
    body.startsWith('`') || body.endsWith('`') || (body.startsWith(' ') && body.endsWith(' ') && body.trim()) ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

const HTML_ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text shown in HTML (the Explain report view), in element content or a quoted attribute value:
 * `& < > " '` become entities, line breaks spaces, control and bidirectional-override characters
 * visible `\xNN` escapes (as for Markdown). Clipped to `max` characters.
 */
export function escapeHtml(text: string, max = 500): string {
  return clip(String(text), max)
    .replace(/\r\n?|\n/g, ' ')
    .replace(CONTROLS, hex)
    .replace(/[&<>"']/g, c => HTML_ENTITY[c]);
}

/**
 * Text printed to a terminal: ESC and every other control character (C0, DEL, C1), line and
 * paragraph separators and bidirectional overrides become visible `\xNN` / `\u{NNNN}` escapes, and
 * line breaks inside the value become `\n`, so one value stays on one line. Clipped to `max`.
 */
export function escapeTerminal(text: string, max = 1000): string {
  return clip(String(text), max)
    .replace(/\r\n|\r|\n|\t/g, m => (m === '\t' ? ' ' : '\\n'))
    .replace(CONTROLS, hex);
}

/**
 * Text shown as plain text in the editor (a CodeLens title, a tree item's label or description, a
 * notification, a view message): nothing is rendered there, but a value must stay on one line
 * (line breaks become spaces) and controls and bidirectional overrides are made visible as for a
 * terminal, so a name cannot reorder or hide what surrounds it. Clipped to `max`.
 */
export function plainLine(text: string, max = 300): string {
  return escapeTerminal(clip(String(text), max).replace(/\r\n?|\n/g, ' '), max);
}

/**
 * An internal error as one line for a log or stderr: the first line of its message (never the
 * stack, never a whole policy or regular expression it may quote), controls made visible, clipped.
 */
export function errorLine(e: unknown, max = 200): string {
  const raw = e instanceof Error ? e.message : String(e);
  const first = raw.split(/\r?\n/, 1)[0].trim();
  return escapeTerminal(first || (e instanceof Error ? e.name : 'unknown error'), max);
}
