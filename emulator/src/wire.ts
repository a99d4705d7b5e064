// What the S3 handlers of the emulator share: the request as parsed once, the ways to answer it (the
// emulator's `send` underneath, so injected faults apply to every answer), the account state, and
// small XML helpers.
//
// Request bodies are small XML documents (configurations, CompleteMultipartUpload, tag sets): they
// are read with the bounded helpers below, which look for fixed element names only (never a pattern
// built from the request). A body in aws-chunked encoding (what the SDK sends for a stream with a
// trailing checksum) is decoded first.
import type http from 'node:http';
import type { BucketState, StateContext } from './state';
import type { EmulatorSeed, Quirks, SeedKey } from './types';

export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
export const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

export const xmlEscape = (s: string): string =>
  s.replace(
    /[<>&'"\r\n\t]/g,
    c =>
      ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;', '\r': '&#13;', '\n': '&#10;', '\t': '&#9;' })[c]!,
  );

const ENTITY: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

export const xmlUnescape = (s: string): string =>
  s.replace(/&(lt|gt|amp|apos|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (_, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : ENTITY[e],
  );

/** The inner text of every `<name>` element (with or without attributes), in order; at most `limit`. */
export function elements(xml: string, name: string, limit = 10_000): string[] {
  const out: string[] = [];
  let from = 0;
  while (out.length < limit) {
    let start = xml.indexOf(`<${name}`, from);
    // `<Name` must be followed by `>`, `/` or whitespace (not `<NameOther`).
    while (start >= 0 && !/[\s>/]/.test(xml[start + name.length + 1] ?? '')) start = xml.indexOf(`<${name}`, start + 1);
    if (start < 0) break;
    const open = xml.indexOf('>', start);
    if (open < 0) break;
    if (xml[open - 1] === '/') {
      out.push('');
      from = open + 1;
      continue;
    }
    const close = xml.indexOf(`</${name}>`, open);
    if (close < 0) break;
    out.push(xml.slice(open + 1, close));
    from = close + name.length + 3;
  }
  return out;
}

/** The unescaped text of the first `<name>` element, or undefined. */
export const element = (xml: string, name: string): string | undefined => {
  const e = elements(xml, name, 1)[0];
  return e === undefined ? undefined : xmlUnescape(e.trim());
};

/** A `<Name>text</Name>` element, nothing when the value is undefined. */
export const el = (name: string, value: string | number | boolean | undefined | null): string =>
  value === undefined || value === null ? '' : `<${name}>${xmlEscape(String(value))}</${name}>`;

/** Decodes an aws-chunked body (`size;chunk-signature=…\r\nbytes\r\n … 0\r\ntrailers\r\n\r\n`); trailers returned apart. */
export function decodeAwsChunked(raw: Buffer): { body: Buffer; trailers: Record<string, string> } | null {
  const parts: Buffer[] = [];
  let at = 0;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) return null;
    const size = parseInt(raw.subarray(at, eol).toString('latin1').split(';')[0], 16);
    if (!Number.isInteger(size) || size < 0) return null;
    at = eol + 2;
    if (size === 0) break;
    if (at + size > raw.length) return null;
    parts.push(raw.subarray(at, at + size));
    at += size + 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of raw.subarray(at).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { body: Buffer.concat(parts), trailers };
}

/** One S3 request as the handlers see it. */
export interface S3Request {
  method: string;
  bucket: string;
  /** The object key (decoded), undefined for a bucket-level request. */
  key?: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** The body (aws-chunked already decoded). */
  body: Buffer;
  /** Trailing headers of an aws-chunked body (a checksum). */
  trailers: Record<string, string>;
  head: boolean;
}

/** The ways to answer; every one goes through the emulator's injected faults. */
export interface Reply {
  /** 200 with an XML document (the declaration is added). */
  xml(body: string, headers?: Record<string, string>): void;
  /** A status without a body (200 or 204). */
  empty(status: number, headers?: Record<string, string>): void;
  /** An S3 error: `<Error><Code>…`; HEAD answers the status and headers only, as S3 does. */
  error(status: number, code: string, message: string, extra?: Record<string, string>, headers?: Record<string, string>): void;
  /** A body of bytes. */
  bytes(status: number, headers: Record<string, string>, body: Buffer): void;
  /** A body produced chunk by chunk (never held whole), of a known size. */
  stream(status: number, headers: Record<string, string>, size: number, chunks: AsyncIterable<Buffer>): void;
}

export interface Key extends SeedKey {
  arn: string;
  created: number;
}

/** The account as the handlers see it. */
export interface Account extends StateContext {
  buckets: Map<string, BucketState>;
  seed: EmulatorSeed;
  quirks: Quirks;
  /** A key by ID, key ARN, alias name or alias ARN, in a region. */
  findKey(keyId: string, region: string): Key | undefined;
  requestId(): string;
}

/** The header value as one string (the first one when repeated). */
export const header = (r: S3Request, name: string): string | undefined => {
  const v = r.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** HTTP date (Last-Modified) as S3 writes it. */
export const httpDate = (d: Date): string => d.toUTCString();

/** ISO 8601 with milliseconds, as S3's XML writes dates. */
export const isoDate = (d: Date): string => d.toISOString();

export const OWNER_ID = '7'.repeat(64);
