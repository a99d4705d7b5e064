// The undo record of a bucket fix (aws/fix.ts, UndoRecord) as a file: written after a fix, read back
// by "Undo Last Change" (the CLI's `fix --undo`, the editor's command). The file may have been
// edited or replaced since, so reading it checks every field's type and size and refuses anything
// else with one line; a record never holds credentials.
import type { UndoRecord } from './fix';
import type { BucketSettings, EncryptionRule } from './fix-state';

/** A bucket policy is at most 20 KB on AWS; an S3-compatible store may allow more. */
const MAX_POLICY = 1024 * 1024;
/** An undo file is read at most this large. */
export const MAX_UNDO_FILE_BYTES = 4 * 1024 * 1024;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, max = 2048): v is string => typeof v === 'string' && v.length <= max;

function rules(v: unknown): EncryptionRule[] | null | undefined | false {
  if (v === undefined || v === null) return v;
  if (!Array.isArray(v) || v.length > 16) return false;
  const out: EncryptionRule[] = [];
  for (const r of v) {
    if (!isObj(r)) return false;
    const rule: EncryptionRule = {};
    const d = r.ApplyServerSideEncryptionByDefault;
    if (d !== undefined) {
      if (!isObj(d)) return false;
      if (d.SSEAlgorithm !== undefined && !str(d.SSEAlgorithm, 32)) return false;
      if (d.KMSMasterKeyID !== undefined && !str(d.KMSMasterKeyID)) return false;
      rule.ApplyServerSideEncryptionByDefault = {
        ...(d.SSEAlgorithm !== undefined ? { SSEAlgorithm: d.SSEAlgorithm as string } : {}),
        ...(d.KMSMasterKeyID !== undefined ? { KMSMasterKeyID: d.KMSMasterKeyID as string } : {}),
      };
    }
    if (r.BucketKeyEnabled !== undefined) {
      if (typeof r.BucketKeyEnabled !== 'boolean') return false;
      rule.BucketKeyEnabled = r.BucketKeyEnabled;
    }
    if (r.BlockedEncryptionTypes !== undefined) {
      const b = r.BlockedEncryptionTypes;
      if (
        !isObj(b) ||
        !Array.isArray(b.EncryptionType) ||
        b.EncryptionType.length > 8 ||
        !b.EncryptionType.every(t => str(t, 32))
      )
        return false;
      rule.BlockedEncryptionTypes = { EncryptionType: [...(b.EncryptionType as string[])] };
    }
    out.push(rule);
  }
  return out;
}

function settings(v: unknown): BucketSettings | null {
  if (!isObj(v)) return null;
  const out: BucketSettings = {};
  if ('encryption' in v) {
    const r = rules(v.encryption);
    if (r === false || r === undefined) return null;
    out.encryption = r;
  }
  if ('policy' in v) {
    if (v.policy !== null && !str(v.policy, MAX_POLICY)) return null;
    out.policy = v.policy as string | null;
  }
  if ('publicAccessBlock' in v) {
    const p = v.publicAccessBlock;
    if (p === null) out.publicAccessBlock = null;
    else {
      const names = ['blockPublicAcls', 'ignorePublicAcls', 'blockPublicPolicy', 'restrictPublicBuckets'] as const;
      if (!isObj(p) || !names.every(n => typeof p[n] === 'boolean')) return null;
      out.publicAccessBlock = {
        blockPublicAcls: p.blockPublicAcls as boolean,
        ignorePublicAcls: p.ignorePublicAcls as boolean,
        blockPublicPolicy: p.blockPublicPolicy as boolean,
        restrictPublicBuckets: p.restrictPublicBuckets as boolean,
      };
    }
  }
  if ('keyRotation' in v) {
    const k = v.keyRotation;
    if (
      !isObj(k) ||
      !str(k.keyArn) ||
      !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/.test(k.keyArn) ||
      typeof k.enabled !== 'boolean'
    )
      return null;
    out.keyRotation = { keyArn: k.keyArn, enabled: k.enabled };
  }
  return out;
}

/** The record in a file's text, or why it is not one. */
export function parseUndoRecord(text: string): { ok: true; record: UndoRecord } | { ok: false; message: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { ok: false, message: 'it is not JSON' };
  }
  if (!isObj(v) || v.version !== 1) return { ok: false, message: 'it is not an undo record of this tool (version 1)' };
  if (!str(v.bucket, 255) || !/^[A-Za-z0-9._-]{1,255}$/.test(v.bucket))
    return { ok: false, message: 'its bucket is not a bucket name' };
  if (!str(v.region, 64) || !/^[a-z0-9-]+$/.test(v.region)) return { ok: false, message: 'its region is not a region name' };
  if (v.endpoint !== null && !str(v.endpoint)) return { ok: false, message: 'its endpoint is not a URL' };
  if (!str(v.time, 64)) return { ok: false, message: 'it has no time' };
  const previous = settings(v.previous);
  const applied = settings(v.applied);
  if (!previous || !applied) return { ok: false, message: 'its settings are not the settings a fix keeps' };
  return {
    ok: true,
    record: {
      version: 1,
      bucket: v.bucket,
      region: v.region,
      endpoint: v.endpoint as string | null,
      time: v.time,
      previous,
      applied,
    },
  };
}
