// ENC-019 — the encryption context (x-amz-server-side-encryption-context) and the Bucket Key header
// have no condition key in a bucket policy, and kms:EncryptionContext keys are only in KMS requests:
// context restrictions belong in the KMS key policy (kms:EncryptionContext:aws:s3:arn, KMS-007).
// Found in the text; the consequence (the key is never present) comes from the operator table.
import { parseOperator, resultWhenKeyAbsent } from '../../policy/operators';
import { alwaysTrueRemovalIsSafe, markSafe, removeConditionEntryFix } from '../edits';
import type { Fix, Rule } from '../types';
import { clip } from '../../../shared/escape';
import { perStatement, operatorBlocksOf } from '../statement-rule';
import { jsonString } from '../json-text';

const CONTEXT_HEADERS = /^(s3:)?x-amz-server-side-encryption-(context|bucket-key-enabled)$/i;
const KMS_CONTEXT = /^kms:encryptioncontext(keys|:.*)$/i;

export const enc019: Rule = {
  meta: {
    id: 'ENC-019',
    title: 'Encryption context is not a bucket-policy key; Bucket Keys change the KMS context',
    severity: 'info',
    appliesTo: ['bucket-policy'],
    why: 'S3 has no condition key for the `x-amz-server-side-encryption-context` or `x-amz-server-side-encryption-bucket-key-enabled` headers, and `kms:EncryptionContext…` keys exist only in requests to KMS, never in the S3 requests a bucket policy sees. Restrict the encryption context in the KMS key policy instead (`kms:EncryptionContext:aws:s3:arn`); with S3 Bucket Keys enabled the context is the bucket ARN, not the object ARN.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "RequireContext", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption-context": "eyJwcm9qZWN0IjoiYXBwIn0="}, "ArnNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "OnlyOurKey", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"ArnNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}}]}',
    references: [
      'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/specifying-kms-encryption.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      headerHasNoKey: {
        summary: 'A bucket policy cannot test the {kind}: S3 has no condition key for it.',
        detail: '{fullKey} is never in the request context{consequence}. {advice}',
      },
      kmsKey: {
        summary: '{key} is a KMS condition key: it is never in the S3 requests a bucket policy sees.',
        detail:
          '{fullKey} is a KMS key: it is in requests to KMS, never in the S3 requests a bucket policy sees{consequence}. {advice}',
      },
    },
  },
  ...perStatement((ctx, st) => {
    for (const { cond, ob } of operatorBlocksOf(st)) {
      const op = parseOperator(ob.operator.value);
      for (const entry of ob.entries) {
        const key = entry.key.value;
        const header = CONTEXT_HEADERS.test(key);
        if (!header && !KMS_CONTEXT.test(key)) continue;
        const absent = op
          ? resultWhenKeyAbsent(
              op,
              entry.values.items.map(i => i.value),
            )
          : undefined;
        // The key is never present: removing a test that is then always true changes no decision
        // (safe, unless it is a Deny's last test: alwaysTrueRemovalIsSafe). One that is never true
        // keeps the statement dead; removing it would bring the statement to life, so no fix then.
        const removal =
          absent === true
            ? markSafe(
                removeConditionEntryFix(
                  `Remove "${key}" (it is never present, so this changes nothing)`,
                  st,
                  cond,
                  ob,
                  entry,
                  true,
                ),
                alwaysTrueRemovalIsSafe(st, cond),
              )
            : undefined;
        const fixes: Fix[] = removal ? [removal] : [];
        const consequence =
          absent === true
            ? `, so "${ob.operator.value}" on it is always true`
            : absent === false
              ? `, so "${ob.operator.value}" on it is never true and the statement never applies`
              : '';
        ctx.report({
          span: entry.key.span,
          messageId: header ? 'headerHasNoKey' : 'kmsKey',
          data: {
            kind: /bucket-key/i.test(key) ? 'Bucket Key header' : 'encryption context header',
            key: jsonString(clip(key, 40)),
            fullKey: jsonString(key),
            consequence,
            advice: /bucket-key/i.test(key)
              ? "Enable S3 Bucket Keys in the bucket's default encryption instead."
              : 'Restrict the encryption context in the KMS key policy (kms:EncryptionContext:aws:s3:arn); with S3 Bucket Keys the context is the bucket ARN, not the object ARN.',
          },
          fixes,
        });
      }
    }
  }),
};
