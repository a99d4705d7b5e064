// A cache bounded by the bytes its entries hold, not by their number: the keys and values come from
// the documents being edited, so a count bound alone lets a few huge entries (a 1 MB pattern, say)
// hold hundreds of megabytes. Eviction is "second chance" (CLOCK): a hit only sets a flag, and an
// entry that was used since it was last passed over is kept once more. A hit costs one lookup — this
// cache sits on the engine's hottest paths, where reordering a Map on every hit cost more than the work
// it saved. No vscode or LSP imports.

export class BoundedCache<K, V> {
  private readonly map = new Map<K, { value: V; bytes: number; used: boolean }>();
  private total = 0;

  /**
   * @param maxBytes what all entries together may hold (an estimate: `sizeOf` decides)
   * @param sizeOf the bytes one entry holds; entries larger than `maxBytes / 4` are not kept at all
   */
  constructor(readonly maxBytes: number, private readonly sizeOf: (key: K, value: V) => number) {}

  get size(): number {
    return this.map.size;
  }

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

  set(key: K, value: V): void {
    this.delete(key);
    const bytes = Math.max(1, this.sizeOf(key, value));
    // One entry may not push everything else out.
    if (bytes > this.maxBytes / 4) return;
    this.map.set(key, { value, bytes, used: false });
    this.total += bytes;
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
}

/** Bytes a string key or value holds on the heap, roughly (UTF-16 plus the object header). */
export const stringBytes = (s: string): number => 2 * s.length + 32;
