// TLS-001, and what every transport rule shares: how a statement tests aws:SecureTransport, and
// which rule speaks for a bucket whose verdict says HTTP gets through.
//
// "HTTPS is required" is decided by the engine (ENGINE.md §3, `transport.http`), never by looking
// for a Deny that mentions aws:SecureTransport. When HTTP gets through, exactly one rule reports it,
// with the engine's witness in its message, on the statement that should have denied it:
//   TLS-005  a Deny whose aws:SecureTransport test is inverted (it fires on HTTPS)
//   TLS-006  a Deny that tests aws:SecureTransport with Null (always present: never varies)
//   TLS-003  an Allow that requires HTTPS, and no Deny for HTTP at all
//   TLS-002  the HTTP Deny's Resource misses the witness's resource (e.g. only BUCKET/*)
//   TLS-004  the HTTP Deny's Action misses the witness's action (e.g. only s3:GetObject)
//   TLS-001  everything else: no HTTP Deny at all (on "Statement"), or one that leaves the
//            witness out for another reason (its Principal, its other conditions)
import { describeWitness } from '../../engine/summary';
import type { BucketVerdict, Witness } from '../../engine/types';
import { bucketArn, dominantPartition, parseS3Arn } from '../../policy/arn';
import type { ConditionEntry, ConditionOperatorBlock, PolicyDocument, Span, Statement } from '../../policy/model';
import { parseOperator, type ParsedOperator } from '../../policy/operators';
import { matchesWildcard } from '../../policy/wildcard';
import { addStatementsFix, httpsDenyStatement } from '../templates';
import type { Fix, Rule, RuleContext } from '../types';
import { capitalizedStatementLabel, stringItems } from '../util';

const SECURE_TRANSPORT = 'aws:securetransport';

// ---------------------------------------------------------------------------------------------
// How a statement tests aws:SecureTransport

/** Which requests a test on aws:SecureTransport matches: over HTTP (`false`), over HTTPS (`true`), both or neither. */
export type TransportMatch = 'http' | 'https' | 'both' | 'neither';

export interface TransportTest {
  ob: ConditionOperatorBlock;
  op: ParsedOperator;
  entry: ConditionEntry;
  matches: TransportMatch;
  /** The values are Booleans in some spelling (`true`, `"false"`, `"True"`): a polarity can be read from them. */
  booleans: boolean;
}

/** `true`/`false` as JSON Booleans or strings in any casing (casing is GRM-012's business, not polarity's). */
function looseBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return undefined;
  const t = v.trim().toLowerCase();
  return t === 'true' ? true : t === 'false' ? false : undefined;
}

const matchOf = (http: boolean, https: boolean): TransportMatch => (http && https ? 'both' : http ? 'http' : https ? 'https' : 'neither');

/**
 * What one operator entry on aws:SecureTransport matches. The key is always in the request context
 * (IAM-UG reference_policies_condition-keys), so `IfExists` changes nothing (TLS-006), a `Null`
 * test never varies, and a set qualifier on the single value behaves like the plain operator.
 */
function entryMatch(op: ParsedOperator, entry: ConditionEntry): { matches: TransportMatch; booleans: boolean } | undefined {
  const values = entry.values.items.map(i => looseBool(i.value));
  const booleans = values.length > 0 && values.every(v => v !== undefined);
  if (op.family === 'Null') {
    if (values.length !== 1 || values[0] === undefined) return undefined;
    // "true": the key is absent, which it never is; "false": present, which it always is.
    return { matches: values[0] ? 'neither' : 'both', booleans };
  }
  if (op.family !== 'Bool' && op.family !== 'String') return undefined;
  const strings = entry.values.items.map(i => (typeof i.value === 'boolean' ? String(i.value) : typeof i.value === 'string' ? i.value : undefined));
  const equal = (value: 'true' | 'false') => strings.some(s => {
    if (s === undefined) return false;
    if (op.family === 'Bool') return looseBool(s) === (value === 'true');
    if (op.like) return matchesWildcard(value, s, { ignoreCase: op.ignoreCase });
    return op.ignoreCase ? s.toLowerCase() === value : s === value;
  });
  const m = (value: 'true' | 'false') => (op.negated ? !equal(value) : equal(value));
  return { matches: matchOf(m('false'), m('true')), booleans };
}

