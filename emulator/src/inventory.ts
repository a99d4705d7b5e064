// S3 Inventory (S3 REST/XML, and the report files S3 writes):
//
// - GetBucketInventoryConfiguration (`GET /b?inventory&id=X`; NoSuchConfiguration 404),
//   ListBucketInventoryConfigurations (`GET /b?inventory`), PutBucketInventoryConfiguration,
//   DeleteBucketInventoryConfiguration: InventoryConfiguration with Destination/S3BucketDestination
//   (AccountId, Bucket as an ARN, Format CSV | ORC | Parquet, Prefix), IsEnabled, Filter/Prefix, Id,
//   IncludedObjectVersions (Current | All), OptionalFields/Field, Schedule/Frequency.
// - Reports, as S3 publishes them into the destination bucket (objects any S3 client reads):
//   `{prefix/}{source}/{id}/{YYYY-MM-DDTHH-MMZ}/manifest.json` (sourceBucket, destinationBucket ARN,
//   version 2016-11-30, creationTimestamp in ms, fileFormat, fileSchema: the column names joined by
//   ", ", files: key, size, MD5checksum), `manifest.checksum` (the MD5 of manifest.json, hex), and
//   `{prefix/}{source}/{id}/data/{uuid}.csv.gz`: gzip CSV, every value double-quoted, keys URL-encoded,
//   no header row. Columns: Bucket, Key, then VersionId, IsLatest, IsDeleteMarker when all versions are
//   listed, then the optional fields in S3's order (Size, LastModifiedDate, StorageClass, ETag without
//   quotes, IsMultipartUploaded, ReplicationStatus, EncryptionStatus (NOT-SSE | SSE-S3 | SSE-KMS |
//   DSSE-KMS | SSE-C), ObjectLockRetainUntilDate, ObjectLockMode, ObjectLockLegalHoldStatus,
//   IntelligentTieringAccessTier, BucketKeyStatus (ENABLED | DISABLED), ChecksumAlgorithm,
//   ObjectAccessControlList, ObjectOwner). S3 Inventory has no column for the KMS key ARN.
//   Reports are written from the source bucket's objects when published (seed `reports`, or
//   Emulator.publishInventory). ORC and Parquet configurations publish nothing (the emulator writes CSV only).
// - Large inventories (seed `syntheticRows`): rows made up from their index, cycling through the
//   encryption kinds (of every 10: NOT-SSE, SSE-C, DSSE-KMS, 3 × SSE-KMS, 4 × SSE-S3), in data files of
//   `rowsPerFile` rows that are generated and gzipped while they are read (their size and MD5 come
//   from one pass at publication): 10 million rows are never held in memory.
import { createHash, randomUUID } from 'node:crypto';
import zlib from 'node:zlib';
import type { BucketState, Version, VirtualBody } from './state';
import { md5Hex, newVersionId, sortedKeys, storeVersion } from './state';
import type { SeedInventory } from './types';
import { type Account, el, element, elements, type Reply, type S3Request, S3_NS } from './wire';

/** The optional fields in the order S3 writes their columns. */
const FIELD_ORDER = [
  'Size',
  'LastModifiedDate',
  'StorageClass',
  'ETag',
  'IsMultipartUploaded',
  'ReplicationStatus',
  'EncryptionStatus',
  'ObjectLockRetainUntilDate',
  'ObjectLockMode',
  'ObjectLockLegalHoldStatus',
  'IntelligentTieringAccessTier',
  'BucketKeyStatus',
  'ChecksumAlgorithm',
  'ObjectAccessControlList',
  'ObjectOwner',
];
const DEFAULT_FIELDS = ['Size', 'LastModifiedDate', 'ETag', 'StorageClass', 'EncryptionStatus', 'BucketKeyStatus'];
const ROWS_PER_CHUNK = 5000;

const noSuchConfiguration = (reply: Reply) =>
  reply.error(404, 'NoSuchConfiguration', 'The specified configuration does not exist.');

