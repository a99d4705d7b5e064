import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runRule } from '../../../core/analyze';
import { evaluatePolicy } from '../../../core/engine/evaluate';
import type { Request } from '../../../shared/types';
import { parsePolicy } from '../../../core/policy/parse';
import { tls008 } from '../../../core/rules/transport/TLS-008-signature-keys';
import { ruleTester, type InvalidCase, tableSuite } from './rule-tester';

const policy = (...sts: string[]) => `{"Version": "2012-10-17", "Statement": [${sts.join(', ')}]}`;
const deny = (condition: string) =>
  `{"Sid": "SigV4Only", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": ${condition}}`;
const test = (operator: string, key: string, value: string) => `{"${operator}": {"${key}": ${value}}}`;

/** What S3 puts in the context of an ordinary request: SigV4 in the Authorization header, signed a second ago, over HTTPS. */
const ordinaryRequest: Request = {
  principal: { kind: 'aws', arn: 'arn:aws:iam::111122223333:role/app', account: '111122223333' },
  action: 's3:GetObject',
  resource: 'arn:aws:s3:::b/report.csv',
  context: {
    'aws:securetransport': 'true',
    's3:tlsversion': '1.3',
    's3:signatureversion': 'AWS4-HMAC-SHA256',
    's3:authtype': 'REST-HEADER',
    's3:signatureage': '1000',
  },
};

/** Invalid cases whose Deny, as written, blocks even the ordinary request; their fix lets it through. */
const invalid: (InvalidCase & { blocksOrdinary?: boolean })[] = [
  {
    name: 'StringNotEquals "SigV4": denies every request; the fix writes the value S3 sets',
    code: policy(deny(test('StringNotEquals', 's3:signatureversion', '"SigV4"'))),
    blocksOrdinary: true,
    errors: [
      {
        target: '"SigV4"',
        severity: 'warning',
        messageId: 'misspelt',
        message:
          /^"SigV4" is not a value S3 sets for s3:signatureversion: did you mean "AWS4-HMAC-SHA256"\? S3 sets s3:signatureversion to AWS, AWS4-HMAC-SHA256, so this negated condition matches every request \(a Deny then blocks all of them, correctly signed ones included\)\.$/,
      },
    ],
    fixAll: 'output',
    output: policy(deny(test('StringNotEquals', 's3:signatureversion', '"AWS4-HMAC-SHA256"'))),
  },
  {
    name: '"v4" in a list',
    code: policy(deny(test('StringNotEquals', 's3:signatureversion', '["v4"]'))),
    blocksOrdinary: true,
    errors: [{ target: '"v4"', messageId: 'misspelt' }],
    fixAll: 'output',
    output: policy(deny(test('StringNotEquals', 's3:signatureversion', '["AWS4-HMAC-SHA256"]'))),
  },
  {
    name: 'only the casing differs: StringNotEquals compares case-sensitively',
    code: policy(deny(test('StringNotEquals', 's3:signatureversion', '"aws4-hmac-sha256"'))),
    blocksOrdinary: true,
    errors: [{ target: '"aws4-hmac-sha256"', messageId: 'misspelt', message: /"StringNotEquals" compares case-sensitively/ }],
    fixAll: 'output',
    output: policy(deny(test('StringNotEquals', 's3:signatureversion', '"AWS4-HMAC-SHA256"'))),
  },
  {
    name: 's3:authType "presigned" means REST-QUERY-STRING',
    code: policy(deny(test('StringNotEquals', 's3:authType', '["REST-HEADER", "presigned"]'))),
    blocksOrdinary: false,
    errors: [
      {
        target: '"presigned"',
        messageId: 'misspelt',
        message:
          /not a value S3 sets for s3:authType: did you mean "REST-QUERY-STRING"\? S3 sets s3:authType to REST-HEADER, REST-QUERY-STRING, POST/,
      },
    ],
    fixAll: 'output',
    output: policy(deny(test('StringNotEquals', 's3:authType', '["REST-HEADER", "REST-QUERY-STRING"]'))),
  },
  {
    name: 'a positive test with a typo never matches (the Deny of SigV2 does nothing)',
    code: policy(deny(test('StringEquals', 's3:signatureversion', '"SigV2"'))),
    errors: [
      { target: '"SigV2"', messageId: 'misspelt', message: /did you mean "AWS"\? .*so this condition never matches a request\./ },
    ],
    fixAll: 'output',
    output: policy(deny(test('StringEquals', 's3:signatureversion', '"AWS"'))),
  },
  {
    name: 'a value with no likely meaning: no guess, no fix',
    code: policy(deny(test('StringNotEquals', 's3:authType', '"token"'))),
    blocksOrdinary: true,
    errors: [
      {
        target: '"token"',
        messageId: 'unknownValue',
        message:
          /^"token" is not a value S3 sets for s3:authType, so this condition matches every request\. S3 sets s3:authType to REST-HEADER, REST-QUERY-STRING, POST, so this negated condition/,
      },
    ],
    fixAll: 'output',
    output: policy(deny(test('StringNotEquals', 's3:authType', '"token"'))),
  },
  {
    name: 'a pattern that matches no value; no guess, no fix',
    code: policy(deny(test('StringNotLike', 's3:signatureversion', '"SIGV4*"'))),
    blocksOrdinary: true,
    errors: [
      {
        target: '"SIGV4*"',
        messageId: 'patternMatchesNone',
        message: /^The pattern "SIGV4\*" matches none of the values S3 sets for s3:signatureversion\. .*matches every request/,
      },
    ],
    fixAll: 'output',
    output: policy(deny(test('StringNotLike', 's3:signatureversion', '"SIGV4*"'))),
  },
  {
    name: 's3:signatureAge 600 is 0.6 seconds: the fix writes milliseconds, in the same JSON type',
    code: policy(
      deny(test('NumericGreaterThan', 's3:signatureAge', '"600"')),
      deny(test('NumericGreaterThan', 's3:signatureAge', '600')),
    ),
    blocksOrdinary: true,
    errors: [
      {
        target: '"600"',
        messageId: 'milliseconds',
        message:
          /^s3:signatureAge is in milliseconds: "600" is only 600 ms, probably meant as seconds\. .*AWS's example uses 600000 for 10 minutes.*matches almost every signed request\. Did you mean 600000\?$/,
      },
      { target: '600', occurrence: 2, messageId: 'milliseconds' },
    ],
    fixAll: 'unchanged',
    output: policy(
      deny(test('NumericGreaterThan', 's3:signatureAge', '"600000"')),
      deny(test('NumericGreaterThan', 's3:signatureAge', '600000')),
    ),
  },
];

