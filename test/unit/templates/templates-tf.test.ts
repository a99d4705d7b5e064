// Terraform: every policy of the test corpus (the rules' examples and "use instead", the key-policy
// corpus, the e2e workspace's policies), written into a .tf file as `jsonencode({...})`, as a heredoc
// and as `data "aws_iam_policy_document"`, gets the verdict it gets as a JSON file, with its findings
// at the template range of the value that caused them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { analyze, type Analysis } from '../../../core/analyze';
import { DEFAULT_REQUIREMENTS, type Requirements } from '../../../core/requirements';
import { RULES } from '../../../core/rules/registry';
import { analyzeTemplate } from '../../../core/templates/analyze';
import { hclQuote } from '../../../core/templates/hcl-eval';
import { hclValue } from '../../../core/templates/hcl-render';
import { findScanner } from '../../../core/templates/index';
import { initTerraform, statementBlock, terraformScanner } from '../../../core/templates/terraform';
import type { TemplateEntry } from '../../../core/templates/types';
import { ROOT } from '../../helpers/paths';
import { sameTfScan } from './same-scan';

interface Case {
  name: string;
  kind: 'bucket-policy' | 'key-policy';
  text: string;
  bucket: string;
  requirements: Requirements;
}

function corpus(): Case[] {
  const out: Case[] = [];
  for (const { meta } of RULES) {
    const kind = meta.appliesTo[0];
    if (kind !== 'bucket-policy' && kind !== 'key-policy') continue;
    const requirements = { ...DEFAULT_REQUIREMENTS, ...meta.exampleRequirements };
    out.push({ name: `${meta.id} example`, kind, text: meta.example, bucket: 'example-bucket', requirements });
    out.push({ name: `${meta.id} use instead`, kind, text: meta.useInstead, bucket: 'example-bucket', requirements });
  }
  const keys = path.join(ROOT, 'test', 'fixtures', 'key-policies');
  for (const f of fs
    .readdirSync(keys)
    .filter(f => f.endsWith('.key-policy.json'))
    .sort())
    out.push({
      name: f,
      kind: 'key-policy',
      text: fs.readFileSync(path.join(keys, f), 'utf8'),
      bucket: '',
      requirements: DEFAULT_REQUIREMENTS,
    });
  const ws = path.join(ROOT, 'test', 'fixtures', 'e2e-workspace');
  for (const f of ['bad.bucket-policy.json', 'orders-data.bucket-policy.json'])
    out.push({
      name: f,
      kind: 'bucket-policy',
      text: fs.readFileSync(path.join(ws, f), 'utf8'),
      bucket: f.split('.')[0],
      requirements: DEFAULT_REQUIREMENTS,
    });
  for (const f of fs.readdirSync(path.join(ws, 'keys')))
    out.push({
      name: `keys/${f}`,
      kind: 'key-policy',
      text: fs.readFileSync(path.join(ws, 'keys', f), 'utf8'),
      bucket: '',
      requirements: DEFAULT_REQUIREMENTS,
    });
  return out;
}

const fileFor = (c: Case) => (c.kind === 'bucket-policy' ? `/w/${c.bucket}.bucket-policy.json` : '/w/example.key-policy.json');

/** The verdict without evidence (witness requests carry offsets of their own text). */
function verdictOf(a: Analysis | undefined): string {
  const strip = (_k: string, v: unknown) => (_k === 'witness' ? undefined : v);
  return JSON.stringify({ bucket: a?.verdicts, key: a?.keyVerdict }, strip);
}

/** A resource holding the policy expression, for its kind. */
function wrap(c: Case, policyExpr: string, extra = ''): string {
  return c.kind === 'bucket-policy'
    ? `resource "aws_s3_bucket_policy" "p" {\n  bucket = ${hclQuote(c.bucket)}\n  policy = ${policyExpr}\n}\n${extra}`
    : `resource "aws_kms_key" "k" {\n  enable_key_rotation = true\n  policy = ${policyExpr}\n}\n${extra}`;
}

function jsonencodeTf(c: Case): string | undefined {
  let plain: unknown;
  try {
    plain = JSON.parse(c.text);
  } catch {
    return undefined;
  }
  const hcl = hclValue(plain, '  ');
  return hcl === undefined ? undefined : wrap(c, `jsonencode(${hcl})`);
}

/** The policy inside a heredoc, unindented: `${` and `%{` doubled as Terraform requires. */
function heredocTf(c: Case): { tf: string; contentStart: number } {
  const body = c.text.replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
  const tf = wrap(c, `<<EOT\n${body}\nEOT`);
  return { tf, contentStart: tf.indexOf('<<EOT\n') + 6 };
}

function policyDocumentTf(c: Case): string | undefined {
  let plain: Record<string, unknown>;
  try {
    plain = JSON.parse(c.text);
  } catch {
    return undefined;
  }
  if (!plain || typeof plain !== 'object' || Array.isArray(plain)) return undefined;
  if (Object.keys(plain).some(k => !['Version', 'Id', 'Statement'].includes(k)) || typeof plain.Version !== 'string')
    return undefined;
  const stmts = Array.isArray(plain.Statement) ? plain.Statement : plain.Statement ? [plain.Statement] : [];
  if (!stmts.length) return undefined;
  const blocks: string[] = [];
  for (const s of stmts) {
    if (!s || typeof s !== 'object' || typeof (s as { Effect?: unknown }).Effect !== 'string') return undefined;
    const b = statementBlock(s, '  ');
    if (!b) return undefined;
    blocks.push(`  ${b}`);
  }
  const id = typeof plain.Id === 'string' ? `  policy_id = ${hclQuote(plain.Id)}\n` : '';
  const data = `data "aws_iam_policy_document" "doc" {\n  version = ${hclQuote(plain.Version)}\n${id}${blocks.join('\n')}\n}\n`;
  return wrap(c, 'data.aws_iam_policy_document.doc.json', data);
}

