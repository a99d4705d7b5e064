// The cross-document check's engine part: writers and readers of a bucket against a key policy,
// with and without S3 Bucket Keys. Expectations written from docs/design/aws-facts.md#kms-005/KMS-007.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bucketKeyUsers, crossCheck } from '../../../core/engine/cross-check';
import { parsePolicy } from '../../../core/policy/parse';

const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const bucketPolicy = (extra = '') =>
  parsePolicy(`{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/Writer"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/in/*"},
  {"Effect": "Allow", "Principal": {"AWS": "555566667777"}, "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]},
  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/Other"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other-bucket/*"}${extra}]}`);
const key = (...st: object[]) => parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: st }));
const ROOT = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' };

describe('cross-document check (engine)', () => {
  test("writers and readers come from the Allow statements for this bucket, plus the key's account", () => {
    const users = bucketKeyUsers(bucketPolicy(), 'b', '111122223333').map(u => `${u.role} ${u.label}`);
    assert.deepEqual(users, [
      'writer principals of account 111122223333',
      'writer arn:aws:iam::444455556666:role/Writer',
      'reader principals of account 111122223333',
      'reader principals of account 555566667777',
    ]);
  });

  test("root statement only: the account's principals can, the other accounts cannot", () => {
    const c = crossCheck(bucketPolicy(), 'b', KEY, key(ROOT));
    assert.equal(c.viaService, 's3.eu-west-1.amazonaws.com');
    const by = Object.fromEntries(c.results.map(r => [`${r.role} ${r.label}`, [r.action, r.withoutBucketKey, r.withBucketKey]]));
    assert.deepEqual(by, {
      'writer principals of account 111122223333': ['kms:GenerateDataKey', true, true],
      'writer arn:aws:iam::444455556666:role/Writer': ['kms:GenerateDataKey', false, false],
      'reader principals of account 111122223333': ['kms:Decrypt', true, true],
      'reader principals of account 555566667777': ['kms:Decrypt', false, false],
    });
  });

  test('a grant with the object-only encryption context works only without Bucket Keys', () => {
    const c = crossCheck(
      bucketPolicy(),
      'b',
      KEY,
      key(ROOT, {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::444455556666:role/Writer' },
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: '*',
        Condition: {
          StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::b/*' },
        },
      }),
    );
    const w = c.results.find(r => r.label === 'arn:aws:iam::444455556666:role/Writer')!;
    assert.deepEqual([w.withoutBucketKey, w.withBucketKey], [true, false]);
  });

  test("a grant through another region's S3 does not help", () => {
    const c = crossCheck(
      bucketPolicy(),
      'b',
      KEY,
      key(ROOT, {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::555566667777:root' },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
      }),
    );
    const r = c.results.find(x => x.label === 'principals of account 555566667777')!;
    assert.deepEqual([r.withoutBucketKey, r.withBucketKey], [false, false]);
  });

  test('with the right region and both context forms, everyone passes', () => {
    const c = crossCheck(
      bucketPolicy(),
      'b',
      KEY,
      key(ROOT, {
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::555566667777:root', 'arn:aws:iam::444455556666:role/Writer'] },
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: '*',
        Condition: {
          StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'] },
        },
      }),
    );
    assert.ok(
      c.results.every(r => r.withoutBucketKey && r.withBucketKey),
      JSON.stringify(c.results),
    );
  });
});
