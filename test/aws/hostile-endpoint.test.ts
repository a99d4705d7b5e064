// An endpoint that misbehaves cannot hold the posture fetch, flood it or fool it (issue 10, Why 5):
// each fault of the emulator, through the real AWS SDK and the posture code. Every test has a
// generous `timeout` as a hang detector only; what is asserted is what was reported and how much
// work was done (requests the endpoint answered), never how long it took.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startEmulator, type Emulator, type FaultSpec } from '../../emulator/src/emulator';
import { byteSize, errorCode, toCallError } from '../../aws/errors';
import { localJudge } from '../../cli/local-judge';
import { fetchPosture, type PostureOptions } from '../../aws/posture';
import type { BucketPosture, CallError, PostureReport } from '../../aws/types';
import {
  answerProblem,
  callDeadlineMs,
  kmsJsonProblem,
  MAX_ANSWER_BYTES,
  MAX_XML_DEPTH,
  RETRY_BACKOFF_ALLOWANCE_MS,
  WireError,
  xmlProblem,
} from '../../aws/wire';
import { emptyAwsFiles, goodBucket, KEYS, postureSeed, SECRET, testEnv } from './fixtures';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** A hang detector, far above what any test here needs. */
const HANG = { timeout: 60_000 };
const TIMEOUT_MS = 300;

let em: Emulator;
const env = testEnv(emptyAwsFiles());
const reports: PostureReport[] = [];

async function posture(faults: FaultSpec[], extra: Partial<PostureOptions> = {}): Promise<PostureReport> {
  em.setFaults(faults);
  em.resetStats();
  const r = await fetchPosture({
    endpoint: em.url,
    env,
    judge: localJudge(),
    timeoutMs: TIMEOUT_MS,
    maxAttempts: 2,
    buckets: ['good-payments', 'plain-us-east'],
    ...extra,
  });
  reports.push(r);
  return r;
}

const bucket = (r: PostureReport, name: string): BucketPosture => {
  const b = r.buckets.find(x => x.name === name);
  assert.ok(b, `bucket ${name} in the report`);
  return b;
};
const codes = (errors: readonly CallError[] | undefined) => (errors ?? []).map(e => [e.call, e.code]);

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

describe('a body that never finishes', () => {
  it('stalled: a TimeoutError of that call after its attempts, the other facts read', HANG, async () => {
    const r = await posture([{ call: 'GetBucketPolicy', bucket: 'good-payments', wire: 'stall' }]);
    const b = bucket(r, 'good-payments');
    assert.deepEqual(codes(b.errors), [['GetBucketPolicy', 'TimeoutError']]);
    assert.match(
      b.errors[0].message,
      /^the answer from http:\/\/127\.0\.0\.1:\d+ was not complete within 300 ms \(each of 2 attempts\): \d+ bytes arrived, then it stalled or trickled; retry later or raise the timeout \(--timeout MS\)$/,
    );
    assert.deepEqual(b.policy, { present: null, verdict: null, text: null }, 'no half policy taken for the policy');
    assert.equal(b.kmsKey?.state, 'Enabled', "the bucket's other facts are read");
    assert.deepEqual(bucket(r, 'plain-us-east').errors, []);
    assert.equal(em.calls().GetBucketPolicy, 3, 'two attempts for the stalled bucket, one for the other');
  });

  it('trickled one byte at a time: the deadline covers the whole body', HANG, async () => {
    const r = await posture([{ call: 'GetBucketPolicy', bucket: 'good-payments', wire: 'trickle', trickleMs: 20 }], {
      maxAttempts: 1,
    });
    const b = bucket(r, 'good-payments');
    assert.deepEqual(codes(b.errors), [['GetBucketPolicy', 'TimeoutError']]);
    assert.match(b.errors[0].message, /was not complete within 300 ms: \d+ bytes arrived, then it stalled or trickled/);
    assert.equal(b.policy.present, null);
  });

  it("Stop (the caller's abort) ends a stalled read at once", HANG, async () => {
    em.setFaults([{ call: 'GetBucketPolicy', wire: 'stall' }]);
    const ac = new AbortController();
    const started = fetchPosture({
      endpoint: em.url,
      env,
      judge: localJudge(),
      timeoutMs: 600_000,
      maxAttempts: 3,
      buckets: ['good-payments'],
      signal: ac.signal,
    });
    // Abort once the stalled answer has begun (its headers counted it); a timer would be a guess.
    while (!em.calls().GetBucketPolicy) await new Promise(r => setImmediate(r));
    ac.abort();
    await assert.rejects(started, { name: 'AbortError' });
    assert.equal(em.calls().GetBucketPolicy, 1, 'no retry after Stop');
  });
});

