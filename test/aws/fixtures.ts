// Seeds and environments for the live-posture tests. AWS itself cannot be reached from the test
// machines, so these tests talk to a local endpoint (emulator/) that speaks the real S3 REST/XML and
// KMS JSON 1.1 wire protocols, through the real AWS SDK.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EmulatorSeed, SeedBucket, SeedKey } from '../../emulator/src/types';

export const ACCOUNT = '111122223333';
/** A secret access key that must never appear in any output. */
export const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLESECRETVALUE';
export const ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';

export const keyArn = (region: string, id: string): string => `arn:aws:kms:${region}:${ACCOUNT}:key/${id}`;

const resources = (b: string) => [`arn:aws:s3:::${b}`, `arn:aws:s3:::${b}/*`];

export const denyHttp = (b: string) => ({
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: resources(b),
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
});
export const denyTlsBelow12 = (b: string) => ({
  Sid: 'DenyTlsBelow12',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: resources(b),
  Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } },
});
export const denyOtherSse = (b: string, alg = 'aws:kms') => ({
  Sid: 'DenyUploadsNamingAnotherEncryption',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:PutObject',
  Resource: `arn:aws:s3:::${b}/*`,
  Condition: {
    StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': alg },
    Null: { 's3:x-amz-server-side-encryption': 'false' },
  },
});
export const denyOtherKey = (b: string, key: string) => ({
  Sid: 'DenyUploadsNamingAnotherKey',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:PutObject',
  Resource: `arn:aws:s3:::${b}/*`,
  Condition: {
    ArnNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': key },
    Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'false' },
  },
});
export const denySseC = (b: string) => ({
  Sid: 'DenyCustomerProvidedKeys',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:PutObject',
  Resource: `arn:aws:s3:::${b}/*`,
  Condition: { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } },
});
export const policy = (...statements: object[]) => ({ Version: '2012-10-17', Statement: statements });

/** A key policy that lets the account (and so S3 on its behalf) use the key. */
export const rootKeyPolicy = () =>
  policy({
    Sid: 'EnableRootAccountAdministration',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
    Action: 'kms:*',
    Resource: '*',
  });
/** A key policy that allows administration only: nobody may encrypt or decrypt, S3 included. */
export const adminOnlyKeyPolicy = () =>
  policy({
    Sid: 'AdminOnly',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
    Action: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:Put*', 'kms:Enable*', 'kms:Disable*'],
    Resource: '*',
  });

export const KEYS = {
  good: {
    id: '1234abcd-12ab-34cd-56ef-1234567890ab',
    region: 'eu-west-1',
    aliases: ['alias/payments'],
    rotation: true,
    policy: rootKeyPolicy(),
  },
  other: { id: '2222bbbb-12ab-34cd-56ef-bbbbbbbb0002', region: 'eu-west-1', rotation: false, policy: rootKeyPolicy() },
  usEast: { id: '3333cccc-12ab-34cd-56ef-cccccccc0003', region: 'us-east-1', rotation: true, policy: rootKeyPolicy() },
  disabled: {
    id: '4444dddd-12ab-34cd-56ef-dddddddd0004',
    region: 'eu-west-1',
    state: 'Disabled',
    rotation: true,
    policy: rootKeyPolicy(),
  },
  pending: {
    id: '5555eeee-12ab-34cd-56ef-eeeeeeee0005',
    region: 'eu-west-1',
    state: 'PendingDeletion',
    rotation: true,
    policy: rootKeyPolicy(),
  },
  rsa: { id: '6666ffff-12ab-34cd-56ef-ffffffff0006', region: 'eu-west-1', spec: 'RSA_2048', policy: rootKeyPolicy() },
  adminOnly: { id: '7777aaaa-12ab-34cd-56ef-aaaaaaaa0007', region: 'eu-west-1', rotation: true, policy: adminOnlyKeyPolicy() },
} satisfies Record<string, SeedKey>;

export const GOOD_KEY_ARN = keyArn('eu-west-1', KEYS.good.id);

/** A bucket that meets every check: SSE-KMS with its pinned key, HTTPS and TLS 1.2 enforced, Block Public Access on. */
export function goodBucket(name: string, region = 'eu-west-1', key = GOOD_KEY_ARN): SeedBucket {
  return {
    name,
    region,
    publicAccessBlock: true,
    encryption: { algorithm: 'aws:kms', kmsKeyId: key, bucketKeyEnabled: true },
    policy: policy(denyHttp(name), denyTlsBelow12(name), denyOtherSse(name), denyOtherKey(name, key), denySseC(name)),
  };
}

