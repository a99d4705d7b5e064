// Values of HCL expressions, as far as the file itself fixes them: literals, tuples and objects,
// string templates, `local.*`, `var.*` with defaults, the name and ARN of a bucket with a literal
// `bucket`, and a few pure functions of literals (jsonencode, format, join, concat, lower, upper).
// Anything else (data sources, module outputs, variables without default, ARNs AWS assigns at
// creation, functions we do not evaluate) is an `unknown` value named as the user wrote it, which
// the rendered policy shows as a placeholder (docs/design/engine.md: unknown values are never a
// reason for a verdict). Evaluation is bounded: depth, work and cycles through locals.
import type { Span } from '../policy/model';
import type { HclNode } from './hcl-parse';
import { placeholder as placeholderText } from './types';

export type HVal =
  | {
      t: 'str';
      v: string;
      span: Span;
      literal: boolean;
      ref?: Span;
      parts?: StrPart[];
      interpolated?: { value: string; expr: Span }[];
    }
  | { t: 'num'; v: number; span: Span; ref?: Span }
  | { t: 'bool'; v: boolean; span: Span; ref?: Span }
  | { t: 'null'; span: Span; ref?: Span }
  | { t: 'list'; items: HVal[]; span: Span; ref?: Span }
  | { t: 'obj'; entries: ObjEntry[]; span: Span; ref?: Span }
  | { t: 'unknown'; name: string; span: Span; ref?: Span; symbolic?: boolean };

/** A piece of a string value: literal text, or an unknown value inside a template. */
export type StrPart = { text: string; unknown?: { name: string; span: Span; symbolic?: boolean } };

export interface ObjEntry {
  key: string;
  keySpan: Span;
  /** The whole `key = value` element. */
  elemSpan: Span;
  value: HVal;
}

export const spanOfNode = (n: HclNode): Span => ({ offset: n.start, length: n.end - n.start });

/** The first named child of the given type. */
export const child = (n: HclNode | undefined, type: string): HclNode | undefined => n?.children.find(c => c.type === type);

/** What a module defines, for references: its blocks by kind. */
export interface HclScope {
  text: string;
  /** `aws_s3_bucket.data` → the block's body. */
  resources: Map<string, HclNode>;
  /** `aws_iam_policy_document.data` → the block's body. */
  data: Map<string, HclNode>;
  locals: Map<string, HclNode>;
  /** Variable name → its default expression, or undefined when it has none. */
  variables: Map<string, HclNode | undefined>;
}

/** Deeper expressions are an unknown value: a policy is a handful of levels deep. */
export const MAX_EVAL_DEPTH = 64;
/** Work allowance for one evaluation (nodes visited, references followed included). */
export const MAX_EVAL_STEPS = 200_000;
/** Longest string a template or function may build: longer is an unknown value (a policy is at most 32 KB). */
const MAX_STRING = 256 * 1024;

/** Attributes of a block's body: name → expression node (the last one wins, as HCL forbids duplicates). */
export function attributes(
  body: HclNode | undefined,
  text: string,
): Map<string, { name: HclNode; expr: HclNode; node: HclNode }> {
  const out = new Map<string, { name: HclNode; expr: HclNode; node: HclNode }>();
  for (const c of body?.children ?? []) {
    if (c.type !== 'attribute') continue;
    const name = c.children[0];
    const expr = c.children[1];
    if (name?.type === 'identifier' && expr) out.set(text.slice(name.start, name.end), { name, expr, node: c });
  }
  return out;
}

/** The nested blocks of a body with the given type name. */
export function blocks(body: HclNode | undefined, type: string, text: string): HclNode[] {
  return (body?.children ?? []).filter(
    c => c.type === 'block' && c.children[0] && text.slice(c.children[0].start, c.children[0].end) === type,
  );
}

/** The body of a block (undefined for an empty block). */
export const bodyOf = (block: HclNode): HclNode | undefined => child(block, 'body');

/** A block's labels, decoded: `resource "aws_s3_bucket" "data"` → ["aws_s3_bucket", "data"]. */
export function labels(block: HclNode, text: string): string[] {
  const out: string[] = [];
  for (const c of block.children.slice(1)) {
    if (c.type === 'string_lit') out.push(text.slice(c.start + 1, c.end - 1));
    else if (c.type === 'identifier') out.push(text.slice(c.start, c.end));
    else break;
  }
  return out;
}

