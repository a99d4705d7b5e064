// Fixing a live bucket (aws/fix.ts) through the real AWS SDK against the emulator's S3, KMS and
// STS: every fix kind, the merge that keeps existing statements, a bucket changed between preview
// and write, the lock-out guard, undo of every setting, and an endpoint that answers a write with
// success without doing it.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { PutBucketPolicyCommand, PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { startEmulator, type Emulator } from '../../emulator/src/emulator';
import type { EmulatorSeed } from '../../emulator/src/types';
import { applyFix, planFix, undoFix, type FixOptions, type FixPlan } from '../../aws/fix';
import { readSettings } from '../../aws/fix-state';
import { openSession } from '../../aws/session';
import { localJudge } from '../../cli/local-judge';
import { fetchPosture } from '../../aws/posture';
import { localFixJudge } from '../../cli/fix-judge';
import { ACCESS_KEY, ACCOUNT, emptyAwsFiles, keyArn, KEYS, policy, rootKeyPolicy, SECRET, testEnv } from './fixtures';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const files = emptyAwsFiles();
const env = testEnv(files);
const OTHER_KEY = keyArn('eu-west-1', KEYS.other.id);
const GOOD_KEY = keyArn('eu-west-1', KEYS.good.id);

const readerAllow = {
  Sid: 'ReadersMayRead',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/reader` },
  Action: ['s3:GetObject', 's3:ListBucket'],
  Resource: ['arn:aws:s3:::kept-bucket', 'arn:aws:s3:::kept-bucket/*'],
};
/** Written with its own layout: the fix must keep it byte for byte. */
const KEPT_POLICY = `{
  "Version": "2012-10-17",
  "Statement": [
    ${JSON.stringify(readerAllow)}
  ]
}`;

/** Only the admin role may touch the policy: every other principal is denied the policy calls. */
const lockedPolicy = policy({
  Sid: 'OnlyAdminsTouchThePolicy',
  Effect: 'Deny',
  Principal: '*',
  Action: ['s3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:GetBucketPolicy'],
  Resource: 'arn:aws:s3:::locked-bucket',
  Condition: { ArnNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/admin` } },
});

