import { markSafe } from '../edits';
import { capitalizedStatementLabel } from '../labels';
import type { Rule } from '../types';
import { actionsLeftOut, gapData, gapsOwnedBy, widenActionFix } from './http-gaps';

export const tls004: Rule = {
  meta: {
    id: 'TLS-004',
    title: 'HTTP Deny covers only a few actions',
    severity: 'warning',
    appliesTo: ['bucket-policy'],
    why: 'A Deny on "aws:SecureTransport": "false" stops HTTP only for the actions it names: with "Action": "s3:GetObject" (as in CIS AWS Foundations v1.3/v1.4 remediation text), PutObject, ListBucket, DeleteObject and everything else may still use HTTP. AWS\'s example denies "s3:*". Decided by evaluating the policy: the message names one request that gets through.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html',
      'https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      someActions: {
        summary: '{statement} does not deny HTTP for every action on bucket "{bucket}".',
        detail:
          'HTTPS is {notEnforced}{undecided}: the statement denies HTTP for {named}, so {leftOut} may use HTTP. For example, {request}. Deny every S3 action: "Action": "s3:*".',
      },
    },
  },
  // A partial HTTP Deny shows the author wants HTTPS: checked even when the requirements do not ask for it.
  check(ctx) {
    for (const gap of gapsOwnedBy(ctx, 'TLS-004')) {
      const st = gap.statement;
      if (!st) continue;
      // Safe: the statement denies only requests over HTTP, now for every S3 action.
      const fix = markSafe(widenActionFix(st));
      const list = st.action ?? st.notAction;
      ctx.report({
        span: list?.span ?? st.span,
        messageId: 'someActions',
        data: { ...gapData(gap.verdict, gap.witness), statement: capitalizedStatementLabel(st), ...actionsLeftOut(st) },
        fixes: fix ? [fix] : [],
      });
    }
  },
};
