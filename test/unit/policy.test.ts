import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../core/analyze';
import { matchesGlob } from '../../core/policy/glob';
import { bucketFromFileName, detectKind } from '../../core/policy/kind';
import { LineIndex } from '../../core/policy/lines';
import { nestingDepthExceeds, parsePolicy } from '../../core/policy/parse';
import { toServerSettings } from '../../server/settings';

describe('parse: located, normalised model', () => {
  const text =
    '{"Version": "2012-10-17", "Statement": {"Sid": "A", "Effect": "Deny", "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "222233334444"]}, "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": false}}}}';
  const doc = parsePolicy(text);
  const st = doc.statements[0];
  const at = (s: { offset: number; length: number }) => text.slice(s.offset, s.offset + s.length);

  it('normalises a lone statement and string-or-array values, keeping every range', () => {
    assert.equal(doc.statements.length, 1);
    assert.equal(st.action?.isArray, false);
    assert.deepEqual(
      st.action?.items.map(i => i.value),
      ['s3:*'],
    );
    assert.equal(at(st.action!.items[0].span), '"s3:*"');
    assert.deepEqual(
      st.resource?.items.map(i => at(i.span)),
      ['"arn:aws:s3:::b"', '"arn:aws:s3:::b/*"'],
    );
    assert.equal(st.principal?.entries[0].type.value, 'AWS');
    assert.deepEqual(
      st.principal?.entries[0].values.items.map(i => i.value),
      ['arn:aws:iam::111122223333:root', '222233334444'],
    );
  });

  it('keeps condition operators, keys and typed values', () => {
    const op = st.condition!.operators[0];
    assert.equal(op.operator.value, 'Bool');
    assert.equal(op.entries[0].key.value, 'aws:SecureTransport');
    assert.equal(op.entries[0].values.items[0].value, false);
    assert.equal(at(op.entries[0].values.items[0].span), 'false');
  });

  it('reports syntax errors with their offsets and never throws', () => {
    const broken = parsePolicy('{"Statement": [ {"Effect": "Deny",, } ]');
    assert.ok(broken.syntaxErrors.length > 0);
    assert.ok(broken.syntaxErrors.every(e => e.span.length > 0 && e.message.startsWith('JSON syntax error')));
    assert.equal(
      parsePolicy('{"a": 1} // c').syntaxErrors[0].message,
      'JSON syntax error: Comments are not allowed: AWS rejects policies that contain them',
    );
  });

  it('refuses nesting that would overflow the parser before parsing', () => {
    assert.equal(nestingDepthExceeds('[[["[[[[[[[["]]]', 3), undefined, 'brackets inside strings do not count');
    assert.equal(nestingDepthExceeds('[[[[', 3), 3);
    const deep = parsePolicy(`{"Statement": ${'['.repeat(20000)}${']'.repeat(20000)}}`);
    assert.ok(deep.truncated);
    assert.equal(deep.root, undefined);
  });

  it('counts brackets after a quote inside a comment or an unterminated string, as the parser reads them', () => {
    // Each of these once hid 20,000 brackets from the check and overflowed the parser's stack.
    const deep = '['.repeat(20000) + ']'.repeat(20000);
    for (const text of [`{"Statement": /* " */ ${deep}}`, `{"Statement": // "\n${deep}}`, `{"Statement": "abc\n${deep}}`]) {
      assert.notEqual(nestingDepthExceeds(text, 64), undefined, text.slice(0, 30));
      const a = analyze(text, '/x/a.bucket-policy.json');
      assert.match(a.notAnalysed ?? '', /nested more than 64 levels/);
    }
    assert.equal(
      nestingDepthExceeds('/* [[[[ */ "[[[[" // [[[[\n [[', 3),
      undefined,
      'brackets in comments and strings do not count',
    );
  });
});

describe('kind detection', () => {
  const kind = (text: string, filePath = '/w/policy.json', kinds?: Record<string, string>) =>
    detectKind({ filePath, doc: parsePolicy(text), kinds });
  const bucket = '{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}';
  const key =
    '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}';
  const identity = '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}';

  it('from content, with a reason', () => {
    assert.equal(kind(bucket).kind, 'bucket-policy');
    assert.equal(kind(key).kind, 'key-policy');
    assert.equal(kind(identity).kind, 'identity-policy');
    assert.match(kind(identity).reason, /no statement names a Principal/);
    assert.equal(kind('{"name": "x", "version": "1.0.0"}').kind, 'unknown');
    assert.equal(kind('{"compilerOptions": {"strict": true}}', '/w/tsconfig.json').kind, 'unknown');
    assert.equal(kind('[1,2]').kind, 'unknown');
    assert.equal(kind('').kind, 'unknown');
  });

  it('file names beat content, settings globs beat both', () => {
    assert.equal(kind(bucket, '/w/x.key-policy.json').kind, 'key-policy');
    assert.equal(kind(bucket, '/w/x.key-policy.json').source, 'file-name');
    const s = kind(key, '/w/x.key-policy.json', { '**/x.*.json': 'bucket-policy' });
    assert.equal(s.kind, 'bucket-policy');
    assert.match(s.reason, /s3EncryptionGuard\.kinds/);
    assert.equal(kind(bucket, '/w/fixtures/a.json', { '**/fixtures/**': 'unknown' }).kind, 'unknown');
    assert.equal(kind(bucket, '/w/a.json', { '*.json': 'nonsense' }).kind, 'bucket-policy', 'invalid kinds are ignored');
  });

  it('reads the bucket name from NAME.bucket-policy.json', () => {
    assert.equal(bucketFromFileName('/w/my-data.bucket-policy.json'), 'my-data');
    assert.equal(bucketFromFileName('C:\\w\\logs.example.bucket-policy.json'), 'logs.example');
    assert.equal(bucketFromFileName('/w/Bad_Name.bucket-policy.json'), undefined);
  });
});

