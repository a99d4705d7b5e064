// The wire guard: every answer of an S3 or KMS endpoint is read under limits before the SDK sees
// it, so no endpoint (a broken S3-compatible store, a proxy in the way, a hostile server) can hold
// `status` or the live view forever, flood their memory, or pass a malformed answer off as an
// empty one (issue 10, "A deadline on every network read").
//
// The SDK alone does not do this: its request timeout ends when the response headers arrive, and
// after that only socket inactivity is watched, so a body trickled one byte a second never times
// out; it reads bodies of any size; and its XML reader skips a DOCTYPE and takes whatever root
// element comes first, so an entity bomb or an answer without its root element reads as an empty
// list. The guard is a middleware in the SDK's own stack, just above the HTTP handler, run once
// per attempt:
//
// - the deadline of one attempt (`timeoutMs`) covers connecting, the headers and the whole body;
// - an answer larger than MAX_ANSWER_BYTES is refused without reading the rest (by its
//   Content-Length when it has one, else as the bytes arrive);
// - an answer is checked before it is parsed: S3's XML has no DTD, the root element the operation
//   answers with, is complete and at most MAX_XML_DEPTH deep; KMS's JSON is a JSON object with the
//   members the operation always returns;
// - a failure is a WireError named for what happened: TimeoutError (which phase, after how long),
//   ECONNRESET (after how many bytes), ResponseTooLarge, MalformedResponse (what is wrong).
//
// Timeouts and resets are retried by the SDK like its own; a too large or malformed answer is not
// (the same endpoint would answer the same). The deadline of a whole call, retries and backoff
// included, is callDeadlineMs (posture.ts enforces it with an abort signal).
// included, is callDeadlineMs (posture.ts enforces it with an abort signal).
import { Readable } from 'node:stream';

/**
 * The limits, in one place.
 * - MAX_ANSWER_BYTES: one answer. AWS's largest answers here are far below it: a bucket policy is
 *   at most 20 KB, a key policy 32 KB, a ListBuckets page of LIST_BUCKETS_PAGE_SIZE buckets about
 *   250 KB (a bucket entry is at most about 250 bytes).
 * - LIST_BUCKETS_PAGE_SIZE: buckets asked for per ListBuckets page (max-buckets; S3 accepts 1 to
 *   10,000), so that a page stays well under MAX_ANSWER_BYTES.
 * - MAX_LIST_PAGES: ListBuckets pages read at most: 1,000,000 buckets, the most an account may
 *   have. An endpoint that still has a next page after that is not S3.
 * - MAX_XML_DEPTH: S3's answers nest at most 5 elements deep.
 * - RETRY_BACKOFF_ALLOWANCE_MS: what a call's deadline allows per attempt beyond its own deadline:
 *   the wait before it (a retry's backoff) and the SDK's own work. The SDK's standard backoff waits
 *   at most 50 ms × 2^n (1 s × 2^n when throttled, capped at 20 s); with the default 3 attempts
 *   that is under 3 s in all.
 */
export const MAX_ANSWER_BYTES = 1024 * 1024;
export const LIST_BUCKETS_PAGE_SIZE = 1000;
export const MAX_LIST_PAGES = 1000;
export const MAX_XML_DEPTH = 32;
export const RETRY_BACKOFF_ALLOWANCE_MS = 2000;

/**
 * The deadline of one call: every attempt may take `timeoutMs`, plus RETRY_BACKOFF_ALLOWANCE_MS
 * for the wait before it. Defaults (10 s, 3 attempts): 36 s at worst. Whatever is still running
 * then (an attempt, a backoff the SDK drew longer) is aborted. An attempt that runs out of its own
 * deadline fails first, with a message that says in which phase.
 */
export function callDeadlineMs(timeoutMs: number, maxAttempts: number): number {
  const attempts = Math.max(1, Math.floor(maxAttempts));
  return attempts * (timeoutMs + RETRY_BACKOFF_ALLOWANCE_MS);
}

export type WireFailure = 'TimeoutError' | 'ECONNRESET' | 'ResponseTooLarge' | 'MalformedResponse';

/** Where an attempt was when it failed: connecting and waiting for the headers, reading the body, or the whole call. */
export type WirePhase = 'headers' | 'body' | 'call';

