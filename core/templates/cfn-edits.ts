// A rule's fix, an edit of the rendered JSON policy, written as an edit of the CloudFormation
// template in its own syntax. The edit is applied to the JSON, the JSON before and after are
// compared from the smallest value that holds the edit down to what actually changed, and only
// that is written in the template: a string rewritten in its scalar's quoting style, members and
// items inserted or removed like their neighbours (a YAML block at the same indentation, a JSON
// object laid out like its siblings). Values that stand for what the template does not fix are
// written back as `!Sub` / `Fn::Sub` of what the template named. No vscode or LSP imports.
import { parseTree, type Node as JsonNode } from 'jsonc-parser';
import type { Span } from '../policy/model';
import type { Resolver } from './cfn-resolve';
import { isPlainSafe, renderScalarLike, type RenderedNode } from './cfn-render';
import { end, type TNode } from './tree';
import { PLACEHOLDER_CLOSE, PLACEHOLDER_OPEN, type TemplateEdit } from './types';

export interface EditContext {
  text: string;
  json: string;
  rendered: RenderedNode[];
  root: TNode;
  resolver: Resolver;
  isJson: boolean;
  /** The rendered JSON's tree, parsed on the first fix translated and kept for the others. */
  parsed?: JsonNode;
}

/** A value is written as this when a placeholder in it has no `${…}` form. */
class CannotWrite extends Error {}

export function translateCfnEdit(ctx: EditContext, edit: { span: Span; newText: string }): TemplateEdit | undefined {
  const { json } = ctx;
  if (edit.span.offset < 0 || end(edit.span) > json.length) return undefined;
  const next = json.slice(0, edit.span.offset) + edit.newText + json.slice(end(edit.span));
  const errors: { error: number }[] = [];
  const newRoot = parseTree(next, errors as never[]);
  const oldRoot = (ctx.parsed ??= parseTree(json));
  if (!newRoot || !oldRoot || errors.length) return undefined;
  try {
    return new Differ(ctx, next).diff(oldRoot, newRoot, ctx.root);
  } catch (e) {
    if (e instanceof CannotWrite) return undefined;
    throw e;
  }
}

const textOf = (s: string, n: JsonNode): string => s.slice(n.offset, n.offset + n.length);
const sp = (n: number): string => ' '.repeat(Math.max(0, n));

class Differ {
  constructor(
    private readonly ctx: EditContext,
    private readonly next: string,
  ) {}

  private col(offset: number): number {
    return offset - (this.ctx.text.lastIndexOf('\n', offset - 1) + 1);
  }

  diff(oldJ: JsonNode, newJ: JsonNode, t: TNode): TemplateEdit | undefined {
    if (textOf(this.ctx.json, oldJ) === textOf(this.next, newJ)) return undefined;
    if (oldJ.type === 'object' && newJ.type === 'object' && t.t === 'map') return this.members(oldJ, newJ, t);
    if (oldJ.type === 'array' && newJ.type === 'array' && t.t === 'seq') return this.items(oldJ, newJ, t);
    return this.at(t.span, this.valueAt(jsonValue(newJ), t));
  }

  /** An edit at `span`; a block that starts on the next line takes the spaces after `key:` with it. */
  private at(span: Span, newText: string): TemplateEdit {
    let offset = span.offset;
    if (newText.startsWith('\n')) while (offset > 0 && this.ctx.text[offset - 1] === ' ') offset--;
    return { span: { offset, length: end(span) - offset }, newText };
  }

  private members(oldJ: JsonNode, newJ: JsonNode, t: TNode & { t: 'map' }): TemplateEdit | undefined {
    const o = oldJ.children ?? [];
    const n = newJ.children ?? [];
    if (o.length !== t.pairs.length) return this.replace(newJ, t);
    const same = (a: JsonNode, b: JsonNode) => textOf(this.ctx.json, a) === textOf(this.next, b);
    let i = 0;
    while (i < o.length && i < n.length && same(o[i], n[i])) i++;
    let jo = o.length;
    let jn = n.length;
    while (jo > i && jn > i && same(o[jo - 1], n[jn - 1])) {
      jo--;
      jn--;
    }
    if (jo - i === 1 && jn - i === 1) {
      const [ok, ov] = o[i].children ?? [];
      const [nk, nv] = n[i].children ?? [];
      if (ok && nk && ov && nv && ok.value === nk.value) return this.diff(ov, nv, t.pairs[i].value);
      if (ok && nk && ov && nv && textOf(this.ctx.json, ov) === textOf(this.next, nv)) {
        // A key renamed (a misspelt operator): the key alone, in its own quoting.
        const keySpan = t.pairs[i].keySpan;
        return { span: keySpan, newText: this.keyLike(String(nk.value), keySpan) };
      }
    }
    const added = n.slice(i, jn).map(p => {
      const [k, v] = p.children ?? [];
      return [String(k?.value), jsonValue(v)] as [string, unknown];
    });
    return this.region(
      t,
      t.pairs.slice(i, jo).map(p => p.span),
      t.pairs.map(p => p.span),
      i,
      added.map(([k, v]) => ({ key: k, value: v })),
    );
  }

