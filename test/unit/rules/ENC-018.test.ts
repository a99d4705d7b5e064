import { enc018 } from '../../../core/rules/encryption/ENC-018-aws-managed-key-cross-account';
import { B, KEY_ID, policy } from './enc-fixtures';
import { ruleTester } from './rule-tester';

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const allow = (principal: string, sid = 'PartnerWrites') =>
  `{"Sid": "${sid}", "Effect": "Allow", "Principal": {"AWS": "${principal}"}, "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "${B}/*"}`;
const pin = (value: string) =>
  `{"Sid": "Pin", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "${B}/*", "Condition": {"ArnNotEqualsIfExists": {"${KEY_ID}": "${value}"}}}`;

ruleTester(enc018, {
  valid: [
    { name: 'aws/s3 without other accounts', code: policy(pin('arn:aws:kms:us-east-1:111122223333:alias/aws/s3')) },
    { name: 'a customer managed key by ARN for a partner', code: policy(allow('arn:aws:iam::222233334444:root'), pin(KEY)) },
    {
      name: "the alias's own account only",
      code: policy(allow('arn:aws:iam::111122223333:role/app'), pin('arn:aws:kms:us-east-1:111122223333:alias/app')),
    },
  ],
  invalid: [
    {
      name: "docs/design/aws-facts.md's example: aws/s3 pinned with a writer from another account",
      code: policy(allow('arn:aws:iam::222233334444:root'), pin('arn:aws:kms:us-east-1:111122223333:alias/aws/s3')),
      errors: [
        {
          target: '"arn:aws:kms:us-east-1:111122223333:alias/aws/s3"',
          severity: 'warning',
          messageId: 'awsManagedKey',
          message:
            /^"alias\/aws\/s3" is the aws\/s3 AWS managed key, which account 222233334444 cannot use\. "arn:aws:kms:us-east-1:111122223333:alias\/aws\/s3" is the aws\/s3 AWS managed key: only principals of its own account can use it.* But statement "PartnerWrites" lets account 222233334444 upload or read objects/,
        },
      ],
    },
    {
      name: "a customer alias resolves in the writer's account",
      code: policy(allow('222233334444'), pin('arn:aws:kms:us-east-1:111122223333:alias/app')),
      errors: [
        {
          target: '"arn:aws:kms:us-east-1:111122223333:alias/app"',
          messageId: 'alias',
          message: /is an alias: account \d{12} writes with a key of its own\. KMS resolves an alias in the requester's account/,
        },
      ],
    },
    {
      name: 'a bare alias with principals of two accounts',
      code: policy(
        allow('arn:aws:iam::111122223333:role/app', 'OwnApp'),
        allow('arn:aws:iam::222233334444:role/partner'),
        pin('alias/aws/s3'),
      ),
      errors: [
        { target: '"alias/aws/s3"', messageId: 'awsManagedKey', message: /lets account 222233334444 upload or read objects/ },
      ],
    },
    {
      name: 'with exactly one key required ("kmsKeyArns"), the fix pins it (not safe: the partner needs grants in its key policy)',
      code: policy(allow('arn:aws:iam::222233334444:root'), pin('arn:aws:kms:us-east-1:111122223333:alias/aws/s3')),
      requirements: { kmsKeyArns: [KEY] },
      errors: [
        {
          target: '"arn:aws:kms:us-east-1:111122223333:alias/aws/s3"',
          messageId: 'awsManagedKey',
          message: /aws\/s3 AWS managed key/,
        },
      ],
      fixAll: 'unchanged',
      output: policy(allow('arn:aws:iam::222233334444:root'), pin(KEY)),
    },
    {
      name: "with two keys required the choice is the author's: no fix",
      code: policy(allow('222233334444'), pin('arn:aws:kms:us-east-1:111122223333:alias/app')),
      requirements: { kmsKeyArns: [KEY, KEY.replace('1234abcd', '5678abcd')] },
      errors: [{ target: '"arn:aws:kms:us-east-1:111122223333:alias/app"', messageId: 'alias', message: /is an alias/ }],
      fixAll: 'output',
      output: policy(allow('222233334444'), pin('arn:aws:kms:us-east-1:111122223333:alias/app')),
    },
  ],
});
