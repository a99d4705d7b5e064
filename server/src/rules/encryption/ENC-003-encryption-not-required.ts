// ENC-003 — what a bucket policy must deny of uploads, checked against the engine's verdict: the
// user's requirements (ENGINE.md §4: "sse", "headerlessUploads": "deny") or, without them, the
// policy's own evident intent (the algorithms its Deny statements name). And RULES.md ENC-003's
// analyzer fact: beside a `StringNotEquals` on the header, a `Null … "true"` Deny is redundant.
//
// The first half of this file is shared by the ENC rules that decide from the verdict (upload
// classes, representative requests, evident intent, the canonical statements of RULES.md
// templates 2 and 3); the rule itself is at the end.
import { parse as parseJson, type ParseError } from 'jsonc-parser';
import { evaluatePolicy } from '../../engine/evaluate';
import { SSE, SSE_CUSTOMER_ALGORITHM, SSE_KEYS, SSE_KMS_KEY_ID, instantiate, principalLabel, statementKeys } from '../../engine/requests';
import { describeWitness } from '../../engine/summary';
import type { BucketVerdict, Request, UploadClass } from '../../engine/types';
import { bucketVerdicts, witnessToRequest } from '../../engine/verdict';
import { dominantPartition, parseArn, parseS3Arn } from '../../policy/arn';
import type { ConditionEntry, ConditionOperatorBlock, PolicyDocument, Span, Statement } from '../../policy/model';
import { parseOperator, resultWhenKeyAbsent, type ParsedOperator } from '../../policy/operators';
import { parsePolicy } from '../../policy/parse';
import { matchesWildcard } from '../../policy/wildcard';
import { editsFix, removeWithComma } from '../edits';
import { applyEdits } from '../fixes';
import { addStatementsFix, uploadDenyStatement } from '../templates';
import type { Fix, Rule, RuleContext, TextEditSpan } from '../types';
import { capitalizedStatementLabel, spanText, statementLabel, stringItems } from '../util';
import { SSE_VALUES } from './ENC-001-sse-header-values';

// =============================================================================================
// Shared by the ENC rules
// =============================================================================================

export { SSE, SSE_CUSTOMER_ALGORITHM, SSE_KMS_KEY_ID };
type Algorithm = (typeof SSE_VALUES)[number];
export const KMS_ALGORITHMS: readonly Algorithm[] = ['aws:kms', 'aws:kms:dsse'];
const isAlgorithm = (s: string): s is Algorithm => (SSE_VALUES as readonly string[]).includes(s);

/** The SSE condition key an entry compares (lower-cased), or undefined. */
export function sseKeyOf(entry: ConditionEntry): string | undefined {
  const k = entry.key.value.toLowerCase();
  return SSE_KEYS.includes(k) ? k : undefined;
}

export const isDenyStatement = (st: Statement): boolean => st.effect?.value === 'Deny';

/** Does the statement's Action (or NotAction) let it apply to s3:PutObject? */
export function coversPutObject(st: Statement): boolean {
  const matches = (list: typeof st.action) =>
    (list?.items ?? []).some(i => typeof i.value === 'string' && matchesWildcard('s3:PutObject', i.value, { ignoreCase: true }));
  if (st.action) return matches(st.action);
  if (st.notAction) return !matches(st.notAction);
  return false;
}

/** Does the statement read one of the SSE condition keys? */
export const readsSseKeys = (st: Statement, keys: readonly string[] = SSE_KEYS): boolean => {
  const read = statementKeys(st);
  return keys.some(k => read.has(k));
};

/** Every operator block and entry of a statement that compares an SSE key, with the parsed operator. */
export function* sseEntries(st: Statement): Generator<{ ob: ConditionOperatorBlock; op: ParsedOperator | undefined; entry: ConditionEntry; key: string }> {
  if (!st.condition || st.condition.node.type !== 'object') return;
  for (const ob of st.condition.operators) {
    const op = parseOperator(ob.operator.value);
    for (const entry of ob.entries) {
      const key = sseKeyOf(entry);
      if (key) yield { ob, op, entry, key };
    }
  }
}

/** The string values of an entry. */
export const entryStrings = (entry: ConditionEntry): string[] =>
  entry.values.items.filter(i => typeof i.value === 'string').map(i => i.value as string);

