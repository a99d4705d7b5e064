import { grm007 } from '../../../core/rules/grammar/GRM-007-action';
import { ruleTester } from './rule-tester';

const doc = (statement: string) => `{"Version": "2012-10-17", "Statement": [${statement}]}`;
const bucketSt = (action: string) =>
  doc(
    `{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, ${action}, "Resource": "arn:aws:s3:::example-bucket/*"}`,
  );
const keySt = (action: string) =>
  doc(`{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, ${action}, "Resource": "*"}`);

ruleTester(grm007, {
  valid: [
    { code: bucketSt('"Action": "s3:PutObject"') },
    { name: 'array, wildcards and "*"', code: bucketSt('"Action": ["s3:GetObject", "s3:Get*", "s3:*Object*", "*"]') },
    { name: 'action names are case-insensitive', code: bucketSt('"Action": ["S3:getobject", "s3:PUTOBJECT"]') },
    { name: 'NotAction alone', code: bucketSt('"NotAction": "s3:GetObject"') },
    {
      name: 'key policy with kms: actions',
      kind: 'key-policy',
      code: keySt('"Action": ["kms:Decrypt", "kms:GenerateDataKey*", "kms:*"]'),
    },
    {
      name: 'identity policy may name other services',
      kind: 'identity-policy',
      code: doc('{"Effect": "Allow", "Action": ["s3:GetObject", "ec2:DescribeInstances", "kms:Decrypt"], "Resource": "*"}'),
    },
  ],
  invalid: [
    {
      name: 'neither Action nor NotAction',
      code: doc('{"Effect": "Deny", "Principal": "*", "Resource": "arn:aws:s3:::example-bucket/*"}'),
      errors: [
        {
          target: '{',
          occurrence: 2,
          messageId: 'noAction',
          message: /^Statement 1 has neither "Action" nor "NotAction"/,
          severity: 'error',
        },
      ],
    },
    {
      name: 'both Action and NotAction',
      code: bucketSt('"Action": "s3:GetObject", "NotAction": "s3:PutObject"'),
      errors: [
        {
          target: '"NotAction"',
          messageId: 'bothActionAndNotAction',
          message: /both "Action" and "NotAction".*split the statement/,
        },
      ],
    },
    {
      name: 'API operation names map to the IAM action (docs/design/aws-facts.md example)',
      code: bucketSt('"Action": ["s3:CreateMultipartUpload", "s3:UploadPart"]'),
      errors: [
        {
          target: '"s3:CreateMultipartUpload"',
          messageId: 'apiOperation',
          message: /API operation, not an IAM action.*Policy has invalid action.*"s3:PutObject"/,
        },
        { target: '"s3:UploadPart"', messageId: 'apiOperation', message: /authorised by "s3:PutObject"/ },
      ],
      fixAll: 'output',
      output: bucketSt('"Action": ["s3:PutObject"]'),
    },
    {
      name: 'API name next to the action it maps to is removed',
      code: bucketSt('"Action": ["s3:PutObject", "s3:CopyObject", "s3:GetObject"]'),
      errors: [{ target: '"s3:CopyObject"', messageId: 'apiOperation', message: /"s3:PutObject"/ }],
      fixAll: 'output',
      output: bucketSt('"Action": ["s3:PutObject", "s3:GetObject"]'),
    },
    {
      name: 'typo gets the nearest action',
      code: bucketSt('"Action": "s3:PutObjects"'),
      errors: [
        {
          target: '"s3:PutObjects"',
          messageId: 'unknownActionTypo',
          message: /Unknown action "s3:PutObjects".*Did you mean "s3:PutObject"/,
        },
      ],
      fixAll: 'unchanged',
      output: bucketSt('"Action": "s3:PutObject"'),
    },
    {
      name: 'HeadObject is authorised by GetObject',
      code: bucketSt('"Action": "s3:HeadObject"'),
      errors: [{ target: '"s3:HeadObject"', messageId: 'apiOperation' }],
      fixAll: 'output',
      output: bucketSt('"Action": "s3:GetObject"'),
    },
    {
      name: 'not service:Name',
      code: bucketSt('"Action": ["s3.GetObject", "GetObject", "s3:"]'),
      errors: [
        {
          target: '"s3.GetObject"',
          messageId: 'notActionFormatTypo',
          message: /not of the form "service:ActionName".*"s3:GetObject"/,
        },
        { target: '"GetObject"', messageId: 'notActionFormatTypo', message: /not of the form/ },
        { target: '"s3:"', messageId: 'notActionFormat', message: /not of the form.*e\.g\. "s3:GetObject"/ },
      ],
      // The second repair would duplicate the first, so it removes the item instead.
      fixAll: 'output',
      output: bucketSt('"Action": ["s3:GetObject", "s3:"]'),
    },
    {
      name: 'a pattern that matches nothing',
      code: bucketSt('"Action": "s3:Gte*"'),
      errors: [{ target: '"s3:Gte*"', messageId: 'patternMatchesNothing', message: /matches no s3: action/ }],
    },
    {
      name: 'an unknown action with no close name',
      code: bucketSt('"Action": "s3:Xyzzyplugh"'),
      errors: [
        {
          target: '"s3:Xyzzyplugh"',
          messageId: 'unknownAction',
          message: /^Unknown action "s3:Xyzzyplugh".*Check the S3 actions in the Service Authorization Reference\.$/,
        },
      ],
    },
    {
      name: 'non-s3 actions in a bucket policy',
      code: bucketSt('"Action": ["s3:GetObject", "kms:Decrypt", "iam:PassRole"]'),
      errors: [
        {
          target: '"kms:Decrypt"',
          messageId: 'otherService',
          message:
            /^Action "kms:Decrypt" is not an s3: action, and a bucket policy can only control s3: actions\. .*Policy has invalid action/,
        },
        { target: '"iam:PassRole"', messageId: 'otherService' },
      ],
    },
    {
      name: 'non-kms actions in a key policy',
      kind: 'key-policy',
      code: keySt('"Action": ["kms:Decrypt", "s3:PutObject"]'),
      errors: [
        {
          target: '"s3:PutObject"',
          messageId: 'otherService',
          message: /is not a kms: action, and a key policy can only control kms: actions/,
        },
      ],
    },
    {
      name: 'unknown action in NotAction',
      code: bucketSt('"NotAction": ["s3:GetObjects"]'),
      errors: [{ target: '"s3:GetObjects"', messageId: 'unknownActionTypo', message: /Did you mean "s3:GetObject"/ }],
      fixAll: 'unchanged',
      output: bucketSt('"NotAction": ["s3:GetObject"]'),
    },
    {
      name: 'non-string values and empty lists',
      code: doc(
        '{"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", 5, null], "Resource": "*"}, {"Effect": "Allow", "Principal": "*", "NotAction": [], "Resource": "*"}, {"Effect": "Allow", "Principal": "*", "Action": {"s3": "GetObject"}, "Resource": "*"}',
      ),
      errors: [
        { target: '5', messageId: 'itemNotString', message: /must be a string/ },
        { target: 'null', messageId: 'itemNotString', message: /not null/ },
        { target: '"NotAction"', messageId: 'emptyList', message: /^"NotAction" in statement 2 is empty/ },
        { target: '{"s3": "GetObject"}', messageId: 'listWrongType', message: /not an object/ },
      ],
    },
  ],
});
