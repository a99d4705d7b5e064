// A policy value of a CloudFormation template rendered as the JSON policy text the engine reads,
// with its source map: every value, key and member of the JSON remembers the template span that
// produced it. Intrinsic functions are rendered as the string they resolve to (placeholders for what
// the template does not fix). No vscode or LSP imports.
import type { Span } from '../policy/model';
import type { Resolver } from './cfn-resolve';
import { translateCfnEdit } from './cfn-edits';
import { scalarCharOffsets, SourceMap } from './source-map';
import { end, type TNode } from './tree';
import { placeholder, type EmbeddedPolicy, type Unresolved } from './types';

/** What the renderer remembers of each rendered value: fixes are translated through it. */
export interface RenderedNode {
  node: TNode;
  json: Span;
}

export interface RenderOptions {
  kind: EmbeddedPolicy['kind'];
  location: string;
  /** The template is JSON (CloudFormation JSON, CDK output), else YAML. */
  json: boolean;
}

const INDENT = '  ';

class Writer {
  out = '';
  readonly rendered: RenderedNode[] = [];
  readonly unresolved: Unresolved[] = [];
  constructor(
    readonly text: string,
    readonly resolver: Resolver,
    readonly map: SourceMap,
  ) {}

  string(value: string, node: TNode, exact: boolean): void {
    const start = this.out.length;
    const quoted = JSON.stringify(value);
    this.out += quoted;
    const json = { offset: start, length: quoted.length };
    let chars: { json: number; template: number; length: number } | undefined;
    if (exact && node.t === 'scalar' && quoted.length === value.length + 2) {
      const offsets = scalarCharOffsets(this.text.slice(node.span.offset, end(node.span)), node.span.offset, node.style);
      // One for one only when the scalar's characters are contiguous in the template.
      if (
        offsets &&
        offsets.length === value.length &&
        (value.length === 0 || offsets[value.length - 1] - offsets[0] === value.length - 1)
      )
        chars = { json: start + 1, template: offsets[0] ?? node.span.offset, length: value.length };
    }
    this.map.add({ json, template: node.span, chars });
    this.rendered.push({ node, json });
  }

  value(node: TNode, indent: string): void {
    const start = this.out.length;
    switch (node.t) {
      case 'scalar':
        if (typeof node.value === 'string') return this.string(node.value, node, true);
        this.out +=
          node.value === null
            ? 'null'
            : typeof node.value === 'number' && !Number.isFinite(node.value)
              ? JSON.stringify(String(node.value))
              : JSON.stringify(node.value);
        break;
      case 'fn': {
        const v = this.resolver.string(node, this.unresolved);
        return this.string(v ?? placeholder(node.fn), node, false);
      }
      case 'map': {
        if (!node.pairs.length) {
          this.out += '{}';
          break;
        }
        const inner = indent + INDENT;
        this.out += '{\n';
        node.pairs.forEach((p, i) => {
          const pairStart = this.out.length + inner.length;
          this.out += inner;
          const key = JSON.stringify(p.key);
          this.map.add({ json: { offset: this.out.length, length: key.length }, template: p.keySpan });
          this.out += key + ': ';
          this.value(p.value, inner);
          this.map.add({ json: { offset: pairStart, length: this.out.length - pairStart }, template: p.span });
          this.out += i < node.pairs.length - 1 ? ',\n' : '\n';
        });
        this.out += indent + '}';
        break;
      }
      case 'seq': {
        if (!node.items.length) {
          this.out += '[]';
          break;
        }
        const inner = indent + INDENT;
        this.out += '[\n';
        node.items.forEach((item, i) => {
          this.out += inner;
          this.value(item, inner);
          this.out += i < node.items.length - 1 ? ',\n' : '\n';
        });
        this.out += indent + ']';
        break;
      }
    }
    const json = { offset: start, length: this.out.length - start };
    this.map.add({ json, template: node.span });
    this.rendered.push({ node, json });
  }
}

