// CloudFormation templates, YAML and JSON (CDK's `cdk.out/*.template.json` is plain CloudFormation
// JSON): the bucket policies, key policies, buckets and keys they define, with exact ranges. YAML is
// read with the `yaml` package (it keeps every node's source range) and CloudFormation's short tags
// (`!Sub`, `!GetAtt`…) as their `Fn::` forms; JSON goes through the same reader (JSON is YAML), so
// every rule, reference and fix works the same way in both.
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Scalar, type Document, type Node as YNode } from 'yaml';
import { parseTree, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import type { Span } from '../policy/model';
import { resolverFor, type Resolver } from './cfn-resolve';
import { renderPolicy } from './cfn-render';
import {
  end,
  LONG_FUNCTIONS,
  shiftPair,
  shifted,
  trimmedEnd,
  literalBoolean,
  literalString,
  SHORT_TAGS,
  spanBetween,
  valueOf,
  type ScalarStyle,
  type TMap,
  type TNode,
  type TPair,
} from './tree';
import type { EmbeddedPolicy, PartCache, TemplateBucket, TemplateKey, TemplateScan, TemplateScanner } from './types';
import { outlineYaml } from './yaml-outline';

/**
 * Templates larger than this are not scanned. CloudFormation accepts templates of up to 1 MB (from
 * S3; 51,200 bytes inline), so twice that covers every template AWS deploys, CDK output included,
 * while one file cannot make the editor parse tens of megabytes on every keystroke.
 */
export const MAX_TEMPLATE_SIZE = 2 * 1024 * 1024;
/** Deeper nesting is refused: a policy in a template sits about ten levels deep. */
export const MAX_TEMPLATE_DEPTH = 64;
/** Values read, aliases expanded: an alias bomb (`a: &a [*b, *b]…`) stops here rather than growing exponentially. */
export const MAX_TEMPLATE_VALUES = 500_000;
/** YAML aliases expanded per template (CloudFormation templates rarely have any). */
export const MAX_ALIASES = 1000;

const CUSTOM_TAGS = Object.keys(SHORT_TAGS).flatMap(tag => [
  { tag, identify: () => false, resolve: (s: string) => s },
  { tag, collection: 'seq' as const, resolve: (s: unknown) => s },
  { tag, collection: 'map' as const, resolve: (s: unknown) => s },
]);

class LimitReached extends Error {}

const STYLES: Record<string, ScalarStyle> = {
  PLAIN: 'plain',
  QUOTE_SINGLE: 'single',
  QUOTE_DOUBLE: 'double',
  BLOCK_LITERAL: 'literal',
  BLOCK_FOLDED: 'folded',
};

/** Reads the `yaml` package's nodes into the format-independent tree, within the limits above. */
class Reader {
  /** Values read so far (a part's count is kept with it: the limit is on the whole template). */
  values = 0;
  private aliases = 0;
  constructor(
    private readonly text: string,
    private readonly doc: Document,
  ) {}

  read(node: unknown, depth: number, at: number): TNode {
    if (depth > MAX_TEMPLATE_DEPTH) throw new LimitReached(`values are nested more than ${MAX_TEMPLATE_DEPTH} levels deep`);
    if (++this.values > MAX_TEMPLATE_VALUES)
      throw new LimitReached(`it holds more than ${MAX_TEMPLATE_VALUES.toLocaleString('en-US')} values (YAML aliases included)`);
    if (node === null || node === undefined) return { t: 'scalar', span: { offset: at, length: 0 }, value: null, style: 'plain' };
    if (isAlias(node)) {
      if (++this.aliases > MAX_ALIASES) throw new LimitReached(`it expands more than ${MAX_ALIASES} YAML aliases`);
      const target = node.resolve(this.doc);
      return this.read(target, depth + 1, node.range?.[0] ?? at);
    }
    const n = node as YNode;
    const range = n.range ?? [at, at, at];
    const span = spanBetween(range[0], trimmedEnd(this.text, range[0], range[1]));
    const tag = n.tag;
    if (tag && SHORT_TAGS[tag]) {
      const inner = this.untagged(n, span, depth);
      const tagAt = this.tagStart(tag, range[0]);
      return { t: 'fn', fn: SHORT_TAGS[tag], arg: inner, short: true, span: spanBetween(tagAt, end(span)) };
    }
    return this.untagged(n, span, depth);
  }

  private untagged(n: YNode, span: Span, depth: number): TNode {
    if (isScalar(n)) {
      const v = n.value;
      const value =
        typeof v === 'string' || typeof v === 'boolean' || v === null
          ? v
          : typeof v === 'number'
            ? v
            : typeof v === 'bigint'
              ? String(v)
              : v === undefined
                ? null
                : String(v);
      return { t: 'scalar', span, value, style: STYLES[(n as Scalar).type ?? 'PLAIN'] ?? 'plain' };
    }
    if (isMap(n)) {
      const pairs: TPair[] = [];
      for (const p of n.items) {
        if (!isPair(p)) continue;
        const k = p.key as YNode | null;
        const kr = k?.range ?? [span.offset, span.offset, span.offset];
        const keyValue = isScalar(k) ? k.value : undefined;
        const key = keyValue === null || keyValue === undefined ? '' : String(keyValue);
        const value = this.read(p.value, depth + 1, kr[1]);
        pairs.push({
          key,
          keySpan: spanBetween(kr[0], kr[1]),
          value,
          span: spanBetween(kr[0], Math.max(kr[1], end(value.span))),
        });
      }
      const map: TMap = { t: 'map', span, pairs, flow: !!n.flow };
      // The long form of an intrinsic function: a map with one key, `Ref` or `Fn::…`.
      if (pairs.length === 1 && LONG_FUNCTIONS.has(pairs[0].key))
        return { t: 'fn', fn: pairs[0].key, arg: pairs[0].value, short: false, span };
      return map;
    }
    if (isSeq(n)) {
      return { t: 'seq', span, items: n.items.map(i => this.read(i, depth + 1, span.offset)), flow: !!n.flow };
    }
    return { t: 'scalar', span, value: null, style: 'plain' };
  }

  /** Where `!Sub` starts: the yaml package's range starts at the value after the tag. */
  private tagStart(tag: string, valueStart: number): number {
    const i = this.text.lastIndexOf(tag, valueStart);
    if (i < 0 || valueStart - i > 200) return valueStart;
    return /^\s*$/.test(this.text.slice(i + tag.length, valueStart)) ? i : valueStart;
  }
}

export interface ParsedTemplate {
  root?: TNode;
  errors: { span: Span; message: string }[];
  notScanned?: string;
}

/**
 * Parse a template's text into the tree, never throwing: limits and stack overflows become
 * `notScanned`. A block-style YAML template is parsed part by part (see yaml-outline.ts): only the
 * sections and the resources the scanner reads, each part kept in `parts` by its text, so that the
 * next version re-parses only the parts that changed. `whole` parses the whole text in one go
 * (what every other template gets; the tests compare the two).
 */
export function parseTemplate(text: string, parts?: PartCache, whole = false): ParsedTemplate {
  if (text.length > MAX_TEMPLATE_SIZE) {
    return {
      errors: [],
      notScanned: `it is ${(text.length / 1024 / 1024).toFixed(1)} MB, over the ${MAX_TEMPLATE_SIZE / 1024 / 1024} MB template limit`,
    };
  }
  if (text.includes('\uFFFD')) {
    // The file was not valid UTF-8 (the decoder put U+FFFD where bytes were invalid): values would be wrong.
    const at = text.indexOf('\uFFFD');
    return { errors: [], notScanned: `it is not valid UTF-8 (first bad byte at offset ${at})` };
  }
  const deep = flowDepthExceeds(text, MAX_TEMPLATE_DEPTH);
  if (deep !== undefined)
    return { errors: [], notScanned: `values are nested more than ${MAX_TEMPLATE_DEPTH} levels deep (at offset ${deep})` };
  // JSON templates (CDK output, the large ones) through the JSON parser: the same tree, several times faster than YAML's.
  if (isJsonText(text)) {
    const json = parseJsonTemplate(text);
    if (json) return json;
  }
  if (!whole) {
    const byParts = parseByParts(text, parts);
    if (byParts) return byParts;
  }
  const part = parsePart(text);
  return part.notScanned ? { errors: [], notScanned: part.notScanned } : { root: part.root, errors: part.errors };
}

/** At most this many syntax errors are reported per template. */
const MAX_SYNTAX_ERRORS = 20;

/** One YAML text parsed on its own (a whole template or one part of it); offsets are the text's own. */
interface ParsedPart {
  root?: TNode;
  errors: { span: Span; message: string }[];
  /** Values read (the limit applies to the whole template). */
  values: number;
  notScanned?: string;
}

function parsePart(text: string): ParsedPart {
  let r: Reader | undefined;
  try {
    const doc = parseDocument(text, {
      customTags: CUSTOM_TAGS,
      uniqueKeys: false,
      prettyErrors: false,
      keepSourceTokens: false,
    });
    const errors = doc.errors.slice(0, MAX_SYNTAX_ERRORS).map(e => ({
      span: spanBetween(e.pos[0], Math.max(e.pos[1], e.pos[0] + 1)),
      message: `YAML syntax error: ${e.message.split('\n')[0]}`,
    }));
    r = new Reader(text, doc);
    const root = doc.contents === null ? undefined : r.read(doc.contents, 0, 0);
    return { root, errors, values: r.values };
  } catch (e) {
    const notScanned =
      e instanceof LimitReached
        ? e.message
        : e instanceof RangeError
          ? `values are nested too deeply to read`
          : `it could not be read (${e instanceof Error ? e.message.split('\n')[0].slice(0, 120) : 'unknown error'})`;
    return { errors: [], values: r?.values ?? 0, notScanned };
  }
}

/** The resource types whose properties the scanner reads: resources of any other type are not parsed. */
const READ_TYPES: ReadonlySet<string> = new Set(['AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::KMS::Key']);

/**
 * The template parsed part by part, or undefined when it has no outline (not block-style YAML) or a
 * part does not read as the one key it was cut at: the whole text is then parsed in one go.
 */
function parseByParts(text: string, parts: PartCache | undefined): ParsedTemplate | undefined {
  const outline = outlineYaml(text);
  if (!outline) return undefined;
  const errors: ParsedTemplate['errors'] = [];
  let values = 0;
  /** The one pair that the part [start, end) holds, in template offsets. */
  const pairAt = (start: number, end: number): TPair | string | undefined => {
    const source = text.slice(start, end);
    const key = `cfn\0${source}`;
    let part = parts?.get(key) as ParsedPart | undefined;
    if (!part) {
      part = parsePart(source);
      parts?.set(key, part, source.length * 16);
    }
    if (part.notScanned) return part.notScanned;
    values += part.values;
    if (values > MAX_TEMPLATE_VALUES)
      return `it holds more than ${MAX_TEMPLATE_VALUES.toLocaleString('en-US')} values (YAML aliases included)`;
    for (const e of part.errors)
      if (errors.length < MAX_SYNTAX_ERRORS) errors.push({ span: shifted(e.span, start), message: e.message });
    const root = part.root;
    if (root?.t !== 'map' || root.pairs.length !== 1) return undefined;
    return shiftPair(root.pairs[0], start);
  };
  const pairs: TPair[] = [];
  for (const section of outline) {
    const resources = section.resources;
    if (!resources?.length) {
      const pair = pairAt(section.start, section.end);
      if (typeof pair === 'string') return { errors: [], notScanned: pair };
      if (!pair) return undefined;
      pairs.push(pair);
      continue;
    }
    const items: TPair[] = [];
    for (const r of resources) {
      if (r.type && r.bodyStart !== undefined && r.bodyStart >= 0 && !READ_TYPES.has(r.type.value)) {
        // A resource the scanner does not read: its logical ID and type are all references need.
        const typePair: TPair = {
          key: 'Type',
          keySpan: { offset: r.type.keyOffset, length: 4 },
          value: { t: 'scalar', span: r.type.span, value: r.type.value, style: 'plain' },
          span: spanBetween(r.type.keyOffset, end(r.type.span)),
        };
        const value: TMap = {
          t: 'map',
          span: spanBetween(r.bodyStart, trimmedEnd(text, r.bodyStart, r.end)),
          pairs: [typePair],
          flow: false,
        };
        items.push({ key: r.key, keySpan: r.keySpan, value, span: spanBetween(r.keySpan.offset, end(value.span)) });
        continue;
      }
      const pair = pairAt(r.start, r.end);
      if (typeof pair === 'string') return { errors: [], notScanned: pair };
      if (!pair) return undefined;
      items.push(pair);
    }
    const value: TMap = {
      t: 'map',
      span: spanBetween(items[0].keySpan.offset, end(items[items.length - 1].span)),
      pairs: items,
      flow: false,
    };
    pairs.push({ key: section.key, keySpan: section.keySpan, value, span: spanBetween(section.keySpan.offset, end(value.span)) });
  }
  const root: TMap = {
    t: 'map',
    span: spanBetween(pairs[0].keySpan.offset, end(pairs[pairs.length - 1].span)),
    pairs,
    flow: false,
  };
  return { root, errors };
}

/**
 * The offset where `[` / `{` nesting passes `limit`, skipping quoted strings and comments; a plain
 * character scan, so that `[[[[…` is refused before the parser (which slows down with depth) sees it.
 */
export function flowDepthExceeds(text: string, limit: number): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // To the closing quote (escapes skipped); YAML double-quoted strings may span lines.
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x27 /* ' */ && i > 0 && /[\s[{,:]/.test(text[i - 1])) {
      // A single-quoted scalar starts after a separator ('' inside is a quote).
      for (i++; i < text.length; i++) if (text.charCodeAt(i) === 0x27 && text.charCodeAt(++i) !== 0x27) break;
      i--;
    } else if (c === 0x23 /* # */ && (i === 0 || /\s/.test(text[i - 1]))) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if (c === 0x5d || c === 0x7d) depth = Math.max(0, depth - 1);
  }
  return undefined;
}

