// Property tests (fast-check): random policies and requests never make the engine throw, and
// every witness a verdict returns really gets through when it is evaluated again.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { analyze } from '../../../core/analyze';
import { compilePolicy, evaluatePolicy } from '../../../core/engine/evaluate';
import { keyRequestFromWitness } from '../../../core/engine/key-verdict';
import { witnessToRequest } from '../../../core/engine/requests/witnesses';
import type { Request } from '../../../shared/types';
import { bucketVerdicts } from '../../../core/engine/verdict';
import { parsePolicy } from '../../../core/policy/parse';

const BUCKET = 'prop-bucket';
const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);
const oneOrMany = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.array(arb, { minLength: 1, maxLength: 3 }));

const principal = fc.oneof(
  fc.constant('*'),
  fc.record({
    AWS: oneOrMany(
      pick([
        '*',
        '111122223333',
        'arn:aws:iam::111122223333:root',
        'arn:aws:iam::111122223333:role/app',
        'arn:aws:iam::444455556666:user/u',
        'arn:aws:sts::111122223333:assumed-role/app/s',
      ]),
    ),
  }),
  fc.record({ Service: oneOrMany(pick(['logging.s3.amazonaws.com', 'cloudtrail.amazonaws.com'])) }),
);
const action = oneOrMany(
  pick([
    's3:*',
    's3:PutObject',
    's3:GetObject',
    's3:ListBucket',
    's3:Get*',
    's3:*Object',
    'S3:putobject',
    's3:DeleteObject',
    's3:PutObject?',
  ]),
);
const resource = oneOrMany(
  pick([
    `arn:aws:s3:::${BUCKET}`,
    `arn:aws:s3:::${BUCKET}/*`,
    `arn:aws:s3:::${BUCKET}/logs/*`,
    'arn:aws:s3:::other/*',
    '*',
    `arn:aws:s3:::${BUCKET}/\${aws:username}/*`,
  ]),
);
const operator = pick([
  'StringEquals',
  'StringNotEquals',
  'StringLike',
  'StringNotLikeIfExists',
  'StringEqualsIgnoreCase',
  'ForAnyValue:StringEquals',
  'ForAllValues:StringNotEquals',
  'Bool',
  'BoolIfExists',
  'Null',
  'NumericLessThan',
  'NumericGreaterThanEqualsIfExists',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnNotLikeIfExists',
  'DateGreaterThan',
  'BinaryEquals',
  'Bogus',
  'NullIfExists',
]);
const key = pick([
  'aws:SecureTransport',
  's3:TlsVersion',
  's3:x-amz-server-side-encryption',
  's3:x-amz-server-side-encryption-aws-kms-key-id',
  's3:x-amz-server-side-encryption-customer-algorithm',
  'aws:PrincipalOrgID',
  'aws:SourceIp',
  'aws:SourceVpce',
  'aws:PrincipalArn',
  'aws:CurrentTime',
  'aws:username',
  's3:prefix',
]);
const value = fc.oneof(
  pick([
    'true',
    'false',
    'TRUE',
    '1.2',
    '1.3',
    'AES256',
    'aws:kms',
    'aws:kms:dsse',
    'arn:aws:kms:eu-west-1:111122223333:key/k1',
    'arn:aws:kms:*:111122223333:key/*',
    'o-abc123',
    '192.0.2.0/24',
    '2001:db8::/32',
    'vpce-1a2b3c4d',
    '2026-01-01T00:00:00Z',
    '${aws:username}',
    '*',
    'logs/*',
    'QUJD',
  ]),
  fc.boolean(),
  fc.integer({ min: -2, max: 5 }),
  fc.string({ maxLength: 6 }),
);
const condition = fc.dictionary(operator, fc.dictionary(key, oneOrMany(value), { minKeys: 1, maxKeys: 2 }), {
  minKeys: 1,
  maxKeys: 3,
});
const statement = fc
  .record({
    Sid: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
    Effect: fc.oneof({ weight: 8, arbitrary: pick(['Deny', 'Allow']) }, { weight: 1, arbitrary: pick(['deny', 'Denied']) }),
    principal: fc.oneof(
      { weight: 6, arbitrary: principal.map(p => ({ Principal: p })) },
      { weight: 1, arbitrary: principal.map(p => ({ NotPrincipal: p })) },
    ),
    action: fc.oneof(
      { weight: 6, arbitrary: action.map(a => ({ Action: a })) },
      { weight: 1, arbitrary: action.map(a => ({ NotAction: a })) },
    ),
    resource: fc.oneof(
      { weight: 6, arbitrary: resource.map(r => ({ Resource: r })) },
      { weight: 1, arbitrary: resource.map(r => ({ NotResource: r })) },
    ),
    Condition: fc.option(condition, { nil: undefined, freq: 3 }),
  })
  .map(({ principal: p, action: a, resource: r, ...rest }) => ({ ...rest, ...p, ...a, ...r }));
