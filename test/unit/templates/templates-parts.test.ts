// Templates parsed part by part (only the parts the scanner reads, each kept by its text) must scan
// exactly as the whole text parsed in one go: the same policies with the same rendered JSON and
// source maps, the same buckets and keys, the same syntax errors. Every template the tests and
// examples have, the benchmark's generator and shapes written to trip the outline are compared.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { before } from 'node:test';
import { cloudFormationTemplate, terraformModule } from '../../../bench/template-inputs';
import { outlineHcl } from '../../../core/templates/hcl-outline';
import { initTerraform } from '../../../core/templates/terraform';
import { analyzeTemplate, createTemplateCache } from '../../../core/templates/index';
import { outlineYaml } from '../../../core/templates/yaml-outline';
import { ROOT } from '../../helpers/paths';
import { corpus, inYaml } from './corpus';
import { sameCfnScan, sameTfScan } from './same-scan';

const filesIn = (dir: string, ext: RegExp): string[] =>
  fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter(f => ext.test(f))
    .map(f => path.join(dir, f));
const yamlFiles = (dir: string): string[] => filesIn(dir, /\.ya?ml$/);

const HEAD = "AWSTemplateFormatVersion: '2010-09-09'\n";
const POLICY = `  DataBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref DataBucket
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Sid: DenyHttp
            Effect: Deny
            Principal: '*'
            Action: 's3:*'
            Resource:
              - !GetAtt DataBucket.Arn
              - !Sub '\${DataBucket.Arn}/*'
            Condition:
              Bool:
                'aws:SecureTransport': 'false'
`;
const BUCKET = `  DataBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: data-bucket
`;

/** Shapes that an outline read from lines could get wrong. */
const TRICKY: Record<string, string> = {
  'comments at the left margin between resources': `${HEAD}Resources:\n# buckets\n${BUCKET}# policies\n${POLICY}`,
  'a document start and a trailing comment': `---\n${HEAD}Resources:\n${BUCKET}${POLICY}# end\n`,
  'quoted keys and a quoted, commented type': `"AWSTemplateFormatVersion": '2010-09-09'\n'Resources':\n  "DataBucket":\n    'Type': "AWS::S3::Bucket" # the data\n    Properties:\n      BucketName: data-bucket\n${POLICY}`,
  'CRLF line ends': `${HEAD}Resources:\n${BUCKET}${POLICY}`.replace(/\n/g, '\r\n'),
  'a resource written in flow style': `${HEAD}Resources:\n  DataBucket: {Type: AWS::S3::Bucket, Properties: {BucketName: data-bucket}}\n${POLICY}`,
  'block scalars and a multi-line string in a role': `${HEAD}Resources:\n${BUCKET}  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code:\n        ZipFile: |\n          Resources:\n            x: "unbalanced\n          # not a comment\n      Description: "two\n        lines: here"\n${POLICY}`,
  'the type after the properties': `${HEAD}Resources:\n  Role:\n    Properties:\n      RoleName: r\n    Type: AWS::IAM::Role\n${BUCKET}${POLICY}`,
  'a resource whose type is not a literal': `${HEAD}Parameters:\n  T:\n    Type: String\n    Default: AWS::S3::Bucket\nResources:\n  Odd:\n    Type: !Ref T\n${BUCKET}${POLICY}`,
  'sections after the resources': `${HEAD}Resources:\n${BUCKET}${POLICY}Outputs:\n  Arn:\n    Value: !GetAtt DataBucket.Arn\nParameters:\n  Env:\n    Type: String\n    Default: prod\n`,
  'an empty Resources section': `${HEAD}Resources:\nOutputs:\n  A:\n    Value: x\n`,
  'Resources as a flow mapping': `${HEAD}Resources: {DataBucket: {Type: AWS::S3::Bucket}}\n`,
  'a syntax error inside a policy': `${HEAD}Resources:\n${BUCKET}${POLICY.replace('Effect: Deny', 'Effect: "Deny')}`,
  'a resource named like a function': `${HEAD}Resources:\n  Ref:\n    Type: AWS::S3::Bucket\n${POLICY}`,
  'keys deeper than the first resource': `${HEAD}Resources:\n    DataBucket:\n      Type: AWS::S3::Bucket\n      Properties:\n        BucketName: data-bucket\n${POLICY.replace(/^ {2}/gm, '    ')}`,
};