  private items(oldJ: JsonNode, newJ: JsonNode, t: TNode & { t: 'seq' }): TemplateEdit | undefined {
    const o = oldJ.children ?? [];
    const n = newJ.children ?? [];
    if (o.length !== t.items.length) return this.replace(newJ, t);
    const same = (a: JsonNode, b: JsonNode) => textOf(this.ctx.json, a) === textOf(this.next, b);
    let i = 0;
    while (i < o.length && i < n.length && same(o[i], n[i])) i++;
    let jo = o.length;
    let jn = n.length;
    while (jo > i && jn > i && same(o[jo - 1], n[jn - 1])) {
      jo--;
      jn--;
    }
    if (jo - i === 1 && jn - i === 1) return this.diff(o[i], n[i], t.items[i]);
    return this.region(
      t,
      t.items.slice(i, jo).map(x => x.span),
      t.items.map(x => x.span),
      i,
      n.slice(i, jn).map(x => ({ value: jsonValue(x) })),
    );
  }

  /** Replace the children `removed` (from index `at` of `all`) of container `t` by `added`, like their neighbours. */
  private region(
    t: TNode & { t: 'map' | 'seq' },
    removed: Span[],
    all: Span[],
    at: number,
    added: { key?: string; value: unknown }[],
  ): TemplateEdit | undefined {
    const { text, isJson } = this.ctx;
    const flow = isJson || t.flow;
    if (flow) {
      // Comma-separated: `[a, b]`, `{"a": 1}`, one per line or all on one line.
      const multiLine = text.slice(t.span.offset, end(t.span)).includes('\n');
      const siblingAt = all[0]?.offset;
      const indent = siblingAt !== undefined && multiLine ? this.col(siblingAt) : this.col(t.span.offset) + 2;
      const sep = multiLine ? `,\n${sp(indent)}` : ', ';
      const rendered = added.map(
        a => (a.key !== undefined ? `${JSON.stringify(a.key)}: ` : '') + this.flowValue(a.value, indent, multiLine),
      );
      if (removed.length) {
        const from = removed[0].offset;
        const to = end(removed[removed.length - 1]);
        if (rendered.length) return { span: { offset: from, length: to - from }, newText: rendered.join(sep) };
        // Removal with the comma that joins to a neighbour.
        const after = all[at + removed.length];
        const before = all[at - 1];
        if (after) return { span: { offset: from, length: after.offset - from }, newText: '' };
        if (before) return { span: { offset: end(before), length: to - end(before) }, newText: '' };
        return { span: { offset: from, length: to - from }, newText: '' };
      }
      const before = all[at - 1];
      const after = all[at];
      if (before) return { span: { offset: end(before), length: 0 }, newText: sep + rendered.join(sep) };
      if (after) return { span: { offset: after.offset, length: 0 }, newText: rendered.join(sep) + sep.replace(/^,/, ',') };
      const inner = multiLine ? `\n${sp(indent)}${rendered.join(sep)}\n${sp(this.col(t.span.offset))}` : rendered.join(sep);
      return { span: { offset: t.span.offset + 1, length: Math.max(0, t.span.length - 2) }, newText: inner };
    }
    // A YAML block: one child per line, `- ` before items, at the children's column.
    const first = all[0];
    if (!first) return undefined;
    const dash = t.t === 'seq';
    const childCol = this.col(first.offset);
    const lineCol = dash ? this.dashCol(first.offset) : childCol;
    if (lineCol === undefined) return undefined;
    const lines = added.map(a => this.blockChild(a, lineCol, dash));
    if (removed.length) {
      const last = end(removed[removed.length - 1]);
      if (lines.length) {
        // From the first removed child (its dash, for an item) to the end of the last: the lines in between are rewritten.
        const from = dash ? this.ctx.text.lastIndexOf('\n', removed[0].offset - 1) + 1 + lineCol : removed[0].offset;
        return { span: { offset: from, length: last - from }, newText: lines.join(`\n${sp(lineCol)}`) };
      }
      // Removed whole lines, when the children stand on lines of their own.
      const from = this.lineStart(removed[0].offset);
      if (from === undefined || (!dash && from + lineCol !== removed[0].offset))
        return this.replaceWhole(t, all.length === removed.length);
      const nl = text.indexOf('\n', last);
      const to = nl < 0 ? text.length : nl + 1;
      return { span: { offset: from, length: to - from }, newText: '' };
    }
    const before = all[at - 1];
    if (before) return { span: { offset: end(before), length: 0 }, newText: lines.map(l => `\n${sp(lineCol)}${l}`).join('') };
    const startOfFirst = dash ? first.offset - (childCol - lineCol) : first.offset;
    return { span: { offset: startOfFirst, length: 0 }, newText: lines.map(l => `${l}\n${sp(lineCol)}`).join('') };
  }

