// ENC-009 — a key-pinning Deny whose key-id test is true when the header is absent (ArnNotEquals,
// ArnNotEqualsIfExists, StringNotEquals…, or `Null … "true"`) also denies uploads that send aws:kms
// without a key id, and uploads without any header: S3 would use the bucket's default key for them,
// even when that is the pinned key. Decided from the verdict: the "aws:kms without key id" class is
// denied, and only by key-pinning statements.
import type { Statement } from '../../policy/model';
import type { Rule } from '../types';
import {
  deniedOnlyBy,
  KMS_WITHOUT_KEY,
  denyingStatements,
  uploadRequest,
  NONE,
  softWords,
  deniedRequest,
} from './upload-classes';
import { defaultFriendlyFix } from './statement-fixes';
import { absentTrueOperator, SSE_KMS_KEY_ID } from './sse-conditions';
import { capitalizedStatementLabel } from '../labels';

const isKeyPin = (st: Statement): boolean => absentTrueOperator(st, SSE_KMS_KEY_ID) !== undefined;

export const enc009: Rule = {
  meta: {
    id: 'ENC-009',
    title: 'Key pinning also denies default-encryption and "aws:kms without key id" uploads',
    severity: 'warning',
    appliesTo: ['bucket-policy'],
    why:
      'AWS\'s "specific key" example uses `ArnNotEqualsIfExists` on `s3:x-amz-server-side-encryption-aws-kms-key-id`, but `IfExists` adds nothing to a negated operator: when the header is absent the condition is true and the Deny fires. So an upload that sends `aws:kms` without a key id (S3 would use the bucket\'s default KMS key, or `aws/s3`) and an upload with no encryption header at all (default encryption) are denied, even when the bucket\'s default key is the pinned one — the S3 guide says such objects "cannot be written". Clients must send the full key ARN. ' +
      'If default-friendly behaviour is wanted, add `"Null": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "false"}` so that only uploads that name another key are denied, and set default encryption to the key. Strict mode ("headerlessUploads": "deny" in the requirements) keeps this rule quiet.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "OnlyOurKey", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"ArnNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "OnlyOurKey", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"ArnNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}, "Null": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "false"}}}]}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html',
      'https://github.com/awslabs/mountpoint-s3/issues/906',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      pinDeniesDefaultKey: {
        summary: '{statement} pins the KMS key but {probably}also denies uploads that use the default key.',
        detail:
          "Its test is true when x-amz-server-side-encryption-aws-kms-key-id is absent, so it {probably}also denies uploads that send aws:kms without a key id{headerless} — S3 would encrypt those with the bucket's default key, even when that is the pinned key. For example, {request}.{ifExists} " +
          'Clients must send the full key ARN; to deny only uploads that name another key, add "Null": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "false"}, or set the requirement "headerlessUploads": "deny" if strict mode is intended.{incomplete}',
      },
    },
  },
  check(ctx) {
    // Strict mode chosen: clients are expected to send the full headers.
    if (ctx.requirements.headerlessUploads === 'deny') return;
    for (const v of ctx.verdicts()) {
      // Denied because of the algorithm or anything else as well: not the pin's doing. A policy
      // that lets no upload through has a bigger problem (ENC-001, a lockout): not this one either.
      const denied = deniedOnlyBy(ctx, v, KMS_WITHOUT_KEY, isKeyPin);
      if (!denied) continue;
      const { req, deniers } = denied;
      const headerless = denyingStatements(ctx.doc, uploadRequest(v, NONE));
      const alsoHeaderless = headerless.length > 0 && headerless.every(isKeyPin);
      const st = deniers[0];
      const ob = absentTrueOperator(st, SSE_KMS_KEY_ID)!;
      const op = ob.operator.value;
      // Not safe: strict vs default-friendly is the author's choice (as ENC-004).
      const fix = defaultFriendlyFix(
        ctx,
        v,
        deniers,
        "Deny only uploads that name another KMS key (default-friendly; set the bucket's default encryption to the key)",
      );
      ctx.report({
        span: ob.operator.span,
        messageId: 'pinDeniesDefaultKey',
        data: {
          ...softWords(v),
          statement: capitalizedStatementLabel(st),
          request: deniedRequest(req),
          headerless: alsoHeaderless ? ' and uploads without any encryption header' : '',
          ifExists:
            /IfExists$/i.test(op) && !/^Null/i.test(op)
              ? ` "IfExists" adds nothing to a negated operator: "${op}" is true when the header is absent.`
              : '',
        },
        fixes: fix ? [fix] : [],
      });
      return;
    }
  },
};
