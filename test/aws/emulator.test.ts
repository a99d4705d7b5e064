// The local endpoint itself: AWS cannot be reached from here, so the posture tests rely on this
// emulator speaking the real S3 REST/XML and KMS JSON 1.1 protocols. These tests check it on the
// wire (raw HTTP) and through the real AWS SDK, which must parse its answers and errors as AWS's.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetBucketEncryptionCommand, GetBucketLocationCommand, GetBucketPolicyCommand, GetPublicAccessBlockCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand, KMSClient, ListAliasesCommand } from '@aws-sdk/client-kms';
import { loadSeed, startEmulator, type Emulator } from '../../emulator/src/emulator';
import { ROOT } from '../helpers/paths';
import { ACCESS_KEY, GOOD_KEY_ARN, KEYS, postureSeed, SECRET } from './fixtures';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let em: Emulator;
const credentials = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET };
const s3 = () => new S3Client({ region: 'us-east-1', endpoint: em.url, forcePathStyle: true, credentials, maxAttempts: 1 });
const kms = (region: string) => new KMSClient({ region, endpoint: em.url, credentials, maxAttempts: 1 });

before(async () => { em = await startEmulator({ seed: postureSeed() }); });
after(async () => { await em.close(); });

/** The SDK rejects with this error name (and HTTP status), as it would for AWS's answer. */
async function rejectsWith(p: Promise<unknown>, name: string, status?: number): Promise<void> {
  await assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name);
    if (status !== undefined) assert.equal(e.$metadata?.httpStatusCode, status);
    return true;
  });
}

async function raw(pathAndQuery: string, init: RequestInit = {}): Promise<{ status: number; body: string; type: string | null }> {
  const r = await fetch(em.url + pathAndQuery, init);
  return { status: r.status, body: await r.text(), type: r.headers.get('content-type') };
}

