// An AWS session from the standard configuration: the shared config and credentials files
// (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE), profiles, SSO, environment variables, container
// and instance roles — the SDK's own node provider chain. Clients are made per region (a bucket's
// calls go to its region, a key's calls to the key's region), with SDK retries and the wire guard
// (wire.ts): each attempt has a deadline that covers its whole answer, answers have a size limit
// and are checked before the SDK parses them.
// With a custom endpoint (an S3-compatible store, LocalStack, the emulator) every call goes there
// with path-style addressing.
//
// Dummy credentials: emulators need *some* credentials to sign with, but ignore them. When the
// endpoint is on this machine (localhost, 127.0.0.0/8, ::1) and the chain finds no credentials, the
// session signs with fixed dummy credentials. For any other endpoint, and for AWS itself, missing
// credentials are one clear error. Real credentials found by the chain are always used as found.
//
// Secrets never leave this module in text: every message passes through `scrub`, which blanks the
// resolved secret key and session token. No vscode imports.
import os from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { KMSClient } from '@aws-sdk/client-kms';
import { STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { safeReadTextSync } from '../shared/safe-read';
import { callDeadlineMs, guardClient } from './wire';

export interface SessionOptions {
  profile?: string;
  region?: string;
  endpoint?: string;
  /** The deadline of one attempt: connecting, the headers and the whole body (default DEFAULT_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Attempts per call, with the SDK's backoff between them (default DEFAULT_MAX_ATTEMPTS). */
  maxAttempts?: number;
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_ATTEMPTS = 3;
export const DEFAULT_REGION = 'us-east-1';

/** What users are told when no credentials are found. */
export function noCredentialsMessage(profile: string | null): string {
  const p = profile ?? 'NAME';
  return (
    `no AWS credentials found${profile ? ` for profile "${profile}"` : ''}: set AWS_PROFILE or pass --profile ${p}, ` +
    `run "aws sso login --profile ${p}" for an SSO profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; ` +
    'for a local emulator pass --endpoint http://127.0.0.1:PORT'
  );
}

/** A problem that stops the whole session (credentials, a bad endpoint URL). */
export class SessionError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SessionError';
  }
}

const configFile = (env: NodeJS.ProcessEnv): string => env.AWS_CONFIG_FILE || path.join(os.homedir(), '.aws', 'config');
const credentialsFile = (env: NodeJS.ProcessEnv): string =>
  env.AWS_SHARED_CREDENTIALS_FILE || path.join(os.homedir(), '.aws', 'credentials');

/** INI sections and their keys; unreadable or missing files are empty. */
function readIni(file: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  let text: string;
  // The shared files are the user's own, but may still be a symlink to a device: read them like any other file.
  const read = safeReadTextSync(file, { maxBytes: 4 * 1024 * 1024 });
  if (!read.ok) return out;
  text = read.text;
  let current: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (section) {
      current = {};
      out.set(section[1], current);
      continue;
    }
    const kv = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (kv && current && !raw.startsWith(' ') && !raw.startsWith('\t')) current[kv[1].toLowerCase()] = kv[2];
  }
  return out;
}

/** Profiles of the config file (`[profile x]`, `[default]`) and credentials file (`[x]`), by name. */
function profiles(env: NodeJS.ProcessEnv): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const [name, values] of readIni(configFile(env))) {
    const m = /^profile\s+(.+)$/.exec(name);
    if (m) out.set(m[1].trim(), values);
    else if (name === 'default') out.set('default', values);
    // `[sso-session x]` and `[services x]` are not profiles.
  }
  for (const [name] of readIni(credentialsFile(env))) if (!out.has(name)) out.set(name, {});
  return out;
}

/** Profile names from the shared config and credentials files, sorted with `default` first. */
export async function listProfiles(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  return [...profiles(env).keys()].sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : a.localeCompare(b)));
}

/** The endpoint is on this machine (where dummy credentials are acceptable). */
export function isLoopbackEndpoint(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  try {
    const host = new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
  } catch {
    return false;
  }
}

/** Fresh each time: the SDK marks credential objects with where they came from. */
const dummyCredentials = (): AwsCredentialIdentity => ({
  accessKeyId: 'AKIAEMULATOREXAMPLE0',
  secretAccessKey: 'emulator-dummy-secret-not-a-real-key',
});

