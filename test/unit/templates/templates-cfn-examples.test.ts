// examples/infra/cloudformation: a good and a bad CloudFormation template and a CDK output, as a
// user opens them. What each must (and must not) report, where, and fixes written in the template's
// own syntax: a value in its scalar's quoting, a missing statement as a YAML block or JSON object
// laid out like its neighbours.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { applyEdits } from '../../../core/rules/fixes';
import { analyzeTemplate, isTemplate } from '../../../core/templates/index';
import type { TemplateAnalysis } from '../../../core/templates/types';
import { ROOT } from '../../helpers/paths';

const DIR = path.join(ROOT, 'examples', 'infra', 'cloudformation');
const read = (name: string): string => fs.readFileSync(path.join(DIR, name), 'utf8');
const covered = (text: string, span: { offset: number; length: number }): string =>
  text.slice(span.offset, span.offset + span.length);
const all = (a: TemplateAnalysis) => [...a.findings, ...a.entries.flatMap(e => e.findings)];

describe('examples/infra/cloudformation', () => {
  it('the good template: HTTPS, TLS 1.2 and SSE-KMS with its own key enforced, and nothing to report above information', () => {
    const text = read('good-data-bucket.yaml');
    assert.ok(isTemplate('good-data-bucket.yaml', text));
    const a = analyzeTemplate(text, 'good-data-bucket.yaml');
    assert.deepEqual(
      all(a)
        .filter(f => f.severity !== 'info')
        .map(f => `${f.ruleId} ${f.message}`),
      [],
    );
    const policy = a.entries.find(e => e.kind === 'bucket-policy');
    const [v] = policy?.analysis?.verdicts ?? [];
    assert.equal(v.bucket, 'orders-data-prod', 'the bucket name from !Sub and the parameter default');
    assert.equal(v.transport.http, 'denied');
    assert.equal(v.transport.minTlsVersion, '1.2');
    assert.equal(v.complete, true);
    assert.ok(!v.encryption.uploads.some(u => u.decision === 'not-denied' && (u.sse === 'AES256' || u.sse === 'SSE-C')));
    const key = a.entries.find(e => e.kind === 'key-policy');
    assert.equal(key?.analysis?.keyVerdict?.s3CanUse.value, true);
    assert.equal(key?.analysis?.keyVerdict?.lockout, false);
  });

  it('the bad template: each mistake on its value, with the rule that explains it', () => {
    const text = read('bad-data-bucket.yaml');
    const a = analyzeTemplate(text, 'bad-data-bucket.yaml');
    assert.deepEqual(a.findings, []);
    const at = (ruleId: string, location: string) => {
      const e = a.entries.find(x => x.location === location);
      const f = e?.findings.find(x => x.ruleId === ruleId);
      assert.ok(f, `${ruleId} at ${location}`);
      return covered(text, f.span);
    };
    assert.equal(at('TLS-002', 'Resources.ReportsBucketPolicy.Properties.PolicyDocument'), "!Sub '${ReportsBucket.Arn}/*'");
    assert.equal(at('ENC-001', 'Resources.ArchiveBucketPolicy.Properties.PolicyDocument'), "'aws:kmss'");
    assert.equal(at('TPL-006', 'Resources.LogsBucketPolicy.Properties.PolicyDocument'), '!Ref SharedLogsArn');
    assert.equal(at('TPL-001', 'Resources.ReportsBucket'), '!GetAtt LegacyKey.Arn');
    assert.match(at('TPL-004', 'Resources.ReportsBucket'), /NONE/);
    assert.equal(at('TPL-005', 'Resources.ReportsKey'), 'false');
    assert.equal(at('TPL-007', 'Resources.ReportsKey'), "Version: '2012-10-17'");
    // No finding anywhere is pinned at the start of the file.
    for (const f of all(a)) assert.ok(f.span.offset > 0, `${f.ruleId} is not at 1:1`);
  });

  it('the bad template: a value fix keeps the scalar quoting, and re-analysis clears it', () => {
    const text = read('bad-data-bucket.yaml');
    const a = analyzeTemplate(text, 'bad-data-bucket.yaml');
    const typo = all(a).find(f => f.ruleId === 'ENC-001')!;
    const [edit] = typo.fixes[0].edits;
    assert.equal(edit.newText, "'aws:kms'");
    const fixed = applyEdits(text, [edit]);
    assert.deepEqual(
      all(analyzeTemplate(fixed, 'bad-data-bucket.yaml')).filter(f => f.ruleId === 'ENC-001'),
      [],
    );
  });

  it('the bad template: the Resource fix writes the bucket and its objects as a YAML list at the value’s place', () => {
    const text = read('bad-data-bucket.yaml');
    const a = analyzeTemplate(text, 'bad-data-bucket.yaml');
    const tls = all(a).find(f => f.ruleId === 'TLS-002')!;
    const fixed = applyEdits(text, tls.fixes[0].edits);
    assert.ok(
      fixed.includes(
        '            Resource:\n              - arn:aws:s3:::reports-data\n              - arn:aws:s3:::reports-data/*\n',
      ),
      fixed,
    );
    const after = analyzeTemplate(fixed, 'bad-data-bucket.yaml').entries.find(e =>
      e.location.startsWith('Resources.ReportsBucketPolicy'),
    );
    assert.equal(after?.analysis?.verdicts?.[0].transport.http, 'denied');
  });

  it('the CDK output: Fn::Join and Fn::GetAtt resolved, the generated bucket name a symbol, fixes written as JSON with Fn::Sub', () => {
    const name = 'cdk.out/OrdersStack.template.json';
    const text = read(name);
    assert.ok(isTemplate(name, text));
    const a = analyzeTemplate(text, name);
    assert.deepEqual(a.findings, []);
    const policy = a.entries.find(e => e.kind === 'bucket-policy')!;
    const [v] = policy.analysis?.verdicts ?? [];
    assert.equal(v.bucket, '${OrdersBucket7C7F2B4A}');
    assert.equal(v.transport.http, 'denied');
    assert.equal(policy.dependsOn, undefined);
    const ssec = policy.findings.find(f => f.ruleId === 'ENC-011');
    assert.ok(ssec, 'SSE-C uploads are not denied');
    const fixed = applyEdits(text, ssec.fixes[0].edits);
    const json = JSON.parse(fixed) as {
      Resources: Record<string, { Properties: { PolicyDocument: { Statement: { Resource: unknown }[] } } }>;
    };
    const statements = json.Resources.OrdersBucketPolicy8C3A1E5D.Properties.PolicyDocument.Statement;
    assert.equal(statements.length, 3);
    assert.deepEqual(statements[2].Resource, { 'Fn::Sub': 'arn:aws:s3:::${OrdersBucket7C7F2B4A}/*' });
    const again = analyzeTemplate(fixed, name).entries.find(e => e.kind === 'bucket-policy')!;
    assert.equal(again.findings.filter(f => f.ruleId === 'ENC-011').length, 0);
  });
});