/** A JSON template read with jsonc-parser; undefined when it is not clean JSON (the YAML reader then says what is wrong). */
function parseJsonTemplate(text: string): ParsedTemplate | undefined {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  if (!root || errors.length) return undefined;
  let values = 0;
  const read = (n: JsonNode, depth: number): TNode => {
    if (depth > MAX_TEMPLATE_DEPTH) throw new LimitReached(`values are nested more than ${MAX_TEMPLATE_DEPTH} levels deep`);
    if (++values > MAX_TEMPLATE_VALUES)
      throw new LimitReached(`it holds more than ${MAX_TEMPLATE_VALUES.toLocaleString('en-US')} values`);
    const span = { offset: n.offset, length: n.length };
    if (n.type === 'object') {
      const pairs: TPair[] = [];
      for (const p of n.children ?? []) {
        const [k, v] = p.children ?? [];
        if (!k || !v) continue;
        const value = read(v, depth + 1);
        pairs.push({
          key: String(k.value),
          keySpan: { offset: k.offset, length: k.length },
          value,
          span: { offset: p.offset, length: p.length },
        });
      }
      if (pairs.length === 1 && LONG_FUNCTIONS.has(pairs[0].key))
        return { t: 'fn', fn: pairs[0].key, arg: pairs[0].value, short: false, span };
      return { t: 'map', span, pairs, flow: true };
    }
    if (n.type === 'array') return { t: 'seq', span, items: (n.children ?? []).map(c => read(c, depth + 1)), flow: true };
    const value = n.type === 'null' ? null : (n.value as string | number | boolean);
    return { t: 'scalar', span, value, style: n.type === 'string' ? 'double' : 'plain' };
  };
  try {
    return { root: read(root, 0), errors: [] };
  } catch (e) {
    if (e instanceof LimitReached) return { errors: [], notScanned: e.message };
    throw e;
  }
}

