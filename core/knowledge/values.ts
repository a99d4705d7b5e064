// Hand-kept facts about condition-key values that the SAR does not list: the values of the
// enumerated keys bucket and key policies compare (for completion and hover), and what the request
// context holds when a key is absent. Facts from docs/design/aws-facts.md#table-0-1 (key table), 0.3 (upload request
// model), ENC-001, ENC-002, ENC-011, ENC-013, TLS-005…008, KMS-003, KMS-006, KMS-015; the region
// list is the AWS commercial partition as of 2026. Pure data and lookups: no I/O, no LSP.

export interface KnownValue {
  /** Exactly as a policy must spell it (case-sensitive under String operators). */
  readonly value: string;
  /** One line: what a request with this value is. */
  readonly description: string;
}

/** Where suggested values come from besides the fixed list: strings found in the document itself. */
export type DocumentValues = 'accounts' | 'kmsKeyArns';

export interface KeyFacts {
  /** Canonical key name. */
  readonly key: string;
  /** The values AWS sends for this key (empty when they are open-ended). */
  readonly values: readonly KnownValue[];
  /** Suggest these strings found in the document too. */
  readonly fromDocument?: DocumentValues;
  /** When the key is absent from a request, in one sentence (docs/design/aws-facts.md#table-0-3). */
  readonly absent?: string;
  /** Values are numbers (compare with Numeric operators). */
  readonly numeric?: boolean;
}

/**
 * The AWS commercial-partition regions (2026), for `kms:ViaService` values. S3's ViaService name is
 * `s3.<region>.amazonaws.com` (docs/design/aws-facts.md#kms-006): the region must be the bucket's, which is also
 * the key's region.
 */
export const COMMERCIAL_REGIONS: readonly string[] = Object.freeze([
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-south-1',
  'eu-south-2',
  'eu-north-1',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
  'sa-east-1',
]);

/** Other services that call KMS on a caller's behalf and appear in `kms:ViaService` next to S3 (per region). */
const OTHER_VIA_SERVICES: readonly [service: string, what: string][] = [
  ['ec2', 'EBS volumes and snapshots (through EC2)'],
  ['rds', 'RDS databases'],
  ['secretsmanager', 'Secrets Manager secrets'],
  ['dynamodb', 'DynamoDB tables'],
  ['sqs', 'SQS queues'],
  ['sns', 'SNS topics'],
  ['logs', 'CloudWatch Logs log groups'],
  ['lambda', 'Lambda environment variables'],
];

function viaServiceValues(): KnownValue[] {
  const out: KnownValue[] = COMMERCIAL_REGIONS.map(r => ({
    value: `s3.${r}.amazonaws.com`,
    description: `S3 calling KMS for SSE-KMS uploads and downloads in ${r} (the bucket and the key must both be in ${r})`,
  }));
  for (const [service, what] of OTHER_VIA_SERVICES) {
    for (const r of ['us-east-1', 'eu-west-1'])
      out.push({ value: `${service}.${r}.amazonaws.com`, description: `${what} in ${r}` });
  }
  return out;
}

/** Service principals that write to buckets or use keys (docs/design/aws-facts.md#enc-013, KMS-015, KMS-010). */
export const SERVICE_PRINCIPALS: readonly KnownValue[] = Object.freeze([
  {
    value: 'cloudtrail.amazonaws.com',
    description:
      'CloudTrail: delivers trail logs to a bucket; needs kms:GenerateDataKey* and kms:DescribeKey on an SSE-KMS key (KMS-015)',
  },
  {
    value: 'logging.s3.amazonaws.com',
    description: 'S3 server access logging: delivers access logs with no encryption header (ENC-013)',
  },
  {
    value: 'delivery.logs.amazonaws.com',
    description: 'CloudWatch Logs / VPC Flow Logs delivery to S3: writes with no encryption header (ENC-013)',
  },
  {
    value: 'logdelivery.elasticloadbalancing.amazonaws.com',
    description: 'Elastic Load Balancing access logs (ALB logs use SSE-S3; ENC-013)',
  },
  {
    value: 'config.amazonaws.com',
    description: 'AWS Config: delivers configuration snapshots and history to a bucket (ENC-013)',
  },
  {
    value: 'cloudfront.amazonaws.com',
    description: 'CloudFront origin access control reading objects (scope it with aws:SourceArn)',
  },
  {
    value: 's3.amazonaws.com',
    description:
      "S3 itself (inventory, analytics exports, replication roles): in a key policy it does not grant S3's SSE-KMS calls, which run as the requester (KMS-010)",
  },
]);

