import { grm005 } from '../../../core/rules/grammar/GRM-005-principal-forms';
import { ruleTester } from './rule-tester';

const R = '"Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"';
const allow = (principal: string, rest = '') => `{"Statement": [{"Effect": "Allow", "Principal": ${principal}, ${R}${rest}}]}`;

ruleTester(grm005, {
  valid: [
    { name: '"*"', code: allow('"*"') },
    { name: '{"AWS": "*"}', code: allow('{"AWS": "*"}') },
    { name: 'account ID', code: allow('{"AWS": "111122223333"}') },
    {
      name: 'ARN list',
      code: allow(
        '{"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:role/App", "arn:aws:iam::111122223333:user/path/alice"]}',
      ),
    },
    { name: 'assumed-role session', code: allow('{"AWS": "arn:aws:sts::111122223333:assumed-role/App/session-1"}') },
    {
      name: 'CloudFront origin access identity',
      code: allow('{"AWS": "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHAPOMQZL"}'),
    },
    { name: 'China partition', code: allow('{"AWS": "arn:aws-cn:iam::111122223333:role/App"}') },
    { name: 'service principals', code: allow('{"Service": ["cloudtrail.amazonaws.com", "logging.s3.amazonaws.com"]}') },
    {
      name: 'federated and canonical user',
      code: allow(
        '{"Federated": "cognito-identity.amazonaws.com", "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}',
      ),
    },
    {
      name: 'key policy',
      kind: 'key-policy',
      code: '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}',
    },
    { name: 'no Principal: left to GRM-004', code: `{"Statement": [{"Effect": "Deny", ${R}}]}` },
  ],
  invalid: [
    {
      name: 'partial wildcard moves into ArnLike aws:PrincipalArn',
      code: allow('{"AWS": "arn:aws:iam::111122223333:role/app-*"}'),
      errors: [
        {
          target: '"arn:aws:iam::111122223333:role/app-*"',
          messageId: 'partialWildcard',
          message:
            /^Principal "arn:aws:iam::111122223333:role\/app-\*" has a wildcard inside it: AWS rejects the policy\. .*ArnLike condition on aws:PrincipalArn/,
          severity: 'error',
        },
      ],
      fixAll: 'unchanged',
      output: allow(
        '{"AWS": "arn:aws:iam::111122223333:root"}',
        ', "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/app-*"}}',
      ),
    },
    {
      name: 'partial wildcard with an existing Condition gets a new operator block',
      code: '{"Statement": [{\n  "Effect": "Deny",\n  "Principal": {"AWS": ["arn:aws:iam::111122223333:user/temp-*"]},\n  "Action": "s3:*",\n  "Condition": {\n    "Bool": {"aws:SecureTransport": "false"}\n  }\n}]}',
      errors: [{ target: '"arn:aws:iam::111122223333:user/temp-*"', messageId: 'partialWildcard' }],
      fixAll: 'unchanged',
      output:
        '{"Statement": [{\n  "Effect": "Deny",\n  "Principal": {"AWS": ["arn:aws:iam::111122223333:root"]},\n  "Action": "s3:*",\n  "Condition": {\n    "Bool": {"aws:SecureTransport": "false"},\n    "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/temp-*"}\n  }\n}]}',
    },
    {
      name: 'no fix when an ArnLike block already exists',
      code: allow(
        '{"AWS": "arn:aws:iam::111122223333:role/app-*"}',
        ', "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::b"}}',
      ),
      errors: [{ target: '"arn:aws:iam::111122223333:role/app-*"', messageId: 'partialWildcard' }],
      fixAll: 'output',
      output: allow(
        '{"AWS": "arn:aws:iam::111122223333:role/app-*"}',
        ', "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::b"}}',
      ),
    },
    {
      name: 'no fix for a wildcard among several principals',
      code: allow('{"AWS": ["arn:aws:iam::111122223333:role/App", "arn:aws:iam::111122223333:role/ci-?"]}'),
      errors: [{ target: '"arn:aws:iam::111122223333:role/ci-?"', messageId: 'partialWildcard' }],
      fixAll: 'output',
      output: allow('{"AWS": ["arn:aws:iam::111122223333:role/App", "arn:aws:iam::111122223333:role/ci-?"]}'),
    },
    {
      name: 'wildcard account',
      code: allow('{"AWS": "arn:aws:iam::*:root"}'),
      errors: [{ target: '"arn:aws:iam::*:root"', messageId: 'partialWildcard', message: /wildcard/ }],
      fixAll: 'output',
      output: allow('{"AWS": "arn:aws:iam::*:root"}'),
    },
    {
      name: 'IAM group',
      code: allow('{"AWS": "arn:aws:iam::111122223333:group/Developers"}'),
      errors: [
        {
          target: '"arn:aws:iam::111122223333:group/Developers"',
          messageId: 'group',
          message: /IAM group.*Invalid principal/,
          severity: 'error',
        },
      ],
    },
    {
      name: 'unique ID of a deleted role',
      kind: 'key-policy',
      code: '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "AROA27HJSWAHEXAMPLE1"]}, "Action": "kms:Decrypt", "Resource": "*"}]}',
      errors: [
        {
          target: '"AROA27HJSWAHEXAMPLE1"',
          messageId: 'deletedIdentity',
          message: /deleted IAM role.*probably/,
          severity: 'warning',
        },
      ],
    },
    {
      name: 'unique ID of a deleted user',
      code: allow('{"AWS": "AIDAJQABLZS4A3QDU576Q"}'),
      errors: [
        { target: '"AIDAJQABLZS4A3QDU576Q"', messageId: 'deletedIdentity', message: /deleted IAM user/, severity: 'warning' },
      ],
    },
    {
      name: 'not an ARN or account',
      code: allow('{"AWS": ["root", "11112222333"]}'),
      errors: [
        { target: '"root"', messageId: 'invalidAws', message: /not a valid AWS principal.*Invalid principal/ },
        { target: '"11112222333"', messageId: 'invalidAws', message: /not a valid AWS principal/ },
      ],
    },
    {
      name: 'plain ARN string is wrapped in {"AWS": ...}',
      code: allow('"arn:aws:iam::111122223333:role/App"'),
      errors: [
        {
          target: '"arn:aws:iam::111122223333:role/App"',
          messageId: 'plainString',
          message: /only plain string AWS accepts here is "\*".*\{"AWS": "arn:aws:iam::111122223333:role\/App"\}/,
        },
      ],
      fixAll: 'output',
      output: allow('{"AWS": "arn:aws:iam::111122223333:role/App"}'),
    },
    {
      name: 'plain service string is wrapped in {"Service": ...}',
      code: allow('"cloudtrail.amazonaws.com"'),
      errors: [{ target: '"cloudtrail.amazonaws.com"', messageId: 'plainString' }],
      fixAll: 'output',
      output: allow('{"Service": "cloudtrail.amazonaws.com"}'),
    },
    { name: 'array', code: allow('["*"]'), errors: [{ target: '["*"]', messageId: 'notObject', message: /is an array/ }] },
    {
      name: 'empty object',
      code: allow('{}'),
      errors: [{ target: '{}', messageId: 'emptyObject', message: /names no principal/ }],
    },
    {
      name: 'principal type in the wrong case',
      code: allow('{"aws": "arn:aws:iam::111122223333:root"}'),
      errors: [{ target: '"aws"', messageId: 'unknownTypeTypo', message: /unknown principal type "aws".*Did you mean "AWS"/ }],
      fixAll: 'output',
      output: allow('{"AWS": "arn:aws:iam::111122223333:root"}'),
    },
    {
      name: 'unknown principal type already present in the right case: no rename',
      code: allow('{"AWS": "111122223333", "Aws": "111122223333"}'),
      errors: [{ target: '"Aws"', messageId: 'unknownType', message: /Use one of those keys/ }],
      fixAll: 'output',
      output: allow('{"AWS": "111122223333", "Aws": "111122223333"}'),
    },
    {
      name: 'service name without domain',
      code: allow('{"Service": ["cloudtrail", "logs.example.com"]}'),
      errors: [
        {
          target: '"cloudtrail"',
          messageId: 'serviceNameBare',
          message: /probably not an AWS service principal.*Use "cloudtrail.amazonaws.com"/,
          severity: 'warning',
        },
        { target: '"logs.example.com"', messageId: 'serviceName', severity: 'warning' },
      ],
      fixAll: 'unchanged',
      output: allow('{"Service": ["cloudtrail.amazonaws.com", "logs.example.com"]}'),
    },
    {
      name: 'account ID as a JSON number',
      code: allow('{"AWS": 111122223333}'),
      errors: [{ target: '111122223333', messageId: 'numberNotString', message: /not a string.*Write "111122223333"/ }],
      fixAll: 'output',
      output: allow('{"AWS": "111122223333"}'),
    },
    {
      name: 'empty list',
      code: allow('{"AWS": []}'),
      errors: [{ target: '[]', messageId: 'emptyList', message: /empty array/ }],
    },
    {
      name: 'NotPrincipal values are checked too, without the Principal rewrite',
      code: '{"Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:role/admin-*"}, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}',
      errors: [{ target: '"arn:aws:iam::111122223333:role/admin-*"', messageId: 'partialWildcard', message: /^NotPrincipal/ }],
      fixAll: 'output',
      output:
        '{"Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:role/admin-*"}, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}',
    },
    {
      name: 'wildcard in a federated principal',
      code: allow('{"Federated": "arn:aws:iam::111122223333:saml-provider/*"}'),
      errors: [
        {
          target: '"arn:aws:iam::111122223333:saml-provider/*"',
          messageId: 'typeWildcard',
          message: /Federated principal.*wildcard/,
        },
      ],
    },
    {
      name: 'wildcard in a service principal',
      code: allow('{"Service": "*.s3.amazonaws.com"}'),
      errors: [
        {
          target: '"*.s3.amazonaws.com"',
          messageId: 'serviceWildcard',
          message: /^Service principal "\*\.s3\.amazonaws\.com" has a wildcard.*Name each service/,
        },
      ],
    },
    {
      name: 'a Boolean principal: not a string, nothing to quote',
      code: allow('{"AWS": true}'),
      errors: [
        {
          target: 'true',
          messageId: 'notString',
          message: /^AWS principal true is not a string: AWS probably rejects the policy\. AWS expects a quoted string here\.$/,
        },
      ],
    },
  ],
});
