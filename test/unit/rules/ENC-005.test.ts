import { enc005 } from '../../../server/src/rules/encryption/ENC-005-allow-instead-of-deny';
import { ruleTester } from './rule-tester';

const allow = (condition: string, action = '"s3:PutObject"') =>
  `{"Sid": "OnlyKms", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": ${action}, "Resource": "arn:aws:s3:::b/*", "Condition": ${condition}}`;
const policy = (...sts: string[]) => `{"Version": "2012-10-17", "Statement": [${sts.join(', ')}]}`;
const withAdded = (code: string, ...added: string[]) => code.replace(/\]\}$/, `, ${added.join(', ')}]}`);
const deny = (sid: string, cond: string) => `{"Sid":"${sid}","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":${cond}}`;

ruleTester(enc005, {
  valid: [
    { name: 'an Allow beside the enforcing Deny', code: policy(allow('{"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}'), deny('D', '{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}')) },
    { name: 'an Allow on reads', code: policy(allow('{"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}', '"s3:GetObject"')) },
    { name: 'an Allow without encryption conditions', code: policy(allow('{"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}')) },
    { name: 'a negated condition on an Allow is not a requirement', code: policy(allow('{"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}}')) },
  ],
  invalid: [
    {
      name: 'Allow if aws:kms: the fix adds the mirror Deny',
      code: policy(allow('{"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}')),
      errors: [{ target: '"Allow"', severity: 'warning', message: /allows uploads only with x-amz-server-side-encryption = aws:kms, but an Allow does not enforce that/ }],
      output: withAdded(policy(allow('{"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}')),
        deny('DenyUploadsWithoutRequiredEncryption', '{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}')),
    },
    {
      name: 'algorithm and key: one Deny per header (the Allow ANDs them)',
      code: policy(allow('{"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:eu-west-1:111122223333:key/k"}}', '["s3:Put*"]')),
      errors: [{ target: '"Allow"', message: /aws:kms and x-amz-server-side-encryption-aws-kms-key-id = arn:aws:kms/ }],
      output: withAdded(policy(allow('{"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:eu-west-1:111122223333:key/k"}}', '["s3:Put*"]')),
        deny('DenyUploadsWithoutRequiredEncryption', '{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}'),
        deny('DenyUploadsWithAnotherKmsKey', '{"ArnNotEquals":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:eu-west-1:111122223333:key/k"}}')),
    },
    {
      name: 'wildcard actions and Like patterns',
      code: policy(allow('{"StringLike": {"s3:x-amz-server-side-encryption": ["aws:kms*"]}}', '"s3:*"')),
      errors: [{ target: '"Allow"' }],
      output: withAdded(policy(allow('{"StringLike": {"s3:x-amz-server-side-encryption": ["aws:kms*"]}}', '"s3:*"')),
        deny('DenyUploadsWithoutRequiredEncryption', '{"StringNotLike":{"s3:x-amz-server-side-encryption":"aws:kms*"}}')),
    },
    {
      name: 'two Allows are reported each',
      code: policy(allow('{"StringEquals": {"s3:x-amz-server-side-encryption": "AES256"}}'), allow('{"StringEquals": {"s3:x-amz-server-side-encryption-customer-algorithm": "AES256"}}')),
      errors: [{ target: '"Allow"', occurrence: 1 }, { target: '"Allow"', occurrence: 2 }],
    },
  ],
});
