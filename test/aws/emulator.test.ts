// The local endpoint itself: AWS cannot be reached from here, so the posture tests rely on this
// emulator speaking the real S3 REST/XML and KMS JSON 1.1 protocols. These tests check it on the
// wire (raw HTTP) and through the real AWS SDK, which must parse its answers and errors as AWS's.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListAliasesCommand,
} from '@aws-sdk/client-kms';
import { loadSeed, startEmulator, type Emulator } from '../../emulator/src/emulator';
import { ROOT } from '../helpers/paths';
import { ACCESS_KEY, GOOD_KEY_ARN, KEYS, postureSeed, SECRET } from './fixtures';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let em: Emulator;
const credentials = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET };
const s3 = () => new S3Client({ region: 'us-east-1', endpoint: em.url, forcePathStyle: true, credentials, maxAttempts: 1 });
const kms = (region: string) => new KMSClient({ region, endpoint: em.url, credentials, maxAttempts: 1 });

before(async () => {
  em = await startEmulator({ seed: postureSeed() });
});
after(async () => {
  await em.close();
});

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
    assert.match(
      s.body,
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>AccessDenied<\/Code><Message>Access Denied<\/Message><RequestId>[0-9A-F]+<\/RequestId><HostId>/,
    );
    const k = await raw('/', {
      method: 'POST',
      headers: { 'X-Amz-Target': 'TrentService.DescribeKey', 'Content-Type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ KeyId: GOOD_KEY_ARN }),
    });
    assert.equal(k.status, 400);
    assert.deepEqual(JSON.parse(k.body), {
      __type: 'MissingAuthenticationTokenException',
      message: 'Missing Authentication Token',
    });
  });

  it('is read-only: writes are MethodNotAllowed', async () => {
    const auth = {
      Authorization: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00`,
    };
    const r = await raw('/good-payments?policy', { method: 'PUT', headers: auth, body: '{}' });
    assert.equal(r.status, 405);
    assert.match(r.body, /<Code>MethodNotAllowed<\/Code>/);
    const d = await raw('/good-payments?policy', { method: 'DELETE', headers: auth });
    assert.equal(d.status, 405);
  });

  it('answers GetBucketLocation with an empty LocationConstraint for us-east-1', async () => {
    const auth = {
      Authorization: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00`,
    };
    const r = await raw('/plain-us-east?location', { headers: auth });
    assert.equal(r.status, 200);
    assert.match(r.body, /<LocationConstraint xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/"\/>$/);
  });
});