const TEMPLATE_EXT = /\.(ya?ml|json|template|cfn)$/i;

/**
 * Is this text a CloudFormation template? A cheap look at the first 64 KB: `AWSTemplateFormatVersion`,
 * or a `Resources` key with an `AWS::` type. Kubernetes, CI files and JSON policies say neither.
 */
export function looksLikeCloudFormation(fileName: string, text: string): boolean {
  if (!TEMPLATE_EXT.test(fileName) && !/\.template\.json$/i.test(fileName)) return false;
  const head = text.slice(0, 64 * 1024);
  if (/(^|[\s{,"'])AWSTemplateFormatVersion["']?\s*:/m.test(head)) return true;
  return /(^|[\s{,"'])Resources["']?\s*:/m.test(head) && /["']?Type["']?\s*:\s*["']?AWS::[A-Za-z0-9]+::/.test(head);
}

/** A template's logical resources, parameters and mappings: what references resolve against. */
export interface CfnTemplate {
  text: string;
  root: TMap;
  resources: Map<string, { type: string; node: TNode; properties?: TNode }>;
  parameters: Map<string, TNode>;
  mappings?: TNode;
}

function templateOf(text: string, root: TNode): CfnTemplate | undefined {
  if (root.t !== 'map') return undefined;
  const resources = new Map<string, { type: string; node: TNode; properties?: TNode }>();
  const res = valueOf(root, 'Resources');
  if (res?.t === 'map') {
    for (const p of res.pairs) {
      const type = literalString(valueOf(p.value, 'Type'));
      if (type) resources.set(p.key, { type, node: p.value, properties: valueOf(p.value, 'Properties') });
    }
  }
  const parameters = new Map<string, TNode>();
  const params = valueOf(root, 'Parameters');
  if (params?.t === 'map') for (const p of params.pairs) parameters.set(p.key, p.value);
  return { text, root, resources, parameters, mappings: valueOf(root, 'Mappings') };
}

const isJsonText = (text: string): boolean => /^\s*[{[]/.test(text);

function policyOf(
  t: CfnTemplate,
  resolver: Resolver,
  kind: EmbeddedPolicy['kind'],
  logicalId: string,
  prop: string,
  value: TNode,
): EmbeddedPolicy | undefined {
  const location = `Resources.${logicalId}.Properties.${prop}`;
  const json = isJsonText(t.text);
  return renderPolicy(t.text, resolver, value, { kind, location, json });
}

/** Scan a CloudFormation template (see TemplateScanner). */
export function scanCloudFormation(text: string, parts?: PartCache, whole = false): TemplateScan {
  const scan: TemplateScan = { format: 'cloudformation', policies: [], buckets: [], keys: [], errors: [] };
  const parsed = parseTemplate(text, parts, whole);
  scan.errors = parsed.errors;
  if (parsed.notScanned || !parsed.root) {
    scan.notScanned = parsed.notScanned ?? 'it is empty';
    return scan;
  }
  const t = templateOf(text, parsed.root);
  if (!t) {
    scan.notScanned = 'it is not a mapping of template sections';
    return scan;
  }
  const resolver = resolverFor(t);
  for (const [logicalId, r] of t.resources) {
    const props = r.properties;
    const location = `Resources.${logicalId}`;
    if (r.type === 'AWS::S3::BucketPolicy') {
      const doc = valueOf(props, 'PolicyDocument');
      if (!doc) continue;
      const policy = policyOf(t, resolver, 'bucket-policy', logicalId, 'PolicyDocument', doc);
      if (!policy) continue;
      const bucket = valueOf(props, 'Bucket');
      if (bucket) {
        const unresolved: EmbeddedPolicy['unresolved'] = [];
        const name = resolver.string(bucket, unresolved);
        if (name !== undefined) policy.bucketName = name;
        policy.unresolved.push(...unresolved);
        policy.attachedTo = resolver.bucketResourceOf(bucket);
      }
      scan.policies.push(policy);
    } else if (r.type === 'AWS::KMS::Key') {
      const doc = valueOf(props, 'KeyPolicy');
      const key: TemplateKey = { location, logicalId, span: r.node.span };
      const rotation = valueOf(props, 'EnableKeyRotation');
      const rv = literalBoolean(rotation);
      if (rotation && rv !== undefined) key.enableKeyRotation = { value: rv, span: rotation.span };
      const spec = valueOf(props, 'KeySpec');
      const sv = literalString(spec);
      if (spec && sv !== undefined) key.keySpec = { value: sv, span: spec.span };
      if (doc) {
        const policy = policyOf(t, resolver, 'key-policy', logicalId, 'KeyPolicy', doc);
        if (policy) {
          policy.attachedTo = logicalId;
          key.policyLocation = policy.location;
          scan.policies.push(policy);
        }
      }
      scan.keys.push(key);
    } else if (r.type === 'AWS::S3::Bucket') {
      scan.buckets.push(bucketOf(resolver, logicalId, r.node, props));
    }
  }
  return scan;
}

function bucketOf(resolver: Resolver, logicalId: string, node: TNode, props: TNode | undefined): TemplateBucket {
  const location = `Resources.${logicalId}`;
  const bucket: TemplateBucket = { location, logicalId, span: node.span };
  const name = resolver.bucketName(logicalId, []);
  if (name !== undefined) bucket.bucketName = name;
  const enc = valueOf(props, 'BucketEncryption');
  if (enc) {
    const encryption: NonNullable<TemplateBucket['encryption']> = {
      location: `${location}.Properties.BucketEncryption`,
      span: enc.span,
    };
    const rules = valueOf(enc, 'ServerSideEncryptionConfiguration');
    const rule = rules?.t === 'seq' ? rules.items[0] : undefined;
    const byDefault = valueOf(rule, 'ServerSideEncryptionByDefault');
    const str = (n: TNode | undefined) => {
      if (!n) return undefined;
      const v = resolver.string(n, []);
      return v === undefined ? undefined : { value: v, span: n.span };
    };
    const alg = str(valueOf(byDefault, 'SSEAlgorithm'));
    if (alg) encryption.sseAlgorithm = alg;
    const keyNode = valueOf(byDefault, 'KMSMasterKeyID');
    const key = str(keyNode);
    if (key) encryption.kmsMasterKeyId = key;
    const bk = valueOf(rule, 'BucketKeyEnabled');
    const bkv = literalBoolean(bk);
    if (bk && bkv !== undefined) encryption.bucketKeyEnabled = { value: bkv, span: bk.span };
    const blocked = valueOf(rule, 'BlockedEncryptionTypes');
    const types = valueOf(blocked, 'EncryptionType') ?? blocked;
    if (types) {
      const list = types.t === 'seq' ? types.items : [types];
      const value = list.map(i => resolver.string(i, [])).filter((v): v is string => v !== undefined);
      encryption.blockedEncryptionTypes = { value, span: types.span };
    }
    bucket.encryption = encryption;
  }
  const pab = valueOf(props, 'PublicAccessBlockConfiguration');
  if (pab) {
    bucket.publicAccessBlock = { location: `${location}.Properties.PublicAccessBlockConfiguration`, span: pab.span };
    const b = (k: string) => literalBoolean(valueOf(pab, k));
    const set = <K extends 'blockPublicAcls' | 'ignorePublicAcls' | 'blockPublicPolicy' | 'restrictPublicBuckets'>(
      k: K,
      v: boolean | undefined,
    ) => {
      if (v !== undefined) bucket.publicAccessBlock![k] = v;
    };
    set('blockPublicAcls', b('BlockPublicAcls'));
    set('ignorePublicAcls', b('IgnorePublicAcls'));
    set('blockPublicPolicy', b('BlockPublicPolicy'));
    set('restrictPublicBuckets', b('RestrictPublicBuckets'));
  }
  return bucket;
}

export const cloudFormationScanner: TemplateScanner = {
  format: 'cloudformation',
  claims: looksLikeCloudFormation,
  scan: (text: string, _fileName: string, parts?: PartCache) => scanCloudFormation(text, parts),
};
