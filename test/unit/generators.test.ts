// The policy generators behind "New Bucket Policy…" and "New KMS Key Policy…": for every
// combination of answers, the engine's verdict on what they write is exactly what was asked for,
// the analysis finds no error, and bad answers are refused with a message naming the field and the fix.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../core/analyze';
import {
  accountProblem,
  bucketNameProblem,
  generateBucketPolicy,
  generateKeyPolicy,
  keyArnProblem,
  PolicyInputError,
  principalListProblem,
  regionProblem,
  type BucketPolicyOptions,
  type KeyPolicyOptions,
} from '../../core/authoring/generate';
import { keyPolicyVerdict } from '../../core/engine/key-verdict';
import type { UploadClass } from '../../shared/types';
import type { SseAlgorithm } from '../../core/requirements';

// What a new editor tab is: no file name, so the kind comes from the content and the bucket from Resource.
const UNTITLED = '/untitled/Untitled-1';
const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ROLE = 'arn:aws:iam::111122223333:role/payments-app';

/** What each upload class must get, from the AWS semantics of what was asked (docs/design/aws-facts.md#template-2 and 3). */
function expectedDecision(o: BucketPolicyOptions, u: UploadClass): 'denied' | 'not-denied' {
  const strict = o.headerlessUploads === 'deny';
  const denied = (b: boolean) => (b ? 'denied' : 'not-denied');
  switch (u.sse) {
    case 'none':
      return denied(strict);
    // An SSE-C upload sends no x-amz-server-side-encryption header: only the ban or a header-required Deny stop it.
    case 'SSE-C':
      return denied(o.banSseC || strict);
    case 'AES256':
      return denied(o.sse === 'aws:kms' || o.sse === 'aws:kms:dsse');
    default:
      if (o.sse !== 'none' && o.sse !== u.sse) return 'denied';
      if (!o.kmsKeyArn) return 'not-denied';
      if (u.kmsKey === 'other') return 'denied';
      return u.kmsKey === null ? denied(strict) : 'not-denied';
  }
}

function* bucketCombinations(): Generator<BucketPolicyOptions> {
  for (const sse of ['aws:kms', 'aws:kms:dsse', 'AES256', 'none'] as const) {
    for (const kmsKeyArn of sse === 'aws:kms' || sse === 'aws:kms:dsse' ? [undefined, KEY] : [undefined]) {
      for (const minTls of [null, '1.2', '1.3'] as const) {
        for (const banSseC of [false, true]) {
          for (const headerlessUploads of ['allow', 'deny'] as const) {
            for (const readWriteRoles of [[], [ROLE]]) {
              yield { bucket: 'payments-data', sse, kmsKeyArn, minTls, banSseC, headerlessUploads, readWriteRoles };
            }
          }
        }
      }
    }
  }
}

const describeOptions = (o: BucketPolicyOptions) => JSON.stringify(o);

