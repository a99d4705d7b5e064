// ENC-011 — SSE-C (customer-provided keys): (a) a policy that requires SSE-C, on buckets where S3
// now blocks it by default; (b) "require SSE-C" written with x-amz-server-side-encryption = AES256,
// which is SSE-S3; (c) SSE-C uploads that get through when the requirements or the policy's own
// KMS-only intent say they must be denied. (a) and (c) are decided from the verdict.
import { freshSid, statementsFix } from '../templates';
import { markSafe } from '../edits';
import type { Rule } from '../types';
import { sseCRequired, algorithmGap } from './intent';
import { sseEntries, SSE_CUSTOMER_ALGORITHM, SSE, entryStrings } from './sse-conditions';
import { sseCBan, statementTarget } from './statement-fixes';
import { firstVerdict, softWords, policySpan, forExample } from './upload-classes';
import { capitalizedStatementLabel, listOf } from '../labels';
import { effectSpan } from '../model-lookups';

const MENTIONS_SSE_C = /sse[-_ ]?c(?![a-z])|customer[-_ ]?(provided|key|managed)?/i;

export const enc011: Rule = {
  meta: {
    id: 'ENC-011',
    title: 'SSE-C: requiring vs banning, and the 2026 default',
    severity: 'warning',
    appliesTo: ['bucket-policy'],
    why:
      'SSE-C is requested with `x-amz-server-side-encryption-customer-algorithm: AES256` plus key and key-MD5 headers (S3 rejects SSE-C over HTTP). Since April 2026 S3 disables SSE-C for all new general purpose buckets (and for existing buckets in accounts without SSE-C objects) through the `BlockedEncryptionTypes` setting; blocked requests get 403 whatever the policy says, so a policy that requires SSE-C makes every upload fail there. ' +
      '`s3:x-amz-server-side-encryption = AES256` is SSE-S3, not SSE-C. When uploads must use KMS (or the requirements name the accepted algorithms), SSE-C uploads must be denied too: the ban is `Null` "false" on `s3:x-amz-server-side-encryption-customer-algorithm` (AWS sample RCP "S3-Deny-SSE-C").',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "EnforceSseC", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenySseCUploads", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}}}]}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/blocking-unblocking-s3-c-encryption-gpb.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/API/API_BlockedEncryptionTypes.html',
      'https://github.com/aws-samples/resource-control-policy-examples/blob/main/Service-specific-controls/S3-Deny-SSE-C.json',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      requiresSseC: {
        summary: '{statement} {probably}requires SSE-C, which S3 blocks by default since April 2026.',
        detail:
          "It {probably}lets only SSE-C uploads through (customer-provided keys). Since April 2026 S3 blocks SSE-C on new general purpose buckets (and on existing ones in accounts without SSE-C objects): there every upload then fails with AccessDenied unless SSE-C is unblocked in the bucket's encryption settings (BlockedEncryptionTypes).{incomplete}",
      },
      sseS3NotSseC: {
        summary: '{statement} looks meant for SSE-C, but "AES256" in this header means SSE-S3.',
        detail:
          '"AES256" in x-amz-server-side-encryption is SSE-S3 (S3-managed keys). SSE-C uploads send x-amz-server-side-encryption-customer-algorithm: AES256 instead; compare s3:x-amz-server-side-encryption-customer-algorithm if SSE-C is what you mean.',
      },
      sseCNotDenied: {
        summary: 'SSE-C uploads are {probably}not denied, but {acceptor} only {allowed}.',
        detail:
          '{why}.{example} SSE-C uploads send no x-amz-server-side-encryption header, so a Deny that lets uploads without that header through does not catch them; ban them with "Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}.{incomplete}',
      },
    },
  },
  check(ctx) {
    // (a) Requiring SSE-C. No fix: drop the requirement or unblock SSE-C on the bucket, the author's choice.

    const required = firstVerdict(ctx, v => sseCRequired(ctx, v));
    if (required) {
      const { st, ob } = required.found;
      ctx.report({
        span: ob.operator.span,
        messageId: 'requiresSseC',
        data: { ...softWords(required.v), statement: capitalizedStatementLabel(st) },
      });
    }

    // (b) "Require SSE-C" written on the SSE-S3 header. No fix: SSE-C or SSE-S3 — which was meant is
    // the author's call, and requiring SSE-C is what (a) warns against.
    for (const st of ctx.doc.statements) {
      const label = typeof st.sid?.value === 'string' ? st.sid.value : '';
      if (!MENTIONS_SSE_C.test(label)) continue;
      const entries = [...sseEntries(st)];
      if (entries.some(e => e.key === SSE_CUSTOMER_ALGORITHM)) continue;
      for (const { entry, key } of entries) {
        if (key !== SSE || !entryStrings(entry).includes('AES256')) continue;
        const item = entry.values.items.find(i => i.value === 'AES256')!;
        ctx.report({ span: item.span, messageId: 'sseS3NotSseC', data: { statement: capitalizedStatementLabel(st) } });
      }
    }

    // (c) SSE-C uploads that must be denied and are not (the rest of an algorithm gap is ENC-003's).
    const gap = firstVerdict(ctx, v => {
      const g = algorithmGap(ctx, v);
      return g && !g.leaks.length && g.sseC ? g : undefined;
    });
    if (gap) {
      const { v, found } = gap;
      // Safe when the requirements name the accepted algorithms (SSE-C is not one of them); from the
      // policy's KMS-only intent not, as for ENC-003: a Deny for everyone is its author's choice.
      const fix = markSafe(
        statementsFix(ctx.doc, undefined, [], [sseCBan(statementTarget(ctx, v), freshSid(ctx.doc, 'DenySseCUploads'))]),
        found.source === 'requirement',
      );
      const acceptor = found.source === 'requirement' || !found.statements[0];
      ctx.report({
        span: found.statements[0] ? effectSpan(found.statements[0]) : policySpan(ctx.doc),
        messageId: 'sseCNotDenied',
        data: {
          ...softWords(v),
          acceptor: acceptor ? 'the requirements accept' : 'the policy accepts',
          allowed: listOf(found.allowed),
          why:
            found.source === 'requirement'
              ? `Your requirements accept only ${listOf(found.allowed)} ("sse": ${JSON.stringify(ctx.requirements.sse)})`
              : `${found.statements[0] ? capitalizedStatementLabel(found.statements[0]) : 'The policy'} accepts only ${listOf(found.allowed)}`,
          example: forExample(found.sseC!),
        },
        fixes: fix ? [fix] : [],
      });
    }
  },
};
