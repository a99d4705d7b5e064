// What the ENC rules share: the SSE header values and which statement conditions test them, the
// upload classes of the verdict and the requests that stand for them, the policy's evident intent,
// the gaps between what must be denied (the requirements, else that intent) and the verdict, the
// default-friendly rewrite (RULES.md template 3), and the wording of verdict-based findings.
// Rule modules import from here (and from ../templates, ../edits, ../util), never from each other.
import { evaluatePolicy } from '../../engine/evaluate';
import { SSE, SSE_CUSTOMER_ALGORITHM, SSE_KEYS, SSE_KMS_KEY_ID } from '../../engine/requests/context-keys';
import { instantiate } from '../../engine/requests/instances';
import { principalLabel } from '../../engine/requests/principals';
import { isDeny, statementKeys } from '../../engine/requests/statements';
import { requestToWitness } from '../../engine/requests/witnesses';
import { requestClause } from '../../../shared/wording';
import type { BucketVerdict, Request, UploadClass } from '../../../shared/types';
import { witnessToRequest } from '../../engine/verdict';
import { dominantPartition, parseArn, parseS3Arn } from '../../policy/arn';
import type { ConditionEntry, ConditionOperatorBlock, PolicyDocument, Span, Statement } from '../../policy/model';
import { parseOperator, resultWhenKeyAbsent, type ParsedOperator } from '../../policy/operators';
import { matchesWildcard } from '../../policy/wildcard';
import { insertMember } from '../edits';
import {
  algorithmDenyStatement,
  freshSid,
  newStatement,
  sseCBanStatement,
  statementsFix,
  type NewStatement,
  type StatementTarget,
} from '../templates';
import type { Fix, RuleContext, TextEditSpan } from '../types';
import { coversAction, jsonString, listOf, stringItems } from '../util';

export { SSE, SSE_CUSTOMER_ALGORITHM, SSE_KMS_KEY_ID, isDeny };

// ---------------------------------------------------------------------------------------------
// The SSE headers and the conditions on them

/** The only values S3 accepts in the `x-amz-server-side-encryption` header (SSE-S3, SSE-KMS, DSSE-KMS). */
export const SSE_VALUES = ['AES256', 'aws:kms', 'aws:kms:dsse'] as const;
export type Algorithm = (typeof SSE_VALUES)[number];
export const KMS_ALGORITHMS: readonly Algorithm[] = ['aws:kms', 'aws:kms:dsse'];
export const isAlgorithm = (s: string): s is Algorithm => (SSE_VALUES as readonly string[]).includes(s);
export const isKmsAlgorithm = (s: string): boolean => (KMS_ALGORITHMS as readonly string[]).includes(s);

/** The SSE condition key an entry compares (lower-cased), or undefined. */
export function sseKeyOf(entry: ConditionEntry): string | undefined {
  const k = entry.key.value.toLowerCase();
  return SSE_KEYS.includes(k) ? k : undefined;
}

/** Does the statement's Action (or NotAction) let it apply to s3:PutObject? */
export const coversPutObject = (st: Statement): boolean => coversAction(st, 's3:PutObject');

/** Does the statement read one of the SSE condition keys? */
export const readsSseKeys = (st: Statement, keys: readonly string[] = SSE_KEYS): boolean => {
  const read = statementKeys(st);
  return keys.some(k => read.has(k));
};

/** Every operator block and entry of a statement that compares an SSE key, with the parsed operator. */
export function* sseEntries(
  st: Statement,
): Generator<{ ob: ConditionOperatorBlock; op: ParsedOperator | undefined; entry: ConditionEntry; key: string }> {
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
  return (
    !!op &&
    resultWhenKeyAbsent(
      op,
      entry.values.items.map(i => i.value),
    ) === true
  );
}

/** The SSE tests of a statement that are true when their key is absent: the statement applies to uploads without that header. */
export const absentTrueEntries = (st: Statement) => [...sseEntries(st)].filter(e => trueWhenAbsent(e.op, e.entry));