const BOOL_VALUES = (what: { true: string; false: string }): KnownValue[] => [
  { value: 'true', description: what.true },
  { value: 'false', description: what.false },
];

const FACTS: readonly KeyFacts[] = [
  {
    key: 's3:x-amz-server-side-encryption',
    values: [
      {
        value: 'AES256',
        description: 'SSE-S3: S3 managed keys (the console and docs call it "AES-256"; the header value has no hyphen)',
      },
      {
        value: 'aws:kms',
        description:
          'SSE-KMS: a KMS key, the one named in x-amz-server-side-encryption-aws-kms-key-id, else aws/s3 or the bucket default key',
      },
      { value: 'aws:kms:dsse', description: 'DSSE-KMS: dual-layer encryption with a KMS key (no S3 Bucket Keys)' },
    ],
    absent:
      "The key is absent when the upload names no encryption (no x-amz-server-side-encryption header or form field), even though S3 then applies the bucket's default encryption (every bucket has at least SSE-S3 since 2023-01-05): the bucket policy is evaluated before default encryption. It is also absent on SSE-C uploads and on every action other than s3:PutObject, s3:ReplicateObject, s3:BypassGovernanceRetention and s3:UpdateObjectEncryption.",
  },
  {
    key: 's3:x-amz-server-side-encryption-aws-kms-key-id',
    values: [],
    fromDocument: 'kmsKeyArns',
    absent:
      'The key is absent when the upload sends no key id: uploads with no encryption header (default encryption applies afterwards) and "aws:kms" uploads without a key id (S3 then uses the bucket default key or aws/s3; ENC-009). Compare it with the full key ARN arn:aws:kms:REGION:ACCOUNT:key/KEY-ID, never an alias (ENC-008).',
  },
  {
    key: 's3:x-amz-server-side-encryption-customer-algorithm',
    values: [
      {
        value: 'AES256',
        description: 'SSE-C: the caller supplies the encryption key with each request (the only algorithm S3 accepts)',
      },
    ],
    absent:
      'The key is absent unless the request uses SSE-C (customer-provided keys). `"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}` in a Deny bans SSE-C (ENC-011).',
  },
  {
    key: 'aws:SecureTransport',
    values: BOOL_VALUES({
      true: 'the request arrived over HTTPS',
      false: 'the request arrived over plain HTTP: deny this with "Bool" in a Deny (TLS-001)',
    }),
    absent: 'Never absent: every request carries it, so Bool and BoolIfExists behave the same on it (TLS-006).',
  },
  {
    key: 's3:TlsVersion',
    numeric: true,
    values: [
      { value: '1.2', description: 'TLS 1.2: deny "NumericLessThan": 1.2 to require at least TLS 1.2 (TLS-007)' },
      { value: '1.3', description: 'TLS 1.3: deny "NumericLessThan": 1.3 to require TLS 1.3; older clients are then refused' },
      { value: '1.1', description: 'TLS 1.1 (deprecated)' },
      { value: '1.0', description: 'TLS 1.0 (deprecated)' },
    ],
    absent:
      'The key holds the TLS version of an HTTPS request as a number (1.2, 1.3); requests over plain HTTP have no TLS version. Compare it with Numeric operators, never String ones (TLS-007).',
  },
  {
    key: 's3:signatureversion',
    values: [
      { value: 'AWS4-HMAC-SHA256', description: 'Signature Version 4' },
      { value: 'AWS', description: 'Signature Version 2 (legacy)' },
    ],
    absent: 'Absent for anonymous (unsigned) requests.',
  },
  {
    key: 's3:authType',
    values: [
      { value: 'REST-HEADER', description: 'signed in the Authorization header' },
      { value: 'REST-QUERY-STRING', description: 'a presigned URL (signature in the query string)' },
      { value: 'POST', description: 'a browser POST upload with a signed policy form' },
    ],
    absent: 'Absent for anonymous (unsigned) requests.',
  },
  {
    key: 's3:x-amz-content-sha256',
    values: [{ value: 'UNSIGNED-PAYLOAD', description: 'the body is not covered by the signature' }],
  },
  {
    key: 'aws:PrincipalIsAWSService',
    values: BOOL_VALUES({
      true: 'an AWS service principal calls with its own identity (log delivery, CloudTrail…)',
      false: 'an IAM principal calls',
    }),
    absent:
      'Absent for anonymous requests: a Deny that exempts services should use "BoolIfExists": {"aws:PrincipalIsAWSService": "false"} so anonymous callers stay denied (ENC-013).',
  },
  {
    key: 'aws:ViaAWSService',
    values: BOOL_VALUES({ true: "an AWS service calls on the principal's behalf", false: 'the principal calls directly' }),
  },
  {
    key: 'kms:ViaService',
    values: viaServiceValues(),
    absent:
      'The key is absent when the principal calls KMS directly rather than through an AWS service; for SSE-KMS, S3 calls KMS as the requester and sets s3.<region>.amazonaws.com (KMS-006).',
  },
  {
    key: 'kms:CallerAccount',
    values: [],
    fromDocument: 'accounts',
    absent: 'Present in every authenticated KMS request: the account ID of the caller (KMS-003).',
  },
  {
    key: 'aws:SourceAccount',
    values: [],
    fromDocument: 'accounts',
    absent: 'Present only when an AWS service calls on behalf of a resource (service-to-service requests).',
  },
  { key: 'aws:PrincipalAccount', values: [], fromDocument: 'accounts', absent: 'Absent for anonymous requests.' },
  { key: 'aws:ResourceAccount', values: [], fromDocument: 'accounts' },
  { key: 's3:ResourceAccount', values: [], fromDocument: 'accounts' },
  {
    key: 'kms:GrantIsForAWSResource',
    values: BOOL_VALUES({
      true: "an AWS service creates the grant for an AWS resource (EBS, RDS…) on the caller's behalf",
      false: 'the caller creates the grant directly',
    }),
  },
  {
    key: 'kms:EncryptionContext:aws:s3:arn',
    values: [],
    absent:
      'S3 puts the object ARN here for SSE-KMS, or the bucket ARN when the bucket uses S3 Bucket Keys: list both arn:aws:s3:::BUCKET and arn:aws:s3:::BUCKET/* (KMS-007). Use it without ForAnyValue/ForAllValues (KMS-008).',
  },
];

const byKey = new Map(FACTS.map(f => [f.key.toLowerCase(), f]));
/** Descriptions of the values of Bool keys and of Null, whatever the key. */
const NULL_VALUES = BOOL_VALUES({
  true: 'matches when the key is absent from the request',
  false: 'matches when the key is present in the request',
});

/** What we know about a condition key's values (case-insensitive); undefined when nothing. */
export function keyFacts(key: string): KeyFacts | undefined {
  return byKey.get(key.toLowerCase());
}

/** Every key with hand-kept facts (for tests and documentation). */
export function allKeyFacts(): readonly KeyFacts[] {
  return FACTS;
}

/** The values a `Null` condition takes, with what each one means. */
export function nullOperatorValues(): readonly KnownValue[] {
  return NULL_VALUES;
}

/** The description of one known value of a key (exact, case-sensitive match), if it is one. */
export function describeValue(key: string, value: string): string | undefined {
  return keyFacts(key)?.values.find(v => v.value === value)?.description;
}
