import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runRule } from '../../../core/analyze';
import { bucketVerdicts } from '../../../core/engine/verdict';
import { parsePolicy } from '../../../core/policy/parse';
import { DEFAULT_REQUIREMENTS } from '../../../core/requirements';
import { tls003 } from '../../../core/rules/transport/TLS-003-allow-if-https';
import { ruleTester, type InvalidCase, tableSuite } from './rule-tester';

const allowHttps = (principal = '"*"', value = '"true"', operator = 'Bool') =>
  `{"Sid": "OnlyHttps", "Effect": "Allow", "Principal": ${principal}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"${operator}": {"aws:SecureTransport": ${value}}}}`;
const denyHttp =
  '{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}';
const denyHttpOn = (resource: string, value = '"false"') =>
  `{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ${resource}, "Condition": {"Bool": {"aws:SecureTransport": ${value}}}}`;
const policy = (...sts: string[]) => `{"Version": "2012-10-17", "Statement": [${sts.join(', ')}]}`;
const added =
  '{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}';

const invalid: InvalidCase[] = [
  {
    name: 'public Allow if HTTPS: error, and the fix adds the Deny',
    code: policy(allowHttps()),
    errors: [
      {
        target: '"Allow"',
        messageId: 'allowOnlyHttps',
        severity: 'error',
        message: /an Allow does not stop HTTP.*anonymous access/,
      },
    ],
    fixAll: 'output',
    output: policy(allowHttps()).replace(/\]\}$/, `, ${added}]}`),
  },
  {
    name: 'JSON boolean and {"AWS": "*"} count too',
    code: policy(allowHttps('{"AWS": "*"}', 'true')),
    errors: [{ target: '"Allow"', messageId: 'allowOnlyHttps', severity: 'error' }],
  },
  {
    name: 'a named principal: warning',
    code: policy(allowHttps('{"AWS": "arn:aws:iam::111122223333:role/r"}')),
    errors: [
      {
        target: '"Allow"',
        messageId: 'allowOnlyHttps',
        severity: 'warning',
        message: /^Statement "OnlyHttps" allows only HTTPS requests/,
      },
    ],
  },
  {
    name: 'a lone statement object becomes an array with the Deny',
    code: `{"Statement": ${allowHttps()}}`,
    errors: [{ target: '"Allow"', messageId: 'allowOnlyHttps' }],
    fixAll: 'output',
    output: `{"Statement": [${allowHttps()}, ${added}]}`,
  },
  {
    name: 'multi-line layout is kept',
    code: `{\n  "Statement": [\n    ${allowHttps()}\n  ]\n}`,
    errors: [{ target: '"Allow"', messageId: 'allowOnlyHttps' }],
    fixAll: 'output',
    output: `{\n  "Statement": [\n    ${allowHttps()},\n    ${added}\n  ]\n}`,
  },
  {
    name: 'no fix when the bucket is unknown',
    code: policy(allowHttps().replace('arn:aws:s3:::b/*', '*')),
    errors: [{ target: '"Allow"', messageId: 'allowOnlyHttps' }],
    fixAll: 'output',
    output: policy(allowHttps().replace('arn:aws:s3:::b/*', '*')),
  },
  {
    name: 'the message names a request the verdict lets through over HTTP',
    code: policy(allowHttps()),
    errors: [
      {
        target: '"Allow"',
        messageId: 'allowOnlyHttps',
        message:
          /over HTTP\. HTTPS is not enforced for bucket "b": for example, an anonymous caller calling s3:GetObject on arn:aws:s3:::b\/example over HTTP is not denied by this policy \([^)]*\)\. With/,
      },
    ],
  },
  {
    name: 'BoolIfExists is the same test',
    code: policy(allowHttps('"*"', '"true"', 'BoolIfExists')),
    errors: [{ target: '"Allow"', messageId: 'allowOnlyHttps', severity: 'error' }],
    fixAll: 'output',
    output: policy(allowHttps('"*"', '"true"', 'BoolIfExists')).replace(/\]\}$/, `, ${added}]}`),
  },
  {
    name: 'a Deny that mentions aws:SecureTransport but denies HTTPS (TLS-005 repairs it): reported, without a second Deny',
    code: policy(allowHttps(), denyHttpOn('["arn:aws:s3:::b", "arn:aws:s3:::b/*"]', '"true"')),
    errors: [{ target: '"Allow"', messageId: 'allowOnlyHttps', severity: 'error' }],
    fixAll: 'output',
    output: policy(allowHttps(), denyHttpOn('["arn:aws:s3:::b", "arn:aws:s3:::b/*"]', '"true"')),
  },
];

ruleTester(tls003, {
  valid: [
    { name: 'the Deny form', code: policy(denyHttp) },
    { name: 'an Allow beside a Deny that enforces HTTPS', code: policy(allowHttps(), denyHttp) },
    {
      name: 'Allow without a transport condition',
      code: policy('{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}'),
    },
    { name: 'an Allow for HTTP requests is not this mistake', code: policy(allowHttps('"*"', '"false"')) },
    {
      name: 'HTTPS enforced by two Denies (one per ARN): decided by the verdict, not the text',
      code: policy(allowHttps(), denyHttpOn('"arn:aws:s3:::b"'), denyHttpOn('"arn:aws:s3:::b/*"')),
    },
    { name: "a partial HTTP Deny is TLS-002's, not this rule's", code: policy(allowHttps(), denyHttpOn('"arn:aws:s3:::b/*"')) },
  ],
  invalid,
});

tableSuite('TLS-003 fixes: the fixed policy enforces HTTPS', () => {
  for (const c of invalid) {
    if (c.output === undefined || c.output === c.code) continue;
    it(c.name!, () => {
      const doc = parsePolicy(c.output!);
      assert.deepEqual(
        bucketVerdicts(doc).map(v => v.transport.http),
        ['denied'],
      );
      assert.deepEqual(runRule(tls003, doc, 'bucket-policy', { requirements: DEFAULT_REQUIREMENTS }), []);
    });
  }
});