describe('emulator: through the real AWS SDK', () => {
  it("S3 answers parse as AWS's", async () => {
    const c = s3();
    const list = await c.send(new ListBucketsCommand({}));
    assert.deepEqual(
      list.Buckets?.map(b => b.Name),
      postureSeed().buckets.map(b => b.name),
    );
    assert.ok(list.Buckets?.[0].CreationDate instanceof Date);
    assert.equal((await c.send(new GetBucketLocationCommand({ Bucket: 'plain-us-east' }))).LocationConstraint, undefined);
    assert.equal((await c.send(new GetBucketLocationCommand({ Bucket: 'legacy-eu' }))).LocationConstraint, 'EU');
    const enc = await c.send(new GetBucketEncryptionCommand({ Bucket: 'good-payments' }));
    assert.deepEqual(enc.ServerSideEncryptionConfiguration?.Rules?.[0], {
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: GOOD_KEY_ARN },
      BucketKeyEnabled: true,
    });
    const pol = await c.send(new GetBucketPolicyCommand({ Bucket: 'good-payments' }));
    assert.equal(JSON.parse(pol.Policy ?? '').Statement[0].Sid, 'DenyInsecureTransport');
    const pab = await c.send(new GetPublicAccessBlockCommand({ Bucket: 'partial-pab' }));
    assert.deepEqual(pab.PublicAccessBlockConfiguration, {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    });
    c.destroy();
  });

  it("S3 errors carry AWS's codes and statuses", async () => {
    const c = s3();
    const cases: [unknown, string, number][] = [
      [new GetBucketPolicyCommand({ Bucket: 'no-default-encryption' }), 'NoSuchBucketPolicy', 404],
      [
        new GetBucketEncryptionCommand({ Bucket: 'no-default-encryption' }),
        'ServerSideEncryptionConfigurationNotFoundError',
        404,
      ],
      [new GetPublicAccessBlockCommand({ Bucket: 'no-default-encryption' }), 'NoSuchPublicAccessBlockConfiguration', 404],
      [new GetBucketLocationCommand({ Bucket: 'nope-not-here' }), 'NoSuchBucket', 404],
    ];
    for (const [cmd, name, status] of cases) {
      await rejectsWith(c.send(cmd as GetBucketPolicyCommand), name, status);
    }
    em.setFaults([
      { call: 'GetBucketPolicy', error: 'throttle' },
      { call: 'GetBucketEncryption', error: 'internal' },
      { call: 'GetPublicAccessBlock', error: 'accessDenied' },
    ]);
    try {
      await rejectsWith(c.send(new GetBucketPolicyCommand({ Bucket: 'good-payments' })), 'SlowDown', 503);
      await rejectsWith(c.send(new GetBucketEncryptionCommand({ Bucket: 'good-payments' })), 'InternalError');
      await rejectsWith(c.send(new GetPublicAccessBlockCommand({ Bucket: 'good-payments' })), 'AccessDenied');
    } finally {
      em.setFaults([]);
      c.destroy();
    }
  });

  it("KMS answers and errors parse as AWS's; keys are regional", async () => {
    const eu = kms('eu-west-1');
    const d = await eu.send(new DescribeKeyCommand({ KeyId: 'alias/payments' }));
    assert.equal(d.KeyMetadata?.Arn, GOOD_KEY_ARN);
    assert.equal(d.KeyMetadata?.KeyState, 'Enabled');
    assert.ok(d.KeyMetadata?.CreationDate instanceof Date);
    assert.equal((await eu.send(new GetKeyRotationStatusCommand({ KeyId: GOOD_KEY_ARN }))).KeyRotationEnabled, true);
    const p = await eu.send(new GetKeyPolicyCommand({ KeyId: GOOD_KEY_ARN, PolicyName: 'default' }));
    assert.equal(JSON.parse(p.Policy ?? '').Statement[0].Action, 'kms:*');
    assert.deepEqual(
      (await eu.send(new ListAliasesCommand({}))).Aliases?.map(a => a.AliasName),
      ['alias/payments'],
    );
    await rejectsWith(eu.send(new GetKeyRotationStatusCommand({ KeyId: KEYS.rsa.id })), 'UnsupportedOperationException');
    // The same key asked for in another region does not exist there.
    const us = kms('us-east-1');
    await rejectsWith(us.send(new DescribeKeyCommand({ KeyId: GOOD_KEY_ARN })), 'NotFoundException');
    await rejectsWith(us.send(new DescribeKeyCommand({ KeyId: KEYS.good.id })), 'NotFoundException');
    em.setFaults([
      { call: 'kms:DescribeKey', error: 'throttle' },
      { call: 'GetKeyPolicy', error: 'internal' },
      { call: 'GetKeyRotationStatus', error: 'accessDenied' },
    ]);
    try {
      await rejectsWith(eu.send(new DescribeKeyCommand({ KeyId: GOOD_KEY_ARN })), 'ThrottlingException');
      await rejectsWith(
        eu.send(new GetKeyPolicyCommand({ KeyId: GOOD_KEY_ARN, PolicyName: 'default' })),
        'KMSInternalException',
        500,
      );
      await rejectsWith(eu.send(new GetKeyRotationStatusCommand({ KeyId: GOOD_KEY_ARN })), 'AccessDeniedException');
    } finally {
      em.setFaults([]);
      eu.destroy();
      us.destroy();
    }
  });

  it('faults: `times` errors then success; latency per bucket', async () => {
    const c = s3();
    em.setFaults([
      { call: 'GetBucketPolicy', bucket: 'good-payments', error: 'accessDenied', times: 1 },
      { call: 'GetBucketLocation', bucket: 'partial-pab', latencyMs: 150 },
    ]);
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

const SIGNED = {
  Authorization: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20260101/eu-west-1/s3/aws4_request, SignedHeaders=host, Signature=00`,
};
const KMS_SIGNED = {
  Authorization: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20260101/eu-west-1/kms/aws4_request, SignedHeaders=host, Signature=00`,
};

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  chunks: Buffer[];
  complete: boolean;
  error?: NodeJS.ErrnoException;
}

/**
 * One request on the wire, read until the answer ends, fails, or `stopAfter` bytes of the body have
 * arrived (then the connection is closed by us). No timers: what arrived is what is asserted.
 */
function wire(
  pathAndQuery: string,
  opts: { headers?: Record<string, string>; body?: string; stopAfter?: number } = {},
): Promise<RawAnswer> {
  return new Promise(resolve => {
    const req = http.request(em.url + pathAndQuery, { method: opts.body ? 'POST' : 'GET', headers: opts.headers, agent: false });
    let out: RawAnswer = { status: 0, headers: {}, chunks: [], complete: false };
    // A reset mid-body fails the request and the response: the answer so far is what counts.
    req.once('error', (error: NodeJS.ErrnoException) => {
      out.error ??= error;
      resolve(out);
    });
    req.once('response', res => {
      out = { status: res.statusCode ?? 0, headers: res.headers, chunks: [], complete: false };
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        out.chunks.push(c);
        bytes += c.length;
        if (opts.stopAfter !== undefined && bytes >= opts.stopAfter) {
          // Whatever the server sent so far has been read: it sent nothing that ends the answer.
          setImmediate(() => {
            out.complete = res.complete;
            req.destroy();
            resolve(out);
          });
        }
      });
      res.once('end', () => {
        out.complete = res.complete;
        resolve(out);
      });
      res.once('error', (error: NodeJS.ErrnoException) => {
        out.error = error;
        resolve(out);
      });
    });
    req.end(opts.body);
  });
}
const text = (a: RawAnswer) => Buffer.concat(a.chunks).toString('utf8');

