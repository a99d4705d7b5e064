import { enc001 } from '../../../core/rules/encryption/ENC-001-sse-header-values';
import { ruleTester } from './rule-tester';

const deny = (cond: string) =>
  `{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*", "Condition": ${cond}}]}`;

ruleTester(enc001, {
  valid: [
    { code: deny('{"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}}') },
    { code: deny('{"StringNotEquals": {"s3:x-amz-server-side-encryption": ["aws:kms", "aws:kms:dsse"]}}') },
    {
      name: 'IgnoreCase accepts other casing',
      code: deny('{"StringNotEqualsIgnoreCase": {"s3:x-amz-server-side-encryption": "AWS:KMS"}}'),
    },
    {
      name: 'a Like pattern that matches a real value',
      code: deny('{"StringNotLike": {"s3:x-amz-server-side-encryption": "aws:kms*"}}'),
    },
    { name: 'Null takes true/false, not header values', code: deny('{"Null": {"s3:x-amz-server-side-encryption": "true"}}') },
    {
      name: 'other keys are not checked',
      code: deny('{"StringEquals": {"s3:x-amz-server-side-encryption-customer-algorithm": "AES256"}}'),
    },
  ],
  invalid: [
    {
      code: deny('{"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES-256"}}'),
      errors: [
        {
          target: '"AES-256"',
          messageId: 'misspelt',
          message:
            /^"AES-256" is not a value S3 sends in x-amz-server-side-encryption: did you mean "AES256"\? S3 sends only AES256, aws:kms, aws:kms:dsse, so this negated condition matches every upload/,
        },
      ],
      fixAll: 'output',
      output: deny('{"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}}'),
    },
    {
      code: deny('{"StringNotEquals": {"s3:x-amz-server-side-encryption": "ams:kms"}}'),
      errors: [{ target: '"ams:kms"', messageId: 'misspelt', message: /did you mean "aws:kms"/, severity: 'error' }],
      fixAll: 'output',
      output: deny('{"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}'),
    },
    {
      name: 'case matters under StringEquals; key names do not',
      code: '{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"StringEquals": {"S3:X-Amz-Server-Side-Encryption": ["aws:KMS", "SSE-KMS"]}}}}',
      errors: [
        { target: '"aws:KMS"', messageId: 'misspelt', message: /never matches/ },
        { target: '"SSE-KMS"', messageId: 'misspelt', message: /did you mean "aws:kms"/ },
      ],
    },
    {
      name: 'DSSE spelling',
      code: deny('{"ForAnyValue:StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms-dsse"}}'),
      errors: [{ target: '"aws:kms-dsse"', messageId: 'misspelt', message: /did you mean "aws:kms:dsse"/ }],
      fixAll: 'output',
      output: deny('{"ForAnyValue:StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms:dsse"}}'),
    },
    {
      name: 'a Like pattern that matches nothing',
      code: deny('{"StringNotLike": {"s3:x-amz-server-side-encryption": "AES-*"}}'),
      errors: [
        { target: '"AES-*"', messageId: 'patternMatchesNone', message: /matches none of the values.*never matches an upload/ },
      ],
    },
    {
      name: 'service-only values are a soft warning',
      code: deny('{"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:fsx"}}'),
      errors: [{ target: '"aws:fsx"', severity: 'warning', messageId: 'serviceValue', message: /probably never send/ }],
    },
    {
      name: 'an unrecognisable value gets no automatic fix',
      code: deny('{"StringNotEquals": {"s3:x-amz-server-side-encryption": "yes"}}'),
      errors: [
        {
          target: '"yes"',
          messageId: 'unknownValue',
          message: /^"yes" is not a value S3 sends in x-amz-server-side-encryption: the condition matches every upload\./,
        },
      ],
      fixAll: 'output',
      output: deny('{"StringNotEquals": {"s3:x-amz-server-side-encryption": "yes"}}'),
    },
  ],
});
