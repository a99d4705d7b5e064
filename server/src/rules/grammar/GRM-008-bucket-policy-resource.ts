import { bucketArn, dominantPartition, formatS3Arn, isPlaceholderBucket, objectsArn, PARTITIONS, parseS3Arn, policyBucket } from '../../policy/arn';
import type { Located, Statement, ValueList } from '../../policy/model';
import { containsWildcard } from '../../policy/wildcard';
import { editsFix, insertMember, markSafe, removeItemFix, replaceFix, replaceItemFix } from '../edits';
import type { Fix, Rule, RuleContext } from '../types';
import { closest, jsonString, jsonTypeName, memberNamed, statementHead, statementLabel } from '../util';

const INVALID = 'S3 rejects the policy ("Policy has invalid resource")';

/** A string that is clearly meant as a bucket or object but is not written as an ARN. */
function arnFromNonArn(s: string, partition: string): string | undefined {
  const url = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/.*)?$/.exec(s);
  if (url) return `arn:${partition}:s3:::${url[1]}${url[2] ?? ''}`;
  if (/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(s)) return `arn:${partition}:s3:::${s}`;
  return undefined;
}

interface Scope {
  ctx: RuleContext;
  bucket?: string;
  /** The partition the policy's ARNs agree on, when they do. */
  dominant?: string;
  /** The partition for ARNs that fixes write: the dominant one, else `aws`. */
  partition: string;
}

// Which fixes are safe: S3 rejects every finding's document as written, so no access exists to
// widen; a fix is safe when the text decides the repair — "*" or an unnamed, placeholder or
// wildcard bucket becomes the policy's one bucket (a bucket policy can only name its own), spaces
// go, an s3:// URL or a bare "bucket/key" becomes its ARN. Guesses are not safe: the nearest
// partition, the majority partition, another service's ARN replaced by the bucket's, a bucket name
// that disagrees with the file name or setting (which one is wrong?), and which resources a
// statement without Resource was meant for.
function checkItem(scope: Scope, list: ValueList, item: Located<string>, element: string): void {
  const { ctx, bucket, partition, dominant } = scope;
  const s = item.value;
  const both = bucket ? [jsonString(bucketArn(partition, bucket)), jsonString(objectsArn(partition, bucket))] : undefined;
  if (s === '*') {
    if (element !== 'Resource') return;
    let fix: Fix | undefined;
    if (bucket) {
      // Only the ARNs the list does not hold yet, so that the fix never duplicates an item.
      const present = new Set(list.items.map(i => i.value));
      const missing = [bucketArn(partition, bucket), objectsArn(partition, bucket)].filter(a => !present.has(a));
      fix = markSafe(missing.length > 0
        ? replaceItemFix(`Replace with the ARNs of bucket "${bucket}" and its objects`, list, item, missing.map(jsonString))
        : removeItemFix('Remove "*" (the bucket and its objects are already listed)', list, list.items.indexOf(item)));
    }
    ctx.report({
      span: item.span,
      message: `"Resource": "*" is not allowed in a bucket policy: ${INVALID}. ` +
        (bucket ? `Name the bucket and its objects: "${bucketArn(partition, bucket)}" and "${objectsArn(partition, bucket)}".` : 'Name the bucket ("arn:aws:s3:::BUCKET") and its objects ("arn:aws:s3:::BUCKET/*").'),
      fixes: fix ? [fix] : [],
    });
    return;
  }
  if (/\s/.test(s)) {
    const squeezed = s.replace(/\s+/g, '');
    ctx.report({
      span: item.span,
      message: `${element} "${s}" contains whitespace, so it names no bucket or object: ${INVALID}. Remove the spaces.`,
      fixes: squeezed ? [markSafe(replaceFix('Remove the whitespace', item.span, jsonString(squeezed)))] : [],
    });
    return;
  }
  if (!s.startsWith('arn:')) {
    const arn = arnFromNonArn(s, partition);
    ctx.report({
      span: item.span,
      message: `${element} "${s}" is not an ARN: ${INVALID}. ` + (arn ? `Write it as "${arn}".` : 'Use "arn:aws:s3:::BUCKET" for the bucket and "arn:aws:s3:::BUCKET/*" for its objects.'),
      fixes: arn ? [markSafe(replaceFix(`Write it as "${arn}"`, item.span, jsonString(arn)))] : [],
    });
    return;
  }
  const arn = parseS3Arn(s);
  if (!arn) {
    ctx.report({
      span: item.span,
      message: `${element} "${s}" is not a bucket or object ARN: a bucket policy may only name its own bucket ("arn:aws:s3:::BUCKET") and objects ("arn:aws:s3:::BUCKET/KEY"); otherwise ${INVALID}.`,
      fixes: both && element === 'Resource' ? [replaceItemFix(`Replace with the ARNs of bucket "${bucket}" and its objects`, list, item, both)] : [],
    });
    return;
  }
  const withPartition = (p: string) => formatS3Arn({ ...arn, partition: p });
  if (!PARTITIONS.includes(arn.partition)) {
    const guess = closest(arn.partition, PARTITIONS);
    ctx.report({
      span: item.span,
      message: `"${arn.partition}" is not an AWS partition (aws, aws-cn, aws-us-gov, …): ${INVALID}.` + (guess ? ` Did you mean "${withPartition(guess)}"?` : ''),
      fixes: guess ? [replaceFix(`Use partition "${guess}"`, item.span, jsonString(withPartition(guess)))] : [],
    });
    return;
  }
  if (dominant && arn.partition !== dominant) {
    ctx.report({
      span: item.span,
      message: `${element} "${s}" uses partition "${arn.partition}" while the rest of the policy uses "${dominant}": a bucket lives in one partition (China buckets use arn:aws-cn:, GovCloud arn:aws-us-gov:), so ${INVALID}.`,
      fixes: [replaceFix(`Use partition "${dominant}"`, item.span, jsonString(withPartition(dominant)))],
    });
    return;
  }
  const withBucket = bucket ? formatS3Arn({ ...arn, bucket }) : undefined;
  if (!arn.bucket) {
    ctx.report({
      span: item.span,
      message: `${element} "${s}" has no bucket name: ${INVALID}.` + (withBucket ? ` Use "${withBucket}".` : ''),
      fixes: withBucket ? [markSafe(replaceFix(`Use bucket "${bucket}"`, item.span, jsonString(withBucket)))] : [],
    });
    return;
  }
  if (isPlaceholderBucket(arn.bucket)) {
    ctx.report({
      span: item.span,
      message: `"${arn.bucket}" is a placeholder from an example, not a bucket name: ${INVALID}. ` +
        (withBucket ? `Use "${withBucket}".` : 'Put in the name of your bucket.'),
      fixes: withBucket ? [markSafe(replaceFix(`Use bucket "${bucket}"`, item.span, jsonString(withBucket)))] : [],
    });
    return;
  }
  if (containsWildcard(arn.bucket)) {
    ctx.report({
      span: item.span,
      message: `${element} "${s}" uses a wildcard in the bucket name: a bucket policy can only name its own bucket, so S3 probably rejects it ("Policy has invalid resource").` +
        (withBucket ? ` Use "${withBucket}".` : ' Write the bucket name out.'),
      fixes: withBucket ? [markSafe(replaceFix(`Use bucket "${bucket}"`, item.span, jsonString(withBucket)))] : [],
    });
    return;
  }
  if (ctx.bucketName && arn.bucket !== ctx.bucketName) {
    ctx.report({
      span: item.span,
      message: `${element} "${s}" names bucket "${arn.bucket}", but this is the policy of bucket "${ctx.bucketName}": ${INVALID}. Use "${withBucket}".`,
      fixes: [replaceFix(`Use bucket "${ctx.bucketName}"`, item.span, jsonString(withBucket!))],
    });
  }
}

