import {
  bucketArn,
  dominantPartition,
  formatS3Arn,
  isPlaceholderBucket,
  objectsArn,
  PARTITIONS,
  parseS3Arn,
  policyBucket,
} from '../../policy/arn';
import type { Located, Statement, ValueList } from '../../policy/model';
import { containsWildcard } from '../../policy/wildcard';
import { editsFix, insertMember, markSafe, removeItemFix, replaceFix, replaceItemFix } from '../edits';
import type { Fix, Rule, RuleContext } from '../types';
import { clip } from '../../../shared/escape';
import { jsonString } from '../json-text';
import { show, closest, capitalizedStatementLabel, SUMMARY_SID, jsonTypeName } from '../labels';
import { statementHead, memberNamed } from '../model-lookups';

const INVALID = 'S3 rejects the policy ("Policy has invalid resource")';
/** The same, for a detail whose summary already says that S3 rejects the policy. */
const ANSWER = 'S3 answers "Policy has invalid resource"';
/** A Resource value as summaries quote it: short enough that the sentence fits the Problems panel. */
const quoted = (value: string): string => show(value, 44);

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
  if (s === '*') {
    if (element !== 'Resource') return;
    let fix: Fix | undefined;
    if (bucket) {
      // Only the ARNs the list does not hold yet, so that the fix never duplicates an item.
      const present = new Set(list.items.map(i => i.value));
      const missing = [bucketArn(partition, bucket), objectsArn(partition, bucket)].filter(a => !present.has(a));
      fix = markSafe(
        missing.length > 0
          ? replaceItemFix(`Replace with the ARNs of bucket "${bucket}" and its objects`, list, item, missing.map(jsonString))
          : removeItemFix('Remove "*" (the bucket and its objects are already listed)', list, list.items.indexOf(item)),
      );
    }
    ctx.report({
      span: item.span,
      messageId: bucket ? 'starForBucket' : 'star',
      data: bucket ? { bucketArn: bucketArn(partition, bucket), objectsArn: objectsArn(partition, bucket) } : {},
      fixes: fix ? [fix] : [],
    });
    return;
  }
  if (/\s/.test(s)) {
    const squeezed = s.replace(/\s+/g, '');
    ctx.report({
      span: item.span,
      messageId: 'whitespace',
      data: { element, value: quoted(s) },
      fixes: squeezed ? [markSafe(replaceFix('Remove the whitespace', item.span, jsonString(squeezed)))] : [],
    });
    return;
  }
  if (!s.startsWith('arn:')) {
    const arn = arnFromNonArn(s, partition);
    ctx.report({
      span: item.span,
      messageId: arn ? 'notArnRepairable' : 'notArn',
      data: { element, value: quoted(s), arn: arn ?? '' },
      fixes: arn ? [markSafe(replaceFix(`Write it as "${arn}"`, item.span, jsonString(arn)))] : [],
    });
    return;
  }
  const arn = parseS3Arn(s);
  if (!arn) {
    ctx.report({
      span: item.span,
      messageId: 'notS3Arn',
      data: { element, value: quoted(s) },
      fixes:
        bucket && element === 'Resource'
          ? [
              replaceItemFix(`Replace with the ARNs of bucket "${bucket}" and its objects`, list, item, [
                jsonString(bucketArn(partition, bucket)),
                jsonString(objectsArn(partition, bucket)),
              ]),
            ]
          : [],
    });
    return;
  }
  const withPartition = (p: string) => formatS3Arn({ ...arn, partition: p });
  if (!PARTITIONS.includes(arn.partition)) {
    const guess = closest(arn.partition, PARTITIONS);
    ctx.report({
      span: item.span,
      messageId: guess ? 'unknownPartitionTypo' : 'unknownPartition',
      data: { partition: show(arn.partition, 24), fixed: guess ? withPartition(guess) : '' },
      fixes: guess ? [replaceFix(`Use partition "${guess}"`, item.span, jsonString(withPartition(guess)))] : [],
    });
    return;
  }
  if (dominant && arn.partition !== dominant) {
    ctx.report({
      span: item.span,
      messageId: 'mixedPartitions',
      data: { element, partition: arn.partition, dominant },
      fixes: [replaceFix(`Use partition "${dominant}"`, item.span, jsonString(withPartition(dominant)))],
    });
    return;
  }
  const withBucket = bucket ? formatS3Arn({ ...arn, bucket }) : undefined;
  if (!arn.bucket) {
    ctx.report({
      span: item.span,
      messageId: withBucket ? 'noBucketNameRepairable' : 'noBucketName',
      data: { element, value: quoted(s), fixed: withBucket ?? '' },
      fixes: withBucket ? [markSafe(replaceFix(`Use bucket "${bucket}"`, item.span, jsonString(withBucket)))] : [],
    });
    return;
  }
  if (isPlaceholderBucket(arn.bucket)) {
    ctx.report({
      span: item.span,
      messageId: withBucket ? 'placeholderRepairable' : 'placeholder',
      data: { bucket: show(arn.bucket, 40), fixed: withBucket ?? '' },
      fixes: withBucket ? [markSafe(replaceFix(`Use bucket "${bucket}"`, item.span, jsonString(withBucket)))] : [],
    });
    return;
  }
  if (containsWildcard(arn.bucket)) {
    ctx.report({
      span: item.span,
      messageId: withBucket ? 'bucketWildcardRepairable' : 'bucketWildcard',
      data: { element, value: quoted(s), fixed: withBucket ?? '' },
      fixes: withBucket ? [markSafe(replaceFix(`Use bucket "${bucket}"`, item.span, jsonString(withBucket)))] : [],
    });
    return;
  }
  if (ctx.bucketName && arn.bucket !== ctx.bucketName) {
    ctx.report({
      span: item.span,
      messageId: 'otherBucket',
      data: { element, bucket: clip(arn.bucket, 32), own: clip(ctx.bucketName, 32), value: s, fixed: withBucket! },
      fixes: [replaceFix(`Use bucket "${ctx.bucketName}"`, item.span, jsonString(withBucket!))],
    });
  }
}

