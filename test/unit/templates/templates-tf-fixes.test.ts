// Terraform: quick-fixes written in HCL. Each fix is applied to the .tf text, the file is parsed
// and analysed again, and the finding must be gone, with no HCL syntax error and the layout of its
// neighbours. Then hostile files: bounded, one clear message, never a crash.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { LIMIT_CODE } from '../../../core/analyze';
import { DEFAULT_REQUIREMENTS } from '../../../core/requirements';
import { analyzeTemplate, TEMPLATE_SYNTAX_CODE } from '../../../core/templates/analyze';
import { initTerraform, scanTerraform, terraformScanner } from '../../../core/templates/terraform';
import { placeholder, type TemplateAnalysis } from '../../../core/templates/types';

const REQ = { requirements: DEFAULT_REQUIREMENTS };
const run = (tf: string): TemplateAnalysis => analyzeTemplate(tf, 'main.tf', REQ, { scanner: terraformScanner });

/** Applies the first fix of the first `ruleId` finding; returns the new text. */
function fix(tf: string, ruleId: string): string {
  const a = run(tf);
  const f = a.entries.flatMap(e => e.findings).find(x => x.ruleId === ruleId && x.fixes.length);
  assert.ok(
    f,
    `a ${ruleId} finding with a fix; found ${a.entries.flatMap(e => e.findings.map(x => `${x.ruleId}(${x.fixes.length})`)).join(' ')}`,
  );
  const edits = [...f.fixes[0].edits].sort((x, y) => y.span.offset - x.span.offset);
  let out = tf;
  for (const e of edits) out = out.slice(0, e.span.offset) + e.newText + out.slice(e.span.offset + e.span.length);
  return out;
}

function clean(tf: string, ruleId: string): TemplateAnalysis {
  const a = run(tf);
  assert.deepEqual(
    a.findings.filter(f => f.ruleId === TEMPLATE_SYNTAX_CODE).map(f => f.message),
    [],
    `valid HCL after the fix:\n${tf}`,
  );
  const ids = a.entries.flatMap(e => e.findings.map(f => f.ruleId));
  assert.ok(!ids.includes(ruleId), `${ruleId} is gone after the fix:\n${tf}`);
  return a;
}

const JSONENCODE = `resource "aws_s3_bucket" "data" {
  bucket = "orders-data"
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "ReadOnly"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:root" }
        Action    = ["s3:GetObjec"]
        Resource  = "\${aws_s3_bucket.data.arn}/*"
      },
    ]
  })
}
`;

