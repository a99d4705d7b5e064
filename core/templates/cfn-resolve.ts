// The values a CloudFormation template fixes itself: `!Ref` of a bucket with a literal BucketName,
// `!GetAtt Bucket.Arn`, `!Sub` with `${Bucket}`, `${Bucket.Arn}` and pseudo parameters, `Fn::Join`,
// `Fn::If` whose branches agree, parameters with a `Default`, `Fn::FindInMap` with literal keys.
// Everything else becomes a placeholder (types.ts): "some value", named as the template names it.
import { placeholder, type Unresolved } from './types';
import { literalString, valueOf, type TNode } from './tree';
import type { CfnTemplate } from './cloudformation';

/** References followed inside one another (a Ref of a parameter whose default is a Sub…) before giving up. */
const MAX_RESOLVE_DEPTH = 16;

export interface Resolver {
  /** The node as a string (placeholders for what is not fixed), or undefined when it is not a string at all (a map, a list). */
  string(node: TNode, unresolved: Unresolved[], depth?: number): string | undefined;
  /** The name of bucket resource `logicalId`: literal or resolved BucketName, else a placeholder for the generated name. */
  bucketName(logicalId: string, unresolved: Unresolved[], depth?: number): string | undefined;
  /** The bucket resource a `Bucket:` value refers to (`!Ref DataBucket`), if any. */
  bucketResourceOf(node: TNode): string | undefined;
  /** The key resource a `KMSMasterKeyID` / key ARN value refers to (`!GetAtt Key.Arn`, `!Ref Key`), if any. */
  keyResourceOf(node: TNode): string | undefined;
  /** Names whose `${name}` in a `!Sub` means the same value as the placeholder: fixes may write them back. */
  readonly subable: ReadonlySet<string>;
}

/**
 * Pseudo parameters. The partition and URL suffix are those of the commercial partition (the one
 * every other default of ours assumes); the account and Region stay unknown.
 */
const PSEUDO_LITERAL: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' };

