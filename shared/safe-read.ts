// Reading a file that a repository, a setting or a command line names, without trusting it: it may
// be a FIFO (opening it would block until a writer comes), a device (/dev/zero never ends), a
// socket, a folder, or a regular file far larger than any policy. Every read here is: open without
// blocking, check on the open descriptor (not the path, which can be swapped between a check and the
// open) that it is a regular file within the size limit, then read at most that many bytes.
import fs from 'node:fs';

/** Policies are at most 32 KB in AWS; config files are smaller still. Beyond this nothing is read. */
export const DEFAULT_MAX_READ_BYTES = 1024 * 1024;

export type SafeReadResult = { ok: true; bytes: Buffer; size: number } | { ok: false; code: SafeReadCode; message: string };

/** Why a file was not read; `message` says it in words, naming the way out where there is one. */
export type SafeReadCode = 'not-found' | 'not-a-file' | 'too-large' | 'unreadable';

export interface SafeReadOptions {
  /** Files larger than this are refused (default DEFAULT_MAX_READ_BYTES). */
  maxBytes?: number;
}

const fmtSize = (n: number): string =>
  n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} bytes`;

function describeType(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function failure(e: unknown): SafeReadResult {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, code: 'not-found', message: 'no such file' };
  if (code === 'EISDIR') return { ok: false, code: 'not-a-file', message: 'it is a folder, not a file' };
  if (code === 'ELOOP') return { ok: false, code: 'unreadable', message: 'cannot read it: a loop of symbolic links' };
  return {
    ok: false,
    code: 'unreadable',
    message: `cannot read it (${code ?? (e instanceof Error ? e.message.split('\n')[0] : String(e))})`,
  };
}

function checkStats(st: fs.Stats, maxBytes: number): SafeReadResult | undefined {
  if (!st.isFile()) return { ok: false, code: 'not-a-file', message: `not read: it is ${describeType(st)}, not a regular file` };
  if (st.size > maxBytes)
    return { ok: false, code: 'too-large', message: `not read: it is ${fmtSize(st.size)}, over the ${fmtSize(maxBytes)} limit` };
  return undefined;
}

// O_NONBLOCK makes opening a FIFO return at once instead of waiting for a writer; on a regular file it changes nothing.
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/** Reads a regular file of at most `maxBytes` bytes; anything else is refused with a one-line reason. Never throws, never blocks on special files. */
export function safeReadFileSync(file: string, options: SafeReadOptions = {}): SafeReadResult {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_READ_BYTES;
  let fd: number;
  try {
    fd = fs.openSync(file, OPEN_FLAGS);
  } catch (e) {
    return failure(e);
  }
  try {
    const st = fs.fstatSync(fd);
    const refused = checkStats(st, maxBytes);
    if (refused) return refused;
    // The file may grow between fstat and read: read one byte past the limit to notice.
    const buf = Buffer.allocUnsafe(Math.min(st.size, maxBytes) + 1);
    let total = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, total, buf.length - total, null);
      if (n === 0) break;
      total += n;
      if (total === buf.length) break;
    }
    if (total > maxBytes) return { ok: false, code: 'too-large', message: `not read: it is over the ${fmtSize(maxBytes)} limit` };
    return { ok: true, bytes: buf.subarray(0, total), size: total };
  } catch (e) {
    return failure(e);
  } finally {
    try {
      fs.closeSync(fd);
    } catch {
      /* already closed */
    }
  }
}

/** The asynchronous twin of `safeReadFileSync`, for the language server (never blocks the event loop on a large read). */
export async function safeReadFile(file: string, options: SafeReadOptions = {}): Promise<SafeReadResult> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_READ_BYTES;
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, OPEN_FLAGS);
  } catch (e) {
    return failure(e);
  }
  try {
    const st = await handle.stat();
    const refused = checkStats(st, maxBytes);
    if (refused) return refused;
    const buf = Buffer.allocUnsafe(Math.min(st.size, maxBytes) + 1);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, total, buf.length - total, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total === buf.length) break;
    }
    if (total > maxBytes) return { ok: false, code: 'too-large', message: `not read: it is over the ${fmtSize(maxBytes)} limit` };
    return { ok: true, bytes: buf.subarray(0, total), size: total };
  } catch (e) {
    return failure(e);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Bytes as policy text: UTF-8 without a leading byte-order mark (AWS rejects one; editors hide it). */
export function decodeText(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A safe read as text, or the one-line reason it was refused. */
export function safeReadTextSync(
  file: string,
  options?: SafeReadOptions,
): { ok: true; text: string } | { ok: false; code: SafeReadCode; message: string } {
  const r = safeReadFileSync(file, options);
  return r.ok ? { ok: true, text: decodeText(r.bytes) } : r;
}

export async function safeReadText(
  file: string,
  options?: SafeReadOptions,
): Promise<{ ok: true; text: string } | { ok: false; code: SafeReadCode; message: string }> {
  const r = await safeReadFile(file, options);
  return r.ok ? { ok: true, text: decodeText(r.bytes) } : r;
}