export interface WireFacts {
  /** The operation, e.g. `ListBuckets`, `GetKeyPolicy`. */
  operation: string;
  phase: WirePhase;
  /** From the start of the attempt (or of the call) to the failure. */
  elapsedMs: number;
  /** Body bytes received (or announced by Content-Length, for an answer refused as too large). */
  bytes: number;
  /** The limit that was hit: milliseconds for a timeout, bytes for a too large answer. */
  limit?: number;
  /** What is wrong with a malformed answer, e.g. `it declares a DTD (<!DOCTYPE …>)`. */
  reason?: string;
  /** A too large answer refused by its Content-Length (`bytes` is what it announced). */
  announced?: boolean;
}

/** A failure on the wire, named for what happened; `name` is the code the SDK's retry logic and errors.ts read. */
export class WireError extends Error {
  /** The Node code for resets, so that the SDK retries them as it retries its own. */
  readonly code?: string;
  constructor(
    name: WireFailure,
    readonly facts: WireFacts,
  ) {
    super(
      `${name} in ${facts.operation} (${facts.phase}, ${facts.elapsedMs} ms, ${facts.bytes} bytes)${facts.reason ? `: ${facts.reason}` : ''}`,
    );
    this.name = name;
    if (name === 'ECONNRESET') this.code = 'ECONNRESET';
  }
}

/** S3, S3 Control, IAM and STS answer in XML; KMS in JSON. */
export type Service = 's3' | 'kms' | 's3control' | 'iam' | 'sts';

/** The root element of each S3 answer read here (a GetBucketPolicy answer is the policy text itself). */
const S3_ROOT: Readonly<Record<string, string>> = {
  ListBuckets: 'ListAllMyBucketsResult',
  GetBucketLocation: 'LocationConstraint',
  GetBucketEncryption: 'ServerSideEncryptionConfiguration',
  GetPublicAccessBlock: 'PublicAccessBlockConfiguration',
};

/** The members each KMS answer always has, and their JSON types. */
const KMS_MEMBERS: Readonly<Record<string, Readonly<Record<string, 'object' | 'string' | 'boolean'>>>> = {
  DescribeKey: { KeyMetadata: 'object' },
  GetKeyPolicy: { Policy: 'string' },
  GetKeyRotationStatus: { KeyRotationEnabled: 'boolean' },
};

/**
 * What is wrong with an XML answer, or null: a DTD (AWS never sends one; an entity bomb needs
 * one), another root element than `root` (when given), more than one root, unclosed or
 * mismatched elements (a truncated answer), nesting deeper than MAX_XML_DEPTH. One pass over the
 * text, no regular expression built from it.
 */
export function xmlProblem(text: string, root: string | null): string | null {
  const open: string[] = [];
  let rootSeen: string | null = null;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const lt = text.indexOf('<', i);
    if (lt < 0) break;
    if (text.startsWith('<?', lt)) {
      const end = text.indexOf('?>', lt + 2);
      if (end < 0) return 'it ends inside a processing instruction';
      i = end + 2;
    } else if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      if (end < 0) return 'it ends inside a comment';
      i = end + 3;
    } else if (text.startsWith('<![CDATA[', lt)) {
      const end = text.indexOf(']]>', lt + 9);
      if (end < 0) return 'it ends inside a CDATA section';
      i = end + 3;
    } else if (text.startsWith('<!', lt)) {
      return 'it declares a DTD (<!DOCTYPE or <!ENTITY), which AWS never sends';
    } else {
      // A tag: its end is the first `>` outside quotes.
      let j = lt + 1;
      let quote = '';
      for (; j < n; j++) {
        const c = text[j];
        if (quote) {
          if (c === quote) quote = '';
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '>') break;
      }
      if (j >= n) return `it ends inside a tag (truncated after ${n} characters)`;
      const closing = text[lt + 1] === '/';
      const selfClosing = !closing && text[j - 1] === '/';
      let k = lt + (closing ? 2 : 1);
      while (k < j && !' \t\r\n/>'.includes(text[k])) k++;
      const name = text.slice(lt + (closing ? 2 : 1), k);
      if (!name) return 'it has an empty tag';
      if (closing) {
        const expected = open.pop();
        if (expected !== name)
          return expected ? `<${expected}> is closed by </${clipName(name)}>` : `</${clipName(name)}> closes nothing`;
      } else {
        if (!open.length) {
          if (rootSeen) return `it has more than one root element (<${rootSeen}>, then <${clipName(name)}>)`;
          rootSeen = name;
          if (root && name !== root) return `its root element is <${clipName(name)}>, not <${root}>`;
        }
        if (!selfClosing) {
          open.push(name);
          if (open.length > MAX_XML_DEPTH) return `its elements nest more than ${MAX_XML_DEPTH} deep`;
        }
      }
      i = j + 1;
    }
  }
  if (open.length) return `it ends before </${open[open.length - 1]}> (truncated after ${n} characters)`;
  if (!rootSeen) return root ? `it has no root element (expected <${root}>)` : 'it has no root element';
  return null;
}

