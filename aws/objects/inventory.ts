// The object audit from an S3 Inventory report instead of a listing, for buckets too large to list
// object by object. A configuration is usable when it is enabled, covers the prefix asked about,
// and includes the EncryptionStatus field; its newest report is found under
// `<destination prefix>/<source bucket>/<configuration ID>/<YYYY-MM-DDTHH-MMZ>/manifest.json`, and
// the manifest names the report's data files and their columns (fileSchema). Only CSV reports are
// read here; ORC and Parquet are named as such, with the way out (a CSV configuration, or the listing).
//
// Bounded memory however large the report: each data file is read in ranged GETs of at most
// READ_CHUNK_BYTES (each under the wire guard's deadline and size limit, wire.ts), through gunzip,
// one line at a time; a line longer than MAX_LINE_BYTES stops the read (an inventory line is a
// few hundred bytes). Only the counts and a few examples are kept.
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import {
  GetObjectCommand,
  ListBucketInventoryConfigurationsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { CallError } from '../types';
import { type Caller, StoppedError } from './calls';
import { type EncryptionKind, ENCRYPTION_KINDS } from './types';

export const READ_CHUNK_BYTES = 1024 * 1024 - 1024;
export const MAX_LINE_BYTES = 64 * 1024;
/** Report folders are named by date and time: 2026-12-01T01-00Z. */
const REPORT_FOLDER = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}Z$/;

export interface InventoryChoice {
  id: string;
  format: string;
  destinationBucket: string;
  destinationPrefix: string;
  versions: boolean;
  bucketKeyField: boolean;
}

export type InventoryLookup =
  | { kind: 'usable'; config: InventoryChoice }
  | { kind: 'none' }
  /** Configurations exist but none can be read here: why (one line). */
  | { kind: 'unusable'; reason: string }
  | { kind: 'error'; error: CallError };

interface InventoryConfigAnswer {
  InventoryConfigurationList?: {
    Id?: string;
    IsEnabled?: boolean;
    IncludedObjectVersions?: string;
    OptionalFields?: string[];
    Filter?: { Prefix?: string };
    Destination?: { S3BucketDestination?: { Bucket?: string; Prefix?: string; Format?: string } };
  }[];
  IsTruncated?: boolean;
  NextContinuationToken?: string;
}

/** The bucket's inventory configuration to read for `prefix`, if any. */
export async function findInventory(
  s3: S3Client,
  caller: Caller,
  bucket: string,
  prefix: string,
  versions: boolean,
): Promise<InventoryLookup> {
  const configs: NonNullable<InventoryConfigAnswer['InventoryConfigurationList']> = [];
  let token: string | undefined;
  for (let page = 0; page < 100; page++) {
    const r = await caller.call<InventoryConfigAnswer>(
      s3,
      new ListBucketInventoryConfigurationsCommand({ Bucket: bucket, ContinuationToken: token }),
      'ListBucketInventoryConfigurations',
    );
    if (!r.ok) return { kind: 'error', error: r.error };
    configs.push(...(r.value.InventoryConfigurationList ?? []));
    if (!r.value.IsTruncated || !r.value.NextContinuationToken || r.value.NextContinuationToken === token) break;
    token = r.value.NextContinuationToken;
  }
  if (!configs.length) return { kind: 'none' };
  const reasons: string[] = [];
  let best: InventoryChoice | null = null;
  for (const c of configs) {
    const id = c.Id ?? '?';
    const dest = c.Destination?.S3BucketDestination;
    const fields = c.OptionalFields ?? [];
    if (c.IsEnabled === false) reasons.push(`"${id}" is disabled`);
    else if (!fields.includes('EncryptionStatus')) reasons.push(`"${id}" does not include the EncryptionStatus field`);
    else if (c.Filter?.Prefix && !prefix.startsWith(c.Filter.Prefix))
      reasons.push(`"${id}" covers only the prefix ${c.Filter.Prefix}`);
    else if (versions && c.IncludedObjectVersions !== 'All') reasons.push(`"${id}" lists current versions only`);
    else if (!dest?.Bucket) reasons.push(`"${id}" has no destination bucket`);
    else if ((dest.Format ?? 'CSV').toUpperCase() !== 'CSV')
      reasons.push(`"${id}" is in ${dest.Format} format, which is not read here (only CSV)`);
    else {
      const choice: InventoryChoice = {
        id,
        format: 'CSV',
        destinationBucket: dest.Bucket.replace(/^arn:aws[a-z-]*:s3:::/, ''),
        destinationPrefix: dest.Prefix ?? '',
        versions: c.IncludedObjectVersions === 'All',
        bucketKeyField: fields.includes('BucketKeyStatus'),
      };
      // A report of current versions is smaller to read; take it unless versions are asked for.
      if (!best || (!versions && best.versions && !choice.versions)) best = choice;
    }
  }
  if (best) return { kind: 'usable', config: best };
  return { kind: 'unusable', reason: `no inventory configuration can be read: ${reasons.join('; ')}` };
}

