// The one cached analysis per document version that every feature reads.
import { analyze, type Analysis } from '../analyze';
import { LineIndex } from '../policy/lines';
import type { ServerSettings } from '../settings';

export interface DocumentAnalysis {
  uri: string;
  version: number;
  analysis: Analysis;
  lines: LineIndex;
  /** Milliseconds the analysis took (for the log and the benchmark). */
  ms: number;
}

export function analyzeDocument(uri: string, version: number, text: string, settings: ServerSettings): DocumentAnalysis {
  const t0 = performance.now();
  const filePath = uriPath(uri);
  const analysis = settings.enable
    ? analyze(text, filePath, settings)
    : { kind: { kind: 'unknown' as const, source: 'setting' as const, reason: 's3EncryptionGuard.enable is false' }, findings: [], ruleFailures: [] };
  return { uri, version, analysis, lines: new LineIndex(text), ms: performance.now() - t0 };
}

/** The path part of a URI (file names decide the kind), decoded. */
export function uriPath(uri: string): string {
  const m = /^[a-z][a-z0-9+.-]*:(?:\/\/[^/]*)?(.*)$/i.exec(uri);
  const p = m ? m[1] : uri;
  try { return decodeURIComponent(p); } catch { return p; }
}