describe('emulator: ListBuckets pages', () => {
  it('pages with max-buckets and continuation-token, as S3 does', async () => {
    const c = s3();
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await c.send(new ListBucketsCommand({ MaxBuckets: 5, ...(token ? { ContinuationToken: token } : {}) }));
      names.push(...(page.Buckets ?? []).map(b => b.Name ?? ''));
      token = page.ContinuationToken;
      pages++;
    } while (token && pages < 10);
    assert.deepEqual(
      names,
      postureSeed().buckets.map(b => b.name),
    );
    assert.equal(pages, Math.ceil(postureSeed().buckets.length / 5));
    await rejectsWith(c.send(new ListBucketsCommand({ MaxBuckets: 5, ContinuationToken: 'bogus' })), 'InvalidArgument', 400);
    c.destroy();
  });

  it('endless pages: the same token, a new token with the same buckets, new buckets every page', async () => {
    const c = s3();
    try {
      em.setFaults([{ call: 'ListBuckets', endlessPages: 'same' }]);
      const first = await c.send(new ListBucketsCommand({ MaxBuckets: 100 }));
      assert.ok(first.ContinuationToken);
      assert.equal(
        (await c.send(new ListBucketsCommand({ MaxBuckets: 100, ContinuationToken: first.ContinuationToken }))).ContinuationToken,
        first.ContinuationToken,
      );
      em.setFaults([{ call: 'ListBuckets', endlessPages: 'new' }]);
      const a = await c.send(new ListBucketsCommand({ MaxBuckets: 100 }));
      const b = await c.send(new ListBucketsCommand({ MaxBuckets: 100, ContinuationToken: a.ContinuationToken }));
      assert.notEqual(a.ContinuationToken, b.ContinuationToken);
      assert.deepEqual(
        b.Buckets?.map(x => x.Name),
        a.Buckets?.map(x => x.Name),
      );
      em.setFaults([{ call: 'ListBuckets', endlessPages: 'new-buckets' }]);
      const x = await c.send(new ListBucketsCommand({ MaxBuckets: 100 }));
      const y = await c.send(new ListBucketsCommand({ MaxBuckets: 100, ContinuationToken: x.ContinuationToken }));
      assert.equal(x.Buckets?.length, 1);
      assert.notEqual(x.Buckets?.[0].Name, y.Buckets?.[0].Name);
      assert.ok(y.ContinuationToken);
    } finally {
      em.setFaults([]);
      c.destroy();
    }
  });
});

