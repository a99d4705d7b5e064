// The "S3 Encryption" tree: loads the live posture (aws/posture.ts) with the user's
// profile, regions and endpoint, and shows posture-model.ts's nodes with pass/warn/fail icons.
// Loading shows progress on the view and can be stopped; an AWS error shows on its node; no
// credentials → the welcome view (package.json viewsWelcome). Only read calls are made.
import * as vscode from 'vscode';
import type { Judge } from '../../aws/posture';
import type { BucketPosture } from '../../aws/types';
import { liveRequirements, readLiveSettings, type LiveSettings } from './live-settings';
import { postureTree, type PostureNode, type Report, type Status } from './posture-model';
import { plainLine } from '../../shared/escape';
import { messageValue, treeItemText } from './ui-text';
import { attachJobs } from './jobs-model';
import { BatchJobsState } from './jobs-tree';
import { fixKindsForCheck } from '../../aws/fix-kinds';

export const VIEW_ID = 's3EncryptionGuard.posture';
/** Context keys for when-clauses in package.json. */
export const CONTEXT = {
  noCredentials: 's3EncryptionGuard.live.noCredentials',
  loading: 's3EncryptionGuard.live.loading',
  filtered: 's3EncryptionGuard.live.filtered',
} as const;

const ICONS: Record<Status, vscode.ThemeIcon> = {
  pass: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  warn: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')),
  fail: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  info: new vscode.ThemeIcon('info'),
};

/** The user's live-view settings (never workspace values: see live-settings.ts). */
export function currentLiveSettings(): LiveSettings {
  const config = vscode.workspace.getConfiguration('s3EncryptionGuard');
  return readLiveSettings(key => config.inspect(key));
}

/**
 * The AWS SDK code, loaded when the view first loads: the bundle evaluates it only then, so
 * opening a JSON file (which activates the extension) does not pay for it.
 */
export async function loadAws(): Promise<typeof import('../../aws/posture') & typeof import('../../aws/session')> {
  const [posture, session] = await Promise.all([import('../../aws/posture'), import('../../aws/session')]);
  return { ...session, ...posture };
}

/** What bucket policies must enforce (the same setting the language server reads). */
const requirements = () => liveRequirements(vscode.workspace.getConfiguration('s3EncryptionGuard').get('requirements'));

/** `npm start` tells the editor which endpoint is its demo emulator, so the tree can say so. */
function isDemoEndpoint(endpoint: string | undefined): boolean {
  const demo = process.env.S3EG_DEMO_ENDPOINT;
  return !!endpoint && !!demo && demo.replace(/\/+$/, '') === endpoint;
}

export interface LoadState {
  report?: Report;
  /** The settings the report was loaded with. */
  settings?: LiveSettings;
  /** Why nothing could be loaded (no credentials, unknown profile, bad endpoint). */
  credentialsProblem?: string;
  loading: boolean;
}

