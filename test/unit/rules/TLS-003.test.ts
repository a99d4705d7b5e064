import { tls003 } from '../../../server/src/rules/transport/TLS-003-allow-if-https';
import { ruleTester } from './rule-tester';

const allowHttps = (principal = '"*"', value = '"true"') =>
  `{"Sid": "OnlyHttps", "Effect": "Allow", "Principal": ${principal}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"Bool": {"aws:SecureTransport": ${value}}}}`;
const denyHttp = '{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}';
const policy = (...sts: string[]) => `{"Version": "2012-10-17", "Statement": [${sts.join(', ')}]}`;
const added = '{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}';

ruleTester(tls003, {
  valid: [
    { name: 'the Deny form', code: policy(denyHttp) },
    { name: 'an Allow beside a Deny that enforces HTTPS', code: policy(allowHttps(), denyHttp) },
    { name: 'Allow without a transport condition', code: policy('{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}') },
    { name: 'an Allow for HTTP requests is not this mistake', code: policy(allowHttps('"*"', '"false"')) },
  ],
  invalid: [
    {
      name: 'public Allow if HTTPS: error, and the fix adds the Deny',
      code: policy(allowHttps()),
      errors: [{ target: '"Allow"', severity: 'error', message: /an Allow does not stop HTTP.*anonymous access/ }],
      output: policy(allowHttps()).replace(/\]\}$/, `, ${added}]}`),
    },
    {
      name: 'JSON boolean and {"AWS": "*"} count too',
      code: policy(allowHttps('{"AWS": "*"}', 'true')),
      errors: [{ target: '"Allow"', severity: 'error' }],
    },
    {
      name: 'a named principal: warning',
      code: policy(allowHttps('{"AWS": "arn:aws:iam::111122223333:role/r"}')),
      errors: [{ target: '"Allow"', severity: 'warning', message: /^Statement "OnlyHttps" allows only HTTPS requests/ }],
    },
    {
      name: 'a lone statement object becomes an array with the Deny',
      code: `{"Statement": ${allowHttps()}}`,
      errors: [{ target: '"Allow"' }],
      output: `{"Statement": [${allowHttps()}, ${added}]}`,
    },
    {
      name: 'multi-line layout is kept',
      code: `{\n  "Statement": [\n    ${allowHttps()}\n  ]\n}`,
      errors: [{ target: '"Allow"' }],
      output: `{\n  "Statement": [\n    ${allowHttps()},\n    ${added}\n  ]\n}`,
    },
    {
      name: 'no fix when the bucket is unknown',
      code: policy(allowHttps().replace('arn:aws:s3:::b/*', '*')),
      errors: [{ target: '"Allow"' }],
      output: policy(allowHttps().replace('arn:aws:s3:::b/*', '*')),
    },
  ],
});