function seed(): EmulatorSeed {
  return {
    account: ACCOUNT,
    writable: true,
    caller: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/session-1`,
    keys: [
      KEYS.good,
      { ...KEYS.other, rotation: false },
      { id: 'aaaa0000-12ab-34cd-56ef-aaaaaaaa0000', region: 'eu-west-1', rotation: false, policy: rootKeyPolicy() },
    ],
    buckets: [
      { name: 'bare-bucket', region: 'eu-west-1', encryption: null },
      { name: 'kept-bucket', region: 'eu-west-1', policy: KEPT_POLICY },
      { name: 'changed-bucket', region: 'eu-west-1' },
      { name: 'locked-bucket', region: 'eu-west-1', policy: lockedPolicy },
      { name: 'ignored-bucket', region: 'eu-west-1' },
      { name: 'undo-guard-bucket', region: 'eu-west-1' },
      {
        name: 'kms-bucket',
        region: 'eu-west-1',
        encryption: { algorithm: 'aws:kms', kmsKeyId: GOOD_KEY, bucketKeyEnabled: false },
      },
    ],
  };
}

let em: Emulator;
before(async () => {
  em = await startEmulator({ seed: seed() });
});
after(async () => {
  await em.close();
});
beforeEach(() => {
  em.setFaults([]);
  em.resetStats();
});

const opts = (bucket: string, extra: Partial<FixOptions> = {}): FixOptions => ({
  endpoint: em.url,
  env,
  bucket,
  judge: localFixJudge(),
  maxAttempts: 1,
  timeoutMs: 5000,
  ...extra,
});

const writes = (calls: Record<string, number>) =>
  Object.entries(calls)
    .filter(([c]) => /^(Put|Delete)|EnableKeyRotation|DisableKeyRotation/.test(c.replace(/^kms:/, '')))
    .reduce((n, [, v]) => n + v, 0);

async function settings(bucket: string, keyArn: string | null = null, endpoint = em.url) {
  const s = await openSession({ endpoint, env });
  try {
    return await readSettings(
      s,
      bucket,
      'eu-west-1',
      ['encryption', 'policy', 'publicAccessBlock', ...(keyArn ? (['keyRotation'] as const) : [])],
      keyArn,
    );
  } finally {
    s.destroy();
  }
}

/** Another writer, with its own client. */
function otherWriter(endpoint = em.url): S3Client {
  return new S3Client({
    endpoint,
    region: 'eu-west-1',
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET },
  });
}

describe('fixing every setting of a bare bucket, then undoing it', () => {
  let plan: FixPlan;
  it('plans every fix kind and writes nothing', async () => {
    plan = await planFix(opts('bare-bucket', { kmsKey: 'arn:aws:kms:eu-west-1:111122223333:key/' + KEYS.other.id }));
    assert.equal(plan.refused, null);
    assert.deepEqual(
      plan.changes.map(c => c.setting),
      ['encryption', 'policy', 'publicAccessBlock', 'keyRotation'],
    );
    assert.deepEqual(plan.changes[0].kinds, ['encryption', 'block-sse-c']);
    assert.deepEqual(plan.after.encryption, [
      {
        ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: OTHER_KEY },
        BucketKeyEnabled: true,
        BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
      },
    ]);
    assert.deepEqual(
      plan.policy?.added.map(a => a.sid),
      ['DenyInsecureTransport', 'DenyOutdatedTls', 'DenyOtherEncryption', 'DenyOtherKmsKeys', 'DenySseC'],
    );
    assert.ok(
      plan.policy?.diff.split('\n').every(l => l === '@@' || l.startsWith('+')),
      'a new policy: every line added',
    );
    assert.equal(plan.lockout?.ok, true, plan.lockout?.message);
    assert.equal(plan.lockout?.caller?.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/session-1`);
    // The re-check by the engine: what failed passes after the fix.
    const status = (checks: FixPlan['checksAfter'], id: string) => checks.find(c => c.id === id)?.status;
    assert.equal(status(plan.checksBefore, 'https'), 'fail');
    assert.equal(status(plan.checksAfter, 'https'), 'pass');
    assert.equal(status(plan.checksAfter, 'min-tls'), 'pass');
    assert.equal(status(plan.checksAfter, 'default-encryption'), 'pass');
    assert.equal(status(plan.checksAfter, 'bucket-key'), 'pass');
    assert.equal(status(plan.checksAfter, 'key-mismatch'), 'pass');
    assert.equal(status(plan.checksAfter, 'public-access-block'), 'pass');
    assert.equal(status(plan.checksAfter, 'kms-rotation'), 'pass');
    assert.equal(writes(em.calls()), 0);
  });

  it('writes each setting, reads it back, and keeps what was there', async () => {
    const r = await applyFix(plan, { endpoint: em.url, env });
    assert.equal(r.stopped, null, r.stopped?.message);
    assert.deepEqual(r.written, ['encryption', 'policy', 'publicAccessBlock', 'keyRotation']);
    const now = await settings('bare-bucket', OTHER_KEY);
    assert.deepEqual(now.encryption, plan.after.encryption);
    assert.equal(now.policy, plan.after.policy);
    assert.deepEqual(now.publicAccessBlock, {
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    });
    assert.deepEqual(now.keyRotation, { keyArn: OTHER_KEY, enabled: true });
    assert.deepEqual(r.undo.previous, {
      encryption: null,
      policy: null,
      publicAccessBlock: null,
      keyRotation: { keyArn: OTHER_KEY, enabled: false },
    });
    // The posture, read fresh, agrees.
    const p = await fetchPosture({ endpoint: em.url, env, judge: localJudge(), buckets: ['bare-bucket'] });
    const failing = p.buckets[0].checks.filter(c => c.status !== 'pass');
    assert.deepEqual(failing, []);

    const u = await undoFix(r.undo, { endpoint: em.url, env });
    assert.equal(u.stopped, null, u.stopped?.message);
    assert.deepEqual(u.written, ['keyRotation', 'publicAccessBlock', 'policy', 'encryption']);
    // Deleting the configuration leaves SSE-S3, as on AWS since 2023.
    assert.deepEqual(await settings('bare-bucket', OTHER_KEY), {
      encryption: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }],
      policy: null,
      publicAccessBlock: null,
      keyRotation: { keyArn: OTHER_KEY, enabled: false },
    });
    assert.ok(em.calls()['DeleteBucketPolicy'] >= 1 && em.calls()['DeletePublicAccessBlock'] >= 1);
  });
});

