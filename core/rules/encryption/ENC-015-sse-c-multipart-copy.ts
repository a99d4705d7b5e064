// ENC-015 — a policy that requires SSE-C: users report multipart copies (e.g. the AWS SDK for Java
// TransferManager) failing at CompleteMultipartUpload, which carries no SSE-C headers. Decided from
// the verdict (only SSE-C uploads get through, ENC-011's test). No fix: the request cannot carry
// the headers; scope or drop the requirement.
import type { Rule } from '../types';
import { firstVerdict, softWords } from './upload-classes';
import { sseCRequired } from './intent';
import { capitalizedStatementLabel } from '../labels';

export const enc015: Rule = {
  meta: {
    id: 'ENC-015',
    title: 'SSE-C required: multipart copies fail at CompleteMultipartUpload',
    severity: 'warning',
    appliesTo: ['bucket-policy'],
    why: 'A Deny that requires SSE-C (`Null` "true" on `s3:x-amz-server-side-encryption-customer-algorithm`, or a negated comparison on it) denies every request that lacks the SSE-C headers. Users report multipart copies (AWS SDK for Java TransferManager) failing at CompleteMultipartUpload under such a policy, because that request carries no SSE-C headers. Scope the requirement, or drop SSE-C (see ENC-011).',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "RequireSseC", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "true"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenySseCUploads", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}}}]}',
    references: [
      'https://github.com/aws/aws-sdk-java/issues/3001',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html',
    ],
    confidence: 'COMMUNITY',
    fixable: false,
    messages: {
      multipartCopyFails: {
        summary: '{statement} {probably}requires SSE-C headers, which CompleteMultipartUpload never sends.',
        detail:
          'It {probably}requires SSE-C on every upload request. Users report multipart copies (e.g. the Java TransferManager) failing at CompleteMultipartUpload under such a policy, because that request carries no SSE-C headers. ' +
          'Scope the requirement (for example to the principals that use SSE-C) or drop SSE-C.{incomplete}',
      },
    },
  },
  check(ctx) {
    const required = firstVerdict(ctx, v => sseCRequired(ctx, v));
    if (!required) return;
    const { st, ob } = required.found;
    // No fix: no edit to this policy makes CompleteMultipartUpload carry SSE-C headers.
    ctx.report({
      span: ob.operator.span,
      messageId: 'multipartCopyFails',
      data: { ...softWords(required.v), statement: capitalizedStatementLabel(st) },
    });
  },
};
