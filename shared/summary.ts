// The verdict in words: one line for the CodeLens and the CLI, and a sentence per witness.
import type { BucketVerdict, KeyPolicyVerdict } from './types';
import { asIs, shortKeyArn, type ShowValue } from './wording';

export type { ShowValue } from './wording';

function sseLine(v: BucketVerdict, show: ShowValue): string {
  const uploads = v.encryption.uploads;
  const open = uploads.filter(u => u.decision === 'not-denied' && u.sse !== 'none');
  const kmsKeys = [...new Set(open.map(u => u.kmsKey).filter((k): k is string => !!k && k !== 'other'))];
  const keys = (sep: string) => kmsKeys.map(k => show(shortKeyArn(k))).join(sep);
  const withKey = kmsKeys.length ? ` with key ${keys(', ')}` : '';
  switch (v.encryption.summary) {
    case 'unrestricted':
      return 'SSE: not enforced';
    case 'encrypted-header-required':
      return 'SSE: any algorithm, header required';
    case 'sse-kms-only':
      // Uploads that name no key are allowed (the bucket's default key), but a named key must be the pinned one.
      return kmsKeys.length && !open.some(u => u.kmsKey === 'other')
        ? `SSE: only aws:kms, named key must be ${keys(' or ')}`
        : 'SSE: only aws:kms';
    case 'sse-kms-key-pinned':
      return `SSE: only aws:kms${withKey}`;
    case 'dsse-only':
      return `SSE: only aws:kms:dsse${withKey}`;
    case 'sse-s3-only':
      return 'SSE: only AES256';
    case 'mixed': {
      const allowed = [...new Set(open.map(u => u.sse))];
      if (allowed.length) return `SSE: ${allowed.join(' or ')} allowed`;
      return uploads.some(u => u.decision === 'not-denied') ? 'SSE: only uploads without a header' : 'SSE: every upload denied';
    }
  }
}

/** "HTTPS: enforced · SSE: only aws:kms with key …/1234 · TLS ≥ 1.2: not enforced" */
export function verdictSummary(v: BucketVerdict, wantedTls?: string | null, show: ShowValue = asIs): string {
  const https =
    v.transport.http === 'denied'
      ? 'HTTPS: enforced'
      : v.transport.http === 'partly-denied'
        ? 'HTTPS: partly enforced'
        : 'HTTPS: not enforced';
  const parts = [https, sseLine(v, show)];
  if (v.transport.minTlsVersion) parts.push(`TLS ≥ ${v.transport.minTlsVersion}: enforced`);
  else if (wantedTls) parts.push(`TLS ≥ ${show(wantedTls)}: not enforced`);
  if (!v.complete) parts.push('(incomplete: some statements could not be decided)');
  return parts.join(' · ');
}

/** One line for the CodeLens and the status bar; `show` writes the principal and service taken from the policy (escapeMarkdown for Markdown). */
export function keyVerdictSummary(v: KeyPolicyVerdict, show: ShowValue = value => value): string {
  const parts: string[] = [];
  parts.push(
    v.lockout
      ? 'Admins: none (lock-out)'
      : `Admins: ${v.administrators.length === 1 ? show(shortPrincipal(v.administrators[0])) : `${v.administrators.length} principals`}`,
  );
  parts.push(
    v.openToAnonymous.value
      ? 'Open to anonymous callers'
      : v.openToOtherAccounts.value
        ? 'Open to other accounts'
        : v.openToOrganization?.value
          ? `Open to organisation ${v.openToOrganization.organizations.join(', ') || 'it names'} (every account in it)`
          : 'Not open to other accounts',
  );
  parts.push(v.s3CanUse.value ? `S3 can use it (${show(String(v.s3CanUse.viaService))})` : 'S3 cannot use it');
  if (!v.complete) parts.push('incomplete');
  return parts.join(' · ');
}

function shortPrincipal(p: string): string {
  const m = /^arn:[^:]+:iam::(\d{12}):root$/.exec(p);
  if (m) return `account ${m[1]}`;
  return p.replace(/^arn:[^:]+:iam::\d{12}:/, '');
}
