// The live view's S3 Batch Operations commands:
// - "Re-encrypt With Batch Operations…" on a bucket: asks for the target key, the role and the
//   report bucket, plans (aws/batch.ts, reads only), shows the plan in a modal naming the bucket,
//   the object count, the target key and the role, and only on "Create Job" writes the manifest and
//   creates the job — which S3 holds waiting for confirmation (Suspended).
// - "Confirm Job" on a job that waits: re-reads it, shows what it will do in a modal, and only on
//   "Confirm Job" sets it Ready (aws/batch-jobs.ts, confirmJob re-checks it still waits).
// - "Cancel Job" on a job that has not finished: re-reads it, a modal, then UpdateJobStatus
//   Cancelled (tasks already done stay done).
// - "Refresh Jobs": loads the jobs again (status and progress).
// Writes are refused in an untrusted workspace. Bucket names, ARNs, job IDs and messages from the
// endpoint reach notifications and modals through messageValue (one line, no links).
import * as vscode from 'vscode';
import type { BatchPlan } from '../../aws/batch';
import type { PostureNode } from '../views/posture-model';
import { currentLiveSettings, type PostureTreeProvider } from '../views/posture-tree';
import { messageValue } from '../views/ui-text';

export const BATCH_COMMANDS = {
  reencrypt: 's3EncryptionGuard.live.reencryptWithBatch',
  confirmJob: 's3EncryptionGuard.live.confirmJob',
  cancelJob: 's3EncryptionGuard.live.cancelJob',
  refreshJobs: 's3EncryptionGuard.live.refreshJobs',
} as const;

/** The questions the commands ask; the in-editor tests answer them in place of a person. */
export interface BatchUi {
  /** A modal; true when `action` was chosen. */
  confirm(message: string, detail: string, action: string): Promise<boolean>;
  input(options: vscode.InputBoxOptions): Promise<string | undefined>;
}

export const defaultBatchUi = (): BatchUi => ({
  confirm: async (message, detail, action) =>
    (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action,
  input: options => Promise.resolve(vscode.window.showInputBox(options)),
});

const v = (s: string | number | null | undefined, max = 200): string => messageValue(String(s ?? ''), max);

const sessionOptions = () => {
  const s = currentLiveSettings();
  return { profile: s.profile, endpoint: s.endpoint, timeoutMs: s.timeoutMs, env: process.env };
};

function writesAllowed(): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(
    'S3 Encryption Guard: writes to AWS are disabled in an untrusted workspace. Trust the workspace (Manage Workspace Trust) to create or confirm Batch Operations jobs.',
  );
  return false;
}

/** The plan as the modal's detail: what will be written where, and what it costs. */
export function planDetail(plan: BatchPlan): string {
  const m = plan.manifest;
  const objects =
    m.objects === null ? 'every object of the inventory report' : `${m.objects} object${m.objects === 1 ? '' : 's'}`;
  return [
    `Re-encrypts ${objects}${plan.prefix ? ` under "${v(plan.prefix, 100)}"` : ''} of bucket ${v(plan.bucket, 100)} (${v(plan.region, 40)}) with SSE-KMS key ${v(plan.kmsKey, 160)}, S3 Bucket Key ${plan.bucketKey ? 'on' : 'off'}, by ${plan.operationName}.`,
    `Role: ${v(plan.role.arn, 160)} (${v(plan.role.message, 200)}).`,
    `Manifest: s3://${v(m.bucket, 100)}/${v(m.key, 200)} (${m.source === 'inventory' ? `S3 Inventory report of ${v(m.inventoryDate, 40)}` : m.reused ? 'already written' : m.replaces ? 'written now, REPLACING the object there' : 'written now'}).`,
    `Completion report: s3://${v(plan.report.bucket, 100)}/${v(plan.report.prefix, 200)}.`,
    `Estimated cost: $${plan.cost.perJob} per job + $${plan.cost.perObject.toFixed(6)} per object${plan.cost.total !== null ? `, about $${plan.cost.total.toFixed(2)}` : ''} (US East list prices).`,
    ...plan.warnings.map(w => `Warning: ${v(w, 300)}`),
    'The job is created waiting for confirmation (Suspended): it runs only once confirmed, here with "Confirm Job" or in the S3 console.',
  ].join('\n');
}

