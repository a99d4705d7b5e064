import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runRule } from '../../../core/analyze';
import { bucketVerdicts } from '../../../core/engine/verdict';
import { parsePolicy } from '../../../core/policy/parse';
import { DEFAULT_REQUIREMENTS } from '../../../core/requirements';
import { tls002 } from '../../../core/rules/transport/TLS-002-http-deny-misses-bucket';
import { ruleTester, type InvalidCase, tableSuite } from './rule-tester';

const policy = (...sts: string[]) => `{"Version": "2012-10-17", "Statement": [${sts.join(', ')}]}`;
const denyHttp = (resource: string, action = '"s3:*"') =>
  `{"Sid": "DenyHttp", "Effect": "Deny", "Principal": "*", "Action": ${action}, "Resource": ${resource}, "Condition": {"Bool": {"aws:SecureTransport": "false"}}}`;

const multiLine = (resources: string[]) => `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyHttp",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:*",
      "Resource": [
${resources.map(r => `        "${r}"`).join(',\n')}
      ],
      "Condition": { "Bool": { "aws:SecureTransport": "false" } }
    }
  ]
}
`;
const multiLineTarget = '[\n        "arn:aws:s3:::b/*"\n      ]';

const invalid: InvalidCase[] = [
  {
    name: 'only BUCKET/* (the CIS text): the witness is a bucket-level call, the fix adds the bucket ARN',
    code: policy(denyHttp('"arn:aws:s3:::b/*"')),
    errors: [
      {
        target: '"arn:aws:s3:::b/*"',
        severity: 'warning',
        messageId: 'bucketLeftOut',
        message:
          /^Statement "DenyHttp" does not deny HTTP for bucket-level calls on bucket "b"\. HTTPS is not enforced: the statement denies HTTP only for "arn:aws:s3:::b\/\*", so bucket-level calls .* may use HTTP\. For example, an anonymous caller calling s3:ListBucket on arn:aws:s3:::b over HTTP is not denied by this policy \([^)]*\)\. Add "arn:aws:s3:::b" to its Resource\.$/,
      },
    ],
    fixAll: 'output',
    output: policy(denyHttp('["arn:aws:s3:::b", "arn:aws:s3:::b/*"]')),
  },
  {
    name: 'a one-line array: the bucket ARN goes first',
    code: policy(denyHttp('["arn:aws:s3:::b/*"]')),
    errors: [{ target: '["arn:aws:s3:::b/*"]', messageId: 'bucketLeftOut' }],
    fixAll: 'output',
    output: policy(denyHttp('["arn:aws:s3:::b", "arn:aws:s3:::b/*"]')),
  },
  {
    name: 'a multi-line array keeps one ARN per line',
    code: multiLine(['arn:aws:s3:::b/*']),
    errors: [{ target: multiLineTarget, messageId: 'bucketLeftOut' }],
    fixAll: 'output',
    output: multiLine(['arn:aws:s3:::b', 'arn:aws:s3:::b/*']),
  },
  {
    name: 'only the bucket ARN: the witness is an object call, the fix adds BUCKET/*',
    code: policy(denyHttp('"arn:aws:s3:::b"')),
    errors: [
      {
        target: '"arn:aws:s3:::b"',
        messageId: 'objectsLeftOut',
        message:
          /^Statement "DenyHttp" does not deny HTTP for every object of bucket "b"\. .*not for arn:aws:s3:::b\/example\. For example, an anonymous caller calling s3:GetObject on arn:aws:s3:::b\/example over HTTP is not denied by this policy \([^)]*\)\. Add "arn:aws:s3:::b\/\*" to its Resource\./,
      },
    ],
    fixAll: 'output',
    output: policy(denyHttp('["arn:aws:s3:::b", "arn:aws:s3:::b/*"]')),
  },
  {
    name: 'one prefix only: both canonical ARNs are added in one fix',
    code: policy(denyHttp('["arn:aws:s3:::b/private/*"]')),
    errors: [
      {
        target: '["arn:aws:s3:::b/private/*"]',
        messageId: 'objectsLeftOut',
        message: /Add "arn:aws:s3:::b" and "arn:aws:s3:::b\/\*" to its Resource\./,
      },
    ],
    fixAll: 'output',
    output: policy(denyHttp('["arn:aws:s3:::b", "arn:aws:s3:::b/private/*", "arn:aws:s3:::b/*"]')),
  },
  {
    name: 'two buckets: one finding each, each fix adds its own bucket ARN beside its objects',
    code: policy(denyHttp('["arn:aws:s3:::b1/*", "arn:aws:s3:::b2/*"]')),
    errors: [
      {
        target: '["arn:aws:s3:::b1/*", "arn:aws:s3:::b2/*"]',
        messageId: 'bucketLeftOut',
        message: /bucket "b1"\. .* on arn:aws:s3:::b1 over HTTP/,
      },
      {
        target: '["arn:aws:s3:::b1/*", "arn:aws:s3:::b2/*"]',
        messageId: 'bucketLeftOut',
        message: /bucket "b2"\. .* on arn:aws:s3:::b2 over HTTP/,
      },
    ],
    fixAll: 'output',
    output: policy(denyHttp('["arn:aws:s3:::b1", "arn:aws:s3:::b1/*", "arn:aws:s3:::b2", "arn:aws:s3:::b2/*"]')),
  },
  {
    name: 'a partial HTTP Deny shows the intent: reported even when HTTPS is not required',
    code: policy(denyHttp('"arn:aws:s3:::b/*"')),
    requirements: { https: false },
    errors: [{ target: '"arn:aws:s3:::b/*"', messageId: 'bucketLeftOut' }],
    fixAll: 'output',
    output: policy(denyHttp('["arn:aws:s3:::b", "arn:aws:s3:::b/*"]')),
  },
];

ruleTester(tls002, {
  valid: [
    { name: 'both ARNs', code: policy(denyHttp('["arn:aws:s3:::b", "arn:aws:s3:::b/*"]')) },
    { name: 'one Deny per ARN', code: policy(denyHttp('"arn:aws:s3:::b"'), denyHttp('"arn:aws:s3:::b/*"')) },
    { name: 'a pattern that covers both', code: policy(denyHttp('"arn:aws:s3:::b*"')) },
    {
      name: "no HTTP Deny at all is TLS-001's",
      code: policy(
        '{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}',
      ),
    },
    {
      name: "both ARNs but one action is TLS-004's",
      code: policy(denyHttp('["arn:aws:s3:::b", "arn:aws:s3:::b/*"]', '"s3:GetObject"')),
    },
  ],
  invalid,
});

tableSuite('TLS-002 fixes: the fixed policy denies HTTP to the bucket and its objects', () => {
  for (const c of invalid) {
    if (c.output === undefined) continue;
    it(c.name!, () => {
      const doc = parsePolicy(c.output!);
      const verdicts = bucketVerdicts(doc);
      assert.ok(verdicts.length > 0);
      assert.deepEqual(
        verdicts.map(v => v.transport.http),
        verdicts.map(() => 'denied'),
      );
      assert.deepEqual(runRule(tls002, doc, 'bucket-policy', { requirements: DEFAULT_REQUIREMENTS }), []);
    });
  }
});
