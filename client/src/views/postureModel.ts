// The live view's tree as plain data: profile → region → bucket → facts, each with a pass / warn /
// fail state, a one-line description and a Markdown tooltip. Built from a PostureReport (the
// backend's, client/src/aws/posture.ts) so it can be tested without VS Code; postureTree.ts turns
// the nodes into TreeItems. A failed AWS call shows on the fact it concerns (issue 6: "no
// permission to read the policy is a fact, not a crash"). Tooltips are Markdown: every bucket
// name, key ARN, region, error code and message from the endpoint, and every sentence that holds
// one, goes in through escapeMarkdown or markdownCode. Labels and descriptions are plain text
// (uiText.ts makes them one line when they are shown).
import { verdictSummary } from '../../../server/src/engine/summary';
import { describeUploadClass, requestClause, shortKeyArn, type Outcome } from '../../../server/src/engine/wording';
import { escapeMarkdown, markdownCode } from '../../../server/src/text/escape';
import type { BucketVerdict, KeyPolicyVerdict, Witness } from '../../../server/src/engine/types';
import { keyVerdictSummary } from '../../../server/src/engine/key-verdict';
import type { BucketPosture, CallError, KmsKeyPosture, PostureCheck, PostureReport } from '../aws/types';

/** `info`: a fact with no judgement (e.g. Bucket Key under SSE-S3). */
export type Status = 'pass' | 'warn' | 'fail' | 'info';

export type NodeKind = 'profile' | 'region' | 'bucket' | 'policy' | 'key' | 'fact' | 'error';

export interface PostureNode {
  /** Stable across refreshes (TreeItem.id keeps the expansion state). */
  id: string;
  kind: NodeKind;
  label: string;
  description?: string;
  status: Status;
  /** Markdown. */
  tooltip?: string;
  bucket?: string;
  region?: string | null;
  keyArn?: string;
  children: PostureNode[];
}

/** How the tree names where it looked: `default`, `prod`, `demo endpoint http://127.0.0.1:4510`. */
export interface ConnectionLabel {
  profile?: string;
  endpoint?: string;
  /** The endpoint is the local demo emulator `npm start` runs. */
  demo?: boolean;
}

/** The report as the backend fills it (errors before any bucket is known, e.g. ListBuckets denied). */
export type Report = PostureReport & { errors?: CallError[] };

const RANK: Record<Status, number> = { info: 0, pass: 1, warn: 2, fail: 3 };
/** The worst state among the nodes (info does not count; none → info). */
export function worst(nodes: readonly { status: Status }[]): Status {
  let w: Status = 'info';
  for (const n of nodes) if (RANK[n.status] > RANK[w]) w = n.status;
  return w;
}

/** The key ID (or alias name) at the end of a KMS key ARN or alias ARN. */
export const keyIdOf = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);
export const shortKey = shortKeyArn;
/** A bucket policy's witness is not denied by it; a key policy's is allowed by it. */
const witnessLine = (w: Witness | null | undefined, outcome: Outcome = 'not-denied', policy?: string): string =>
  (w ? `\n\nFor example, ${requestClause(w, outcome, escapeMarkdown, policy)}.` : '');

/** Which fact a failed call belongs to. */
type Topic = 'encryption' | 'policy' | 'publicAccess' | 'keyState' | 'keyRotation' | 'keyPolicy' | 'location' | 'other';
function topicOf(call: string): Topic {
  const c = call.replace(/^(s3|kms):/i, '').toLowerCase();
  if (c.includes('encryption')) return 'encryption';
  if (c === 'getbucketpolicy' || c === 'getbucketpolicystatus' || c === 'analyze bucket policy') return 'policy';
  if (c.includes('publicaccessblock')) return 'publicAccess';
  if (c === 'describekey') return 'keyState';
  if (c.includes('rotation')) return 'keyRotation';
  if (c === 'getkeypolicy' || c === 'analyze key policy') return 'keyPolicy';
  if (c.includes('location')) return 'location';
  return 'other';
}

