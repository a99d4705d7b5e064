// What the Batch Operations code tells its callers about jobs, and how progress reads: kept apart
// from batch-jobs.ts (which loads the AWS SDK) so that the editor's tree can use them without
// loading the SDK before the view is opened. No imports.

export interface JobProgress {
  total: number | null;
  succeeded: number;
  failed: number;
  /** Tasks done (succeeded or failed) out of the total, 0–100; null while the total is unknown. */
  percent: number | null;
}

export interface JobSummary {
  id: string;
  status: string;
  /** The bucket the job works on (jobs of this tool), else null. */
  bucket: string | null;
  description: string;
  operation: string | null;
  created: string | null;
  terminated: string | null;
  progress: JobProgress;
}

/** Progress as people read it: `1,234/5,000 (24%), 3 failed`. */
export function progressText(p: JobProgress): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const done = p.succeeded + p.failed;
  const base = p.total === null ? `${n(done)} done` : `${n(done)}/${n(p.total)} (${p.percent ?? 0}%)`;
  return p.failed ? `${base}, ${n(p.failed)} failed` : base;
}
