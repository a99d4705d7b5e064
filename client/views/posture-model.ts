// The live view's tree as plain data: profile → region → bucket → checks, each with a pass / warn /
// fail state, a one-line description and a Markdown tooltip. Built from a PostureReport (the
// backend's, aws/posture.ts) so it can be tested without VS Code; posture-tree.ts turns
// the nodes into TreeItems. A bucket's nodes are its checks (aws/checks.ts, the list
// `status` prints), grouped under its bucket policy and its KMS key. A failed AWS call shows on the
// fact it concerns (issue 6: "no permission to read the policy is a fact, not a crash"). Tooltips
// are Markdown: every bucket name, key ARN, region, error code and message from the endpoint, and
// every sentence that holds one, goes in through escapeMarkdown or markdownCode. Labels and
// descriptions are plain text (ui-text.ts makes them one line when they are shown).
import { verdictSummary, keyVerdictSummary } from '../../shared/summary';
import { shortKeyArn } from '../../shared/wording';
import { escapeMarkdown, markdownCode } from '../../shared/escape';
import { CHECKS, type CheckGroup } from '../../aws/checks';
import type { BucketPosture, CallError, PostureCheck, PostureReport } from '../../aws/types';

/** `info`: a node with no judgement of its own (a region with no bucket, a policy that was not read). */
export type Status = 'pass' | 'warn' | 'fail' | 'info';

export type NodeKind =
  'profile' | 'region' | 'bucket' | 'policy' | 'key' | 'check' | 'error' | 'objects' | 'objectsDetail' | 'jobs' | 'job';

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
  /** A check's ID (aws/checks.ts), on the check's node. */
  checkId?: string;
  /** A Batch Operations job's ID, on the job's node (jobs-model.ts). */
  jobId?: string;
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

export const shortKey = shortKeyArn;

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
  if (/AccessDenied|Forbidden|UnauthorizedOperation/i.test(e.code))
    return `\n\nThe credentials in use may not call ${markdownCode(e.call)}; grant it (read-only) to see this fact.`;
  if (/Throttl|SlowDown|TooManyRequests/i.test(e.code))
    return '\n\nAWS throttled the request; lower s3EncryptionGuard.aws.concurrency or refresh later.';
  if (/Timeout|ETIMEDOUT/i.test(e.code))
    return '\n\nNo answer in time; raise s3EncryptionGuard.aws.timeoutMs or check the network.';
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|NetworkingError/i.test(e.code))
    return '\n\nThe endpoint could not be reached; check s3EncryptionGuard.aws.endpoint and the network.';
  return '';
}

/**
 * One check as a tree node: the check's label, its message beside it, and in the tooltip the
 * message, its detail and its ID (what `status` prints, so the two can be matched).
 */
function checkNode(c: PostureCheck, bucketId: string, bucket: string): PostureNode {
  const label = CHECKS[c.id]?.label ?? c.id;
  const mark = c.status === 'pass' ? '' : ` ${c.status === 'fail' ? '✗' : '⚠'}`;
  return {
    id: `${bucketId}/check/${c.id}`,
    kind: 'check',
    label,
    description: c.message,
    status: c.status,
    tooltip: `**${escapeMarkdown(label)}**${mark}: ${escapeMarkdown(c.message, 1000)}${c.detail ? `\n\n${escapeMarkdown(c.detail, 2000)}` : ''}\n\n${markdownCode(c.id, 100)}`,
    checkId: c.id,
    bucket,
    children: [],
  };
}

const checksOf = (b: BucketPosture, group: CheckGroup): PostureCheck[] =>
  (b.checks ?? []).filter(c => (CHECKS[c.id]?.group ?? 'cross') === group);

function policyNode(b: BucketPosture, id: string, errors: CallError[], wantedTls?: string | null): PostureNode {
  const pid = `${id}/policy`;
  const err = errors.find(e => topicOf(e.call) === 'policy');
  if (err) return { ...errorNode(pid, 'Bucket policy', err), bucket: b.name, region: b.region };
  const children = checksOf(b, 'policy').map(c => checkNode(c, id, b.name));
  const base = {
    id: pid,
    kind: 'policy' as const,
    label: 'Bucket policy',
    bucket: b.name,
    region: b.region,
    children,
    status: worst(children),
  };
  if (b.policy.present === false) {
    return {
      ...base,
      description: 'none',
      tooltip:
        '**Bucket policy**: none. Nothing denies requests over HTTP. Attach a policy with a Deny on `"aws:SecureTransport": "false"` for the bucket and its objects.',
    };
  }
  const v = b.policy.verdict;
  if (b.policy.present === null) return { ...base, description: 'not read' };
  if (!v) {
    return {
      ...base,
      description: 'present; verdict unavailable',
      tooltip:
        '**Bucket policy**: present, but it could not be judged (see the "S3 Encryption Guard" output). Open it to see its diagnostics.',
    };
  }
  const summary = verdictSummary(v, wantedTls);
  return {
    ...base,
    description: summary,
    tooltip: `**Bucket policy** of ${markdownCode(b.name)}\n\n${escapeMarkdown(summary)}${v.complete ? '' : '\n\n_Some statements could not be decided._'}`,
  };
}

