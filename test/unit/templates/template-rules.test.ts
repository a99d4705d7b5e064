// The template rules (TPL-…): every rule's example template triggers it and its "use instead" does
// not; each finding sits on the setting it is about; the rules see through YAML and JSON alike.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeTemplate } from '../../../core/templates/index';
import { TEMPLATE_RULES } from '../../../core/templates/rules/registry';
import { MAX_SUMMARY } from '../../../core/rules/types';
import type { TemplateAnalysis } from '../../../core/templates/types';

const all = (a: TemplateAnalysis) => [...a.findings, ...a.entries.flatMap(e => e.findings)];
const covered = (text: string, span: { offset: number; length: number }): string =>
  text.slice(span.offset, span.offset + span.length);

describe('template rules: examples', () => {
  for (const { meta } of TEMPLATE_RULES) {
    it(`${meta.id}: the example triggers it, "use instead" does not`, () => {
      assert.ok(meta.messages && Object.keys(meta.messages).length > 0, 'its messages are metadata');
      const ex = analyzeTemplate(meta.example, 'example.yaml');
      assert.deepEqual(ex.findings, [], 'the example is a valid template');
      const hits = all(ex).filter(f => f.ruleId === meta.id);
      assert.ok(hits.length > 0, `${meta.id} reports on its example`);
      for (const f of hits) {
        assert.ok(f.message.length <= MAX_SUMMARY + 80, `summary is short: ${f.message}`);
        assert.ok(covered(meta.example, f.span).trim().length > 0, 'the finding covers text of the template');
      }
      const fixed = analyzeTemplate(meta.useInstead, 'example.yaml');
      assert.deepEqual(
        all(fixed).filter(f => f.ruleId === meta.id),
        [],
        `${meta.id} is quiet on "use instead"`,
      );
    });
  }
});

describe('template rules: fixes and formats', () => {
  it('TPL-005 and TPL-003 rewrite the setting in place, in YAML and in JSON', () => {
    const yaml = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  DataKey:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: false
  DataBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms:dsse
            BucketKeyEnabled: true
`;
    const json = JSON.stringify(
      {
        AWSTemplateFormatVersion: '2010-09-09',
        Resources: {
          DataKey: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: false } },
          DataBucket: {
            Type: 'AWS::S3::Bucket',
            Properties: {
              BucketEncryption: {
                ServerSideEncryptionConfiguration: [
                  { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms:dsse' }, BucketKeyEnabled: true },
                ],
              },
            },
          },
        },
      },
      null,
      1,
    );
    for (const [text, name] of [
      [yaml, 'stack.yaml'],
      [json, 'cdk.out/Stack.template.json'],
    ] as const) {
      const findings = all(analyzeTemplate(text, name)).filter(f => f.ruleId === 'TPL-005' || f.ruleId === 'TPL-003');
      assert.deepEqual(findings.map(f => f.ruleId).sort(), ['TPL-003', 'TPL-005']);
      let fixed = text;
      // Apply from the end so that earlier offsets stay valid.
      for (const f of [...findings].sort((a, b) => b.span.offset - a.span.offset)) {
        const [e] = f.fixes[0].edits;
        fixed = fixed.slice(0, e.span.offset) + e.newText + fixed.slice(e.span.offset + e.span.length);
      }
      assert.deepEqual(
        all(analyzeTemplate(fixed, name)).filter(f => f.ruleId === 'TPL-005' || f.ruleId === 'TPL-003'),
        [],
        fixed,
      );
    }
  });

  it('a bucket without BucketName and its policy by !Ref: the rules link them by logical ID', () => {
    const text = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  DataBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: AES256
  DataBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref DataBucket
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Sid: DenyOtherEncryption
            Effect: Deny
            Principal: '*'
            Action: s3:PutObject
            Resource: !Sub '\${DataBucket.Arn}/*'
            Condition:
              StringNotEquals:
                s3:x-amz-server-side-encryption: aws:kms
              'Null':
                s3:x-amz-server-side-encryption: 'false'
`;
    const a = analyzeTemplate(text, 'stack.yaml');
    const settings = a.entries.find(e => e.kind === 'bucket-settings');
    assert.equal(settings?.location, 'Resources.DataBucket');
    const f = settings.findings.find(x => x.ruleId === 'TPL-002');
    assert.ok(f);
    assert.equal(covered(text, f.span), 'AES256');
    assert.match(f.message, /bucket \$\{DataBucket\}/);
  });

  it('a rule turned off in the settings reports nothing', () => {
    const meta = TEMPLATE_RULES.find(r => r.meta.id === 'TPL-005')!.meta;
    const a = analyzeTemplate(meta.example, 'x.yaml', { rules: { 'TPL-005': 'off' } });
    assert.deepEqual(
      all(a).filter(f => f.ruleId === 'TPL-005'),
      [],
    );
  });
});
