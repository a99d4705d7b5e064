// Infrastructure templates through the built language server over stdio: a CloudFormation YAML
// template, a CloudFormation JSON template, a CDK output and a Terraform module get diagnostics at the
// place of the offending value, quick fixes written in the template's syntax, a verdict CodeLens
// above each policy, Explain and the status bar for the policy under the cursor; a keystroke inside
// one policy re-analyses that policy only; YAML that is not a template gets nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ExplainReport } from '../../protocol/protocol';
import type { LiveAnalyzeResult } from '../../protocol/protocol';
import { LspClient, type PublishedDiagnostics } from './lsp-client';

type Pos = { line: number; character: number };
type Range = { start: Pos; end: Pos };
type Edit = { range: Range; newText: string };
interface Action {
  title: string;
  isPreferred?: boolean;
  edit?: { changes: Record<string, Edit[]> };
}
interface Lens {
  range: Range;
  command: { title: string; command: string; arguments?: unknown[] };
}

/** The position of `offset` in `text`. */
function pos(text: string, offset: number): Pos {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

/** The range of the `nth` occurrence (0-based) of `needle` in `text`. */
function rangeOf(text: string, needle: string, nth = 0): Range {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `${JSON.stringify(needle)} occurs ${nth + 1} times`);
  }
  return { start: pos(text, at), end: pos(text, at + needle.length) };
}

function offsetOf(text: string, p: Pos): number {
  const lines = text.split('\n');
  return lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
}

/** Apply LSP edits to a text (from the end, so that earlier positions stay valid). */
function applyEdits(text: string, edits: Edit[]): string {
  for (const e of [...edits].sort((a, b) => offsetOf(text, b.range.start) - offsetOf(text, a.range.start)))
    text = text.slice(0, offsetOf(text, e.range.start)) + e.newText + text.slice(offsetOf(text, e.range.end));
  return text;
}

const ours = (p: PublishedDiagnostics) => p.diagnostics.filter(d => d.source === 's3-encryption-guard');

/** A bucket policy statement denying HTTP, in YAML, at the indentation of a Statement list. */
const YAML = `AWSTemplateFormatVersion: '2010-09-09'
Description: Two buckets and a key
Resources:
  DataBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: data-bucket
  DataBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref DataBucket
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Sid: DenyHttp
            Effect: deny
            Principal: '*'
            Action: 's3:*'
            Resource:
              - !GetAtt DataBucket.Arn
              - !Sub '\${DataBucket.Arn}/*'
            Condition:
              Bool:
                'aws:SecureTransport': 'false'
  LogsBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: logs-bucket
  LogsBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref LogsBucket
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Sid: DenyHttp
            Effect: Deny
            Principal: '*'
            Action: 's3:*'
            Resource:
              - 'arn:aws:s3:::logs-bucket'
              - 'arn:aws:s3:::logs-bucket/*'
            Condition:
              Bool:
                'aws:SecureTransport': 'false'
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
              AWS: 'arn:aws:iam::111122223333:root'
            Action: 'kms:*'
            Resource: '*'
`;

/** The same first policy in a CloudFormation JSON template. */
const CFN_JSON = JSON.stringify(
  {
    AWSTemplateFormatVersion: '2010-09-09',
    Resources: {
      DataBucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'json-bucket' } },
      DataBucketPolicy: {
        Type: 'AWS::S3::BucketPolicy',
        Properties: {
          Bucket: { Ref: 'DataBucket' },
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'DenyHttp',
                Effect: 'deny',
                Principal: '*',
                Action: 's3:*',
                Resource: ['arn:aws:s3:::json-bucket', 'arn:aws:s3:::json-bucket/*'],
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              },
            ],
          },
        },
      },
    },
  },
  null,
  2,
);