ruleTester(tls008, {
  valid: [
    {
      name: 'SigV4 only, as AWS documents it',
      code: policy(deny(test('StringNotEquals', 's3:signatureversion', '"AWS4-HMAC-SHA256"'))),
    },
    {
      name: 'IgnoreCase accepts any casing',
      code: policy(deny(test('StringNotEqualsIgnoreCase', 's3:signatureversion', '"aws4-hmac-sha256"'))),
    },
    { name: 'presigned URLs only', code: policy(deny(test('StringNotEquals', 's3:authType', '"REST-QUERY-STRING"'))) },
    { name: 'a pattern that matches a real value', code: policy(deny(test('StringNotLike', 's3:signatureversion', '"AWS4*"'))) },
    { name: '10 minutes in milliseconds', code: policy(deny(test('NumericGreaterThan', 's3:signatureAge', '"600000"'))) },
    {
      name: "a value that is not a number is GRM-012's",
      code: policy(deny(test('NumericGreaterThan', 's3:signatureAge', '"10m"'))),
    },
  ],
  invalid,
});

tableSuite('TLS-008: the engine agrees — the typo blocks ordinary requests, the fix lets them through', () => {
  for (const c of invalid) {
    if (c.blocksOrdinary === undefined) continue;
    it(c.name!, () => {
      assert.equal(evaluatePolicy(parsePolicy(c.code), ordinaryRequest).decision === 'explicit-deny', c.blocksOrdinary);
      if (c.output === c.code) return;
      const fixed = parsePolicy(c.output!);
      assert.notEqual(evaluatePolicy(fixed, ordinaryRequest).decision, 'explicit-deny');
      assert.deepEqual(runRule(tls008, fixed, 'bucket-policy'), []);
    });
  }
});
