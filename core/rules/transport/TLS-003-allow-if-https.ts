import { fixTarget } from '../templates';
import { markSafe } from '../edits';
import type { Fix, Rule } from '../types';
import {
  addHttpsDenyFix,
  addHttpsDenyFixFor,
  httpGaps,
  httpsNotEnforced,
  isAllowIfHttps,
  isHttpDeny,
  namesBucket,
} from './http-gaps';
import { capitalizedStatementLabel } from '../labels';
import { isEveryone } from '../model-lookups';

export const tls003: Rule = {
  meta: {
    id: 'TLS-003',
    title: 'Allow if HTTPS instead of Deny if HTTP',
    severity: 'error',
    appliesTo: ['bucket-policy'],
    why: 'An Allow that requires "aws:SecureTransport": "true" does not stop HTTP requests: anything another statement or an IAM identity policy allows still gets through over HTTP. Only an explicit Deny on "aws:SecureTransport": "false" enforces HTTPS. With "Principal": "*" such an Allow also grants anonymous access over HTTPS, which AWS Config\'s s3-bucket-ssl-requests-only rule uses as its non-compliant example.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "PublicReadOverHttps", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "PublicReadOverHttps", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}, {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}',
    references: [
      'https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      allowOnlyHttps: {
        summary: '{statement} allows only HTTPS requests, but an Allow does not stop HTTP requests.',
        detail:
          'Whatever another statement or an IAM policy allows still gets through over HTTP.{evidence}{anonymous} Enforce HTTPS with a Deny on "aws:SecureTransport": "false" for the bucket and its objects.',
      },
    },
  },
  // The Allow shows the author wants HTTPS: checked even when the requirements do not ask for it.
  check(ctx) {
    const { doc } = ctx;
    const allows = doc.statements.filter(isAllowIfHttps);
    if (allows.length === 0) return;
    const verdicts = ctx.verdicts();
    // Without a bucket there is no verdict: fall back to the text (is there a Deny for HTTP at all?).
    const fallbackFix = (): Fix | undefined => {
      const target = fixTarget(doc, ctx.bucketName);
      return target && addHttpsDenyFix(doc, target.partition, target.bucket);
    };
    if (verdicts.length === 0 && doc.statements.some(isHttpDeny)) return;
    let noVerdictFix: Fix | undefined;
    for (const st of allows) {
      if (!st.effect) continue;
      let evidence = '';
      let fix: Fix | undefined;
      if (verdicts.length > 0) {
        // A problem only when nothing denies HTTP for a bucket the Allow names (a partial HTTP Deny is TLS-002/TLS-004's).
        const gap = httpGaps(ctx).find(g => g.verdict.transport.http === 'allowed' && namesBucket(st, g.verdict.bucket));
        if (!gap) continue;
        evidence = ` ${httpsNotEnforced(gap.verdict, gap.witness)}`;
        // A miswritten HTTP Deny (TLS-005, TLS-006) is repaired by its own fix: adding one here would duplicate it.
        if (gap.owner === 'TLS-003') fix = addHttpsDenyFixFor(doc, gap);
      } else fix = noVerdictFix ??= fallbackFix();
      const everyone = isEveryone(st);
      ctx.report({
        span: st.effect.span,
        severity: everyone ? 'error' : 'warning',
        messageId: 'allowOnlyHttps',
        data: {
          statement: capitalizedStatementLabel(st),
          evidence,
          anonymous: everyone ? ' With "Principal": "*" it also grants anonymous access over HTTPS.' : '',
        },
        // Safe: the added Deny refuses only requests over HTTP. The Allow stays: whether anonymous
        // HTTPS access is intended is not something a fix can decide.
        fixes: fix ? [markSafe(fix)] : [],
      });
    }
  },
};
