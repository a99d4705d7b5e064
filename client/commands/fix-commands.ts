// "Fix Bucket Settings…" (on a bucket in the S3 Encryption tree), its quick-fix on each failing check
// that a fix answers, and "Undo Last Change" (issue 14, item 4; aws/fix.ts does the work). The plan is
// shown before anything is written: the policy as a diff editor (live policy ↔ the new one), the
// changes in a modal that names the bucket and each setting, which is the only way to write. The
// new policy is computed from the user's choices and the requirements setting, never read from a
// workspace file. Disabled in untrusted workspaces (package.json capabilities, and a check here).
// The fix's judge asks the language server (verdicts: `s3EncryptionGuard/analyze`; the lock-out
// guard: `s3EncryptionGuard/decide`). Text from the endpoint reaches messages through messageValue
// and plainLine. The undo record is kept in the extension's global state (no credentials in it).
import * as vscode from 'vscode';
import type { FixJudge, FixKind, FixPlan, FixResult, UndoRecord } from '../../aws/fix';
import { fixKindsForCheck } from '../../aws/fix-kinds';
import type { Judge } from '../../aws/posture';
import type { DecideParams, DecideResult } from '../../protocol/protocol';
import { plainLine } from '../../shared/escape';
import { liveRequirements } from '../views/live-settings';
import type { PostureNode } from '../views/posture-model';
import { currentLiveSettings, type PostureTreeProvider } from '../views/posture-tree';
import { iconSafe, messageValue } from '../views/ui-text';

export const FIX_COMMANDS = {
  fixBucket: 's3EncryptionGuard.live.fixBucket',
  fixCheck: 's3EncryptionGuard.live.fixCheck',
  undo: 's3EncryptionGuard.live.undoFix',
} as const;

/** The URI scheme of the plan's policy documents (the diff editor's two sides). */
export const FIX_SCHEME = 's3-encryption-guard-fix';
const UNDO_KEY = 's3EncryptionGuard.fix.lastUndo';

/** The default encryption the user chose: a key (ARN, ID or alias), SSE-S3, or leave it as it is. */
export type EncryptionChoice = { kmsKey?: string; encryption?: 'sse-kms' | 'sse-s3' };

/** What the commands ask the user. Replaced only by the in-editor tests (extension mode Test). */
export interface FixPrompts {
  encryption(bucket: string, current: string | null): Promise<EncryptionChoice | undefined>;
  /** A modal; true only for `button`. */
  confirm(message: string, detail: string, button: string): Promise<boolean>;
}

export const defaultPrompts: FixPrompts = {
  async encryption(bucket, current) {
    const items: (vscode.QuickPickItem & { choice?: EncryptionChoice; other?: boolean })[] = [
      ...(current
        ? [{ label: `SSE-KMS with the bucket's key`, description: iconSafe(current, 120), choice: {} as EncryptionChoice }]
        : []),
      { label: 'SSE-KMS with another key…', description: 'a key ARN, key ID or alias', other: true },
      { label: 'SSE-S3', description: 'AES256, keys managed by S3', choice: { encryption: 'sse-s3' } },
      ...(current ? [] : [{ label: 'Leave default encryption as it is', choice: {} as EncryptionChoice }]),
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: `Default encryption for ${iconSafe(bucket, 100)}`,
      placeHolder: 'SSE-KMS with an S3 Bucket Key is pinned in the bucket policy too',
    });
    if (!picked) return undefined;
    if (!picked.other) return picked.choice;
    const key = await vscode.window.showInputBox({
      title: 'KMS key for default encryption',
      prompt: 'A symmetric KMS key in the bucket’s region: its ARN, key ID or alias (alias/…)',
      validateInput: v =>
        /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+|alias\/[A-Za-z0-9/_-]+|[A-Za-z0-9-]{1,128})$/.test(
          v.trim(),
        )
          ? undefined
          : 'Not a KMS key ARN, key ID or alias',
    });
    return key ? { kmsKey: key.trim(), encryption: 'sse-kms' } : undefined;
  },
  async confirm(message, detail, button) {
    const answer = await vscode.window.showWarningMessage(message, { modal: true, detail }, button);
    return answer === button;
  },
};

