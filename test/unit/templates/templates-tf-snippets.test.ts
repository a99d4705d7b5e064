// The Terraform snippets, expanded as VS Code expands them and written into one module, are what
// their descriptions promise: valid HCL, the bucket policy's verdict (HTTPS, TLS 1.2, only SSE-KMS
// with the pinned key, no SSE-C), the bucket's settings, and a key S3 can use without lock-out.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { analyze } from '../../../core/analyze';
import { DEFAULT_REQUIREMENTS } from '../../../core/requirements';
import { analyzeTemplate, TEMPLATE_SYNTAX_CODE } from '../../../core/templates/analyze';
import { initTerraform, scanTerraform } from '../../../core/templates/terraform';
import { placeholder } from '../../../core/templates/types';
import { ROOT } from '../../helpers/paths';
import { expandSnippet } from '../../helpers/snippets';

interface Snippet {
  prefix: string;
  description: string;
  body: string[];
}

const FILE = './snippets/terraform.code-snippets';
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  contributes: { snippets: { language: string; path: string }[] };
};
const snippets = Object.values(JSON.parse(fs.readFileSync(path.join(ROOT, FILE), 'utf8')) as Record<string, Snippet>);
const body = (prefix: string, values: Record<number, string> = {}) =>
  expandSnippet(snippets.find(s => s.prefix === prefix)!.body.join('\n'), values);

describe('Terraform snippets', () => {
  before(() => initTerraform());

  it('are contributed for the terraform language (ours for .tf files), each with a prefix and a description', () => {
    const langs = pkg.contributes.snippets.filter(s => s.path === FILE).map(s => s.language);
    // Not for `hcl`: without HashiCorp's extension no language has that ID, and VS Code reports the
    // contribution as an error.
    assert.deepEqual(langs, ['terraform']);
    assert.deepEqual(snippets.map(s => s.prefix).sort(), ['s3eg-tf-bucket', 's3eg-tf-kms-key']);
    for (const s of snippets) assert.ok(s.description.length > 40, s.prefix);
  });

  for (const [label, bucketValues, keyValues] of [
    ['defaults', {}, {}],
    [
      'other names',
      { 1: 'logs', 2: 'acme-logs', 3: 'logs_key' },
      { 1: 'logs_key', 3: '444455556666', 4: 'eu-west-1', 7: 'logs' },
    ],
  ] as const) {
    it(`bucket and key together (${label}): the verdicts the descriptions promise`, () => {
      const tf = `${body('s3eg-tf-bucket', bucketValues)}\n${body('s3eg-tf-kms-key', keyValues)}`;
      const a = analyzeTemplate(tf, 'main.tf', { requirements: { ...DEFAULT_REQUIREMENTS, minTlsVersion: '1.2' } });
      assert.deepEqual(
        a.findings.filter(f => f.ruleId === TEMPLATE_SYNTAX_CODE),
        [],
      );
      const bucket = a.entries.find(e => e.kind === 'bucket-policy')!;
      assert.ok(bucket, 'the bucket policy is found');
      const v = bucket.analysis!.verdicts![0];
      assert.equal(v.transport.http, 'denied');
      assert.equal(v.transport.minTlsVersion, '1.2');
      const sseC = v.encryption.uploads.filter(u => u.sse === 'SSE-C');
      assert.ok(sseC.length && sseC.every(u => u.decision === 'denied'), 'SSE-C denied');
      assert.equal(bucket.dependsOn, undefined, 'the verdict rests on nothing the module leaves open');
      // The pinned key is the key resource's ARN, which AWS assigns: with a real ARN in its place, the
      // policy is the JSON snippet's: uploads naming SSE-KMS with that key or no encryption header
      // (the bucket's default applies) pass, everything else is denied.
      const keyName = (keyValues as Record<number, string>)[1] ?? 'data';
      const arn = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
      const json = bucket.policy!.json.split(placeholder(`aws_kms_key.${keyName}.arn`)).join(arn);
      const bucketName = (bucketValues as Record<number, string>)[2] ?? 'bucket-name';
      const asJson = analyze(json, `/w/${bucketName}.bucket-policy.json`).verdicts![0];
      assert.ok(asJson.encryption.uploads.some(u => u.kmsKey === arn));
      for (const u of asJson.encryption.uploads) {
        const allowed = u.sse === 'none' || (u.sse === 'aws:kms' && (u.kmsKey === null || u.kmsKey === arn));
        assert.equal(u.decision, allowed ? 'not-denied' : 'denied', `${u.sse} ${u.kmsKey}`);
      }
      const errors = a.entries.flatMap(e => e.findings).filter(f => f.severity === 'error');
      assert.deepEqual(
        errors.map(f => `${f.ruleId}: ${f.message}`),
        [],
      );
      const key = a.entries.find(e => e.kind === 'key-policy')!;
      const kv = key.analysis!.keyVerdict!;
      assert.equal(kv.lockout, false);
      assert.equal(kv.s3CanUse.value, true);
      assert.equal(kv.openToOtherAccounts.value, false);
      assert.equal(kv.openToAnonymous.value, false);

      const scan = scanTerraform(tf);
      const b = scan.buckets[0];
      assert.equal(b.encryption!.sseAlgorithm!.value, 'aws:kms');
      assert.equal(b.encryption!.bucketKeyEnabled!.value, true);
      assert.deepEqual(b.encryption!.blockedEncryptionTypes!.value, ['SSE-C']);
      assert.equal(b.publicAccessBlock!.restrictPublicBuckets, true);
      assert.equal(scan.keys[0].enableKeyRotation!.value, true);
    });
  }
});
