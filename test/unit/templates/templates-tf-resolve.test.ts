// Terraform: values resolved from the module itself (variables with defaults, locals, bucket names
// and ARNs, interpolation, format/join/concat), unresolved values as placeholders with their
// ranges, policy documents merged as the AWS provider merges them, and the resources around the
// policies (buckets, encryption settings, public access blocks, keys).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyzeTemplate } from '../../../core/templates/analyze';
import { initTerraform } from '../../../core/templates/terraform';
import { sameTfScan } from './same-scan';
import { placeholder, type EmbeddedPolicy } from '../../../core/templates/types';

const at = (text: string, span: { offset: number; length: number }) => text.slice(span.offset, span.offset + span.length);
const statements = (p: EmbeddedPolicy) => (JSON.parse(p.json) as { Statement: Record<string, unknown>[] }).Statement;

const MODULE = `variable "env" {
  default = "prod"
}
variable "reader_arn" {
  type = string
}
locals {
  bucket = "orders-\${var.env}"
  arns   = concat([aws_s3_bucket.data.arn], ["\${aws_s3_bucket.data.arn}/*"])
  loop_a = local.loop_b
  loop_b = local.loop_a
}
resource "aws_s3_bucket" "data" {
  bucket = local.bucket
}
resource "aws_kms_key" "data" {
  description         = "orders"
  enable_key_rotation = true
  key_spec            = "SYMMETRIC_DEFAULT"
}
resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyHttp"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = local.arns
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
      {
        Sid       = "PinKey"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:PutObject"
        Resource  = "\${aws_s3_bucket.data.arn}/*"
        Condition = {
          StringNotEquals = { "s3:x-amz-server-side-encryption-aws-kms-key-id" = aws_kms_key.data.arn }
        }
      },
      {
        Sid       = "Read"
        Effect    = "Allow"
        Principal = { AWS = var.reader_arn }
        Action    = ["s3:GetObject"]
        Resource  = format("%s/%s", aws_s3_bucket.data.arn, join("", ["*"]))
        Condition = { StringEquals = { "aws:SourceVpce" = local.loop_a } }
      },
    ]
  })
}
`;

