// Which open bucket policies link to which key policy, so that an edit of one key policy re-checks
// only the bucket policies it concerns (with 200 bucket policies open, re-checking all of them on
// every keystroke in a key policy sent ~100 diagnostic publications per keystroke).
// No vscode or LSP imports.
import type { KeyPolicyIndex } from '../core/crossdoc';

interface BucketLinks {
  /** Each key the bucket policy pins, and the key-policy file it was checked against (if any). */
  keys: { arn: string; path?: string }[];
  /** The explicit key → file map of its settings (s3EncryptionGuard.keyPolicies). */
  explicit: ReadonlyMap<string, string>;
}

export class KeyPolicyLinks {
  private readonly byUri = new Map<string, BucketLinks>();

  /** What the last analysis of a bucket policy linked (an empty list forgets it: it pins no key). */
  record(
    uri: string,
    keys: readonly { keyArn: string; keyPolicy?: { path: string } }[],
    explicit: ReadonlyMap<string, string>,
  ): void {
    if (!keys.length) {
      this.byUri.delete(uri);
      return;
    }
    this.byUri.set(uri, { keys: keys.map(k => ({ arn: k.keyArn, path: k.keyPolicy?.path })), explicit });
  }

  forget(uri: string): void {
    this.byUri.delete(uri);
  }

  /**
   * The bucket policies whose check changes when the key-policy files `changed` changed: those
   * checked against one of them, and those whose pinned key now resolves to one of them (a new
   * file, a Resource that now names the key, a file that takes precedence).
   */
  affectedBy(changed: ReadonlySet<string>, index: KeyPolicyIndex): string[] {
    if (!changed.size) return [];
    const out: string[] = [];
    for (const [uri, links] of this.byUri) {
      const hit = links.keys.some(k => {
        if (k.path !== undefined && changed.has(k.path)) return true;
        const now = index.resolve(k.arn, links.explicit)?.path;
        return now !== undefined && changed.has(now);
      });
      if (hit) out.push(uri);
    }
    return out;
  }

  get size(): number {
    return this.byUri.size;
  }
}
