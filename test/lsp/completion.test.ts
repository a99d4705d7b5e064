// Completion from the built language server over stdio: what is offered in each position of a
// policy, with which replace range, and that every item, once inserted, is something AWS accepts
// (the grammar rules find no error on it).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { analyze } from '../../core/analyze';
import { LspClient } from './lsp-client';

interface Pos {
  line: number;
  character: number;
}
interface Range {
  start: Pos;
  end: Pos;
}
interface Item {
  label: string;
  kind?: number;
  detail?: string;
  documentation?: { kind: string; value: string };
  insertTextFormat?: number;
  textEdit?: { range: Range; newText: string };
  command?: { command: string };
  data?: unknown;
}

const CURSOR = '|';

function offsetOf(text: string, p: Pos): number {
  const lines = text.split('\n');
  let o = 0;
  for (let i = 0; i < p.line; i++) o += lines[i].length + 1;
  return o + p.character;
}

function positionOf(text: string, offset: number): Pos {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

/** The text a snippet inserts when every tab stop keeps its default (the first choice, the placeholder, or nothing). */
function expandSnippet(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      out += s[++i];
      continue;
    }
    if (c === '$') {
      const simple = /^\$\d+/.exec(s.slice(i));
      if (simple) {
        i += simple[0].length - 1;
        continue;
      }
      const choice = /^\$\{\d+\|([^,|]*)[^}]*\|\}/.exec(s.slice(i));
      if (choice) {
        out += choice[1];
        i += choice[0].length - 1;
        continue;
      }
      const placeholder = /^\$\{\d+:/.exec(s.slice(i));
      if (placeholder) {
        // Placeholder text runs to the matching unescaped `}`.
        let j = i + placeholder[0].length;
        let inner = '';
        while (j < s.length && s[j] !== '}') {
          if (s[j] === '\\') j++;
          inner += s[j++];
        }
        out += inner;
        i = j;
        continue;
      }
    }
    out += c;
  }
  return out;
}

/** The document after accepting `item`, and where the inserted text stands in it. */
function accept(text: string, item: Item): { text: string; start: number; end: number } {
  assert.ok(item.textEdit, `${item.label} has a textEdit`);
  const start = offsetOf(text, item.textEdit.range.start);
  const end = offsetOf(text, item.textEdit.range.end);
  const inserted = item.insertTextFormat === 2 ? expandSnippet(item.textEdit.newText) : item.textEdit.newText;
  return { text: text.slice(0, start) + inserted + text.slice(end), start, end: start + inserted.length };
}

/** Grammar errors (what AWS rejects) that touch the inserted text. */
function grammarErrorsAt(text: string, file: string, start: number, end: number): string[] {
  const a = analyze(text, file);
  return a.findings
    .filter(
      f => f.ruleId.startsWith('GRM') && f.severity === 'error' && f.span.offset < end && f.span.offset + f.span.length > start,
    )
    .map(f => `${f.ruleId}: ${f.message}`);
}

