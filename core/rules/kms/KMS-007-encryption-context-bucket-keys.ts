// KMS-007: conditions on the S3 encryption context (kms:EncryptionContext:aws:s3:arn) that fit only
// one of the two S3 Bucket Key settings. Without a Bucket Key the context is the object's ARN; with
// one it is the bucket's ARN, so object-only patterns stop matching when Bucket Keys are turned on
// (and S3 gets AccessDenied from KMS), and bucket-only values match only while they are on.
import { parseS3Arn, formatS3Arn } from '../../policy/arn';
import { parseOperator } from '../../policy/operators';
import { addItemFix } from '../edits';
import type { Rule } from '../types';
import { perStatement, operatorBlocksOf } from '../statement-rule';
import { jsonString } from '../json-text';
import { show } from '../labels';
import { stringItems } from '../model-lookups';

const OBJECTS_ONLY =
  'With S3 Bucket Keys enabled the encryption context is the bucket ARN ({bucket}), so this condition stops matching and S3 gets AccessDenied from KMS. Add the bucket {arns}.';
const BUCKETS_ONLY = 'Objects written without a Bucket Key carry their own ARN as context.';

const CONTEXT_KEY = 'kms:encryptioncontext:aws:s3:arn';

export const kms007: Rule = {
  meta: {
    id: 'KMS-007',
    title: 'The S3 encryption-context condition does not fit S3 Bucket Keys',
    severity: 'warning',
    appliesTo: ['key-policy'],
    why: 'S3 passes the encryption context {"aws:s3:arn": ARN} to KMS: the object\'s ARN without an S3 Bucket Key, the bucket\'s ARN (no trailing slash) with one. A condition that lists only object ARNs stops matching as soon as Bucket Keys are enabled, so S3 gets AccessDenied from KMS; AWS asks users to update such policies before enabling Bucket Keys. Listing both the bucket ARN and its objects works either way; restricting to an object prefix is impossible with Bucket Keys.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "AppUseForThisBucket", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*", "Condition": {"StringLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::example-bucket/*"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "AppUseForThisBucket", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*", "Condition": {"StringLike": {"kms:EncryptionContext:aws:s3:arn": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"]}}}]}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      objectsOnly: {
        summary: '{key} lists only object ARNs, so it stops matching once S3 Bucket Keys are enabled.',
        detail: OBJECTS_ONLY,
      },
      objectPrefixOnly: {
        summary: '{key} lists only object ARNs, so it stops matching once S3 Bucket Keys are enabled.',
        detail: `${OBJECTS_ONLY} (A prefix restriction cannot be kept with Bucket Keys: the context no longer names the object.)`,
      },
      bucketsOnly: {
        summary: '{key} lists only bucket ARNs, so it matches only while S3 Bucket Keys are enabled.',
        detail: `${BUCKETS_ONLY} Add {added} to work either way.`,
      },
      bucketsOnlyLiteral: {
        summary: '{key} lists only bucket ARNs, so it matches only while S3 Bucket Keys are enabled.',
        detail: `${BUCKETS_ONLY} To work either way use StringLike with {added} as well.`,
      },
    },
  },
  ...perStatement((ctx, st) => {
    for (const { ob } of operatorBlocksOf(st)) {
      const op = parseOperator(ob.operator.value);
      if (!op || (op.family !== 'String' && op.family !== 'Arn')) continue;
      for (const entry of ob.entries) {
        if (entry.key.value.toLowerCase() !== CONTEXT_KEY) continue;
        const items = stringItems(entry.values);
        const arns = items.map(i => ({ item: i, arn: parseS3Arn(i.value) }));
        if (arns.length === 0 || arns.some(a => !a.arn)) continue;
        const objects = arns.filter(a => a.arn!.key !== undefined);
        const buckets = arns.filter(a => a.arn!.key === undefined);
        const last = items[items.length - 1];
        if (buckets.length === 0) {
          // Object ARNs only: add each bucket's own ARN (the Bucket Key context).
          const missing = [...new Set(objects.map(o => formatS3Arn({ partition: o.arn!.partition, bucket: o.arn!.bucket })))];
          const prefixOnly = objects.some(o => o.arn!.key !== '*');
          ctx.report({
            span: entry.key.span,
            messageId: prefixOnly ? 'objectPrefixOnly' : 'objectsOnly',
            data: { key: show(entry.key.value, 40), bucket: missing[0], arns: missing.length > 1 ? 'ARNs' : 'ARN' },
            fixes: [
              addItemFix(
                `Add ${missing.join(', ')} (Bucket Keys)`,
                ctx.text,
                entry.values,
                last,
                missing.map(jsonString).join(', '),
              ),
            ],
          });
        } else if (objects.length === 0) {
          // Bucket ARNs only: right with Bucket Keys, wrong without them.
          const wildcardOk = op.like || op.family === 'Arn';
          const added = [
            ...new Set(buckets.map(b => formatS3Arn({ partition: b.arn!.partition, bucket: b.arn!.bucket, key: '*' }))),
          ];
          ctx.report({
            span: entry.key.span,
            severity: 'info',
            messageId: wildcardOk ? 'bucketsOnly' : 'bucketsOnlyLiteral',
            data: { key: show(entry.key.value, 40), added: added.join(', ') },
            fixes: wildcardOk
              ? [addItemFix(`Add ${added.join(', ')}`, ctx.text, entry.values, last, added.map(jsonString).join(', '))]
              : [],
          });
        }
      }
    }
  }),
};
