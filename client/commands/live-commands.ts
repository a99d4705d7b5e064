// The live view's commands: Select Profile, Select Regions, Use a Custom Endpoint, Refresh, Filter,
// Open Bucket Policy, Compare With Local File, Open Key Policy, Copy Bucket ARN. They read the
// account and change only the user's own settings; nothing is ever written to an AWS account.
// Bucket names, key ARNs, regions and error messages come from the endpoint: they reach messages
// through messageValue, quick picks and the status bar through iconSafe, titles through plainLine.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BucketPosture } from '../../aws/types';
import { checkEndpoint } from '../views/live-settings';
import type { LiveDocuments } from '../views/live-documents';
import { bucketArnInRegion, type PostureNode } from '../views/posture-model';
import { currentLiveSettings, keyPolicyText, loadAws, type PostureTreeProvider } from '../views/posture-tree';
import { iconSafe, messageValue } from '../views/ui-text';
import { plainLine } from '../../shared/escape';

export const LIVE_COMMANDS = {
  refresh: 's3EncryptionGuard.live.refresh',
  cancel: 's3EncryptionGuard.live.cancel',
  selectProfile: 's3EncryptionGuard.live.selectProfile',
  selectRegions: 's3EncryptionGuard.live.selectRegions',
  useEndpoint: 's3EncryptionGuard.live.useEndpoint',
  filter: 's3EncryptionGuard.live.filter',
  clearFilter: 's3EncryptionGuard.live.clearFilter',
  openBucketPolicy: 's3EncryptionGuard.live.openBucketPolicy',
  compareWithLocal: 's3EncryptionGuard.live.compareWithLocal',
  openKeyPolicy: 's3EncryptionGuard.live.openKeyPolicy',
  copyBucketArn: 's3EncryptionGuard.live.copyBucketArn',
} as const;

/** Commercial regions offered by Select Regions (regions seen in the last load are added). */
const KNOWN_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'ca-west-1',
  'sa-east-1',
  'mx-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'ap-east-1',
  'ap-south-1',
  'ap-south-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-7',
  'me-south-1',
  'me-central-1',
  'il-central-1',
  'af-south-1',
];

const SECTION = 's3EncryptionGuard';
/** Live-view settings go to the user's settings only (they are application-scoped). */
const userTarget = vscode.ConfigurationTarget.Global;

interface Deps {
  provider: PostureTreeProvider;
  docs: LiveDocuments;
}