function configXml(acct: Account, c: SeedInventory): string {
  const fields = c.optionalFields ?? DEFAULT_FIELDS;
  return (
    `<Destination><S3BucketDestination>${el('AccountId', acct.account)}${el('Bucket', `arn:aws:s3:::${c.destinationBucket}`)}` +
    `${el('Format', c.format ?? 'CSV')}${el('Prefix', c.destinationPrefix)}</S3BucketDestination></Destination>` +
    `${el('IsEnabled', c.enabled !== false)}${c.prefix !== undefined ? `<Filter>${el('Prefix', c.prefix)}</Filter>` : ''}${el('Id', c.id)}` +
    `${el('IncludedObjectVersions', c.includedObjectVersions ?? 'Current')}` +
    `<OptionalFields>${fields.map(f => el('Field', f)).join('')}</OptionalFields>` +
    `<Schedule>${el('Frequency', c.frequency ?? 'Daily')}</Schedule>`
  );
}

export function inventoryCall(call: string, acct: Account, b: BucketState, r: S3Request, reply: Reply): void {
  const id = r.query.get('id') ?? '';
  switch (call) {
    case 'ListBucketInventoryConfigurations':
      return reply.xml(
        `<ListInventoryConfigurationsResult xmlns="${S3_NS}">` +
          [...b.inventory.values()].map(c => `<InventoryConfiguration>${configXml(acct, c)}</InventoryConfiguration>`).join('') +
          `<IsTruncated>false</IsTruncated></ListInventoryConfigurationsResult>`,
      );
    case 'GetBucketInventoryConfiguration': {
      const c = b.inventory.get(id);
      if (!c) return noSuchConfiguration(reply);
      return reply.xml(`<InventoryConfiguration xmlns="${S3_NS}">${configXml(acct, c)}</InventoryConfiguration>`);
    }
    case 'DeleteBucketInventoryConfiguration':
      if (!b.inventory.delete(id)) return noSuchConfiguration(reply);
      return reply.empty(204);
    case 'PutBucketInventoryConfiguration': {
      const xml = r.body.toString('utf8');
      const dest = element(xml, 'Bucket') ?? '';
      const format = element(xml, 'Format');
      const versions = element(xml, 'IncludedObjectVersions');
      if (
        !id ||
        element(xml, 'Id') !== id ||
        !dest.startsWith('arn:aws:s3:::') ||
        !['CSV', 'ORC', 'Parquet'].includes(format ?? '') ||
        !['Current', 'All'].includes(versions ?? '')
      )
        return reply.error(
          400,
          'MalformedXML',
          'The XML you provided was not well-formed or did not validate against our published schema',
        );
      const fieldsXml = elements(xml, 'OptionalFields', 1)[0];
      const filter = elements(xml, 'Filter', 1)[0];
      b.inventory.set(id, {
        id,
        destinationBucket: dest.slice('arn:aws:s3:::'.length),
        destinationPrefix: element(elements(xml, 'S3BucketDestination', 1)[0] ?? '', 'Prefix'),
        format: format as SeedInventory['format'],
        enabled: element(xml, 'IsEnabled') !== 'false',
        prefix: filter !== undefined ? element(filter, 'Prefix') : undefined,
        includedObjectVersions: versions as SeedInventory['includedObjectVersions'],
        frequency: element(xml, 'Frequency') === 'Weekly' ? 'Weekly' : 'Daily',
        optionalFields: fieldsXml !== undefined ? elements(fieldsXml, 'Field', 50).map(f => f.trim()) : [],
      });
      return reply.empty(200);
    }
  }
  reply.error(501, 'NotImplemented', `${call} is not implemented by this local endpoint.`);
}

const q = (s: string | number | boolean | undefined): string => `"${String(s ?? '').replace(/"/g, '""')}"`;

/** S3 writes keys URL-encoded in CSV inventories. */
const encodeKey = (k: string): string => encodeURIComponent(k).replace(/%2F/g, '/');

function columns(c: SeedInventory): { schema: string[]; fields: string[]; all: boolean } {
  const all = c.includedObjectVersions === 'All';
  const asked = new Set(c.optionalFields ?? DEFAULT_FIELDS);
  const fields = FIELD_ORDER.filter(f => asked.has(f));
  return { schema: ['Bucket', 'Key', ...(all ? ['VersionId', 'IsLatest', 'IsDeleteMarker'] : []), ...fields], fields, all };
}

