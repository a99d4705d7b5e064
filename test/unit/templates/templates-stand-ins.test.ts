// Values a template's stack creates (a role's ARN, a key's ARN or ID, the caller's account) reach
// the engine as stand-ins of their own shape: a role ARN is read as a principal and a key ARN as a
// key ARN, so a policy naming them gets the verdict it gets with real ARNs in their place, complete,
// and no finding about a malformed value that the template never wrote.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyze, type Analysis } from '../../../core/analyze';
import { analyzeTemplate } from '../../../core/templates/index';
import { initTerraform } from '../../../core/templates/terraform';
import type { TemplateEntry } from '../../../core/templates/types';

const ROLE = 'arn:aws:iam::111122223333:role/reader';
const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** The bucket policy, with the role and key written as `role` and `key` (JSON values or template expressions). */
const statements = (role: string, key: string) => [
  {
    Sid: 'DenyHttp',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: ['arn:aws:s3:::data-bucket', 'arn:aws:s3:::data-bucket/*'],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  },
  {
    Sid: 'DenyOtherKeys',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:PutObject',
    Resource: 'arn:aws:s3:::data-bucket/*',
    Condition: { ArnNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': key } },
  },
  {
    Sid: 'AllowReader',
    Effect: 'Allow',
    Principal: { AWS: role },
    Action: 's3:GetObject',
    Resource: 'arn:aws:s3:::data-bucket/*',
  },
];

const asJson = (): Analysis =>
  analyze(JSON.stringify({ Version: '2012-10-17', Statement: statements(ROLE, KEY) }, null, 2), '/w/policy.json', {
    kinds: { '**': 'bucket-policy' },
    bucketName: 'data-bucket',
  });

const ids = (a: { findings: { ruleId: string }[] }) => a.findings.map(f => f.ruleId).sort();
/** The verdict without the values that differ by design (the key: a literal here, `${Key.Arn}` there). */
const shape = (a: Analysis | undefined) => JSON.stringify(a?.verdicts).replace(/"(arn:aws:kms:[^"]*|\$\{[^}]*\})"/g, '"KEY"');

function onlyPolicy(a: { entries: TemplateEntry[] }): TemplateEntry {
  const policies = a.entries.filter(e => e.kind === 'bucket-policy');
  assert.equal(policies.length, 1);
  return policies[0];
}

describe('stand-ins shaped like the values a stack creates', () => {
  before(() => initTerraform());

  it('CloudFormation: !GetAtt Role.Arn as a principal and !GetAtt Key.Arn as the pinned key', () => {
    const yaml = JSON.stringify(statements('ROLE', 'KEY'), null, 2)
      .replace('"ROLE"', '{"Fn::GetAtt": ["ReaderRole", "Arn"]}')
      .replace('"KEY"', '{"Fn::GetAtt": ["DataKey", "Arn"]}');
    const text = `{"Resources": {
      "DataKey": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": []}}},
      "ReaderRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
      "DataBucketPolicy": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": "data-bucket",
        "PolicyDocument": {"Version": "2012-10-17", "Statement": ${yaml}}}}}}`;
    const e = onlyPolicy(analyzeTemplate(text, 'stack.template.json'));
    const json = asJson();
    assert.equal(e.analysis?.verdicts?.[0].complete, true, 'the verdict is complete');
    assert.equal(shape(e.analysis), shape(json), 'the verdict of the same policy with real ARNs');
    assert.deepEqual(ids(e.analysis!), ids(json), "the engine's findings");
    assert.ok(!e.findings.some(f => /GRM-005|GRM-012|ENC-008/.test(f.ruleId)), 'nothing about a malformed stand-in');
    assert.match(JSON.stringify(e.analysis?.verdicts), /\$\{DataKey\.Arn\}/, 'the key is shown as the template names it');
  });

  it('Terraform: aws_iam_role.x.arn, aws_kms_key.x.arn, the caller account and partition in a key policy', () => {
    const tf = `data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
resource "aws_kms_key" "data" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Enable IAM User Permissions"
      Effect    = "Allow"
      Principal = { AWS = "arn:\${data.aws_partition.current.partition}:iam::\${data.aws_caller_identity.current.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}
resource "aws_iam_role" "reader" {
  name = "reader"
}
resource "aws_s3_bucket_policy" "data" {
  bucket = "data-bucket"
  policy = jsonencode(${JSON.stringify({ Version: '2012-10-17', Statement: statements('ROLE', 'KEY') }, null, 2)
    .replace('"ROLE"', 'aws_iam_role.reader.arn')
    .replace('"KEY"', 'aws_kms_key.data.arn')
    .replace(/"([A-Za-z]+)":/g, '$1 =')
    .replace(/"([a-z0-9-]+:[A-Za-z0-9-]+)":/g, '"$1" =')})
}
`;
    const a = analyzeTemplate(tf, 'main.tf');
    assert.deepEqual(
      a.findings.map(f => f.message),
      [],
      'no template error',
    );
    const e = onlyPolicy(a);
    const json = asJson();
    assert.equal(e.analysis?.verdicts?.[0].complete, true, 'the bucket verdict is complete');
    assert.equal(shape(e.analysis), shape(json));
    assert.deepEqual(ids(e.analysis!), ids(json));
    const key = a.entries.find(x => x.kind === 'key-policy');
    const v = key?.analysis?.keyVerdict;
    assert.equal(v?.complete, true, 'the key verdict is complete');
    assert.equal(v?.lockout, false, 'the account root administers the key');
    assert.deepEqual(v?.administrators, ['arn:aws:iam::${data.aws_caller_identity.current.account_id}:root']);
  });
});