const clipName = (name: string): string => (name.length > 40 ? `${name.slice(0, 39)}…` : name);

/** What is wrong with a successful KMS JSON answer, or null. */
export function kmsJsonProblem(text: string, operation: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const start = text.trimStart().slice(0, 1);
    return start === '<' ? 'it is not JSON (it starts with "<", like an HTML or XML page)' : 'it is not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'it is JSON, but not a JSON object';
  for (const [member, type] of Object.entries(KMS_MEMBERS[operation] ?? {})) {
    const v = (value as Record<string, unknown>)[member];
    const actual = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
    const a = (t: string) => (t === 'null' ? 'null' : t === 'object' || t === 'array' ? `an ${t}` : `a ${t}`);
    if (actual !== type) return v === undefined ? `it has no ${member}` : `its ${member} is ${a(actual)}, not ${a(type)}`;
  }
  return null;
}

/** A DTD anywhere in the text (XML only allows it before the root; a lenient reader may find it anywhere). */
const hasDtd = (text: string): boolean => /<!(DOCTYPE|ENTITY)/i.test(text);

/**
 * What is wrong with an answer of `operation`, or null (an answer the SDK may parse). An error
 * answer (not 2xx) is left to the SDK, which names it by its code or HTTP status and retries 5xx,
 * as it should for a proxy's HTML error page; only a DTD in it is refused.
 */
export function answerProblem(service: Service, operation: string, status: number, body: Buffer): string | null {
  const ok = status >= 200 && status < 300;
  const text = body.toString('utf8');
  if (!ok) return hasDtd(text) ? 'it declares a DTD (<!DOCTYPE or <!ENTITY), which AWS never sends' : null;
  if (service === 'kms') return body.length ? kmsJsonProblem(text, operation) : 'it is empty';
  // S3: a bucket policy is the policy text itself, judged by the engine (which says when it cannot);
  // an object's body is its own bytes (a manifest, a report), read by whoever asked for it.
  if (operation === 'GetBucketPolicy' || operation === 'GetObject') return null;
  const root = S3_ROOT[operation] ?? null;
  if (!body.length) return root ? `it is empty (expected <${root}>)` : null;
  return xmlProblem(text, root);
}

interface BodyStream {
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (e: Error) => void): unknown;
  destroy(error?: Error): unknown;
  readableEnded?: boolean;
}

interface WireResponse {
  statusCode: number;
  headers: Record<string, string | undefined>;
  body?: unknown;
}

const isStream = (b: unknown): b is BodyStream =>
  typeof b === 'object' &&
  b !== null &&
  typeof (b as BodyStream).on === 'function' &&
  typeof (b as BodyStream).destroy === 'function';

/** The node error code of a failed read (`ECONNRESET`, `ERR_STREAM_PREMATURE_CLOSE`…). */
const errCode = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string'
    ? (e as { code: string }).code
    : undefined;

/** Reads a body whole, by `deadline` (epoch ms), at most `maxBytes`. */
function readBody(
  body: unknown,
  operation: string,
  started: number,
  deadline: number,
  timeoutMs: number,
  maxBytes: number,
): Promise<Buffer> {
  if (body === undefined || body === null) return Promise.resolve(Buffer.alloc(0));
  if (body instanceof Uint8Array) {
    if (body.length > maxBytes)
      return Promise.reject(
        new WireError('ResponseTooLarge', {
          operation,
          phase: 'body',
          elapsedMs: Date.now() - started,
          bytes: body.length,
          limit: maxBytes,
        }),
      );
    return Promise.resolve(Buffer.from(body.buffer, body.byteOffset, body.length));
  }
  if (typeof body === 'string') return readBody(Buffer.from(body), operation, started, deadline, timeoutMs, maxBytes);
  if (!isStream(body))
    return Promise.reject(
      new WireError('MalformedResponse', {
        operation,
        phase: 'body',
        elapsedMs: Date.now() - started,
        bytes: 0,
        reason: 'its body cannot be read',
      }),
    );
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const finish = (error: WireError | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        // The listeners below stay (an 'error' without one would be thrown) but do nothing now.
        body.destroy();
        reject(error);
      } else resolve(Buffer.concat(chunks, bytes));
    };
    const facts = (phase: WirePhase = 'body') => ({ operation, phase, elapsedMs: Date.now() - started, bytes });
    const timer = setTimeout(
      () => finish(new WireError('TimeoutError', { ...facts(), limit: timeoutMs })),
      Math.max(0, deadline - Date.now()),
    );
    body.on('data', chunk => {
      if (settled) return;
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      bytes += b.length;
      if (bytes > maxBytes) return finish(new WireError('ResponseTooLarge', { ...facts(), limit: maxBytes }));
      chunks.push(b);
    });
    body.on('end', () => finish(null));
    body.on('error', e => {
      const code = errCode(e);
      // A reset, or the request destroyed because the call was aborted (posture.ts tells the two apart).
      finish(
        code?.startsWith('HPE_')
          ? new WireError('MalformedResponse', { ...facts(), reason: `its body is not valid HTTP (${code})` })
          : new WireError('ECONNRESET', facts()),
      );
    });
    // A stream closed without `end` was cut off (an older Node reports no error for it).
    body.on('close', () => {
      if (!body.readableEnded) finish(new WireError('ECONNRESET', facts()));
    });
  });
}

