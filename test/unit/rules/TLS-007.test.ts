import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runRule } from '../../../core/analyze';
import { bucketVerdicts } from '../../../core/engine/verdict';
import { parsePolicy } from '../../../core/policy/parse';
import { DEFAULT_REQUIREMENTS, type TlsVersion } from '../../../core/requirements';
import { tls007 } from '../../../core/rules/transport/TLS-007-minimum-tls-version';
import { ruleTester, type InvalidCase, tableSuite } from './rule-tester';

const policy = (...sts: string[]) => `{"Version": "2012-10-17", "Statement": [${sts.join(', ')}]}`;
const BOTH = '["arn:aws:s3:::b", "arn:aws:s3:::b/*"]';
const denyHttp = `{"Sid": "DenyHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ${BOTH}, "Condition": {"Bool": {"aws:SecureTransport": "false"}}}`;
const denyOldTls = (test: string, resource = BOTH, action = '"s3:*"') =>
  `{"Sid": "DenyOldTls", "Effect": "Deny", "Principal": "*", "Action": ${action}, "Resource": ${resource}, "Condition": {${test}}}`;
const lessThan = (value: string, operator = 'NumericLessThan') => `"${operator}": {"s3:TlsVersion": ${value}}`;
const added = (min: string) =>
  `{"Sid": "DenyOutdatedTls", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"NumericLessThan": {"s3:TlsVersion": ${min}}}}`;
const undecidable =
  '{"Sid": "TeamOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "${aws:username}"}}}';
const withAdded = (code: string, min: string) => code.replace(/\]\}$/, `, ${added(min)}]}`);

const invalid: (InvalidCase & { min: TlsVersion })[] = [
  {
    name: 'required 1.2, nothing tries: info on "Statement" with an HTTPS witness; the fix adds the Deny',
    code: policy(denyHttp),
    requirements: { minTlsVersion: '1.2' },
    min: '1.2',
    errors: [
      {
        target: '"Statement"',
        severity: 'info',
        messageId: 'noDeny',
        message:
          /^Minimum TLS 1\.2 is not enforced for bucket "b": no statement denies older versions\. TLS 1\.2 or later is required \(minTlsVersion\) but not enforced\. For example, an anonymous caller calling s3:GetObject on arn:aws:s3:::b\/example over HTTPS \(s3:TlsVersion = 1\.0\) is not denied by this policy \([^)]*\)\. Add a Deny/,
      },
    ],
    fixAll: 'output',
    output: withAdded(policy(denyHttp), '1.2'),
  },
  {
    name: 'a statement the engine cannot decide: worded softly',
    code: policy(denyHttp, undecidable),
    requirements: { minTlsVersion: '1.3' },
    min: '1.3',
    errors: [
      {
        target: '"Statement"',
        messageId: 'noDeny',
        message:
          /^Minimum TLS 1\.3 is probably not enforced for bucket "b": .* TLS 1\.3 or later is required \(minTlsVersion\) but probably not enforced \(the analysis could not decide every statement\)\. For example, .* over HTTPS \(s3:TlsVersion = 1\.0\) is not denied by this policy \([^)]*\)\./,
      },
    ],
    fixAll: 'output',
    output: withAdded(policy(denyHttp, undecidable), '1.3'),
  },
  {
    name: "the policy's own TLS Deny misses the bucket ARN: a warning without any requirement, the fix adds the ARN",
    code: policy(denyHttp, denyOldTls(lessThan('"1.2"'), '"arn:aws:s3:::b/*"')),
    min: '1.2',
    errors: [
      {
        target: '"arn:aws:s3:::b/*"',
        occurrence: 2,
        severity: 'warning',
        messageId: 'denyFallsShort',
        message:
          /^Statement "DenyOldTls" does not deny every request below TLS 1\.2 to bucket "b"\. TLS 1\.2 or later is not enforced: the statement denies old TLS versions, but its Resource does not name arn:aws:s3:::b\. For example, an anonymous caller calling s3:ListBucket on arn:aws:s3:::b over HTTPS \(s3:TlsVersion = 1\.0\) is not denied by this policy \([^)]*\)\./,
      },
    ],
    fixAll: 'output',
    output: policy(denyHttp, denyOldTls(lessThan('"1.2"'), '["arn:aws:s3:::b", "arn:aws:s3:::b/*"]')),
  },
  {
    name: 'a threshold below the requirement: the fix raises it, keeping the string',
    code: policy(denyHttp, denyOldTls(lessThan('"1.1"'))),
    requirements: { minTlsVersion: '1.2' },
    min: '1.2',
    errors: [
      {
        target: '"1.1"',
        messageId: 'denyFallsShort',
        message:
          /TLS 1\.2 or later is required \(minTlsVersion\) but not enforced: the statement denies old TLS versions, but "NumericLessThan": "1\.1" lets TLS 1\.1 through\. For example, .* over HTTPS \(s3:TlsVersion = 1\.1\) is not denied by this policy \([^)]*\)\./,
      },
    ],
    fixAll: 'output',
    output: policy(denyHttp, denyOldTls(lessThan('"1.2"'))),
  },
  {
    name: 'a JSON number stays a number',
    code: policy(denyHttp, denyOldTls(lessThan('1.1'))),
    requirements: { minTlsVersion: '1.2' },
    min: '1.2',
    errors: [{ target: '1.1', messageId: 'denyFallsShort' }],
    fixAll: 'output',
    output: policy(denyHttp, denyOldTls(lessThan('1.2'))),
  },
  {
    name: 'NumericLessThanEquals: the fix sets the version just below the minimum',
    code: policy(denyHttp, denyOldTls(lessThan('"1.0"', 'NumericLessThanEquals'))),
    requirements: { minTlsVersion: '1.2' },
    min: '1.2',
    errors: [{ target: '"1.0"', messageId: 'denyFallsShort' }],
    fixAll: 'output',
    output: policy(denyHttp, denyOldTls(lessThan('"1.1"', 'NumericLessThanEquals'))),
  },
  {
    name: 'an Allow instead of a Deny: warning on the Allow, the fix adds the Deny',
    code: policy(
      denyHttp,
      '{"Sid": "NewTlsOnly", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"NumericGreaterThanEquals": {"s3:TlsVersion": "1.2"}}}',
    ),
    min: '1.2',
    errors: [
      {
        target: '"Allow"',
        severity: 'warning',
        messageId: 'allowInstead',
        message:
          /^Statement "NewTlsOnly" allows only newer TLS versions, but an Allow does not stop older ones\. TLS 1\.2 or later is not enforced for bucket "b": .* For example, .* over HTTPS \(s3:TlsVersion = 1\.0\) is not denied/,
      },
    ],
    fixAll: 'output',
    output: withAdded(
      policy(
        denyHttp,
        '{"Sid": "NewTlsOnly", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"NumericGreaterThanEquals": {"s3:TlsVersion": "1.2"}}}',
      ),
      '1.2',
    ),
  },
  {
    name: 'several shortcomings in one Deny: one finding, one fix that repairs them all (layout kept)',
    code: `{\n  "Statement": [\n    ${denyHttp},\n    {\n      "Sid": "DenyOldTls",\n      "Effect": "Deny",\n      "Principal": "*",\n      "Action": ["s3:GetObject", "s3:PutObject"],\n      "Resource": [\n        "arn:aws:s3:::b/*"\n      ],\n      "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.1"}}\n    }\n  ]\n}`,
    requirements: { minTlsVersion: '1.2' },
    min: '1.2',
    errors: [
      {
        target: '[\n        "arn:aws:s3:::b/*"\n      ]',
        messageId: 'denyFallsShort',
        message:
          /but its Resource does not name arn:aws:s3:::b; "NumericLessThan": "1\.1" lets TLS 1\.1 through; it names only s3:GetObject and s3:PutObject\./,
      },
    ],
    fixAll: 'output',
    output: `{\n  "Statement": [\n    ${denyHttp},\n    {\n      "Sid": "DenyOldTls",\n      "Effect": "Deny",\n      "Principal": "*",\n      "Action": "s3:*",\n      "Resource": [\n        "arn:aws:s3:::b",\n        "arn:aws:s3:::b/*"\n      ],\n      "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}\n    }\n  ]\n}`,
  },
];

