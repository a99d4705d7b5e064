import { grm013 } from '../../../core/rules/grammar/GRM-013-wildcard-without-like';
import { ruleTester } from './rule-tester';

const doc = (condition: string) =>
  `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": ${condition}}]}`;
const KEY_PATTERN = '"arn:aws:kms:*:111122223333:key/*"';

ruleTester(grm013, {
  valid: [
    { code: doc(`{"StringNotLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/app-*"}}`) },
    {
      name: 'ArnEquals honours wildcards like ArnLike',
      code: doc(
        `{"ArnEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": ${KEY_PATTERN}}, "ArnNotEquals": {"aws:SourceArn": "arn:aws:s3:::b-*"}}`,
      ),
    },
    { name: 'no wildcard', code: doc('{"StringEquals": {"s3:x-amz-server-side-encryption": ["aws:kms", "AES256"]}}') },
    { name: 'escaped ${*} and ${?} are literal characters', code: doc('{"StringEquals": {"s3:prefix": "literal${*}star${?}"}}') },
    { name: 'a policy variable alone is no wildcard', code: doc('{"StringEquals": {"s3:prefix": "home/${aws:username}"}}') },
    {
      name: 'other families are not String comparisons',
      code: doc('{"NumericEquals": {"s3:max-keys": "*"}, "ForAnyValue:StringLike": {"aws:TagKeys": "env-*"}}'),
    },
  ],
  invalid: [
    {
      name: 'docs/design/aws-facts.md example: ARN key gets ArnNotLike',
      code: doc(`{"StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": ${KEY_PATTERN}}}`),
      errors: [
        {
          target: KEY_PATTERN,
          severity: 'warning',
          messageId: 'negated',
          message:
            /^"StringNotEquals" takes \* and \? literally.*negated condition holds for practically every request.*Use "ArnNotLike"\. For a literal/,
        },
      ],
      fixAll: 'output',
      output: doc(`{"ArnNotLike": {"s3:x-amz-server-side-encryption-aws-kms-key-id": ${KEY_PATTERN}}}`),
    },
    {
      name: 'String key gets StringLike, prefix and suffix kept',
      code: doc('{"ForAnyValue:StringEqualsIfExists": {"aws:PrincipalTag/team": ["data-*", "ops"]}}'),
      errors: [
        { target: '"data-*"', messageId: 'literal', message: /practically never matches.*Use "ForAnyValue:StringLikeIfExists"/ },
      ],
      fixAll: 'unchanged',
      output: doc('{"ForAnyValue:StringLikeIfExists": {"aws:PrincipalTag/team": ["data-*", "ops"]}}'),
    },
    {
      name: 'IgnoreCase forms become case-sensitive Like',
      code: doc('{"StringEqualsIgnoreCase": {"s3:prefix": "Home/?"}}'),
      errors: [{ target: '"Home/?"', messageId: 'literal', message: /Use "StringLike" \(Like operators are case-sensitive\)/ }],
      fixAll: 'unchanged',
      output: doc('{"StringLike": {"s3:prefix": "Home/?"}}'),
    },
    {
      name: 'one key of several moves to its own block',
      code: doc(
        '{"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms", "aws:PrincipalArn": "arn:aws:iam::111122223333:role/*"}}',
      ),
      errors: [{ target: '"arn:aws:iam::111122223333:role/*"', messageId: 'negated', message: /Use "ArnNotLike"/ }],
      fixAll: 'output',
      output: doc(
        '{"StringNotEquals": { "s3:x-amz-server-side-encryption": "aws:kms" }, "ArnNotLike": { "aws:PrincipalArn": "arn:aws:iam::111122223333:role/*" }}',
      ),
    },
    {
      name: 'moves into an existing block of the target operator',
      code: doc('{"StringEquals": {"s3:prefix": "logs/*", "s3:delimiter": "/"}, "StringLike": {"s3:x-amz-acl": "private"}}'),
      errors: [{ target: '"logs/*"', messageId: 'literal' }],
      fixAll: 'unchanged',
      output: doc('{"StringEquals": { "s3:delimiter": "/" }, "StringLike": {"s3:prefix": "logs/*", "s3:x-amz-acl": "private"}}'),
    },
    {
      name: 'every value with a wildcard is reported; one fix covers the block',
      code: doc('{"StringNotEquals": {"s3:prefix": ["a*", "b?"], "aws:PrincipalTag/x": "*"}}'),
      errors: [
        { target: '"a*"', messageId: 'negated' },
        { target: '"b?"', messageId: 'negated' },
        { target: '"*"', occurrence: 2, messageId: 'negated' },
      ],
      fixAll: 'output',
      output: doc('{"StringNotLike": {"s3:prefix": ["a*", "b?"], "aws:PrincipalTag/x": "*"}}'),
    },
  ],
});