describe('Terraform fixes in HCL', () => {
  before(() => initTerraform());

  it('jsonencode: a value fix replaces the HCL string, quoted as HCL', () => {
    const after = fix(JSONENCODE, 'GRM-007');
    assert.ok(after.includes('Action    = ["s3:GetObject"]'), after);
    clean(after, 'GRM-007');
  });

  it('jsonencode: a missing Deny statement is an HCL object like its neighbours, same indentation', () => {
    const after = fix(JSONENCODE, 'TLS-001');
    // Inserted after the existing element (which has a trailing comma), at its indentation, as HCL.
    const inserted = after.slice(after.indexOf('      },\n') + 8, after.indexOf('    ]\n  })'));
    assert.match(inserted, /^\n {6}\{\n {8}Sid = "DenyInsecureTransport"\n/);
    assert.match(inserted, / {8}Condition = \{\n {10}Bool = \{\n {12}"aws:SecureTransport" = "false"\n/);
    assert.ok(!inserted.includes('"Sid":'), 'HCL, not JSON');
    // The bucket's ARN is written as the reference it came from.
    assert.match(inserted, /aws_s3_bucket\.data\.arn/);
    const a = clean(after, 'TLS-001');
    const e = a.entries.find(x => x.kind === 'bucket-policy')!;
    assert.equal(e.analysis!.verdicts![0].transport.http, 'denied');
  });

  it('jsonencode: "/*" added to a reference keeps the reference', () => {
    const tf = JSONENCODE.replace('Action    = ["s3:GetObjec"]', 'Action = "s3:*"')
      .replace('"Allow"', '"Deny"')
      .replace(
        'Principal = { AWS = "arn:aws:iam::111122223333:root" }',
        'Principal = "*"\n        Condition = { Bool = { "aws:SecureTransport" = "false" } }',
      )
      .replace('Resource  = "${aws_s3_bucket.data.arn}/*"', 'Resource  = aws_s3_bucket.data.arn');
    const after = fix(tf, 'TLS-002');
    assert.ok(after.includes('Resource  = [aws_s3_bucket.data.arn, "${aws_s3_bucket.data.arn}/*"]'), after);
    clean(after, 'TLS-002');
  });

  it('heredoc (<<-): fixes are edits inside the heredoc, with its indentation', () => {
    const tf = `resource "aws_s3_bucket_policy" "h" {
  bucket = "orders-data"
  policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "ReadOnly",
          "Effect": "Allow",
          "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
          "Action": "s3:GetObjec",
          "Resource": "arn:aws:s3:::orders-data/*"
        }
      ]
    }
  EOF
}
`;
    const typo = fix(tf, 'GRM-007');
    assert.ok(typo.includes('          "Action": "s3:GetObject",'), typo);
    const after = fix(typo, 'TLS-001');
    assert.match(after, /\n {8}\{\n {10}"Sid": "DenyInsecureTransport",/);
    const a = clean(after, 'TLS-001');
    assert.equal(a.entries[0].analysis!.verdicts![0].transport.http, 'denied');
  });

  it('a quoted JSON string: the fix is escaped for HCL', () => {
    const tf = `resource "aws_s3_bucket_policy" "q" {
  bucket = "orders-data"
  policy = "{\\"Version\\": \\"2012-10-17\\", \\"Statement\\": [{\\"Effect\\": \\"Allow\\", \\"Principal\\": {\\"AWS\\": \\"arn:aws:iam::111122223333:root\\"}, \\"Action\\": \\"s3:GetObjec\\", \\"Resource\\": \\"arn:aws:s3:::orders-data/*\\"}]}"
}
`;
    assert.equal(JSON.parse(scanTerraform(tf).policies[0].json).Statement[0].Action, 's3:GetObjec');
    const after = fix(tf, 'GRM-007');
    assert.ok(after.includes('\\"Action\\": \\"s3:GetObject\\"'), after);
    clean(after, 'GRM-007');
    const withDeny = fix(after, 'TLS-001');
    assert.ok(withDeny.includes('\\"Sid\\": \\"DenyInsecureTransport\\"'), withDeny);
    clean(withDeny, 'TLS-001');
  });

  it('aws_iam_policy_document: a missing Deny is a statement block like its siblings; a value fix edits the list item', () => {
    const tf = `resource "aws_s3_bucket" "data" {
  bucket = "orders-data"
}

data "aws_iam_policy_document" "data" {
  statement {
    sid       = "ReadOnly"
    actions   = ["s3:GetObjec", "s3:ListBucket"]
    resources = [aws_s3_bucket.data.arn, "\${aws_s3_bucket.data.arn}/*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
  }
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = data.aws_iam_policy_document.data.json
}
`;
    const typo = fix(tf, 'GRM-007');
    assert.ok(typo.includes('actions   = ["s3:GetObject", "s3:ListBucket"]'), typo);
    const after = fix(typo, 'TLS-001');
    assert.match(after, /\n  \}\n\n  statement \{\n    sid {7}= "DenyInsecureTransport"\n    effect {4}= "Deny"\n/);
    assert.match(after, /\n    principals \{\n      type {8}= "\*"\n      identifiers = \["\*"\]\n    \}/);
    assert.match(
      after,
      /\n    condition \{\n      test {5}= "Bool"\n      variable = "aws:SecureTransport"\n      values {3}= \["false"\]\n    \}/,
    );
    // The new statement names the bucket by the references its neighbour uses.
    assert.equal(after.split('resources = [aws_s3_bucket.data.arn, "${aws_s3_bucket.data.arn}/*"]').length, 3, after);
    const a = clean(after, 'TLS-001');
    const e = a.entries.find(x => x.kind === 'bucket-policy')!;
    assert.equal(e.analysis!.verdicts![0].transport.http, 'denied');
  });
});

describe('Terraform: hostile files', () => {
  before(() => initTerraform());

  const oneLimit = (a: TemplateAnalysis, pattern: RegExp) => {
    const limits = a.findings.filter(f => f.ruleId === LIMIT_CODE);
    assert.equal(limits.length, 1, 'one information diagnostic');
    assert.equal(limits[0].severity, 'info');
    assert.match(limits[0].message, pattern);
    assert.deepEqual(a.entries, []);
  };

  it('10 MB: not parsed, one phrase', () => {
    oneLimit(run(`# ${'x'.repeat(10 * 1024 * 1024)}\n`), /larger than 2 MB/);
  });

  it('deep nesting: past the depth limit, one phrase', () => {
    const d = 5000;
    oneLimit(run(`locals {\n  x = ${'['.repeat(d)}1${']'.repeat(d)}\n}\n`), /deeper than/);
  });

  it('a jsonencode nested deeper than the evaluator goes: a placeholder, not a stack overflow', () => {
    const d = 90;
    const tf = `resource "aws_kms_key" "k" {\n  policy = jsonencode({ Statement = [], X = ${'{ a = '.repeat(d)}1${' }'.repeat(d)} })\n}\n`;
    const a = run(tf);
    assert.ok(a.entries.length <= 1);
    assert.ok(a.findings.every(f => f.ruleId !== TEMPLATE_SYNTAX_CODE));
  });

  it('bytes that are not UTF-8, and a .tf that is not HCL: syntax errors, no policy, no crash', () => {
    const bad = Buffer.from([0x72, 0x65, 0x73, 0xff, 0xfe, 0x22, 0xc3, 0x28, 0x7b, 0x0a, 0x7d]).toString('utf8');
    for (const text of [
      bad,
      'import os\nprint(os.environ)\n',
      '<html><body>not terraform</body></html>',
      '\u0000'.repeat(1000),
    ]) {
      const a = run(text);
      assert.deepEqual(a.entries, []);
      assert.ok(a.findings.length >= 1 && a.findings.length <= 20, `${a.findings.length} findings`);
      for (const f of a.findings) assert.ok(f.span.offset + f.span.length <= text.length);
    }
  });

  it('a huge heredoc policy: read to its end, analysed by the engine within its own size limit', () => {
    const big = `{"Version": "2012-10-17", "Statement": [${Array.from({ length: 5000 }, (_, i) => `{"Sid": "S${i}", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}`).join(',\n')}]}`;
    const tf = `resource "aws_s3_bucket_policy" "p" {\n  bucket = "b"\n  policy = <<EOF\n${big}\nEOF\n}\n`;
    const scan = scanTerraform(tf);
    assert.equal(scan.policies.length, 1);
    assert.equal(scan.policies[0].json.trim(), big);
    const a = run(tf);
    const e = a.entries[0];
    assert.ok(e.analysis?.notAnalysed, 'the engine says it is too large');
    assert.ok(e.findings.some(f => f.ruleId === LIMIT_CODE));
  });

  it('cycles and self-references between locals and documents end', () => {
    const tf = `locals {\n  a = local.b\n  b = "\${local.a}-x"\n}\nresource "aws_s3_bucket" "b" {\n  bucket = aws_s3_bucket.b.id\n}\nresource "aws_s3_bucket_policy" "p" {\n  bucket = aws_s3_bucket.b.id\n  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Principal = "*", Action = "s3:*", Resource = [local.a, "\${aws_s3_bucket.b.arn}/*"] }] })\n}\n`;
    const scan = scanTerraform(tf);
    const p = scan.policies[0];
    // A bucket named after itself has no name we can know: one symbol, in its ARN and as the policy's bucket.
    assert.equal(p.bucketName, placeholder('aws_s3_bucket.b.bucket'));
    assert.ok(p.unresolved.some(u => u.name === 'local.a'));
    assert.ok(p.unresolved.some(u => u.name === 'aws_s3_bucket.b.bucket' && u.symbolic));
  });
});
