// The Terraform scanner: finds bucket and key policies in a .tf file and the resources around
// them (buckets, their encryption settings and public access block, KMS keys), with template
// ranges. Policies are rendered to the JSON text Terraform would send to AWS:
//   - `policy = jsonencode({...})`: the HCL object as JSON (`hcl-jsonencode`);
//   - `policy = <<EOF ... EOF` or a quoted JSON string: the text itself (`hcl-heredoc`);
//   - `policy = data.aws_iam_policy_document.X.json`: the document's statements, with
//     `source_policy_documents` and `override_policy_documents` merged as the AWS provider merges
//     them (statements with a Sid replace earlier ones with the same Sid, others are added), and
//     its rendering rules (one value is a string, principals become a map, "*" / "*" is "*").
// The parser must be loaded first (`initTerraform`, once at start-up); before that, scan() returns
// a result that says so.
import type { Span } from '../policy/model';
import {
  attributes,
  blocks,
  bodyOf,
  child,
  collectRefs,
  HclEvaluator,
  hclQuote,
  labels,
  spanOfNode,
  stringOf,
  toPlain,
  decodeHclLiteral,
  type HclScope,
  type HVal,
} from './hcl-eval';
import { parseHcl, parseHclByParts, type HclNode } from './hcl-parse';
import {
  combineEdits,
  diffEdits,
  hclString,
  hclValue,
  heredocEscape,
  plainOf,
  quotedEscape,
  renderTree,
  SegmentWriter,
  segmentsToTemplate,
  translateTextEdit,
  treeToTemplate,
  type MapMember,
  type MapNode,
  type RefText,
} from './hcl-render';
import {
  placeholder,
  type EmbeddedPolicy,
  type PartCache,
  type TemplateBucket,
  type TemplateKey,
  type TemplateScan,
  type TemplateScanner,
  type Unresolved,
} from './types';

export { initTerraform, terraformReady, HCL_WASM_FILES } from './hcl-parse';

/** Policy documents referencing each other deeper than this are not followed (a cycle, or a chain no one writes). */
const MAX_DOCUMENT_DEPTH = 8;
/** At most this many policies per file: a module of 500 KB holds about fifty. */
const MAX_POLICIES = 500;

export const terraformScanner: TemplateScanner = {
  format: 'terraform',
  claims: (fileName: string) => /\.tf$/i.test(fileName),
  scan: (text: string, fileName: string, parts?: PartCache) => scanTerraform(text, fileName, parts),
};

const empty = (extra: Partial<TemplateScan>): TemplateScan => ({
  format: 'terraform',
  policies: [],
  buckets: [],
  keys: [],
  errors: [],
  ...extra,
});

export function scanTerraform(text: string, _fileName = 'main.tf', parts?: PartCache, whole = false): TemplateScan {
  const parsed = whole ? parseHcl(text) : parseHclByParts(text, parts);
  if (!parsed.root) return empty({ errors: parsed.errors, notScanned: parsed.notParsed ?? 'the file could not be parsed' });
  try {
    return new TfScan(text, parsed.root).run(parsed.errors);
  } catch (e) {
    // A bug of ours must not take the editor down: the file is then not scanned, and says why.
    return empty({
      errors: parsed.errors,
      notScanned: `the file could not be scanned (${e instanceof Error ? e.message.split('\n')[0] : e})`,
    });
  }
}

interface Doc {
  version?: MapNode;
  id?: MapNode;
  statements: { sid?: string; node: MapNode }[];
  unresolved: Unresolved[];
  /** All statements are blocks of this document (no merged ones): statements can be inserted. */
  ownOnly: boolean;
  /** The references in its statements, for writing a new statement with them. */
  refs: RefText[];
}

class TfScan {
  private readonly scope: HclScope;
  private readonly ev: HclEvaluator;
  /** Blocks by `type.name` (resources) and `data.type.name`, with their spans. */
  private readonly resourceBlocks = new Map<string, HclNode>();
  private readonly dataBlocks = new Map<string, HclNode>();

  constructor(
    private readonly text: string,
    root: HclNode,
  ) {
    this.scope = { text, resources: new Map(), data: new Map(), locals: new Map(), variables: new Map() };
    for (const block of child(root, 'body')?.children ?? []) {
      if (block.type !== 'block') continue;
      const kind = this.t(block.children[0]);
      const ls = labels(block, text);
      const body = bodyOf(block);
      if (kind === 'resource' && ls.length === 2) {
        this.scope.resources.set(`${ls[0]}.${ls[1]}`, body ?? block);
        this.resourceBlocks.set(`${ls[0]}.${ls[1]}`, block);
      } else if (kind === 'data' && ls.length === 2) {
        this.scope.data.set(`${ls[0]}.${ls[1]}`, body ?? block);
        this.dataBlocks.set(`${ls[0]}.${ls[1]}`, block);
      } else if (kind === 'locals') {
        for (const [name, a] of attributes(body, text)) this.scope.locals.set(name, a.expr);
      } else if (kind === 'variable' && ls.length === 1) {
        this.scope.variables.set(ls[0], attributes(body, text).get('default')?.expr);
      }
    }
    this.ev = new HclEvaluator(this.scope);
  }

  private t(n: HclNode | undefined): string {
    return n ? this.text.slice(n.start, n.end) : '';
  }

