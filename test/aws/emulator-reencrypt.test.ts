// The emulator's re-encryption calls and the faults around them (issue 14), through the real AWS SDK:
// UpdateObjectEncryption in place, CopyObject onto itself (conditional, with its directives),
// the multipart copy path with a lowered copy limit, and the faults a re-encryption run must
// survive: SlowDown mid-run, an object changed between plan and copy, a reset after N writes, and
// an endpoint that takes UpdateObjectEncryption for a PutObject.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UpdateObjectEncryptionCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { startEmulator, type Emulator } from '../../emulator/src/emulator';
import type { EmulatorSeed } from '../../emulator/src/types';
import { ACCESS_KEY, ACCOUNT, GOOD_KEY_ARN, KEYS, SECRET } from './fixtures';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const credentials = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET };
const OTHER_KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${KEYS.other.id}`;

function seed(): EmulatorSeed {
  return {
    account: ACCOUNT,
    writable: true,
    copyLimitBytes: 64,
    minPartBytes: 16,
    keys: [KEYS.good, KEYS.other, KEYS.disabled],
    buckets: [
      {
        name: 'mixed',
        region: 'eu-west-1',
        ownership: 'ObjectWriter',
        objects: [
          { key: 'plain.txt', content: 'plain', encryption: 'none' },
          {
            key: 's3.txt',
            content: 'sse-s3 content',
            encryption: 'SSE-S3',
            storageClass: 'STANDARD_IA',
            contentType: 'text/plain',
            metadata: { owner: 'team-a' },
            tags: { project: 'p1' },
            checksumAlgorithm: 'CRC32',
            grants: [{ grantee: { uri: 'http://acs.amazonaws.com/groups/global/AllUsers' }, permission: 'READ' }],
          },
          { key: 'kms-other.txt', content: 'other key', encryption: 'SSE-KMS', kmsKeyId: OTHER_KEY_ARN },
          { key: 'dsse.bin', size: 10, encryption: 'DSSE-KMS', kmsKeyId: GOOD_KEY_ARN },
          { key: 'customer.bin', size: 10, encryption: 'SSE-C' },
          { key: 'cold.bin', size: 10, encryption: 'SSE-S3', storageClass: 'DEEP_ARCHIVE' },
          { key: 'big.bin', size: 100, encryption: 'none', contentType: 'application/x-big', metadata: { a: 'b' } },
        ],
      },
      {
        name: 'locked',
        region: 'eu-west-1',
        objectLock: {},
        objects: [{ key: 'held.txt', content: 'held', encryption: 'SSE-S3', legalHold: true }],
      },
      {
        name: 'run',
        region: 'eu-west-1',
        encryption: null,
        generate: { count: 30, prefix: 'o/', size: 8 },
      },
    ],
  };
}

let em: Emulator;
const client = (e = em) =>
  new S3Client({ region: 'eu-west-1', endpoint: e.url, forcePathStyle: true, credentials, maxAttempts: 1 });

before(async () => {
  em = await startEmulator({ seed: seed() });
});
after(async () => {
  await em.close();
});

async function rejectsWith(p: Promise<unknown>, name: string, status?: number): Promise<void> {
  await assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name);
    if (status !== undefined) assert.equal(e.$metadata?.httpStatusCode, status);
    return true;
  });
}

const toKms = (Key: string, Bucket = 'mixed', KMSKeyArn = GOOD_KEY_ARN) =>
  new UpdateObjectEncryptionCommand({ Bucket, Key, ObjectEncryption: { SSEKMS: { KMSKeyArn, BucketKeyEnabled: true } } });

describe('emulator: UpdateObjectEncryption', () => {
  it('turns SSE-S3 and SSE-KMS into SSE-KMS in place: same bytes, ETag, checksum, storage class, dates', async () => {
    const c = client();
    const before = em.object('mixed', 's3.txt')!;
    await c.send(toKms('s3.txt'));
    const after = em.object('mixed', 's3.txt')!;
    assert.equal(after.encryption, 'SSE-KMS');
    assert.equal(after.kmsKeyId, GOOD_KEY_ARN);
    assert.equal(after.bucketKeyEnabled, true);
    for (const field of [
      'content',
      'etag',
      'checksum',
      'storageClass',
      'lastModified',
      'versionId',
      'metadata',
      'tags',
      'grants',
      'contentType',
    ] as const)
      assert.deepEqual(after[field], before[field], field);
    const h = await c.send(new HeadObjectCommand({ Bucket: 'mixed', Key: 's3.txt' }));
    assert.equal(h.ServerSideEncryption, 'aws:kms');
    assert.equal(h.SSEKMSKeyId, GOOD_KEY_ARN);
    await c.send(toKms('kms-other.txt'));
    assert.equal(em.object('mixed', 'kms-other.txt')?.kmsKeyId, GOOD_KEY_ARN);
    // No data moves, so an archived object is updated without a restore.
    await c.send(toKms('cold.bin'));
    assert.equal(em.object('mixed', 'cold.bin')?.encryption, 'SSE-KMS');
    assert.equal(em.object('mixed', 'cold.bin')?.storageClass, 'DEEP_ARCHIVE');
    c.destroy();
  });

  it('answers the errors AWS documents', async () => {
    const c = client();
    await rejectsWith(c.send(toKms('plain.txt')), 'InvalidRequest', 400);
    await rejectsWith(c.send(toKms('dsse.bin')), 'InvalidRequest', 400);
    await rejectsWith(c.send(toKms('customer.bin')), 'InvalidRequest', 400);
    await rejectsWith(c.send(toKms('held.txt', 'locked')), 'AccessDenied', 403);
    await rejectsWith(
      c.send(toKms('kms-other.txt', 'mixed', 'arn:aws:kms:eu-west-1:999999999999:key/' + KEYS.other.id)),
      'AccessDenied',
      403,
    );
    await rejectsWith(c.send(toKms('kms-other.txt', 'mixed', 'alias/payments')), 'InvalidRequest', 400);
    await rejectsWith(
      c.send(toKms('kms-other.txt', 'mixed', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${KEYS.disabled.id}`)),
      'KMS.DisabledException',
      400,
    );
    await rejectsWith(c.send(toKms('nothing-here')), 'NoSuchKey', 404);
    assert.equal(em.object('mixed', 'plain.txt')?.encryption, 'NOT-SSE', 'a refused call changes nothing');
    c.destroy();
  });
});