function row(bucket: string, key: string, v: Version, isLatest: boolean, fields: string[], all: boolean): string {
  const out = [q(bucket), q(encodeKey(key))];
  if (all) out.push(q(v.versionId === 'null' ? '' : v.versionId), q(isLatest), q(v.deleteMarker));
  for (const f of fields) {
    const dm = v.deleteMarker;
    switch (f) {
      case 'Size':
        out.push(q(dm ? '' : v.size));
        break;
      case 'LastModifiedDate':
        out.push(q(v.lastModified.toISOString()));
        break;
      case 'StorageClass':
        out.push(q(dm ? '' : v.storageClass));
        break;
      case 'ETag':
        out.push(q(dm ? '' : v.etag.replace(/"/g, '')));
        break;
      case 'IsMultipartUploaded':
        out.push(q(dm ? '' : v.parts > 0));
        break;
      case 'EncryptionStatus':
        out.push(q(dm ? '' : v.sse.kind));
        break;
      case 'ObjectLockRetainUntilDate':
        out.push(q(v.retention?.retainUntil));
        break;
      case 'ObjectLockMode':
        out.push(q(v.retention?.mode));
        break;
      case 'ObjectLockLegalHoldStatus':
        out.push(q(dm ? '' : v.legalHold ? 'ON' : 'OFF'));
        break;
      case 'BucketKeyStatus':
        out.push(q(dm ? '' : v.sse.bucketKey ? 'ENABLED' : 'DISABLED'));
        break;
      case 'ChecksumAlgorithm':
        out.push(q(v.checksum?.algorithm));
        break;
      case 'ObjectOwner':
        out.push(q('7'.repeat(64)));
        break;
      default:
        out.push(q(''));
    }
  }
  return out.join(',') + '\n';
}

const SYNTHETIC_KINDS = [
  'NOT-SSE',
  'SSE-C',
  'DSSE-KMS',
  'SSE-KMS',
  'SSE-KMS',
  'SSE-KMS',
  'SSE-S3',
  'SSE-S3',
  'SSE-S3',
  'SSE-S3',
] as const;

/** The made-up row `i` of a synthetic inventory (deterministic: reading twice gives the same bytes). */
function syntheticRow(bucket: string, i: number, fields: string[], all: boolean): string {
  const kind = SYNTHETIC_KINDS[i % 10];
  const out = [q(bucket), q(`synthetic/${String(i).padStart(10, '0')}`)];
  if (all) out.push(q(''), q(true), q(false));
  for (const f of fields) {
    switch (f) {
      case 'Size':
        out.push(q(1024 + (i % 4096)));
        break;
      case 'LastModifiedDate':
        out.push(q('2022-06-01T12:00:00.000Z'));
        break;
      case 'StorageClass':
        out.push(q(i % 97 === 0 ? 'GLACIER' : 'STANDARD'));
        break;
      case 'ETag':
        out.push(q((i >>> 0).toString(16).padStart(32, '0')));
        break;
      case 'IsMultipartUploaded':
        out.push(q(false));
        break;
      case 'EncryptionStatus':
        out.push(q(kind));
        break;
      case 'BucketKeyStatus':
        out.push(q(kind === 'SSE-KMS' && i % 2 === 0 ? 'ENABLED' : 'DISABLED'));
        break;
      case 'ObjectLockLegalHoldStatus':
        out.push(q('OFF'));
        break;
      default:
        out.push(q(''));
    }
  }
  return out.join(',') + '\n';
}

/** A gzip file made of CSV chunks, produced on demand: the same bytes every time. */
function gzipStream(chunks: () => Iterable<string>): () => AsyncIterable<Buffer> {
  return async function* () {
    const gz = zlib.createGzip({ level: 1 });
    const out: Buffer[] = [];
    let ended = false;
    let stopped = false;
    let wake: (() => void) | undefined;
    gz.on('data', (b: Buffer) => {
      out.push(b);
      wake?.();
    });
    gz.on('end', () => {
      ended = true;
      wake?.();
    });
    const feed = (async () => {
      for (const c of chunks()) {
        if (stopped) return;
        if (!gz.write(c)) await new Promise<void>(r => gz.once('drain', () => r()));
        // Let the reader take what is compressed before more is made (bounded memory).
        while (out.length > 16 && !stopped) await new Promise<void>(r => setImmediate(r));
      }
      gz.end();
    })();
    try {
      while (!ended || out.length) {
        if (out.length) {
          yield out.shift()!;
          continue;
        }
        await new Promise<void>(r => (wake = r));
        wake = undefined;
      }
      await feed;
    } finally {
      // The reader went away (a closed connection): stop making bytes.
      stopped = true;
      if (!ended) gz.destroy();
    }
  };
}

/** Size and MD5 of a virtual body, from one pass. */
async function measure(make: () => AsyncIterable<Buffer>): Promise<{ size: number; md5: string }> {
  const h = createHash('md5');
  let size = 0;
  for await (const b of make()) {
    h.update(b);
    size += b.length;
  }
  return { size, md5: h.digest('hex') };
}

function reportObject(body: Buffer, contentType: string, virtual?: VirtualBody): Version {
  return {
    versionId: newVersionId(),
    deleteMarker: false,
    body,
    virtual,
    size: virtual ? virtual.size : body.length,
    etag: `"${virtual ? virtual.md5 : md5Hex(body)}"`,
    lastModified: new Date(),
    sse: { kind: 'SSE-S3', bucketKey: false },
    storageClass: 'STANDARD',
    system: { contentType },
    metadata: {},
    tags: [],
    grants: [],
    legalHold: false,
    parts: 0,
  };
}

/** `2026-12-04T00-00Z`, the folder S3 names a report by. */
const folderOf = (d: Date): string => d.toISOString().slice(0, 16).replace(':', '-') + 'Z';

/**
 * Publishes one report of configuration `id` of `source` into its destination bucket, as S3 does;
 * answers the manifest's key.
 */
export async function publishInventory(acct: Account, source: BucketState, id: string, date = new Date()): Promise<string> {
  const c = source.inventory.get(id);
  if (!c) throw new Error(`bucket ${source.settings.name} has no inventory configuration ${JSON.stringify(id)}`);
  const dest = acct.buckets.get(c.destinationBucket);
  if (!dest) throw new Error(`inventory ${id}: destination bucket ${c.destinationBucket} does not exist`);
  const base = `${c.destinationPrefix ? `${c.destinationPrefix.replace(/\/$/, '')}/` : ''}${source.settings.name}/${id}`;
  const { schema, fields, all } = columns(c);
  const files: { key: string; size: number; MD5checksum: string }[] = [];
  const name = source.settings.name;
  if ((c.format ?? 'CSV') === 'CSV') {
    if (c.syntheticRows !== undefined) {
      const per = Math.max(1, c.rowsPerFile ?? 1_000_000);
      for (let first = 0; first < c.syntheticRows; first += per) {
        const last = Math.min(c.syntheticRows, first + per);
        const make = gzipStream(function* () {
          for (let i = first; i < last; i += ROWS_PER_CHUNK) {
            let s = '';
            for (let j = i; j < Math.min(last, i + ROWS_PER_CHUNK); j++) s += syntheticRow(name, j, fields, all);
            yield s;
          }
        });
        const { size, md5 } = await measure(make);
        const key = `${base}/data/${randomUUID()}.csv.gz`;
        storeVersion(dest, key, reportObject(Buffer.alloc(0), 'application/gzip', { size, md5, chunks: make }));
        files.push({ key, size, MD5checksum: md5 });
      }
    } else {
      const lines: string[] = [];
      const prefix = c.prefix ?? '';
      for (const key of sortedKeys(source)) {
        if (!key.startsWith(prefix)) continue;
        const list = source.objects.get(key)!;
        if (all) list.forEach((v, i) => lines.push(row(name, key, v, i === 0, fields, all)));
        else if (!list[0].deleteMarker) lines.push(row(name, key, list[0], true, fields, all));
      }
      const body = zlib.gzipSync(lines.join(''));
      const key = `${base}/data/${randomUUID()}.csv.gz`;
      storeVersion(dest, key, reportObject(body, 'application/gzip'));
      files.push({ key, size: body.length, MD5checksum: md5Hex(body) });
    }
  }
  const manifest = JSON.stringify(
    {
      sourceBucket: name,
      destinationBucket: `arn:aws:s3:::${c.destinationBucket}`,
      version: '2016-11-30',
      creationTimestamp: String(date.getTime()),
      fileFormat: c.format ?? 'CSV',
      fileSchema: schema.join(', '),
      files,
    },
    null,
    2,
  );
  const folder = `${base}/${folderOf(date)}`;
  storeVersion(dest, `${folder}/manifest.json`, reportObject(Buffer.from(manifest), 'application/json'));
  storeVersion(dest, `${folder}/manifest.checksum`, reportObject(Buffer.from(md5Hex(Buffer.from(manifest))), 'text/plain'));
  return `${folder}/manifest.json`;
}
