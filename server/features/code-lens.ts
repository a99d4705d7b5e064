// The verdict at the top of a bucket policy ("HTTPS: enforced · SSE: only aws:kms … " per bucket) or
// of a key policy ("Admins: account … · Not open to other accounts · S3 can use it").
// A CodeLens title is plain text, but it holds bucket names, principals and file names from the
// workspace: plainLine keeps each title on one line, with controls visible, clipped.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeLens } from 'vscode-languageserver';
import { linkSummary } from '../../core/crossdoc';
import { plainLine } from '../../shared/escape';
import type { DocumentAnalysis } from './document-analysis';
import { bucketVerdictLine, keyVerdictLine } from './live-analysis';
import { EXPLAIN_COMMAND, OPEN_FILE_COMMAND } from '../../protocol/protocol';
import { templateCodeLenses } from './templates';

export function codeLenses(a: DocumentAnalysis, wantedTls?: string | null): CodeLens[] {
  if (a.template) return templateCodeLenses({ uri: a.uri, lines: a.lines, template: a.template }, wantedTls);
  const root = a.analysis.doc?.root;
  if (a.analysis.notEvaluated) {
    // While the JSON is broken there is no policy to judge: say so where the verdict stands, rather than judge what the parser recovered.
    const first = a.analysis.findings.find(f => f.ruleId === 'GRM-001')?.span ?? { offset: 0, length: 0 };
    return [
      {
        range: a.lines.range({ offset: root?.offset ?? first.offset, length: 0 }),
        command: { title: `Verdict: not evaluated, ${a.analysis.notEvaluated}`, command: '' },
      },
    ];
  }
  const keyVerdict = a.analysis.keyVerdict;
  if (root && keyVerdict) {
    return [
      {
        range: a.lines.range({ offset: root.offset, length: 1 }),
        command: { title: keyVerdictLine(keyVerdict), command: EXPLAIN_COMMAND, arguments: [a.uri] },
      },
    ];
  }
  const verdicts = a.analysis.verdicts ?? [];
  if (!root || !verdicts.length) return [];
  const at = a.lines.range({ offset: root.offset, length: 1 });
  // Above each pinned key ARN: its linked key policy and whether the bucket's writers and readers can use the key.
  const links: CodeLens[] = a.keyLinks.map(l => ({
    range: a.lines.range(l.span),
    command: l.keyPolicy
      ? {
          title: plainLine(linkSummary(l, p => plainLine(path.basename(p), 80))),
          command: OPEN_FILE_COMMAND,
          arguments: [pathToFileURL(l.keyPolicy.path).toString()],
        }
      : { title: plainLine(linkSummary(l)), command: '' },
  }));
  return [
    ...links,
    ...verdicts.map(v => ({
      range: at,
      command: {
        title: bucketVerdictLine(v, verdicts.length > 1, wantedTls),
        command: EXPLAIN_COMMAND,
        arguments: [a.uri, v.bucket],
      },
    })),
  ];
}