function errorNode(id: string, what: string, e: CallError): PostureNode {
  return {
    id,
    kind: 'error',
    label: what,
    description: `${e.code}: ${e.message}`,
    // A permission or transport problem: the fact is unknown, not failed.
    status: 'warn',
    tooltip: `**${escapeMarkdown(what)}**: ${e.call} failed with ${markdownCode(e.code)}\n\n${escapeMarkdown(e.message)}${hint(e)}`,
    children: [],
  };
}

function hint(e: CallError): string {
  if (/AccessDenied|Forbidden|UnauthorizedOperation/i.test(e.code)) return `\n\nThe credentials in use may not call ${markdownCode(e.call)}; grant it (read-only) to see this fact.`;
  if (/Throttl|SlowDown|TooManyRequests/i.test(e.code)) return '\n\nAWS throttled the request; lower s3EncryptionGuard.aws.concurrency or refresh later.';
  if (/Timeout|ETIMEDOUT/i.test(e.code)) return '\n\nNo answer in time; raise s3EncryptionGuard.aws.timeoutMs or check the network.';
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|NetworkingError/i.test(e.code)) return '\n\nThe endpoint could not be reached; check s3EncryptionGuard.aws.endpoint and the network.';
  return '';
}

function fact(id: string, label: string, status: Status, description: string, tooltip?: string, kind: NodeKind = 'fact'): PostureNode {
  return { id, kind, label, status, description, tooltip: tooltip ?? `**${escapeMarkdown(label)}**: ${escapeMarkdown(description)}`, children: [] };
}

function encryptionFacts(b: BucketPosture, id: string, errors: CallError[]): PostureNode[] {
  const err = errors.find(e => topicOf(e.call) === 'encryption');
  if (err) return [errorNode(`${id}/encryption`, 'Default encryption', err)];
  const d = b.defaultEncryption;
  if (!d) return [fact(`${id}/encryption`, 'Default encryption', 'info', 'not read')];
  const out: PostureNode[] = [];
  if (d.algorithm === null) {
    out.push(fact(`${id}/encryption`, 'Default encryption', 'fail', 'none',
      '**Default encryption**: none configured. New objects uploaded without an encryption header are stored unencrypted by this endpoint. Configure SSE-KMS (or at least SSE-S3) as the bucket\'s default encryption.'));
    return out;
  }
  const name = d.algorithm === 'AES256' ? 'SSE-S3 (AES256)' : d.algorithm === 'aws:kms' ? 'SSE-KMS' : 'DSSE-KMS';
  const key = d.kmsKeyId ? `, key ${shortKey(d.kmsKeyId)}` : d.algorithm !== 'AES256' ? ', AWS managed key aws/s3' : '';
  out.push(fact(`${id}/encryption`, 'Default encryption', 'pass', `${name}${key}`,
    `**Default encryption**: ${name}${d.kmsKeyId ? ` with key ${markdownCode(d.kmsKeyId)}` : ''}`));
  if (d.algorithm === 'AES256') {
    out.push(fact(`${id}/bucketKey`, 'Bucket Key', 'info', 'not applicable (SSE-S3)'));
  } else {
    out.push(d.bucketKeyEnabled
      ? fact(`${id}/bucketKey`, 'Bucket Key', 'pass', 'enabled')
      : fact(`${id}/bucketKey`, 'Bucket Key', 'warn', 'disabled',
        '**Bucket Key**: disabled. Every object operation calls KMS, which costs more and can be throttled; enable the S3 Bucket Key in the default encryption settings.'));
  }
  return out;
}