export interface InventoryRow {
  key: string;
  versionId: string | null;
  isLatest: boolean;
  size: number | null;
  storageClass: string | null;
  encryption: EncryptionKind | null;
  /** The raw EncryptionStatus value when it is none of the known ones. */
  rawEncryption: string;
  bucketKey: boolean | null;
}

export interface InventoryReport {
  date: string;
  created: string | null;
  files: { key: string; size?: number }[];
  schema: string[];
  destinationBucket: string;
}

/** Reads one small object whole (a manifest): under the guard's answer limit. */
async function getSmall(
  s3: S3Client,
  caller: Caller,
  bucket: string,
  key: string,
): Promise<{ ok: true; text: string } | { ok: false; error: CallError }> {
  const r = await caller.call<{ Body?: { transformToString(): Promise<string> } }>(
    s3,
    new GetObjectCommand({ Bucket: bucket, Key: key }),
    'GetObject',
  );
  if (!r.ok) return r;
  return { ok: true, text: (await r.value.Body?.transformToString()) ?? '' };
}

/** The newest report of a configuration: its manifest. */
export async function newestReport(
  s3: S3Client,
  caller: Caller,
  bucket: string,
  config: InventoryChoice,
): Promise<{ ok: true; report: InventoryReport } | { ok: false; error: CallError }> {
  const base = `${config.destinationPrefix ? `${config.destinationPrefix.replace(/\/$/, '')}/` : ''}${bucket}/${config.id}/`;
  const folders: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const r = await caller.call<{
      CommonPrefixes?: { Prefix?: string }[];
      IsTruncated?: boolean;
      NextContinuationToken?: string;
    }>(
      s3,
      new ListObjectsV2Command({ Bucket: config.destinationBucket, Prefix: base, Delimiter: '/', ContinuationToken: token }),
      'ListObjectsV2',
    );
    if (!r.ok) return r;
    for (const p of r.value.CommonPrefixes ?? []) {
      const name = (p.Prefix ?? '').slice(base.length).replace(/\/$/, '');
      if (REPORT_FOLDER.test(name)) folders.push(name);
    }
    if (!r.value.IsTruncated || !r.value.NextContinuationToken || r.value.NextContinuationToken === token) break;
    token = r.value.NextContinuationToken;
  }
  folders.sort();
  const missing: CallError = {
    call: 'GetObject',
    code: 'NoInventoryReport',
    message: `inventory "${config.id}" has no report yet under s3://${config.destinationBucket}/${base} (the first arrives within 48 hours of its configuration)`,
  };
  // The newest folder may still be written: its manifest is the last file S3 writes.
  for (const date of folders.reverse().slice(0, 3)) {
    const m = await getSmall(s3, caller, config.destinationBucket, `${base}${date}/manifest.json`);
    if (!m.ok) {
      if (m.error.code === 'NoSuchKey') continue;
      return m;
    }
    let manifest: { fileFormat?: unknown; fileSchema?: unknown; files?: unknown; creationTimestamp?: unknown };
    try {
      manifest = JSON.parse(m.text) as typeof manifest;
    } catch {
      return {
        ok: false,
        error: {
          call: 'GetObject',
          code: 'MalformedManifest',
          message: `the manifest of inventory "${config.id}" (${date}) is not JSON`,
        },
      };
    }
    if (typeof manifest.fileFormat === 'string' && manifest.fileFormat.toUpperCase() !== 'CSV')
      return {
        ok: false,
        error: {
          call: 'GetObject',
          code: 'UnsupportedInventoryFormat',
          message: `the report of inventory "${config.id}" (${date}) is ${manifest.fileFormat}, which is not read here (only CSV)`,
        },
      };
    if (typeof manifest.fileSchema !== 'string' || !Array.isArray(manifest.files))
      return {
        ok: false,
        error: {
          call: 'GetObject',
          code: 'MalformedManifest',
          message: `the manifest of inventory "${config.id}" (${date}) has no fileSchema or files`,
        },
      };
    const files = (manifest.files as { key?: unknown; size?: unknown }[])
      .filter(f => typeof f?.key === 'string')
      .map(f => ({ key: f.key as string, size: typeof f.size === 'number' ? f.size : undefined }));
    const created =
      typeof manifest.creationTimestamp === 'string' && /^\d+$/.test(manifest.creationTimestamp)
        ? new Date(Number(manifest.creationTimestamp)).toISOString()
        : null;
    return {
      ok: true,
      report: {
        date,
        created,
        files,
        schema: manifest.fileSchema.split(',').map(s => s.trim()),
        destinationBucket: config.destinationBucket,
      },
    };
  }
  return { ok: false, error: missing };
}

/** One CSV line (RFC 4180: every field may be quoted, `""` is a quote) as fields. */
export function csvFields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  while (i <= n) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          v += line.slice(i);
          i = n;
          break;
        }
        v += line.slice(i, q);
        if (line[q + 1] === '"') {
          v += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(v);
      const comma = line.indexOf(',', i);
      i = comma < 0 ? n + 1 : comma + 1;
    } else {
      const comma = line.indexOf(',', i);
      out.push(comma < 0 ? line.slice(i) : line.slice(i, comma));
      i = comma < 0 ? n + 1 : comma + 1;
    }
  }
  return out;
}

