// The bucket policy a fix writes (issue 14, item 4): the Deny statements the bucket is missing,
// computed from the user's choices and the requirements — never taken from a file — and added to
// the live policy text without touching a byte of the statements already there. The result is
// proved to keep them (every existing statement, parsed, equal to one of the new policy's, in the
// same order) before anyone sees it; `lineDiff` shows the change.
//
// The statements follow the recommended templates of docs/design/aws-facts.md (#template-1 HTTPS,
// TLS-007 minimum version, #template-3 default-friendly SSE-KMS with a pinned key and the SSE-C ban
// of ENC-011, #template-2
// when uploads without a header must be denied). aws/ may not run core/ code (the editor has no
// engine of its own), so the few lines that build them live here.
import { modify, applyEdits, parseTree, findNodeAtLocation, type Node, type ParseError } from 'jsonc-parser';

const SSE = 's3:x-amz-server-side-encryption';
const SSE_KMS_KEY_ID = 's3:x-amz-server-side-encryption-aws-kms-key-id';
const SSE_CUSTOMER_ALGORITHM = 's3:x-amz-server-side-encryption-customer-algorithm';

/** The Deny statements a fix can add, by what they enforce. */
export type DenyKind = 'https' | 'min-tls' | 'sse-kms' | 'kms-key' | 'sse-c';

export interface DenyStatement {
  kind: DenyKind;
  /** What it does, in words (the plan's line). */
  does: string;
  statement: Record<string, unknown>;
}

export interface DenyChoices {
  bucket: string;
  /** `aws`, `aws-cn`, `aws-us-gov`: the partition of the bucket's ARNs. */
  partition: string;
  https: boolean;
  /** `1.2`: deny requests below it; null: none. */
  minTlsVersion: string | null;
  /** Pin SSE-KMS with this key ARN; null: no encryption Deny. */
  kmsKeyArn: string | null;
  /** Deny uploads that name no encryption too (template 2); otherwise default encryption serves them (template 3). */
  denyHeaderless: boolean;
}

/** The Deny statements for the choices, with Sids that none of `taken` has (`DenyInsecureTransport`, `…2`). */
export function denyStatements(c: DenyChoices, wanted: readonly DenyKind[], taken: ReadonlySet<string>): DenyStatement[] {
  const used = new Set(taken);
  const sid = (base: string): string => {
    let s = base;
    for (let n = 2; used.has(s); n++) s = `${base}${n}`;
    used.add(s);
    return s;
  };
  const bucketArn = `arn:${c.partition}:s3:::${c.bucket}`;
  const objects = `${bucketArn}/*`;
  const out: DenyStatement[] = [];
  const everything = (base: string, condition: Record<string, unknown>) => ({
    Sid: sid(base),
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucketArn, objects],
    Condition: condition,
  });
  const uploads = (base: string, condition: Record<string, unknown>) => ({
    Sid: sid(base),
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:PutObject',
    Resource: objects,
    Condition: condition,
  });
  if (wanted.includes('https') && c.https)
    out.push({
      kind: 'https',
      does: 'denies every request over HTTP',
      statement: everything('DenyInsecureTransport', { Bool: { 'aws:SecureTransport': 'false' } }),
    });
  if (wanted.includes('min-tls') && c.minTlsVersion)
    out.push({
      kind: 'min-tls',
      does: `denies every request over TLS below ${c.minTlsVersion}`,
      statement: everything('DenyOutdatedTls', { NumericLessThan: { 's3:TlsVersion': Number(c.minTlsVersion) } }),
    });
  if (c.kmsKeyArn && wanted.includes('sse-kms'))
    out.push({
      kind: 'sse-kms',
      does: c.denyHeaderless
        ? 'denies uploads that do not name SSE-KMS'
        : 'denies uploads that name other encryption than SSE-KMS',
      statement: uploads(
        'DenyOtherEncryption',
        c.denyHeaderless
          ? { StringNotEquals: { [SSE]: 'aws:kms' } }
          : { StringNotEqualsIfExists: { [SSE]: 'aws:kms' }, Null: { [SSE]: 'false' } },
      ),
    });
  if (c.kmsKeyArn && wanted.includes('kms-key'))
    out.push({
      kind: 'kms-key',
      does: `denies SSE-KMS uploads that name another key than ${c.kmsKeyArn}`,
      statement: uploads(
        'DenyOtherKmsKeys',
        c.denyHeaderless
          ? { ArnNotEqualsIfExists: { [SSE_KMS_KEY_ID]: c.kmsKeyArn } }
          : { ArnNotEqualsIfExists: { [SSE_KMS_KEY_ID]: c.kmsKeyArn }, Null: { [SSE_KMS_KEY_ID]: 'false' } },
      ),
    });
  if (c.kmsKeyArn && wanted.includes('sse-c'))
    out.push({
      kind: 'sse-c',
      does: 'denies uploads with SSE-C (customer-provided keys)',
      statement: uploads('DenySseC', { Null: { [SSE_CUSTOMER_ALGORITHM]: 'false' } }),
    });
  return out;
}