/** HTTPS, SSE and TLS facts of a bucket policy's verdict. */
export function verdictFacts(v: BucketVerdict, id: string, wantedTls?: string | null): PostureNode[] {
  const https = v.transport.http === 'denied'
    ? fact(`${id}/https`, 'HTTPS', 'pass', 'enforced: every HTTP request is denied')
    : fact(`${id}/https`, 'HTTPS', 'fail', v.transport.http === 'partly-denied' ? 'partly enforced' : 'not enforced',
      `**HTTPS**: ${v.transport.http === 'partly-denied' ? 'some' : 'no'} requests over HTTP are denied.${witnessLine(v.transport.witness)}\n\nAdd a Deny for \`"aws:SecureTransport": "false"\` on the bucket and its objects.`);
  const open = v.encryption.uploads.filter(u => u.decision === 'not-denied');
  const sseText = verdictSummary(v).split(' · ').find(p => p.startsWith('SSE:'))?.slice(5) ?? v.encryption.summary;
  const sseTip = `**SSE**: ${escapeMarkdown(sseText)}${open.length ? `\n\nNot denied:\n${open.map(u => `- ${describeUploadClass(u, escapeMarkdown)}`).join('\n')}` : ''}` +
    (open[0]?.witness ? witnessLine(open[0].witness) : '');
  const sse = v.encryption.summary === 'unrestricted'
    ? fact(`${id}/sse`, 'SSE', 'warn', 'not enforced by the policy (default encryption applies)', sseTip)
    : fact(`${id}/sse`, 'SSE', 'pass', sseText, sseTip);
  const tls = v.transport.minTlsVersion
    ? fact(`${id}/tls`, 'TLS', 'pass', `≥ ${v.transport.minTlsVersion} enforced`)
    : wantedTls
      ? fact(`${id}/tls`, 'TLS', 'fail', `≥ ${wantedTls} not enforced`, `**TLS**: requests with TLS below ${escapeMarkdown(wantedTls)} are not denied (setting s3EncryptionGuard.requirements.minTlsVersion). Add a Deny on \`s3:TlsVersion\` \`NumericLessThan\` ${escapeMarkdown(wantedTls)}.`)
      : fact(`${id}/tls`, 'TLS', 'info', 'no minimum version');
  return [https, sse, tls];
}

function policyNode(b: BucketPosture, id: string, errors: CallError[], wantedTls?: string | null): PostureNode {
  const pid = `${id}/policy`;
  const err = errors.find(e => topicOf(e.call) === 'policy');
  if (err) return { ...errorNode(pid, 'Bucket policy', err), bucket: b.name, region: b.region };
  const base = { id: pid, kind: 'policy' as const, label: 'Bucket policy', bucket: b.name, region: b.region };
  if (b.policy.present === false) {
    return {
      ...base,
      status: 'fail',
      description: 'none: HTTP not denied',
      tooltip: '**Bucket policy**: none. Nothing denies requests over HTTP. Attach a policy with a Deny on `"aws:SecureTransport": "false"` for the bucket and its objects.',
      children: [],
    };
  }
  if (b.policy.present === null) return { ...base, kind: 'fact', status: 'info', description: 'not read', children: [] };
  const v = b.policy.verdict;
  if (!v) {
    return { ...base, status: 'warn', description: 'present; verdict unavailable', tooltip: '**Bucket policy**: present, but the language server could not judge it (see the "S3 Encryption Guard" output). Open it to see its diagnostics.', children: [] };
  }
  const children = verdictFacts(v, pid, wantedTls);
  const summary = verdictSummary(v, wantedTls);
  return {
    ...base,
    status: worst(children),
    description: summary,
    tooltip: `**Bucket policy** of ${markdownCode(b.name)}\n\n${escapeMarkdown(summary)}${v.complete ? '' : '\n\n_Some statements could not be decided._'}`,
    children,
  };
}

function publicAccessNode(b: BucketPosture, id: string, errors: CallError[]): PostureNode {
  const err = errors.find(e => topicOf(e.call) === 'publicAccess');
  if (err) return errorNode(`${id}/bpa`, 'Block Public Access', err);
  const p = b.publicAccessBlock;
  if (!p) {
    return fact(`${id}/bpa`, 'Block Public Access', 'warn', 'not configured on the bucket',
      '**Block Public Access**: the bucket has no Block Public Access configuration (the account-level setting may still apply). Turn on all four settings unless the bucket must be public.');
  }
  const off = (Object.entries(p) as [string, boolean][]).filter(([, on]) => !on).map(([k]) => k);
  return off.length === 0
    ? fact(`${id}/bpa`, 'Block Public Access', 'pass', 'all four settings on')
    : fact(`${id}/bpa`, 'Block Public Access', 'warn', `off: ${off.join(', ')}`, `**Block Public Access**: ${off.map(s => markdownCode(s)).join(', ')} ${off.length === 1 ? 'is' : 'are'} off.`);
}

