import { grm016 } from '../../../core/rules/grammar/GRM-016-invisible-characters';
import { ruleTester } from './rule-tester';

const deny = (body: string) =>
  `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"${body}}]}`;
const KEY = 's3:x-amz-server-side-encryption-customer-algorithm';

ruleTester(grm016, {
  valid: [
    { code: deny(`, "Condition": {"Null": {"${KEY}": "true"}}`) },
    {
      name: 'Sids are free text',
      code: '{"Statement": [{"Sid": "Schlüssel – nur\u00a0Lesen", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}',
    },
    { name: 'a dash in a tag value', code: deny(', "Condition": {"StringEquals": {"aws:ResourceTag/team": "data – platform"}}') },
    { name: 'non-ASCII tag key', code: deny(', "Condition": {"StringEquals": {"aws:RequestTag/équipe": "données"}}') },
    {
      name: 'non-ASCII object key in a resource ARN',
      code: '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/résumés/*"}]}',
    },
  ],
  invalid: [
    {
      name: 'zero-width spaces written as JSON escapes (the S3 User Guide SSE-C page)',
      code: deny(', "Condition": {"Null": {"s3:x-amz-server-side\\u200b-encryption\\u200b-customer-algorithm": "true"}}'),
      errors: [
        {
          target: '"s3:x-amz-server-side\\u200b-encryption\\u200b-customer-algorithm"',
          messageId: 'lookalike',
          message: new RegExp(
            `^Condition key contains U\\+200B ZERO WIDTH SPACE: it never matches what it looks like\\. Condition key "${KEY}" contains U\\+200B ZERO WIDTH SPACE at positions 21 and 33: AWS compares`,
          ),
        },
      ],
      fixAll: 'output',
      output: deny(`, "Condition": {"Null": {"${KEY}": "true"}}`),
    },
    {
      name: 'raw zero-width space in an action',
      code: deny('').replace('"s3:PutObject"', '"s3:Put\u200bObject"'),
      errors: [
        {
          target: '"s3:Put\u200bObject"',
          messageId: 'lookalike',
          message:
            /^Action contains U\+200B ZERO WIDTH SPACE: .* Action "s3:PutObject" contains U\+200B ZERO WIDTH SPACE at position 7:/,
        },
      ],
      fixAll: 'output',
      output: deny(''),
    },
    {
      // The text itself is printable ASCII: only the decoded value holds the tab.
      name: 'a tab written as a JSON escape in an action',
      code: deny('').replace('"s3:PutObject"', '"s3:Put\\tObject"'),
      errors: [{ target: '"s3:Put\\tObject"', messageId: 'notAscii', message: /^Action contains U\+0009:/ }],
    },
    {
      name: 'no-break space after Effect',
      code: deny('').replace('"Deny"', '"Deny\u00a0"'),
      errors: [{ target: '"Deny\u00a0"', messageId: 'lookalike', message: /U\+00A0 NO-BREAK SPACE at position 5/ }],
      fixAll: 'output',
      output: deny(''),
    },
    {
      name: 'en dash and non-breaking hyphen in a resource ARN',
      code: deny('').replace('"arn:aws:s3:::b/*"', '"arn:aws:s3:::my\u2013bucket\u2011logs/*"'),
      errors: [
        {
          target: '"arn:aws:s3:::my\u2013bucket\u2011logs/*"',
          messageId: 'lookalike',
          message:
            /^Resource contains U\+2013 and U\+2011: .*U\+2013 EN DASH at position 16; U\+2011 NON-BREAKING HYPHEN at position 23/,
        },
      ],
      fixAll: 'output',
      output: deny('').replace('"arn:aws:s3:::b/*"', '"arn:aws:s3:::my-bucket-logs/*"'),
    },
    {
      name: 'smart quotes around a principal are removed',
      code: '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "\u201carn:aws:iam::111122223333:root\u201d"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}',
      errors: [
        {
          target: '"\u201carn:aws:iam::111122223333:root\u201d"',
          messageId: 'lookalike',
          message:
            /^Principal .*U\+201C LEFT DOUBLE QUOTATION MARK at position 1; U\+201D RIGHT DOUBLE QUOTATION MARK at position 32/,
        },
      ],
      fixAll: 'output',
      output:
        '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}',
    },
    {
      name: 'byte order mark in an operator',
      code: deny(`, "Condition": {"\ufeffNull": {"${KEY}": "true"}}`),
      errors: [
        {
          target: '"\ufeffNull"',
          messageId: 'lookalike',
          message: /^Condition operator contains U\+FEFF.* Condition operator "Null" contains U\+FEFF/,
        },
      ],
      fixAll: 'output',
      output: deny(`, "Condition": {"Null": {"${KEY}": "true"}}`),
    },
    {
      name: 'non-breaking hyphens in Version',
      code: deny('').replace('"2012-10-17"', '"2012\u201110\u201117"'),
      errors: [{ target: '"2012\u201110\u201117"', messageId: 'lookalike', message: /^Version .*positions 5 and 8/ }],
      fixAll: 'output',
      output: deny(''),
    },
    {
      name: 'zero-width space at the end of a condition value',
      code: deny(', "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256\\u200B"}}'),
      errors: [
        { target: '"AES256\\u200B"', messageId: 'lookalike', message: /^Condition value contains .* Condition value "AES256"/ },
      ],
      fixAll: 'output',
      output: deny(', "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}}'),
    },
    {
      name: 'minus sign in an ARN condition value',
      code: deny(
        ', "Condition": {"ArnNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us\u2212east-1:111122223333:key/k"}}',
      ),
      errors: [
        {
          target: '"arn:aws:kms:us\u2212east-1:111122223333:key/k"',
          messageId: 'lookalike',
          message: /U\+2212 MINUS SIGN at position 15/,
        },
      ],
      fixAll: 'output',
      output: deny(
        ', "Condition": {"ArnNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/k"}}',
      ),
    },
    {
      name: 'Cyrillic look-alike letter in an action: named by code point, no automatic fix',
      code: deny('').replace('"s3:PutObject"', '"s3:PutObje\u0441t"'),
      errors: [
        { target: '"s3:PutObje\u0441t"', messageId: 'notAscii', message: /U\+0441 at position 11.*Retype it in plain ASCII/ },
      ],
      fixAll: 'output',
      output: deny('').replace('"s3:PutObject"', '"s3:PutObje\u0441t"'),
    },
    {
      name: 'identity policy, NotAction',
      kind: 'identity-policy',
      code: '{"Statement": [{"Effect": "Deny", "NotAction": ["s3:Get\u200dObject"], "Resource": "*"}]}',
      errors: [{ target: '"s3:Get\u200dObject"', messageId: 'lookalike', message: /^NotAction .*U\+200D ZERO WIDTH JOINER/ }],
      fixAll: 'output',
      output: '{"Statement": [{"Effect": "Deny", "NotAction": ["s3:GetObject"], "Resource": "*"}]}',
    },
  ],
});
