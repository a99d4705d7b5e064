import { parseNumber } from '../../engine/conditions';
import { compilePolicy } from '../../engine/evaluate';
import { type Budget } from '../../engine/budget';
import { TLS_VERSIONS, type TlsVersion } from '../../engine/requests/context-keys';
import {
  actionResourceLevel,
  applyTransport,
  baseRequest,
  enumerateRequests,
  keyLevel,
  principalLevel,
  sseLevel,
} from '../../engine/requests/levels';
import { requestClasses } from '../../engine/requests/request-classes';
import { isDeny } from '../../engine/requests/statements';
import { requestToWitness } from '../../engine/requests/witnesses';
import type { BucketVerdict, Witness } from '../../../shared/types';
import type { ConditionEntry, ConditionOperatorBlock, Located, PolicyDocument, Span, Statement } from '../../policy/model';
import type { ParsedOperator } from '../../policy/operators';
import { markSafe, replaceFix } from '../edits';
import { addStatementsFixFor, newStatement, oldTlsDenyStatement } from '../templates';
import type { Fix, Rule, RuleContext } from '../types';
import {
  actionsLeftOut,
  addBucketResourceFix,
  missingBucketArns,
  gapData,
  namesBucket,
  widenActionFix,
  witnessPartition,
} from './http-gaps';
import { capitalizedStatementLabel } from '../labels';
import { keyTests, isAnyS3Action, coversResource, coversAction, policyHead } from '../model-lookups';

const TLS_KEY = 's3:tlsversion';
const rank = (v: TlsVersion): number => TLS_VERSIONS.indexOf(v);
const higher = (a: TlsVersion, b: TlsVersion): TlsVersion => (rank(a) >= rank(b) ? a : b);

// ---------------------------------------------------------------------------------------------
// How a statement tests s3:TlsVersion

interface TlsTest {
  ob: ConditionOperatorBlock;
  op: ParsedOperator;
  entry: ConditionEntry;
  item: Located;
  /** The number compared with, when it is one (`"TLSv1.2"` is not: GRM-012). */
  value: number | undefined;
}

/** Numeric comparisons of s3:TlsVersion with one value (String operators on it are GRM-012's). */
function tlsTests(st: Statement): TlsTest[] {
  const out: TlsTest[] = [];
  for (const { ob, op, entry } of keyTests(st, TLS_KEY)) {
    if (op.family !== 'Numeric' || op.set || entry.values.items.length !== 1) continue;
    const item = entry.values.items[0];
    out.push({ ob, op, entry, item, value: parseNumber(item.value) });
  }
  return out;
}

/** Does the test match a request at this TLS version? */
function testMatches(t: TlsTest, version: TlsVersion): boolean {
  if (t.value === undefined) return false;
  const v = Number(version);
  switch (t.op.comparison) {
    case 'lt':
      return v < t.value;
    case 'lte':
      return v <= t.value;
    case 'gt':
      return v > t.value;
    case 'gte':
      return v >= t.value;
    case 'eq':
      return t.op.negated ? v !== t.value : v === t.value;
  }
}

/** A Deny of old versions (`NumericLessThan`/`…Equals`): what it leaves through is the minimum it means. */
const isOldTlsDeny = (st: Statement): boolean =>
  st.effect?.value === 'Deny' && tlsTests(st).some(t => t.op.comparison === 'lt' || t.op.comparison === 'lte');
/** An Allow of new versions (`NumericGreaterThan`/`…Equals`): the minimum it means, wrongly as an Allow. */
const isNewTlsAllow = (st: Statement): boolean =>
  st.effect?.value === 'Allow' && tlsTests(st).some(t => t.op.comparison === 'gt' || t.op.comparison === 'gte');

/** The lowest version the statement's TLS tests let through (Deny) or let in (Allow), above 1.0; undefined when it means no minimum. */
function intendedMinimum(st: Statement): TlsVersion | undefined {
  const tests = tlsTests(st).filter(t => t.value !== undefined);
  if (tests.length === 0) return undefined;
  const deny = st.effect?.value === 'Deny';
  const passes = (v: TlsVersion) => (deny ? !tests.every(t => testMatches(t, v)) : tests.every(t => testMatches(t, v)));
  const first = TLS_VERSIONS.find(passes);
  return first && first !== '1.0' ? first : undefined;
}