/** The operator block of a statement whose test on `key` is true when the key is absent. */
export const absentTrueOperator = (st: Statement, key: string): ConditionOperatorBlock | undefined =>
  absentTrueEntries(st).find(e => e.key === key)?.ob;

// ---------------------------------------------------------------------------------------------
// Upload classes and the requests that stand for them

export type ClassId = Pick<UploadClass, 'sse' | 'kmsKey'>;

export const sameClass = (a: ClassId, b: ClassId): boolean => a.sse === b.sse && a.kmsKey === b.kmsKey;
export const findClass = (v: BucketVerdict, c: ClassId): UploadClass | undefined =>
  v.encryption.uploads.find(u => sameClass(u, c));
export const NONE: ClassId = { sse: 'none', kmsKey: null };
/** Uploads that send aws:kms without a key id (S3 uses the bucket's default key, or aws/s3). */
export const KMS_WITHOUT_KEY: ClassId = { sse: 'aws:kms', kmsKey: null };
const DSSE_WITHOUT_KEY: ClassId = { sse: 'aws:kms:dsse', kmsKey: null };

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
    case 'none':
      return {};
    case 'SSE-C':
      return { [SSE_CUSTOMER_ALGORITHM]: 'AES256' };
    case 'AES256':
      return { [SSE]: 'AES256' };
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
      : {
          principal: { kind: 'anonymous' },
          action: 's3:PutObject',
          resource: `arn:${partitionOf(v) ?? 'aws'}:s3:::${v.bucket}/example`,
          context: { 'aws:principaltype': 'Anonymous', 'aws:securetransport': 'true', 's3:tlsversion': '1.3' },
        };
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
  return stringItems(st.resource)
    .map(i => instantiate(i.value))
    .find(r => {
      const arn = parseS3Arn(r);
      return arn?.bucket === bucket && arn.key !== undefined;
    });
}

/** The Deny statements that decide a request (none when it is not explicitly denied). */
export function denyingStatements(doc: PolicyDocument, req: Request): Statement[] {
  const ev = evaluatePolicy(doc, req);
  return ev.decision === 'explicit-deny' ? ev.statements.map(i => doc.statements[i]).filter((s): s is Statement => !!s) : [];
}

/** The first upload class that `which` picks and that the verdict denies, `st` among the statements that deny it. */
export function classDeniedBy(
  ctx: RuleContext,
  v: BucketVerdict,
  st: Statement,
  which: (u: UploadClass) => boolean,
): UploadClass | undefined {
  return v.encryption.uploads.find(
    u => which(u) && u.decision === 'denied' && denyingStatements(ctx.doc, uploadRequest(v, u)).includes(st),
  );
}

/**
 * The upload of class `c` when the verdict denies it, and every statement that denies it passes
 * `by`: the request and those statements. Undefined as well when the policy lets no upload
 * through at all: that is a bigger problem (a lockout) than the one such a rule explains.
 */
