// The "Objects" node under each bucket of the live tree (issue 14, item 1): the object audit
// (aws/objects/audit.ts) of that bucket, run on demand from the node, with its progress while it
// runs and its counts, failing examples and notes once done. Values from the endpoint (keys, key
// ARNs, messages) are escaped in the tooltip and shown as plain text elsewhere (uiText.ts).
// No vscode imports: tests build these nodes directly.
import { escapeMarkdown, markdownCode } from '../../shared/escape';
import { ENCRYPTION_KINDS, type ObjectsAudit } from '../../aws/objects/types';
import { shortKeyArn } from '../../shared/wording';
import type { PostureNode } from './posture-model';

export type ObjectsState =
  | { kind: 'idle' }
  | { kind: 'running'; scanned: number }
  | { kind: 'done'; audit: ObjectsAudit; at: Date }
  | { kind: 'error'; message: string };

/** The Objects node of one bucket. */
export function objectsNode(bucketId: string, bucket: string, region: string | null, state: ObjectsState): PostureNode {
  const id = `${bucketId}/objects`;
  const base = { id, kind: 'objects' as const, label: 'Objects', bucket, region };
  if (state.kind === 'idle')
    return {
      ...base,
      description: 'not audited: Audit Objects',
      status: 'info',
      tooltip:
        "**Objects**: how this bucket's existing objects are encrypted. Run **Audit Objects** on this node (listing, or the bucket's S3 Inventory report).",
      children: [],
    };
  if (state.kind === 'running')
    return { ...base, description: `auditing… ${state.scanned} objects read`, status: 'info', children: [] };
  if (state.kind === 'error')
    return {
      ...base,
      description: `audit failed: ${state.message}`,
      status: 'warn',
      tooltip: escapeMarkdown(state.message, 1000),
      children: [],
    };
  const a = state.audit;
  const children: PostureNode[] = [];
  const detail = (
    suffix: string,
    label: string,
    description: string,
    status: PostureNode['status'],
    tooltip?: string,
  ): PostureNode => ({
    id: `${id}/${suffix}`,
    kind: 'objectsDetail',
    label,
    description,
    status,
    tooltip,
    bucket,
    region,
    children: [],
  });
  for (const k of ENCRYPTION_KINDS)
    if (a.byEncryption[k])
      children.push(
        detail(
          `enc/${k}`,
          k,
          `${a.byEncryption[k]} object${a.byEncryption[k] === 1 ? '' : 's'}`,
          k === 'NOT-SSE' || k === 'SSE-C' ? 'fail' : 'info',
        ),
      );
  for (const [key, n] of Object.entries(a.byKmsKey).slice(0, 20))
    children.push(
      detail(`key/${key}`, `KMS key ${shortKeyArn(key)}`, `${n}`, 'info', `**KMS key** ${markdownCode(key, 300)}: ${n} objects`),
    );
  if (a.bucketKey.enabled || a.bucketKey.disabled)
    children.push(detail('bucketKey', 'S3 Bucket Key', `on ${a.bucketKey.enabled}, off ${a.bucketKey.disabled}`, 'info'));
  a.examples.forEach((e, i) =>
    children.push(
      detail(
        `example/${i}`,
        e.key,
        `${e.encryption}${e.kmsKey ? ` ${shortKeyArn(e.kmsKey)}` : ''}`,
        'fail',
        `${markdownCode(e.key, 1100)}: ${e.encryption}${e.kmsKey ? ` ${markdownCode(e.kmsKey, 300)}` : ''}, fails the requirements`,
      ),
    ),
  );
  a.notes.forEach((n, i) => children.push(detail(`note/${i}`, 'Note', n, 'info', escapeMarkdown(n, 1000))));
  a.errors
    .slice(0, 5)
    .forEach((e, i) =>
      children.push(
        detail(
          `error/${i}`,
          e.call,
          `${e.code}: ${e.message}`,
          'warn',
          escapeMarkdown(`${e.call}: ${e.code}: ${e.message}`, 1000),
        ),
      ),
    );
  const how = a.source === 'inventory' && a.inventory ? `inventory ${a.inventory.date}` : 'listing';
  return {
    ...base,
    description: `${a.scanned} objects${a.complete ? '' : ' (partial)'}, ${a.nonCompliant ? `${a.nonCompliant} fail` : 'all pass'} (${how})`,
    status: a.nonCompliant ? 'fail' : a.complete ? 'pass' : 'warn',
    tooltip:
      `**Objects** of ${markdownCode(bucket, 300)}: ${a.scanned} read from the ${a.source === 'inventory' ? `S3 Inventory report ${markdownCode(a.inventory?.id ?? '', 100)} of ${escapeMarkdown(a.inventory?.date ?? '')}` : 'listing'}` +
      `${a.complete ? '' : ' (partial)'}; ${a.nonCompliant} fail the requirements.\n\nAudited ${state.at.toISOString()}.`,
    children,
  };
}

/** Adds an Objects node under every bucket node of a tree (after the bucket's own children). */
export function addObjectsNodes(root: PostureNode, state: (bucket: string) => ObjectsState): void {
  const visit = (n: PostureNode): void => {
    if (n.kind === 'bucket' && n.bucket) {
      n.children = [
        ...n.children.filter(c => c.kind !== 'objects'),
        objectsNode(n.id, n.bucket, n.region ?? null, state(n.bucket)),
      ];
      return;
    }
    n.children.forEach(visit);
  };
  visit(root);
}
