// The verdict in words: one line for the CodeLens and the CLI, and a sentence per witness.
import type { BucketVerdict, UploadClass, Witness } from './types';

/**
 * How a value taken from a policy or a setting (a principal, an action, a resource, a key ARN, a
 * condition value) is written into a sentence: as it is for plain text, `escapeMarkdown` where the
 * sentence goes into Markdown. Our own words stay as they are either way.
 */
export type ShowValue = (value: string) => string;
const asIs: ShowValue = value => value;

const shortKey = (arn: string): string => {
  const id = arn.slice(arn.lastIndexOf('/') + 1);
  return id.length > 8 ? `…/${id.slice(-4)}` : arn;
};

function sseLine(v: BucketVerdict, show: ShowValue): string {
  const uploads = v.encryption.uploads;
  const open = uploads.filter(u => u.decision === 'not-denied' && u.sse !== 'none');
  const kmsKeys = [...new Set(open.map(u => u.kmsKey).filter((k): k is string => !!k && k !== 'other'))];
  const keys = (sep: string) => kmsKeys.map(k => show(shortKey(k))).join(sep);
  const withKey = kmsKeys.length ? ` with key ${keys(', ')}` : '';
  switch (v.encryption.summary) {
    case 'unrestricted': return 'SSE: not enforced';
    case 'encrypted-header-required': return 'SSE: any algorithm, header required';
    case 'sse-kms-only':
      // Uploads that name no key are allowed (the bucket's default key), but a named key must be the pinned one.
      return kmsKeys.length && !open.some(u => u.kmsKey === 'other') ? `SSE: only aws:kms, named key must be ${keys(' or ')}` : 'SSE: only aws:kms';
    case 'sse-kms-key-pinned': return `SSE: only aws:kms${withKey}`;
    case 'dsse-only': return `SSE: only aws:kms:dsse${withKey}`;
    case 'sse-s3-only': return 'SSE: only AES256';
    case 'mixed': {
      const allowed = [...new Set(open.map(u => u.sse))];
      if (allowed.length) return `SSE: ${allowed.join(' or ')} allowed`;
      return uploads.some(u => u.decision === 'not-denied') ? 'SSE: only uploads without a header' : 'SSE: every upload denied';
    }
  }
}

/** "HTTPS: enforced · SSE: only aws:kms with key …/1234 · TLS ≥ 1.2: not enforced" */
export function verdictSummary(v: BucketVerdict, wantedTls?: string | null, show: ShowValue = asIs): string {
  const https = v.transport.http === 'denied' ? 'HTTPS: enforced' : v.transport.http === 'partly-denied' ? 'HTTPS: partly enforced' : 'HTTPS: not enforced';
  const parts = [https, sseLine(v, show)];
  if (v.transport.minTlsVersion) parts.push(`TLS ≥ ${v.transport.minTlsVersion}: enforced`);
  else if (wantedTls) parts.push(`TLS ≥ ${show(wantedTls)}: not enforced`);
  if (!v.complete) parts.push('(incomplete: some statements could not be decided)');
  return parts.join(' · ');
}

const describePrincipal = (p: unknown, show: ShowValue): string =>
  p === 'anonymous' ? 'an anonymous caller' : typeof p === 'string' && p.includes(':') ? show(p) : `principal ${show(String(p))}`;

/** A witness in plain words: "an anonymous caller can call s3:ListBucket on arn:aws:s3:::b over HTTP". */
export function describeWitness(w: Witness, show: ShowValue = asIs): string {
  const extras: string[] = [];
  let transport: string | undefined;
  for (const [k, v] of Object.entries(w)) {
    if (k === 'principal' || k === 'action' || k === 'resource') continue;
    // Condition key names are case-insensitive: find aws:SecureTransport however it is spelt.
    if (k.toLowerCase() === 'aws:securetransport') transport = String(v);
    else extras.push(`${show(k)} = ${show(Array.isArray(v) ? v.join(', ') : String(v))}`);
  }
  const over = transport === 'false' ? ' over HTTP' : transport === 'true' ? ' over HTTPS' : '';
  return `${describePrincipal(w.principal, show)} can call ${show(String(w.action))} on ${show(String(w.resource))}${over}${extras.length ? ` (${extras.join(', ')})` : ''}`;
}

/** "uploads with aws:kms and key …/9999" */
export function describeUploadClass(u: UploadClass, show: ShowValue = asIs): string {
  if (u.sse === 'none') return 'uploads without an encryption header';
  if (u.sse === 'SSE-C') return 'uploads with customer-provided keys (SSE-C)';
  const key = u.kmsKey === null ? (u.sse === 'AES256' ? '' : ' and no key id') : u.kmsKey === 'other' ? ' and a key the policy does not name' : ` and key ${show(u.kmsKey)}`;
  return `uploads with ${u.sse}${key}`;
}