/** A bucket, from the tree node the command was run on, a bucket name, or a quick pick. */
async function pickBucket(
  deps: Deps,
  arg: unknown,
  want: (b: BucketPosture) => boolean,
  what: string,
): Promise<BucketPosture | undefined> {
  const name = typeof arg === 'string' ? arg : (arg as PostureNode | undefined)?.bucket;
  if (name) {
    const b = deps.provider.bucket(name);
    if (!b)
      void vscode.window.showWarningMessage(
        `S3 Encryption Guard: bucket ${messageValue(name, 100)} is not loaded; refresh the S3 Encryption view.`,
      );
    return b;
  }
  const buckets = deps.provider.current.report?.buckets.filter(want) ?? [];
  if (!buckets.length) {
    void vscode.window.showInformationMessage(
      `S3 Encryption Guard: no loaded bucket has ${what}. Open the S3 Encryption view and refresh it first.`,
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    buckets.map(b => ({ label: iconSafe(b.name, 100), description: iconSafe(b.region ?? '', 40), bucket: b })),
    { placeHolder: `Bucket (${what})` },
  );
  return picked?.bucket;
}

const profileSegment = (): string => currentLiveSettings().profile ?? 'default';

export function registerLiveCommands(deps: Deps): vscode.Disposable[] {
  const { provider, docs } = deps;

  async function openBucketPolicy(arg?: unknown): Promise<vscode.TextEditor | undefined> {
    const b = await pickBucket(deps, arg, x => !!x.policy.text, 'a bucket policy');
    if (!b) return undefined;
    if (!b.policy.text) {
      const why = b.errors.find(e => /BucketPolicy$/i.test(e.call));
      void vscode.window.showInformationMessage(
        why
          ? `S3 Encryption Guard: the policy of ${messageValue(b.name, 100)} could not be read (${messageValue(why.code, 60)}: ${messageValue(why.message)}).`
          : `S3 Encryption Guard: bucket ${messageValue(b.name, 100)} has no bucket policy.`,
      );
      return undefined;
    }
    const uri = docs.put('bucket-policy', profileSegment(), b.region, b.name, b.policy.text);
    const doc = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(doc, { preview: true });
  }

  async function openKeyPolicy(arg?: unknown): Promise<vscode.TextEditor | undefined> {
    const b = await pickBucket(deps, arg, x => !!keyPolicyText(x), 'a KMS key policy');
    if (!b) return undefined;
    const text = keyPolicyText(b);
    if (!b.kmsKey || !text) {
      void vscode.window.showInformationMessage(
        b.kmsKey
          ? `S3 Encryption Guard: the policy of key ${messageValue(b.kmsKey.arn, 160)} could not be read.`
          : `S3 Encryption Guard: bucket ${messageValue(b.name, 100)} does not use a customer managed KMS key.`,
      );
      return undefined;
    }
    const uri = docs.put('key-policy', profileSegment(), b.kmsKey.region ?? b.region, b.kmsKey.arn, text);
    const doc = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(doc, { preview: true });
  }

  async function compareWithLocal(arg?: unknown, localFile?: vscode.Uri): Promise<void> {
    const b = await pickBucket(deps, arg, x => !!x.policy.text, 'a bucket policy');
    if (!b?.policy.text) {
      if (b)
        void vscode.window.showInformationMessage(
          `S3 Encryption Guard: bucket ${messageValue(b.name, 100)} has no policy to compare.`,
        );
      return;
    }
    let local = localFile;
    if (!local) {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        openLabel: 'Compare',
        title: `Compare the live policy of ${plainLine(b.name, 100)} with`,
        filters: { 'Policies (JSON)': ['json'] },
        defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      });
      local = picked?.[0];
    }
    if (!local) return;
    const live = docs.put('bucket-policy', profileSegment(), b.region, b.name, b.policy.text);
    await vscode.commands.executeCommand(
      'vscode.diff',
      live,
      local,
      `${plainLine(b.name, 100)} (live) ↔ ${plainLine(path.basename(local.path), 100)}`,
      { preview: true },
    );
  }

  async function copyBucketArn(arg?: unknown): Promise<string | undefined> {
    const b = await pickBucket(deps, arg, () => true, 'an ARN');
    if (!b) return undefined;
    const arn = bucketArnInRegion(b.name, b.region);
    await vscode.env.clipboard.writeText(arn);
    void vscode.window.setStatusBarMessage(`Copied ${iconSafe(arn, 160)}`, 3000);
    return arn;
  }

  async function selectProfile(): Promise<void> {
    const current = currentLiveSettings().profile;
    const names = await loadAws()
      .then(aws => aws.listProfiles(process.env))
      .catch(() => [] as string[]);
    if (!names.includes('default')) names.unshift('default');
    const items: (vscode.QuickPickItem & { profile?: string })[] = [
      {
        label: '$(key) Default credential chain',
        detail: 'AWS_PROFILE, environment variables, the default profile, SSO, container or instance role',
        profile: undefined,
      },
      ...names.map(p => ({ label: p, profile: p, description: p === current ? 'current' : undefined })),
    ];
    const picked = await vscode.window.showQuickPick(items, {
      placeHolder: 'AWS profile for the S3 Encryption view (from ~/.aws/config and ~/.aws/credentials)',
    });
    if (!picked) return;
    await vscode.workspace.getConfiguration(SECTION).update('aws.profile', picked.profile, userTarget);
  }

  async function selectRegions(): Promise<void> {
    const current = currentLiveSettings().regions;
    const seen = (provider.current.report?.buckets ?? []).map(b => b.region).filter((r): r is string => !!r);
    const all = [...new Set([...current, ...seen, ...KNOWN_REGIONS])].sort();
    // A region seen comes from the endpoint: shown without icon syntax, saved as it is.
    const picked = await vscode.window.showQuickPick(
      all.map(r => ({
        label: iconSafe(r, 40),
        region: r,
        picked: current.includes(r),
        description: seen.includes(r) ? 'has buckets' : undefined,
      })),
      {
        canPickMany: true,
        placeHolder: 'Regions whose buckets to show (none selected: every region)',
      },
    );
    if (!picked) return;
    await vscode.workspace
      .getConfiguration(SECTION)
      .update('aws.regions', picked.length ? picked.map(p => p.region) : undefined, userTarget);
  }

  async function useEndpoint(): Promise<void> {
    const current = currentLiveSettings().endpoint ?? '';
    const value = await vscode.window.showInputBox({
      title: 'S3 Encryption Guard: custom endpoint',
      prompt:
        'An S3- and KMS-compatible endpoint (LocalStack, an S3-compatible store, the local emulator), addressed path-style. Your requests are signed with your credentials and sent there: use only endpoints you trust. Empty: AWS itself.',
      placeHolder: 'http://127.0.0.1:4566',
      value: current,
      validateInput: v => {
        if (!v.trim()) return undefined;
        const r = checkEndpoint(v.trim());
        return typeof r === 'string' ? undefined : r.problem;
      },
    });
    if (value === undefined) return;
    const checked = value.trim() ? checkEndpoint(value.trim()) : undefined;
    await vscode.workspace
      .getConfiguration(SECTION)
      .update('aws.endpoint', typeof checked === 'string' ? checked : undefined, userTarget);
  }

  async function filter(text?: unknown): Promise<void> {
    const value =
      typeof text === 'string'
        ? text
        : await vscode.window.showInputBox({
            title: 'Filter buckets by name',
            prompt: 'Show only buckets whose name contains this text (case-insensitive). Empty: show all.',
            value: provider.filter,
          });
    if (value !== undefined) provider.setFilter(value);
  }

  return [
    vscode.commands.registerCommand(LIVE_COMMANDS.refresh, () => provider.refresh()),
    vscode.commands.registerCommand(LIVE_COMMANDS.cancel, () => provider.cancel()),
    vscode.commands.registerCommand(LIVE_COMMANDS.selectProfile, selectProfile),
    vscode.commands.registerCommand(LIVE_COMMANDS.selectRegions, selectRegions),
    vscode.commands.registerCommand(LIVE_COMMANDS.useEndpoint, useEndpoint),
    vscode.commands.registerCommand(LIVE_COMMANDS.filter, filter),
    vscode.commands.registerCommand(LIVE_COMMANDS.clearFilter, () => provider.setFilter('')),
    vscode.commands.registerCommand(LIVE_COMMANDS.openBucketPolicy, openBucketPolicy),
    vscode.commands.registerCommand(LIVE_COMMANDS.compareWithLocal, compareWithLocal),
    vscode.commands.registerCommand(LIVE_COMMANDS.openKeyPolicy, openKeyPolicy),
    vscode.commands.registerCommand(LIVE_COMMANDS.copyBucketArn, copyBucketArn),
  ];
}
