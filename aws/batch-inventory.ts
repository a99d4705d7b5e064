// Counting an S3 Inventory report's objects by encryption, for the plan of a Batch Operations job
// whose manifest is that report (batch.ts): how many tasks the job will have and how many of them
// UpdateObjectEncryption cannot do (unencrypted, SSE-C, DSSE-KMS objects: docs/design/aws-facts.md#batch-001).
//
// Bounded: the data files (gzip CSV) are read in ranged GetObject calls of at most one answer's
// size (wire.ts, MAX_ANSWER_BYTES) and gunzipped as a stream, one line at a time; memory does not
// grow with the report. Reports larger than `maxBytes` (compressed) are not counted (the plan says
// so). No regular expression is built from the report.
import zlib from 'node:zlib';
import { GetObjectCommand, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { AbortedError, mustCall } from './batch-call';
import type { Session } from './session';
import { MAX_ANSWER_BYTES } from './wire';

/** Compressed bytes of an inventory report counted at most by default (about 20 million rows). */
export const DEFAULT_COUNT_BYTES = 512 * 1024 * 1024;
/** Data files of one report read at most. */
const MAX_FILES = 100_000;
/** A longer line is not an inventory row (a key is at most 1,024 bytes, URL-encoded three times that). */
const MAX_LINE = 64 * 1024;

export interface InventoryFile {
  key: string;
  size: number;
}

export interface InventoryCount {
  /** Rows that are objects (delete markers are not). */
  objects: number;
  deleteMarkers: number;
  /** By EncryptionStatus (NOT-SSE, SSE-S3, SSE-KMS, DSSE-KMS, SSE-C); empty without that column. */
  byEncryption: Record<string, number>;
  bytesRead: number;
}

/** The columns of a report (its manifest's fileSchema, `Bucket, Key, …`). */
export const schemaColumns = (fileSchema: string): string[] => fileSchema.split(',').map(s => s.trim());

/** The fields of one inventory CSV line (every value double-quoted; a quote inside is doubled). */
export function inventoryFields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          v += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else v += line[i++];
      }
      out.push(v);
      // Skip to the next comma.
      const comma = line.indexOf(',', i);
      if (comma < 0) break;
      i = comma + 1;
    } else {
      const comma = line.indexOf(',', i);
      out.push(line.slice(i, comma < 0 ? line.length : comma));
      if (comma < 0) break;
      i = comma + 1;
    }
  }
  return out;
}

/** Counts rows and encryption kinds of the files; null when they are over `maxBytes` in all. */
export async function countInventory(
  session: Session,
  region: string,
  bucket: string,
  files: readonly InventoryFile[],
  columns: readonly string[],
  opts: { maxBytes?: number; signal?: AbortSignal } = {},
): Promise<InventoryCount | null> {
  const maxBytes = opts.maxBytes ?? DEFAULT_COUNT_BYTES;
  if (files.length > MAX_FILES) return null;
  const total = files.reduce((n, f) => n + (Number.isFinite(f.size) && f.size > 0 ? f.size : 0), 0);
  if (total > maxBytes) return null;
  const encCol = columns.indexOf('EncryptionStatus');
  const dmCol = columns.indexOf('IsDeleteMarker');
  const count: InventoryCount = { objects: 0, deleteMarkers: 0, byEncryption: {}, bytesRead: 0 };
  const onLine = (line: string) => {
    if (!line) return;
    const f = inventoryFields(line);
    if (dmCol >= 0 && f[dmCol] === 'true') {
      count.deleteMarkers++;
      return;
    }
    count.objects++;
    if (encCol >= 0) {
      const e = f[encCol] || 'unknown';
      count.byEncryption[e] = (count.byEncryption[e] ?? 0) + 1;
    }
  };
  for (const file of files) {
    // An empty file has no rows (and a ranged read of it would be refused).
    if (!(file.size > 0)) continue;
    await countFile(session, region, bucket, file, onLine, count, opts.signal);
    if (count.bytesRead > maxBytes) return null;
  }
  return count;
}

/** One gzip data file, read in ranges and gunzipped as it arrives. */
async function countFile(
  session: Session,
  region: string,
  bucket: string,
  file: InventoryFile,
  onLine: (line: string) => void,
  count: InventoryCount,
  signal?: AbortSignal,
): Promise<void> {
  const gunzip = zlib.createGunzip();
  let rest = '';
  let failed: Error | null = null;
  gunzip.setEncoding('utf8');
  gunzip.on('data', (chunk: string) => {
    let text = rest + chunk;
    let nl = text.indexOf('\n');
    while (nl >= 0) {
      onLine(text.slice(0, nl).replace(/\r$/, ''));
      text = text.slice(nl + 1);
      nl = text.indexOf('\n');
    }
    if (text.length > MAX_LINE) {
      failed = new Error(`inventory file ${file.key} has a line longer than ${MAX_LINE} characters: not an inventory report`);
      gunzip.destroy();
    }
    rest = text;
  });
  const ended = new Promise<void>((resolve, reject) => {
    gunzip.on('end', resolve);
    gunzip.on('close', () => (failed ? reject(failed) : resolve()));
    gunzip.on('error', e => reject(new Error(`inventory file ${file.key} is not gzip: ${e.message}`)));
  });
  const client = session.s3(region);
  let offset = 0;
  // An endpoint that ignores Range answers the whole file: that ends the loop as well.
  for (let part = 0; part < 1_000_000; part++) {
    if (signal?.aborted) throw new AbortedError();
    const r = await mustCall<GetObjectCommandOutput>(
      session,
      's3:GetObject',
      client,
      new GetObjectCommand({ Bucket: bucket, Key: file.key, Range: `bytes=${offset}-${offset + MAX_ANSWER_BYTES - 1}` }),
      signal,
    );
    const bytes = (await r.Body?.transformToByteArray()) ?? new Uint8Array();
    count.bytesRead += bytes.length;
    if (failed) break;
    if (!gunzip.write(bytes)) await new Promise(res => gunzip.once('drain', res));
    offset += bytes.length;
    const totalSize = totalOf(r.ContentRange) ?? (r.ContentRange ? null : bytes.length);
    if (!bytes.length || (totalSize !== null && offset >= totalSize)) break;
  }
  gunzip.end();
  await ended;
  if (failed) throw failed;
  if (rest) onLine(rest.replace(/\r$/, ''));
}

/** The total of a Content-Range (`bytes 0-1023/5000` → 5000). */
function totalOf(contentRange: string | undefined): number | null {
  if (!contentRange) return null;
  const slash = contentRange.lastIndexOf('/');
  const n = Number(contentRange.slice(slash + 1));
  return slash >= 0 && Number.isFinite(n) ? n : null;
}
