// The upload classes of the bucket verdict (algorithm × key), the requests that stand for them,
// which statements deny them, and the wording of findings decided from the verdict.
import { evaluatePolicy } from '../../engine/evaluate';
import { requestClause } from '../../../shared/wording';
import type { BucketVerdict, Request, UploadClass } from '../../../shared/types';
import { requestToWitness, witnessToRequest } from '../../engine/verdict';
import { parseArn, parseS3Arn } from '../../policy/arn';
import type { PolicyDocument, Span, Statement } from '../../policy/model';
import type { RuleContext } from '../types';
import { stringItems } from '../model-lookups';
import { SSE_KEYS } from '../../engine/requests/context-keys';
import { instantiate } from '../../engine/requests/instances';
import { principalLabel } from '../../engine/requests/principals';
import { SSE_KMS_KEY_ID, SSE_CUSTOMER_ALGORITHM, SSE } from './sse-conditions';

export type ClassId = Pick<UploadClass, 'sse' | 'kmsKey'>;

export const sameClass = (a: ClassId, b: ClassId): boolean => a.sse === b.sse && a.kmsKey === b.kmsKey;
export const findClass = (v: BucketVerdict, c: ClassId): UploadClass | undefined =>
  v.encryption.uploads.find(u => sameClass(u, c));
export const NONE: ClassId = { sse: 'none', kmsKey: null };
/** Uploads that send aws:kms without a key id (S3 uses the bucket's default key, or aws/s3). */
export const KMS_WITHOUT_KEY: ClassId = { sse: 'aws:kms', kmsKey: null };
/** A DSSE-KMS upload that names no key (the bucket's default key applies). */
export const DSSE_WITHOUT_KEY: ClassId = { sse: 'aws:kms:dsse', kmsKey: null };

/** A KMS key ARN no pattern of the policy names (as the engine's "other key" classes use). */
function otherKey(v: BucketVerdict): string {
  for (const u of v.encryption.uploads) {
    const w = u.witness?.[SSE_KMS_KEY_ID];
    if (u.kmsKey === 'other' && typeof w === 'string') return w;
  }
  return `arn:${partitionOf(v) ?? 'aws'}:kms:us-east-1:999999999999:key/00000000-0000-4000-8000-000000000000`;
}

/** The partition of the verdict's bucket, as its witnesses show it. */
export const partitionOf = (v: BucketVerdict): string | undefined => {
  const w = v.encryption.uploads.find(u => u.witness)?.witness ?? v.transport.witness;
  return typeof w?.resource === 'string' ? parseArn(w.resource)?.partition || undefined : undefined;
};

/** The SSE context keys of an upload of the class (docs/design/aws-facts.md#table-0-3), lower-cased. */
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