/** The plan's two policy texts, served read-only for the diff editor. */
class PlanDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  put(bucket: string, side: 'live' | 'proposed', text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: FIX_SCHEME, path: `/${encodeURIComponent(bucket)}/${side}.bucket-policy.json` });
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
    return uri;
  }
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }
  dispose(): void {
    this.changed.dispose();
  }
}

export interface FixDeps {
  context: vscode.ExtensionContext;
  provider: PostureTreeProvider;
  judge: Judge;
  decide: (p: DecideParams) => Promise<DecideResult>;
  log: vscode.LogOutputChannel;
}

/** What the tests see: the last plan and result, and the prompts to replace. */
export interface FixApi {
  lastPlan(): FixPlan | undefined;
  lastResult(): FixResult | undefined;
  /** Only in extension mode Test; otherwise it throws. */
  setPrompts(p: FixPrompts): void;
}

const loadFix = () => import('../../aws/fix');

const LABELS: Record<string, string> = {
  encryption: 'Default encryption',
  policy: 'Bucket policy',
  publicAccessBlock: 'Block Public Access',
  keyRotation: 'Key rotation',
};

/** The plan as the modal's detail: one line per setting, the statements added, what still fails. */
export function planDetail(plan: FixPlan): string {
  const lines: string[] = [];
  for (const c of plan.changes) {
    lines.push(`${LABELS[c.setting] ?? c.setting}: ${plainLine(c.from, 200)} → ${plainLine(c.to, 200)}`);
    if (c.setting === 'policy' && plan.policy)
      for (const a of plan.policy.added) lines.push(`  + ${plainLine(a.sid, 60)}: ${plainLine(a.does, 200)}`);
  }
  const before = new Map(plan.checksBefore.map(c => [c.id, c.status]));
  const fixed = plan.checksAfter.filter(c => c.status === 'pass' && before.get(c.id) !== 'pass');
  if (fixed.length) lines.push('', `Fixed after this: ${fixed.map(c => plainLine(c.message, 120)).join(' ')}`);
  const still = plan.checksAfter.filter(c => c.status === 'fail');
  if (still.length) lines.push('', `Still failing: ${still.map(c => plainLine(c.message, 120)).join(' ')}`);
  if (plan.lockout) lines.push('', `Lock-out check: ${plainLine(plan.lockout.message, 400)}`);
  for (const n of plan.notes) lines.push(`Left alone: ${plainLine(n, 300)}`);
  lines.push('', 'Each setting is read again before it is written; the previous settings are kept for Undo Last Change.');
  return lines.join('\n');
}

