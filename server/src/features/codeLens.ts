// The verdict at the top of a bucket policy ("HTTPS: enforced · SSE: only aws:kms … " per bucket) or
// of a key policy ("Admins: account … · Not open to other accounts · S3 can use it").
import type { CodeLens } from 'vscode-languageserver';
import { keyVerdictSummary } from '../engine/key-verdict';
import { verdictSummary } from '../engine/summary';
import type { DocumentAnalysis } from './documentAnalysis';

export const EXPLAIN_COMMAND = 's3EncryptionGuard.explain';

export function codeLenses(a: DocumentAnalysis, wantedTls?: string | null): CodeLens[] {
  const root = a.analysis.doc?.root;
  const keyVerdict = a.analysis.keyVerdict;
  if (root && keyVerdict) {
    return [{ range: a.lines.range({ offset: root.offset, length: 1 }), command: { title: keyVerdictSummary(keyVerdict), command: EXPLAIN_COMMAND, arguments: [a.uri] } }];
  }
  const verdicts = a.analysis.verdicts ?? [];
  if (!root || !verdicts.length) return [];
  const at = a.lines.range({ offset: root.offset, length: 1 });
  return verdicts.map(v => ({
    range: at,
    command: {
      title: `${verdicts.length > 1 ? `${v.bucket}: ` : ''}${verdictSummary(v, wantedTls)}`,
      command: EXPLAIN_COMMAND,
      arguments: [a.uri, v.bucket],
    },
  }));
}
