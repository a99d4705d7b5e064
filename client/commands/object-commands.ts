// The editor's object commands on the live tree (issue 14, items 1 and 2):
// - "Audit Objects" on a bucket's Objects node: the object audit (aws/objects/audit.ts) with
//   progress and Stop (the notification's Cancel), at most `s3EncryptionGuard.objects.maxObjects`
//   objects listed; the node then shows the counts, examples and notes.
// - "Re-encrypt Objects…" on a bucket: asks for a prefix and the target key, plans (read-only),
//   shows the plan in a modal that names the bucket, the number of objects and the target, and only
//   on its confirmation runs (aws/objects/reencrypt.ts) with progress and Cancel; the final report
//   goes to the output channel and a notification. Disabled in untrusted workspaces: a workspace
//   must never be the reason objects are rewritten. The journal lives in the extension's storage,
//   one per bucket, prefix and target, so a cancelled run resumes when started again.
// Values from the endpoint pass through plainLine/messageValue before they are shown.
import * as vscode from 'vscode';
import { plainLine } from '../../shared/escape';
import type { PostureNode } from '../views/posture-model';
import { currentLiveSettings, type PostureTreeProvider } from '../views/posture-tree';
import { addObjectsNodes, type ObjectsState } from '../views/objects-node';
import { liveRequirements } from '../views/live-settings';
import { messageValue } from '../views/ui-text';

export const AUDIT_COMMAND = 's3EncryptionGuard.objects.audit';
export const REENCRYPT_COMMAND = 's3EncryptionGuard.objects.reencrypt';
const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

/** What the re-encryption command asks; tests answer it (the modal cannot be clicked in a test). */
export interface ObjectsUi {
  /** The modal: resolves true only when the user chose to re-encrypt. */
  confirm(message: string, detail: string, action: string): Promise<boolean>;
  prefix(bucket: string): Thenable<string | undefined>;
  kmsKey(bucket: string, suggested: string | undefined): Thenable<string | undefined>;
}