describe('globs', () => {
  for (const [p, g, want] of [
    ['/w/policies/a.json', '**/policies/*.json', true],
    ['/w/policies/sub/a.json', '**/policies/*.json', false],
    ['/w/policies/sub/a.json', '**/policies/**', true],
    ['/w/a.policy.json', '*.policy.json', true],
    ['/w/a.json', '*.{yaml,json}', true],
    ['/w/p/a1.json', 'p/a[0-9].json', true],
    ['/w/p/ab.json', 'p/a?.json', true],
    ['/w/p/abc.json', 'p/a?.json', false],
  ] as [string, string, boolean][]) {
    it(`${g} ${want ? 'matches' : 'does not match'} ${p}`, () => assert.equal(matchesGlob(p, g), want));
  }
});

describe('line index', () => {
  it('maps offsets to 0-based lines and UTF-16 characters, for LF, CRLF and CR', () => {
    const li = new LineIndex('ab\ncd\r\nef\rg\u200bh');
    assert.deepEqual(li.position(4), { line: 1, character: 1 });
    assert.deepEqual(li.position(7), { line: 2, character: 0 });
    assert.deepEqual(li.position(10), { line: 3, character: 0 });
    assert.deepEqual(li.position(12), { line: 3, character: 2 });
    assert.equal(li.offset({ line: 3, character: 2 }), 12);
    assert.deepEqual(li.range({ offset: 3, length: 2 }), { start: { line: 1, character: 0 }, end: { line: 1, character: 2 } });
  });
});

describe('settings from the client', () => {
  it('keep valid entries and drop the rest', () => {
    const s = toServerSettings({
      rules: { 'grm-016': 'off', 'GRM-002': 'loud', 'GRM-003': 3 },
      kinds: { '*.json': 'bucket-policy', x: 1 },
      maxFileSize: -5,
      bucketName: '  b  ',
    });
    assert.deepEqual(s.rules, { 'GRM-016': 'off' });
    assert.deepEqual(s.kinds, { '*.json': 'bucket-policy' });
    assert.equal(s.maxFileSize, undefined);
    assert.equal(s.bucketName, 'b');
    assert.equal(s.enable, true);
    assert.equal(toServerSettings(null).enable, true);
    assert.equal(toServerSettings({ enable: false }).enable, false);
  });
});

describe('analyze', () => {
  it('runs nothing on JSON that is not a policy, even broken JSON', () => {
    assert.deepEqual(analyze('{"name": "x",', '/w/package.json').findings, []);
  });
  it('applies severity overrides and "off"', () => {
    const text =
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}], "Statment": []}';
    const base = analyze(text, '/w/b.bucket-policy.json').findings.filter(f => f.ruleId === 'GRM-001');
    assert.equal(base.length, 1);
    assert.equal(base[0].severity, 'error');
    assert.equal(
      analyze(text, '/w/b.bucket-policy.json', { rules: { 'GRM-001': 'info' } }).findings.find(f => f.ruleId === 'GRM-001')
        ?.severity,
      'info',
    );
    assert.equal(
      analyze(text, '/w/b.bucket-policy.json', { rules: { 'GRM-001': 'off' } }).findings.filter(f => f.ruleId === 'GRM-001')
        .length,
      0,
    );
  });
  it('turns a rule that throws into a reported failure instead of a crash', () => {
    const boom = {
      meta: {
        id: 'GRM-999',
        title: 't',
        severity: 'error' as const,
        appliesTo: ['bucket-policy' as const],
        why: 'w',
        example: 'e',
        useInstead: 'u',
        references: ['r'],
        confidence: 'DOC' as const,
        fixable: false,
      },
      check: () => {
        throw new Error('boom');
      },
    };
    const a = analyze('{"Statement": []}', '/w/b.bucket-policy.json', {}, [boom]);
    assert.equal(a.ruleFailures.length, 1);
    assert.match(a.ruleFailures[0].error, /boom/);
  });
  it('caps the number of findings and says so', () => {
    const sts = Array.from(
      { length: 50 },
      () => '{"Effect": "deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}',
    ).join(',');
    const a = analyze(`{"Version": "2012-10-17", "Statement": [${sts}]}`, '/w/b.bucket-policy.json', { maxDiagnostics: 10 });
    assert.equal(a.findings.length, 11);
    assert.match(a.findings[10].message, /more problems are not shown \(limit 10/);
  });
});
