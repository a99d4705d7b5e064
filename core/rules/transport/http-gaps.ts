// What the transport rules (TLS-001 … TLS-007) share: how a statement tests aws:SecureTransport,
// which requests it names, which rule speaks for a bucket whose verdict says HTTP gets through,
// and the wording and fixes of those findings. Rule modules import from here, never from each other.
//
// "HTTPS is required" is decided by the engine (docs/design/engine.md#bucket-verdict, `transport.http`), never by looking
// for a Deny that mentions aws:SecureTransport. When HTTP gets through, exactly one rule reports it,
// with the engine's witness in its message, on the statement that should have denied it:
//   TLS-005  a Deny whose aws:SecureTransport test is inverted (it fires on HTTPS)
//   TLS-006  a Deny that tests aws:SecureTransport with Null (always present: never varies)
//   TLS-003  an Allow that requires HTTPS, and no Deny for HTTP at all
//   TLS-002  the HTTP Deny's Resource misses the witness's resource (e.g. only BUCKET/*)
//   TLS-004  the HTTP Deny's Action misses the witness's action (e.g. only s3:GetObject)
//   TLS-001  everything else: no HTTP Deny at all (on "Statement"), or one that leaves the
//            witness out for another reason (its Principal, its other conditions)
import { requestClause } from '../../../shared/wording';
import type { BucketVerdict, Witness } from '../../../shared/types';
import { bucketArn, dominantPartition, objectsArn, parseS3Arn } from '../../policy/arn';
import type { ConditionEntry, ConditionOperatorBlock, PolicyDocument, Statement } from '../../policy/model';
import type { ParsedOperator } from '../../policy/operators';
import { matchesWildcard } from '../../policy/wildcard';
import { editsFix, insertBeside, replaceFix, replaceItemFix } from '../edits';
import { addStatementsFixFor, httpsDenyStatement, newStatement } from '../templates';
import type { Fix, RuleContext, TextEditSpan } from '../types';
import { jsonString } from '../json-text';
import { keyTests, stringItems, coversResource, coversAction, memberAt } from '../model-lookups';

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
export function looseBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return undefined;
  const t = v.trim().toLowerCase();
  return t === 'true' ? true : t === 'false' ? false : undefined;
}

