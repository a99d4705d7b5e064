// ENC-014 — multipart uploads and copies. Every step (CreateMultipartUpload, UploadPart,
// UploadPartCopy, CompleteMultipartUpload) is authorised as s3:PutObject, but request headers such
// as x-amz-acl go only on CreateMultipartUpload: a condition that needs the header (an Allow) or
// fires without it (a Deny) breaks UploadPart — reported for ACL conditions in several SDKs.
// Confirmed with the evaluator on the same upload with and without the header. (The SSE headers are
// also sent only on CreateMultipartUpload, but AWS publishes the header-required Deny without a
// multipart caveat and the reported failures are explained by kms:Decrypt, a key-policy matter.)
import { statementApplies } from '../../engine/evaluate';
import type { Request } from '../../../shared/types';
import type { ConditionEntry, Statement } from '../../policy/model';
import { parseOperator } from '../../policy/operators';
import { addConditionEdit, editsFix } from '../edits';
import { clip } from '../../../shared/escape';
import type { Fix, Rule } from '../types';
import { coversPutObject, entryStrings } from './sse-conditions';
import { httpsRequest, principalOf, objectOf, uploadRequest, NONE } from './upload-classes';
import { capitalizedStatementLabel } from '../labels';
import { principalValues } from '../model-lookups';

/** Request headers of PutObject with a condition key that UploadPart does not send. */
const ACL_KEYS = new Set([
  's3:x-amz-acl',
  's3:x-amz-grant-full-control',
  's3:x-amz-grant-read',
  's3:x-amz-grant-read-acp',
  's3:x-amz-grant-write',
  's3:x-amz-grant-write-acp',
]);

/** A PutObject by a principal the statement names, to an object it covers; with `header` set when given. */
function upload(st: Statement, fallback: Request, bucket: string, key: string, value: string | undefined): Request {
  const named = st.principal?.star ? undefined : principalValues(st, 'AWS').find(a => a !== '*');
  return httpsRequest(
    named ?? principalOf(fallback),
    's3:PutObject',
    objectOf(st, bucket) ?? fallback.resource,
    value === undefined ? {} : { [key]: value },
  );
}

export const enc014: Rule = {
  meta: {
    id: 'ENC-014',
    title: 'Multipart uploads and copies: header conditions that UploadPart cannot meet',
    severity: 'warning',
    appliesTo: ['bucket-policy'],
    why: 'Every multipart step is authorised as `s3:PutObject`, but request headers such as `x-amz-acl` and `x-amz-grant-*` are sent only on CreateMultipartUpload; UploadPart and CompleteMultipartUpload carry none. An Allow that requires such a header does not cover the parts (multipart uploads by cross-account writers fail), and a Deny that fires when it is absent denies them (reported in several SDKs). CopyObject: SSE headers apply to the destination only; without them the copy is header-less (ENC-004). SSE-KMS writers also need `kms:Decrypt` for multipart uploads (a key-policy matter).',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "PartnerWrites", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222233334444:root"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "PartnerWrites", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222233334444:root"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*"}, {"Sid": "RequireOwnerFullControl", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}, "Null": {"s3:x-amz-acl": "false"}}}]}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html',
      'https://github.com/aws/aws-sdk-js/issues/1814',
      'https://github.com/aws/aws-cli/issues/1674',
      'https://repost.aws/knowledge-center/s3-large-file-encryption-kms-key',
    ],
    confidence: 'COMMUNITY',
    fixable: true,
    messages: {
      allowMissesParts: {
        summary: '{statement} does not allow UploadPart requests: they never send {header}.',
        detail:
          'It allows s3:PutObject only with {header}: {value}, but multipart uploads send that header only on CreateMultipartUpload. UploadPart and CompleteMultipartUpload, also authorised as s3:PutObject, carry no {header}, so this Allow does not cover them and multipart uploads by principals that depend on it (other accounts) reportedly fail. ' +
          'Rely on Object Ownership "bucket owner enforced" instead of ACL conditions, or require the header in a Deny that tolerates its absence.',
      },
      denyBlocksParts: {
        summary: '{statement} denies multipart UploadPart requests: they never send {header}.',
        detail:
          'It denies s3:PutObject requests without {header}, which includes every UploadPart and CompleteMultipartUpload (the header goes only on CreateMultipartUpload): multipart uploads reportedly fail. ' +
          'Add "Null": {"{key}": "false"} so that only requests that send another value are denied, or rely on Object Ownership "bucket owner enforced".',
      },
    },
  },
  check(ctx) {
    const v = ctx.verdicts()[0];
    if (!v) return;
    const fallback = uploadRequest(v, NONE);
    for (const st of ctx.doc.statements) {
      const effect = st.effect?.value;
      if ((effect !== 'Allow' && effect !== 'Deny') || !coversPutObject(st) || !st.condition) continue;
      for (const ob of st.condition.operators) {
        if (!parseOperator(ob.operator.value)) continue;
        for (const entry of ob.entries as ConditionEntry[]) {
          const key = entry.key.value.toLowerCase();
          if (!ACL_KEYS.has(key)) continue;
          const value = entryStrings(entry)[0];
          if (value === undefined) continue;
          const withHeader = statementApplies(st, upload(st, fallback, v.bucket, key, value));
          const withoutHeader = statementApplies(st, upload(st, fallback, v.bucket, key, undefined));
          const header = key.replace(/^s3:/, '');
          if (effect === 'Allow' && withHeader === true && withoutHeader === false) {
            ctx.report({
              span: entry.key.span,
              messageId: 'allowMissesParts',
              data: { statement: capitalizedStatementLabel(st), header, value: clip(value, 60) },
            });
          } else if (effect === 'Deny' && withoutHeader === true && withHeader === false) {
            // Not safe: requests without the header stop being denied (a wider door than intended),
            // and Object Ownership "bucket owner enforced" is the other way out; the author chooses.
            // The Allow form gets no fix: moving the requirement into a Deny is a redesign.
            const edit = addConditionEdit(ctx.doc.text, st, 'Null', entry.key.value, '"false"');
            const fixes: Fix[] = edit
              ? [
                  editsFix(
                    `Deny only requests that send ${header} with another value ("Null": {"${entry.key.value}": "false"})`,
                    [edit],
                  ),
                ]
              : [];
            ctx.report({
              span: entry.key.span,
              messageId: 'denyBlocksParts',
              data: { statement: capitalizedStatementLabel(st), header, key: entry.key.value },
              fixes,
            });
          }
        }
      }
    }
  },
};
