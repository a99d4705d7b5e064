import { grm010 } from '../../../core/rules/grammar/GRM-010-key-policy-resource';
import { ruleTester } from './rule-tester';

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER_KEY = 'arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321';
const st = (rest: string) =>
  `{"Sid": "Allow use", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:Decrypt"${rest}}`;
const doc = (...statements: string[]) => `{"Version": "2012-10-17", "Statement": [${statements.join(', ')}]}`;

ruleTester(grm010, {
  valid: [
    { code: doc(st(', "Resource": "*"')) },
    { name: '"*" in an array', code: doc(st(', "Resource": ["*"]')) },
    {
      name: "the key's own ARN (as in AWS's CloudTrail examples)",
      code: doc(st(`, "Resource": "${KEY}"`), st(', "Resource": "*"')),
    },
    { name: 'the same key ARN in two statements', code: doc(st(`, "Resource": "${KEY}"`), st(`, "Resource": ["${KEY}"]`)) },
    { name: 'NotResource is left alone', code: doc(st(', "NotResource": "*"')) },
  ],
  invalid: [
    {
      name: 'missing Resource (docs/design/aws-facts.md example)',
      code: doc(st('')),
      errors: [
        {
          target: '{',
          occurrence: 2,
          severity: 'error',
          messageId: 'noResource',
          message: /^Statement "Allow use" has no "Resource".*silently does nothing.*"\*" means this key/,
        },
      ],
      fixAll: 'output',
      output: doc(st(', "Resource": "*"')),
    },
    {
      name: 'missing Resource in a multi-line statement',
      code: '{\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Principal": {"AWS": "arn:aws:iam::111122223333:root"},\n      "Action": "kms:*"\n    }\n  ]\n}',
      errors: [{ target: '{', occurrence: 2, messageId: 'noResource' }],
      fixAll: 'output',
      output:
        '{\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Principal": {"AWS": "arn:aws:iam::111122223333:root"},\n      "Action": "kms:*",\n      "Resource": "*"\n    }\n  ]\n}',
    },
    {
      name: 'an empty statement object',
      code: doc('{}'),
      errors: [{ target: '{', occurrence: 2, messageId: 'noResource', message: /^Statement 1 has no "Resource"/ }],
      fixAll: 'unchanged',
      output: doc('{"Resource": "*"}'),
    },
    {
      name: 'alias ARN',
      code: doc(st(', "Resource": "arn:aws:kms:us-east-1:111122223333:alias/app"')),
      errors: [
        {
          target: '"arn:aws:kms:us-east-1:111122223333:alias/app"',
          severity: 'warning',
          messageId: 'aliasArn',
          message:
            /alias ARN.*matches nothing.*Resource "arn:aws:kms:us-east-1:111122223333:alias\/app" in statement "Allow use"/,
        },
      ],
      fixAll: 'output',
      output: doc(st(', "Resource": "*"')),
    },
    {
      name: 'a key ARN pattern',
      code: doc(st(', "Resource": "arn:aws:kms:*:111122223333:key/*"')),
      errors: [
        { target: '"arn:aws:kms:*:111122223333:key/*"', severity: 'warning', messageId: 'pattern', message: /is a pattern/ },
      ],
      fixAll: 'output',
      output: doc(st(', "Resource": "*"')),
    },
    {
      name: 'two different key ARNs: at most one is this key, and which one is unknown, so no fix',
      code: doc(st(`, "Resource": "${KEY}"`), st(`, "Resource": ["*", "${OTHER_KEY}"]`)),
      errors: [
        {
          target: `"${KEY}"`,
          severity: 'warning',
          messageId: 'severalKeys',
          message: /2 different key ARNs.*probably do nothing/,
        },
        { target: `"${OTHER_KEY}"`, severity: 'warning', messageId: 'severalKeys' },
      ],
      fixAll: 'output',
      output: doc(st(`, "Resource": "${KEY}"`), st(`, "Resource": ["*", "${OTHER_KEY}"]`)),
    },
    {
      name: 'non-KMS ARN, bare key id, wrong types',
      code: doc(
        st(', "Resource": "arn:aws:s3:::example-bucket"'),
        st(', "Resource": "key/1234"'),
        st(', "Resource": [true]'),
        st(', "Resource": []'),
        st(', "Resource": 5'),
      ),
      errors: [
        {
          target: '"arn:aws:s3:::example-bucket"',
          severity: 'warning',
          messageId: 'notKeyArn',
          message: /not the ARN of a KMS key/,
        },
        { target: '"key/1234"', severity: 'warning', messageId: 'notArn', message: /not an ARN/ },
        { target: 'true', severity: 'error', messageId: 'itemNotString', message: /must be a string/ },
        {
          target: '[]',
          severity: 'error',
          messageId: 'wrongType',
          message: /not an empty list.*In statement "Allow use", use "Resource": "\*"/,
        },
        { target: '5', occurrence: 1, severity: 'error', messageId: 'wrongType', message: /not a number/ },
      ],
    },
  ],
});