describe('generateBucketPolicy', () => {
  const all = [...bucketCombinations()];

  it(`covers every combination of answers (${all.length})`, () => {
    assert.equal(all.length, (2 * 2 + 2 * 1) * 3 * 2 * 2 * 2);
  });

  it('each combination: the verdict is exactly what was asked, for every upload class and transport', () => {
    for (const o of all) {
      const text = generateBucketPolicy(o);
      const a = analyze(text, UNTITLED);
      assert.equal(a.kind.kind, 'bucket-policy', `${describeOptions(o)}: ${a.kind.reason}`);
      assert.equal(a.verdicts?.length, 1, describeOptions(o));
      const v = a.verdicts![0];
      assert.equal(v.bucket, 'payments-data');
      assert.equal(v.complete, true);
      assert.equal(v.transport.http, 'denied', describeOptions(o));
      assert.equal(v.transport.minTlsVersion, o.minTls, describeOptions(o));
      const got = v.encryption.uploads.map(u => `${u.sse} ${u.kmsKey} ${u.decision}`);
      assert.deepEqual(
        got,
        v.encryption.uploads.map(u => `${u.sse} ${u.kmsKey} ${expectedDecision(o, u)}`),
        describeOptions(o),
      );
      if (o.kmsKeyArn)
        assert.ok(
          v.encryption.uploads.some(u => u.kmsKey === o.kmsKeyArn),
          `the pinned key is a request class: ${describeOptions(o)}`,
        );
    }
  });

  it('each combination: no error finding, and against the requirements it was generated for only the SSE-C warning when SSE-C was kept', () => {
    for (const o of all) {
      const text = generateBucketPolicy(o);
      const errors = analyze(text, UNTITLED).findings.filter(f => f.severity === 'error');
      assert.deepEqual(
        errors.map(f => `${f.ruleId} ${f.message}`),
        [],
        describeOptions(o),
      );
      const requirements = {
        https: true,
        minTlsVersion: o.minTls,
        sse: o.sse === 'none' ? [] : [o.sse as SseAlgorithm],
        kmsKeyArns: o.kmsKeyArn ? [o.kmsKeyArn] : [],
        headerlessUploads: o.headerlessUploads,
      };
      const unmet = analyze(text, UNTITLED, { requirements }).findings.filter(f => f.severity !== 'info');
      // Keeping SSE-C allowed while requiring an algorithm is the user's choice, and ENC-011 rightly says so.
      const sseCAllowed = o.sse !== 'none' && !o.banSseC && o.headerlessUploads === 'allow';
      assert.deepEqual(
        unmet.map(f => f.ruleId),
        sseCAllowed ? ['ENC-011'] : [],
        describeOptions(o),
      );
    }
  });

  it('writes formatted JSON: two-space indentation, one statement per block, a final newline', () => {
    const text = generateBucketPolicy({
      bucket: 'payments-data',
      sse: 'aws:kms',
      kmsKeyArn: KEY,
      minTls: '1.2',
      banSseC: true,
      headerlessUploads: 'allow',
    });
    assert.equal(text, `${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    const policy = JSON.parse(text) as { Version: string; Statement: { Sid: string }[] };
    assert.equal(policy.Version, '2012-10-17');
    assert.deepEqual(
      policy.Statement.map(s => s.Sid),
      [
        'DenyInsecureTransport',
        'DenyOutdatedTls',
        'DenyUploadsNamingAnotherEncryption',
        'DenyUploadsNamingAnotherKey',
        'DenyCustomerProvidedKeys',
      ],
    );
  });

  it("uses the key's partition for the bucket ARNs", () => {
    const cnKey = 'arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const text = generateBucketPolicy({
      bucket: 'cn-data',
      sse: 'aws:kms',
      kmsKeyArn: cnKey,
      minTls: null,
      banSseC: false,
      headerlessUploads: 'allow',
    });
    assert.match(text, /"arn:aws-cn:s3:::cn-data\/\*"/);
    assert.doesNotMatch(text, /"arn:aws:s3:/);
    const a = analyze(text, UNTITLED);
    assert.deepEqual(
      a.findings.filter(f => f.severity === 'error').map(f => f.ruleId),
      [],
    );
    assert.equal(a.verdicts![0].encryption.uploads.find(u => u.kmsKey === 'other')?.decision, 'denied');
  });

  it('refuses bad answers, naming each field and the fix', () => {
    const base: BucketPolicyOptions = {
      bucket: 'payments-data',
      sse: 'aws:kms',
      minTls: '1.2',
      banSseC: true,
      headerlessUploads: 'allow',
    };
    const problems = (o: Partial<BucketPolicyOptions>) => {
      try {
        generateBucketPolicy({ ...base, ...o } as BucketPolicyOptions);
      } catch (e) {
        assert.ok(e instanceof PolicyInputError, String(e));
        return e.problems;
      }
      return assert.fail(`accepted ${JSON.stringify(o)}`);
    };
    assert.match(problems({ bucket: 'Payments_Data' }).join(), /^bucket: Bucket names are lowercase/);
    assert.match(
      problems({ sse: 'AES-256' as never }).join(),
      /sse: choose aws:kms, aws:kms:dsse, AES256 or none, not "AES-256"/,
    );
    assert.match(problems({ kmsKeyArn: 'alias/payments' }).join(), /kmsKeyArn: An alias cannot pin a key/);
    assert.match(
      problems({ sse: 'AES256', kmsKeyArn: KEY }).join(),
      /kmsKeyArn: a KMS key applies only to aws:kms or aws:kms:dsse uploads/,
    );
    assert.match(problems({ minTls: '1.1' as never }).join(), /minTls: choose "1.2", "1.3" or null/);
    assert.match(problems({ headerlessUploads: 'maybe' as never }).join(), /headerlessUploads: choose "allow" or "deny"/);
    assert.match(problems({ readWriteRoles: ['role/app'] }).join(), /readWriteRoles: "role\/app" needs its account/);
    assert.equal(problems({ bucket: 'x', kmsKeyArn: 'nope', minTls: '1.0' as never }).length, 3, 'every problem at once');
  });
});

describe('input checks used by the input boxes', () => {
  it('bucket names follow the S3 naming rules', () => {
    for (const ok of ['payments-data', 'logs.example.com', 'a1b', '123456789012', 'x'.repeat(63)])
      assert.equal(bucketNameProblem(ok), undefined, ok);
    const cases: [string, RegExp][] = [
      ['', /Enter the bucket name/],
      ['ab', /3 to 63 characters long; "ab" has 2/],
      ['x'.repeat(64), /has 64/],
      ['Payments', /lowercase: "payments"/],
      ['pay_ments', /not "_"/],
      ['-payments', /begin and end with a letter or a digit/],
      ['payments.', /begin and end/],
      ['pay..ments', /two adjacent dots/],
      ['192.168.5.4', /IP address/],
      ['xn--payments', /"xn--"/],
      ['sthree-data', /"sthree-"/],
      ['amzn-s3-demo-bucket', /"amzn-s3-demo-"/],
      ['data-s3alias', /"-s3alias"/],
      ['data--ol-s3', /"--ol-s3"/],
      ['data.mrap', /"\.mrap"/],
      ['data--x-s3', /"--x-s3"/],
    ];
    for (const [name, message] of cases) assert.match(bucketNameProblem(name) ?? '', message, name);
  });

  it('accounts, regions, key ARNs and principals', () => {
    assert.equal(accountProblem('111122223333'), undefined);
    assert.match(accountProblem('1111-2222-3333') ?? '', /12 digits, such as 111122223333, not "1111-2222-3333"/);
    for (const r of ['us-east-1', 'eu-west-2', 'ap-southeast-2', 'us-gov-west-1', 'cn-north-1', 'il-central-1'])
      assert.equal(regionProblem(r), undefined, r);
    for (const r of ['us-east', 'US-EAST-1', 'useast1', 'eu-west-1a'])
      assert.match(regionProblem(r) ?? '', /region code such as us-east-1/, r);
    assert.equal(keyArnProblem(KEY), undefined);
    assert.equal(keyArnProblem('arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab'), undefined);
    assert.match(keyArnProblem('arn:aws:kms:us-east-1:111122223333:alias/app') ?? '', /alias cannot pin a key/);
    assert.match(keyArnProblem('1234abcd-12ab-34cd-56ef-1234567890ab') ?? '', /full key ARN/);
    assert.match(keyArnProblem('arn:aws:s3:::bucket') ?? '', /KMS key ARN such as/);
    assert.equal(principalListProblem('role/KeyAdmin, arn:aws:iam::111122223333:user/ops/alice  role/path/app'), undefined);
    assert.equal(principalListProblem(''), undefined, 'an empty list is allowed');
    assert.match(principalListProblem('role/KeyAdmin, alice') ?? '', /"alice" is not an IAM role or user/);
    assert.match(principalListProblem('arn:aws:iam::111122223333:root') ?? '', /is not an IAM role or user/);
  });
});

function* keyCombinations(): Generator<KeyPolicyOptions> {
  for (const administrators of [[], ['role/KeyAdmin'], ['role/KeyAdmin', 'arn:aws:iam::111122223333:user/ops/alice']]) {
    for (const users of [[], ['role/payments-app'], ['role/payments-app', 'arn:aws:iam::444455556666:role/partner-uploader']]) {
      for (const bucket of [undefined, 'payments-data']) {
        for (const cloudTrail of [false, true, { trailName: 'management-events' }]) {
          yield { account: '111122223333', region: 'eu-west-1', administrators, users, bucket, cloudTrail };
        }
      }
    }
  }
}

describe('generateKeyPolicy', () => {
  const all = [...keyCombinations()];

  it(`each combination (${all.length}): no lock-out, administrators as asked, S3 can use the key, not open to strangers, no error finding`, () => {
    for (const o of all) {
      const text = generateKeyPolicy(o);
      const a = analyze(text, UNTITLED);
      assert.equal(a.kind.kind, 'key-policy', `${JSON.stringify(o)}: ${a.kind.reason}`);
      assert.deepEqual(
        a.findings.filter(f => f.severity === 'error').map(f => `${f.ruleId} ${f.message}`),
        [],
        JSON.stringify(o),
      );
      const v = keyPolicyVerdict(a.doc!);
      const full = (p: string) => (p.startsWith('arn:') ? p : `arn:aws:iam::111122223333:${p}`);
      assert.equal(v.complete, true);
      assert.equal(v.lockout, false);
      assert.deepEqual(
        [...v.administrators].sort(),
        ['arn:aws:iam::111122223333:root', ...o.administrators.map(full)].sort(),
        JSON.stringify(o),
      );
      // The partner account is named by the policy: its role is a user, not a stranger.
      assert.equal(v.openToOtherAccounts.value, false, `${JSON.stringify(o)}: ${JSON.stringify(v.openToOtherAccounts.witness)}`);
      assert.equal(v.openToAnonymous.value, false, JSON.stringify(o));
      assert.equal(v.s3CanUse.value, true, JSON.stringify(o));
      if (o.users.length) assert.equal(v.s3CanUse.viaService, 's3.eu-west-1.amazonaws.com');
      const policy = JSON.parse(text) as { Statement: { Sid: string; Condition?: Record<string, Record<string, unknown>> }[] };
      const s3Use = policy.Statement.find(s => s.Sid === 'Allow use of the key through S3');
      assert.equal(!!s3Use, o.users.length > 0);
      if (s3Use) {
        assert.deepEqual(
          s3Use.Condition?.StringLike?.['kms:EncryptionContext:aws:s3:arn'],
          o.bucket ? ['arn:aws:s3:::payments-data', 'arn:aws:s3:::payments-data/*'] : undefined,
        );
      }
      const trail = policy.Statement.find(s => s.Sid === 'Allow CloudTrail to encrypt logs');
      assert.equal(!!trail, !!o.cloudTrail);
      if (trail) {
        assert.equal(
          trail.Condition?.StringLike?.['kms:EncryptionContext:aws:cloudtrail:arn'],
          'arn:aws:cloudtrail:*:111122223333:trail/*',
        );
        assert.equal(
          trail.Condition?.StringEquals?.['aws:SourceArn'],
          typeof o.cloudTrail === 'object' ? 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/management-events' : undefined,
        );
      }
    }
  });

  it("uses the region's partition", () => {
    const text = generateKeyPolicy({
      account: '111122223333',
      region: 'cn-north-1',
      administrators: ['role/KeyAdmin'],
      users: ['role/app'],
      bucket: 'cn-data',
    });
    assert.match(text, /"arn:aws-cn:iam::111122223333:root"/);
    assert.match(text, /"arn:aws-cn:s3:::cn-data\/\*"/);
    assert.match(text, /"s3\.cn-north-1\.amazonaws\.com"/);
    assert.equal(keyPolicyVerdict(analyze(text, UNTITLED).doc!).lockout, false);
  });

  it('refuses bad answers, naming each field and the fix', () => {
    try {
      generateKeyPolicy({
        account: '1111',
        region: 'Europe',
        administrators: ['KeyAdmin'],
        users: ['role/ok'],
        bucket: 'Bad_Bucket',
        cloudTrail: { trailName: '-x' },
      });
      assert.fail('accepted');
    } catch (e) {
      assert.ok(e instanceof PolicyInputError, String(e));
      assert.deepEqual(
        e.problems.map(p => p.split(':')[0]),
        ['account', 'region', 'administrators', 'bucket', 'cloudTrail.trailName'],
      );
      assert.match(e.message, /account: The account ID is 12 digits/);
    }
  });
});
