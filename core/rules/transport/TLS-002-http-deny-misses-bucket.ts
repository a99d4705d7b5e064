import { bucketArn } from '../../policy/arn';
import type { ValueList } from '../../policy/model';
import { markSafe } from '../edits';
import { stringItems } from '../model-lookups';
import { capitalizedStatementLabel } from '../labels';
import { jsonString } from '../json-text';
import type { Rule } from '../types';
import { addBucketResourceFix, gapData, gapsOwnedBy, missingBucketArns, witnessPartition } from './http-gaps';

/** How a Resource list reads in a message: `"arn:aws:s3:::b/*"` or `"a", "b"`. */
const resourceText = (list: ValueList): string =>
  stringItems(list)
    .map(i => jsonString(i.value))
    .join(', ');

export const tls002: Rule = {
  meta: {
    id: 'TLS-002',
    title: 'HTTP Deny misses the bucket or its objects',
    severity: 'warning',
    appliesTo: ['bucket-policy'],
    why: 'Bucket-level calls (ListBucket, GetBucketPolicy, PutBucketPolicy…) act on arn:aws:s3:::BUCKET, object calls on arn:aws:s3:::BUCKET/KEY. A Deny on "aws:SecureTransport": "false" that lists only BUCKET/* leaves every bucket-level call allowed over HTTP (and one that lists only the bucket leaves the objects). The CIS benchmark remediation text shows only BUCKET/*; AWS\'s own example and the AWS Config knowledge-center article list both. Decided by evaluating the policy: the message names one request that gets through.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html',
      'https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      bucketLeftOut: {
        summary: '{statement} does not deny HTTP for bucket-level calls on bucket "{bucket}".',
        detail:
          'HTTPS is {notEnforced}{undecided}: the statement denies HTTP {named}, so bucket-level calls (ListBucket, GetBucketPolicy, PutBucketPolicy…) may use HTTP. For example, {request}. {repair}',
      },
      objectsLeftOut: {
        summary: '{statement} does not deny HTTP for every object of bucket "{bucket}".',
        detail:
          'HTTPS is {notEnforced}{undecided}: the statement denies HTTP {named}, not for {resource}. For example, {request}. {repair}',
      },
    },
  },
  // A partial HTTP Deny shows the author wants HTTPS: checked even when the requirements do not ask for it.
  check(ctx) {
    const { doc } = ctx;
    for (const gap of gapsOwnedBy(ctx, 'TLS-002')) {
      const st = gap.statement;
      if (!st) continue;
      const resource = String(gap.witness.resource);
      const partition = witnessPartition(doc, gap.witness);
      const missing = missingBucketArns(st, partition, gap.verdict.bucket);
      // Safe: the HTTP Deny then names the bucket and its objects, and only HTTP requests are denied.
      const fix = markSafe(addBucketResourceFix(doc, st, partition, gap.verdict.bucket));
      const list = st.resource ?? st.notResource;
      const named = st.resource ? `only for ${resourceText(st.resource)}` : 'except for what its NotResource lists';
      const add = missing.all.map(a => `"${a}"`);
      const repair = !st.resource
        ? `Take ${resource} out of its NotResource.`
        : add.length
          ? `Add ${add.join(' and ')} to its Resource.`
          : 'Name the bucket and its objects in its Resource.';
      ctx.report({
        span: list?.span ?? st.span,
        messageId: resource === bucketArn(partition, gap.verdict.bucket) ? 'bucketLeftOut' : 'objectsLeftOut',
        data: { ...gapData(gap.verdict, gap.witness), statement: capitalizedStatementLabel(st), named, resource, repair },
        fixes: fix ? [fix] : [],
      });
    }
  },
};