describe('resets are named as resets', () => {
  it('mid-answer: ECONNRESET after the bytes that arrived, retried, never "no answer within"', HANG, async () => {
    const r = await posture([{ call: 'GetBucketPolicy', bucket: 'good-payments', wire: 'reset' }]);
    const e = bucket(r, 'good-payments').errors;
    assert.deepEqual(codes(e), [['GetBucketPolicy', 'ECONNRESET']]);
    assert.match(
      e[0].message,
      /^the connection to http:\/\/127\.0\.0\.1:\d+ was reset mid-answer, after \d+ bytes of it \(\d+ ms into the last of 2 attempts\); retry later$/,
    );
    assert.equal(em.calls().GetBucketPolicy, 3);
  });

  it('before any answer', HANG, async () => {
    const r = await posture([{ call: 'GetBucketLocation', bucket: 'plain-us-east', wire: 'reset-before-answer' }]);
    const e = bucket(r, 'plain-us-east').errors;
    assert.deepEqual(codes(e), [['GetBucketLocation', 'ECONNRESET']]);
    assert.match(e[0].message, /was reset before an answer \(\d+ ms into the last of 2 attempts\)/);
    assert.doesNotMatch(e[0].message, /no answer .* within/);
    assert.deepEqual(bucket(r, 'good-payments').errors, []);
  });

  it('a reset once is recovered by the retry', HANG, async () => {
    const r = await posture([{ call: 'GetBucketPolicy', bucket: 'good-payments', wire: 'reset', times: 1 }]);
    assert.deepEqual(bucket(r, 'good-payments').errors, []);
    assert.equal(bucket(r, 'good-payments').policy.verdict?.transport.http, 'denied');
  });
});

describe('answers too large', () => {
  it('a 100 MB bucket policy is refused by its Content-Length, not read and not retried', HANG, async () => {
    const r = await posture([{ call: 'GetBucketPolicy', oversizeBytes: 100_000_000 }]);
    for (const name of ['good-payments', 'plain-us-east']) {
      const b = bucket(r, name);
      assert.deepEqual(codes(b.errors), [['GetBucketPolicy', 'ResponseTooLarge']]);
      assert.match(
        b.errors[0].message,
        /is larger than the 1 MB allowed for one answer \(it announced 95 MB\); S3 never answers this much here/,
      );
      assert.equal(b.policy.present, null);
    }
    assert.equal(em.calls().GetBucketPolicy, 2, 'one request per bucket: a too large answer is not retried');
  });

  it('without Content-Length: counted as it arrives and stopped past the limit', HANG, async () => {
    const r = await posture([{ call: 'GetBucketPolicy', bucket: 'good-payments', oversizeBytes: 50_000_000, chunked: true }]);
    const e = bucket(r, 'good-payments').errors;
    assert.deepEqual(codes(e), [['GetBucketPolicy', 'ResponseTooLarge']]);
    assert.match(e[0].message, /larger than the 1 MB allowed for one answer \(1 MB arrived before it was stopped\)/);
  });

  it('a key policy and a ListBuckets page of many MB', HANG, async () => {
    const r = await posture([{ call: 'GetKeyPolicy', oversizeBytes: 5_000_000, chunked: true }]);
    const g = bucket(r, 'good-payments');
    assert.deepEqual(codes(g.errors), [['kms:GetKeyPolicy', 'ResponseTooLarge']]);
    assert.match(g.errors[0].message, /the endpoint is not behaving like KMS$/);
    assert.equal(g.kmsKey?.policyVerdict, null);
    const list = await posture([{ call: 'ListBuckets', oversizeBytes: 20_000_000 }], { buckets: undefined });
    assert.deepEqual(list.buckets, []);
    assert.deepEqual(codes(list.errors), [['ListBuckets', 'ResponseTooLarge']]);
  });
});