export const defaultUi: ObjectsUi = {
  confirm: async (message, detail, action) =>
    (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action,
  prefix: bucket =>
    vscode.window.showInputBox({
      title: `Re-encrypt objects of ${plainLine(bucket, 80)}`,
      prompt: 'Only keys that start with this prefix (empty: the whole bucket)',
      value: '',
    }),
  kmsKey: (bucket, suggested) =>
    vscode.window.showInputBox({
      title: `Re-encrypt objects of ${plainLine(bucket, 80)}`,
      prompt: 'The KMS key ARN to encrypt the objects with (SSE-KMS)',
      value: suggested,
      validateInput: v => (KEY_ARN.test(v.trim()) ? undefined : 'A key ARN: arn:aws:kms:REGION:ACCOUNT:key/KEY-ID'),
    }),
};

export interface ObjectsApi {
  ui: ObjectsUi;
  state(bucket: string): ObjectsState;
  /** The last re-encryption report (for tests and the output). */
  lastReport?: unknown;
}

export function registerObjectCommands(deps: {
  provider: PostureTreeProvider;
  log: vscode.LogOutputChannel;
  storage: vscode.Uri;
}): { disposables: vscode.Disposable[]; api: ObjectsApi } {
  const { provider, log } = deps;
  const states = new Map<string, ObjectsState>();
  const state = (bucket: string): ObjectsState => states.get(bucket) ?? { kind: 'idle' };
  const api: ObjectsApi = { ui: defaultUi, state };
  provider.decorators.push(root => addObjectsNodes(root, state));
  const set = (bucket: string, s: ObjectsState) => {
    states.set(bucket, s);
    provider.redraw();
  };
  const config = () => vscode.workspace.getConfiguration('s3EncryptionGuard');

  async function openSessionForView() {
    const settings = currentLiveSettings();
    const { openSession } = await import('../../aws/session');
    return {
      session: await openSession({
        profile: settings.profile,
        endpoint: settings.endpoint,
        timeoutMs: settings.timeoutMs,
        env: process.env,
      }),
      settings,
    };
  }

  const bucketOf = (arg: unknown): { name: string; region: string | null } | undefined => {
    const n = arg as Partial<PostureNode> | undefined;
    if (n?.bucket) return { name: n.bucket, region: n.region ?? null };
    return undefined;
  };

  async function audit(arg: unknown): Promise<void> {
    const b = bucketOf(arg);
    if (!b)
      return void vscode.window.showInformationMessage('Run Audit Objects on a bucket’s Objects node in the S3 Encryption view.');
    const { auditObjects } = await import('../../aws/objects/audit');
    const maxObjects = Math.max(1, Math.min(100_000_000, Number(config().get('objects.maxObjects')) || 10_000));
    const req = liveRequirements(config().get('requirements'));
    set(b.name, { kind: 'running', scanned: 0 });
    let last = 0;
    try {
      const { session } = await openSessionForView();
      try {
        const result = await vscode.window.withProgress(
          {
            location: vscode.ProgressLocation.Notification,
            title: `Auditing objects of ${plainLine(b.name, 80)}`,
            cancellable: true,
          },
          (progress, token) => {
            const stop = new AbortController();
            token.onCancellationRequested(() => stop.abort());
            return auditObjects(session.s3(b.region ?? session.region), session, {
              bucket: b.name,
              maxObjects,
              concurrency: currentLiveSettings().concurrency,
              requirement: { algorithms: req.sse, kmsKeyArns: req.kmsKeyArns },
              signal: stop.signal,
              onProgress: p => {
                progress.report({ message: `${p.scanned} objects read${p.nonCompliant ? `, ${p.nonCompliant} fail` : ''}` });
                if (Date.now() - last > 250) {
                  last = Date.now();
                  set(b.name, { kind: 'running', scanned: p.scanned });
                }
              },
            });
          },
        );
        set(b.name, { kind: 'done', audit: result, at: new Date() });
        log.info(
          `objects of ${plainLine(b.name, 80)}: ${result.scanned} read (${result.source}${result.complete ? '' : ', partial'}), ${result.nonCompliant} fail`,
        );
      } finally {
        session.destroy();
      }
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      log.error(`objects of ${plainLine(b.name, 80)}: audit failed: ${plainLine(msg, 300)}`);
      set(b.name, { kind: 'error', message: plainLine(msg, 200) });
    }
  }

  async function reencrypt(arg: unknown): Promise<void> {
    const b = bucketOf(arg);
    if (!b) return void vscode.window.showInformationMessage('Run Re-encrypt Objects on a bucket in the S3 Encryption view.');
    if (!vscode.workspace.isTrusted)
      return void vscode.window.showWarningMessage(
        'Re-encrypting objects is disabled in an untrusted workspace: trust the workspace first.',
      );
    const posture = provider.bucket(b.name);
    const suggested =
      posture?.defaultEncryption?.kmsKeyId && KEY_ARN.test(posture.defaultEncryption.kmsKeyId)
        ? posture.defaultEncryption.kmsKeyId
        : undefined;
    const prefix = await api.ui.prefix(b.name);
    if (prefix === undefined) return;
    const kmsKey = (await api.ui.kmsKey(b.name, suggested))?.trim();
    if (!kmsKey) return;
    if (!KEY_ARN.test(kmsKey)) return void vscode.window.showErrorMessage('Not a KMS key ARN: nothing was changed.');
    const [{ planReencryption, runReencryption, targetText }, { Journal, JournalError }] = await Promise.all([
      import('../../aws/objects/reencrypt'),
      import('../../aws/objects/journal'),
    ]);
    const target = { algorithm: 'aws:kms' as const, kmsKeyArn: kmsKey, bucketKey: true };
    const { session, settings } = await openSessionForView();
    const s3 = session.s3(b.region ?? session.region);
    let journal: import('../../aws/objects/journal').Journal | undefined;
    try {
      await vscode.workspace.fs.createDirectory(deps.storage);
      const name = `reencrypt-${b.name}-${Buffer.from(`${prefix}\u0000${kmsKey}`).toString('base64url').slice(0, 40)}.journal`;
      try {
        journal = Journal.open(vscode.Uri.joinPath(deps.storage, name).fsPath, {
          bucket: b.name,
          prefix,
          target: targetText(target),
          versions: false,
        });
      } catch (e) {
        if (e instanceof JournalError) return void vscode.window.showErrorMessage(messageValue(e.message, 400));
        throw e;
      }
      const opts = { bucket: b.name, prefix, target, concurrency: settings.concurrency };
      const plan = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Planning the re-encryption of ${plainLine(b.name, 80)}`,
          cancellable: true,
        },
        (progress, token) => {
          const stop = new AbortController();
          token.onCancellationRequested(() => stop.abort());
          return planReencryption(
            s3,
            session,
            { ...opts, signal: stop.signal, onProgress: p => progress.report({ message: `${p.done} objects read` }) },
            journal,
          );
        },
      );
      const p = plan.summary;
      if (!plan.items.length) {
        return void vscode.window.showInformationMessage(
          `Nothing to re-encrypt in ${messageValue(b.name, 80)}${prefix ? `/${messageValue(prefix, 80)}` : ''}: ${p.alreadyCompliant} objects already use the key${Object.keys(p.skipped).length ? `, ${Object.values(p.skipped).reduce((x, y) => x + (y ?? 0), 0)} skipped` : ''}.`,
        );
      }
      const count = `${plan.items.length} object${plan.items.length === 1 ? '' : 's'}`;
      const message = `Re-encrypt ${count} of bucket ${plainLine(b.name, 80)}${prefix ? ` (prefix ${plainLine(prefix, 60)})` : ''} to SSE-KMS with key ${plainLine(kmsKey, 200)}?`;
      const skipped = Object.entries(p.skipped)
        .map(([r, n]) => `${n} ${r}`)
        .join(', ');
      const detail = [
        `${p.byMethod.update} in place (UpdateObjectEncryption, proven first on a canary object), ${p.byMethod.copy} copied onto themselves, ${p.byMethod['multipart-copy']} copied in parts.`,
        skipped ? `Skipped: ${skipped}.` : '',
        `About ${p.s3Requests.writes} S3 writes and at most ${p.kmsRequests} KMS requests; ${p.costUsd < 0.01 ? 'under $0.01' : `about $${p.costUsd.toFixed(2)}`} (${p.priceSource}).`,
        ...p.notes.map(n => plainLine(n, 300)),
        'Copies keep metadata, tags, storage class, ACL and checksums; an object changed since this plan is skipped, never overwritten.',
      ]
        .filter(Boolean)
        .join('\n');
      if (!(await api.ui.confirm(message, detail, `Re-encrypt ${count}`))) {
        log.info(`re-encryption of ${plainLine(b.name, 80)} not confirmed: nothing written`);
        return;
      }
      const report = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Re-encrypting ${count} of ${plainLine(b.name, 80)}`,
          cancellable: true,
        },
        (progress, token) => {
          const stop = new AbortController();
          token.onCancellationRequested(() => stop.abort());
          let last = 0;
          return runReencryption(
            s3,
            session,
            {
              ...opts,
              signal: stop.signal,
              onProgress: r => {
                const pct = r.total ? (100 * r.done) / r.total : 0;
                progress.report({
                  increment: pct - last,
                  message: `${r.done}/${r.total}${r.failed ? `, ${r.failed} failed` : ''}`,
                });
                last = pct;
              },
            },
            plan,
            journal,
          );
        },
      );
      api.lastReport = report;
      log.info(`re-encryption of ${plainLine(b.name, 80)}: ${JSON.stringify(report)}`);
      const line = `${report.updated} updated in place, ${report.copied} copied, ${Object.values(report.skipped).reduce((x, y) => x + (y ?? 0), 0)} skipped, ${report.failed.length} failed`;
      if (report.stopped || report.failed.length)
        void vscode.window.showWarningMessage(
          `Re-encryption of ${messageValue(b.name, 80)} ${report.stopped ? 'stopped' : 'finished with failures'}: ${line}.${report.stopped ? ` ${messageValue(report.stopped, 300)}` : ''} See the S3 Encryption Guard output.`,
        );
      else void vscode.window.showInformationMessage(`Re-encryption of ${messageValue(b.name, 80)} done: ${line}.`);
      // The audit shown is out of date now.
      if (states.has(b.name)) set(b.name, { kind: 'idle' });
    } finally {
      journal?.close();
      session.destroy();
    }
  }

  return {
    api,
    disposables: [
      vscode.commands.registerCommand(AUDIT_COMMAND, (arg: unknown) => audit(arg)),
      vscode.commands.registerCommand(REENCRYPT_COMMAND, (arg: unknown) => reencrypt(arg)),
    ],
  };
}