describe('completion over stdio', () => {
  let client: LspClient;
  let n = 0;
  before(async () => {
    client = new LspClient();
    const init = await client.initialize(false);
    const provider = init.capabilities.completionProvider as { triggerCharacters?: string[] } | undefined;
    assert.ok(provider, 'announces completion');
    assert.deepEqual(provider.triggerCharacters, ['"', ':']);
  });
  after(() => client.kill());

  /** Completion at the `|` in `source`; `name` decides the kind (`x.bucket-policy.json`…). */
  async function complete(source: string, name = 'p.bucket-policy.json'): Promise<{ text: string; items: Item[]; file: string }> {
    const at = source.indexOf(CURSOR);
    assert.ok(at >= 0, 'the source marks the cursor');
    const text = source.slice(0, at) + source.slice(at + 1);
    const file = `/work/policies/${n++}/${name}`;
    const uri = `file://${file}`;
    await client.open(uri, text, 1);
    const r = (await client.conn.sendRequest('textDocument/completion', {
      textDocument: { uri },
      position: positionOf(text, at),
    })) as { items: Item[] } | Item[] | null;
    const items = r === null ? [] : Array.isArray(r) ? r : r.items;
    return { text, items, file };
  }

  const labels = (items: Item[]) => items.map(i => i.label);
  /** The item with its documentation, as the editor asks for it when the item is selected. */
  const resolve = async (item: Item) => client.conn.sendRequest('completionItem/resolve', item) as Promise<Item>;

  /** Accept every item in turn and check the grammar rules find nothing wrong with it. */
  function assertAllAccepted(text: string, file: string, items: Item[]): void {
    assert.ok(items.length > 0);
    for (const item of items) {
      const r = accept(text, item);
      assert.deepEqual(grammarErrorsAt(r.text, file, r.start, r.end), [], `after accepting ${item.label}:\n${r.text}`);
    }
  }

  it('offers the document elements at the top level, then the statement elements not yet present', async () => {
    const top = await complete('{\n  "|"\n}');
    assert.deepEqual(labels(top.items), ['Version', 'Statement']);
    const version = top.items.find(i => i.label === 'Version')!;
    // The whole `""` token is replaced, quotes included.
    assert.deepEqual(version.textEdit!.range, { start: { line: 1, character: 2 }, end: { line: 1, character: 4 } });
    assert.equal(accept(top.text, version).text, '{\n  "Version": "2012-10-17"\n}');

    const st = await complete('{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", |}]}');
    const names = labels(st.items);
    for (const expected of ['Sid', 'Principal', 'NotPrincipal', 'Resource', 'NotResource', 'Condition'])
      assert.ok(names.includes(expected), `${expected} in ${names}`);
    // Already present, or refused next to what is present (Action/NotAction).
    for (const absent of ['Effect', 'Action', 'NotAction', 'Version'])
      assert.ok(!names.includes(absent), `${absent} not offered`);
    const principal = st.items.find(i => i.label === 'Principal')!;
    assert.equal(
      accept(st.text, principal).text,
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Principal": "*"}]}',
    );
  });

  it('every element name offered is one AWS accepts there', async () => {
    for (const [source, name] of [
      [
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", |}]}',
        'p.bucket-policy.json',
      ],
      ['{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", |}]}', 'p.bucket-policy.json'],
      ['{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "|"}]}', 'k.key-policy.json'],
      [
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "|", "Action": "s3:GetObject", "Resource": "*"}]}',
        'i.identity-policy.json',
      ],
      ['{|}', 'p.bucket-policy.json'],
    ] as const) {
      const r = await complete(source, name);
      assert.ok(r.items.length > 0, source);
      for (const item of r.items) {
        const done = accept(r.text, item);
        // The name itself: `"Name"` at the start of the inserted text.
        const errors = grammarErrorsAt(done.text, r.file, done.start, done.start + JSON.stringify(item.label).length);
        assert.deepEqual(errors, [], `after accepting ${item.label}:\n${done.text}`);
      }
    }
  });

  it('inserts "Name": value with a comma before the next member, and only the name when the colon is there', async () => {
    const r = await complete(
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny",\n  "Ac|\n  "Principal": "*", "Resource": "arn:aws:s3:::b/*"}]}',
    );
    const action = r.items.find(i => i.label === 'Action');
    assert.ok(action, labels(r.items).join(', '));
    const done = accept(r.text, action);
    assert.match(done.text, /"Action": "",\n {2}"Principal"/);
    assert.equal(action.command?.command, 'editor.action.triggerSuggest');

    const rename = await complete(
      '{"Version": "2012-10-17", "Statement": [{"Eff|": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}',
    );
    const effect = rename.items.find(i => i.label === 'Effect')!;
    assert.equal(effect.textEdit!.newText, '"Effect"');
    JSON.parse(accept(rename.text, effect).text);
  });

  it('identity policies get no Principal; key policies no NotPrincipal or NotResource', async () => {
    const id = await complete('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "|"}]}', 'x.identity-policy.json');
    assert.ok(!labels(id.items).includes('Principal'));
    assert.ok(labels(id.items).includes('Action'));
    const key = await complete('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "|"}]}', 'k.key-policy.json');
    assert.ok(labels(key.items).includes('Principal'));
    assert.ok(!labels(key.items).includes('NotPrincipal'));
    assert.ok(!labels(key.items).includes('NotResource'));
  });

  it('completes in a Statement written as one object, and offers Principal while a new file has none yet', async () => {
    const one = await complete(
      '{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Principal": "*", "Action": "s3:Get|", "Resource": "arn:aws:s3:::b/*"}}',
    );
    assert.ok(labels(one.items).includes('s3:GetObject'));
    const el = await complete('{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "|"}}');
    assert.ok(labels(el.items).includes('Action') && !labels(el.items).includes('Effect'));
    // No file-name hint: without a Principal the content reads as an identity policy, for now.
    const fresh = await complete('{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "|"}]}', 'policy.json');
    assert.ok(labels(fresh.items).includes('Principal'));
    assert.ok(!labels(fresh.items).includes('NotPrincipal'));
    const freshActions = await complete(
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "|"}]}',
      'policy.json',
    );
    assert.ok(
      labels(freshActions.items).includes('s3:PutObject') && labels(freshActions.items).includes('kms:Decrypt'),
      'both services until the kind is known',
    );
  });

  it('offers Effect and Version values', async () => {
    const e = await complete(
      '{"Version": "2012-10-17", "Statement": [{"Effect": "|", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}',
    );
    assert.deepEqual(labels(e.items).sort(), ['Allow', 'Deny']);
    assertAllAccepted(e.text, e.file, e.items);
    const v = await complete('{"Version": |, "Statement": []}');
    assert.deepEqual(labels(v.items), ['2012-10-17']);
    assert.equal(accept(v.text, v.items[0]).text, '{"Version": "2012-10-17", "Statement": []}');
  });

  it('completes actions of the policy kind, with wildcard families, access level and description', async () => {
    const b = await complete(
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:Pu|"}]}',
    );
    const names = labels(b.items);
    for (const expected of ['s3:PutObject', 's3:Put*', 's3:*', 's3:GetObject']) assert.ok(names.includes(expected), expected);
    assert.ok(!names.some(l => l.startsWith('kms:')), 'no kms actions in a bucket policy');
    const put = b.items.find(i => i.label === 's3:PutObject')!;
    assert.equal(put.detail, 'Write');
    assert.equal(put.documentation, undefined, 'long explanations come with completionItem/resolve');
    const resolved = await resolve(put);
    assert.match(resolved.documentation!.value, /Grants permission to add an object/);
    assert.match(resolved.documentation!.value, /s3:x-amz-server-side-encryption/);
    assert.deepEqual(resolved.textEdit, put.textEdit);
    const family = await resolve(b.items.find(i => i.label === 's3:Put*')!);
    assert.match(family.documentation!.value, /`s3:Put\*` matches \d+ actions/);
    // The replace range is the string token: from its opening quote to its closing quote.
    const tokenStart = b.text.indexOf('"s3:Pu');
    assert.deepEqual(put.textEdit!.range, {
      start: positionOf(b.text, tokenStart),
      end: positionOf(b.text, tokenStart + '"s3:Pu"'.length),
    });
    assert.equal(accept(b.text, put).text, b.text.replace('"s3:Pu"', '"s3:PutObject"'));

    const k = await complete(
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": ["kms:Decrypt", "|"], "Resource": "*"}]}',
      'k.key-policy.json',
    );
    const kn = labels(k.items);
    for (const expected of ['kms:GenerateDataKey', 'kms:GenerateDataKey*', 'kms:ReEncrypt*', 'kms:*'])
      assert.ok(kn.includes(expected), expected);
    assert.ok(!kn.includes('kms:Decrypt'), 'an action already listed is not offered again');
    assert.ok(!kn.some(l => l.startsWith('s3:')), 'no s3 actions in a key policy');
    assertAllAccepted(k.text, k.file, k.items);
  });

  it('every action offered for a statement on the bucket and its objects is accepted', async () => {
    const r = await complete(
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "|", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}]}',
    );
    const names = labels(r.items);
    for (const expected of ['s3:PutObject', 's3:ListBucket', 's3:*', 's3:Get*']) assert.ok(names.includes(expected), expected);
    // Actions on access points, jobs or Storage Lens match neither ARN: S3 would refuse them here (GRM-009).
    assert.ok(!names.includes('s3:CreateJob'));
    assert.ok(r.items.length > 100, String(r.items.length));
    assertAllAccepted(r.text, r.file, r.items);
  });

  it("offers only actions that act on the statement's resources (S3 refuses the others)", async () => {
    const r = await complete(
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "|", "Resource": "arn:aws:s3:::b/*"}]}',
    );
    const names = labels(r.items);
    assert.ok(names.includes('s3:PutObject'));
    assert.ok(!names.includes('s3:ListBucket'), 'ListBucket acts on the bucket, not on b/*');
    assertAllAccepted(r.text, r.file, r.items);
  });

  it('still completes while the JSON is incomplete: an unterminated action at the end of the file', async () => {
    const r = await complete('{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:Pu|');
    const put = r.items.find(i => i.label === 's3:PutObject');
    assert.ok(put, labels(r.items).slice(0, 10).join(', '));
    const start = r.text.indexOf('"s3:Pu');
    assert.deepEqual(put.textEdit!.range, { start: positionOf(r.text, start), end: positionOf(r.text, r.text.length) });
    assert.ok(accept(r.text, put).text.endsWith('"Action": "s3:PutObject"'));

    const mid = await complete(
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:Ge|\n  "Resource": "arn:aws:s3:::b/*"}]}',
    );
    const get = mid.items.find(i => i.label === 's3:GetObject');
    assert.ok(get);
    assert.equal(accept(mid.text, get).text, mid.text.replace('"s3:Ge', '"s3:GetObject"'));
  });

  it('offers condition operators with IfExists and set qualifiers, except those present', async () => {
    const r = await complete(
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}, "|": {}}}]}',
    );
    const names = labels(r.items);
    for (const expected of [
      'StringNotEquals',
      'StringNotEqualsIfExists',
      'ForAnyValue:StringEquals',
      'ForAllValues:StringLike',
      'ArnNotEqualsIfExists',
      'NumericLessThan',
      'Bool',
      'BoolIfExists',
      'IpAddress',
      'DateGreaterThan',
      'BinaryEquals',
    ]) {
      assert.ok(names.includes(expected), expected);
    }
    assert.ok(!names.includes('Null'), 'Null is already there');
    assert.ok(!names.includes('NullIfExists'), 'NullIfExists is not an operator');
    assert.ok(names.length > 100, String(names.length));
    const op = await resolve(r.items.find(i => i.label === 'StringNotEqualsIfExists')!);
    assert.match(op.documentation!.value, /IfExists: true when the key is absent/);
    assertAllAccepted(r.text, r.file, r.items);

    // Renaming an operator that already compares aws:SecureTransport: only Bool operators (and Null) fit.
    const bool = await complete(
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*", "Condition": {"B|": {"aws:SecureTransport": "false"}}}]}',
    );
    // No ForAnyValue:/ForAllValues: either: aws:SecureTransport has one value.
    assert.deepEqual(labels(bool.items).sort(), ['Bool', 'BoolIfExists', 'Null']);
    assertAllAccepted(bool.text, bool.file, bool.items);
  });

  it("offers the condition keys of the statement's actions plus global keys, of a type the operator can compare", async () => {
    const put = await complete(
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"StringNotEquals": {"|": "x"}}}]}',
    );
    const names = labels(put.items);
    for (const expected of [
      's3:x-amz-server-side-encryption',
      's3:x-amz-server-side-encryption-aws-kms-key-id',
      's3:x-amz-server-side-encryption-customer-algorithm',
      'aws:PrincipalArn',
      'aws:SourceVpce',
    ]) {
      assert.ok(names.includes(expected), expected);
    }
    assert.ok(!names.includes('s3:TlsVersion'), 'a Numeric key is not offered under a String operator');
    assert.ok(!names.includes('aws:SecureTransport'), 'a Bool key is not offered under a String operator');
    assert.ok(!names.some(l => l.startsWith('kms:')), 'no kms keys in a bucket policy');
    const sse = put.items.find(i => i.label === 's3:x-amz-server-side-encryption')!;
    assert.equal(sse.textEdit!.newText, '"s3:x-amz-server-side-encryption"', 'the colon is already there');
    assert.equal(sse.detail, 'String');
    assert.match(
      (await resolve(sse)).documentation!.value,
      /absent when the upload names no encryption[\s\S]*Here: when the key is absent, `StringNotEquals` is \*\*true\*\*/,
    );
    assertAllAccepted(put.text, put.file, put.items);

    const get = await complete(
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"StringNotEquals": {"|"}}}]}',
    );
    assert.ok(!labels(get.items).includes('s3:x-amz-server-side-encryption'), 'GetObject never carries the SSE header');

    const bool = await complete(
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*", "Condition": {"Bool": {|}}}]}',
    );
    const secure = bool.items.find(i => i.label === 'aws:SecureTransport');
    assert.ok(secure);
    assert.ok(!labels(bool.items).includes('s3:x-amz-server-side-encryption'));
    assert.equal(
      accept(bool.text, secure).text.includes('"aws:SecureTransport": "true"'),
      true,
      'with its first value as the default',
    );
    assertAllAccepted(bool.text, bool.file, bool.items);

    const key = await complete(
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*", "Condition": {"StringEquals": {"|": "x"}}}]}',
      'k.key-policy.json',
    );
    const kn = labels(key.items);
    for (const expected of [
      'kms:ViaService',
      'kms:CallerAccount',
      'kms:EncryptionContext:aws:s3:arn',
      'kms:EncryptionContext:${EncryptionContextKey}',
    ])
      assert.ok(kn.includes(expected), expected);
    assert.ok(!kn.some(l => l.startsWith('s3:')));
    assertAllAccepted(key.text, key.file, key.items);
  });

  it('offers the values of enumerated keys inside the condition value', async () => {
    const policy = (cond: string, action = 's3:PutObject') =>
      `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "${action}", "Resource": "arn:aws:s3:::b/*", "Condition": ${cond}}]}`;
    const sse = await complete(policy('{"StringNotEquals": {"s3:x-amz-server-side-encryption": "|"}}'));
    assert.deepEqual(labels(sse.items), ['AES256', 'aws:kms', 'aws:kms:dsse']);
    assert.match(sse.items[0].documentation!.value, /SSE-S3/);
    assertAllAccepted(sse.text, sse.file, sse.items);

    const list = await complete(policy('{"StringNotEquals": {"s3:x-amz-server-side-encryption": ["aws:kms", |]}}'));
    assert.deepEqual(labels(list.items), ['AES256', 'aws:kms:dsse']);
    assert.equal(accept(list.text, list.items[0]).text.includes('["aws:kms", "AES256"]'), true);

    const ssec = await complete(policy('{"StringNotEquals": {"s3:x-amz-server-side-encryption-customer-algorithm": "|"}}'));
    assert.deepEqual(labels(ssec.items), ['AES256']);

    const https = await complete(policy('{"Bool": {"aws:SecureTransport": "|"}}', 's3:*'));
    assert.deepEqual(labels(https.items), ['true', 'false']);
    assertAllAccepted(https.text, https.file, https.items);

    const tls = await complete(policy('{"NumericLessThan": {"s3:TlsVersion": |}}', 's3:*'));
    for (const v of ['1.2', '1.3']) assert.ok(labels(tls.items).includes(v), v);
    assertAllAccepted(tls.text, tls.file, tls.items);

    const nul = await complete(policy('{"Null": {"s3:x-amz-server-side-encryption": "|"}}'));
    assert.deepEqual(labels(nul.items), ['true', 'false']);
  });

  it('offers kms:ViaService for S3 in every region and the accounts seen in a key policy', async () => {
    const text = (cond: string) =>
      `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/Uploader"}, "Action": "kms:GenerateDataKey", "Resource": "*", "Condition": ${cond}}]}`;
    const via = await complete(text('{"StringEquals": {"kms:ViaService": "s3.|"}}'), 'k.key-policy.json');
    const names = labels(via.items);
    for (const region of ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'sa-east-1'])
      assert.ok(names.includes(`s3.${region}.amazonaws.com`), region);
    assertAllAccepted(via.text, via.file, via.items);
    const caller = await complete(text('{"StringEquals": {"kms:CallerAccount": "|"}}'), 'k.key-policy.json');
    assert.deepEqual(labels(caller.items), ['444455556666']);
  });

  it("offers the bucket ARNs seen elsewhere, with and without /*, that fit the statement's actions", async () => {
    const other =
      '{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::my-data", "arn:aws:s3:::my-data/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}';
    const all = await complete(
      `{"Version": "2012-10-17", "Statement": [${other}, {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "|"}]}`,
    );
    assert.deepEqual(labels(all.items).sort(), [
      '["arn:aws:s3:::my-data", "arn:aws:s3:::my-data/*"]',
      'arn:aws:s3:::my-data',
      'arn:aws:s3:::my-data/*',
    ]);
    assertAllAccepted(all.text, all.file, all.items);

    const put = await complete(
      `{"Version": "2012-10-17", "Statement": [${other}, {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "|"}]}`,
    );
    assert.ok(labels(put.items).includes('arn:aws:s3:::my-data/*'));
    assert.ok(!labels(put.items).includes('arn:aws:s3:::my-data'), 'PutObject does not act on the bucket ARN');
    assertAllAccepted(put.text, put.file, put.items);

    const typing = await complete(
      `{"Version": "2012-10-17", "Statement": [${other}, {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::my-d|"}]}`,
    );
    assert.ok(
      !labels(typing.items).some(l => l.includes('arn:aws:s3:::my-d"') || l.endsWith(':::my-d') || l.endsWith(':::my-d/*')),
      'not the half-typed ARN itself',
    );
    assert.ok(labels(typing.items).includes('arn:aws:s3:::my-data'));

    const inList = await complete(
      `{"Version": "2012-10-17", "Statement": [${other}, {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::my-data", |]}]}`,
    );
    assert.deepEqual(labels(inList.items), ['arn:aws:s3:::my-data/*']);

    const named = await complete(
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "|"}]}',
      'logs-bucket.bucket-policy.json',
    );
    assert.ok(labels(named.items).includes('arn:aws:s3:::logs-bucket/*'), 'the bucket named by the file');

    const key = await complete(
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "|"}]}',
      'k.key-policy.json',
    );
    assert.deepEqual(labels(key.items), ['*']);
  });

  it('offers the accounts and principals seen, and service principals', async () => {
    const text =
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Admin"}, "Action": "kms:*", "Resource": "*"}, {"Effect": "Allow", "Principal": {"AWS": "|"}, "Action": "kms:Decrypt", "Resource": "*"}]}';
    const r = await complete(text, 'k.key-policy.json');
    const names = labels(r.items);
    assert.ok(names.includes('arn:aws:iam::111122223333:root'));
    assert.ok(names.includes('arn:aws:iam::111122223333:role/Admin'));
    assertAllAccepted(r.text, r.file, r.items);

    const svc = await complete(
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "|"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::logs/*"}]}',
    );
    for (const p of ['logging.s3.amazonaws.com', 'cloudtrail.amazonaws.com', 'delivery.logs.amazonaws.com'])
      assert.ok(labels(svc.items).includes(p), p);
    assertAllAccepted(svc.text, svc.file, svc.items);

    const whole = await complete(
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Effect": "Allow", "Principal": |, "Action": "kms:Decrypt", "Resource": "*"}]}',
      'k.key-policy.json',
    );
    assert.deepEqual(labels(whole.items), ['*', '{"AWS": "arn:aws:iam::111122223333:root"}']);
    assertAllAccepted(whole.text, whole.file, whole.items);

    const types = await complete(
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"|"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::logs/*"}]}',
    );
    assert.deepEqual(labels(types.items), ['AWS', 'Service']);
  });

  it('answers at every position of broken, half-typed policies without failing', async () => {
    const sources = [
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"AWS": ["arn:aws:iam::111122223333:root", ], "Action": "s3:Pu',
      '{"Statement": [{"Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": ["AES256", "aws:kms"}}, "Resource": "arn:aws:s3:::b\\"}',
      '{"Statement": {"Action": [1, true, null, {"a": []}], "Condition": {"": {"": ""}, "Null": [], "Bool": "x"}, "": "", "\\u0041": "x"}}',
    ];
    for (const [i, source] of sources.entries()) {
      const uri = `file:///work/broken/${i}.bucket-policy.json`;
      await client.open(uri, source, 1);
      for (let offset = 0; offset <= source.length; offset++) {
        const position = positionOf(source, offset);
        const r = (await client.conn.sendRequest('textDocument/completion', { textDocument: { uri }, position })) as {
          items: Item[];
        } | null;
        assert.ok(r === null || Array.isArray(r.items), `completion at ${offset} of source ${i}`);
        for (const item of r?.items ?? []) assert.ok(item.textEdit, `${item.label} at ${offset} of source ${i} has a textEdit`);
        const h = await client.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position });
        assert.ok(h === null || typeof h === 'object');
      }
    }
    assert.equal(client.proc.exitCode, null, 'the server is still running');
    assert.doesNotMatch(client.stderr, /unexpected error|TypeError|RangeError/);
  });

  it('offers nothing in JSON that is not a policy, and nothing after a closed string', async () => {
    const pkg = await complete('{\n  "name": "x",\n  "|"\n}', 'package.json');
    assert.deepEqual(pkg.items, []);
    const tsconfig = await complete('{"compilerOptions": {"strict": true, "|"}}', 'tsconfig.json');
    assert.deepEqual(tsconfig.items, []);
    const closed = await complete('{"Version": "2012-10-17", "Statement": [{"Effect": "Deny"|}]}');
    assert.deepEqual(closed.items, []);
  });
});
