// The emulator's S3 Inventory (issue 14), through the real AWS SDK: the configuration calls, and the
// reports S3 writes (manifest.json, manifest.checksum, CSV.gz data files) read back as a client
// reads them, including a synthetic inventory generated while it is read.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { type Readable } from 'node:stream';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import {
  GetBucketInventoryConfigurationCommand,
  GetObjectCommand,
  ListBucketInventoryConfigurationsCommand,
  ListObjectsV2Command,
  PutBucketInventoryConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { startEmulator, type Emulator } from '../../emulator/src/emulator';
import { ACCESS_KEY, ACCOUNT, GOOD_KEY_ARN, KEYS, SECRET } from './fixtures';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const credentials = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET };
let em: Emulator;
const s3 = () => new S3Client({ region: 'eu-west-1', endpoint: em.url, forcePathStyle: true, credentials, maxAttempts: 1 });

before(async () => {
  em = await startEmulator({
    seed: {
      account: ACCOUNT,
      writable: true,
      keys: [KEYS.good],
      buckets: [
        {
          name: 'source',
          region: 'eu-west-1',
          objects: [
            { key: 'a plain.txt', content: 'a', encryption: 'none' },
            { key: 'b.txt', content: 'b', encryption: 'SSE-S3' },
            { key: 'c.txt', content: 'c', encryption: 'SSE-KMS', kmsKeyId: GOOD_KEY_ARN, bucketKeyEnabled: true },
            { key: 'd.txt', content: 'd', encryption: 'SSE-C' },
          ],
          inventory: [
            {
              id: 'daily-encryption',
              destinationBucket: 'reports',
              destinationPrefix: 'inv',
              optionalFields: ['EncryptionStatus', 'BucketKeyStatus', 'Size', 'ETag'],
              reports: ['2026-12-03T00:00:00.000Z'],
            },
          ],
        },
        {
          name: 'huge',
          region: 'eu-west-1',
          inventory: [
            {
              id: 'all',
              destinationBucket: 'reports',
              syntheticRows: 250_000,
              rowsPerFile: 100_000,
              reports: ['2026-12-04T01:00:00.000Z'],
            },
          ],
        },
        { name: 'reports', region: 'eu-west-1' },
      ],
    },
  });
});
after(async () => {
  await em.close();
});

async function bytes(c: S3Client, Key: string): Promise<Buffer> {
  const o = await c.send(new GetObjectCommand({ Bucket: 'reports', Key }));
  return Buffer.from(await o.Body!.transformToByteArray());
}