function checkStatement(scope: Scope, st: Statement): void {
  const { ctx, bucket, partition } = scope;
  if (!st.resource && !st.notResource) {
    const member = bucket ? `"Resource": [${jsonString(bucketArn(partition, bucket))}, ${jsonString(objectsArn(partition, bucket))}]` : undefined;
    ctx.report({
      span: statementHead(st),
      message: `${statementLabel(st)} has no "Resource": S3 rejects the policy. ` +
        (bucket ? `Add ${member}.` : 'Add "Resource": ["arn:aws:s3:::BUCKET", "arn:aws:s3:::BUCKET/*"].'),
      fixes: member ? [editsFix(`Add the ARNs of bucket "${bucket}" and its objects`, [insertMember(ctx.doc.text, st.node, member)])] : [],
    });
    return;
  }
  for (const [element, list] of [['Resource', st.resource], ['NotResource', st.notResource]] as const) {
    if (!list) continue;
    const node = list.node;
    if (node.type !== 'string' && node.type !== 'array') {
      ctx.report({ span: list.span, message: `"${element}" must be an ARN or an array of ARNs, not ${jsonTypeName(node.type)}: ${INVALID}.` });
      continue;
    }
    if (list.isArray && list.items.length === 0) {
      const member = memberNamed(st.members, element);
      ctx.report({ span: member ? member.key.span : list.span, message: `"${element}" is empty: the statement names no resource, so ${INVALID}. List the bucket and/or object ARNs.` });
      continue;
    }
    for (const item of list.items) {
      if (typeof item.value !== 'string') {
        ctx.report({ span: item.span, message: `Each ${element} must be an ARN string, not ${jsonTypeName(item.node.type)}: ${INVALID}.` });
        continue;
      }
      checkItem(scope, list, item as Located<string>, element);
    }
  }
}

export const grm008: Rule = {
  meta: {
    id: 'GRM-008',
    title: 'Resource in a bucket policy must be this bucket or its objects',
    severity: 'error',
    appliesTo: ['bucket-policy'],
    why: 'A bucket policy can only name its own bucket (`arn:aws:s3:::BUCKET`) and its objects (`arn:aws:s3:::BUCKET/KEY`). S3 refuses anything else with `MalformedPolicy: Policy has invalid resource`: a missing Resource, `"*"`, another bucket, a non-ARN string, an ARN with a stray space, a placeholder such as `DOC-EXAMPLE-BUCKET` left from an example, or the wrong partition (China buckets use `arn:aws-cn:`, GovCloud `arn:aws-us-gov:`). The bucket comes from a `NAME.bucket-policy.json` file name or the bucketName setting; otherwise from the other ARNs of the policy when they agree.',
    example: '{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}',
    useInstead: '{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteAccessPermissionsReqd.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/HostingWebsiteOnS3Setup.html',
      'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html',
      'https://docs.amazonaws.cn/en_us/AmazonS3/latest/userguide/UsingDSSEncryption.html',
    ],
    confidence: 'DOC',
    fixable: true,
  },
  check(ctx) {
    const dominant = dominantPartition(ctx.doc);
    const scope: Scope = { ctx, bucket: policyBucket(ctx), dominant, partition: dominant ?? 'aws' };
    for (const st of ctx.doc.statements) checkStatement(scope, st);
  },
};