/** Every test a statement's Condition makes on aws:SecureTransport (key names are case-insensitive). */
export function transportTests(st: Statement): TransportTest[] {
  const out: TransportTest[] = [];
  for (const ob of st.condition?.operators ?? []) {
    const op = parseOperator(ob.operator.value);
    if (!op) continue;
    for (const entry of ob.entries) {
      if (entry.key.value.toLowerCase() !== SECURE_TRANSPORT) continue;
      const m = entryMatch(op, entry);
      if (m) out.push({ ob, op, entry, ...m });
    }
  }
  return out;
}

/** Which transports the statement's aws:SecureTransport tests let through together (they are ANDed); undefined when it has none. */
export function transportMatch(st: Statement): TransportMatch | undefined {
  const tests = transportTests(st);
  if (tests.length === 0) return undefined;
  const http = tests.every(t => t.matches === 'http' || t.matches === 'both');
  const https = tests.every(t => t.matches === 'https' || t.matches === 'both');
  return matchOf(http, https);
}

const effectIs = (st: Statement, effect: 'Allow' | 'Deny'): boolean => st.effect?.value === effect;

/** `"Effect": "deny"` and the like: meant as a Deny, but AWS rejects the value (GRM-003 repairs it). */
const misspeltDeny = (st: Statement): boolean => typeof st.effect?.value === 'string' && st.effect.value !== 'Deny' && st.effect.value.trim().toLowerCase() === 'deny';

/** A Deny (or a statement meant as one) that fires only over HTTP: the statement meant to enforce HTTPS. */
export const isHttpDeny = (st: Statement): boolean => (effectIs(st, 'Deny') || misspeltDeny(st)) && transportMatch(st) === 'http';
/** A Deny that fires only over HTTPS: the polarity is inverted (TLS-005). */
export const isInvertedDeny = (st: Statement): boolean => effectIs(st, 'Deny') && transportMatch(st) === 'https';
/** A statement that tests aws:SecureTransport with Null (TLS-006). */
export const hasNullTransportTest = (st: Statement): boolean => transportTests(st).some(t => t.op.family === 'Null');
/** An Allow that applies only over HTTPS (TLS-003). */
export const isAllowIfHttps = (st: Statement): boolean => effectIs(st, 'Allow') && transportTests(st).some(t => t.op.family === 'Bool' && t.matches === 'https');

// ---------------------------------------------------------------------------------------------
// Which requests a statement names

export const isEveryone = (st: Statement): boolean =>
  !st.notPrincipal && !!st.principal && (st.principal.star || st.principal.entries.some(e => e.type.value === 'AWS' && e.values.items.some(i => i.value === '*')));

/** Does Action/NotAction take in `action`? (Case-insensitive, with wildcards; EVAL-005/006.) */
export function coversAction(st: Statement, action: string): boolean {
  const list = st.action ?? st.notAction;
  if (!list) return false;
  const named = stringItems(list).some(i => matchesWildcard(action, i.value, { ignoreCase: true }));
  return st.notAction && !st.action ? !named : named;
}

/** Does Resource/NotResource take in `arn`? (Case-sensitive, with wildcards.) */
export function coversResource(st: Statement, arn: string): boolean {
  const list = st.resource ?? st.notResource;
  if (!list) return false;
  const named = stringItems(list).some(i => matchesWildcard(arn, i.value));
  return st.notResource && !st.resource ? !named : named;
}

/** Does the statement name the bucket or any of its objects (NotResource: assume so)? */
export function namesBucket(st: Statement, bucket: string): boolean {
  if (st.notResource && !st.resource) return true;
  return stringItems(st.resource).some(i => {
    if (i.value === '*') return true;
    const arn = parseS3Arn(i.value);
    return !!arn && matchesWildcard(bucket, arn.bucket);
  });
}

// ---------------------------------------------------------------------------------------------
// Who reports an HTTP request that gets through

export type HttpGapOwner = 'TLS-001' | 'TLS-002' | 'TLS-003' | 'TLS-004' | 'TLS-005' | 'TLS-006';