/** The policy at `node` as an EmbeddedPolicy: an object (YAML mapping, JSON object) or a JSON document written as one string. */
export function renderPolicy(text: string, resolver: Resolver, node: TNode, opts: RenderOptions): EmbeddedPolicy | undefined {
  const map = new SourceMap(node.span);
  if (node.t === 'scalar' && typeof node.value === 'string') return stringPolicy(text, node, opts);
  if (node.t !== 'map') return undefined;
  const w = new Writer(text, resolver, map);
  w.value(node, '');
  const json = w.out;
  const editContext = { text, json, rendered: w.rendered, root: node, resolver, isJson: opts.json };
  const policy: EmbeddedPolicy = {
    kind: opts.kind,
    location: opts.location,
    span: node.span,
    syntax: opts.json ? 'cfn-json' : 'cfn-yaml',
    json,
    toTemplate: span => map.toTemplate(span),
    translateEdit: edit => translateCfnEdit(editContext, edit),
    unresolved: w.unresolved,
  };
  return policy;
}

/** `PolicyDocument: '{"Version": …}'`: the string is the policy; offsets inside it map one for one where the scalar allows. */
function stringPolicy(text: string, node: TNode & { t: 'scalar' }, opts: RenderOptions): EmbeddedPolicy {
  const json = String(node.value);
  const raw = text.slice(node.span.offset, end(node.span));
  const offsets = scalarCharOffsets(raw, node.span.offset, node.style);
  const exact = offsets && offsets.length === json.length ? offsets : undefined;
  return {
    kind: opts.kind,
    location: opts.location,
    span: node.span,
    syntax: 'cfn-json-string',
    json,
    toTemplate: span => {
      if (!exact || span.offset >= json.length) return node.span;
      const from = exact[span.offset];
      const last = exact[Math.min(json.length, end(span)) - 1] ?? from;
      return span.length === 0 ? { offset: from, length: 0 } : { offset: from, length: Math.max(1, last + 1 - from) };
    },
    translateEdit: edit => {
      if (edit.span.offset < 0 || end(edit.span) > json.length) return undefined;
      const next = json.slice(0, edit.span.offset) + edit.newText + json.slice(end(edit.span));
      return { span: node.span, newText: renderScalarLike(text, node, next, opts.json) };
    },
    unresolved: [],
  };
}

/** `value` as a scalar written in the style of `node` (a string policy rewritten whole). */
export function renderScalarLike(text: string, node: TNode & { t: 'scalar' }, value: string, json: boolean): string {
  if (json) return JSON.stringify(value);
  if (node.style === 'single' && !value.includes('\n')) return `'${value.replace(/'/g, "''")}'`;
  if (node.style === 'literal') {
    const raw = text.slice(node.span.offset, end(node.span));
    const header = raw.slice(0, raw.indexOf('\n'));
    const indent = /\n( +)\S/.exec(raw)?.[1] ?? '  ';
    const body = value
      .replace(/\n$/, '')
      .split('\n')
      .map(l => (l ? indent + l : l));
    return `${header}\n${body.join('\n')}`;
  }
  if (node.style === 'plain' && isPlainSafe(value)) return value;
  return JSON.stringify(value);
}

/** Can `value` be written as a plain YAML scalar and read back as the same string? */
export function isPlainSafe(value: string): boolean {
  if (!/^[A-Za-z0-9_./][A-Za-z0-9_./:*\-+=@]*$/.test(value)) return false;
  if (/: |:$/.test(value)) return false;
  // What YAML would read as another type.
  if (/^(true|false|yes|no|on|off|null|y|n|~)$/i.test(value)) return false;
  if (/^[-+]?(\d[\d_]*)?\.?\d*([eE][-+]?\d+)?$/.test(value) || /^0[xo]/i.test(value)) return false;
  return true;
}
