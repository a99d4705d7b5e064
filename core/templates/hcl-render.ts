// A Terraform policy rendered as the JSON text the engine reads, with the way back: every JSON
// value knows the HCL it came from (its span, and how it may be edited there). Two shapes:
//   - a tree (`jsonencode({...})`, `data "aws_iam_policy_document"`): each rendered value maps to
//     its HCL expression or block; a fix of the JSON is translated by comparing the JSON before and
//     after the fix, value by value, and rewriting only what changed, in HCL;
//   - a text (a heredoc or quoted JSON string): the JSON is the template's own text, offsets map
//     piecewise (interpolations and escapes are the only pieces that differ), and a fix is the same
//     text edit with HCL's escapes.
// No vscode or LSP imports.
import type { Span } from '../policy/model';
import { hclEscape, hclQuote } from './hcl-eval';
import type { TemplateEdit, Unresolved } from './types';

/** How a rendered value may be rewritten in the template. */
export type Editability =
  | { how: 'none' }
  /** An HCL quoted string at `tpl`; `literal` when it has no interpolation (then it can be replaced whole). */
  | { how: 'string'; literal: boolean }
  /** A sequence of HCL items (tuple elements, statement blocks): items may be inserted and removed. */
  | {
      how: 'seq';
      sep: 'comma' | 'newline';
      emptyInsertAt?: number;
      renderItem: (v: unknown, indent: string) => string | undefined;
    }
  /** An HCL object: members may be edited, inserted and removed. */
  | { how: 'object'; refs?: () => RefText[] };

export interface MapNode {
  kind: 'str' | 'num' | 'bool' | 'null' | 'arr' | 'obj';
  value?: string | number | boolean | null;
  items?: MapNode[];
  members?: MapMember[];
  /** Where the value is in the template (for values from a reference: the reference). */
  tpl: Span;
  edit: Editability;
  /** When the edit above cannot express a change: replace `span` with `render(newValue)`. */
  replace?: { span: Span; render: (v: unknown, indent: string) => string | undefined };
  /** Placeholders in this string value. */
  unresolved?: Unresolved[];
  /** Filled by render: where the value is in the JSON text. */
  json?: Span;
}

export interface MapMember {
  key: string;
  keyTpl: Span;
  /** The whole member in the template (`key = value`, a `sid = ...` attribute). */
  elemTpl: Span;
  node: MapNode;
  /** Filled by render. */
  keyJson?: Span;
}

/** The rendered JSON of a tree and a flat list of (json span → template span), outermost first. */
export interface RenderedTree {
  json: string;
  marks: { json: Span; tpl: Span }[];
  unresolved: Unresolved[];
}

export function renderTree(root: MapNode): RenderedTree {
  const chunks: string[] = [];
  let pos = 0;
  const marks: RenderedTree['marks'] = [];
  const unresolved: Unresolved[] = [];
  const emit = (s: string) => {
    chunks.push(s);
    pos += s.length;
  };
  const walk = (n: MapNode, indent: string, depth: number) => {
    const start = pos;
    const mark = { json: { offset: start, length: 0 }, tpl: n.tpl };
    marks.push(mark);
    if (depth > 64) emit('null');
    else if (n.kind === 'arr') {
      const items = n.items ?? [];
      if (items.length === 0) emit('[]');
      else {
        emit('[\n');
        items.forEach((it, i) => {
          emit(indent + '  ');
          walk(it, indent + '  ', depth + 1);
          emit(i < items.length - 1 ? ',\n' : '\n');
        });
        emit(indent + ']');
      }
    } else if (n.kind === 'obj') {
      const members = n.members ?? [];
      if (members.length === 0) emit('{}');
      else {
        emit('{\n');
        members.forEach((m, i) => {
          emit(indent + '  ');
          const memberMark = { json: { offset: pos, length: 0 }, tpl: m.elemTpl };
          marks.push(memberMark);
          const keyStart = pos;
          emit(JSON.stringify(m.key));
          m.keyJson = { offset: keyStart, length: pos - keyStart };
          marks.push({ json: m.keyJson, tpl: m.keyTpl });
          emit(': ');
          walk(m.node, indent + '  ', depth + 1);
          memberMark.json.length = pos - memberMark.json.offset;
          emit(i < members.length - 1 ? ',\n' : '\n');
        });
        emit(indent + '}');
      }
    } else {
      emit(JSON.stringify(n.value ?? null));
      if (n.unresolved) unresolved.push(...n.unresolved);
    }
    mark.json.length = pos - start;
    n.json = { offset: start, length: pos - start };
  };
  walk(root, '', 0);
  return { json: chunks.join(''), marks, unresolved };
}