/** Decodes the escapes of an HCL quoted string's literal part (`\"`, `\\`, `\n`, `\uNNNN`, `$${`, `%%{`). */
export function decodeHclLiteral(raw: string): string {
  if (!raw.includes('\\') && !raw.includes('$${') && !raw.includes('%%{')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && i + 1 < raw.length) {
      const e = raw[++i];
      if (e === 'n') out += '\n';
      else if (e === 'r') out += '\r';
      else if (e === 't') out += '\t';
      else if (e === 'u' || e === 'U') {
        const len = e === 'u' ? 4 : 8;
        const hex = raw.slice(i + 1, i + 1 + len);
        const cp = /^[0-9a-fA-F]+$/.test(hex) && hex.length === len ? parseInt(hex, 16) : NaN;
        if (Number.isFinite(cp) && cp <= 0x10ffff) {
          out += String.fromCodePoint(cp);
          i += len;
        } else out += '\\' + e;
      } else out += e;
    } else if ((c === '$' || c === '%') && raw[i + 1] === c && raw[i + 2] === '{') {
      out += c + '{';
      i += 2;
    } else out += c;
  }
  return out;
}

/** A string as an HCL quoted string literal: escapes, and `${`/`%{` doubled so they stay text. */
export function hclQuote(s: string): string {
  return `"${hclEscape(s)}"`;
}

