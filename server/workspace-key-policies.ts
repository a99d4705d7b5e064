// The key policies of the workspace, for the cross-document check (core/crossdoc.ts): which files
// hold them (found by a bounded scan, watched on disk, or mapped by s3EncryptionGuard.keyPolicies),
// their texts in a bounded index, which open bucket policies link to which of them, and the
// debounced re-check of those bucket policies when a key policy changes. The server owns the
// documents and the analysis queue; it tells this module what happened and is told what to
// re-check.
import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { KeyPolicyIndex, MAX_KEY_POLICY_SIZE } from '../core/crossdoc';
import type { PolicyDocument } from '../core/policy/model';
import { safeReadText, type SafeReadCode } from '../shared/safe-read';
import type { KeyLink } from '../core/crossdoc';
import { uriPath, type CrossContext } from './features/document-analysis';
import { KeyPolicyLinks } from './key-policy-links';
import { failureReason, logValue } from './server-log';
import type { ServerSettings } from './settings';
import { findKeyPolicyFiles, KEY_POLICY_FILE } from './workspace-scan';

/** What the server does for this module. */
export interface KeyPolicyHost {
  /** Whether a file is open in the editor (its text there wins over the file on disk). */
  isOpen(path: string): boolean;
  log: { info(line: string): void; warn(line: string): void; error(line: string): void };
  /** A warning the user sees (a notification), with the way out. */
  warnUser(message: string): void;
  /** The bucket policy's cached analysis saw an old key policy: drop it. */
  stale(uri: string): void;
  /** Analyse the bucket policy again (its key policy changed and typing has paused). */
  recheck(uri: string): void;
}

/** A file: URI as a file system path; other schemes keep their path part. */
export const fsPath = (uri: string): string => {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : uriPath(uri);
  } catch {
    return uriPath(uri);
  }
};

const within = (p: string, folder: string): boolean =>
  p === folder || p.startsWith(folder.endsWith(nodePath.sep) ? folder : folder + nodePath.sep);

/** A key-policy file read from disk, or why it was not. */
type KeyPolicyRead = { ok: true; text: string } | { ok: false; code: SafeReadCode | 'outside'; message: string };

/** Remember at most this many distinct things already said once (warnings, refusals), then start over. */
const MAX_SAID_ONCE = 256;
export function once(said: Set<string>, key: string): boolean {
  if (said.has(key)) return false;
  if (said.size >= MAX_SAID_ONCE) said.clear();
  said.add(key);
  return true;
}

export class WorkspaceKeyPolicies {
  /** Key-policy texts are bounded (8 MB: 250 key policies of AWS's 32 KB maximum), and so are the parsed ones kept. */
  readonly index = new KeyPolicyIndex({ maxTextBytes: 8 * 1024 * 1024, maxParsedBytes: 16 * 1024 * 1024 });
  /** Which open bucket policies link to which key-policy file. */
  readonly links = new KeyPolicyLinks();
  /**
   * After a key policy changes, the bucket policies that link to it are re-checked once its typing
   * has paused this long: a keystroke in a key policy must not re-check, and republish, every bucket
   * policy that pins its key.
   */
  debounceMs = 500;
  /** Bucket policies to re-check once the key policy being edited stops changing. */
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private folders: string[] = [];
  /** The workspace folders with symbolic links resolved: a file the server reads must be inside one. */
  private roots: string[] = [];
  /** Key-policy files found by the scan or the watcher that were not read (said once each in the log). */
  private readonly refusedFiles = new Set<string>();
  /** Explicitly mapped files already read (or refused) since the settings last changed. */
  private readonly explicitLoaded = new Set<string>();
  /** Refusals of s3EncryptionGuard.keyPolicies entries already shown. */
  private readonly warnedSettings = new Set<string>();

  constructor(private readonly host: KeyPolicyHost) {}

  /** Bucket policies waiting for a key policy's typing to pause. */
  get pendingRechecks(): number {
    return this.pending.size;
  }

