// The live posture through the real AWS SDK (S3 and KMS clients, credential chain, retries, timeouts).
// AWS itself cannot be reached here, so the tests use a local endpoint (emulator/) that speaks the
// real S3 REST/XML and KMS JSON 1.1 wire protocols, with AWS's error codes and fault injection.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startEmulator, type Emulator } from '../../emulator/src/emulator';
import { localJudge } from '../../cli/local-judge';
import { fetchPosture, type PostureOptions } from '../../aws/posture';
import type { BucketPosture, PostureReport } from '../../aws/types';
import { ACCOUNT, emptyAwsFiles, GOOD_KEY_ARN, goodBucket, keyArn, KEYS, postureSeed, SECRET, testEnv } from './fixtures';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let em: Emulator;
const files = emptyAwsFiles();
const env = testEnv(files);
/** Every report of this file, checked for secrets at the end. */
const reports: PostureReport[] = [];

async function posture(extra: Partial<PostureOptions> = {}): Promise<PostureReport> {
  const r = await fetchPosture({ endpoint: em.url, env, judge: localJudge(), maxAttempts: 3, timeoutMs: 5000, ...extra });
  reports.push(r);
  return r;
}

const byName = (r: PostureReport, name: string): BucketPosture => {
  const b = r.buckets.find(x => x.name === name);
  assert.ok(b, `bucket ${name} in the report (got ${r.buckets.map(x => x.name).join(', ')})`);
  return b;
};
const check = (b: BucketPosture, id: string) => b.checks.find(c => c.id === id);

before(async () => {
  em = await startEmulator({ seed: postureSeed() });
});
after(async () => {
  await em.close();
});
beforeEach(() => {
  em.setFaults([]);
  em.resetStats();
});

