// TLS-001: HTTP gets through and no other transport rule speaks for it (no HTTP Deny at all, or
// one that leaves the witness out for another reason). Which rule reports which gap: http-gaps.ts.
import type { Witness } from '../../../shared/types';
import { bucketArn } from '../../policy/arn';
import type { Statement } from '../../policy/model';
import { markSafe } from '../edits';
import { isEveryone, policyHead } from '../model-lookups';
import { capitalizedStatementLabel } from '../labels';
import type { Rule } from '../types';
import {
  addHttpsDenyFixFor,
  gapData,
  gapsOwnedBy,
  misspeltDeny,
  namesBucket,
  transportTests,
  witnessPartition,
} from './http-gaps';

/** Why an HTTP Deny that names the witness's action and resource still leaves it out. */
function whyLeftOut(st: Statement, w: Witness, bucket: string): string {
  if (!namesBucket(st, bucket)) return `its Resource names another bucket than "${bucket}" (GRM-008 repairs it)`;
  if (misspeltDeny(st))
    return `its "Effect" is ${JSON.stringify(st.effect?.value)}, not "Deny", so AWS rejects the policy (GRM-003 repairs it)`;
  if (hasNonBooleanTransportValue(st))
    return 'its value is not a Boolean, so it never matches an HTTP request (GRM-012 repairs it)';
  if (!isEveryone(st))
    return `its ${st.notPrincipal ? 'NotPrincipal' : 'Principal'} leaves out ${w.principal === 'anonymous' ? 'anonymous callers' : String(w.principal)}`;
  if (transportTests(st).length < (st.condition?.operators.reduce((n, ob) => n + ob.entries.length, 0) ?? 0))
    return 'its other conditions do not match this request';
  return 'it does not apply to this request';
}

/** A statement whose aws:SecureTransport values are not Booleans. */
const hasNonBooleanTransportValue = (st: Statement): boolean => transportTests(st).some(t => !t.booleans);
/** Another rule's fix repairs the statement itself (GRM-003 the Effect, GRM-008 the bucket, GRM-012 the value): adding a statement would duplicate it. */
const repairedElsewhere = (st: Statement, bucket: string): boolean =>
  misspeltDeny(st) || hasNonBooleanTransportValue(st) || !namesBucket(st, bucket);

export const tls001: Rule = {
  meta: {
    id: 'TLS-001',
    title: 'HTTP requests are not denied',
    severity: 'warning',
    appliesTo: ['bucket-policy'],
    why: 'S3 accepts both HTTP and HTTPS by default; only an explicit Deny on "aws:SecureTransport": "false" for the bucket and its objects enforces encryption in transit (AWS Config rule s3-bucket-ssl-requests-only, CIS AWS Foundations 2.1.1/3.1.1). S3 itself requires TLS only for SSE-KMS and SSE-C requests; SSE-S3 uploads and reads have no such built-in requirement. The check is decided by evaluating the policy: the message names one request that gets through over HTTP.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "AppRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*"}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "AppRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*"}, {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html',
      'https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      noDeny: {
        summary: 'HTTPS is {notEnforced} for bucket "{bucket}": no statement denies HTTP requests.',
        detail: 'For example, {request}{undecided}. Add a Deny on "aws:SecureTransport": "false" for the bucket and its objects.',
      },
      leftOut: {
        summary: '{statement} tests aws:SecureTransport but does not deny HTTP to "{bucket}".',
        detail: 'HTTPS is {notEnforced}{undecided}: {why}. For example, {request}.{advice}',
      },
    },
  },
  check(ctx) {
    if (!ctx.requirements.https) return;
    const { doc } = ctx;
    for (const gap of gapsOwnedBy(ctx, 'TLS-001')) {
      const st = gap.statement;
      // Safe when the policy has no HTTP Deny: the canonical statement denies only requests over
      // HTTP, which is the requirement. Beside a Deny its author scoped (some principals, other
      // conditions) adding one for everyone overrides that scope: a person decides.
      const fix = st && repairedElsewhere(st, gap.verdict.bucket) ? undefined : markSafe(addHttpsDenyFixFor(doc, gap), !st);
      const fixes = fix ? [fix] : [];
      const data = gapData(gap.verdict, gap.witness);
      if (st) {
        ctx.report({
          span: st.effect?.span ?? st.span,
          messageId: 'leftOut',
          data: {
            ...data,
            statement: capitalizedStatementLabel(st),
            why: whyLeftOut(st, gap.witness, gap.verdict.bucket),
            advice: repairedElsewhere(st, gap.verdict.bucket)
              ? ''
              : ` Deny every request with "aws:SecureTransport": "false" to ${bucketArn(witnessPartition(doc, gap.witness), gap.verdict.bucket)} and its objects.`,
          },
          fixes,
        });
        continue;
      }
      ctx.report({ span: policyHead(doc), messageId: 'noDeny', data, fixes });
    }
  },
};
