// Hover on the top-level "Statement" or "Version" key: what kind of policy this is and why.
import type { Hover, Position } from 'vscode-languageserver';
import { describeWitness } from '../engine/summary';
import { explainRequests } from '../engine/verdict';
import type { Statement } from '../policy/model';
import { statementLabel } from '../rules/util';
import type { DocumentAnalysis } from './documentAnalysis';

const KIND_NAMES: Record<string, string> = {
  'bucket-policy': 'an S3 bucket policy',
  'key-policy': 'a KMS key policy',
  'identity-policy': 'an IAM identity policy',
  unknown: 'not a policy',
};

const within = (offset: number, span: { offset: number; length: number }) => offset >= span.offset && offset <= span.offset + span.length;

/** What one statement decides, over the request classes of every bucket the policy names. */
function statementHover(a: DocumentAnalysis, st: Statement): string {
  const doc = a.analysis.doc!;
  const label = typeof st.sid?.value === 'string' && st.sid.value !== '' ? st.sid.value : st.index;
  const lines: string[] = [];
  for (const v of a.analysis.verdicts ?? []) {
    const requests = explainRequests(doc, v.bucket, { maxRequests: 5000 });
    const decided = requests.filter(r => r.statements.includes(label));
    const verb = st.effect?.value === 'Deny' ? 'denies' : 'allows';
    const intro = `**${statementLabel(st)}** ${verb} ${decided.length} of ${requests.length} request classes for bucket \`${v.bucket}\``;
    if (!decided.length) {
      lines.push(`${intro}: it never decides one${st.effect?.value === 'Deny' ? ' (no request matches it, or another Deny already does)' : ' (a Deny wins, or no request matches it)'}.`);
      continue;
    }
    lines.push([`${intro}, for example:`, ...decided.slice(0, 4).map(r => `- ${describeWitness(r.request)}`)].join('\n'));
  }
  return lines.join('\n\n');
}

export function hover(a: DocumentAnalysis, position: Position): Hover | null {
  const doc = a.analysis.doc;
  if (!doc) return null;
  const offset = a.lines.offset(position);
  const st = a.analysis.verdicts?.length ? doc.statements.find(s => (s.effect && (within(offset, s.effect.span) || s.members.some(m => m.key.value === 'Effect' && within(offset, m.key.span)))) ||
    (s.sid && within(offset, s.sid.span))) : undefined;
  if (st) {
    const text = statementHover(a, st);
    if (text) return { contents: { kind: 'markdown', value: text } };
  }
  const member = doc.members.find(m => (m.key.value === 'Statement' || m.key.value === 'Version') &&
    offset >= m.key.span.offset && offset <= m.key.span.offset + m.key.span.length);
  if (!member) return null;
  const k = a.analysis.kind;
  const bucket = a.analysis.bucketName ? ` Bucket: \`${a.analysis.bucketName}\`.` : '';
  return {
    range: a.lines.range(member.key.span),
    contents: { kind: 'markdown', value: `**S3 Encryption Guard** checks this as ${KIND_NAMES[k.kind]}: ${k.reason}.${bucket}` },
  };
}
