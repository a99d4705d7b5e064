// S3 Batch Operations jobs in the live tree, as plain data: a "Batch jobs" node under each bucket
// that has jobs this tool created (aws/batch.ts names the bucket in the job's description), one
// node per job with its status and progress. Tooltips are Markdown: every value from the endpoint
// goes through escapeMarkdown / markdownCode. No vscode imports: the tests use it directly.
import { escapeMarkdown, markdownCode } from '../../shared/escape';
import { progressText, type JobSummary } from '../../aws/batch-types';
import type { PostureNode, Status } from './posture-model';

/** A job's state as the tree marks it. */
export function jobStatus(j: JobSummary): Status {
  if (j.status === 'Failed' || j.status === 'Cancelled') return 'fail';
  if (j.status === 'Complete') return j.progress.failed ? 'warn' : 'pass';
  // Waiting for confirmation: someone has to act.
  if (j.status === 'Suspended') return 'warn';
  return 'info';
}

const jobProgressText = (j: JobSummary): string => progressText(j.progress);

export function jobNode(j: JobSummary, parentId: string, bucket: string, region: string | null | undefined): PostureNode {
  const waiting = j.status === 'Suspended';
  return {
    id: `${parentId}/${j.id}`,
    kind: 'job',
    label: `Job ${j.id}`,
    description: `${j.status} · ${jobProgressText(j)}${waiting ? ' · waits for confirmation' : ''}`,
    status: jobStatus(j),
    tooltip:
      `**Batch Operations job** ${markdownCode(j.id, 80)}\n\n` +
      `- status: ${escapeMarkdown(j.status, 40)}${waiting ? ' (waits for confirmation: "Confirm Job" lets it run)' : ''}\n` +
      `- progress: ${escapeMarkdown(jobProgressText(j), 80)}\n` +
      `- operation: ${escapeMarkdown(j.operation ?? 'unknown', 60)}\n` +
      `- created: ${escapeMarkdown(j.created ?? 'unknown', 40)}${j.terminated ? `, ended ${escapeMarkdown(j.terminated, 40)}` : ''}\n` +
      `- ${escapeMarkdown(j.description, 300)}`,
    bucket,
    region,
    jobId: j.id,
    children: [],
  };
}

/** The "Batch jobs" node of one bucket, or undefined when it has none. */
export function jobsNode(
  bucketNode: Pick<PostureNode, 'id' | 'bucket' | 'region'>,
  jobs: readonly JobSummary[],
): PostureNode | undefined {
  if (!jobs.length || !bucketNode.bucket) return undefined;
  const id = `${bucketNode.id}/jobs`;
  const children = jobs.map(j => jobNode(j, id, bucketNode.bucket as string, bucketNode.region));
  const waiting = jobs.filter(j => j.status === 'Suspended').length;
  const active = jobs.filter(j => !['Complete', 'Failed', 'Cancelled', 'Suspended'].includes(j.status)).length;
  const parts = [`${jobs.length} job${jobs.length === 1 ? '' : 's'}`];
  if (waiting) parts.push(`${waiting} waiting for confirmation`);
  if (active) parts.push(`${active} running`);
  return {
    id,
    kind: 'jobs',
    label: 'Batch jobs',
    description: parts.join(', '),
    status: waiting ? 'warn' : 'info',
    tooltip: `S3 Batch Operations jobs re-encrypting ${markdownCode(bucketNode.bucket, 100)}, newest first.`,
    bucket: bucketNode.bucket,
    region: bucketNode.region,
    children,
  };
}

/**
 * Adds the "Batch jobs" nodes to a built tree (profile → region → bucket), in place. A bucket's
 * own state does not change: a job is not a fact about the bucket's settings.
 */
export function attachJobs(root: PostureNode | undefined, jobsOf: (bucket: string) => readonly JobSummary[]): void {
  if (!root) return;
  for (const region of root.children) {
    if (region.kind !== 'region') continue;
    for (const b of region.children) {
      if (b.kind !== 'bucket' || !b.bucket) continue;
      const node = jobsNode(b, jobsOf(b.bucket));
      if (node) b.children.push(node);
    }
  }
}
