import { grm008 } from '../../../server/src/rules/grammar/GRM-008-bucket-policy-resource';
import { ruleTester } from './rule-tester';

const st = (resource: string) => `{"Effect": "Deny", "Principal": "*", "Action": "s3:*", ${resource}, "Condition": {"Bool": {"aws:SecureTransport": "false"}}}`;
const doc = (...statements: string[]) => `{"Version": "2012-10-17", "Statement": [${statements.join(', ')}]}`;
const both = '"Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"]';

ruleTester(grm008, {
  valid: [
    { code: doc(st(both)) },
    { name: 'the configured bucket', bucketName: 'example-bucket', code: doc(st('"Resource": "arn:aws:s3:::example-bucket/logs/*"')) },
    { name: 'object patterns and policy variables', bucketName: 'example-bucket', code: doc(st('"Resource": ["arn:aws:s3:::example-bucket/*.pdf", "arn:aws:s3:::example-bucket/home/${aws:username}/*"]')) },
    { name: 'China partition throughout', code: doc(st('"Resource": ["arn:aws-cn:s3:::example-bucket", "arn:aws-cn:s3:::example-bucket/*"]')) },
    { name: 'NotResource', code: doc(st('"NotResource": "arn:aws:s3:::example-bucket/public/*"')) },
    { name: 'a policy over several buckets when none is configured', code: doc(st('"Resource": ["arn:aws:s3:::a-bucket/*", "arn:aws:s3:::b-bucket/*"]')) },
  ],
  invalid: [
    {
      name: '"*" with the bucket from the file name',
      bucketName: 'example-bucket',
      code: doc(st('"Resource": "*"')),
      errors: [{ target: '"*"', occurrence: 2, message: /"Resource": "\*" is not allowed in a bucket policy.*Policy has invalid resource/, severity: 'error' }],
      fixAll: 'output',
      output: doc(st(both)),
    },
    {
      name: '"*" with the bucket inferred from the other statements',
      code: doc(st('"Resource": "*"'), st('"Resource": "arn:aws:s3:::example-bucket/*"')),
      errors: [{ target: '"*"', occurrence: 2 }],
      fixAll: 'output',
      output: doc(st(both), st('"Resource": "arn:aws:s3:::example-bucket/*"')),
    },
    {
      name: '"*" in an array that already has the bucket ARN',
      code: doc(st('"Resource": ["arn:aws:s3:::example-bucket", "*"]')),
      errors: [{ target: '"*"', occurrence: 2 }],
      fixAll: 'output',
      output: doc(st(both)),
    },
    {
      name: '"*" with no way to know the bucket: no fix',
      code: doc(st('"Resource": "*"')),
      errors: [{ target: '"*"', occurrence: 2, message: /arn:aws:s3:::BUCKET/ }],
      fixAll: 'output',
      output: doc(st('"Resource": "*"')),
    },
    {
      name: 'missing Resource',
      bucketName: 'example-bucket',
      code: doc('{"Effect": "Deny", "Principal": "*", "Action": "s3:*"}'),
      errors: [{ target: '{', occurrence: 2, message: /has no "Resource"/ }],
      fixAll: 'unchanged',
      output: doc(`{"Effect": "Deny", "Principal": "*", "Action": "s3:*", ${both}}`),
    },
    {
      name: 'missing Resource in a multi-line statement keeps the layout',
      bucketName: 'example-bucket',
      code: '{\n  "Statement": [\n    {\n      "Effect": "Deny",\n      "Principal": "*",\n      "Action": "s3:*"\n    }\n  ]\n}',
      errors: [{ target: '{', occurrence: 2 }],
      fixAll: 'unchanged',
      output: '{\n  "Statement": [\n    {\n      "Effect": "Deny",\n      "Principal": "*",\n      "Action": "s3:*",\n      "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"]\n    }\n  ]\n}',
    },
    {
      name: 'another bucket',
      bucketName: 'example-bucket',
      code: doc(st('"Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::other-bucket/*"]')),
      errors: [{ target: '"arn:aws:s3:::other-bucket/*"', message: /names bucket "other-bucket", but this is the policy of bucket "example-bucket"/ }],
      fixAll: 'unchanged',
      output: doc(st(both)),
    },
    {
      name: 'non-ARN strings',
      code: doc(st('"Resource": ["example-bucket/*", "s3://example-bucket", "arn:aws:iam::111122223333:root", "my bucket"]')),
      errors: [
        { target: '"example-bucket/*"', message: /is not an ARN.*"arn:aws:s3:::example-bucket\/\*"/ },
        { target: '"s3://example-bucket"', message: /"arn:aws:s3:::example-bucket"/ },
        { target: '"arn:aws:iam::111122223333:root"', message: /not a bucket or object ARN/ },
        { target: '"my bucket"', message: /contains whitespace/ },
      ],
    },
    {
      name: 'a space before /*',
      code: doc(st('"Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket /*"]')),
      errors: [{ target: '"arn:aws:s3:::example-bucket /*"', message: /contains whitespace/ }],
      fixAll: 'output',
      output: doc(st(both)),
    },
    {
      name: 'placeholders left from examples',
      bucketName: 'example-bucket',
      code: doc(st('"Resource": ["arn:aws:s3:::DOC-EXAMPLE-BUCKET", "arn:aws:s3:::amzn-s3-demo-bucket/*", "arn:aws:s3:::<bucket_name>/*", "arn:aws:s3:::YOUR_BUCKET_NAME/*"]')),
      errors: [
        { target: '"arn:aws:s3:::DOC-EXAMPLE-BUCKET"', message: /"DOC-EXAMPLE-BUCKET" is a placeholder/ },
        { target: '"arn:aws:s3:::amzn-s3-demo-bucket/*"', message: /placeholder/ },
        { target: '"arn:aws:s3:::<bucket_name>/*"', message: /placeholder/ },
        { target: '"arn:aws:s3:::YOUR_BUCKET_NAME/*"', message: /placeholder/ },
      ],
      fixAll: 'output',
      output: doc(st('"Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*", "arn:aws:s3:::example-bucket/*", "arn:aws:s3:::example-bucket/*"]')),
    },
    {
      name: 'placeholder without a known bucket: no fix',
      code: doc(st('"Resource": "arn:aws:s3:::BUCKET/*"')),
      errors: [{ target: '"arn:aws:s3:::BUCKET/*"', message: /Put in the name of your bucket/ }],
    },
    {
      name: 'wrong partition among China ARNs',
      code: doc(st('"Resource": ["arn:aws-cn:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"]'), st('"Resource": "arn:aws-cn:s3:::example-bucket/*"')),
      errors: [{ target: '"arn:aws:s3:::example-bucket/*"', message: /partition "aws" while the rest of the policy uses "aws-cn"/ }],
      fixAll: 'unchanged',
      output: doc(st('"Resource": ["arn:aws-cn:s3:::example-bucket", "arn:aws-cn:s3:::example-bucket/*"]'), st('"Resource": "arn:aws-cn:s3:::example-bucket/*"')),
    },
    {
      name: 'misspelt partition',
      code: doc(st('"Resource": "arn:aws-china:s3:::example-bucket/*"')),
      errors: [{ target: '"arn:aws-china:s3:::example-bucket/*"', message: /not an AWS partition.*"arn:aws-cn:s3:::example-bucket\/\*"/ }],
      fixAll: 'unchanged',
      output: doc(st('"Resource": "arn:aws-cn:s3:::example-bucket/*"')),
    },
    {
      name: 'wildcard in the bucket name is worded softly',
      bucketName: 'example-bucket',
      code: doc(st('"Resource": "arn:aws:s3:::example-*/*"')),
      errors: [{ target: '"arn:aws:s3:::example-*/*"', message: /probably rejects/ }],
      fixAll: 'output',
      output: doc(st('"Resource": "arn:aws:s3:::example-bucket/*"')),
    },
    {
      name: 'non-string, empty and wrongly typed Resource',
      code: doc(st('"Resource": ["arn:aws:s3:::example-bucket", 7]'), st('"Resource": []'), st('"Resource": {"arn": "x"}')),
      errors: [
        { target: '7', occurrence: 2, message: /must be an ARN string, not a number/ },
        { target: '"Resource"', occurrence: 2, message: /is empty/ },
        { target: '{"arn": "x"}', message: /not an object/ },
      ],
    },
  ],
});
