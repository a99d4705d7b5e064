import type { Located, PolicyDocument, Statement, ValueList } from '../../policy/model';
import { containsWildcard } from '../../policy/operators';
import type { Fix, Rule, RuleContext } from '../types';
import { closest, jsonString, memberNamed, replaceFix, statementHead, statementLabel } from '../util';

// ---------------------------------------------------------------------------------------------
// S3 ARNs (also used by GRM-009)

/** AWS partitions (General Reference "ARN format"; the isolated and sovereign ones from the SDKs' partition lists). */
export const PARTITIONS: readonly string[] = ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'];

export interface S3Arn {
  partition: string;
  bucket: string;
  /** The object part after the first `/`; undefined for a bucket ARN. */
  key?: string;
}

/** `arn:PARTITION:s3:::BUCKET[/KEY]`, the only S3 ARN forms a bucket policy may name. */
export function parseS3Arn(s: string): S3Arn | undefined {
  const m = /^arn:([^:]*):s3:::([^/]*)(?:\/(.*))?$/s.exec(s);
  if (!m) return undefined;
  return m[3] === undefined ? { partition: m[1], bucket: m[2] } : { partition: m[1], bucket: m[2], key: m[3] };
}

export const bucketArn = (partition: string, bucket: string): string => `arn:${partition}:s3:::${bucket}`;
export const objectsArn = (partition: string, bucket: string): string => `arn:${partition}:s3:::${bucket}/*`;

/**
 * Bucket names left over from AWS examples and tutorials. Real bucket names are lower-case,
 * so an all-capitals name is a placeholder (`BUCKET`, `DOC-EXAMPLE-BUCKET`, `YOUR_BUCKET_NAME`).
 */
export function isPlaceholderBucket(name: string): boolean {
  const plain = name.replace(/\$\{[^}]*\}/g, '');
  return /^amzn-s3-demo-/i.test(plain) || /doc-example/i.test(plain) || /[<>{}]/.test(plain) ||
    (/[A-Z]/.test(plain) && !/[a-z]/.test(plain));
}

/** How a JSON node type reads in a message: `null`, `an object`, `a number`. */
export const jsonTypeName = (type: string): string => (type === 'null' ? 'null' : type === 'array' || type === 'object' ? `an ${type}` : `a ${type}`);

// ---------------------------------------------------------------------------------------------
// Text edits on statements and string-or-array elements (also used by GRM-007, 009, 010)

/** Insert a new member (`"Resource": "*"`) after the statement's last one, matching its layout. */
export function insertMemberFix(title: string, text: string, st: Statement, memberText: string): Fix {
  const members = st.members;
  const last = members[members.length - 1];
  if (!last) return replaceFix(title, { offset: st.node.offset + 1, length: 0 }, memberText);
  const prev = members[members.length - 2];
  const gapStart = prev ? prev.span.offset + prev.span.length : st.node.offset + 1;
  const gap = text.slice(gapStart, last.span.offset);
  const nl = gap.lastIndexOf('\n');
  const sep = nl >= 0 ? `,${gap.slice(nl)}` : ', ';
  return replaceFix(title, { offset: last.span.offset + last.span.length, length: 0 }, sep + memberText);
}

/** Add `newItemJson` next to `item`: inserted after it in an array; a lone string becomes an array. */
export function addItemFix(title: string, text: string, list: ValueList, item: Located, newItemJson: string): Fix {
  if (!list.isArray) {
    const orig = text.slice(item.span.offset, item.span.offset + item.span.length);
    return replaceFix(title, list.span, `[${orig}, ${newItemJson}]`);
  }
  return replaceFix(title, { offset: item.span.offset + item.span.length, length: 0 }, `, ${newItemJson}`);
}

/** Replace one item by several (`"*"` → both bucket ARNs); a lone string becomes an array. */
export function replaceItemFix(title: string, list: ValueList, item: Located, newItemsJson: string[]): Fix {
  if (!list.isArray) return replaceFix(title, list.span, newItemsJson.length === 1 ? newItemsJson[0] : `[${newItemsJson.join(', ')}]`);
  return replaceFix(title, item.span, newItemsJson.join(', '));
}

/** Remove one array item with the comma that joins it to a neighbour; undefined for a lone item. */
export function removeItemFix(title: string, list: ValueList, index: number): Fix | undefined {
  const items = list.items;
  if (!list.isArray || items.length < 2) return undefined;
  const item = items[index];
  const next = items[index + 1];
  const prev = items[index - 1];
  let offset = item.span.offset;
  let end = item.span.offset + item.span.length;
  if (next) end = next.span.offset;
  else offset = prev.span.offset + prev.span.length;
  return { title, preferred: true, edits: [{ span: { offset, length: end - offset }, newText: '' }] };
}

// ---------------------------------------------------------------------------------------------
// Which bucket and partition the policy is about

