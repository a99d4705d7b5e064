// Live policies as read-only editor documents: `s3-encryption-guard:/<profile>/<region>/<bucket>.bucket-policy.json`
// and `…/keys/arn:aws:kms:<region>:<account>:key/<key id>.key-policy.json`. The file name is what makes
// the language server treat them as a bucket (for that bucket) or key policy (core/policy/kind.ts),
// so they get our diagnostics, CodeLens and hover like a local file; a key policy's folder names its
// key, so the server judges it for that key and region (liveDocumentSettings). Nothing here writes anywhere.
import * as vscode from 'vscode';
import { applyEdits, format } from 'jsonc-parser';
import { LIVE_DOCUMENT_SCHEME } from '../../protocol/protocol';
import { KMS_KEY_ARN } from '../../aws/types';

/** The language server reads these documents' bucket and kind from their names (liveDocumentSettings). */
export const LIVE_SCHEME = LIVE_DOCUMENT_SCHEME;

const segment = (s: string): string => encodeURIComponent(s.replace(/[/\\]/g, '_'));

/** `name`: the bucket, or the key's ARN (anything else KMS named it by, when that is not a key ARN). */
export function liveUri(kind: 'bucket-policy' | 'key-policy', profile: string, region: string | null, name: string): vscode.Uri {
  // A key ARN (letters, digits, `:` and `-` only) stays whole, split at its `key/`: the folder names the key.
  const slash = name.lastIndexOf('/');
  const file =
    kind === 'bucket-policy'
      ? `${segment(name)}.bucket-policy.json`
      : KMS_KEY_ARN.test(name)
        ? `keys/${name.slice(0, slash)}/${name.slice(slash + 1)}.key-policy.json`
        : `keys/${segment(name)}.key-policy.json`;
  return vscode.Uri.from({ scheme: LIVE_SCHEME, path: `/${segment(profile)}/${segment(region ?? 'unknown-region')}/${file}` });
}

export class LiveDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  /** Remembers a live policy and returns its URI; an open editor of that URI is updated. */
  put(kind: 'bucket-policy' | 'key-policy', profile: string, region: string | null, name: string, text: string): vscode.Uri {
    const uri = liveUri(kind, profile, region, name);
    const key = uri.toString();
    const pretty = prettyPolicy(text);
    if (this.texts.get(key) !== pretty) {
      const known = this.texts.has(key);
      this.texts.set(key, pretty);
      if (known) this.changed.fire(uri);
    }
    return uri;
  }

  /** Updates a policy that was opened before (after a refresh); others are not kept. */
  update(kind: 'bucket-policy' | 'key-policy', profile: string, region: string | null, name: string, text: string): void {
    if (this.texts.has(liveUri(kind, profile, region, name).toString())) this.put(kind, profile, region, name, text);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return (
      this.texts.get(uri.toString()) ??
      `{ "_": "This live policy is no longer loaded: refresh the S3 Encryption view and open it again." }\n`
    );
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * AWS returns policies as stored, often on one line: indent them for reading. jsonc-parser's
 * formatter only changes whitespace, so duplicate keys and odd values stay as they are (and so
 * do the findings); text that does not parse is shown unchanged.
 */
export function prettyPolicy(text: string): string {
  try {
    const edits = format(text, undefined, { tabSize: 2, insertSpaces: true, eol: '\n' });
    const out = applyEdits(text, edits);
    return out.endsWith('\n') ? out : `${out}\n`;
  } catch {
    return text;
  }
}
