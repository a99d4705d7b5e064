// Which kind of policy a document is, and why: settings globs, then file name, then content.
import { parseS3Arn } from './arn';
import { matchesGlob } from './glob';
import type { PolicyDocument, PolicyKind } from './model';

export interface KindDecision {
  kind: PolicyKind;
  /** One sentence a person can read in a hover or a log line. */
  reason: string;
  /** Where the decision came from. */
  source: 'setting' | 'file-name' | 'content';
}

export const POLICY_KINDS: readonly PolicyKind[] = ['bucket-policy', 'key-policy', 'identity-policy', 'unknown'];

const FILE_NAME_KINDS: [RegExp, PolicyKind][] = [
  [/\.bucket-policy\.json$/i, 'bucket-policy'],
  [/\.key-policy\.json$/i, 'key-policy'],
  [/\.identity-policy\.json$/i, 'identity-policy'],
];

/** Kind from the user's globs (`{ "**\/policies/*.json": "bucket-policy" }`); the last matching glob wins. */
export function kindFromSettings(filePath: string, kinds: Record<string, string> | undefined): KindDecision | undefined {
  let found: KindDecision | undefined;
  for (const [glob, kind] of Object.entries(kinds ?? {})) {
    if (!POLICY_KINDS.includes(kind as PolicyKind)) continue;
    if (matchesGlob(filePath, glob)) {
      found = {
        kind: kind as PolicyKind,
        source: 'setting',
        reason: `the setting s3EncryptionGuard.kinds maps "${glob}" to ${kind}`,
      };
    }
  }
  return found;
}

export function kindFromFileName(filePath: string): KindDecision | undefined {
  for (const [re, kind] of FILE_NAME_KINDS) {
    if (re.test(filePath)) {
      return { kind, source: 'file-name', reason: `the file name ends in ${re.source.replace(/\\/g, '').replace('$', '')}` };
    }
  }
  return undefined;
}

/** The bucket a file is about, from `NAME.bucket-policy.json`. */
export function bucketFromFileName(filePath: string): string | undefined {
  const base = filePath.replace(/\\/g, '/').split('/').pop() ?? '';
  const m = /^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\.bucket-policy\.json$/.exec(base);
  return m?.[1];
}

function strings(values: { value: unknown }[] | undefined): string[] {
  return (values ?? []).map(v => v.value).filter((v): v is string => typeof v === 'string');
}

/** Kind from what the document says. Anything without a `Statement` is not a policy. */
export function kindFromContent(doc: PolicyDocument): KindDecision {
  const unknown = (reason: string): KindDecision => ({ kind: 'unknown', source: 'content', reason });
  if (!doc.root) return unknown('the document is empty');
  if (doc.root.type !== 'object') return unknown('the top level is not a JSON object');
  if (!doc.statementMember) return unknown('it has no "Statement" member');
  if (doc.statements.length === 0) {
    // `"Statement": []` while typing: a policy skeleton. Version tells us it is meant as one.
    if (doc.version)
      return { kind: 'bucket-policy', source: 'content', reason: 'it has Version and Statement but no statements yet' };
    return unknown('its "Statement" holds no statement objects');
  }
  let s3 = 0;
  let kms = 0;
  let other = 0;
  let withPrincipal = 0;
  let starResource = 0;
  for (const st of doc.statements) {
    if (st.principal || st.notPrincipal) withPrincipal++;
    for (const a of strings(st.action?.items ?? st.notAction?.items)) {
      const service = a.split(':')[0].toLowerCase();
      if (service === 's3') s3++;
      else if (service === 'kms') kms++;
      else if (a !== '*') other++;
    }
    for (const r of strings(st.resource?.items ?? st.notResource?.items)) {
      if (parseS3Arn(r)) s3++;
      else if (r === '*') starResource++;
    }
  }
  if (withPrincipal === 0) {
    return {
      kind: 'identity-policy',
      source: 'content',
      reason: 'no statement names a Principal, so it is an identity (IAM) policy',
    };
  }
  if (kms > s3) {
    return {
      kind: 'key-policy',
      source: 'content',
      reason: `its statements name a Principal and mostly kms: actions (${kms} kms, ${s3} s3)`,
    };
  }
  if (s3 > 0) {
    return {
      kind: 'bucket-policy',
      source: 'content',
      reason: `its statements name a Principal and s3: actions or S3 ARNs (${s3})`,
    };
  }
  if (starResource > 0 && other === 0) {
    return {
      kind: 'key-policy',
      source: 'content',
      reason: 'its statements name a Principal with "Resource": "*", as key policies do',
    };
  }
  return {
    kind: 'bucket-policy',
    source: 'content',
    reason: 'its statements name a Principal (a resource policy); treated as a bucket policy',
  };
}

export interface KindInput {
  filePath: string;
  doc?: PolicyDocument;
  kinds?: Record<string, string>;
}

export function detectKind(input: KindInput): KindDecision {
  return (
    kindFromSettings(input.filePath, input.kinds) ??
    kindFromFileName(input.filePath) ??
    (input.doc ? kindFromContent(input.doc) : { kind: 'unknown', source: 'content', reason: 'the content was not read' })
  );
}
