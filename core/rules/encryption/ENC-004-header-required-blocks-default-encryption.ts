// ENC-004 — a Deny that fires when the encryption header is absent also denies uploads that rely on
// default encryption: S3 evaluates the bucket policy before it applies default encryption. Decided
// from the verdict (the `sse: "none"` class is denied, by statements that read the SSE header), and
// only when the user's requirements leave header-less uploads to default encryption. The fix is the
// default-friendly rewrite (docs/design/aws-facts.md#template-3, in statement-fixes.ts).
import type { Rule } from '../types';
import { deniedOnlyBy, NONE, softWords, deniedRequest } from './upload-classes';
import { defaultFriendlyFix } from './statement-fixes';
import { readsSseKeys, absentTrueOperator, SSE, SSE_CUSTOMER_ALGORITHM } from './sse-conditions';
import { capitalizedStatementLabel } from '../labels';

export const enc004: Rule = {
  meta: {
    id: 'ENC-004',
    title: 'Header-required Deny blocks uploads that rely on default encryption',
    severity: 'warning',
    appliesTo: ['bucket-policy'],
    why:
      'S3 evaluates the bucket policy before it applies default encryption, so a Deny that fires when `s3:x-amz-server-side-encryption` is absent (`Null` "true", `StringNotEquals`, `StringNotLike`, `ForAllValues:StringNotEquals`…) denies an upload without the header even though S3 would have encrypted it. That breaks clients that send no header: many SDK integrations and third-party tools, S3 Batch Operations copies without an explicit key, presigned URLs generated without SSE, and AWS log delivery (S3 server access logging sends no header). ' +
      'If the goal is "objects end up encrypted with X", set the bucket\'s default encryption to X and deny only uploads that explicitly ask for something else. Strict mode is sometimes a compliance requirement: then set the requirement "headerlessUploads": "deny" and this rule stays quiet.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "RequireKms", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "RequireKms", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}, "Null": {"s3:x-amz-server-side-encryption": "false"}}}]}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-copy-example-bucket-key.html',
      'https://github.com/aws/copilot-cli/pull/5329',
      'https://github.com/aws-quickstart/quickstart-compliance-common/issues/29',
    ],
    confidence: 'COMMUNITY',
    fixable: true,
    messages: {
      blocksDefaultEncryption: {
        summary: '{statement} {probably}also denies uploads that rely on default encryption (no header).',
        detail:
          "It denies uploads that send no encryption header, although S3 would encrypt them with the bucket's default encryption: S3 evaluates the bucket policy before it applies default encryption. For example, {request}. " +
          'Clients that send no header (many SDKs and tools, S3 Batch Operations copies, presigned URLs generated without SSE, AWS log delivery) get AccessDenied. ' +
          'If that is intended, set the requirement "headerlessUploads": "deny"; otherwise deny only uploads that name the wrong encryption and set the bucket\'s default encryption.{incomplete}',
      },
    },
  },
  check(ctx) {
    // Strict mode chosen: denying header-less uploads is what the user asked for.
    if (ctx.requirements.headerlessUploads === 'deny') return;
    for (const v of ctx.verdicts()) {
      // Denied for another reason too (a Deny on every upload…): not the header's doing. A policy
      // that lets no upload through has a bigger problem (ENC-001, a lockout): not this one either.
      const denied = deniedOnlyBy(ctx, v, NONE, st => readsSseKeys(st));
      if (!denied) continue;
      const { req, deniers } = denied;
      // Key pins alone are ENC-009's finding; a statement that requires SSE-C is ENC-011's.
      const headerStatements = deniers.filter(st => absentTrueOperator(st, SSE));
      if (!headerStatements.length || deniers.some(st => absentTrueOperator(st, SSE_CUSTOMER_ALGORITHM))) continue;
      const st = headerStatements[0];
      const ob = absentTrueOperator(st, SSE)!;
      // Not safe: strict (header required) is sometimes a compliance requirement, so the switch to
      // default-friendly is the author's choice (docs/design/aws-facts.md#enc-004: never switch silently); keeping
      // strict mode is a setting ("headerlessUploads": "deny"), not an edit.
      const fix = defaultFriendlyFix(
        ctx,
        v,
        deniers,
        "Deny only uploads that name the wrong encryption (default-friendly; set the bucket's default encryption)",
      );
      ctx.report({
        span: ob.operator.span,
        messageId: 'blocksDefaultEncryption',
        data: { ...softWords(v), statement: capitalizedStatementLabel(st), request: deniedRequest(req) },
        fixes: fix ? [fix] : [],
      });
      return;
    }
  },
};