describe('emulator: CopyObject onto itself', () => {
  it('re-encrypts under if-match; keeps metadata and tags (COPY), storage class and ACL only when asked', async () => {
    const c = client();
    const before = em.object('mixed', 'plain.txt')!;
    const out = await c.send(
      new CopyObjectCommand({
        Bucket: 'mixed',
        Key: 'plain.txt',
        CopySource: 'mixed/plain.txt',
        CopySourceIfMatch: before.etag,
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: GOOD_KEY_ARN,
        BucketKeyEnabled: true,
      }),
    );
    // Under SSE-KMS an ETag is not the MD5 of the bytes: the copy has a new one (UpdateObjectEncryption keeps it).
    assert.notEqual(out.CopyObjectResult?.ETag, before.etag);
    assert.equal(out.CopyObjectResult?.ETag, em.object('mixed', 'plain.txt')?.etag);
    assert.equal(out.ServerSideEncryption, 'aws:kms');
    const after = em.object('mixed', 'plain.txt')!;
    assert.equal(after.encryption, 'SSE-KMS');
    assert.deepEqual(after.content, before.content);
    // A naive copy loses the storage class and the ACL: S3 applies STANDARD and a private ACL.
    const s3Before = em.object('mixed', 'big.bin')!;
    assert.equal(s3Before.contentType, 'application/x-big');
    await rejectsWith(
      c.send(
        new CopyObjectCommand({
          Bucket: 'mixed',
          Key: 'kms-other.txt',
          CopySource: 'mixed/kms-other.txt',
          CopySourceIfMatch: '"0000"',
          ServerSideEncryption: 'aws:kms',
        }),
      ),
      'PreconditionFailed',
      412,
    );
    await rejectsWith(
      c.send(new CopyObjectCommand({ Bucket: 'mixed', Key: 'kms-other.txt', CopySource: 'mixed/kms-other.txt' })),
      'InvalidRequest',
      400,
    );
    c.destroy();
  });

  it('storage class and ACL: reset unless the request names them', async () => {
    const c = client();
    await c.send(
      new PutObjectCommand({
        Bucket: 'mixed',
        Key: 'ia.txt',
        Body: 'ia',
        StorageClass: 'STANDARD_IA',
        ACL: 'public-read',
        Metadata: { m: '1' },
        Tagging: 't=1',
      }),
    );
    await c.send(
      new CopyObjectCommand({
        Bucket: 'mixed',
        Key: 'ia.txt',
        CopySource: 'mixed/ia.txt',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: GOOD_KEY_ARN,
      }),
    );
    let o = em.object('mixed', 'ia.txt')!;
    assert.equal(o.storageClass, 'STANDARD');
    assert.deepEqual(o.grants, []);
    assert.deepEqual(o.metadata, { m: '1' });
    assert.deepEqual(o.tags, { t: '1' });
    await c.send(
      new CopyObjectCommand({
        Bucket: 'mixed',
        Key: 'ia.txt',
        CopySource: 'mixed/ia.txt',
        StorageClass: 'STANDARD_IA',
        ACL: 'public-read',
        MetadataDirective: 'REPLACE',
        ContentType: 'text/x-new',
        Metadata: { m: '2' },
        TaggingDirective: 'REPLACE',
        Tagging: 't=2',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: GOOD_KEY_ARN,
      }),
    );
    o = em.object('mixed', 'ia.txt')!;
    assert.equal(o.storageClass, 'STANDARD_IA');
    assert.equal(o.grants.length, 1);
    assert.deepEqual(o.metadata, { m: '2' });
    assert.equal(o.contentType, 'text/x-new');
    assert.deepEqual(o.tags, { t: '2' });
    await rejectsWith(
      c.send(
        new CopyObjectCommand({
          Bucket: 'mixed',
          Key: 'cold.bin',
          CopySource: 'mixed/cold.bin',
          StorageClass: 'DEEP_ARCHIVE',
          ServerSideEncryption: 'aws:kms',
        }),
      ),
      'InvalidObjectState',
      403,
    );
    c.destroy();
  });

  it('refuses a source above the copy limit; UploadPartCopy with ranges and if-match copies it in parts', async () => {
    const c = client();
    const src = em.object('mixed', 'big.bin')!;
    await rejectsWith(
      c.send(
        new CopyObjectCommand({
          Bucket: 'mixed',
          Key: 'big.bin',
          CopySource: 'mixed/big.bin',
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: GOOD_KEY_ARN,
        }),
      ),
      'InvalidRequest',
      400,
    );
    const created = await c.send(
      new CreateMultipartUploadCommand({
        Bucket: 'mixed',
        Key: 'big.bin',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: GOOD_KEY_ARN,
        ContentType: src.contentType,
        Metadata: src.metadata,
      }),
    );
    assert.equal(created.ServerSideEncryption, 'aws:kms');
    const UploadId = created.UploadId!;
    await rejectsWith(
      c.send(
        new UploadPartCopyCommand({
          Bucket: 'mixed',
          Key: 'big.bin',
          UploadId,
          PartNumber: 1,
          CopySource: 'mixed/big.bin',
          CopySourceRange: 'bytes=0-59',
          CopySourceIfMatch: '"stale"',
        }),
      ),
      'PreconditionFailed',
      412,
    );
    const parts = [];
    for (const [n, range] of [
      [1, 'bytes=0-59'],
      [2, 'bytes=60-99'],
    ] as const) {
      const p = await c.send(
        new UploadPartCopyCommand({
          Bucket: 'mixed',
          Key: 'big.bin',
          UploadId,
          PartNumber: n,
          CopySource: 'mixed/big.bin',
          CopySourceRange: range,
          CopySourceIfMatch: src.etag,
        }),
      );
      parts.push({ PartNumber: n, ETag: p.CopyPartResult!.ETag! });
    }
    const done = await c.send(
      new CompleteMultipartUploadCommand({ Bucket: 'mixed', Key: 'big.bin', UploadId, MultipartUpload: { Parts: parts } }),
    );
    assert.match(done.ETag ?? '', /^"[0-9a-f]{32}-2"$/);
    const after = em.object('mixed', 'big.bin')!;
    assert.deepEqual(after.content, src.content, 'the bytes are the same');
    assert.equal(after.encryption, 'SSE-KMS');
    assert.equal(after.contentType, 'application/x-big');
    assert.deepEqual(after.metadata, { a: 'b' });
    const h = await c.send(new HeadObjectCommand({ Bucket: 'mixed', Key: 'big.bin' }));
    assert.equal(h.ContentLength, 100);
    assert.equal(h.SSEKMSKeyId, GOOD_KEY_ARN);
    // Parts below the minimum (but the last) are refused; an aborted upload is gone.
    const second = await c.send(new CreateMultipartUploadCommand({ Bucket: 'mixed', Key: 'big.bin' }));
    const small = await c.send(
      new UploadPartCopyCommand({
        Bucket: 'mixed',
        Key: 'big.bin',
        UploadId: second.UploadId,
        PartNumber: 1,
        CopySource: 'mixed/big.bin',
        CopySourceRange: 'bytes=0-4',
      }),
    );
    const last = await c.send(
      new UploadPartCopyCommand({
        Bucket: 'mixed',
        Key: 'big.bin',
        UploadId: second.UploadId,
        PartNumber: 2,
        CopySource: 'mixed/big.bin',
        CopySourceRange: 'bytes=5-99',
      }),
    );
    await rejectsWith(
      c.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'mixed',
          Key: 'big.bin',
          UploadId: second.UploadId,
          MultipartUpload: {
            Parts: [
              { PartNumber: 1, ETag: small.CopyPartResult!.ETag },
              { PartNumber: 2, ETag: last.CopyPartResult!.ETag },
            ],
          },
        }),
      ),
      'EntityTooSmall',
      400,
    );
    await c.send(new AbortMultipartUploadCommand({ Bucket: 'mixed', Key: 'big.bin', UploadId: second.UploadId }));
    await rejectsWith(
      c.send(new AbortMultipartUploadCommand({ Bucket: 'mixed', Key: 'big.bin', UploadId: second.UploadId })),
      'NoSuchUpload',
      404,
    );
    c.destroy();
  });
});

