// `status --objects`: the object audit (aws/objects/audit.ts) of each bucket `status` reads, added
// to the bucket in the JSON output (`"objects": {...}`, issue 14 "Interfaces") and as lines after
// the table in text. The requirement objects are judged against is the config file's (its `sse`
// algorithms and `kmsKeyArns`): unencrypted and SSE-C objects always fail it. Every value from the
// endpoint (keys, key ARNs, messages) is escaped for the terminal.
import { auditObjects, DEFAULT_MAX_OBJECTS } from '../aws/objects/audit';
import type { ObjectsAudit } from '../aws/objects/types';
import { ENCRYPTION_KINDS } from '../aws/objects/types';
import { openSession, type SessionOptions } from '../aws/session';
import type { BucketPosture, PostureReport } from '../aws/types';
import type { Requirements } from '../core/requirements';
import { escapeTerminal } from '../shared/escape';
import { shortKeyArn } from '../shared/wording';

export interface ObjectsOptions {
  maxObjects?: number;
  concurrency?: number;
  /** `listing` forces the listing even when an inventory is usable. */
  source?: 'auto' | 'listing' | 'inventory';
  signal?: AbortSignal;
  onProgress?: (bucket: string, scanned: number) => void;
}

/** Audits the objects of every bucket of the report that was read, one bucket after another; sets `bucket.objects`. */
export async function addObjectAudits(
  report: PostureReport,
  session: SessionOptions,
  requirements: Requirements,
  opts: ObjectsOptions,
): Promise<void> {
  if (!report.buckets.length) return;
  const s = await openSession(session);
  try {
    for (const b of report.buckets) {
      if (opts.signal?.aborted) break;
      // A bucket that does not exist or could not be located has no objects to read.
      if (b.errors.some(e => e.call === 'GetBucketLocation' && ['NoSuchBucket', 'InvalidBucketName'].includes(e.code))) continue;
      b.objects = await auditObjects(s.s3(b.region ?? s.region), s, {
        bucket: b.name,
        maxObjects: opts.maxObjects ?? DEFAULT_MAX_OBJECTS,
        concurrency: opts.concurrency,
        requirement: { algorithms: requirements.sse, kmsKeyArns: requirements.kmsKeyArns },
        source: opts.source,
        signal: opts.signal,
        onProgress: opts.onProgress ? p => opts.onProgress!(b.name, p.scanned) : undefined,
      });
    }
  } finally {
    s.destroy();
  }
}

/** Objects that fail, or an audit that could not read everything, make the bucket fail `status`. */
export const objectsFail = (b: BucketPosture): boolean =>
  !!b.objects && (b.objects.nonCompliant > 0 || b.objects.errors.length > 0);

const t = (s: string, max = 300) => escapeTerminal(s, max);

/** One bucket's audit as text lines (indented under the bucket's name). */
export function formatObjectsText(name: string, a: ObjectsAudit, wide: boolean): string[] {
  const how =
    a.source === 'inventory' && a.inventory ? `inventory "${t(a.inventory.id, 60)}" of ${t(a.inventory.date, 30)}` : 'listing';
  const counts = ENCRYPTION_KINDS.filter(k => a.byEncryption[k]).map(k => `${k} ${a.byEncryption[k]}`);
  const keys = Object.entries(a.byKmsKey);
  const out = [
    `${t(name, 100)}: ${a.scanned} object${a.scanned === 1 ? '' : 's'} (${how}${a.complete ? '' : ', PARTIAL'}): ${counts.join(', ') || 'none'}` +
      `${a.nonCompliant ? `; ${a.nonCompliant} fail the requirements` : ''}`,
  ];
  if (keys.length)
    out.push(
      `  KMS keys: ${keys
        .slice(0, wide ? 50 : 5)
        .map(([k, n]) => `${t(wide ? k : shortKeyArn(k), 120)} ${n}`)
        .join(
          ', ',
        )}${!wide && keys.length > 5 ? `, … ${keys.length - 5} more` : ''}; Bucket Key on ${a.bucketKey.enabled}, off ${a.bucketKey.disabled}`,
    );
  for (const e of a.examples)
    out.push(`  ✗ ${t(e.key, 200)}: ${e.encryption}${e.kmsKey ? ` ${t(wide ? e.kmsKey : shortKeyArn(e.kmsKey), 120)}` : ''}`);
  for (const n of a.notes) out.push(`  note: ${t(n, 400)}`);
  for (const e of a.errors.slice(0, 5)) out.push(`  error: ${t(`${e.call}: ${e.code}: ${e.message}`, 400)}`);
  return out;
}

/** Every audited bucket, after the table. */
export function formatObjectsSection(report: PostureReport, wide: boolean): string {
  const audited = report.buckets.filter(b => b.objects);
  if (!audited.length) return '';
  return ['', 'Objects:', ...audited.flatMap(b => formatObjectsText(b.name, b.objects!, wide))].join('\n');
}
