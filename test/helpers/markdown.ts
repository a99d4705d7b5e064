// Just enough of CommonMark's inline rules to check what our Markdown does with text from a
// policy: backslash escapes, entity references and code spans (a run of n backticks up to the
// next run of exactly n). Everything else is "active" text that a renderer would interpret.

export interface Segment {
  kind: 'text' | 'escaped' | 'code';
  /** text: as written; escaped: the character shown; code: the span's content, fences removed. */
  value: string;
  /** The segment as written in the Markdown. */
  raw: string;
}

const PUNCTUATION = /[!-/:-@[-`{-~]/;

/** The inline segments of one line (or paragraph) of Markdown. */
export function inlineSegments(md: string): Segment[] {
  const out: Segment[] = [];
  let text = '';
  const flush = () => {
    if (text) out.push({ kind: 'text', value: text, raw: text });
    text = '';
  };
  let i = 0;
  while (i < md.length) {
    const c = md[i];
    if (c === '\\' && i + 1 < md.length && PUNCTUATION.test(md[i + 1])) {
      flush();
      out.push({ kind: 'escaped', value: md[i + 1], raw: md.slice(i, i + 2) });
      i += 2;
      continue;
    }
    if (c === '`') {
      let n = 0;
      while (md[i + n] === '`') n++;
      // The closing run: exactly n backticks, not part of a longer run.
      let j = i + n;
      let close = -1;
      while (j < md.length) {
        if (md[j] !== '`') {
          j++;
          continue;
        }
        let m = 0;
        while (md[j + m] === '`') m++;
        if (m === n) {
          close = j;
          break;
        }
        j += m;
      }
      if (close < 0) {
        text += md.slice(i, i + n);
        i += n;
        continue;
      }
      flush();
      let body = md.slice(i + n, close);
      if (body.length >= 2 && body.startsWith(' ') && body.endsWith(' ') && body.trim()) body = body.slice(1, -1);
      out.push({ kind: 'code', value: body, raw: md.slice(i, close + n) });
      i = close + n;
      continue;
    }
    text += c;
    i++;
  }
  flush();
  return out;
}

const decode = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/**
 * What a reader sees of the Markdown's text: backslash escapes and entities resolved, code spans
 * kept as written (the existing tests match them with their backticks). Line structure is kept.
 */
export function rendered(md: string): string {
  return md
    .split('\n')
    .map(line =>
      inlineSegments(line)
        .map(s => (s.kind === 'text' ? decode(s.raw) : s.kind === 'escaped' ? s.value : s.raw))
        .join(''),
    )
    .join('\n');
}

/**
 * The line's active text: escaped characters and code spans replaced by `·`, so what is left is
 * only what a renderer would interpret (our own Markdown, and any value that was not escaped).
 */
export function activeText(line: string): string {
  return inlineSegments(line)
    .map(s => (s.kind === 'text' ? s.raw : '·'))
    .join('');
}

/** Raw control characters (tab and line feed aside), line separators and bidirectional overrides. */
export const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * Why `md` would let a value steer the renderer: a raw control character, or link, image or HTML
 * syntax, an autolink or a command scheme outside escapes and code spans. Our own links to rule
 * pages (`[GRM-003 documentation](file:…)`) are the only links we write and are left out. Empty
 * when there is none.
 */
export function markdownProblems(md: string): string[] {
  const problems: string[] = [];
  const control = CONTROLS.exec(md);
  if (control) problems.push(`raw control character ${JSON.stringify(control[0])}`);
  for (const line of md.split('\n')) {
    const active = activeText(line.replace(/\[[A-Z]{3}-\d{3} documentation\]\(file:[^)\s]+\)/g, ''));
    if (/[[\]<>]/.test(active)) problems.push(`link, image or HTML syntax in ${JSON.stringify(line)}`);
    if (/[a-z]+:\/\/|command:|www\./i.test(active)) problems.push(`autolink or command in ${JSON.stringify(line)}`);
  }
  return problems;
}