/** One bucket per fact kind and cross-check. */
export function postureSeed(): EmulatorSeed {
  const k = KEYS;
  return {
    account: ACCOUNT,
    keys: Object.values(k),
    buckets: [
      goodBucket('good-payments'),
      { name: 'plain-us-east', publicAccessBlock: true, policy: policy(denyHttp('plain-us-east')) },
      {
        name: 'legacy-eu',
        region: 'EU',
        encryption: { algorithm: 'aws:kms' },
        publicAccessBlock: true,
        policy: policy(denyHttp('legacy-eu')),
      },
      { name: 'no-default-encryption', region: 'eu-west-1', encryption: null },
      {
        name: 'partial-pab',
        region: 'eu-west-1',
        publicAccessBlock: { blockPublicAcls: true, ignorePublicAcls: true },
        policy: policy(denyHttp('partial-pab')),
      },
      {
        name: 'key-by-alias',
        region: 'eu-west-1',
        encryption: { algorithm: 'aws:kms', kmsKeyId: 'alias/payments' },
        publicAccessBlock: true,
        policy: policy(denyHttp('key-by-alias')),
      },
      {
        name: 'key-other-region',
        region: 'eu-central-1',
        encryption: { algorithm: 'aws:kms', kmsKeyId: keyArn('us-east-1', k.usEast.id) },
        publicAccessBlock: true,
        policy: policy(denyHttp('key-other-region')),
      },
      {
        name: 'key-disabled',
        region: 'eu-west-1',
        encryption: { algorithm: 'aws:kms', kmsKeyId: keyArn('eu-west-1', k.disabled.id) },
        publicAccessBlock: true,
        policy: policy(denyHttp('key-disabled')),
      },
      {
        name: 'key-pending-deletion',
        region: 'eu-west-1',
        encryption: { algorithm: 'aws:kms', kmsKeyId: k.pending.id },
        publicAccessBlock: true,
        policy: policy(denyHttp('key-pending-deletion')),
      },
      {
        name: 'key-asymmetric',
        region: 'eu-west-1',
        encryption: { algorithm: 'aws:kms', kmsKeyId: keyArn('eu-west-1', k.rsa.id) },
        publicAccessBlock: true,
        policy: policy(denyHttp('key-asymmetric')),
      },
      {
        name: 'key-s3-cannot-use',
        region: 'eu-west-1',
        encryption: { algorithm: 'aws:kms', kmsKeyId: keyArn('eu-west-1', k.adminOnly.id) },
        publicAccessBlock: true,
        policy: policy(denyHttp('key-s3-cannot-use')),
      },
      {
        name: 'key-mismatch',
        region: 'eu-west-1',
        encryption: { algorithm: 'aws:kms', kmsKeyId: keyArn('eu-west-1', k.other.id) },
        publicAccessBlock: true,
        policy: policy(
          denyHttp('key-mismatch'),
          denyOtherSse('key-mismatch'),
          denyOtherKey('key-mismatch', GOOD_KEY_ARN),
          denySseC('key-mismatch'),
        ),
      },
      {
        name: 'dsse-bucket',
        region: 'us-east-1',
        encryption: { algorithm: 'aws:kms:dsse', kmsKeyId: keyArn('us-east-1', k.usEast.id) },
        publicAccessBlock: true,
        policy: policy(denyHttp('dsse-bucket')),
      },
    ],
  };
}

/** Empty AWS config and credentials files, so nothing from the machine's ~/.aws leaks into a test. */
export function emptyAwsFiles(): { dir: string; config: string; credentials: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-aws-'));
  const config = path.join(dir, 'config');
  const credentials = path.join(dir, 'credentials');
  fs.writeFileSync(config, '');
  fs.writeFileSync(credentials, '');
  return { dir, config, credentials };
}

/** An environment with test credentials and no trace of the machine's AWS settings. */
export function testEnv(files: { config: string; credentials: string }, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  return {
    ...env,
    AWS_CONFIG_FILE: files.config,
    AWS_SHARED_CREDENTIALS_FILE: files.credentials,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET,
    ...extra,
  };
}
