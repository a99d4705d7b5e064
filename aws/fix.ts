// Fixing a live bucket's settings (issue 14, item 4): default encryption (SSE-KMS with the user's
// key and an S3 Bucket Key, or SSE-S3), SSE-C blocked (BlockedEncryptionTypes), Block Public Access,
// the rotation of the bucket's key, and the Deny statements the bucket policy is missing, merged into
// the live policy (fix-policy.ts).
//
// Three steps, each on its own call so a person sits between them:
// - `planFix` reads the bucket (its posture through the Judge, and the raw settings, fix-state.ts),
//   computes what would change from the user's choices, re-checks the new policy with the engine
//   through the Judge, and checks that the new policy does not lock the caller out;
// - `applyFix` writes the plan: before the first write it re-reads every setting the plan changes,
//   and before each write that setting again, and stops when one differs from the preview; after each
//   write it reads the setting back and stops when the endpoint did not do what AWS documents
//   (S3-compatible stores differ). What was there before each write is kept (`FixResult.undo`);
// - `undoFix` restores it, with the same guard: each setting must still be what the fix wrote.
//
// Writes happen only here and only when called: the CLI asks `--yes`, the editor a modal. Nothing
// is retried after a surprise. No vscode imports; credentials never appear in what is returned.
import {
  DeleteBucketEncryptionCommand,
  DeleteBucketPolicyCommand,
  DeletePublicAccessBlockCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { DescribeKeyCommand, DisableKeyRotationCommand, EnableKeyRotationCommand } from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Decision, Request } from '../shared/types';
import type { Requirements } from '../core/requirements';
import { fetchPosture, regionFromArn, type Judge } from './posture';
import { pinnedKeys, postureChecks, POSTURE_DEFAULT_REQUIREMENTS } from './checks';
import { openSession, SessionError, type Session, type SessionOptions } from './session';
import {
  blockedTypes,
  call,
  describeSetting,
  FixCallError,
  readSettings,
  sameSetting,
  SETTING_LABELS,
  SETTING_NAMES,
  type BucketSettings,
  type EncryptionRule,
  type SettingName,
} from './fix-state';
import {
  denyStatements,
  lineDiff,
  mergePolicy,
  PolicyMergeError,
  policySids,
  unifiedDiff,
  type DenyKind,
  type DenyStatement,
} from './fix-policy';
import type { BucketPosture, CallError, PostureCheck, PublicAccessBlock } from './types';
import { FIX_KINDS, type FixKind } from './fix-kinds';

export type { BucketSettings, SettingName } from './fix-state';

/** A Judge that can also decide single requests (the lock-out guard): the engine's evaluator. */
export interface FixJudge extends Judge {
  /** The policy's decision for each request; null when it cannot say (the text is not a policy it reads). */
  decide(text: string, bucket: string, requests: Request[]): Promise<{ decision: Decision; undecided: boolean }[] | null>;
}

export { FIX_KINDS, fixKindsForCheck, type FixKind } from './fix-kinds';

export interface FixOptions extends SessionOptions {
  bucket: string;
  judge: FixJudge;
  requirements?: Readonly<Requirements>;
  /** The KMS key for default encryption and the pinned-key Deny (ARN, key ID or alias; resolved to its ARN). */
  kmsKey?: string;
  /** Default encryption wanted: SSE-KMS (needs a key: `kmsKey` or the bucket's own) or SSE-S3. Default: SSE-KMS when a key is known. */
  encryption?: 'sse-kms' | 'sse-s3';
  /** Only these fixes (default: every one). */
  only?: readonly FixKind[];
  /** The TLS minimum the policy enforces: default the requirements' minTlsVersion, else 1.2; null: none. */
  minTlsVersion?: string | null;
  signal?: AbortSignal;
}

/** One setting the plan changes. */
export interface FixChange {
  setting: SettingName;
  kinds: FixKind[];
  /** One line each: what it is, what it becomes. */
  from: string;
  to: string;
}

export interface LockoutCheck {
  /** The caller (STS GetCallerIdentity); never a credential. */
  caller: { arn: string; account: string } | null;
  ok: boolean;
  message: string;
}