describe('emulator: S3 Inventory', () => {
  it('configurations: list, get, put', async () => {
    const c = s3();
    const list = await c.send(new ListBucketInventoryConfigurationsCommand({ Bucket: 'source' }));
    assert.equal(list.InventoryConfigurationList?.length, 1);
    const got = await c.send(new GetBucketInventoryConfigurationCommand({ Bucket: 'source', Id: 'daily-encryption' }));
    const conf = got.InventoryConfiguration!;
    assert.equal(conf.Destination?.S3BucketDestination?.Bucket, 'arn:aws:s3:::reports');
    assert.equal(conf.Destination?.S3BucketDestination?.Format, 'CSV');
    assert.equal(conf.Destination?.S3BucketDestination?.Prefix, 'inv');
    assert.deepEqual(conf.OptionalFields, ['EncryptionStatus', 'BucketKeyStatus', 'Size', 'ETag']);
    assert.equal(conf.IsEnabled, true);
    assert.equal(conf.Schedule?.Frequency, 'Daily');
    await c.send(
      new PutBucketInventoryConfigurationCommand({
        Bucket: 'source',
        Id: 'weekly',
        InventoryConfiguration: {
          Id: 'weekly',
          IsEnabled: true,
          IncludedObjectVersions: 'All',
          Destination: { S3BucketDestination: { Bucket: 'arn:aws:s3:::reports', Format: 'CSV' } },
          Schedule: { Frequency: 'Weekly' },
          OptionalFields: ['EncryptionStatus'],
        },
      }),
    );
    const weekly = await c.send(new GetBucketInventoryConfigurationCommand({ Bucket: 'source', Id: 'weekly' }));
    assert.equal(weekly.InventoryConfiguration?.IncludedObjectVersions, 'All');
    await assert.rejects(c.send(new GetBucketInventoryConfigurationCommand({ Bucket: 'source', Id: 'none' })), {
      name: 'NoSuchConfiguration',
    });
    c.destroy();
  });

  it('a report from the objects: manifest, checksum, gzip CSV with the encryption columns', async () => {
    const c = s3();
    const listed = await c.send(new ListObjectsV2Command({ Bucket: 'reports', Prefix: 'inv/source/daily-encryption/' }));
    const keys = listed.Contents!.map(o => o.Key!);
    const manifestKey = 'inv/source/daily-encryption/2026-12-03T00-00Z/manifest.json';
    assert.ok(keys.includes(manifestKey), keys.join(' '));
    const manifestBytes = await bytes(c, manifestKey);
    const manifest = JSON.parse(manifestBytes.toString());
    assert.equal(manifest.sourceBucket, 'source');
    assert.equal(manifest.destinationBucket, 'arn:aws:s3:::reports');
    assert.equal(manifest.fileFormat, 'CSV');
    assert.equal(manifest.fileSchema, 'Bucket, Key, Size, ETag, EncryptionStatus, BucketKeyStatus');
    assert.equal(manifest.creationTimestamp, String(Date.parse('2026-12-03T00:00:00.000Z')));
    const checksum = (await bytes(c, manifestKey.replace('manifest.json', 'manifest.checksum'))).toString();
    assert.equal(checksum, createHash('md5').update(manifestBytes).digest('hex'));
    assert.equal(manifest.files.length, 1);
    const data = await bytes(c, manifest.files[0].key);
    assert.equal(data.length, manifest.files[0].size);
    assert.equal(createHash('md5').update(data).digest('hex'), manifest.files[0].MD5checksum);
    const rows = zlib.gunzipSync(data).toString().trim().split('\n');
    assert.deepEqual(rows.slice(0, 3), [
      `"source","a%20plain.txt","1","${createHash('md5').update('a').digest('hex')}","NOT-SSE","DISABLED"`,
      `"source","b.txt","1","${createHash('md5').update('b').digest('hex')}","SSE-S3","DISABLED"`,
      `"source","c.txt","1","${em.object('source', 'c.txt')!.etag.replace(/"/g, '')}","SSE-KMS","ENABLED"`,
    ]);
    assert.match(rows[3], /"SSE-C"/);
    // A report published later reflects the objects as they are then.
    const later = await em.publishInventory('source', 'daily-encryption', '2026-12-04T00:00:00.000Z');
    assert.equal(later, 'inv/source/daily-encryption/2026-12-04T00-00Z/manifest.json');
    c.destroy();
  });

  it('a synthetic inventory of 250,000 rows, generated while read, matches its manifest', async () => {
    const c = s3();
    const manifest = JSON.parse((await bytes(c, 'huge/all/2026-12-04T01-00Z/manifest.json')).toString());
    assert.equal(manifest.files.length, 3);
    let rows = 0;
    const kinds: Record<string, number> = {};
    for (const f of manifest.files as { key: string; size: number; MD5checksum: string }[]) {
      const o = await c.send(new GetObjectCommand({ Bucket: 'reports', Key: f.key }));
      assert.equal(o.ContentLength, f.size);
      const md5 = createHash('md5');
      const raw = o.Body as Readable;
      raw.on('data', (b: Buffer) => md5.update(b));
      let rest = '';
      for await (const chunk of raw.pipe(zlib.createGunzip())) {
        const lines = (rest + chunk.toString()).split('\n');
        rest = lines.pop()!;
        for (const l of lines) {
          rows++;
          const kind = l.split(',')[6].replace(/"/g, '');
          kinds[kind] = (kinds[kind] ?? 0) + 1;
        }
      }
      assert.equal(md5.digest('hex'), f.MD5checksum, 'the bytes read are the bytes measured at publication');
    }
    assert.equal(rows, 250_000);
    assert.deepEqual(kinds, { 'NOT-SSE': 25_000, 'SSE-C': 25_000, 'DSSE-KMS': 25_000, 'SSE-KMS': 75_000, 'SSE-S3': 100_000 });
    c.destroy();
  });

  it('a synthetic inventory file answers ranged reads with exactly those bytes', async () => {
    const c = s3();
    const manifest = JSON.parse((await bytes(c, 'huge/all/2026-12-04T01-00Z/manifest.json')).toString());
    const file = (manifest.files as { key: string; size: number }[])[0];
    const whole = await bytes(c, file.key);
    assert.equal(whole.length, file.size);
    // Ranged reads of under 1 MB are how a client bounded by its answer limit reads a large report.
    for (const [start, end] of [
      [0, 99],
      [1000, 70_000],
      [file.size - 10, file.size - 1],
    ]) {
      const o = await c.send(new GetObjectCommand({ Bucket: 'reports', Key: file.key, Range: `bytes=${start}-${end}` }));
      assert.equal(o.ContentRange, `bytes ${start}-${end}/${file.size}`);
      const part = Buffer.from(await o.Body!.transformToByteArray());
      assert.ok(part.equals(whole.subarray(start, end + 1)), `bytes ${start}-${end}`);
    }
    c.destroy();
  });
});
