// Complete policies from a few answers: the "New Bucket Policy…" and "New KMS Key Policy…"
// commands, their tests and anyone else who wants a known-good starting point. Pure functions. The bucket-policy statements are the quick-fix templates of
// rules/templates.ts (docs/design/aws-facts.md#template-2 and 3), so what the generator writes and
// what a quick-fix inserts stay the same statements; the key policy is template 4.
import { SSE } from '../engine/requests/context-keys';
import { splitList } from '../../shared/wording';
import { bucketArn, iamIdentity, objectsArn, PARTITIONS } from '../policy/arn';
import {
  algorithmDenyStatement,
  httpsDenyStatement,
  keyPinStatement,
  oldTlsDenyStatement,
  sseCBanStatement,
  uploadDenyStatement,
} from '../rules/templates';

export type SseChoice = 'aws:kms' | 'aws:kms:dsse' | 'AES256' | 'none';
export type MinTlsChoice = '1.2' | '1.3' | null;

export interface BucketPolicyOptions {
  bucket: string;
  /** The algorithm uploads may name; `none`: no requirement (the bucket's default encryption applies). */
  sse: SseChoice;
  /** Pin SSE-KMS / DSSE-KMS uploads to this key (a key ARN, not an alias). */
  kmsKeyArn?: string;
  /** Deny HTTPS below this TLS version. */
  minTls: MinTlsChoice;
  /** Deny uploads with customer-provided keys (SSE-C). */
  banSseC: boolean;
  /**
   * `allow` (docs/design/aws-facts.md#template-3): uploads that name no encryption get the bucket's default
   * encryption and are not denied — set default encryption to the same algorithm and key.
   * `deny` (template 2): every upload must name its encryption (and key, when one is pinned).
   */
  headerlessUploads: 'allow' | 'deny';
  /** IAM roles or users allowed to list the bucket and read and write its objects (ARNs). */
  readWriteRoles?: string[];
  /** Defaults to the key ARN's partition, else `aws`. */
  partition?: string;
}

export interface CloudTrailOptions {
  /** The trail that writes with this key; narrows the statement with aws:SourceArn (recommended by CloudTrail's guide). */
  trailName?: string;
  /** The trail's region (defaults to the key's region). */
  trailRegion?: string;
}

export interface KeyPolicyOptions {
  /** The key's account (12 digits). */
  account: string;
  /** The key's region: the bucket's region, since S3 only uses keys of its own region. */
  region: string;
  /** Who manages the key (no cryptographic use): role/user ARNs, or `role/Name` / `user/Name` in the key's account. */
  administrators: string[];
  /** Who encrypts and decrypts through S3: role/user ARNs or `role/Name` / `user/Name`. */
  users: string[];
  /** Restrict users' S3 use to this bucket (encryption context `aws:s3:arn`, with and without Bucket Keys). */
  bucket?: string;
  /** Let CloudTrail encrypt this account's trail logs with the key (docs/design/aws-facts.md#kms-015). */
  cloudTrail?: CloudTrailOptions | boolean;
}

/** Input the generators refuse, with one message per problem. */
export class PolicyInputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'PolicyInputError';
  }
}

// ---------------------------------------------------------------------------------------------
// Input validation: each returns a message naming the problem and the fix, or undefined.

const KEY_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):key\/([A-Za-z0-9-]+)$/;
const REGION = /^[a-z]{2,4}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** S3 general purpose bucket naming rules (S3 User Guide, "Bucket naming rules"). */
export function bucketNameProblem(name: string): string | undefined {
  if (!name) return 'Enter the bucket name (3 to 63 characters: lowercase letters, digits, dots and hyphens).';
  if (name.length < 3 || name.length > 63)
    return `The bucket name must be 3 to 63 characters long; "${name}" has ${name.length}.`;
  if (/[A-Z]/.test(name)) return `Bucket names are lowercase: "${name.toLowerCase()}".`;
  const bad = /[^a-z0-9.-]/.exec(name);
  if (bad) return `The bucket name may contain only lowercase letters, digits, dots and hyphens, not "${bad[0]}".`;
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return 'The bucket name must begin and end with a letter or a digit.';
  if (name.includes('..')) return 'The bucket name must not contain two adjacent dots.';
  if (IPV4.test(name)) return 'The bucket name must not look like an IP address.';
  for (const prefix of ['xn--', 'sthree-', 'amzn-s3-demo-']) {
    if (name.startsWith(prefix)) return `Bucket names must not start with "${prefix}" (reserved by AWS).`;
  }
  for (const suffix of ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3']) {
    if (name.endsWith(suffix)) return `Bucket names must not end with "${suffix}" (reserved by AWS).`;
  }
  return undefined;
}

