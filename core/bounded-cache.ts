// A cache bounded by the bytes its entries hold, not by their number: the keys and values come from
// the documents being edited, so a count bound alone lets a few huge entries (a 1 MB pattern, one
// 1 MB document's analysis) hold hundreds of megabytes. The caller says what an entry costs (an
// estimate), per entry or through `sizeOf`.
//
// Eviction is "second chance" (CLOCK): a hit only sets a flag, and an entry used since it was last
// passed over is kept once more, behind the newest. A hit costs one lookup — this cache sits on the
// engine's hottest paths, where reordering a Map on every hit cost more than the work it saved.

export interface BoundedCacheOptions<K, V> {
  /** The sum of the entries' sizes stays at or below this. */
  maxBytes: number;
  /** An entry larger than this is not kept at all (default: a quarter of maxBytes, so that one entry cannot push out everything else). */
  maxEntryBytes?: number;
  /** What an entry costs when `set` is not told. */
  sizeOf?: (key: K, value: V) => number;
}

/**
 * A string as a string of its own (for keys, and for strings kept in values). Keys often come from
 * a document's text (a pattern, an ARN, a statement), and V8 keeps the whole text alive behind a
 * slice of it: kept as a key, a 30-character slice held on to a 20 KB version of the document for
 * as long as the entry lived. Short strings are always copies already.
 */
export function ownString<S>(s: S): S {
  return typeof s === 'string' && s.length >= 13 ? ((' ' + s).slice(1) as S) : s;
}

export class BoundedCache<K, V> {
  private readonly map = new Map<K, { value: V; bytes: number; used: boolean }>();
  private total = 0;
  readonly maxBytes: number;
  private readonly maxEntryBytes: number;
  private readonly sizeOf: (key: K, value: V) => number;

  constructor(options: BoundedCacheOptions<K, V>) {
    this.maxBytes = options.maxBytes;
    this.maxEntryBytes = Math.min(options.maxEntryBytes ?? options.maxBytes / 4, options.maxBytes);
    this.sizeOf = options.sizeOf ?? (() => 1);
  }

  get size(): number {
    return this.map.size;
  }

  /** The sum of the kept entries' sizes. */
  get bytes(): number {
    return this.total;
  }

  /** The value, marking it used. */
  get(key: K): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    hit.used = true;
    return hit.value;
  }

  /** The value without marking it used. */
  peek(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /**
   * Keep `value` (replacing what `key` had), then drop entries until the total fits. Returns false
   * when the value alone is over the per-entry limit: it is not kept (and what the key had before is
   * dropped, being out of date).
   */
  set(key: K, value: V, bytes: number = this.sizeOf(key, value)): boolean {
    this.delete(key);
    const size = Math.max(0, bytes);
    if (!(size <= this.maxEntryBytes)) return false;
    this.map.set(ownString(key), { value, bytes: size, used: false });
    this.total += size;
    while (this.total > this.maxBytes) {
      const oldest = this.map.entries().next();
      if (oldest.done) break;
      const [k, entry] = oldest.value;
      if (entry.used && k !== key) {
        // Second chance: move it behind the newest.
        entry.used = false;
        this.map.delete(k);
        this.map.set(k, entry);
      } else this.delete(k);
    }
    return true;
  }

  /** Change the recorded size of a kept entry (e.g. once a pending value is known). */
  resize(key: K, bytes: number): void {
    const e = this.map.get(key);
    if (e) this.set(key, e.value, bytes);
  }

  delete(key: K): boolean {
    const hit = this.map.get(key);
    if (!hit) return false;
    this.map.delete(key);
    this.total -= hit.bytes;
    return true;
  }

  clear(): void {
    this.map.clear();
    this.total = 0;
  }

  keys(): IterableIterator<K> {
    return this.map.keys();
  }
}

/** Bytes a string key or value holds on the heap, roughly (UTF-16 plus the object header). */
export const stringBytes = (s: string): number => 2 * s.length + 32;
