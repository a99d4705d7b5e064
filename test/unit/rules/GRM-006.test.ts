import { grm006 } from '../../../core/rules/grammar/GRM-006-not-principal';
import { ruleTester } from './rule-tester';

const R = '"Action": "s3:*", "Resource": "arn:aws:s3:::b/*"';
const deny = (notPrincipal: string, rest = '') =>
  `{"Statement": [{"Effect": "Deny", "NotPrincipal": ${notPrincipal}, ${R}${rest}}]}`;
const rewritten = (arns: string, rest = '') =>
  `{"Statement": [{"Effect": "Deny", "Principal": "*", ${R}${rest}, "Condition": {"ArnNotLike": {"aws:PrincipalArn": ${arns}}}}]}`;

const ROLE = 'arn:aws:iam::111122223333:role/Admin';
const ACCOUNT = 'arn:aws:iam::111122223333:root';
const SESSION = 'arn:aws:sts::111122223333:assumed-role/Admin/alice';

ruleTester(grm006, {
  valid: [
    { name: 'account, role and session all listed', code: deny(`{"AWS": ["${ACCOUNT}", "${ROLE}", "${SESSION}"]}`) },
    {
      name: 'role with a path: the session names the role only',
      code: deny(`{"AWS": ["111122223333", "arn:aws:iam::111122223333:role/ops/Admin", "${SESSION}"]}`),
    },
    { name: 'user with its account', code: deny('{"AWS": ["arn:aws:iam::111122223333:user/alice", "111122223333"]}') },
    { name: 'account only', code: deny(`{"AWS": "${ACCOUNT}"}`) },
    { name: 'service principal', code: deny('{"Service": "cloudtrail.amazonaws.com"}') },
    { name: 'the recommended form', code: rewritten(`"${ROLE}"`) },
    {
      name: 'key policy',
      kind: 'key-policy',
      code: '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}',
    },
  ],
  invalid: [
    {
      name: 'Allow with NotPrincipal',
      code: `{"Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": "${ROLE}"}, ${R}}]}`,
      errors: [{ target: '"NotPrincipal"', messageId: 'allow', message: /everyone except.*anonymous/, severity: 'warning' }],
    },
    {
      name: 'role alone: rewritten to Principal "*" + ArnNotLike',
      code: deny(`{"AWS": "${ROLE}"}`),
      errors: [
        {
          target: `"${ROLE}"`,
          messageId: 'incompleteExemption',
          message:
            /^This Deny still applies to this role's sessions: NotPrincipal also needs the account and the session ARN\. .*the account .* and the session ARN .*assumed-role\/Admin\/SESSION.*still denied/,
          severity: 'warning',
        },
      ],
      fixAll: 'unchanged',
      output: rewritten(`"${ROLE}"`),
    },
    {
      name: 'role and account, no session: the account root stays exempt',
      code: deny(`{"AWS": ["${ROLE}", "111122223333"]}`),
      errors: [
        {
          target: `"${ROLE}"`,
          messageId: 'incompleteExemption',
          message: /needs the session ARN\. .*only if it also lists the session ARN/,
        },
      ],
      fixAll: 'unchanged',
      output: rewritten(`["${ROLE}", "${ACCOUNT}"]`),
    },
    {
      name: 'role and session, no account: a session pins one name, so no rewrite',
      code: deny(`{"AWS": ["${ROLE}", "${SESSION}"]}`),
      errors: [
        {
          target: `"${ROLE}"`,
          messageId: 'incompleteExemption',
          message: /only if it also lists the account \("arn:aws:iam::111122223333:root"\);/,
        },
      ],
      fixAll: 'output',
      output: deny(`{"AWS": ["${ROLE}", "${SESSION}"]}`),
    },
    {
      name: 'user without its account',
      code: deny('{"AWS": "arn:aws:iam::111122223333:user/alice"}'),
      errors: [
        {
          target: '"arn:aws:iam::111122223333:user/alice"',
          messageId: 'incompleteExemption',
          message: /^This Deny still applies to this user: NotPrincipal also needs the account\..*this user is still denied/,
        },
      ],
      fixAll: 'unchanged',
      output: rewritten('"arn:aws:iam::111122223333:user/alice"'),
    },
    {
      name: 'existing Condition gets an ArnNotLike block',
      code: deny(`{"AWS": "${ROLE}"}`, ', "Condition": {"Bool": {"aws:SecureTransport": "false"}}'),
      errors: [{ target: `"${ROLE}"`, messageId: 'incompleteExemption' }],
      fixAll: 'unchanged',
      output: `{"Statement": [{"Effect": "Deny", "Principal": "*", ${R}, "Condition": {"Bool": {"aws:SecureTransport": "false"}, "ArnNotLike": {"aws:PrincipalArn": "${ROLE}"}}}]}`,
    },
    {
      name: 'two roles: two findings, one rewrite',
      code: deny(`{"AWS": ["${ROLE}", "arn:aws:iam::111122223333:role/BreakGlass"]}`),
      errors: [
        { target: `"${ROLE}"`, messageId: 'incompleteExemption' },
        { target: '"arn:aws:iam::111122223333:role/BreakGlass"', messageId: 'incompleteExemption' },
      ],
      fixAll: 'unchanged',
      output: rewritten(`["${ROLE}", "arn:aws:iam::111122223333:role/BreakGlass"]`),
    },
    {
      name: 'multi-line statement',
      code: `{\n  "Statement": [\n    {\n      "Effect": "Deny",\n      "NotPrincipal": {"AWS": "${ROLE}"},\n      "Action": "s3:*"\n    }\n  ]\n}`,
      errors: [{ target: `"${ROLE}"`, messageId: 'incompleteExemption' }],
      fixAll: 'unchanged',
      output: `{\n  "Statement": [\n    {\n      "Effect": "Deny",\n      "Principal": "*",\n      "Action": "s3:*",\n      "Condition": {"ArnNotLike": {"aws:PrincipalArn": "${ROLE}"}}\n    }\n  ]\n}`,
    },
  ],
});