export interface HttpGap {
  verdict: BucketVerdict;
  /** An HTTP request to the bucket that no Deny stops (the verdict's witness). */
  witness: Witness;
  owner: HttpGapOwner;
  /** The statement that should have denied the witness; none when the policy has no HTTP Deny. */
  statement?: Statement;
}

function gapOf(doc: PolicyDocument, verdict: BucketVerdict, witness: Witness, bucketFromSettings: boolean): HttpGap {
  const relevant = doc.statements.filter(st => namesBucket(st, verdict.bucket));
  const first = (p: (st: Statement) => boolean) => relevant.find(p);
  const gap = (owner: HttpGapOwner, statement?: Statement): HttpGap => ({ verdict, witness, owner, statement });
  const httpDenies = relevant.filter(isHttpDeny);
  if (verdict.transport.http === 'allowed') {
    // Nothing is denied because of HTTP: a miswritten Deny is the place to repair, if there is one.
    const inverted = first(isInvertedDeny);
    if (inverted) return gap('TLS-005', inverted);
    const nullTest = first(st => effectIs(st, 'Deny') && hasNullTransportTest(st));
    if (nullTest) return gap('TLS-006', nullTest);
    if (httpDenies.length === 0) {
      const allow = first(isAllowIfHttps);
      if (allow) return gap('TLS-003', allow);
    }
  }
  const action = String(witness.action);
  const resource = String(witness.resource);
  const covers = httpDenies.map(st => ({ st, action: coversAction(st, action), resource: coversResource(st, resource) }));
  // A Deny that misses exactly one of the two is the one that should have denied the witness.
  const missesResource = covers.find(c => c.action && !c.resource) ?? covers.find(c => !c.action && !c.resource);
  const missesAction = covers.find(c => !c.action && c.resource);
  if (missesResource && (missesResource.action || !missesAction)) return gap('TLS-002', missesResource.st);
  if (missesAction) return gap('TLS-004', missesAction.st);
  // Some Deny names the action and the resource: its Principal or another condition leaves the witness out.
  // When the bucket comes from the file name or a setting, an HTTP Deny for another bucket is one whose
  // ARNs GRM-008 renames: that is the statement to point at.
  const other = httpDenies[0] ?? first(st => effectIs(st, 'Deny') && transportTests(st).length > 0) ??
    (bucketFromSettings ? doc.statements.find(isHttpDeny) : undefined);
  return gap('TLS-001', other);
}

const gapCache = new WeakMap<readonly BucketVerdict[], HttpGap[]>();

/** One gap per bucket whose verdict says some HTTP request is not denied. */
export function httpGaps(ctx: RuleContext): HttpGap[] {
  const verdicts = ctx.verdicts();
  let gaps = gapCache.get(verdicts);
  if (!gaps) {
    gaps = [];
    for (const v of verdicts) {
      if (v.transport.http === 'denied' || !v.transport.witness) continue;
      gaps.push(gapOf(ctx.doc, v, v.transport.witness, !!ctx.bucketName));
    }
    gapCache.set(verdicts, gaps);
  }
  return gaps;
}

/** The gaps a given rule reports. */
export const gapsOwnedBy = (ctx: RuleContext, owner: HttpGapOwner): HttpGap[] => httpGaps(ctx).filter(g => g.owner === owner);

// ---------------------------------------------------------------------------------------------
// Wording and fixes

/** The partition of the witness's ARN (the bucket's), else the policy's. */
export const witnessPartition = (doc: PolicyDocument, w: Witness): string =>
  parseS3Arn(String(w.resource))?.partition ?? dominantPartition(doc) ?? 'aws';

/**
 * `HTTPS is not enforced for bucket "b": an anonymous caller can call s3:ListBucket on
 * arn:aws:s3:::b over HTTP.` — softened when the verdict is incomplete.
 */
export function httpsNotEnforced(verdict: BucketVerdict, witness: Witness): string {
  const lead = verdict.complete
    ? `HTTPS is not enforced for bucket "${verdict.bucket}"`
    : `HTTPS is probably not enforced for bucket "${verdict.bucket}" (the analysis could not decide every statement)`;
  return `${lead}: ${describeWitness(witness)}.`;
}

