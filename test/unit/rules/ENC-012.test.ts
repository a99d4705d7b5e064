import assert from 'node:assert/strict';
import { it } from 'node:test';
import { evaluatePolicy } from '../../../core/engine/evaluate';
import { witnessToRequest } from '../../../core/engine/verdict';
import { parsePolicy } from '../../../core/policy/parse';
import { enc012 } from '../../../core/rules/encryption/ENC-012-sse-condition-on-other-actions';
import { B, SSE, policy } from './enc-fixtures';
import { ruleTester, tableSuite } from './rule-tester';
import { decisions } from './verdict-helpers';

const deny = (action: string, resource: string, condition: string) =>
  `{"Sid": "D", "Effect": "Deny", "Principal": "*", ${action}, "Resource": ${resource}, "Condition": ${condition}}`;
const bothArns = `["${B}", "${B}/*"]`;

const getDenied = (text: string) =>
  evaluatePolicy(
    parsePolicy(text),
    witnessToRequest({
      principal: 'anonymous',
      action: 's3:GetObject',
      resource: `${B}/report.csv`,
      'aws:SecureTransport': true,
    }),
  ).decision === 'explicit-deny';

const everything = policy(deny('"Action": "s3:*"', bothArns, `{"Null": {"${SSE}": "true"}}`));
const narrowed = policy(deny('"Action": "s3:PutObject"', `"${B}/*"`, `{"Null": {"${SSE}": "true"}}`));
const putAndGet = policy(
  deny('"Action": ["s3:PutObject", "s3:GetObject"]', `"${B}/*"`, `{"StringNotEquals": {"${SSE}": "aws:kms"}}`),
);
const putOnly = policy(deny('"Action": "s3:PutObject"', `"${B}/*"`, `{"StringNotEquals": {"${SSE}": "aws:kms"}}`));

ruleTester(enc012, {
  valid: [
    { name: 's3:PutObject only', code: narrowed },
    {
      name: 's3:* with a transport condition',
      code: policy(deny('"Action": "s3:*"', bothArns, '{"Bool": {"aws:SecureTransport": "false"}}')),
    },
    {
      name: 'Null "false" is false when the key is absent',
      code: policy(deny('"Action": "s3:*"', bothArns, `{"Null": {"${SSE}": "false"}}`)),
    },
    {
      name: 'StringEquals is false when the key is absent',
      code: policy(deny('"Action": "s3:*"', bothArns, `{"StringEquals": {"${SSE}": "AES256"}}`)),
    },
  ],
  invalid: [
    {
      name: 'docs/design/aws-facts.md\'s example: s3:* on both ARNs with Null "true"',
      code: everything,
      errors: [
        {
          target: '"s3:*"',
          severity: 'error',
          messageId: 'deniesEveryone',
          message:
            /^Statement "D" denies everyone \d{2,} actions whose requests never carry the encryption headers\. It denies s3:GetObject, s3:ListBucket, s3:DeleteObject, s3:GetBucketPolicy, s3:PutEncryptionConfiguration and \d{2,} more actions to everyone: their requests never carry the encryption headers.*The bucket becomes unreadable/,
        },
      ],
      fixAll: 'output',
      output: narrowed,
    },
    {
      name: 'GetObject listed beside PutObject',
      code: putAndGet,
      errors: [
        {
          target: '["s3:PutObject", "s3:GetObject"]',
          messageId: 'deniesEveryone',
          message: /^Statement "D" denies everyone 1 action whose .* It denies s3:GetObject to everyone/,
        },
      ],
      fixAll: 'output',
      output: putOnly,
    },
    {
      name: '"s3:Put*" on objects: PutObjectAcl, PutObjectTagging and the other object writes are denied to everyone (they never carry the header)',
      code: policy(deny('"Action": "s3:Put*"', `"${B}/*"`, `{"StringNotEquals": {"${SSE}": "aws:kms"}}`)),
      errors: [
        {
          target: '"s3:Put*"',
          messageId: 'deniesEveryone',
          message:
            /^Statement "D" denies everyone \d+ actions .* It denies s3:PutObjectAcl, .*s3:PutObjectTagging.* to everyone: .*Those calls fail for everyone/,
        },
      ],
      fixAll: 'output',
      output: putOnly,
    },
    {
      name: 'NotAction: reported, no automatic narrowing',
      code: policy(deny('"NotAction": "s3:GetObject"', bothArns, `{"Null": {"${SSE}": "true"}}`)),
      errors: [{ target: '"s3:GetObject"', messageId: 'deniesEveryone', message: /denies s3:ListBucket, s3:DeleteObject/ }],
      fixAll: 'output',
      output: policy(deny('"NotAction": "s3:GetObject"', bothArns, `{"Null": {"${SSE}": "true"}}`)),
    },
  ],
});

tableSuite('ENC-012 fixes re-analysed', () => {
  it('reads are no longer denied; uploads keep their decisions', () => {
    assert.equal(getDenied(everything), true);
    assert.equal(getDenied(narrowed), false);
    assert.deepEqual(decisions(narrowed), decisions(everything));
    assert.equal(getDenied(putAndGet), true);
    assert.equal(getDenied(putOnly), false);
    assert.deepEqual(decisions(putOnly), decisions(putAndGet));
  });
});