  /** The column of the `- ` before a block sequence item starting at `offset`. */
  private dashCol(offset: number): number | undefined {
    const ls = this.ctx.text.lastIndexOf('\n', offset - 1) + 1;
    const before = this.ctx.text.slice(ls, offset);
    const m = /-\s*$/.exec(before);
    return m ? m.index : undefined;
  }

  /** The start of the line holding `offset`, when only indentation (and a dash) precede it there. */
  private lineStart(offset: number): number | undefined {
    const ls = this.ctx.text.lastIndexOf('\n', offset - 1) + 1;
    return /^[ ]*(-[ ]+)?$/.test(this.ctx.text.slice(ls, offset)) ? ls : undefined;
  }

  /** One child of a block collection at `col`: `- value` or `key: value`, nested lines indented below it. */
  private blockChild(a: { key?: string; value: unknown }, col: number, dash: boolean): string {
    if (dash) return '- ' + this.blockInline(a.value, col + 2);
    return this.keyText(a.key ?? '') + this.afterKey(a.value, col);
  }

  private afterKey(v: unknown, col: number): string {
    if (isContainer(v)) return `:\n${sp(col + 2)}${this.blockInline(v, col + 2)}`;
    return `: ${this.scalar(v)}`;
  }

  /** A value in block style whose first line continues where the cursor is, at column `col`. */
  private blockInline(v: unknown, col: number): string {
    if (Array.isArray(v)) {
      if (!v.length) return '[]';
      return v.map(i => '- ' + this.blockInline(i, col + 2)).join(`\n${sp(col)}`);
    }
    if (v && typeof v === 'object') {
      const entries = Object.entries(v);
      if (!entries.length) return '{}';
      return entries.map(([k, x]) => this.keyText(k) + this.afterKey(x, col)).join(`\n${sp(col)}`);
    }
    return this.scalar(v);
  }

  private keyText(k: string): string {
    return isPlainSafe(k) ? k : JSON.stringify(k);
  }

  private keyLike(k: string, span: Span): string {
    const raw = this.ctx.text[span.offset];
    if (this.ctx.isJson || raw === '"') return JSON.stringify(k);
    if (raw === "'") return `'${k.replace(/'/g, "''")}'`;
    return this.keyText(k);
  }

  /** A YAML scalar: a string with placeholders as `!Sub`, other strings plain where that reads back the same. */
  private scalar(v: unknown): string {
    if (typeof v === 'string') {
      const sub = this.subForm(v);
      if (sub !== undefined) return `!Sub ${JSON.stringify(sub)}`;
      return isPlainSafe(v) ? v : JSON.stringify(v);
    }
    return JSON.stringify(v) ?? 'null';
  }

  /** The template's indentation step: the first indented line's indentation (CDK writes one space, most people two). */
  private unit(): number {
    const m = /\n( +)\S/.exec(this.ctx.text);
    return m ? Math.min(8, m[1].length) : 2;
  }