/** Does this comparison hold when the key is absent from the request (RULES.md 0.2)? */
export function trueWhenAbsent(op: ParsedOperator | undefined, entry: ConditionEntry): boolean {
  return !!op && resultWhenKeyAbsent(op, entry.values.items.map(i => i.value)) === true;
}

// ---------------------------------------------------------------------------------------------
// Upload classes and the requests that stand for them

export type ClassId = Pick<UploadClass, 'sse' | 'kmsKey'>;

export const sameClass = (a: ClassId, b: ClassId): boolean => a.sse === b.sse && a.kmsKey === b.kmsKey;
export const findClass = (v: BucketVerdict, c: ClassId): UploadClass | undefined => v.encryption.uploads.find(u => sameClass(u, c));
export const NONE: ClassId = { sse: 'none', kmsKey: null };

/** A KMS key ARN no pattern of the policy names (as the engine's "other key" classes use). */
function otherKey(v: BucketVerdict): string {
  for (const u of v.encryption.uploads) {
    const w = u.witness?.[SSE_KMS_KEY_ID];
    if (u.kmsKey === 'other' && typeof w === 'string') return w;
  }
  return `arn:${partitionOf(v) ?? 'aws'}:kms:us-east-1:999999999999:key/00000000-0000-4000-8000-000000000000`;
}

/** The partition of the verdict's bucket, as its witnesses show it. */
const partitionOf = (v: BucketVerdict): string | undefined => {
  const w = v.encryption.uploads.find(u => u.witness)?.witness ?? v.transport.witness;
  return typeof w?.resource === 'string' ? parseArn(w.resource)?.partition || undefined : undefined;
};

/** The SSE context keys of an upload of the class (RULES.md 0.3), lower-cased. */
export function classHeaders(v: BucketVerdict, c: ClassId): Record<string, string> {
  switch (c.sse) {
    case 'none': return {};
    case 'SSE-C': return { [SSE_CUSTOMER_ALGORITHM]: 'AES256' };
    case 'AES256': return { [SSE]: 'AES256' };
    default: {
      const h: Record<string, string> = { [SSE]: c.sse };
      if (c.kmsKey === 'other') h[SSE_KMS_KEY_ID] = otherKey(v);
      else if (c.kmsKey !== null) h[SSE_KMS_KEY_ID] = instantiate(c.kmsKey);
      return h;
    }
  }
}

/** Requests built from witnesses, per verdict (rules ask for the same classes again and again). */
const witnessRequests = new WeakMap<object, Request>();
function fromWitness(key: object, w: NonNullable<UploadClass['witness']>): Request {
  let req = witnessRequests.get(key);
  if (!req) witnessRequests.set(key, (req = witnessToRequest(w)));
  return { principal: req.principal, action: req.action, resource: req.resource, context: { ...req.context } };
}

/**
 * One PutObject request of the class (HTTPS, TLS 1.3): the class's witness when it gets through,
 * else another class's witness (same principal, object and other keys) with this class's headers,
 * else an anonymous upload of `bucket/example`. `action` replaces s3:PutObject.
 */
export function uploadRequest(v: BucketVerdict, c: ClassId, action?: string): Request {
  const own = findClass(v, c);
  let req: Request;
  if (own?.witness) req = fromWitness(own, own.witness);
  else {
    const other = v.encryption.uploads.find(u => u.witness);
    req = other?.witness
      ? fromWitness(other, other.witness)
      : { principal: { kind: 'anonymous' }, action: 's3:PutObject', resource: `arn:${partitionOf(v) ?? 'aws'}:s3:::${v.bucket}/example`, context: { 'aws:principaltype': 'Anonymous', 'aws:securetransport': 'true', 's3:tlsversion': '1.3' } };
    const context = req.context as Record<string, string | readonly string[]>;
    for (const k of SSE_KEYS) delete context[k];
    Object.assign(context, classHeaders(v, c));
  }
  if (action) req.action = action;
  return req;
}

/** A request over HTTPS (TLS 1.3) by `principal` (`anonymous`, an ARN or a service name), with more condition keys. */
export function httpsRequest(principal: string, action: string, resource: string, keys: Record<string, string> = {}): Request {
  return witnessToRequest({ principal, action, resource, 'aws:SecureTransport': true, 's3:TlsVersion': '1.3', ...keys });
}

