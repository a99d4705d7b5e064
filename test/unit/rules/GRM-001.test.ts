import { grm001 } from '../../../core/rules/grammar/GRM-001-document-shape';
import { ruleTester } from './rule-tester';

const ST = '{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}';

ruleTester(grm001, {
  valid: [
    { code: `{"Version": "2012-10-17", "Statement": [${ST}]}` },
    { name: 'a lone statement object', code: `{"Version": "2012-10-17", "Id": "p1", "Statement": ${ST}}` },
  ],
  invalid: [
    { code: '[1, 2]', errors: [{ target: '[1, 2]', messageId: 'topLevelNotObject', message: /top level is an array/ }] },
    { code: '', errors: [{ target: '', messageId: 'empty', message: /empty.*"Statement"/ }] },
    {
      code: '{"Version": "2012-10-17"}',
      errors: [{ target: '{', messageId: 'noStatement', message: /no "Statement".*at least one statement/ }],
    },
    {
      code: '{"Version": "2012-10-17", "Statement": []}',
      errors: [{ target: '[]', messageId: 'emptyStatement', message: /empty.*AWS rejects an empty list/ }],
    },
    { code: '{"Statement": "x"}', errors: [{ target: '"x"', messageId: 'statementWrongType', message: /not a string/ }] },
    {
      code: `{"Statement": [${ST}, 5]}`,
      errors: [{ target: '5', messageId: 'statementNotObject', message: /must be a JSON object, not a number/ }],
    },
    {
      name: 'unknown top-level element with a case typo',
      code: `{"version": "2012-10-17", "Statement": [${ST}]}`,
      errors: [
        {
          target: '"version"',
          messageId: 'unknownElementTypo',
          message: /Unknown element "version" at the top level: AWS rejects the policy\. Did you mean "Version"/,
        },
      ],
      fixAll: 'output',
      output: `{"Version": "2012-10-17", "Statement": [${ST}]}`,
    },
    {
      name: 'Condition at the top level',
      code: `{"Statement": [${ST}], "Condition": {}}`,
      errors: [
        {
          target: '"Condition"',
          messageId: 'unknownElement',
          message: /Unknown element "Condition" at the top level.*Allowed at the top level: Version, Id, Statement\./,
        },
      ],
    },
    {
      name: 'misspelt statement element',
      code: '{"Statement": [{"Effect": "Deny", "Principal": "*", "Actions": "s3:*", "Resource": "*"}]}',
      errors: [{ target: '"Actions"', messageId: 'unknownElementTypo', message: /in a statement.*Did you mean "Action"/ }],
      fixAll: 'unchanged',
      output: '{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}',
    },
    {
      name: 'duplicate operator blocks are merged',
      code: '{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}, "StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/k"}}}]}',
      errors: [
        { target: '"StringNotEquals"', messageId: 'duplicateKey', message: /Duplicate key "StringNotEquals".*has no effect/ },
      ],
      fixAll: 'unchanged',
      output:
        '{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"StringNotEquals": { "s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/k" }}}]}',
    },
    {
      name: 'duplicate scalar keeps the later one',
      code: `{"Version": "2008-10-17", "Version": "2012-10-17", "Statement": [${ST}]}`,
      errors: [{ target: '"Version"', messageId: 'duplicateKey', message: /silently replaces/ }],
      fixAll: 'unchanged',
      output: `{"Version": "2012-10-17", "Statement": [${ST}]}`,
    },
  ],
});
