// Failed AWS calls as facts: every error the SDK can throw (a service error parsed from S3's XML or
// KMS's JSON, a timeout, a refused connection, missing credentials) becomes one CallError
// {call, code, message} with a message that names the way out. Nothing here throws, and no message
// carries a secret (callers pass a scrubber that blanks the resolved credentials). No vscode imports.
import type { CallError } from './types';

/** Error codes of transport failures: the endpoint could not be reached at all. */
export const CONNECTION_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']);

/** The IAM action each call needs (for AccessDenied messages). */
const IAM_ACTION: Record<string, string> = {
  ListBuckets: 's3:ListAllMyBuckets',
  GetBucketLocation: 's3:GetBucketLocation',
  GetBucketEncryption: 's3:GetEncryptionConfiguration',
  GetBucketPolicy: 's3:GetBucketPolicy',
  GetPublicAccessBlock: 's3:GetBucketPublicAccessBlock',
  'kms:DescribeKey': 'kms:DescribeKey',
  'kms:GetKeyRotationStatus': 'kms:GetKeyRotationStatus',
  'kms:GetKeyPolicy': 'kms:GetKeyPolicy',
};

const THROTTLING = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'ThrottledException', 'RequestThrottled', 'RequestThrottledException', 'TooManyRequestsException', 'RequestLimitExceeded', 'LimitExceededException']);

export interface ErrorContext {
  /** The custom endpoint, or null for AWS. */
  endpoint: string | null;
  timeoutMs: number;
  /** Blanks secrets (the resolved credentials) out of any text. */
  scrub: (text: string) => string;
}

interface SdkLikeError {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  errors?: unknown;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $response?: { statusCode?: number };
}

const asObject = (e: unknown): SdkLikeError => (typeof e === 'object' && e !== null ? (e as SdkLikeError) : { message: String(e) });

/** The Node error code of a transport failure, looking through AggregateError (happy eyeballs) and causes. */
function nodeCode(e: SdkLikeError, depth = 0): string | undefined {
  if (typeof e.code === 'string' && /^[A-Z_]+$/.test(e.code)) return e.code;
  if (depth > 3) return undefined;
  if (Array.isArray(e.errors)) for (const inner of e.errors) { const c = nodeCode(asObject(inner), depth + 1); if (c) return c; }
  if (e.cause) return nodeCode(asObject(e.cause), depth + 1);
  return undefined;
}

export function isAbortError(e: unknown): boolean {
  const o = asObject(e);
  return o.name === 'AbortError' || o.code === 'ABORT_ERR';
}

const firstLine = (s: string): string => s.split('\n')[0].trim();
const clip = (s: string, n = 300): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The error's code as AWS names it: `AccessDenied`, `NoSuchBucketPolicy`, `ThrottlingException`, `TimeoutError`, `ECONNREFUSED`… */
export function errorCode(e: unknown): string {
  const o = asObject(e);
  if (o.name === 'TimeoutError' || o.code === 'ETIMEDOUT' || o.code === 'TimeoutError') return 'TimeoutError';
  const transport = nodeCode(o);
  if (transport && (CONNECTION_CODES.has(transport) || transport.startsWith('E'))) return transport;
  const status = o.$metadata?.httpStatusCode ?? o.$response?.statusCode;
  const named = typeof o.Code === 'string' && o.Code ? o.Code : typeof o.name === 'string' ? o.name : '';
  // The SDK names errors it cannot parse "Unknown"/"UnknownError"/"Error": the HTTP status says more.
  if (!named || named === 'Unknown' || named === 'UnknownError' || named === 'Error') return status ? `HTTP${status}` : 'Error';
  return named;
}

/** One failed call as a fact on its bucket. */
export function toCallError(call: string, e: unknown, ctx: ErrorContext): CallError {
  const o = asObject(e);
  const code = errorCode(e);
  const attempts = o.$metadata?.attempts;
  const tries = attempts && attempts > 1 ? ` after ${attempts} attempts` : '';
  const where = ctx.endpoint ?? 'AWS';
  const action = IAM_ACTION[call] ?? call;
  let message: string;
  if (code === 'TimeoutError') message = `no answer from ${where} within ${ctx.timeoutMs} ms${tries}; retry later or raise the timeout (--timeout MS)`;
  else if (code === 'ECONNREFUSED') message = `cannot connect to ${where}: connection refused; is the endpoint running and the URL right?`;
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') message = `cannot resolve the host of ${where}; check the endpoint URL and your network`;
  else if (code === 'ECONNRESET' || code === 'EPIPE') message = `the connection to ${where} was closed mid-request${tries}; retry later`;
  else if (CONNECTION_CODES.has(code)) message = `cannot connect to ${where} (${code}); check the endpoint URL and its certificate`;
  else if (code === 'AccessDenied' || code === 'AccessDeniedException' || code === 'AllAccessDisabled') {
    const detail = typeof o.message === 'string' ? clip(firstLine(o.message), 200) : '';
    message = `access denied: the caller needs ${action}${detail && !/^access denied\.?$/i.test(detail) ? ` (${detail})` : ''}`;
  }
  else if (THROTTLING.has(code)) message = `throttled${tries}; retry later or lower the concurrency (--concurrency N)`;
  else if (code === 'InternalError' || code === 'KMSInternalException' || code === 'ServiceUnavailable' || /^HTTP5\d\d$/.test(code)) message = `the service failed (${code})${tries}; retry later`;
  else message = typeof o.message === 'string' && o.message ? clip(firstLine(o.message)) : `failed with ${code}`;
  return { call, code, message: ctx.scrub(message) };
}

/** A connection-level failure: the endpoint itself is unreachable (not one bucket's problem). */
export const isConnectionError = (e: CallError): boolean => CONNECTION_CODES.has(e.code);
