// The `s3EncryptionGuard/analyze` request: a policy's verdict and diagnostics for text that is
// not a file, e.g. a bucket's live policy fetched by the live view (aws/posture.ts
// through the editor's judge), or the verdict of an open document for the status bar.
// No LSP or vscode imports: the CLI and tests can use it too.
import { analyze, type Analysis, type AnalysisSettings } from '../../core/analyze';
import { verdictSummary, keyVerdictSummary } from '../../shared/summary';
import type { BucketVerdict, KeyPolicyVerdict } from '../../shared/types';
import { parseKeyArn } from '../../core/policy/arn';
import { LineIndex } from '../../core/policy/lines';
import { plainLine } from '../../shared/escape';
import {
  LIVE_DOCUMENT_SCHEME,
  MAX_KEY_ARN_LENGTH,
  type LiveAnalyzeParams,
  type LiveAnalyzeResult,
} from '../../protocol/protocol';

export {
  ANALYZE_REQUEST,
  LIVE_DOCUMENT_SCHEME,
  type LiveAnalyzeParams,
  type LiveAnalyzeResult,
  type LiveDiagnostic,
} from '../../protocol/protocol';

/**
 * A bucket's verdict on one line, after its name when the policy names several buckets: the
 * CodeLens title and the status bar's text. Plain text holding a bucket name and key ARNs from
 * the policy, so one line, controls visible, the name clipped so the verdict still shows.
 */
export function bucketVerdictLine(v: BucketVerdict, withBucket: boolean, wantedTls?: string | null): string {
  return `${withBucket ? `${plainLine(v.bucket, 80)}: ` : ''}${plainLine(verdictSummary(v, wantedTls))}`;
}

/** A key policy's verdict on one line (its principal comes from the policy). */
export const keyVerdictLine = (v: KeyPolicyVerdict): string => plainLine(keyVerdictSummary(v));

/** The verdict and diagnostics of one analysis, in the request's shape. */
export function liveResult(a: Analysis, lines: LineIndex, bucket?: string, wantedTls?: string | null): LiveAnalyzeResult {
  const diagnostics = a.findings.map(f => ({
    code: f.ruleId,
    severity: f.severity,
    message: f.message,
    range: lines.range(f.span),
  }));
  if (a.notEvaluated) return { kind: a.kind.kind, verdict: null, summary: [`Not evaluated: ${a.notEvaluated}`], diagnostics };
  if (a.kind.kind === 'bucket-policy') {
    const verdicts = a.verdicts ?? [];
    const verdict = verdicts.find(v => v.bucket === bucket) ?? verdicts[0] ?? null;
    return {
      kind: a.kind.kind,
      verdict,
      summary: verdicts.map(v => bucketVerdictLine(v, verdicts.length > 1, wantedTls)),
      diagnostics,
    };
  }
  // The analysis computes the key verdict of every key policy it parsed.
  if (a.kind.kind === 'key-policy' && a.keyVerdict)
    return { kind: a.kind.kind, verdict: a.keyVerdict, summary: [keyVerdictLine(a.keyVerdict)], diagnostics };
  return { kind: a.kind.kind, verdict: null, summary: [], diagnostics };
}

/**
 * Judge policy text as the given kind, whatever globs the user's settings hold; for a bucket
 * policy, `bucket` is the bucket it is attached to (GRM-008 and the verdict are about that one);
 * for a key policy, `keyArn` is the key it is attached to (the verdict's target and region).
 */
export function analyzeText(
  text: string,
  kind: 'bucket-policy' | 'key-policy',
  bucket: string | undefined,
  settings: AnalysisSettings,
  withDiagnostics = true,
  keyArn?: string,
): LiveAnalyzeResult {
  const file = kind === 'bucket-policy' ? 'live.bucket-policy.json' : 'live.key-policy.json';
  // diagnostics false: no rules, only the parse and the verdict (all the live view's judge needs).
  const a = analyze(
    text,
    `/${file}`,
    {
      ...settings,
      kinds: {},
      bucketName: kind === 'bucket-policy' ? bucket : undefined,
      keyArn: kind === 'key-policy' ? keyArn : undefined,
    },
    withDiagnostics ? undefined : [],
  );
  return liveResult(a, new LineIndex(text), bucket, settings.requirements?.minTlsVersion);
}

/** Narrow whatever a client sent; undefined when it is not a valid request. */
export function parseLiveParams(p: unknown): LiveAnalyzeParams | undefined {
  if (typeof p !== 'object' || p === null) return undefined;
  const r = p as Record<string, unknown>;
  if (typeof r.uri === 'string') {
    const position = positionOf(r.position);
    return position ? { uri: r.uri, position } : { uri: r.uri };
  }
  if (typeof r.text !== 'string' || (r.kind !== 'bucket-policy' && r.kind !== 'key-policy')) return undefined;
  if (r.bucket !== undefined && typeof r.bucket !== 'string') return undefined;
  if (r.diagnostics !== undefined && typeof r.diagnostics !== 'boolean') return undefined;
  if (r.keyArn !== undefined && (typeof r.keyArn !== 'string' || r.keyArn.length > MAX_KEY_ARN_LENGTH)) return undefined;
  return {
    text: r.text,
    kind: r.kind,
    bucket: r.bucket as string | undefined,
    keyArn: r.keyArn as string | undefined,
    diagnostics: r.diagnostics as boolean | undefined,
  };
}

/**
 * A live policy's document name says what it is (`<bucket>.bucket-policy.json`,
 * `<key id>.key-policy.json`): the folder's kind globs and bucketName setting, meant for local
 * files, must not override it. A live key policy's folder is its key's ARN up to `key`
 * (`…/keys/arn:aws:kms:eu-west-1:111122223333:key/<key id>.key-policy.json`, client/views/live-documents.ts):
 * its verdict is about that key, in that key's region.
 */
export function liveDocumentSettings<S extends AnalysisSettings>(uri: string, settings: S): S {
  if (!uri.startsWith(`${LIVE_DOCUMENT_SCHEME}:`)) return settings;
  return { ...settings, kinds: {}, bucketName: undefined, keyArn: liveKeyArn(uri) };
}

/** The key ARN in a live key policy's URI, or undefined. */
export function liveKeyArn(uri: string): string | undefined {
  if (uri.length > 4 * MAX_KEY_ARN_LENGTH) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(uri.replace(/[?#].*$/s, ''));
  } catch {
    return undefined;
  }
  const m = /\/keys\/(arn:[^/]*:key)\/([^/]+)\.key-policy\.json$/.exec(path);
  const arn = m ? `${m[1]}/${m[2]}` : undefined;
  return arn && parseKeyArn(arn) ? arn : undefined;
}

/** A `{ line, character }` a client sent (non-negative integers), or undefined. */
export function positionOf(p: unknown): { line: number; character: number } | undefined {
  if (typeof p !== 'object' || p === null) return undefined;
  const { line, character } = p as Record<string, unknown>;
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 2 ** 31;
  return ok(line) && ok(character) ? { line, character } : undefined;
}