describe('emulator: wire protocol', () => {
  it('refuses unsigned requests as AWS does (S3 AccessDenied XML, KMS MissingAuthenticationToken JSON)', async () => {
    const s = await raw('/good-payments?policy');
    assert.equal(s.status, 403);
    assert.match(s.body, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>AccessDenied<\/Code><Message>Access Denied<\/Message><RequestId>[0-9A-F]+<\/RequestId><HostId>/);
    const k = await raw('/', { method: 'POST', headers: { 'X-Amz-Target': 'TrentService.DescribeKey', 'Content-Type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ KeyId: GOOD_KEY_ARN }) });
    assert.equal(k.status, 400);
    assert.deepEqual(JSON.parse(k.body), { __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
  });

  it('is read-only: writes are MethodNotAllowed', async () => {
    const auth = { Authorization: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00` };
    const r = await raw('/good-payments?policy', { method: 'PUT', headers: auth, body: '{}' });
    assert.equal(r.status, 405);
    assert.match(r.body, /<Code>MethodNotAllowed<\/Code>/);
    const d = await raw('/good-payments?policy', { method: 'DELETE', headers: auth });
    assert.equal(d.status, 405);
  });

  it('answers GetBucketLocation with an empty LocationConstraint for us-east-1', async () => {
    const auth = { Authorization: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00` };
    const r = await raw('/plain-us-east?location', { headers: auth });
    assert.equal(r.status, 200);
    assert.match(r.body, /<LocationConstraint xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/"\/>$/);
  });
});

describe('emulator: through the real AWS SDK', () => {
  it('S3 answers parse as AWS\'s', async () => {
    const c = s3();
    const list = await c.send(new ListBucketsCommand({}));
    assert.deepEqual(list.Buckets?.map(b => b.Name), postureSeed().buckets.map(b => b.name));
    assert.ok(list.Buckets?.[0].CreationDate instanceof Date);
    assert.equal((await c.send(new GetBucketLocationCommand({ Bucket: 'plain-us-east' }))).LocationConstraint, undefined);
    assert.equal((await c.send(new GetBucketLocationCommand({ Bucket: 'legacy-eu' }))).LocationConstraint, 'EU');
    const enc = await c.send(new GetBucketEncryptionCommand({ Bucket: 'good-payments' }));
    assert.deepEqual(enc.ServerSideEncryptionConfiguration?.Rules?.[0], { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: GOOD_KEY_ARN }, BucketKeyEnabled: true });
    const pol = await c.send(new GetBucketPolicyCommand({ Bucket: 'good-payments' }));
    assert.equal(JSON.parse(pol.Policy ?? '').Statement[0].Sid, 'DenyInsecureTransport');
    const pab = await c.send(new GetPublicAccessBlockCommand({ Bucket: 'partial-pab' }));
    assert.deepEqual(pab.PublicAccessBlockConfiguration, { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false });
    c.destroy();
  });

  it('S3 errors carry AWS\'s codes and statuses', async () => {
    const c = s3();
    const cases: [unknown, string, number][] = [
      [new GetBucketPolicyCommand({ Bucket: 'no-default-encryption' }), 'NoSuchBucketPolicy', 404],
      [new GetBucketEncryptionCommand({ Bucket: 'no-default-encryption' }), 'ServerSideEncryptionConfigurationNotFoundError', 404],
      [new GetPublicAccessBlockCommand({ Bucket: 'no-default-encryption' }), 'NoSuchPublicAccessBlockConfiguration', 404],
      [new GetBucketLocationCommand({ Bucket: 'nope-not-here' }), 'NoSuchBucket', 404],
    ];
    for (const [cmd, name, status] of cases) {
      await rejectsWith(c.send(cmd as GetBucketPolicyCommand), name, status);
    }
    em.setFaults([{ call: 'GetBucketPolicy', error: 'throttle' }, { call: 'GetBucketEncryption', error: 'internal' }, { call: 'GetPublicAccessBlock', error: 'accessDenied' }]);
    try {
      await rejectsWith(c.send(new GetBucketPolicyCommand({ Bucket: 'good-payments' })), 'SlowDown', 503);
      await rejectsWith(c.send(new GetBucketEncryptionCommand({ Bucket: 'good-payments' })), 'InternalError');
      await rejectsWith(c.send(new GetPublicAccessBlockCommand({ Bucket: 'good-payments' })), 'AccessDenied');
    } finally {
      em.setFaults([]);
      c.destroy();
    }
  });

  it('KMS answers and errors parse as AWS\'s; keys are regional', async () => {
    const eu = kms('eu-west-1');
    const d = await eu.send(new DescribeKeyCommand({ KeyId: 'alias/payments' }));
    assert.equal(d.KeyMetadata?.Arn, GOOD_KEY_ARN);
    assert.equal(d.KeyMetadata?.KeyState, 'Enabled');
    assert.ok(d.KeyMetadata?.CreationDate instanceof Date);
    assert.equal((await eu.send(new GetKeyRotationStatusCommand({ KeyId: GOOD_KEY_ARN }))).KeyRotationEnabled, true);
    const p = await eu.send(new GetKeyPolicyCommand({ KeyId: GOOD_KEY_ARN, PolicyName: 'default' }));
    assert.equal(JSON.parse(p.Policy ?? '').Statement[0].Action, 'kms:*');
    assert.deepEqual((await eu.send(new ListAliasesCommand({}))).Aliases?.map(a => a.AliasName), ['alias/payments']);
    await rejectsWith(eu.send(new GetKeyRotationStatusCommand({ KeyId: KEYS.rsa.id })), 'UnsupportedOperationException');
    // The same key asked for in another region does not exist there.
    const us = kms('us-east-1');
    await rejectsWith(us.send(new DescribeKeyCommand({ KeyId: GOOD_KEY_ARN })), 'NotFoundException');
    await rejectsWith(us.send(new DescribeKeyCommand({ KeyId: KEYS.good.id })), 'NotFoundException');
    em.setFaults([{ call: 'kms:DescribeKey', error: 'throttle' }, { call: 'GetKeyPolicy', error: 'internal' }, { call: 'GetKeyRotationStatus', error: 'accessDenied' }]);
    try {
      await rejectsWith(eu.send(new DescribeKeyCommand({ KeyId: GOOD_KEY_ARN })), 'ThrottlingException');
      await rejectsWith(eu.send(new GetKeyPolicyCommand({ KeyId: GOOD_KEY_ARN, PolicyName: 'default' })), 'KMSInternalException', 500);
      await rejectsWith(eu.send(new GetKeyRotationStatusCommand({ KeyId: GOOD_KEY_ARN })), 'AccessDeniedException');
    } finally {
      em.setFaults([]);
      eu.destroy();
      us.destroy();
    }
  });

  it('faults: `times` errors then success; latency per bucket', async () => {
    const c = s3();
    em.setFaults([{ call: 'GetBucketPolicy', bucket: 'good-payments', error: 'accessDenied', times: 1 }, { call: 'GetBucketLocation', bucket: 'partial-pab', latencyMs: 150 }]);
    try {
      await rejectsWith(c.send(new GetBucketPolicyCommand({ Bucket: 'good-payments' })), 'AccessDenied');
      assert.ok((await c.send(new GetBucketPolicyCommand({ Bucket: 'good-payments' }))).Policy);
      const t0 = Date.now();
      await c.send(new GetBucketLocationCommand({ Bucket: 'partial-pab' }));
      assert.ok(Date.now() - t0 >= 140, 'the injected latency was applied');
    } finally {
      em.setFaults([]);
      c.destroy();
    }
  });
});

describe('emulator: seed and command line', () => {
  it('rejects a bad seed with a message naming the field', () => {
    assert.throws(() => loadSeed({ buckets: [{ name: 'Bad_Name' }] }), /buckets\[0\]\.name must be a valid bucket name/);
    assert.throws(() => loadSeed({} as never), /"buckets" array/);
    assert.throws(() => loadSeed('/nonexistent/seed.json'), /cannot read it \(ENOENT\)/);
  });

  it('the demo seed loads and `node dist/emulator.js --seed` serves it', async () => {
    const seedFile = path.join(ROOT, 'emulator', 'demo-seed.json');
    assert.ok(loadSeed(seedFile).buckets.length >= 8);
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'emulator.js'), '--seed', seedFile, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => { out += d.toString(); if (out.includes('\n')) resolve(out.trim()); });
        child.once('exit', code => reject(new Error(`emulator exited with ${code}`)));
      });
      const m = /^local AWS endpoint \(S3 \+ KMS\): (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      assert.ok(m, line);
      const c = new S3Client({ region: 'us-east-1', endpoint: m[1], forcePathStyle: true, credentials, maxAttempts: 1 });
      const names = (await c.send(new ListBucketsCommand({}))).Buckets?.map(b => b.Name);
      assert.deepEqual(names, JSON.parse(fs.readFileSync(seedFile, 'utf8')).buckets.map((b: { name: string }) => b.name));
      c.destroy();
    } finally {
      child.kill('SIGTERM');
    }
  });
});