export function resolverFor(t: CfnTemplate): Resolver {
  const subable = new Set<string>();
  /** `sub`: `${name}` in a Sub is the same value; `symbolic`: one value the stack creates (Unresolved.symbolic). */
  const unknown = (
    name: string,
    node: TNode,
    unresolved: Unresolved[],
    sub = true,
    symbolic = false,
    resourceType?: string,
  ): string => {
    unresolved.push({ name, span: node.span, symbolic, ...(resourceType ? { resourceType } : {}) });
    if (sub) subable.add(name);
    return placeholder(name);
  };

  const ref = (name: string, node: TNode, unresolved: Unresolved[], depth: number): string => {
    if (PSEUDO_LITERAL[name]) return PSEUDO_LITERAL[name];
    if (name.startsWith('AWS::'))
      return unknown(name, node, unresolved, true, name === 'AWS::AccountId' || name === 'AWS::Region');
    const param = t.parameters.get(name);
    if (param) {
      const def = valueOf(param, 'Default');
      const v = def && literalString(def);
      return v !== undefined ? v : unknown(name, node, unresolved);
    }
    const res = t.resources.get(name);
    if (res?.type === 'AWS::S3::Bucket')
      return r.bucketName(name, unresolved, depth + 1) ?? unknown(name, node, unresolved, true, true);
    return unknown(name, node, unresolved, true, !!res, res?.type);
  };

  const getAtt = (resource: string, attr: string, node: TNode, unresolved: Unresolved[], depth: number): string => {
    const res = t.resources.get(resource);
    if (res?.type === 'AWS::S3::Bucket' && attr === 'Arn') {
      return `arn:aws:s3:::${r.bucketName(resource, unresolved, depth + 1) ?? unknown(resource, node, unresolved, true, true)}`;
    }
    return unknown(`${resource}.${attr}`, node, unresolved, true, t.resources.has(resource), res?.type);
  };

  const sub = (template: string, vars: TNode | undefined, node: TNode, unresolved: Unresolved[], depth: number): string => {
    let out = '';
    let pos = 0;
    // One pass; each `${` ends at the first `}` after it (as CloudFormation reads them).
    while (pos < template.length) {
      const open = template.indexOf('${', pos);
      if (open < 0) break;
      const close = template.indexOf('}', open + 2);
      if (close < 0) break;
      out += template.slice(pos, open);
      const body = template.slice(open + 2, close);
      pos = close + 1;
      if (body.startsWith('!')) {
        out += '${' + body.slice(1) + '}';
        continue;
      }
      const name = body.trim();
      const local = valueOf(vars, name);
      if (local) out += r.string(local, unresolved, depth + 1) ?? unknown(name, local, unresolved, false);
      else if (name.includes('.')) {
        const dot = name.indexOf('.');
        out += getAtt(name.slice(0, dot), name.slice(dot + 1), node, unresolved, depth);
      } else out += ref(name, node, unresolved, depth);
    }
    return out + template.slice(pos);
  };

  const r: Resolver = {
    subable,
    string(node, unresolved, depth = 0) {
      if (depth > MAX_RESOLVE_DEPTH) return unknown('(references nested too deeply)', node, unresolved, false);
      if (node.t === 'scalar') return node.value === null ? undefined : String(node.value);
      if (node.t !== 'fn') return undefined;
      const arg = node.arg;
      switch (node.fn) {
        case 'Ref': {
          const name = literalString(arg);
          return name === undefined ? unknown('Ref', node, unresolved, false) : ref(name, node, unresolved, depth);
        }
        case 'Fn::GetAtt': {
          let parts: (string | undefined)[] = [];
          if (arg.t === 'scalar') {
            const s = literalString(arg) ?? '';
            const dot = s.indexOf('.');
            parts = dot < 0 ? [s] : [s.slice(0, dot), s.slice(dot + 1)];
          } else if (arg.t === 'seq') parts = arg.items.map(i => r.string(i, unresolved, depth + 1));
          const [res, attr] = parts;
          if (res === undefined || attr === undefined) return unknown('GetAtt', node, unresolved, false);
          return getAtt(res, attr, node, unresolved, depth);
        }
        case 'Fn::Sub': {
          if (arg.t === 'scalar') return sub(literalString(arg) ?? '', undefined, node, unresolved, depth);
          if (arg.t === 'seq' && arg.items[0]?.t === 'scalar')
            return sub(literalString(arg.items[0]) ?? '', arg.items[1], node, unresolved, depth);
          return unknown('Fn::Sub', node, unresolved, false);
        }
        case 'Fn::Join': {
          if (arg.t !== 'seq' || arg.items.length !== 2) return unknown('Fn::Join', node, unresolved, false);
          const delim = literalString(arg.items[0]);
          const list = arg.items[1];
          if (delim === undefined || list.t !== 'seq') return unknown('Fn::Join', node, unresolved, false);
          const parts: string[] = [];
          for (const i of list.items) {
            const v = r.string(i, unresolved, depth + 1);
            if (v === undefined) return unknown('Fn::Join', node, unresolved, false);
            parts.push(v);
          }
          return parts.join(delim);
        }
        case 'Fn::If': {
          if (arg.t !== 'seq' || arg.items.length !== 3) return unknown('Fn::If', node, unresolved, false);
          const cond = literalString(arg.items[0]) ?? '?';
          // Both branches: the value is known only when they agree.
          const a: Unresolved[] = [];
          const b: Unresolved[] = [];
          const va = r.string(arg.items[1], a, depth + 1);
          const vb = r.string(arg.items[2], b, depth + 1);
          if (va !== undefined && va === vb) {
            unresolved.push(...a);
            return va;
          }
          return unknown(`Fn::If ${cond}`, node, unresolved, false);
        }
        case 'Fn::Select': {
          if (arg.t !== 'seq' || arg.items.length !== 2) return unknown('Fn::Select', node, unresolved, false);
          const index = Number(r.string(arg.items[0], [], depth + 1));
          const list = arg.items[1];
          if (Number.isInteger(index) && index >= 0) {
            if (list.t === 'seq' && index < list.items.length) return r.string(list.items[index], unresolved, depth + 1);
            if (list.t === 'fn' && list.fn === 'Fn::Split' && list.arg.t === 'seq' && list.arg.items.length === 2) {
              const delim = literalString(list.arg.items[0]);
              const local: Unresolved[] = [];
              const whole = r.string(list.arg.items[1], local, depth + 1);
              if (delim && whole !== undefined && !local.length) {
                const parts = whole.split(delim);
                if (index < parts.length) return parts[index];
              }
            }
          }
          return unknown('Fn::Select', node, unresolved, false);
        }
        case 'Fn::FindInMap': {
          if (arg.t !== 'seq' || arg.items.length < 3) return unknown('Fn::FindInMap', node, unresolved, false);
          const keys = arg.items.slice(0, 3).map(i => {
            const local: Unresolved[] = [];
            const v = r.string(i, local, depth + 1);
            return local.length ? undefined : v;
          });
          if (keys.every(k => k !== undefined)) {
            const v = valueOf(valueOf(valueOf(t.mappings, keys[0]!), keys[1]!), keys[2]!);
            const s = v && r.string(v, unresolved, depth + 1);
            if (s !== undefined) return s;
          }
          return unknown(`Fn::FindInMap ${keys.map(k => k ?? '?').join('.')}`, node, unresolved, false);
        }
        case 'Fn::ImportValue': {
          const name = r.string(arg, [], depth + 1);
          return unknown(`ImportValue ${name ?? '?'}`, node, unresolved, false);
        }
        default:
          return unknown(node.fn, node, unresolved, false);
      }
    },
    bucketName(logicalId, unresolved, depth = 0) {
      const res = t.resources.get(logicalId);
      if (res?.type !== 'AWS::S3::Bucket') return undefined;
      const name = valueOf(res.properties, 'BucketName');
      // No BucketName: CloudFormation generates one; `!Ref` of the bucket is that name.
      if (!name) {
        unresolved.push({ name: logicalId, span: res.node.span, symbolic: true });
        subable.add(logicalId);
        return placeholder(logicalId);
      }
      return r.string(name, unresolved, depth + 1);
    },
    bucketResourceOf(node) {
      const target = referencedResource(node);
      return target && t.resources.get(target)?.type === 'AWS::S3::Bucket' ? target : undefined;
    },
    keyResourceOf(node) {
      const target = referencedResource(node);
      return target && t.resources.get(target)?.type === 'AWS::KMS::Key' ? target : undefined;
    },
  };
  return r;
}

/** `!Ref X`, `!GetAtt X.Arn`, `!Sub ${X}` / `${X.Arn}` (the whole string): the logical ID X. */
function referencedResource(node: TNode): string | undefined {
  if (node.t !== 'fn') return undefined;
  const s =
    node.arg.t === 'scalar' ? literalString(node.arg) : node.arg.t === 'seq' ? literalString(node.arg.items[0]) : undefined;
  if (s === undefined) return undefined;
  if (node.fn === 'Ref') return s;
  if (node.fn === 'Fn::GetAtt') return s.split('.')[0];
  if (node.fn === 'Fn::Sub') {
    const m = /^\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}$/.exec(s.trim());
    return m?.[1];
  }
  return undefined;
}