export function registerFixCommands(deps: FixDeps): { disposables: vscode.Disposable[]; api: FixApi } {
  const { context, provider, log } = deps;
  const docs = new PlanDocuments();
  let prompts = defaultPrompts;
  let lastPlan: FixPlan | undefined;
  let lastResult: FixResult | undefined;
  const judge: FixJudge = {
    ...deps.judge,
    async decide(text, bucket, requests) {
      try {
        return (await deps.decide({ text, bucket, requests })).decisions;
      } catch (e) {
        log.warn(
          `bucket fix: the language server could not evaluate the new policy: ${e instanceof Error ? e.message : String(e)}`,
        );
        return null;
      }
    },
  };

  const trusted = (): boolean => {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window.showErrorMessage(
      'S3 Encryption Guard: fixing buckets is disabled in an untrusted workspace. Trust the workspace (Manage Workspace Trust) to change bucket settings.',
    );
    return false;
  };

  const session = () => {
    const s = currentLiveSettings();
    return { profile: s.profile, endpoint: s.endpoint, timeoutMs: s.timeoutMs, env: process.env };
  };

  async function fix(arg: unknown, only?: FixKind[]): Promise<FixResult | undefined> {
    if (!trusted()) return undefined;
    const node = arg as PostureNode | undefined;
    let name = typeof arg === 'string' ? arg : node?.bucket;
    if (!name) {
      const buckets = provider.current.report?.buckets ?? [];
      const picked = await vscode.window.showQuickPick(
        buckets.map(b => ({ label: iconSafe(b.name, 100), description: iconSafe(b.region ?? '', 40), name: b.name })),
        { placeHolder: 'Bucket to fix' },
      );
      name = picked?.name;
    }
    if (!name) return undefined;
    const b = provider.bucket(name);
    let choice: EncryptionChoice = {};
    if (!only || only.includes('encryption')) {
      const current = b?.defaultEncryption?.algorithm === 'aws:kms' ? (b.kmsKey?.arn ?? b.defaultEncryption.kmsKeyId) : null;
      const c = await prompts.encryption(name, current);
      if (!c) return undefined;
      choice = c;
    }
    const { planFix, applyFix } = await loadFix();
    const requirements = liveRequirements(vscode.workspace.getConfiguration('s3EncryptionGuard').get('requirements'));
    let plan: FixPlan;
    try {
      plan = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Planning the fix of ${plainLine(name, 100)}…` },
        () => planFix({ ...session(), bucket: name, judge, requirements, only, ...choice }),
      );
    } catch (e) {
      void vscode.window.showErrorMessage(
        `S3 Encryption Guard: cannot plan the fix of ${messageValue(name, 100)}: ${messageValue(e instanceof Error ? e.message : String(e), 400)}`,
      );
      return undefined;
    }
    lastPlan = plan;
    if (plan.policy) {
      const live = docs.put(name, 'live', plan.before.policy ?? '');
      const proposed = docs.put(name, 'proposed', plan.after.policy ?? '');
      await vscode.commands.executeCommand(
        'vscode.diff',
        live,
        proposed,
        `${plainLine(name, 100)}: bucket policy ↔ after the fix`,
        {
          preview: true,
        },
      );
    }
    if (plan.refused) {
      void vscode.window.showErrorMessage(
        `S3 Encryption Guard: not fixing ${messageValue(name, 100)}: ${messageValue(plan.refused, 500)}`,
      );
      return undefined;
    }
    if (!plan.changes.length) {
      void vscode.window.showInformationMessage(`S3 Encryption Guard: nothing to change on ${messageValue(name, 100)}.`);
      return undefined;
    }
    const n = plan.changes.length;
    const ok = await prompts.confirm(
      `Write ${n} change${n === 1 ? '' : 's'} to bucket ${plainLine(name, 100)} (${plan.changes.map(c => LABELS[c.setting]).join(', ')})?`,
      planDetail(plan),
      'Write Changes',
    );
    if (!ok) return undefined;
    let result: FixResult;
    try {
      result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Fixing ${plainLine(name, 100)}…` },
        () => applyFix(plan, session()),
      );
    } catch (e) {
      void vscode.window.showErrorMessage(
        `S3 Encryption Guard: the fix of ${messageValue(name, 100)} failed before writing: ${messageValue(e instanceof Error ? e.message : String(e), 400)}`,
      );
      return undefined;
    }
    lastResult = result;
    if (result.written.length) await context.globalState.update(UNDO_KEY, result.undo);
    log.info(
      `bucket fix of ${plainLine(name, 100)}: wrote ${result.written.join(', ') || 'nothing'}${result.stopped ? `; stopped: ${plainLine(result.stopped.message, 300)}` : ''}`,
    );
    await provider.refresh();
    if (result.stopped)
      void vscode.window.showErrorMessage(
        `S3 Encryption Guard: the fix of ${messageValue(name, 100)} stopped${result.written.length ? ` after writing ${result.written.map(w => LABELS[w]).join(', ')}` : ''}: ${messageValue(result.stopped.message, 600)}`,
      );
    else
      void vscode.window.showInformationMessage(
        `S3 Encryption Guard: changed ${result.written.map(w => LABELS[w]).join(', ')} on ${messageValue(name, 100)}. "Undo Last Change" restores the previous settings.`,
      );
    return result;
  }

  async function undo(): Promise<FixResult | undefined> {
    if (!trusted()) return undefined;
    const record = context.globalState.get<UndoRecord>(UNDO_KEY);
    if (!record) {
      void vscode.window.showInformationMessage('S3 Encryption Guard: no bucket fix to undo.');
      return undefined;
    }
    const endpoint = currentLiveSettings().endpoint ?? null;
    if ((record.endpoint ?? null) !== endpoint) {
      void vscode.window.showErrorMessage(
        `S3 Encryption Guard: the last fix was made through ${messageValue(record.endpoint ?? 'AWS', 200)}; the view now uses ${messageValue(endpoint ?? 'AWS', 200)}. Switch back to undo it.`,
      );
      return undefined;
    }
    const { undoFix, describeSetting } = await loadFix();
    const names = Object.keys(record.applied) as (keyof UndoRecord['applied'])[];
    const ok = await prompts.confirm(
      `Restore ${names.map(n => LABELS[n]).join(', ')} of bucket ${plainLine(record.bucket, 100)} as they were before the fix?`,
      names
        .map(
          n =>
            `${LABELS[n]}: ${plainLine(describeSetting(n, record.applied), 200)} → ${plainLine(describeSetting(n, record.previous), 200)}`,
        )
        .join('\n') + '\n\nEach setting must still be what the fix wrote; a setting changed since stops the undo.',
      'Restore',
    );
    if (!ok) return undefined;
    let result: FixResult;
    try {
      result = await undoFix(record, session());
    } catch (e) {
      void vscode.window.showErrorMessage(
        `S3 Encryption Guard: the undo on ${messageValue(record.bucket, 100)} failed before writing: ${messageValue(e instanceof Error ? e.message : String(e), 400)}`,
      );
      return undefined;
    }
    lastResult = result;
    const left: UndoRecord = { ...record, previous: { ...record.previous }, applied: { ...record.applied } };
    for (const n of result.written) {
      delete left.previous[n];
      delete left.applied[n];
    }
    await context.globalState.update(UNDO_KEY, Object.keys(left.applied).length ? left : undefined);
    await provider.refresh();
    if (result.stopped)
      void vscode.window.showErrorMessage(
        `S3 Encryption Guard: the undo on ${messageValue(record.bucket, 100)} stopped: ${messageValue(result.stopped.message, 600)}`,
      );
    else
      void vscode.window.showInformationMessage(
        `S3 Encryption Guard: restored ${result.written.map(w => LABELS[w]).join(', ')} on ${messageValue(record.bucket, 100)}.`,
      );
    return result;
  }

  const disposables = [
    docs,
    vscode.workspace.registerTextDocumentContentProvider(FIX_SCHEME, docs),
    vscode.commands.registerCommand(FIX_COMMANDS.fixBucket, (arg?: unknown) => fix(arg)),
    vscode.commands.registerCommand(FIX_COMMANDS.fixCheck, (arg?: unknown) => {
      const kinds = fixKindsForCheck((arg as PostureNode | undefined)?.checkId ?? '');
      return fix(arg, kinds.length ? kinds : undefined);
    }),
    vscode.commands.registerCommand(FIX_COMMANDS.undo, undo),
  ];
  return {
    disposables,
    api: {
      lastPlan: () => lastPlan,
      lastResult: () => lastResult,
      setPrompts: p => {
        if (context.extensionMode !== vscode.ExtensionMode.Test) throw new Error('prompts can be replaced in tests only');
        prompts = p;
      },
    },
  };
}