export interface FixPlan {
  bucket: string;
  region: string;
  endpoint: string | null;
  /** What the bucket's settings were when the plan was made (the preview the writes are checked against). */
  before: BucketSettings;
  /** What they become. Only the settings in `changes`. */
  after: BucketSettings;
  changes: FixChange[];
  /** The policy change: the statements added, the diff; null when the policy does not change. */
  policy: { added: { sid: string; does: string; kind: DenyKind }[]; diff: string } | null;
  /** The bucket's checks now, and as they will be (the new policy judged by the engine). */
  checksBefore: PostureCheck[];
  checksAfter: PostureCheck[];
  lockout: LockoutCheck | null;
  /** What the plan leaves alone, and why (one line each). */
  notes: string[];
  /** Why the plan cannot be applied (nothing is written); null: it can. */
  refused: string | null;
}

/** Raised for problems that stop a plan before anything is known (no session, the bucket unreadable). */
export class FixError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'FixError';
  }
}

const ALL_ON: PublicAccessBlock = {
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
};

const TLS = ['1.0', '1.1', '1.2', '1.3'];

/** S3's ARN partition for a region (the bucket's ARNs in the policy). */
const partitionOf = (region: string): string =>
  region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';

async function session(opts: SessionOptions): Promise<Session> {
  try {
    return await openSession(opts);
  } catch (e) {
    if (e instanceof SessionError) throw new FixError(e.code, e.message);
    throw e;
  }
}

/** Who calls (for the lock-out guard): STS GetCallerIdentity. */
async function callerIdentity(s: Session, signal?: AbortSignal): Promise<{ arn: string; account: string }> {
  const r = await call<{ Arn?: string; Account?: string }>(
    s,
    'sts:GetCallerIdentity',
    s.sts(s.region),
    new GetCallerIdentityCommand({}),
    signal,
  );
  if (!r.Arn || !r.Account || !/^\d{12}$/.test(r.Account))
    throw new FixError(
      'UnexpectedAnswer',
      'sts:GetCallerIdentity did not name the caller (no Arn or Account): cannot check for a lock-out',
    );
  return { arn: r.Arn, account: r.Account };
}

/** The IAM role ARN an assumed-role session acts for (`…:assumed-role/R/s` → `…:role/R`). */
function roleOfSession(arn: string): string | null {
  const m = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : null;
}

/** The calls that undo a policy, as the caller makes them (HTTPS, TLS 1.2: the lowest Node negotiates). */
export function undoRequests(caller: { arn: string; account: string }, bucket: string, partition: string): Request[] {
  const role = roleOfSession(caller.arn);
  const root = /^arn:aws[a-z-]*:iam::\d{12}:root$/.test(caller.arn);
  return ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy'].map(action => ({
    principal: { kind: 'aws', arn: caller.arn, account: caller.account, ...(role ? { written: role } : {}) },
    action,
    resource: `arn:${partition}:s3:::${bucket}`,
    context: {
      'aws:securetransport': 'true',
      's3:tlsversion': '1.2',
      'aws:principalarn': role ?? caller.arn,
      'aws:principalaccount': caller.account,
      'aws:principaltype': root ? 'Account' : role ? 'AssumedRole' : 'User',
      's3:authtype': 'REST-HEADER',
      's3:signatureversion': 'AWS4-HMAC-SHA256',
    },
  }));
}

/**
 * The lock-out guard: the new policy must not deny the caller GetBucketPolicy, PutBucketPolicy
 * or DeleteBucketPolicy, or the change could not be undone. Asked of the engine's evaluator
 * through the Judge (the same evaluation every verdict rests on, not a second reading of the
 * policy); a request the evaluator cannot decide counts as denied. The account root is exempt:
 * S3 always lets it call those three (docs/design/aws-facts.md#fix-004, #eval-008).
 */