describe('CloudFormation YAML parsed by parts', () => {
  it('scans every example and fixture template as the whole text does', () => {
    const files = [...yamlFiles(path.join(ROOT, 'examples', 'infra')), ...yamlFiles(path.join(ROOT, 'test', 'fixtures'))];
    assert.ok(files.length >= 3);
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      if (!/AWSTemplateFormatVersion|AWS::/.test(text)) continue;
      assert.ok(sameCfnScan(text, f).policies.length > 0, f);
    }
  });

  it('scans every corpus policy in a template as the whole text does', () => {
    for (const p of corpus()) sameCfnScan(inYaml(p), p.name);
  });

  it("scans the benchmark's generated stack as the whole text does", () => {
    const text = cloudFormationTemplate({ bytes: 80 * 1024, bucketPolicies: 6, keyPolicies: 2 });
    const scan = sameCfnScan(text, 'generated');
    assert.equal(scan.policies.length, 8);
  });

  for (const [name, text] of Object.entries(TRICKY)) {
    it(`scans ${name} as the whole text does`, () => {
      sameCfnScan(text, name);
    });
  }

  it('has no outline for what it is not sure of: anchors, tabs, a second document, flow at the top', () => {
    assert.equal(outlineYaml(`${HEAD}Resources:\n  A: &x\n    Type: AWS::S3::Bucket\n  B: *x\n`), undefined);
    assert.equal(outlineYaml(`${HEAD}Resources:\n\tA:\n    Type: AWS::S3::Bucket\n`), undefined);
    assert.equal(outlineYaml(`${HEAD}---\nResources: {}\n`), undefined);
    assert.equal(outlineYaml(`{"Resources": {}}`), undefined);
    assert.equal(outlineYaml(`${HEAD}Resources:\n    A:\n      Type: X\n  B:\n    Type: Y\n`), undefined);
  });

  it('parses only the resources the scanner reads, and re-parses only the part a keystroke is in', () => {
    const text = cloudFormationTemplate({ bytes: 40 * 1024, bucketPolicies: 3, keyPolicies: 1 });
    const outline = outlineYaml(text)!;
    const resources = outline.find(s => s.key === 'Resources')!.resources!;
    const read = resources.filter(r => /^AWS::(S3::Bucket|S3::BucketPolicy|KMS::Key)$/.test(r.type?.value ?? ''));
    assert.ok(read.length < resources.length / 2, `${read.length} of ${resources.length} resources are read`);
    const cache = createTemplateCache();
    analyzeTemplate(text, 'stack.yaml', {}, cache);
    // Every section but Resources, and each resource read, is one part.
    assert.equal(cache.parts.size, outline.length - 1 + read.length);
    const at = text.indexOf('Sid: DenyOutdatedTls') + 5;
    analyzeTemplate(`${text.slice(0, at)}X${text.slice(at)}`, 'stack.yaml', {}, cache);
    assert.equal(cache.parts.size, outline.length - 1 + read.length + 1);
  });
});

const TF_POLICY = `resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyHttp"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.data.arn, "\${aws_s3_bucket.data.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}
`;
const TF_BUCKET = `resource "aws_s3_bucket" "data" {\n  bucket = "data-bucket"\n}\n`;