/** Closes a body that will not be read (and its connection, which cannot be reused mid-answer). */
function discard(body: unknown): void {
  if (!isStream(body)) return;
  body.on('error', () => undefined);
  body.destroy();
}

/** Resolves or rejects with `work`, or rejects with the timeout error at `deadline`. */
function byDeadline<T>(work: Promise<T>, deadline: number, timeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeout()), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

export interface GuardOptions {
  service: Service;
  /** The deadline of one attempt, connecting to last byte. */
  timeoutMs: number;
  /** Default MAX_ANSWER_BYTES. */
  maxAnswerBytes?: number;
}

interface StackLike {
  add(middleware: unknown, options: Record<string, unknown>): void;
}

/** Installs the wire guard in a client's middleware stack (S3Client, KMSClient). */
export function guardClient(client: { middlewareStack: unknown }, opts: GuardOptions): void {
  const maxBytes = opts.maxAnswerBytes ?? MAX_ANSWER_BYTES;
  const middleware =
    (next: (args: unknown) => Promise<{ response: unknown }>, context: { commandName?: string }) => async (args: unknown) => {
      const operation = (context.commandName ?? 'call').replace(/Command$/, '');
      const started = Date.now();
      const deadline = started + opts.timeoutMs;
      let result: { response: unknown };
      const pending = next(args);
      try {
        result = await byDeadline(
          pending,
          deadline,
          () =>
            new WireError('TimeoutError', {
              operation,
              phase: 'headers',
              elapsedMs: Date.now() - started,
              bytes: 0,
              limit: opts.timeoutMs,
            }),
        );
      } catch (e) {
        // Headers that arrive after the deadline are not read: their connection is closed.
        if (e instanceof WireError)
          pending.then(
            late => discard((late.response as WireResponse | undefined)?.body),
            () => undefined,
          );
        // The SDK's handler names a reset "TimeoutError" (it retries both): say what it was, and when.
        const code = errCode(e);
        if (!(e instanceof WireError) && (code === 'ECONNRESET' || code === 'EPIPE')) {
          throw Object.assign(
            new WireError('ECONNRESET', { operation, phase: 'headers', elapsedMs: Date.now() - started, bytes: 0 }),
            { cause: e },
          );
        }
        throw e;
      }
      const response = result.response as WireResponse;
      if (typeof response?.statusCode !== 'number') return result;
      const announced = Number(response.headers?.['content-length'] ?? response.headers?.['Content-Length']);
      if (Number.isFinite(announced) && announced > maxBytes) {
        discard(response.body);
        throw new WireError('ResponseTooLarge', {
          operation,
          phase: 'body',
          elapsedMs: Date.now() - started,
          bytes: announced,
          limit: maxBytes,
          announced: true,
        });
      }
      const body = await readBody(response.body, operation, started, deadline, opts.timeoutMs, maxBytes);
      const problem = answerProblem(opts.service, operation, response.statusCode, body);
      if (problem)
        throw new WireError('MalformedResponse', {
          operation,
          phase: 'body',
          elapsedMs: Date.now() - started,
          bytes: body.length,
          reason: problem,
        });
      // GetObject's body is a stream to the SDK (it refuses anything else): the bytes read, as one.
      response.body = operation === 'GetObject' ? Readable.from([body]) : body;
      return result;
    };
  // Step "deserialize", priority "low": below the SDK's deserializer, next to the HTTP handler.
  (client.middlewareStack as StackLike).add(middleware, {
    step: 'deserialize',
    priority: 'low',
    name: 's3egWireGuard',
    override: true,
  });
}
