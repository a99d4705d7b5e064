import { grm011 } from '../../../server/src/rules/grammar/GRM-011-condition-shape';
import { ruleTester } from './rule-tester';

const st = (condition: string) =>
  `{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": ${condition}}`;
const doc = (condition: string) => `{"Version": "2012-10-17", "Statement": [${st(condition)}]}`;

ruleTester(grm011, {
  valid: [
    { code: doc('{"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}') },
    { name: 'several operators, arrays, numbers and Booleans', code: doc('{"StringNotEquals": {"s3:x-amz-server-side-encryption": ["AES256", "aws:kms"]}, "NumericLessThan": {"s3:TlsVersion": 1.2}, "Bool": {"aws:SecureTransport": false}}') },
    { name: 'IfExists and set prefixes', code: doc('{"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}, "ForAnyValue:StringLike": {"aws:TagKeys": "env*"}, "ForAllValues:StringEqualsIfExists": {"aws:TagKeys": ["a"]}}') },
    { name: 'Null and Arn operators', code: doc('{"Null": {"s3:x-amz-server-side-encryption": "true"}, "ArnNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/k"}}') },
  ],
  invalid: [
    {
      name: 'NullIfExists (RULES.md example)',
      code: doc('{"NullIfExists": {"s3:x-amz-server-side-encryption": "true"}}'),
      errors: [{ target: '"NullIfExists"', severity: 'error', message: /IfExists cannot be added to Null.*use "Null"/ }],
      fixAll: 'output',
      output: doc('{"Null": {"s3:x-amz-server-side-encryption": "true"}}'),
    },
    {
      name: 'NullIfExists with a set prefix keeps it',
      code: doc('{"ForAnyValue:NullIfExists": {"aws:TagKeys": "true"}}'),
      errors: [{ target: '"ForAnyValue:NullIfExists"' }],
      fixAll: 'output',
      output: doc('{"ForAnyValue:Null": {"aws:TagKeys": "true"}}'),
    },
    {
      name: 'misspelt operators get the nearest one',
      code: doc('{"StringNotEqual": {"s3:x-amz-server-side-encryption": "aws:kms"}, "ForAnyValues:StringLike": {"aws:TagKeys": "a*"}, "Boolean": {"aws:SecureTransport": "false"}}'),
      errors: [
        { target: '"StringNotEqual"', message: /Unknown condition operator "StringNotEqual".*Did you mean "StringNotEquals"/ },
        { target: '"ForAnyValues:StringLike"', message: /"ForAnyValue:StringLike"/ },
        { target: '"Boolean"', message: /"Bool"/ },
      ],
      fixAll: 'unchanged',
      output: doc('{"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}, "ForAnyValue:StringLike": {"aws:TagKeys": "a*"}, "Bool": {"aws:SecureTransport": "false"}}'),
    },
    {
      name: 'non-canonical casing is a soft warning',
      code: doc('{"stringNotEqualsIfexists": {"s3:x-amz-server-side-encryption": "aws:kms"}}'),
      errors: [{ target: '"stringNotEqualsIfexists"', severity: 'warning', message: /whether other casings are accepted is not documented.*"StringNotEqualsIfExists"/ }],
      fixAll: 'output',
      output: doc('{"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}}'),
    },
    {
      name: 'no rename when the target already exists (GRM-001 merges duplicates)',
      code: doc('{"StringEqual": {"a:b": "c"}, "StringEquals": {"d:e": "f"}}'),
      errors: [{ target: '"StringEqual"', message: /Did you mean "StringEquals"/ }],
      fixAll: 'output',
      output: doc('{"StringEqual": {"a:b": "c"}, "StringEquals": {"d:e": "f"}}'),
    },
    {
      name: 'hopeless operator name',
      code: doc('{"Matches": {"aws:SecureTransport": "false"}}'),
      errors: [{ target: '"Matches"', message: /Unknown condition operator.*Use one of/ }],
    },
    {
      name: 'Condition that is not an object',
      code: doc('["Bool", "aws:SecureTransport"]'),
      errors: [{ target: '["Bool", "aws:SecureTransport"]', message: /"Condition" in statement 1 must be an object of operators/ }],
    },
    {
      name: 'operator value that is not an object',
      code: doc('{"Bool": "aws:SecureTransport"}'),
      errors: [{ target: '"aws:SecureTransport"', message: /value of "Bool" must be an object.*not a string/ }],
    },
    {
      name: 'key values that are objects, null or nested arrays',
      code: doc('{"StringEquals": {"a:b": {"c": "d"}, "e:f": null, "g:h": ["x", ["y"], null]}}'),
      errors: [
        { target: '{"c": "d"}', message: /must be a string, number, Boolean or an array of them, not an object/ },
        { target: 'null', occurrence: 1, message: /not null/ },
        { target: '["y"]', message: /Each value.*not an array/ },
        { target: 'null', occurrence: 2, message: /not null/ },
      ],
    },
    {
      name: 'empty Condition is removed',
      code: doc('{}'),
      errors: [{ target: '{}', severity: 'warning', message: /is empty/ }],
      fixAll: 'output',
      output: '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*"}]}',
    },
    {
      name: 'empty operator block and empty value list',
      code: doc('{"StringEquals": {}, "Bool": {"aws:SecureTransport": []}}'),
      errors: [
        { target: '{}', severity: 'warning', message: /"StringEquals" has no condition keys/ },
        { target: '[]', severity: 'warning', message: /empty list of values/ },
      ],
      fixAll: 'output',
      output: doc('{"Bool": {"aws:SecureTransport": []}}'),
    },
  ],
});