describe('posture facts', () => {
  let report: PostureReport;
  let calls: Record<string, number>;
  before(async () => {
    em.resetStats();
    report = await posture();
    calls = em.calls();
  });

  it('lists every bucket with no failed call', () => {
    assert.deepEqual(report.errors, undefined);
    assert.deepEqual(
      report.buckets.map(b => b.name),
      postureSeed().buckets.map(b => b.name),
    );
    for (const b of report.buckets) assert.deepEqual(b.errors, [], `${b.name}: ${JSON.stringify(b.errors)}`);
    assert.deepEqual(report.source, { profile: null, region: 'us-east-1', endpoint: em.url, credentials: 'chain' });
  });

  it('reads a complete, passing bucket: encryption, policy verdict, Block Public Access, key', () => {
    const b = byName(report, 'good-payments');
    assert.equal(b.region, 'eu-west-1');
    assert.deepEqual(b.defaultEncryption, { algorithm: 'aws:kms', kmsKeyId: GOOD_KEY_ARN, bucketKeyEnabled: true });
    assert.equal(b.policy.present, true);
    assert.equal(b.policy.verdict?.bucket, 'good-payments');
    assert.equal(b.policy.verdict?.transport.http, 'denied');
    assert.equal(b.policy.verdict?.transport.minTlsVersion, '1.2');
    assert.equal(b.policy.verdict?.encryption.summary, 'sse-kms-only');
    assert.deepEqual(b.publicAccessBlock, {
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    });
    assert.equal(b.kmsKey?.arn, GOOD_KEY_ARN);
    assert.equal(b.kmsKey?.state, 'Enabled');
    assert.equal(b.kmsKey?.keySpec, 'SYMMETRIC_DEFAULT');
    assert.equal(b.kmsKey?.rotation, true);
    assert.equal(b.kmsKey?.region, 'eu-west-1');
    assert.equal(b.kmsKey?.keyManager, 'CUSTOMER');
    assert.equal(b.kmsKey?.policyVerdict?.kind, 'key-policy');
    assert.equal(b.kmsKey?.policyVerdict?.s3CanUse.value, true);
    assert.deepEqual(
      b.checks.filter(c => c.status !== 'pass'),
      [],
    );
    // In the order `status` and the tree list them (aws/checks.ts, CHECKS).
    assert.deepEqual(
      b.checks.map(c => c.id),
      [
        'default-encryption',
        'bucket-key',
        'https',
        'sse-enforced',
        'min-tls',
        'public-access-block',
        'kms-state',
        'kms-rotation',
        'kms-key-spec',
        'kms-region',
        'kms-s3-use',
        'kms-key-open',
        'key-mismatch',
      ],
    );
  });

  it('finds each bucket\'s region: empty LocationConstraint is us-east-1, "EU" is eu-west-1', () => {
    assert.equal(byName(report, 'plain-us-east').region, 'us-east-1');
    assert.equal(byName(report, 'legacy-eu').region, 'eu-west-1');
    assert.equal(byName(report, 'key-other-region').region, 'eu-central-1');
  });

  it('SSE-S3 default encryption without a Deny that enforces it is a warning (MIS-007)', () => {
    const b = byName(report, 'plain-us-east');
    assert.deepEqual(b.defaultEncryption, { algorithm: 'AES256', kmsKeyId: null, bucketKeyEnabled: false });
    assert.equal(b.kmsKey, null);
    assert.equal(check(b, 'sse-enforced')?.status, 'warn');
    assert.equal(check(b, 'https')?.status, 'pass');
    assert.equal(check(byName(report, 'good-payments'), 'sse-enforced')?.status, 'pass');
    assert.equal(
      check(byName(report, 'good-payments'), 'sse-enforced')?.message,
      'Uploads: only aws:kms, named key must be key/1234abcd…',
    );
  });

  it('no default encryption configuration: algorithm null and a warning', () => {
    const b = byName(report, 'no-default-encryption');
    assert.deepEqual(b.defaultEncryption, { algorithm: null, kmsKeyId: null, bucketKeyEnabled: false });
    assert.equal(check(b, 'default-encryption')?.status, 'warn');
  });

  it('no bucket policy: present false, HTTPS not enforced fails', () => {
    const b = byName(report, 'no-default-encryption');
    assert.deepEqual(b.policy, { present: false, verdict: null, text: null });
    assert.equal(check(b, 'https')?.status, 'fail');
    assert.deepEqual(b.errors, []);
  });

  it('Block Public Access: not configured is null with a warning; partly on names what is off', () => {
    const none = byName(report, 'no-default-encryption');
    assert.equal(none.publicAccessBlock, null);
    assert.match(check(none, 'public-access-block')?.message ?? '', /not configured/);
    const partial = byName(report, 'partial-pab');
    assert.deepEqual(partial.publicAccessBlock, {
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: false,
      restrictPublicBuckets: false,
    });
    assert.equal(check(partial, 'public-access-block')?.status, 'warn');
    assert.match(check(partial, 'public-access-block')!.message, /blockPublicPolicy, restrictPublicBuckets/);
  });

  it("aws:kms without a key id is the AWS managed key aws/s3 of the bucket's region", () => {
    const b = byName(report, 'legacy-eu');
    assert.equal(b.kmsKey?.keyManager, 'AWS');
    assert.match(b.kmsKey?.arn ?? '', new RegExp(`^arn:aws:kms:eu-west-1:${ACCOUNT}:key/`));
    assert.equal(b.kmsKey?.policyVerdict?.s3CanUse.value, true);
    assert.equal(b.kmsKey?.policyVerdict?.s3CanUse.viaService, 's3.eu-west-1.amazonaws.com');
  });

  it('resolves an alias and a bare key id to the key ARN', () => {
    assert.equal(byName(report, 'key-by-alias').kmsKey?.arn, GOOD_KEY_ARN);
    assert.equal(byName(report, 'key-pending-deletion').kmsKey?.arn, keyArn('eu-west-1', KEYS.pending.id));
  });

  it("a key in another region than the bucket: read with a KMS client in the key's region, and a failed check", () => {
    const b = byName(report, 'key-other-region');
    // The emulator finds keys only in the region of the request's credential scope, as KMS does.
    assert.equal(b.kmsKey?.state, 'Enabled');
    assert.equal(b.kmsKey?.region, 'us-east-1');
    assert.equal(check(b, 'kms-region')?.status, 'fail');
    assert.match(check(b, 'kms-region')!.message, /us-east-1.*eu-central-1/);
  });

  it('disabled and pending-deletion keys fail', () => {
    assert.equal(byName(report, 'key-disabled').kmsKey?.state, 'Disabled');
    assert.equal(check(byName(report, 'key-disabled'), 'kms-state')?.status, 'fail');
    assert.equal(byName(report, 'key-pending-deletion').kmsKey?.state, 'PendingDeletion');
    assert.equal(check(byName(report, 'key-pending-deletion'), 'kms-state')?.status, 'fail');
  });

  it('an asymmetric key fails; its rotation is unknown, not an error', () => {
    const b = byName(report, 'key-asymmetric');
    assert.equal(b.kmsKey?.keySpec, 'RSA_2048');
    assert.equal(b.kmsKey?.rotation, null);
    assert.equal(check(b, 'kms-key-spec')?.status, 'fail');
    assert.deepEqual(b.errors, []);
  });

  it('a key policy that does not let S3 use the key fails', () => {
    const b = byName(report, 'key-s3-cannot-use');
    assert.equal(b.kmsKey?.policyVerdict?.s3CanUse.value, false);
    assert.equal(check(b, 'kms-s3-use')?.status, 'fail');
  });

  it('the bucket policy pins key A while default encryption uses key B', () => {
    const b = byName(report, 'key-mismatch');
    assert.equal(check(b, 'key-mismatch')?.status, 'fail');
    assert.match(check(b, 'key-mismatch')!.message, /pins key\/1234abcd… but default encryption uses key\/2222bbbb…/);
    assert.equal(check(byName(report, 'good-payments'), 'key-mismatch')?.status, 'pass');
    assert.equal(check(b, 'kms-rotation')?.status, 'warn');
  });

  it('DSSE-KMS default encryption reads its key too', () => {
    const b = byName(report, 'dsse-bucket');
    assert.equal(b.defaultEncryption?.algorithm, 'aws:kms:dsse');
    assert.equal(b.kmsKey?.arn, keyArn('us-east-1', KEYS.usEast.id));
  });

  it('the Bucket Key is checked for SSE-KMS only: DSSE-KMS does not use Bucket Keys, SSE-S3 calls no KMS (issue 11, item 3)', () => {
    assert.equal(byName(report, 'dsse-bucket').defaultEncryption?.bucketKeyEnabled, false);
    assert.equal(check(byName(report, 'dsse-bucket'), 'bucket-key'), undefined);
    assert.equal(check(byName(report, 'plain-us-east'), 'bucket-key'), undefined);
    assert.equal(check(byName(report, 'no-default-encryption'), 'bucket-key'), undefined);
    assert.equal(check(byName(report, 'good-payments'), 'bucket-key')?.status, 'pass');
    const off = check(byName(report, 'key-mismatch'), 'bucket-key');
    assert.equal(off?.status, 'warn');
    assert.match(off!.message, /^S3 Bucket Key off: S3 calls KMS for every object/);
    assert.match(off!.detail ?? '', /Enable the S3 Bucket Key/);
  });

  it('reads each key once however many buckets use it, and only reads', () => {
    // 10 buckets use SSE-KMS; dsse-bucket and key-other-region name the same key ARN.
    assert.equal(calls['kms:DescribeKey'], 9);
    assert.equal(calls.GetBucketLocation, postureSeed().buckets.length);
    for (const name of Object.keys(calls)) assert.match(name, /^(kms:)?(Get|List|Describe|Head)/, `only read calls: ${name}`);
  });
});

