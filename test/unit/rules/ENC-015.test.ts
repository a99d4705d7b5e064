import { enc015 } from '../../../core/rules/encryption/ENC-015-sse-c-multipart-copy';
import { B, SSE_C, httpDeny, policy } from './enc-fixtures';
import { ruleTester } from './rule-tester';

const denyPut = (condition: string, principal = '"*"') =>
  `{"Sid": "RequireSseC", "Effect": "Deny", "Principal": ${principal}, "Action": "s3:PutObject", "Resource": "${B}/*", "Condition": ${condition}}`;

ruleTester(enc015, {
  valid: [
    { name: 'banning SSE-C', code: policy(denyPut(`{"Null": {"${SSE_C}": "false"}}`)) },
    { name: 'no SSE-C statement', code: policy(httpDeny) },
    {
      name: 'SSE-C required for one role only',
      code: policy(denyPut(`{"Null": {"${SSE_C}": "true"}}`, '{"AWS": "arn:aws:iam::111122223333:role/app"}')),
    },
  ],
  invalid: [
    {
      name: 'Null "true" on the customer algorithm',
      code: policy(denyPut(`{"Null": {"${SSE_C}": "true"}}`)),
      errors: [
        {
          target: '"Null"',
          severity: 'warning',
          messageId: 'multipartCopyFails',
          message:
            /^Statement "RequireSseC" requires SSE-C headers, which CompleteMultipartUpload never sends\. It requires SSE-C on every upload request\. Users report multipart copies \(e\.g\. the Java TransferManager\) failing at CompleteMultipartUpload/,
        },
      ],
    },
    {
      name: 'a negated comparison on the customer algorithm',
      code: policy(denyPut(`{"StringNotEquals": {"${SSE_C}": "AES256"}}`)),
      errors: [{ target: '"StringNotEquals"', messageId: 'multipartCopyFails' }],
    },
    {
      name: 'beside the HTTPS Deny',
      code: policy(httpDeny, denyPut(`{"Null": {"${SSE_C}": "true"}}`)),
      errors: [{ target: '"Null"', messageId: 'multipartCopyFails', message: /Scope the requirement/ }],
    },
  ],
});
