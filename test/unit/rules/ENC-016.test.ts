import { enc016 } from '../../../core/rules/encryption/ENC-016-post-and-presigned-uploads';
import { B, SSE, SSE_C, policy } from './enc-fixtures';
import { ruleTester } from './rule-tester';

const allowAuth = (authType: string) =>
  `{"Sid": "Uploads", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/uploader"}, "Action": "s3:PutObject", "Resource": "${B}/*", "Condition": {"StringEquals": {"s3:authType": "${authType}"}}}`;
const denyPut = (condition: string) =>
  `{"Sid": "RequireKms", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "${B}/*", "Condition": ${condition}}`;
const strict = denyPut(`{"StringNotEquals": {"${SSE}": "aws:kms"}}`);

ruleTester(enc016, {
  valid: [
    { name: 'header-required Deny, no sign of POST or presigned uploads', code: policy(strict) },
    {
      name: 'POST uploads under the default-friendly Deny',
      code: policy(allowAuth('POST'), denyPut(`{"StringNotEquals": {"${SSE}": "aws:kms"}, "Null": {"${SSE}": "false"}}`)),
    },
    {
      name: 'the Deny spares POST uploads',
      code: policy(allowAuth('POST'), denyPut(`{"StringNotEquals": {"${SSE}": "aws:kms", "s3:authType": "POST"}}`)),
    },
  ],
  invalid: [
    {
      name: 'browser POST uploads',
      code: policy(allowAuth('POST'), strict),
      errors: [
        {
          target: '"StringNotEquals"',
          severity: 'info',
          messageId: 'deniedWithoutHeader',
          message:
            /^Statement "RequireKms" denies browser POST uploads that carry no encryption header\. The policy expects browser POST uploads \(s3:authType POST\), and the statement denies them when they carry no encryption header: send x-amz-server-side-encryption .* as form fields, and allow those fields in the POST policy document/,
        },
      ],
    },
    {
      name: 'presigned URLs',
      code: policy(allowAuth('REST-QUERY-STRING'), strict),
      errors: [
        {
          target: '"StringNotEquals"',
          messageId: 'deniedWithoutHeader',
          message: /uploads through presigned URLs .*sign the x-amz-server-side-encryption header/,
        },
      ],
    },
    {
      name: 'SSE-C required and presigned URLs',
      code: policy(allowAuth('REST-QUERY-STRING'), denyPut(`{"Null": {"${SSE_C}": "true"}}`)),
      errors: [
        {
          target: '"Null"',
          messageId: 'deniedWithoutHeader',
          message: /SSE-C presigned URLs cannot be used from a plain browser address bar/,
        },
      ],
    },
  ],
});