ruleTester(tls007, {
  valid: [
    {
      name: "the S3 guide's Deny meets a 1.2 requirement",
      code: policy(denyHttp, denyOldTls(lessThan('1.2'))),
      requirements: { minTlsVersion: '1.2' },
    },
    { name: 'no requirement and no TLS statement: nothing to check', code: policy(denyHttp) },
    {
      name: 'enforcing more than required is fine',
      code: policy(denyHttp, denyOldTls(lessThan('"1.3"'))),
      requirements: { minTlsVersion: '1.2' },
    },
    { name: 'a 1.0 minimum is no requirement', code: policy(denyHttp), requirements: { minTlsVersion: '1.0' } },
    {
      name: "String operators on s3:TlsVersion are GRM-012's",
      code: policy(denyHttp, denyOldTls('"StringEquals": {"s3:TlsVersion": ["1.0", "1.1"]}')),
    },
    {
      name: 'a policy that denies everything lets no old TLS through',
      code: policy('{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}'),
      requirements: { minTlsVersion: '1.2' },
    },
  ],
  invalid,
});

tableSuite('TLS-007 fixes: the fixed policy enforces the minimum TLS version', () => {
  const rank = (v: string | null) => ['1.0', '1.1', '1.2', '1.3'].indexOf(v ?? '1.0');
  for (const c of invalid) {
    if (c.output === undefined) continue;
    it(c.name!, () => {
      const doc = parsePolicy(c.output!);
      const [v] = bucketVerdicts(doc);
      assert.ok(rank(v.transport.minTlsVersion) >= rank(c.min), `minTlsVersion ${v.transport.minTlsVersion}, wanted ${c.min}`);
      assert.deepEqual(
        runRule(tls007, doc, 'bucket-policy', { requirements: { ...DEFAULT_REQUIREMENTS, ...c.requirements } }),
        [],
      );
    });
  }
});
