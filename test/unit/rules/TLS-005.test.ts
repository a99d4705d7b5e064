import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runRule } from '../../../core/analyze';
import { bucketVerdicts } from '../../../core/engine/verdict';
import { parsePolicy } from '../../../core/policy/parse';
import { DEFAULT_REQUIREMENTS } from '../../../core/requirements';
import { tls005 } from '../../../core/rules/transport/TLS-005-secure-transport-polarity';
import { ruleTester, type InvalidCase, tableSuite } from './rule-tester';

const policy = (...sts: string[]) => `{"Version": "2012-10-17", "Statement": [${sts.join(', ')}]}`;
const deny = (condition: string, principal = '"*"') =>
  `{"Sid": "DenyHttp", "Effect": "Deny", "Principal": ${principal}, "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": ${condition}}`;
const bool = (value: string, operator = 'Bool') => `{"${operator}": {"aws:SecureTransport": ${value}}}`;

const invalid: InvalidCase[] = [
  {
    name: 'Deny if "true" with Principal "*": error with the lockout and the HTTP witness; the fix flips the value',
    code: policy(deny(bool('"true"'))),
    errors: [
      {
        target: '"true"',
        severity: 'error',
        messageId: 'inverted',
        message:
          /^Statement "DenyHttp" tests aws:SecureTransport the wrong way round: it denies HTTPS, not HTTP\. It tests "Bool": \{"aws:SecureTransport": "true"\}, which matches every request over HTTPS and none over HTTP: .*locks every caller out.*account root user.* HTTPS is not enforced for bucket "b": for example, an anonymous caller calling s3:GetObject on arn:aws:s3:::b\/example over HTTP is not denied by this policy \([^)]*\)\. Deny when it is "false"\.$/,
      },
    ],
    fixAll: 'output',
    output: policy(deny(bool('"false"'))),
  },
  {
    name: 'a JSON true stays a JSON Boolean',
    code: policy(deny(bool('true'))),
    errors: [{ target: 'true', messageId: 'inverted' }],
    fixAll: 'output',
    output: policy(deny(bool('false'))),
  },
  {
    name: 'StringEquals "true" is inverted too (its type is GRM-012\'s)',
    code: policy(deny(bool('"true"', 'StringEquals'))),
    errors: [{ target: '"true"', messageId: 'inverted', message: /"StringEquals": \{"aws:SecureTransport": "true"\}/ }],
    fixAll: 'output',
    output: policy(deny(bool('"false"', 'StringEquals'))),
  },
  {
    name: 'StringNotEquals "false" fires on HTTPS: the flip makes it StringNotEquals "true"',
    code: policy(deny(bool('"false"', 'StringNotEquals'))),
    errors: [{ target: '"false"', messageId: 'inverted' }],
    fixAll: 'output',
    output: policy(deny(bool('"true"', 'StringNotEquals'))),
  },
  {
    name: 'a named principal: no lockout sentence; "True" (undocumented casing) makes the verdict incomplete, so worded softly',
    code: policy(deny(bool('"True"', 'BoolIfExists'), '{"AWS": "arn:aws:iam::111122223333:role/app"}')),
    errors: [
      {
        target: '"True"',
        messageId: 'inverted',
        message:
          /^(?!.*locks every caller out).*the opposite of enforcing HTTPS\. HTTPS is probably not enforced for bucket "b" \(the analysis could not decide every statement\)/,
      },
    ],
    fixAll: 'output',
    output: policy(deny(bool('"false"', 'BoolIfExists'), '{"AWS": "arn:aws:iam::111122223333:role/app"}')),
  },
  {
    name: 'beside a correct HTTP Deny it still locks HTTPS callers out, but HTTP is denied: no witness',
    code: policy(deny(bool('"false"')), deny(bool('"true"'))),
    errors: [{ target: '"true"', messageId: 'inverted', message: /^(?!.*HTTPS is not enforced).*locks every caller out/ }],
    fixAll: 'output',
    output: policy(deny(bool('"false"')), deny(bool('"false"'))),
  },
];

ruleTester(tls005, {
  valid: [
    { name: 'Deny if "false"', code: policy(deny(bool('"false"'))) },
    { name: 'Deny if JSON false with BoolIfExists', code: policy(deny(bool('false', 'BoolIfExists'))) },
    { name: 'StringNotEquals "true" fires on HTTP: right polarity', code: policy(deny(bool('"true"', 'StringNotEquals'))) },
    {
      name: 'an Allow if "true" is TLS-003\'s',
      code: policy(
        '{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}',
      ),
    },
    { name: "values that are not Booleans are GRM-012's", code: policy(deny(bool('"no"'))) },
    { name: "Null is TLS-006's", code: policy(deny('{"Null": {"aws:SecureTransport": "true"}}')) },
  ],
  invalid,
});

tableSuite('TLS-005 fixes: the fixed policy denies HTTP and lets HTTPS through', () => {
  for (const c of invalid) {
    if (c.output === undefined) continue;
    it(c.name!, () => {
      const doc = parsePolicy(c.output!);
      const [v] = bucketVerdicts(doc);
      if (c.output!.includes('"Principal": "*"')) assert.equal(v.transport.http, 'denied');
      // The same request over HTTPS is no longer denied.
      assert.ok(v.encryption.uploads.some(u => u.decision === 'not-denied'));
      assert.deepEqual(runRule(tls005, doc, 'bucket-policy', { requirements: DEFAULT_REQUIREMENTS }), []);
    });
  }
});
