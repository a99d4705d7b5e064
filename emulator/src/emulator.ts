// A local endpoint for tests and `npm start` that speaks the real wire protocols, so the real AWS SDK
// talks to it exactly as it talks to AWS: S3's REST/XML protocol (path-style: ListBuckets,
// GetBucketLocation, GetBucketEncryption, GetBucketPolicy, GetPublicAccessBlock, HeadBucket) and
// KMS's JSON 1.1 protocol (X-Amz-Target TrentService.DescribeKey, GetKeyRotationStatus, GetKeyPolicy,
// ListAliases), with AWS's error codes, HTTP statuses and XML/JSON error shapes.
//
// Read-only unless the seed says `writable: true` (then: the bucket and key writes of buckets.ts and
// kms.ts, the objects of objects.ts, inventory.ts reports, control.ts S3 Control jobs; state.ts holds
// it all in memory); read-only, every write is refused (MethodNotAllowed), which is what the posture
// code must never need. Requests must carry a SigV4-looking Authorization header (signatures are not verified); the
// KMS region comes from its credential scope, so a key is found only in its own region, as in AWS.
// One endpoint serves every region's buckets; ListBuckets pages with max-buckets and
// continuation-token as S3 does. Faults can be injected per call and per bucket or key: latency,
// throttling, 500s and AccessDenied, and the misbehaviour a client must survive (types.ts): stalled
// and trickled bodies, resets, endless pagination, oversized and malformed answers.
import fs from 'node:fs';
import http from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Emulator, EmulatorOptions, EmulatorSeed, FaultSpec, MalformedAnswer, Quirks } from './types';
import { bucketCall, createBucket } from './buckets';
import { type ControlReply, controlCall, createControl } from './control';
import { queryCall } from './identity';
import { inventoryCall, publishInventory } from './inventory';
import { kmsWrite, KMS_WRITES } from './kms';
import { objectCall, rewriteObject } from './objects';
import { classifyS3, WRITE_CALLS } from './routes';
import { findVersion, loadState, snapshot } from './state';
import { type Account, decodeAwsChunked, type Reply, type S3Request } from './wire';

export type {
  Emulator,
  EmulatorOptions,
  EmulatorSeed,
  EndlessPages,
  FaultSpec,
  MalformedAnswer,
  ObjectSnapshot,
  Quirks,
  SeedBucket,
  SeedInventory,
  SeedKey,
  SeedObject,
  SeedObjectVersion,
  WireFault,
} from './types';

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
/** The largest request body the emulator takes (it holds bodies in memory). */
const MAX_BODY_BYTES = 256 * 1024 * 1024;
const DEFAULT_ACCOUNT = '111122223333';