async function lockoutCheck(
  judge: FixJudge,
  text: string,
  bucket: string,
  partition: string,
  caller: { arn: string; account: string },
  endpoint: string | null,
): Promise<LockoutCheck> {
  const requests = undoRequests(caller, bucket, partition);
  const decisions = await judge.decide(text, bucket, requests);
  if (!decisions || decisions.length !== requests.length)
    return {
      caller,
      ok: false,
      message: 'the engine could not evaluate the new policy for your own calls: refusing to write it',
    };
  const denied = requests
    .filter((_, i) => decisions[i].decision === 'explicit-deny' || decisions[i].undecided)
    .map(r => r.action);
  const http = endpoint?.startsWith('http:')
    ? ' (this endpoint is plain HTTP: a store that enforces the policy would refuse calls over it)'
    : '';
  if (!denied.length)
    return {
      caller,
      ok: true,
      message: `the new policy does not deny ${caller.arn} ${requests.map(r => r.action).join(', ')}${http}`,
    };
  if (/^arn:aws[a-z-]*:iam::\d{12}:root$/.test(caller.arn))
    return {
      caller,
      ok: true,
      message: `the new policy denies ${denied.join(', ')} to the caller, but the caller is the account root, which S3 always lets call them`,
    };
  return {
    caller,
    ok: false,
    message: `the new policy would deny ${caller.arn} ${denied.join(', ')} (or the engine cannot tell): you could not undo it. Nothing is written; change the existing statements that deny you first, or leave the policy out of the fix (CLI: --only without policy)`,
  };
}

interface TargetKey {
  arn: string;
  account: string;
  manager: string | null;
  state: string | null;
  spec: string | null;
  /** AWS_KMS, EXTERNAL (imported key material), AWS_CLOUDHSM, EXTERNAL_KEY_STORE. */
  origin: string | null;
  region: string;
}

async function describeKey(s: Session, keyId: string, region: string, signal?: AbortSignal): Promise<TargetKey> {
  const kmsRegion = regionFromArn(keyId) ?? region;
  const r = await call<{
    KeyMetadata?: {
      Arn?: string;
      AWSAccountId?: string;
      KeyManager?: string;
      KeyState?: string;
      KeySpec?: string;
      Origin?: string;
    };
  }>(s, 'kms:DescribeKey', s.kms(kmsRegion), new DescribeKeyCommand({ KeyId: keyId }), signal);
  const m = r.KeyMetadata ?? {};
  const arn = m.Arn ?? '';
  if (!/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/.test(arn))
    throw new FixError('UnexpectedAnswer', `kms:DescribeKey did not give a key ARN for ${keyId}`);
  return {
    arn,
    account: arn.split(':')[4],
    manager: m.KeyManager ?? null,
    state: m.KeyState ?? null,
    spec: m.KeySpec ?? null,
    origin: m.Origin ?? null,
    region: regionFromArn(arn) ?? kmsRegion,
  };
}

/** The calls whose facts a plan cannot do without; the key's (kms:…) only lose checks and a note says so. */
const NEEDED_CALLS = new Set([
  'GetBucketLocation',
  'GetBucketEncryption',
  'GetBucketPolicy',
  'GetPublicAccessBlock',
  'analyze bucket policy',
]);

/** The bucket's posture (checks, verdict, key) through the Judge; the key's failed calls are returned as notes. */
async function posture(opts: FixOptions): Promise<{ posture: BucketPosture; notes: string[] }> {
  const report = await fetchPosture({ ...opts, buckets: [opts.bucket], concurrency: 4 });
  const b = report.buckets[0];
  const err = report.errors?.[0] ?? b?.errors.find(e => NEEDED_CALLS.has(e.call));
  if (!b || err)
    throw new FixError(
      err?.code ?? 'NoSuchBucket',
      `${err?.call ?? 'posture'}: ${err?.message ?? `bucket ${opts.bucket} not found`}`,
    );
  const notes = b.errors.map(e => `${e.call} failed (${e.code}): ${e.message}; the checks that need it are left out.`);
  return { posture: b, notes };
}