export class PostureTreeProvider implements vscode.TreeDataProvider<PostureNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<PostureNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private view?: vscode.TreeView<PostureNode>;
  private readonly state: LoadState = { loading: false };
  private filterText = '';
  private root?: PostureNode;
  private abort?: AbortController;
  private loadingRun?: Promise<void>;
  private startedOnce = false;
  private readonly warnedIgnored = new Set<string>();
  /** Run on every rebuilt tree: nodes other parts add (the Objects node, client/views/objects-node.ts). */
  readonly decorators: ((root: PostureNode) => void)[] = [];
  /** Batch Operations jobs, shown under their buckets (jobs-tree.ts). */
  readonly jobs = new BatchJobsState(
    () => this.rebuild(),
    m => this.log.warn(m),
  );

  constructor(
    private readonly judge: Judge,
    private readonly log: vscode.LogOutputChannel,
    /** Called with each new report (the live documents keep the policy texts). */
    private readonly onReport: (report: Report, settings: LiveSettings) => void,
  ) {}

  attach(view: vscode.TreeView<PostureNode>): void {
    this.view = view;
  }

  get current(): Readonly<LoadState> {
    return this.state;
  }

  get filter(): string {
    return this.filterText;
  }

  /** The tree as shown now (after the filter); undefined before the first load. */
  get tree(): PostureNode | undefined {
    return this.root;
  }

  setFilter(text: string): void {
    this.filterText = text.trim();
    void vscode.commands.executeCommand('setContext', CONTEXT.filtered, !!this.filterText);
    this.rebuild();
  }

  getTreeItem(n: PostureNode): vscode.TreeItem {
    const collapsed =
      n.children.length === 0
        ? vscode.TreeItemCollapsibleState.None
        : n.kind === 'profile' || n.kind === 'region'
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed;
    // Labels and descriptions hold bucket names and endpoint error messages: plain text, one line.
    const text = treeItemText(n);
    const item = new vscode.TreeItem(text.label, collapsed);
    item.id = n.id;
    item.description = text.description;
    item.iconPath =
      n.kind === 'profile'
        ? new vscode.ThemeIcon('account')
        : n.kind === 'region' && n.status === 'info'
          ? new vscode.ThemeIcon('globe')
          : ICONS[n.status];
    if (n.tooltip) {
      // posture-model.ts escapes every value in the tooltip; no command links, HTML or icons are ours to render.
      const tip = new vscode.MarkdownString(n.tooltip);
      tip.isTrusted = false;
      tip.supportHtml = false;
      tip.supportThemeIcons = false;
      item.tooltip = tip;
    }
    item.contextValue = this.contextValue(n);
    item.accessibilityInformation = { label: text.accessibility };
    return item;
  }

  /** `bucket hasPolicy hasKeyPolicy`, matched by the menus' `viewItem =~ /…/` clauses. */
  private contextValue(n: PostureNode): string {
    const parts: string[] = [n.kind];
    const b = n.bucket ? this.bucket(n.bucket) : undefined;
    if ((n.kind === 'bucket' || n.kind === 'policy') && b?.policy.text) parts.push('hasPolicy');
    if ((n.kind === 'bucket' || n.kind === 'key') && b && keyPolicyText(b)) parts.push('hasKeyPolicy');
    if (n.bucket && (n.kind === 'bucket' || n.kind === 'policy')) parts.push('hasBucket');
    if (n.kind === 'job' && n.description?.startsWith('Suspended')) parts.push('suspended');
    if (n.kind === 'job' && !/^(Complete|Failed|Cancelled)\b/.test(n.description ?? '')) parts.push('unfinished');

    // A failing or warning check that a bucket fix answers: its quick-fix (client/commands/fix-commands.ts).
    if (n.kind === 'check' && n.bucket && n.status !== 'pass' && n.checkId && fixKindsForCheck(n.checkId).length)
      parts.push('fixable');
    return parts.join(' ');
  }

  getChildren(n?: PostureNode): PostureNode[] {
    if (n) return n.children;
    if (!this.startedOnce) {
      // First shown: load now (never at activation: opening a JSON file must not call AWS).
      void this.refresh();
      return [];
    }
    if (this.state.credentialsProblem) return []; // the welcome view shows
    return this.root ? [this.root] : [];
  }

  getParent(): undefined {
    return undefined;
  }

  /** The bucket's posture in the current report. */
  bucket(name: string): BucketPosture | undefined {
    return this.state.report?.buckets.find(b => b.name === name);
  }

  /** Stops a load in progress (the view's Stop button); what was loaded before stays. */
  cancel(): void {
    this.abort?.abort();
  }

  /**
   * Loads the posture again; a load in progress is stopped first. Resolves when no load is in
   * progress any more (a refresh started meanwhile, e.g. by a settings change, is waited for too).
   */
  refresh(): Promise<void> {
    this.startedOnce = true;
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.loadingRun = this.load(abort).finally(() => {
      if (this.abort === abort) this.abort = undefined;
    });
    return this.idle();
  }

  /** Resolves when the newest load (if any) has finished. */
  async idle(): Promise<void> {
    while (this.loadingRun) {
      const r = this.loadingRun;
      await r.catch(() => undefined);
      if (this.loadingRun === r) this.loadingRun = undefined;
    }
  }

  private async load(abort: AbortController): Promise<void> {
    const settings = currentLiveSettings();
    this.reportSettingProblems(settings);
    const env = process.env;
    const session = { profile: settings.profile, endpoint: settings.endpoint, timeoutMs: settings.timeoutMs, env };
    this.setLoading(true, 'Checking credentials…');
    try {
      const { checkCredentials, fetchPosture } = await loadAws();
      const cred = await checkCredentials(session);
      if (abort.signal.aborted) return;
      if (!cred.ok) {
        this.state.credentialsProblem = cred.message;
        this.state.report = undefined;
        this.state.settings = settings;
        this.root = undefined;
        this.log.warn(`live view: ${cred.message}`);
        await vscode.commands.executeCommand('setContext', CONTEXT.noCredentials, true);
        this.setMessage(`No AWS credentials: ${plainLine(cred.message)}`);
        this.changed.fire(undefined);
        return;
      }
      this.state.credentialsProblem = undefined;
      await vscode.commands.executeCommand('setContext', CONTEXT.noCredentials, false);
      const t0 = Date.now();
      const report = await vscode.window.withProgress(
        { location: { viewId: VIEW_ID }, title: 'Loading buckets', cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => abort.abort());
          let last = 0;
          return fetchPosture({
            ...session,
            regions: settings.regions.length ? settings.regions : undefined,
            concurrency: settings.concurrency,
            signal: abort.signal,
            judge: this.judge,
            requirements: requirements(),
            onProgress: p => {
              if (abort.signal.aborted) return;
              const pct = p.total ? (100 * p.done) / p.total : 0;
              progress.report({ increment: pct - last, message: `${p.done}/${p.total}` });
              last = pct;
              this.setMessage(`Loading buckets… ${p.done}/${p.total}${p.bucket ? ` (${plainLine(p.bucket, 80)})` : ''}`);
            },
          });
        },
      );
      if (abort.signal.aborted) return;
      this.state.report = report;
      this.state.settings = settings;
      const failed = report.buckets.reduce((n, b) => n + b.errors.length, 0);
      this.log.info(
        `live view: ${report.buckets.length} bucket(s) in ${Date.now() - t0} ms${failed ? `, ${failed} failed call(s) shown on their nodes` : ''}${report.errors?.length ? `; ${report.errors.map(e => `${e.call}: ${e.code}`).join(', ')}` : ''}`,
      );
      this.onReport(report, settings);
      this.rebuild();
      await this.jobs.load(session, report, abort.signal);
    } catch (e) {
      if (abort.signal.aborted) {
        // Stopped by the user (a newer refresh sets its own message).
        if (this.abort === abort)
          this.setMessage(
            this.state.report
              ? 'Loading stopped; showing the previous results.'
              : 'Loading stopped. Refresh to load the buckets.',
          );
        return;
      }
      // fetchPosture records AWS errors on their nodes; anything else is a bug of ours, shown, not thrown.
      const msg = e instanceof Error ? e.message : String(e);
      this.log.error(`live view: loading failed: ${e instanceof Error ? (e.stack ?? msg) : msg}`);
      this.setMessage(`Loading failed: ${plainLine(msg, 200)}. See the "S3 Encryption Guard" output; Refresh to try again.`);
    } finally {
      if (this.abort === abort || !this.abort) this.setLoading(false);
    }
  }

  private reportSettingProblems(s: LiveSettings): void {
    for (const p of [
      ...s.problems,
      ...s.ignored.map(
        k =>
          `${k} is set in the workspace settings and ignored: it decides where credentials go, so only your user settings count`,
      ),
    ]) {
      if (this.warnedIgnored.has(p)) continue;
      this.warnedIgnored.add(p);
      this.log.warn(`live view: ${p}`);
      void vscode.window.showWarningMessage(`S3 Encryption Guard: ${messageValue(p, 400)}.`);
    }
  }

  private setLoading(on: boolean, message?: string): void {
    this.state.loading = on;
    void vscode.commands.executeCommand('setContext', CONTEXT.loading, on);
    if (on && message) this.setMessage(message);
  }

  private setMessage(message: string | undefined): void {
    if (this.view) this.view.message = message;
  }

  /** Rebuilds the nodes from the report (after a load or a filter change) and the view's messages. */
  private rebuild(): void {
    const { report, settings } = this.state;
    const filter = plainLine(this.filterText, 80);
    if (this.view) this.view.description = this.filterText ? `filter: ${filter}` : undefined;
    if (!report || !settings) {
      this.changed.fire(undefined);
      return;
    }
    const wantedTls = requirements().minTlsVersion;
    this.root = postureTree(report, {
      connection: { profile: settings.profile, endpoint: settings.endpoint, demo: isDemoEndpoint(settings.endpoint) },
      filter: this.filterText,
      wantedTls,
    });
    for (const d of this.decorators) d(this.root);
    attachJobs(this.root, b => this.jobs.jobsOf(b));
    const shown = this.root.children.filter(c => c.kind === 'region').reduce((n, r) => n + r.children.length, 0);
    if (report.buckets.length === 0) {
      this.setMessage(
        report.errors?.length
          ? 'No buckets could be listed: see the error under the profile.'
          : `No buckets${settings.regions.length ? ` in ${settings.regions.join(', ')}` : ''} for these credentials.`,
      );
    } else if (shown === 0) {
      this.setMessage(`No bucket name contains "${filter}" (${report.buckets.length} loaded). Clear the filter to see them all.`);
    } else if (this.filterText) {
      this.setMessage(`Showing ${shown} of ${report.buckets.length} buckets whose name contains "${filter}".`);
    } else {
      this.setMessage(undefined);
    }
    this.changed.fire(undefined);
  }

  /** Shows the tree again from the current report (a decorator's state changed). */
  redraw(): void {
    this.rebuild();
  }

  dispose(): void {
    this.abort?.abort();
    this.changed.dispose();
  }
}

/** The key policy's text, when the backend read it. */
export function keyPolicyText(b: BucketPosture): string | undefined {
  return b.kmsKey?.policyText ?? undefined;
}
