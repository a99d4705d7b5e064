// The Batch Operations jobs the live tree shows under their buckets (jobs-model.ts): loaded after
// each posture load, with the same profile, endpoint and deadlines, for the regions that have
// buckets; reloaded by "Refresh Jobs" and after "Confirm Job". Read calls only
// (sts:GetCallerIdentity, s3:ListJobs). A failure is logged and leaves no jobs shown: jobs are an
// addition to the tree, never a reason for it to fail. The AWS code is loaded on first use.
// No vscode imports.
import { plainLine } from '../../shared/escape';
import type { JobSummary } from '../../aws/batch-types';
import type { SessionOptions } from '../../aws/session';
import type { Report } from './posture-model';

/** Regions asked for jobs at most per load. */
const MAX_REGIONS = 32;

interface LoadArgs {
  session: SessionOptions;
  regions: string[];
  buckets: Set<string>;
}

export class BatchJobsState {
  private byBucket = new Map<string, JobSummary[]>();
  private last?: LoadArgs;
  private loading?: Promise<void>;
  /** The last load's problem (shown in the log), if it failed. */
  problem?: string;
  /** The account the jobs were listed for. */
  account?: string;

  constructor(
    private readonly onChange: () => void,
    private readonly warn: (message: string) => void,
  ) {}

  jobsOf(bucket: string): readonly JobSummary[] {
    return this.byBucket.get(bucket) ?? [];
  }

  /** Every job shown, with its bucket. */
  all(): JobSummary[] {
    return [...this.byBucket.values()].flat();
  }

  /** Loads the jobs of the report's buckets. */
  load(session: SessionOptions, report: Report, signal?: AbortSignal): Promise<void> {
    const regions = [...new Set(report.buckets.map(b => b.region).filter((r): r is string => !!r))].sort();
    this.last = { session, regions: regions.slice(0, MAX_REGIONS), buckets: new Set(report.buckets.map(b => b.name)) };
    return this.run(this.last, signal);
  }

  /** Loads the jobs again with the last load's settings (nothing before a first load). */
  reload(signal?: AbortSignal): Promise<void> {
    return this.last ? this.run(this.last, signal) : Promise.resolve();
  }

  /** Resolves when no load is in progress. */
  async idle(): Promise<void> {
    while (this.loading) {
      const l = this.loading;
      await l.catch(() => undefined);
      if (this.loading === l) this.loading = undefined;
    }
  }

  private run(args: LoadArgs, signal?: AbortSignal): Promise<void> {
    const run = this.fetch(args, signal).finally(() => {
      if (this.loading === run) this.loading = undefined;
    });
    this.loading = run;
    return run;
  }

  private async fetch(args: LoadArgs, signal?: AbortSignal): Promise<void> {
    const next = new Map<string, JobSummary[]>();
    try {
      const [{ openSession }, jobs] = await Promise.all([import('../../aws/session'), import('../../aws/batch-jobs')]);
      const session = await openSession(args.session);
      try {
        const account = await jobs.accountId(session, signal);
        for (const region of args.regions) {
          const listed = await jobs.listJobs(session, { account, region, signal });
          for (const j of listed.jobs) {
            if (!j.bucket || !args.buckets.has(j.bucket)) continue;
            next.set(j.bucket, [...(next.get(j.bucket) ?? []), j]);
          }
        }
        this.account = account;
        this.problem = undefined;
      } finally {
        session.destroy();
      }
    } catch (e) {
      if (signal?.aborted) return;
      const message = e instanceof Error ? e.message : String(e);
      if (message !== this.problem) this.warn(`live view: Batch Operations jobs not shown: ${plainLine(message, 400)}`);
      this.problem = message;
    }
    const changed = JSON.stringify([...next]) !== JSON.stringify([...this.byBucket]);
    this.byBucket = next;
    if (changed) this.onChange();
  }
}