describe('the merge', () => {
  it('keeps the existing statements byte for byte and adds the missing Denies', async () => {
    const plan = await planFix(opts('kept-bucket', { only: ['policy'] }));
    assert.deepEqual(
      plan.changes.map(c => c.setting),
      ['policy'],
    );
    assert.deepEqual(
      plan.policy?.added.map(a => a.sid),
      ['DenyInsecureTransport', 'DenyOutdatedTls'],
    );
    const r = await applyFix(plan, { endpoint: em.url, env });
    assert.equal(r.stopped, null, r.stopped?.message);
    const text = (await settings('kept-bucket')).policy!;
    const end = KEPT_POLICY.indexOf(JSON.stringify(readerAllow)) + JSON.stringify(readerAllow).length;
    assert.equal(text.slice(0, end), KEPT_POLICY.slice(0, end), 'everything up to the last existing statement is unchanged');
    assert.ok(text.includes(JSON.stringify(readerAllow)));
    const doc = JSON.parse(text);
    assert.deepEqual(doc.Statement[0], readerAllow);
    assert.equal(doc.Statement.length, 3);
    assert.equal(r.undo.previous.policy, KEPT_POLICY);
    // Nothing else was written.
    assert.deepEqual(
      Object.keys(em.calls()).filter(c => /^(Put|Delete)/.test(c)),
      ['PutBucketPolicy'],
    );
  });

  it('a fix that has nothing left to do plans no change', async () => {
    const plan = await planFix(opts('kept-bucket', { only: ['policy'] }));
    assert.deepEqual(plan.changes, []);
  });
});

describe('the guards', () => {
  it('a bucket changed between the preview and the write: nothing is written, the change is shown', async () => {
    const plan = await planFix(opts('changed-bucket', { only: ['policy', 'public-access-block'] }));
    assert.equal(plan.changes.length, 2);
    const other = otherWriter();
    await other.send(
      new PutBucketPolicyCommand({
        Bucket: 'changed-bucket',
        Policy: JSON.stringify(policy({ ...readerAllow, Resource: 'arn:aws:s3:::changed-bucket/*' })),
      }),
    );
    other.destroy();
    em.resetStats();
    const r = await applyFix(plan, { endpoint: em.url, env });
    assert.equal(r.stopped?.reason, 'changed');
    assert.equal(r.stopped?.setting, 'policy');
    assert.match(r.stopped!.message, /changed since the preview/);
    assert.match(r.stopped!.message, /\+.*ReadersMayRead/, 'the diff of the change is shown');
    assert.deepEqual(r.written, []);
    assert.equal(writes(em.calls()), 0);
  });

  it('the lock-out guard refuses a policy that denies the caller the calls that undo it', async () => {
    const plan = await planFix(opts('locked-bucket', { only: ['policy'] }));
    assert.equal(plan.lockout?.ok, false);
    assert.match(
      plan.refused ?? '',
      /would deny arn:aws:sts::111122223333:assumed-role\/deployer\/session-1 s3:GetBucketPolicy, s3:PutBucketPolicy, s3:DeleteBucketPolicy/,
    );
    const r = await applyFix(plan, { endpoint: em.url, env });
    assert.equal(r.stopped?.reason, 'refused');
    assert.equal(writes(em.calls()), 0);
  });

  it('the same policy with the admin role as the caller passes the guard', async () => {
    const admin = await startEmulator({ seed: { ...seed(), caller: `arn:aws:sts::${ACCOUNT}:assumed-role/admin/s` } });
    try {
      const plan = await planFix(opts('locked-bucket', { only: ['policy'], endpoint: admin.url }));
      assert.equal(plan.lockout?.ok, true, plan.lockout?.message);
      assert.equal(plan.refused, null);
    } finally {
      await admin.close();
    }
  });

  it("the fix's own TLS 1.3 minimum would deny the caller's TLS 1.2 calls: refused", async () => {
    const plan = await planFix(opts('changed-bucket', { only: ['policy'], minTlsVersion: '1.3' }));
    assert.equal(plan.lockout?.ok, false);
    assert.match(plan.refused ?? '', /would deny .* s3:GetBucketPolicy, s3:PutBucketPolicy, s3:DeleteBucketPolicy/);
  });

  it('the account root is not locked out by a policy that denies it: S3 always lets it repair the policy', async () => {
    const root = await startEmulator({ seed: { ...seed(), caller: `arn:aws:iam::${ACCOUNT}:root` } });
    try {
      const plan = await planFix(opts('locked-bucket', { only: ['policy'], endpoint: root.url }));
      assert.equal(plan.lockout?.ok, true);
      assert.match(plan.lockout?.message ?? '', /account root/);
      assert.equal(plan.refused, null);
    } finally {
      await root.close();
    }
  });

  it('an endpoint that answers a write with success without doing it is caught by the read-back', async () => {
    // A proxy in front of the emulator that swallows PutPublicAccessBlock: 200, nothing done.
    const proxy = http.createServer((req, res) => {
      if (req.method === 'PUT' && req.url?.includes('publicAccessBlock')) {
        req.resume();
        req.on('end', () => {
          res.writeHead(200, { 'x-amz-request-id': 'IGNORED' });
          res.end();
        });
        return;
      }
      const target = new URL(em.url);
      const up = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        answer => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(up);
    });
    await new Promise<void>(r => proxy.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const plan = await planFix(opts('ignored-bucket', { endpoint: url, only: ['policy', 'public-access-block'] }));
      const r = await applyFix(plan, { endpoint: url, env });
      assert.equal(r.stopped?.reason, 'not-applied');
      assert.equal(r.stopped?.setting, 'publicAccessBlock');
      assert.match(r.stopped!.message, /reading it back gives "not configured"/);
      // What was written before the surprise can still be undone.
      assert.deepEqual(r.written, ['policy']);
      assert.deepEqual(Object.keys(r.undo.previous), ['policy']);
      const u = await undoFix(r.undo, { endpoint: url, env });
      assert.equal(u.stopped, null, u.stopped?.message);
      assert.equal((await settings('ignored-bucket')).policy, null);
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>(r => proxy.close(() => r()));
    }
  });

  it('undo stops when a setting changed since the fix, and restores nothing', async () => {
    const plan = await planFix(opts('undo-guard-bucket', { only: ['policy', 'public-access-block'] }));
    const r = await applyFix(plan, { endpoint: em.url, env });
    assert.equal(r.stopped, null);
    const other = otherWriter();
    await other.send(
      new PutPublicAccessBlockCommand({
        Bucket: 'undo-guard-bucket',
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: false,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      }),
    );
    other.destroy();
    em.resetStats();
    const u = await undoFix(r.undo, { endpoint: em.url, env });
    assert.equal(u.stopped?.reason, 'changed');
    assert.equal(u.stopped?.setting, 'publicAccessBlock');
    assert.deepEqual(u.written, []);
    assert.equal(writes(em.calls()), 0);
    assert.ok((await settings('undo-guard-bucket')).policy?.includes('DenyInsecureTransport'));
  });

  it('an unusable key is refused before anything is planned', async () => {
    await assert.rejects(planFix(opts('bare-bucket', { kmsKey: 'alias/does-not-exist' })), /kms:DescribeKey/);
    await assert.rejects(
      planFix(opts('bare-bucket', { kmsKey: keyArn('us-east-1', KEYS.usEast.id) })),
      /kms:DescribeKey|in us-east-1/,
    );
  });

  it('an alias resolves to its key ARN, which default encryption and the pin name', async () => {
    const plan = await planFix(opts('bare-bucket', { kmsKey: 'alias/payments', only: ['encryption'] }));
    assert.equal(plan.after.encryption?.[0].ApplyServerSideEncryptionByDefault?.KMSMasterKeyID, GOOD_KEY);
  });
});

