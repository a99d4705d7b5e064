// KMS-006 — kms:ViaService for S3 is `s3.REGION.amazonaws.com` (KMS-DG conditions-kms, the
// ViaService table; the `.amazonaws.com` suffix in every partition). Any other spelling matches
// no request, so an Allow with it is dead and a negated Deny always fires. S3 can only use a key
// in the bucket's own Region (S3-UG UsingKMSEncryption), so the Region must be the key's.
// This rule owns the Region checks of ViaService (KMS-012 leaves them here).
import { containsWildcard, matchesWildcard } from '../../policy/wildcard';
import type { ParsedOperator } from '../../policy/operators';
import type { Statement } from '../../policy/model';
import { removeItemFix, replaceFix } from '../edits';
import type { Fix, Rule, RuleContext } from '../types';

const S3_FORM =
  'S3 calls KMS as "s3.REGION.amazonaws.com" (".amazonaws.com" in every partition): the value matches no request, {consequence}.';
const ANY_REGION = 'Use "s3.REGION.amazonaws.com" with the Region of the bucket and the key, e.g. "s3.us-east-1.amazonaws.com"';
import {
  contextRegion,
  isS3ViaService,
  keyRegion,
  meansS3,
  regionInside,
  s3ViaService,
  viaServiceRegion,
  viaServiceValues,
  type ViaServiceValue,
} from './key-policy-context';
import { jsonString } from '../json-text';
import { statementLabel, show } from '../labels';

/** What a value that never matches does to its statement. */
function consequence(st: Statement, op: ParsedOperator, values: number): string {
  // Values are ORed (negated: the request must differ from all), so beside others a dead value only drops out.
  if (values > 1) return 'so this value has no effect (only the other values count)';
  const deny = st.effect?.value === 'Deny';
  if (op.negated)
    return deny
      ? `so this Deny also applies to requests that come through S3`
      : `so this condition holds for requests through S3 too`;
  return deny ? 'so this Deny never applies' : `so ${statementLabel(st)} never applies`;
}

/** Does a Like pattern match some valid S3 ViaService value (in `region`, if known)? */
function patternMatchesS3(v: ViaServiceValue, region: string | undefined): boolean {
  const sample = s3ViaService(region ?? 'us-east-1');
  return matchesWildcard(sample, v.item.value, { ignoreCase: v.op.ignoreCase });
}

/** Replace the value by `fixed`; when the entry already lists `fixed`, drop the value instead. */
function fixTo(v: ViaServiceValue, fixed: string): Fix {
  const listed = v.entry.values.items.some(i => i !== v.item && i.value === fixed);
  const removal = listed
    ? removeItemFix(
        `Remove ${jsonString(v.item.value)} (${jsonString(fixed)} is already listed)`,
        v.entry.values,
        v.entry.values.items.indexOf(v.item),
      )
    : undefined;
  return removal ?? replaceFix(`Change to ${jsonString(fixed)}`, v.item.span, jsonString(fixed));
}

function checkFormat(ctx: RuleContext, v: ViaServiceValue, region: string | undefined): boolean {
  const value = v.item.value;
  if (!meansS3(value) || value.includes('${')) return false;
  const wildcard = containsWildcard(value);
  if (wildcard && v.op.like) {
    if (patternMatchesS3(v, region)) return false;
  } else if (isS3ViaService(v.op.ignoreCase ? value.toLowerCase() : value)) {
    return false;
  }
  // The Region the value itself names wins over the one the policy states elsewhere.
  const fixRegion = (!wildcard && regionInside(value)) || region;
  const fixed = fixRegion ? s3ViaService(fixRegion) : undefined;
  const literal = wildcard && !v.op.like;
  ctx.report({
    span: v.item.span,
    severity: 'error',
    messageId: `${literal ? 'literalWildcard' : 'wrongFormat'}${fixed ? 'InRegion' : ''}`,
    data: {
      value: show(value, 40),
      operator: show(v.ob.operator.value, 36),
      consequence: consequence(v.st, v.op, v.entry.values.items.length),
      fixed: fixed ? jsonString(fixed) : '',
    },
    fixes: fixed ? [fixTo(v, fixed)] : [],
  });
  return true;
}

/** Regions of every exact ViaService value (any service) in order of appearance, for the consistency check. */
function regionsOf(values: readonly ViaServiceValue[]): { v: ViaServiceValue; region: string }[] {
  const out: { v: ViaServiceValue; region: string }[] = [];
  for (const v of values) {
    if (containsWildcard(v.item.value)) continue;
    const region = viaServiceRegion(v.item.value);
    if (region) out.push({ v, region });
  }
  return out;
}