export function registerBatchCommands(deps: { provider: PostureTreeProvider; ui: BatchUi }): vscode.Disposable[] {
  const { provider } = deps;

  async function loadBatch() {
    const [session, batch, jobs] = await Promise.all([
      import('../../aws/session'),
      import('../../aws/batch'),
      import('../../aws/batch-jobs'),
    ]);
    return { ...session, ...batch, ...jobs };
  }

  /** Returns the job ID it created, or undefined. */
  async function reencrypt(arg?: unknown): Promise<string | undefined> {
    const node = arg as PostureNode | undefined;
    const bucketName = typeof arg === 'string' ? arg : node?.bucket;
    const b = bucketName ? provider.bucket(bucketName) : undefined;
    if (!b) {
      void vscode.window.showInformationMessage(
        'S3 Encryption Guard: run "Re-encrypt With Batch Operations…" on a bucket of the S3 Encryption view.',
      );
      return undefined;
    }
    if (!writesAllowed()) return undefined;
    const aws = await loadBatch();
    const keyDefault = b.defaultEncryption?.kmsKeyId ?? b.kmsKey?.arn ?? '';
    const kmsKey = await deps.ui.input({
      title: `Re-encrypt ${v(b.name, 100)}: target KMS key`,
      prompt: "The ARN of the KMS key the objects are re-encrypted with (SSE-KMS), in the bucket's region.",
      value: /^arn:/.test(keyDefault) ? keyDefault : '',
      validateInput: x =>
        /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/.test(x.trim())
          ? undefined
          : 'a key ARN: arn:aws:kms:REGION:ACCOUNT:key/ID',
    });
    if (!kmsKey) return undefined;
    const role = await deps.ui.input({
      title: `Re-encrypt ${v(b.name, 100)}: IAM role for the job`,
      prompt:
        'The ARN of a role S3 Batch Operations may assume (trust: batchoperations.s3.amazonaws.com) that may read and re-encrypt the objects and write the report.',
      validateInput: x => (aws.parseRoleArn(x.trim()) ? undefined : 'a role ARN: arn:aws:iam::ACCOUNT:role/NAME'),
    });
    if (!role) return undefined;
    const reportBucket = await deps.ui.input({
      title: `Re-encrypt ${v(b.name, 100)}: completion report bucket`,
      prompt: 'The bucket the completion report (and a generated manifest) is written to.',
      value: b.name,
      validateInput: x => (/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(x.trim()) ? undefined : 'a bucket name'),
    });
    if (!reportBucket) return undefined;

    const session = await aws.openSession(sessionOptions());
    try {
      const planned = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Planning the Batch Operations job for ${v(b.name, 100)}…`,
          cancellable: true,
        },
        (_p, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          return aws.planBatch(
            session,
            {
              bucket: b.name,
              kmsKey: kmsKey.trim(),
              versions: false,
              role: role.trim(),
              reportBucket: reportBucket.trim(),
              manifestBucket: reportBucket.trim(),
            },
            abort.signal,
          );
        },
      );
      const plan = planned.plan;
      if (plan.blockers.length) {
        void vscode.window.showErrorMessage(
          `S3 Encryption Guard: no job created for ${v(b.name, 100)}: ${plan.blockers.map(x => v(x, 300)).join('; ')}`,
        );
        return undefined;
      }
      const objects =
        plan.manifest.objects === null
          ? "the inventory's objects"
          : `${plan.manifest.objects} object${plan.manifest.objects === 1 ? '' : 's'}`;
      const ok = await deps.ui.confirm(
        `Create a Batch Operations job to re-encrypt ${objects} of bucket ${v(b.name, 100)} with key ${v(plan.kmsKey, 160)} as role ${v(plan.role.arn, 160)}?`,
        planDetail(plan),
        'Create Job',
      );
      if (!ok) return undefined;
      const created = await aws.createBatchJob(session, planned);
      if (created.problems.length) {
        // Not what was asked for: a surprise, shown as an error with the way out.
        void vscode.window.showErrorMessage(
          `S3 Encryption Guard: job ${v(created.jobId, 80)} for ${v(b.name, 100)} is not as planned: ${created.problems.map(p => v(p, 300)).join('; ')}`,
        );
        await provider.jobs.reload();
        return created.jobId;
      }
      void vscode.window.showInformationMessage(
        `S3 Encryption Guard: created Batch Operations job ${v(created.jobId, 80)} for ${v(b.name, 100)}; it waits for confirmation ("Confirm Job" on it under the bucket).`,
      );
      await provider.jobs.reload();
      return created.jobId;
    } catch (e) {
      void vscode.window.showErrorMessage(
        `S3 Encryption Guard: the Batch Operations job for ${v(b.name, 100)} was not created: ${v(e instanceof Error ? e.message : String(e), 400)}`,
      );
      return undefined;
    } finally {
      session.destroy();
    }
  }

  /** Returns the job's status after the confirmation, or undefined. */
  async function confirmJob(arg?: unknown): Promise<string | undefined> {
    const node = arg as PostureNode | undefined;
    const jobId = typeof arg === 'string' ? arg : node?.jobId;
    const region = node?.region ?? undefined;
    if (!jobId) {
      void vscode.window.showInformationMessage(
        'S3 Encryption Guard: run "Confirm Job" on a job under its bucket in the S3 Encryption view.',
      );
      return undefined;
    }
    if (!writesAllowed()) return undefined;
    const aws = await loadBatch();
    const session = await aws.openSession(sessionOptions());
    try {
      const account = provider.jobs.account ?? (await aws.accountId(session));
      const where = { account, region: region ?? session.region, jobId };
      // Re-read: what the modal says is what S3 says now.
      const job = await aws.describeJob(session, where);
      if (job.status !== 'Suspended') {
        void vscode.window.showInformationMessage(
          `S3 Encryption Guard: job ${v(jobId, 80)} is ${v(job.status, 40)}, not waiting for confirmation.`,
        );
        await provider.jobs.reload();
        return undefined;
      }
      const tasks =
        job.progress.total === null ? 'its objects' : `${job.progress.total} object${job.progress.total === 1 ? '' : 's'}`;
      const ok = await deps.ui.confirm(
        `Confirm Batch Operations job ${v(jobId, 80)}? It runs ${v(job.operation ?? 'its operation', 60)} on ${tasks} of bucket ${v(job.bucket ?? 'unknown', 100)}${job.kmsKey ? ` with key ${v(job.kmsKey, 160)}` : ''} as role ${v(job.role ?? 'unknown', 160)}.`,
        [
          `Manifest: ${v(job.manifest?.arn ?? 'unknown', 300)}.`,
          `Completion report: ${job.report?.enabled ? `s3://${v(job.report.bucket, 100)}/${v(job.report.prefix, 200)}` : 'none'}.`,
          'Once confirmed, S3 runs the job on every object of the manifest; it can be cancelled in the S3 console while it runs, but tasks already done stay done.',
        ].join('\n'),
        'Confirm Job',
      );
      if (!ok) return undefined;
      const r = await aws.confirmJob(session, where);
      void vscode.window.showInformationMessage(`S3 Encryption Guard: job ${v(jobId, 80)} confirmed; it is ${v(r.status, 40)}.`);
      await provider.jobs.reload();
      return r.status;
    } catch (e) {
      void vscode.window.showErrorMessage(
        `S3 Encryption Guard: job ${v(jobId, 80)} was not confirmed: ${v(e instanceof Error ? e.message : String(e), 400)}`,
      );
      return undefined;
    } finally {
      session.destroy();
    }
  }

  /** Returns the job's status after the cancellation, or undefined. */
  async function cancelJob(arg?: unknown): Promise<string | undefined> {
    const node = arg as PostureNode | undefined;
    const jobId = typeof arg === 'string' ? arg : node?.jobId;
    if (!jobId) {
      void vscode.window.showInformationMessage(
        'S3 Encryption Guard: run "Cancel Job" on a job under its bucket in the S3 Encryption view.',
      );
      return undefined;
    }
    if (!writesAllowed()) return undefined;
    const aws = await loadBatch();
    const session = await aws.openSession(sessionOptions());
    try {
      const account = provider.jobs.account ?? (await aws.accountId(session));
      const where = { account, region: node?.region ?? session.region, jobId };
      const job = await aws.describeJob(session, where);
      if (['Complete', 'Failed', 'Cancelled'].includes(job.status)) {
        void vscode.window.showInformationMessage(
          `S3 Encryption Guard: job ${v(jobId, 80)} is ${v(job.status, 40)}: there is nothing to cancel.`,
        );
        await provider.jobs.reload();
        return undefined;
      }
      const ok = await deps.ui.confirm(
        `Cancel Batch Operations job ${v(jobId, 80)} on bucket ${v(job.bucket ?? 'unknown', 100)}? It is ${v(job.status, 40)}, ${v(aws.progressText(job.progress), 80)}.`,
        'Tasks already done stay done: S3 does not undo them. The completion report lists what ran.',
        'Cancel Job',
      );
      if (!ok) return undefined;
      const r = await aws.cancelJob(session, where);
      void vscode.window.showInformationMessage(`S3 Encryption Guard: job ${v(jobId, 80)} is ${v(r.status, 40)}.`);
      await provider.jobs.reload();
      return r.status;
    } catch (e) {
      void vscode.window.showErrorMessage(
        `S3 Encryption Guard: job ${v(jobId, 80)} was not cancelled: ${v(e instanceof Error ? e.message : String(e), 400)}`,
      );
      return undefined;
    } finally {
      session.destroy();
    }
  }

  return [
    vscode.commands.registerCommand(BATCH_COMMANDS.cancelJob, cancelJob),
    vscode.commands.registerCommand(BATCH_COMMANDS.reencrypt, reencrypt),
    vscode.commands.registerCommand(BATCH_COMMANDS.confirmJob, confirmJob),
    vscode.commands.registerCommand(BATCH_COMMANDS.refreshJobs, () => provider.jobs.reload()),
  ];
}
