// Seeded documents and hostile inputs for the fuzzer (`npm run fuzz`, test/fuzz/main.ts) and its
// short runs in the test suite (test/lsp/fuzz.test.ts, test/cli/hostile-files.test.ts).
//
// Everything is drawn from one seeded generator, so a run's documents and edits can be replayed
// with the same seed. The hostile shapes are the ones issue 10 lists: long wildcard chains in the
// places the engine compiles patterns (Resource, NotResource, *Like and Arn* operators, actions,
// principals), deep nesting, huge strings, lone surrogates, control characters, many statements,
// many distinct principals, unknown operators, policy variables and duplicate keys.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

/** mulberry32: small, fast and good enough to choose edits (never for anything secret). */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** One draw whatever the length, so that later draws do not depend on it. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((n, [, w]) => n + w, 0);
    let r = this.next() * total;
    for (const [v, w] of entries) if ((r -= w) < 0) return v;
    return entries[entries.length - 1][0];
  }
  /** A generator of its own: drawing more or less from it does not shift this one. */
  fork(): Rng {
    return new Rng(Math.floor(this.next() * 4294967296));
  }
}

export type FuzzKind = 'bucket-policy' | 'key-policy' | 'identity-policy' | 'not-a-policy';

/** What the documents of one run share: accounts, buckets and the keys bucket policies pin. */
export interface Corpus {
  account: string;
  otherAccounts: string[];
  keys: { id: string; arn: string }[];
  /** Longest wildcard chain to generate (to look past the backtracking patterns at what else breaks). */
  maxWildcards?: number;
}

const hex = (rng: Rng, n: number): string => Array.from({ length: n }, () => '0123456789abcdef'[rng.int(0, 15)]).join('');
export const keyIdOf = (rng: Rng): string =>
  `${hex(rng, 8)}-${hex(rng, 4)}-4${hex(rng, 3)}-${'89ab'[rng.int(0, 3)]}${hex(rng, 3)}-${hex(rng, 12)}`;

export function corpus(rng: Rng, keys: number): Corpus {
  const account = '111122223333';
  const ids = Array.from({ length: keys }, () => keyIdOf(rng));
  return {
    account,
    otherAccounts: ['444455556666', '777788889999', '123456789012'],
    keys: ids.map(id => ({ id, arn: `arn:aws:kms:us-east-1:${account}:key/${id}` })),
  };
}

// ---------------------------------------------------------------------------------------------
// Benign documents: realistic policies of the four kinds, with the mistakes the rules look for.

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

const S3_ACTIONS = [
  's3:GetObject',
  's3:PutObject',
  's3:DeleteObject',
  's3:ListBucket',
  's3:GetObjectVersion',
  's3:PutObjectAcl',
  's3:*',
  's3:Get*',
  's3:Put*',
  's3:AbortMultipartUpload',
];
const KMS_USE = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];
const KMS_ADMIN = [
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
];
/** Values people type for the SSE header, right and wrong (ENC-001 catches the wrong ones). */
const SSE_VALUES = ['aws:kms', 'AES256', 'aws:kms:dsse', 'AES-256', 'aws:kms ', 'aws-kms', 'kms'];

const one = <T extends Json>(rng: Rng, items: T[]): T | T[] => (items.length === 1 && rng.chance(0.5) ? items[0] : items);
const role = (rng: Rng, c: Corpus): string =>
  `arn:aws:iam::${rng.chance(0.8) ? c.account : rng.pick(c.otherAccounts)}:role/${rng.pick(['app', 'reader', 'writer', 'etl', 'admin', 'ci'])}-${rng.int(0, 99)}`;
const principal = (rng: Rng, c: Corpus): Json =>
  rng.weighted<() => Json>([
    [() => '*', 3],
    [() => ({ AWS: role(rng, c) }), 5],
    [() => ({ AWS: [role(rng, c), `arn:aws:iam::${c.account}:root`] }), 2],
    [() => ({ AWS: rng.pick(c.otherAccounts) }), 1],
    [() => ({ Service: rng.pick(['s3.amazonaws.com', 'cloudtrail.amazonaws.com', 'logs.amazonaws.com']) }), 1],
  ])();