/** Computes what a fix would change; reads only. */
export async function planFix(opts: FixOptions): Promise<FixPlan> {
  const req = opts.requirements ?? POSTURE_DEFAULT_REQUIREMENTS;
  const want = new Set(opts.only?.length ? opts.only : FIX_KINDS);
  const { posture: now, notes } = await posture(opts);
  const region = now.region ?? 'us-east-1';
  const s = await session(opts);
  try {
    const caller = await callerIdentity(s, opts.signal);
    const enc = now.defaultEncryption;

    // The key default encryption ends up with (and the policy pins, and rotation is for).
    let key: TargetKey | null = null;
    const keyId = opts.kmsKey ?? (opts.encryption !== 'sse-s3' && enc?.algorithm === 'aws:kms' ? enc.kmsKeyId : null);
    if (keyId) {
      key = await describeKey(s, keyId, region, opts.signal);
      const problem =
        key.state !== 'Enabled'
          ? `is ${key.state ?? 'in an unknown state'}`
          : key.spec && key.spec !== 'SYMMETRIC_DEFAULT'
            ? `is asymmetric (${key.spec}): S3 uses symmetric encryption keys only`
            : key.region !== region
              ? `is in ${key.region}, the bucket in ${region}: S3 needs a key in the bucket's region`
              : null;
      if (problem) {
        if (opts.kmsKey) throw new FixError('UnusableKey', `key ${key.arn} ${problem}; choose another key (--kms-key)`);
        notes.push(`The bucket's key ${key.arn} ${problem}: it is not pinned nor rotated; choose a key (--kms-key).`);
        key = null;
      }
    }
    const target: 'sse-kms' | 'sse-s3' | null = opts.encryption ?? (key ? 'sse-kms' : enc?.algorithm ? null : 'sse-s3');
    if (target === 'sse-kms' && !key) throw new FixError('NoKey', 'SSE-KMS needs a key: pass --kms-key ARN');

    const which: SettingName[] = ['encryption', 'policy', 'publicAccessBlock'];
    const rotationKey = want.has('key-rotation') && key ? key : null;
    if (rotationKey) which.push('keyRotation');
    const before = await readSettings(s, opts.bucket, region, which, rotationKey?.arn ?? null, opts.signal);
    const after: BucketSettings = {};
    const changes: FixChange[] = [];
    const change = (setting: SettingName, kinds: FixKind[]) => {
      if (!sameSetting(setting, before, after))
        changes.push({ setting, kinds, from: describeSetting(setting, before), to: describeSetting(setting, after) });
      else delete after[setting];
    };

    // Default encryption and SSE-C blocked: one rule list, one write.
    if (want.has('encryption') || want.has('block-sse-c')) {
      const rules: EncryptionRule[] = structuredClone(before.encryption ?? []);
      if (!rules.length) rules.push({});
      const rule = rules[0];
      const kinds: FixKind[] = [];
      if (want.has('encryption') && target) {
        if (target === 'sse-kms' && key) {
          rule.ApplyServerSideEncryptionByDefault = { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key.arn };
          rule.BucketKeyEnabled = true;
        } else {
          rule.ApplyServerSideEncryptionByDefault = { SSEAlgorithm: 'AES256' };
          delete rule.BucketKeyEnabled;
        }
        kinds.push('encryption');
      } else if (want.has('encryption') && enc?.algorithm === 'aws:kms' && !enc.bucketKeyEnabled && !opts.encryption) {
        rule.BucketKeyEnabled = true;
        kinds.push('encryption');
      }
      if (!rule.ApplyServerSideEncryptionByDefault) rule.ApplyServerSideEncryptionByDefault = { SSEAlgorithm: 'AES256' };
      if (want.has('block-sse-c') && !blockedTypes(rules).includes('SSE-C')) {
        rule.BlockedEncryptionTypes = { EncryptionType: ['SSE-C'] };
        kinds.push('block-sse-c');
      }
      after.encryption = rules;
      change('encryption', kinds);
    }

    // The policy: the Deny statements the verdict says are missing.
    let policy: FixPlan['policy'] = null;
    let lockout: LockoutCheck | null = null;
    let refused: string | null = null;
    let newVerdict = now.policy.verdict;
    if (want.has('policy') && before.policy !== undefined) {
      const v = now.policy.verdict;
      if (before.policy !== null && !v) notes.push('The engine could not judge the live policy: no statement is added to it.');
      else {
        const missing: DenyKind[] = [];
        if (req.https && (!v || v.transport.http !== 'denied')) missing.push('https');
        const tls = opts.minTlsVersion === undefined ? (req.minTlsVersion ?? '1.2') : opts.minTlsVersion;
        const got = v?.transport.minTlsVersion ?? null;
        if (tls && (!got || TLS.indexOf(got) < TLS.indexOf(tls))) missing.push('min-tls');
        const pinKey = target === 'sse-kms' || (target === null && enc?.algorithm === 'aws:kms') ? (key?.arn ?? null) : null;
        if (pinKey) {
          const open = v?.encryption.uploads.filter(u => u.decision === 'not-denied') ?? null;
          const headerless = req.headerlessUploads === 'deny';
          if (!open || open.some(u => u.sse === 'AES256' || u.sse === 'aws:kms:dsse' || (headerless && u.sse === 'none')))
            missing.push('sse-kms');
          if (!open || open.some(u => u.sse === 'SSE-C')) missing.push('sse-c');
          const pins = v ? pinnedKeys(v) : [];
          const others = pins.filter(p => p !== pinKey);
          if (others.length)
            notes.push(
              `The policy already pins ${others.join(', ')}: no second pin is added (it would deny every SSE-KMS upload); edit that statement by hand.`,
            );
          else if (!pins.includes(pinKey)) missing.push('kms-key');
        }
        const added: DenyStatement[] = denyStatements(
          {
            bucket: opts.bucket,
            partition: partitionOf(region),
            https: req.https || missing.includes('https'),
            minTlsVersion: tls,
            kmsKeyArn: pinKey,
            denyHeaderless: req.headerlessUploads === 'deny',
          },
          missing,
          policySids(before.policy),
        );
        if (added.length) {
          try {
            after.policy = mergePolicy(
              before.policy,
              added.map(a => a.statement),
            );
          } catch (e) {
            if (!(e instanceof PolicyMergeError)) throw e;
            notes.push(`The policy is left alone: ${e.message}.`);
          }
        }
        if (after.policy !== undefined) {
          policy = {
            added: added.map(a => ({ sid: String(a.statement.Sid), does: a.does, kind: a.kind })),
            diff: unifiedDiff(lineDiff(before.policy ?? '', after.policy ?? '')),
          };
          newVerdict = await opts.judge.bucketPolicy(after.policy ?? '', opts.bucket);
          if (!newVerdict) refused = 'the engine could not judge the new policy: nothing is written';
          lockout = await lockoutCheck(opts.judge, after.policy ?? '', opts.bucket, partitionOf(region), caller, s.endpoint);
          if (!lockout.ok) refused = lockout.message;
          change('policy', ['policy']);
        }
      }
    }

    if (want.has('public-access-block')) {
      after.publicAccessBlock = { ...ALL_ON };
      change('publicAccessBlock', ['public-access-block']);
    }

    if (rotationKey) {
      // Only customer managed keys of the caller's own account with KMS key material rotate (docs/design/aws-facts.md#fix-005).
      if (rotationKey.manager !== 'CUSTOMER')
        notes.push(`Key ${rotationKey.arn} is managed by AWS: AWS rotates it, no one else can.`);
      else if (rotationKey.origin && rotationKey.origin !== 'AWS_KMS')
        notes.push(`Key ${rotationKey.arn} has key material from ${rotationKey.origin}: KMS cannot rotate it automatically.`);
      else if (rotationKey.account !== caller.account)
        notes.push(
          `Key ${rotationKey.arn} belongs to account ${rotationKey.account}, not yours (${caller.account}): its owner turns rotation on.`,
        );
      else {
        after.keyRotation = { keyArn: rotationKey.arn, enabled: true };
        change('keyRotation', ['key-rotation']);
      }
      if (!after.keyRotation) delete before.keyRotation;
    } else if (want.has('key-rotation') && !key && (enc?.algorithm === 'aws:kms' || target === 'sse-kms'))
      notes.push('No customer managed key to rotate (the bucket uses aws/s3, which AWS rotates).');

    // The checks as they will be: the same checks, on the settings and the policy after the fix.
    const read = { encryption: now.defaultEncryption !== null, policy: now.policy.present !== null, publicAccessBlock: true };
    const rule0 = (after.encryption ?? before.encryption)?.[0]?.ApplyServerSideEncryptionByDefault;
    const afterPosture: BucketPosture = {
      ...now,
      defaultEncryption: after.encryption
        ? {
            algorithm: (rule0?.SSEAlgorithm as 'AES256' | 'aws:kms' | 'aws:kms:dsse' | undefined) ?? null,
            kmsKeyId: rule0?.KMSMasterKeyID ?? null,
            bucketKeyEnabled: after.encryption[0]?.BucketKeyEnabled === true,
          }
        : now.defaultEncryption,
      policy: after.policy !== undefined ? { present: true, verdict: newVerdict, text: after.policy } : now.policy,
      publicAccessBlock: after.publicAccessBlock ?? (read.publicAccessBlock ? (before.publicAccessBlock ?? null) : null),
      kmsKey:
        key && now.kmsKey?.arn !== key.arn
          ? { arn: key.arn, state: key.state, rotation: null, keySpec: key.spec, region: key.region, policyVerdict: null }
          : now.kmsKey,
    };
    if (afterPosture.kmsKey && after.keyRotation) afterPosture.kmsKey = { ...afterPosture.kmsKey, rotation: true };
    const checksAfter = postureChecks(afterPosture, read, req);
    return {
      bucket: opts.bucket,
      region,
      endpoint: s.endpoint,
      before,
      after,
      changes,
      policy: after.policy !== undefined ? policy : null,
      checksBefore: now.checks,
      checksAfter,
      lockout,
      notes,
      refused,
    };
  } catch (e) {
    if (e instanceof FixCallError) throw new FixError(e.error.code, `${e.error.call}: ${e.error.message}`);
    throw e;
  } finally {
    s.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

/** What a fix (or its undo) did. */
export interface FixResult {
  bucket: string;
  /** The settings written, in order, each read back and found as intended. */
  written: SettingName[];
  /** Why it stopped before writing everything; null when it did not. */
  stopped: null | {
    reason: 'changed' | 'not-applied' | 'failed' | 'refused';
    setting: SettingName | null;
    message: string;
    /** `changed`: what the setting is now, against what the preview (or the fix) saw. */
    expected?: string;
    found?: string;
    error?: CallError;
  };
  /** What was there before each write: what `undoFix` restores (only the settings written). */
  undo: UndoRecord;
}

/** What undoing needs: the settings before the fix and what the fix wrote, for one bucket. No credentials. */
export interface UndoRecord {
  version: 1;
  bucket: string;
  region: string;
  endpoint: string | null;
  /** When the fix wrote (ISO). */
  time: string;
  previous: BucketSettings;
  applied: BucketSettings;
}

/** The order of writes: the policy before Block Public Access (BlockPublicPolicy refuses public policies, docs/design/aws-facts.md#fix-003), rotation last. */
const WRITE_ORDER: readonly SettingName[] = ['encryption', 'policy', 'publicAccessBlock', 'keyRotation'];

/** Writes one setting as `to` says (null: delete the configuration). */
async function write(
  s: Session,
  bucket: string,
  region: string,
  name: SettingName,
  to: BucketSettings,
  signal?: AbortSignal,
): Promise<void> {
  const s3 = s.s3(region);
  switch (name) {
    case 'encryption':
      if (to.encryption === null)
        return void (await call(s, 'DeleteBucketEncryption', s3, new DeleteBucketEncryptionCommand({ Bucket: bucket }), signal));
      return void (await call(
        s,
        'PutBucketEncryption',
        s3,
        new PutBucketEncryptionCommand({
          Bucket: bucket,
          ServerSideEncryptionConfiguration: { Rules: to.encryption as never },
        }),
        signal,
      ));
    case 'policy':
      if (to.policy === null)
        return void (await call(s, 'DeleteBucketPolicy', s3, new DeleteBucketPolicyCommand({ Bucket: bucket }), signal));
      return void (await call(
        s,
        'PutBucketPolicy',
        s3,
        new PutBucketPolicyCommand({ Bucket: bucket, Policy: to.policy }),
        signal,
      ));
    case 'publicAccessBlock': {
      const p = to.publicAccessBlock;
      if (p === null)
        return void (await call(
          s,
          'DeletePublicAccessBlock',
          s3,
          new DeletePublicAccessBlockCommand({ Bucket: bucket }),
          signal,
        ));
      return void (await call(
        s,
        'PutPublicAccessBlock',
        s3,
        new PutPublicAccessBlockCommand({
          Bucket: bucket,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: p?.blockPublicAcls,
            IgnorePublicAcls: p?.ignorePublicAcls,
            BlockPublicPolicy: p?.blockPublicPolicy,
            RestrictPublicBuckets: p?.restrictPublicBuckets,
          },
        }),
        signal,
      ));
    }
    case 'keyRotation': {
      const k = to.keyRotation!;
      const kms = s.kms(regionFromArn(k.keyArn) ?? region);
      if (k.enabled)
        return void (await call(s, 'kms:EnableKeyRotation', kms, new EnableKeyRotationCommand({ KeyId: k.keyArn }), signal));
      return void (await call(s, 'kms:DisableKeyRotation', kms, new DisableKeyRotationCommand({ KeyId: k.keyArn }), signal));
    }
  }
}

/**
 * A setting read back after writing `to`: is it what was written? Deleting the default encryption
 * on AWS leaves SSE-S3 (every bucket has default encryption since 2023, docs/design/aws-facts.md#fix-002),
 * so a deleted configuration reads back as none or as plain SSE-S3.
 */
function tookEffect(name: SettingName, to: BucketSettings, now: BucketSettings): boolean {
  if (sameSetting(name, to, now)) return true;
  if (name === 'encryption' && to.encryption === null) {
    const r = now.encryption;
    return (
      !!r &&
      r.length === 1 &&
      r[0].ApplyServerSideEncryptionByDefault?.SSEAlgorithm === 'AES256' &&
      !r[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID
    );
  }
  return false;
}

interface WriteStep {
  name: SettingName;
  /** What the setting must be now (the preview, or what the fix wrote). */
  expect: BucketSettings;
  to: BucketSettings;
}

/** Writes steps in order with the guard: re-read and compare before, read back after; stops at the first surprise. */
async function runSteps(
  s: Session,
  bucket: string,
  region: string,
  steps: readonly WriteStep[],
  done: (step: WriteStep) => void,
  signal?: AbortSignal,
): Promise<FixResult['stopped']> {
  const keyOf = (b: BucketSettings) => b.keyRotation?.keyArn ?? null;
  const stepsKey = steps.map(st => keyOf(st.expect) ?? keyOf(st.to)).find(Boolean) ?? null;
  try {
    // Before the first write: every setting the writes touch, as the preview saw it.
    const all = await readSettings(
      s,
      bucket,
      region,
      steps.map(st => st.name),
      stepsKey,
      signal,
    );
    for (const st of steps) if (!sameSetting(st.name, st.expect, all)) return changed(st.name, st.expect, all);
    for (const [i, st] of steps.entries()) {
      // Right before each write (the first was just read): the setting again.
      const now = i === 0 ? all : await readSettings(s, bucket, region, [st.name], stepsKey, signal);
      if (!sameSetting(st.name, st.expect, now)) return changed(st.name, st.expect, now);
      await write(s, bucket, region, st.name, st.to, signal);
      const back = await readSettings(s, bucket, region, [st.name], stepsKey, signal);
      if (!tookEffect(st.name, st.to, back)) {
        return {
          reason: 'not-applied',
          setting: st.name,
          message: `${SETTING_LABELS[st.name]}: the endpoint answered the write with success, but reading it back gives "${describeSetting(st.name, back)}", not "${describeSetting(st.name, st.to)}". Stopped: this endpoint does not do what AWS documents for this call`,
          expected: describeSetting(st.name, st.to),
          found: describeSetting(st.name, back),
        };
      }
      done(st);
    }
    return null;
  } catch (e) {
    if (e instanceof FixCallError)
      return { reason: 'failed', setting: null, message: `${e.error.call} failed: ${e.error.message}`, error: e.error };
    // Interrupted or failed part way: what was written is already in the caller's undo record, which must reach it.
    if (signal?.aborted) return { reason: 'failed', setting: null, message: 'interrupted' };
    const text = e instanceof Error ? e.message : String(e);
    return { reason: 'failed', setting: null, message: `unexpected error: ${s.scrub(text.split('\n')[0].slice(0, 300))}` };
  }
}

function changed(name: SettingName, expect: BucketSettings, now: BucketSettings): NonNullable<FixResult['stopped']> {
  const what = describeSetting(name, expect);
  const found = describeSetting(name, now);
  const policyDiff = name === 'policy' ? `\n${unifiedDiff(lineDiff(expect.policy ?? '', now.policy ?? ''))}` : '';
  return {
    reason: 'changed',
    setting: name,
    message: `${SETTING_LABELS[name]} changed since the preview: it was "${what}", it is now "${found}". Nothing more is written: look at the change, then make a new plan${policyDiff}`,
    expected: what,
    found,
  };
}

/** Writes a plan (the caller has had it confirmed). Refuses a plan with `refused` set. */
export async function applyFix(
  plan: FixPlan,
  opts: SessionOptions & { signal?: AbortSignal; now?: () => Date },
): Promise<FixResult> {
  const undo: UndoRecord = {
    version: 1,
    bucket: plan.bucket,
    region: plan.region,
    endpoint: plan.endpoint,
    time: (opts.now?.() ?? new Date()).toISOString(),
    previous: {},
    applied: {},
  };
  if (plan.refused)
    return { bucket: plan.bucket, written: [], stopped: { reason: 'refused', setting: null, message: plan.refused }, undo };
  const s = await session(opts);
  const written: SettingName[] = [];
  try {
    const steps: WriteStep[] = WRITE_ORDER.filter(n => plan.changes.some(c => c.setting === n)).map(name => ({
      name,
      expect: plan.before,
      to: plan.after,
    }));
    const stopped = await runSteps(
      s,
      plan.bucket,
      plan.region,
      steps,
      st => {
        written.push(st.name);
        (undo.previous as Record<string, unknown>)[st.name] = structuredClone(plan.before[st.name]);
        (undo.applied as Record<string, unknown>)[st.name] = structuredClone(plan.after[st.name]);
      },
      opts.signal,
    );
    return { bucket: plan.bucket, written, stopped, undo };
  } finally {
    s.destroy();
  }
}

/**
 * What undo writes: the previous settings, with SSE-C unblocked in so many words where the fix
 * blocked it. A rule without BlockedEncryptionTypes is not documented to unblock it; `NONE` is
 * (docs/design/aws-facts.md#fix-001).
 */
function restoreTarget(record: UndoRecord): BucketSettings {
  const to = structuredClone(record.previous);
  const was = to.encryption;
  const fixed = record.applied.encryption;
  if (was && fixed)
    was.forEach((rule, i) => {
      if (!rule.BlockedEncryptionTypes && blockedTypes(fixed[i] ? [fixed[i]] : []).length)
        rule.BlockedEncryptionTypes = { EncryptionType: ['NONE'] };
    });
  return to;
}

/** Restores what a fix changed, newest write first, each setting only if it is still what the fix wrote. */
export async function undoFix(record: UndoRecord, opts: SessionOptions & { signal?: AbortSignal }): Promise<FixResult> {
  const s = await session(opts);
  const written: SettingName[] = [];
  const undo: UndoRecord = { ...record, previous: {}, applied: {} };
  try {
    const to = restoreTarget(record);
    const steps: WriteStep[] = [...WRITE_ORDER]
      .reverse()
      .filter(n => record.applied[n] !== undefined && record.previous[n] !== undefined)
      .map(name => ({ name, expect: record.applied, to }));
    const stopped = await runSteps(
      s,
      record.bucket,
      record.region,
      steps,
      st => {
        written.push(st.name);
        (undo.previous as Record<string, unknown>)[st.name] = structuredClone(record.applied[st.name]);
        (undo.applied as Record<string, unknown>)[st.name] = structuredClone(record.previous[st.name]);
      },
      opts.signal,
    );
    return { bucket: record.bucket, written, stopped, undo };
  } finally {
    s.destroy();
  }
}

export { SETTING_NAMES, SETTING_LABELS, describeSetting };