/** What `cdk synth` writes: no AWSTemplateFormatVersion, Fn::Join ARNs, CDK metadata. */
const CDK = JSON.stringify(
  {
    Resources: {
      DataBucketE3889A50: {
        Type: 'AWS::S3::Bucket',
        Properties: { BucketName: 'cdk-data-bucket' },
        UpdateReplacePolicy: 'Retain',
        DeletionPolicy: 'Retain',
        Metadata: { 'aws:cdk:path': 'Stack/DataBucket/Resource' },
      },
      DataBucketPolicy8C1BBA5B: {
        Type: 'AWS::S3::BucketPolicy',
        Properties: {
          Bucket: { Ref: 'DataBucketE3889A50' },
          PolicyDocument: {
            Statement: [
              {
                Action: 's3:GetObject',
                Effect: 'Allow',
                Principal: { AWS: 'arn:aws:iam::111122223333:root' },
                Resource: { 'Fn::GetAtt': ['DataBucketE3889A50', 'Arn'] },
              },
            ],
            Version: '2012-10-17',
          },
        },
        Metadata: { 'aws:cdk:path': 'Stack/DataBucket/Policy/Resource' },
      },
    },
    Parameters: { BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' } },
  },
  null,
  1,
);

/** A Terraform module: a jsonencode policy, an aws_iam_policy_document and a KMS key. */
const TF = `resource "aws_s3_bucket" "data" {
  bucket = "tf-data-bucket"
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyHttp"
        Effect    = "deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.data.arn, "\${aws_s3_bucket.data.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      }
    ]
  })
}

resource "aws_s3_bucket" "logs" {
  bucket = "tf-logs-bucket"
}

data "aws_iam_policy_document" "logs" {
  statement {
    sid     = "DenyHttp"
    effect  = "Deny"
    actions = ["s3:*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    resources = [aws_s3_bucket.logs.arn, "\${aws_s3_bucket.logs.arn}/*"]
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = data.aws_iam_policy_document.logs.json
}
`;

describe('templates in the language server', () => {
  let client: LspClient;
  before(async () => {
    client = new LspClient();
    await client.initialize(true, { debounceMs: 0 });
  });
  after(() => client.kill());

  it('YAML: the finding is at the offending scalar, its quick fix is YAML, and the fixed template is clean', async () => {
    const uri = 'file:///work/infra/stack.yaml';
    await client.open(uri, YAML, 1, 'yaml');
    const p = await client.diagnostics(uri, 1);
    const grm003 = ours(p).filter(d => d.code === 'GRM-003');
    assert.equal(grm003.length, 1, JSON.stringify(p.diagnostics));
    assert.deepEqual(grm003[0].range, rangeOf(YAML, 'deny'));
    for (const d of p.diagnostics) {
      assert.equal(d.source, 's3-encryption-guard');
      assert.notDeepEqual(d.range.start, { line: 0, character: 0 }, `${d.code} is not pinned at 1:1`);
    }
    const actions = (await client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: grm003[0].range,
      context: { diagnostics: grm003, only: ['quickfix'] },
    })) as Action[];
    const fix = actions.find(a => a.isPreferred && a.edit);
    assert.ok(fix, `a preferred fix among ${actions.map(a => a.title).join(', ')}`);
    const fixed = applyEdits(YAML, fix.edit!.changes[uri]);
    assert.ok(fixed.includes('            Effect: Deny\n'), fixed);
    await client.change(uri, 2, fixed);
    const again = await client.diagnostics(uri, 2);
    assert.deepEqual(
      ours(again).filter(d => d.code === 'GRM-003'),
      [],
    );
  });

  it('a verdict CodeLens above each policy, running Explain on that policy', async () => {
    const uri = 'file:///work/infra/lenses.yaml';
    await client.open(uri, YAML.replace('Effect: deny', 'Effect: Deny'), 1, 'yaml');
    await client.diagnostics(uri, 1);
    const lenses = (await client.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as Lens[];
    const text = YAML;
    assert.deepEqual(
      lenses.map(l => l.range.start.line),
      [0, 1, 2].map(n => rangeOf(text, "Version: '2012-10-17'", n).start.line),
      JSON.stringify(lenses),
    );
    assert.deepEqual(
      lenses.map(l => l.command.arguments?.[2]),
      [
        'Resources.DataBucketPolicy.Properties.PolicyDocument',
        'Resources.LogsBucketPolicy.Properties.PolicyDocument',
        'Resources.DataKey.Properties.KeyPolicy',
      ],
    );
    assert.match(lenses[0].command.title, /HTTPS: enforced/);
    assert.equal(lenses[0].command.arguments?.[1], 'data-bucket');
    assert.equal(lenses[1].command.arguments?.[1], 'logs-bucket');
    for (const l of lenses) assert.equal(l.command.command, 's3EncryptionGuard.explain');
  });

  it('Explain and the status bar answer for the policy under the cursor', async () => {
    const uri = 'file:///work/infra/explain.yaml';
    await client.open(uri, YAML, 1, 'yaml');
    await client.diagnostics(uri, 1);
    const inLogs = rangeOf(YAML, 'logs-bucket/*').start;
    const { report } = (await client.conn.sendRequest('s3EncryptionGuard/explain', { uri, at: inLogs })) as {
      report: ExplainReport;
    };
    assert.equal(report.location, 'Resources.LogsBucketPolicy.Properties.PolicyDocument');
    assert.equal(report.kind, 'bucket-policy');
    assert.equal(report.sections.length, 1);
    assert.match(report.sections[0].heading, /logs-bucket/);
    // Statement links reveal the statement in the template.
    const sid = report.statements[0];
    assert.ok(sid);
    assert.ok(sid.range.start.line >= rangeOf(YAML, 'LogsBucketPolicy').start.line, JSON.stringify(sid.range));
    assert.ok(sid.range.start.line < rangeOf(YAML, 'DataKey:').start.line, JSON.stringify(sid.range));

    // By location, as the CodeLens asks.
    const byName = (await client.conn.sendRequest('s3EncryptionGuard/explain', {
      uri,
      at: 'Resources.DataKey.Properties.KeyPolicy',
    })) as { report: ExplainReport };
    assert.equal(byName.report.kind, 'key-policy');

    // Outside every policy: a message, no report.
    const outside = (await client.conn.sendRequest('s3EncryptionGuard/explain', { uri, at: { line: 1, character: 3 } })) as {
      report: ExplainReport;
    };
    assert.equal(outside.report.sections.length, 0);
    assert.match(outside.report.message ?? '', /not inside a bucket policy or key policy/);

    const status = (await client.conn.sendRequest('s3EncryptionGuard/analyze', { uri, position: inLogs })) as LiveAnalyzeResult;
    assert.equal(status.location, 'Resources.LogsBucketPolicy.Properties.PolicyDocument');
    assert.equal(status.kind, 'bucket-policy');
    assert.match(status.summary[0], /HTTPS: enforced/);
    const first = (await client.conn.sendRequest('s3EncryptionGuard/analyze', {
      uri,
      position: rangeOf(YAML, 'Effect: deny').start,
    })) as LiveAnalyzeResult;
    assert.equal(first.location, 'Resources.DataBucketPolicy.Properties.PolicyDocument');
    assert.ok(first.diagnostics.some(d => d.code === 'GRM-003' && d.range.start.line === rangeOf(YAML, 'deny').start.line));
  });

  it('hover on a finding and on a policy; completion outside a policy offers nothing', async () => {
    const uri = 'file:///work/infra/hover.yaml';
    await client.open(uri, YAML, 1, 'yaml');
    await client.diagnostics(uri, 1);
    const onFinding = (await client.conn.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position: rangeOf(YAML, 'deny').start,
    })) as { contents: { value: string } } | null;
    assert.ok(onFinding);
    assert.match(onFinding.contents.value, /GRM\\?-003/);
    assert.match(onFinding.contents.value, /Resources\.DataBucketPolicy\.Properties\.PolicyDocument/);
    const outside = await client.conn.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position: { line: 1, character: 2 },
    });
    assert.equal(outside, null);
    const completion = await client.conn.sendRequest('textDocument/completion', {
      textDocument: { uri },
      position: { line: 1, character: 2 },
    });
    assert.equal(completion, null);
  });

  it('a keystroke inside one policy re-analyses that policy only', async () => {
    const uri = 'file:///work/infra/keystroke.yaml';
    await client.open(uri, YAML, 1, 'yaml');
    await client.diagnostics(uri, 1);
    const before = await client.idle();
    // Typing in the second policy's Sid.
    await client.change(
      uri,
      2,
      YAML.replace('          - Sid: DenyHttp\n            Effect: Deny', '          - Sid: DenyHttpX\n            Effect: Deny'),
    );
    // (The diagnostics do not change: the server does not send them again, so wait for it to be idle.)
    const afterOne = await client.idle();
    assert.equal(afterOne.templateAnalyses - before.templateAnalyses, 1, 'the template is analysed once');
    assert.equal(afterOne.templatePolicyAnalyses - before.templatePolicyAnalyses, 1, 'one policy analysed afresh');
    // Outside every policy (the description): no policy analysed afresh.
    await client.change(
      uri,
      3,
      YAML.replace('Two buckets', 'Two buckets!').replace(
        'Sid: DenyHttp\n            Effect: Deny',
        'Sid: DenyHttpX\n            Effect: Deny',
      ),
    );
    const afterTwo = await client.idle();
    assert.equal(afterTwo.templatePolicyAnalyses - afterOne.templatePolicyAnalyses, 0);
  });

  it('CloudFormation JSON and CDK output: findings at the offending value, completion inside the policy', async () => {
    const uri = 'file:///work/infra/stack.template.json';
    await client.open(uri, CFN_JSON, 1, 'json');
    const p = await client.diagnostics(uri, 1);
    const grm003 = ours(p).filter(d => d.code === 'GRM-003');
    assert.equal(grm003.length, 1, JSON.stringify(p.diagnostics));
    assert.deepEqual(grm003[0].range, rangeOf(CFN_JSON, '"deny"'));
    const lenses = (await client.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as Lens[];
    assert.equal(lenses.length, 1);
    assert.equal(lenses[0].command.arguments?.[2], 'Resources.DataBucketPolicy.Properties.PolicyDocument');

    // Completion inside the policy (written as JSON here), nothing outside it.
    const inAction = rangeOf(CFN_JSON, '"s3:*"').start;
    const items = (await client.conn.sendRequest('textDocument/completion', {
      textDocument: { uri },
      position: { line: inAction.line, character: inAction.character + 4 },
    })) as { items: { label: string }[] } | null;
    assert.ok(items && items.items.some(i => i.label === 's3:PutObject'), JSON.stringify(items?.items.slice(0, 5)));
    const outside = await client.conn.sendRequest('textDocument/completion', {
      textDocument: { uri },
      position: rangeOf(CFN_JSON, '"AWSTemplateFormatVersion"').end,
    });
    assert.equal(outside, null);

    const cdk = 'file:///work/cdk.out/Stack.template.json';
    await client.open(cdk, CDK, 1, 'json');
    const c = await client.diagnostics(cdk, 1);
    const cdkLenses = (await client.conn.sendRequest('textDocument/codeLens', { textDocument: { uri: cdk } })) as Lens[];
    assert.equal(cdkLenses.length, 1, JSON.stringify(cdkLenses));
    assert.equal(cdkLenses[0].command.arguments?.[2], 'Resources.DataBucketPolicy8C1BBA5B.Properties.PolicyDocument');
    assert.match(cdkLenses[0].command.title, /HTTPS: not enforced/);
    assert.ok(
      ours(c).some(d => d.code === 'TLS-001'),
      JSON.stringify(c.diagnostics.map(d => d.code)),
    );
  });

  it('Terraform: findings at the HCL expression, an HCL quick fix, a lens per policy, one policy re-analysed per keystroke', async () => {
    const uri = 'file:///work/infra/main.tf';
    await client.open(uri, TF, 1, 'terraform');
    const p = await client.diagnostics(uri, 1);
    const grm003 = ours(p).filter(d => d.code === 'GRM-003');
    assert.equal(grm003.length, 1, JSON.stringify(p.diagnostics));
    assert.deepEqual(grm003[0].range, rangeOf(TF, '"deny"'));
    const actions = (await client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: grm003[0].range,
      context: { diagnostics: grm003, only: ['quickfix'] },
    })) as Action[];
    const fix = actions.find(a => a.isPreferred && a.edit);
    assert.ok(fix, `a preferred fix among ${actions.map(a => a.title).join(', ')}`);
    const fixed = applyEdits(TF, fix.edit!.changes[uri]);
    assert.ok(fixed.includes('Effect    = "Deny"'), fixed);

    const lenses = (await client.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as Lens[];
    assert.deepEqual(
      lenses.map(l => l.command.arguments?.[2]).sort(),
      ['aws_s3_bucket_policy.data', 'data.aws_iam_policy_document.logs'].sort(),
      JSON.stringify(lenses),
    );
    const logs = lenses.find(l => l.command.arguments?.[2] === 'data.aws_iam_policy_document.logs')!;
    assert.match(logs.command.title, /HTTPS: enforced/);
    assert.equal(logs.command.arguments?.[1], 'tf-logs-bucket');

    const before = await client.idle();
    await client.change(uri, 2, fixed);
    const after = await client.diagnostics(uri, 2);
    assert.deepEqual(
      ours(after).filter(d => d.code === 'GRM-003'),
      [],
    );
    const stats = await client.idle();
    assert.equal(stats.templatePolicyAnalyses - before.templatePolicyAnalyses, 1, 'only the edited policy is analysed again');
  });

  it('the template as a whole keeps to s3EncryptionGuard.maxDiagnostics, and says how many it left out', async () => {
    const capped = new LspClient();
    try {
      await capped.initialize(false, { settings: { maxDiagnostics: 2 }, debounceMs: 0 });
      const uri = 'file:///work/infra/capped.yaml';
      // Two policies with a lower-case Effect each, and their TLS-001: four findings at least.
      const text = YAML.replace('Effect: Deny', 'Effect: deny');
      await capped.open(uri, text, 1, 'yaml');
      const p = await capped.diagnostics(uri, 1);
      assert.deepEqual(
        p.diagnostics.map(d => d.code),
        [...p.diagnostics.slice(0, 2).map(d => d.code), 'analysis-limit'],
      );
      assert.match(p.diagnostics[2].message, /^\d+ more problems in this template are not shown \(limit 2/);
    } finally {
      capped.kill();
    }
  });

  it('YAML that is not a template (CI, Kubernetes) gets nothing', async () => {
    const ci = 'file:///work/.github/workflows/ci.yml';
    const k8s = 'file:///work/deploy/bucket.yaml';
    const before = await client.idle();
    await client.open(ci, 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps: [{ run: npm test }]\n', 1, 'yaml');
    await client.open(
      k8s,
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: s3 }\ndata:\n  policy: \'{"Version": "2012-10-17", "Statement": []}\'\n',
      1,
      'yaml',
    );
    for (const uri of [ci, k8s]) {
      assert.deepEqual((await client.diagnostics(uri, 1)).diagnostics, []);
      assert.deepEqual(await client.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } }), []);
      assert.equal(
        await client.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } }),
        null,
      );
    }
    const after = await client.idle();
    assert.equal(after.analyses - before.analyses, 2, 'each was looked at once');
    assert.equal(after.templateAnalyses, before.templateAnalyses, 'no template analysis ran');
  });
});