  private resources(type: string): [string, HclNode][] {
    return [...this.resourceBlocks].filter(([k]) => k.startsWith(type + '.') && k.indexOf('.', type.length + 1) < 0);
  }

  run(errors: TemplateScan['errors']): TemplateScan {
    const policies: EmbeddedPolicy[] = [];
    const push = (p: EmbeddedPolicy | undefined) => {
      if (p && policies.length < MAX_POLICIES) policies.push(p);
    };
    for (const [key, block] of this.resources('aws_s3_bucket_policy')) {
      const a = attributes(bodyOf(block), this.text);
      const policy = a.get('policy');
      if (!policy) continue;
      const target = this.bucketTarget(a.get('bucket')?.expr);
      push(this.policyFrom(policy.expr, 'bucket-policy', key, target));
    }
    // The inline `policy` of aws_s3_bucket (deprecated, still common).
    for (const [key, block] of this.resources('aws_s3_bucket')) {
      const policy = attributes(bodyOf(block), this.text).get('policy');
      if (policy)
        push(
          this.policyFrom(policy.expr, 'bucket-policy', `${key}.policy`, {
            attachedTo: key,
            bucketName: this.ev.bucketName(key.split('.')[1]) ?? placeholder(`${key}.bucket`),
          }),
        );
    }
    for (const [key, block] of this.resources('aws_kms_key')) {
      const policy = attributes(bodyOf(block), this.text).get('policy');
      if (policy) push(this.policyFrom(policy.expr, 'key-policy', key, { attachedTo: key }));
    }
    for (const [key, block] of this.resources('aws_kms_key_policy')) {
      const a = attributes(bodyOf(block), this.text);
      const policy = a.get('policy');
      if (!policy) continue;
      push(
        this.policyFrom(policy.expr, 'key-policy', key, {
          attachedTo: this.referencedResource(a.get('key_id')?.expr, 'aws_kms_key'),
        }),
      );
    }
    return { format: 'terraform', policies, buckets: this.buckets(), keys: this.keys(), errors };
  }

