import { grm003 } from '../../../core/rules/grammar/GRM-003-effect';
import { ruleTester } from './rule-tester';

const st = (effect: string) =>
  `{"Version": "2012-10-17", "Statement": [{"Effect": ${effect}, "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}`;

ruleTester(grm003, {
  valid: [
    { code: st('"Deny"') },
    { code: st('"Allow"') },
    {
      name: 'several statements',
      code: '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}, {"Sid": "x", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}',
    },
    {
      name: 'identity policy',
      kind: 'identity-policy',
      code: '{"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}',
    },
    { name: 'no statements: left to GRM-001', code: '{"Version": "2012-10-17", "Statement": []}' },
  ],
  invalid: [
    {
      name: 'lower case',
      code: st('"deny"'),
      errors: [
        {
          target: '"deny"',
          messageId: 'invalidTypo',
          message:
            /^"Effect" is "deny": AWS accepts only "Allow" or "Deny" \(case-sensitive\)\. AWS rejects the policy\. Change it to "Deny"\.$/,
        },
      ],
      output: st('"Deny"'),
      fixAll: 'output',
    },
    // Case and spaces are safe for "fix all"; a guess is not (Allow and Deny are opposites).
    {
      name: 'upper case',
      code: st('"ALLOW"'),
      errors: [{ target: '"ALLOW"', messageId: 'invalidTypo' }],
      output: st('"Allow"'),
      fixAll: 'output',
    },
    {
      name: 'stray spaces',
      code: st('" Deny "'),
      errors: [{ target: '" Deny "', messageId: 'invalidTypo' }],
      output: st('"Deny"'),
      fixAll: 'output',
    },
    {
      name: 'inflected',
      code: st('"Denied"'),
      errors: [{ target: '"Denied"', messageId: 'invalidTypo', message: /"Deny"/ }],
      output: st('"Deny"'),
      fixAll: 'unchanged',
    },
    {
      name: 'typo',
      code: st('"Alow"'),
      errors: [{ target: '"Alow"', messageId: 'invalidTypo', message: /"Allow"/ }],
      output: st('"Allow"'),
      fixAll: 'unchanged',
    },
    {
      name: 'no close name: no fix',
      code: st('"Permit"'),
      errors: [{ target: '"Permit"', messageId: 'invalid', message: /Use "Allow" or "Deny"/ }],
      output: st('"Permit"'),
    },
    {
      name: 'not a string',
      code: st('true'),
      errors: [{ target: 'true', messageId: 'notString', message: /not a string/ }],
      output: st('true'),
    },
    {
      name: 'missing Effect',
      code: '{"Statement": [{"Sid": "NoEffect", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}',
      errors: [{ target: '{', occurrence: 2, messageId: 'missing', message: /^Statement "NoEffect" has no "Effect"/ }],
    },
  ],
});
