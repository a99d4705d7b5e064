// The emulator's bucket and key writes (issue 14), through the real AWS SDK: what the bucket fixes
// write, and that reads reflect the writes. A seed without `writable: true` keeps refusing them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DeleteBucketEncryptionCommand,
  DeleteBucketPolicyCommand,
  DeletePublicAccessBlockCommand,
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  DisableKeyRotationCommand,
  EnableKeyRotationCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import { startEmulator, type Emulator } from '../../emulator/src/emulator';
import { ACCESS_KEY, GOOD_KEY_ARN, KEYS, policy, postureSeed, SECRET, denyHttp } from './fixtures';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const credentials = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET };
let em: Emulator;
let readOnly: Emulator;
const s3 = (e = em) => new S3Client({ region: 'eu-west-1', endpoint: e.url, forcePathStyle: true, credentials, maxAttempts: 1 });
const kms = (e = em) => new KMSClient({ region: 'eu-west-1', endpoint: e.url, credentials, maxAttempts: 1 });

before(async () => {
  em = await startEmulator({ seed: { ...postureSeed(), writable: true } });
  readOnly = await startEmulator({ seed: postureSeed() });
});
after(async () => {
  await em.close();
  await readOnly.close();
});

async function rejectsWith(p: Promise<unknown>, name: string, status?: number): Promise<void> {
  await assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name);
    if (status !== undefined) assert.equal(e.$metadata?.httpStatusCode, status);
    return true;
  });
}

describe('emulator writes: bucket settings', () => {
  it('PutBucketEncryption with BlockedEncryptionTypes is read back as written; Delete falls back to SSE-S3', async () => {
    const c = s3();
    await c.send(
      new PutBucketEncryptionCommand({
        Bucket: 'no-default-encryption',
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: GOOD_KEY_ARN },
              BucketKeyEnabled: true,
              BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
            },
          ],
        },
      }),
    );
    const got = await c.send(new GetBucketEncryptionCommand({ Bucket: 'no-default-encryption' }));
    assert.deepEqual(got.ServerSideEncryptionConfiguration?.Rules, [
      {
        ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: GOOD_KEY_ARN },
        BucketKeyEnabled: true,
        BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
      },
    ]);
    await c.send(new DeleteBucketEncryptionCommand({ Bucket: 'no-default-encryption' }));
    const after = await c.send(new GetBucketEncryptionCommand({ Bucket: 'no-default-encryption' }));
    assert.equal(after.ServerSideEncryptionConfiguration?.Rules?.[0].ApplyServerSideEncryptionByDefault?.SSEAlgorithm, 'AES256');
    await rejectsWith(
      c.send(
        new PutBucketEncryptionCommand({
          Bucket: 'no-default-encryption',
          ServerSideEncryptionConfiguration: {
            Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256', KMSMasterKeyID: GOOD_KEY_ARN } }],
          },
        }),
      ),
      'InvalidArgument',
      400,
    );
    await rejectsWith(
      c.send(
        new PutBucketEncryptionCommand({
          Bucket: 'nope-not-here',
          ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        }),
      ),
      'NoSuchBucket',
      404,
    );
    c.destroy();
  });

  it('PutBucketPolicy takes JSON only, within 20 KB; Get reads it back, Delete removes it', async () => {
    const c = s3();
    const doc = JSON.stringify(policy(denyHttp('partial-pab')));
    await c.send(new PutBucketPolicyCommand({ Bucket: 'no-default-encryption', Policy: doc }));
    assert.equal((await c.send(new GetBucketPolicyCommand({ Bucket: 'no-default-encryption' }))).Policy, doc);
    await rejectsWith(
      c.send(new PutBucketPolicyCommand({ Bucket: 'no-default-encryption', Policy: '{"Statement": [' })),
      'MalformedPolicy',
      400,
    );
    await rejectsWith(
      c.send(
        new PutBucketPolicyCommand({
          Bucket: 'no-default-encryption',
          Policy: JSON.stringify({ Statement: [], pad: 'x'.repeat(21_000) }),
        }),
      ),
      'PolicyTooLarge',
      400,
    );
    assert.equal(
      (await c.send(new GetBucketPolicyCommand({ Bucket: 'no-default-encryption' }))).Policy,
      doc,
      'a refused write changes nothing',
    );
    await c.send(new DeleteBucketPolicyCommand({ Bucket: 'no-default-encryption' }));
    await rejectsWith(c.send(new GetBucketPolicyCommand({ Bucket: 'no-default-encryption' })), 'NoSuchBucketPolicy', 404);
    c.destroy();
  });

  it('PutPublicAccessBlock and DeletePublicAccessBlock', async () => {
    const c = s3();
    const all = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
    await c.send(new PutPublicAccessBlockCommand({ Bucket: 'partial-pab', PublicAccessBlockConfiguration: all }));
    assert.deepEqual(
      (await c.send(new GetPublicAccessBlockCommand({ Bucket: 'partial-pab' }))).PublicAccessBlockConfiguration,
      all,
    );
    await c.send(new DeletePublicAccessBlockCommand({ Bucket: 'partial-pab' }));
    await rejectsWith(
      c.send(new GetPublicAccessBlockCommand({ Bucket: 'partial-pab' })),
      'NoSuchPublicAccessBlockConfiguration',
      404,
    );
    c.destroy();
  });

  it('a seed that is not writable still refuses every write', async () => {
    const c = s3(readOnly);
    await rejectsWith(c.send(new DeleteBucketPolicyCommand({ Bucket: 'good-payments' })), 'MethodNotAllowed', 405);
    const k = kms(readOnly);
    await rejectsWith(k.send(new EnableKeyRotationCommand({ KeyId: KEYS.other.id })), 'UnknownOperationException', 400);
    c.destroy();
    k.destroy();
  });
});

