import { grm012 } from '../../../core/rules/grammar/GRM-012-condition-value-types';
import { ruleTester } from './rule-tester';

const doc = (condition: string) =>
  `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": ${condition}}]}`;

ruleTester(grm012, {
  valid: [
    {
      name: 'Bool as string and as JSON Boolean',
      code: doc('{"Bool": {"aws:SecureTransport": "false", "aws:MultiFactorAuthPresent": true}}'),
    },
    {
      name: 'numbers as strings and JSON numbers',
      code: doc(
        '{"NumericLessThan": {"s3:TlsVersion": "1.2", "s3:signatureAge": 600000}, "NumericGreaterThanEqualsIfExists": {"s3:max-keys": ["10", "20"]}}',
      ),
    },
    {
      name: 'dates in ISO 8601 and epoch',
      code: doc(
        '{"DateGreaterThan": {"aws:CurrentTime": "2026-01-31T12:00:00Z", "aws:TokenIssueTime": ["2026-01-31", "1767225600"]}, "DateLessThan": {"aws:EpochTime": 1767225600}}',
      ),
    },
    {
      name: 'IPv4 and IPv6 ranges',
      code: doc('{"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.7", "2001:DB8:1234:5678::/64", "::1"]}}'),
    },
    {
      name: 'ARN operators on ARN keys, with variables',
      code: doc(
        '{"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::111122223333:role/app-*", "${aws:PrincipalArn}"]}, "ArnEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/k"}}',
      ),
    },
    {
      name: 'String operators on ARN keys and variables in String values',
      code: doc(
        '{"StringLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:111122223333:trail/*", "s3:prefix": "home/${aws:username}/*"}}',
      ),
    },
    {
      name: 'Null takes true or false',
      code: doc('{"Null": {"s3:x-amz-server-side-encryption": "true", "s3:x-amz-server-side-encryption-aws-kms-key-id": false}}'),
    },
    { name: 'Binary in base64', code: doc('{"BinaryEquals": {"example:Blob": "QmluYXJ5VmFsdWU="}}') },
    {
      name: 'unknown operators and keys are left to GRM-011/GRM-017',
      code: doc('{"Boolean": {"aws:SecureTransport": "nope"}, "NumericLessThan": {"s3:TlsVersions": "1.2"}}'),
    },
  ],
  invalid: [
    {
      name: 'two Boolean values (docs/design/aws-facts.md example)',
      code: doc('{"Bool": {"aws:SecureTransport": ["false", "no"]}}'),
      errors: [
        {
          target: '["false", "no"]',
          severity: 'error',
          messageId: 'multipleBooleansRepairable',
          message:
            /^"aws:SecureTransport" has 2 values, but Bool takes exactly one: AWS rejects it\. .*Invalid condition multiple Boolean.*"no" is not a Boolean.*Write "false"/,
        },
      ],
      fixAll: 'output',
      output: doc('{"Bool": {"aws:SecureTransport": "false"}}'),
    },
    {
      name: 'true and false together: no fix',
      code: doc('{"Bool": {"aws:SecureTransport": ["true", "false"]}}'),
      errors: [{ target: '["true", "false"]', messageId: 'multipleBooleans', message: /Keep the one value you mean/ }],
    },
    {
      name: 'Bool with non-Boolean values, softly for casing',
      code: doc(
        '{"Bool": {"aws:SecureTransport": "no", "aws:MultiFactorAuthPresent": "True", "aws:ViaAWSService": "maybe"}, "BoolIfExists": {"aws:PrincipalIsAWSService": 0}}',
      ),
      errors: [
        {
          target: '"no"',
          severity: 'error',
          messageId: 'notBooleanRepairable',
          message: /"no" is not a Boolean.*"Bool" takes true or false.*Write "false"/,
        },
        { target: '"True"', severity: 'warning', messageId: 'booleanCase', message: /documents only lower-case.*Write "true"/ },
        { target: '"maybe"', severity: 'error', messageId: 'notBoolean' },
        { target: '0', occurrence: 3, severity: 'error', messageId: 'notBooleanRepairable', message: /Write "false"/ },
      ],
      output: doc(
        '{"Bool": {"aws:SecureTransport": "false", "aws:MultiFactorAuthPresent": "true", "aws:ViaAWSService": "maybe"}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}',
      ),
    },
    {
      name: 'Numeric with non-numbers',
      code: doc('{"NumericLessThan": {"s3:TlsVersion": "1.2 "}, "NumericGreaterThan": {"s3:signatureAge": ["TLS1.2", "ten"]}}'),
      errors: [
        {
          target: '"1.2 "',
          messageId: 'notNumberRepairable',
          message: /is not a number, so "NumericLessThan" on "s3:TlsVersion" never matches.*Write "1.2"/,
        },
        { target: '"TLS1.2"', messageId: 'notNumberRepairable', message: /Write "1.2"/ },
        { target: '"ten"', messageId: 'notNumber', message: /Use a plain number/ },
      ],
      fixAll: 'output',
      output: doc('{"NumericLessThan": {"s3:TlsVersion": "1.2"}, "NumericGreaterThan": {"s3:signatureAge": ["1.2", "ten"]}}'),
    },
    {
      name: 'Date with non-dates',
      code: doc('{"DateLessThan": {"aws:CurrentTime": ["31/01/2026", "2026-13-01", " 2026-01-31"]}}'),
      errors: [
        { target: '"31/01/2026"', messageId: 'notDate', message: /not a date.*ISO 8601/ },
        { target: '"2026-13-01"', messageId: 'notDate' },
        { target: '" 2026-01-31"', messageId: 'notDate' },
      ],
      fixAll: 'output',
      output: doc('{"DateLessThan": {"aws:CurrentTime": ["31/01/2026", "2026-13-01", "2026-01-31"]}}'),
    },
    {
      name: 'IpAddress with non-CIDR',
      code: doc('{"IpAddress": {"aws:SourceIp": ["203.0.113.0/33", "10.0.0.256", "203.0.113.0 /24", "any"]}}'),
      errors: [
        { target: '"203.0.113.0/33"', messageId: 'notIpRange', message: /CIDR/ },
        { target: '"10.0.0.256"', messageId: 'notIpRange' },
        { target: '"203.0.113.0 /24"', messageId: 'notIpRange' },
        { target: '"any"', messageId: 'notIpRange' },
      ],
      fixAll: 'output',
      output: doc('{"IpAddress": {"aws:SourceIp": ["203.0.113.0/33", "10.0.0.256", "203.0.113.0/24", "any"]}}'),
    },
    {
      name: 'Arn operator on a non-ARN key and a non-ARN value',
      code: doc(
        '{"ArnLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::example-bucket/*"}, "ArnEquals": {"aws:SourceArn": "example-bucket"}}',
      ),
      errors: [
        {
          target: '"kms:EncryptionContext:aws:s3:arn"',
          severity: 'error',
          messageId: 'typeMismatchRepairable',
          message:
            /"ArnLike" compares ARNs, but "kms:EncryptionContext:aws:s3:arn" is a String key.*Type mismatch.*Use "StringLike"/,
        },
        { target: '"example-bucket"', messageId: 'notArn', message: /is not an ARN.*field by field/ },
      ],
      fixAll: 'output',
      output: doc(
        '{"StringLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::example-bucket/*"}, "ArnEquals": {"aws:SourceArn": "example-bucket"}}',
      ),
    },
    {
      name: 'String operator on s3:TlsVersion',
      code: doc('{"StringNotEquals": {"s3:TlsVersion": "1.2"}}'),
      errors: [
        {
          target: '"s3:TlsVersion"',
          severity: 'error',
          messageId: 'typeMismatchRepairable',
          message: /compares text, but "s3:TlsVersion" is a Numeric key.*Use "NumericNotEquals"/,
        },
      ],
      fixAll: 'output',
      output: doc('{"NumericNotEquals": {"s3:TlsVersion": "1.2"}}'),
    },
    {
      name: 'String operator on a Bool key is an Access Analyzer type-mismatch warning',
      code: doc('{"StringEquals": {"aws:SecureTransport": "false"}}'),
      errors: [
        { target: '"aws:SecureTransport"', severity: 'warning', messageId: 'typeMismatch', message: /Use a Bool operator/ },
      ],
    },
    {
      name: 'policy variables with Numeric, Date, IP and Null operators',
      code: doc(
        '{"NumericLessThan": {"s3:max-keys": "${aws:username}"}, "DateGreaterThan": {"aws:CurrentTime": "${aws:TokenIssueTime}"}, "IpAddress": {"aws:SourceIp": "${aws:SourceIp}"}, "Null": {"aws:TagKeys": "${aws:username}"}}',
      ),
      errors: [
        {
          target: '"${aws:username}"',
          occurrence: 1,
          messageId: 'variableWithOperator',
          message: /Policy variables work only with String and ARN operators, not with "NumericLessThan".*AWS rejects the policy/,
        },
        { target: '"${aws:TokenIssueTime}"', messageId: 'variableWithOperator' },
        { target: '"${aws:SourceIp}"', messageId: 'variableWithOperator' },
        { target: '"${aws:username}"', occurrence: 2, messageId: 'variableWithOperator', message: /"Null"/ },
      ],
    },
    {
      name: 'mixed JSON types in one list',
      code: doc('{"NumericLessThan": {"s3:max-keys": [1, "2"]}}'),
      errors: [{ target: '[1, "2"]', messageId: 'mixedTypes', message: /mix JSON types \(number, string\)/ }],
      fixAll: 'output',
      output: doc('{"NumericLessThan": {"s3:max-keys": ["1", "2"]}}'),
    },
    {
      name: 'set prefix and IfExists do not change the value rules',
      code: doc('{"ForAnyValue:NumericLessThanIfExists": {"s3:TlsVersion": "v1.2"}}'),
      errors: [{ target: '"v1.2"', messageId: 'notNumberRepairable' }],
      fixAll: 'output',
      output: doc('{"ForAnyValue:NumericLessThanIfExists": {"s3:TlsVersion": "1.2"}}'),
    },
    {
      name: 'BinaryEquals with a non-base64 value',
      code: doc('{"BinaryEquals": {"example:Blob": "not base64!"}}'),
      errors: [{ target: '"not base64!"', messageId: 'notBase64', message: /not base64.*base64-encoded/ }],
    },
  ],
});