describe('posture options', () => {
  it('--bucket names: no ListBuckets call, a missing bucket is recorded on it', async () => {
    const r = await posture({ buckets: ['good-payments', 'does-not-exist'] });
    assert.deepEqual(
      r.buckets.map(b => b.name),
      ['good-payments', 'does-not-exist'],
    );
    assert.equal(em.calls().ListBuckets, undefined);
    assert.deepEqual(
      byName(r, 'does-not-exist').errors.map(e => [e.call, e.code]),
      [['GetBucketLocation', 'NoSuchBucket']],
    );
    assert.deepEqual(byName(r, 'good-payments').errors, []);
  });

  it('regions: only buckets in those regions', async () => {
    const r = await posture({ regions: ['us-east-1'] });
    assert.deepEqual(r.buckets.map(b => b.name).sort(), ['dsse-bucket', 'plain-us-east']);
  });

  it('requirements from the config: SSE, keys, TLS and header-less uploads', async () => {
    const r = await posture({
      buckets: ['good-payments', 'plain-us-east'],
      requirements: {
        https: true,
        minTlsVersion: '1.2',
        sse: ['aws:kms'],
        kmsKeyArns: [GOOD_KEY_ARN],
        headerlessUploads: 'deny',
      },
    });
    const good = byName(r, 'good-payments');
    const plain = byName(r, 'plain-us-east');
    assert.equal(check(good, 'min-tls')?.status, 'pass');
    assert.equal(check(good, 'sse-required')?.status, 'pass');
    assert.equal(check(good, 'kms-key-required')?.status, 'pass');
    assert.equal(
      check(good, 'headerless-uploads')?.status,
      'fail',
      'the good policy lets header-less uploads through (default encryption applies)',
    );
    assert.equal(check(plain, 'default-encryption')?.status, 'fail');
    assert.equal(check(plain, 'min-tls')?.status, 'fail');
    assert.equal(check(plain, 'sse-required')?.status, 'fail');
    assert.equal(check(plain, 'kms-key-required')?.status, 'fail');
  });

  it('HTTPS not required by the config: a missing HTTP deny is a warning, not a failure', async () => {
    const r = await posture({
      buckets: ['no-default-encryption'],
      requirements: { https: false, minTlsVersion: null, sse: [], kmsKeyArns: [], headerlessUploads: 'allow' },
    });
    assert.equal(check(r.buckets[0], 'https')?.status, 'warn');
  });

  it('progress: done counts up to the total', async () => {
    const seen: number[] = [];
    let total = -1;
    await posture({
      buckets: ['good-payments', 'plain-us-east', 'partial-pab'],
      onProgress: p => {
        seen.push(p.done);
        total = p.total;
      },
    });
    assert.equal(total, 3);
    assert.deepEqual(seen, [0, 1, 2, 3]);
  });
});

