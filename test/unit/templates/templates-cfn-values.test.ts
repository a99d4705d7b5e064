// Values that are not literals in CloudFormation templates: what the template fixes is resolved
// (`!Ref` of a named bucket, `!GetAtt Bucket.Arn`, `!Sub`, `Fn::Join`, `Fn::If` with equal
// branches, parameter defaults, `Fn::FindInMap`); what it does not is a symbol, analysed soundly
// in both directions: never "enforced" because of a guess, never "not enforced" only because a
// value is unknown.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeTemplate } from '../../../core/templates/index';
import type { TemplateEntry } from '../../../core/templates/types';

const covered = (text: string, span: { offset: number; length: number }): string =>
  text.slice(span.offset, span.offset + span.length);

/** A template with one bucket policy whose Deny statements are `statements` (YAML at the statement list's indentation). */
function template(opts: {
  parameters?: string;
  bucket?: string;
  bucketRef?: string;
  statements: string;
  extra?: string;
}): string {
  return `AWSTemplateFormatVersion: '2010-09-09'
${opts.parameters ? `Parameters:\n${opts.parameters}` : ''}Mappings:
  Names:
    prod:
      Bucket: mapped-bucket
Conditions:
  IsProd: !Equals [prod, prod]
Resources:
  DataBucket:
    Type: AWS::S3::Bucket
${opts.bucket !== undefined ? `    Properties:\n      BucketName: ${opts.bucket}\n` : ''}  DataBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: ${opts.bucketRef ?? '!Ref DataBucket'}
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
${opts.statements}
${opts.extra ?? ''}`;
}

const DENY_HTTP = (resources: string) => `          - Sid: DenyHttp
            Effect: Deny
            Principal: '*'
            Action: 's3:*'
            Resource:
${resources}
            Condition:
              Bool:
                aws:SecureTransport: 'false'`;

function policyEntry(text: string): TemplateEntry {
  const a = analyzeTemplate(text, 'stack.yaml');
  assert.deepEqual(a.findings, [], 'no template-level findings');
  const e = a.entries.find(x => x.kind === 'bucket-policy');
  assert.ok(e, 'the bucket policy is found');
  return e;
}

describe('CloudFormation values: what the template fixes is resolved', () => {
  const cases: [string, Partial<Parameters<typeof template>[0]>, string][] = [
    ['!Ref of a bucket with a literal BucketName, !GetAtt Arn, !Sub ${X.Arn}', { bucket: 'orders-data' }, 'orders-data'],
    [
      'a parameter with a default',
      { bucket: '!Ref Name', parameters: '  Name:\n    Type: String\n    Default: param-bucket\n' },
      'param-bucket',
    ],
    ['!Sub with pseudo parameters and ${!Literal}', { bucket: "!Sub 'data-${AWS::Partition}'" }, 'data-aws'],
    ['Fn::Join', { bucket: "!Join ['-', [joined, bucket]]" }, 'joined-bucket'],
    ['Fn::If whose branches agree', { bucket: '!If [IsProd, same-bucket, same-bucket]' }, 'same-bucket'],
    ['Fn::FindInMap with literal keys', { bucket: '!FindInMap [Names, prod, Bucket]' }, 'mapped-bucket'],
    ['Fn::Select of Fn::Split', { bucket: "!Select [1, !Split [',', 'a,split-bucket,c']]" }, 'split-bucket'],
  ];
  for (const [name, opts, bucket] of cases) {
    it(name, () => {
      const e = policyEntry(
        template({
          ...opts,
          statements: DENY_HTTP(`              - !GetAtt DataBucket.Arn\n              - !Sub '\${DataBucket.Arn}/*'`),
        }),
      );
      assert.equal(e.policy?.bucketName, bucket);
      assert.equal(e.policy?.attachedTo, 'DataBucket');
      const [v] = e.analysis?.verdicts ?? [];
      assert.equal(v.bucket, bucket);
      assert.equal(v.transport.http, 'denied');
      assert.equal(v.complete, true);
      assert.equal(e.dependsOn, undefined);
      assert.deepEqual(
        e.findings.filter(f => f.severity !== 'info').map(f => f.ruleId),
        [],
      );
    });
  }

  it('renders ${!Literal} as the literal ${Literal}', () => {
    const text = template({ bucket: 'b1', statements: DENY_HTTP("              - !Sub 'arn:aws:s3:::b1/${!aws:username}/*'") });
    assert.match(policyEntry(text).policy!.json, /"arn:aws:s3:::b1\/\$\{aws:username\}\/\*"/);
  });
});

