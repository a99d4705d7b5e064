// The policy a bucket fix writes (aws/fix-policy.ts): the Deny statements, judged by the real
// engine, merged into a live policy without changing a byte of what was there.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  denyStatements,
  lineDiff,
  mergePolicy,
  PolicyMergeError,
  policySids,
  samePolicy,
  unifiedDiff,
  type DenyChoices,
} from '../../aws/fix-policy';
import { localFixJudge } from '../../cli/fix-judge';
import { pinnedKeys } from '../../aws/checks';

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const choices: DenyChoices = {
  bucket: 'shop-data',
  partition: 'aws',
  https: true,
  minTlsVersion: '1.2',
  kmsKeyArn: KEY,
  denyHeaderless: false,
};
const ALL = ['https', 'min-tls', 'sse-kms', 'kms-key', 'sse-c'] as const;

const EXISTING = `{
    "Version": "2012-10-17",
    "Id": "keep-me",
    "Statement": [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:role/reader"},
            "Action": ["s3:GetObject"],
            "Resource": "arn:aws:s3:::shop-data/*"
        },
        {"Sid": "Odd spacing",   "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::shop-data"}
    ]
}`;

describe('the Deny statements a bucket fix adds', () => {
  it('the engine judges a policy of them as HTTPS denied, TLS 1.2 minimum, SSE-KMS pinned to the key', async () => {
    const added = denyStatements(choices, ALL, new Set());
    const text = mergePolicy(
      null,
      added.map(a => a.statement),
    );
    const v = await localFixJudge().bucketPolicy(text, 'shop-data');
    assert.ok(v);
    assert.equal(v.transport.http, 'denied');
    assert.equal(v.transport.minTlsVersion, '1.2');
    assert.deepEqual(pinnedKeys(v), [KEY]);
    const open = v.encryption.uploads.filter(u => u.decision === 'not-denied');
    // Default-friendly (template 3): the pinned key, SSE-KMS without a key (the bucket's default key
    // then) and uploads without a header are let through; SSE-S3, DSSE, SSE-C and other keys are not.
    assert.deepEqual(open.map(u => `${u.sse}:${u.kmsKey ?? ''}`).sort(), ['aws:kms:', `aws:kms:${KEY}`, 'none:'].sort());
  });

  it('denyHeaderless: uploads without a header are denied too (template 2)', async () => {
    const added = denyStatements({ ...choices, denyHeaderless: true }, ALL, new Set());
    const v = await localFixJudge().bucketPolicy(
      mergePolicy(
        null,
        added.map(a => a.statement),
      ),
      'shop-data',
    );
    assert.ok(v);
    const open = v.encryption.uploads.filter(u => u.decision === 'not-denied');
    assert.deepEqual(
      open.map(u => `${u.sse}:${u.kmsKey}`),
      [`aws:kms:${KEY}`],
    );
  });

  it('Sids never repeat one the policy has', () => {
    const added = denyStatements(choices, ['https', 'min-tls'], policySids(EXISTING));
    assert.deepEqual(
      added.map(a => a.statement.Sid),
      ['DenyInsecureTransport2', 'DenyOutdatedTls'],
    );
  });
});

describe('merging into a live policy', () => {
  it('keeps every existing byte and appends the new statements', () => {
    const added = denyStatements(choices, ['https'], policySids(EXISTING)).map(a => a.statement);
    const merged = mergePolicy(EXISTING, added);
    // Everything up to the end of the last existing statement is unchanged, byte for byte.
    const lastEnd = EXISTING.indexOf('"arn:aws:s3:::shop-data"}') + '"arn:aws:s3:::shop-data"}'.length;
    assert.equal(merged.slice(0, lastEnd), EXISTING.slice(0, lastEnd));
    const doc = JSON.parse(merged);
    assert.equal(doc.Id, 'keep-me');
    assert.equal(doc.Statement.length, 3);
    assert.deepEqual(doc.Statement.slice(0, 2), JSON.parse(EXISTING).Statement);
    assert.deepEqual(doc.Statement[2], added[0]);
  });

  it('a single Statement object becomes the first of a list, its text unchanged', () => {
    const one =
      '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}';
    const added = denyStatements({ ...choices, bucket: 'b' }, ['https'], new Set()).map(a => a.statement);
    const merged = mergePolicy(one, added);
    assert.ok(merged.includes('{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}'));
    assert.equal(JSON.parse(merged).Statement.length, 2);
  });

  it('refuses what it cannot merge safely: not JSON, a member written twice, a Statement string', () => {
    const s = denyStatements(choices, ['https'], new Set()).map(a => a.statement);
    assert.throws(() => mergePolicy('{"Statement": [', s), PolicyMergeError);
    assert.throws(
      () =>
        mergePolicy(
          '{"Statement": [{"Effect": "Allow", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}',
          s,
        ),
      /twice/,
    );
    assert.throws(() => mergePolicy('{"Statement": "nope"}', s), PolicyMergeError);
    assert.throws(() => mergePolicy('[1, 2]', s), PolicyMergeError);
  });

  it('the same policy with other whitespace is the same policy; another is not', () => {
    assert.ok(samePolicy(EXISTING, JSON.stringify(JSON.parse(EXISTING))));
    assert.ok(!samePolicy(EXISTING, EXISTING.replace('reader', 'writer')));
    assert.ok(!samePolicy(EXISTING, null));
    assert.ok(samePolicy(null, null));
  });
});

describe('the diff the plan shows', () => {
  it('marks only the added lines', () => {
    const added = denyStatements(choices, ['https'], policySids(EXISTING)).map(a => a.statement);
    const merged = mergePolicy(EXISTING, added);
    const d = lineDiff(EXISTING, merged);
    assert.equal(d.filter(l => l.op === '-').length, 1, 'only the last statement line gets a comma');
    assert.ok(d.filter(l => l.op === '+').some(l => l.text.includes('aws:SecureTransport')));
    const u = unifiedDiff(d);
    assert.ok(u.startsWith('@@'));
    assert.ok(!u.includes('"Id": "keep-me"'), 'far context is left out');
  });

  it('from no policy: every line is added', () => {
    const d = lineDiff('', '{\n  "a": 1\n}\n');
    assert.deepEqual(
      d.map(l => l.op),
      ['+', '+', '+'],
    );
  });
});