describe('emulator: misbehaving answers on the wire', () => {
  it("malformed: an entity bomb with the answer's own root, truncated, without its root, not JSON", async () => {
    try {
      em.setFaults([{ call: 'ListBuckets', malformed: 'entity-bomb' }]);
      const bomb = text(await wire('/', { headers: SIGNED }));
      assert.match(
        bomb,
        /^<\?xml [^>]*\?>\n<!DOCTYPE ListAllMyBucketsResult \[\n<!ENTITY lol0 "lol">\n(<!ENTITY lol\d "(&lol\d;){10}">\n){9}\]>\n<ListAllMyBucketsResult xmlns="[^"]+">&lol9;<\/ListAllMyBucketsResult>$/,
      );
      // The SDK's own XML reader skips the DOCTYPE and reads an empty bucket list: the client must refuse it itself.
      const c = s3();
      assert.deepEqual((await c.send(new ListBucketsCommand({}))).Buckets, undefined);
      c.destroy();

      em.setFaults([{ call: 'GetBucketEncryption', malformed: 'truncated' }]);
      const cut = await wire('/good-payments?encryption', { headers: SIGNED });
      assert.equal(Number(cut.headers['content-length']), Buffer.concat(cut.chunks).length);
      assert.match(text(cut), /^<\?xml [^>]*\?>\n<ServerSideEncryptionConfiguration /);
      assert.doesNotMatch(text(cut), /<\/ServerSideEncryptionConfiguration>$/);

      em.setFaults([
        { call: 'ListBuckets', malformed: 'no-root' },
        { call: 'GetBucketLocation', malformed: 'no-root' },
        { call: 'kms:DescribeKey', malformed: 'no-root' },
      ]);
      assert.match(text(await wire('/', { headers: SIGNED })), /^<\?xml [^>]*\?>\n<Owner>.*<\/Buckets>$/);
      assert.equal(text(await wire('/plain-us-east?location', { headers: SIGNED })), '<?xml version="1.0" encoding="UTF-8"?>\n');
      assert.equal(text(await wire('/legacy-eu?location', { headers: SIGNED })), '<?xml version="1.0" encoding="UTF-8"?>\nEU');
      assert.equal(
        text(
          await wire('/', {
            headers: { ...KMS_SIGNED, 'X-Amz-Target': 'TrentService.DescribeKey' },
            body: JSON.stringify({ KeyId: GOOD_KEY_ARN }),
          }),
        ),
        '{}',
      );

      em.setFaults([{ call: 'GetKeyPolicy', malformed: 'not-json' }]);
      const html = await wire('/', {
        headers: { ...KMS_SIGNED, 'X-Amz-Target': 'TrentService.GetKeyPolicy' },
        body: JSON.stringify({ KeyId: GOOD_KEY_ARN, PolicyName: 'default' }),
      });
      assert.equal(html.status, 200);
      assert.equal(html.headers['content-type'], 'text/html');
      assert.throws(() => JSON.parse(text(html)));
    } finally {
      em.setFaults([]);
    }
  });

  it('oversized: the answer padded to N bytes, still a valid document', async () => {
    try {
      em.setFaults([
        { call: 'GetBucketPolicy', bucket: 'good-payments', oversizeBytes: 3_000_000 },
        { call: 'ListBuckets', oversizeBytes: 2_000_000 },
      ]);
      const policy = await wire('/good-payments?policy', { headers: SIGNED });
      assert.equal(Number(policy.headers['content-length']), 3_000_000);
      assert.equal(Buffer.concat(policy.chunks).length, 3_000_000);
      assert.equal(JSON.parse(text(policy)).Statement[0].Sid, 'DenyInsecureTransport');
      const list = await wire('/', { headers: SIGNED });
      assert.equal(Buffer.concat(list.chunks).length, 2_000_000);
      assert.match(text(list), /^<\?xml [^>]*\?> +\n<ListAllMyBucketsResult /);
    } finally {
      em.setFaults([]);
    }
  });

  it('stalled: headers and half the body, then nothing', async () => {
    em.setFaults([{ call: 'GetBucketPolicy', bucket: 'good-payments', wire: 'stall' }]);
    try {
      const full = Number((await wire('/plain-us-east?policy', { headers: SIGNED })).headers['content-length']);
      assert.ok(full > 0);
      const a = await wire('/good-payments?policy', { headers: SIGNED, stopAfter: 1 });
      const length = Number(a.headers['content-length']);
      assert.equal(a.status, 200);
      assert.equal(Buffer.concat(a.chunks).length, Math.floor(length / 2), 'half the body arrived at once');
      assert.equal(a.complete, false);
    } finally {
      em.setFaults([]);
    }
  });

  it('trickled: one byte per write', async () => {
    em.setFaults([{ call: 'GetBucketLocation', bucket: 'legacy-eu', wire: 'trickle', trickleMs: 5 }]);
    try {
      const a = await wire('/legacy-eu?location', { headers: SIGNED });
      assert.equal(a.complete, true);
      assert.match(text(a), /<LocationConstraint [^>]*>EU<\/LocationConstraint>$/);
      // One byte per write; a busy machine may hand the reader two or three writes at once.
      const length = Number(a.headers['content-length']);
      assert.equal(
        a.chunks.reduce((n, c) => n + c.length, 0),
        length,
      );
      assert.ok(
        a.chunks.length >= length / 4 && a.chunks.every(c => c.length <= 4),
        `${a.chunks.length} chunks for ${length} bytes`,
      );
    } finally {
      em.setFaults([]);
    }
  });

  it('chunked: no Content-Length; a hostile error text is sent as given', async () => {
    em.setFaults([
      { call: 'GetBucketPolicy', bucket: 'good-payments', chunked: true },
      { call: 'GetBucketEncryption', error: 'accessDenied', errorMessage: 'no\x1b[2J\nway' },
    ]);
    try {
      const a = await wire('/good-payments?policy', { headers: SIGNED });
      assert.equal(a.headers['content-length'], undefined);
      assert.equal(a.headers['transfer-encoding'], 'chunked');
      assert.equal(JSON.parse(text(a)).Statement[0].Sid, 'DenyInsecureTransport');
      const e = await wire('/good-payments?encryption', { headers: SIGNED });
      assert.equal(e.status, 403);
      assert.match(text(e), /<Code>AccessDenied<\/Code><Message>no\x1b\[2J\nway<\/Message>/);
    } finally {
      em.setFaults([]);
    }
  });

  it('reset: mid-answer after half the body, or before any answer', async () => {
    em.setFaults([
      { call: 'GetBucketPolicy', bucket: 'good-payments', wire: 'reset', times: 1 },
      { call: 'GetBucketLocation', wire: 'reset-before-answer', times: 1 },
    ]);
    try {
      const mid = await wire('/good-payments?policy', { headers: SIGNED });
      assert.equal(mid.status, 200);
      assert.equal(mid.complete, false);
      assert.ok(mid.error, 'the body ends in an error');
      assert.ok(Buffer.concat(mid.chunks).length <= Math.floor(Number(mid.headers['content-length']) / 2));
      const early = await wire('/good-payments?location', { headers: SIGNED });
      assert.equal(early.status, 0);
      assert.equal(early.error?.code, 'ECONNRESET');
      // `times`: the next call is answered normally.
      assert.equal((await wire('/good-payments?policy', { headers: SIGNED })).complete, true);
    } finally {
      em.setFaults([]);
    }
  });
});