describe('Terraform values', () => {
  before(() => initTerraform());

  it('resolves variables with defaults, locals, bucket ARNs, interpolation, format, join and concat', () => {
    const scan = sameTfScan(MODULE);
    assert.deepEqual(scan.errors, []);
    const p = scan.policies.find(x => x.location === 'aws_s3_bucket_policy.data')!;
    assert.equal(p.bucketName, 'orders-prod');
    assert.equal(p.attachedTo, 'aws_s3_bucket.data');
    const [deny, pin, read] = statements(p);
    assert.deepEqual(deny.Resource, ['arn:aws:s3:::orders-prod', 'arn:aws:s3:::orders-prod/*']);
    assert.equal(pin.Resource, 'arn:aws:s3:::orders-prod/*');
    assert.equal(read.Resource, 'arn:aws:s3:::orders-prod/*');
  });

  it('makes placeholders of what the module does not fix, named as written, at their range', () => {
    const scan = sameTfScan(MODULE);
    const p = scan.policies.find(x => x.location === 'aws_s3_bucket_policy.data')!;
    const [, pin, read] = statements(p);
    const keyId = (pin.Condition as Record<string, Record<string, string>>).StringNotEquals[
      's3:x-amz-server-side-encryption-aws-kms-key-id'
    ];
    assert.equal(keyId, placeholder('aws_kms_key.data.arn'));
    assert.deepEqual(read.Principal, { AWS: placeholder('var.reader_arn') });
    // A cycle through locals is a value we cannot know, not a hang.
    assert.equal(
      (read.Condition as Record<string, Record<string, string>>).StringEquals['aws:SourceVpce'],
      placeholder('local.loop_a'),
    );
    const byName = new Map(p.unresolved.map(u => [u.name, u]));
    assert.equal(at(MODULE, byName.get('aws_kms_key.data.arn')!.span), 'aws_kms_key.data.arn');
    assert.equal(byName.get('aws_kms_key.data.arn')!.symbolic, true, 'a key of this module: one value');
    assert.equal(at(MODULE, byName.get('var.reader_arn')!.span), 'var.reader_arn');
    assert.equal(byName.get('var.reader_arn')!.symbolic, false, 'a variable without default could be anything');
    assert.ok(byName.has('local.loop_a'));
  });

  it('analyses with placeholders: the verdict says what it rests on', () => {
    const a = analyzeTemplate(MODULE, 'main.tf');
    const e = a.entries.find(x => x.location === 'aws_s3_bucket_policy.data')!;
    assert.equal(e.analysis!.verdicts![0].transport.http, 'denied', 'HTTPS enforced by literal values');
    // The values it could not fix are the policy's, named as written, for the verdict to weigh.
    assert.deepEqual(e.policy!.unresolved.map(u => u.name).sort(), ['aws_kms_key.data.arn', 'local.loop_a', 'var.reader_arn']);
    // Findings point into the template, never at 0:0.
    for (const f of e.findings)
      assert.ok(f.span.offset >= MODULE.indexOf('resource "aws_s3_bucket_policy"'), `${f.ruleId} at ${f.span.offset}`);
  });

  it('links buckets, their encryption settings, public access block and keys', () => {
    const tf = `resource "aws_s3_bucket" "logs" {
  bucket = "orders-logs"
}
resource "aws_kms_key" "k" {
  enable_key_rotation      = false
  customer_master_key_spec = "SYMMETRIC_DEFAULT"
}
resource "aws_kms_key_policy" "k" {
  key_id = aws_kms_key.k.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [] })
}
resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.bucket
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.k.arn
    }
    bucket_key_enabled       = true
    blocked_encryption_types = ["SSE-C"]
  }
}
resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = "orders-logs"
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = false
  restrict_public_buckets = true
}
resource "aws_s3_bucket_server_side_encryption_configuration" "elsewhere" {
  bucket = var.bucket
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}
`;
    const scan = sameTfScan(tf);
    assert.deepEqual(scan.errors, []);
    const logs = scan.buckets.find(b => b.logicalId === 'aws_s3_bucket.logs')!;
    assert.equal(logs.bucketName, 'orders-logs');
    const enc = logs.encryption!;
    assert.equal(enc.location, 'aws_s3_bucket_server_side_encryption_configuration.logs');
    assert.equal(enc.sseAlgorithm!.value, 'aws:kms');
    assert.equal(at(tf, enc.sseAlgorithm!.span), '"aws:kms"');
    assert.equal(enc.kmsMasterKeyId!.value, placeholder('aws_kms_key.k.arn'));
    assert.equal(at(tf, enc.kmsMasterKeyId!.span), 'aws_kms_key.k.arn');
    assert.deepEqual(enc.bucketKeyEnabled, { value: true, span: enc.bucketKeyEnabled!.span });
    assert.deepEqual(enc.blockedEncryptionTypes!.value, ['SSE-C']);
    assert.equal(logs.publicAccessBlock!.location, 'aws_s3_bucket_public_access_block.logs', 'linked by literal name');
    assert.equal(logs.publicAccessBlock!.ignorePublicAcls, false);
    assert.equal(logs.publicAccessBlock!.blockPublicAcls, true);
    const other = scan.buckets.find(b => b.location === 'aws_s3_bucket_server_side_encryption_configuration.elsewhere')!;
    assert.equal(other.logicalId, 'var.bucket', 'a bucket of another module keeps its settings');
    assert.equal(other.encryption!.sseAlgorithm!.value, 'AES256');
    const key = scan.keys.find(k => k.logicalId === 'aws_kms_key.k')!;
    assert.equal(key.enableKeyRotation!.value, false);
    assert.equal(at(tf, key.enableKeyRotation!.span), 'false');
    assert.equal(key.keySpec!.value, 'SYMMETRIC_DEFAULT');
    assert.equal(key.policyLocation, 'aws_kms_key_policy.k');
    const kp = scan.policies.find(p => p.kind === 'key-policy')!;
    assert.equal(kp.attachedTo, 'aws_kms_key.k');
  });
});

