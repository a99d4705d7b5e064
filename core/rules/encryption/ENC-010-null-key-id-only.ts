// ENC-010 — AWS's "DenyObjectsThatAreNotSSEKMS" example (Deny `Null` on the key-id header "true")
// requires some key id, not a particular key, and not a particular algorithm. Found in the text;
// the verdict shows the consequence: SSE-KMS uploads that name a key the policy does not name get
// through (and DSSE-KMS ones too). docs/design/aws-facts.md tags the analysis [UNCONFIRMED]: worded softly.
import { describeUploadClass } from '../../../shared/wording';
import type { Statement } from '../../policy/model';
import type { Rule } from '../types';
import { forExample, incompleteNote } from './upload-classes';
import { isDeny, coversPutObject, sseEntries, SSE_KMS_KEY_ID, trueWhenAbsent } from './sse-conditions';
import { capitalizedStatementLabel, capitalize } from '../labels';

/** The `Null` block of a Deny that requires the key-id header, when that is its only SSE test. */
function nullKeyIdOnly(st: Statement) {
  if (!isDeny(st) || !coversPutObject(st)) return undefined;
  const entries = [...sseEntries(st)];
  if (entries.length !== 1) return undefined;
  const [{ ob, op, entry, key }] = entries;
  return key === SSE_KMS_KEY_ID && op?.family === 'Null' && !op.set && trueWhenAbsent(op, entry) ? ob : undefined;
}

export const enc010: Rule = {
  meta: {
    id: 'ENC-010',
    title: 'Requiring SSE-KMS via Null on the key-id header only',
    severity: 'warning',
    appliesTo: ['bucket-policy'],
    why: 'AWS\'s example "Require SSE-KMS for all objects written to a bucket" denies uploads whose `s3:x-amz-server-side-encryption-aws-kms-key-id` is absent. That requires some key id, not a particular key and not a particular algorithm: an upload naming any key the caller can use (including a key in the caller\'s own account) passes, `aws:kms:dsse` with any key passes, and `aws:kms` without a key id (`aws/s3` or the bucket default) is denied. If a specific key is the goal, pin its ARN (ENC-008), or set the requirement "kmsKeyArns".',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyObjectsThatAreNotSSEKMS", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"Null": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "true"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyUploadsWithAnotherKmsKey", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"ArnNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}}]}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html',
    ],
    confidence: 'UNCONFIRMED',
    fixable: false,
    messages: {
      anyKey: {
        summary: '{statement} apparently requires some key id, not a particular key.',
        detail:
          'It apparently lets {through} through.{example}{dsse} If a specific key is the goal, add a Deny that pins its ARN (ArnNotEqualsIfExists) or set the requirement "kmsKeyArns".{incomplete}',
      },
    },
  },
  check(ctx) {
    // With "kmsKeyArns" set, ENC-008 reports the unmet requirement with its fix: one finding, not two.
    if (ctx.requirements.kmsKeyArns.length) return;
    for (const st of ctx.doc.statements) {
      const ob = nullKeyIdOnly(st);
      if (!ob) continue;
      for (const v of ctx.verdicts()) {
        const anyKey = v.encryption.uploads.find(u => u.sse === 'aws:kms' && u.kmsKey === 'other' && u.decision === 'not-denied');
        if (!anyKey) continue;
        const dsse = v.encryption.uploads.find(u => u.sse === 'aws:kms:dsse' && u.kmsKey !== null && u.decision === 'not-denied');
        ctx.report({
          span: ob.operator.span,
          messageId: 'anyKey',
          data: {
            statement: capitalizedStatementLabel(st),
            through: describeUploadClass(anyKey),
            example: forExample(anyKey),
            dsse: dsse ? ` ${capitalize(describeUploadClass(dsse))} get through as well.` : '',
            incomplete: incompleteNote(v),
          },
          // No fix: pinning needs the key ARN, which the policy does not name (with "kmsKeyArns" set,
          // ENC-008 reports this with its fix).
          fixes: [],
        });
        break;
      }
    }
  },
};