export function hclEscape(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(/\$\{/g, '$${')
    .replace(/%\{/g, '%%{');
}

/** The expression as the user reads it, for unknown values' names: whitespace collapsed, clipped. */
function exprName(text: string, n: HclNode): string {
  // The characters a placeholder cannot hold are replaced as placeholder() does, so the name in
  // the rendered policy and in the Unresolved list are one string.
  const s = text
    .slice(n.start, n.end)
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[{}"\\]/g, '_');
  return s.length > 80 ? s.slice(0, 79) + '…' : s;
}

/** `data.aws_partition.X.<attribute>`: the commercial partition's values, as CloudFormation's pseudo parameters are read. */
const PARTITION_LITERAL: Readonly<Record<string, string>> = { partition: 'aws', dns_suffix: 'amazonaws.com' };

/** Evaluates expressions of one module. One instance per scan; bounded by MAX_EVAL_STEPS in all. */
export class HclEvaluator {
  private steps = 0;
  private readonly activeLocals = new Set<string>();

  constructor(private readonly scope: HclScope) {}

  private textOf(n: HclNode): string {
    return this.scope.text.slice(n.start, n.end);
  }

  private name(n: HclNode): string {
    return exprName(this.scope.text, n);
  }

  /** The value of an expression node (`expression`, or any value node). */
  eval(n: HclNode, depth = 0): HVal {
    const span = spanOfNode(n);
    if (++this.steps > MAX_EVAL_STEPS || depth > MAX_EVAL_DEPTH) return { t: 'unknown', name: this.name(n), span };
    switch (n.type) {
      case 'expression': {
        const [first, ...rest] = n.children;
        if (!first) return { t: 'unknown', name: this.name(n), span };
        if (first.type === 'variable_expr') return this.reference(n, first, rest, depth);
        if (rest.length === 0) return this.eval(first, depth + 1);
        // A value followed by attribute or index access: `[...][0]`, `{...}.x`.
        return this.access(this.eval(first, depth + 1), rest, n, depth);
      }
      case 'literal_value':
      case 'collection_value':
      case 'template_expr':
      case 'function_arguments':
        return n.children[0] ? this.eval(n.children[0], depth + 1) : { t: 'unknown', name: this.name(n), span };
      case 'string_lit':
      case 'quoted_template':
        return this.template(n, depth);
      case 'heredoc_template':
        return this.template(n, depth);
      case 'numeric_lit': {
        const v = Number(this.textOf(n));
        return Number.isFinite(v) ? { t: 'num', v, span } : { t: 'unknown', name: this.name(n), span };
      }
      case 'bool_lit':
        return { t: 'bool', v: this.textOf(n) === 'true', span };
      case 'null_lit':
        return { t: 'null', span };
      case 'tuple':
        return {
          t: 'list',
          items: n.children.filter(c => c.type === 'expression').map(c => this.eval(c, depth + 1)),
          span,
        };
      case 'object':
        return { t: 'obj', entries: this.objectEntries(n, depth), span };
      case 'function_call':
        return this.call(n, depth);
      default:
        // Conditionals, operations, for expressions, splats: not evaluated.
        return { t: 'unknown', name: this.name(n), span };
    }
  }

  private objectEntries(n: HclNode, depth: number): ObjEntry[] {
    const out: ObjEntry[] = [];
    for (const elem of n.children) {
      if (elem.type !== 'object_elem') continue;
      const [k, v] = elem.children;
      if (!k || !v) continue;
      const key = this.objectKey(k, depth);
      if (key === undefined) continue;
      out.push({ key, keySpan: spanOfNode(k), elemSpan: spanOfNode(elem), value: this.eval(v, depth + 1) });
    }
    return out;
  }

  /** An object key: a bare identifier is its own name (HCL), a string is its value, `(expr)` is evaluated. */
  private objectKey(k: HclNode, depth: number): string | undefined {
    const inner = k.children.length === 1 ? k.children[0] : undefined;
    if (inner?.type === 'variable_expr' && k.children.length === 1) return this.textOf(inner);
    const v = this.eval(k, depth + 1);
    return v.t === 'str' ? v.v : v.t === 'unknown' ? undefined : v.t === 'num' || v.t === 'bool' ? String(v.v) : undefined;
  }

  /** A quoted string or heredoc: its literal pieces and interpolations joined. */
  private template(n: HclNode, depth: number): HVal {
    const span = spanOfNode(n);
    const parts: StrPart[] = [];
    const interpolated: { value: string; expr: Span }[] = [];
    let literal = true;
    let heredocStrip = false;
    for (const c of n.children) {
      if (c.type === 'heredoc_start') heredocStrip = this.textOf(c) === '<<-';
      if (c.type === 'template_literal') parts.push({ text: decodeHclLiteral(this.textOf(c)) });
      else if (c.type === 'template_interpolation') {
        literal = false;
        const expr = child(c, 'expression');
        const v = expr ? this.eval(expr, depth + 1) : undefined;
        const s = v ? stringOf(v) : undefined;
        if (s !== undefined) {
          parts.push({ text: s });
          if (expr) interpolated.push({ value: s, expr: spanOfNode(expr) });
        } else if (v?.t === 'str' && v.parts) {
          // A value with an unknown part of its own (a bucket's ARN around its generated name).
          parts.push(...v.parts);
          if (expr) interpolated.push({ value: partsText(v.parts), expr: spanOfNode(expr) });
        } else
          parts.push({
            text: '',
            unknown: {
              name: v && v.t === 'unknown' ? v.name : this.name(c),
              span: spanOfNode(c),
              symbolic: v?.t === 'unknown' ? v.symbolic : undefined,
            },
          });
      } else if (c.type === 'template_directive') {
        literal = false;
        parts.push({ text: '', unknown: { name: this.name(c), span: spanOfNode(c) } });
      }
    }
    if (n.type === 'heredoc_template') {
      // The grammar drops the first line's indentation; the raw text between the lines is the value.
      return { t: 'str', v: heredocBody(this.scope.text, n, heredocStrip), span, literal, parts: undefined };
    }
    const v = parts.map(p => p.text).join('');
    if (v.length > MAX_STRING) return { t: 'unknown', name: this.name(n), span };
    return {
      t: 'str',
      v,
      span,
      literal,
      parts: parts.some(p => p.unknown) ? parts : undefined,
      interpolated: interpolated.length ? interpolated : undefined,
    };
  }

  /** `local.x`, `var.x`, `aws_s3_bucket.b.arn`, `data.x.y.z`, with any further access. */
  private reference(whole: HclNode, root: HclNode, rest: HclNode[], depth: number): HVal {
    const span = spanOfNode(whole);
    const head = this.textOf(root);
    const attrs: string[] = [];
    let i = 0;
    for (; i < rest.length && rest[i].type === 'get_attr'; i++) {
      const id = child(rest[i], 'identifier');
      if (!id) break;
      attrs.push(this.textOf(id));
    }
    // An attribute of a resource of this module (a key's ARN, a generated bucket name) or the
    // caller's account, Region, partition: one value, the same wherever it appears. Variables
    // without default and other data sources could be anything.
    const symbolic =
      (attrs.length >= 2 && this.scope.resources.has(`${head}.${attrs[0]}`)) ||
      (head === 'data' && ['aws_caller_identity', 'aws_region', 'aws_partition'].includes(attrs[0] ?? ''));
    const unknown = (): HVal => ({ t: 'unknown', name: this.name(whole), span, symbolic });
    let value: HVal | undefined;
    let used = 0;
    if (head === 'local' && attrs.length >= 1) {
      value = this.local(attrs[0], depth);
      used = 1;
    } else if (head === 'data' && attrs[0] === 'aws_partition' && attrs.length >= 3 && PARTITION_LITERAL[attrs[2]]) {
      // The partition and its DNS suffix are read as CloudFormation's AWS::Partition and
      // AWS::URLSuffix are (cfn-resolve.ts): the commercial partition's.
      value = { t: 'str', v: PARTITION_LITERAL[attrs[2]], span, literal: false };
      used = 3;
    } else if (head === 'var' && attrs.length >= 1) {
      const def = this.scope.variables.get(attrs[0]);
      value = def ? this.eval(def, depth + 1) : undefined;
      used = 1;
    } else if (head === 'aws_s3_bucket' && attrs.length >= 2) {
      const name = this.bucketName(attrs[0], depth);
      const id = attrs[1] === 'id' || attrs[1] === 'bucket';
      if (name !== undefined && id) value = { t: 'str', v: name, span, literal: false };
      else if (name !== undefined && attrs[1] === 'arn') value = { t: 'str', v: `arn:aws:s3:::${name}`, span, literal: false };
      else if (this.scope.resources.has(`aws_s3_bucket.${attrs[0]}`) && (id || attrs[1] === 'arn')) {
        // A bucket of this module whose name is not written out: one name, the same in its ARN,
        // its id and the policy's bucket.
        const unknownName = { name: `aws_s3_bucket.${attrs[0]}.bucket`, span, symbolic: true };
        if (id) value = { t: 'unknown', ...unknownName };
        else
          value = {
            t: 'str',
            v: '',
            span,
            literal: false,
            parts: [{ text: 'arn:aws:s3:::' }, { text: '', unknown: unknownName }],
          };
        if (value.t === 'str') value.v = partsText(value.parts!);
        if (attrs.length === 2) return { ...value, ref: value.t === 'unknown' ? undefined : span } as HVal;
      }
      used = 2;
    }
    if (!value || value.t === 'unknown') return unknown();
    // The value as seen from here: findings land on the reference, not on the definition.
    let out: HVal = { ...value, ref: span } as HVal;
    const more = [...attrs.slice(used).map(a => ({ attr: a })), ...rest.slice(i).map(n => ({ node: n }))];
    for (const step of more) {
      if (out.t === 'unknown') return unknown();
      if ('attr' in step) {
        const e = out.t === 'obj' ? out.entries.find(x => x.key === step.attr) : undefined;
        if (!e) return unknown();
        out = { ...e.value, ref: span } as HVal;
      } else {
        const accessed = this.access(out, [step.node], whole, depth);
        if (accessed.t === 'unknown') return unknown();
        out = { ...accessed, ref: span } as HVal;
      }
    }
    return out;
  }

  /** `value[0]`, `value.key`, `value["key"]` on a known value. */
  private access(value: HVal, steps: HclNode[], whole: HclNode, depth: number): HVal {
    const unknown = (): HVal => ({ t: 'unknown', name: this.name(whole), span: spanOfNode(whole) });
    let out = value;
    for (const s of steps) {
      if (s.type === 'get_attr') {
        const id = child(s, 'identifier');
        const e = id && out.t === 'obj' ? out.entries.find(x => x.key === this.textOf(id)) : undefined;
        if (!e) return unknown();
        out = e.value;
      } else if (s.type === 'index') {
        const idxExpr = s.children[0]?.children.find(c => c.type === 'expression');
        const idx = idxExpr ? this.eval(idxExpr, depth + 1) : undefined;
        if (out.t === 'list' && idx?.t === 'num' && Number.isInteger(idx.v) && idx.v >= 0 && idx.v < out.items.length)
          out = out.items[idx.v];
        else if (out.t === 'obj' && idx?.t === 'str') {
          const e = out.entries.find(x => x.key === idx.v);
          if (!e) return unknown();
          out = e.value;
        } else return unknown();
      } else return unknown();
    }
    return out;
  }

  private local(name: string, depth: number): HVal | undefined {
    const expr = this.scope.locals.get(name);
    if (!expr || this.activeLocals.has(name)) return undefined; // undefined or a cycle: unknown
    this.activeLocals.add(name);
    try {
      return this.eval(expr, depth + 1);
    } finally {
      this.activeLocals.delete(name);
    }
  }

  /** The literal (or resolved) `bucket` of `aws_s3_bucket.<name>`. */
  bucketName(resource: string, depth = 0): string | undefined {
    const body = this.scope.resources.get(`aws_s3_bucket.${resource}`);
    const expr = attributes(body, this.scope.text).get('bucket')?.expr;
    if (!expr) return undefined;
    const key = `aws_s3_bucket.${resource}`;
    if (this.activeLocals.has(key)) return undefined;
    this.activeLocals.add(key);
    try {
      const v = this.eval(expr, depth + 1);
      return v.t === 'str' && !v.parts ? v.v : undefined;
    } finally {
      this.activeLocals.delete(key);
    }
  }

  private call(n: HclNode, depth: number): HVal {
    const span = spanOfNode(n);
    const name = this.textOf(n.children[0] ?? n);
    const argsNode = child(n, 'function_arguments');
    const args = (argsNode?.children ?? []).filter(c => c.type === 'expression').map(c => this.eval(c, depth + 1));
    const unknown = (): HVal => ({ t: 'unknown', name: this.name(n), span });
    const strs = (): string[] | undefined => {
      const out = args.map(stringOf);
      return out.every((s): s is string => s !== undefined) ? out : undefined;
    };
    switch (name) {
      case 'jsonencode': {
        const plain = args.length === 1 ? toPlain(args[0]) : undefined;
        return plain === undefined ? unknown() : { t: 'str', v: JSON.stringify(plain), span, literal: false };
      }
      case 'lower':
      case 'upper':
      case 'tostring': {
        const s = strs();
        if (!s || s.length !== 1) return unknown();
        const v = name === 'lower' ? s[0].toLowerCase() : name === 'upper' ? s[0].toUpperCase() : s[0];
        return { t: 'str', v, span, literal: false };
      }
      case 'format': {
        const s = strs();
        if (!s || s.length === 0) return unknown();
        const v = formatVerbs(s[0], s.slice(1));
        return v === undefined ? unknown() : { t: 'str', v, span, literal: false };
      }
      case 'join': {
        const sep = args[0] ? stringOf(args[0]) : undefined;
        const items = args.slice(1).flatMap(a => (a.t === 'list' ? a.items : [a]));
        const s = items.map(stringOf);
        if (sep === undefined || args.length < 2 || !s.every(x => x !== undefined)) return unknown();
        const v = s.join(sep);
        return v.length > MAX_STRING ? unknown() : { t: 'str', v, span, literal: false };
      }
      case 'concat':
      case 'tolist':
      case 'toset':
      case 'distinct': {
        if (name !== 'concat' && args.length !== 1) return unknown();
        if (!args.every(a => a.t === 'list')) return unknown();
        let items = args.flatMap(a => (a.t === 'list' ? a.items : []));
        if (name === 'toset' || name === 'distinct') {
          const seen = new Set<string>();
          items = items.filter(it => {
            const k = JSON.stringify(toPlain(it) ?? null);
            if (seen.has(k)) return false;
            seen.add(k);
            return true;
          });
        }
        return { t: 'list', items, span };
      }
      default:
        return unknown();
    }
  }
}

/** `format` with `%s`, `%d`, `%v` and `%%` only; anything else is not evaluated. */
function formatVerbs(fmt: string, args: string[]): string | undefined {
  let out = '';
  let next = 0;
  for (let i = 0; i < fmt.length; i++) {
    if (fmt[i] !== '%') {
      out += fmt[i];
      continue;
    }
    const verb = fmt[++i];
    if (verb === '%') out += '%';
    else if ((verb === 's' || verb === 'd' || verb === 'v') && next < args.length) out += args[next++];
    else return undefined;
  }
  return next === args.length && out.length <= MAX_STRING ? out : undefined;
}

/** A string's parts with placeholders for its unknown ones: what the rendered policy shows. */
export function partsText(parts: readonly StrPart[]): string {
  return parts.map(p => (p.unknown ? placeholderText(p.unknown.name) : p.text)).join('');
}

/** A known scalar as a string (what interpolation does), or undefined. */
export function stringOf(v: HVal): string | undefined {
  if (v.t === 'str') return v.parts ? undefined : v.v;
  if (v.t === 'num') return String(v.v);
  if (v.t === 'bool') return String(v.v);
  return undefined;
}

/** A fully known value as plain JSON data, or undefined when any part is unknown. */
export function toPlain(v: HVal, depth = 0): unknown {
  if (depth > MAX_EVAL_DEPTH) return undefined;
  switch (v.t) {
    case 'str':
      return v.parts ? undefined : v.v;
    case 'num':
    case 'bool':
      return v.v;
    case 'null':
      return null;
    case 'list': {
      const out: unknown[] = [];
      for (const it of v.items) {
        const p = toPlain(it, depth + 1);
        if (p === undefined) return undefined;
        out.push(p);
      }
      return out;
    }
    case 'obj': {
      const out: Record<string, unknown> = {};
      for (const e of v.entries) {
        const p = toPlain(e.value, depth + 1);
        if (p === undefined) return undefined;
        out[e.key] = p;
      }
      return out;
    }
    default:
      return undefined;
  }
}

/**
 * The text of a heredoc between its opening line and its closing marker. For `<<-`, Terraform
 * removes the common leading whitespace of the lines; JSON ignores whitespace between tokens, so
 * for a JSON heredoc the raw lines are the same document, and offsets stay those of the file.
 */
export function heredocBody(text: string, n: HclNode, strip: boolean): string {
  const r = heredocRange(text, n);
  const body = text.slice(r.start, r.end);
  if (!strip) return body;
  const lines = body.split('\n');
  const indents = lines.filter(l => l.trim() !== '').map(l => /^[ \t]*/.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map(l => l.slice(Math.min(cut, /^[ \t]*/.exec(l)![0].length))).join('\n');
}

/** Offsets of a heredoc's content: after the line break that ends `<<EOF`, up to the line of the closing marker. */
export function heredocRange(text: string, n: HclNode): { start: number; end: number } {
  const ids = n.children.filter(c => c.type === 'heredoc_identifier');
  const open = ids[0];
  const close = ids.length > 1 ? ids[ids.length - 1] : undefined;
  let start = open ? text.indexOf('\n', open.end) : -1;
  start = start < 0 || start > n.end ? n.end : start + 1;
  let end = close ? close.start : n.end;
  // Back to the start of the closing marker's line (its indentation is not content).
  while (end > start && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  return { start, end: Math.max(start, end) };
}

/**
 * The references inside a value, as (rendered text → expression) pairs, so that a fix rewriting
 * the value can write them back as references instead of their values.
 */
export function collectRefs(
  v: HVal,
  text: string,
  out: { value: string; expr: string }[] = [],
  depth = 0,
): { value: string; expr: string }[] {
  if (depth > MAX_EVAL_DEPTH || out.length > 1000) return out;
  const src = (s: Span) => text.slice(s.offset, s.offset + s.length).trim();
  if (v.ref) {
    const s = stringOf(v) ?? (v.t === 'str' && v.parts ? partsText(v.parts) : undefined);
    if (s !== undefined) out.push({ value: s, expr: src(v.ref) });
    return out;
  }
  switch (v.t) {
    case 'str':
      for (const i of v.interpolated ?? []) out.push({ value: i.value, expr: src(i.expr) });
      for (const p of v.parts ?? [])
        if (p.unknown) {
          const inner = src(p.unknown.span);
          out.push({ value: placeholderText(p.unknown.name), expr: inner.startsWith('${') ? inner.slice(2, -1).trim() : inner });
        }
      break;
    case 'unknown':
      out.push({ value: placeholderText(v.name), expr: src(v.span) });
      break;
    case 'list':
      for (const i of v.items) collectRefs(i, text, out, depth + 1);
      break;
    case 'obj':
      for (const e of v.entries) collectRefs(e.value, text, out, depth + 1);
      break;
  }
  return out;
}