function keyNode(b: BucketPosture, id: string, errors: CallError[]): PostureNode | undefined {
  const k = b.kmsKey;
  const keyErrors = errors.filter(e => ['keyState', 'keyRotation', 'keyPolicy'].includes(topicOf(e.call)));
  if (!k) return keyErrors.length ? errorNode(`${id}/key`, 'KMS key', keyErrors[0]) : undefined;
  const kid = `${id}/key`;
  const label = (e: CallError) =>
    (({ keyState: 'Key state', keyRotation: 'Rotation', keyPolicy: 'Key policy' }) as Record<string, string>)[topicOf(e.call)] ??
    e.call;
  const children = [
    ...checksOf(b, 'key').map(c => checkNode(c, id, b.name)),
    ...keyErrors.map(e => errorNode(`${kid}/${topicOf(e.call)}`, label(e), e)),
  ];
  const policy = k.policyVerdict ? `\n\nKey policy: ${escapeMarkdown(keyVerdictSummary(k.policyVerdict))}` : '';
  return {
    id: kid,
    kind: 'key',
    label: 'KMS key',
    description: shortKey(k.arn),
    status: worst(children),
    tooltip: `**KMS key** ${markdownCode(k.arn)}${policy}\n\n${children.map(c => `- ${escapeMarkdown(c.label)}: ${escapeMarkdown(c.description ?? '')}`).join('\n')}`,
    bucket: b.name,
    region: b.region,
    keyArn: k.arn,
    children,
  };
}

/**
 * The nodes under one bucket: its checks (aws/checks.ts, the list `status` prints) by
 * where they belong, the bucket policy and the KMS key as nodes holding theirs, and each failed call
 * on the fact it concerns. Nothing here judges: a check is in the tree exactly when it is in the list.
 */
export function bucketFacts(b: BucketPosture, id: string, wantedTls?: string | null): PostureNode[] {
  const errors = b.errors ?? [];
  const out: PostureNode[] = [];
  const encErr = errors.find(e => topicOf(e.call) === 'encryption');
  if (encErr) out.push(errorNode(`${id}/encryption`, 'Default encryption', encErr));
  out.push(...checksOf(b, 'encryption').map(c => checkNode(c, id, b.name)));
  out.push(policyNode(b, id, errors, wantedTls));
  const bpaErr = errors.find(e => topicOf(e.call) === 'publicAccess');
  if (bpaErr) out.push(errorNode(`${id}/bpa`, 'Block Public Access', bpaErr));
  out.push(...checksOf(b, 'access').map(c => checkNode(c, id, b.name)));
  const key = keyNode(b, id, errors);
  if (key) out.push(key);
  out.push(...checksOf(b, 'cross').map(c => checkNode(c, id, b.name)));
  errors
    .filter(e => topicOf(e.call) === 'other' || topicOf(e.call) === 'location')
    .forEach((e, i) => out.push(errorNode(`${id}/error/${i}`, e.call, e)));
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
    tooltip:
      `**${escapeMarkdown(b.name)}** (${b.region ? escapeMarkdown(b.region) : 'region unknown'})${policy?.description ? `\n\n${escapeMarkdown(policy.description)}` : ''}` +
      (problems.length
        ? `\n\n${problems.map(p => `- ${p.status === 'fail' ? '✗' : '⚠'} ${escapeMarkdown(p.label)}: ${escapeMarkdown(p.description ?? '')}`).join('\n')}`
        : ''),
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
  const regions: PostureNode[] = [...byRegion.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([region, list]) => {
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
export function bucketArnInRegion(bucket: string, region?: string | null): string {
  const partition = region?.startsWith('cn-') ? 'aws-cn' : region?.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return `arn:${partition}:s3:::${bucket}`;
}