describe('the choices', () => {
  it("without a key: the bucket's own SSE-KMS key is kept, its Bucket Key turned on and pinned", async () => {
    const plan = await planFix(opts('kms-bucket'));
    assert.deepEqual(plan.after.encryption?.[0].ApplyServerSideEncryptionByDefault, {
      SSEAlgorithm: 'aws:kms',
      KMSMasterKeyID: GOOD_KEY,
    });
    assert.equal(plan.after.encryption?.[0].BucketKeyEnabled, true);
    assert.ok(plan.policy?.added.some(a => a.sid === 'DenyOtherKmsKeys'));
    // The good key rotates already: nothing to change there.
    assert.ok(!plan.changes.some(c => c.setting === 'keyRotation'));
  });

  it('SSE-S3: AES256 without a Bucket Key, and no KMS pin in the policy', async () => {
    const plan = await planFix(opts('kms-bucket', { encryption: 'sse-s3' }));
    assert.deepEqual(plan.after.encryption?.[0].ApplyServerSideEncryptionByDefault, { SSEAlgorithm: 'AES256' });
    assert.equal(plan.after.encryption?.[0].BucketKeyEnabled, undefined);
    assert.deepEqual(
      plan.policy?.added.map(a => a.kind),
      ['https', 'min-tls'],
    );
    assert.equal(plan.checksAfter.find(c => c.id === 'default-encryption')?.status, 'pass');
  });

  it("the key's calls failing leaves a note, not a failed plan; the bucket's own calls failing stops it", async () => {
    em.setFaults([{ call: 'kms:GetKeyPolicy', error: 'accessDenied' }]);
    const plan = await planFix(opts('kms-bucket', { only: ['public-access-block'] }));
    assert.ok(
      plan.notes.some(n => /kms:GetKeyPolicy failed \(AccessDeniedException\)/.test(n)),
      plan.notes.join('\n'),
    );
    assert.deepEqual(
      plan.changes.map(c => c.setting),
      ['publicAccessBlock'],
    );
    em.setFaults([{ call: 'GetBucketPolicy', error: 'accessDenied' }]);
    await assert.rejects(planFix(opts('kms-bucket')), /GetBucketPolicy: access denied/);
  });
});
