import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runRule } from '../../../core/analyze';
import { parsePolicy } from '../../../core/policy/parse';
import { fixAll } from '../../../core/rules/fixes';
import { kms013 } from '../../../core/rules/kms/KMS-013-no-effect-in-key-policy';
import { allowApp, assertFixedAway, keyPolicy, rootStatement } from './kms-table-fixtures';
import { ruleTester } from './rule-tester';

const admin = (actions: string) =>
  `{"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Admin"}, "Action": ${actions}, "Resource": "*"}`;

ruleTester(kms013, {
  valid: [
    {
      name: "the console's administrator wildcards",
      code: keyPolicy(
        rootStatement,
        admin(
          '["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"]',
        ),
      ),
    },
    {
      name: 'alias actions also act on the key',
      code: keyPolicy(rootStatement, admin('["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"]')),
    },
    {
      name: 'kms:RequestAlias is fine in a key policy',
      code: keyPolicy(rootStatement, allowApp('"kms:Decrypt"', '{"StringEquals": {"kms:RequestAlias": "alias/app"}}')),
    },
  ],
  invalid: [
    {
      name: "docs/design/aws-facts.md's example plus a real key action: each one can be removed",
      code: keyPolicy(rootStatement, admin('["kms:DescribeKey", "kms:CreateKey", "kms:ListAliases"]')),
      errors: [
        {
          target: '"kms:CreateKey"',
          severity: 'warning',
          messageId: 'noKeyAction',
          message:
            /^"kms:CreateKey" acts on no particular key, so in a key policy it never applies\. Only IAM policies can allow it\. Remove it here and grant it in the principal's IAM policy\.$/,
        },
        { target: '"kms:ListAliases"', messageId: 'noKeyAction' },
      ],
      output: keyPolicy(rootStatement, admin('["kms:DescribeKey", "kms:ListAliases"]')),
    },
    {
      name: 'nothing else in the list: no fix',
      code: keyPolicy(rootStatement, admin('["kms:CreateKey", "kms:ListAliases"]')),
      errors: [
        { target: '"kms:CreateKey"', messageId: 'noKeyAction' },
        { target: '"kms:ListAliases"', messageId: 'noKeyAction' },
      ],
      output: keyPolicy(rootStatement, admin('["kms:CreateKey", "kms:ListAliases"]')),
    },
    {
      name: 'a lone action',
      code: keyPolicy(rootStatement, admin('"kms:ListKeys"')),
      errors: [{ target: '"kms:ListKeys"', messageId: 'noKeyAction' }],
    },
    {
      name: 'a wildcard naming only account-level actions, and GenerateRandom',
      code: keyPolicy(rootStatement, admin('["kms:*CustomKeyStore*", "kms:GenerateRandom", "kms:Decrypt"]')),
      errors: [
        { target: '"kms:*CustomKeyStore*"', messageId: 'noKeyAction' },
        { target: '"kms:GenerateRandom"', messageId: 'noKeyAction' },
      ],
      output: keyPolicy(rootStatement, admin('["kms:Decrypt"]')),
    },
    {
      name: 'kms:ResourceAliases is for IAM policies only',
      code: keyPolicy(
        rootStatement,
        allowApp('"kms:Decrypt"', '{"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/app"}}'),
      ),
      errors: [
        {
          target: '"kms:ResourceAliases"',
          messageId: 'resourceAliases',
          message:
            /^"kms:ResourceAliases" is valid only in IAM policies, not in key policies: here it controls nothing\. Move it to the principals' IAM policy, or test the alias in the request with kms:RequestAlias\.$/,
        },
      ],
    },
  ],
});

describe('KMS-013 fixes re-analysed', () => {
  it('after removing both actions one by one, nothing is left to report', () => {
    const once = keyPolicy(rootStatement, admin('["kms:DescribeKey", "kms:ListAliases"]'));
    assertFixedAway(kms013, once, /kms:CreateKey/);
    assertFixedAway(kms013, keyPolicy(rootStatement, admin('["kms:DescribeKey"]')));
    assert.ok(!once.includes('CreateKey'));
  });
  it('"fix all" removes the actions that never apply (it changes no decision)', () => {
    const text = keyPolicy(rootStatement, admin('["kms:DescribeKey", "kms:CreateKey", "kms:ListAliases"]'));
    const r = fixAll(text, t => runRule(kms013, parsePolicy(t), 'key-policy'));
    assert.equal(r.text, keyPolicy(rootStatement, admin('["kms:DescribeKey"]')));
  });
});