const matchOf = (http: boolean, https: boolean): TransportMatch =>
  http && https ? 'both' : http ? 'http' : https ? 'https' : 'neither';

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
  const strings = entry.values.items.map(i =>
    typeof i.value === 'boolean' ? String(i.value) : typeof i.value === 'string' ? i.value : undefined,
  );
  const equal = (value: 'true' | 'false') =>
    strings.some(s => {
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
  for (const { ob, op, entry } of keyTests(st, SECURE_TRANSPORT)) {
    const m = entryMatch(op, entry);
    if (m) out.push({ ob, op, entry, ...m });
  }
  return out;
}

/** Which transports the statement's aws:SecureTransport tests let through together (they are ANDed); undefined when it has none. */
function transportMatch(st: Statement): TransportMatch | undefined {
  const tests = transportTests(st);
  if (tests.length === 0) return undefined;
  const http = tests.every(t => t.matches === 'http' || t.matches === 'both');
  const https = tests.every(t => t.matches === 'https' || t.matches === 'both');
  return matchOf(http, https);
}

const effectIs = (st: Statement, effect: 'Allow' | 'Deny'): boolean => st.effect?.value === effect;

/** `"Effect": "deny"` and the like: meant as a Deny, but AWS rejects the value (GRM-003 repairs it). */
export const misspeltDeny = (st: Statement): boolean =>
  typeof st.effect?.value === 'string' && st.effect.value !== 'Deny' && st.effect.value.trim().toLowerCase() === 'deny';

/** A Deny (or a statement meant as one) that fires only over HTTP: the statement meant to enforce HTTPS. */
export const isHttpDeny = (st: Statement): boolean => (effectIs(st, 'Deny') || misspeltDeny(st)) && transportMatch(st) === 'http';
/** A Deny that fires only over HTTPS: the polarity is inverted (TLS-005). */
export const isInvertedDeny = (st: Statement): boolean => effectIs(st, 'Deny') && transportMatch(st) === 'https';
/** A statement that tests aws:SecureTransport with Null (TLS-006). */
const hasNullTransportTest = (st: Statement): boolean => transportTests(st).some(t => t.op.family === 'Null');
/** An Allow that applies only over HTTPS (TLS-003). */
export const isAllowIfHttps = (st: Statement): boolean =>
  effectIs(st, 'Allow') && transportTests(st).some(t => t.op.family === 'Bool' && t.matches === 'https');

// ---------------------------------------------------------------------------------------------
// Which requests a statement names (coversAction and coversResource are in ../util)

/** Is `value` an S3 ARN (the bucket or an object) whose bucket part matches `bucket`? */
function arnOfBucket(value: string, bucket: string): boolean {
  const arn = parseS3Arn(value);
  return !!arn && matchesWildcard(bucket, arn.bucket);
}

/** Does the statement name the bucket or any of its objects (NotResource: assume so)? */
export function namesBucket(st: Statement, bucket: string): boolean {
  if (st.notResource && !st.resource) return true;
  return stringItems(st.resource).some(i => i.value === '*' || arnOfBucket(i.value, bucket));
}

/** The canonical ARNs of the bucket (docs/design/aws-facts.md#tls-001) that a statement's Resource does not cover, one by one and as a list (`all`). */
export function missingBucketArns(
  st: Statement,
  partition: string,
  bucket: string,
): { bucket?: string; objects?: string; all: string[] } {
  const bare = bucketArn(partition, bucket);
  const objects = objectsArn(partition, bucket);
  // `BUCKET/*` is covered when a pattern matches that very text (`BUCKET/*`, `BUCKET*`, `*`).
  const missing = {
    bucket: coversResource(st, bare) ? undefined : bare,
    objects: coversResource(st, objects) ? undefined : objects,
  };
  return { ...missing, all: [missing.bucket, missing.objects].filter((a): a is string => !!a) };
}

/** How a statement's Action (or NotAction) list reads in a message: `s3:GetObject`, `s3:GetObject and s3:PutObject`. */
function actionsText(st: Statement): string {
  const names = stringItems(st.action ?? st.notAction).map(i => i.value);
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** What a statement's actions take in and leave out, for messages: `only s3:GetObject` / `other actions`, or with NotAction `every action except s3:GetObject` / `s3:GetObject`. */
export function actionsLeftOut(st: Statement): { named: string; leftOut: string } {
  const list = actionsText(st);
  return st.notAction && !st.action
    ? { named: `every action except ${list}`, leftOut: list }
    : { named: `only ${list}`, leftOut: 'other actions' };
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
  const other =
    httpDenies[0] ??
    first(st => effectIs(st, 'Deny') && transportTests(st).length > 0) ??
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
// Wording

/** The partition of the witness's ARN (the bucket's), else the policy's. */
export const witnessPartition = (doc: PolicyDocument, w: Witness | undefined): string =>
  (w && parseS3Arn(String(w.resource))?.partition) ?? dominantPartition(doc) ?? 'aws';

/**
 * `HTTPS is not enforced for bucket "b": for example, <witness>.` — `probably not enforced …` when
 * the verdict is incomplete. The evidence sentence of a finding about a statement (in its detail).
 */
export function httpsNotEnforced(verdict: BucketVerdict, witness: Witness): string {
  const d = gapData(verdict, witness);
  return `HTTPS is ${d.notEnforced} for bucket "${d.bucket}"${d.undecided}: for example, ${d.request}.`;
}

/**
 * The values most transport messages fill in (meta.messages placeholders): `{bucket}`; `{notEnforced}`,
 * "not enforced", or "probably not enforced" when the verdict is incomplete; `{undecided}`, which
 * says why in that case (else empty); `{request}`, the witness in words with what the policy decides.
 */
export function gapData(verdict: BucketVerdict, witness: Witness | undefined): Record<string, string> {
  return {
    bucket: verdict.bucket,
    notEnforced: verdict.complete ? 'not enforced' : 'probably not enforced',
    undecided: verdict.complete ? '' : ' (the analysis could not decide every statement)',
    request: witness ? requestClause(witness, 'not-denied') : 'no example could be found within the analysis limits',
  };
}

// ---------------------------------------------------------------------------------------------
// Fixes

/** The fix that adds the canonical HTTPS statement (docs/design/aws-facts.md#tls-001) for a bucket. */
export function addHttpsDenyFix(doc: PolicyDocument, partition: string, bucket: string): Fix | undefined {
  return addStatementsFixFor(doc, [newStatement(httpsDenyStatement(partition, bucket), 'denies HTTP requests')]);
}

/** `addHttpsDenyFix` for the gap's bucket, in the witness's partition. */
export const addHttpsDenyFixFor = (doc: PolicyDocument, gap: HttpGap): Fix | undefined =>
  addHttpsDenyFix(doc, witnessPartition(doc, gap.witness), gap.verdict.bucket);

/**
 * The fix that adds the missing canonical ARNs to a Deny's Resource, following the list's layout
 * (one item per line, or all on one line): the bucket ARN before the bucket's first object ARN, as
 * AWS's example lists them, `BUCKET/*` after its last ARN; a lone string becomes an array.
 * Undefined for NotResource and for Resource values that are not all strings.
 */
export function addBucketResourceFix(doc: PolicyDocument, st: Statement, partition: string, bucket: string): Fix | undefined {
  const list = st.resource;
  if (!list || st.notResource) return undefined;
  const items = stringItems(list);
  if (items.length === 0 || items.length !== list.items.length) return undefined;
  const missing = missingBucketArns(st, partition, bucket);
  if (missing.all.length === 0) return undefined;
  const title = `Add ${missing.all.map(a => `"${a}"`).join(' and ')} to the Resource`;
  if (!list.isArray) {
    const all = [missing.bucket, items[0].value, missing.objects].filter((a): a is string => !!a);
    return replaceItemFix(title, list, items[0], all.map(jsonString));
  }
  const ofBucket = (i: { value: string }) => arnOfBucket(i.value, bucket);
  const edits: TextEditSpan[] = [];
  if (missing.bucket) {
    const anchor = items.find(i => ofBucket(i) && parseS3Arn(i.value)?.key !== undefined) ?? items[0];
    edits.push(insertBeside(doc.text, anchor.span, jsonString(missing.bucket), 'before'));
  }
  if (missing.objects) {
    const anchor = [...items].reverse().find(ofBucket) ?? items[items.length - 1];
    edits.push(insertBeside(doc.text, anchor.span, jsonString(missing.objects), 'after'));
  }
  return editsFix(title, edits);
}

/**
 * The fix that makes a Deny name every S3 action: `"Action": "s3:*"` (the value replaced, or a
 * `NotAction` member replaced by that Action). Undefined when the statement has neither.
 */
export function widenActionFix(st: Statement): Fix | undefined {
  const title = 'Deny every S3 action ("Action": "s3:*")';
  if (st.action) return replaceFix(title, st.action.span, jsonString('s3:*'));
  if (!st.notAction) return undefined;
  const key = st.members.find(m => m.key.value === 'NotAction')?.key;
  const member = key && memberAt(st.node, key);
  return member ? replaceFix(title, member.span, `"Action": ${jsonString('s3:*')}`) : undefined;
}
