// The CloudFormation snippets, expanded as VS Code expands them and inserted under Resources of a
// template, are templates whose policies AWS accepts (no GRM finding, no error) and whose verdicts
// say what the descriptions promise: HTTPS and TLS 1.2 enforced, uploads naming another encryption
// or another key denied; the key's policy lets S3 use it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { analyzeTemplate } from '../../core/templates/analyze';
import { ROOT } from '../helpers/paths';
import { expandSnippet } from '../helpers/snippets';

interface Snippet {
  prefix: string;
  description: string;
  body: string[];
}

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  contributes: { snippets: { language: string; path: string }[] };
};
const file = pkg.contributes.snippets.find(s => s.language === 'yaml')?.path;
const snippets = file ? (Object.values(JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'))) as Snippet[]) : [];
const byPrefix = new Map(snippets.map(s => [s.prefix, s]));

/** A template with the snippets inserted under Resources, indented as the editor indents them there. */
function template(...bodies: string[]): string {
  const indent = (t: string) =>
    t
      .split('\n')
      .map(l => (l ? `  ${l}` : l))
      .join('\n');
  return `AWSTemplateFormatVersion: '2010-09-09'\nResources:\n${bodies.map(indent).join('\n')}\n`;
}

describe('CloudFormation snippets', () => {
  it('package.json contributes them for yaml, each with a description', () => {
    assert.ok(file, 'a yaml snippet file');
    assert.deepEqual([...byPrefix.keys()].sort(), ['s3eg-cfn-bucket', 's3eg-cfn-kms-key']);
    for (const s of snippets) assert.ok(s.description.length > 40, s.prefix);
  });

  const cases: Record<number, string>[] = [
    {},
    { 1: 'Reports', 2: 'reports-archive-eu', 3: 'ReportsKey', 4: 'reports-archive-eu' },
  ];
  for (const values of cases) {
    it(`the bucket and the key make a template whose policies are enforced (${Object.keys(values).length ? 'typed values' : 'defaults'})`, () => {
      const bucket = expandSnippet(byPrefix.get('s3eg-cfn-bucket')!.body.join('\n'), values);
      const key = expandSnippet(byPrefix.get('s3eg-cfn-kms-key')!.body.join('\n'), {
        1: values[3] ?? 'DataKey',
        4: values[2] ?? 'bucket-name',
      });
      const text = template(bucket, key);
      const t = analyzeTemplate(text, '/infra/stack.yaml');
      assert.deepEqual(
        t.findings.map(f => f.message),
        [],
        text,
      );
      const policies = t.entries.filter(e => e.analysis);
      assert.deepEqual(
        policies.map(e => e.kind),
        ['bucket-policy', 'key-policy'],
      );
      for (const e of policies)
        assert.deepEqual(
          e.findings.filter(f => f.ruleId.startsWith('GRM-') || f.severity === 'error').map(f => `${f.ruleId} ${f.message}`),
          [],
          text,
        );
      const [v] = policies[0].analysis!.verdicts ?? [];
      assert.ok(v, 'the bucket policy has a verdict');
      assert.equal(v.bucket, values[2] ?? 'bucket-name');
      assert.equal(v.transport.http, 'denied');
      assert.equal(v.transport.minTlsVersion, '1.2');
      // Every upload that names an encryption other than SSE-KMS, or SSE-C, is denied.
      for (const u of v.encryption.uploads)
        if (u.sse !== 'none' && u.sse !== 'aws:kms') assert.equal(u.decision, 'denied', JSON.stringify(u));
      const kv = policies[1].analysis!.keyVerdict;
      assert.ok(kv, 'the key policy has a verdict');
      assert.equal(kv.lockout, false);
      assert.equal(kv.s3CanUse.value, true, JSON.stringify(kv.s3CanUse));
    });
  }
});
