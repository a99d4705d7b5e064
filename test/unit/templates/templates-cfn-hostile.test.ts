// Hostile templates: bounded work, one clear information finding (or the template's own syntax
// errors), never a crash. The deadline only detects hangs; the work is bounded by the limits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIMIT_CODE } from '../../../core/analyze';
import { cloudFormationScanner, MAX_TEMPLATE_DEPTH, MAX_TEMPLATE_SIZE } from '../../../core/templates/cloudformation';
import { analyzeTemplate } from '../../../core/templates/index';
import type { TemplateAnalysis } from '../../../core/templates/types';

const HEAD = "AWSTemplateFormatVersion: '2010-09-09'\n";
const HANG = 10_000;

function run(text: string, fileName = 'stack.yaml'): TemplateAnalysis {
  const t0 = process.hrtime.bigint();
  const a = analyzeTemplate(text, fileName);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.ok(ms < HANG, `finished (${ms.toFixed(0)} ms)`);
  return a;
}

function oneLimit(a: TemplateAnalysis, pattern: RegExp): void {
  assert.equal(a.findings.length, 1, JSON.stringify(a.findings.map(f => f.message)));
  const [f] = a.findings;
  assert.equal(f.ruleId, LIMIT_CODE);
  assert.equal(f.severity, 'info');
  assert.match(f.message, pattern);
  assert.deepEqual(a.entries, []);
}

describe('hostile CloudFormation templates', () => {
  it('a YAML alias bomb stops at the alias limit', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(
        `${cur}: &${cur} [${Array(9)
          .fill('*' + prev)
          .join(', ')}]`,
      );
    }
    oneLimit(run(`${HEAD}${levels.join('\n')}\nResources: {}\n`), /YAML aliases/);
  });

  it('a 10 MB file is refused by its size, without parsing', () => {
    const text = `${HEAD}Resources:\n  B:\n    Type: AWS::S3::Bucket\n${'# padding to ten megabytes\n'.repeat(Math.ceil((10 * 1024 * 1024) / 27))}`;
    assert.ok(text.length > MAX_TEMPLATE_SIZE);
    oneLimit(run(text), /10\.0 MB, over the 2 MB template limit/);
  });

  it('deep flow nesting in YAML and in JSON is refused before the parser', () => {
    oneLimit(
      run(`${HEAD}Resources: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`),
      new RegExp(`more than ${MAX_TEMPLATE_DEPTH} levels`),
    );
    const json = `{"AWSTemplateFormatVersion": "2010-09-09", "Resources": ${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`;
    oneLimit(run(json, 'cdk.out/Deep.template.json'), /levels deep/);
  });

  it('deep block nesting (one dash per level) is refused by the depth limit', () => {
    oneLimit(run(`Resources:\n  B:\n    Type: AWS::S3::Bucket\nDeep:\n${'- '.repeat(20_000)}x\n`), /levels deep/);
  });

  it('invalid UTF-8 (decoded to U+FFFD) is refused with the offset of the first bad byte', () => {
    const bytes = Buffer.concat([
      Buffer.from(`${HEAD}Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: "a`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"\n'),
    ]);
    oneLimit(run(bytes.toString('utf8')), /not valid UTF-8/);
  });

  it('intrinsic functions with the wrong arity or shape become unresolved values, never a crash', () => {
    const text = `${HEAD}Resources:
  B:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Join [only-one]
  P:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !GetAtt [a, b, c, d, e]
      PolicyDocument:
        Version: !If [a]
        Statement:
          - Effect: !Sub {a: b}
            Principal: !Ref [a, b]
            Action: !Select [x, y, z]
            Resource: !FindInMap [A]
            Condition: !Split
  K:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy: !Ref Nothing
      EnableKeyRotation: !Ref X
`;
    const a = run(text);
    assert.deepEqual(a.findings, []);
    const p = a.entries.find(e => e.kind === 'bucket-policy');
    assert.ok(p?.policy);
    assert.ok(p.policy.unresolved.length >= 5, 'each malformed function is an unresolved value');
    assert.ok(p.analysis, 'the engine analysed what could be read');
  });

  it('YAML syntax errors are the template’s own, reported once each, at their place', () => {
    const text = `${HEAD}Resources:\n  X:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      PolicyDocument: {Version: "2012-10-17", Statement: [\n  bad: : :\n`;
    const a = run(text);
    assert.ok(a.findings.length > 0);
    for (const f of a.findings) {
      assert.equal(f.ruleId, 'template-syntax');
      assert.equal(f.severity, 'error');
      assert.ok(f.span.offset > HEAD.length, 'not pinned at 1:1');
    }
  });

  it('a template that is not a mapping, and an empty one, say so once', () => {
    oneLimit(analyzeTemplate('# nothing but a comment\n', 'stack.yaml', {}, { scanner: cloudFormationScanner }), /is empty/);
    const a = run('- AWSTemplateFormatVersion: x\n- Resources: {}\n');
    assert.ok(a.findings.some(f => f.ruleId === LIMIT_CODE && /not a mapping/.test(f.message)));
  });
});
