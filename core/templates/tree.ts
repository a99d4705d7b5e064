// A located, format-independent tree of one template's values: maps, sequences, scalars and
// intrinsic functions (`!Sub x` and `{"Fn::Sub": x}` are the same node). CloudFormation YAML and
// JSON both read into it (JSON is YAML), so the resolution of values, the rendering of policies as
// JSON and the fixes are written once. Offsets are UTF-16 offsets into the template text, as the
// `yaml` package reports them.
import type { Span } from '../policy/model';

/** How a scalar is written: a fix rewrites a value in its own style. */
export type ScalarStyle = 'plain' | 'single' | 'double' | 'literal' | 'folded';

export interface TScalar {
  t: 'scalar';
  span: Span;
  value: string | number | boolean | null;
  style: ScalarStyle;
}

export interface TPair {
  key: string;
  keySpan: Span;
  value: TNode;
  /** From the key to the end of the value. */
  span: Span;
}

export interface TMap {
  t: 'map';
  span: Span;
  pairs: TPair[];
  /** `{ a: 1 }` (and every JSON object) rather than a block of `key: value` lines. */
  flow: boolean;
}

export interface TSeq {
  t: 'seq';
  span: Span;
  items: TNode[];
  /** `[a, b]` (and every JSON array) rather than `- a` lines. */
  flow: boolean;
}

/** An intrinsic function: `!Sub x`, `{"Fn::Sub": x}`, `{"Ref": x}`, `!Ref x`. */
export interface TFn {
  t: 'fn';
  span: Span;
  /** The long name: `Fn::Sub`, `Ref`, `Fn::GetAtt`, `Condition`. */
  fn: string;
  arg: TNode;
  /** Written as a YAML tag (`!Sub`) rather than a one-key map. */
  short: boolean;
}

export type TNode = TScalar | TMap | TSeq | TFn;

/** The short YAML tags of CloudFormation and the functions they stand for. */
export const SHORT_TAGS: Readonly<Record<string, string>> = {
  '!Ref': 'Ref',
  '!Condition': 'Condition',
  '!Sub': 'Fn::Sub',
  '!GetAtt': 'Fn::GetAtt',
  '!Join': 'Fn::Join',
  '!If': 'Fn::If',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!ImportValue': 'Fn::ImportValue',
  '!FindInMap': 'Fn::FindInMap',
  '!Base64': 'Fn::Base64',
  '!Equals': 'Fn::Equals',
  '!Not': 'Fn::Not',
  '!And': 'Fn::And',
  '!Or': 'Fn::Or',
  '!GetAZs': 'Fn::GetAZs',
  '!Cidr': 'Fn::Cidr',
  '!Transform': 'Fn::Transform',
  '!Length': 'Fn::Length',
  '!ToJsonString': 'Fn::ToJsonString',
};

/** The long forms, recognised as one-key maps (`{"Fn::Sub": …}`, `{"Ref": …}`). */
export const LONG_FUNCTIONS: ReadonlySet<string> = new Set(Object.values(SHORT_TAGS));

export const end = (s: Span): number => s.offset + s.length;
export const spanBetween = (from: number, to: number): Span => ({ offset: from, length: Math.max(0, to - from) });

/** The pair named `key` of a map (the first, as CloudFormation reads duplicates is undefined: we take the first). */
export function pairOf(node: TNode | undefined, key: string): TPair | undefined {
  if (node?.t !== 'map') return undefined;
  return node.pairs.find(p => p.key === key);
}

export const valueOf = (node: TNode | undefined, key: string): TNode | undefined => pairOf(node, key)?.value;

/** A literal string scalar's value (numbers and booleans as CloudFormation turns them into strings). */
export function literalString(node: TNode | undefined): string | undefined {
  if (node?.t !== 'scalar' || node.value === null) return undefined;
  return String(node.value);
}

/** A literal boolean: `true`, `"true"` (CloudFormation accepts both). */
export function literalBoolean(node: TNode | undefined): boolean | undefined {
  if (node?.t !== 'scalar') return undefined;
  if (node.value === true || node.value === false) return node.value;
  if (typeof node.value === 'string') {
    const v = node.value.toLowerCase();
    if (v === 'true' || v === 'false') return v === 'true';
  }
  return undefined;
}

/** `s` moved by `by` characters. */
export const shifted = (s: Span, by: number): Span => ({ offset: s.offset + by, length: s.length });

/** Where `to` ends once the whitespace before it (from `start` on) is left out: a block value ends at its last character. */
export function trimmedEnd(text: string, start: number, to: number): number {
  let e = to;
  while (e > start && /\s/.test(text[e - 1])) e--;
  return e;
}

/** A copy of `node` with every offset moved by `by` (a part parsed on its own, placed in its template). */
export function shiftNode(node: TNode, by: number): TNode {
  switch (node.t) {
    case 'scalar':
      return { ...node, span: shifted(node.span, by) };
    case 'map':
      return { ...node, span: shifted(node.span, by), pairs: node.pairs.map(p => shiftPair(p, by)) };
    case 'seq':
      return { ...node, span: shifted(node.span, by), items: node.items.map(i => shiftNode(i, by)) };
    case 'fn':
      return { ...node, span: shifted(node.span, by), arg: shiftNode(node.arg, by) };
  }
}

export function shiftPair(pair: TPair, by: number): TPair {
  return { key: pair.key, keySpan: shifted(pair.keySpan, by), value: shiftNode(pair.value, by), span: shifted(pair.span, by) };
}