/** The smallest marked template span whose JSON span contains `span` (marks are outermost first). */
export function treeToTemplate(marks: RenderedTree['marks'], span: Span): Span {
  let best = marks[0]?.tpl ?? { offset: 0, length: 0 };
  let bestLen = Infinity;
  const end = span.offset + span.length;
  for (const m of marks) {
    if (m.json.offset <= span.offset && m.json.offset + m.json.length >= end && m.json.length <= bestLen) {
      best = m.tpl;
      bestLen = m.json.length;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Text policies (heredoc, quoted JSON string)

/** json[j, j+jl) came from template[t, t+tl); `linear` when character i maps to t+i. */
export interface Segment {
  j: number;
  jl: number;
  t: number;
  tl: number;
  linear: boolean;
}

export class SegmentWriter {
  readonly segments: Segment[] = [];
  private out: string[] = [];
  private len = 0;
  /** Inside a JSON string of the text written so far (to render an interpolation as JSON string content or as a JSON value). */
  inString = false;
  private escaped = false;

  get length(): number {
    return this.len;
  }

  write(s: string, t: number, tl: number, linear: boolean): void {
    if (!s && !tl) return;
    const last = this.segments[this.segments.length - 1];
    if (linear && last?.linear && last.j + last.jl === this.len && last.t + last.tl === t) {
      last.jl += s.length;
      last.tl += tl;
    } else this.segments.push({ j: this.len, jl: s.length, t, tl, linear });
    this.out.push(s);
    this.len += s.length;
    for (const c of s) {
      if (this.escaped) this.escaped = false;
      else if (c === '\\' && this.inString) this.escaped = true;
      else if (c === '"') this.inString = !this.inString;
    }
  }

  text(): string {
    return this.out.join('');
  }
}

/** Maps a JSON span through segments: exact inside literal text, widened to a whole interpolation or escape otherwise. */
export function segmentsToTemplate(segments: readonly Segment[], span: Span, whole: Span): Span {
  if (segments.length === 0) return whole;
  const at = (p: number, isEnd: boolean): number => {
    for (const s of segments) {
      const inside = isEnd ? p > s.j && p <= s.j + s.jl : p >= s.j && p < s.j + s.jl;
      if (!inside) continue;
      if (s.linear) return s.t + (p - s.j);
      return isEnd ? s.t + s.tl : s.t;
    }
    const last = segments[segments.length - 1];
    return isEnd || p >= last.j + last.jl ? last.t + last.tl : segments[0].t;
  };
  const start = at(span.offset, false);
  const end = span.length === 0 ? start : at(span.offset + span.length, true);
  return { offset: start, length: Math.max(0, end - start) };
}

/** A template offset for a JSON offset that lies on literal text (or a piece's edge); undefined inside an interpolation or escape. */
function exactOffset(segments: readonly Segment[], p: number, isEnd: boolean): number | undefined {
  for (const s of segments) {
    if (s.linear) {
      if (p >= s.j && p <= s.j + s.jl) return s.t + (p - s.j);
    } else if (p === (isEnd ? s.j + s.jl : s.j)) return isEnd ? s.t + s.tl : s.t;
  }
  return undefined;
}

/** A JSON edit of a text policy as an edit of the template, with the template's escapes; undefined when it cuts through an interpolation. */
export function translateTextEdit(
  segments: readonly Segment[],
  edit: { span: Span; newText: string },
  escape: (s: string) => string,
  interpolations: ReadonlyMap<string, string> = new Map(),
): TemplateEdit | undefined {
  const start = exactOffset(segments, edit.span.offset, false);
  const end = edit.span.length === 0 ? start : exactOffset(segments, edit.span.offset + edit.span.length, true);
  if (start === undefined || end === undefined || end < start) return undefined;
  let newText = '';
  let pos = 0;
  const text = edit.newText;
  // Placeholders go back as the template's interpolations; the rest is escaped for the template.
  for (let i = text.indexOf('${?'); i >= 0; i = text.indexOf('${?', i + 1)) {
    const close = text.indexOf('}', i);
    const source = close > 0 ? interpolations.get(text.slice(i, close + 1)) : undefined;
    if (source === undefined) continue;
    newText += escape(text.slice(pos, i)) + source;
    pos = close + 1;
    i = close;
  }
  newText += escape(text.slice(pos));
  return { span: { offset: start, length: end - start }, newText };
}

/** What a heredoc's text must escape: interpolation and directive openers. */
export const heredocEscape = (s: string): string => s.replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
export const quotedEscape = hclEscape;

// ---------------------------------------------------------------------------------------------
// HCL rendering of new values (what a fix inserts)

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const KEYWORDS = new Set(['true', 'false', 'null', 'for', 'in', 'if']);

/** An object key in HCL: bare when it is an identifier (as people write `Effect = ...`), else quoted. */
export const hclKey = (k: string): string => (IDENT.test(k) && !KEYWORDS.has(k) ? k : hclQuote(k));

/**
 * A value of the template that a fix may write back as the expression it came from:
 * `arn:aws:s3:::orders` → `aws_s3_bucket.data.arn`, `${?var.arn}` → `var.arn`.
 */
export interface RefText {
  value: string;
  expr: string;
}

/** A string as HCL, written with the template's own references where its text holds their values. */
export function hclString(s: string, refs: readonly RefText[] = []): string {
  const exact = refs.find(r => r.value === s);
  if (exact) return exact.expr;
  // Inside a longer string, only distinctive values become interpolations (a placeholder, an ARN):
  // a short one such as "prod" would also match unrelated text.
  const usable = refs.filter(r => r.value.length >= 8 && s.includes(r.value)).sort((a, b) => b.value.length - a.value.length);
  if (!usable.length) return hclQuote(s);
  let out = '';
  let i = 0;
  while (i < s.length) {
    const r = usable.find(x => s.startsWith(x.value, i));
    if (r) {
      out += '${' + r.expr + '}';
      i += r.value.length;
    } else {
      out += hclEscape(s[i]);
      i++;
    }
  }
  return `"${out}"`;
}

/** A plain JSON value as an HCL expression, laid out like hand-written Terraform at `indent`. */
export function hclValue(v: unknown, indent: string, refs: readonly RefText[] = [], depth = 0): string | undefined {
  if (depth > 32) return undefined;
  if (typeof v === 'string') return hclString(v, refs);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    const items = v.map(x => hclValue(x, inner, refs, depth + 1));
    if (items.some(x => x === undefined)) return undefined;
    if (v.every(x => typeof x !== 'object' || x === null) && items.join(', ').length <= 80) return `[${items.join(', ')}]`;
    return `[\n${items.map(x => inner + x).join(',\n')},\n${indent}]`;
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    const lines: string[] = [];
    for (const [k, x] of entries) {
      const r = hclValue(x, inner, refs, depth + 1);
      if (r === undefined) return undefined;
      lines.push(`${inner}${hclKey(k)} = ${r}`);
    }
    return `{\n${lines.join('\n')}\n${indent}}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Fixes of tree policies: compare the JSON before and after, rewrite what changed

/** The whitespace that begins the line holding `offset`, when only whitespace precedes it there. */
export function indentAt(text: string, offset: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

const lineIndentOf = (text: string, offset: number): string => {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
};

export function plainOf(n: MapNode): unknown {
  if (n.kind === 'arr') return (n.items ?? []).map(plainOf);
  if (n.kind === 'obj') return Object.fromEntries((n.members ?? []).map(m => [m.key, plainOf(m.node)]));
  return n.value ?? null;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** After `end`, skipping blanks and comments: the offset just past a `,` if one follows, else undefined. */
function commaAfter(text: string, end: number): number | undefined {
  let i = end;
  while (i < text.length && /\s/.test(text[i])) i++;
  return text[i] === ',' ? i + 1 : undefined;
}

/** The edits that turn the template's value `n` into `nv`, or undefined when they cannot be written. */
export function diffEdits(text: string, n: MapNode, nv: unknown, depth = 0): TemplateEdit[] | undefined {
  if (depth > 64) return undefined;
  if (same(plainOf(n), nv)) return [];
  const primary = diffPrimary(text, n, nv, depth);
  if (primary) return primary;
  if (n.replace) {
    const r = n.replace.render(nv, lineIndentOf(text, n.replace.span.offset));
    if (r !== undefined) return [{ span: n.replace.span, newText: r }];
  }
  return undefined;
}

function diffPrimary(text: string, n: MapNode, nv: unknown, depth: number): TemplateEdit[] | undefined {
  const e = n.edit;
  if (n.kind === 'str' && typeof nv === 'string' && e.how === 'string') {
    const old = String(n.value);
    if (e.literal) return [{ span: n.tpl, newText: hclQuote(nv) }];
    const end = n.tpl.offset + n.tpl.length;
    if (nv.startsWith(old) && text[end - 1] === '"')
      return [{ span: { offset: end - 1, length: 0 }, newText: hclEscape(nv.slice(old.length)) }];
    return undefined;
  }
  if (n.kind === 'arr' && Array.isArray(nv) && nv.length === (n.items ?? []).length) {
    // Same length: item by item, whatever the sequence's own form.
    const out: TemplateEdit[] = [];
    for (let i = 0; i < nv.length; i++) {
      const d = diffEdits(text, n.items![i], nv[i], depth + 1);
      if (!d) return undefined;
      out.push(...d);
    }
    return out;
  }
  if (n.kind === 'obj' && isObject(nv) && e.how !== 'object') {
    // Same keys: member by member (a statement block, a principals map).
    const members = n.members ?? [];
    const keys = Object.keys(nv);
    if (keys.length !== members.length || !members.every(m => m.key in nv)) return undefined;
    const out: TemplateEdit[] = [];
    for (const m of members) {
      const d = diffEdits(text, m.node, nv[m.key], depth + 1);
      if (!d) return undefined;
      out.push(...d);
    }
    return out;
  }
  if (n.kind === 'arr' && Array.isArray(nv) && e.how === 'seq') {
    const items = n.items ?? [];
    const olds = items.map(plainOf);
    let p = 0;
    while (p < items.length && p < nv.length && same(olds[p], nv[p])) p++;
    let s = 0;
    while (s < items.length - p && s < nv.length - p && same(olds[items.length - 1 - s], nv[nv.length - 1 - s])) s++;
    const oldMid = items.slice(p, items.length - s);
    const newMid = nv.slice(p, nv.length - s);
    if (oldMid.length === newMid.length) {
      const out: TemplateEdit[] = [];
      for (let i = 0; i < oldMid.length; i++) {
        const d = diffEdits(text, oldMid[i], newMid[i], depth + 1);
        if (!d) return undefined;
        out.push(...d);
      }
      return out;
    }
    if (oldMid.length === 0) return insertItems(text, items, p, newMid, e);
    if (newMid.length === 0) return removeItems(items, p, oldMid.length);
    return undefined;
  }
  if (n.kind === 'obj' && isObject(nv) && e.how === 'object') {
    const members = n.members ?? [];
    const out: TemplateEdit[] = [];
    const removed: number[] = [];
    members.forEach((m, i) => {
      if (!(m.key in nv)) removed.push(i);
    });
    for (const m of members) {
      if (!(m.key in nv)) continue;
      const d = diffEdits(text, m.node, nv[m.key], depth + 1);
      if (!d) return undefined;
      out.push(...d);
    }
    for (const i of removed)
      out.push(
        removeSpan(
          members.map(m => m.elemTpl),
          i,
        ),
      );
    const added = Object.keys(nv).filter(k => !members.some(m => m.key === k));
    if (added.length) {
      const last = members[members.length - 1];
      if (!last) return undefined;
      const lastEnd = last.elemTpl.offset + last.elemTpl.length;
      const oneLine = !text.slice(n.tpl.offset, n.tpl.offset + n.tpl.length).includes('\n');
      const indent = indentAt(text, last.elemTpl.offset) ?? lineIndentOf(text, last.elemTpl.offset);
      let ins = '';
      for (const k of added) {
        const r = hclValue(nv[k], indent, e.refs?.() ?? []);
        if (r === undefined) return undefined;
        ins += oneLine ? `, ${hclKey(k)} = ${r}` : `\n${indent}${hclKey(k)} = ${r}`;
      }
      out.push({ span: { offset: lastEnd, length: 0 }, newText: ins });
    }
    return out;
  }
  return undefined;
}

function removeSpan(spans: readonly Span[], index: number): TemplateEdit {
  const span = spans[index];
  const next = spans[index + 1];
  const prev = spans[index - 1];
  let offset = span.offset;
  let end = span.offset + span.length;
  if (next) end = next.offset;
  else if (prev) offset = prev.offset + prev.length;
  return { span: { offset, length: end - offset }, newText: '' };
}

function removeItems(items: readonly MapNode[], from: number, count: number): TemplateEdit[] {
  const spans = items.map(i => i.tpl);
  const first = removeSpan(spans, from);
  const last = removeSpan(spans, from + count - 1);
  const offset = Math.min(first.span.offset, last.span.offset);
  const end = Math.max(first.span.offset + first.span.length, last.span.offset + last.span.length);
  return [{ span: { offset, length: end - offset }, newText: '' }];
}

function insertItems(
  text: string,
  items: readonly MapNode[],
  at: number,
  values: unknown[],
  e: Extract<Editability, { how: 'seq' }>,
): TemplateEdit[] | undefined {
  const anchor = items[at - 1] ?? items[at];
  if (!anchor) {
    if (e.emptyInsertAt === undefined) return undefined;
    const indent = lineIndentOf(text, e.emptyInsertAt) + '  ';
    const rendered = values.map(v => e.renderItem(v, indent));
    if (rendered.some(r => r === undefined)) return undefined;
    const sep = e.sep === 'comma' ? ',' : '';
    return [
      { span: { offset: e.emptyInsertAt, length: 0 }, newText: rendered.map(r => `\n${indent}${r}${sep}`).join('') + '\n' },
    ];
  }
  const ownLine = indentAt(text, anchor.tpl.offset);
  const indent = ownLine ?? lineIndentOf(text, anchor.tpl.offset);
  const rendered = values.map(v => e.renderItem(v, indent));
  if (rendered.some(r => r === undefined)) return undefined;
  const before = items[at - 1] !== undefined;
  const anchorEnd = anchor.tpl.offset + anchor.tpl.length;
  if (e.sep === 'newline') {
    const body = rendered.map(r => `${indent}${r}`).join('\n\n');
    return before
      ? [{ span: { offset: anchorEnd, length: 0 }, newText: `\n\n${body}` }]
      : [{ span: { offset: anchor.tpl.offset, length: 0 }, newText: `${body.trimStart()}\n\n${indent}` }];
  }
  const breakLine = ownLine !== undefined;
  const join = breakLine ? `,\n${indent}` : ', ';
  if (!before) return [{ span: { offset: anchor.tpl.offset, length: 0 }, newText: rendered.join(join) + join }];
  const comma = commaAfter(text, anchorEnd);
  if (comma !== undefined && breakLine)
    return [{ span: { offset: comma, length: 0 }, newText: rendered.map(r => `\n${indent}${r},`).join('') }];
  return [{ span: { offset: anchorEnd, length: 0 }, newText: join + rendered.join(join) }];
}

/** Several template edits as one: from the first to the last, the text between kept. Undefined when they overlap. */
export function combineEdits(text: string, edits: readonly TemplateEdit[]): TemplateEdit | undefined {
  if (edits.length === 0) return undefined;
  const sorted = [...edits].sort((a, b) => a.span.offset - b.span.offset);
  let out = '';
  let pos = sorted[0].span.offset;
  for (const e of sorted) {
    if (e.span.offset < pos) return undefined;
    out += text.slice(pos, e.span.offset) + e.newText;
    pos = e.span.offset + e.span.length;
  }
  return { span: { offset: sorted[0].span.offset, length: pos - sorted[0].span.offset }, newText: out };
}