function keyNode(b: BucketPosture, k: KmsKeyPosture, id: string, errors: CallError[]): PostureNode {
  const kid = `${id}/key`;
  const keyErrors = errors.filter(e => ['keyState', 'keyRotation', 'keyPolicy'].includes(topicOf(e.call)));
  const errFor = (t: Topic): CallError | undefined => keyErrors.find(e => topicOf(e.call) === t);
  const children: PostureNode[] = [];

  const stateErr = errFor('keyState');
  if (stateErr) children.push(errorNode(`${kid}/state`, 'Key state', stateErr));
  else if (k.state !== null) {
    children.push(k.state === 'Enabled'
      ? fact(`${kid}/state`, 'State', 'pass', 'Enabled')
      : fact(`${kid}/state`, 'State', 'fail', k.state, `**State**: ${escapeMarkdown(k.state)}. S3 cannot encrypt or decrypt objects with a key that is not enabled: uploads that use it fail.`));
  }
  const rotErr = errFor('keyRotation');
  if (rotErr) children.push(errorNode(`${kid}/rotation`, 'Rotation', rotErr));
  else if (k.rotation !== null) {
    children.push(k.rotation
      ? fact(`${kid}/rotation`, 'Rotation', 'pass', 'automatic rotation on')
      : fact(`${kid}/rotation`, 'Rotation', 'warn', 'off', '**Rotation**: automatic key rotation is off. Turn it on (EnableKeyRotation) unless you rotate the key yourself.'));
  }
  if (!stateErr && k.keySpec !== null) {
    children.push(k.keySpec === 'SYMMETRIC_DEFAULT'
      ? fact(`${kid}/spec`, 'Key spec', 'pass', 'SYMMETRIC_DEFAULT')
      : fact(`${kid}/spec`, 'Key spec', 'fail', k.keySpec, `**Key spec**: ${escapeMarkdown(k.keySpec)}. S3 supports only symmetric encryption KMS keys; use a SYMMETRIC_DEFAULT key.`));
  }
  if (k.region !== null) {
    const same = !b.region || k.region === b.region;
    children.push(same
      ? fact(`${kid}/region`, 'Region', 'pass', k.region)
      : fact(`${kid}/region`, 'Region', 'fail', `${k.region}, bucket in ${b.region}`, `**Region**: the key is in ${markdownCode(k.region)} but the bucket is in ${markdownCode(String(b.region))}. S3 needs a key in the bucket's region.`));
  }
  const polErr = errFor('keyPolicy');
  if (polErr) children.push(errorNode(`${kid}/policy`, 'Key policy', polErr));
  else if (k.policyVerdict) children.push(keyPolicyFact(k.policyVerdict, `${kid}/policy`));
  else children.push(fact(`${kid}/policy`, 'Key policy', 'info', 'not judged'));
  const status = worst(children);
  return {
    id: kid,
    kind: 'key',
    label: 'KMS key',
    description: shortKey(k.arn),
    status,
    tooltip: `**KMS key** ${markdownCode(k.arn)}\n\n${children.map(c => `- ${escapeMarkdown(c.label)}: ${escapeMarkdown(c.description ?? '')}`).join('\n')}`,
    bucket: b.name,
    region: b.region,
    keyArn: k.arn,
    children,
  };
}

/** pass / warn / fail of a key policy for use by S3 (the tree and the status bar agree). */
export function keyVerdictStatus(v: KeyPolicyVerdict): 'pass' | 'warn' | 'fail' {
  if (v.openToAnonymous.value || v.openToOtherAccounts.value || !v.s3CanUse.value) return 'fail';
  if (v.lockout || !v.complete) return 'warn';
  return 'pass';
}

