// ARNs: the generic `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` form, IAM principal ARNs,
// S3 bucket and object ARNs, partitions, and which bucket and partition a bucket policy is
// about. Shared by the grammar rules and the evaluator.
import type { Located, PolicyDocument } from './model';
import { oncePerDocument } from './memo';
import { replaceVariables } from './variables';
import { containsWildcard } from './wildcard';

/** AWS partitions (General Reference "ARN format"; the isolated and sovereign ones from the SDKs' partition lists). */
export const PARTITIONS: readonly string[] = [
  'aws',
  'aws-cn',
  'aws-us-gov',
  'aws-iso',
  'aws-iso-b',
  'aws-iso-e',
  'aws-iso-f',
  'aws-eusc',
];

// ---------------------------------------------------------------------------------------------
// Any ARN

/** The parts of an ARN: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`. */
export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

export function parseArn(value: string): ArnParts | undefined {
  const m = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$/s.exec(value);
  if (!m) return undefined;
  return { partition: m[1], service: m[2], region: m[3], account: m[4], resource: m[5] };
}

/** Has the value the six fields of an ARN (`arn:` and five more colon-separated fields)? */
export const isArn = (value: string): boolean => parseArn(value) !== undefined;

// ---------------------------------------------------------------------------------------------
// IAM principals

export const ACCOUNT_ID = /^\d{12}$/;

/** Role or user ARN (`arn:P:iam::ACCOUNT:role/path/Name`), with the name's last path segment. */
export function iamIdentity(value: string): { kind: 'role' | 'user'; arn: ArnParts; name: string } | undefined {
  const arn = parseArn(value);
  if (!arn || arn.service !== 'iam') return undefined;
  const m = /^(role|user)\/(?:.*\/)?([^/]+)$/.exec(arn.resource);
  if (!m) return undefined;
  return { kind: m[1] as 'role' | 'user', arn, name: m[2] };
}

/** `arn:PARTITION:iam::ACCOUNT:root`, the principal that stands for a whole account. */
export const accountRootArn = (partition: string, account: string): string => `arn:${partition}:iam::${account}:root`;

/** The account a principal value names as a whole: `arn:P:iam::ACCOUNT:root` or a bare 12-digit ID. */
export function accountPrincipal(value: string): string | undefined {
  if (ACCOUNT_ID.test(value)) return value;
  const arn = parseArn(value);
  return arn && arn.service === 'iam' && arn.resource === 'root' && ACCOUNT_ID.test(arn.account) ? arn.account : undefined;
}

/** An assumed-role session ARN `arn:P:sts::ACCOUNT:assumed-role/ROLE/SESSION`. */
export function assumedRoleSession(value: string): { account: string; role: string } | undefined {
  const arn = parseArn(value);
  if (!arn || arn.service !== 'sts') return undefined;
  const m = /^assumed-role\/([^/]+)\/.+$/.exec(arn.resource);
  return m ? { account: arn.account, role: m[1] } : undefined;
}

// ---------------------------------------------------------------------------------------------
// KMS keys

/** `arn:PARTITION:kms:REGION:ACCOUNT:key/ID`: one key (no wildcards in the ID). */
export function parseKeyArn(value: string): { partition: string; region: string; account: string; id: string } | undefined {
  const m = /^arn:([^:]+):kms:([^:]+):(\d{12}):key\/([^*?]+)$/.exec(value);
  return m ? { partition: m[1], region: m[2], account: m[3], id: m[4] } : undefined;
}

// ---------------------------------------------------------------------------------------------
// S3 buckets and objects

export interface S3Arn {
  partition: string;
  bucket: string;
  /** The object part after the first `/`; undefined for a bucket ARN. */
  key?: string;
}

/** `arn:PARTITION:s3:::BUCKET[/KEY]`, the only S3 ARN forms a bucket policy may name. */
export function parseS3Arn(s: string): S3Arn | undefined {
  const arn = parseArn(s);
  if (!arn || arn.service !== 's3' || arn.region !== '' || arn.account !== '') return undefined;
  const slash = arn.resource.indexOf('/');
  if (slash < 0) return { partition: arn.partition, bucket: arn.resource };
  return { partition: arn.partition, bucket: arn.resource.slice(0, slash), key: arn.resource.slice(slash + 1) };
}

/** The ARN text of an S3 ARN (the inverse of `parseS3Arn`). */
export const formatS3Arn = ({ partition, bucket, key }: S3Arn): string =>
  `arn:${partition}:s3:::${bucket}${key === undefined ? '' : `/${key}`}`;

/** `arn:PARTITION:s3:::BUCKET`, the bucket itself. */
export const bucketArn = (partition: string, bucket: string): string => formatS3Arn({ partition, bucket });
/** `arn:PARTITION:s3:::BUCKET/*`, every object of the bucket. */
export const objectsArn = (partition: string, bucket: string): string => formatS3Arn({ partition, bucket, key: '*' });

/**
 * Bucket names left over from AWS examples and tutorials. Real bucket names are lower-case,
 * so an all-capitals name is a placeholder (`BUCKET`, `DOC-EXAMPLE-BUCKET`, `YOUR_BUCKET_NAME`).
 */
export function isPlaceholderBucket(name: string): boolean {
  const plain = replaceVariables(name, () => '');
  return (
    /^amzn-s3-demo-/i.test(plain) ||
    /doc-example/i.test(plain) ||
    /[<>{}]/.test(plain) ||
    (/[A-Z]/.test(plain) && !/[a-z]/.test(plain))
  );
}

// ---------------------------------------------------------------------------------------------
// Which bucket and partition a policy is about

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

/** The partition most of the policy's ARNs use, when one clearly dominates (once per parsed document: rules and fixes ask it again and again). */
export const dominantPartition: (doc: PolicyDocument) => string | undefined = oncePerDocument(countPartitions);

function countPartitions(doc: PolicyDocument): string | undefined {
  const counts = new Map<string, number>();
  for (const arn of documentArns(doc)) {
    const colon = arn.indexOf(':', 4);
    const p = colon < 0 ? arn.slice(4) : arn.slice(4, colon);
    if (PARTITIONS.includes(p)) counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  if (ranked.length === 0) return undefined;
  if (ranked.length > 1 && ranked[0][1] === ranked[1][1]) return undefined;
  return ranked[0][0];
}

/**
 * The bucket a bucket policy is for: `bucketName` when the file name or a setting gives it, else
 * the one every S3 ARN of the policy agrees on (placeholders and patterns do not count).
 */
export function policyBucket({ doc, bucketName }: { doc: PolicyDocument; bucketName?: string }): string | undefined {
  return bucketName || bucketOfArns(doc);
}
/** The bucket the ARNs of a parsed document agree on, once per document. */
const bucketOfArns = oncePerDocument(bucketOfDocument);

function bucketOfDocument(doc: PolicyDocument): string | undefined {
  const names = new Set<string>();
  for (const st of doc.statements) {
    for (const i of [...(st.resource?.items ?? []), ...(st.notResource?.items ?? [])]) {
      if (typeof i.value !== 'string') continue;
      const arn = parseS3Arn(i.value);
      if (!arn || !arn.bucket || /\s/.test(i.value) || containsWildcard(arn.bucket) || isPlaceholderBucket(arn.bucket)) continue;
      names.add(arn.bucket);
    }
  }
  return names.size === 1 ? [...names][0] : undefined;
}
