// Hover on the top-level "Statement" or "Version" key: what kind of policy this is and why.
import type { Hover, Position } from 'vscode-languageserver';
import type { DocumentAnalysis } from './documentAnalysis';

const KIND_NAMES: Record<string, string> = {
  'bucket-policy': 'an S3 bucket policy',
  'key-policy': 'a KMS key policy',
  'identity-policy': 'an IAM identity policy',
  unknown: 'not a policy',
};

export function hover(a: DocumentAnalysis, position: Position): Hover | null {
  const doc = a.analysis.doc;
  if (!doc) return null;
  const offset = a.lines.offset(position);
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