describe('concurrency', () => {
  it('never has more calls in flight than the limit', async () => {
    const names = Array.from({ length: 24 }, (_, i) => `bulk-${String(i).padStart(2, '0')}`);
    const bulk = await startEmulator({
      seed: { keys: [KEYS.good], buckets: names.map(n => goodBucket(n)), faults: [{ call: '*', latencyMs: 15 }] },
    });
    try {
      for (const limit of [1, 3, 8]) {
        bulk.resetStats();
        const r = await fetchPosture({ endpoint: bulk.url, env, judge: localJudge(), concurrency: limit, timeoutMs: 5000 });
        reports.push(r);
        assert.equal(r.buckets.length, names.length);
        assert.ok(r.buckets.every(b => b.errors.length === 0));
        assert.ok(bulk.maxInFlight() <= limit, `limit ${limit}: ${bulk.maxInFlight()} in flight`);
        assert.ok(bulk.maxInFlight() >= Math.min(limit, 2), `limit ${limit}: calls ran in parallel (${bulk.maxInFlight()})`);
      }
    } finally {
      await bulk.close();
    }
  });
});

describe('faults degrade one bucket, never the report', () => {
  it("throttling (S3 SlowDown, KMS ThrottlingException) recovered by the SDK's retries", async () => {
    em.setFaults([
      { call: 'GetBucketPolicy', bucket: 'good-payments', error: 'throttle', times: 2 },
      { call: 'kms:DescribeKey', key: KEYS.good.id, error: 'throttle', times: 1 },
    ]);
    const r = await posture({ buckets: ['good-payments', 'plain-us-east'], maxAttempts: 3 });
    const b = byName(r, 'good-payments');
    assert.deepEqual(b.errors, []);
    assert.equal(b.policy.present, true);
    assert.equal(b.kmsKey?.state, 'Enabled');
    assert.equal(em.calls().GetBucketPolicy, 4, 'two throttled attempts, then one success per bucket');
  });

  it('throttling that outlasts the retries is recorded on that bucket only', async () => {
    em.setFaults([{ call: 'GetBucketEncryption', bucket: 'plain-us-east', error: 'throttle' }]);
    const r = await posture({ buckets: ['good-payments', 'plain-us-east'], maxAttempts: 2 });
    const b = byName(r, 'plain-us-east');
    assert.deepEqual(
      b.errors.map(e => [e.call, e.code]),
      [['GetBucketEncryption', 'SlowDown']],
    );
    assert.match(b.errors[0].message, /throttled after 2 attempts/);
    assert.equal(b.defaultEncryption, null);
    assert.equal(check(b, 'default-encryption'), undefined, 'no check on a fact that could not be read');
    assert.equal(b.policy.present, true, 'the other facts of the bucket are read');
    assert.deepEqual(byName(r, 'good-payments').errors, []);
  });

  it('500s: S3 InternalError and KMSInternalException are recorded with their codes', async () => {
    em.setFaults([
      { call: 'GetPublicAccessBlock', bucket: 'partial-pab', error: 'internal' },
      { call: 'DescribeKey', key: GOOD_KEY_ARN, error: 'internal' },
    ]);
    const r = await posture({ buckets: ['partial-pab', 'good-payments', 'plain-us-east'], maxAttempts: 2 });
    assert.deepEqual(
      byName(r, 'partial-pab').errors.map(e => [e.call, e.code]),
      [['GetPublicAccessBlock', 'InternalError']],
    );
    const g = byName(r, 'good-payments');
    assert.deepEqual(
      g.errors.map(e => [e.call, e.code]),
      [['kms:DescribeKey', 'KMSInternalException']],
    );
    assert.equal(g.kmsKey?.state, null);
    assert.equal(g.policy.verdict?.transport.http, 'denied', "the bucket's own facts are complete");
    assert.deepEqual(byName(r, 'plain-us-east').errors, []);
  });

  it('AccessDenied on GetBucketPolicy is a fact on that bucket; the others are complete', async () => {
    em.setFaults([
      { call: 'GetBucketPolicy', bucket: 'partial-pab', error: 'accessDenied' },
      { call: 'GetKeyPolicy', key: GOOD_KEY_ARN, error: 'accessDenied' },
    ]);
    const r = await posture({ buckets: ['partial-pab', 'plain-us-east', 'good-payments'] });
    const b = byName(r, 'partial-pab');
    assert.deepEqual(
      b.errors.map(e => [e.call, e.code]),
      [['GetBucketPolicy', 'AccessDenied']],
    );
    assert.match(b.errors[0].message, /s3:GetBucketPolicy/);
    assert.deepEqual(b.policy, { present: null, verdict: null, text: null });
    assert.equal(check(b, 'https'), undefined);
    assert.ok(b.publicAccessBlock, 'Block Public Access still read');
    const g = byName(r, 'good-payments');
    assert.deepEqual(
      g.errors.map(e => [e.call, e.code]),
      [['kms:GetKeyPolicy', 'AccessDeniedException']],
    );
    assert.equal(g.kmsKey?.policyVerdict, null);
    assert.equal(g.kmsKey?.rotation, true);
    assert.deepEqual(byName(r, 'plain-us-east').errors, []);
  });

  it('latency beyond the timeout is a TimeoutError on that call', async () => {
    em.setFaults([{ call: 'GetBucketPolicy', bucket: 'plain-us-east', latencyMs: 1500 }]);
    const r = await posture({ buckets: ['plain-us-east', 'partial-pab'], timeoutMs: 300, maxAttempts: 1 });
    const b = byName(r, 'plain-us-east');
    assert.deepEqual(
      b.errors.map(e => [e.call, e.code]),
      [['GetBucketPolicy', 'TimeoutError']],
    );
    assert.match(b.errors[0].message, /within 300 ms/);
    assert.deepEqual(byName(r, 'partial-pab').errors, []);
  });

  it('ListBuckets denied: no buckets, one error', async () => {
    em.setFaults([{ call: 'ListBuckets', error: 'accessDenied' }]);
    const r = await posture();
    assert.deepEqual(r.buckets, []);
    assert.deepEqual(
      r.errors?.map(e => [e.call, e.code]),
      [['ListBuckets', 'AccessDenied']],
    );
    assert.match(r.errors![0].message, /s3:ListAllMyBuckets/);
  });

  it('endpoint down: one clear error, with or without bucket names', async () => {
    const down = await startEmulator({ seed: { buckets: [] } });
    const url = down.url;
    await down.close();
    const listed = await posture({ endpoint: url, maxAttempts: 1 });
    assert.deepEqual(listed.buckets, []);
    assert.equal(listed.errors?.length, 1);
    assert.equal(listed.errors![0].code, 'ECONNREFUSED');
    assert.match(listed.errors![0].message, /cannot connect to http:\/\/127\.0\.0\.1:\d+: connection refused/);
    const named = await posture({ endpoint: url, maxAttempts: 1, buckets: ['a-bucket', 'b-bucket'] });
    assert.deepEqual(
      named.errors?.map(e => e.code),
      ['ECONNREFUSED'],
    );
  });
});

describe('abort', () => {
  it('rejects with an AbortError, before or during the fetch', async () => {
    await assert.rejects(fetchPosture({ endpoint: em.url, env, judge: localJudge(), signal: AbortSignal.abort() }), {
      name: 'AbortError',
    });
    em.setFaults([{ call: '*', latencyMs: 200 }]);
    const ac = new AbortController();
    const started = fetchPosture({
      endpoint: em.url,
      env,
      judge: localJudge(),
      signal: ac.signal,
      concurrency: 2,
      onProgress: p => {
        if (p.done === 1) ac.abort();
      },
    });
    await assert.rejects(started, { name: 'AbortError' });
    const calls = Object.values(em.calls()).reduce((a, b) => a + b, 0);
    assert.ok(calls < 13 * 4, `stopped early (${calls} calls)`);
  });
});

// Runs last: every report above, faults included.
describe('secrets', () => {
  it('the secret access key appears in no report, fact or error message', () => {
    assert.ok(reports.length >= 15);
    assert.ok(
      reports.some(r => r.buckets.some(b => b.errors.length)),
      'some reports carry errors',
    );
    assert.ok(!JSON.stringify(reports).includes(SECRET));
  });
});
