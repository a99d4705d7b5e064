import { bucketArn, objectsArn, parseS3Arn } from '../../policy/arn';
import type { Located, PolicyDocument, Statement, ValueList } from '../../policy/model';
import { matchesWildcard } from '../../policy/wildcard';
import { editsFix, replaceFix } from '../edits';
import type { Fix, Rule, TextEditSpan } from '../types';
import { capitalizedStatementLabel, jsonString, stringItems } from '../util';
import { coversResource, gapsOwnedBy, httpsNotEnforced, witnessPartition } from './TLS-001-no-http-deny';

/** The whitespace before `offset` on its line, when nothing else precedes it there (the item starts a line). */
function lineIndent(text: string, offset: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

/** The canonical ARNs of the bucket (RULES.md TLS-001) that a statement's Resource does not cover. */
export function missingBucketArns(st: Statement, partition: string, bucket: string): { bucket?: string; objects?: string } {
  const bare = bucketArn(partition, bucket);
  const objects = objectsArn(partition, bucket);
  // `BUCKET/*` is covered when a pattern matches that very text (`BUCKET/*`, `BUCKET*`, `*`).
  return { bucket: coversResource(st, bare) ? undefined : bare, objects: coversResource(st, objects) ? undefined : objects };
}

/**
 * The fix that adds the missing canonical ARNs to a Deny's Resource, following the list's layout
 * (one item per line, or all on one line): the bucket ARN before the bucket's first object ARN, as
 * AWS's example lists them, `BUCKET/*` after its last ARN; a lone string becomes an array.
 * Undefined for NotResource and for Resource values that are not all strings.
 */
export function addBucketResourceFix(doc: PolicyDocument, st: Statement, partition: string, bucket: string): Fix | undefined {
  const list = st.resource;
  if (!list || st.notResource) return undefined;
  const items = stringItems(list);
  if (items.length === 0 || items.length !== list.items.length) return undefined;
  const missing = missingBucketArns(st, partition, bucket);
  const added = [missing.bucket, missing.objects].filter((a): a is string => !!a);
  if (added.length === 0) return undefined;
  const title = `Add ${added.map(a => `"${a}"`).join(' and ')} to the Resource`;
  if (!list.isArray) {
    const all = [missing.bucket, items[0].value, missing.objects].filter((a): a is string => !!a);
    return replaceFix(title, list.span, `[${all.map(jsonString).join(', ')}]`);
  }
  const ofBucket = (i: Located<string>) => {
    const arn = parseS3Arn(i.value);
    return !!arn && matchesWildcard(bucket, arn.bucket);
  };
  const sepBefore = (item: Located) => {
    const indent = lineIndent(doc.text, item.span.offset);
    return indent !== undefined ? `\n${indent}` : ' ';
  };
  const edits: TextEditSpan[] = [];
  if (missing.bucket) {
    const anchor = items.find(i => ofBucket(i) && parseS3Arn(i.value)?.key !== undefined) ?? items[0];
    edits.push({ span: { offset: anchor.span.offset, length: 0 }, newText: `${jsonString(missing.bucket)},${sepBefore(anchor)}` });
  }
  if (missing.objects) {
    const anchor = [...items].reverse().find(ofBucket) ?? items[items.length - 1];
    edits.push({ span: { offset: anchor.span.offset + anchor.span.length, length: 0 }, newText: `,${sepBefore(anchor)}${jsonString(missing.objects)}` });
  }
  return editsFix(title, edits);
}

/** How a Resource list reads in a message: `"arn:aws:s3:::b/*"` or `"a", "b"`. */
export const resourceText = (list: ValueList): string => stringItems(list).map(i => jsonString(i.value)).join(', ');

export const tls002: Rule = {
  meta: {
    id: 'TLS-002',
    title: 'HTTP Deny misses the bucket or its objects',
    severity: 'warning',
    appliesTo: ['bucket-policy'],
    why: 'Bucket-level calls (ListBucket, GetBucketPolicy, PutBucketPolicy…) act on arn:aws:s3:::BUCKET, object calls on arn:aws:s3:::BUCKET/KEY. A Deny on "aws:SecureTransport": "false" that lists only BUCKET/* leaves every bucket-level call allowed over HTTP (and one that lists only the bucket leaves the objects). The CIS benchmark remediation text shows only BUCKET/*; AWS\'s own example and the AWS Config knowledge-center article list both. Decided by evaluating the policy: the message names one request that gets through.',
    example: '{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}',
    useInstead: '{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html',
      'https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule',
    ],
    confidence: 'DOC',
    fixable: true,
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
      const fix = addBucketResourceFix(doc, st, partition, gap.verdict.bucket);
      const list = st.resource ?? st.notResource;
      const named = st.resource ? `only for ${resourceText(st.resource)}` : 'except for what its NotResource lists';
      const leftOut = resource === bucketArn(partition, gap.verdict.bucket)
        ? 'not for the bucket itself, so bucket-level calls (ListBucket, GetBucketPolicy, PutBucketPolicy…) may use HTTP'
        : `not for ${resource}`;
      const add = [missing.bucket, missing.objects].filter((a): a is string => !!a).map(a => `"${a}"`);
      const repair = !st.resource ? `Take ${resource} out of its NotResource.`
        : add.length ? `Add ${add.join(' and ')} to its Resource.` : 'Name the bucket and its objects in its Resource.';
      const consequence = `${leftOut}. ${repair}`;
      ctx.report({
        span: list?.span ?? st.span,
        message: `${httpsNotEnforced(gap.verdict, gap.witness)} ${capitalizedStatementLabel(st)} denies HTTP ${named}, ${consequence}`,
        fixes: fix ? [fix] : [],
      });
    }
  },
};
