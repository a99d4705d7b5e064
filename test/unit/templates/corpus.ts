// The policies of the existing test corpus (examples/, test/fixtures, every rule's example and
// "use instead"), and the same policies embedded in CloudFormation YAML and JSON templates.
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { bucketFromFileName } from '../../../core/policy/kind';
import { RULES } from '../../../core/rules/registry';
import { ROOT } from '../../helpers/paths';

export interface CorpusPolicy {
  name: string;
  kind: 'bucket-policy' | 'key-policy';
  /** The policy as parsed JSON (what a template embeds). */
  value: unknown;
  bucketName?: string;
}

function fromDir(dir: string, into: CorpusPolicy[]): void {
  for (const f of fs.readdirSync(dir).sort()) {
    const kind = f.endsWith('.bucket-policy.json') ? 'bucket-policy' : f.endsWith('.key-policy.json') ? 'key-policy' : undefined;
    if (!kind) continue;
    let value: unknown;
    try {
      value = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    } catch {
      continue; // Broken JSON is the JSON file's own problem: a template cannot hold it.
    }
    into.push({
      name: path.relative(ROOT, path.join(dir, f)),
      kind,
      value,
      bucketName: kind === 'bucket-policy' ? bucketFromFileName(f) : undefined,
    });
  }
}

export function corpus(): CorpusPolicy[] {
  const out: CorpusPolicy[] = [];
  fromDir(path.join(ROOT, 'examples'), out);
  fromDir(path.join(ROOT, 'test', 'fixtures', 'key-policies'), out);
  fromDir(path.join(ROOT, 'test', 'fixtures', 'e2e-workspace'), out);
  fromDir(path.join(ROOT, 'test', 'fixtures', 'e2e-workspace', 'keys'), out);
  for (const { meta } of RULES) {
    const kind = meta.appliesTo[0];
    if (kind !== 'bucket-policy' && kind !== 'key-policy') continue;
    for (const [which, text] of [
      ['example', meta.example],
      ['useInstead', meta.useInstead],
    ] as const) {
      out.push({
        name: `${meta.id} ${which}`,
        kind,
        value: JSON.parse(text),
        bucketName: kind === 'bucket-policy' ? 'example-bucket' : undefined,
      });
    }
  }
  return out;
}

const indent = (text: string, by: string): string =>
  text
    .replace(/\n$/, '')
    .split('\n')
    .map(l => (l ? by + l : l))
    .join('\n');

/** The policy in a CloudFormation YAML template (the bucket named literally on the policy resource). */
export function inYaml(p: CorpusPolicy): string {
  const doc = indent(stringify(p.value, { indent: 2, lineWidth: 0 }), '        ');
  if (p.kind === 'key-policy') {
    return `AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  TheKey:\n    Type: AWS::KMS::Key\n    Properties:\n      EnableKeyRotation: true\n      KeyPolicy:\n${doc}\n`;
  }
  const bucket = p.bucketName ? `      Bucket: ${JSON.stringify(p.bucketName)}\n` : '';
  return `AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  ThePolicy:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n${bucket}      PolicyDocument:\n${doc}\n`;
}

/** The policy in a CloudFormation JSON template (as CDK writes them: one-space indentation). */
export function inJson(p: CorpusPolicy): string {
  const resources =
    p.kind === 'key-policy'
      ? { TheKey: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true, KeyPolicy: p.value } } }
      : {
          ThePolicy: {
            Type: 'AWS::S3::BucketPolicy',
            Properties: { ...(p.bucketName ? { Bucket: p.bucketName } : {}), PolicyDocument: p.value },
          },
        };
  return JSON.stringify({ Resources: resources }, null, 1);
}

/** The policy as a JSON policy file of its kind, and the settings that say its kind and bucket. */
export function asFile(p: CorpusPolicy): {
  text: string;
  fileName: string;
  settings: { kinds: Record<string, string>; bucketName?: string };
} {
  return {
    text: JSON.stringify(p.value, null, 2),
    fileName: '/work/policy.json',
    settings: { kinds: { '**': p.kind }, bucketName: p.bucketName },
  };
}