describe('CloudFormation values: what the template does not fix is a symbol of its own', () => {
  it('a bucket without BucketName is one bucket everywhere: its Ref, its Arn and its Sub', () => {
    const e = policyEntry(
      template({ statements: DENY_HTTP(`              - !GetAtt DataBucket.Arn\n              - !Sub '\${DataBucket.Arn}/*'`) }),
    );
    const [v] = e.analysis?.verdicts ?? [];
    assert.equal(v.bucket, '${DataBucket}');
    assert.equal(v.transport.http, 'denied');
    assert.equal(v.complete, true);
    assert.equal(e.dependsOn, undefined);
    assert.deepEqual(
      e.findings.map(f => f.ruleId).filter(id => id.startsWith('GRM')),
      [],
      'no grammar finding on the symbols',
    );
  });

  it('a parameter without a default as the bucket name: the verdict is for "bucket ${Name}"', () => {
    const e = policyEntry(
      template({
        bucket: '!Ref Name',
        parameters: '  Name:\n    Type: String\n',
        statements: DENY_HTTP(`              - !Sub 'arn:aws:s3:::\${Name}'\n              - !Sub 'arn:aws:s3:::\${Name}/*'`),
      }),
    );
    const [v] = e.analysis?.verdicts ?? [];
    assert.equal(v.bucket, '${Name}');
    assert.equal(v.transport.http, 'denied');
    assert.equal(v.complete, true);
    assert.ok(e.policy?.unresolved.some(u => u.name === 'Name'));
  });

  it('never "not enforced" only because a value is unknown: a Deny on an imported ARN depends on it', () => {
    const text = template({
      bucket: 'orders-data',
      statements: DENY_HTTP(
        `              - !ImportValue SharedBucketArn\n              - !Sub ['\${Base}/*', {Base: !ImportValue SharedBucketArn}]`,
      ),
    });
    const e = policyEntry(text);
    const [v] = e.analysis?.verdicts ?? [];
    assert.equal(v.complete, false, 'the verdict is not a definite answer');
    assert.deepEqual(e.dependsOn, ['ImportValue SharedBucketArn']);
    const dep = e.findings.find(f => f.ruleId === 'TPL-006');
    assert.ok(dep);
    assert.equal(covered(text, dep.span), '!ImportValue SharedBucketArn');
    assert.match(dep.message, /depends on \$\{ImportValue SharedBucketArn\}/);
    // What the verdict would say is told as a consequence of the assumption, not as a warning.
    const tls = e.findings.filter(f => f.ruleId.startsWith('TLS'));
    assert.ok(tls.length > 0);
    for (const f of tls) {
      assert.equal(f.severity, 'info');
      assert.match(f.message, /^If \$\{ImportValue SharedBucketArn\} is a value of its own: /);
    }
    assert.equal(e.findings.filter(f => f.ruleId.startsWith('GRM')).length, 0, 'no grammar finding on the import ("not an ARN")');
  });

  it('never "enforced" because of a guess: a Deny whose NotResource is a parameter depends on it', () => {
    const text = template({
      bucket: 'orders-data',
      parameters: '  Excluded:\n    Type: String\n',
      statements: `          - Sid: DenyHttp
            Effect: Deny
            Principal: '*'
            Action: 's3:*'
            NotResource: !Ref Excluded
            Condition:
              Bool:
                aws:SecureTransport: 'false'`,
    });
    const e = policyEntry(text);
    const [v] = e.analysis?.verdicts ?? [];
    assert.equal(v.transport.http, 'denied', 'as if Excluded matched nothing of this bucket');
    assert.equal(v.complete, false, 'but that is an assumption: not a definite "enforced"');
    assert.deepEqual(e.dependsOn, ['Excluded']);
  });

  it('a whole statement under Fn::If may or may not be there: the verdict depends on the condition', () => {
    const text = template({
      bucket: 'orders-data',
      statements: `          - !If
            - IsProd
            - Sid: DenyHttp
              Effect: Deny
              Principal: '*'
              Action: 's3:*'
              Resource: [arn:aws:s3:::orders-data, arn:aws:s3:::orders-data/*]
              Condition:
                Bool:
                  aws:SecureTransport: 'false'
            - !Ref AWS::NoValue`,
    });
    const e = policyEntry(text);
    assert.deepEqual(e.dependsOn, ['Fn::If IsProd']);
    assert.equal(e.analysis?.verdicts?.[0].complete, false);
    assert.ok(
      e.findings.filter(f => f.ruleId.startsWith('TLS')).every(f => f.severity === 'info'),
      'no "not enforced" warning',
    );
  });

  it('the same policy with literal values gets a definite verdict (the assumption is the only difference)', () => {
    const text = template({
      bucket: 'orders-data',
      statements: DENY_HTTP(`              - arn:aws:s3:::shared\n              - arn:aws:s3:::shared/*`),
    });
    const e = policyEntry(text);
    const [v] = e.analysis?.verdicts ?? [];
    assert.equal(v.transport.http, 'allowed');
    assert.equal(v.complete, true);
    assert.ok(e.findings.some(f => f.ruleId.startsWith('TLS') && f.severity === 'warning'));
  });

  it('a key pinned with !GetAtt Key.Arn is pinned to that key, named as the template names it', () => {
    const e = policyEntry(
      template({
        bucket: 'orders-data',
        statements: `          - Sid: PinKey
            Effect: Deny
            Principal: '*'
            Action: s3:PutObject
            Resource: arn:aws:s3:::orders-data/*
            Condition:
              StringNotEquals:
                s3:x-amz-server-side-encryption-aws-kms-key-id: !GetAtt DataKey.Arn`,
        extra: `  DataKey:\n    Type: AWS::KMS::Key\n    Properties:\n      EnableKeyRotation: true\n`,
      }),
    );
    const [v] = e.analysis?.verdicts ?? [];
    assert.equal(v.encryption.summary, 'sse-kms-key-pinned');
    assert.ok(v.encryption.uploads.some(u => u.kmsKey === '${DataKey.Arn}' && u.decision === 'not-denied'));
    assert.equal(e.dependsOn, undefined);
  });

  it('the stack account in a key policy is one account: the verdict is that of a literal account', () => {
    const keyTemplate = (principal: string) => `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  DataKey:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
      KeyPolicy:
        Version: '2012-10-17'
        Statement:
          - Sid: Root
            Effect: Allow
            Principal:
              AWS: ${principal}
            Action: 'kms:*'
            Resource: '*'
          - Sid: S3
            Effect: Allow
            Principal:
              AWS: '*'
            Action: [kms:GenerateDataKey, kms:Decrypt]
            Resource: '*'
            Condition:
              StringEquals:
                kms:ViaService: s3.us-east-1.amazonaws.com
                kms:CallerAccount: ${principal.includes('Sub') ? "!Ref 'AWS::AccountId'" : "'111122223333'"}
`;
    const sym = analyzeTemplate(keyTemplate("!Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'"), 'k.yaml').entries[0];
    const lit = analyzeTemplate(keyTemplate("'arn:aws:iam::111122223333:root'"), 'k.yaml').entries[0];
    const kv = sym.analysis?.keyVerdict;
    const lv = lit.analysis?.keyVerdict;
    assert.ok(kv && lv);
    assert.equal(kv.lockout, lv.lockout);
    assert.equal(kv.openToOtherAccounts.value, lv.openToOtherAccounts.value);
    assert.equal(kv.openToAnonymous.value, lv.openToAnonymous.value);
    assert.equal(kv.s3CanUse.value, lv.s3CanUse.value);
    assert.deepEqual(kv.administrators, ['arn:aws:iam::${AWS::AccountId}:root']);
    assert.equal(sym.dependsOn, undefined);
    assert.deepEqual(sym.findings.map(f => f.ruleId).sort(), lit.findings.map(f => f.ruleId).sort());
  });
});
