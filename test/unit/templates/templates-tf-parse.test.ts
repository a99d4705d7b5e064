// HCL parsing for the Terraform scanner: exact offsets, located syntax errors, and bounds on
// hostile input (size, nesting, node count, bytes that are not UTF-8, text that is not HCL).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  initTerraform,
  MAX_HCL_DEPTH,
  MAX_HCL_SIZE,
  parseHcl,
  terraformReady,
  type HclNode,
} from '../../../core/templates/hcl-parse';

const find = (n: HclNode, type: string, out: HclNode[] = []): HclNode[] => {
  if (n.type === type) out.push(n);
  for (const c of n.children) find(c, type, out);
  return out;
};

describe('HCL parser before initTerraform', () => {
  it('says it is not loaded, without throwing', () => {
    // This runs first in this file's process: nothing has loaded the WebAssembly yet.
    assert.equal(terraformReady(), false);
    const r = parseHcl('resource "aws_s3_bucket" "b" {}');
    assert.equal(r.root, undefined);
    assert.match(r.notParsed ?? '', /not loaded yet.*initTerraform/);
  });
});

describe('HCL parser', () => {
  before(async () => {
    await Promise.all([initTerraform(), initTerraform()]);
    assert.ok(terraformReady());
  });

  it('gives offsets in UTF-16 code units, as every Span', () => {
    const text = '# ünïcödé ✓ 😀\nresource "aws_s3_bucket" "b" {\n  bucket = "naïve-😀"\n}\n';
    const r = parseHcl(text);
    assert.ok(r.root);
    assert.deepEqual(r.errors, []);
    const strings = find(r.root, 'template_literal').map(n => text.slice(n.start, n.end));
    assert.deepEqual(strings, ['aws_s3_bucket', 'b', 'naïve-😀']);
  });

  it('locates syntax errors and still copies the complete blocks', () => {
    const text =
      'resource "aws_s3_bucket" "a" {\n  bucket = "a"\n}\nresource "x" {\n  = = =\n}\nresource "aws_s3_bucket" "c" {\n  bucket = "c"\n}\n';
    const r = parseHcl(text);
    assert.ok(r.root);
    assert.ok(r.errors.length >= 1, 'an error is reported');
    const e = r.errors[0];
    assert.ok(
      e.span.offset >= text.indexOf('resource "x"') && e.span.offset <= text.indexOf('= = =') + 5,
      `error at ${e.span.offset}`,
    );
    assert.match(e.message, /HCL syntax error/);
    const buckets = find(r.root, 'template_literal').map(n => text.slice(n.start, n.end));
    assert.ok(buckets.includes('a') && buckets.includes('c'), buckets.join(','));
  });

  it('refuses files over the size limit with one phrase', () => {
    const r = parseHcl('#'.repeat(MAX_HCL_SIZE + 1));
    assert.equal(r.root, undefined);
    assert.match(r.notParsed ?? '', /larger than 2 MB/);
  });

  it('bounds nesting: 100 000 open brackets end in a clear phrase, not a crash', () => {
    const r = parseHcl(`locals {\n  x = ${'['.repeat(100_000)}\n}\n`);
    assert.ok(r.notParsed === undefined || /deeper than/.test(r.notParsed), r.notParsed);
    if (r.root) assert.ok(r.errors.length > 0);
  });

  it('bounds nesting of valid HCL past the depth limit', () => {
    const depth = MAX_HCL_DEPTH + 50;
    const r = parseHcl(`locals {\n  x = ${'['.repeat(depth)}1${']'.repeat(depth)}\n}\n`);
    assert.equal(r.root, undefined);
    assert.match(r.notParsed ?? '', new RegExp(`deeper than ${MAX_HCL_DEPTH} levels`));
  });

  it('reads bytes that are not UTF-8 (decoded as U+FFFD) and text that is not HCL without throwing', () => {
    const bad = Buffer.from([0x72, 0x65, 0xff, 0xfe, 0x22, 0xc3, 0x28, 0x7b, 0x0a]).toString('utf8');
    for (const text of [bad, 'def main():\n    print("hello")\n', '\u0000\u0001\u0002', '}}}}{{{{']) {
      const r = parseHcl(text);
      assert.ok(r.root || r.notParsed, 'a result');
      assert.ok(r.errors.length > 0 || r.notParsed, `an error for ${JSON.stringify(text.slice(0, 20))}`);
      for (const e of r.errors) assert.ok(e.span.offset >= 0 && e.span.offset + e.span.length <= text.length);
    }
  });

  it('stops parsing at its deadline and says so', () => {
    // A deadline already past: the progress callback cancels at its first call.
    const text = `locals {\n${'  x = "y"\n'.repeat(50_000)}}\n`;
    const r = parseHcl(text, -1);
    assert.equal(r.root, undefined);
    assert.match(r.notParsed ?? '', /took too long/);
    // The parser is usable again afterwards.
    assert.ok(parseHcl('locals {\n  a = 1\n}\n').root);
  });
});
