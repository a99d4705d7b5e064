// The live view's settings: which AWS profile, regions and endpoint it talks to. These decide
// where credentials are sent, so only the user's own (user or machine) settings count: a cloned
// repository's .vscode/settings.json must never pick the endpoint or the profile (issue 6, item 7).
// package.json declares them "scope": "application" (VS Code then ignores workspace values), and
// this module reads them through inspect() and drops workspace and folder values as well.
// No vscode import: the extension passes its inspect function in, tests pass theirs.
import type { Requirements } from '../../shared/types';

/** What `WorkspaceConfiguration.inspect()` returns, the parts we read. */
export interface InspectedValue<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

export type Inspect = <T>(key: string) => InspectedValue<T> | undefined;

export interface LiveSettings {
  /** A named profile of the shared config/credentials files; undefined: the default credential chain. */
  profile?: string;
  /** Only buckets in these regions; empty: every region. */
  regions: string[];
  /** A custom S3/KMS endpoint (path-style addressing), e.g. LocalStack or the local emulator. */
  endpoint?: string;
  concurrency: number;
  timeoutMs: number;
  /** Settings found in workspace or folder settings and ignored, by key (told to the user once). */
  ignored: string[];
  /** Values that were set but invalid, with what was used instead. */
  problems: string[];
}

export const LIVE_SETTING_KEYS = ['aws.profile', 'aws.regions', 'aws.endpoint', 'aws.concurrency', 'aws.timeoutMs'] as const;
export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_TIMEOUT_MS = 10_000;

/** The user's value, else the default; never a workspace or folder value. */
export function userValue<T>(i: InspectedValue<T> | undefined): T | undefined {
  return i?.globalValue !== undefined ? i.globalValue : i?.defaultValue;
}

/** Reads and validates the live view's settings (section s3EncryptionGuard). */
export function readLiveSettings(inspect: Inspect): LiveSettings {
  const ignored: string[] = [];
  const problems: string[] = [];
  const get = <T>(key: string): T | undefined => {
    const i = inspect<T>(key);
    if (i?.workspaceValue !== undefined || i?.workspaceFolderValue !== undefined) ignored.push(`s3EncryptionGuard.${key}`);
    return userValue(i);
  };

  const rawProfile = get<unknown>('aws.profile');
  const profile = typeof rawProfile === 'string' && rawProfile.trim() ? rawProfile.trim() : undefined;

  const rawRegions = get<unknown>('aws.regions');
  const regions = Array.isArray(rawRegions)
    ? [
        ...new Set(
          rawRegions
            .filter((r): r is string => typeof r === 'string' && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(r.trim()))
            .map(r => r.trim()),
        ),
      ]
    : [];
  if (Array.isArray(rawRegions) && regions.length !== rawRegions.length)
    problems.push('s3EncryptionGuard.aws.regions: entries that are not region codes (like "eu-west-1") were ignored');

  const rawEndpoint = get<unknown>('aws.endpoint');
  let endpoint: string | undefined;
  if (typeof rawEndpoint === 'string' && rawEndpoint.trim()) {
    const checked = checkEndpoint(rawEndpoint.trim());
    if (typeof checked === 'string') endpoint = checked;
    else problems.push(`s3EncryptionGuard.aws.endpoint: ${checked.problem}; using AWS's own endpoints`);
  }

  const concurrency = boundedInt(
    get<unknown>('aws.concurrency'),
    1,
    64,
    DEFAULT_CONCURRENCY,
    's3EncryptionGuard.aws.concurrency',
    problems,
  );
  const timeoutMs = boundedInt(
    get<unknown>('aws.timeoutMs'),
    500,
    600_000,
    DEFAULT_TIMEOUT_MS,
    's3EncryptionGuard.aws.timeoutMs',
    problems,
  );
  return { profile, regions, endpoint, concurrency, timeoutMs, ignored, problems };
}

function boundedInt(v: unknown, min: number, max: number, fallback: number, key: string, problems: string[]): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    problems.push(`${key}: must be a whole number from ${min} to ${max}; using ${fallback}`);
    return fallback;
  }
  return v;
}

/** An endpoint URL as the SDK wants it (no trailing slash), or why it cannot be one. */
export function checkEndpoint(text: string): string | { problem: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: `"${text}" is not a URL (example: http://127.0.0.1:4566)` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: `"${text}" must start with http:// or https://` };
  // Credentials in the URL would end up in logs and in the tree's labels.
  if (url.username || url.password) return { problem: 'the URL must not contain a user name or password' };
  if (url.search || url.hash) return { problem: 'the URL must not have a query or fragment' };
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * s3EncryptionGuard.requirements for the posture checks, field by field; anything malformed keeps
 * its default (the language server reports the problems of this setting, once).
 */
export function liveRequirements(raw: unknown): Requirements {
  const r = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  return {
    https: typeof r.https === 'boolean' ? r.https : true,
    minTlsVersion: (['1.0', '1.1', '1.2', '1.3'] as const).find(t => t === r.minTlsVersion) ?? null,
    sse: strings(r.sse).filter(
      (s): s is Requirements['sse'][number] => s === 'AES256' || s === 'aws:kms' || s === 'aws:kms:dsse',
    ),
    kmsKeyArns: strings(r.kmsKeyArns),
    headerlessUploads: r.headerlessUploads === 'deny' ? 'deny' : 'allow',
  };
}