/** The fix that adds the canonical HTTPS statement (RULES.md TLS-001) for the gap's bucket. */
export function addHttpsDenyFix(doc: PolicyDocument, gap: HttpGap): Fix | undefined {
  return addStatementsFix('Add a statement that denies HTTP requests (DenyInsecureTransport)', doc, [httpsDenyStatement(witnessPartition(doc, gap.witness), gap.verdict.bucket)]);
}

/** Why an HTTP Deny that names the witness's action and resource still leaves it out. */
function whyLeftOut(st: Statement, w: Witness, bucket: string): string {
  if (!namesBucket(st, bucket)) return `its Resource names another bucket than "${bucket}" (GRM-008 repairs it)`;
  if (misspeltDeny(st)) return `its "Effect" is ${JSON.stringify(st.effect?.value)}, not "Deny", so AWS rejects the policy (GRM-003 repairs it)`;
  if (hasNonBooleanTransportValue(st)) return 'its value is not a Boolean, so it never matches an HTTP request (GRM-012 repairs it)';
  if (!isEveryone(st)) return `its ${st.notPrincipal ? 'NotPrincipal' : 'Principal'} leaves out ${w.principal === 'anonymous' ? 'anonymous callers' : String(w.principal)}`;
  if (transportTests(st).length < (st.condition?.operators.reduce((n, ob) => n + ob.entries.length, 0) ?? 0)) return 'its other conditions do not match this request';
  return 'it does not apply to this request';
}

/** A statement whose aws:SecureTransport values are not Booleans. */
const hasNonBooleanTransportValue = (st: Statement): boolean => transportTests(st).some(t => !t.booleans);
/** Another rule's fix repairs the statement itself (GRM-003 the Effect, GRM-008 the bucket, GRM-012 the value): adding a statement would duplicate it. */
const repairedElsewhere = (st: Statement, bucket: string): boolean => misspeltDeny(st) || hasNonBooleanTransportValue(st) || !namesBucket(st, bucket);

export const tls001: Rule = {
  meta: {
    id: 'TLS-001',
    title: 'HTTP requests are not denied',
    severity: 'warning',
    appliesTo: ['bucket-policy'],
    why: 'S3 accepts both HTTP and HTTPS by default; only an explicit Deny on "aws:SecureTransport": "false" for the bucket and its objects enforces encryption in transit (AWS Config rule s3-bucket-ssl-requests-only, CIS AWS Foundations 2.1.1/3.1.1). S3 itself requires TLS only for SSE-KMS and SSE-C requests; SSE-S3 uploads and reads have no such built-in requirement. The check is decided by evaluating the policy: the message names one request that gets through over HTTP.',
    example: '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*"}]}',
    useInstead: '{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html',
      'https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule',
    ],
    confidence: 'DOC',
    fixable: true,
  },
  check(ctx) {
    if (!ctx.requirements.https) return;
    const { doc } = ctx;
    for (const gap of gapsOwnedBy(ctx, 'TLS-001')) {
      const st = gap.statement;
      const fix = st && repairedElsewhere(st, gap.verdict.bucket) ? undefined : addHttpsDenyFix(doc, gap);
      const fixes = fix ? [fix] : [];
      if (st) {
        ctx.report({
          span: st.effect?.span ?? st.span,
          message: `${httpsNotEnforced(gap.verdict, gap.witness)} ${capitalizedStatementLabel(st)} tests aws:SecureTransport, but ${whyLeftOut(st, gap.witness, gap.verdict.bucket)}.` +
            (repairedElsewhere(st, gap.verdict.bucket) ? '' : ` Deny every request with "aws:SecureTransport": "false" to ${bucketArn(witnessPartition(doc, gap.witness), gap.verdict.bucket)} and its objects.`),
          fixes,
        });
        continue;
      }
      const span: Span = doc.statementMember?.key.span ?? { offset: doc.root?.offset ?? 0, length: doc.root ? 1 : 0 };
      ctx.report({
        span,
        message: `${httpsNotEnforced(gap.verdict, gap.witness)} No statement denies requests that do not use HTTPS: add a Deny on "aws:SecureTransport": "false" for the bucket and its objects.`,
        fixes,
      });
    }
  },
};
