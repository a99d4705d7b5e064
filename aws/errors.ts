// Failed AWS calls as facts: every error the SDK can throw (a service error parsed from S3's XML or
// KMS's JSON, a timeout, a refused connection, missing credentials) and every failure the wire
// guard names (wire.ts: a timeout and in which phase, a reset, a too large or malformed answer)
// becomes one CallError {call, code, message} with a one-line message that says what happened and
// names the way out. Nothing here throws, and no message carries a secret (callers pass a scrubber
// that blanks the resolved credentials). Text from the endpoint is kept as text: whoever prints a
// message escapes it for its output (a terminal, Markdown).
import { clip } from '../shared/escape';
import type { CallError } from './types';
import { MAX_LIST_PAGES, WireError } from './wire';

/** Error codes of transport failures: the endpoint could not be reached at all. */
export const CONNECTION_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

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

const THROTTLING = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);

export interface ErrorContext {
  /** The custom endpoint, or null for AWS. */
  endpoint: string | null;
  /** The deadline of one attempt. */
  timeoutMs: number;
  /** Attempts per call (for the message of a call that ran out of its deadline). */
  maxAttempts?: number;
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

const asObject = (e: unknown): SdkLikeError =>
  typeof e === 'object' && e !== null ? (e as SdkLikeError) : { message: String(e) };

/** The Node error code of a transport failure, looking through AggregateError (happy eyeballs) and causes. */
function nodeCode(e: SdkLikeError, depth = 0): string | undefined {
  if (typeof e.code === 'string' && /^[A-Z_]+$/.test(e.code)) return e.code;
  if (depth > 3) return undefined;
  if (Array.isArray(e.errors))
    for (const inner of e.errors) {
      const c = nodeCode(asObject(inner), depth + 1);
      if (c) return c;
    }
  if (e.cause) return nodeCode(asObject(e.cause), depth + 1);
  return undefined;
}

const firstLine = (s: string): string => s.split(/\r?\n/, 1)[0].trim();

/** Bytes as people read them: 312 bytes, 20 KB, 1.5 MB. */
export function byteSize(n: number): string {
  if (n < 1024) return `${n} byte${n === 1 ? '' : 's'}`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  const mb = n / (1024 * 1024);
  return `${mb < 10 ? mb.toFixed(1).replace(/\.0$/, '') : Math.round(mb)} MB`;
}

/**
 * The SDK's own reading of an answer failed (a 2xx answer it could not parse): the answer is
 * malformed, whatever error name the SDK gives it.
 */
const isSdkParseError = (o: SdkLikeError): boolean =>
  typeof o.message === 'string' &&
  (/^@aws-sdk XML parse error/.test(o.message) ||
    /Deserialization error: to see the raw response/.test(o.message) ||
    (o.name === 'SyntaxError' && /JSON/.test(o.message)));

/** The error's code as AWS names it: `AccessDenied`, `NoSuchBucketPolicy`, `ThrottlingException`, `TimeoutError`, `ECONNREFUSED`… */
export function errorCode(e: unknown): string {
  if (e instanceof WireError) return e.name;
  const o = asObject(e);
  // The Node code first: the SDK's handler names a reset (ECONNRESET, EPIPE) "TimeoutError" too.
  const transport = nodeCode(o);
  if (transport === 'ETIMEDOUT') return 'TimeoutError';
  if (transport?.startsWith('HPE_')) return 'MalformedResponse';
  if (transport && (CONNECTION_CODES.has(transport) || transport.startsWith('E'))) return transport;
  if (o.name === 'TimeoutError' || o.code === 'TimeoutError') return 'TimeoutError';
  const status = o.$metadata?.httpStatusCode ?? o.$response?.statusCode;
  if (isSdkParseError(o) && (!status || (status >= 200 && status < 300))) return 'MalformedResponse';
  const named = typeof o.Code === 'string' && o.Code ? o.Code : typeof o.name === 'string' ? o.name : '';
  // The SDK names errors it cannot parse "Unknown"/"UnknownError"/"Error": the HTTP status says more.
  if (!named || named === 'Unknown' || named === 'UnknownError' || named === 'Error') return status ? `HTTP${status}` : 'Error';
  return named;
}

/** What a wire failure says about the endpoint: which service it fails to behave like. */
const serviceOf = (call: string): string => (call.startsWith('kms:') ? 'KMS' : 'S3');

/** The message of a failure the wire guard named (wire.ts), or null for other errors. */
function wireMessage(call: string, e: WireError, where: string, attempts: number, ctx: ErrorContext): string {
  const each = attempts > 1 ? ` (each of ${attempts} attempts)` : '';
  const f = e.facts;
  switch (e.name) {
    case 'TimeoutError':
      if (f.phase === 'call') {
        const attempts = ctx.maxAttempts ?? 1;
        return `no complete answer from ${where} within the call's deadline of ${f.limit} ms (${attempts} attempt${attempts === 1 ? '' : 's'} of ${ctx.timeoutMs} ms and the waits between them); retry later or raise the timeout (--timeout MS)`;
      }
      if (f.phase === 'body')
        return `the answer from ${where} was not complete within ${f.limit} ms${each}: ${f.bytes ? `${byteSize(f.bytes)} arrived, then it stalled or trickled` : 'the headers arrived, then no body'}; retry later or raise the timeout (--timeout MS)`;
      return `no answer from ${where} within ${f.limit} ms${each}; retry later or raise the timeout (--timeout MS)`;
    case 'ECONNRESET':
      return `the connection to ${where} was reset ${f.phase === 'body' ? `mid-answer, after ${byteSize(f.bytes)} of it` : 'before an answer'} (${f.elapsedMs} ms into the ${attempts > 1 ? `last of ${attempts} attempts` : 'attempt'}); retry later`;
    case 'ResponseTooLarge':
      return `the answer from ${where} is larger than the ${byteSize(f.limit ?? 0)} allowed for one answer (${f.announced ? `it announced ${byteSize(f.bytes)}` : `${byteSize(f.bytes)} arrived before it was stopped`}); ${serviceOf(call)} never answers this much here, so the endpoint is not behaving like ${serviceOf(call)}`;
    default:
      return `the answer from ${where} is malformed: ${f.reason ?? 'it cannot be read'}; it is not an answer ${serviceOf(call)} sends (check the endpoint URL, or a proxy in the way)`;
  }
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
  if (e instanceof WireError) message = wireMessage(call, e, where, attempts ?? 1, ctx);
  else if (code === 'TimeoutError')
    message = `no answer from ${where} within ${ctx.timeoutMs} ms${tries}; retry later or raise the timeout (--timeout MS)`;
  else if (code === 'MalformedResponse')
    message = `the answer from ${where} is malformed: ${typeof o.message === 'string' ? clip(firstLine(o.message), 200) : 'it cannot be read'}; it is not an answer ${serviceOf(call)} sends (check the endpoint URL, or a proxy in the way)`;
  else if (code === 'ECONNREFUSED')
    message = `cannot connect to ${where}: connection refused; is the endpoint running and the URL right?`;
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    message = `cannot resolve the host of ${where}; check the endpoint URL and your network`;
  else if (code === 'ECONNRESET' || code === 'EPIPE') message = `the connection to ${where} was reset${tries}; retry later`;
  else if (CONNECTION_CODES.has(code))
    message = `cannot connect to ${where} (${code}); check the endpoint URL and its certificate`;
  else if (code === 'AccessDenied' || code === 'AccessDeniedException' || code === 'AllAccessDisabled') {
    const detail = typeof o.message === 'string' ? clip(firstLine(o.message), 200) : '';
    message = `access denied: the caller needs ${action}${detail && !/^access denied\.?$/i.test(detail) ? ` (${detail})` : ''}`;
  } else if (THROTTLING.has(code)) message = `throttled${tries}; retry later or lower the concurrency (--concurrency N)`;
  else if (
    code === 'InternalError' ||
    code === 'KMSInternalException' ||
    code === 'ServiceUnavailable' ||
    /^HTTP5\d\d$/.test(code)
  )
    message = `the service failed (${code})${tries}; retry later`;
  else message = typeof o.message === 'string' && o.message ? clip(firstLine(o.message), 300) : `failed with ${code}`;
  return { call, code, message: ctx.scrub(firstLine(message)) };
}

/** Why a ListBuckets listing was stopped: it would never end. */
export type PaginationStop =
  | { kind: 'repeated-token'; page: number }
  | { kind: 'no-new-buckets'; page: number }
  | { kind: 'too-many-pages'; page: number; buckets: number };

/**
 * A listing stopped because its pages would never end: an error for the whole ListBuckets call,
 * not a partial list (a bucket left out would be a bucket never checked, and nobody told).
 * Codes: PaginationLoop (the endpoint repeats itself), TooManyPages (more pages than an account can have).
 */
export function paginationError(stop: PaginationStop, ctx: ErrorContext): CallError {
  const where = ctx.endpoint ?? 'AWS';
  const way = 'name the buckets to read instead (--bucket NAME)';
  if (stop.kind === 'too-many-pages') {
    return {
      call: 'ListBuckets',
      code: 'TooManyPages',
      message: ctx.scrub(
        `${where} still had another ListBuckets page after ${stop.page} pages and ${stop.buckets} buckets${stop.page >= MAX_LIST_PAGES ? ', more than an account can have' : ''}; stopped: ${way}`,
      ),
    };
  }
  const why =
    stop.kind === 'repeated-token'
      ? `page ${stop.page} asks again for a page it already gave (a repeated continuation token)`
      : `page ${stop.page} lists no bucket that earlier pages did not, yet says there is another page`;
  return {
    call: 'ListBuckets',
    code: 'PaginationLoop',
    message: ctx.scrub(`the bucket list of ${where} would never end: ${why}; stopped after ${stop.page} pages: ${way}`),
  };
}

/** A connection-level failure: the endpoint itself is unreachable (not one bucket's problem). */
export const isConnectionError = (e: CallError): boolean => CONNECTION_CODES.has(e.code);
