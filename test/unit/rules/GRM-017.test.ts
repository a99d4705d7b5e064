import { grm017 } from '../../../core/rules/grammar/GRM-017-condition-keys';
import { ruleTester } from './rule-tester';

const st = (action: string, condition: string, effect = 'Deny') =>
  `{"Effect": "${effect}", "Principal": "*", "Action": ${action}, "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": ${condition}}`;
const doc = (...statements: string[]) => `{"Version": "2012-10-17", "Statement": [${statements.join(', ')}]}`;
const withoutCondition = (action: string) =>
  `{"Effect": "Deny", "Principal": "*", "Action": ${action}, "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"]}`;

ruleTester(grm017, {
  valid: [
    {
      code: doc(
        st(
          '"s3:PutObject"',
          '{"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}, "Null": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "true"}}',
        ),
      ),
    },
    {
      name: 'global keys apply to every action; key names are case-insensitive',
      code: doc(st('"s3:*"', '{"Bool": {"aws:securetransport": "false"}, "NumericLessThan": {"s3:TlsVersion": "1.2"}}')),
    },
    {
      name: 's3:* includes PutObject, which carries the SSE keys',
      code: doc(st('"s3:*"', '{"Null": {"s3:x-amz-server-side-encryption": "true"}}')),
    },
    {
      name: 'templated keys',
      kind: 'key-policy',
      code: doc(
        st(
          '["kms:Decrypt", "kms:GenerateDataKey"]',
          '{"StringLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::example-bucket/*", "kms:ViaService": "s3.us-east-1.amazonaws.com"}}',
          'Allow',
        ),
      ),
    },
    {
      name: 'keys of services this tool does not cover',
      kind: 'identity-policy',
      code: doc(
        '{"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*", "Condition": {"StringEquals": {"ec2:InstanceType": "t3.micro"}}}',
      ),
    },
    {
      name: 'NotAction statements are not judged for applicability',
      code: doc(
        `{"Effect": "Deny", "Principal": "*", "NotAction": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}`,
      ),
    },
    {
      name: "the encryption-context and Bucket Key headers in a bucket policy are ENC-019's",
      code: doc(
        st(
          '"s3:PutObject"',
          '{"StringNotEquals": {"s3:x-amz-server-side-encryption-context": "x"}, "Bool": {"s3:x-amz-server-side-encryption-bucket-key-enabled": "true"}}',
        ),
      ),
    },
    // Regression: a real key with a zero-width space inside is reported once, by GRM-016, not here too.
    {
      name: 'a known key spoilt only by invisible characters is left to GRM-016',
      code: '{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"Null": {"s3:x-amz-server-side\u200b-encryption\u200b-customer-algorithm": "true"}}}]}',
    },
  ],
  invalid: [
    {
      name: 'Bucket Keys cannot be required by a policy (docs/design/aws-facts.md example)',
      kind: 'identity-policy', // in a bucket policy ENC-019 reports these headers
      code: doc(st('"s3:PutObject"', '{"Bool": {"s3:x-amz-server-side-encryption-bucket-key-enabled": "true"}}')),
      errors: [
        {
          target: '"s3:x-amz-server-side-encryption-bucket-key-enabled"',
          severity: 'error',
          messageId: 'header',
          message:
            /does not exist, so it is never in a request\. There is no condition key for the Bucket Key header.*never true and the statement never applies\. Remove it\.$/,
        },
      ],
      // Removing it would bring the dead Deny to life: no fix.
      fixAll: 'output',
      output: doc(st('"s3:PutObject"', '{"Bool": {"s3:x-amz-server-side-encryption-bucket-key-enabled": "true"}}')),
    },
    {
      name: 'removing a key whose condition is always true changes nothing, so it is the preferred fix',
      kind: 'identity-policy', // in a bucket policy ENC-019 reports these headers
      code: doc(
        st(
          '"s3:PutObject"',
          '{"StringNotEquals": {"s3:x-amz-server-side-encryption-context": "x"}, "Bool": {"aws:SecureTransport": "false"}}',
        ),
      ),
      errors: [
        {
          target: '"s3:x-amz-server-side-encryption-context"',
          messageId: 'header',
          message: /encryption-context header.*always true/,
        },
      ],
      fixAll: 'output',
      output: doc(st('"s3:PutObject"', '{"Bool": {"aws:SecureTransport": "false"}}')),
    },
    {
      name: 'removing the only key removes the Condition',
      kind: 'identity-policy', // in a bucket policy ENC-019 reports these headers
      code: doc(st('"s3:PutObject"', '{"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption-context": "x"}}')),
      errors: [{ target: '"s3:x-amz-server-side-encryption-context"', messageId: 'header' }],
      fixAll: 'unchanged',
      output: doc(withoutCondition('"s3:PutObject"')),
    },
    {
      name: 'misspelt keys get the nearest one',
      code: doc(
        st(
          '"s3:PutObject"',
          '{"StringNotEquals": {"s3:x-amz-server-side-encryption-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/k", "s3:x-amz-server-side-encryption-aws-kms-key": "arn:aws:kms:us-east-1:111122223333:key/k"}, "Bool": {"s3:SecureTransport": "false", "aws:SecureTransports": "false"}}',
        ),
      ),
      errors: [
        {
          target: '"s3:x-amz-server-side-encryption-kms-key-id"',
          messageId: 'unknownKey',
          message:
            /does not exist.*AWS rejects the policy, or the key is simply never present.*Did you mean "s3:x-amz-server-side-encryption-aws-kms-key-id"/,
        },
        {
          target: '"s3:x-amz-server-side-encryption-aws-kms-key"',
          messageId: 'unknownKey',
          message: /Did you mean "s3:x-amz-server-side-encryption-aws-kms-key-id"/,
        },
        { target: '"s3:SecureTransport"', messageId: 'unknownKey', message: /Did you mean "aws:SecureTransport"/ },
        { target: '"aws:SecureTransports"', messageId: 'unknownKey', message: /Did you mean "aws:SecureTransport"/ },
      ],
      // Two keys would get the same name: the second is removed instead where its condition is
      // always true (StringNotEquals), and left alone where removing it would change the statement (Bool).
      output: doc(
        st(
          '"s3:PutObject"',
          '{"StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/k"}, "Bool": {"aws:SecureTransport": "false", "aws:SecureTransports": "false"}}',
        ),
      ),
    },
    {
      name: 'a key without the service prefix',
      code: doc(st('"s3:PutObject"', '{"StringNotEquals": {"x-amz-server-side-encryption": "aws:kms"}}')),
      errors: [
        {
          target: '"x-amz-server-side-encryption"',
          messageId: 'keyFormat',
          message:
            /is not a condition key: keys are written "service:name".*Invalid condition key format.*Did you mean "s3:x-amz-server-side-encryption"/,
        },
      ],
      // Only the prefix is missing: the text decides the key, so "fix all" renames it.
      fixAll: 'output',
      output: doc(st('"s3:PutObject"', '{"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}')),
    },
    {
      name: 'spaces around a key',
      code: doc(st('"s3:*"', '{"Bool": {" aws:SecureTransport": "false"}}')),
      errors: [
        {
          target: '" aws:SecureTransport"',
          messageId: 'spacesAroundKey',
          message: /has spaces around the key name.*Did you mean "aws:SecureTransport"/,
        },
      ],
      fixAll: 'output',
      output: doc(st('"s3:*"', '{"Bool": {"aws:SecureTransport": "false"}}')),
    },
    {
      name: 'SSE keys on actions that never carry them',
      code: doc(st('["s3:GetObject", "s3:ListBucket"]', '{"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}')),
      errors: [
        {
          target: '"s3:x-amz-server-side-encryption"',
          severity: 'warning',
          messageId: 'notInRequest',
          message:
            /^"s3:x-amz-server-side-encryption" is never in the request context of this statement's actions\. Its actions \(s3:GetObject, s3:ListBucket\).*always true.*Conditions do not apply to combination/,
        },
      ],
      fixAll: 'unchanged',
      output: doc(withoutCondition('["s3:GetObject", "s3:ListBucket"]')),
    },
    {
      name: 'mismatch on a dead Allow: removing the key would revive it, so no fix',
      code: doc(st('"s3:GetObject"', '{"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}', 'Allow')),
      errors: [
        {
          target: '"s3:x-amz-server-side-encryption"',
          severity: 'warning',
          messageId: 'notInRequest',
          message: /never true and the statement never applies/,
        },
      ],
      fixAll: 'output',
      output: doc(st('"s3:GetObject"', '{"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}', 'Allow')),
    },
    {
      name: 'kms: keys in a bucket policy statement',
      code: doc(
        st(
          '"s3:PutObject"',
          '{"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}, "Bool": {"aws:SecureTransport": "true"}}',
          'Allow',
        ),
      ),
      errors: [{ target: '"kms:ViaService"', severity: 'warning', messageId: 'notInRequest' }],
    },
    // Regression: an unknown key stays unknown after the invisible characters are removed (GRM-016 reports only the characters).
    {
      name: 'an unknown key stays unknown after the invisible characters are removed',
      code: '{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"Null": {"s3:x-amz-server-side\u200b-encryption-context": "true"}}}]}',
      errors: [{ target: '"s3:x-amz-server-side\u200b-encryption-context"', messageId: 'unknownKey', message: /does not exist/ }],
    },
  ],
});