export function accountProblem(account: string): string | undefined {
  return /^\d{12}$/.test(account)
    ? undefined
    : `The account ID is 12 digits, such as 111122223333${account ? `, not "${account}"` : ''}.`;
}

export function regionProblem(region: string): string | undefined {
  return REGION.test(region)
    ? undefined
    : `Enter a region code such as us-east-1 or eu-west-1${region ? `, not "${region}"` : ''}.`;
}

/** A KMS key ARN: S3 compares the key ARN, so key IDs and aliases cannot pin a key (docs/design/aws-facts.md#enc-008). */
export function keyArnProblem(arn: string): string | undefined {
  if (KEY_ARN.test(arn)) return undefined;
  if (/^arn:aws[a-z-]*:kms:[^:]*:[^:]*:alias\//.test(arn) || arn.startsWith('alias/')) {
    return 'An alias cannot pin a key: S3 compares the key ARN. Enter arn:aws:kms:REGION:ACCOUNT:key/KEY-ID.';
  }
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-|^mrk-/.test(arn))
    return 'Enter the full key ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID), not the bare key ID.';
  return `Enter a KMS key ARN such as arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab${arn ? `, not "${arn}"` : ''}.`;
}

/** A role or user: a full IAM ARN, or `role/Name` / `user/Name` (with an optional path) in `account`. */
export function principalProblem(value: string): string | undefined {
  if (/^(?:role|user)\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]+$/.test(value)) return undefined;
  const id = iamIdentity(value);
  if (id && /^\d{12}$/.test(id.arn.account) && PARTITIONS.includes(id.arn.partition)) return undefined;
  return `"${value}" is not an IAM role or user: enter arn:aws:iam::111122223333:role/Name, or role/Name for one in this account.`;
}

/** Problems of a comma- or whitespace-separated list of principals (for an input box). */
export function principalListProblem(text: string): string | undefined {
  for (const p of splitList(text)) {
    const problem = principalProblem(p);
    if (problem) return problem;
  }
  return undefined;
}

export { splitList } from '../../shared/wording';

/** Principals for a bucket policy, which has no account of its own: full ARNs only. */
export function principalArnListProblem(text: string): string | undefined {
  return (
    principalListProblem(text) ??
    (splitList(text).some(p => !p.startsWith('arn:'))
      ? 'A bucket policy has no account of its own: enter full ARNs such as arn:aws:iam::111122223333:role/app.'
      : undefined)
  );
}

/** A CloudTrail trail name. */
export function trailNameProblem(name: string): string | undefined {
  return /^[A-Za-z0-9][\w.-]{2,127}$/.test(name)
    ? undefined
    : `Trail names are 3 to 128 letters, digits, dots, underscores and hyphens, starting with a letter or digit, not "${name}".`;
}

const partitionOfRegion = (region: string): string =>
  region.startsWith('cn-')
    ? 'aws-cn'
    : region.startsWith('us-gov-')
      ? 'aws-us-gov'
      : region.startsWith('us-isob-')
        ? 'aws-iso-b'
        : region.startsWith('us-iso-')
          ? 'aws-iso'
          : region.startsWith('eusc-')
            ? 'aws-eusc'
            : 'aws';

function label(field: string, problem: string | undefined): string[] {
  return problem ? [`${field}: ${problem}`] : [];
}

