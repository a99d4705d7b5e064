// The one cached analysis per document version that every feature reads.
import { analyze, type Analysis } from '../../core/analyze';
import { crossDocument, type KeyLink, type KeyPolicyIndex } from '../../core/crossdoc';
import { kindFromSettings } from '../../core/policy/kind';
import { LineIndex } from '../../core/policy/lines';
import type { ServerSettings } from '../settings';
import { analyzeTemplateDocument, claimsTemplate, type TemplateDocument } from './templates';

export interface DocumentAnalysis {
  uri: string;
  version: number;
  analysis: Analysis;
  lines: LineIndex;
  /** Milliseconds the analysis took (for the log and the benchmark). */
  ms: number;
  /** Characters in the analysed text (what the analysis cache charges it for). */
  textLength: number;
  /** Pinned keys of a bucket policy and their linked key policies (cross-document check). */
  keyLinks: KeyLink[];
  /**
   * Set for an infrastructure template (features/templates.ts): `analysis` then stands for the
   * whole file (kind "unknown", every finding in template offsets) and this holds each policy's.
   */
  template?: TemplateDocument;
}

/** What the cross-document check needs from the workspace. */
export interface CrossContext {
  index: KeyPolicyIndex;
  /** Key ARN → absolute path, from s3EncryptionGuard.keyPolicies. */
  explicit: ReadonlyMap<string, string>;
  /** A path as messages show it (relative to the workspace folder). */
  relative(p: string): string;
}

export function analyzeDocument(
  uri: string,
  version: number,
  text: string,
  folderSettings: ServerSettings,
  cross?: CrossContext,
): DocumentAnalysis {
  const t0 = performance.now();
  // An untitled document (a new policy from a snippet or "New Bucket Policy…") is in no folder: the
  // folder's bucketName is not its bucket; the policy's own Resource names it.
  const settings =
    uri.startsWith('untitled:') && folderSettings.bucketName ? { ...folderSettings, bucketName: undefined } : folderSettings;
  const filePath = uriPath(uri);
  // A template (CloudFormation, CDK output, Terraform) unless a kinds setting names the file a policy.
  if (settings.enable && !kindFromSettings(filePath, settings.kinds) && claimsTemplate(filePath, text)) {
    const { analysis, template } = analyzeTemplateDocument(uri, text, filePath, settings);
    return {
      uri,
      version,
      analysis,
      lines: new LineIndex(text),
      ms: performance.now() - t0,
      textLength: text.length,
      keyLinks: [],
      template,
    };
  }
  // Other YAML and HCL (CI files, Kubernetes, Terraform the scanners do not claim) is not JSON: nothing to parse.
  const notJson = /\.(ya?ml|tf|hcl)$/i.test(filePath) && !kindFromSettings(filePath, settings.kinds);
  const analysis =
    settings.enable && !notJson
      ? analyze(text, filePath, settings)
      : {
          kind: settings.enable
            ? { kind: 'unknown' as const, source: 'content' as const, reason: 'not an infrastructure template' }
            : { kind: 'unknown' as const, source: 'setting' as const, reason: 's3EncryptionGuard.enable is false' },
          findings: [],
          ruleFailures: [],
        };
  let keyLinks: KeyLink[] = [];
  if (cross && analysis.kind.kind === 'bucket-policy') {
    try {
      const c = crossDocument(analysis, cross.index, settings, cross.relative, cross.explicit);
      keyLinks = c.links;
      if (c.findings.length)
        analysis.findings = [...analysis.findings, ...c.findings].sort(
          (a, b) => a.span.offset - b.span.offset || a.ruleId.localeCompare(b.ruleId),
        );
    } catch (e) {
      analysis.ruleFailures.push({ ruleId: 'cross-document', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  }
  return { uri, version, analysis, lines: new LineIndex(text), ms: performance.now() - t0, textLength: text.length, keyLinks };
}

/** The path part of a URI (file names decide the kind), decoded. */
export function uriPath(uri: string): string {
  const m = /^[a-z][a-z0-9+.-]*:(?:\/\/[^/]*)?(.*)$/i.exec(uri);
  const p = m ? m[1] : uri;
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}