function keyPolicyFact(v: KeyPolicyVerdict, id: string): PostureNode {
  const summary = keyVerdictSummary(v);
  const witness = v.openToAnonymous.value ? v.openToAnonymous.witness : v.openToOtherAccounts.value ? v.openToOtherAccounts.witness
    : v.openToOrganization?.value ? v.openToOrganization.witness : null;
  const lines = [
    `**Key policy**: ${escapeMarkdown(summary)}`,
    v.administrators.length ? `Administrators (kms:PutKeyPolicy): ${v.administrators.map(s => markdownCode(s)).join(', ')}` : '',
    v.s3CanUse.value ? `S3 can use it${v.s3CanUse.viaService ? ` via ${markdownCode(v.s3CanUse.viaService)}` : ''}.` : 'No principal of the account is allowed kms:GenerateDataKey and kms:Decrypt through S3: SSE-KMS uploads with this key fail.',
  ].filter(Boolean);
  return { ...fact(id, 'Key policy', keyVerdictStatus(v), summary, lines.join('\n\n') + witnessLine(witness, 'allowed', 'the key policy')), kind: 'fact' };
}

/**
 * Which facts the backend's checks (client/src/aws/checks.ts, the same ones `status` prints) judge,
 * by the fact's id suffix. Their status wins over the fact's own (they know the user's requirements)
 * and their message joins the tooltip; the other checks (key-mismatch, default-key-required…) are
 * true cross-checks and get nodes of their own.
 */
const CHECKS_BY_FACT: Record<string, readonly string[]> = {
  '/encryption': ['default-encryption'],
  '/policy/https': ['https'],
  '/policy/tls': ['min-tls'],
  '/policy/sse': ['sse-enforced', 'sse-required', 'kms-key-required', 'headerless-uploads'],
  '/bpa': ['public-access-block'],
  '/key/state': ['kms-state'],
  '/key/spec': ['kms-key-spec'],
  '/key/rotation': ['kms-rotation'],
  '/key/region': ['kms-region'],
  '/key/policy': ['kms-s3-use', 'kms-key-open'],
};
const CROSS_CHECK_LABELS: Record<string, string> = {
  'key-mismatch': 'Pinned key vs default key',
  'default-key-required': 'Default key vs required keys',
};
/** Without a policy there are no HTTPS/SSE/TLS facts: the policy node takes their checks. */
const NO_POLICY_CHECKS = ['https', 'min-tls', 'sse-enforced', 'sse-required', 'kms-key-required', 'headerless-uploads'];

function applyChecks(nodes: PostureNode[], bucketId: string, checks: readonly PostureCheck[], used: Set<string>): void {
  for (const n of nodes) {
    applyChecks(n.children, bucketId, checks, used);
    if (n.kind === 'error') continue;
    const suffix = n.id.slice(bucketId.length);
    const ids = suffix === '/policy' && n.children.length === 0 ? NO_POLICY_CHECKS : CHECKS_BY_FACT[suffix];
    const mine = ids ? checks.filter(c => ids.includes(c.id)) : [];
    if (mine.length) {
      for (const c of mine) used.add(c.id);
      n.status = worst(mine);
      n.tooltip = `${n.tooltip ?? `**${escapeMarkdown(n.label)}**`}\n\n${mine.map(c => `${c.status === 'pass' ? '✓' : c.status === 'warn' ? '⚠' : '✗'} ${escapeMarkdown(c.message, 1000)}`).join('\n\n')}`;
    } else if (n.children.length && (n.kind === 'policy' || n.kind === 'key')) {
      n.status = worst(n.children);
    }
  }
}

/** The facts under one bucket. */
export function bucketFacts(b: BucketPosture, id: string, wantedTls?: string | null): PostureNode[] {
  const errors = b.errors ?? [];
  const out: PostureNode[] = [...encryptionFacts(b, id, errors), policyNode(b, id, errors, wantedTls), publicAccessNode(b, id, errors)];
  if (b.kmsKey) out.push(keyNode(b, b.kmsKey, id, errors));
  else {
    const keyErr = errors.find(e => ['keyState', 'keyRotation', 'keyPolicy'].includes(topicOf(e.call)));
    if (keyErr) out.push(errorNode(`${id}/key`, 'KMS key', keyErr));
  }
  const used = new Set<string>();
  applyChecks(out, id, b.checks ?? [], used);
  for (const c of b.checks ?? []) {
    if (used.has(c.id)) continue;
    const label = CROSS_CHECK_LABELS[c.id] ?? c.id;
    out.push(fact(`${id}/check/${c.id}`, label, c.status, c.message, `**${escapeMarkdown(label)}** (${markdownCode(c.id)}): ${escapeMarkdown(c.message, 1000)}`));
  }
  errors.filter(e => topicOf(e.call) === 'other' || topicOf(e.call) === 'location').forEach((e, i) => out.push(errorNode(`${id}/error/${i}`, e.call, e)));
  return out;
}

