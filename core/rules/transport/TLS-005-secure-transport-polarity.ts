import type { Located } from '../../policy/model';
import { isEveryone } from '../model-lookups';
import { capitalizedStatementLabel, show } from '../labels';
import type { Fix, Rule } from '../types';
import { gapsOwnedBy, httpsNotEnforced, isInvertedDeny, looseBool, transportTests, type TransportTest } from './http-gaps';

/** The value with its polarity flipped, in the same JSON type: `true` → `false`, `"True"` → `"false"`. */
function flipped(item: Located): string | undefined {
  const b = looseBool(item.value);
  if (b === undefined) return undefined;
  return typeof item.value === 'boolean' ? String(!b) : `"${!b}"`;
}

/** The fix for an inverted test: flip every value of its aws:SecureTransport entries (one fix, several edits). */
function flipFix(tests: TransportTest[]): Fix | undefined {
  const edits = [];
  for (const t of tests) {
    for (const item of t.entry.values.items) {
      const to = flipped(item);
      if (to === undefined) return undefined;
      edits.push({ span: item.span, newText: to });
    }
  }
  // Safe: a Deny that fires on HTTPS is never what its author meant, and the flipped one denies only HTTP.
  return edits.length
    ? { title: 'Deny when "aws:SecureTransport" is false (requests over HTTP)', edits, preferred: true, safe: true }
    : undefined;
}

export const tls005: Rule = {
  meta: {
    id: 'TLS-005',
    title: 'Inverted aws:SecureTransport test in a Deny',
    severity: 'error',
    appliesTo: ['bucket-policy'],
    why: '"aws:SecureTransport" is a Boolean that is always in the request context: "true" over HTTPS, "false" over HTTP. A Deny that fires when it is "true" denies every HTTPS request it names and lets HTTP through — the opposite of its evident intent. With "Principal": "*" and "s3:*" it locks everyone out; only the account root user can still get, put or delete the bucket policy to repair it. (Values other than true/false and String operators on the key are reported by GRM-012.)',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}',
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-securetransport',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketPolicy.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      inverted: {
        summary: '{statement} tests aws:SecureTransport the wrong way round: it denies HTTPS, not HTTP.',
        detail:
          'It tests {test}, which matches every request over HTTPS and none over HTTP: it denies the secure requests it names and lets HTTP through, the opposite of enforcing HTTPS.{lockout}{evidence} Deny when it is "false".',
      },
    },
  },
  check(ctx) {
    const owned = gapsOwnedBy(ctx, 'TLS-005');
    for (const st of ctx.doc.statements) {
      if (!isInvertedDeny(st)) continue;
      const tests = transportTests(st).filter(t => t.matches === 'https');
      const first = tests[0]?.entry.values.items[0];
      if (!first) continue;
      const gap = owned.find(g => g.statement === st);
      ctx.report({
        span: tests[0].entry.values.span,
        messageId: 'inverted',
        data: {
          statement: capitalizedStatementLabel(st),
          test: `"${tests[0].ob.operator.value}": {"${tests[0].entry.key.value}": ${show(first.value)}}`,
          lockout: isEveryone(st)
            ? ' With "Principal": "*" it locks every caller out of what it names; only the account root user can still repair the bucket policy.'
            : '',
          evidence: gap ? ` ${httpsNotEnforced(gap.verdict, gap.witness)}` : '',
        },
        fixes: [flipFix(tests)].filter((f): f is Fix => !!f),
      });
    }
  },
};