export function bucketPolicyProblems(o: BucketPolicyOptions): string[] {
  const problems = [...label('bucket', bucketNameProblem(o.bucket ?? ''))];
  if (!['aws:kms', 'aws:kms:dsse', 'AES256', 'none'].includes(o.sse)) {
    problems.push(`sse: choose aws:kms, aws:kms:dsse, AES256 or none, not ${JSON.stringify(o.sse)}`);
  }
  if (o.kmsKeyArn) {
    problems.push(...label('kmsKeyArn', keyArnProblem(o.kmsKeyArn)));
    if (o.sse === 'AES256' || o.sse === 'none')
      problems.push(`kmsKeyArn: a KMS key applies only to aws:kms or aws:kms:dsse uploads, not to sse ${o.sse}`);
  }
  if (o.minTls !== null && o.minTls !== '1.2' && o.minTls !== '1.3')
    problems.push(`minTls: choose "1.2", "1.3" or null, not ${JSON.stringify(o.minTls)}`);
  if (typeof o.banSseC !== 'boolean') problems.push('banSseC: true or false');
  if (o.headerlessUploads !== 'allow' && o.headerlessUploads !== 'deny')
    problems.push(`headerlessUploads: choose "allow" or "deny", not ${JSON.stringify(o.headerlessUploads)}`);
  for (const r of o.readWriteRoles ?? []) {
    const problem = principalProblem(r);
    if (problem) problems.push(`readWriteRoles: ${problem}`);
    else if (!r.startsWith('arn:'))
      problems.push(`readWriteRoles: "${r}" needs its account: enter the full ARN arn:aws:iam::ACCOUNT:${r}`);
  }
  if (o.partition !== undefined && !PARTITIONS.includes(o.partition)) problems.push(`partition: one of ${PARTITIONS.join(', ')}`);
  return problems;
}

