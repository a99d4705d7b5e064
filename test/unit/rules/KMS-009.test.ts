import { kms009 } from '../../../core/rules/kms/KMS-009-encryption-context-case';
import { allowApp, keyPolicy, rootStatement } from './kms-table-fixtures';
import { ruleTester } from './rule-tester';

const app = (condition: string) => keyPolicy(rootStatement, allowApp('["kms:Encrypt", "kms:Decrypt"]', condition));

ruleTester(kms009, {
  valid: [
    {
      name: 'the lower-case S3 context key with StringEquals',
      code: app('{"StringEquals": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::example-bucket"}}'),
    },
    {
      name: 'a mixed-case key pinned with kms:EncryptionContextKeys',
      code: app(
        '{"StringEquals": {"kms:EncryptionContext:Project": "Alpha"}, "ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "Project"}}',
      ),
    },
    { name: 'IgnoreCase on another key', code: app('{"StringEqualsIgnoreCase": {"aws:PrincipalTag/Team": "Data"}}') },
  ],
  invalid: [
    {
      name: "docs/design/aws-facts.md's example: a mixed-case context key and StringEqualsIgnoreCase",
      code: app('{"StringEqualsIgnoreCase": {"kms:EncryptionContext:Project": "Alpha"}}'),
      errors: [
        {
          target: '"kms:EncryptionContext:Project"',
          severity: 'info',
          messageId: 'keyAndValueCase',
          message:
            /^In "kms:EncryptionContext:Project", both the context key and its value are matched in any case\. The context key "Project" is matched in any case \("project" matches too\); to require this exact spelling, add "ForAnyValue:StringEquals": \{"kms:EncryptionContextKeys": "Project"\}\. And "StringEqualsIgnoreCase" accepts the value in any case, but KMS needs the exact, case-sensitive context to decrypt, .* use "StringEquals" unless that is intended\.$/,
        },
      ],
    },
    {
      name: 'a mixed-case context key alone',
      code: app('{"StringEquals": {"kms:EncryptionContext:AppName": "billing"}}'),
      errors: [
        {
          target: '"kms:EncryptionContext:AppName"',
          messageId: 'keyCase',
          message:
            /the context key "AppName" is matched in any case\. "appname" matches too; to require this exact spelling, .*\{"kms:EncryptionContextKeys": "AppName"\}\.$/,
        },
      ],
    },
    {
      name: 'IgnoreCase on the S3 context',
      code: app('{"StringNotEqualsIgnoreCase": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::example-bucket"}}'),
      errors: [
        {
          target: '"kms:EncryptionContext:aws:s3:arn"',
          messageId: 'valueCase',
          message:
            /^"StringNotEqualsIgnoreCase" accepts any case of the value, but KMS needs the exact context to decrypt\. In "kms:EncryptionContext:aws:s3:arn", KMS needs the exact, case-sensitive context to decrypt.*use "StringNotEquals" unless that is intended\.$/,
        },
      ],
    },
    {
      name: 'pinned with another spelling does not count',
      code: app(
        '{"StringEquals": {"kms:EncryptionContext:Project": "Alpha"}, "ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "project"}}',
      ),
      errors: [{ target: '"kms:EncryptionContext:Project"', messageId: 'keyCase' }],
    },
  ],
});