describe('pagination that would never end', () => {
  it('pages through a real listing, in order', HANG, async () => {
    const r = await posture([], { buckets: undefined, listPageSize: 5 });
    assert.deepEqual(r.errors, undefined);
    assert.deepEqual(
      r.buckets.map(b => b.name),
      postureSeed().buckets.map(b => b.name),
    );
    assert.equal(em.calls().ListBuckets, Math.ceil(postureSeed().buckets.length / 5));
  });

  const cases: [string, FaultSpec['endlessPages'], string, RegExp, number][] = [
    [
      'the same continuation token again',
      'same',
      'PaginationLoop',
      /page 2 asks again for a page it already gave \(a repeated continuation token\); stopped after 2 pages/,
      2,
    ],
    [
      'a new token with the same buckets',
      'new',
      'PaginationLoop',
      /page 2 lists no bucket that earlier pages did not, yet says there is another page; stopped after 2 pages/,
      2,
    ],
    [
      'a new token and a new bucket on every page',
      'new-buckets',
      'TooManyPages',
      /still had another ListBuckets page after 7 pages and 7 buckets; stopped: name the buckets to read instead \(--bucket NAME\)$/,
      7,
    ],
  ];
  for (const [what, endless, code, message, requests] of cases) {
    it(`${what}: the listing fails as a whole (${code}), no bucket is read`, HANG, async () => {
      const r = await posture([{ call: 'ListBuckets', endlessPages: endless }], { buckets: undefined, maxListPages: 7 });
      assert.deepEqual(r.buckets, [], 'never a partial list passed off as the account');
      assert.deepEqual(codes(r.errors), [['ListBuckets', code]]);
      assert.match(r.errors![0].message, message);
      assert.deepEqual(em.calls(), { ListBuckets: requests });
    });
  }
});

describe('a malformed answer is an error of that call, never an empty result', () => {
  const listing: [FaultSpec['malformed'], RegExp][] = [
    [
      'entity-bomb',
      /is malformed: it declares a DTD \(<!DOCTYPE or <!ENTITY\), which AWS never sends; it is not an answer S3 sends/,
    ],
    ['no-root', /is malformed: its root element is <Owner>, not <ListAllMyBucketsResult>/],
    ['truncated', /is malformed: it ends before <\/\w+> \(truncated after \d+ characters\)/],
    ['not-json', /is malformed: its root element is <html>, not <ListAllMyBucketsResult>/],
  ];
  for (const [kind, message] of listing) {
    it(`ListBuckets, ${kind}: no buckets and one error, not "no buckets"`, HANG, async () => {
      const r = await posture([{ call: 'ListBuckets', malformed: kind }], { buckets: undefined });
      assert.deepEqual(r.buckets, []);
      assert.deepEqual(codes(r.errors), [['ListBuckets', 'MalformedResponse']]);
      assert.match(r.errors![0].message, message);
      assert.equal(em.calls().ListBuckets, 1, 'not retried: the same endpoint would answer the same');
    });
  }

  it('S3 facts: an entity bomb for the default encryption is not "no default encryption"', HANG, async () => {
    const r = await posture([
      { call: 'GetBucketEncryption', bucket: 'plain-us-east', malformed: 'entity-bomb' },
      { call: 'GetPublicAccessBlock', bucket: 'plain-us-east', malformed: 'no-root' },
      { call: 'GetBucketLocation', bucket: 'good-payments', malformed: 'truncated' },
    ]);
    const plain = bucket(r, 'plain-us-east');
    assert.deepEqual(codes(plain.errors), [
      ['GetBucketEncryption', 'MalformedResponse'],
      ['GetPublicAccessBlock', 'MalformedResponse'],
    ]);
    assert.equal(plain.defaultEncryption, null);
    assert.equal(plain.publicAccessBlock, null);
    assert.equal(
      plain.checks.find(c => c.id === 'default-encryption'),
      undefined,
      'no check on a fact that was not read',
    );
    assert.equal(
      plain.checks.find(c => c.id === 'public-access-block'),
      undefined,
    );
    const good = bucket(r, 'good-payments');
    assert.deepEqual(codes(good.errors), [['GetBucketLocation', 'MalformedResponse']]);
    assert.equal(good.region, null);
  });

  it('KMS: not JSON, without its members, truncated', HANG, async () => {
    const r = await posture([{ call: 'DescribeKey', malformed: 'not-json' }], { buckets: ['good-payments'] });
    const d = bucket(r, 'good-payments');
    assert.deepEqual(codes(d.errors), [['kms:DescribeKey', 'MalformedResponse']]);
    assert.match(
      d.errors[0].message,
      /it is not JSON \(it starts with "<", like an HTML or XML page\); it is not an answer KMS sends/,
    );
    assert.equal(d.kmsKey?.state, null);
    const empty = await posture(
      [
        { call: 'DescribeKey', malformed: 'no-root' },
        { call: 'GetKeyRotationStatus', malformed: 'no-root' },
      ],
      { buckets: ['key-disabled'] },
    );
    assert.deepEqual(codes(bucket(empty, 'key-disabled').errors), [['kms:DescribeKey', 'MalformedResponse']]);
    assert.match(bucket(empty, 'key-disabled').errors[0].message, /it has no KeyMetadata/);
    const cut = await posture(
      [
        { call: 'GetKeyPolicy', malformed: 'truncated' },
        { call: 'GetKeyRotationStatus', malformed: 'no-root' },
      ],
      { buckets: ['good-payments'] },
    );
    assert.deepEqual(codes(bucket(cut, 'good-payments').errors).sort(), [
      ['kms:GetKeyPolicy', 'MalformedResponse'],
      ['kms:GetKeyRotationStatus', 'MalformedResponse'],
    ]);
    assert.equal(bucket(cut, 'good-payments').kmsKey?.rotation, null, 'not read as "rotation off"');
  });

  it("an error answer with a DTD is refused too; a proxy's HTML error page is named by its status", HANG, async () => {
    const bomb = await posture([
      { call: 'GetBucketPolicy', bucket: 'plain-us-east', error: 'accessDenied', malformed: 'entity-bomb' },
    ]);
    assert.deepEqual(codes(bucket(bomb, 'plain-us-east').errors), [['GetBucketPolicy', 'MalformedResponse']]);
    const html = await posture([{ call: 'GetBucketPolicy', bucket: 'plain-us-east', error: 'internal', malformed: 'not-json' }]);
    assert.deepEqual(codes(bucket(html, 'plain-us-east').errors), [['GetBucketPolicy', 'HTTP500']]);
    assert.equal(em.calls().GetBucketPolicy, 3, 'a 500 is retried');
  });
});