const ruleIds = (a: { findings: { ruleId: string }[] }) => a.findings.map(f => f.ruleId).sort();

function onlyEntry(tf: string, c: Case): TemplateEntry {
  sameTfScan(tf, c.name);
  const a = analyzeTemplate(tf, 'main.tf', { requirements: c.requirements }, { scanner: terraformScanner });
  assert.deepEqual(
    a.findings.map(f => f.message),
    [],
    'no template syntax error',
  );
  const policies = a.entries.filter(e => e.kind === c.kind);
  assert.equal(policies.length, 1, `one ${c.kind} found`);
  return policies[0];
}

describe('Terraform: the test corpus embedded in .tf files', () => {
  before(() => initTerraform());
  const cases = corpus();

  it('the corpus is not empty', () => {
    assert.ok(cases.length >= 60, `${cases.length} policies`);
  });

  let jsonencoded = 0;
  let documents = 0;
  for (const c of cases) {
    it(`${c.name}: jsonencode, same findings and verdict as the JSON; string findings on the HCL string`, () => {
      const tf = jsonencodeTf(c);
      if (tf === undefined) return; // not JSON: only the heredoc can hold it
      jsonencoded++;
      // The engine reads the JSON Terraform sends: the same values, laid out anew.
      const normalized = JSON.stringify(JSON.parse(c.text), null, 2);
      const json = analyze(normalized, fileFor(c), { requirements: c.requirements });
      const e = onlyEntry(tf, c);
      assert.equal(verdictOf(e.analysis), verdictOf(json), 'verdict');
      assert.deepEqual(ruleIds(e.analysis!), ruleIds(json), 'findings of the engine');
      const policyText = e.policy!.json;
      for (const f of e.analysis!.findings) {
        const t = e.policy!.toTemplate(f.span);
        assert.ok(
          t.offset >= e.span.offset && t.offset + t.length <= e.span.offset + e.span.length,
          `${f.ruleId} inside the policy`,
        );
        const js = policyText.slice(f.span.offset, f.span.offset + f.span.length);
        if (/^"[^"\\]*"$/.test(js)) {
          const value = JSON.parse(js) as string;
          const at = tf.slice(t.offset, t.offset + t.length);
          assert.ok(at === hclQuote(value) || at === value, `${f.ruleId}: ${js} at ${JSON.stringify(at)}`);
        }
      }
    });

    it(`${c.name}: heredoc, same findings at the same text`, () => {
      const { tf, contentStart } = heredocTf(c);
      const json = analyze(c.text, fileFor(c), { requirements: c.requirements });
      const e = onlyEntry(tf, c);
      assert.equal(verdictOf(e.analysis), verdictOf(json), 'verdict');
      assert.deepEqual(ruleIds(e), ruleIds(json), 'findings');
      if (c.text.includes('${') || c.text.includes('%{')) return; // escapes shift offsets: checked by range, not by position
      for (const b of json.findings) {
        const shifted = { offset: b.span.offset + contentStart, length: b.span.length };
        assert.ok(
          e.findings.some(f => f.ruleId === b.ruleId && f.span.offset === shifted.offset && f.span.length === shifted.length),
          `${b.ruleId} at the heredoc's ${JSON.stringify(c.text.slice(b.span.offset, b.span.offset + 30))}`,
        );
      }
    });

    it(`${c.name}: aws_iam_policy_document, same verdict`, () => {
      const tf = policyDocumentTf(c);
      if (tf === undefined) return; // no statement-block form (NotPrincipal "*", a non-list value, no Version)
      documents++;
      const normalized = JSON.stringify(JSON.parse(c.text), null, 2);
      const json = analyze(normalized, fileFor(c), { requirements: c.requirements });
      const e = onlyEntry(tf, c);
      assert.equal(e.location, 'data.aws_iam_policy_document.doc');
      assert.equal(e.policy!.syntax, 'hcl-policy-document');
      assert.equal(verdictOf(e.analysis), verdictOf(json), `verdict of\n${e.policy!.json}`);
      for (const f of e.findings) {
        assert.ok(
          f.span.offset >= tf.indexOf('data "aws_iam_policy_document"') || f.ruleId === 'TPL-006',
          `${f.ruleId} in the document`,
        );
      }
    });
  }

  it('most of the corpus has a jsonencode and a statement-block form', () => {
    assert.ok(jsonencoded >= cases.length * 0.8, `${jsonencoded} of ${cases.length} as jsonencode`);
    assert.ok(documents >= cases.length * 0.5, `${documents} of ${cases.length} as aws_iam_policy_document`);
  });
});

describe('Terraform scanner: which files', () => {
  it('claims .tf files only, and the registry finds it', () => {
    assert.equal(terraformScanner.claims('main.tf', ''), true);
    assert.equal(terraformScanner.claims('/x/MAIN.TF', ''), true);
    assert.equal(terraformScanner.claims('main.tf.json', '{}'), false);
    assert.equal(terraformScanner.claims('policy.json', '{}'), false);
    assert.equal(findScanner('infra/main.tf', 'resource "x" "y" {}')?.format, 'terraform');
  });
});
