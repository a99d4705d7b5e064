// The language server's own parts that need no connection: the byte-bounded caches, the key-policy
// index's budget and links, and the log lines for internal failures.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { analysisBytes, AnalysisCache } from '../../server/analysis-cache';
import { BoundedCache } from '../../core/bounded-cache';
import { KeyPolicyIndex, MODEL_BYTES_PER_CHAR } from '../../core/crossdoc';
import { analyzeDocument } from '../../server/features/document-analysis';
import { KeyPolicyLinks } from '../../server/key-policy-links';
import { failureReason, logValue, ruleFailuresLine } from '../../server/server-log';
import { toServerSettings } from '../../server/settings';
import { EXAMPLES } from '../helpers/paths';

const KEY_ID = '5f2c7a1e-8d3b-4c6a-9e0f-2b7d4a6c8e10';
const KEY_ARN = `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`;
const KEY_TEXT = fs.readFileSync(path.join(EXAMPLES, `orders-data.${KEY_ID}.key-policy.json`), 'utf8');

describe('BoundedCache', () => {
  it('drops entries not used since they were last passed over until the bytes fit, not by count', () => {
    const lru = new BoundedCache<string, string>({ maxBytes: 100, maxEntryBytes: 100 });
    lru.set('a', 'A', 40);
    lru.set('b', 'B', 40);
    assert.equal(lru.get('a'), 'A'); // a was used: it gets a second chance, b does not
    lru.set('c', 'C', 40);
    assert.deepEqual([...lru.keys()].sort(), ['a', 'c']);
    assert.equal(lru.bytes, 80);
    for (let i = 0; i < 1000; i++) lru.set(`small-${i}`, 'x', 0.01);
    assert.equal(lru.size, 1002, 'many small entries fit where two large ones did');
  });

  it('does not keep a value larger than the per-entry limit, and forgets what the key had', () => {
    const lru = new BoundedCache<string, string>({ maxBytes: 100, maxEntryBytes: 50 });
    lru.set('a', 'old', 10);
    assert.equal(lru.set('a', 'huge', 60), false);
    assert.equal(lru.get('a'), undefined);
    assert.equal(lru.bytes, 0);
  });

  it('re-counts a resized entry', () => {
    const lru = new BoundedCache<string, string>({ maxBytes: 100, maxEntryBytes: 100 });
    lru.set('a', 'A', 10);
    lru.set('b', 'B', 10);
    lru.resize('a', 95);
    assert.deepEqual([...lru.keys()], ['a']);
    assert.equal(lru.bytes, 95);
  });
});

describe('AnalysisCache', () => {
  const settings = toServerSettings({});
  it('charges an analysis at least MODEL_BYTES_PER_CHAR per character and keeps the total under its limit', () => {
    const text = fs.readFileSync(path.join(EXAMPLES, 'orders-data.bucket-policy.json'), 'utf8');
    const a = analyzeDocument('file:///c/a.bucket-policy.json', 1, text, settings);
    assert.ok(analysisBytes(a) >= MODEL_BYTES_PER_CHAR * text.length);
    const cache = new AnalysisCache({ maxBytes: 3 * analysisBytes(a), maxEntryBytes: 2 * analysisBytes(a) });
    for (let i = 0; i < 10; i++) cache.remember(analyzeDocument(`file:///c/p${i}.bucket-policy.json`, 1, text, settings));
    assert.equal(cache.size, 3);
    assert.ok(cache.bytes <= 3 * analysisBytes(a));
    assert.ok(cache.get('file:///c/p9.bucket-policy.json', 1));
    assert.equal(cache.get('file:///c/p9.bucket-policy.json', 2), undefined, 'another version is not a hit');
    const big = analyzeDocument(
      'file:///c/big.bucket-policy.json',
      1,
      text.replace('"Version"', `"Padding": "${'x'.repeat(3 * text.length)}", "Version"`),
      settings,
    );
    cache.remember(big);
    assert.equal(cache.get('file:///c/big.bucket-policy.json', 1), undefined, 'over the per-entry limit: not kept');
  });

  it('charges findings too: a short document with a thousand problems is not cheap', () => {
    const text = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":[${Array(2000).fill(1).join(',')}]}]}`;
    const a = analyzeDocument('file:///c/many.bucket-policy.json', 1, text, settings);
    assert.ok(a.analysis.findings.length >= 1000);
    assert.ok(analysisBytes(a) >= MODEL_BYTES_PER_CHAR * text.length + 400 * a.analysis.findings.length);
  });
});