describe('fixes in the template’s own syntax', () => {
  const yaml = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: example-bucket
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Sid: AppRead
            Effect: Allow
            Principal:
              AWS: arn:aws:iam::111122223333:role/app
            Action: s3:GetObject
            Resource: arn:aws:s3:::example-bucket/*
`;

  it('a missing Deny is inserted as a YAML block like its neighbour, at the same indentation', () => {
    const a = analyzeTemplate(yaml, 'stack.yaml');
    const f = all(a).find(x => x.ruleId === 'TLS-001');
    assert.ok(f?.fixes.length, 'TLS-001 offers its statement');
    const fixed = applyEdits(yaml, f.fixes[0].edits);
    const inserted = fixed.slice(yaml.length - 1);
    assert.match(inserted, /^\n {10}- Sid: \S+\n {12}Effect: Deny\n {12}Principal: "\*"\n/);
    assert.deepEqual(parse(fixed).Resources.Policy.Properties.PolicyDocument.Statement.length, 2);
    const after = analyzeTemplate(fixed, 'stack.yaml').entries[0];
    assert.equal(after.analysis?.verdicts?.[0].transport.http, 'denied');
    assert.equal(after.findings.filter(x => x.ruleId === 'TLS-001').length, 0);
  });

  it('a policy written as a JSON string is analysed in place and fixed inside the string', () => {
    const doc = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyHttp',
          Effect: 'deny',
          Principal: '*',
          Action: 's3:*',
          Resource: ['arn:aws:s3:::example-bucket', 'arn:aws:s3:::example-bucket/*'],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    });
    const text = `AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Policy:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: example-bucket\n      PolicyDocument: '${doc}'\n`;
    const a = analyzeTemplate(text, 'stack.yaml');
    const entry = a.entries[0];
    assert.equal(entry.policy?.syntax, 'cfn-json-string');
    const f = entry.findings.find(x => x.ruleId === 'GRM-003');
    assert.ok(f);
    assert.equal(covered(text, f.span), '"deny"');
    const fixed = applyEdits(text, f.fixes[0].edits);
    assert.ok(fixed.includes(`PolicyDocument: '${doc.replace('"deny"', '"Deny"')}'`));
    assert.equal(analyzeTemplate(fixed, 'stack.yaml').entries[0].analysis?.verdicts?.[0].transport.http, 'denied');
  });
});