function checkRegions(ctx: RuleContext, values: readonly ViaServiceValue[], flagged: ReadonlySet<ViaServiceValue>): void {
  const withRegion = regionsOf(values);
  const s3 = withRegion.filter(r => !flagged.has(r.v) && r.v.item.value.startsWith('s3.'));
  if (s3.length === 0) return;
  const fromKey = keyRegion(ctx.doc);
  if (fromKey) {
    for (const { v, region } of s3) {
      if (region === fromKey) continue;
      const fixed = s3ViaService(fromKey);
      ctx.report({
        span: v.item.span,
        severity: 'warning',
        messageId: 'otherRegionThanKey',
        data: { keyRegion: fromKey, value: jsonString(v.item.value), fixed: jsonString(fixed) },
        fixes: [fixTo(v, fixed)],
      });
    }
    return;
  }
  const counts = new Map<string, number>();
  for (const { region } of withRegion) counts.set(region, (counts.get(region) ?? 0) + 1);
  if (counts.size < 2) return;
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  // A clear majority is probably the key's Region; on a tie every S3 value is in doubt.
  const majority = ranked[0][1] > ranked[1][1] ? ranked[0][0] : undefined;
  const names = ranked.map(r => r[0]);
  const regions = `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  for (const { v, region } of s3) {
    if (region === majority) continue;
    ctx.report({
      span: v.item.span,
      severity: 'warning',
      messageId: majority ? 'regionsDisagreeMajority' : 'regionsDisagree',
      data: { regions, value: jsonString(v.item.value), probably: majority ? jsonString(s3ViaService(majority)) : '' },
    });
  }
}

export const kms006: Rule = {
  meta: {
    id: 'KMS-006',
    title: 'kms:ViaService format for S3',
    severity: 'error',
    appliesTo: ['key-policy'],
    why: "Requests that S3 makes to KMS on your behalf carry `kms:ViaService` = `s3.REGION.amazonaws.com` (the `.amazonaws.com` suffix is used in all partitions). `s3.amazonaws.com`, `s3`, an S3 ARN, a legacy endpoint such as `s3-us-west-2.amazonaws.com`, or `s3.*.amazonaws.com` under `StringEquals` match no request: an Allow with them never applies and a negated Deny always does. S3 can only use a KMS key in the bucket's Region, so the Region in the value must be the key's Region (warning when it differs from the key ARN in Resource, or from the other ViaService values).",
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "Uploads", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Uploader"}, "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "s3.amazonaws.com"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "Uploads", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Uploader"}, "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}]}',
    references: [
      'https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      wrongFormatInRegion: {
        summary: '{value} is not how S3 appears in kms:ViaService, so it matches no request.',
        detail: `${S3_FORM} Use {fixed}.`,
      },
      wrongFormat: {
        summary: '{value} is not how S3 appears in kms:ViaService, so it matches no request.',
        detail: `${S3_FORM} ${ANY_REGION}.`,
      },
      literalWildcardInRegion: {
        summary: '{operator} takes the * in {value} literally, so it matches no request.',
        detail:
          'The * is not a wildcard under {operator}: the value matches no request, {consequence}. Use {fixed} (or "StringLike" to keep the pattern).',
      },
      literalWildcard: {
        summary: '{operator} takes the * in {value} literally, so it matches no request.',
        detail: `The * is not a wildcard under {operator}: the value matches no request, {consequence}. ${ANY_REGION}, or "StringLike" to keep the pattern.`,
      },
      otherRegionThanKey: {
        summary: 'The key is in {keyRegion}, but {value} names another Region, so it never matches.',
        detail:
          "The key's Region comes from its ARN in Resource, and S3 can use a key only in the bucket's own Region. Use {fixed}.",
      },
      regionsDisagreeMajority: {
        summary: 'This policy names kms:ViaService in {regions}, but a key lives in one Region.',
        detail: "S3 can use the key only from that Region: {value} may never match. Use the key's Region (probably {probably}).",
      },
      regionsDisagree: {
        summary: 'This policy names kms:ViaService in {regions}, but a key lives in one Region.',
        detail: "S3 can use the key only from that Region: {value} may never match. Use the key's Region.",
      },
    },
  },
  check(ctx) {
    const values = viaServiceValues(ctx.doc);
    if (values.length === 0) return;
    const region = contextRegion(ctx.doc);
    const flagged = new Set<ViaServiceValue>();
    for (const v of values) if (checkFormat(ctx, v, region)) flagged.add(v);
    checkRegions(ctx, values, flagged);
  },
};