describe('KeyPolicyIndex budget', () => {
  it('refuses key policies beyond its text budget and gives the bytes back on delete', () => {
    const index = new KeyPolicyIndex({ maxTextBytes: 2 * KEY_TEXT.length * 2 + 10 });
    assert.equal(index.set('/k/a.key-policy.json', KEY_TEXT), true);
    assert.equal(index.set('/k/b.key-policy.json', KEY_TEXT.replace('orders-data-key', 'b')), true);
    assert.equal(index.set('/k/c.key-policy.json', KEY_TEXT.replace('orders-data-key', 'c')), false);
    assert.equal(index.refusedForSize, 1);
    assert.equal(index.size, 2);
    index.delete('/k/a.key-policy.json');
    index.delete('/k/b.key-policy.json');
    assert.equal(index.bytes, 0);
  });

  it('keeps parsed models within their budget and finds the key without one', () => {
    const index = new KeyPolicyIndex({ maxParsedBytes: MODEL_BYTES_PER_CHAR * KEY_TEXT.length + 1 });
    for (let i = 0; i < 5; i++)
      index.set(`/k/${i}.${i === 4 ? KEY_ID : 'other'}.key-policy.json`, KEY_TEXT.replace('orders-data-key', `k${i}`));
    assert.equal(index.resolve(KEY_ARN)?.path, `/k/4.${KEY_ID}.key-policy.json`);
    assert.ok(index.find(KEY_ARN)?.doc.statements.length);
    assert.ok(index.bytes <= 5 * 2 * (KEY_TEXT.length + 10) + MODEL_BYTES_PER_CHAR * (KEY_TEXT.length + 10));
  });
});

describe('KeyPolicyLinks', () => {
  it('names the bucket policies checked against a changed file and those whose key now resolves to it', () => {
    const index = new KeyPolicyIndex();
    const links = new KeyPolicyLinks();
    const none = new Map<string, string>();
    links.record('file:///b/linked.json', [{ keyArn: KEY_ARN, keyPolicy: { path: '/k/old.key-policy.json' } }], none);
    links.record('file:///b/waiting.json', [{ keyArn: KEY_ARN }], none);
    links.record('file:///b/other.json', [{ keyArn: KEY_ARN.replace(KEY_ID, '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d') }], none);
    links.record('file:///b/no-key.json', [], none);
    assert.deepEqual(links.affectedBy(new Set(['/k/old.key-policy.json']), index), ['file:///b/linked.json']);
    index.set(`/k/${KEY_ID}.key-policy.json`, KEY_TEXT);
    assert.deepEqual(links.affectedBy(new Set([`/k/${KEY_ID}.key-policy.json`]), index), [
      'file:///b/linked.json',
      'file:///b/waiting.json',
    ]);
    links.forget('file:///b/linked.json');
    assert.equal(links.size, 2);
  });
});

describe('server log lines', () => {
  it('one line per failing version: rule IDs and the first line of each error, never the stack', () => {
    let stack = '';
    try {
      (undefined as unknown as { sid: string }).sid.trim();
    } catch (e) {
      stack = (e as Error).stack ?? '';
    }
    assert.ok(stack.includes('\n    at '), 'a real stack');
    const line = ruleFailuresLine('/w/a\nb\u001b[2J.bucket-policy.json', 7, [
      { ruleId: 'MIS-003', error: stack },
      { ruleId: 'cross-document', error: 'RangeError: Maximum call stack size exceeded\n    at x' },
    ]);
    assert.ok(!line.includes('\n') && !line.includes('\u001b'), line);
    assert.ok(!line.includes(' at '), 'no stack frames');
    assert.match(
      line,
      /^\/w\/a\\nb\\x1b\[2J\.bucket-policy\.json \(version 7\): 2 rules failed .*: MIS-003: TypeError: Cannot read properties of undefined \(reading 'sid'\); cross-document: RangeError: Maximum call stack size exceeded$/,
    );
  });

  it('never quotes the regular expression of an "Invalid regular expression" error', () => {
    const pattern = `^${'(?:a*)*'.repeat(5000)}$`;
    let error: unknown;
    try {
      new RegExp(`${pattern}(`);
    } catch (e) {
      error = e;
    }
    const reason = failureReason(error);
    assert.equal(reason, 'SyntaxError: Invalid regular expression (pattern not shown): Unterminated group');
    assert.equal(
      failureReason(`SyntaxError: Invalid regular expression: /${pattern}/u: Maximum call stack size exceeded\n    at f`),
      'SyntaxError: Invalid regular expression (pattern not shown): Maximum call stack size exceeded',
    );
  });

  it('clips values and keeps them on one line', () => {
    const v = logValue(`${'x'.repeat(500)}\r\nsecond line`, 100);
    assert.equal(v.length, 100);
    assert.ok(!v.includes('\n'));
    assert.ok(
      ruleFailuresLine(
        'p',
        1,
        Array.from({ length: 50 }, (_, i) => ({ ruleId: `R-${i}`, error: 'E'.repeat(500) })),
      ).length <= 1000,
    );
  });
});
