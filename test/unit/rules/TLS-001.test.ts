import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runRule } from '../../../core/analyze';
import { bucketVerdicts } from '../../../core/engine/verdict';
import { parsePolicy } from '../../../core/policy/parse';
import { DEFAULT_REQUIREMENTS } from '../../../core/requirements';
import { tls001 } from '../../../core/rules/transport/TLS-001-no-http-deny';
import { ruleTester, type InvalidCase, tableSuite } from './rule-tester';

const policy = (...sts: string[]) => `{"Version": "2012-10-17", "Statement": [${sts.join(', ')}]}`;
const denyHttp = (
  resource = '["arn:aws:s3:::b", "arn:aws:s3:::b/*"]',
  principal = '"*"',
  condition = '{"Bool": {"aws:SecureTransport": "false"}}',
) =>
  `{"Sid": "DenyHttp", "Effect": "Deny", "Principal": ${principal}, "Action": "s3:*", "Resource": ${resource}, "Condition": ${condition}}`;
const allowRead = (resource = '"arn:aws:s3:::b/*"') =>
  `{"Sid": "Read", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "s3:GetObject", "Resource": ${resource}}`;
const added =
  '{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}';
const withAdded = (code: string) => code.replace(/\]\}$/, `, ${added}]}`);

const invalid: InvalidCase[] = [
  {
    name: 'no HTTP Deny: one finding on "Statement" with the witness, and the fix adds the canonical Deny',
    code: policy(allowRead()),
    errors: [
      {
        target: '"Statement"',
        severity: 'warning',
        messageId: 'noDeny',
        message:
          /^HTTPS is not enforced for bucket "b": no statement denies HTTP requests\. For example, an anonymous caller calling s3:GetObject on arn:aws:s3:::b\/example over HTTP is not denied by this policy \([^)]*\)\. Add a Deny/,
      },
    ],
    fixAll: 'output',
    output: withAdded(policy(allowRead())),
  },
  {
    name: 'a multi-line policy keeps its layout',
    code: `{\n  "Version": "2012-10-17",\n  "Statement": [\n    ${allowRead()}\n  ]\n}\n`,
    errors: [{ target: '"Statement"', messageId: 'noDeny' }],
    fixAll: 'output',
    output: `{\n  "Version": "2012-10-17",\n  "Statement": [\n    ${allowRead()},\n    ${added}\n  ]\n}\n`,
  },
  {
    name: 'a pretty-printed policy gets the statement pretty-printed, indented like its neighbours',
    code: '{\n    "Version": "2012-10-17",\n    "Statement": [\n        {\n            "Sid": "Read",\n            "Effect": "Allow",\n            "Principal": {\n                "AWS": "arn:aws:iam::111122223333:role/app"\n            },\n            "Action": "s3:GetObject",\n            "Resource": "arn:aws:s3:::b/*"\n        }\n    ]\n}\n',
    errors: [{ target: '"Statement"', messageId: 'noDeny' }],
    fixAll: 'output',
    output: [
      '{',
      '    "Version": "2012-10-17",',
      '    "Statement": [',
      '        {',
      '            "Sid": "Read",',
      '            "Effect": "Allow",',
      '            "Principal": {',
      '                "AWS": "arn:aws:iam::111122223333:role/app"',
      '            },',
      '            "Action": "s3:GetObject",',
      '            "Resource": "arn:aws:s3:::b/*"',
      '        },',
      '        {',
      '            "Sid": "DenyInsecureTransport",',
      '            "Effect": "Deny",',
      '            "Principal": "*",',
      '            "Action": "s3:*",',
      '            "Resource": [',
      '                "arn:aws:s3:::b",',
      '                "arn:aws:s3:::b/*"',
      '            ],',
      '            "Condition": {',
      '                "Bool": {',
      '                    "aws:SecureTransport": "false"',
      '                }',
      '            }',
      '        }',
      '    ]',
      '}',
      '',
    ].join('\n'),
  },
  {
    name: 'a lone statement object becomes an array',
    code: `{"Version": "2012-10-17", "Statement": ${allowRead()}}`,
    errors: [{ target: '"Statement"', messageId: 'noDeny' }],
    fixAll: 'output',
    output: `{"Version": "2012-10-17", "Statement": [${allowRead()}, ${added}]}`,
  },
  {
    name: 'an HTTP Deny for one role only: on that statement, saying why the witness gets through',
    code: policy(denyHttp(undefined, '{"AWS": "arn:aws:iam::111122223333:role/app"}')),
    errors: [
      {
        target: '"Deny"',
        messageId: 'leftOut',
        message:
          /^Statement "DenyHttp" tests aws:SecureTransport but does not deny HTTP to "b"\. HTTPS is not enforced: its Principal leaves out anonymous callers\. For example, an anonymous caller calling s3:GetObject on arn:aws:s3:::b\/example over HTTP is not denied by this policy/,
      },
    ],
    fixAll: 'unchanged',
    output: withAdded(policy(denyHttp(undefined, '{"AWS": "arn:aws:iam::111122223333:role/app"}'))),
  },
  {
    name: 'an undecidable condition: worded softly',
    code: policy(
      denyHttp(
        undefined,
        undefined,
        '{"Bool": {"aws:SecureTransport": "false"}, "StringEquals": {"aws:PrincipalTag/team": "${aws:username}"}}',
      ),
    ),
    errors: [
      {
        target: '"Deny"',
        messageId: 'leftOut',
        message:
          /HTTPS is probably not enforced \(the analysis could not decide every statement\): its other conditions do not match this request\. For example, .* over HTTP is not denied by this policy/,
      },
    ],
    fixAll: 'unchanged',
    output: withAdded(
      policy(
        denyHttp(
          undefined,
          undefined,
          '{"Bool": {"aws:SecureTransport": "false"}, "StringEquals": {"aws:PrincipalTag/team": "${aws:username}"}}',
        ),
      ),
    ),
  },
  {
    name: 'the bucket comes from the file name: an empty Statement list is judged for it and gets the Deny',
    code: '{"Version": "2012-10-17", "Statement": []}',
    bucketName: 'b',
    errors: [
      {
        target: '"Statement"',
        messageId: 'noDeny',
        message:
          /HTTPS is not enforced for bucket "b": no statement denies HTTP requests\. For example, an anonymous caller calling s3:GetObject on arn:aws:s3:::b\/example over HTTP/,
      },
    ],
    fixAll: 'output',
    output: `{"Version": "2012-10-17", "Statement": [${added}]}`,
  },
  {
    name: 'a Bool value that is not a Boolean: no second Deny (GRM-012 repairs the value)',
    code: policy(denyHttp(undefined, undefined, '{"Bool": {"aws:SecureTransport": "no"}}')),
    errors: [
      { target: '"Deny"', messageId: 'leftOut', message: /its value is not a Boolean, so it never matches an HTTP request/ },
    ],
    fixAll: 'output',
    output: policy(denyHttp(undefined, undefined, '{"Bool": {"aws:SecureTransport": "no"}}')),
  },
];

