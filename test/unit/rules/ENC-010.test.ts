import { enc010 } from '../../../core/rules/encryption/ENC-010-null-key-id-only';
import { KEY, KEY_ID, SSE, denyPut, policy } from './enc-fixtures';
import { ruleTester } from './rule-tester';

const nullKeyId = denyPut('DenyObjectsThatAreNotSSEKMS', `{"Null": {"${KEY_ID}": "true"}}`);

ruleTester(enc010, {
  valid: [
    {
      name: 'beside a key-ARN pin',
      code: policy(nullKeyId, denyPut('Pin', `{"ArnNotEqualsIfExists": {"${KEY_ID}": "${KEY}"}}`)),
    },
    {
      name: 'with "kmsKeyArns" set, ENC-008 reports the unmet requirement',
      code: policy(nullKeyId),
      requirements: { kmsKeyArns: [KEY] },
    },
    { name: 'Null "false" bans naming a key', code: policy(denyPut('NoKeyId', `{"Null": {"${KEY_ID}": "false"}}`)) },
    { name: 'no Null on the key id', code: policy(denyPut('Kms', `{"StringNotEquals": {"${SSE}": "aws:kms"}}`)) },
  ],
  invalid: [
    {
      name: 'AWS\'s "DenyObjectsThatAreNotSSEKMS": any key, and DSSE, get through',
      code: policy(nullKeyId),
      errors: [
        {
          target: '"Null"',
          severity: 'warning',
          messageId: 'anyKey',
          message:
            /^Statement "DenyObjectsThatAreNotSSEKMS" apparently requires some key id, not a particular key\. It apparently lets uploads with aws:kms and a key the policy does not name through\. For example, an anonymous caller calling s3:PutObject .*\. Uploads with aws:kms:dsse and a key the policy does not name get through as well\. If a specific key is the goal, add a Deny that pins its ARN \(ArnNotEqualsIfExists\) or set the requirement "kmsKeyArns"\.$/,
        },
      ],
    },
    {
      name: 'beside an algorithm Deny DSSE is denied, any aws:kms key still passes',
      code: policy(nullKeyId, denyPut('OnlyKms', `{"StringNotEquals": {"${SSE}": "aws:kms"}}`)),
      errors: [{ target: '"Null"', messageId: 'anyKey', message: /^(?!.*aws:kms:dsse).*For example, .*\. If a specific key/ }],
    },
    {
      name: 'NotAction that leaves s3:PutObject in',
      code: policy(nullKeyId.replace('"Action": "s3:PutObject"', '"NotAction": "s3:GetObject"')),
      errors: [{ target: '"Null"', messageId: 'anyKey' }],
    },
  ],
});