/** Shapes that a brace-matching outline could get wrong. */
const TF_TRICKY: Record<string, string> = {
  'comments of every kind between and inside blocks': `# one\n// two\n/* three { */\n${TF_BUCKET}/* } */\n${TF_POLICY.replace('Sid', '# } not a brace\n      Sid')}`,
  'braces in strings and templates': `resource "aws_lambda_function" "f" {\n  description = "a } and a { and \\" quote"\n  handler = "\${jsondecode("{\\"a\\": 1}")}"\n  x = "$\${not} %%{not}"\n}\n${TF_BUCKET}${TF_POLICY}`,
  'a heredoc with braces and a closing brace at the margin': `resource "aws_iam_role" "r" {\n  assume_role_policy = <<EOF\n{\n  "a": "}"\n}\nEOF\n}\n${TF_BUCKET}resource "aws_s3_bucket_policy" "h" {\n  bucket = aws_s3_bucket.data.id\n  policy = <<-POLICY\n    {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::data-bucket/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}\n    POLICY\n}\n`,
  'a heredoc with a template': `locals {\n  doc = <<EOT\n\${jsonencode({ a = "}" })}\nEOT\n}\n${TF_BUCKET}${TF_POLICY}`,
  'blocks without labels, identifier labels and CRLF':
    `terraform {\n  required_version = ">= 1.5"\n}\nlocals {\n  name = "data-bucket"\n}\nresource aws_s3_bucket data {\n  bucket = local.name\n}\n${TF_POLICY}`.replace(
      /\n/g,
      '\r\n',
    ),
  'a module call and an output': `module "m" {\n  source = "./m"\n}\n${TF_BUCKET}${TF_POLICY}output "arn" {\n  value = aws_s3_bucket.data.arn\n}\n`,
  'a syntax error inside a policy': `${TF_BUCKET}${TF_POLICY.replace('Effect    = "Deny"', 'Effect    = = "Deny"')}`,
};

describe('Terraform parsed by blocks', () => {
  before(() => initTerraform());

  it('scans every example and fixture module as the whole file does', () => {
    const files = [
      ...filesIn(path.join(ROOT, 'examples', 'infra'), /\.tf$/),
      ...filesIn(path.join(ROOT, 'test', 'fixtures'), /\.tf$/),
    ];
    assert.ok(files.length >= 3);
    for (const f of files) assert.ok(sameTfScan(fs.readFileSync(f, 'utf8'), f).policies.length > 0, f);
  });

  it("scans the benchmark's generated module as the whole file does", () => {
    const scan = sameTfScan(terraformModule({ bytes: 80 * 1024, bucketPolicies: 6, keyPolicies: 2 }), 'generated');
    assert.equal(scan.policies.length, 8);
  });

  for (const [name, text] of Object.entries(TF_TRICKY)) {
    it(`scans ${name} as the whole file does`, () => {
      sameTfScan(text, name);
    });
  }

  it('has no outline for what it is not sure of: top-level attributes, unterminated strings and heredocs', () => {
    assert.equal(outlineHcl('x = 1\n'), undefined);
    assert.equal(outlineHcl('resource "a" "b" {\n  x = "open\n}\n'), undefined);
    assert.equal(outlineHcl('resource "a" "b" {\n  x = <<EOF\n}\n'), undefined);
    assert.equal(outlineHcl('resource "a" "b" {\n'), undefined);
    assert.equal(outlineHcl('resource "a${x}" "b" {}\n'), undefined);
    assert.equal(outlineHcl(`locals {\n  x = ${'"${'.repeat(5000)}\n}\n`), undefined);
  });

  it('parses only the blocks the scanner reads, and re-parses only the block a keystroke is in', () => {
    const text = terraformModule({ bytes: 40 * 1024, bucketPolicies: 3, keyPolicies: 1 });
    const blocks = outlineHcl(text)!;
    const read = blocks.filter(
      b => b.kind === 'locals' || b.kind === 'variable' || /^aws_(s3_bucket|kms_key|iam_policy_document)/.test(b.labels[0] ?? ''),
    );
    assert.ok(read.length < blocks.length / 2, `${read.length} of ${blocks.length} blocks are read`);
    const cache = createTemplateCache();
    analyzeTemplate(text, 'main.tf', {}, cache);
    assert.equal(cache.parts.size, read.length);
    const at = text.indexOf('DenyOutdatedTls') + 4;
    analyzeTemplate(`${text.slice(0, at)}X${text.slice(at)}`, 'main.tf', {}, cache);
    assert.equal(cache.parts.size, read.length + 1);
  });
});
