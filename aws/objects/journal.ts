// The journal of a re-encryption run: one JSON line per object that is done, failed or skipped,
// appended and fsynced in small batches, so that after a crash, a kill or a Stop the same command
// finds what is done and goes on from there (issue 14, "Resumable").
//
// The first line names the run (bucket, prefix, target): a journal of another run is refused, never
// mixed. A `canary` line records that the endpoint was proven to understand UpdateObjectEncryption,
// so a resumed run does not write its canary again. A line cut short by a crash is ignored (the
// object it was about is found again by the listing and judged by its current state: an object
// already re-encrypted is compliant and not touched again). Lines are read in bounded chunks, one at a
// time.
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export type JournalStatus = 'done' | 'failed' | 'skipped';

export interface JournalEntry {
  key: string;
  versionId: string | null;
  status: JournalStatus;
  /** done: `update`, `copy`, `multipart-copy`; skipped: the reason; failed: the error code. */
  detail: string;
  /** done: the object's ETag afterwards (a resumed run skips it when the listing still shows this ETag). */
  etag?: string;
  message?: string;
}

export interface JournalHeader {
  journal: 's3-encryption-guard reencrypt';
  version: 1;
  bucket: string;
  prefix: string;
  target: string;
  versions: boolean;
}

const MAX_LINE = 16 * 1024;
/** Entries written per fsync at most; a batch is also written after FLUSH_MS. */
export const FLUSH_EVERY = 25;
const FLUSH_MS = 200;

export const entryId = (key: string, versionId: string | null): string => `${key}\u0000${versionId ?? ''}`;

export class JournalError extends Error {}

export class Journal {
  /** The last entry of each object, from earlier runs and this one. */
  readonly entries = new Map<string, JournalEntry>();
  canaryProven = false;
  private fd: number;
  private pending: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** Lines of earlier runs. */
  readonly resumed: number;

  private constructor(
    readonly file: string,
    fd: number,
    resumed: number,
  ) {
    this.fd = fd;
    this.resumed = resumed;
  }

  /** Opens (or starts) the journal of a run; throws JournalError when the file is another run's or not a journal. */
  static open(file: string, header: Omit<JournalHeader, 'journal' | 'version'>): Journal {
    const want: JournalHeader = { journal: 's3-encryption-guard reencrypt', version: 1, ...header };
    let fd: number;
    try {
      fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_APPEND | fs.constants.O_NOFOLLOW, 0o600);
    } catch (e) {
      throw new JournalError(`journal ${file}: cannot open it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) throw new JournalError(`journal ${file}: not a regular file`);
      const j = new Journal(file, fd, 0);
      let lines = 0;
      let first = true;
      for (const line of readLines(fd, st.size)) {
        if (first) {
          first = false;
          let h: Partial<JournalHeader>;
          try {
            h = JSON.parse(line) as Partial<JournalHeader>;
          } catch {
            throw new JournalError(
              `journal ${file}: not a journal of this tool (its first line is not JSON); pass another --journal FILE`,
            );
          }
          if (h.journal !== want.journal)
            throw new JournalError(`journal ${file}: not a re-encryption journal; pass another --journal FILE`);
          for (const k of ['bucket', 'prefix', 'target', 'versions'] as const)
            if (h[k] !== want[k])
              throw new JournalError(
                `journal ${file} belongs to another run (${k} ${JSON.stringify(h[k])}, not ${JSON.stringify(want[k])}); pass another --journal FILE or delete it`,
              );
          continue;
        }
        let e: Partial<JournalEntry> & { canary?: string };
        try {
          e = JSON.parse(line) as typeof e;
        } catch {
          continue; // a line cut short by a crash
        }
        if (e.canary === 'proven') {
          j.canaryProven = true;
          continue;
        }
        if (typeof e.key !== 'string' || !['done', 'failed', 'skipped'].includes(e.status as string)) continue;
        lines++;
        j.entries.set(entryId(e.key, e.versionId ?? null), e as JournalEntry);
      }
      if (first) {
        fs.writeSync(fd, JSON.stringify(want) + '\n');
        fs.fsyncSync(fd);
      } else if (st.size > 0) {
        // A crash may have left half a line: start the next one on its own line.
        const last = Buffer.alloc(1);
        fs.readSync(fd, last, 0, 1, st.size - 1);
        if (last[0] !== 0x0a) fs.writeSync(fd, '\n');
      }
      return Object.assign(j, { resumed: lines });
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  get(key: string, versionId: string | null): JournalEntry | undefined {
    return this.entries.get(entryId(key, versionId));
  }

  add(e: JournalEntry): void {
    this.entries.set(entryId(e.key, e.versionId), e);
    this.pending.push(JSON.stringify(e));
    if (this.pending.length >= FLUSH_EVERY) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  markCanary(): void {
    this.canaryProven = true;
    this.pending.push(JSON.stringify({ canary: 'proven', at: new Date().toISOString() }));
    this.flush();
  }

  /** Writes and fsyncs what is pending. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.pending.length || this.fd < 0) return;
    const text = this.pending.join('\n') + '\n';
    this.pending = [];
    fs.writeSync(this.fd, text);
    fs.fsyncSync(this.fd);
  }

  close(): void {
    this.flush();
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}

/** The file's lines, read in chunks; a line longer than MAX_LINE is skipped. */
function* readLines(fd: number, size: number): Generator<string> {
  const buf = Buffer.alloc(64 * 1024);
  let rest = '';
  let skipping = false;
  // A character cut between two chunks is joined again by the decoder.
  const decoder = new StringDecoder('utf8');
  for (let pos = 0; pos < size;) {
    const n = fs.readSync(fd, buf, 0, buf.length, pos);
    if (n <= 0) break;
    pos += n;
    const text = rest + decoder.write(buf.subarray(0, n));
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      if (!skipping && nl > start) yield text.slice(start, nl);
      skipping = false;
      start = nl + 1;
    }
    rest = text.slice(start);
    if (rest.length > MAX_LINE) {
      rest = '';
      skipping = true;
    }
  }
  if (rest && !skipping) yield rest;
}