describe('aws_iam_policy_document merging (source_policy_documents, override_policy_documents)', () => {
  before(() => initTerraform());

  const tf = `data "aws_iam_policy_document" "base" {
  statement {
    sid       = "A"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::b/*"]
  }
  statement {
    sid       = "B"
    actions   = ["s3:ListBucket"]
    resources = ["arn:aws:s3:::b"]
  }
}
data "aws_iam_policy_document" "extra" {
  statement {
    sid       = "B"
    effect    = "Deny"
    actions   = ["s3:ListBucket"]
    resources = ["arn:aws:s3:::b"]
  }
  statement {
    actions   = ["s3:PutObject"]
    resources = ["arn:aws:s3:::b/*"]
  }
}
data "aws_iam_policy_document" "main" {
  source_policy_documents   = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [data.aws_iam_policy_document.extra.json, jsonencode({ Statement = [{ Sid = "C", Effect = "Allow", Action = "s3:GetObjectTagging", Resource = "*" }] })]
  statement {
    sid       = "A"
    effect    = "Deny"
    actions   = ["s3:GetObject", "s3:GetObject", "s3:GetObjectVersion"]
    resources = ["arn:aws:s3:::b/*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::444455556666:root"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
  statement {
    sid       = "D"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::b/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}
resource "aws_s3_bucket_policy" "b" {
  bucket = "b"
  policy = data.aws_iam_policy_document.main.json
}
data "aws_iam_policy_document" "loop" {
  source_policy_documents = [data.aws_iam_policy_document.loop.json]
}
resource "aws_s3_bucket_policy" "loop" {
  bucket = "b"
  policy = data.aws_iam_policy_document.loop.json
}
`;

  it('sources first, then the statements (a Sid replaces the source one in place), then overrides', () => {
    const scan = sameTfScan(tf);
    const p = scan.policies.find(x => x.location === 'data.aws_iam_policy_document.main')!;
    assert.equal(p.syntax, 'hcl-policy-document');
    const doc = JSON.parse(p.json) as { Version: string; Statement: Record<string, unknown>[] };
    assert.equal(doc.Version, '2012-10-17', 'the provider default');
    assert.deepEqual(
      doc.Statement.map(s => [s.Sid, s.Effect]),
      [
        ['A', 'Deny'], // this document's A replaced base's A where it stood
        ['B', 'Deny'], // extra's B (an override) replaced base's B
        ['D', 'Allow'],
        [undefined, 'Allow'], // extra's statement without Sid: added
        ['C', 'Allow'], // from a jsonencode override
      ],
    );
    const a = doc.Statement[0];
    assert.deepEqual(a.Action, ['s3:GetObject', 's3:GetObjectVersion'], 'a set: duplicates once');
    assert.deepEqual(a.Principal, { AWS: ['arn:aws:iam::111122223333:root', 'arn:aws:iam::444455556666:root'] });
    assert.deepEqual(a.Condition, { Bool: { 'aws:SecureTransport': 'false' } }, 'one value: a string');
    assert.equal(a.Resource, 'arn:aws:s3:::b/*', 'one value: a string');
    assert.equal(doc.Statement[2].Principal, '*', 'type "*" with identifiers ["*"] is "*"');
  });

  it('ranges: a finding on a statement value lands on the HCL value, in whichever document wrote it', () => {
    const scan = sameTfScan(tf);
    const p = scan.policies.find(x => x.location === 'data.aws_iam_policy_document.main')!;
    const json = p.json;
    const span = (needle: string, nth = 0) => {
      let i = -1;
      for (let k = 0; k <= nth; k++) i = json.indexOf(needle, i + 1);
      return { offset: i, length: needle.length };
    };
    assert.equal(at(tf, p.toTemplate(span('"s3:GetObjectVersion"'))), '"s3:GetObjectVersion"');
    assert.equal(at(tf, p.toTemplate(span('"aws:SecureTransport"'))), '"aws:SecureTransport"');
    // B came from the override document "extra".
    const b = p.toTemplate(span('"s3:ListBucket"'));
    assert.ok(b.offset > tf.indexOf('"extra"') && b.offset < tf.indexOf('"main"'), 'in extra');
    // C came from JSON text: its range is the whole expression.
    assert.match(at(tf, p.toTemplate(span('"s3:GetObjectTagging"'))), /^jsonencode\(\{ Statement/);
  });

  it('a document that sources itself is cut, said, and does not hang', () => {
    const scan = sameTfScan(tf);
    const p = scan.policies.find(x => x.location === 'data.aws_iam_policy_document.loop')!;
    assert.deepEqual(JSON.parse(p.json).Statement, []);
    assert.ok(p.unresolved.some(u => u.name === 'data.aws_iam_policy_document.loop.json'));
  });
});
