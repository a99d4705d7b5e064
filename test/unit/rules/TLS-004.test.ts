import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runRule } from '../../../core/analyze';
import { bucketVerdicts } from '../../../core/engine/verdict';
import { parsePolicy } from '../../../core/policy/parse';
import { DEFAULT_REQUIREMENTS } from '../../../core/requirements';
import { tls004 } from '../../../core/rules/transport/TLS-004-http-deny-few-actions';
import { ruleTester, type InvalidCase, tableSuite } from './rule-tester';

const policy = (...sts: string[]) => `{"Version": "2012-10-17", "Statement": [${sts.join(', ')}]}`;
const denyHttp = (action: string, resource = '["arn:aws:s3:::b", "arn:aws:s3:::b/*"]') =>
  `{"Sid": "DenyHttp", "Effect": "Deny", "Principal": "*", ${action}, "Resource": ${resource}, "Condition": {"Bool": {"aws:SecureTransport": "false"}}}`;
const fixed = policy(denyHttp('"Action": "s3:*"'));

const invalid: InvalidCase[] = [
  {
    name: 'only s3:GetObject (CIS v1.3/1.4 text): the witness is another action, the fix widens to s3:*',
    code: policy(denyHttp('"Action": "s3:GetObject"')),
    errors: [
      {
        target: '"s3:GetObject"',
        severity: 'warning',
        messageId: 'someActions',
        message:
          /^Statement "DenyHttp" does not deny HTTP for every action on bucket "b"\. HTTPS is not enforced: the statement denies HTTP for only s3:GetObject, so other actions may use HTTP\. For example, an anonymous caller calling s3:PutObject on arn:aws:s3:::b\/example over HTTP is not denied by this policy \([^)]*\)\. Deny every S3 action: "Action": "s3:\*"\.$/,
      },
    ],
    fixAll: 'output',
    output: fixed,
  },
  {
    name: 'object reads and writes only: the witness is a bucket-level call',
    code: policy(denyHttp('"Action": ["s3:GetObject", "s3:PutObject"]')),
    errors: [
      {
        target: '["s3:GetObject", "s3:PutObject"]',
        messageId: 'someActions',
        message: /only s3:GetObject and s3:PutObject.*s3:ListBucket on arn:aws:s3:::b over HTTP/,
      },
    ],
    fixAll: 'output',
    output: fixed,
  },
  {
    name: 'a multi-line Action list becomes "s3:*"',
    code: `{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Deny",\n      "Principal": "*",\n      "Action": [\n        "s3:GetObject",\n        "s3:ListBucket"\n      ],\n      "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],\n      "Condition": {"Bool": {"aws:SecureTransport": "false"}}\n    }\n  ]\n}\n`,
    errors: [
      {
        target: '[\n        "s3:GetObject",\n        "s3:ListBucket"\n      ]',
        messageId: 'someActions',
        message: /an anonymous caller calling s3:PutObject on arn:aws:s3:::b\/example over HTTP/,
      },
    ],
    fixAll: 'output',
    output: `{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Deny",\n      "Principal": "*",\n      "Action": "s3:*",\n      "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],\n      "Condition": {"Bool": {"aws:SecureTransport": "false"}}\n    }\n  ]\n}\n`,
  },
  {
    name: 'NotAction leaves the listed actions over HTTP: the fix turns it into "Action": "s3:*"',
    code: policy(denyHttp('"NotAction": "s3:GetObject"')),
    errors: [
      {
        target: '"s3:GetObject"',
        messageId: 'someActions',
        message:
          /the statement denies HTTP for every action except s3:GetObject, so s3:GetObject may use HTTP\. For example, an anonymous caller calling s3:GetObject on arn:aws:s3:::b\/example over HTTP is not denied by this policy \([^)]*\)\./,
      },
    ],
    fixAll: 'output',
    output: fixed,
  },
  {
    name: 'a partial HTTP Deny shows the intent: reported even when HTTPS is not required',
    code: policy(denyHttp('"Action": "s3:GetObject"')),
    requirements: { https: false },
    errors: [{ target: '"s3:GetObject"', messageId: 'someActions' }],
    fixAll: 'output',
    output: fixed,
  },
];

ruleTester(tls004, {
  valid: [
    { name: 's3:*', code: fixed },
    { name: '"*"', code: policy(denyHttp('"Action": "*"')) },
    { name: 'a narrow Deny beside a full one', code: policy(denyHttp('"Action": "s3:GetObject"'), denyHttp('"Action": "s3:*"')) },
    { name: "every action but only the objects is TLS-002's", code: policy(denyHttp('"Action": "s3:*"', '"arn:aws:s3:::b/*"')) },
    {
      name: "no HTTP Deny at all is TLS-001's",
      code: policy(
        '{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}',
      ),
    },
  ],
  invalid,
});

tableSuite('TLS-004 fixes: the fixed policy denies HTTP for every action', () => {
  for (const c of invalid) {
    if (c.output === undefined) continue;
    it(c.name!, () => {
      const doc = parsePolicy(c.output!);
      assert.deepEqual(
        bucketVerdicts(doc).map(v => v.transport.http),
        ['denied'],
      );
      assert.deepEqual(runRule(tls004, doc, 'bucket-policy', { requirements: DEFAULT_REQUIREMENTS }), []);
    });
  }
});