/** Inventory keys are URL-encoded (a space as `+` or `%20`). */
function decodeKey(k: string): string {
  try {
    return decodeURIComponent(k.replace(/\+/g, ' '));
  } catch {
    return k;
  }
}

/** The compressed bytes of one data file, in ranged GETs. */
async function* fileChunks(
  s3: S3Client,
  caller: Caller,
  bucket: string,
  key: string,
  onError: (e: CallError) => void,
): AsyncGenerator<Buffer> {
  for (let offset = 0; ;) {
    const r = await caller.call<{ Body?: Readable; ContentRange?: string; ContentLength?: number }>(
      s3,
      new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${offset}-${offset + READ_CHUNK_BYTES - 1}` }),
      'GetObject',
    );
    if (!r.ok) {
      // A range past the end of a file whose size was a multiple of the chunk.
      if (r.error.code === 'InvalidRange' && offset > 0) return;
      onError(r.error);
      return;
    }
    const parts: Buffer[] = [];
    for await (const c of r.value.Body ?? []) parts.push(c as Buffer);
    const chunk = Buffer.concat(parts);
    if (chunk.length) yield chunk;
    const total = /\/(\d+)$/.exec(r.value.ContentRange ?? '')?.[1];
    offset += chunk.length;
    // Without Content-Range the endpoint sent the whole file (it ignores Range).
    if (!total || offset >= Number(total) || chunk.length === 0) return;
  }
}

/**
 * Every row of a report, file by file. Rows that are delete markers are left out, and so are
 * noncurrent versions unless `versions`.
 */
export async function* reportRows(
  s3: S3Client,
  caller: Caller,
  report: InventoryReport,
  versions: boolean,
  onError: (e: CallError) => void,
): AsyncGenerator<InventoryRow> {
  const col = (name: string) => report.schema.indexOf(name);
  const [iKey, iVersion, iLatest, iDelete, iSize, iClass, iEnc, iBk] = [
    col('Key'),
    col('VersionId'),
    col('IsLatest'),
    col('IsDeleteMarker'),
    col('Size'),
    col('StorageClass'),
    col('EncryptionStatus'),
    col('BucketKeyStatus'),
  ];
  if (iKey < 0 || iEnc < 0) {
    onError({
      call: 'GetObject',
      code: 'MissingInventoryFields',
      message: `the report's fileSchema lacks ${iKey < 0 ? 'Key' : 'EncryptionStatus'}`,
    });
    return;
  }
  const parse = (raw: string): InventoryRow | null => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!line) return null;
    const f = csvFields(line);
    if (iDelete >= 0 && f[iDelete] === 'true') return null;
    const isLatest = iLatest < 0 || f[iLatest] !== 'false';
    if (!versions && !isLatest) return null;
    const enc = f[iEnc] ?? '';
    return {
      key: decodeKey(f[iKey] ?? ''),
      versionId: iVersion >= 0 && f[iVersion] ? f[iVersion] : null,
      isLatest,
      size: iSize >= 0 && f[iSize] ? Number(f[iSize]) : null,
      storageClass: iClass >= 0 ? (f[iClass] ?? null) : null,
      encryption: (ENCRYPTION_KINDS as readonly string[]).includes(enc) ? (enc as EncryptionKind) : null,
      rawEncryption: enc,
      bucketKey: iBk >= 0 && f[iBk] ? f[iBk] === 'ENABLED' : null,
    };
  };
  for (const file of report.files) {
    if (caller.stopped) throw new StoppedError();
    let failed = false;
    const gunzip = createGunzip();
    const compressed = Readable.from(
      fileChunks(s3, caller, report.destinationBucket, file.key, e => {
        failed = true;
        onError(e);
      }),
    );
    compressed.on('error', e => gunzip.destroy(e));
    compressed.pipe(gunzip);
    let rest = '';
    const decoder = new StringDecoder('utf8');
    try {
      for await (const chunk of gunzip) {
        const text = rest + decoder.write(chunk as Buffer);
        let start = 0;
        for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
          const row = parse(text.slice(start, nl));
          start = nl + 1;
          if (row) yield row;
        }
        rest = text.slice(start);
        if (rest.length > MAX_LINE_BYTES) {
          onError({
            call: 'GetObject',
            code: 'MalformedInventory',
            message: `${file.key}: a line longer than ${MAX_LINE_BYTES} bytes; not an inventory report`,
          });
          failed = true;
          break;
        }
      }
      const last = failed ? null : parse(rest);
      if (last) yield last;
    } catch (e) {
      if (e instanceof StoppedError || caller.stopped) throw new StoppedError();
      if (!failed)
        onError({
          call: 'GetObject',
          code: 'MalformedInventory',
          message: `${file.key}: cannot be decompressed (${(e as Error).message}); not a gzip CSV file`,
        });
      failed = true;
    } finally {
      compressed.destroy();
      gunzip.destroy();
    }
    if (failed) return;
  }
}
