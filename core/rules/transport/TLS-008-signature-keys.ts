import { parseNumber } from '../../engine/conditions';
import { parseOperator, type ParsedOperator } from '../../policy/operators';
import { hasWildcard, compileWildcard } from '../../policy/wildcard';
import { markSafe, replaceFix } from '../edits';
import type { Fix, Rule, StatementContext } from '../types';
import { clip } from '../../../shared/escape';
import type { ConditionEntry, Located } from '../../policy/model';
import { perStatement, operatorBlocksOf } from '../statement-rule';
import { jsonString } from '../json-text';
import { stringItems } from '../model-lookups';

// S3's signature keys take fixed strings (SAR-S3; S3 API bucket-policy-s3-sigv4-conditions):
// s3:signatureversion is "AWS" (SigV2) or "AWS4-HMAC-SHA256" (SigV4); s3:authType is
// "REST-HEADER", "REST-QUERY-STRING" (presigned URL) or "POST" (browser form); s3:signatureAge
// is a number of milliseconds. Their types (String, Numeric) are GRM-012's business.

interface FixedValues {
  name: string;
  values: readonly string[];
  /** The value the author most likely meant, from the letters alone. */
  meant(value: string): string | undefined;
}

const letters = (v: string): string => v.toLowerCase().replace(/[^a-z0-9]/g, '');

const FIXED_VALUE_KEYS = new Map<string, FixedValues>([
  [
    's3:signatureversion',
    {
      name: 's3:signatureversion',
      values: ['AWS', 'AWS4-HMAC-SHA256'],
      meant(v) {
        const l = letters(v);
        if (/4|hmac|sha/.test(l)) return 'AWS4-HMAC-SHA256';
        if (/2/.test(l) || l === 'aws') return 'AWS';
        return undefined;
      },
    },
  ],
  [
    's3:authtype',
    {
      name: 's3:authType',
      values: ['REST-HEADER', 'REST-QUERY-STRING', 'POST'],
      meant(v) {
        const l = letters(v);
        if (/query|presign|url/.test(l)) return 'REST-QUERY-STRING';
        if (/header/.test(l)) return 'REST-HEADER';
        if (/post|form|browser/.test(l)) return 'POST';
        return undefined;
      },
    },
  ],
]);

const SIGNATURE_AGE = 's3:signatureage';

/** A value from the policy as a message shows it: quoted, clipped so that a summary stays one short line. */
const quoted = (v: string): string => jsonString(clip(v, 40));

function checkFixedValues(ctx: StatementContext, op: ParsedOperator, entry: ConditionEntry, key: FixedValues): void {
  for (const item of stringItems(entry.values)) {
    const v = item.value;
    const data = {
      value: quoted(v),
      key: key.name,
      list: key.values.join(', '),
      effect: op.negated ? 'matches every request' : 'never matches',
    };
    const consequence = op.negated
      ? 'this negated condition matches every request (a Deny then blocks all of them, correctly signed ones included)'
      : 'this condition never matches a request';
    if (op.like && hasWildcard(v)) {
      const re = compileWildcard(v, { ignoreCase: op.ignoreCase });
      if (!key.values.some(s => re.test(s)))
        ctx.report({ span: item.span, messageId: 'patternMatchesNone', data: { ...data, caseNote: '', consequence } });
      continue;
    }
    const valid = op.ignoreCase ? key.values.some(s => s.toLowerCase() === v.toLowerCase()) : key.values.includes(v);
    if (valid) continue;
    const meant = key.meant(v);
    const caseOnly = meant !== undefined && meant.toLowerCase() === v.toLowerCase();
    ctx.report({
      span: item.span,
      messageId: meant ? 'misspelt' : 'unknownValue',
      data: {
        ...data,
        meant: jsonString(meant ?? ''),
        caseNote: caseOnly ? `; "${op.canonical}" compares case-sensitively` : '',
        consequence,
      },
      // Safe: S3 sets one of a few fixed strings, and the letters decide which one was meant (as ENC-001).
      fixes: meant ? [markSafe(replaceFix(`Change to ${jsonString(meant)}`, item.span, jsonString(meant)))] : [],
    });
  }
}

