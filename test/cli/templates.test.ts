// `check` on infrastructure templates, run as a child process: folders are searched for templates
// beside policy files, each policy found is one entry with its location and ranges in the template,
// its verdict the one the same policy gets as a JSON file; text and SARIF point at the template.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DIST_CLI, ROOT } from '../helpers/paths';

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [DIST_CLI, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 60_000,
  });
  assert.equal(r.signal, null, `the CLI was killed (a hang): ${args.join(' ')}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Entry {
  file: string;
  kind: string;
  location?: string;
  diagnostics: { code: string; severity: string; range: { start: { line: number; character: number } } }[];
  verdict: unknown;
}

/** The policy, as a JSON file and inside the templates below. */
const POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'DenyHttp',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: ['arn:aws:s3:::data-bucket', 'arn:aws:s3:::data-bucket/*'],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
    {
      Sid: 'DenyOldTls',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: ['arn:aws:s3:::data-bucket', 'arn:aws:s3:::data-bucket/*'],
      Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } },
    },
  ],
};

const YAML = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  DataBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: data-bucket
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Sid: DenyHttp
            Effect: Deny
            Principal: '*'
            Action: 's3:*'
            Resource: ['arn:aws:s3:::data-bucket', 'arn:aws:s3:::data-bucket/*']
            Condition: { Bool: { 'aws:SecureTransport': 'false' } }
          - Sid: DenyOldTls
            Effect: Deny
            Principal: '*'
            Action: 's3:*'
            Resource: ['arn:aws:s3:::data-bucket', 'arn:aws:s3:::data-bucket/*']
            Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } }
  LogsBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: logs-bucket
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: deny
            Principal: '*'
            Action: 's3:*'
            Resource: ['arn:aws:s3:::logs-bucket', 'arn:aws:s3:::logs-bucket/*']
            Condition: { Bool: { 'aws:SecureTransport': 'false' } }
`;

const CDK = JSON.stringify(
  {
    Resources: {
      DataBucketPolicyA1B2C3D4: {
        Type: 'AWS::S3::BucketPolicy',
        Properties: { Bucket: 'data-bucket', PolicyDocument: POLICY },
        Metadata: { 'aws:cdk:path': 'Stack/DataBucket/Policy/Resource' },
      },
    },
  },
  null,
  1,
);

const TF = `resource "aws_s3_bucket" "data" {
  bucket = "data-bucket"
}

data "aws_iam_policy_document" "data" {
  statement {
    sid     = "DenyHttp"
    effect  = "Deny"
    actions = ["s3:*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    resources = [aws_s3_bucket.data.arn, "\${aws_s3_bucket.data.arn}/*"]
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
  statement {
    sid     = "DenyOldTls"
    effect  = "Deny"
    actions = ["s3:*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    resources = [aws_s3_bucket.data.arn, "\${aws_s3_bucket.data.arn}/*"]
    condition {
      test     = "NumericLessThan"
      variable = "s3:TlsVersion"
      values   = ["1.2"]
    }
  }
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = data.aws_iam_policy_document.data.json
}
`;

/** The 0-based line of the first line of `text` holding `needle`. */
const lineOf = (text: string, needle: string): number => text.slice(0, text.indexOf(needle)).split('\n').length - 1;

describe('check on templates', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-templates-'));
    fs.mkdirSync(path.join(dir, 'infra'));
    fs.mkdirSync(path.join(dir, 'cdk.out'));
    fs.mkdirSync(path.join(dir, '.github', 'workflows'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'policies'));
    fs.writeFileSync(path.join(dir, 'infra', 'stack.yaml'), YAML);
    fs.writeFileSync(path.join(dir, 'infra', 'main.tf'), TF);
    fs.writeFileSync(path.join(dir, 'cdk.out', 'Stack.template.json'), CDK);
    fs.writeFileSync(path.join(dir, 'policies', 'data-bucket.bucket-policy.json'), JSON.stringify(POLICY, null, 2));
    fs.writeFileSync(path.join(dir, '.github', 'workflows', 'ci.yml'), 'on: push\njobs: {}\n');
    fs.writeFileSync(path.join(dir, 'infra', 'values.yaml'), 'replicas: 3\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds templates in folders: one entry per policy, with its location and ranges in the template', () => {
    const r = cli(['check', '.', '--format', 'json'], dir);
    assert.equal(r.code, 1, r.stderr);
    const entries = JSON.parse(r.stdout) as Entry[];
    assert.deepEqual(
      entries.map(e => [e.file, e.kind, e.location]),
      [
        ['cdk.out/Stack.template.json', 'bucket-policy', 'Resources.DataBucketPolicyA1B2C3D4.Properties.PolicyDocument'],
        ['infra/main.tf', 'bucket-policy', 'data.aws_iam_policy_document.data'],
        ['infra/stack.yaml', 'bucket-policy', 'Resources.DataBucketPolicy.Properties.PolicyDocument'],
        ['infra/stack.yaml', 'bucket-policy', 'Resources.LogsBucketPolicy.Properties.PolicyDocument'],
        ['policies/data-bucket.bucket-policy.json', 'bucket-policy', undefined],
      ],
      'YAML that is not a template (CI, Helm values) is passed over',
    );
    const logs = entries[3];
    const grm003 = logs.diagnostics.find(d => d.code === 'GRM-003');
    assert.ok(grm003, JSON.stringify(logs.diagnostics));
    assert.equal(grm003.severity, 'error');
    assert.deepEqual(grm003.range.start, { line: lineOf(YAML, 'Effect: deny'), character: '          - Effect: '.length });
    // One engine, one verdict: the policy in the template and in CDK output is judged as the JSON file is.
    const json = entries[4];
    for (const e of [entries[0], entries[1], entries[2]]) {
      assert.deepEqual(e.verdict, json.verdict, `${e.file} ${e.location}`);
      assert.deepEqual(e.diagnostics, [], `${e.file} ${e.location}`);
    }
  });

  it('text output names the template, the policy and the line in the template', () => {
    const r = cli(['check', 'infra', '--no-color'], dir);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^infra\/stack\.yaml Resources\.LogsBucketPolicy\.Properties\.PolicyDocument \(bucket-policy\)$/m);
    assert.match(r.stdout, new RegExp(`^  ${lineOf(YAML, 'Effect: deny') + 1}:21 +error +"Effect" is "deny"`, 'm'));
    assert.match(r.stdout, /in 1 of 2 files\.$/m, 'a template is counted once');
  });

  it('SARIF points at the template lines, names the policy, and validates against the schema', () => {
    const r = cli(['check', 'infra/stack.yaml', '--format', 'sarif'], dir);
    assert.equal(r.code, 1);
    const sarif = JSON.parse(r.stdout);

    const Ajv = require('ajv-draft-04');
    const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false, validateFormats: false, logger: false });

    const validate = ajv.compile(require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'));
    assert.ok(validate(sarif), JSON.stringify(validate.errors?.slice(0, 5)));
    const run = sarif.runs[0];
    const result = run.results.find((x: { ruleId: string }) => x.ruleId === 'GRM-003');
    assert.ok(result);
    const loc = result.locations[0];
    assert.equal(loc.physicalLocation.artifactLocation.uri, 'infra/stack.yaml');
    assert.deepEqual(
      { line: loc.physicalLocation.region.startLine, column: loc.physicalLocation.region.startColumn },
      { line: lineOf(YAML, 'Effect: deny') + 1, column: 21 },
    );
    assert.equal(loc.logicalLocations[0].fullyQualifiedName, 'Resources.LogsBucketPolicy.Properties.PolicyDocument');
    assert.equal(run.artifacts.length, 1, 'the template is one artifact');
  });

  it('a file named on the command line that is not a template is listed as unknown; exit codes as for JSON', () => {
    const r = cli(['check', '.github/workflows/ci.yml', '--format', 'json'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [
      { file: '.github/workflows/ci.yml', kind: 'unknown', diagnostics: [], verdict: null },
    ]);
    const clean = cli(['check', 'cdk.out', '--format', 'json'], dir);
    assert.equal(clean.code, 0, clean.stderr);
  });

  it('findings about a resource that is not a policy come in a settings entry at the resource', () => {
    const text = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  DataKey:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: false
      KeyPolicy:
        Version: '2012-10-17'
        Statement:
          - Sid: Root
            Effect: Allow
            Principal:
              AWS: 'arn:aws:iam::111122223333:root'
            Action: 'kms:*'
            Resource: '*'
`;
    fs.writeFileSync(path.join(dir, 'key.yaml'), text);
    const r = cli(['check', 'key.yaml', '--format', 'json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const entries = JSON.parse(r.stdout) as Entry[];
    assert.deepEqual(
      entries.map(e => [e.kind, e.location]),
      [
        ['key-policy', 'Resources.DataKey.Properties.KeyPolicy'],
        ['key-settings', 'Resources.DataKey'],
      ],
    );
    const rotation = entries[1].diagnostics.find(d => d.code === 'TPL-005');
    assert.ok(rotation, JSON.stringify(entries[1].diagnostics));
    assert.deepEqual(rotation.range.start, {
      line: lineOf(text, 'EnableKeyRotation'),
      character: '      EnableKeyRotation: '.length,
    });
    assert.equal(entries[1].verdict, null);
    assert.ok(entries[0].verdict, 'the key policy has its verdict');
  });

  it('examples/infra: the settings of a bucket in a bucket-settings entry, SARIF results for the template rules', () => {
    const file = 'examples/infra/cloudformation/bad-data-bucket.yaml';
    const r = cli(['check', file, '--format', 'json'], ROOT);
    const entries = JSON.parse(r.stdout) as Entry[];
    const settings = entries.filter(e => e.kind === 'bucket-settings');
    assert.ok(settings.length >= 1, JSON.stringify(entries.map(e => [e.kind, e.location])));
    for (const e of settings) {
      assert.match(e.location ?? '', /^Resources\.[A-Za-z0-9]+$/);
      assert.equal(e.verdict, null);
      assert.ok(
        e.diagnostics.every(d => /^TPL-\d{3}$/.test(d.code)),
        JSON.stringify(e.diagnostics),
      );
    }
    const sarif = JSON.parse(cli(['check', file, '--format', 'sarif'], ROOT).stdout);
    const run = sarif.runs[0];
    const tpl = run.results.filter((x: { ruleId: string }) => x.ruleId.startsWith('TPL-'));
    assert.ok(tpl.length >= 1);
    for (const res of tpl) assert.equal(run.tool.driver.rules[res.ruleIndex].id, res.ruleId);
  });

  it('a template with a YAML syntax error gets one entry with the error, and exit code 1', () => {
    fs.writeFileSync(path.join(dir, 'broken.yaml'), "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  A: [\n");
    const r = cli(['check', 'broken.yaml', '--format', 'json'], dir);
    const entries = JSON.parse(r.stdout) as Entry[];
    assert.equal(entries.length, 1, r.stdout);
    assert.equal(entries[0].kind, 'template');
    assert.ok(entries[0].diagnostics.length >= 1);
    assert.equal(r.code, entries[0].diagnostics.some(d => d.severity === 'error') ? 1 : 0);
  });
});