// ---------------------------------------------------------------------------------------------
// A witness: one HTTPS request at an old TLS version that no Deny stops

/** Enough for the witness search of any policy AWS accepts (20 KB) in practice; past it the message has no example. */
const MAX_WITNESS_EVALUATIONS = 10_000;

/**
 * The first request of the engine's request classes, over HTTPS at `tls`, that the policy does not
 * explicitly deny. The verdict says such a request exists (its `minTlsVersion`); this names one.
 * Null when every such request is denied; undefined when the search gave up.
 */
function tlsWitness(doc: PolicyDocument, bucket: string, tls: TlsVersion, budget: Budget): Witness | null | undefined {
  const classes = requestClasses(doc, bucket, { statements: isDeny });
  const levels = [
    actionResourceLevel(classes),
    principalLevel(classes.principals),
    sseLevel(classes.uploads),
    ...classes.keys.map(keyLevel),
  ];
  const base = baseRequest(classes);
  applyTransport(base, { secure: true, tls });
  const policy = compilePolicy(doc);
  let evaluations = 0;
  for (const req of enumerateRequests(levels, base)) {
    if (++evaluations > MAX_WITNESS_EVALUATIONS || !budget.take(policy.statements.length)) return undefined;
    if (policy.evaluate(req).decision !== 'explicit-deny') return requestToWitness(req, classes.referencedKeys, classes.keyNames);
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Fixes

/** Set a `NumericLessThan(Equals)` test's value so that it denies exactly the versions below `min`, in the value's JSON type. */
function thresholdFix(t: TlsTest, min: TlsVersion): Fix | undefined {
  if (t.op.comparison !== 'lt' && t.op.comparison !== 'lte') return undefined;
  const to = t.op.comparison === 'lt' ? min : TLS_VERSIONS[rank(min) - 1];
  const text = typeof t.item.value === 'number' ? to : JSON.stringify(to);
  return replaceFix(`Deny TLS versions below ${min}`, t.item.span, text);
}

// ---------------------------------------------------------------------------------------------

interface Shortfall {
  verdict: BucketVerdict;
  min: TlsVersion;
  /** Why `min`: the user's requirement, or what the policy's own TLS statements mean. */
  source: 'requirement' | 'policy';
  witness?: Witness;
}

/**
 * The values every TLS-007 message fills in: those of the transport messages (`{bucket}`,
 * `{notEnforced}`, `{undecided}`, `{request}`: gapData), `{min}`, and `{required}`, which says when
 * the minimum is the user's requirement rather than what the policy's own TLS statements mean.
 */
function shortfallData(s: Shortfall): Record<string, string> {
  return {
    ...gapData(s.verdict, s.witness),
    min: s.min,
    required: s.source === 'requirement' ? 'required (minTlsVersion) but ' : '',
  };
}

type Shortcoming = 'version' | 'resource' | 'action';

interface TlsDenyRepair {
  st: Statement;
  test: TlsTest;
  /** What the statement misses for the required minimum, whatever the witness. */
  shortcomings: Shortcoming[];
  /** What the witness got through by (undefined: its Principal or another condition leaves it out). */
  primary?: Shortcoming;
}

/** The TLS Deny that should have denied the witness (the one that misses least), with everything it misses. */
function tlsDenyRepair(
  denies: Statement[],
  w: Witness | undefined,
  bucket: string,
  partition: string,
  min: TlsVersion,
): TlsDenyRepair | undefined {
  const tls = String(w?.['s3:TlsVersion'] ?? '1.0') as TlsVersion;
  let best: (TlsDenyRepair & { misses: number }) | undefined;
  for (const st of denies) {
    const test = tlsTests(st).find(t => t.op.comparison === 'lt' || t.op.comparison === 'lte')!;
    const shortcomings: Shortcoming[] = [];
    if (!TLS_VERSIONS.slice(0, rank(min)).every(v => testMatches(test, v))) shortcomings.push('version');
    if (missingBucketArns(st, partition, bucket).all.length > 0) shortcomings.push('resource');
    if (!isAnyS3Action(st)) shortcomings.push('action');
    const primary: Shortcoming | undefined = !w
      ? shortcomings[0]
      : !testMatches(test, tls)
        ? 'version'
        : !coversResource(st, String(w.resource))
          ? 'resource'
          : !coversAction(st, String(w.action))
            ? 'action'
            : undefined;
    const misses = primary ? 0 : 1;
    if (!best || misses < best.misses) best = { st, test, shortcomings, primary, misses };
  }
  return best;
}

/** One fix that repairs every shortcoming of the statement (the edits touch different elements). */
function repairFix(doc: PolicyDocument, r: TlsDenyRepair, bucket: string, partition: string, min: TlsVersion): Fix | undefined {
  const parts: (Fix | undefined)[] = r.shortcomings.map(sc => {
    switch (sc) {
      case 'version':
        return thresholdFix(r.test, min);
      case 'action':
        return widenActionFix(r.st);
      case 'resource':
        return addBucketResourceFix(doc, r.st, partition, bucket);
    }
  });
  if (parts.length === 0 || parts.some(p => !p)) return undefined;
  return {
    title: `Deny TLS versions below ${min} for every S3 action on the bucket and its objects`,
    edits: parts.flatMap(p => p!.edits),
    preferred: true,
  };
}

function shortcomingText(sc: Shortcoming, r: TlsDenyRepair, bucket: string, partition: string, min: TlsVersion): string {
  switch (sc) {
    case 'version': {
      const through = TLS_VERSIONS.slice(0, rank(min)).filter(v => !testMatches(r.test, v));
      return `"${r.test.ob.operator.value}": ${JSON.stringify(r.test.item.value)} lets TLS ${through.join(' and ')} through`;
    }
    case 'resource':
      return `its Resource does not name ${missingBucketArns(r.st, partition, bucket).all.join(' or ')}`;
    case 'action':
      return `it names ${actionsLeftOut(r.st).named}`;
  }
}

function report(ctx: RuleContext, s: Shortfall): void {
  const { doc } = ctx;
  const bucket = s.verdict.bucket;
  const relevant = doc.statements.filter(st => namesBucket(st, bucket));
  const partition = witnessPartition(doc, s.witness);
  const addFix = addStatementsFixFor(doc, [
    newStatement(oldTlsDenyStatement(partition, bucket, s.min), `denies TLS versions below ${s.min}`),
  ]);
  // Adding the canonical statement is safe where the policy has no TLS Deny: it refuses only TLS
  // versions below the minimum (the requirement, or the policy's own evident minimum). Repairing
  // the policy's own TLS Deny is safe as well (its threshold, Action and Resource follow from the
  // minimum). Beside a TLS Deny whose Principal or other conditions leave requests out, a new Deny
  // for everyone overrides a scope its author chose: not safe.
  const denyFix = (): Fix[] => (addFix ? [markSafe(addFix)] : []);
  const repair = tlsDenyRepair(relevant.filter(isOldTlsDeny), s.witness, bucket, partition, s.min);
  if (repair) {
    const { st, test, primary } = repair;
    const label = capitalizedStatementLabel(st);
    // Point at what let the witness through.
    const span: Span =
      primary === 'version'
        ? test.item.span
        : primary === 'resource'
          ? ((st.resource ?? st.notResource)?.span ?? st.span)
          : primary === 'action'
            ? ((st.action ?? st.notAction)?.span ?? st.span)
            : (st.effect?.span ?? st.span);
    const ordered = primary ? [primary, ...repair.shortcomings.filter(sc => sc !== primary)] : repair.shortcomings;
    const problems = ordered.map(sc => shortcomingText(sc, repair, bucket, partition, s.min));
    if (!primary) problems.unshift('its Principal or other conditions leave this request out');
    const fix = primary ? markSafe(repairFix(doc, repair, bucket, partition, s.min)) : addFix;
    ctx.report({
      span,
      severity: 'warning',
      messageId: 'denyFallsShort',
      data: { ...shortfallData(s), statement: label, problems: problems.join('; ') },
      fixes: fix ? [fix] : [],
    });
    return;
  }
  const allow = relevant.find(isNewTlsAllow);
  if (allow?.effect) {
    ctx.report({
      span: allow.effect.span,
      severity: 'warning',
      messageId: 'allowInstead',
      data: { ...shortfallData(s), statement: capitalizedStatementLabel(allow) },
      fixes: denyFix(),
    });
    return;
  }
  // Nothing tries: advice more than a hole, since AWS endpoints require TLS 1.2 themselves (docs/design/aws-facts.md#tls-007).
  ctx.report({ span: policyHead(doc), severity: 'info', messageId: 'noDeny', data: shortfallData(s), fixes: denyFix() });
}

export const tls007: Rule = {
  meta: {
    id: 'TLS-007',
    title: 'Minimum TLS version not enforced (s3:TlsVersion)',
    severity: 'warning',
    appliesTo: ['bucket-policy'],
    why: 's3:TlsVersion is a Numeric key: a minimum TLS version is enforced by a Deny with "NumericLessThan": {"s3:TlsVersion": 1.2} for the bucket and its objects. An Allow with "NumericGreaterThanEquals" does not stop older versions, and a Deny that misses the bucket ARN, some actions, or compares with a lower number leaves them through. AWS announced TLS 1.2 as the minimum for all AWS API endpoints, so this is mostly defence in depth: the rule reports a shortfall as a warning when the policy tries to set a minimum and gets it wrong, and as info when a required minimum is simply missing. (String operators and values such as "TLSv1.2" are reported by GRM-012.) Decided by evaluating the policy: the message names one request that gets through.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}, {"Sid": "DenyOutdatedTls", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}, {"Sid": "DenyOutdatedTls", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2}}}]}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html',
      'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html',
      'https://aws.amazon.com/blogs/security/tls-1-2-required-for-aws-endpoints/',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      denyFallsShort: {
        summary: '{statement} does not deny every request below TLS {min} to bucket "{bucket}".',
        detail:
          'TLS {min} or later is {required}{notEnforced}{undecided}: the statement denies old TLS versions, but {problems}. For example, {request}. Deny every S3 action on the bucket and its objects with "NumericLessThan": {"s3:TlsVersion": {min}}.',
      },
      allowInstead: {
        summary: '{statement} allows only newer TLS versions, but an Allow does not stop older ones.',
        detail:
          'TLS {min} or later is {required}{notEnforced} for bucket "{bucket}"{undecided}: whatever another statement or an IAM policy allows still gets through. For example, {request}. Deny with "NumericLessThan": {"s3:TlsVersion": {min}} instead.',
      },
      noDeny: {
        summary: 'Minimum TLS {min} is {notEnforced} for bucket "{bucket}": no statement denies older versions.',
        detail:
          'TLS {min} or later is {required}{notEnforced}{undecided}. For example, {request}. Add a Deny with "NumericLessThan": {"s3:TlsVersion": {min}} for the bucket and its objects.',
      },
    },
  },
  check(ctx) {
    const { doc } = ctx;
    // What the policy's own TLS statements mean counts too (docs/design/engine.md#requirements: evident intent).
    const intended = doc.statements.map(intendedMinimum).filter((v): v is TlsVersion => !!v);
    const policyMin = intended.reduce<TlsVersion>(higher, '1.0');
    const required = ctx.requirements.minTlsVersion ?? '1.0';
    const min = higher(required, policyMin);
    if (min === '1.0') return;
    const source = rank(required) >= rank(policyMin) ? 'requirement' : 'policy';
    for (const verdict of ctx.verdicts()) {
      const achieved = verdict.transport.minTlsVersion ?? '1.0';
      if (rank(achieved) >= rank(min)) continue;
      // The verdict's minTlsVersion is the lowest version at which something gets through (null: 1.0,
      // or nothing at all); the witness is one request at that version, and none means nothing gets through.
      const witness = tlsWitness(doc, verdict.bucket, achieved, ctx.budget);
      if (witness === null) continue;
      report(ctx, { verdict, min, source, witness });
    }
  },
};