/** How a witness names the request's principal: `anonymous`, an ARN or a service name. */
export const principalOf = (req: Request): string => principalLabel(req.principal);

/** An object of `bucket` that the statement's Resource covers (its first object pattern, instantiated). */
export function objectOf(st: Statement, bucket: string): string | undefined {
  return stringItems(st.resource).map(i => instantiate(i.value)).find(r => { const arn = parseS3Arn(r); return arn?.bucket === bucket && arn.key !== undefined; });
}

/** The Deny statements that decide a request (none when it is not explicitly denied). */
export function denyingStatements(doc: PolicyDocument, req: Request): Statement[] {
  const ev = evaluatePolicy(doc, req);
  return ev.decision === 'explicit-deny' ? ev.statements.map(i => doc.statements[i]).filter((s): s is Statement => !!s) : [];
}

// ---------------------------------------------------------------------------------------------
// Evident intent: what the policy's Deny statements visibly try to enforce

export interface EncryptionIntent {
  /** Algorithms the Deny statements accept (the values of negated comparisons on the SSE header). */
  algorithms: Algorithm[];
  /** Keys they accept (values of negated comparisons on the key-id header, as written). */
  keys: string[];
  algorithmStatements: Statement[];
  keyStatements: Statement[];
  /** Deny statements with `Null` "true" on the SSE header: the header is required. */
  headerStatements: Statement[];
}

const isNegatedCompare = (op: ParsedOperator | undefined): op is ParsedOperator =>
  !!op && op.negated && op.set !== 'ForAnyValue' && (op.family === 'String' || op.family === 'Arn');

/** The SSE values a policy value stands for (Like patterns expanded over the real values). */
function algorithmsNamed(value: string, op: ParsedOperator): Algorithm[] {
  if (op.like) return SSE_VALUES.filter(a => matchesWildcard(a, value, { ignoreCase: op.ignoreCase }));
  return SSE_VALUES.filter(a => (op.ignoreCase ? a.toLowerCase() === value.toLowerCase() : a === value));
}

export function encryptionIntent(doc: PolicyDocument): EncryptionIntent {
  const intent: EncryptionIntent = { algorithms: [], keys: [], algorithmStatements: [], keyStatements: [], headerStatements: [] };
  for (const st of doc.statements) {
    if (!isDenyStatement(st) || !coversPutObject(st)) continue;
    for (const { op, entry, key } of sseEntries(st)) {
      if (key === SSE && isNegatedCompare(op)) {
        for (const a of entryStrings(entry).flatMap(v => algorithmsNamed(v, op))) if (!intent.algorithms.includes(a)) intent.algorithms.push(a);
        if (!intent.algorithmStatements.includes(st)) intent.algorithmStatements.push(st);
      } else if (key === SSE_KMS_KEY_ID && isNegatedCompare(op)) {
        for (const k of entryStrings(entry)) if (!intent.keys.includes(k)) intent.keys.push(k);
        if (!intent.keyStatements.includes(st)) intent.keyStatements.push(st);
      } else if (key === SSE && op?.family === 'Null' && trueWhenAbsent(op, entry)) {
        if (!intent.headerStatements.includes(st)) intent.headerStatements.push(st);
      }
    }
  }
  return intent;
}

// ---------------------------------------------------------------------------------------------
// Gaps: uploads that the requirements (or, without them, the evident intent) say must be denied

interface AlgorithmGap {
  source: 'requirement' | 'intent';
  /** The algorithms uploads may name. */
  allowed: Algorithm[];
  /** Not-denied classes that name another algorithm (AES256, aws:kms, aws:kms:dsse). */
  leaks: UploadClass[];
  /** The SSE-C class when it is not denied and must be (a requirement, or a KMS-only intent: ENC-011). */
  sseC?: UploadClass;
  /** The statements that show the intent (empty for a requirement without one). */
  statements: Statement[];
}

