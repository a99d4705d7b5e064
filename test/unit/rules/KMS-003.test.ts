import { kms003 } from '../../../core/rules/kms/KMS-003-wildcard-principal';
import { ruleTester } from './rule-tester';

const ROOT =
  '{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}';
const doc = (...s: string[]) => `{"Version": "2012-10-17", "Statement": [${s.join(', ')}]}`;
const star = (cond = '', principal = '"*"') =>
  `{"Sid": "S3", "Effect": "Allow", "Principal": ${principal}, "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"${cond}}`;

ruleTester(kms003, {
  valid: [
    { name: 'AWS default key policy', code: doc(ROOT) },
    {
      name: 'scoped with kms:CallerAccount (aws/s3 managed key form)',
      code: doc(
        ROOT,
        star(
          ', "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333", "kms:ViaService": "s3.us-east-1.amazonaws.com"}}',
        ),
      ),
    },
    {
      name: 'scoped with aws:PrincipalOrgID',
      code: doc(ROOT, star(', "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}')),
    },
    { name: 'a named partner account is not "*"', code: doc(ROOT, star('', '{"AWS": "arn:aws:iam::444455556666:root"}')) },
    {
      name: 'Principal "*" in a Deny',
      code: doc(
        ROOT,
        '{"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}',
      ),
    },
  ],
  invalid: [
    {
      name: 'docs/design/aws-facts.md bad example: no condition; the fix adds kms:CallerAccount',
      code: doc(ROOT, star()),
      errors: [
        {
          target: '"Principal"',
          occurrence: 2,
          severity: 'error',
          messageId: 'unscoped',
          message:
            /^Statement "S3" lets principals outside your accounts use the key\. Its Principal is "\*" with no kms:CallerAccount.*For example, arn:aws:iam::\d{12}:role\/other-principal calling kms:\w+ on this key .*is allowed by the key policy/,
        },
      ],
      output: doc(ROOT, star(', "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"}}')),
    },
    {
      name: '{"AWS": "*"} with kms:ViaService only: any account can call through S3',
      code: doc(ROOT, star(', "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}', '{"AWS": "*"}')),
      errors: [
        {
          target: '"Principal"',
          occurrence: 2,
          messageId: 'unscoped',
          message: /kms:ViaService = s3\.us-east-1\.amazonaws\.com/,
        },
      ],
      output: doc(
        ROOT,
        star(
          ', "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:CallerAccount": "111122223333"}}',
          '{"AWS": "*"}',
        ),
      ),
    },
    {
      name: 'a scoping key that scopes nothing (StringLike "*") is caught by the verdict',
      code: doc(ROOT, star(', "Condition": {"StringLike": {"kms:CallerAccount": "*"}}')),
      errors: [
        {
          target: '"Principal"',
          occurrence: 2,
          messageId: 'scopedButOpen',
          message:
            /lets principals outside your accounts use the key\. Its conditions do not keep other accounts out\. For example/,
        },
      ],
      output: doc(
        ROOT,
        star(', "Condition": {"StringLike": {"kms:CallerAccount": "*"}, "StringEquals": {"kms:CallerAccount": "111122223333"}}'),
      ),
    },
  ],
});
