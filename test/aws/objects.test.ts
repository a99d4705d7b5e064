// The object audit and re-encryption (aws/objects/) through the real AWS SDK against the emulator,
// which keeps objects with their encryption, versions, tags, ACLs, Object Lock and storage classes,
// serves UpdateObjectEncryption, conditional CopyObject and UploadPartCopy and S3 Inventory reports,
// and injects the faults a run must survive (emulator/src/types.ts). Every assertion reads the
// emulator's stored objects afterwards: what the run says it did is checked against what it did.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type Emulator } from '../../emulator/src/emulator';
import type { EmulatorSeed, SeedBucket } from '../../emulator/src/types';
import { auditObjects } from '../../aws/objects/audit';
import { Journal } from '../../aws/objects/journal';
import { planReencryption, runReencryption, type ReencryptOptions } from '../../aws/objects/reencrypt';
import { openSession, type Session } from '../../aws/session';
import { ACCOUNT, emptyAwsFiles, GOOD_KEY_ARN, KEYS, keyArn, testEnv } from './fixtures';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const OTHER_KEY_ARN = keyArn('eu-west-1', KEYS.other.id);
const files = emptyAwsFiles();
const env = testEnv(files);
const target = { algorithm: 'aws:kms' as const, kmsKeyArn: GOOD_KEY_ARN, bucketKey: true };
const allKinds = { algorithms: [] as string[], kmsKeyArns: [] as string[] };

/** A bucket of every kind of object the issue names. */
function mixedBucket(name: string, extra: Partial<SeedBucket> = {}): SeedBucket {
  return {
    name,
    region: 'eu-west-1',
    encryption: null,
    ownership: null,
    objects: [
      {
        key: 'docs/plain.txt',
        content: 'plain old object',
        encryption: 'NOT-SSE',
        contentType: 'text/plain; charset=utf-8',
        cacheControl: 'max-age=60',
        metadata: { owner: 'team-a' },
        tags: { project: 'alpha' },
        storageClass: 'STANDARD_IA',
        grants: [{ grantee: { uri: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers' }, permission: 'READ' }],
        checksumAlgorithm: 'CRC32',
      },
      { key: 'docs/s3.txt', content: 'sse-s3 object', encryption: 'SSE-S3', contentType: 'text/plain', tags: { k: 'v' } },
      {
        key: 'docs/other-key.bin',
        content: 'other key',
        encryption: 'SSE-KMS',
        kmsKeyId: OTHER_KEY_ARN,
        bucketKeyEnabled: false,
      },
      { key: 'docs/good.bin', content: 'already fine', encryption: 'SSE-KMS', kmsKeyId: GOOD_KEY_ARN, bucketKeyEnabled: true },
      { key: 'docs/dsse.bin', content: 'dual layer', encryption: 'DSSE-KMS', kmsKeyId: GOOD_KEY_ARN },
      { key: 'secret/customer.bin', content: 'customer key', encryption: 'SSE-C' },
      { key: 'cold/archive.bin', content: 'frozen', encryption: 'SSE-S3', storageClass: 'DEEP_ARCHIVE' },
    ],
    ...extra,
  };
}

const seed = (): EmulatorSeed => ({
  account: ACCOUNT,
  writable: true,
  keys: [KEYS.good, KEYS.other],
  minPartBytes: 1,
  buckets: [
    mixedBucket('mixed'),
    mixedBucket('resume'),
    mixedBucket('slow'),
    mixedBucket('changing'),
    mixedBucket('trap'),
    mixedBucket('no-update'),
    {
      name: 'big',
      region: 'eu-west-1',
      encryption: null,
      objects: [
        {
          key: 'large.bin',
          size: 1000,
          encryption: 'NOT-SSE',
          contentType: 'application/x-big',
          metadata: { m: '1' },
          tags: { t: '2' },
        },
      ],
    },
    {
      name: 'versioned',
      region: 'eu-west-1',
      versioning: 'Enabled',
      encryption: null,
      objects: [
        {
          key: 'v.txt',
          content: 'current',
          encryption: 'NOT-SSE',
          versions: [
            { content: 'oldest', encryption: 'SSE-S3' },
            { content: 'older', encryption: 'NOT-SSE' },
          ],
        },
      ],
    },
    {
      name: 'locked',
      region: 'eu-west-1',
      objectLock: {},
      encryption: null,
      objects: [
        { key: 'held.txt', content: 'held', encryption: 'NOT-SSE', legalHold: true },
        {
          key: 'retained.txt',
          content: 'kept',
          encryption: 'SSE-S3',
          retention: { mode: 'COMPLIANCE', retainUntil: '2099-01-01T00:00:00.000Z' },
        },
        { key: 'free.txt', content: 'free', encryption: 'SSE-S3' },
      ],
    },
    { name: 'many', region: 'eu-west-1', encryption: null, generate: { count: 250, prefix: 'obj-', encryption: 'NOT-SSE' } },
    {
      name: 'inventoried',
      region: 'eu-west-1',
      encryption: null,
      generate: { count: 30, prefix: 'row-', encryption: 'SSE-S3' },
      inventory: [{ id: 'daily', destinationBucket: 'reports', destinationPrefix: 'inv', reports: ['2026-12-01T01:00:00.000Z'] }],
    },
    {
      name: 'orc-only',
      region: 'eu-west-1',
      inventory: [{ id: 'orc', destinationBucket: 'reports', format: 'ORC' }],
      objects: [{ key: 'x', content: 'x', encryption: 'NOT-SSE' }],
    },
    { name: 'reports', region: 'eu-west-1' },
  ],
});

let em: Emulator;
let session: Session;
const s3 = () => session.s3('eu-west-1');
const opts = (bucket: string, over: Partial<ReencryptOptions> = {}): ReencryptOptions => ({
  bucket,
  target,
  concurrency: 4,
  ...over,
});
const journalFile = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 's3eg-run-')), 'run.journal');