const xmlEscape = (s: string): string =>
  s.replace(/[<>&'"]/g, c => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

/** Reads and checks a seed; throws one message naming the bad field. */
export function loadSeed(seed: EmulatorSeed | string): EmulatorSeed {
  let raw: unknown = seed;
  if (typeof seed === 'string') {
    let text: string;
    try {
      text = fs.readFileSync(seed, 'utf8');
    } catch (e) {
      throw new Error(`seed ${seed}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new Error(`seed ${seed}: invalid JSON (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  const where = typeof seed === 'string' ? `seed ${seed}` : 'seed';
  const s = raw as EmulatorSeed;
  if (typeof s !== 'object' || s === null || !Array.isArray(s.buckets))
    throw new Error(`${where}: must be an object with a "buckets" array`);
  s.buckets.forEach((b, i) => {
    const valid =
      b &&
      typeof b.name === 'string' &&
      (b.unsafeName
        ? b.name.length >= 1 && b.name.length <= 255 && !b.name.includes('/')
        : /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(b.name));
    if (!valid) throw new Error(`${where}: buckets[${i}].name must be a valid bucket name, not ${JSON.stringify(b?.name)}`);
  });
  (s.keys ?? []).forEach((k, i) => {
    if (!k || typeof k.id !== 'string' || typeof k.region !== 'string')
      throw new Error(`${where}: keys[${i}] needs "id" and "region"`);
  });
  return s;
}

type Key = import('./wire').Key;

/** The policy of the AWS managed key aws/s3: any principal of the account, through S3 only. */
function managedS3KeyPolicy(account: string, region: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'auto-s3-2',
    Statement: [
      {
        Sid: 'Allow access through S3 for all principals in the account that are authorized to use S3',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:CallerAccount': account, 'kms:ViaService': `s3.${region}.amazonaws.com` } },
      },
      {
        Sid: 'Allow direct access to key metadata to the account',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: ['kms:Describe*', 'kms:Get*', 'kms:List*'],
        Resource: '*',
      },
    ],
  });
}

const rootKeyPolicy = (account: string): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  });

const asText = (p: string | Record<string, unknown>): string => (typeof p === 'string' ? p : JSON.stringify(p));

/** The region and service of a SigV4 Authorization header's credential scope. */
function credentialScope(auth: string | undefined): { region: string; service: string } | null {
  if (!auth || !auth.startsWith('AWS4-HMAC-SHA256 ')) return null;
  const m = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request/.exec(auth);
  return m ? { region: m[1], service: m[2] } : null;
}

/** What a fault does to one answer (everything but latency). */
type AnswerFault = Pick<
  FaultSpec,
  'error' | 'errorMessage' | 'wire' | 'trickleMs' | 'malformed' | 'oversizeBytes' | 'endlessPages' | 'chunked' | 'changeObject'
>;

const hasAnswerFault = (f: FaultSpec): boolean =>
  !!(f.error || f.wire || f.malformed || f.oversizeBytes || f.endlessPages || f.chunked || f.changeObject);

class FaultTable {
  private faults: (FaultSpec & { used: number; seen: number })[] = [];
  set(list: readonly FaultSpec[]): void {
    this.faults = list.map(f => ({ ...f, used: 0, seen: 0 }));
  }

  /** The latency and the answer fault (the first matching one not used up) for one call. */
  match(
    call: string,
    bucket?: string,
    keyNames: readonly string[] = [],
    object?: string,
  ): { latencyMs: number; answer?: AnswerFault } {
    let latencyMs = 0;
    let answer: AnswerFault | undefined;
    for (const f of this.faults) {
      const name = f.call.replace(/^kms:/, '');
      const plain = call.replace(/^kms:/, '');
      if (name !== '*' && name !== plain && !(name === 'write' && WRITE_CALLS.has(call))) continue;
      if (f.bucket !== undefined && f.bucket !== bucket) continue;
      if (f.key !== undefined && !keyNames.includes(f.key)) continue;
      if (f.object !== undefined && f.object !== object) continue;
      if (f.latencyMs) latencyMs = Math.max(latencyMs, f.latencyMs);
      if (!hasAnswerFault(f)) continue;
      // `after`: the first matching calls go through untouched (a fault mid-run).
      if (f.seen++ < (f.after ?? 0)) continue;
      if (!answer && (f.times === undefined || f.used < f.times)) {
        f.used++;
        answer = f;
      }
    }
    return { latencyMs, answer };
  }
}

/** An answer body: its length, and its bytes in chunks (padding is generated, never held whole). */
interface Body {
  length: number;
  chunks(): Iterable<Buffer>;
}

const PAD_CHUNK = Buffer.alloc(64 * 1024, 0x20);

/** `text` with `padding` spaces inserted at `at` (a place where whitespace keeps the document valid). */
function paddedBody(text: string, at: number, padding: number): Body {
  const before = Buffer.from(text.slice(0, at));
  const after = Buffer.from(text.slice(at));
  return {
    length: before.length + padding + after.length,
    *chunks() {
      yield before;
      for (let left = padding; left > 0; left -= PAD_CHUNK.length)
        yield left >= PAD_CHUNK.length ? PAD_CHUNK : PAD_CHUNK.subarray(0, left);
      yield after;
    },
  };
}

/** Where whitespace may go: after the XML declaration, or before a JSON document's last `}`. */
function paddingPoint(text: string): number {
  const decl = text.startsWith('<?xml') ? text.indexOf('?>') : -1;
  if (decl >= 0) return decl + 2;
  const brace = text.lastIndexOf('}');
  return brace >= 0 ? brace : text.length;
}

const S3_ROOT = /^(?:<\?xml[^>]*\?>\s*)?<([A-Za-z]+)/;

/** The answer made malformed (types.ts, MalformedAnswer). */
function malform(text: string, kind: MalformedAnswer, contentType: string): { text: string; contentType: string } {
  const root = S3_ROOT.exec(text)?.[1] ?? 'lolz';
  switch (kind) {
    case 'entity-bomb': {
      // Billion laughs: each entity ten of the one before. The root is the answer's own, so only
      // the DOCTYPE tells the answer apart from a real one.
      const entities = ['<!ENTITY lol0 "lol">'];
      for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
      return {
        text: `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE ${root} [\n${entities.join('\n')}\n]>\n<${root} xmlns="${S3_NS}">&lol9;</${root}>`,
        contentType: 'application/xml',
      };
    }
    case 'truncated':
      return { text: text.slice(0, Math.floor(text.length / 2)), contentType };
    case 'no-root': {
      if (contentType.includes('json')) return { text: '{}', contentType };
      const m = /^(<\?xml[^>]*\?>\s*)<([A-Za-z]+)[^>]*?(\/?)>([\s\S]*)$/.exec(text);
      if (!m) return { text, contentType };
      // A self-closing root leaves the declaration only; otherwise the root's children without it.
      return { text: m[3] ? m[1] : m[1] + m[4].slice(0, m[4].lastIndexOf(`</${m[2]}>`)), contentType };
    }
    case 'not-json':
      return {
        text: '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>',
        contentType: 'text/html',
      };
  }
}

export async function startEmulator(opts: EmulatorOptions): Promise<Emulator> {
  const seed = loadSeed(opts.seed);
  const account = seed.account ?? DEFAULT_ACCOUNT;
  const keys: Key[] = (seed.keys ?? []).map(k => ({
    ...structuredClone(k),
    arn: `arn:aws:kms:${k.region}:${account}:key/${k.id}`,
    created: 1700000000,
  }));
  const faults = new FaultTable();
  faults.set(seed.faults ?? []);
  let counts: Record<string, number> = {};
  let inFlight = 0;
  let maxInFlight = 0;
  /** The fault of each answer being made (set by `injected`, applied by `send`). */
  const answerFaults = new WeakMap<http.ServerResponse, AnswerFault>();
  /** Continuation tokens made up by endless pagination. */
  let endlessPage = 0;

  /** The AWS managed key aws/s3 of a region, made on first use as AWS does. */
  function managedS3Key(region: string): Key {
    let k = keys.find(x => x.region === region && x.aliases?.includes('alias/aws/s3'));
    if (!k) {
      const id = `a3a3a3a3-0000-4000-8000-${Buffer.from(region).toString('hex').padEnd(12, '0').slice(0, 12)}`;
      k = {
        id,
        region,
        aliases: ['alias/aws/s3'],
        manager: 'AWS',
        rotation: true,
        description: 'Default key that protects my S3 objects when no other key is defined',
        policy: managedS3KeyPolicy(account, region),
        arn: `arn:aws:kms:${region}:${account}:key/${id}`,
        created: 1700000000,
      };
      keys.push(k);
    }
    return k;
  }

  let quirks: Quirks = { ...seed.quirks };
  const acct: Account = {
    account,
    seed,
    get quirks() {
      return quirks;
    },
    buckets: new Map(),
    managedKeyArn: region => managedS3Key(region).arn,
    findKey: (id, region) => findKey(id, region),
    requestId: () => requestId(),
  };
  const buckets = loadState(acct, seed);
  acct.buckets = buckets;
  const control = createControl(acct, seed.jobs);
  // The reports the seed says S3 has published already.
  for (const state of buckets.values())
    for (const inv of state.inventory.values())
      for (const date of inv.reports ?? []) {
        if (!buckets.has(inv.destinationBucket))
          throw new Error(
            `seed: bucket ${state.settings.name}: inventory ${inv.id} writes to ${inv.destinationBucket}, which the seed lacks`,
          );
        await publishInventory(acct, state, inv.id, new Date(date));
      }

  /** A key by ID, key ARN, alias name or alias ARN, in the request's region (KMS is regional). */
  function findKey(keyId: string, region: string): Key | undefined {
    const arn = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key|alias)\/(.+)$/.exec(keyId);
    if (arn && (arn[1] !== region || arn[2] !== account)) return undefined;
    const kind = arn ? arn[3] : keyId.startsWith('alias/') ? 'alias' : 'key';
    const name = arn ? (kind === 'alias' ? `alias/${arn[4]}` : arn[4]) : keyId;
    if (kind === 'alias' && name === 'alias/aws/s3') return managedS3Key(region);
    return keys.find(k => k.region === region && (kind === 'alias' ? k.aliases?.includes(name) : k.id === name));
  }

  const requestId = () => randomBytes(8).toString('hex').toUpperCase();

  const sleep = (ms: number) => new Promise<void>(r => setTimeout(r, ms));
  const drained = (res: http.ServerResponse) =>
    new Promise<void>(resolve => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });

  /** Writes an answer, through its fault (malformed, oversized, stalled, trickled, reset). */
  function send(
    res: http.ServerResponse,
    status: number,
    headers: Record<string, string>,
    content: string | Buffer,
    head = false,
  ): void {
    const fault = answerFaults.get(res);
    // A crash after the write: the call was carried out, the answer never leaves.
    if (fault?.wire === 'reset-after-write') return void res.socket?.resetAndDestroy();
    let contentType = headers['Content-Type'];
    let text = typeof content === 'string' ? content : '';
    if (typeof content === 'string' && fault?.malformed) ({ text, contentType } = malform(text, fault.malformed, contentType));
    if (head) {
      res.writeHead(status, headers);
      return void res.end();
    }
    if (typeof content !== 'string') {
      res.writeHead(status, { ...headers, ...(fault?.chunked ? {} : { 'Content-Length': String(content.length) }) });
      if (!fault?.wire) return void res.end(content);
      return void deliver(res, { length: content.length, chunks: () => [content] }, fault);
    }
    const padding = Math.max(0, (fault?.oversizeBytes ?? 0) - Buffer.byteLength(text));
    const body = paddedBody(text, paddingPoint(text), padding);
    res.writeHead(status, {
      ...headers,
      'Content-Type': contentType,
      ...(fault?.chunked ? {} : { 'Content-Length': String(body.length) }),
    });
    if (!fault?.wire && padding === 0) return void res.end(text);
    void deliver(res, body, fault ?? {});
  }

  async function deliver(res: http.ServerResponse, body: Body, fault: AnswerFault): Promise<void> {
    const cut = fault.wire === 'stall' || fault.wire === 'reset' ? Math.floor(body.length / 2) : body.length;
    const trickleMs = Math.max(1, fault.trickleMs ?? 1000);
    let sent = 0;
    for (const chunk of body.chunks()) {
      const piece = sent + chunk.length > cut ? chunk.subarray(0, cut - sent) : chunk;
      if (fault.wire === 'trickle') {
        for (let i = 0; i < piece.length; i++) {
          if (res.destroyed) return;
          res.write(piece.subarray(i, i + 1));
          await sleep(trickleMs);
        }
      } else {
        if (res.destroyed) return;
        if (!res.write(piece)) await drained(res);
      }
      sent += piece.length;
      if (sent >= cut) break;
    }
    if (res.destroyed) return;
    // Stalled: the connection stays open with the body half sent, until the client gives up.
    if (fault.wire === 'stall') return;
    if (fault.wire === 'reset') {
      // The half sent must reach the client before the reset, which discards what is still queued.
      await new Promise<void>(r => res.write(Buffer.alloc(0), () => r()));
      await sleep(10);
      return void res.socket?.resetAndDestroy();
    }
    res.end();
  }

  function s3Error(
    res: http.ServerResponse,
    status: number,
    code: string,
    message: string,
    extra: Record<string, string> = {},
    head = false,
    headers: Record<string, string> = {},
  ): void {
    const id = requestId();
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>` +
      Object.entries(extra)
        .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
        .join('') +
      `<RequestId>${id}</RequestId><HostId>${randomBytes(24).toString('base64')}</HostId></Error>`;
    send(res, status, { 'Content-Type': 'application/xml', 'x-amz-request-id': id, ...headers }, body, head);
  }

  function s3Ok(res: http.ServerResponse, body: string, contentType = 'application/xml'): void {
    send(res, 200, { 'Content-Type': contentType, 'x-amz-request-id': requestId() }, body);
  }

  function kmsError(res: http.ServerResponse, status: number, type: string, message: string): void {
    send(
      res,
      status,
      { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': randomUUID(), 'x-amzn-ErrorType': `${type}:` },
      JSON.stringify({ __type: type, message }),
    );
  }

  function kmsOk(res: http.ServerResponse, value: unknown): void {
    send(res, 200, { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': randomUUID() }, JSON.stringify(value));
  }

  /** Counts the call, waits its latency; answers its injected error and returns true when there is one. */
  async function injected(
    call: string,
    res: http.ServerResponse,
    target: { bucket?: string; key?: Key; keyId?: string; object?: string },
    kms: boolean,
    head = false,
  ): Promise<boolean> {
    counts[call] = (counts[call] ?? 0) + 1;
    const names = [target.keyId, target.key?.id, target.key?.arn, ...(target.key?.aliases ?? [])].filter((x): x is string => !!x);
    const { latencyMs, answer } = faults.match(call, target.bucket, names, target.object);
    if (latencyMs) await sleep(latencyMs);
    if (res.destroyed) return true;
    if (!answer) return false;
    // Another writer got there first: the object changes before this call is served.
    if (answer.changeObject && target.bucket && target.object) {
      const state = buckets.get(target.bucket);
      if (state) rewriteObject(acct, state, target.object);
    }
    if (answer.wire === 'reset-before-answer') {
      res.socket?.resetAndDestroy();
      return true;
    }
    answerFaults.set(res, answer);
    const error = answer.error;
    if (!error) return false;
    const say = (aws: string) => answer.errorMessage ?? aws;
    if (kms) {
      if (error === 'throttle') kmsError(res, 400, 'ThrottlingException', say('Rate exceeded'));
      else if (error === 'internal') kmsError(res, 500, 'KMSInternalException', say('An internal error occurred.'));
      else
        kmsError(
          res,
          400,
          'AccessDeniedException',
          say(
            `User: arn:aws:iam::${account}:user/auditor is not authorized to perform: ${call} on resource: ${target.key?.arn ?? target.keyId ?? '*'} because no identity-based policy allows the ${call} action`,
          ),
        );
    } else if (error === 'throttle') s3Error(res, 503, 'SlowDown', say('Please reduce your request rate.'), {}, head);
    else if (error === 'internal')
      s3Error(res, 500, 'InternalError', say('We encountered an internal error. Please try again.'), {}, head);
    else s3Error(res, 403, 'AccessDenied', say('Access Denied'), {}, head);
    return true;
  }

  /** The answers of one S3 request, through `send` (so injected faults apply to them all). */
  function replyTo(res: http.ServerResponse, head: boolean): Reply {
    return {
      xml: (body, headers = {}) =>
        send(
          res,
          200,
          { 'Content-Type': 'application/xml', 'x-amz-request-id': requestId(), ...headers },
          `<?xml version="1.0" encoding="UTF-8"?>\n${body}`,
          head,
        ),
      empty: (status, headers = {}) =>
        send(
          res,
          status,
          { 'x-amz-request-id': requestId(), ...(status === 204 ? {} : { 'Content-Length': '0' }), ...headers },
          Buffer.alloc(0),
          true,
        ),
      error: (status, code, message, extra = {}, headers = {}) => s3Error(res, status, code, message, extra, head, headers),
      bytes: (status, headers, body) => send(res, status, { 'x-amz-request-id': requestId(), ...headers }, body, head),
      stream: (status, headers, size, chunks) => {
        res.writeHead(status, { 'x-amz-request-id': requestId(), ...headers, 'Content-Length': String(size) });
        if (head) return void res.end();
        void (async () => {
          for await (const c of chunks) {
            if (res.destroyed) return;
            if (!res.write(c)) await drained(res);
          }
          res.end();
        })().catch(() => res.destroy());
      },
    };
  }

  async function handleS3(req: http.IncomingMessage, res: http.ServerResponse, url: URL, raw: Buffer): Promise<void> {
    const head = req.method === 'HEAD';
    const method = req.method ?? 'GET';
    if (!credentialScope(req.headers.authorization)) return s3Error(res, 403, 'AccessDenied', 'Access Denied', {}, head);
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts.length === 0) {
      if (method !== 'GET') return notAllowed(res, head);
      if (await injected('ListBuckets', res, {}, false)) return;
      return listBuckets(res, url.searchParams);
    }
    const name = parts[0];
    // The key is everything after `/bucket/`, decoded whole: keys may hold `//` or end with `/`.
    const slash = url.pathname.indexOf('/', 1);
    const key = slash < 0 || slash === url.pathname.length - 1 ? undefined : decodeURIComponent(url.pathname.slice(slash + 1));
    const q = url.searchParams;
    const call = classifyS3(method, key !== undefined, q, req.headers, quirks);
    const writing = call ? WRITE_CALLS.has(call) : method !== 'GET' && !head;
    if (writing && seed.writable !== true) return notAllowed(res, head, key !== undefined);
    if (!call)
      return s3Error(
        res,
        501,
        'NotImplemented',
        'A header or query you provided implies functionality that is not implemented by this local endpoint.',
        {},
        head,
      );
    if (call === 'UpdateObjectEncryption' && quirks.noUpdateObjectEncryption) {
      counts[call] = (counts[call] ?? 0) + 1;
      return s3Error(res, 501, 'NotImplemented', 'A header you provided implies functionality that is not implemented', {
        Header: 'encryption',
      });
    }
    let body = raw;
    let trailers: Record<string, string> = {};
    const encoding = String(req.headers['content-encoding'] ?? '');
    if (encoding.includes('aws-chunked') || String(req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-')) {
      const decoded = decodeAwsChunked(raw);
      if (!decoded) return s3Error(res, 400, 'IncompleteBody', 'The request body terminated unexpectedly');
      ({ body, trailers } = decoded);
    }
    // ExpectedBucketOwner: a bucket of another account is refused (every bucket here is the account's).
    const owner = req.headers['x-amz-expected-bucket-owner'];
    if (owner !== undefined && owner !== account) return s3Error(res, 403, 'AccessDenied', 'Access Denied', {}, head);
    const r: S3Request = { method, bucket: name, key, query: q, headers: req.headers, body, trailers, head };
    const reply = replyTo(res, head);
    if (await injected(call, res, { bucket: name, object: key }, false, head)) return;
    if (call === 'CreateBucket') return createBucket(acct, r, reply);
    const state = buckets.get(name);
    if (!state) return s3Error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: name }, head);
    const b = state.settings;
    if (key !== undefined || ['ListObjectsV2', 'ListObjectVersions', 'ListMultipartUploads'].includes(call))
      return objectCall(call, acct, state, r, reply);
    if (call.includes('Inventory')) return inventoryCall(call, acct, state, r, reply);
    const region = b.region ?? 'us-east-1';
    switch (call) {
      case 'HeadBucket':
        res.writeHead(200, { 'x-amz-bucket-region': region, 'x-amz-request-id': requestId() });
        return void res.end();
      case 'GetBucketLocation':
        // us-east-1 is the empty LocationConstraint (AWS's historic quirk).
        return s3Ok(
          res,
          `<?xml version="1.0" encoding="UTF-8"?>\n${region === 'us-east-1' ? `<LocationConstraint xmlns="${S3_NS}"/>` : `<LocationConstraint xmlns="${S3_NS}">${region}</LocationConstraint>`}`,
        );
      case 'GetBucketEncryption': {
        const enc = b.encryption === undefined ? { algorithm: 'AES256' as const } : b.encryption;
        if (!enc)
          return s3Error(
            res,
            404,
            'ServerSideEncryptionConfigurationNotFoundError',
            'The server side encryption configuration was not found',
            { BucketName: name },
          );
        const key = enc.kmsKeyId ? `<KMSMasterKeyID>${xmlEscape(enc.kmsKeyId)}</KMSMasterKeyID>` : '';
        const blocked = enc.blockedEncryptionTypes?.length
          ? `<BlockedEncryptionTypes>${enc.blockedEncryptionTypes.map(t => `<EncryptionType>${t}</EncryptionType>`).join('')}</BlockedEncryptionTypes>`
          : '';
        return s3Ok(
          res,
          `<?xml version="1.0" encoding="UTF-8"?>\n<ServerSideEncryptionConfiguration xmlns="${S3_NS}"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>${enc.algorithm}</SSEAlgorithm>${key}</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>${enc.bucketKeyEnabled === true}</BucketKeyEnabled>${blocked}</Rule></ServerSideEncryptionConfiguration>`,
        );
      }
      case 'GetBucketPolicy':
        if (b.policy === undefined || b.policy === null)
          return s3Error(res, 404, 'NoSuchBucketPolicy', 'The bucket policy does not exist', { BucketName: name });
        return s3Ok(res, asText(b.policy), 'application/json');
      case 'GetPublicAccessBlock': {
        const pab = b.publicAccessBlock;
        if (pab === undefined || pab === null || pab === false)
          return s3Error(
            res,
            404,
            'NoSuchPublicAccessBlockConfiguration',
            'The public access block configuration was not found',
            { BucketName: name },
          );
        const all = pab === true;
        const v = (k: 'blockPublicAcls' | 'ignorePublicAcls' | 'blockPublicPolicy' | 'restrictPublicBuckets') =>
          all || (pab as Record<string, boolean>)[k] === true;
        return s3Ok(
          res,
          `<?xml version="1.0" encoding="UTF-8"?>\n<PublicAccessBlockConfiguration xmlns="${S3_NS}"><BlockPublicAcls>${v('blockPublicAcls')}</BlockPublicAcls><IgnorePublicAcls>${v('ignorePublicAcls')}</IgnorePublicAcls><BlockPublicPolicy>${v('blockPublicPolicy')}</BlockPublicPolicy><RestrictPublicBuckets>${v('restrictPublicBuckets')}</RestrictPublicBuckets></PublicAccessBlockConfiguration>`,
        );
      }
      default:
        return bucketCall(call, acct, state, r, reply);
    }
  }

  /** S3 Control (control.ts): Batch Operations jobs. */
  async function handleControl(req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: Buffer): Promise<void> {
    const reply: ControlReply = {
      xml: text =>
        send(
          res,
          200,
          { 'Content-Type': 'application/xml', 'x-amz-request-id': requestId() },
          `<?xml version="1.0" encoding="UTF-8"?>\n${text}`,
        ),
      error: (status, code, message) =>
        send(
          res,
          status,
          { 'Content-Type': 'application/xml', 'x-amz-request-id': requestId() },
          `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId()}</RequestId></ErrorResponse>`,
        ),
    };
    const scope = credentialScope(req.headers.authorization);
    if (!scope) return reply.error(403, 'AccessDenied', 'Access Denied');
    const path = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const call = controlCall(req.method ?? 'GET', path);
    if (!call) return reply.error(501, 'NotImplemented', 'This S3 Control operation is not implemented by this local endpoint.');
    if (WRITE_CALLS.has(call) && seed.writable !== true)
      return reply.error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
    if (await injected(call, res, {}, false)) return;
    if (req.headers['x-amz-account-id'] !== account) return reply.error(403, 'AccessDenied', 'Access Denied');
    control.handle(call, path, url.searchParams, body, scope.region, reply);
  }

  /** IAM and STS (identity.ts): the AWS Query protocol. */
  async function handleQuery(res: http.ServerResponse, service: string, body: Buffer): Promise<void> {
    const q = queryCall(service, new URLSearchParams(body.toString('utf8')), seed, account);
    if (!q) return s3Error(res, 400, 'InvalidAction', 'Unknown service');
    if (await injected(q.call, res, {}, false)) return;
    const a = q.answer();
    send(
      res,
      a.status,
      { 'Content-Type': 'text/xml', 'x-amzn-RequestId': randomUUID() },
      `<?xml version="1.0" encoding="UTF-8"?>\n${a.body}`,
    );
  }

  /** A write on a read-only endpoint (the seed is not `writable`). */
  function notAllowed(res: http.ServerResponse, head: boolean, object = false): void {
    s3Error(
      res,
      405,
      'MethodNotAllowed',
      'The specified method is not allowed against this resource.',
      { Method: res.req.method ?? '', ResourceType: object ? 'OBJECT' : 'BUCKET' },
      head,
    );
  }

  /**
   * ListBuckets, paged as S3 pages it: max-buckets (1 to 10,000) sets the page size, and a page
   * that is not the last carries a ContinuationToken; a continuation token without max-buckets
   * pages by 10,000; neither lists every bucket at once.
   */
  function listBuckets(res: http.ServerResponse, q: URLSearchParams): void {
    const all = [...buckets.values()].map(({ settings: b }) => ({
      name: b.name,
      created: b.created ?? '2024-01-15T10:00:00.000Z',
      region: b.region ?? 'us-east-1',
    }));
    const maxParam = q.get('max-buckets');
    const token = q.get('continuation-token');
    const max = maxParam === null ? (token === null ? all.length : 10_000) : Number(maxParam);
    if (!Number.isInteger(max) || max < 1 || max > 10_000)
      return s3Error(res, 400, 'InvalidArgument', 'Argument max-buckets must be an integer between 1 and 10000.', {
        ArgumentName: 'max-buckets',
        ArgumentValue: String(maxParam),
      });
    const endless = answerFaults.get(res)?.endlessPages;
    let start = 0;
    if (token !== null && !endless) {
      const m = /^next:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
      if (!m)
        return s3Error(res, 400, 'InvalidArgument', 'The continuation token provided is incorrect', {
          ArgumentName: 'continuation-token',
          ArgumentValue: token,
        });
      start = Number(m[1]);
    }
    let page = all.slice(start, start + max);
    let next = start + max < all.length ? Buffer.from(`next:${start + max}`).toString('base64') : null;
    if (endless === 'same') next = token ?? 'endless-1';
    else if (endless) {
      next = `endless-${++endlessPage}`;
      if (endless === 'new-buckets')
        page = [{ name: `endless-bucket-${endlessPage}`, created: '2024-01-15T10:00:00.000Z', region: 'us-east-1' }];
    }
    const list = page
      .map(
        b =>
          `<Bucket><Name>${xmlEscape(b.name)}</Name><CreationDate>${b.created}</CreationDate><BucketRegion>${b.region}</BucketRegion></Bucket>`,
      )
      .join('');
    return s3Ok(
      res,
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult xmlns="${S3_NS}"><Owner><ID>${'7'.repeat(64)}</ID><DisplayName>demo</DisplayName></Owner><Buckets>${list}</Buckets>` +
        `${next !== null ? `<ContinuationToken>${xmlEscape(next)}</ContinuationToken>` : ''}</ListAllMyBucketsResult>`,
    );
  }

  async function handleKms(req: http.IncomingMessage, res: http.ServerResponse, target: string, body: string): Promise<void> {
    const scope = credentialScope(req.headers.authorization);
    if (!scope) return kmsError(res, 400, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    const op = target.replace(/^TrentService\./, '');
    let input: Record<string, unknown>;
    try {
      input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    } catch {
      return kmsError(res, 400, 'SerializationException', 'Start of structure or map found where not expected.');
    }
    const keyId = typeof input.KeyId === 'string' ? input.KeyId : undefined;
    const call = `kms:${op}`;
    const key = keyId ? findKey(keyId, scope.region) : undefined;
    const writing = KMS_WRITES.has(op) && seed.writable === true;
    if (!['DescribeKey', 'GetKeyRotationStatus', 'GetKeyPolicy', 'ListAliases'].includes(op) && !writing) {
      counts[call] = (counts[call] ?? 0) + 1;
      return kmsError(res, 400, 'UnknownOperationException', `${op} is not served by this read-only local endpoint`);
    }
    if (await injected(call, res, { key, keyId }, true)) return;
    if (op === 'ListAliases') {
      const aliases = keys
        .filter(k => k.region === scope.region)
        .flatMap(k =>
          (k.aliases ?? []).map(a => ({ AliasName: a, AliasArn: `arn:aws:kms:${k.region}:${account}:${a}`, TargetKeyId: k.id })),
        );
      return kmsOk(res, { Aliases: aliases, Truncated: false });
    }
    if (!keyId)
      return kmsError(
        res,
        400,
        'ValidationException',
        "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
      );
    if (!key)
      return kmsError(
        res,
        400,
        'NotFoundException',
        keyId.includes('alias/')
          ? `Alias ${keyId.startsWith('arn:') ? keyId : `arn:aws:kms:${scope.region}:${account}:${keyId}`} is not found.`
          : `Key '${keyId.startsWith('arn:') ? keyId : `arn:aws:kms:${scope.region}:${account}:key/${keyId}`}' does not exist`,
      );
    if (writing) {
      const answer = kmsWrite(op, key, input);
      return answer.ok ? kmsOk(res, answer.value) : kmsError(res, 400, answer.type, answer.message);
    }
    const spec = key.spec ?? 'SYMMETRIC_DEFAULT';
    const state = key.state ?? 'Enabled';
    switch (op) {
      case 'DescribeKey':
        return kmsOk(res, {
          KeyMetadata: {
            AWSAccountId: account,
            KeyId: key.id,
            Arn: key.arn,
            CreationDate: key.created,
            Enabled: state === 'Enabled',
            Description: key.description ?? '',
            KeyUsage:
              spec === 'SYMMETRIC_DEFAULT' ? 'ENCRYPT_DECRYPT' : spec.startsWith('HMAC') ? 'GENERATE_VERIFY_MAC' : 'SIGN_VERIFY',
            KeyState: state,
            Origin: 'AWS_KMS',
            KeyManager: key.manager ?? 'CUSTOMER',
            CustomerMasterKeySpec: spec,
            KeySpec: spec,
            ...(spec === 'SYMMETRIC_DEFAULT' ? { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] } : {}),
            ...(state === 'PendingDeletion' ? { DeletionDate: key.created + 30 * 86400, PendingDeletionWindowInDays: 30 } : {}),
            MultiRegion: false,
          },
        });
      case 'GetKeyRotationStatus':
        // Automatic rotation exists only for symmetric encryption keys.
        if (spec !== 'SYMMETRIC_DEFAULT')
          return kmsError(
            res,
            400,
            'UnsupportedOperationException',
            `${key.arn} key usage or key spec does not support this operation`,
          );
        return kmsOk(res, {
          KeyRotationEnabled: state === 'PendingDeletion' ? false : key.rotation === true,
          KeyId: key.arn,
          ...(key.rotation ? { RotationPeriodInDays: key.rotationPeriodInDays ?? 365 } : {}),
        });
      case 'GetKeyPolicy':
        if (input.PolicyName !== undefined && input.PolicyName !== 'default')
          return kmsError(res, 400, 'NotFoundException', `Policy ${String(input.PolicyName)} is not found`);
        return kmsOk(res, {
          Policy: key.policy !== undefined ? asText(key.policy) : rootKeyPolicy(account),
          PolicyName: 'default',
        });
    }
  }

  const server = http.createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let counted = true;
    const done = () => {
      if (counted) {
        counted = false;
        inFlight--;
      }
    };
    res.on('finish', done);
    res.on('close', done);
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (c: Buffer) => {
      received += c.length;
      // Bodies are held in memory: bounded, as S3 bounds a single PUT (the emulator far lower).
      if (received <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (received > MAX_BODY_BYTES)
        return s3Error(res, 400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
          MaxSizeAllowed: String(MAX_BODY_BYTES),
        });
      const target = req.headers['x-amz-target'];
      const body = Buffer.concat(chunks);
      const scope = credentialScope(req.headers.authorization);
      const work =
        typeof target === 'string' && target.startsWith('TrentService.')
          ? handleKms(req, res, target, body.toString('utf8'))
          : url.pathname.startsWith('/v20180820/') && req.headers['x-amz-account-id'] !== undefined
            ? handleControl(req, res, url, body)
            : (scope?.service === 'iam' || scope?.service === 'sts') && req.method === 'POST'
              ? handleQuery(res, scope.service, body)
              : handleS3(req, res, url, body);
      work.catch(e => {
        if (!res.headersSent)
          s3Error(res, 500, 'InternalError', `emulator failure: ${e instanceof Error ? e.message : String(e)}`);
        else res.destroy();
      });
    });
  });
  server.keepAliveTimeout = 5000;
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>(resolve => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    setFaults: f => faults.set(f),
    calls: () => ({ ...counts }),
    maxInFlight: () => maxInFlight,
    resetStats: () => {
      counts = {};
      maxInFlight = inFlight;
    },
    setQuirks: q => {
      quirks = { ...q };
    },
    object: (bucket, key, versionId) => {
      const state = buckets.get(bucket);
      const v = state && findVersion(state, key, versionId);
      if (!v || (versionId === undefined && v.deleteMarker)) return undefined;
      return snapshot(key, v, state!.objects.get(key)![0] === v);
    },
    versions: (bucket, key) => (buckets.get(bucket)?.objects.get(key) ?? []).map((v, i) => snapshot(key, v, i === 0)),
    putObject: (bucket, key, content) => {
      const state = buckets.get(bucket);
      if (!state) throw new Error(`no bucket ${bucket}`);
      rewriteObject(acct, state, key, typeof content === 'string' ? Buffer.from(content) : content);
      const list = state.objects.get(key)!;
      return snapshot(key, list[0], true);
    },
    publishInventory: (bucket, id, date) => {
      const state = buckets.get(bucket);
      if (!state) return Promise.reject(new Error(`no bucket ${bucket}`));
      return publishInventory(acct, state, id, date ? new Date(date) : undefined);
    },
  };
}