function validateEndpoint(endpoint: string | undefined): string | null {
  if (!endpoint) return null;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new SessionError('InvalidEndpoint', `endpoint "${endpoint}" is not a URL; use e.g. http://127.0.0.1:4566`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new SessionError('InvalidEndpoint', `endpoint "${endpoint}" must start with http:// or https://`);
  if (url.username || url.password)
    throw new SessionError('InvalidEndpoint', 'the endpoint URL must not contain a user name or password');
  return url.origin + url.pathname.replace(/\/$/, '');
}

interface ResolvedCredentials {
  credentials: AwsCredentialIdentity;
  dummy: boolean;
}

async function resolveCredentials(
  opts: SessionOptions,
  env: NodeJS.ProcessEnv,
  profile: string | null,
): Promise<ResolvedCredentials> {
  const endpoint = opts.endpoint;
  if (profile && !profiles(env).has(profile)) {
    // A named profile that does not exist is a typo, never a reason to fall back to dummy credentials.
    const known = await listProfiles(env);
    throw new SessionError(
      'ProfileNotFound',
      `profile "${profile}" is not in ${configFile(env)} or ${credentialsFile(env)}` +
        `${known.length ? ` (profiles: ${known.join(', ')})` : ''}; pass --profile with one of them or run "aws configure sso"`,
    );
  }
  // Environment credentials from an explicit env (the editor passes its own) come first, as in the SDK's chain.
  if (!profile && opts.env && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return {
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
        sessionToken: env.AWS_SESSION_TOKEN,
      },
      dummy: false,
    };
  }
  const provider = fromNodeProviderChain({
    ...(profile ? { profile } : {}),
    filepath: credentialsFile(env),
    configFilepath: configFile(env),
    // The instance-metadata step: one quick try, not the SDK's default retries, when not on EC2.
    timeout: 1000,
    maxRetries: 0,
  });
  try {
    return { credentials: await provider(), dummy: false };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/sso|token/i.test(msg) && profile) {
      throw new SessionError(
        'SsoLoginRequired',
        `the SSO session of profile "${profile}" has expired or was never started: run "aws sso login --profile ${profile}"`,
      );
    }
    if (isLoopbackEndpoint(endpoint)) return { credentials: dummyCredentials(), dummy: true };
    throw new SessionError('CredentialsNotFound', noCredentialsMessage(profile));
  }
}

/** Resolves the credential chain without calling AWS; the message names the fix and never contains secrets. */
export async function checkCredentials(opts: SessionOptions): Promise<{ ok: true } | { ok: false; message: string }> {
  const env = opts.env ?? process.env;
  try {
    validateEndpoint(opts.endpoint);
    await resolveCredentials(opts, env, opts.profile || env.AWS_PROFILE || null);
    return { ok: true };
  } catch (e) {
    return { ok: false, message: e instanceof SessionError ? e.message : noCredentialsMessage(opts.profile ?? null) };
  }
}

export interface Session {
  profile: string | null;
  /** The region for account-wide calls (ListBuckets) and for buckets whose region is unknown. */
  region: string;
  endpoint: string | null;
  /** Signing with the emulator's dummy credentials (loopback endpoint, no credentials found). */
  dummy: boolean;
  /** The deadline of one attempt. */
  timeoutMs: number;
  maxAttempts: number;
  /** The deadline of one call, every attempt and the waits between them (wire.ts, callDeadlineMs). */
  callDeadlineMs: number;
  s3(region: string): S3Client;
  kms(region: string): KMSClient;
  /** STS (GetCallerIdentity: who the caller is, for the fix's lock-out guard, aws/fix.ts). */
  sts(region: string): STSClient;
  /** Blanks the secret key and session token out of a text. */
  scrub(text: string): string;
  destroy(): void;
}

/** The session's region: the option, AWS_REGION / AWS_DEFAULT_REGION, the profile's `region`, else us-east-1. */
function sessionRegion(opts: SessionOptions, env: NodeJS.ProcessEnv, profile: string | null): string {
  return (
    opts.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || profiles(env).get(profile ?? 'default')?.region || DEFAULT_REGION
  );
}

/** Opens a session; throws SessionError (credentials, endpoint) with a message that names the fix. */
export async function openSession(opts: SessionOptions): Promise<Session> {
  const env = opts.env ?? process.env;
  const endpoint = validateEndpoint(opts.endpoint);
  const profile = opts.profile || env.AWS_PROFILE || null;
  const region = sessionRegion(opts, env, profile);
  if (!/^[a-z0-9-]+$/.test(region))
    throw new SessionError('InvalidRegion', `region "${region}" is not a region name such as eu-west-1`);
  const { credentials, dummy } = await resolveCredentials(opts, env, profile);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const secrets = [credentials.secretAccessKey, credentials.sessionToken].filter((s): s is string => !!s && s.length >= 4);
  const common = {
    credentials,
    maxAttempts,
    retryMode: 'standard',
    // The SDK's own timeouts end with the headers; the wire guard's deadline covers the body too.
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, throwOnRequestTimeout: true },
    ...(endpoint ? { endpoint } : {}),
  } as const;
  const s3Clients = new Map<string, S3Client>();
  const kmsClients = new Map<string, KMSClient>();
  const stsClients = new Map<string, STSClient>();
  return {
    profile,
    region,
    endpoint,
    dummy,
    timeoutMs,
    maxAttempts,
    callDeadlineMs: callDeadlineMs(timeoutMs, maxAttempts),
    s3: r => {
      let c = s3Clients.get(r);
      if (!c) {
        s3Clients.set(r, (c = new S3Client({ ...common, region: r, forcePathStyle: !!endpoint, followRegionRedirects: true })));
        guardClient(c, { service: 's3', timeoutMs });
      }
      return c;
    },
    kms: r => {
      let c = kmsClients.get(r);
      if (!c) {
        kmsClients.set(r, (c = new KMSClient({ ...common, region: r })));
        guardClient(c, { service: 'kms', timeoutMs });
      }
      return c;
    },
    sts: r => {
      let c = stsClients.get(r);
      if (!c) {
        stsClients.set(r, (c = new STSClient({ ...common, region: r })));
        // STS answers XML (the query protocol): the guard checks it as it checks S3's.
        guardClient(c, { service: 's3', timeoutMs });
      }
      return c;
    },
    scrub: text => secrets.reduce((t, s) => t.split(s).join('***'), text),
    destroy: () => {
      for (const c of s3Clients.values()) c.destroy();
      for (const c of kmsClients.values()) c.destroy();
      for (const c of stsClients.values()) c.destroy();
    },
  };
}