describe('emulator: seed and command line', () => {
  it('rejects a bad seed with a message naming the field', () => {
    assert.throws(() => loadSeed({ buckets: [{ name: 'Bad_Name' }] }), /buckets\[0\]\.name must be a valid bucket name/);
    assert.throws(() => loadSeed({} as never), /"buckets" array/);
    assert.throws(() => loadSeed('/nonexistent/seed.json'), /cannot read it \(ENOENT\)/);
    // A hostile name only when asked for, and never with a slash (it would be a path).
    assert.equal(loadSeed({ buckets: [{ name: 'evil\x1b]0;x\x07', unsafeName: true }] }).buckets.length, 1);
    assert.throws(() => loadSeed({ buckets: [{ name: 'evil\x1b]0;x\x07' }] }), /buckets\[0\]\.name must be a valid bucket name/);
    assert.throws(
      () => loadSeed({ buckets: [{ name: 'a/b', unsafeName: true }] }),
      /buckets\[0\]\.name must be a valid bucket name/,
    );
  });

  it('the demo seed loads and `node dist/emulator.js --seed` serves it', async () => {
    const seedFile = path.join(ROOT, 'emulator', 'demo-seed.json');
    assert.ok(loadSeed(seedFile).buckets.length >= 8);
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'emulator.js'), '--seed', seedFile, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out.trim());
        });
        child.once('exit', code => reject(new Error(`emulator exited with ${code}`)));
      });
      const m = /^local AWS endpoint \(S3 \+ KMS\): (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      assert.ok(m, line);
      const c = new S3Client({ region: 'us-east-1', endpoint: m[1], forcePathStyle: true, credentials, maxAttempts: 1 });
      const names = (await c.send(new ListBucketsCommand({}))).Buckets?.map(b => b.Name);
      assert.deepEqual(
        names,
        JSON.parse(fs.readFileSync(seedFile, 'utf8')).buckets.map((b: { name: string }) => b.name),
      );
      // Objects to try remediation on: unencrypted, SSE-S3 and other-key objects beside compliant ones,
      // an inventory report, a versioned bucket with Object Lock.
      const objects = await c.send(new ListObjectsV2Command({ Bucket: 'acme-payments-prod' }));
      const kinds = new Set<string>();
      for (const o of objects.Contents ?? []) {
        if (o.Key === 'uploads/customer-supplied-key.bin') continue;
        const h = await c.send(new HeadObjectCommand({ Bucket: 'acme-payments-prod', Key: o.Key }));
        kinds.add(`${h.ServerSideEncryption ?? 'none'} ${h.SSEKMSKeyId ?? ''}`.trim());
      }
      assert.ok(kinds.size >= 4, [...kinds].join(', '));
      const reports = await c.send(
        new ListObjectsV2Command({ Bucket: 'acme-shared-reports', Prefix: 'inventory/acme-payments-prod/' }),
      );
      assert.ok(reports.Contents?.some(o => o.Key?.endsWith('/manifest.json')));
      assert.equal((await c.send(new GetBucketVersioningCommand({ Bucket: 'acme-hr-documents' }))).Status, 'Enabled');
      c.destroy();
    } finally {
      child.kill('SIGTERM');
    }
  });
});
