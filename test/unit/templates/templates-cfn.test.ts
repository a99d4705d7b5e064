// CloudFormation templates: the policies found in YAML and JSON templates, their verdicts, the
// ranges of their findings in the template, references resolved, and fixes written in YAML/JSON.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeTemplate, createTemplateCache, findScanner, isTemplate } from '../../../core/templates/index';
import type { TemplateAnalysis } from '../../../core/templates/types';

const covered = (text: string, span: { offset: number; length: number }): string =>
  text.slice(span.offset, span.offset + span.length);

/** Apply one template edit. */
const apply = (text: string, e: { span: { offset: number; length: number }; newText: string }): string =>
  text.slice(0, e.span.offset) + e.newText + text.slice(e.span.offset + e.span.length);

export const HTTPS_YAML = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  DataBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: orders-data
  DataBucketPolicy:
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
                aws:SecureTransport: 'false'
          - Sid: RequireKms
            Effect: Deny
            Principal: '*'
            Action: s3:PutObject
            Resource: arn:aws:s3:::orders-data/*
            Condition:
              StringNotEquals:
                s3:x-amz-server-side-encryption: aws:kmss
`;

function entries(a: TemplateAnalysis, kind: string) {
  return a.entries.filter(e => e.kind === kind);
}

describe('CloudFormation templates: which files are templates', () => {
  it('claims templates by AWSTemplateFormatVersion or AWS:: resource types, and nothing else', () => {
    assert.ok(isTemplate('stack.yaml', HTTPS_YAML));
    assert.ok(isTemplate('cdk.out/App.template.json', '{"Resources":{"B":{"Type":"AWS::S3::Bucket"}}}'));
    assert.equal(isTemplate('deploy.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n'), false);
    assert.equal(isTemplate('ci.yml', 'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n'), false);
    assert.equal(isTemplate('a.bucket-policy.json', '{"Version":"2012-10-17","Statement":[]}'), false);
    assert.equal(findScanner('stack.yaml', HTTPS_YAML)?.format, 'cloudformation');
  });
});

describe('CloudFormation templates: analysis', () => {
  it('analyses a YAML bucket policy with the engine, findings on the offending scalar', () => {
    const a = analyzeTemplate(HTTPS_YAML, 'stack.yaml');
    assert.deepEqual(a.findings, []);
    const [p] = entries(a, 'bucket-policy');
    assert.equal(p.location, 'Resources.DataBucketPolicy.Properties.PolicyDocument');
    assert.equal(p.policy?.bucketName, 'orders-data');
    assert.equal(p.analysis?.verdicts?.[0].bucket, 'orders-data');
    assert.equal(p.analysis?.verdicts?.[0].transport.http, 'denied');
    const typo = p.findings.find(f => f.ruleId === 'ENC-001');
    assert.ok(typo, 'the typo aws:kmss is reported');
    assert.equal(covered(HTTPS_YAML, typo.span), 'aws:kmss');
    const fixed = apply(HTTPS_YAML, typo.fixes[0].edits[0]);
    assert.match(fixed, /s3:x-amz-server-side-encryption: aws:kms\n/);
    const again = entries(analyzeTemplate(fixed, 'stack.yaml'), 'bucket-policy')[0];
    assert.equal(again.findings.filter(f => f.ruleId === 'ENC-001').length, 0);
    assert.equal(again.analysis?.verdicts?.[0].encryption.summary, 'sse-kms-only');
  });
});

describe('CloudFormation templates: the per-policy cache', () => {
  it('a keystroke inside one policy re-analyses that policy only', () => {
    const second = HTTPS_YAML.slice(HTTPS_YAML.indexOf('  DataBucketPolicy:'))
      .replace('DataBucketPolicy:', 'OtherPolicy:')
      .replace('Sid: DenyHttp', 'Sid: DenyHttp2');
    const text = HTTPS_YAML + second;
    const cache = createTemplateCache();
    const first = analyzeTemplate(text, 'stack.yaml', {}, { cache });
    const policies = first.entries.filter(e => e.policy);
    assert.equal(policies.length, 2);
    assert.equal(cache.analyses.size, 2);
    const parts = cache.parts.size;
    assert.ok(parts >= 3, 'the sections and resources were parsed as parts');
    // Type in the second policy's Sid.
    const at = text.lastIndexOf('Sid: RequireKms') + 'Sid: RequireKm'.length;
    const edited = text.slice(0, at) + 'x' + text.slice(at);
    const next = analyzeTemplate(edited, 'stack.yaml', {}, { cache });
    const [a, b] = next.entries.filter(e => e.policy);
    assert.equal(cache.analyses.size, 3, 'one new analysis');
    assert.equal(cache.parts.size, parts + 1, 'one part parsed again: the resource typed in');
    assert.equal(a.analysis?.doc, policies[0].analysis?.doc, 'the untouched policy is the cached analysis');
    assert.notEqual(b.analysis?.doc, policies[1].analysis?.doc);
    assert.ok(b.policy?.json.includes('RequireKmxs'));
  });
});