export function algorithmGap(ctx: RuleContext, v: BucketVerdict, intent = encryptionIntent(ctx.doc)): AlgorithmGap | undefined {
  const required = ctx.requirements.sse;
  const source = required.length ? 'requirement' : intent.algorithms.length ? 'intent' : undefined;
  if (!source) return undefined;
  const allowed = source === 'requirement' ? [...required] : intent.algorithms;
  const leaks = v.encryption.uploads.filter(u => u.decision === 'not-denied' && isAlgorithm(u.sse) && !allowed.includes(u.sse));
  const sseCOpen = v.encryption.uploads.find(u => u.sse === 'SSE-C' && u.decision === 'not-denied');
  const sseC = sseCOpen && (source === 'requirement' || allowed.every(a => KMS_ALGORITHMS.includes(a))) ? sseCOpen : undefined;
  if (!leaks.length && !sseC) return undefined;
  return { source, allowed, leaks, sseC, statements: intent.algorithmStatements };
}

export interface KeyGap {
  source: 'requirement' | 'intent';
  keys: string[];
  /** Not-denied SSE-KMS/DSSE-KMS classes that name another key. */
  leaks: UploadClass[];
  statements: Statement[];
}

export function keyGap(ctx: RuleContext, v: BucketVerdict, intent = encryptionIntent(ctx.doc)): KeyGap | undefined {
  const required = ctx.requirements.kmsKeyArns;
  const source = required.length ? 'requirement' : intent.keys.length ? 'intent' : undefined;
  if (!source) return undefined;
  const keys = source === 'requirement' ? [...required] : intent.keys;
  // An algorithm that must be denied altogether is the algorithm gap's finding, not a key gap.
  const algorithms: readonly string[] = ctx.requirements.sse.length ? ctx.requirements.sse : intent.algorithms.length ? intent.algorithms : KMS_ALGORITHMS;
  const leaks = v.encryption.uploads.filter(u =>
    u.decision === 'not-denied' && u.kmsKey !== null && algorithms.includes(u.sse) && (u.kmsKey === 'other' || !keys.includes(u.kmsKey)));
  return leaks.length ? { source, keys, leaks, statements: intent.keyStatements } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Canonical statements (RULES.md "Recommended templates": 2 strict, 3 default-friendly)

const one = (values: readonly string[]): string | string[] => (values.length === 1 ? values[0] : [...values]);

interface StatementTarget { partition: string; bucket: string }

/** The verdict's bucket, in the partition its witnesses use (else the policy's). */
export function statementTarget(ctx: RuleContext, v: BucketVerdict): StatementTarget {
  const partition = partitionOf(v) ?? dominantPartition(ctx.doc) ?? 'aws';
  return { partition, bucket: v.bucket };
}

/** A Sid that no statement of the policy has yet. */
export function freshSid(doc: PolicyDocument, base: string, taken: readonly string[] = []): string {
  const used = new Set([...taken, ...doc.statements.map(s => (typeof s.sid?.value === 'string' ? s.sid.value : ''))]);
  let sid = base;
  for (let n = 2; used.has(sid); n++) sid = `${base}${n}`;
  return sid;
}

/** Deny uploads that name another algorithm; strict (template 2) also denies uploads without the header. */
export function algorithmDenyStatement(t: StatementTarget, sid: string, algorithms: readonly string[], strict: boolean): string {
  return uploadDenyStatement(t.partition, t.bucket, sid, strict
    ? { StringNotEquals: { [SSE]: one(algorithms) } }
    : { StringNotEqualsIfExists: { [SSE]: one(algorithms) }, Null: { [SSE]: 'false' } });
}

/** Deny uploads that name another KMS key; strict (template 2) also denies uploads that name none. */
export function keyPinStatement(t: StatementTarget, sid: string, keys: readonly string[], strict: boolean): string {
  return uploadDenyStatement(t.partition, t.bucket, sid, strict
    ? { ArnNotEqualsIfExists: { [SSE_KMS_KEY_ID]: one(keys) } }
    : { ArnNotEqualsIfExists: { [SSE_KMS_KEY_ID]: one(keys) }, Null: { [SSE_KMS_KEY_ID]: 'false' } });
}

/** The SSE-C ban (AWS sample RCP "S3-Deny-SSE-C", RULES.md ENC-011). */
export function sseCBanStatement(t: StatementTarget, sid: string): string {
  return uploadDenyStatement(t.partition, t.bucket, sid, { Null: { [SSE_CUSTOMER_ALGORITHM]: 'false' } });
}

/** Deny uploads that send no encryption header at all (neither SSE nor SSE-C). */
function headerRequiredStatement(t: StatementTarget, sid: string): string {
  return uploadDenyStatement(t.partition, t.bucket, sid, { Null: { [SSE]: 'true', [SSE_CUSTOMER_ALGORITHM]: 'true' } });
}

/**
 * The statements that close an algorithm gap: the algorithm Deny, strict when header-less uploads
 * must be denied, plus the SSE-C ban when SSE-C gets through and the Deny does not catch it.
 */
function algorithmGapStatements(ctx: RuleContext, v: BucketVerdict, allowed: readonly string[], sseCOpen: boolean, taken: string[] = []): string[] {
  const t = statementTarget(ctx, v);
  const strict = ctx.requirements.headerlessUploads === 'deny';
  const sid = freshSid(ctx.doc, 'DenyUploadsWithoutRequiredEncryption', taken);
  const out = [algorithmDenyStatement(t, sid, allowed, strict)];
  taken.push(sid);
  // The strict form denies SSE-C uploads too: they carry no x-amz-server-side-encryption header.
  if (sseCOpen && !strict) {
    const ban = freshSid(ctx.doc, 'DenySseCUploads', taken);
    out.push(sseCBanStatement(t, ban));
    taken.push(ban);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Fixes made of statement edits, a removal and appended statements

/**
 * Do the statements that `edits` change still parse as JSON? Only they are parsed again (a 20 KB
 * policy is re-checked on every keystroke); inserted statements are JSON.stringify output.
 */
function editedStatementsValid(doc: PolicyDocument, edits: readonly TextEditSpan[]): boolean {
  for (const st of doc.statements) {
    const inside = edits.filter(e => e.span.offset >= st.node.offset && e.span.offset + e.span.length <= st.node.offset + st.node.length);
    if (!inside.length) continue;
    const shifted = inside.map(e => ({ span: { offset: e.span.offset - st.node.offset, length: e.span.length }, newText: e.newText }));
    const errors: ParseError[] = [];
    parseJson(applyEdits(spanText(doc.text, st.node), shifted), errors, { allowTrailingComma: true });
    if (errors.length) return false;
  }
  return true;
}

/**
 * One fix: `edits` inside statements, optionally `removed` (a statement that goes; replaced by the
 * appended statements when there are any) and `appended` statements. Undefined when the result
 * would not be a valid policy document.
 */
export function statementsFix(doc: PolicyDocument, title: string, edits: TextEditSpan[], appended: string[], removed?: Statement): Fix | undefined {
  const node = doc.statementMember?.valueNode;
  if (!node) return undefined;
  let all: TextEditSpan[];
  if (node.type === 'object') {
    // A lone statement object: rewrite it as a whole.
    const shifted = edits.map(e => ({ span: { offset: e.span.offset - node.offset, length: e.span.length }, newText: e.newText }));
    const own = applyEdits(spanText(doc.text, node), shifted);
    const items = removed ? appended : [own, ...appended];
    if (!items.length) return undefined;
    all = [{ span: { offset: node.offset, length: node.length }, newText: items.length === 1 ? items[0] : `[${items.join(', ')}]` }];
  } else if (node.type === 'array') {
    all = [...edits];
    const children = node.children ?? [];
    if (removed) {
      const i = children.findIndex(c => c.offset === removed.node.offset);
      if (i < 0) return undefined;
      if (appended.length) {
        const lineStart = doc.text.lastIndexOf('\n', removed.node.offset) + 1;
        const before = doc.text.slice(lineStart, removed.node.offset);
        const sep = lineStart > 0 && /^[ \t]*$/.test(before) ? `,\n${before}` : ', ';
        all.push({ span: { offset: removed.node.offset, length: removed.node.length }, newText: appended.join(sep) });
      } else {
        if (children.length < 2) return undefined;
        all.push(removeWithComma(children.map(c => ({ offset: c.offset, length: c.length })), i, 'previous'));
      }
    } else if (appended.length) {
      const add = addStatementsFix(title, doc, appended);
      if (!add) return undefined;
      all.push(...add.edits);
    }
  } else return undefined;
  if (!all.length || !editedStatementsValid(doc, edits)) return undefined;
  return editsFix(title, all);
}

// ---------------------------------------------------------------------------------------------
// Messages and spans

/** "for example, an anonymous caller can call s3:PutObject on … (…)" */
export const witnessClause = (u: UploadClass): string => (u.witness ? `for example, ${describeWitness(u.witness)}` : '');

/** Soft wording for verdicts the engine could not complete. */
export const incompleteNote = (v: BucketVerdict): string =>
  v.complete ? '' : ' (The analysis is incomplete: some statements could not be decided, so this may be wrong.)';

/** "probably " when the verdict is incomplete. */
export const probably = (v: BucketVerdict): string => (v.complete ? '' : 'probably ');

/** Where a finding about the policy as a whole goes: the `Statement` key, else the document's start. */
export function policySpan(doc: PolicyDocument): Span {
  return doc.statementMember?.key.span ?? { offset: doc.root?.offset ?? 0, length: 1 };
}

/** The Effect value of a statement (its head when Effect is missing). */
export const effectSpan = (st: Statement): Span => st.effect?.span ?? { offset: st.node.offset, length: 1 };

export const listOf = (values: readonly string[]): string =>
  values.length <= 1 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;

export { statementLabel, capitalizedStatementLabel };

/** The first verdict for which `f` finds something (a policy naming several buckets is reported once). */
export function firstVerdict<T>(ctx: RuleContext, f: (v: BucketVerdict) => T | undefined): { v: BucketVerdict; found: T } | undefined {
  for (const v of ctx.verdicts()) {
    const found = f(v);
    if (found !== undefined) return { v, found };
  }
  return undefined;
}

// =============================================================================================
// ENC-003
// =============================================================================================

const REQUIREMENT_NOTE = (ctx: RuleContext) => `requirement "sse": ${JSON.stringify(ctx.requirements.sse)}`;

function reportAlgorithmGap(ctx: RuleContext, v: BucketVerdict, gap: AlgorithmGap): void {
  const first = gap.leaks[0];
  const allowed = listOf(gap.allowed);
  const sseC = gap.sseC ? ' Uploads with customer-provided keys (SSE-C) are not denied either.' : '';
  const fixText = gap.source === 'requirement'
    ? `Add a Deny for uploads that name another encryption than ${allowed}`
    : `Add a Deny that covers every upload naming another encryption than ${allowed}`;
  const fix = statementsFix(ctx.doc, fixText, [], algorithmGapStatements(ctx, v, gap.allowed, !!gap.sseC));
  const st = gap.statements[0];
  const message = gap.source === 'requirement'
    ? `Uploads that name another encryption than ${allowed} are ${probably(v)}not all denied (${REQUIREMENT_NOTE(ctx)}): ${witnessClause(first)}.${sseC}`
    : `${capitalizedStatementLabel(st)} denies uploads that do not use ${allowed}, but ${probably(v)}not all of them: ${witnessClause(first)}. ` +
      'A Deny constrains only the requests its Principal, Action, Resource and other conditions match.' + sseC;
  ctx.report({ span: st ? effectSpan(st) : policySpan(ctx.doc), severity: 'warning', message: message + incompleteNote(v), fixes: fix ? [fix] : [] });
}

function reportHeaderlessGap(ctx: RuleContext, v: BucketVerdict, none: UploadClass, intent: EncryptionIntent): void {
  const t = statementTarget(ctx, v);
  const required = ctx.requirements.sse;
  const statement = required.length
    ? algorithmDenyStatement(t, freshSid(ctx.doc, 'DenyUploadsWithoutRequiredEncryption'), required, true)
    : headerRequiredStatement(t, freshSid(ctx.doc, 'DenyUploadsWithoutEncryptionHeader'));
  const fix = statementsFix(ctx.doc, 'Add a Deny for uploads without an encryption header', [], [statement]);
  const st = intent.headerStatements[0] ?? intent.algorithmStatements[0];
  ctx.report({
    span: st ? effectSpan(st) : policySpan(ctx.doc),
    severity: 'warning',
    message: `Uploads without an encryption header are ${probably(v)}not all denied (requirement "headerlessUploads": "deny"): ${witnessClause(none)}. ` +
      'S3 would encrypt them with the bucket\'s default encryption, but your requirements say such uploads must be refused.' + incompleteNote(v),
    fixes: fix ? [fix] : [],
  });
}

/**
 * The classic pair: a `Null "true"` Deny on the header beside a Deny whose negated comparison
 * already denies uploads without it (absent key → true, RULES.md 0.2). Redundant when removing it
 * changes no upload decision.
 */
function reportRedundantNull(ctx: RuleContext, v: BucketVerdict, intent: EncryptionIntent): void {
  if (!intent.algorithmStatements.length) return;
  for (const st of intent.headerStatements) {
    const nullOnly = [...sseEntries(st)].every(e => e.op?.family === 'Null');
    if (!nullOnly || st.condition?.operators.length !== 1) continue;
    const others = intent.algorithmStatements.filter(s => s !== st);
    if (!others.length || !ctx.doc.statementMember || ctx.doc.statementMember.valueNode.type !== 'array') continue;
    const removal = statementsFix(ctx.doc, `Remove the redundant ${statementLabel(st)}`, [], [], st);
    if (!removal) continue;
    const without = bucketVerdicts(parsePolicy(applyEdits(ctx.doc.text, removal.edits)), { bucketName: v.bucket })[0];
    if (!without || !v.complete || !without.complete) continue;
    const unchanged = v.encryption.uploads.every(u => findClass(without, u)?.decision === u.decision);
    if (!unchanged) continue;
    const ob = st.condition.operators[0];
    ctx.report({
      span: ob.operator.span,
      severity: 'info',
      message: `${capitalizedStatementLabel(st)} is redundant: ${statementLabel(others[0])} already denies uploads without the x-amz-server-side-encryption header, because a negated operator is true when the key is absent. ` +
        'It is harmless (AWS\'s own example has both statements); removing it changes no upload decision.',
      fixes: [{ ...removal, preferred: false }],
    });
  }
}

export const enc003: Rule = {
  meta: {
    id: 'ENC-003',
    title: 'Required encryption is not enforced for every upload',
    severity: 'warning',
    appliesTo: ['bucket-policy'],
    why: 'Only an explicit Deny constrains every principal, and it constrains only the requests its Principal, Action, Resource and conditions match. When the requirements (setting "sse" or "headerlessUploads": "deny") or the algorithms a policy\'s own Deny statements name say uploads with other encryption must be refused, every such PutObject — by any principal, to any object — must be explicitly denied; the finding names one that is not. ' +
      'A `StringNotEquals` on `s3:x-amz-server-side-encryption` is true when the header is absent, so that statement alone already denies uploads without the header: the `Null` "true" statement AWS publishes beside it is redundant (harmless).',
    example: '{"Sid": "DenyUnencrypted", "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}',
    useInstead: '{"Sid": "DenyUploadsWithoutRequiredEncryption", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}, "Null": {"s3:x-amz-server-side-encryption": "false"}}}',
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingServerSideEncryption.html',
      'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_s3.html',
      'https://docs.aws.amazon.com/macie/latest/APIReference/datasources-s3.html',
    ],
    confidence: 'DOC',
    fixable: true,
  },
  check(ctx) {
    const intent = encryptionIntent(ctx.doc);
    const algorithm = firstVerdict(ctx, v => {
      const gap = algorithmGap(ctx, v, intent);
      // A gap that is only SSE-C is ENC-011's finding.
      return gap && gap.leaks.length ? gap : undefined;
    });
    if (algorithm) reportAlgorithmGap(ctx, algorithm.v, algorithm.found);

    // Header-less uploads get default encryption: not denying them is a gap only when the user requires it (ENGINE.md §3, §4).
    if (ctx.requirements.headerlessUploads === 'deny') {
      const headerless = firstVerdict(ctx, v => {
        const none = findClass(v, NONE);
        return none?.decision === 'not-denied' ? none : undefined;
      });
      if (headerless) reportHeaderlessGap(ctx, headerless.v, headerless.found, intent);
    }
    for (const v of ctx.verdicts().slice(0, 1)) reportRedundantNull(ctx, v, intent);
  },
};
