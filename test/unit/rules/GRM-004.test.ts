import { grm004 } from '../../../core/rules/grammar/GRM-004-principal-required';
import { ruleTester } from './rule-tester';

ruleTester(grm004, {
  valid: [
    { code: '{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}' },
    {
      name: 'NotPrincipal counts',
      code: '{"Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}',
    },
    {
      name: 'key policy',
      kind: 'key-policy',
      code: '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}',
    },
    { name: 'no statements', code: '{"Statement": []}' },
  ],
  invalid: [
    {
      name: 'Deny without Principal gets "*" after Effect',
      code: '{"Statement": [{"Effect": "Deny", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}]}',
      errors: [
        {
          target: '{',
          occurrence: 2,
          messageId: 'missingInDeny',
          message: /^Statement 1 has no "Principal": S3 rejects.*Missing required field Principal.*Add "Principal": "\*"/,
        },
      ],
      fixAll: 'unchanged',
      output: '{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}]}',
    },
    {
      name: 'multi-line statement keeps its layout',
      code: '{\n  "Statement": [\n    {\n      "Sid": "DenyHttp",\n      "Effect": "Deny",\n      "Action": "s3:*"\n    }\n  ]\n}',
      errors: [{ target: '{', occurrence: 2, messageId: 'missingInDeny', message: /Statement "DenyHttp"/ }],
      fixAll: 'unchanged',
      output:
        '{\n  "Statement": [\n    {\n      "Sid": "DenyHttp",\n      "Effect": "Deny",\n      "Principal": "*",\n      "Action": "s3:*"\n    }\n  ]\n}',
    },
    {
      name: 'Effect as the last member',
      code: '{"Statement": [{"Action": "s3:*", "Resource": "arn:aws:s3:::b/*", "Effect": "Deny"}]}',
      errors: [{ target: '{', occurrence: 2, messageId: 'missingInDeny' }],
      fixAll: 'unchanged',
      output: '{"Statement": [{"Action": "s3:*", "Resource": "arn:aws:s3:::b/*", "Effect": "Deny", "Principal": "*"}]}',
    },
    {
      name: 'Allow without Principal: no automatic guess',
      code: '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}',
      errors: [{ target: '{', occurrence: 2, messageId: 'missing', message: /naming whom/ }],
      fixAll: 'output',
      output: '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}',
    },
    {
      name: 'key policy statement',
      kind: 'key-policy',
      code: '{"Statement": [{"Sid": "Allow use", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}',
      errors: [
        {
          target: '{',
          occurrence: 2,
          messageId: 'missing',
          message: /^Statement "Allow use" has no "Principal": KMS rejects the key policy\. KMS requires one or more principals/,
        },
      ],
    },
    {
      name: 'only the statement without one',
      code: '{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}, {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}',
      errors: [{ target: '{', occurrence: 3, messageId: 'missingInDeny', message: /^Statement 2/ }],
      fixAll: 'unchanged',
      output:
        '{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}, {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}',
    },
  ],
});
