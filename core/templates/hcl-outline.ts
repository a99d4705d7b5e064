// The outline of a Terraform file: its top-level blocks (`resource "aws_s3_bucket" "data" { … }`),
// each with its type, labels and extent, found by a small lexer that knows just enough of HCL to
// match braces — quoted strings with `${…}` and `%{…}` templates, heredocs and comments. The
// scanner then parses with tree-sitter only the blocks it reads (most of a module is other
// resources), each on its own, so that a keystroke re-parses the block it is in
// (docs/design/architecture.md#templates-by-parts).
//
// Anything the lexer is not sure of (an attribute at the top level, a label with a template, an
// unterminated string or heredoc, unbalanced braces, nesting deeper than MAX_NESTING) gives
// undefined: the caller then parses the whole file, which also reports the syntax error.
import type { HclNode } from './hcl-parse';

export interface OutlineBlock {
  /** The block type: `resource`, `data`, `locals`, `variable`, `module`… */
  kind: string;
  /** Its labels without quotes. */
  labels: string[];
  /** The identifier and label nodes, as the parser gives them. */
  header: HclNode[];
  /** From the block type's first character to just after the closing brace. */
  start: number;
  end: number;
}

/** The text node of a quoted label [start, end), as the parser gives it (the quotes left out). */
export const labelLiteral = (start: number, end: number): HclNode => ({
  type: 'template_literal',
  start: start + 1,
  end: Math.max(start + 1, end - 1),
  children: [],
});

/** Strings in templates in strings…: deeper than this, the whole file is parsed instead. */
const MAX_NESTING = 256;

const isIdStart = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
const isIdChar = (c: number): boolean => isIdStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d;
const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;

/** The top-level blocks of `text`, or undefined (see above). */
export function outlineHcl(text: string): OutlineBlock[] | undefined {
  const blocks: OutlineBlock[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const comment = skipComment(text, i);
    if (comment === -1) return undefined;
    if (comment > i) {
      i = comment;
      continue;
    }
    if (!isIdStart(c)) return undefined;
    const start = i;
    const header: HclNode[] = [];
    const labels: string[] = [];
    // The block type, then labels (identifiers or plain quoted strings) on the same line, then `{`.
    while (i < n && isIdChar(text.charCodeAt(i))) i++;
    header.push({ type: 'identifier', start, end: i, children: [] });
    for (;;) {
      while (i < n && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i++;
      const d = text.charCodeAt(i);
      if (d === 0x7b /* { */) break;
      if (d === 0x22 /* " */) {
        const from = i++;
        while (i < n && text.charCodeAt(i) !== 0x22) {
          const e = text.charCodeAt(i);
          if (e === 0x0a || e === 0x5c /* \ */ || ((e === 0x24 || e === 0x25) && text.charCodeAt(i + 1) === 0x7b))
            return undefined;
          i++;
        }
        if (i >= n) return undefined;
        i++;
        labels.push(text.slice(from + 1, i - 1));
        header.push({
          type: 'string_lit',
          start: from,
          end: i,
          children: [labelLiteral(from, i)],
        });
      } else if (isIdStart(d)) {
        const from = i;
        while (i < n && isIdChar(text.charCodeAt(i))) i++;
        labels.push(text.slice(from, i));
        header.push({ type: 'identifier', start: from, end: i, children: [] });
      } else return undefined;
    }
    const close = skipBody(text, i);
    if (close < 0) return undefined;
    blocks.push({ kind: text.slice(start, header[0].end), labels, header, start, end: close });
    i = close;
  }
  return blocks;
}

/** After a comment starting at `i` (or `i` when none starts there); -1 for an unterminated `/*`. */
function skipComment(text: string, i: number): number {
  const c = text.charCodeAt(i);
  const d = text.charCodeAt(i + 1);
  if (c === 0x23 /* # */ || (c === 0x2f && d === 0x2f) /* // */) {
    const nl = text.indexOf('\n', i);
    return nl < 0 ? text.length : nl;
  }
  if (c === 0x2f && d === 0x2a /* /* */) {
    const close = text.indexOf('*/', i + 2);
    return close < 0 ? -1 : close + 2;
  }
  return i;
}

type Frame = { k: 'code'; depth: number } | { k: 'string' } | { k: 'heredoc'; marker: string };

/** Just after the `}` that closes the body opened at `open`; -1 when it is not closed or not sure. */
function skipBody(text: string, open: number): number {
  const n = text.length;
  const stack: Frame[] = [{ k: 'code', depth: 1 }];
  let i = open + 1;
  while (i < n) {
    const top = stack[stack.length - 1];
    const c = text.charCodeAt(i);
    if (top.k === 'code') {
      if (c === 0x22) {
        if (stack.length >= MAX_NESTING) return -1;
        stack.push({ k: 'string' });
        i++;
      } else if (c === 0x7b) {
        top.depth++;
        i++;
      } else if (c === 0x7d) {
        i++;
        if (--top.depth === 0) {
          stack.pop();
          if (!stack.length) return i;
        }
      } else if (c === 0x3c && text.charCodeAt(i + 1) === 0x3c /* << */) {
        const m = /^<<-?([A-Za-z_][\w-]*)[ \t]*\r?\n/.exec(text.slice(i, i + 300));
        if (!m || stack.length >= MAX_NESTING) return -1;
        stack.push({ k: 'heredoc', marker: m[1] });
        i += m[0].length;
      } else {
        const after = skipComment(text, i);
        if (after < 0) return -1;
        i = after > i ? after : i + 1;
      }
    } else if (top.k === 'string') {
      if (c === 0x5c) i += 2;
      else if (c === 0x22) {
        stack.pop();
        i++;
      } else if (c === 0x0a) return -1;
      else i = template(stack, text, i);
      if (i < 0) return -1;
    } else {
      // A heredoc: at each line start, the marker alone on its line ends it.
      if (i === 0 || text.charCodeAt(i - 1) === 0x0a) {
        const nl = text.indexOf('\n', i);
        const lineEnd = nl < 0 ? n : nl;
        if (text.slice(i, lineEnd).trim() === top.marker) {
          stack.pop();
          i = lineEnd;
          continue;
        }
      }
      i = template(stack, text, i);
      if (i < 0) return -1;
    }
  }
  return -1;
}

/** In a string or heredoc at `i`: past `$${`/`%%{` (literal), into a `${`/`%{` template, or one character on. */
function template(stack: Frame[], text: string, i: number): number {
  const c = text.charCodeAt(i);
  if ((c === 0x24 || c === 0x25) && text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === 0x7b) return i + 3;
  if ((c === 0x24 || c === 0x25) && text.charCodeAt(i + 1) === 0x7b) {
    if (stack.length >= MAX_NESTING) return -1;
    stack.push({ k: 'code', depth: 1 });
    return i + 2;
  }
  return i + 1;
}