export function bucketNode(b: BucketPosture, parentId: string, wantedTls?: string | null): PostureNode {
  const id = `${parentId}/${b.name}`;
  const children = bucketFacts(b, id, wantedTls);
  const status = worst(children);
  const problems = children.filter(c => c.status === 'fail' || c.status === 'warn');
  const policy = children.find(c => c.kind === 'policy');
  return {
    id,
    kind: 'bucket',
    label: b.name,
    description: status === 'pass' ? 'ok' : `${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}`,
    status,
    tooltip: `**${escapeMarkdown(b.name)}** (${b.region ? escapeMarkdown(b.region) : 'region unknown'})${policy?.description ? `\n\n${escapeMarkdown(policy.description)}` : ''}` +
      (problems.length ? `\n\n${problems.map(p => `- ${p.status === 'fail' ? '✗' : '⚠'} ${escapeMarkdown(p.label)}: ${escapeMarkdown(p.description ?? '')}`).join('\n')}` : ''),
    bucket: b.name,
    region: b.region,
    children,
  };
}

export interface TreeOptions {
  connection: ConnectionLabel;
  /** Case-insensitive substring of bucket names; empty: all. */
  filter?: string;
  /** From s3EncryptionGuard.requirements.minTlsVersion: a missing TLS minimum then fails. */
  wantedTls?: string | null;
}

/** The profile node: which credentials, and where they go (the demo endpoint of `npm start` says so first). */
export function connectionText(c: ConnectionLabel): { label: string; description: string } {
  const who = c.profile ? `profile ${c.profile}` : 'default credentials';
  if (c.endpoint && c.demo) return { label: `demo endpoint ${c.endpoint}`, description: `made-up buckets, not AWS · ${who}` };
  return { label: who, description: c.endpoint ? `endpoint ${c.endpoint}` : 'AWS' };
}

/** The whole tree: one profile node with regions, buckets and facts; report-level errors under the profile. */
export function postureTree(report: Report, opts: TreeOptions): PostureNode {
  const filter = opts.filter?.trim().toLowerCase();
  const { label, description } = connectionText(opts.connection);
  const pid = `p:${opts.connection.profile ?? ''}@${opts.connection.endpoint ?? 'aws'}`;
  const buckets = report.buckets.filter(b => !filter || b.name.toLowerCase().includes(filter));
  const byRegion = new Map<string, BucketPosture[]>();
  for (const b of buckets) {
    const r = b.region ?? 'region unknown';
    byRegion.set(r, [...(byRegion.get(r) ?? []), b]);
  }
  const regions: PostureNode[] = [...byRegion.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([region, list]) => {
    const rid = `${pid}/${region}`;
    const children = list.sort((a, b) => a.name.localeCompare(b.name)).map(b => bucketNode(b, rid, opts.wantedTls));
    const failing = children.filter(c => c.status === 'fail').length;
    return {
      id: rid,
      kind: 'region',
      label: region,
      description: `${children.length} bucket${children.length === 1 ? '' : 's'}${failing ? `, ${failing} failing` : ''}`,
      status: worst(children),
      region,
      children,
    };
  });
  const errors = (report.errors ?? []).map((e, i) => errorNode(`${pid}/error/${i}`, e.call, e));
  const children = [...errors, ...regions];
  return {
    id: pid,
    kind: 'profile',
    label,
    description,
    status: worst(children),
    tooltip: `**${escapeMarkdown(label)}** · ${escapeMarkdown(description)}${opts.connection.demo ? '\n\nA local demo endpoint (`npm start`) with made-up buckets, not an AWS account.' : ''}`,
    children,
  };
}

/** The bucket's ARN in its partition (aws-cn, aws-us-gov from the region). */
export function bucketArn(bucket: string, region?: string | null): string {
  const partition = region?.startsWith('cn-') ? 'aws-cn' : region?.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return `arn:${partition}:s3:::${bucket}`;
}