describe('the wire checks', () => {
  it('XML: one root, the expected one, closed, no DTD, not too deep', () => {
    assert.equal(xmlProblem('<?xml version="1.0"?>\n<LocationConstraint xmlns="x"/>', 'LocationConstraint'), null);
    assert.equal(xmlProblem('<!-- c --><A><B a="1>2">t</B><![CDATA[<x>]]></A>', 'A'), null);
    assert.match(xmlProblem('<!DOCTYPE A [<!ENTITY e "x">]><A>&e;</A>', 'A') ?? '', /declares a DTD/);
    assert.match(xmlProblem('<A></A><A></A>', 'A') ?? '', /more than one root/);
    assert.match(xmlProblem('<A><B></A>', 'A') ?? '', /<B> is closed by <\/A>/);
    assert.match(xmlProblem('<A><B>', 'A') ?? '', /ends before <\/B>/);
    assert.match(xmlProblem('<A', 'A') ?? '', /ends inside a tag/);
    assert.match(xmlProblem('just text', 'A') ?? '', /no root element \(expected <A>\)/);
    assert.match(
      xmlProblem(`${'<a>'.repeat(MAX_XML_DEPTH + 1)}${'</a>'.repeat(MAX_XML_DEPTH + 1)}`, 'a') ?? '',
      /nest more than 32 deep/,
    );
    // Linear: a megabyte of nested tags is refused in one pass (the SDK's reader would recurse through it).
    assert.match(xmlProblem('<a>'.repeat(300_000), 'a') ?? '', /nest more than/);
  });

  it('KMS JSON: an object with the members each answer always has', () => {
    assert.equal(kmsJsonProblem('{"KeyMetadata":{"KeyId":"k"}}', 'DescribeKey'), null);
    assert.match(kmsJsonProblem('{"KeyMetadata":"k"}', 'DescribeKey') ?? '', /its KeyMetadata is a string, not an object/);
    assert.match(kmsJsonProblem('{"Policy":null}', 'GetKeyPolicy') ?? '', /its Policy is null, not a string/);
    assert.match(kmsJsonProblem('[]', 'GetKeyPolicy') ?? '', /not a JSON object/);
    assert.match(kmsJsonProblem('{"KeyRotationEnabled": "yes"}', 'GetKeyRotationStatus') ?? '', /is a string, not a boolean/);
    assert.equal(
      answerProblem('kms', 'DescribeKey', 400, Buffer.from('not json')),
      null,
      'errors are named by the SDK from their status',
    );
    assert.equal(
      answerProblem('s3', 'GetBucketPolicy', 200, Buffer.from('{"Statement": [')),
      null,
      'a policy is judged by the engine',
    );
    assert.match(answerProblem('s3', 'GetBucketEncryption', 200, Buffer.alloc(0)) ?? '', /it is empty/);
  });

  it('the limits and the call deadline', () => {
    assert.equal(MAX_ANSWER_BYTES, 1024 * 1024);
    assert.equal(callDeadlineMs(10_000, 3), 3 * (10_000 + RETRY_BACKOFF_ALLOWANCE_MS));
    assert.equal(callDeadlineMs(500, 1), 500 + RETRY_BACKOFF_ALLOWANCE_MS);
    assert.deepEqual([1, 1023, 20 * 1024, 1.5 * 1024 * 1024, 95.4 * 1024 * 1024].map(byteSize), [
      '1 byte',
      '1023 bytes',
      '20 KB',
      '1.5 MB',
      '95 MB',
    ]);
  });

  it("a call that ran out of its deadline says so; errors are named before the SDK's own names", () => {
    const ctx = { endpoint: 'http://127.0.0.1:9', timeoutMs: 500, maxAttempts: 3, scrub: (t: string) => t };
    const deadline = toCallError(
      'GetBucketPolicy',
      new WireError('TimeoutError', { operation: 'GetBucketPolicy', phase: 'call', elapsedMs: 7500, bytes: 0, limit: 7500 }),
      ctx,
    );
    assert.deepEqual(deadline, {
      call: 'GetBucketPolicy',
      code: 'TimeoutError',
      message:
        "no complete answer from http://127.0.0.1:9 within the call's deadline of 7500 ms (3 attempts of 500 ms and the waits between them); retry later or raise the timeout (--timeout MS)",
    });
    // The SDK's handler names a reset "TimeoutError": the Node code wins.
    assert.equal(
      errorCode(Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' })),
      'ECONNRESET',
    );
    assert.equal(
      errorCode(Object.assign(new Error('Parse Error: Header overflow'), { code: 'HPE_HEADER_OVERFLOW' })),
      'MalformedResponse',
    );
    assert.equal(
      errorCode(
        Object.assign(new Error('@aws-sdk XML parse error: unexpected end of input.'), { $metadata: { httpStatusCode: 200 } }),
      ),
      'MalformedResponse',
    );
    const multi = toCallError(
      'GetBucketPolicy',
      Object.assign(new Error('first line\nsecond line'), { name: 'WeirdError' }),
      ctx,
    );
    assert.equal(multi.message, 'first line', 'one line');
  });
});

describe('secrets', () => {
  it('the secret access key appears in no report of a misbehaving endpoint', () => {
    assert.ok(reports.length >= 15);
    assert.ok(!JSON.stringify(reports).includes(SECRET));
  });
});

describe('a bucket of its own', () => {
  it('one 100 MB policy among many buckets leaves the others complete', HANG, async () => {
    const names = Array.from({ length: 6 }, (_, i) => `bulk-${i}`);
    const bulk = await startEmulator({
      seed: {
        keys: [KEYS.good],
        buckets: names.map(n => goodBucket(n)),
        faults: [{ call: 'GetBucketPolicy', bucket: 'bulk-3', oversizeBytes: 100_000_000, chunked: true }],
      },
    });
    try {
      const r = await fetchPosture({ endpoint: bulk.url, env, judge: localJudge(), timeoutMs: 5000 });
      reports.push(r);
      assert.deepEqual(
        r.buckets.map(b => [b.name, b.errors.map(e => e.code)]),
        names.map(n => [n, n === 'bulk-3' ? ['ResponseTooLarge'] : []]),
      );
    } finally {
      await bulk.close();
    }
  });
});
