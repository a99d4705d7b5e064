// The pure parts of the object re-encryption: which method each object gets (plan.ts), the
// requirement objects are judged against (types.ts), inventory CSV lines (inventory.ts) and the
// journal's resume (journal.ts, on a real file). The calls are tested against the emulator
// (objects.test.ts, reencrypt CLI tests).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { csvFields } from '../../aws/objects/inventory';
import { Journal, JournalError, FLUSH_EVERY } from '../../aws/objects/journal';
import { decide, estimate, partSizeFor, type Target } from '../../aws/objects/plan';
import { failsRequirement, type ObjectInfo } from '../../aws/objects/types';

const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER = 'arn:aws:kms:eu-west-1:111122223333:key/2222bbbb-12ab-34cd-56ef-bbbbbbbb0002';
const kms: Target = { algorithm: 'aws:kms', kmsKeyArn: KEY, bucketKey: true };

const obj = (over: Partial<ObjectInfo> = {}): ObjectInfo => ({
  key: 'a',
  versionId: null,
  isLatest: true,
  size: 10,
  etag: '"e"',
  storageClass: 'STANDARD',
  encryption: 'SSE-S3',
  kmsKey: null,
  bucketKey: null,
  ...over,
});

describe('plan: the method per object', () => {
  it('updates SSE-S3 and SSE-KMS under another key in place, copies unencrypted and DSSE-KMS objects', () => {
    assert.deepEqual(decide(obj(), { target: kms }), { action: 'update' });
    assert.deepEqual(decide(obj({ encryption: 'SSE-KMS', kmsKey: OTHER, bucketKey: true }), { target: kms }), {
      action: 'update',
    });
    assert.deepEqual(decide(obj({ encryption: 'NOT-SSE' }), { target: kms }), { action: 'copy' });
    assert.deepEqual(decide(obj({ encryption: 'DSSE-KMS', kmsKey: KEY }), { target: kms }), { action: 'copy' });
  });

  it('leaves objects already under the target alone, and adds the Bucket Key where it is asked for', () => {
    assert.deepEqual(decide(obj({ encryption: 'SSE-KMS', kmsKey: KEY, bucketKey: true }), { target: kms }), {
      action: 'nothing',
    });
    assert.deepEqual(decide(obj({ encryption: 'SSE-KMS', kmsKey: KEY, bucketKey: false }), { target: kms }), {
      action: 'update',
    });
    assert.deepEqual(
      decide(obj({ encryption: 'SSE-KMS', kmsKey: KEY, bucketKey: false }), { target: { ...kms, bucketKey: false } }),
      { action: 'nothing' },
    );
  });

  it('copies where UpdateObjectEncryption cannot apply: SSE-S3 as the target, an endpoint without it', () => {
    const sseS3: Target = { algorithm: 'AES256', kmsKeyArn: null, bucketKey: false };
    assert.deepEqual(decide(obj({ encryption: 'SSE-KMS', kmsKey: KEY }), { target: sseS3 }), { action: 'copy' });
    assert.deepEqual(decide(obj({ encryption: 'SSE-S3' }), { target: sseS3 }), { action: 'nothing' });
    assert.deepEqual(decide(obj(), { target: kms, copyOnly: true }), { action: 'copy' });
  });

  it('copies objects over the copy limit in parts', () => {
    assert.deepEqual(decide(obj({ encryption: 'NOT-SSE', size: 6 * 1024 ** 3 }), { target: kms }), { action: 'multipart-copy' });
    assert.deepEqual(decide(obj({ encryption: 'NOT-SSE', size: 101 }), { target: kms, copyLimitBytes: 100 }), {
      action: 'multipart-copy',
    });
    // In place needs no copy, whatever the size.
    assert.deepEqual(decide(obj({ size: 6 * 1024 ** 3 }), { target: kms }), { action: 'update' });
  });

  it('skips SSE-C, Object Lock, archived objects, and older versions only a copy could reach', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    assert.deepEqual(decide(obj({ encryption: 'SSE-C' }), { target: kms }), { action: 'skip', reason: 'sse-c' });
    assert.deepEqual(decide(obj({ legalHold: true }), { target: kms }), { action: 'skip', reason: 'object-lock' });
    assert.deepEqual(
      decide(obj({ lockMode: 'COMPLIANCE', lockRetainUntil: new Date('2027-01-01T00:00:00Z') }), { target: kms, now }),
      { action: 'skip', reason: 'object-lock' },
    );
    // Retention that has ended no longer holds the object.
    assert.deepEqual(
      decide(obj({ lockMode: 'GOVERNANCE', lockRetainUntil: new Date('2026-01-01T00:00:00Z') }), { target: kms, now }),
      {
        action: 'update',
      },
    );
    for (const o of [
      obj({ storageClass: 'GLACIER' }),
      obj({ storageClass: 'DEEP_ARCHIVE' }),
      obj({ storageClass: 'INTELLIGENT_TIERING', archiveStatus: 'ARCHIVE_ACCESS' }),
    ])
      assert.deepEqual(decide(o, { target: kms }), { action: 'skip', reason: 'archived' });
    assert.deepEqual(decide(obj({ storageClass: 'GLACIER_IR' }), { target: kms }), { action: 'update' });
    assert.deepEqual(decide(obj({ isLatest: false, encryption: 'NOT-SSE' }), { target: kms }), {
      action: 'skip',
      reason: 'noncurrent-version',
    });
    assert.deepEqual(decide(obj({ isLatest: false }), { target: kms }), { action: 'update' });
  });

  it('parts: at least the part size, at most 10,000 parts', () => {
    assert.equal(partSizeFor(100, 30), 30);
    assert.equal(partSizeFor(5 * 1024 ** 4, 5 * 1024 ** 2), Math.ceil((5 * 1024 ** 4) / 10_000));
  });

  it('the estimate counts requests and prices them', () => {
    const e = estimate(
      {
        bucket: 'b',
        prefix: '',
        target: kms,
        scanned: 1000,
        alreadyCompliant: 0,
        planned: 1000,
        byMethod: { update: 500, copy: 500, 'multipart-copy': 0 },
        skipped: {},
        copyBytes: 0,
        notes: [],
        complete: true,
      },
      Array.from({ length: 1000 }, (_, i) => ({ kmsSource: i < 100 ? 1 : 0 })),
      0,
    );
    assert.deepEqual(e.s3Requests, { writes: 1000, reads: 2500 });
    assert.equal(e.kmsRequests, 1100);
    assert.equal(e.costUsd, Math.round((0.005 + 2.5 * 0.0004 + 0.11 * 0.03) * 1e6) / 1e6);
    assert.match(e.priceSource, /us-east-1/);
  });
});

