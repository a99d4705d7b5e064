// The settings of one bucket that a fix changes (aws/fix.ts), read as S3 and KMS give them: the
// default encryption rules (with BlockedEncryptionTypes), the policy text, Block Public Access and
// the rotation of one KMS key. A fix compares them before every write (has the bucket changed since
// the preview?), after every write (did the endpoint do what AWS documents?) and keeps them to undo.
// Each call has the session's deadline and stops on the caller's abort.
import {
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { GetKeyRotationStatusCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { STSClient } from '@aws-sdk/client-sts';
import { errorCode, toCallError } from './errors';
import type { Session } from './session';
import type { CallError, PublicAccessBlock } from './types';
import { WireError } from './wire';
import { samePolicy } from './fix-policy';

/** One default-encryption rule, as S3 writes and reads it (GetBucketEncryption, PutBucketEncryption). */
export interface EncryptionRule {
  ApplyServerSideEncryptionByDefault?: { SSEAlgorithm?: string; KMSMasterKeyID?: string };
  BucketKeyEnabled?: boolean;
  BlockedEncryptionTypes?: { EncryptionType?: string[] };
}

/** The settings a fix may change; a field left out was not read (the fix does not touch it). */
export interface BucketSettings {
  /** The rules; null: no default encryption configuration (an S3-compatible store, or before 2023). */
  encryption?: EncryptionRule[] | null;
  /** The policy text; null: no policy. */
  policy?: string | null;
  /** null: no Block Public Access configuration on the bucket. */
  publicAccessBlock?: PublicAccessBlock | null;
  /** The rotation of the key a fix turns it on for. */
  keyRotation?: { keyArn: string; enabled: boolean };
}

export type SettingName = keyof BucketSettings;

export const SETTING_NAMES: readonly SettingName[] = ['encryption', 'policy', 'publicAccessBlock', 'keyRotation'];

/** A failed call while reading or writing: stops the fix with this error. */
export class FixCallError extends Error {
  constructor(readonly error: CallError) {
    super(`${error.call}: ${error.message}`);
    this.name = 'FixCallError';
  }
}

/** One call under the session's call deadline and the caller's abort; failures become FixCallError (or `onError`'s value). */
export async function call<T>(
  session: Session,
  operation: string,
  client: S3Client | KMSClient | STSClient,
  command: unknown,
  signal?: AbortSignal,
): Promise<T> {
  const ac = new AbortController();
  const started = Date.now();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    ac.abort();
  }, session.callDeadlineMs);
  const onAbort = () => ac.abort(signal?.reason);
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await new Promise<T>((resolve, reject) => {
      ac.signal.addEventListener(
        'abort',
        () => reject(Object.assign(new Error(`${operation} aborted`), { name: 'AbortError' })),
        {
          once: true,
        },
      );
      (client as { send(c: unknown, o: { abortSignal?: AbortSignal }): Promise<T> })
        .send(command, { abortSignal: ac.signal })
        .then(resolve, reject);
    });
  } catch (e) {
    if (signal?.aborted) throw e;
    const error = expired
      ? new WireError('TimeoutError', {
          operation,
          phase: 'call',
          elapsedMs: Date.now() - started,
          bytes: 0,
          limit: session.callDeadlineMs,
        })
      : e;
    throw Object.assign(
      new FixCallError(
        toCallError(operation, error, {
          endpoint: session.endpoint,
          timeoutMs: session.timeoutMs,
          maxAttempts: session.maxAttempts,
          scrub: session.scrub,
        }),
      ),
      { code: errorCode(error) },
    );
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** `call`, with the error codes that are answers (NoSuchBucketPolicy…) returned as `absent`. */
async function maybe<T>(
  session: Session,
  operation: string,
  client: S3Client | KMSClient,
  command: unknown,
  absent: readonly string[],
  signal?: AbortSignal,
): Promise<T | typeof ABSENT> {
  try {
    return await call<T>(session, operation, client, command, signal);
  } catch (e) {
    if (e instanceof FixCallError && absent.includes(e.error.code)) return ABSENT;
    throw e;
  }
}

const ABSENT = Symbol('absent');

/** The rules as plain JSON, with only the members a fix knows (and restores). */
function plainRules(rules: readonly EncryptionRule[] | undefined): EncryptionRule[] {
  return (rules ?? []).map(r => {
    const out: EncryptionRule = {};
    const d = r.ApplyServerSideEncryptionByDefault;
    if (d)
      out.ApplyServerSideEncryptionByDefault = {
        ...(d.SSEAlgorithm !== undefined ? { SSEAlgorithm: d.SSEAlgorithm } : {}),
        ...(d.KMSMasterKeyID ? { KMSMasterKeyID: d.KMSMasterKeyID } : {}),
      };
    if (r.BucketKeyEnabled !== undefined) out.BucketKeyEnabled = r.BucketKeyEnabled;
    const blocked = r.BlockedEncryptionTypes?.EncryptionType;
    if (blocked) out.BlockedEncryptionTypes = { EncryptionType: [...blocked] };
    return out;
  });
}

/** Reads the named settings of a bucket (in its region's client); `keyArn` for keyRotation. */
export async function readSettings(
  session: Session,
  bucket: string,
  region: string,
  which: readonly SettingName[],
  keyArn: string | null,
  signal?: AbortSignal,
): Promise<BucketSettings> {
  const s3 = session.s3(region);
  const out: BucketSettings = {};
  await Promise.all(
    which.map(async name => {
      switch (name) {
        case 'encryption': {
          const r = await maybe<{ ServerSideEncryptionConfiguration?: { Rules?: EncryptionRule[] } }>(
            session,
            'GetBucketEncryption',
            s3,
            new GetBucketEncryptionCommand({ Bucket: bucket }),
            ['ServerSideEncryptionConfigurationNotFoundError'],
            signal,
          );
          out.encryption = r === ABSENT ? null : plainRules(r.ServerSideEncryptionConfiguration?.Rules);
          return;
        }
        case 'policy': {
          const r = await maybe<{ Policy?: string }>(
            session,
            'GetBucketPolicy',
            s3,
            new GetBucketPolicyCommand({ Bucket: bucket }),
            ['NoSuchBucketPolicy'],
            signal,
          );
          out.policy = r === ABSENT ? null : (r.Policy ?? '');
          return;
        }
        case 'publicAccessBlock': {
          const r = await maybe<{
            PublicAccessBlockConfiguration?: {
              BlockPublicAcls?: boolean;
              IgnorePublicAcls?: boolean;
              BlockPublicPolicy?: boolean;
              RestrictPublicBuckets?: boolean;
            };
          }>(
            session,
            'GetPublicAccessBlock',
            s3,
            new GetPublicAccessBlockCommand({ Bucket: bucket }),
            ['NoSuchPublicAccessBlockConfiguration'],
            signal,
          );
          if (r === ABSENT) out.publicAccessBlock = null;
          else {
            const c = r.PublicAccessBlockConfiguration ?? {};
            out.publicAccessBlock = {
              blockPublicAcls: c.BlockPublicAcls === true,
              ignorePublicAcls: c.IgnorePublicAcls === true,
              blockPublicPolicy: c.BlockPublicPolicy === true,
              restrictPublicBuckets: c.RestrictPublicBuckets === true,
            };
          }
          return;
        }
        case 'keyRotation': {
          if (!keyArn) return;
          const r = await call<{ KeyRotationEnabled?: boolean }>(
            session,
            'kms:GetKeyRotationStatus',
            session.kms(kmsRegion(keyArn) ?? region),
            new GetKeyRotationStatusCommand({ KeyId: keyArn }),
            signal,
          );
          out.keyRotation = { keyArn, enabled: r.KeyRotationEnabled === true };
          return;
        }
      }
    }),
  );
  return out;
}

/** The region of a KMS key ARN. */
export const kmsRegion = (arn: string): string | null => /^arn:aws[a-z-]*:kms:([a-z0-9-]+):/.exec(arn)?.[1] ?? null;

/** The types of uploads a rule list blocks (`SSE-C`); `NONE` and none at all are nothing. */
export function blockedTypes(rules: readonly EncryptionRule[] | null | undefined): string[] {
  return [
    ...new Set((rules ?? []).flatMap(r => r.BlockedEncryptionTypes?.EncryptionType ?? []).filter(t => t !== 'NONE')),
  ].sort();
}

/** Two readings of one setting mean the same (rules compared member by member, BlockedEncryptionTypes as a set). */
export function sameSetting(name: SettingName, a: BucketSettings, b: BucketSettings): boolean {
  switch (name) {
    case 'encryption': {
      const x = a.encryption;
      const y = b.encryption;
      if (x === undefined || y === undefined || x === null || y === null) return x === y;
      if (x.length !== y.length) return false;
      return x.every((r, i) => {
        const s = y[i];
        const dx = r.ApplyServerSideEncryptionByDefault ?? {};
        const dy = s.ApplyServerSideEncryptionByDefault ?? {};
        return (
          (dx.SSEAlgorithm ?? null) === (dy.SSEAlgorithm ?? null) &&
          (dx.KMSMasterKeyID ?? null) === (dy.KMSMasterKeyID ?? null) &&
          (r.BucketKeyEnabled === true) === (s.BucketKeyEnabled === true) &&
          blockedTypes([r]).join() === blockedTypes([s]).join()
        );
      });
    }
    case 'policy':
      return samePolicy(a.policy, b.policy);
    case 'publicAccessBlock':
      return JSON.stringify(a.publicAccessBlock) === JSON.stringify(b.publicAccessBlock);
    case 'keyRotation':
      return a.keyRotation?.keyArn === b.keyRotation?.keyArn && a.keyRotation?.enabled === b.keyRotation?.enabled;
  }
}

/** A setting in words, one line (the plan, the report of what changed). */
export function describeSetting(name: SettingName, s: BucketSettings): string {
  switch (name) {
    case 'encryption': {
      const rules = s.encryption;
      if (rules === undefined) return 'not read';
      if (rules === null || !rules.length) return 'no default encryption';
      const r = rules[0];
      const d = r.ApplyServerSideEncryptionByDefault ?? {};
      const alg = d.SSEAlgorithm ?? 'none';
      const name = alg === 'AES256' ? 'SSE-S3' : alg === 'aws:kms' ? 'SSE-KMS' : alg === 'aws:kms:dsse' ? 'DSSE-KMS' : alg;
      const key = d.KMSMasterKeyID ? ` with ${d.KMSMasterKeyID}` : alg.startsWith('aws:kms') ? ' with aws/s3' : '';
      const bk = alg === 'aws:kms' ? `, Bucket Key ${r.BucketKeyEnabled ? 'on' : 'off'}` : '';
      const blocked = blockedTypes(rules);
      return `${name}${key}${bk}; ${blocked.length ? `blocked: ${blocked.join(', ')}` : 'SSE-C not blocked'}`;
    }
    case 'policy':
      return s.policy === undefined ? 'not read' : s.policy === null ? 'no policy' : `${s.policy.length} characters`;
    case 'publicAccessBlock': {
      const p = s.publicAccessBlock;
      if (p === undefined) return 'not read';
      if (p === null) return 'not configured';
      const on = Object.values(p).filter(Boolean).length;
      return on === 4
        ? 'all four on'
        : `${on} of 4 on (${Object.entries(p)
            .filter(([, v]) => !v)
            .map(([k]) => `${k} off`)
            .join(', ')})`;
    }
    case 'keyRotation':
      return s.keyRotation ? `${s.keyRotation.enabled ? 'on' : 'off'} for ${s.keyRotation.keyArn}` : 'not read';
  }
}

export const SETTING_LABELS: Record<SettingName, string> = {
  encryption: 'Default encryption',
  policy: 'Bucket policy',
  publicAccessBlock: 'Block Public Access',
  keyRotation: 'Key rotation',
};