  /** Things this module remembers per document (for the stats request's leak check). */
  get trackedEntries(): number {
    return this.links.size + this.pending.size;
  }

  setFolders(folderUris: readonly string[]): void {
    this.folders = folderUris.filter(u => u.startsWith('file:')).map(fsPath);
    this.roots = this.folders.map(f => {
      try {
        return realpathSync(f);
      } catch {
        return f;
      }
    });
  }

  private folderOf(p: string): string | undefined {
    return this.folders.find(f => within(p, f));
  }

  private relativePath = (p: string): string => {
    const f = this.folderOf(p);
    return f ? nodePath.relative(f, p).split(nodePath.sep).join('/') : p;
  };

  /**
   * Read a key-policy file that the workspace or a setting names, trusting nothing about it: it must
   * be inside a workspace folder once symbolic links are resolved (a cloned repository's settings or
   * links must not make the server read the rest of the disk), and a regular file within the size
   * limit (safe-read.ts refuses devices such as /dev/zero, FIFOs and sockets without blocking).
   */
  private async read(p: string): Promise<KeyPolicyRead> {
    // An untitled document's "path" is a name, not a file (a relative path would be read from the server's working folder).
    if (!nodePath.isAbsolute(p)) return { ok: false, code: 'not-found', message: 'no such file' };
    let real: string;
    try {
      real = await realpath(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === 'ENOENT' || code === 'ENOTDIR'
        ? { ok: false, code: 'not-found', message: 'no such file' }
        : { ok: false, code: 'unreadable', message: `cannot read it (${code ?? failureReason(e)})` };
    }
    if (!this.roots.some(r => within(real, r))) {
      return {
        ok: false,
        code: 'outside',
        message: `it is outside the workspace folders${real !== p ? ` (it leads to ${real})` : ''}, so it is not read`,
      };
    }
    return safeReadText(real, { maxBytes: MAX_KEY_POLICY_SIZE });
  }

  /** Index (or forget) the key policy at `p` from disk. Returns whether the index changed. */
  private async load(p: string): Promise<boolean> {
    // An open document's text wins over the file on disk.
    if (this.host.isOpen(p)) return false;
    const r = await this.read(p);
    if (this.host.isOpen(p)) return false; // opened while it was read
    if (!r.ok) {
      if (r.code !== 'not-found' && once(this.refusedFiles, `${p}\n${r.message}`))
        this.host.log.warn(`cross-document check: ${logValue(p)}: ${logValue(r.message, 300)}`);
      return this.index.delete(p);
    }
    return this.index.set(p, r.text);
  }

  /** Re-check (once typing in the key policy pauses) the open bucket policies that the changed key-policy files concern. */
  private changed(paths: ReadonlySet<string>): void {
    for (const uri of this.links.affectedBy(paths, this.index)) {
      this.host.stale(uri); // its cached analysis saw the old key policy: a request computes it again
      this.pending.add(uri);
    }
    if (this.pending.size) this.arm();
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const uri of this.pending) this.host.recheck(uri);
      this.pending.clear();
    }, this.debounceMs);
  }

  /** Finds and indexes the key-policy files of the workspace folders (bounded scan). */
  async indexWorkspace(): Promise<void> {
    if (!this.folders.length) return;
    const t0 = Date.now();
    const { files, truncated } = await findKeyPolicyFiles(this.folders);
    const changed = new Set<string>();
    for (const f of files) if (await this.load(f)) changed.add(f);
    const full = this.index.refusedForSize
      ? `; ${this.index.refusedForSize} were left out because the index holds at most 8 MB of key policies (map the ones you need in s3EncryptionGuard.keyPolicies)`
      : '';
    this.host.log.info(
      `cross-document check: ${this.index.size} key polic${this.index.size === 1 ? 'y' : 'ies'} indexed in ${Date.now() - t0} ms${truncated ? ' (the workspace is large: the search stopped early; map keys explicitly in s3EncryptionGuard.keyPolicies)' : ''}${full}`,
    );
    this.changed(changed);
  }

  /** Read a file named in s3EncryptionGuard.keyPolicies; say once, with the way out, why one is not used. */
  private async loadExplicit(abs: string, keyArn: string): Promise<boolean> {
    if (this.host.isOpen(abs)) return false;
    const r = await this.read(abs);
    if (this.host.isOpen(abs)) return false;
    if (r.ok) return this.index.set(abs, r.text);
    if (once(this.warnedSettings, `${abs}\n${r.code}`)) {
      const fix =
        r.code === 'outside'
          ? 'Put the key policy file in the workspace and name it relative to the workspace folder.'
          : r.code === 'not-found'
            ? 'Correct the path (relative to the workspace folder) or remove the entry.'
            : `Name a regular JSON file of at most ${MAX_KEY_POLICY_SIZE / 1024} KB inside the workspace.`;
      const message = `The setting s3EncryptionGuard.keyPolicies maps ${logValue(keyArn, 120)} to ${logValue(abs)}: ${logValue(r.message, 300)}. ${fix}`;
      this.host.log.warn(message);
      this.host.warnUser(`S3 Encryption Guard: ${message}`);
    }
    return this.index.delete(abs);
  }

  /** The explicit key → file map of a document's settings, with paths made absolute and the files indexed. */
  async crossContext(uri: string, settings: ServerSettings): Promise<CrossContext> {
    const explicit = new Map<string, string>();
    const base = this.folderOf(fsPath(uri)) ?? this.folders[0] ?? nodePath.dirname(fsPath(uri));
    const changed = new Set<string>();
    for (const [arn, file] of Object.entries(settings.keyPolicies ?? {})) {
      const abs = nodePath.isAbsolute(file) ? nodePath.normalize(file) : nodePath.resolve(base, file);
      explicit.set(arn, abs);
      if (!once(this.explicitLoaded, abs)) continue;
      if (await this.loadExplicit(abs, arn)) changed.add(abs);
    }
    // Other bucket policies may map the same file.
    if (changed.size) this.changed(changed);
    return { index: this.index, explicit, relative: this.relativePath };
  }

  /** A document was analysed: record a bucket policy's links, or index a key policy's new text. */
  analysed(
    uri: string,
    kind: string,
    keyLinks: readonly KeyLink[],
    cross: CrossContext | undefined,
    parsed: PolicyDocument | undefined,
  ): void {
    const path = fsPath(uri);
    if (kind === 'bucket-policy') this.links.record(uri, keyLinks, cross?.explicit ?? new Map());
    else this.links.forget(uri);
    // A key policy being edited: the bucket policies that link to it see the change (once typing pauses).
    if (kind === 'key-policy' && parsed ? this.index.setParsed(path, parsed) : this.index.delete(path))
      this.changed(new Set([path]));
  }

  /** Typing in a key policy pushes back the re-check of the bucket policies that link to it. */
  edited(uri: string): void {
    if (this.pending.size && this.index.has(fsPath(uri))) this.arm();
  }

  /** Files changed on disk (the client's watcher). */
  async filesChanged(changes: readonly { uri: string; deleted: boolean }[]): Promise<void> {
    const changed = new Set<string>();
    for (const c of changes.slice(0, 10_000)) {
      const p = fsPath(c.uri);
      if (!KEY_POLICY_FILE.test(p) && !this.index.has(p) && !this.explicitLoaded.has(p)) continue;
      if (c.deleted ? this.index.delete(p) : await this.load(p)) changed.add(p);
    }
    this.changed(changed);
  }

  /** A document was closed: the file on disk is the key policy again (or none, if it was never saved). */
  closed(uri: string): void {
    const p = fsPath(uri);
    if (this.index.has(p)) {
      setTimeout(
        () =>
          void this.load(p).then(changed => {
            if (changed) this.changed(new Set([p]));
          }),
        0,
      );
    }
    this.links.forget(uri);
    this.pending.delete(uri);
  }

  /** The settings changed: explicitly mapped files are read again. */
  settingsChanged(): void {
    this.explicitLoaded.clear();
  }
}