/** Why a live policy cannot be merged with: the fix then leaves the policy alone and says so. */
export class PolicyMergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyMergeError';
  }
}

/** The Sids of a policy's statements (strings only). */
export function policySids(text: string | null): Set<string> {
  const out = new Set<string>();
  if (!text) return out;
  for (const st of statementsOf(text)) {
    const sid = (st as { Sid?: unknown })?.Sid;
    if (typeof sid === 'string') out.add(sid);
  }
  return out;
}

/** The statements of a policy as JSON values; throws PolicyMergeError when it is not a policy JSON.parse reads the same way. */
export function statementsOf(text: string): unknown[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new PolicyMergeError(`the live bucket policy is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new PolicyMergeError('the live bucket policy is not a JSON object');
  const st = (doc as Record<string, unknown>).Statement;
  if (st === undefined) return [];
  return Array.isArray(st) ? st : [st];
}

/** Two JSON values equal (object members in any order, as JSON means them). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => sameJson(x, bb[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return (
    ka.length === kb.length &&
    ka.every(k => Object.hasOwn(b as object, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/**
 * Two readings of a bucket policy mean the same: equal as JSON (S3 may give the text back with
 * other whitespace than it was written with, docs/design/aws-facts.md#fix-006), else equal as
 * text. undefined: not read.
 */
export function samePolicy(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  try {
    return sameJson(JSON.parse(a), JSON.parse(b));
  } catch {
    return false;
  }
}

/** Object members written twice anywhere in the text: JSON.parse keeps the last, AWS's reading is not documented. */
function duplicateMember(root: Node | undefined): string | null {
  const stack: Node[] = root ? [root] : [];
  let seen = 0;
  while (stack.length && seen++ < 100_000) {
    const n = stack.pop()!;
    if (n.type === 'object') {
      const names = new Set<string>();
      for (const p of n.children ?? []) {
        const name = String(p.children?.[0]?.value ?? '');
        if (names.has(name)) return name;
        names.add(name);
      }
    }
    for (const c of n.children ?? []) stack.push(c);
  }
  return null;
}

/**
 * The statements inserted after the list's last element (or into an empty list), each laid out
 * with the list's indentation; the text before and after the insertion point is left as it is.
 */
function appendToArray(text: string, list: Node, added: readonly Record<string, unknown>[], unit: string): string {
  const items = list.children ?? [];
  const last = items[items.length - 1];
  const lineStart = (offset: number) => text.lastIndexOf('\n', offset - 1) + 1;
  const leading = (offset: number) => {
    const ws = text.slice(lineStart(offset), offset);
    return /^[ \t]*$/.test(ws) ? ws : null;
  };
  const listIndent = leading(list.offset) ?? /^[ \t]*/.exec(text.slice(lineStart(list.offset)))![0];
  const itemIndent = (last && leading(last.offset)) ?? listIndent + unit;
  const render = (st: Record<string, unknown>) =>
    JSON.stringify(st, null, unit)
      .split('\n')
      .map((l, i) => (i === 0 ? l : itemIndent + l))
      .join('\n');
  if (!text.includes('\n')) {
    // A policy on one line (as S3 may give it back) stays on one line.
    const flat = added.map(st => JSON.stringify(st)).join(',');
    const at = last ? last.offset + last.length : list.offset + 1;
    return `${text.slice(0, at)}${last ? ',' : ''}${flat}${text.slice(at)}`;
  }
  const block = added.map(st => `${itemIndent}${render(st)}`).join(',\n');
  if (last) {
    const end = last.offset + last.length;
    return `${text.slice(0, end)},\n${block}${text.slice(end)}`;
  }
  // An empty list: `[` … `]` get the statements between them.
  const close = list.offset + list.length - 1;
  return `${text.slice(0, list.offset + 1)}\n${block}\n${listIndent}${text.slice(close)}`;
}

const NEW_POLICY_ID = 'S3EncryptionGuardFix';

/**
 * The live policy with `added` appended to its Statement list. The existing text is kept as it is
 * (its statements, their order, its layout): the statements are inserted before the list's `]`, or
 * a single Statement object is wrapped in a list. No policy (null): a new one. Throws
 * PolicyMergeError when the live text cannot be merged with safely (not JSON, a member written
 * twice, a Statement that is neither an object nor a list) or when the result would not keep
 * every existing statement.
 */
export function mergePolicy(current: string | null, added: readonly Record<string, unknown>[]): string {
  if (!added.length) {
    if (current === null) throw new PolicyMergeError('nothing to add and no policy');
    return current;
  }
  if (current === null || !current.trim())
    return JSON.stringify({ Version: '2012-10-17', Id: NEW_POLICY_ID, Statement: added }, null, 2) + '\n';
  const before = statementsOf(current);
  const errors: ParseError[] = [];
  const root = parseTree(current, errors, { allowTrailingComma: false, disallowComments: true });
  if (!root || errors.length) throw new PolicyMergeError('the live bucket policy is not valid JSON');
  const dup = duplicateMember(root);
  if (dup !== null) throw new PolicyMergeError(`the live bucket policy names "${dup}" twice in one object; fix it by hand first`);
  const indent = /\n([ \t]+)"/.exec(current)?.[1] ?? '  ';
  const fmt = {
    formattingOptions: { insertSpaces: !indent.includes('\t'), tabSize: indent.includes('\t') ? 1 : indent.length, eol: '\n' },
  };
  const stNode = findNodeAtLocation(root, ['Statement']);
  let text = current;
  if (!stNode) {
    text = applyEdits(text, modify(text, ['Statement'], added, fmt));
  } else if (stNode.type === 'array') {
    text = appendToArray(current, stNode, added, indent);
  } else if (stNode.type === 'object') {
    // One statement written as an object: it becomes the first of a list, its text unchanged.
    const original = current.slice(stNode.offset, stNode.offset + stNode.length);
    const rest = added.map(st => JSON.stringify(st)).join(', ');
    text = current.slice(0, stNode.offset) + `[${original}, ${rest}]` + current.slice(stNode.offset + stNode.length);
  } else throw new PolicyMergeError('the live bucket policy has a Statement that is neither an object nor a list');
  // The proof: the existing statements, then the added ones, nothing else changed.
  const after = statementsOf(text);
  const want = [...before, ...added];
  if (after.length !== want.length || !after.every((s, i) => sameJson(s, want[i])))
    throw new PolicyMergeError('merging would change the existing statements (internal check); nothing was written');
  const rest = (t: string) => {
    const d = JSON.parse(t) as Record<string, unknown>;
    delete d.Statement;
    return d;
  };
  if (!sameJson(rest(current), rest(text)))
    throw new PolicyMergeError('merging would change the policy outside its statements (internal check); nothing was written');
  return text;
}

// ---------------------------------------------------------------------------------------------
// A line diff for the plan

export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
}

/** Lines compared at most (a bucket policy is at most 20 KB; an S3-compatible store may send more). */
const MAX_DIFF_LINES = 4000;

/** The lines of `b` against `a` (longest common subsequence); past MAX_DIFF_LINES, all of `a` out and all of `b` in. */
export function lineDiff(a: string, b: string): DiffLine[] {
  const x = a ? a.replace(/\n$/, '').split('\n') : [];
  const y = b ? b.replace(/\n$/, '').split('\n') : [];
  if (x.length > MAX_DIFF_LINES || y.length > MAX_DIFF_LINES || x.length * y.length > 4_000_000)
    return [...x.map(text => ({ op: '-' as const, text })), ...y.map(text => ({ op: '+' as const, text }))];
  const n = x.length;
  const m = y.length;
  // lcs[i][j]: the common lines of x[i..] and y[j..], row by row in one typed array.
  const lcs = new Uint16Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i * (m + 1) + j] =
        x[i] === y[j] ? lcs[(i + 1) * (m + 1) + j + 1] + 1 : Math.max(lcs[(i + 1) * (m + 1) + j], lcs[i * (m + 1) + j + 1]);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) {
      out.push({ op: ' ', text: x[i++] });
      j++;
    } else if (lcs[(i + 1) * (m + 1) + j] >= lcs[i * (m + 1) + j + 1]) out.push({ op: '-', text: x[i++] });
    else out.push({ op: '+', text: y[j++] });
  }
  while (i < n) out.push({ op: '-', text: x[i++] });
  while (j < m) out.push({ op: '+', text: y[j++] });
  return out;
}

/** The diff as unified text with `context` unchanged lines around each change (`@@` between hunks). */
export function unifiedDiff(lines: readonly DiffLine[], context = 3): string {
  const keep = new Array<boolean>(lines.length).fill(false);
  lines.forEach((l, i) => {
    if (l.op === ' ') return;
    for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k++) keep[k] = true;
  });
  const out: string[] = [];
  let gap = false;
  lines.forEach((l, i) => {
    if (!keep[i]) {
      gap = true;
      return;
    }
    if (gap || !out.length) out.push('@@');
    gap = false;
    out.push(`${l.op}${l.text}`);
  });
  return out.join('\n');
}