export function deniedOnlyBy(
  ctx: RuleContext,
  v: BucketVerdict,
  c: ClassId,
  by: (st: Statement) => boolean,
): { req: Request; deniers: Statement[] } | undefined {
  if (findClass(v, c)?.decision !== 'denied' || !v.encryption.uploads.some(u => u.decision === 'not-denied')) return undefined;
  const req = uploadRequest(v, c);
  const deniers = denyingStatements(ctx.doc, req);
  return deniers.length && deniers.every(by) ? { req, deniers } : undefined;
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
    if (!isDeny(st) || !coversPutObject(st)) continue;
    for (const { op, entry, key } of sseEntries(st)) {
      if (key === SSE && isNegatedCompare(op)) {
        for (const a of entryStrings(entry).flatMap(v => algorithmsNamed(v, op)))
          if (!intent.algorithms.includes(a)) intent.algorithms.push(a);
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

/** What uploads may name, and why: the requirements when they say, else the policy's evident intent. */
export interface Accepted<T> {
  source: 'requirement' | 'intent';
  values: T[];
}

const acceptedOf = <T>(required: readonly T[], intended: readonly T[]): Accepted<T> | undefined =>
  required.length
    ? { source: 'requirement', values: [...required] }
    : intended.length
      ? { source: 'intent', values: [...intended] }
      : undefined;

/** The algorithms uploads may name (requirement "sse", else the policy's algorithm Denies); undefined when neither says. */
export const acceptedAlgorithms = (ctx: RuleContext, intent: EncryptionIntent): Accepted<Algorithm> | undefined =>
  acceptedOf<Algorithm>(ctx.requirements.sse, intent.algorithms);

/** The KMS keys uploads may name (requirement "kmsKeyArns", else the policy's key pins); undefined when neither says. */
export const acceptedKeys = (ctx: RuleContext, intent: EncryptionIntent): Accepted<string> | undefined =>
  acceptedOf(ctx.requirements.kmsKeyArns, intent.keys);

// ---------------------------------------------------------------------------------------------
// Gaps: uploads that the requirements (or, without them, the evident intent) say must be denied

export interface AlgorithmGap {
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
  const accepted = acceptedAlgorithms(ctx, intent);
  if (!accepted) return undefined;
  const { source, values: allowed } = accepted;
  const leaks = v.encryption.uploads.filter(u => u.decision === 'not-denied' && isAlgorithm(u.sse) && !allowed.includes(u.sse));
  const sseCOpen = v.encryption.uploads.find(u => u.sse === 'SSE-C' && u.decision === 'not-denied');
  const sseC = sseCOpen && (source === 'requirement' || allowed.every(isKmsAlgorithm)) ? sseCOpen : undefined;
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
  const accepted = acceptedKeys(ctx, intent);
  if (!accepted) return undefined;
  const { source, values: keys } = accepted;
  // An algorithm that must be denied altogether is the algorithm gap's finding, not a key gap.
  const algorithms: readonly string[] = acceptedAlgorithms(ctx, intent)?.values ?? KMS_ALGORITHMS;
  const leaks = v.encryption.uploads.filter(
    u =>
      u.decision === 'not-denied' &&
      u.kmsKey !== null &&
      algorithms.includes(u.sse) &&
      (u.kmsKey === 'other' || !keys.includes(u.kmsKey)),
  );
  return leaks.length ? { source, keys, leaks, statements: intent.keyStatements } : undefined;
}

/**
 * The policy requires SSE-C: only SSE-C uploads get through, and uploads without any header are
 * denied by a statement whose customer-algorithm test is true when that header is absent.
 */
export function sseCRequired(ctx: RuleContext, v: BucketVerdict): { st: Statement; ob: ConditionOperatorBlock } | undefined {
  const uploads = v.encryption.uploads;
  if (!uploads.some(u => u.sse === 'SSE-C' && u.decision === 'not-denied')) return undefined;
  if (!uploads.every(u => u.sse === 'SSE-C' || u.decision === 'denied')) return undefined;
  for (const st of denyingStatements(ctx.doc, uploadRequest(v, NONE))) {
    for (const { ob, op, entry, key } of sseEntries(st))
      if (key === SSE_CUSTOMER_ALGORITHM && trueWhenAbsent(op, entry)) return { st, ob };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Statements a fix adds (the templates are in ../templates)

/** The algorithm Deny (templates.ts), with what it does for the fix's title: strict also denies uploads without the header. */
export const algorithmDeny = (t: StatementTarget, sid: string, algorithms: readonly string[], strict: boolean): NewStatement =>
  newStatement(
    algorithmDenyStatement(t, sid, algorithms, strict),
    strict
      ? `denies uploads that do not name ${listOf(algorithms)}`
      : `denies uploads that name another encryption than ${listOf(algorithms)}`,
  );

/** The SSE-C ban (templates.ts), with what it does. */
export const sseCBan = (t: StatementTarget, sid: string): NewStatement =>
  newStatement(sseCBanStatement(t, sid), 'denies SSE-C uploads');

/** The verdict's bucket, in the partition its witnesses use (else the policy's). */
export function statementTarget(ctx: RuleContext, v: BucketVerdict): StatementTarget {
  const partition = partitionOf(v) ?? dominantPartition(ctx.doc) ?? 'aws';
  return { partition, bucket: v.bucket };
}

// ---------------------------------------------------------------------------------------------
// The default-friendly rewrite (RULES.md template 3)

/** How a statement's SSE conditions treat an absent key. */
interface AbsentKeys {
  /** Keys compared with a negated operator (true when absent): a `Null … "false"` makes them require the header. */
  negated: Set<string>;
  /** Keys under `Null … "true"`: the statement exists to deny uploads without them. */
  nullTrue: Set<string>;
  /** Shapes the rewrite leaves alone (unknown operators, non-negated IfExists, ForAllValues…). */
  other: boolean;
}

function absentKeys(st: Statement): AbsentKeys {
  const out: AbsentKeys = { negated: new Set(), nullTrue: new Set(), other: false };
  for (const { op, entry, key } of sseEntries(st)) {
    if (!op) out.other = true;
    else if (op.family === 'Null') {
      if (op.set) out.other = true;
      else if (trueWhenAbsent(op, entry)) out.nullTrue.add(key);
    } else if (op.negated && op.set !== 'ForAnyValue') out.negated.add(key);
    else if (trueWhenAbsent(op, entry)) out.other = true;
  }
  return out;
}

/** Add `"Null": {key: "false", …}` to a statement's Condition (into its Null block when it has one). */
function nullFalseEdit(text: string, st: Statement, keys: readonly string[]): TextEditSpan | undefined {
  const cond = st.condition;
  if (!cond || cond.node.type !== 'object' || keys.length === 0) return undefined;
  const entries = keys.map(k => `${jsonString(k)}: "false"`).join(', ');
  const nulls: ConditionOperatorBlock[] = cond.operators.filter(o => parseOperator(o.operator.value)?.family === 'Null');
  if (nulls.length > 1) return undefined;
  if (nulls.length === 0) return insertMember(text, cond.node, `"Null": {${entries}}`);
  const block = nulls[0];
  if (block.operator.value !== 'Null' || block.node.type !== 'object') return undefined;
  if (block.entries.some(e => keys.includes(e.key.value.toLowerCase()))) return undefined;
  return insertMember(text, block.node, entries);
}

/**
 * Rewrite `statements` (Deny statements that fire when an SSE header is absent) so that they deny
 * only uploads that explicitly name the wrong encryption (RULES.md template 3): each negated
 * comparison gets `"Null": {key: "false"}`; a statement whose SSE test is only `Null "true"` goes.
 * Uploads without a header become allowed (and, when a key-id test is rewritten, uploads that name
 * aws:kms without a key id); every other class the policy denies stays denied — the algorithm Deny
 * and the SSE-C ban of template 3 are added when the rewrite would let such uploads through.
 * Undefined for shapes the rewrite does not handle.
 */
export function defaultFriendlyFix(
  ctx: RuleContext,
  v: BucketVerdict,
  statements: readonly Statement[],
  title: string,
): Fix | undefined {
  const { doc } = ctx;
  const edits: TextEditSpan[] = [];
  let removed: Statement | undefined;
  let keyIdRewritten = false;
  for (const st of statements) {
    const keys = absentKeys(st);
    if (keys.other || (keys.negated.size && keys.nullTrue.size)) return undefined;
    if (keys.nullTrue.has(SSE_KMS_KEY_ID) || keys.negated.has(SSE_KMS_KEY_ID)) keyIdRewritten = true;
    if (keys.nullTrue.size) {
      // One removal per fix keeps the edits apart; the SSE-C requirement (`Null … customer-algorithm "true"`) is ENC-011's business.
      if (removed || keys.nullTrue.has(SSE_CUSTOMER_ALGORITHM)) return undefined;
      removed = st;
      continue;
    }
    const edit = nullFalseEdit(doc.text, st, [...keys.negated]);
    if (!edit) return undefined;
    edits.push(edit);
  }
  // A rewritten statement stops applying to an upload that lacks one of the keys it now requires
  // present (`Null … "false"`); a removed one applies to nothing. A class the policy denies is
  // reopened when every statement that denies it stops applying.
  const required = new Map(statements.map(st => [st, [...absentKeys(st).negated]]));
  const stopsApplying = (st: Statement, headers: Record<string, string>): boolean =>
    st === removed || (required.get(st) ?? []).some(k => headers[k] === undefined);
  const meantToOpen: ClassId[] = [NONE, ...(keyIdRewritten ? [KMS_WITHOUT_KEY, DSSE_WITHOUT_KEY] : [])];
  const reopened: UploadClass[] = v.encryption.uploads.filter(u => {
    if (u.decision !== 'denied' || meantToOpen.some(c => sameClass(c, u))) return false;
    const deniers = denyingStatements(doc, uploadRequest(v, u));
    const headers = classHeaders(v, u);
    return deniers.length > 0 && deniers.every(st => required.has(st) && stopsApplying(st, headers));
  });

  const t = statementTarget(ctx, v);
  const appended: NewStatement[] = [];
  const taken: string[] = [];
  const algorithmsReopened = reopened.filter(u => isAlgorithm(u.sse));
  if (algorithmsReopened.length) {
    const open = (a: string) =>
      v.encryption.uploads.some(u => u.sse === a && (u.decision === 'not-denied' || meantToOpen.some(c => sameClass(c, u))));
    const allowed = SSE_VALUES.filter(open);
    // Only an algorithm Deny can restore them, and only if none of them uses an algorithm that stays allowed.
    if (!allowed.length || algorithmsReopened.some(u => allowed.includes(u.sse as Algorithm))) return undefined;
    const sid = freshSid(doc, 'DenyUploadsWithoutRequiredEncryption', taken);
    taken.push(sid);
    appended.push(algorithmDeny(t, sid, allowed, false));
  }
  if (reopened.some(u => u.sse === 'SSE-C')) appended.push(sseCBan(t, freshSid(doc, 'DenySseCUploads', taken)));
  const fix = statementsFix(doc, title, edits, appended, removed);
  return fix && { ...fix, preferred: false };
}

// ---------------------------------------------------------------------------------------------
// Wording of findings decided from the verdict

/** " For example, an anonymous caller calling s3:PutObject on … (…) is not denied by this policy (…)." — empty when the class has no witness. */
export const forExample = (u: UploadClass): string =>
  u.witness ? ` For example, ${requestClause(u.witness, 'not-denied')}.` : '';

/** A request the policy denies, in words: "an anonymous caller calling s3:PutObject on … over HTTPS (…) is denied by this policy". */
export const deniedRequest = (req: Request): string => requestClause(requestToWitness(req), 'denied');

/** Soft wording for verdicts the engine could not complete. */
export const incompleteNote = (v: BucketVerdict): string =>
  v.complete ? '' : ' (The analysis is incomplete: some statements could not be decided, so this may be wrong.)';

/** "probably " when the verdict is incomplete. */
export const probably = (v: BucketVerdict): string => (v.complete ? '' : 'probably ');

/**
 * The placeholders of verdict-based messages that soften them when the engine could not decide every
 * statement: `{probably}` ("probably " or nothing) and `{incomplete}` (a closing sentence or nothing).
 */
export const softWords = (v: BucketVerdict): { probably: string; incomplete: string } => ({
  probably: probably(v),
  incomplete: incompleteNote(v),
});

/** Where a finding about the policy as a whole goes: the `Statement` key, else the document's start. */
export function policySpan(doc: PolicyDocument): Span {
  return doc.statementMember?.key.span ?? { offset: doc.root?.offset ?? 0, length: 1 };
}

/** The first verdict for which `f` finds something (a policy naming several buckets is reported once). */
export function firstVerdict<T>(
  ctx: RuleContext,
  f: (v: BucketVerdict) => T | undefined,
): { v: BucketVerdict; found: T } | undefined {
  for (const v of ctx.verdicts()) {
    const found = f(v);
    if (found !== undefined) return { v, found };
  }
  return undefined;
}
