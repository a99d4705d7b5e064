// Hover from the built language server over stdio: actions, condition operators, keys and values
// explained from the knowledge tables, and the rule behind a diagnostic.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { LspClient } from './lsp-client';

const POLICY = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyUnencrypted",
      "Effect": "Deny",
      "Principal": "*",
      "Action": ["s3:PutObject", "s3:Put*"],
      "Resource": "arn:aws:s3:::my-data/*",
      "Condition": {
        "StringNotEqualsIfExists": { "s3:x-amz-server-side-encryption": "aws:kms" },
        "ForAllValues:StringEquals": { "aws:TagKeys": ["team"] },
        "Null": { "s3:x-amz-server-side-encryption-customer-algorithm": "false" }
      }
    },
    {
      "Effect": "deny",
      "Principal": { "Service": "logging.s3.amazonaws.com" },
      "Action": "s3:*",
      "Resource": ["arn:aws:s3:::my-data", "arn:aws:s3:::my-data/*"],
      "Condition": { "Bool": { "aws:SecureTransport": "false" }, "NumericLessThan": { "s3:TlsVersion": "1.2" } }
    }
  ]
}`;

function positionOf(text: string, needle: string, delta = 1): { line: number; character: number } {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${needle} is in the text`);
  const before = text.slice(0, at + delta).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

describe('hover docs over stdio', () => {
  let client: LspClient;
  const uri = 'file:///work/hover/my-data.bucket-policy.json';
  before(async () => {
    client = new LspClient();
    await client.initialize(false);
    await client.open(uri, POLICY, 1);
    await client.diagnostics(uri, 1);
  });
  after(() => client.kill());

  async function hoverAt(needle: string, delta = 1): Promise<{ value: string; range?: unknown }> {
    const r = (await client.conn.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position: positionOf(POLICY, needle, delta),
    })) as { contents: { kind: string; value: string }; range?: unknown } | null;
    assert.ok(r, `a hover at ${needle}`);
    assert.equal(r.contents.kind, 'markdown');
    return { value: r.contents.value, range: r.range };
  }

  it('explains an action: access level, resource types, condition keys, description', async () => {
    const h = await hoverAt('"s3:PutObject"');
    assert.match(h.value, /\*\*s3:PutObject\*\* · Write/);
    assert.match(h.value, /Grants permission to add an object to a bucket/);
    assert.match(h.value, /Resource types: .*object/);
    assert.match(h.value, /`s3:x-amz-server-side-encryption`/);
    assert.deepEqual(h.range, {
      start: positionOf(POLICY, '"s3:PutObject"', 0),
      end: positionOf(POLICY, '"s3:PutObject"', '"s3:PutObject"'.length),
    });
  });

  it('explains a wildcard action pattern by the actions it matches', async () => {
    const h = await hoverAt('"s3:Put*"');
    assert.match(h.value, /`s3:Put\*` matches \d+ actions/);
    assert.match(h.value, /PutObject/);
    assert.match(h.value, /PutBucketPolicy/);
  });

  it('explains a condition key: type, the actions that carry it, what the request holds when the header is absent', async () => {
    const h = await hoverAt('"s3:x-amz-server-side-encryption"');
    assert.match(h.value, /\*\*s3:x-amz-server-side-encryption\*\* · String · s3 key/);
    assert.match(h.value, /Carried by: .*`s3:PutObject`/);
    assert.match(h.value, /absent when the upload names no encryption/);
    assert.match(h.value, /default encryption/);
    assert.match(h.value, /`AES256`: SSE-S3/);
    // Under StringNotEqualsIfExists an absent key makes the condition true.
    assert.match(h.value, /when the key is absent, `StringNotEqualsIfExists` is \*\*true\*\*/);

    const tls = await hoverAt('"s3:TlsVersion"');
    assert.match(tls.value, /Numeric/);
    assert.match(tls.value, /plain HTTP have no TLS version/);

    const secure = await hoverAt('"aws:SecureTransport"');
    assert.match(secure.value, /Boolean · global key/);
    assert.match(secure.value, /Never absent/);
  });

  it('explains operators: meaning, missing-key behaviour, IfExists and set qualifiers', async () => {
    const ifExists = await hoverAt('"StringNotEqualsIfExists"');
    assert.match(ifExists.value, /\*\*StringNotEqualsIfExists\*\* · String operator/);
    assert.match(ifExists.value, /differs from every listed value/);
    assert.match(ifExists.value, /Missing key: the condition is \*\*true\*\*/);
    assert.match(ifExists.value, /IfExists adds nothing here/);

    const forAll = await hoverAt('"ForAllValues:StringEquals"');
    assert.match(forAll.value, /ForAllValues: for multivalued keys/);
    assert.match(forAll.value, /true when the key is absent or empty/);
    assert.match(forAll.value, /Missing key: the condition is \*\*true\*\*/);

    const nul = await hoverAt('"Null"');
    assert.match(nul.value, /Tests whether the key is present/);

    const less = await hoverAt('"NumericLessThan"');
    assert.match(less.value, /less than the policy value/);
    assert.match(less.value, /Missing key: the condition is \*\*false\*\*/);
  });

  it('explains known values and service principals', async () => {
    const kms = await hoverAt('"aws:kms"');
    assert.match(kms.value, /\*\*aws:kms\*\* for `s3:x-amz-server-side-encryption`: SSE-KMS/);
    const nullFalse = await hoverAt('"false" }\n      }', 1);
    assert.match(nullFalse.value, /under `Null`: matches when the key is present/);
    const http = await hoverAt('"false" }, "NumericLessThan"', 1);
    assert.match(http.value, /plain HTTP/);
    const svc = await hoverAt('"logging.s3.amazonaws.com"');
    assert.match(svc.value, /S3 server access logging/);
  });

  it('shows the rule behind a diagnostic, with a link to its documentation page', async () => {
    const h = await hoverAt('"deny"');
    assert.match(h.value, /\*\*GRM-003\*\* · /);
    const link = /\[GRM-003 documentation\]\((file:[^)]+)\)/.exec(h.value);
    assert.ok(link, h.value);
    assert.ok(link[1].endsWith('/docs/rules/GRM-003.md'));
    assert.ok(existsSync(fileURLToPath(link[1])), 'the linked page exists');
  });

  it('keeps the kind hover on "Statement" and the verdict hover on Effect', async () => {
    const kind = await hoverAt('"Statement"');
    assert.match(kind.value, /checks this as an S3 bucket policy/);
    const effect = await hoverAt('"Deny"');
    assert.match(effect.value, /denies \d+ of \d+ request classes/);
  });

  it('gives no knowledge hover in JSON that is not a policy', async () => {
    const other = 'file:///work/hover/package.json';
    const text = '{ "name": "x", "scripts": { "Action": "s3:PutObject" } }';
    await client.open(other, text, 1);
    const r = await client.conn.sendRequest('textDocument/hover', {
      textDocument: { uri: other },
      position: positionOf(text, '"s3:PutObject"'),
    });
    assert.equal(r, null);
  });
});