const policy = fc
  .record({
    Version: pick(['2012-10-17', '2008-10-17']),
    Statement: fc.array(statement, { minLength: 1, maxLength: 5 }),
  })
  .map(p => JSON.stringify(p));

const request: fc.Arbitrary<Request> = fc.record({
  principal: fc.oneof(
    fc.constant({ kind: 'anonymous' as const }),
    pick([
      'arn:aws:iam::111122223333:role/app',
      'arn:aws:iam::999999999999:user/x',
      'arn:aws:sts::111122223333:assumed-role/app/s',
    ]).map(arn => ({ kind: 'aws' as const, arn, account: arn.split(':')[4] })),
    fc.constant({ kind: 'service' as const, service: 'logging.s3.amazonaws.com' }),
  ),
  action: pick(['s3:PutObject', 's3:GetObject', 's3:ListBucket', 's3:DeleteBucket']),
  resource: pick([`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/a`, `arn:aws:s3:::${BUCKET}/logs/a`]),
  context: fc.dictionary(
    key.map(k => k.toLowerCase()),
    fc.oneof(
      fc.string({ maxLength: 8 }),
      pick(['true', 'false', '1.2', 'aws:kms', '192.0.2.7']),
      fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }),
    ),
  ),
});

const RUNS = 300;

describe('engine properties (fast-check)', () => {
  it('evaluating random requests against random policies never throws and gives a decision', () => {
    fc.assert(
      fc.property(policy, fc.array(request, { minLength: 1, maxLength: 5 }), (text, requests) => {
        const doc = parsePolicy(text);
        for (const r of requests) {
          const ev = evaluatePolicy(doc, r);
          assert.ok(['explicit-deny', 'allow', 'implicit-deny'].includes(ev.decision));
          assert.equal(ev.decision === 'implicit-deny', ev.statements.length === 0);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("a policy narrowed to the request's principal decides as the whole policy does, and principals with one signature are taken in alike", () => {
    fc.assert(
      fc.property(policy, request, request, (text, req, other) => {
        const compiled = compilePolicy(parsePolicy(text));
        const full = compiled.evaluate(req);
        const narrow = compiled.forPrincipal(req.principal).evaluate(req);
        assert.deepEqual(narrow, full);
        if (compiled.principalSignature(req.principal) === compiled.principalSignature(other.principal)) {
          for (const s of compiled.statements) assert.equal(s.namesPrincipal(req.principal), s.namesPrincipal(other.principal));
        }
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('every witness of a verdict is really not explicitly denied', () => {
    let witnesses = 0;
    fc.assert(
      fc.property(policy, text => {
        const doc = parsePolicy(text);
        for (const v of bucketVerdicts(doc, { bucketName: BUCKET })) {
          assert.equal(v.bucket, BUCKET);
          const all = [v.transport.witness, ...v.encryption.uploads.map(u => u.witness)].filter(w => w !== null);
          for (const w of all) {
            witnesses++;
            assert.notEqual(
              evaluatePolicy(doc, witnessToRequest(w!)).decision,
              'explicit-deny',
              `witness ${JSON.stringify(w)} is denied by\n${text}`,
            );
          }
          // A class without a witness is denied, and vice versa.
          for (const u of v.encryption.uploads) assert.equal(u.decision === 'denied', u.witness === null);
          assert.equal(v.transport.http === 'denied', v.transport.witness === null);
        }
      }),
      { numRuns: RUNS },
    );
    assert.ok(witnesses > RUNS, `the property saw ${witnesses} witnesses`);
  });

  it('the whole analysis never throws on arbitrary JSON or text, named as a bucket policy', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.json(),
          fc.string({ maxLength: 200 }),
          policy.map(p => p.slice(0, Math.floor(p.length / 2))),
        ),
        text => {
          const a = analyze(text, `/w/${BUCKET}.bucket-policy.json`);
          assert.deepEqual(a.ruleFailures, []);
        },
      ),
      { numRuns: RUNS },
    );
  });

  // Key policies: the same statement shapes over KMS actions and keys.
  const kmsAction = oneOrMany(
    pick([
      'kms:*',
      'kms:Decrypt',
      'kms:GenerateDataKey*',
      'kms:PutKeyPolicy',
      'kms:Put*',
      'kms:Encrypt',
      'kms:CreateGrant',
      'kms:Describe*',
      '*',
    ]),
  );
  const kmsKey = pick([
    'kms:CallerAccount',
    'kms:ViaService',
    'aws:PrincipalOrgID',
    'aws:PrincipalArn',
    'kms:EncryptionContext:aws:s3:arn',
    'kms:GrantIsForAWSResource',
    'aws:PrincipalAccount',
  ]);
  const kmsValue = fc.oneof(
    pick([
      '111122223333',
      '444455556666',
      's3.us-east-1.amazonaws.com',
      's3.amazonaws.com',
      'o-abc123',
      'arn:aws:iam::111122223333:role/app',
      'arn:aws:s3:::b/*',
      'arn:aws:s3:::b',
      'true',
      '*',
      '${aws:username}',
    ]),
    fc.boolean(),
  );
  const keyStatement = fc.record(
    {
      Effect: fc.oneof({ weight: 8, arbitrary: pick(['Allow', 'Deny']) }, { weight: 1, arbitrary: pick(['allow']) }),
      Principal: principal,
      Action: kmsAction,
      Resource: fc.oneof(
        { weight: 6, arbitrary: fc.constant('*') },
        {
          weight: 1,
          arbitrary: pick(['arn:aws:kms:us-east-1:111122223333:key/k1', 'arn:aws:kms:us-east-1:111122223333:alias/a']),
        },
      ),
      Condition: fc.option(
        fc.dictionary(operator, fc.dictionary(kmsKey, oneOrMany(kmsValue), { minKeys: 1, maxKeys: 2 }), {
          minKeys: 1,
          maxKeys: 2,
        }),
        { nil: undefined, freq: 2 },
      ),
    },
    { requiredKeys: ['Effect', 'Principal', 'Action', 'Resource'] },
  );
  const keyPolicy = fc
    .array(keyStatement, { minLength: 1, maxLength: 5 })
    .map(st => JSON.stringify({ Version: '2012-10-17', Statement: st }));

  it('key policies: the verdict never throws, and every witness it returns is allowed when evaluated again', () => {
    let witnesses = 0;
    fc.assert(
      fc.property(keyPolicy, text => {
        const a = analyze(text, '/w/prop.key-policy.json');
        assert.deepEqual(a.ruleFailures, []);
        const v = a.keyVerdict!;
        assert.ok(v, 'a key policy has a verdict');
        assert.equal(v.lockout, v.administrators.length === 0);
        const doc = parsePolicy(text);
        for (const w of [v.openToOtherAccounts.witness, v.openToAnonymous.witness, v.s3CanUse.witness ?? null]) {
          if (!w) continue;
          witnesses++;
          assert.equal(
            evaluatePolicy(doc, keyRequestFromWitness(w)).decision,
            'allow',
            `witness ${JSON.stringify(w)} is not allowed by\n${text}`,
          );
        }
        assert.equal(v.openToOtherAccounts.value, v.openToOtherAccounts.witness !== null);
        assert.equal(v.openToAnonymous.value, v.openToAnonymous.witness !== null);
      }),
      { numRuns: RUNS },
    );
    assert.ok(witnesses > RUNS / 3, `the property saw ${witnesses} witnesses`);
  });

  it('the whole analysis never throws on arbitrary JSON or text, named as a key policy', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.json(),
          fc.string({ maxLength: 200 }),
          keyPolicy.map(p => p.slice(0, Math.floor(p.length / 2))),
        ),
        text => {
          const a = analyze(text, '/w/prop.key-policy.json');
          assert.deepEqual(a.ruleFailures, []);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