export function keyPolicyProblems(o: KeyPolicyOptions): string[] {
  const problems = [...label('account', accountProblem(o.account ?? '')), ...label('region', regionProblem(o.region ?? ''))];
  for (const [field, list] of [
    ['administrators', o.administrators],
    ['users', o.users],
  ] as const) {
    if (!Array.isArray(list)) {
      problems.push(`${field}: a list of role or user ARNs (may be empty)`);
      continue;
    }
    for (const p of list) problems.push(...label(field, principalProblem(p)));
  }
  if (o.bucket) problems.push(...label('bucket', bucketNameProblem(o.bucket)));
  if (typeof o.cloudTrail === 'object' && o.cloudTrail) {
    const { trailName, trailRegion } = o.cloudTrail;
    if (trailName !== undefined) problems.push(...label('cloudTrail.trailName', trailNameProblem(trailName)));
    if (trailRegion !== undefined) problems.push(...label('cloudTrail.trailRegion', regionProblem(trailRegion)));
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Generators

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const format = (policy: Json): string => `${JSON.stringify(policy, null, 2)}\n`;
const one = (values: readonly string[]): string | string[] => (values.length === 1 ? values[0] : [...values]);

/**
 * A bucket policy that enforces HTTPS and the chosen encryption, as formatted JSON. Throws
 * PolicyInputError naming every problem of the input.
 */
export function generateBucketPolicy(o: BucketPolicyOptions): string {
  const problems = bucketPolicyProblems(o);
  if (problems.length) throw new PolicyInputError(problems);
  const partition = o.partition ?? (o.kmsKeyArn ? KEY_ARN.exec(o.kmsKeyArn)![1] : 'aws');
  const target = { partition, bucket: o.bucket };
  const strict = o.headerlessUploads === 'deny';
  const statements: string[] = [httpsDenyStatement(partition, o.bucket)];
  if (o.minTls) statements.push(oldTlsDenyStatement(partition, o.bucket, o.minTls));
  if (o.sse !== 'none') statements.push(algorithmDenyStatement(target, 'DenyUploadsNamingAnotherEncryption', [o.sse], strict));
  else if (strict)
    statements.push(uploadDenyStatement(partition, o.bucket, 'DenyUploadsWithoutEncryptionHeader', { Null: { [SSE]: 'true' } }));
  if (o.kmsKeyArn) statements.push(keyPinStatement(target, 'DenyUploadsNamingAnotherKey', [o.kmsKeyArn], strict));
  if (o.banSseC) statements.push(sseCBanStatement(target, 'DenyCustomerProvidedKeys'));
  const policy: { Version: string; Statement: Json[] } = {
    Version: '2012-10-17',
    Statement: statements.map(s => JSON.parse(s) as Json),
  };
  const roles = o.readWriteRoles ?? [];
  if (roles.length) {
    policy.Statement.push(
      {
        Sid: 'AllowReadWrite',
        Effect: 'Allow',
        Principal: { AWS: one(roles) },
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: objectsArn(partition, o.bucket),
      },
      {
        Sid: 'AllowList',
        Effect: 'Allow',
        Principal: { AWS: one(roles) },
        Action: 's3:ListBucket',
        Resource: bucketArn(partition, o.bucket),
      },
    );
  }
  return format(policy);
}

/** What key administrators may do: manage the key, never use it (KMS Developer Guide, default key policy). */
export const KEY_ADMIN_ACTIONS: readonly string[] = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
];
/** What S3 calls on the requester's behalf: GenerateDataKey on upload, Decrypt on download and multipart (docs/design/aws-facts.md#kms-005). */
export const S3_USER_ACTIONS: readonly string[] = ['kms:GenerateDataKey', 'kms:Decrypt'];

const CLOUDTRAIL = 'cloudtrail.amazonaws.com';

/**
 * A key policy for an S3 bucket's KMS key (docs/design/aws-facts.md#template-4, plus KMS-015 for CloudTrail), as
 * formatted JSON. Throws PolicyInputError naming every problem of the input.
 */
export function generateKeyPolicy(o: KeyPolicyOptions): string {
  const problems = keyPolicyProblems(o);
  if (problems.length) throw new PolicyInputError(problems);
  const partition = partitionOfRegion(o.region);
  const arnOf = (p: string): string => (p.startsWith('arn:') ? p : `arn:${partition}:iam::${o.account}:${p}`);
  const administrators = [...new Set(o.administrators.map(arnOf))];
  const users = [...new Set(o.users.map(arnOf))];
  const statements: Json[] = [
    // Without it nobody could change the policy again: IAM policies in the account grant the rest (docs/design/aws-facts.md#kms-001, KMS-002).
    {
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:${partition}:iam::${o.account}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ];
  if (administrators.length) {
    statements.push({
      Sid: 'Allow access for Key Administrators',
      Effect: 'Allow',
      Principal: { AWS: one(administrators) },
      Action: [...KEY_ADMIN_ACTIONS],
      Resource: '*',
    });
  }
  if (users.length) {
    const condition: { [op: string]: { [key: string]: Json } } = {
      StringEquals: { 'kms:ViaService': `s3.${o.region}.amazonaws.com`, 'kms:CallerAccount': o.account },
    };
    // With an S3 Bucket Key the context is the bucket ARN, without one the object ARN (docs/design/aws-facts.md#kms-007).
    if (o.bucket)
      condition.StringLike = {
        'kms:EncryptionContext:aws:s3:arn': [bucketArn(partition, o.bucket), objectsArn(partition, o.bucket)],
      };
    statements.push(
      {
        Sid: 'Allow use of the key through S3',
        Effect: 'Allow',
        Principal: { AWS: one(users) },
        Action: [...S3_USER_ACTIONS],
        Resource: '*',
        Condition: condition,
      },
      {
        Sid: 'Allow key users to describe the key',
        Effect: 'Allow',
        Principal: { AWS: one(users) },
        Action: 'kms:DescribeKey',
        Resource: '*',
      },
    );
  }
  if (o.cloudTrail) {
    const trail = typeof o.cloudTrail === 'object' ? o.cloudTrail : {};
    const condition: { [op: string]: { [key: string]: Json } } = {
      StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${partition}:cloudtrail:*:${o.account}:trail/*` },
    };
    if (trail.trailName) {
      condition.StringEquals = {
        'aws:SourceArn': `arn:${partition}:cloudtrail:${trail.trailRegion ?? o.region}:${o.account}:trail/${trail.trailName}`,
      };
    }
    statements.push(
      {
        Sid: 'Allow CloudTrail to encrypt logs',
        Effect: 'Allow',
        Principal: { Service: CLOUDTRAIL },
        Action: 'kms:GenerateDataKey*',
        Resource: '*',
        Condition: condition,
      },
      {
        Sid: 'Allow CloudTrail to describe the key',
        Effect: 'Allow',
        Principal: { Service: CLOUDTRAIL },
        Action: 'kms:DescribeKey',
        Resource: '*',
      },
      // Log readers need kms:Decrypt: the account statement above delegates it to their IAM policies.
    );
  }
  return format({ Version: '2012-10-17', Statement: statements });
}
