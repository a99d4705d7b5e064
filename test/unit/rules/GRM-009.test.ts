import { grm009 } from '../../../core/rules/grammar/GRM-009-action-resource-granularity';
import { ruleTester } from './rule-tester';

const st = (effect: string, action: string, resource: string) =>
  `{"Effect": "${effect}", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": ${action}, "Resource": ${resource}}`;
const doc = (...statements: string[]) => `{"Version": "2012-10-17", "Statement": [${statements.join(', ')}]}`;
const B = '"arn:aws:s3:::example-bucket"';
const O = '"arn:aws:s3:::example-bucket/*"';

ruleTester(grm009, {
  valid: [
    { name: 'object action on objects', code: doc(st('Allow', '"s3:GetObject"', O)) },
    {
      name: 'bucket action on the bucket',
      code: doc(st('Allow', '["s3:ListBucket", "s3:GetBucketPolicy", "s3:GetEncryptionConfiguration"]', B)),
    },
    { name: 'both kinds with both ARNs', code: doc(st('Allow', '["s3:GetObject", "s3:ListBucket"]', `[${B}, ${O}]`)) },
    { name: 's3:* on objects only (a TLS-002 matter, not this rule)', code: doc(st('Deny', '"s3:*"', O)) },
    { name: 'a wildcard covering both kinds on the bucket ARN', code: doc(st('Allow', '["s3:Get*", "s3:List*"]', B)) },
    { name: 'a wildcard covering both kinds on the object ARN', code: doc(st('Allow', '"s3:Get*"', O)) },
    {
      name: 'NotAction is skipped',
      code: doc('{"Effect": "Deny", "Principal": "*", "NotAction": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket"}'),
    },
    { name: 'a bucket pattern can match objects too', code: doc(st('Allow', '"s3:GetObject"', '"arn:aws:s3:::example-*"')) },
    { name: "unknown actions are GRM-007's", code: doc(st('Allow', '"s3:GetObjekt"', B)) },
    {
      name: '"*" resource in an identity policy',
      kind: 'identity-policy',
      code: doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}'),
    },
  ],
  invalid: [
    {
      name: 'the demo: GetObject on the bare bucket ARN',
      code: doc(st('Allow', '"s3:GetObject"', B)),
      errors: [
        {
          target: B,
          messageId: 'objectActions',
          message:
            /^"s3:GetObject" acts on objects, but this ARN is the bucket itself: S3 rejects the policy\. .*Action does not apply to any resource\(s\) in statement.*Use "arn:aws:s3:::example-bucket\/\*"/,
          severity: 'error',
        },
      ],
      fixAll: 'output',
      output: doc(st('Allow', '"s3:GetObject"', O)),
    },
    {
      name: 'object actions on the bucket ARN in an array',
      code: doc(st('Deny', '["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]', `[${B}]`)),
      errors: [
        {
          target: B,
          messageId: 'objectActions',
          message:
            /^"s3:PutObject" and 2 other actions act on objects, .*"s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload" act on objects/,
        },
      ],
      fixAll: 'output',
      output: doc(st('Deny', '["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]', `[${O}]`)),
    },
    {
      name: 'an object-only pattern on the bucket ARN',
      code: doc(st('Allow', '"s3:*Object"', B)),
      errors: [{ target: B, messageId: 'objectActions', message: /"s3:\*Object" acts on objects/ }],
      fixAll: 'output',
      output: doc(st('Allow', '"s3:*Object"', O)),
    },
    {
      name: 'bucket actions on BUCKET/* get the bare ARN added',
      code: doc(st('Allow', '["s3:ListBucket", "s3:ListBucketMultipartUploads"]', O)),
      errors: [
        {
          target: O,
          messageId: 'bucketActions',
          message:
            /^"s3:ListBucket" and 1 other action act on the bucket, but this ARN names objects.*Add "arn:aws:s3:::example-bucket"/,
        },
      ],
      fixAll: 'output',
      output: doc(st('Allow', '["s3:ListBucket", "s3:ListBucketMultipartUploads"]', `[${O}, ${B}]`)),
    },
    {
      name: 'mixed kinds with only the bucket ARN: the object ARN is added, the bucket ARN kept',
      code: doc(st('Allow', '["s3:ListBucket", "s3:GetObject"]', `[${B}]`)),
      errors: [
        { target: B, messageId: 'objectActionsAddObjects', message: /"s3:GetObject" acts on objects.*keep the bucket ARN/ },
      ],
      fixAll: 'output',
      output: doc(st('Allow', '["s3:ListBucket", "s3:GetObject"]', `[${B}, ${O}]`)),
    },
    {
      name: 'one finding per bucket',
      code: doc(st('Allow', '"s3:GetObject"', '["arn:aws:s3:::a-bucket", "arn:aws:s3:::b-bucket"]')),
      errors: [
        { target: '"arn:aws:s3:::a-bucket"', messageId: 'objectActions' },
        { target: '"arn:aws:s3:::b-bucket"', messageId: 'objectActions' },
      ],
      fixAll: 'output',
      output: doc(st('Allow', '"s3:GetObject"', '["arn:aws:s3:::a-bucket/*", "arn:aws:s3:::b-bucket/*"]')),
    },
    {
      name: 'an account-level action matches no bucket or object',
      code: doc(st('Allow', '["s3:ListAllMyBuckets", "s3:GetObject"]', O)),
      errors: [
        {
          target: '"s3:ListAllMyBuckets"',
          messageId: 'noResourceType',
          message: /does not act on a bucket or its objects.*only supports "Resource": "\*"/,
        },
      ],
    },
    {
      name: 'an access-point action matches no bucket or object',
      code: doc(st('Allow', '["s3:GetAccessPointPolicy", "s3:GetObject"]', O)),
      errors: [
        {
          target: '"s3:GetAccessPointPolicy"',
          messageId: 'otherResourceTypes',
          message:
            /^"s3:GetAccessPointPolicy" does not act on a bucket or its objects: S3 rejects the policy\. It applies to accesspoint.* resources/,
        },
      ],
    },
    {
      name: 'an identity policy gets a warning',
      kind: 'identity-policy',
      code: doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket"}'),
      errors: [
        {
          target: B,
          messageId: 'objectActions',
          severity: 'warning',
          message: /this ARN is the bucket itself: the statement never grants or denies it\./,
        },
      ],
      fixAll: 'unchanged',
      output: doc('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*"}'),
    },
  ],
});
