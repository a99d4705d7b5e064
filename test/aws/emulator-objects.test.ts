// The emulator's objects (issue 14), through the real AWS SDK v3: listing, versions, HeadObject's
// encryption headers, uploads with their metadata, tags, ACLs and Object Lock, and the reads the
// object audit relies on. The SDK must parse every answer as it parses AWS's.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DeleteObjectCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketVersioningCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { startEmulator, type Emulator } from '../../emulator/src/emulator';
import type { EmulatorSeed } from '../../emulator/src/types';
import { ACCESS_KEY, ACCOUNT, GOOD_KEY_ARN, KEYS, SECRET } from './fixtures';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const credentials = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET };
const OTHER_KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${KEYS.other.id}`;

export function objectSeed(): EmulatorSeed {
  return {
    account: ACCOUNT,
    writable: true,
    keys: [KEYS.good, KEYS.other, KEYS.disabled],
    buckets: [
      {
        name: 'mixed',
        region: 'eu-west-1',
        encryption: { algorithm: 'aws:kms', kmsKeyId: GOOD_KEY_ARN, bucketKeyEnabled: true },
        ownership: null,
        objects: [
          { key: 'old/plain.txt', content: 'plain', encryption: 'none', lastModified: '2019-03-01T00:00:00.000Z' },
          {
            key: 'docs/s3.txt',
            content: 'sse-s3',
            encryption: 'SSE-S3',
            contentType: 'text/plain',
            cacheControl: 'max-age=60',
            metadata: { owner: 'team-a' },
            tags: { project: 'p1' },
            checksumAlgorithm: 'CRC32',
            grants: [{ grantee: { uri: 'http://acs.amazonaws.com/groups/global/AllUsers' }, permission: 'READ' }],
          },
          { key: 'docs/kms-other.txt', content: 'other key', encryption: 'SSE-KMS', kmsKeyId: OTHER_KEY_ARN },
          { key: 'docs/kms-good.txt', content: 'good key', encryption: 'SSE-KMS', bucketKeyEnabled: true },
          { key: 'dsse.bin', size: 10, encryption: 'DSSE-KMS', kmsKeyId: GOOD_KEY_ARN },
          { key: 'customer.bin', size: 10, encryption: 'SSE-C' },
          { key: 'cold/archive.bin', size: 10, encryption: 'SSE-S3', storageClass: 'GLACIER' },
          {
            key: 'cold/restored.bin',
            size: 10,
            encryption: 'SSE-S3',
            storageClass: 'DEEP_ARCHIVE',
            restore: { ongoing: false, expiry: '2030-01-01T00:00:00.000Z' },
          },
        ],
      },
      {
        name: 'versioned',
        region: 'eu-west-1',
        versioning: 'Enabled',
        objects: [
          {
            key: 'a.txt',
            content: 'v3',
            encryption: 'SSE-S3',
            versions: [
              { content: 'v1', encryption: 'none' },
              { content: 'v2', encryption: 'none' },
            ],
          },
          { key: 'gone.txt', deleteMarker: true, versions: [{ content: 'was here', encryption: 'none' }] },
        ],
      },
      {
        name: 'locked',
        region: 'eu-west-1',
        objectLock: { defaultRetention: { mode: 'GOVERNANCE', days: 1 } },
        objects: [
          { key: 'held.txt', content: 'held', encryption: 'SSE-S3', legalHold: true },
          {
            key: 'retained.txt',
            content: 'retained',
            encryption: 'SSE-S3',
            retention: { mode: 'COMPLIANCE', retainUntil: '2099-01-01T00:00:00.000Z' },
          },
        ],
      },
      {
        name: 'many',
        region: 'eu-west-1',
        encryption: null,
        generate: { count: 2500, prefix: 'data/', size: 8 },
      },
    ],
  };
}

let em: Emulator;
const s3 = () => new S3Client({ region: 'eu-west-1', endpoint: em.url, forcePathStyle: true, credentials, maxAttempts: 1 });

before(async () => {
  em = await startEmulator({ seed: objectSeed() });
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

describe('emulator objects: reads', () => {
  it('ListObjectsV2 pages with continuation tokens, prefix, delimiter and max-keys', async () => {
    const c = s3();
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await c.send(new ListObjectsV2Command({ Bucket: 'many', MaxKeys: 1000, ContinuationToken: token }));
      pages++;
      keys.push(...(page.Contents ?? []).map(o => o.Key!));
      assert.equal(page.KeyCount, page.Contents?.length);
      token = page.NextContinuationToken;
      assert.equal(page.IsTruncated, token !== undefined);
    } while (token && pages < 10);
    assert.equal(pages, 3);
    assert.equal(keys.length, 2500);
    assert.equal(new Set(keys).size, 2500);
    assert.deepEqual(keys.slice(0, 2), ['data/00000000', 'data/00000001']);
    const docs = await c.send(new ListObjectsV2Command({ Bucket: 'mixed', Prefix: 'docs/' }));
    assert.deepEqual(
      docs.Contents?.map(o => o.Key),
      ['docs/kms-good.txt', 'docs/kms-other.txt', 'docs/s3.txt'],
    );
    const s3txt = docs.Contents?.find(o => o.Key === 'docs/s3.txt');
    assert.equal(s3txt?.Size, 6);
    assert.equal(s3txt?.StorageClass, 'STANDARD');
    assert.deepEqual(s3txt?.ChecksumAlgorithm, ['CRC32']);
    assert.ok(s3txt?.LastModified instanceof Date);
    const top = await c.send(new ListObjectsV2Command({ Bucket: 'mixed', Delimiter: '/' }));
    assert.deepEqual(
      top.CommonPrefixes?.map(p => p.Prefix),
      ['cold/', 'docs/', 'old/'],
    );
    assert.deepEqual(
      top.Contents?.map(o => o.Key),
      ['customer.bin', 'dsse.bin'],
    );
    const small = await c.send(new ListObjectsV2Command({ Bucket: 'mixed', MaxKeys: 2, StartAfter: 'docs/' }));
    assert.deepEqual(
      small.Contents?.map(o => o.Key),
      ['docs/kms-good.txt', 'docs/kms-other.txt'],
    );
    assert.equal(small.IsTruncated, true);
    await rejectsWith(
      c.send(new ListObjectsV2Command({ Bucket: 'mixed', ContinuationToken: 'bm9wZQ==' })),
      'InvalidArgument',
      400,
    );
    c.destroy();
  });

  it('HeadObject reports each encryption as AWS does', async () => {
    const c = s3();
    const head = (Key: string, Bucket = 'mixed') => c.send(new HeadObjectCommand({ Bucket, Key }));
    const plain = await head('old/plain.txt');
    assert.equal(plain.ServerSideEncryption, undefined);
    assert.equal(plain.ContentLength, 5);
    assert.equal(plain.LastModified?.toISOString(), '2019-03-01T00:00:00.000Z');
    const s3obj = await head('docs/s3.txt');
    assert.equal(s3obj.ServerSideEncryption, 'AES256');
    assert.equal(s3obj.ContentType, 'text/plain');
    assert.equal(s3obj.CacheControl, 'max-age=60');
    assert.deepEqual(s3obj.Metadata, { owner: 'team-a' });
    assert.match(s3obj.ETag ?? '', /^"[0-9a-f]{32}"$/);
    const other = await head('docs/kms-other.txt');
    assert.equal(other.ServerSideEncryption, 'aws:kms');
    assert.equal(other.SSEKMSKeyId, OTHER_KEY_ARN);
    assert.equal(other.BucketKeyEnabled, undefined);
    const good = await head('docs/kms-good.txt');
    assert.equal(good.SSEKMSKeyId, GOOD_KEY_ARN, 'the bucket default key when the seed names none');
    assert.equal(good.BucketKeyEnabled, true);
    const dsse = await head('dsse.bin');
    assert.equal(dsse.ServerSideEncryption, 'aws:kms:dsse');
    // HEAD answers carry no body, so the SDK knows the status only.
    await assert.rejects(
      head('customer.bin'),
      (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode === 400,
    );
    const archived = await head('cold/archive.bin');
    assert.equal(archived.StorageClass, 'GLACIER');
    const restored = await head('cold/restored.bin');
    assert.equal(restored.StorageClass, 'DEEP_ARCHIVE');
    assert.match(restored.Restore ?? '', /^ongoing-request="false", expiry-date="/);
    await rejectsWith(head('nothing-here'), 'NotFound', 404);
    const owned = await c.send(new HeadObjectCommand({ Bucket: 'mixed', Key: 'old/plain.txt', ExpectedBucketOwner: ACCOUNT }));
    assert.equal(owned.ContentLength, 5);
    // A HEAD error has no body: the SDK knows the status only (as with AWS).
    await assert.rejects(
      c.send(new HeadObjectCommand({ Bucket: 'mixed', Key: 'old/plain.txt', ExpectedBucketOwner: '999999999999' })),
      (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode === 403,
    );
    c.destroy();
  });

  it('GetObject returns the bytes with a checksum the SDK validates; archived objects are InvalidObjectState', async () => {
    const c = s3();
    const got = await c.send(new GetObjectCommand({ Bucket: 'mixed', Key: 'docs/s3.txt', ChecksumMode: 'ENABLED' }));
    assert.equal(await got.Body?.transformToString(), 'sse-s3');
    assert.ok(got.ChecksumCRC32);
    assert.equal(got.TagCount, 1);
    const range = await c.send(new GetObjectCommand({ Bucket: 'mixed', Key: 'docs/s3.txt', Range: 'bytes=1-3' }));
    assert.equal(await range.Body?.transformToString(), 'se-');
    assert.equal(range.ContentRange, 'bytes 1-3/6');
    await rejectsWith(c.send(new GetObjectCommand({ Bucket: 'mixed', Key: 'cold/archive.bin' })), 'InvalidObjectState', 403);
    await rejectsWith(c.send(new GetObjectCommand({ Bucket: 'mixed', Key: 'customer.bin' })), 'InvalidRequest', 400);
    const withKey = await c.send(
      new GetObjectCommand({
        Bucket: 'mixed',
        Key: 'customer.bin',
        SSECustomerAlgorithm: 'AES256',
        SSECustomerKey: Buffer.alloc(32, 'k').toString('base64'),
      }),
    );
    assert.equal((await withKey.Body!.transformToByteArray()).length, 10);
    assert.equal(withKey.SSECustomerAlgorithm, 'AES256');
    await rejectsWith(c.send(new GetObjectCommand({ Bucket: 'mixed', Key: 'nope' })), 'NoSuchKey', 404);
    c.destroy();
  });

  it('tags, ACLs, ownership controls', async () => {
    const c = s3();
    const tags = await c.send(new GetObjectTaggingCommand({ Bucket: 'mixed', Key: 'docs/s3.txt' }));
    assert.deepEqual(tags.TagSet, [{ Key: 'project', Value: 'p1' }]);
    const acl = await c.send(new GetObjectAclCommand({ Bucket: 'mixed', Key: 'docs/s3.txt' }));
    assert.equal(acl.Grants?.length, 2);
    assert.equal(acl.Grants?.[1].Grantee?.URI, 'http://acs.amazonaws.com/groups/global/AllUsers');
    assert.equal(acl.Grants?.[1].Permission, 'READ');
    await c.send(new PutObjectAclCommand({ Bucket: 'mixed', Key: 'docs/kms-good.txt', ACL: 'authenticated-read' }));
    const changed = await c.send(new GetObjectAclCommand({ Bucket: 'mixed', Key: 'docs/kms-good.txt' }));
    assert.equal(changed.Grants?.[1].Grantee?.URI, 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers');
    await rejectsWith(c.send(new GetBucketOwnershipControlsCommand({ Bucket: 'mixed' })), 'OwnershipControlsNotFoundError', 404);
    const enforced = await c.send(new GetBucketOwnershipControlsCommand({ Bucket: 'versioned' }));
    assert.equal(enforced.OwnershipControls?.Rules?.[0].ObjectOwnership, 'BucketOwnerEnforced');
    await rejectsWith(
      c.send(new PutObjectAclCommand({ Bucket: 'versioned', Key: 'a.txt', ACL: 'public-read' })),
      'AccessControlListNotSupported',
      400,
    );
    c.destroy();
  });

  it('versions: ListObjectVersions, version reads, delete markers', async () => {
    const c = s3();
    assert.equal((await c.send(new GetBucketVersioningCommand({ Bucket: 'versioned' }))).Status, 'Enabled');
    assert.equal((await c.send(new GetBucketVersioningCommand({ Bucket: 'mixed' }))).Status, undefined);
    const all = await c.send(new ListObjectVersionsCommand({ Bucket: 'versioned' }));
    assert.equal(all.Versions?.filter(v => v.Key === 'a.txt').length, 3);
    assert.deepEqual(
      all.Versions?.filter(v => v.Key === 'a.txt').map(v => v.IsLatest),
      [true, false, false],
    );
    assert.equal(all.DeleteMarkers?.length, 1);
    assert.equal(all.DeleteMarkers?.[0].Key, 'gone.txt');
    const oldest = all.Versions!.filter(v => v.Key === 'a.txt')[2];
    const v1 = await c.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'a.txt', VersionId: oldest.VersionId }));
    assert.equal(await v1.Body?.transformToString(), 'v1');
    assert.equal(v1.ServerSideEncryption, undefined);
    assert.equal(v1.VersionId, oldest.VersionId);
    const list = await c.send(new ListObjectsV2Command({ Bucket: 'versioned' }));
    assert.deepEqual(
      list.Contents?.map(o => o.Key),
      ['a.txt'],
    );
    const paged = await c.send(new ListObjectVersionsCommand({ Bucket: 'versioned', MaxKeys: 2 }));
    assert.equal(paged.IsTruncated, true);
    const rest = await c.send(
      new ListObjectVersionsCommand({
        Bucket: 'versioned',
        KeyMarker: paged.NextKeyMarker,
        VersionIdMarker: paged.NextVersionIdMarker,
      }),
    );
    assert.equal((rest.Versions?.length ?? 0) + (rest.DeleteMarkers?.length ?? 0), 3);
    const put = await c.send(new PutObjectCommand({ Bucket: 'versioned', Key: 'a.txt', Body: 'v4' }));
    assert.ok(put.VersionId);
    const del = await c.send(new DeleteObjectCommand({ Bucket: 'versioned', Key: 'a.txt' }));
    assert.equal(del.DeleteMarker, true);
    await rejectsWith(c.send(new HeadObjectCommand({ Bucket: 'versioned', Key: 'a.txt' })), 'NotFound', 404);
    assert.equal(em.versions('versioned', 'a.txt').length, 5);
    c.destroy();
  });

  it('Object Lock: configuration, retention, legal hold, and deletes refused', async () => {
    const c = s3();
    const conf = await c.send(new GetObjectLockConfigurationCommand({ Bucket: 'locked' }));
    assert.equal(conf.ObjectLockConfiguration?.ObjectLockEnabled, 'Enabled');
    assert.deepEqual(conf.ObjectLockConfiguration?.Rule?.DefaultRetention, { Mode: 'GOVERNANCE', Days: 1 });
    await rejectsWith(
      c.send(new GetObjectLockConfigurationCommand({ Bucket: 'mixed' })),
      'ObjectLockConfigurationNotFoundError',
      404,
    );
    const held = await c.send(new HeadObjectCommand({ Bucket: 'locked', Key: 'held.txt' }));
    assert.equal(held.ObjectLockLegalHoldStatus, 'ON');
    const ret = await c.send(new HeadObjectCommand({ Bucket: 'locked', Key: 'retained.txt' }));
    assert.equal(ret.ObjectLockMode, 'COMPLIANCE');
    assert.equal(ret.ObjectLockRetainUntilDate?.toISOString(), '2099-01-01T00:00:00.000Z');
    assert.equal((await c.send(new GetObjectLegalHoldCommand({ Bucket: 'locked', Key: 'held.txt' }))).LegalHold?.Status, 'ON');
    assert.equal(
      (await c.send(new GetObjectRetentionCommand({ Bucket: 'locked', Key: 'retained.txt' }))).Retention?.Mode,
      'COMPLIANCE',
    );
    await rejectsWith(
      c.send(new GetObjectRetentionCommand({ Bucket: 'locked', Key: 'held.txt' })),
      'NoSuchObjectLockConfiguration',
      404,
    );
    await rejectsWith(
      c.send(new DeleteObjectCommand({ Bucket: 'locked', Key: 'retained.txt', VersionId: ret.VersionId })),
      'AccessDenied',
      403,
    );
    const fresh = await c.send(new PutObjectCommand({ Bucket: 'locked', Key: 'new.txt', Body: 'x' }));
    const h = await c.send(new HeadObjectCommand({ Bucket: 'locked', Key: 'new.txt', VersionId: fresh.VersionId }));
    assert.equal(h.ObjectLockMode, 'GOVERNANCE', 'the bucket default retention applies to uploads');
    c.destroy();
  });
});

describe('emulator objects: uploads', () => {
  it('PutObject keeps SSE, metadata, system headers, tags and storage class; HeadObject reads them back', async () => {
    const c = s3();
    const put = await c.send(
      new PutObjectCommand({
        Bucket: 'mixed',
        Key: 'new/report.csv',
        Body: 'a,b\n1,2\n',
        ContentType: 'text/csv',
        ContentDisposition: 'attachment',
        Metadata: { source: 'etl' },
        Tagging: 'team=data&tier=gold',
        StorageClass: 'STANDARD_IA',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: OTHER_KEY_ARN,
        BucketKeyEnabled: true,
      }),
    );
    assert.equal(put.ServerSideEncryption, 'aws:kms');
    assert.equal(put.SSEKMSKeyId, OTHER_KEY_ARN);
    assert.equal(put.BucketKeyEnabled, true);
    const h = await c.send(new HeadObjectCommand({ Bucket: 'mixed', Key: 'new/report.csv', ChecksumMode: 'ENABLED' }));
    assert.equal(h.ContentType, 'text/csv');
    assert.equal(h.ContentDisposition, 'attachment');
    assert.deepEqual(h.Metadata, { source: 'etl' });
    assert.equal(h.StorageClass, 'STANDARD_IA');
    assert.equal(h.ETag, put.ETag);
    assert.ok(h.ChecksumCRC32, 'the SDK sent a CRC32 checksum, which S3 keeps');
    const stored = em.object('mixed', 'new/report.csv');
    assert.deepEqual(stored?.tags, { team: 'data', tier: 'gold' });
    assert.equal(stored?.content.toString(), 'a,b\n1,2\n');
    const byDefault = await c.send(new PutObjectCommand({ Bucket: 'mixed', Key: 'new/default.txt', Body: 'd' }));
    assert.equal(byDefault.ServerSideEncryption, 'aws:kms');
    assert.equal(byDefault.SSEKMSKeyId, GOOD_KEY_ARN, 'no SSE headers: the bucket default encryption');
    await rejectsWith(
      c.send(
        new PutObjectCommand({
          Bucket: 'mixed',
          Key: 'x',
          Body: 'x',
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${KEYS.disabled.id}`,
        }),
      ),
      'KMS.DisabledException',
      400,
    );
    await rejectsWith(
      c.send(new PutObjectCommand({ Bucket: 'mixed', Key: 'new/default.txt', Body: 'again', IfNoneMatch: '*' })),
      'PreconditionFailed',
      412,
    );
    c.destroy();
  });

  it('SSE-C uploads are refused with AccessDenied when the bucket blocks SSE-C', async () => {
    em.putObject('mixed', 'probe', 'p');
    const c = s3();
    const key = Buffer.alloc(32, 7).toString('base64');
    await c.send(
      new PutObjectCommand({
        Bucket: 'mixed',
        Key: 'customer2.bin',
        Body: 'c',
        SSECustomerAlgorithm: 'AES256',
        SSECustomerKey: key,
      }),
    );
    assert.equal(em.object('mixed', 'customer2.bin')?.encryption, 'SSE-C');
    const blocked = await startEmulator({
      seed: {
        writable: true,
        buckets: [{ name: 'blocks-ssec', encryption: { algorithm: 'AES256', blockedEncryptionTypes: ['SSE-C'] } }],
      },
    });
    const b = new S3Client({ region: 'us-east-1', endpoint: blocked.url, forcePathStyle: true, credentials, maxAttempts: 1 });
    await rejectsWith(
      b.send(
        new PutObjectCommand({ Bucket: 'blocks-ssec', Key: 'c', Body: 'c', SSECustomerAlgorithm: 'AES256', SSECustomerKey: key }),
      ),
      'AccessDenied',
      403,
    );
    b.destroy();
    await blocked.close();
    c.destroy();
  });
});
