// The analyses of recently used documents, bounded by the heap they retain. No vscode or LSP imports.
import { BoundedCache } from '../core/bounded-cache';
import { MODEL_BYTES_PER_CHAR } from '../core/crossdoc';
import type { DocumentAnalysis } from './features/document-analysis';

/** What the verdicts, the kind decision and the line index of one analysis retain beyond the per-character cost (measured ~20–40 KB). */
const FIXED_BYTES = 48 * 1024;

/**
 * Estimated heap an analysis retains: its model (MODEL_BYTES_PER_CHAR per character, which
 * includes the text and the line index), plus its findings (up to s3EncryptionGuard.maxDiagnostics,
 * each with a message and fixes). A document over the size limit is not parsed: only its text and
 * line starts are kept (at most 8 bytes of line starts per character, for a text of line breaks).
 */
export function analysisBytes(a: DocumentAnalysis): number {
  const parsed = a.analysis.doc !== undefined;
  let bytes = FIXED_BYTES + a.textLength * (parsed ? MODEL_BYTES_PER_CHAR : 10);
  // A template retains each policy's model (of its rendered JSON) besides its own text.
  for (const e of a.template?.analysis.entries ?? []) if (e.policy) bytes += e.policy.json.length * MODEL_BYTES_PER_CHAR;
  for (const f of a.analysis.findings) {
    bytes += 400 + 2 * f.message.length;
    for (const fix of f.fixes) {
      bytes += 100 + 2 * fix.title.length;
      for (const e of fix.edits) bytes += 100 + 2 * e.newText.length;
    }
  }
  for (const f of a.analysis.ruleFailures) bytes += 100 + 2 * f.error.length;
  return bytes;
}

export interface AnalysisCacheLimits {
  /** Estimated bytes all cached analyses may retain together. */
  maxBytes: number;
  /** An analysis estimated larger than this is not cached (features compute it again when asked). */
  maxEntryBytes: number;
}

/** One analysis per document (its latest), least recently used dropped first. */
export class AnalysisCache {
  private readonly lru: BoundedCache<string, DocumentAnalysis>;

  constructor(limits: AnalysisCacheLimits) {
    this.lru = new BoundedCache(limits);
  }

  /** The cached analysis of `uri` if it is of `version`. */
  get(uri: string, version: number): DocumentAnalysis | undefined {
    const hit = this.lru.peek(uri);
    return hit && hit.version === version ? this.lru.get(uri) : undefined;
  }

  remember(a: DocumentAnalysis): void {
    this.lru.set(a.uri, a, analysisBytes(a));
  }

  delete(uri: string): void {
    this.lru.delete(uri);
  }

  clear(): void {
    this.lru.clear();
  }

  get size(): number {
    return this.lru.size;
  }

  /** Estimated bytes retained by the cached analyses. */
  get bytes(): number {
    return this.lru.bytes;
  }
}
