import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runRule } from '../../../core/analyze';
import { bucketVerdicts } from '../../../core/engine/verdict';
import { parsePolicy } from '../../../core/policy/parse';
import { DEFAULT_REQUIREMENTS } from '../../../core/requirements';
import { tls006 } from '../../../core/rules/transport/TLS-006-secure-transport-always-present';
import { ruleTester, type InvalidCase, tableSuite } from './rule-tester';

const policy = (...sts: string[]) => `{"Version": "2012-10-17", "Statement": [${sts.join(', ')}]}`;
const deny = (condition: string) =>
  `{"Sid": "DenyHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": ${condition}}`;
const allow = (condition: string) =>
  `{"Sid": "Read", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": ${condition}}`;
const canonical = deny('{"Bool": {"aws:SecureTransport": "false"}}');

const invalid: InvalidCase[] = [
  {
    name: 'Deny if Null "true": never applies; the witness; the fix tests the value with Bool',
    code: policy(deny('{"Null": {"aws:SecureTransport": "true"}}')),
    errors: [
      {
        target: '"Null"',
        severity: 'warning',
        messageId: 'denyNever',
        message:
          /^Statement "DenyHttp" denies nothing: its Null test on aws:SecureTransport never matches\. "Null": \{"aws:SecureTransport": "true"\} never matches, because aws:SecureTransport is in every request.*so the statement never applies\. HTTPS is not enforced for bucket "b": for example, an anonymous caller calling s3:GetObject on arn:aws:s3:::b\/example over HTTP is not denied by this policy \([^)]*\)\. To deny HTTP/,
      },
    ],
    fixAll: 'output',
    output: policy(canonical),
  },
  {
    name: 'Deny if Null "false": always applies, HTTPS included (error)',
    code: policy(deny('{"Null": {"aws:SecureTransport": "false"}}')),
    errors: [
      {
        target: '"Null"',
        severity: 'error',
        messageId: 'denyAlways',
        message:
          /^Statement "DenyHttp" denies every request it names, HTTPS too.*"Null": \{"aws:SecureTransport": "false"\} always matches/,
      },
    ],
    fixAll: 'output',
    output: policy(canonical),
  },
  {
    name: 'a multi-line Condition keeps its layout',
    code: `{\n  "Statement": [\n    {\n      "Effect": "Deny",\n      "Principal": "*",\n      "Action": "s3:*",\n      "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],\n      "Condition": {\n        "Null": {\n          "aws:SecureTransport": "true"\n        }\n      }\n    }\n  ]\n}`,
    errors: [{ target: '"Null"', messageId: 'denyNever' }],
    fixAll: 'output',
    output: `{\n  "Statement": [\n    {\n      "Effect": "Deny",\n      "Principal": "*",\n      "Action": "s3:*",\n      "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],\n      "Condition": {\n        "Bool": {\n          "aws:SecureTransport": "false"\n        }\n      }\n    }\n  ]\n}`,
  },
  {
    name: 'Null testing another key too: reported, no fix (the other key keeps its Null test)',
    code: policy(deny('{"Null": {"aws:SecureTransport": "true", "s3:x-amz-server-side-encryption": "true"}}')),
    errors: [{ target: '"Null"', messageId: 'denyNever' }],
    fixAll: 'output',
    output: policy(deny('{"Null": {"aws:SecureTransport": "true", "s3:x-amz-server-side-encryption": "true"}}')),
  },
  {
    name: 'beside a correct HTTP Deny: still dead, but no witness (HTTP is denied)',
    code: policy(canonical, deny('{"Null": {"aws:SecureTransport": "true"}}')),
    errors: [{ target: '"Null"', messageId: 'denyNever', message: /^(?!.*HTTPS is not enforced).*never applies/ }],
  },
  {
    name: 'an Allow with Null "false": the test is redundant (info), the fix removes it',
    code: policy(canonical, allow('{"Null": {"aws:SecureTransport": "false"}}')),
    errors: [{ target: '"Null"', severity: 'info', messageId: 'allowRedundant', message: /always matches.*redundant/ }],
    fixAll: 'output',
    output: policy(
      canonical,
      `{"Sid": "Read", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}`,
    ),
  },
  {
    name: 'an Allow with Null "true" never applies',
    code: policy(canonical, allow('{"Null": {"aws:SecureTransport": "true"}}')),
    errors: [
      {
        target: '"Null"',
        severity: 'warning',
        messageId: 'allowNever',
        message: /^Statement "Read" allows nothing: .* so the statement never applies/,
      },
    ],
  },
];

ruleTester(tls006, {
  valid: [
    {
      name: 'BoolIfExists behaves like Bool on an always-present key: not flagged',
      code: policy(deny('{"BoolIfExists": {"aws:SecureTransport": "false"}}')),
    },
    { name: 'a JSON false is as good as the string', code: policy(deny('{"Bool": {"aws:SecureTransport": false}}')) },
    {
      name: 'an Allow with BoolIfExists "true" beside the Deny',
      code: policy(canonical, allow('{"BoolIfExists": {"aws:SecureTransport": "true"}}')),
    },
    {
      name: 'Null on a key that can be absent is fine',
      code: policy(canonical, deny('{"Null": {"s3:x-amz-server-side-encryption": "true"}}')),
    },
  ],
  invalid,
});

tableSuite('TLS-006 fixes: the fixed policy denies HTTP', () => {
  for (const c of invalid) {
    if (c.output === undefined || c.output === c.code) continue;
    it(c.name!, () => {
      const doc = parsePolicy(c.output!);
      assert.deepEqual(
        bucketVerdicts(doc).map(v => v.transport.http),
        ['denied'],
      );
      assert.deepEqual(runRule(tls006, doc, 'bucket-policy', { requirements: DEFAULT_REQUIREMENTS }), []);
    });
  }
});