/** `600` in the value's JSON type, times 1000: `"600"` → `"600000"`. Not safe: "probably seconds" is a guess. */
function inMilliseconds(item: Located, n: number): Fix {
  const ms = String(n * 1000);
  return replaceFix(`Change to ${ms} (milliseconds)`, item.span, typeof item.value === 'number' ? ms : jsonString(ms));
}

function checkSignatureAge(ctx: StatementContext, op: ParsedOperator, entry: ConditionEntry): void {
  for (const item of entry.values.items) {
    const n = parseNumber(item.value);
    // Not a number at all is GRM-012's; a positive number under a second is almost surely seconds.
    if (n === undefined || n <= 0 || n >= 1000) continue;
    ctx.report({
      span: item.span,
      messageId: 'milliseconds',
      data: {
        value: quoted(String(item.value)),
        n,
        operator: op.canonical,
        effect:
          op.comparison === 'gt' || op.comparison === 'gte' ? 'matches almost every signed request' : 'almost never matches',
        ms: n * 1000,
      },
      fixes: [inMilliseconds(item, n)],
    });
  }
}

export const tls008: Rule = {
  meta: {
    id: 'TLS-008',
    title: 'Signature condition keys: fixed values and units',
    severity: 'warning',
    appliesTo: ['bucket-policy'],
    why: 'S3 sets s3:signatureversion to "AWS" (SigV2) or "AWS4-HMAC-SHA256" (SigV4), and s3:authType to "REST-HEADER", "REST-QUERY-STRING" (presigned URLs) or "POST" (browser forms). String operators compare exactly, so "SigV4", "v4" or "AWS4" never match: a StringNotEquals Deny with such a value then denies every request, correctly signed ones included, and a StringEquals condition never applies. s3:signatureAge is in milliseconds, so 600 means 0.6 seconds, not 10 minutes.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}, {"Sid": "RequireSigV4", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"StringNotEquals": {"s3:signatureversion": "SigV4"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}, {"Sid": "RequireSigV4", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"StringNotEquals": {"s3:signatureversion": "AWS4-HMAC-SHA256"}}}]}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/API/bucket-policy-s3-sigv4-conditions.html',
      'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      misspelt: {
        summary: '{value} is not a value S3 sets for {key}: did you mean {meant}?',
        detail: 'S3 sets {key} to {list}{caseNote}, so {consequence}.',
      },
      unknownValue: {
        summary: '{value} is not a value S3 sets for {key}, so this condition {effect}.',
        detail: 'S3 sets {key} to {list}{caseNote}, so {consequence}.',
      },
      patternMatchesNone: {
        summary: 'The pattern {value} matches none of the values S3 sets for {key}.',
        detail: 'S3 sets {key} to {list}, so {consequence}.',
      },
      milliseconds: {
        summary: 's3:signatureAge is in milliseconds: {value} is only {n} ms, probably meant as seconds.',
        detail:
          'Less than a second is almost surely meant as seconds (AWS\'s example uses 600000 for 10 minutes). With "{operator}" the condition {effect}. Did you mean {ms}?',
      },
    },
  },
  ...perStatement((ctx, st) => {
    for (const { ob } of operatorBlocksOf(st)) {
      const op = parseOperator(ob.operator.value);
      if (!op) continue;
      for (const entry of ob.entries) {
        const key = entry.key.value.toLowerCase();
        const fixed = FIXED_VALUE_KEYS.get(key);
        // Other operator families on these keys are type mismatches: GRM-012.
        if (fixed && op.family === 'String') checkFixedValues(ctx, op, entry, fixed);
        else if (key === SIGNATURE_AGE && op.family === 'Numeric') checkSignatureAge(ctx, op, entry);
      }
    }
  }),
};
