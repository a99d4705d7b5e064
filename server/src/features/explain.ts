// "S3 Encryption: Explain Enforcement": a readable Markdown report of every request class, its
// decision and the deciding statements, built from the cached analysis. The file name and every
// value from the policy (Sids, principals, actions, ARNs, condition values) go in through
// escapeMarkdown (text, table cells: pipes too) or markdownCode (inline code), never as they are.
import { verdictSummary } from '../engine/summary';
import { describeUploadClass, requestClause } from '../engine/wording';
import { explainKeyRequests, keyVerdictSummary } from '../engine/key-verdict';
import type { KeyPolicyVerdict } from '../engine/types';
import { explainRequests, type ExplainedRequest } from '../engine/verdict';
import type { PolicyDocument } from '../policy/model';
import { escapeMarkdown, markdownCode } from '../text/escape';
import type { DocumentAnalysis } from './documentAnalysis';
import { uriPath } from './documentAnalysis';

const MAX_ROWS = 2000;

export function explainReport(a: DocumentAnalysis, bucket?: string, wantedTls?: string | null): string {
  const file = escapeMarkdown(uriPath(a.uri).split('/').pop() ?? a.uri);
  const doc = a.analysis.doc;
  const verdicts = (a.analysis.verdicts ?? []).filter(v => !bucket || v.bucket === bucket);
  if (a.analysis.kind.kind === 'key-policy' && doc && a.analysis.keyVerdict) return keyReport(file, doc, a.analysis.keyVerdict);
  if (a.analysis.kind.kind !== 'bucket-policy' || !doc) {
    return `# Enforcement: ${file}\n\nThis file is checked as ${a.analysis.kind.kind} (${escapeMarkdown(a.analysis.kind.reason)}). The enforcement report is for S3 bucket policies and KMS key policies.\n`;
  }
  if (!verdicts.length) {
    return `# Enforcement: ${file}\n\nThe policy names no bucket in its Resource ARNs, so there is nothing to evaluate. Add "arn:aws:s3:::BUCKET" and "arn:aws:s3:::BUCKET/*", or set s3EncryptionGuard.bucketName.\n`;
  }
  const out: string[] = [`# Enforcement: ${file}`, ''];
  for (const v of verdicts) {
    out.push(`## Bucket ${markdownCode(v.bucket)}`, '', `**${verdictSummary(v, wantedTls, escapeMarkdown)}**`, '');
    if (!v.complete) out.push('_Some statements could not be decided (policy variables, unknown operators or a syntax error); decisions assume they do not apply._', '');
    if (v.transport.witness) out.push(`- HTTP: ${v.transport.http}. For example, ${requestClause(v.transport.witness, 'not-denied', escapeMarkdown)}.`);
    else out.push(`- HTTP: ${v.transport.http}.`);
    out.push(`- Lowest TLS version that gets through: ${v.transport.minTlsVersion ?? '1.0 (no minimum)'}.`);
    for (const u of v.encryption.uploads) {
      out.push(`- ${describeUploadClass(u, escapeMarkdown)}: ${u.decision}${u.witness ? ` (for example, ${requestClause(u.witness, 'not-denied', escapeMarkdown)})` : ''}.`);
    }
    requestTable(out, explainRequests(doc, v.bucket, { maxRequests: MAX_ROWS + 1 }));
  }
  return out.join('\n');
}

function requestTable(out: string[], requests: readonly ExplainedRequest[]): void {
  out.push('', '| decision | principal | action | resource | context | decided by |', '|---|---|---|---|---|---|');
  for (const r of requests.slice(0, MAX_ROWS)) {
    const { principal, action, resource, ...context } = r.request;
    const ctx = Object.entries(context).map(([k, val]) => `${k}=${Array.isArray(val) ? val.join(', ') : String(val)}`).join('; ');
    const by = r.statements.map(s => (typeof s === 'number' ? `statement ${s + 1}` : s)).join(', ');
    out.push(`| ${r.decision} | ${escapeMarkdown(String(principal))} | ${escapeMarkdown(String(action))} | ${escapeMarkdown(String(resource))} | ${escapeMarkdown(ctx, 2000)} | ${escapeMarkdown(by)} |`);
  }
  if (requests.length > MAX_ROWS) out.push('', `_Only the first ${MAX_ROWS} request classes are listed; \`s3-encryption-guard explain --format json\` lists them all._`);
  out.push('');
}

function keyReport(file: string, doc: PolicyDocument, v: KeyPolicyVerdict): string {
  const out: string[] = [`# Key policy: ${file}`, '', `**${keyVerdictSummary(v, escapeMarkdown)}**`, ''];
  if (!v.complete) out.push('_Some statements could not be decided (policy variables, unknown operators or a syntax error); decisions assume they do not apply._', '');
  out.push(v.lockout
    ? '- Administrators: **none**. No principal can call kms:PutKeyPolicy, so nobody could ever change this policy again (only AWS Support can help). Keep the account root statement (KMS-001).'
    : `- Administrators (can call kms:PutKeyPolicy): ${v.administrators.map(p => markdownCode(p)).join(', ')}.`);
  out.push(v.openToOtherAccounts.value
    ? `- Open to other accounts: **yes**, for example, ${requestClause({ ...v.openToOtherAccounts.witness!, resource: 'this key' }, 'allowed', escapeMarkdown, 'the key policy')}.`
    : '- Open to other accounts: no.');
  out.push(v.openToAnonymous.value
    ? `- Open to anonymous callers: **yes**, for example, ${requestClause({ ...v.openToAnonymous.witness!, resource: 'this key' }, 'allowed', escapeMarkdown, 'the key policy')}.`
    : '- Open to anonymous callers: no.');
  out.push(v.s3CanUse.value
    ? `- S3 can use the key for uploads and downloads (kms:GenerateDataKey and kms:Decrypt through ${escapeMarkdown(String(v.s3CanUse.viaService))}).`
    : '- S3 **cannot** use the key: no principal of the accounts the policy names is allowed both kms:GenerateDataKey and kms:Decrypt through S3, so SSE-KMS uploads and downloads with this key fail (KMS-005).');
  requestTable(out, explainKeyRequests(doc, { maxRequests: MAX_ROWS + 1 }));
  return out.join('\n');
}