before(async () => {
  em = await startEmulator({ seed: seed() });
  session = await openSession({ endpoint: em.url, env, region: 'eu-west-1', maxAttempts: 2 });
});
after(async () => {
  session?.destroy();
  await em?.close();
});

describe('object audit', () => {
  it('counts a listed bucket by encryption, key and Bucket Key, and names the objects that fail', async () => {
    const a = await auditObjects(s3(), session, {
      bucket: 'mixed',
      requirement: { algorithms: ['aws:kms'], kmsKeyArns: [GOOD_KEY_ARN] },
      source: 'listing',
    });
    assert.equal(a.source, 'listing');
    assert.equal(a.complete, true);
    assert.equal(a.scanned, 7);
    assert.deepEqual(a.byEncryption, { 'NOT-SSE': 1, 'SSE-S3': 2, 'SSE-KMS': 2, 'DSSE-KMS': 1, 'SSE-C': 1 });
    assert.deepEqual(a.byKmsKey, { [OTHER_KEY_ARN]: 1, [GOOD_KEY_ARN]: 2 });
    assert.deepEqual(a.bucketKey, { enabled: 1, disabled: 2 });
    // Fail: plain, the two SSE-S3, the other key, DSSE-KMS (not aws:kms), SSE-C.
    assert.equal(a.nonCompliant, 6);
    assert.ok(a.examples.some(e => e.key === 'docs/plain.txt' && e.encryption === 'NOT-SSE'));
    assert.ok(a.examples.length <= 5);
  });

  it('stops at the cap and says the result is partial', async () => {
    const a = await auditObjects(s3(), session, { bucket: 'many', requirement: allKinds, maxObjects: 100, source: 'listing' });
    assert.equal(a.scanned, 100);
    assert.equal(a.complete, false);
    assert.match(a.notes.join(' '), /cap of 100 objects/);
  });

  it('reads the newest inventory report instead of listing', async () => {
    em.resetStats();
    const a = await auditObjects(s3(), session, {
      bucket: 'inventoried',
      requirement: { algorithms: ['aws:kms'], kmsKeyArns: [] },
    });
    assert.equal(a.source, 'inventory');
    assert.equal(a.complete, true);
    assert.equal(a.scanned, 30);
    assert.equal(a.byEncryption['SSE-S3'], 30);
    assert.equal(a.nonCompliant, 30);
    assert.equal(a.inventory?.id, 'daily');
    assert.equal(a.inventory?.date, '2026-12-01T01-00Z');
    assert.equal(em.calls().HeadObject ?? 0, 0, 'no object was read one by one');
  });

  it('says when the inventory is in a format it does not read, and lists instead', async () => {
    const a = await auditObjects(s3(), session, { bucket: 'orc-only', requirement: allKinds, source: 'inventory' });
    assert.equal(a.complete, false);
    assert.match(a.notes.join(' '), /ORC format, which is not read here/);
    const listed = await auditObjects(s3(), session, { bucket: 'orc-only', requirement: allKinds });
    assert.equal(listed.source, 'listing');
    assert.equal(listed.scanned, 1);
  });

  it('stops when asked, with what it has read', async () => {
    const stop = new AbortController();
    const a = await auditObjects(s3(), session, {
      bucket: 'many',
      requirement: allKinds,
      source: 'listing',
      concurrency: 2,
      signal: stop.signal,
      onProgress: p => {
        if (p.scanned >= 20) stop.abort();
      },
    });
    assert.equal(a.complete, false);
    assert.ok(a.scanned >= 20 && a.scanned < 250, `scanned ${a.scanned}`);
    assert.match(a.notes.join(' '), /stopped/);
  });
});