function checkStatement(scope: Scope, st: Statement): void {
  const { ctx, bucket, partition } = scope;
  if (!st.resource && !st.notResource) {
    const member = bucket
      ? `"Resource": [${jsonString(bucketArn(partition, bucket))}, ${jsonString(objectsArn(partition, bucket))}]`
      : undefined;
    ctx.report({
      span: statementHead(st),
      messageId: member ? 'noResourceRepairable' : 'noResource',
      data: { statement: capitalizedStatementLabel(st, SUMMARY_SID), member: member ?? '' },
      fixes: member
        ? [editsFix(`Add the ARNs of bucket "${bucket}" and its objects`, [insertMember(ctx.doc.text, st.node, member)])]
        : [],
    });
    return;
  }
  for (const [element, list] of [
    ['Resource', st.resource],
    ['NotResource', st.notResource],
  ] as const) {
    if (!list) continue;
    const node = list.node;
    if (node.type !== 'string' && node.type !== 'array') {
      ctx.report({ span: list.span, messageId: 'listWrongType', data: { element, type: jsonTypeName(node.type) } });
      continue;
    }
    if (list.isArray && list.items.length === 0) {
      const member = memberNamed(st.members, element);
      ctx.report({ span: member ? member.key.span : list.span, messageId: 'emptyList', data: { element } });
      continue;
    }
    for (const item of list.items) {
      if (typeof item.value !== 'string') {
        ctx.report({ span: item.span, messageId: 'itemNotString', data: { element, type: jsonTypeName(item.node.type) } });
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
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteAccessPermissionsReqd.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/HostingWebsiteOnS3Setup.html',
      'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html',
      'https://docs.amazonaws.cn/en_us/AmazonS3/latest/userguide/UsingDSSEncryption.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      starForBucket: {
        summary: '"Resource": "*" is not allowed in a bucket policy: S3 rejects the policy.',
        detail: `${ANSWER}. Name the bucket and its objects: "{bucketArn}" and "{objectsArn}".`,
      },
      star: {
        summary: '"Resource": "*" is not allowed in a bucket policy: S3 rejects the policy.',
        detail: `${ANSWER}. Name the bucket ("arn:aws:s3:::BUCKET") and its objects ("arn:aws:s3:::BUCKET/*").`,
      },
      whitespace: {
        summary: '{element} {value} contains whitespace, so it names no bucket or object.',
        detail: `${INVALID}. Remove the spaces.`,
      },
      notArnRepairable: {
        summary: '{element} {value} is not an ARN: S3 rejects the policy.',
        detail: `${ANSWER}. Write it as "{arn}".`,
      },
      notArn: {
        summary: '{element} {value} is not an ARN: S3 rejects the policy.',
        detail: `${ANSWER}. Use "arn:aws:s3:::BUCKET" for the bucket and "arn:aws:s3:::BUCKET/*" for its objects.`,
      },
      notS3Arn: {
        summary: '{element} {value} is not a bucket or object ARN: S3 rejects the policy.',
        detail: `A bucket policy may only name its own bucket ("arn:aws:s3:::BUCKET") and objects ("arn:aws:s3:::BUCKET/KEY"); for anything else ${ANSWER}.`,
      },
      unknownPartitionTypo: {
        summary: '{partition} is not an AWS partition (aws, aws-cn, aws-us-gov, …): S3 rejects the policy.',
        detail: `${ANSWER}. Did you mean "{fixed}"?`,
      },
      unknownPartition: {
        summary: '{partition} is not an AWS partition (aws, aws-cn, aws-us-gov, …): S3 rejects the policy.',
        detail: `${ANSWER}.`,
      },
      mixedPartitions: {
        summary: '{element} uses partition "{partition}" while the rest of the policy uses "{dominant}".',
        detail: `A bucket lives in one partition (China buckets use arn:aws-cn:, GovCloud arn:aws-us-gov:), so ${INVALID}.`,
      },
      noBucketNameRepairable: {
        summary: '{element} {value} has no bucket name: S3 rejects the policy.',
        detail: `${ANSWER}. Use "{fixed}".`,
      },
      noBucketName: {
        summary: '{element} {value} has no bucket name: S3 rejects the policy.',
        detail: `${ANSWER}. Name the bucket: "arn:aws:s3:::BUCKET" or "arn:aws:s3:::BUCKET/*".`,
      },
      placeholderRepairable: {
        summary: '{bucket} is a placeholder from an example, not a bucket name: S3 rejects the policy.',
        detail: `${ANSWER}. Use "{fixed}".`,
      },
      placeholder: {
        summary: '{bucket} is a placeholder from an example, not a bucket name: S3 rejects the policy.',
        detail: `${ANSWER}. Put in the name of your bucket.`,
      },
      bucketWildcardRepairable: {
        summary: '{element} {value} has a wildcard in the bucket name: S3 probably rejects it.',
        detail: 'A bucket policy can only name its own bucket ("Policy has invalid resource"). Use "{fixed}".',
      },
      bucketWildcard: {
        summary: '{element} {value} has a wildcard in the bucket name: S3 probably rejects it.',
        detail: 'A bucket policy can only name its own bucket ("Policy has invalid resource"). Write the bucket name out.',
      },
      otherBucket: {
        summary: '{element} names bucket "{bucket}", not this policy\'s bucket "{own}": S3 rejects it.',
        detail: `A bucket policy can only name its own bucket and objects (${ANSWER}). Use "{fixed}" instead of "{value}".`,
      },
      noResourceRepairable: {
        summary: '{statement} has no "Resource": S3 rejects the policy.',
        detail: 'Add {member}.',
      },
      noResource: {
        summary: '{statement} has no "Resource": S3 rejects the policy.',
        detail: 'Add "Resource": ["arn:aws:s3:::BUCKET", "arn:aws:s3:::BUCKET/*"] with the name of your bucket.',
      },
      listWrongType: {
        summary: '"{element}" must be an ARN or an array of ARNs, not {type}: S3 rejects the policy.',
        detail: `${ANSWER}.`,
      },
      emptyList: {
        summary: '"{element}" is empty: the statement names no resource, so S3 rejects the policy.',
        detail: 'List the bucket and/or object ARNs.',
      },
      itemNotString: {
        summary: 'Each {element} must be an ARN string, not {type}: S3 rejects the policy.',
        detail: `${ANSWER}.`,
      },
    },
  },
  check(ctx) {
    const dominant = dominantPartition(ctx.doc);
    const scope: Scope = { ctx, bucket: policyBucket(ctx), dominant, partition: dominant ?? 'aws' };
    for (const st of ctx.doc.statements) checkStatement(scope, st);
  },
};