  /** A JSON value for a flow collection or a JSON template, placeholders as `Fn::Sub` (JSON) or `!Sub` (YAML flow). */
  private flowValue(v: unknown, indent: number, multiLine: boolean, unit = this.unit()): string {
    const render = (x: unknown, ind: number): string => {
      if (typeof x === 'string') {
        const sub = this.subForm(x);
        if (sub === undefined) return JSON.stringify(x);
        return this.ctx.isJson
          ? `{${multiLine ? ' ' : ''}"Fn::Sub": ${JSON.stringify(sub)}${multiLine ? ' ' : ''}}`
          : `!Sub ${JSON.stringify(sub)}`;
      }
      if (Array.isArray(x) || (x && typeof x === 'object')) {
        const arr = Array.isArray(x);
        const parts = arr
          ? x.map(i => render(i, ind + unit))
          : Object.entries(x as object).map(([k, i]) => `${JSON.stringify(k)}: ${render(i, ind + unit)}`);
        const [o, c] = arr ? ['[', ']'] : ['{', '}'];
        if (!parts.length) return o + c;
        if (!multiLine || !this.ctx.isJson) return `${o}${parts.join(', ')}${c}`;
        return `${o}\n${sp(ind + unit)}${parts.join(`,\n${sp(ind + unit)}`)}\n${sp(ind)}${c}`;
      }
      return JSON.stringify(x) ?? 'null';
    };
    return render(v, indent);
  }

  /** `arn:aws:s3:::${?Bucket}/*` → `arn:aws:s3:::${Bucket}/*` for a `Sub`; undefined when it has no placeholder; throws when one has no `${…}` form. */
  private subForm(v: string): string | undefined {
    if (!v.includes(PLACEHOLDER_OPEN)) return undefined;
    let out = '';
    let pos = 0;
    while (pos < v.length) {
      const open = v.indexOf(PLACEHOLDER_OPEN, pos);
      if (open < 0) break;
      const close = v.indexOf(PLACEHOLDER_CLOSE, open + PLACEHOLDER_OPEN.length);
      if (close < 0) break;
      // Literal `${` in a Sub string is written `${!`.
      out += v.slice(pos, open).replace(/\$\{/g, '${!');
      const name = v.slice(open + PLACEHOLDER_OPEN.length, close);
      if (!this.ctx.resolver.subable.has(name)) throw new CannotWrite();
      out += '${' + name + '}';
      pos = close + PLACEHOLDER_CLOSE.length;
    }
    return out + v.slice(pos).replace(/\$\{/g, '${!');
  }

  /** Everything removed from a block that cannot lose lines (its first child shares a line with a dash or key): an empty collection. */
  private replaceWhole(t: TNode & { t: 'map' | 'seq' }, emptied: boolean): TemplateEdit | undefined {
    if (!emptied) return undefined;
    return { span: t.span, newText: t.t === 'map' ? '{}' : '[]' };
  }

  /** The whole of container `t` written anew (its children changed in more than one place). */
  private replace(newJ: JsonNode, t: TNode): TemplateEdit {
    return this.at(t.span, this.valueAt(jsonValue(newJ), t));
  }

  /** `v` written where `t` is, in `t`'s style: a scalar in its own quoting, a collection like `t`. */
  private valueAt(v: unknown, t: TNode): string {
    const { text, isJson } = this.ctx;
    if (typeof v === 'string' && t.t === 'scalar' && !v.includes(PLACEHOLDER_OPEN)) return renderScalarLike(text, t, v, isJson);
    if (isJson) {
      const multiLine = text.slice(t.span.offset, end(t.span)).includes('\n');
      const ls = text.lastIndexOf('\n', t.span.offset - 1) + 1;
      const indent = /^ */.exec(text.slice(ls))![0].length;
      return this.flowValue(v, indent, multiLine || isContainer(v));
    }
    if (t.t !== 'scalar' && t.t !== 'fn' && (t.flow || !isContainer(v))) return this.flowValue(v, 0, false);
    if (!isContainer(v)) return this.scalar(v);
    // A block collection replacing a scalar or a block: it starts at t's column.
    const col = this.col(t.span.offset);
    const before = text.slice(text.lastIndexOf('\n', t.span.offset - 1) + 1, t.span.offset);
    // After `key: ` on the same line a block collection cannot start: put it on the next line.
    if (/:\s*$/.test(before)) {
      const keyCol = /^ */.exec(before)![0].length;
      return `\n${sp(keyCol + 2)}${this.blockInline(v, keyCol + 2)}`;
    }
    return this.blockInline(v, col);
  }
}

const isContainer = (v: unknown): boolean =>
  Array.isArray(v) ? v.length > 0 : !!v && typeof v === 'object' && Object.keys(v).length > 0;

function jsonValue(n: JsonNode | undefined): unknown {
  if (!n) return null;
  if (n.type === 'object') {
    const out: Record<string, unknown> = {};
    for (const p of n.children ?? []) {
      const [k, v] = p.children ?? [];
      if (k) out[String(k.value)] = jsonValue(v);
    }
    return out;
  }
  if (n.type === 'array') return (n.children ?? []).map(jsonValue);
  return n.value;
}