describe('requirement', () => {
  const req = { algorithms: ['aws:kms'], kmsKeyArns: [KEY] };
  it('fails unencrypted, SSE-C, another algorithm and another key', () => {
    assert.equal(failsRequirement({ encryption: 'SSE-KMS', kmsKey: KEY }, req), null);
    assert.match(failsRequirement({ encryption: 'SSE-KMS', kmsKey: OTHER }, req) ?? '', /another KMS key/);
    assert.match(failsRequirement({ encryption: 'SSE-S3', kmsKey: null }, req) ?? '', /SSE-S3 where aws:kms/);
    assert.match(
      failsRequirement({ encryption: 'NOT-SSE', kmsKey: null }, { algorithms: [], kmsKeyArns: [] }) ?? '',
      /not encrypted/,
    );
    assert.match(failsRequirement({ encryption: 'SSE-C', kmsKey: null }, { algorithms: [], kmsKeyArns: [] }) ?? '', /SSE-C/);
    // An inventory row names no key: judged by algorithm only.
    assert.equal(failsRequirement({ encryption: 'SSE-KMS', kmsKey: null }, req), null);
  });
});

describe('inventory CSV lines', () => {
  it('reads quoted fields, doubled quotes, commas inside quotes and empty fields', () => {
    assert.deepEqual(csvFields('"b","a%2Cb","","true","12","SSE-KMS"'), ['b', 'a%2Cb', '', 'true', '12', 'SSE-KMS']);
    assert.deepEqual(csvFields('"x","say ""hi"", ok",3'), ['x', 'say "hi", ok', '3']);
    assert.deepEqual(csvFields('a,,c'), ['a', '', 'c']);
    assert.deepEqual(csvFields('"unterminated'), ['unterminated']);
  });
});

describe('journal', () => {
  const tmp = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-journal-')), 'run.journal');
  const header = { bucket: 'b', prefix: '', target: 'SSE-KMS k', versions: false };

  it('resumes from what an earlier run wrote, a line cut short by a crash included', () => {
    const file = tmp();
    const j = Journal.open(file, header);
    for (let i = 0; i < FLUSH_EVERY + 3; i++)
      j.add({ key: `k${i}`, versionId: null, status: 'done', detail: 'copy', etag: `"e${i}"` });
    j.add({ key: 'bad', versionId: null, status: 'failed', detail: 'AccessDenied' });
    j.markCanary();
    j.close();
    // A crash mid-write: half a line at the end.
    fs.appendFileSync(file, '{"key":"k99","versionId":null,"sta');
    const again = Journal.open(file, header);
    assert.equal(again.resumed, FLUSH_EVERY + 4);
    assert.equal(again.get('k0', null)?.etag, '"e0"');
    assert.equal(again.get('bad', null)?.status, 'failed');
    assert.equal(again.get('k99', null), undefined);
    assert.equal(again.canaryProven, true);
    again.add({ key: 'later', versionId: null, status: 'skipped', detail: 'sse-c' });
    again.close();
    // The next line starts on its own line: the cut one does not swallow it.
    assert.equal(Journal.open(file, header).get('later', null)?.status, 'skipped');
  });

  it('refuses the journal of another run, and a file that is no journal', () => {
    const file = tmp();
    Journal.open(file, header).close();
    assert.throws(
      () => Journal.open(file, { ...header, bucket: 'other' }),
      (e: unknown) => e instanceof JournalError && /belongs to another run/.test(e.message),
    );
    const notJournal = tmp();
    fs.writeFileSync(notJournal, 'hello\n');
    assert.throws(() => Journal.open(notJournal, header), JournalError);
  });
});
