import assert from 'node:assert/strict';
import { it } from 'node:test';
import { enc005 } from '../../../core/rules/encryption/ENC-005-allow-instead-of-deny';
import { canonical, policy, withAdded } from './enc-fixtures';
import { ruleTester, tableSuite } from './rule-tester';
import { decisions } from './verdict-helpers';

const allow = (condition: string, action = '"s3:PutObject"') =>
  `{"Sid": "OnlyKms", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": ${action}, "Resource": "arn:aws:s3:::b/*", "Condition": ${condition}}`;
const deny = (sid: string, cond: string) =>
  `{"Sid":"${sid}","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":${cond}}`;
/** A statement the fix adds after a one-line statement written with spaces. */
const added = (sid: string, cond: string) => canonical(sid, JSON.parse(cond));
const kmsAllow = allow('{"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}');
const defaultFriendly = [
  deny(
    'Kms',
    '{"StringNotEqualsIfExists":{"s3:x-amz-server-side-encryption":"aws:kms"},"Null":{"s3:x-amz-server-side-encryption":"false"}}',
  ),
  deny('NoSseC', '{"Null":{"s3:x-amz-server-side-encryption-customer-algorithm":"false"}}'),
];
const roleOnlyDeny =
  '{"Sid":"D","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}}';
const mirrorFixed = withAdded(
  policy(kmsAllow),
  deny('DenyUploadsWithoutRequiredEncryption', '{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}'),
);

ruleTester(enc005, {
  valid: [
    {
      name: 'an Allow beside the enforcing Deny',
      code: policy(
        allow('{"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}'),
        deny('D', '{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}'),
      ),
    },
    {
      name: 'an Allow on reads',
      code: policy(allow('{"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}', '"s3:GetObject"')),
    },
    { name: 'an Allow without encryption conditions', code: policy(allow('{"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}')) },
    {
      name: 'a negated condition on an Allow is not a requirement',
      code: policy(allow('{"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}}')),
    },
    {
      name: 'beside the default-friendly Deny: only header-less uploads pass, and they get default encryption',
      code: policy(kmsAllow, ...defaultFriendly),
    },
    {
      name: 'other conditions of the Allow do not matter, only what the policy denies',
      code: policy(
        allow('{"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}, "IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}'),
        deny('D', '{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}'),
      ),
    },
  ],
  invalid: [
    {
      name: 'Allow if aws:kms: the fix adds the mirror Deny',
      code: policy(allow('{"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}')),
      errors: [
        {
          target: '"Allow"',
          severity: 'warning',
          messageId: 'allowDoesNotEnforce',
          message:
            /^Statement "OnlyKms" requires encryption in an Allow condition, which does not enforce it\. It allows uploads only with x-amz-server-side-encryption = aws:kms, but/,
        },
      ],
      fixAll: 'unchanged',
      output: withAdded(
        policy(allow('{"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}')),
        added('DenyUploadsWithoutRequiredEncryption', '{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}'),
      ),
    },
    {
      name: 'algorithm and key: one Deny per header (the Allow ANDs them)',
      code: policy(
        allow(
          '{"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:eu-west-1:111122223333:key/k"}}',
          '["s3:Put*"]',
        ),
      ),
      errors: [
        {
          target: '"Allow"',
          messageId: 'allowDoesNotEnforce',
          message: /aws:kms and x-amz-server-side-encryption-aws-kms-key-id = arn:aws:kms/,
        },
      ],
      fixAll: 'unchanged',
      output: withAdded(
        policy(
          allow(
            '{"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:eu-west-1:111122223333:key/k"}}',
            '["s3:Put*"]',
          ),
        ),
        added('DenyUploadsWithoutRequiredEncryption', '{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}'),
        added(
          'DenyUploadsWithAnotherKmsKey',
          '{"ArnNotEquals":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:eu-west-1:111122223333:key/k"}}',
        ),
      ),
    },
    {
      name: 'wildcard actions and Like patterns',
      code: policy(allow('{"StringLike": {"s3:x-amz-server-side-encryption": ["aws:kms*"]}}', '"s3:*"')),
      errors: [{ target: '"Allow"', messageId: 'allowDoesNotEnforce' }],
      fixAll: 'unchanged',
      output: withAdded(
        policy(allow('{"StringLike": {"s3:x-amz-server-side-encryption": ["aws:kms*"]}}', '"s3:*"')),
        added('DenyUploadsWithoutRequiredEncryption', '{"StringNotLike":{"s3:x-amz-server-side-encryption":"aws:kms*"}}'),
      ),
    },
    {
      name: 'two Allows are reported each',
      code: policy(
        allow('{"StringEquals": {"s3:x-amz-server-side-encryption": "AES256"}}'),
        allow('{"StringEquals": {"s3:x-amz-server-side-encryption-customer-algorithm": "AES256"}}'),
      ),
      errors: [
        { target: '"Allow"', occurrence: 1, messageId: 'allowDoesNotEnforce' },
        { target: '"Allow"', occurrence: 2, messageId: 'allowDoesNotEnforce' },
      ],
    },
    {
      name: 'a Deny for one role does not cover the others: the witness says who gets through',
      code: policy(kmsAllow, roleOnlyDeny),
      errors: [
        {
          target: '"Allow"',
          messageId: 'allowDoesNotEnforce',
          message:
            /and no Deny stops them\. For example, an anonymous caller calling s3:PutObject on arn:aws:s3:::b\/\S+ over HTTPS \(.*s3:x-amz-server-side-encryption = AES256\)/,
        },
      ],
      fixAll: 'unchanged',
      output: withAdded(
        policy(kmsAllow, roleOnlyDeny),
        deny('DenyUploadsWithoutRequiredEncryption', '{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}'),
      ),
    },
    {
      name: 'header-less uploads count when the requirements say they must be denied',
      code: policy(kmsAllow, ...defaultFriendly),
      requirements: { headerlessUploads: 'deny' },
      errors: [
        {
          target: '"Allow"',
          messageId: 'allowDoesNotEnforce',
          message:
            /For example, an anonymous caller calling s3:PutObject on arn:aws:s3:::b\/\S+ over HTTPS \(s3:TlsVersion = 1\.3\) is not denied by this policy \([^)]*\)\./,
        },
      ],
    },
  ],
});

tableSuite('ENC-005 fixes re-analysed', () => {
  it('the mirror Deny denies every upload the Allow rejects', () => {
    const d = decisions(mirrorFixed);
    for (const k of ['none', 'AES256', 'aws:kms:dsse', 'aws:kms:dsse/other', 'SSE-C']) assert.equal(d[k], 'denied', k);
    assert.equal(d['aws:kms'], 'not-denied');
  });
});
