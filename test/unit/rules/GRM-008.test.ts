import { grm008 } from '../../../core/rules/grammar/GRM-008-bucket-policy-resource';
import { ruleTester } from './rule-tester';

const st = (resource: string) =>
  `{"Effect": "Deny", "Principal": "*", "Action": "s3:*", ${resource}, "Condition": {"Bool": {"aws:SecureTransport": "false"}}}`;
const doc = (...statements: string[]) => `{"Version": "2012-10-17", "Statement": [${statements.join(', ')}]}`;
const both = '"Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"]';

ruleTester(grm008, {
  valid: [
    { code: doc(st(both)) },
    {
      name: 'the configured bucket',
      bucketName: 'example-bucket',
      code: doc(st('"Resource": "arn:aws:s3:::example-bucket/logs/*"')),
    },
    {
      name: 'object patterns and policy variables',
      bucketName: 'example-bucket',
      code: doc(st('"Resource": ["arn:aws:s3:::example-bucket/*.pdf", "arn:aws:s3:::example-bucket/home/${aws:username}/*"]')),
    },
    {
      name: 'China partition throughout',
      code: doc(st('"Resource": ["arn:aws-cn:s3:::example-bucket", "arn:aws-cn:s3:::example-bucket/*"]')),
    },
    { name: 'NotResource', code: doc(st('"NotResource": "arn:aws:s3:::example-bucket/public/*"')) },
    {
      name: 'a policy over several buckets when none is configured',
      code: doc(st('"Resource": ["arn:aws:s3:::a-bucket/*", "arn:aws:s3:::b-bucket/*"]')),
    },
  ],
  invalid: [
    {
      name: '"*" with the bucket from the file name',
      bucketName: 'example-bucket',
      code: doc(st('"Resource": "*"')),
      errors: [
        {
          target: '"*"',
          occurrence: 2,
          messageId: 'starForBucket',
          message:
            /"Resource": "\*" is not allowed in a bucket policy.*Policy has invalid resource.*"arn:aws:s3:::example-bucket" and "arn:aws:s3:::example-bucket\/\*"/,
          severity: 'error',
        },
      ],
      fixAll: 'output',
      output: doc(st(both)),
    },
    {
      name: '"*" with the bucket inferred from the other statements',
      code: doc(st('"Resource": "*"'), st('"Resource": "arn:aws:s3:::example-bucket/*"')),
      errors: [{ target: '"*"', occurrence: 2, messageId: 'starForBucket' }],
      fixAll: 'output',
      output: doc(st(both), st('"Resource": "arn:aws:s3:::example-bucket/*"')),
    },
    {
      name: '"*" in an array that already has the bucket ARN',
      code: doc(st('"Resource": ["arn:aws:s3:::example-bucket", "*"]')),
      errors: [{ target: '"*"', occurrence: 2, messageId: 'starForBucket' }],
      fixAll: 'output',
      output: doc(st(both)),
    },
    {
      name: '"*" with no way to know the bucket: no fix',
      code: doc(st('"Resource": "*"')),
      errors: [{ target: '"*"', occurrence: 2, messageId: 'star', message: /arn:aws:s3:::BUCKET/ }],
      fixAll: 'output',
      output: doc(st('"Resource": "*"')),
    },
    {
      name: 'missing Resource',
      bucketName: 'example-bucket',
      code: doc('{"Effect": "Deny", "Principal": "*", "Action": "s3:*"}'),
      errors: [
        {
          target: '{',
          occurrence: 2,
          messageId: 'noResourceRepairable',
          message:
            /^Statement 1 has no "Resource": S3 rejects the policy\. Add "Resource": \["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket\/\*"\]\.$/,
        },
      ],
      fixAll: 'unchanged',
      output: doc(`{"Effect": "Deny", "Principal": "*", "Action": "s3:*", ${both}}`),
    },
    {
      name: 'missing Resource in a multi-line statement keeps the layout',
      bucketName: 'example-bucket',
      code: '{\n  "Statement": [\n    {\n      "Effect": "Deny",\n      "Principal": "*",\n      "Action": "s3:*"\n    }\n  ]\n}',
      errors: [{ target: '{', occurrence: 2, messageId: 'noResourceRepairable' }],
      fixAll: 'unchanged',
      output:
        '{\n  "Statement": [\n    {\n      "Effect": "Deny",\n      "Principal": "*",\n      "Action": "s3:*",\n      "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"]\n    }\n  ]\n}',
    },
    {
      name: 'another bucket',
      bucketName: 'example-bucket',
      code: doc(st('"Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::other-bucket/*"]')),
      errors: [
        {
          target: '"arn:aws:s3:::other-bucket/*"',
          messageId: 'otherBucket',
          message:
            /names bucket "other-bucket", not this policy's bucket "example-bucket".*Use "arn:aws:s3:::example-bucket\/\*"/,
        },
      ],
      fixAll: 'unchanged',
      output: doc(st(both)),
    },
    {
      name: 'non-ARN strings',
      code: doc(st('"Resource": ["example-bucket/*", "s3://example-bucket", "arn:aws:iam::111122223333:root", "my bucket"]')),
      errors: [
        {
          target: '"example-bucket/*"',
          messageId: 'notArnRepairable',
          message: /is not an ARN.*"arn:aws:s3:::example-bucket\/\*"/,
        },
        { target: '"s3://example-bucket"', messageId: 'notArnRepairable', message: /"arn:aws:s3:::example-bucket"/ },
        {
          target: '"arn:aws:iam::111122223333:root"',
          messageId: 'notS3Arn',
          message: /not a bucket or object ARN.*Policy has invalid resource/,
        },
        { target: '"my bucket"', messageId: 'whitespace', message: /contains whitespace/ },
      ],
    },
    {
      name: 'a space before /*',
      code: doc(st('"Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket /*"]')),
      errors: [
        {
          target: '"arn:aws:s3:::example-bucket /*"',
          messageId: 'whitespace',
          message: /contains whitespace.*Remove the spaces/,
        },
      ],
      fixAll: 'output',
      output: doc(st(both)),
    },
    {
      name: 'placeholders left from examples',
      bucketName: 'example-bucket',
      code: doc(
        st(
          '"Resource": ["arn:aws:s3:::DOC-EXAMPLE-BUCKET", "arn:aws:s3:::amzn-s3-demo-bucket/*", "arn:aws:s3:::<bucket_name>/*", "arn:aws:s3:::YOUR_BUCKET_NAME/*"]',
        ),
      ),
      errors: [
        {
          target: '"arn:aws:s3:::DOC-EXAMPLE-BUCKET"',
          messageId: 'placeholderRepairable',
          message: /"DOC-EXAMPLE-BUCKET" is a placeholder.*Use "arn:aws:s3:::example-bucket"/,
        },
        { target: '"arn:aws:s3:::amzn-s3-demo-bucket/*"', messageId: 'placeholderRepairable', message: /placeholder/ },
        { target: '"arn:aws:s3:::<bucket_name>/*"', messageId: 'placeholderRepairable', message: /placeholder/ },
        { target: '"arn:aws:s3:::YOUR_BUCKET_NAME/*"', messageId: 'placeholderRepairable', message: /placeholder/ },
      ],
      fixAll: 'output',
      output: doc(
        st(
          '"Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*", "arn:aws:s3:::example-bucket/*", "arn:aws:s3:::example-bucket/*"]',
        ),
      ),
    },
    {
      name: 'placeholder without a known bucket: no fix',
      code: doc(st('"Resource": "arn:aws:s3:::BUCKET/*"')),
      errors: [{ target: '"arn:aws:s3:::BUCKET/*"', messageId: 'placeholder', message: /Put in the name of your bucket/ }],
    },
    {
      name: 'no way to know the bucket: the advice names the ARN forms',
      code: doc(st('"Resource": "arn:aws:s3:::*"'), '{"Effect": "Deny", "Principal": "*", "Action": "s3:*"}'),
      errors: [
        {
          target: '"arn:aws:s3:::*"',
          messageId: 'bucketWildcard',
          message: /wildcard in the bucket name.*Write the bucket name out/,
        },
        { target: '{', occurrence: 5, messageId: 'noResource', message: /^Statement 2 has no "Resource".*"arn:aws:s3:::BUCKET"/ },
      ],
    },
    {
      name: 'not an ARN and no bucket to write it for; a misspelt partition with no close name; an empty bucket name',
      code: doc(st('"Resource": ["*/logs", "arn:xyz:s3:::example-bucket"]'), st('"Resource": "arn:aws:s3:::"')),
      errors: [
        { target: '"*/logs"', messageId: 'notArn', message: /is not an ARN.*"arn:aws:s3:::BUCKET\/\*" for its objects/ },
        {
          target: '"arn:xyz:s3:::example-bucket"',
          messageId: 'unknownPartition',
          message: /^"xyz" is not an AWS partition.*Policy has invalid resource/,
        },
        { target: '"arn:aws:s3:::"', messageId: 'noBucketNameRepairable', message: /has no bucket name/ },
      ],
    },
    {
      name: 'no bucket name, and no bucket known',
      code: doc(st('"Resource": "arn:aws:s3:::"')),
      errors: [{ target: '"arn:aws:s3:::"', messageId: 'noBucketName', message: /has no bucket name.*Name the bucket/ }],
    },
    {
      name: 'no bucket name, with the bucket from the file name',
      bucketName: 'example-bucket',
      code: doc(st('"Resource": "arn:aws:s3:::/*"')),
      errors: [
        {
          target: '"arn:aws:s3:::/*"',
          messageId: 'noBucketNameRepairable',
          message: /has no bucket name.*Use "arn:aws:s3:::example-bucket\/\*"/,
        },
      ],
      fixAll: 'output',
      output: doc(st('"Resource": "arn:aws:s3:::example-bucket/*"')),
    },
    {
      name: 'wrong partition among China ARNs',
      code: doc(
        st('"Resource": ["arn:aws-cn:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"]'),
        st('"Resource": "arn:aws-cn:s3:::example-bucket/*"'),
      ),
      errors: [
        {
          target: '"arn:aws:s3:::example-bucket/*"',
          messageId: 'mixedPartitions',
          message: /partition "aws" while the rest of the policy uses "aws-cn".*China buckets use arn:aws-cn:/,
        },
      ],
      fixAll: 'unchanged',
      output: doc(
        st('"Resource": ["arn:aws-cn:s3:::example-bucket", "arn:aws-cn:s3:::example-bucket/*"]'),
        st('"Resource": "arn:aws-cn:s3:::example-bucket/*"'),
      ),
    },
    {
      name: 'misspelt partition',
      code: doc(st('"Resource": "arn:aws-china:s3:::example-bucket/*"')),
      errors: [
        {
          target: '"arn:aws-china:s3:::example-bucket/*"',
          messageId: 'unknownPartitionTypo',
          message: /not an AWS partition.*"arn:aws-cn:s3:::example-bucket\/\*"/,
        },
      ],
      fixAll: 'unchanged',
      output: doc(st('"Resource": "arn:aws-cn:s3:::example-bucket/*"')),
    },
    {
      name: 'wildcard in the bucket name is worded softly',
      bucketName: 'example-bucket',
      code: doc(st('"Resource": "arn:aws:s3:::example-*/*"')),
      errors: [
        {
          target: '"arn:aws:s3:::example-*/*"',
          messageId: 'bucketWildcardRepairable',
          message: /probably rejects.*Use "arn:aws:s3:::example-bucket\/\*"/,
        },
      ],
      fixAll: 'output',
      output: doc(st('"Resource": "arn:aws:s3:::example-bucket/*"')),
    },
    {
      name: 'non-string, empty and wrongly typed Resource',
      code: doc(st('"Resource": ["arn:aws:s3:::example-bucket", 7]'), st('"Resource": []'), st('"Resource": {"arn": "x"}')),
      errors: [
        { target: '7', occurrence: 2, messageId: 'itemNotString', message: /must be an ARN string, not a number/ },
        { target: '"Resource"', occurrence: 2, messageId: 'emptyList', message: /is empty/ },
        { target: '{"arn": "x"}', messageId: 'listWrongType', message: /not an object/ },
      ],
    },
  ],
});
