import { kms016 } from '../../../core/rules/kms/KMS-016-cross-account-principals';
import { KEY_ARN, OTHER, keyPolicy, rootStatement } from './kms-table-fixtures';
import { ruleTester } from './rule-tester';

const use = (principal: string, resource = '"*"') =>
  `{"Sid": "Allow an external account to use this KMS key", "Effect": "Allow", "Principal": {"AWS": ${principal}}, "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": ${resource}}`;

ruleTester(kms016, {
  valid: [
    { name: "principals of the key's own account", code: keyPolicy(rootStatement, use('"arn:aws:iam::111122223333:role/App"')) },
    { name: "the key's account unknown", code: keyPolicy(use(`"arn:aws:iam::${OTHER}:role/Partner"`)) },
    { name: "a unique ID is GRM-005's", code: keyPolicy(rootStatement, use('"AROA27HJSWAHEXAMPLE12"')) },
    {
      name: 'a Deny naming another account',
      code: keyPolicy(rootStatement, use(`"arn:aws:iam::${OTHER}:root"`).replace('"Allow"', '"Deny"')),
    },
  ],
  invalid: [
    {
      name: "AWS's external-account example",
      code: keyPolicy(rootStatement, use(`"arn:aws:iam::${OTHER}:root"`)),
      errors: [
        {
          target: `"arn:aws:iam::${OTHER}:root"`,
          severity: 'info',
          messageId: 'otherAccount',
          message:
            /^Account 444455556666 is not the key's account: its principals also need an IAM policy there\. Statement "Allow an external account to use this KMS key" names account 444455556666, not the key's account 111122223333: its principals can use the key only if an IAM policy in account 444455556666 also allows these actions on this key's ARN \(not an alias\), and the account is enabled in the key's Region\. Grant them in account 444455556666's IAM policies too\.$/,
        },
      ],
    },
    {
      name: 'one finding per account; the key ARN names the owner',
      code: keyPolicy(
        use(`["arn:aws:iam::${OTHER}:role/A", "arn:aws:iam::${OTHER}:role/B", "555566667777"]`, JSON.stringify(KEY_ARN)),
      ),
      errors: [
        { target: `"arn:aws:iam::${OTHER}:role/A"`, messageId: 'otherAccount' },
        { target: '"555566667777"', messageId: 'otherAccount', message: /^Account 555566667777 .*names account 555566667777/ },
      ],
    },
  ],
});