describe('emulator writes: KMS keys', () => {
  it('EnableKeyRotation / DisableKeyRotation change what GetKeyRotationStatus reads', async () => {
    const k = kms();
    await k.send(new EnableKeyRotationCommand({ KeyId: KEYS.other.id, RotationPeriodInDays: 180 }));
    const on = await k.send(new GetKeyRotationStatusCommand({ KeyId: KEYS.other.id }));
    assert.equal(on.KeyRotationEnabled, true);
    assert.equal(on.RotationPeriodInDays, 180);
    await k.send(new DisableKeyRotationCommand({ KeyId: KEYS.other.id }));
    assert.equal((await k.send(new GetKeyRotationStatusCommand({ KeyId: KEYS.other.id }))).KeyRotationEnabled, false);
    await rejectsWith(k.send(new EnableKeyRotationCommand({ KeyId: KEYS.rsa.id })), 'UnsupportedOperationException', 400);
    await rejectsWith(k.send(new EnableKeyRotationCommand({ KeyId: KEYS.disabled.id })), 'DisabledException', 400);
    await rejectsWith(k.send(new EnableKeyRotationCommand({ KeyId: KEYS.pending.id })), 'KMSInvalidStateException', 400);
    await rejectsWith(
      k.send(new EnableKeyRotationCommand({ KeyId: KEYS.other.id, RotationPeriodInDays: 30 })),
      'ValidationException',
      400,
    );
    await rejectsWith(k.send(new EnableKeyRotationCommand({ KeyId: 'alias/nothing' })), 'NotFoundException', 400);
    k.destroy();
  });

  it('PutKeyPolicy replaces the policy GetKeyPolicy reads; malformed JSON is refused', async () => {
    const k = kms();
    const doc = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'New', Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }],
    });
    await k.send(new PutKeyPolicyCommand({ KeyId: KEYS.adminOnly.id, Policy: doc }));
    assert.equal((await k.send(new GetKeyPolicyCommand({ KeyId: KEYS.adminOnly.id }))).Policy, doc);
    await rejectsWith(
      k.send(new PutKeyPolicyCommand({ KeyId: KEYS.adminOnly.id, Policy: 'not json' })),
      'MalformedPolicyDocumentException',
      400,
    );
    assert.equal(em.calls()['kms:PutKeyPolicy'], 2);
    k.destroy();
  });
});
