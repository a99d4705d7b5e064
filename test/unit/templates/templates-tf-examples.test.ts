// examples/infra/terraform: the good module gets no warning and the verdicts it is written for; the
// bad one gets the findings its comments describe, at the HCL values, with fixes that keep it valid.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { analyzeTemplate, TEMPLATE_SYNTAX_CODE } from '../../../core/templates/analyze';
import { initTerraform } from '../../../core/templates/terraform';
import { EXAMPLES } from '../../helpers/paths';

const read = (name: string) => fs.readFileSync(path.join(EXAMPLES, 'infra', 'terraform', name, 'main.tf'), 'utf8');
const covered = (text: string, s: { offset: number; length: number }) => text.slice(s.offset, s.offset + s.length);

describe('examples/infra/terraform', () => {
  before(() => initTerraform());

  it('good: HTTPS, TLS 1.2 and SSE-KMS enforced, a key S3 can use, no warning', () => {
    const text = read('good');
    const a = analyzeTemplate(text, 'good/main.tf');
    assert.deepEqual(a.findings, []);
    const bucket = a.entries.find(e => e.location === 'data.aws_iam_policy_document.payments')!;
    const v = bucket.analysis!.verdicts![0];
    assert.equal(v.bucket, 'payments-data-prod');
    assert.equal(v.transport.http, 'denied');
    assert.equal(v.transport.minTlsVersion, '1.2');
    assert.equal(v.encryption.summary, 'sse-kms-only');
    const key = a.entries.find(e => e.location === 'aws_kms_key.payments')!;
    assert.equal(key.analysis!.keyVerdict!.lockout, false);
    assert.equal(key.analysis!.keyVerdict!.s3CanUse.value, true);
    const loud = a.entries.flatMap(e => e.findings).filter(f => f.severity !== 'info');
    assert.deepEqual(
      loud.map(f => `${f.ruleId} ${f.message}`),
      [],
    );
  });

  it('bad: the findings its comments describe, on the HCL values, with fixes that keep it valid HCL', () => {
    const text = read('bad');
    const a = analyzeTemplate(text, 'bad/main.tf');
    assert.deepEqual(a.findings, []);
    const orders = a.entries.find(e => e.location === 'aws_s3_bucket_policy.orders')!;
    const at = (id: string) => covered(text, orders.findings.find(f => f.ruleId === id)!.span);
    assert.equal(at('TLS-002'), '"${aws_s3_bucket.orders.arn}/*"');
    assert.equal(at('ENC-001'), '"aws:kmss"');
    assert.equal(at('GRM-007'), '"s3:GetObjec"');
    // The key without rotation is a finding of its own (a template rule), on the key resource.
    const keySettings = a.entries.find(e => e.location === 'aws_kms_key.orders')!;
    assert.ok(keySettings.findings.some(f => f.ruleId === 'TPL-005'));
    assert.equal(orders.analysis!.verdicts![0].transport.http, 'partly-denied');
    const archive = a.entries.find(e => e.location === 'aws_s3_bucket_policy.archive')!;
    assert.equal(covered(text, archive.findings.find(f => f.ruleId === 'TLS-004')!.span), '"s3:PutObject"');
    for (const e of [orders, archive])
      for (const f of e.findings)
        for (const fix of f.fixes) {
          let fixed = text;
          for (const ed of [...fix.edits].sort((x, y) => y.span.offset - x.span.offset))
            fixed = fixed.slice(0, ed.span.offset) + ed.newText + fixed.slice(ed.span.offset + ed.span.length);
          const again = analyzeTemplate(fixed, 'bad/main.tf');
          assert.deepEqual(
            again.findings.filter(x => x.ruleId === TEMPLATE_SYNTAX_CODE),
            [],
            `${f.ruleId} "${fix.title}" keeps the file valid`,
          );
          const same = again.entries.find(x => x.location === e.location)!;
          assert.ok(
            same.findings.filter(x => x.ruleId === f.ruleId).length < e.findings.filter(x => x.ruleId === f.ruleId).length,
            `${f.ruleId} "${fix.title}" removes the finding`,
          );
        }
  });
});