  /** `aws_s3_bucket.data` when `expr` is `aws_s3_bucket.data.<attr>`. */
  private referencedResource(expr: HclNode | undefined, type: string): string | undefined {
    const m = expr && /^\s*([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)\.[A-Za-z_]\w*\s*$/.exec(this.t(expr));
    return m && m[1] === type && this.resourceBlocks.has(`${m[1]}.${m[2]}`) ? `${m[1]}.${m[2]}` : undefined;
  }

  /** The bucket a resource's `bucket` argument names: by reference to a bucket resource, or by its literal name. */
  private bucketTarget(expr: HclNode | undefined): { attachedTo?: string; bucketName?: string } {
    if (!expr) return {};
    const ref = this.referencedResource(expr, 'aws_s3_bucket');
    // A bucket of this module without a literal name: the same symbol its ARN carries in the policy.
    if (ref) return { attachedTo: ref, bucketName: this.ev.bucketName(ref.split('.')[1]) ?? placeholder(`${ref}.bucket`) };
    const v = this.ev.eval(expr);
    const name = stringOf(v);
    if (name === undefined) return {};
    const owner = this.resources('aws_s3_bucket').find(([k]) => this.ev.bucketName(k.split('.')[1]) === name);
    return { attachedTo: owner?.[0], bucketName: name };
  }

  // -------------------------------------------------------------------------------------------
  // Policies

  private policyFrom(
    expr: HclNode,
    kind: EmbeddedPolicy['kind'],
    location: string,
    target: { attachedTo?: string; bucketName?: string },
  ): EmbeddedPolicy | undefined {
    const inner = expr.children.length === 1 ? expr.children[0] : undefined;
    const base = { kind, location, attachedTo: target.attachedTo, bucketName: target.bucketName };
    // jsonencode({...})
    if (inner?.type === 'function_call' && this.t(inner.children[0]) === 'jsonencode') {
      const arg = child(child(inner, 'function_arguments'), 'expression');
      if (!arg) return undefined;
      const root = this.toMap(this.ev.eval(arg));
      return this.treePolicy(base, root, spanOfNode(expr), 'hcl-jsonencode');
    }
    // <<EOF ... EOF, or "{\"Version\": ...}"
    const tmpl =
      inner?.type === 'template_expr' ? inner.children[0] : inner?.type === 'literal_value' ? inner.children[0] : undefined;
    if (tmpl && (tmpl.type === 'heredoc_template' || tmpl.type === 'quoted_template' || tmpl.type === 'string_lit'))
      return this.textPolicy(base, tmpl, spanOfNode(expr));
    // data.aws_iam_policy_document.X.json
    const doc = this.documentReference(expr);
    if (doc) {
      const block = this.dataBlocks.get(`aws_iam_policy_document.${doc}`)!;
      const d = this.document(doc, 0, new Set());
      return this.treePolicy(
        { ...base, location: `data.aws_iam_policy_document.${doc}` },
        this.documentRoot(d, block),
        spanOfNode(block),
        'hcl-policy-document',
        d.unresolved,
      );
    }
    // Anything else that evaluates to a JSON string (a local holding a heredoc, a variable's default).
    const v = this.ev.eval(expr);
    if (v.t === 'str' && !v.parts) {
      let plain: unknown;
      try {
        plain = JSON.parse(v.v);
      } catch {
        return undefined;
      }
      const root = plainToMap(plain, spanOfNode(expr));
      return this.treePolicy(base, root, spanOfNode(expr), 'hcl-jsonencode');
    }
    return undefined;
  }

  /** `X` when `expr` is `data.aws_iam_policy_document.X.json` and the file defines X. */
  private documentReference(expr: HclNode): string | undefined {
    const m = /^\s*data\.aws_iam_policy_document\.([A-Za-z_][\w-]*)\.json\s*$/.exec(this.t(expr));
    return m && this.dataBlocks.has(`aws_iam_policy_document.${m[1]}`) ? m[1] : undefined;
  }

  private treePolicy(
    base: Pick<EmbeddedPolicy, 'kind' | 'location' | 'attachedTo' | 'bucketName'>,
    root: MapNode,
    span: Span,
    syntax: EmbeddedPolicy['syntax'],
    extraUnresolved: Unresolved[] = [],
  ): EmbeddedPolicy {
    const r = renderTree(root);
    const text = this.text;
    return {
      ...base,
      span,
      syntax,
      json: r.json,
      unresolved: [...r.unresolved, ...extraUnresolved],
      toTemplate: s => treeToTemplate(r.marks, s),
      translateEdit: edit => {
        // The smallest rendered value that holds the edit and is still one JSON value after it:
        // only that value is compared, so a fix costs the size of what it touches.
        const chain = containing(root, edit.span);
        for (let i = chain.length - 1; i >= 0; i--) {
          const n = chain[i];
          const from = n.json!.offset;
          const to = from + n.json!.length;
          let after: unknown;
          try {
            after = JSON.parse(
              r.json.slice(from, edit.span.offset) + edit.newText + r.json.slice(edit.span.offset + edit.span.length, to),
            );
          } catch {
            continue;
          }
          const edits = diffEdits(text, n, after);
          return edits ? combineEdits(text, edits) : undefined;
        }
        return undefined;
      },
    };
  }

  /** A policy written as JSON text: a heredoc, or a quoted string. */
  private textPolicy(
    base: Pick<EmbeddedPolicy, 'kind' | 'location' | 'attachedTo' | 'bucketName'>,
    tmpl: HclNode,
    span: Span,
  ): EmbeddedPolicy {
    const w = new SegmentWriter();
    const unresolved: Unresolved[] = [];
    const heredoc = tmpl.type === 'heredoc_template';
    const pieces = tmpl.children.filter(c => c.type === 'template_interpolation' || c.type === 'template_directive');
    const interpolate = (c: HclNode) => {
      const span = spanOfNode(c);
      const expr = c.type === 'template_interpolation' ? child(c, 'expression') : undefined;
      const v: HVal = expr ? this.ev.eval(expr) : { t: 'unknown', name: this.t(c).slice(0, 80), span };
      const s = stringOf(v);
      let out: string;
      if (s !== undefined) out = w.inString ? JSON.stringify(s).slice(1, -1) : s;
      else {
        const name =
          v.t === 'unknown'
            ? v.name
            : this.t(c)
                .slice(2, -1)
                .trim()
                .replace(/[{}"\\]/g, '_');
        unresolved.push({ name, span, symbolic: v.t === 'unknown' ? v.symbolic : undefined });
        const p = placeholder(name);
        out = w.inString ? JSON.stringify(p).slice(1, -1) : JSON.stringify(p);
      }
      w.write(out, span.offset, span.length, false);
    };
    if (heredoc) {
      const ids = tmpl.children.filter(c => c.type === 'heredoc_identifier');
      let start = ids[0] ? this.text.indexOf('\n', ids[0].end) + 1 : tmpl.end;
      if (start <= 0 || start > tmpl.end) start = tmpl.end;
      const end = ids.length > 1 ? ids[ids.length - 1].start : tmpl.end;
      let pos = start;
      const literal = (from: number, to: number) => {
        // Heredocs have no backslash escapes; `$${` and `%%{` stand for `${` and `%{`.
        let runStart = from;
        for (let i = from; i < to; i++) {
          const c = this.text[i];
          if ((c === '$' || c === '%') && this.text[i + 1] === c && this.text[i + 2] === '{') {
            w.write(this.text.slice(runStart, i), runStart, i - runStart, true);
            w.write(c + '{', i, 3, false);
            i += 2;
            runStart = i + 1;
          }
        }
        w.write(this.text.slice(runStart, to), runStart, to - runStart, true);
      };
      for (const c of pieces) {
        if (c.start < pos || c.end > end) continue;
        literal(pos, c.start);
        interpolate(c);
        pos = c.end;
      }
      // The closing marker's indentation is not content.
      let stop = end;
      while (stop > pos && (this.text[stop - 1] === ' ' || this.text[stop - 1] === '\t')) stop--;
      literal(pos, stop);
    } else {
      for (const c of tmpl.children) {
        if (c.type === 'template_literal') this.quotedLiteral(w, c);
        else if (c.type === 'template_interpolation' || c.type === 'template_directive') interpolate(c);
      }
    }
    const json = w.text();
    const segments = w.segments;
    return {
      ...base,
      span,
      syntax: 'hcl-heredoc',
      json,
      unresolved,
      toTemplate: s => segmentsToTemplate(segments, s, span),
      translateEdit: edit =>
        translateTextEdit(
          segments,
          edit,
          heredoc ? heredocEscape : quotedEscape,
          // A placeholder in a fix's text is the interpolation it stands for.
          new Map(unresolved.map(u => [placeholder(u.name), this.text.slice(u.span.offset, u.span.offset + u.span.length)])),
        ),
    };
  }

  /** A quoted string's literal text, escapes decoded, each escape its own piece of the map. */
  private quotedLiteral(w: SegmentWriter, n: HclNode): void {
    const raw = this.t(n);
    let runStart = 0;
    const flush = (to: number) => {
      if (to > runStart) w.write(raw.slice(runStart, to), n.start + runStart, to - runStart, true);
    };
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i];
      let len = 0;
      if (c === '\\') {
        const e = raw[i + 1];
        len = e === 'u' ? 6 : e === 'U' ? 10 : 2;
      } else if ((c === '$' || c === '%') && raw[i + 1] === c && raw[i + 2] === '{') len = 3;
      if (!len) continue;
      flush(i);
      const piece = raw.slice(i, i + len);
      w.write(decodeHclLiteral(piece), n.start + i, piece.length, false);
      i += piece.length - 1;
      runStart = i + 1;
    }
    flush(raw.length);
  }

  /** An evaluated HCL value as a rendered node that knows how to be edited in place. */
  private toMap(v: HVal, depth = 0): MapNode {
    const tpl = v.ref ?? v.span;
    const editable = !v.ref;
    const text = this.text;
    const replace = { span: tpl, render: (x: unknown, indent: string) => hclValue(x, indent, collectRefs(v, text)) };
    switch (v.t) {
      case 'str': {
        if (!v.parts)
          return {
            kind: 'str',
            value: v.v,
            tpl,
            edit: editable ? { how: 'string', literal: v.literal } : { how: 'none' },
            replace,
          };
        const unresolved: Unresolved[] = [];
        const value = v.parts
          .map(p => {
            if (!p.unknown) return p.text;
            unresolved.push({ name: p.unknown.name, span: p.unknown.span, symbolic: p.unknown.symbolic });
            return placeholder(p.unknown.name);
          })
          .join('');
        return {
          kind: 'str',
          value,
          tpl,
          edit: editable ? { how: 'string', literal: false } : { how: 'none' },
          unresolved,
          replace,
        };
      }
      case 'unknown':
        return {
          kind: 'str',
          value: placeholder(v.name),
          tpl,
          edit: { how: 'none' },
          unresolved: [{ name: v.name, span: v.span, symbolic: v.symbolic }],
          replace,
        };
      case 'num':
      case 'bool':
        return { kind: v.t, value: v.v, tpl, edit: { how: 'none' }, replace };
      case 'null':
        return { kind: 'null', value: null, tpl, edit: { how: 'none' }, replace };
      case 'list': {
        const items = depth > 64 ? [] : v.items.map(i => this.toMap(i, depth + 1));
        return {
          kind: 'arr',
          items,
          tpl,
          edit: editable
            ? {
                how: 'seq',
                sep: 'comma',
                emptyInsertAt: tpl.offset + 1,
                renderItem: (x, indent) => hclValue(x, indent, collectRefs(v, text)),
              }
            : { how: 'none' },
          replace,
        };
      }
      case 'obj': {
        const members: MapMember[] =
          depth > 64
            ? []
            : v.entries.map(e => ({ key: e.key, keyTpl: e.keySpan, elemTpl: e.elemSpan, node: this.toMap(e.value, depth + 1) }));
        return {
          kind: 'obj',
          members,
          tpl,
          edit: editable ? { how: 'object', refs: () => collectRefs(v, text) } : { how: 'none' },
          replace,
        };
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // data "aws_iam_policy_document"

  private document(name: string, depth: number, visiting: Set<string>): Doc {
    const block = this.dataBlocks.get(`aws_iam_policy_document.${name}`);
    const body = block && bodyOf(block);
    const doc: Doc = { statements: [], unresolved: [], ownOnly: true, refs: [] };
    if (!block || depth > MAX_DOCUMENT_DEPTH || visiting.has(name)) {
      if (block) doc.unresolved.push({ name: `data.aws_iam_policy_document.${name}.json`, span: spanOfNode(block) });
      return doc;
    }
    visiting.add(name);
    const a = attributes(body, this.text);
    const merge = (stmts: Doc['statements']) => {
      // The provider's merge: a statement with a Sid replaces the earlier document's statement with
      // that Sid; others are added. Within one document Sids are unique (the provider refuses
      // duplicates), so two statements of this document with one Sid both stay, for the rules to flag.
      const earlier = doc.statements.length;
      for (const s of stmts) {
        const i = s.sid ? doc.statements.findIndex((x, j) => j < earlier && x.sid === s.sid) : -1;
        if (i >= 0) doc.statements[i] = s;
        else doc.statements.push(s);
      }
    };
    const others = (attr: string): Doc[] => {
      const expr = a.get(attr)?.expr;
      if (!expr) return [];
      doc.ownOnly = false;
      const tuple = child(child(expr, 'collection_value'), 'tuple');
      const elems = tuple ? tuple.children.filter(c => c.type === 'expression') : [expr];
      return elems.map(e => this.otherDocument(e, depth, visiting, tuple === undefined));
    };
    for (const d of others('source_policy_documents')) {
      merge(d.statements);
      doc.unresolved.push(...d.unresolved);
    }
    const own = blocks(body, 'statement', this.text).map(s => this.statement(s, doc.refs));
    merge(own);
    for (const d of others('override_policy_documents')) {
      merge(d.statements);
      doc.unresolved.push(...d.unresolved);
    }
    for (const b of blocks(body, 'dynamic', this.text))
      doc.unresolved.push({ name: `dynamic "${labels(b, this.text)[0] ?? ''}"`, span: spanOfNode(b) });
    const version = a.get('version');
    if (version) doc.version = this.toMap(this.ev.eval(version.expr));
    const id = a.get('policy_id');
    if (id) doc.id = this.toMap(this.ev.eval(id.expr));
    visiting.delete(name);
    return doc;
  }

  /** One entry of source/override_policy_documents: another document of the file, or a JSON string. */
  private otherDocument(expr: HclNode, depth: number, visiting: Set<string>, wholeList: boolean): Doc {
    const ref = this.documentReference(expr);
    if (ref && !wholeList) return this.document(ref, depth + 1, visiting);
    const v = this.ev.eval(expr);
    const span = spanOfNode(expr);
    const unknown = (): Doc => ({
      statements: [],
      unresolved: [{ name: this.t(expr).replace(/\s+/g, ' ').slice(0, 80), span }],
      ownOnly: false,
      refs: [],
    });
    if (v.t !== 'str' || v.parts) return unknown();
    let plain: unknown;
    try {
      plain = JSON.parse(v.v);
    } catch {
      return unknown();
    }
    const stmts = (plain as { Statement?: unknown })?.Statement;
    const list = Array.isArray(stmts) ? stmts : stmts && typeof stmts === 'object' ? [stmts] : [];
    return {
      refs: [],
      statements: list.map(s => ({
        sid: typeof (s as { Sid?: unknown })?.Sid === 'string' ? (s as { Sid: string }).Sid : undefined,
        node: plainToMap(s, span),
      })),
      unresolved: [],
      ownOnly: false,
    };
  }

  private documentRoot(d: Doc, block: HclNode): MapNode {
    const span = spanOfNode(block);
    const head = { offset: block.start, length: (child(block, 'block_start')?.end ?? block.end) - block.start };
    const members: MapMember[] = [
      {
        key: 'Version',
        keyTpl: head,
        elemTpl: head,
        node: d.version ?? { kind: 'str', value: '2012-10-17', tpl: head, edit: { how: 'none' } },
      },
    ];
    if (d.id) members.push({ key: 'Id', keyTpl: d.id.tpl, elemTpl: d.id.tpl, node: d.id });
    const bodyStart = child(block, 'block_start')?.end;
    const statements: MapNode = {
      kind: 'arr',
      items: d.statements.map(s => s.node),
      tpl: span,
      edit: d.ownOnly
        ? { how: 'seq', sep: 'newline', emptyInsertAt: bodyStart, renderItem: (v, indent) => statementBlock(v, indent, d.refs) }
        : { how: 'none' },
    };
    members.push({ key: 'Statement', keyTpl: head, elemTpl: span, node: statements });
    return { kind: 'obj', members, tpl: span, edit: { how: 'none' } };
  }

  /** A `statement { ... }` block as the provider renders it. */
  /** While a statement block is read: the references in it, for rewriting it whole. */
  private statementRefs: RefText[] | undefined;

  private statement(block: HclNode, docRefs: RefText[]): { sid?: string; node: MapNode } {
    const refs: RefText[] = [];
    this.statementRefs = refs;
    try {
      return this.statementOf(block, refs);
    } finally {
      this.statementRefs = undefined;
      if (docRefs.length < 1000) docRefs.push(...refs);
    }
  }

  private statementOf(block: HclNode, refs: RefText[]): { sid?: string; node: MapNode } {
    const body = bodyOf(block);
    const a = attributes(body, this.text);
    const span = spanOfNode(block);
    const head = spanOfNode(block.children[0]);
    const members: MapMember[] = [];
    let sid: string | undefined;
    const sidAttr = a.get('sid');
    if (sidAttr) {
      const v = this.ev.eval(sidAttr.expr);
      sid = stringOf(v);
      if (sid !== '')
        members.push({ key: 'Sid', keyTpl: spanOfNode(sidAttr.name), elemTpl: spanOfNode(sidAttr.node), node: this.toMap(v) });
    }
    const effect = a.get('effect');
    members.push(
      effect
        ? {
            key: 'Effect',
            keyTpl: spanOfNode(effect.name),
            elemTpl: spanOfNode(effect.node),
            node: this.toMap(this.ev.eval(effect.expr)),
          }
        : { key: 'Effect', keyTpl: head, elemTpl: head, node: { kind: 'str', value: 'Allow', tpl: head, edit: { how: 'none' } } },
    );
    for (const [attr, key] of [
      ['actions', 'Action'],
      ['not_actions', 'NotAction'],
      ['resources', 'Resource'],
      ['not_resources', 'NotResource'],
    ] as const) {
      const at = a.get(attr);
      if (at) members.push({ key, keyTpl: spanOfNode(at.name), elemTpl: spanOfNode(at.node), node: this.stringList(at.expr) });
    }
    for (const [type, key] of [
      ['principals', 'Principal'],
      ['not_principals', 'NotPrincipal'],
    ] as const) {
      const ps = blocks(body, type, this.text);
      if (ps.length)
        members.push({ key, keyTpl: spanOfNode(ps[0].children[0]), elemTpl: spanOfNode(ps[0]), node: this.principals(ps) });
    }
    const conditions = blocks(body, 'condition', this.text);
    if (conditions.length)
      members.push({
        key: 'Condition',
        keyTpl: spanOfNode(conditions[0].children[0]),
        elemTpl: spanOfNode(conditions[0]),
        node: this.conditions(conditions),
      });
    const node: MapNode = { kind: 'obj', members, tpl: span, edit: { how: 'none' } };
    // A change the members cannot express (a new condition, a principal) rewrites the whole block,
    // its references written back as references; not when it holds blocks we do not render.
    if (!blocks(body, 'dynamic', this.text).length)
      node.replace = { span, render: (v, indent) => statementBlock(v, indent, refs) };
    return { sid, node };
  }

  /** actions, resources, identifiers, values: a set of strings; one is rendered as a string. */
  private stringList(expr: HclNode): MapNode {
    const v = this.ev.eval(expr);
    const span = spanOfNode(expr);
    const refs = collectRefs(v, this.text);
    this.statementRefs?.push(...refs);
    const replace = { span, render: (x: unknown) => stringListHcl(x, refs) };
    if (v.t !== 'list') {
      // A whole list from elsewhere (var.arns), or a single string where a list belongs.
      const n = this.toMap(v);
      return { ...n, replace };
    }
    const seen = new Set<string>();
    const items: MapNode[] = [];
    for (const it of v.items) {
      const n = this.toMap(it);
      const k = JSON.stringify(n.value ?? null);
      if (n.kind === 'str' && seen.has(k)) continue;
      seen.add(k);
      items.push(n);
    }
    if (items.length === 1) return { ...items[0], replace };
    return {
      kind: 'arr',
      items,
      tpl: span,
      edit: v.ref
        ? { how: 'none' }
        : {
            how: 'seq',
            sep: 'comma',
            emptyInsertAt: span.offset + 1,
            renderItem: x => (typeof x === 'string' ? hclQuote(x) : undefined),
          },
      replace,
    };
  }

  private principals(ps: HclNode[]): MapNode {
    const members: MapMember[] = [];
    for (const p of ps) {
      const a = attributes(bodyOf(p), this.text);
      const typeAttr = a.get('type');
      const ids = a.get('identifiers');
      if (!typeAttr || !ids) continue;
      const type = stringOf(this.ev.eval(typeAttr.expr)) ?? placeholder(this.t(typeAttr.expr));
      const node = this.stringList(ids.expr);
      if (type === '*' && ps.length === 1 && node.kind === 'str' && node.value === '*') return { ...node, tpl: spanOfNode(p) };
      const existing = members.find(m => m.key === type);
      if (existing) {
        // Two blocks of one type: their identifiers are one list.
        const list = [
          ...(existing.node.kind === 'arr' ? (existing.node.items ?? []) : [existing.node]),
          ...(node.kind === 'arr' ? (node.items ?? []) : [node]),
        ];
        existing.node = { kind: 'arr', items: list, tpl: existing.node.tpl, edit: { how: 'none' } };
      } else members.push({ key: type, keyTpl: spanOfNode(typeAttr.expr), elemTpl: spanOfNode(p), node });
    }
    return { kind: 'obj', members, tpl: spanOfNode(ps[0]), edit: { how: 'none' } };
  }

  private conditions(cs: HclNode[]): MapNode {
    const tests: MapMember[] = [];
    for (const c of cs) {
      const a = attributes(bodyOf(c), this.text);
      const test = a.get('test');
      const variable = a.get('variable');
      const values = a.get('values');
      if (!test || !variable || !values) continue;
      const testName = stringOf(this.ev.eval(test.expr)) ?? placeholder(this.t(test.expr));
      const varName = stringOf(this.ev.eval(variable.expr)) ?? placeholder(this.t(variable.expr));
      let t = tests.find(m => m.key === testName);
      if (!t) {
        t = {
          key: testName,
          keyTpl: spanOfNode(test.expr),
          elemTpl: spanOfNode(c),
          node: { kind: 'obj', members: [], tpl: spanOfNode(c), edit: { how: 'none' } },
        };
        tests.push(t);
      }
      const vars = t.node.members!;
      const node = this.stringList(values.expr);
      const existing = vars.find(m => m.key === varName);
      if (existing) {
        const list = [
          ...(existing.node.kind === 'arr' ? (existing.node.items ?? []) : [existing.node]),
          ...(node.kind === 'arr' ? (node.items ?? []) : [node]),
        ];
        existing.node = { kind: 'arr', items: list, tpl: existing.node.tpl, edit: { how: 'none' } };
      } else vars.push({ key: varName, keyTpl: spanOfNode(variable.expr), elemTpl: spanOfNode(c), node });
    }
    return { kind: 'obj', members: tests, tpl: spanOfNode(cs[0]), edit: { how: 'none' } };
  }

  // -------------------------------------------------------------------------------------------
  // Buckets and keys

  private buckets(): TemplateBucket[] {
    const out = new Map<string, TemplateBucket>();
    for (const [key, block] of this.resources('aws_s3_bucket')) {
      const b: TemplateBucket = {
        location: key,
        logicalId: key,
        span: spanOfNode(block),
        bucketName: this.ev.bucketName(key.split('.')[1]),
      };
      // The inline configuration of provider versions before 4 (deprecated, still found).
      const inline = blocks(bodyOf(block), 'server_side_encryption_configuration', this.text)[0];
      if (inline) b.encryption = this.encryption(inline, `${key}.server_side_encryption_configuration`);
      out.set(key, b);
    }
    const bucketFor = (block: HclNode, location: string): TemplateBucket => {
      const expr = attributes(bodyOf(block), this.text).get('bucket')?.expr;
      const target = this.bucketTarget(expr);
      const known = target.attachedTo && out.get(target.attachedTo);
      if (known) return known;
      // A bucket this file does not define (a variable, another module): its settings still count.
      const b: TemplateBucket = {
        location,
        logicalId: expr ? this.t(expr).trim() : location,
        span: spanOfNode(block),
        bucketName: target.bucketName,
      };
      out.set(location, b);
      return b;
    };
    for (const [key, block] of this.resources('aws_s3_bucket_server_side_encryption_configuration'))
      bucketFor(block, key).encryption = this.encryption(block, key);
    for (const [key, block] of this.resources('aws_s3_bucket_public_access_block')) {
      const a = attributes(bodyOf(block), this.text);
      const flag = (n: string) => {
        const e = a.get(n)?.expr;
        const v = e ? this.ev.eval(e) : undefined;
        return v?.t === 'bool' ? v.v : undefined;
      };
      bucketFor(block, key).publicAccessBlock = {
        location: key,
        span: spanOfNode(block),
        blockPublicAcls: flag('block_public_acls'),
        ignorePublicAcls: flag('ignore_public_acls'),
        blockPublicPolicy: flag('block_public_policy'),
        restrictPublicBuckets: flag('restrict_public_buckets'),
      };
    }
    return [...out.values()];
  }

  /** `rule { apply_server_side_encryption_by_default { sse_algorithm kms_master_key_id } bucket_key_enabled blocked_encryption_types }`. */
  private encryption(block: HclNode, location: string): NonNullable<TemplateBucket['encryption']> {
    const enc: NonNullable<TemplateBucket['encryption']> = { location, span: spanOfNode(block) };
    const rule = blocks(bodyOf(block), 'rule', this.text)[0];
    if (!rule) return enc;
    const ra = attributes(bodyOf(rule), this.text);
    const def = blocks(bodyOf(rule), 'apply_server_side_encryption_by_default', this.text)[0];
    const da = attributes(def && bodyOf(def), this.text);
    const str = (e: HclNode) => {
      const v = this.ev.eval(e);
      return { value: stringOf(v) ?? placeholder(v.t === 'unknown' ? v.name : this.t(e).trim()), span: spanOfNode(e) };
    };
    const alg = da.get('sse_algorithm')?.expr;
    if (alg) enc.sseAlgorithm = str(alg);
    const key = da.get('kms_master_key_id')?.expr;
    if (key) enc.kmsMasterKeyId = str(key);
    const bke = ra.get('bucket_key_enabled')?.expr;
    const bv = bke && this.ev.eval(bke);
    if (bke && bv?.t === 'bool') enc.bucketKeyEnabled = { value: bv.v, span: spanOfNode(bke) };
    const blocked = ra.get('blocked_encryption_types')?.expr;
    const lv = blocked && this.ev.eval(blocked);
    if (blocked && lv?.t === 'list') {
      const value = lv.items.map(stringOf).filter((s): s is string => s !== undefined);
      enc.blockedEncryptionTypes = { value, span: spanOfNode(blocked) };
    }
    return enc;
  }

  private keys(): TemplateKey[] {
    const out: TemplateKey[] = [];
    for (const [key, block] of this.resources('aws_kms_key')) {
      const a = attributes(bodyOf(block), this.text);
      const k: TemplateKey = { location: key, logicalId: key, span: spanOfNode(block) };
      const rot = a.get('enable_key_rotation')?.expr;
      const rv = rot && this.ev.eval(rot);
      if (rot && rv?.t === 'bool') k.enableKeyRotation = { value: rv.v, span: spanOfNode(rot) };
      const spec = (a.get('customer_master_key_spec') ?? a.get('key_spec'))?.expr;
      const sv = spec && stringOf(this.ev.eval(spec));
      if (spec && sv !== undefined) k.keySpec = { value: sv, span: spanOfNode(spec) };
      if (a.get('policy')) k.policyLocation = key;
      out.push(k);
    }
    for (const [key, block] of this.resources('aws_kms_key_policy')) {
      const target = this.referencedResource(attributes(bodyOf(block), this.text).get('key_id')?.expr, 'aws_kms_key');
      const k = out.find(x => x.logicalId === target);
      if (k) k.policyLocation = key;
    }
    return out;
  }
}

/** The rendered values whose JSON holds `span` (ends included), outermost first. */
function containing(root: MapNode, span: Span): MapNode[] {
  const chain: MapNode[] = [];
  const end = span.offset + span.length;
  const holds = (n: MapNode) => n.json !== undefined && n.json.offset <= span.offset && n.json.offset + n.json.length >= end;
  let n: MapNode | undefined = root;
  while (n && holds(n) && chain.length < 200) {
    chain.push(n);
    const kids: MapNode[] = n.kind === 'arr' ? (n.items ?? []) : n.kind === 'obj' ? (n.members ?? []).map(m => m.node) : [];
    n = kids.find(holds);
  }
  return chain;
}

/** Plain JSON (a document given as JSON text) as rendered nodes, all mapped to the expression that holds it. */
function plainToMap(v: unknown, tpl: Span, depth = 0): MapNode {
  const none = { how: 'none' } as const;
  if (depth > 64) return { kind: 'null', value: null, tpl, edit: none };
  if (Array.isArray(v)) return { kind: 'arr', items: v.map(x => plainToMap(x, tpl, depth + 1)), tpl, edit: none };
  if (v && typeof v === 'object')
    return {
      kind: 'obj',
      members: Object.entries(v).map(([key, x]) => ({ key, keyTpl: tpl, elemTpl: tpl, node: plainToMap(x, tpl, depth + 1) })),
      tpl,
      edit: none,
    };
  if (typeof v === 'string') return { kind: 'str', value: v, tpl, edit: none };
  if (typeof v === 'number') return { kind: 'num', value: v, tpl, edit: none };
  if (typeof v === 'boolean') return { kind: 'bool', value: v, tpl, edit: none };
  return { kind: 'null', value: null, tpl, edit: none };
}

const asList = (v: unknown): string[] | undefined =>
  typeof v === 'string' ? [v] : Array.isArray(v) && v.every(x => typeof x === 'string') ? (v as string[]) : undefined;

function stringListHcl(v: unknown, refs: readonly RefText[] = []): string | undefined {
  const l = asList(v);
  if (!l) return undefined;
  return `[${l.map(x => hclString(x, refs)).join(', ')}]`;
}

/** A JSON statement as a `statement { ... }` block of aws_iam_policy_document, or undefined when it has no such form. */
export function statementBlock(v: unknown, indent: string, refs: readonly RefText[] = []): string | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const s = v as Record<string, unknown>;
  const i1 = indent + '  ';
  const i2 = i1 + '  ';
  const lines: string[] = [];
  const lists: Record<string, string> = {
    Action: 'actions',
    NotAction: 'not_actions',
    Resource: 'resources',
    NotResource: 'not_resources',
  };
  // The order people (and the provider's documentation) write a statement block in.
  const order = ['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition'];
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  for (const [key, value] of Object.entries(s).sort((a, b) => rank(a[0]) - rank(b[0]))) {
    if (key === 'Sid' && typeof value === 'string') lines.push(`${i1}sid = ${hclString(value, refs)}`);
    else if (key === 'Effect' && typeof value === 'string') lines.push(`${i1}effect = ${hclQuote(value)}`);
    else if (key in lists) {
      const r = stringListHcl(value, refs);
      if (!r) return undefined;
      lines.push(`${i1}${lists[key]} = ${r}`);
    } else if (key === 'Principal' || key === 'NotPrincipal') {
      const block = key === 'Principal' ? 'principals' : 'not_principals';
      const entries: [string, unknown][] =
        value === '*' ? [['*', ['*']]] : value && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : [];
      if (!entries.length) return undefined;
      for (const [type, ids] of entries) {
        const r = stringListHcl(ids, refs);
        if (!r) return undefined;
        lines.push(`${i1}${block} {`, `${i2}type        = ${hclQuote(type)}`, `${i2}identifiers = ${r}`, `${i1}}`);
      }
    } else if (key === 'Condition' && value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [test, vars] of Object.entries(value)) {
        if (!vars || typeof vars !== 'object' || Array.isArray(vars)) return undefined;
        for (const [variable, values] of Object.entries(vars)) {
          const r = stringListHcl(typeof values === 'boolean' || typeof values === 'number' ? String(values) : values, refs);
          if (!r) return undefined;
          lines.push(
            `${i1}condition {`,
            `${i2}test     = ${hclQuote(test)}`,
            `${i2}variable = ${hclQuote(variable)}`,
            `${i2}values   = ${r}`,
            `${i1}}`,
          );
        }
      }
    } else return undefined;
  }
  // terraform fmt aligns the `=` of consecutive one-line attributes.
  const attr = /^(\s*)([a-z_]+) = (.*)$/;
  const width = Math.max(
    0,
    ...lines
      .filter(l => l.startsWith(i1) && !l.startsWith(i2) && attr.test(l) && !l.endsWith('{'))
      .map(l => attr.exec(l)![2].length),
  );
  const aligned = lines.map(l => {
    const m = l.startsWith(i1) && !l.startsWith(i2) ? attr.exec(l) : null;
    return m ? `${m[1]}${m[2].padEnd(width)} = ${m[3]}` : l;
  });
  return `statement {\n${aligned.join('\n')}\n${indent}}`;
}

// Exported for tests: the plain value of a rendered policy's tree.
export { plainOf, toPlain };
