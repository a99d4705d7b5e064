import { grm011 } from '../../../core/rules/grammar/GRM-011-condition-shape';
import { ruleTester } from './rule-tester';

const st = (condition: string) =>
  `{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": ${condition}}`;
const doc = (condition: string) => `{"Version": "2012-10-17", "Statement": [${st(condition)}]}`;

ruleTester(grm011, {
  valid: [
    { code: doc('{"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}') },
    {
      name: 'several operators, arrays, numbers and Booleans',
      code: doc(
        '{"StringNotEquals": {"s3:x-amz-server-side-encryption": ["AES256", "aws:kms"]}, "NumericLessThan": {"s3:TlsVersion": 1.2}, "Bool": {"aws:SecureTransport": false}}',
      ),
    },
    {
      name: 'IfExists and set prefixes',
      code: doc(
        '{"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}, "ForAnyValue:StringLike": {"aws:TagKeys": "env*"}, "ForAllValues:StringEqualsIfExists": {"aws:TagKeys": ["a"]}}',
      ),
    },
    {
      name: 'Null and Arn operators',
      code: doc(
        '{"Null": {"s3:x-amz-server-side-encryption": "true"}, "ArnNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/k"}}',
      ),
    },
  ],
  invalid: [
    {
      name: 'NullIfExists (docs/design/aws-facts.md example)',
      code: doc('{"NullIfExists": {"s3:x-amz-server-side-encryption": "true"}}'),
      errors: [
        {
          target: '"NullIfExists"',
          severity: 'error',
          messageId: 'nullIfExists',
          message: /IfExists cannot be added to Null.*Null with if exists.*use "Null"/,
        },
      ],
      fixAll: 'output',
      output: doc('{"Null": {"s3:x-amz-server-side-encryption": "true"}}'),
    },
    {
      name: 'NullIfExists with a set prefix keeps it',
      code: doc('{"ForAnyValue:NullIfExists": {"aws:TagKeys": "true"}}'),
      errors: [{ target: '"ForAnyValue:NullIfExists"', messageId: 'nullIfExists', message: /use "ForAnyValue:Null"/ }],
      fixAll: 'output',
      output: doc('{"ForAnyValue:Null": {"aws:TagKeys": "true"}}'),
    },
    {
      name: 'misspelt operators get the nearest one',
      code: doc(
        '{"StringNotEqual": {"s3:x-amz-server-side-encryption": "aws:kms"}, "ForAnyValues:StringLike": {"aws:TagKeys": "a*"}, "Boolean": {"aws:SecureTransport": "false"}}',
      ),
      errors: [
        {
          target: '"StringNotEqual"',
          messageId: 'unknownOperatorTypo',
          message: /Unknown condition operator "StringNotEqual".*Invalid condition operator.*Did you mean "StringNotEquals"/,
        },
        { target: '"ForAnyValues:StringLike"', messageId: 'unknownOperatorTypo', message: /"ForAnyValue:StringLike"/ },
        { target: '"Boolean"', messageId: 'unknownOperatorTypo', message: /"Bool"/ },
      ],
      fixAll: 'unchanged',
      output: doc(
        '{"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}, "ForAnyValue:StringLike": {"aws:TagKeys": "a*"}, "Bool": {"aws:SecureTransport": "false"}}',
      ),
    },
    {
      name: 'non-canonical casing is a soft warning',
      code: doc('{"stringNotEqualsIfexists": {"s3:x-amz-server-side-encryption": "aws:kms"}}'),
      errors: [
        {
          target: '"stringNotEqualsIfexists"',
          severity: 'warning',
          messageId: 'casing',
          message: /unusual casing.*Whether other casings are accepted is not documented.*"StringNotEqualsIfExists"/,
        },
      ],
      fixAll: 'output',
      output: doc('{"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}}'),
    },
    {
      name: 'no rename when the target already exists (GRM-001 merges duplicates)',
      code: doc('{"StringEqual": {"a:b": "c"}, "StringEquals": {"d:e": "f"}}'),
      errors: [{ target: '"StringEqual"', messageId: 'unknownOperatorTypo', message: /Did you mean "StringEquals"/ }],
      fixAll: 'output',
      output: doc('{"StringEqual": {"a:b": "c"}, "StringEquals": {"d:e": "f"}}'),
    },
    {
      name: 'hopeless operator name',
      code: doc('{"Matches": {"aws:SecureTransport": "false"}}'),
      errors: [{ target: '"Matches"', messageId: 'unknownOperator', message: /Unknown condition operator.*Use one of/ }],
    },
    {
      name: 'Condition that is not an object',
      code: doc('["Bool", "aws:SecureTransport"]'),
      errors: [
        {
          target: '["Bool", "aws:SecureTransport"]',
          messageId: 'conditionNotObject',
          message: /"Condition" in statement 1 must be an object of operators/,
        },
      ],
    },
    {
      name: 'operator value that is not an object',
      code: doc('{"Bool": "aws:SecureTransport"}'),
      errors: [
        {
          target: '"aws:SecureTransport"',
          messageId: 'operatorNotObject',
          message: /value of "Bool" must be an object.*not a string/,
        },
      ],
    },
    {
      name: 'key values that are objects, null or nested arrays',
      code: doc('{"StringEquals": {"a:b": {"c": "d"}, "e:f": null, "g:h": ["x", ["y"], null]}}'),
      errors: [
        {
          target: '{"c": "d"}',
          messageId: 'valueWrongType',
          message: /^Condition key "a:b" has an object as its value.*must be a string, number, Boolean or an array of them/,
        },
        { target: 'null', occurrence: 1, messageId: 'valueWrongType', message: /has null as its value/ },
        { target: '["y"]', messageId: 'itemWrongType', message: /Each value.*not an array/ },
        { target: 'null', occurrence: 2, messageId: 'itemWrongType', message: /not null/ },
      ],
    },
    {
      name: 'empty Condition is removed',
      code: doc('{}'),
      errors: [{ target: '{}', severity: 'warning', messageId: 'emptyCondition', message: /is empty.*Empty object condition/ }],
      fixAll: 'output',
      output:
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*"}]}',
    },
    {
      name: 'empty operator block and empty value list',
      code: doc('{"StringEquals": {}, "Bool": {"aws:SecureTransport": []}}'),
      errors: [
        { target: '{}', severity: 'warning', messageId: 'emptyOperator', message: /"StringEquals" has no condition keys/ },
        {
          target: '[]',
          severity: 'warning',
          messageId: 'emptyValues',
          message: /empty list of values.*does not document the result/,
        },
      ],
      fixAll: 'output',
      output: doc('{"Bool": {"aws:SecureTransport": []}}'),
    },
  ],
});
