// From offsets of a policy rendered as JSON back to offsets of the template it came from. Every
// rendered value (and key, and member) records which template span produced it; a string whose
// characters stand one for one in the template also maps inside itself, so a finding on part of an
// ARN lands on that part of the YAML scalar. No vscode or LSP imports.
import type { Span } from '../policy/model';
import { end } from './tree';

export interface MapSegment {
  /** Where the value is in the rendered JSON. */
  json: Span;
  /** The template span of the value that produced it. */
  template: Span;
  /**
   * Set when the string's characters are the template's, one for one: the JSON offset of its first
   * character (after the quote) and the template offset of the same character.
   */
  chars?: { json: number; template: number; length: number };
}

export class SourceMap {
  readonly segments: MapSegment[] = [];

  constructor(
    /** What spans that no segment covers map to: the whole policy value. */
    readonly whole: Span,
  ) {}

  add(segment: MapSegment): void {
    this.segments.push(segment);
  }

  /** The template span of the smallest rendered value that holds `span` (see EmbeddedPolicy.toTemplate). */
  toTemplate(span: Span): Span {
    const from = span.offset;
    const to = end(span);
    let best: MapSegment | undefined;
    for (const s of this.segments) {
      if (s.json.offset <= from && to <= end(s.json) && (!best || s.json.length < best.json.length)) best = s;
    }
    if (!best) return this.whole;
    const c = best.chars;
    if (c && from >= c.json && to <= c.json + c.length) return { offset: c.template + (from - c.json), length: to - from };
    return best.template;
  }
}

/**
 * For each character of a scalar's value, its offset in the template, when it can be told (plain
 * and quoted scalars on one line, literal blocks); undefined otherwise (the whole scalar is used).
 * `raw` is the scalar's source text starting at template offset `at`.
 */
export function scalarCharOffsets(raw: string, at: number, style: string): number[] | undefined {
  const out: number[] = [];
  if (style === 'plain') {
    if (raw.includes('\n')) return undefined;
    for (let i = 0; i < raw.length; i++) out.push(at + i);
    return out;
  }
  if (style === 'single') {
    if (raw.includes('\n') || raw.length < 2) return undefined;
    for (let i = 1; i < raw.length - 1; i++) {
      out.push(at + i);
      if (raw[i] === "'" && raw[i + 1] === "'") i++;
    }
    return out;
  }
  if (style === 'double') {
    if (raw.includes('\n') || raw.length < 2) return undefined;
    for (let i = 1; i < raw.length - 1; i++) {
      out.push(at + i);
      if (raw[i] !== '\\') continue;
      const e = raw[i + 1];
      if (e === 'u') i += 5;
      else if (e === 'x') i += 3;
      else if (e === 'U') {
        // One escape, two UTF-16 units (or one); both map to the escape.
        out.push(at + i);
        i += 9;
      } else i += 1;
    }
    return out;
  }
  if (style === 'literal') {
    // `|` or `|-` header, then lines indented by the first content line's indentation.
    const nl = raw.indexOf('\n');
    if (nl < 0) return undefined;
    let pos = nl + 1;
    const firstLine = raw.slice(pos).match(/^( *)\S/);
    if (!firstLine) return undefined;
    const indent = firstLine[1].length;
    while (pos < raw.length) {
      let lineEnd = raw.indexOf('\n', pos);
      if (lineEnd < 0) lineEnd = raw.length;
      const start = Math.min(pos + indent, lineEnd);
      for (let i = start; i < lineEnd; i++) out.push(at + i);
      if (lineEnd < raw.length) out.push(at + lineEnd);
      pos = lineEnd + 1;
    }
    return out;
  }
  return undefined;
}
