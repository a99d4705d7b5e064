// A least-recently-used map bounded by the bytes its values retain, not by their number: one 1 MB
// document retains as much as a thousand small ones, so a limit on entries bounds nothing. The
// caller says what each value costs (an estimate; see analysis-cache.ts). No vscode or LSP imports.

export interface ByteLruOptions {
  /** The sum of the entries' sizes stays at or below this. */
  maxBytes: number;
  /** A value larger than this is not kept at all (default: maxBytes). */
  maxEntryBytes?: number;
}

export class ByteLru<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private total = 0;
  private readonly maxBytes: number;
  private readonly maxEntryBytes: number;

  constructor(options: ByteLruOptions) {
    this.maxBytes = options.maxBytes;
    this.maxEntryBytes = Math.min(options.maxEntryBytes ?? options.maxBytes, options.maxBytes);
  }

  /** The value, marked as most recently used. */
  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  /** The value without marking it used. */
  peek(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /**
   * Keep `value` (replacing what `key` had), then drop the least recently used entries until the
   * total fits. Returns false when the value alone is over the per-entry limit: it is not kept
   * (and what the key had before is dropped, being out of date).
   */
  set(key: string, value: V, bytes: number): boolean {
    this.delete(key);
    if (!(bytes <= this.maxEntryBytes)) return false;
    this.entries.set(key, { value, bytes });
    this.total += bytes;
    for (const [k, e] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.entries.delete(k);
      this.total -= e.bytes;
    }
    return true;
  }

  /** Change the recorded size of a kept value (e.g. once a pending value is known). */
  resize(key: string, bytes: number): void {
    const e = this.entries.get(key);
    if (e) this.set(key, e.value, bytes);
  }

  delete(key: string): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    this.entries.delete(key);
    this.total -= e.bytes;
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The sum of the kept entries' sizes. */
  get bytes(): number {
    return this.total;
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }
}