ruleTester(tls001, {
  valid: [
    { name: 'the canonical Deny', code: policy(allowRead(), denyHttp()) },
    {
      name: 'BoolIfExists and a JSON false work the same',
      code: policy(denyHttp(undefined, undefined, '{"BoolIfExists": {"aws:SecureTransport": false}}')),
    },
    {
      name: 'written another way: one Deny for the bucket, one for its objects',
      code: policy(denyHttp('"arn:aws:s3:::b"'), denyHttp('"arn:aws:s3:::b/*"')),
    },
    { name: 'HTTPS not required: no finding', code: policy(allowRead()), requirements: { https: false } },
    { name: 'no bucket named: no verdict to judge', code: policy(allowRead('"*"')) },
    { name: "a Deny that misses the bucket ARN is TLS-002's", code: policy(denyHttp('"arn:aws:s3:::b/*"')) },
    {
      name: "an Allow if HTTPS with no Deny is TLS-003's",
      code: policy(
        '{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}',
      ),
    },
    {
      name: "an inverted Deny is TLS-005's",
      code: policy(denyHttp(undefined, undefined, '{"Bool": {"aws:SecureTransport": "true"}}')),
    },
  ],
  invalid,
});

tableSuite('TLS-001 fixes: the fixed policy enforces HTTPS', () => {
  for (const c of invalid) {
    if (c.output === undefined || c.output === c.code) continue;
    it(c.name!, () => {
      const doc = parsePolicy(c.output!);
      const verdicts = bucketVerdicts(doc, { bucketName: c.bucketName });
      assert.ok(verdicts.length > 0);
      assert.deepEqual(
        verdicts.map(v => v.transport.http),
        verdicts.map(() => 'denied'),
      );
      assert.deepEqual(
        runRule(tls001, doc, 'bucket-policy', { bucketName: c.bucketName, requirements: DEFAULT_REQUIREMENTS }),
        [],
      );
    });
  }
});