/** Every string in the document that starts with `arn:` (Resource, Principal, Condition values). */
function documentArns(doc: PolicyDocument): string[] {
  const out: string[] = [];
  const add = (items: Located[] | undefined) => {
    for (const i of items ?? []) if (typeof i.value === 'string' && i.value.startsWith('arn:')) out.push(i.value);
  };
  for (const st of doc.statements) {
    add(st.resource?.items);
    add(st.notResource?.items);
    for (const p of [st.principal, st.notPrincipal]) for (const e of p?.entries ?? []) add(e.values.items);
    for (const o of st.condition?.operators ?? []) for (const e of o.entries) add(e.values.items);
  }
  return out;
}

/** The partition most of the policy's ARNs use, when one clearly dominates. */
export function dominantPartition(doc: PolicyDocument): string | undefined {
  const counts = new Map<string, number>();
  for (const arn of documentArns(doc)) {
    const p = arn.split(':')[1];
    if (PARTITIONS.includes(p)) counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  if (ranked.length === 0) return undefined;
  if (ranked.length > 1 && ranked[0][1] === ranked[1][1]) return undefined;
  return ranked[0][0];
}

/**
 * The bucket a bucket policy is for: the one the file name or a setting gives, else the one
 * every S3 ARN of the policy agrees on (placeholders and patterns do not count).
 */
export function policyBucket(ctx: Pick<RuleContext, 'doc' | 'bucketName'>): string | undefined {
  if (ctx.bucketName) return ctx.bucketName;
  const names = new Set<string>();
  for (const st of ctx.doc.statements) {
    for (const i of [...(st.resource?.items ?? []), ...(st.notResource?.items ?? [])]) {
      if (typeof i.value !== 'string') continue;
      const arn = parseS3Arn(i.value);
      if (!arn || !arn.bucket || /\s/.test(i.value) || containsWildcard(arn.bucket) || isPlaceholderBucket(arn.bucket)) continue;
      names.add(arn.bucket);
    }
  }
  return names.size === 1 ? [...names][0] : undefined;
}

// ---------------------------------------------------------------------------------------------

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
      fix = missing.length > 0
        ? replaceItemFix(`Replace with the ARNs of bucket "${bucket}" and its objects`, list, item, missing.map(jsonString))
        : removeItemFix('Remove "*" (the bucket and its objects are already listed)', list, list.items.indexOf(item));
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
      fixes: squeezed ? [replaceFix('Remove the whitespace', item.span, jsonString(squeezed))] : [],
    });
    return;
  }
  if (!s.startsWith('arn:')) {
    const arn = arnFromNonArn(s, partition);
    ctx.report({
      span: item.span,
      message: `${element} "${s}" is not an ARN: ${INVALID}. ` + (arn ? `Write it as "${arn}".` : 'Use "arn:aws:s3:::BUCKET" for the bucket and "arn:aws:s3:::BUCKET/*" for its objects.'),
      fixes: arn ? [replaceFix(`Write it as "${arn}"`, item.span, jsonString(arn))] : [],
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
  const rest = arn.key === undefined ? '' : `/${arn.key}`;
  const withPartition = (p: string) => `arn:${p}:s3:::${arn.bucket}${rest}`;
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
  const withBucket = bucket ? `arn:${arn.partition}:s3:::${bucket}${rest}` : undefined;
  if (!arn.bucket) {
    ctx.report({
      span: item.span,
      message: `${element} "${s}" has no bucket name: ${INVALID}.` + (withBucket ? ` Use "${withBucket}".` : ''),
      fixes: withBucket ? [replaceFix(`Use bucket "${bucket}"`, item.span, jsonString(withBucket))] : [],
    });
    return;
  }
  if (isPlaceholderBucket(arn.bucket)) {
    ctx.report({
      span: item.span,
      message: `"${arn.bucket}" is a placeholder from an example, not a bucket name: ${INVALID}. ` +
        (withBucket ? `Use "${withBucket}".` : 'Put in the name of your bucket.'),
      fixes: withBucket ? [replaceFix(`Use bucket "${bucket}"`, item.span, jsonString(withBucket))] : [],
    });
    return;
  }
  if (containsWildcard(arn.bucket)) {
    ctx.report({
      span: item.span,
      message: `${element} "${s}" uses a wildcard in the bucket name: a bucket policy can only name its own bucket, so S3 probably rejects it ("Policy has invalid resource").` +
        (withBucket ? ` Use "${withBucket}".` : ' Write the bucket name out.'),
      fixes: withBucket ? [replaceFix(`Use bucket "${bucket}"`, item.span, jsonString(withBucket))] : [],
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
      fixes: member ? [insertMemberFix(`Add the ARNs of bucket "${bucket}" and its objects`, ctx.doc.text, st, member)] : [],
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