describe('emulator: faults of a re-encryption run', () => {
  const copy = (c: S3Client, key: string, etag?: string) =>
    c.send(
      new CopyObjectCommand({
        Bucket: 'run',
        Key: key,
        CopySource: `run/${key}`,
        CopySourceIfMatch: etag,
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: GOOD_KEY_ARN,
      }),
    );
  const key = (i: number) => `o/${String(i).padStart(8, '0')}`;

  it('SlowDown from the Nth call for M calls, then normal answers', async () => {
    em.setFaults([{ call: 'CopyObject', bucket: 'run', after: 3, times: 2, error: 'throttle' }]);
    const c = client();
    try {
      const outcomes: string[] = [];
      for (let i = 0; i < 7; i++)
        outcomes.push(
          await copy(c, key(i)).then(
            () => 'ok',
            (e: Error) => e.name,
          ),
        );
      assert.deepEqual(outcomes, ['ok', 'ok', 'ok', 'SlowDown', 'SlowDown', 'ok', 'ok']);
    } finally {
      em.setFaults([]);
      c.destroy();
    }
  });

  it('an object changed between plan and copy: the conditional copy fails, the new content stays', async () => {
    const planned = em.object('run', key(10))!.etag;
    em.setFaults([{ call: 'CopyObject', bucket: 'run', object: key(10), changeObject: true, times: 1 }]);
    const c = client();
    try {
      await rejectsWith(copy(c, key(10), planned), 'PreconditionFailed', 412);
      const now = em.object('run', key(10))!;
      assert.notEqual(now.etag, planned);
      assert.match(now.content.toString(), /changed by another writer/);
      assert.equal(now.encryption, 'NOT-SSE', 'the bucket default (none) applies to the other writer');
    } finally {
      em.setFaults([]);
      c.destroy();
    }
  });

  it('a reset after N writes: the write is done, the answer never comes', async () => {
    em.setFaults([{ call: 'write', bucket: 'run', after: 2, times: 1, wire: 'reset-after-write' }]);
    const c = client();
    try {
      await copy(c, key(20));
      await copy(c, key(21));
      await assert.rejects(copy(c, key(22)), (e: Error & { code?: string }) =>
        /ECONNRESET|socket hang up/i.test(`${e.code} ${e.message}`),
      );
      assert.equal(em.object('run', key(22))?.encryption, 'SSE-KMS', 'the third write happened');
      await copy(c, key(23));
      assert.equal(em.object('run', key(23))?.encryption, 'SSE-KMS');
    } finally {
      em.setFaults([]);
      c.destroy();
    }
  });

  it('updateObjectEncryptionAsPut: the endpoint replaces the content with the request body and answers 200', async () => {
    const trap = await startEmulator({ seed: { ...seed(), quirks: { updateObjectEncryptionAsPut: true } } });
    const c = client(trap);
    try {
      const before = trap.object('mixed', 's3.txt')!;
      const out = await c.send(toKms('s3.txt'));
      assert.equal(out.$metadata.httpStatusCode, 200);
      const after = trap.object('mixed', 's3.txt')!;
      assert.notDeepEqual(after.content, before.content, 'the data-loss trap: the content is gone');
      assert.match(after.content.toString(), /^<\?xml|<ObjectEncryption/);
      assert.notEqual(after.etag, before.etag);
      assert.equal(trap.calls().PutObject, 1);
      trap.setQuirks({ noUpdateObjectEncryption: true });
      await rejectsWith(c.send(toKms('kms-other.txt')), 'NotImplemented', 501);
    } finally {
      c.destroy();
      await trap.close();
    }
  });
});
