import { grm002 } from '../../../core/rules/grammar/GRM-002-version';
import { ruleTester } from './rule-tester';

const ST = '{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}';
const FIXED = `{"Version": "2012-10-17", "Statement": [${ST}]}`;

ruleTester(grm002, {
  valid: [
    { code: FIXED },
    { name: 'Version after Id', code: `{"Id": "p1", "Version": "2012-10-17", "Statement": [${ST}]}` },
    {
      name: 'identity policy',
      kind: 'identity-policy',
      code: '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}',
    },
    {
      name: 'key policy',
      kind: 'key-policy',
      code: '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}',
    },
    { name: 'not an object: left to GRM-001', code: '[1, 2]' },
    // Regression: a misspelt "version" is GRM-001's rename, not a missing Version (fix-all would add a second one).
    { name: 'a miscased "version" key is left to GRM-001', code: '{"version": "2012-10-17", "Statement": []}' },
  ],
  invalid: [
    {
      name: 'missing Version is inserted as the first member',
      code: `{"Statement": [${ST}]}`,
      errors: [{ target: '{', messageId: 'missing', message: /has no "Version".*probably/, severity: 'warning' }],
      fixAll: 'output',
      output: FIXED,
    },
    {
      name: 'missing Version in a multi-line document keeps the layout',
      code: `{\n  "Statement": [\n    ${ST}\n  ]\n}`,
      errors: [{ target: '{', messageId: 'missing', severity: 'warning' }],
      fixAll: 'output',
      output: `{\n  "Version": "2012-10-17",\n  "Statement": [\n    ${ST}\n  ]\n}`,
    },
    {
      name: 'empty object',
      code: '{}',
      errors: [{ target: '{', messageId: 'missing', severity: 'warning' }],
      fixAll: 'output',
      output: '{"Version": "2012-10-17"}',
    },
    {
      name: 'unknown version string',
      code: `{"Version": "2012-10-18", "Statement": [${ST}]}`,
      errors: [
        {
          target: '"2012-10-18"',
          messageId: 'unknown',
          message: /^"Version" is "2012-10-18": AWS accepts only "2012-10-17".*rejects/,
          severity: 'error',
        },
      ],
      fixAll: 'output',
      output: FIXED,
    },
    {
      name: 'trailing space is a different version',
      code: `{"Version": "2012-10-17 ", "Statement": [${ST}]}`,
      errors: [{ target: '"2012-10-17 "', messageId: 'unknown', severity: 'error' }],
      fixAll: 'output',
      output: FIXED,
    },
    {
      name: 'number instead of string',
      code: `{"Version": 2012, "Statement": [${ST}]}`,
      errors: [{ target: '2012', messageId: 'notString', message: /not a string.*data type mismatch/, severity: 'error' }],
      fixAll: 'output',
      output: FIXED,
    },
    {
      name: 'null',
      code: `{"Version": null, "Statement": [${ST}]}`,
      errors: [{ target: 'null', messageId: 'notString', message: /not a string/, severity: 'error' }],
      fixAll: 'output',
      output: FIXED,
    },
    {
      name: 'legacy 2008-10-17',
      kind: 'key-policy',
      code: '{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}',
      errors: [{ target: '"2008-10-17"', messageId: 'legacy', message: /legacy.*literal text/, severity: 'warning' }],
      fixAll: 'output',
      output:
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}',
    },
  ],
});