function bucketStatement(rng: Rng, c: Corpus, bucket: string, i: number): { [k: string]: Json } {
  const arn = `arn:aws:s3:::${bucket}`;
  const objects = `${arn}/*`;
  const effect = rng.chance(0.95) ? 'Deny' : rng.pick(['deny', 'Allow']);
  return rng.weighted<() => { [k: string]: Json }>([
    [
      () => ({
        Sid: `DenyInsecureTransport${i}`,
        Effect: effect,
        Principal: '*',
        Action: 's3:*',
        Resource: [arn, objects],
        Condition: { Bool: { 'aws:SecureTransport': rng.pick(['false', 'False', 'true']) } },
      }),
      3,
    ],
    [
      () => ({
        Sid: `DenyOldTls${i}`,
        Effect: effect,
        Principal: '*',
        Action: 's3:*',
        Resource: [arn, objects],
        Condition: { NumericLessThan: { 's3:TlsVersion': rng.pick(['1.2', '1.3', 1.2]) } },
      }),
      1,
    ],
    [
      () => ({
        Sid: `DenyWrongEncryption${i}`,
        Effect: effect,
        Principal: '*',
        Action: 's3:PutObject',
        Resource: objects,
        Condition: {
          [rng.pick(['StringNotEquals', 'StringNotEqualsIfExists', 'StringEquals'])]: {
            's3:x-amz-server-side-encryption': one(rng, [rng.pick(SSE_VALUES)]),
          },
          ...(rng.chance(0.5) ? { Null: { 's3:x-amz-server-side-encryption': 'false' } } : {}),
        },
      }),
      3,
    ],
    [
      () => ({
        Sid: `DenyOtherKeys${i}`,
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: objects,
        Condition: {
          [rng.pick(['ArnNotEqualsIfExists', 'StringNotEquals', 'ArnNotLike', 'StringNotLikeIfExists'])]: {
            's3:x-amz-server-side-encryption-aws-kms-key-id': rng.pick(c.keys).arn,
          },
        },
      }),
      3,
    ],
    [
      () => ({
        Sid: `DenySseC${i}`,
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: objects,
        Condition: { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } },
      }),
      1,
    ],
    [
      () => ({
        Sid: `Allow${i}`,
        Effect: 'Allow',
        Principal: principal(rng, c),
        Action: one(rng, [rng.pick(S3_ACTIONS), rng.pick(S3_ACTIONS)]),
        Resource: rng.chance(0.8) ? `${arn}/${rng.pick(['incoming', 'reports', 'tenant-' + rng.int(0, 50)])}/*` : arn,
        ...(rng.chance(0.4)
          ? {
              Condition: rng.pick<{ [k: string]: Json }>([
                { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '203.0.113.0/24'] } },
                { StringLike: { 's3:prefix': [`home/\${aws:username}/*`, 'public/*'] } },
                { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
                { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${c.account}:role/app-*` } },
              ]),
            }
          : {}),
      }),
      4,
    ],
    [
      () => ({
        Sid: `DenyNotPrincipal${i}`,
        Effect: 'Deny',
        NotPrincipal: { AWS: role(rng, c) },
        NotAction: rng.pick(['s3:GetObject', 's3:List*']),
        Resource: objects,
      }),
      1,
    ],
    [
      () => ({
        Sid: `DenyNotResource${i}`,
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        NotResource: [`${arn}/public/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
      1,
    ],
  ])();
}

function keyStatement(rng: Rng, c: Corpus, i: number): { [k: string]: Json } {
  return rng.weighted<() => { [k: string]: Json }>([
    [
      () => ({
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${c.account}:root` },
        Action: 'kms:*',
        Resource: '*',
      }),
      2,
    ],
    [
      () => ({
        Sid: `Admins ${i}`,
        Effect: 'Allow',
        Principal: { AWS: role(rng, c) },
        Action: KMS_ADMIN.slice(0, rng.int(3, KMS_ADMIN.length)),
        Resource: '*',
      }),
      2,
    ],
    [
      () => ({
        Sid: `Use through S3 ${i}`,
        Effect: 'Allow',
        Principal: { AWS: role(rng, c) },
        Action: KMS_USE.slice(0, rng.int(1, KMS_USE.length)),
        Resource: '*',
        Condition: {
          StringEquals: {
            'kms:ViaService': rng.pick(['s3.us-east-1.amazonaws.com', 's3.eu-west-1.amazonaws.com']),
            'kms:CallerAccount': c.account,
          },
          ...(rng.chance(0.5)
            ? { StringLike: { 'kms:EncryptionContext:aws:s3:arn': [`arn:aws:s3:::bucket-${rng.int(0, 9)}/*`] } }
            : {}),
        },
      }),
      4,
    ],
    [
      () => ({
        Sid: `Grants ${i}`,
        Effect: 'Allow',
        Principal: { AWS: role(rng, c) },
        Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
        Resource: '*',
        Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
      1,
    ],
    [
      () => ({
        Sid: `Deny ${i}`,
        Effect: 'Deny',
        Principal: '*',
        Action: rng.pick(['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:Decrypt']),
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:PrincipalAccount': c.account } },
      }),
      1,
    ],
    [
      () => ({
        Sid: `Cross account ${i}`,
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${rng.pick(c.otherAccounts)}:root` },
        Action: ['kms:Decrypt', 'kms:DescribeKey'],
        Resource: '*',
      }),
      1,
    ],
    [
      () => ({
        Sid: `Service ${i}`,
        Effect: 'Allow',
        Principal: { Service: rng.pick(['cloudtrail.amazonaws.com', 'logs.us-east-1.amazonaws.com', 's3.amazonaws.com']) },
        Action: 'kms:GenerateDataKey*',
        Resource: '*',
      }),
      1,
    ],
  ])();
}

function identityStatement(rng: Rng, c: Corpus, i: number): { [k: string]: Json } {
  return rng.weighted<() => { [k: string]: Json }>([
    [
      () => ({
        Sid: `S3${i}`,
        Effect: 'Allow',
        Action: one(rng, [rng.pick(S3_ACTIONS)]),
        Resource: `arn:aws:s3:::bucket-${rng.int(0, 9)}/*`,
      }),
      3,
    ],
    [() => ({ Sid: `Kms${i}`, Effect: 'Allow', Action: KMS_USE.slice(0, rng.int(1, 5)), Resource: rng.pick(c.keys).arn }), 2],
    [
      () => ({
        Sid: `DenyUnencrypted${i}`,
        Effect: 'Deny',
        Action: 's3:PutObject',
        Resource: '*',
        Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': rng.pick(SSE_VALUES) } },
      }),
      1,
    ],
  ])();
}

function notAPolicy(rng: Rng): Json {
  return rng.weighted<() => Json>([
    [
      () => ({
        name: `pkg-${rng.int(0, 999)}`,
        version: '1.0.0',
        scripts: { test: 'node --test' },
        dependencies: { 'left-pad': '^1.3.0' },
      }),
      2,
    ],
    [() => ({ compilerOptions: { strict: true, target: 'ES2022' }, include: ['src'] }), 1],
    [
      () =>
        Array.from({ length: rng.int(1, 30) }, (_, i) => ({
          id: i,
          tags: ['a', 'b'],
          nested: { Statement: i % 3 === 0 ? 'not an array' : null },
        })),
      2,
    ],
    [() => ({ Statement: [{ note: 'looks like a policy, is not' }], Resources: { Bucket: { Type: 'AWS::S3::Bucket' } } }), 1],
  ])();
}

/** How a person formats JSON: indented or not, sometimes with CRLF line ends. */
function format(rng: Rng, value: Json): string {
  const text = JSON.stringify(value, null, rng.pick([0, 2, 2, 4, '\t']));
  return rng.chance(0.1) ? text.replace(/\n/g, '\r\n') : text;
}

/** A benign document of the given kind (sizes from one statement to about 30 KB). */
export function documentText(rng: Rng, kind: FuzzKind, c: Corpus, bucket: string): string {
  if (kind === 'not-a-policy') return format(rng, notAPolicy(rng));
  const n = rng.weighted([
    [rng.int(1, 4), 5],
    [rng.int(5, 20), 3],
    [rng.int(20, 80), 1],
  ] as const);
  const statements = Array.from({ length: n }, (_, i) =>
    kind === 'bucket-policy'
      ? bucketStatement(rng, c, bucket, i)
      : kind === 'key-policy'
        ? keyStatement(rng, c, i)
        : identityStatement(rng, c, i),
  );
  return format(rng, {
    Version: rng.chance(0.95) ? '2012-10-17' : '2008-10-17',
    ...(rng.chance(0.3) ? { Id: `policy-${rng.int(0, 99)}` } : {}),
    Statement: statements,
  });
}

/** One benign statement as JSON text, to insert into a Statement array. */
export function statementText(rng: Rng, kind: FuzzKind, c: Corpus, bucket: string): string {
  const st =
    kind === 'key-policy'
      ? keyStatement(rng, c, rng.int(0, 999))
      : kind === 'identity-policy'
        ? identityStatement(rng, c, rng.int(0, 999))
        : bucketStatement(rng, c, bucket, rng.int(0, 999));
  return JSON.stringify(st);
}

/** A benign string value for the property it sits under (the characters between the quotes). */
export function valueFor(rng: Rng, property: string, c: Corpus, bucket: string): string {
  const p = property.toLowerCase();
  if (p === 'effect') return rng.pick(['Deny', 'Allow', 'deny', 'Alow']);
  if (p === 'action' || p === 'notaction') return rng.pick([...S3_ACTIONS, ...KMS_USE, 'kms:*', '*', 's3:GetObjct']);
  if (p === 'resource' || p === 'notresource')
    return rng.pick([
      `arn:aws:s3:::${bucket}`,
      `arn:aws:s3:::${bucket}/*`,
      `arn:aws:s3:::${bucket}/logs/*`,
      `arn:aws:s3:::other-bucket/*`,
      '*',
      `arn:aws:s3:::${bucket}*`,
    ]);
  if (p === 'aws' || p === 'principal' || p === 'aws:principalarn')
    return rng.pick([role(rng, c), '*', c.account, `arn:aws:iam::${c.account}:root`]);
  if (p.includes('key-id') || p === 'kms:keyid') return rng.pick(c.keys).arn;
  if (p.includes('server-side-encryption')) return rng.pick(SSE_VALUES);
  if (p === 'sid') return rng.pick(['DenyHttp', 'Allow use', `Statement${rng.int(0, 99)}`, '']);
  if (p === 'version') return rng.pick(['2012-10-17', '2008-10-17', '2012-10-18']);
  return rng.pick(['false', 'true', '1.2', 'aws:kms', c.account, `s3.us-east-1.amazonaws.com`, '']);
}

// ---------------------------------------------------------------------------------------------
// Hostile inputs

export interface Hostile {
  /** What it is, for the operation log and the reproduction list ("30 wildcards in NotResource"). */
  label: string;
  text: string;
}

/** `A0*A0*…`: the shape that made compiled wildcard patterns backtrack for minutes (issue 10). */
export const wildcardChain = (n: number, unit = 'A0*'): string => unit.repeat(n);

/** How many wildcards: mostly around the 20–32 where backtracking took 0.3 s to over a minute, some far beyond. */
const wildcardCount = (rng: Rng, max = Infinity): number =>
  Math.min(
    max,
    rng.weighted([
      [rng.int(4, 19), 3],
      [rng.int(20, 32), 4],
      [rng.int(33, 60), 1],
      [100, 1],
      [1000, 1],
    ] as const),
  );

/** Characters that must never break anything: control characters, ESC sequences, lone surrogates, bidi and zero-width ones. */
const NASTY_CHARS = [
  '\u0000',
  '\u0007',
  '\u0008',
  '\u001b[31m',
  '\u001b]8;;https://evil.example\u0007',
  '\r',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\u200b',
  '\u202e',
  '\ud800',
  '\udfff',
  '\udbff\udbff',
  '\u00a0',
  '\uffff',
];

/** Sids and names meant to spoof rendered Markdown or a terminal. */
export const SPOOFING_SIDS = [
  '[Open the fix](https://evil.example/steal)',
  '![logo](https://evil.example/pixel.png)',
  '\u001b[2J\u001b[31mALL CHECKS PASSED\u001b[0m',
  '\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007',
  '<img src=x onerror=alert(1)>',
  '`` ` `` **bold** _x_ | table |',
  '\u202eevil\u202c',
  'line1\nline2\r\nline3',
];

const POLICY_VARIABLES = [
  '${aws:username}',
  '${aws:PrincipalTag/${aws:username}}',
  '${*}',
  '${?}',
  '${$}',
  '${',
  '${aws:username',
  '$${aws:username}',
  '${'.repeat(200),
  '${aws:SourceIp}/${aws:userid}/*',
];
const UNKNOWN_OPERATORS = [
  'StringLikeX',
  'ForAnyValue:StringLikeIfExists',
  'ForAllValues:ArnNotLikeIfExists',
  'ForAnyValue:',
  '',
  'Null:',
  'stringlike',
  'StringLikeIfExistsIfExists',
  'ArnLike\u0000',
  'BinaryEquals',
];

/** A string value (JSON-escaped, unless `raw` characters are the point) that is hostile for its property. */
export function hostileValue(rng: Rng, property: string, bucket: string, c: Corpus): Hostile {
  const p = property.toLowerCase();
  const n = wildcardCount(rng, c.maxWildcards);
  return rng.weighted<() => Hostile>([
    [
      () => {
        if (p === 'action' || p === 'notaction')
          return { label: `${n} wildcards in ${property}`, text: `s3:${wildcardChain(n, rng.pick(['Get*', 'A0*', '*?']))}` };
        if (p.includes('key-id'))
          return { label: `${n} wildcards in ${property}`, text: `arn:aws:kms:*:${c.account}:key/${wildcardChain(n)}` };
        if (p === 'aws' || p.includes('principal'))
          return { label: `${n} wildcards in ${property}`, text: `arn:aws:iam::${c.account}:role/${wildcardChain(n)}` };
        return {
          label: `${n} wildcards in ${property || 'a value'}`,
          text: `arn:aws:s3:::${rng.chance(0.5) ? bucket : 'xyz'}/${wildcardChain(n, rng.pick(['A0*', 'A0*', 'a?*', '*A0']))}`,
        };
      },
      6,
    ],
    [() => ({ label: `policy variable in ${property}`, text: `arn:aws:s3:::${bucket}/${rng.pick(POLICY_VARIABLES)}/*` }), 1],
    [
      () => {
        const size = rng.pick([64 * 1024, 256 * 1024, 1024 * 1024, 2 * 1024 * 1024]);
        return {
          label: `${size / 1024} KB string in ${property}`,
          text: rng
            .pick(['x', 'A0*', '\\u0000', '*', '/'])
            .repeat(Math.ceil(size / 2))
            .slice(0, size),
        };
      },
      1,
    ],
    [
      () => ({
        label: `control characters / lone surrogates in ${property}`,
        text: Array.from({ length: rng.int(1, 8) }, () => rng.pick(NASTY_CHARS)).join('') + valueFor(rng, property, c, bucket),
      }),
      2,
    ],
    [() => ({ label: `spoofing text in ${property}`, text: JSON.stringify(rng.pick(SPOOFING_SIDS)).slice(1, -1) }), 1],
  ])();
}

/** Statements (JSON text, comma-separated) that are hostile for a policy of this kind. */
export function hostileStatements(rng: Rng, kind: FuzzKind, bucket: string, c: Corpus): Hostile {
  const arn = `arn:aws:s3:::${bucket}`;
  const n = wildcardCount(rng, c.maxWildcards);
  const chain = wildcardChain(n);
  const st = (o: { [k: string]: Json }): string => JSON.stringify(o);
  return rng.weighted<() => Hostile>([
    [
      () => ({
        label: `${n} wildcards in Resource`,
        text: st({
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: `arn:aws:s3:::${rng.chance(0.5) ? bucket : 'xyz'}/${chain}`,
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      }),
      2,
    ],
    [
      () => ({
        label: `${n} wildcards in NotResource`,
        text: st({
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          NotResource: `arn:aws:s3:::xyz/${chain}`,
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      }),
      2,
    ],
    [
      () => ({
        label: `${n} wildcards in StringNotLike aws:PrincipalArn`,
        text: st({
          Effect: 'Deny',
          Principal: '*',
          Action: kind === 'key-policy' ? 'kms:*' : 's3:*',
          Resource: kind === 'key-policy' ? '*' : [arn, `${arn}/*`],
          Condition: {
            [rng.pick(['StringNotLike', 'StringLike', 'ArnNotLike', 'ArnLike'])]: {
              'aws:PrincipalArn': `arn:aws:iam::${c.account}:role/${chain}`,
            },
          },
        }),
      }),
      2,
    ],
    [
      () => ({
        label: `${n} wildcards in ArnNotLike on the KMS key id`,
        text: st({
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: `${arn}/*`,
          Condition: {
            [rng.pick(['ArnNotLike', 'ArnLike', 'StringNotLike'])]: {
              's3:x-amz-server-side-encryption-aws-kms-key-id': `arn:aws:kms:*:${c.account}:key/${chain}`,
            },
          },
        }),
      }),
      2,
    ],
    [
      () => ({
        label: `${n} wildcards in Action`,
        text: st({
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${c.account}:root` },
          Action: kind === 'key-policy' ? `kms:${chain}` : `s3:${chain}`,
          Resource: kind === 'key-policy' ? '*' : `${arn}/*`,
        }),
      }),
      1,
    ],
    [
      () => ({
        label: `${n} wildcards in kms:EncryptionContext`,
        text: st({
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${c.account}:role/app` },
          Action: KMS_USE,
          Resource: '*',
          Condition: {
            StringLike: {
              'kms:EncryptionContext:aws:s3:arn': `arn:aws:s3:::${chain}`,
              'kms:ViaService': `s3.${chain}.amazonaws.com`,
            },
          },
        }),
      }),
      1,
    ],
    [
      () => {
        const depth = rng.pick([100, 1000, 5000, 20000]);
        return {
          label: `nesting ${depth} deep in a Condition value`,
          text: `{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"${arn}/*","Condition":{"StringEquals":{"aws:SourceVpc":${'['.repeat(depth)}"vpc-1"${']'.repeat(depth)}}}}`,
        };
      },
      2,
    ],
    [
      () => {
        const k = rng.pick([200, 500, 1000, 2000]);
        return {
          label: `${k} statements`,
          text: Array.from({ length: k }, (_, i) =>
            kind === 'key-policy' ? st(keyStatement(rng, c, i)) : st(bucketStatement(rng, c, bucket, i)),
          ).join(','),
        };
      },
      1,
    ],
    [
      () => {
        const k = rng.pick([100, 200, 500]);
        return {
          label: `${k} statements of distinct principals`,
          text: Array.from({ length: k }, (_, i) =>
            st(
              kind === 'key-policy'
                ? {
                    Sid: `p${i}`,
                    Effect: i % 7 === 0 ? 'Deny' : 'Allow',
                    Principal: { AWS: `arn:aws:iam::${i % 3 ? c.account : c.otherAccounts[i % 3]}:role/r-${i}` },
                    Action: KMS_USE.slice(0, 1 + (i % 5)),
                    Resource: '*',
                    ...(i % 2 ? { Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } } } : {}),
                  }
                : {
                    Sid: `p${i}`,
                    Effect: 'Allow',
                    Principal: { AWS: `arn:aws:iam::${c.account}:role/r-${i}` },
                    Action: S3_ACTIONS[i % S3_ACTIONS.length],
                    Resource: `${arn}/t${i}/*`,
                  },
            ),
          ).join(','),
        };
      },
      1,
    ],
    [
      () => ({
        label: 'unknown condition operators',
        text: st({
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: `${arn}/*`,
          Condition: Object.fromEntries(
            Array.from({ length: rng.int(1, 4) }, () => [
              rng.pick(UNKNOWN_OPERATORS),
              { 's3:x-amz-server-side-encryption': rng.pick(['aws:kms', ['aws:kms', 'AES256'], null, 1, { a: 1 }]) },
            ]),
          ),
        }),
      }),
      1,
    ],
    [
      () => ({
        label: 'policy variables',
        text: st({
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: `${arn}/${rng.pick(POLICY_VARIABLES)}`,
          Condition: { StringNotLike: { 'aws:PrincipalArn': rng.pick(POLICY_VARIABLES), 's3:prefix': POLICY_VARIABLES } },
        }),
      }),
      1,
    ],
    [
      () => ({
        label: 'duplicate keys',
        text: `{"Effect":"Allow","Effect":"Deny","Principal":"*","Principal":{"AWS":"${c.account}"},"Action":"s3:*","Action":"s3:GetObject","Resource":"${arn}/*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}},"Condition":{"Bool":{"aws:SecureTransport":"true","aws:SecureTransport":"false"}},"Sid":"a","Sid":"b"}`,
      }),
      1,
    ],
    [
      () => ({
        label: 'wrong value types',
        text: `{"Sid":1e309,"Effect":["Deny"],"Principal":null,"Action":[[["s3:*"]]],"Resource":{"a":1},"NotResource":[],"Condition":${rng.pick(['["x"]', '{"Bool":null}', '{"Bool":{"aws:SecureTransport":[[false]]}}', '{"":{"":""}}', '{"StringLike":{"aws:PrincipalArn":{}}}'])}}`,
      }),
      1,
    ],
    [
      () => ({
        label: 'spoofing Sid',
        text: st({ Sid: rng.pick(SPOOFING_SIDS), Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${arn}/*` }),
      }),
      1,
    ],
    [
      () => {
        const k = rng.pick([500, 2000, 5000]);
        return {
          label: `${k} wildcard values in one array`,
          text: st({
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            NotResource: Array.from({ length: k }, (_, i) => `arn:aws:s3:::${bucket}/*${i}*a*${i % 10}*`),
            Condition: {
              StringNotLike: { 'aws:PrincipalArn': Array.from({ length: k }, (_, i) => `arn:aws:iam::*:role/*${i}*`) },
            },
          }),
        };
      },
      1,
    ],
  ])();
}

/** Text to insert anywhere at all (it usually breaks the JSON, which must be harmless too). */
export function hostileFragment(rng: Rng, maxWildcards = Infinity): Hostile {
  return rng.weighted<() => Hostile>([
    [
      () => {
        const d = rng.pick([1000, 5000, 20000]);
        return { label: `${d} unclosed brackets`, text: rng.pick(['[', '{"a":', '[{"Statement":']).repeat(d) };
      },
      2,
    ],
    [
      () => ({
        label: 'control characters and lone surrogates',
        text: Array.from({ length: rng.int(1, 20) }, () => rng.pick(NASTY_CHARS)).join(''),
      }),
      3,
    ],
    [
      () => {
        const n = rng.pick([10_000, 100_000, 1_000_000]);
        return { label: `${n} characters of ${'"'} and *`, text: rng.pick(['"', '*', '\\', ' ', '"*"', ',']).repeat(n) };
      },
      1,
    ],
    [
      () => ({
        label: 'a second "Statement" member',
        text: `"Statement": [${JSON.stringify({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' })}], `,
      }),
      1,
    ],
    [() => ({ label: 'wildcard chain', text: `"arn:aws:s3:::xyz/${wildcardChain(wildcardCount(rng, maxWildcards))}"` }), 2],
  ])();
}

// ---------------------------------------------------------------------------------------------
// Hostile files for the CLI (`s3-encryption-guard check` and `explain`)

export interface HostileFileCase {
  name: string;
  /** Command line after `node dist/cli.js` (paths relative to the case's working folder). */
  args: string[];
  /** The working folder (the config file search starts there). */
  cwd: string;
  /** What the case is about, for the report. */
  about: string;
  /** Expected to take long whatever the code does (many files): not held to the 1 s budget. */
  bulk?: boolean;
  /** A file whose result must be printed whatever the hostile files beside it do. */
  mustReport?: string;
  /** Files that must be named in the output, analysed or skipped with a reason (never skipped without a word). */
  mustMention?: string[];
}

/** A small policy whose Resource carries `n` wildcards (about 200 bytes at 30). */
export const wildcardPolicy = (n: number, where: 'Resource' | 'NotResource' = 'Resource'): string =>
  `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","${where}":"arn:aws:s3:::xyz/${wildcardChain(n)}","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`;
const principalWildcardPolicy = (n: number): string =>
  `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::xyz","arn:aws:s3:::xyz/*"],"Condition":{"StringNotLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/${wildcardChain(n)}"}}}]}`;
const keyIdWildcardPolicy = (n: number): string =>
  `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::xyz/*","Condition":{"ArnNotLike":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:*:111122223333:key/${wildcardChain(n)}"}}}]}`;
const spoofingPolicy = (): string =>
  JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: SPOOFING_SIDS.map((sid, i) => ({
        Sid: sid,
        Effect: i % 2 ? 'deny' : 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::\u001b[31mxyz/*',
      })),
    },
    null,
    2,
  );
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/**
 * Writes the hostile files under `root` (which must not exist yet or be empty) and returns the
 * cases to run. `many` adds the folder of 10,000 small files (slow to write; the long run only).
 */
export function writeHostileFiles(root: string, opts: { many?: boolean } = {}): HostileFileCase[] {
  fs.mkdirSync(root, { recursive: true });
  const cases: HostileFileCase[] = [];
  const dir = (name: string): string => {
    const d = path.join(root, name);
    fs.mkdirSync(d, { recursive: true });
    return d;
  };
  const file = (d: string, name: string, content: string | Buffer): string => {
    fs.writeFileSync(path.join(d, name), content);
    return name;
  };
  const single = (name: string, fileName: string, content: string | Buffer, about: string, explain = true): void => {
    const d = dir(name);
    file(d, fileName, content);
    cases.push({ name: `check ${name}`, args: ['check', '--no-config', fileName], cwd: d, about });
    if (explain) cases.push({ name: `explain ${name}`, args: ['explain', '--no-config', fileName], cwd: d, about });
  };

  single(
    'deep-nesting-20000',
    'deep.bucket-policy.json',
    `{"Version":"2012-10-17","Statement":${'['.repeat(20000)}${']'.repeat(20000)}}`,
    '20,000 nested arrays',
  );
  // A string broken by a line end (jsonc-parser ends it there) and a stray quote: a depth check
  // that reads strings differently from the parser lets the nesting through (found by the fuzzer).
  single(
    'deep-after-broken-string',
    'deep.bucket-policy.json',
    `{"Version":"2012-10-17","Sid":"x\n"","Statement":[${'['.repeat(10000)}${']'.repeat(10001)}}`,
    '10,000 nested arrays after a string broken by a line end',
  );
  single(
    'deep-objects-20000',
    'deep.bucket-policy.json',
    `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Condition":${'{"a":'.repeat(20000)}1${'}'.repeat(20000)}}]}`,
    '20,000 nested objects in a Condition',
  );
  {
    const st =
      '{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::big","arn:aws:s3:::big/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}';
    const n = Math.ceil((10 * 1024 * 1024) / (st.length + 1));
    single(
      'ten-megabytes',
      'big.bucket-policy.json',
      `{"Version":"2012-10-17","Statement":[${Array.from({ length: n }, () => st).join(',')}]}`,
      'a 10 MB policy',
      false,
    );
  }
  for (const n of [30, 100, 1000]) {
    single(
      `wildcards-${n}-resource`,
      'w.bucket-policy.json',
      wildcardPolicy(n),
      `${n} wildcards in Resource (${wildcardPolicy(n).length} bytes)`,
    );
    single(
      `wildcards-${n}-notresource`,
      'w.bucket-policy.json',
      wildcardPolicy(n, 'NotResource'),
      `${n} wildcards in NotResource`,
    );
    single(
      `wildcards-${n}-principalarn`,
      'w.bucket-policy.json',
      principalWildcardPolicy(n),
      `${n} wildcards in StringNotLike aws:PrincipalArn`,
    );
    single(
      `wildcards-${n}-keyid`,
      'w.bucket-policy.json',
      keyIdWildcardPolicy(n),
      `${n} wildcards in ArnNotLike on the KMS key id`,
    );
  }
  single(
    'binary',
    'binary.json',
    Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919 + 13) % 256)),
    'binary bytes',
  );
  single(
    'invalid-utf8',
    'bad.bucket-policy.json',
    Buffer.concat([
      Buffer.from('{"Version":"2012-10-17","Statement":[{"Sid":"'),
      Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]),
      Buffer.from('","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::xyz/'),
      Buffer.from([0xf0, 0x28, 0x8c, 0x28]),
      Buffer.from('*"}]}'),
    ]),
    'invalid UTF-8 inside strings',
  );
  single('spoofing-sids', 'spoof.bucket-policy.json', spoofingPolicy(), 'Sids with ESC sequences, Markdown links and images');
  {
    // A file name that is itself an ESC sequence: names reach the terminal too.
    const d = dir('spoofing-file-name');
    file(d, '\u001b[31mred\u001b[0m.bucket-policy.json', wildcardPolicy(1));
    cases.push({
      name: 'check spoofing-file-name',
      args: ['check', '--no-config', '.'],
      cwd: d,
      about: 'a file name with ESC sequences',
    });
  }

  // Special files: each in a folder with one good policy, whose result must still be printed.
  const good =
    '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::good","arn:aws:s3:::good/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}';
  const special = (name: string, make: (d: string) => void, about: string, target?: string): void => {
    const d = dir(name);
    file(d, 'good.bucket-policy.json', good);
    make(d);
    cases.push({
      name: `check ${name} (folder)`,
      args: ['check', '--no-config', '.'],
      cwd: d,
      about,
      mustReport: 'good.bucket-policy.json',
      mustMention: target ? [target] : undefined,
    });
    if (target) {
      cases.push({ name: `check ${name} (file)`, args: ['check', '--no-config', target], cwd: d, about });
      cases.push({ name: `explain ${name}`, args: ['explain', '--no-config', target], cwd: d, about });
    }
  };
  const fifoOk = (p: string): boolean => spawnSync('mkfifo', [p]).status === 0;
  special(
    'fifo',
    d => {
      if (!fifoOk(path.join(d, 'fifo.bucket-policy.json'))) throw new Error('mkfifo failed');
    },
    'a FIFO named like a policy',
    'fifo.bucket-policy.json',
  );
  special(
    'dev-zero',
    d => fs.symlinkSync('/dev/zero', path.join(d, 'zero.bucket-policy.json')),
    'a symlink to /dev/zero',
    'zero.bucket-policy.json',
  );
  special(
    'deep-after-broken-string-beside-good',
    d => {
      file(d, 'deep.json', `{"Sid":"x\n"","Statement":[${'['.repeat(10000)}`);
    },
    'nesting past the depth cap beside a good policy',
  );
  special(
    'symlink-loop',
    d => {
      fs.symlinkSync('loop-b.json', path.join(d, 'loop-a.json'));
      fs.symlinkSync('loop-a.json', path.join(d, 'loop-b.json'));
      fs.mkdirSync(path.join(d, 'sub'));
      fs.symlinkSync('..', path.join(d, 'sub', 'up'));
    },
    'a symlink loop of files and a folder symlink to its parent',
    'loop-a.json',
  );
  {
    const d = dir('config-dev-zero');
    file(d, 'good.bucket-policy.json', good);
    fs.symlinkSync('/dev/zero', path.join(d, '.s3-encryption-guard.json'));
    cases.push({
      name: 'check config-dev-zero (found)',
      args: ['check', 'good.bucket-policy.json'],
      cwd: d,
      about: '.s3-encryption-guard.json symlinked to /dev/zero',
    });
    cases.push({
      name: 'check --config /dev/zero',
      args: ['check', '--config', '/dev/zero', 'good.bucket-policy.json'],
      cwd: d,
      about: '--config /dev/zero',
    });
    const fifo = path.join(d, 'config.fifo');
    if (fifoOk(fifo))
      cases.push({
        name: 'check --config FIFO',
        args: ['check', '--config', 'config.fifo', 'good.bucket-policy.json'],
        cwd: d,
        about: '--config naming a FIFO',
      });
    cases.push({
      name: 'check --key-policy ARN=/dev/zero',
      args: ['check', '--no-config', '--key-policy', `${KEY_ARN}=/dev/zero`, 'good.bucket-policy.json'],
      cwd: d,
      about: '--key-policy naming /dev/zero',
    });
    if (fs.existsSync(fifo))
      cases.push({
        name: 'check --key-policy ARN=FIFO',
        args: ['check', '--no-config', '--key-policy', `${KEY_ARN}=config.fifo`, 'good.bucket-policy.json'],
        cwd: d,
        about: '--key-policy naming a FIFO',
      });
  }
  {
    // Everything at once: the one good file's result must come out whatever the others do.
    const d = dir('all-together');
    file(d, 'a-good.bucket-policy.json', good);
    file(d, 'deep.json', `{"Statement":${'['.repeat(20000)}${']'.repeat(20000)}}`);
    file(d, 'deep-after-broken-string.json', `{"Sid":"x\n"","Statement":[${'['.repeat(10000)}`);
    // Not NAME.bucket-policy.json: a bucket named by the file would not be the policy's bucket xyz.
    file(d, 'wildcards.json', wildcardPolicy(30));
    file(d, 'spoof.bucket-policy.json', spoofingPolicy());
    fs.symlinkSync('/dev/zero', path.join(d, 'zero.json'));
    fifoOk(path.join(d, 'fifo.json'));
    cases.push({
      name: 'check all-together (json)',
      args: ['check', '--no-config', '--format', 'json', '.'],
      cwd: d,
      about: 'good, deep (twice), 30 wildcards, spoofing Sids, /dev/zero and a FIFO in one folder',
      mustReport: 'a-good.bucket-policy.json',
      mustMention: ['zero.json', 'fifo.json'],
    });
    cases.push({
      name: 'check all-together (sarif)',
      args: ['check', '--no-config', '--format', 'sarif', '.'],
      cwd: d,
      about: 'the same, SARIF',
      mustReport: 'a-good.bucket-policy.json',
      mustMention: ['zero.json', 'fifo.json'],
    });
  }
  if (opts.many) {
    const d = dir('ten-thousand-files');
    for (let i = 0; i < 10_000; i++) file(d, `p${i}.bucket-policy.json`, good.replace(/good/g, `b-${i}`));
    cases.push({
      name: 'check ten-thousand-files',
      args: ['check', '--no-config', '.'],
      cwd: d,
      about: '10,000 small policies',
      bulk: true,
    });
  }
  return cases;
}