describe('re-encryption', () => {
  it('plans without writing: methods, skips, requests and cost', async () => {
    em.resetStats();
    const plan = await planReencryption(s3(), session, opts('mixed'));
    assert.deepEqual(plan.summary.byMethod, { update: 2, copy: 2, 'multipart-copy': 0 });
    assert.deepEqual(plan.summary.skipped, { 'sse-c': 1, archived: 1 });
    assert.equal(plan.summary.alreadyCompliant, 1);
    assert.ok(plan.summary.kmsRequests >= 4);
    assert.ok(plan.summary.costUsd > 0);
    const writes = ['PutObject', 'CopyObject', 'UpdateObjectEncryption', 'PutObjectAcl', 'CreateMultipartUpload'];
    for (const w of writes) assert.equal(em.calls()[w] ?? 0, 0, `${w} during planning`);
  });

  it('re-encrypts a mixed bucket and keeps content, metadata, tags, storage class, ACL and checksum', async () => {
    const before = em.object('mixed', 'docs/plain.txt')!;
    const s3Before = em.object('mixed', 'docs/s3.txt')!;
    em.resetStats();
    const plan = await planReencryption(s3(), session, opts('mixed'));
    const report = await runReencryption(s3(), session, opts('mixed'), plan);
    assert.equal(report.stopped, null);
    assert.deepEqual(report.failed, []);
    assert.equal(report.updated, 2);
    assert.equal(report.copied, 2);
    assert.equal(report.updateObjectEncryption, 'proven');
    for (const key of ['docs/plain.txt', 'docs/s3.txt', 'docs/other-key.bin', 'docs/dsse.bin', 'docs/good.bin']) {
      const o = em.object('mixed', key)!;
      assert.equal(o.encryption, 'SSE-KMS', key);
      assert.equal(o.kmsKeyId, GOOD_KEY_ARN, key);
    }
    const plain = em.object('mixed', 'docs/plain.txt')!;
    assert.deepEqual(plain.content, before.content);
    assert.equal(plain.contentType, 'text/plain; charset=utf-8');
    assert.deepEqual(plain.metadata, { owner: 'team-a' });
    assert.deepEqual(plain.tags, { project: 'alpha' });
    assert.equal(plain.storageClass, 'STANDARD_IA');
    assert.deepEqual(plain.grants, before.grants);
    assert.equal(plain.checksum?.algorithm, 'CRC32');
    assert.equal(plain.checksum?.value, before.checksum?.value);
    // In place: the ETag stays.
    assert.equal(em.object('mixed', 'docs/s3.txt')!.etag, s3Before.etag);
    // Skipped objects are untouched.
    assert.equal(em.object('mixed', 'secret/customer.bin')!.encryption, 'SSE-C');
    assert.equal(em.object('mixed', 'cold/archive.bin')!.encryption, 'SSE-S3');
    // The canary is gone.
    const a = await auditObjects(s3(), session, { bucket: 'mixed', requirement: allKinds, source: 'listing' });
    assert.equal(a.scanned, 7, 'no canary left behind');
    assert.equal(em.calls().UpdateObjectEncryption, 3, 'the canary and the two objects');
  });

  it('skips an object changed since the plan, and never overwrites it', async () => {
    const plan = await planReencryption(s3(), session, opts('changing'));
    em.setFaults([{ call: 'CopyObject', object: 'docs/plain.txt', changeObject: true, times: 1 }]);
    try {
      const report = await runReencryption(s3(), session, opts('changing'), plan);
      assert.equal(report.skipped['changed-since-plan'], 1);
      assert.equal(report.stopped, null);
      const o = em.object('changing', 'docs/plain.txt')!;
      assert.notEqual(o.content.toString(), 'plain old object', 'the other writer’s content stays');
    } finally {
      em.setFaults([]);
    }
  });

  it('slows down on SlowDown and still finishes', async () => {
    const plan = await planReencryption(s3(), session, opts('slow', { concurrency: 8 }));
    em.setFaults([{ call: 'write', bucket: 'slow', after: 1, times: 4, error: 'throttle' }]);
    try {
      const report = await runReencryption(s3(), session, opts('slow', { concurrency: 8 }), plan);
      assert.deepEqual(report.failed, []);
      assert.equal(report.updated + report.copied, 4);
      assert.ok(report.slowDowns >= 1, 'halved at least once');
    } finally {
      em.setFaults([]);
    }
  });

  it('copies a large object in parts, in order, keeping its metadata and tags', async () => {
    const before = em.object('big', 'large.bin')!;
    const o = opts('big', { copyLimitBytes: 100, partBytes: 300 });
    const plan = await planReencryption(s3(), session, o);
    assert.equal(plan.summary.byMethod['multipart-copy'], 1);
    em.resetStats();
    const report = await runReencryption(s3(), session, o, plan);
    assert.deepEqual(report.failed, []);
    assert.equal(em.calls().UploadPartCopy, 4);
    const after = em.object('big', 'large.bin')!;
    assert.deepEqual(after.content, before.content);
    assert.equal(after.encryption, 'SSE-KMS');
    assert.equal(after.contentType, 'application/x-big');
    assert.deepEqual(after.metadata, { m: '1' });
    assert.deepEqual(after.tags, { t: '2' });
  });

  it('versioned bucket: says older versions keep their encryption; --versions updates those it can in place', async () => {
    const plain = await planReencryption(s3(), session, opts('versioned'));
    assert.match(plain.summary.notes.join(' '), /older versions keep their encryption/);
    const o = opts('versioned', { versions: true });
    const plan = await planReencryption(s3(), session, o);
    assert.deepEqual(plan.summary.byMethod, { update: 1, copy: 1, 'multipart-copy': 0 });
    assert.equal(plan.summary.skipped['noncurrent-version'], 1);
    const report = await runReencryption(s3(), session, o, plan);
    assert.deepEqual(report.failed, []);
    const versions = em.versions('versioned', 'v.txt');
    assert.equal(versions[0].encryption, 'SSE-KMS');
    assert.equal(versions[0].content.toString(), 'current');
    const oldest = versions.find(v => v.content.toString() === 'oldest')!;
    assert.equal(oldest.encryption, 'SSE-KMS', 'updated in place');
    assert.equal(versions.find(v => v.content.toString() === 'older')!.encryption, 'NOT-SSE');
  });

  it('skips objects under Object Lock retention or legal hold', async () => {
    const plan = await planReencryption(s3(), session, opts('locked'));
    assert.equal(plan.summary.skipped['object-lock'], 2);
    const report = await runReencryption(s3(), session, opts('locked'), plan);
    assert.equal(report.updated, 1);
    assert.equal(em.object('locked', 'held.txt')!.encryption, 'NOT-SSE');
    assert.equal(em.object('locked', 'retained.txt')!.encryption, 'SSE-S3');
  });

  it('stops before touching any object when the endpoint takes UpdateObjectEncryption for a PutObject', async () => {
    em.setQuirks({ updateObjectEncryptionAsPut: true });
    try {
      const before = em.object('trap', 'docs/s3.txt')!;
      const plan = await planReencryption(s3(), session, opts('trap'));
      const report = await runReencryption(s3(), session, opts('trap'), plan);
      assert.ok(report.stopped);
      assert.equal(report.failed[0].code, 'UpdateObjectEncryptionNotUnderstood');
      assert.equal(report.updated + report.copied, 0);
      assert.deepEqual(em.object('trap', 'docs/s3.txt')!.content, before.content);
      assert.equal(em.object('trap', 'docs/plain.txt')!.encryption, 'NOT-SSE', 'not even copies ran');
      const a = await auditObjects(s3(), session, { bucket: 'trap', requirement: allKinds, source: 'listing' });
      assert.equal(a.scanned, 7, 'the canary was deleted');
    } finally {
      em.setQuirks({});
    }
  });

  it('copies instead where the endpoint does not implement UpdateObjectEncryption', async () => {
    em.setQuirks({ noUpdateObjectEncryption: true });
    try {
      const plan = await planReencryption(s3(), session, opts('no-update'));
      const report = await runReencryption(s3(), session, opts('no-update'), plan);
      assert.equal(report.updateObjectEncryption, 'not-implemented');
      assert.deepEqual(report.failed, []);
      assert.equal(report.copied, 4);
      assert.equal(em.object('no-update', 'docs/s3.txt')!.kmsKeyId, GOOD_KEY_ARN);
    } finally {
      em.setQuirks({});
    }
  });

  it('resumes from its journal without redoing what is done', async () => {
    const file = journalFile();
    const header = { bucket: 'resume', prefix: '', target: 'x', versions: false };
    const stop = new AbortController();
    let journal = Journal.open(file, header);
    const o = opts('resume', { concurrency: 1 });
    const plan = await planReencryption(s3(), session, o, journal);
    const first = await runReencryption(
      s3(),
      session,
      { ...o, signal: stop.signal, onProgress: p => p.phase === 'run' && p.done >= 1 && stop.abort() },
      plan,
      journal,
    );
    journal.close();
    assert.ok(first.stopped);
    const doneFirst = first.updated + first.copied;
    assert.ok(doneFirst >= 1 && doneFirst < 4, `first run did ${doneFirst}`);
    em.resetStats();
    journal = Journal.open(file, header);
    assert.equal(journal.canaryProven, true);
    const again = await planReencryption(s3(), session, o, journal);
    assert.equal(again.items.length, 4 - doneFirst);
    const second = await runReencryption(s3(), session, o, again, journal);
    journal.close();
    assert.deepEqual(second.failed, []);
    assert.equal(doneFirst + second.updated + second.copied, 4);
    assert.equal(em.calls().PutObject ?? 0, 0, 'no second canary');
  });
});
