import assert from 'node:assert/strict';
import { it } from 'node:test';
import { enc008 } from '../../../core/rules/encryption/ENC-008-key-pin-value';
import { KEY, KEY_ID, canonical, denyPut, httpDeny, policy, withAdded } from './enc-fixtures';
import { ruleTester, tableSuite } from './rule-tester';
import { decisions } from './verdict-helpers';

const pin = (op: string, value: string, principal?: string) =>
  denyPut('OnlyOurKey', `{"${op}": {"${KEY_ID}": "${value}"}}`, principal);

const friendlyPin = canonical('DenyUploadsWithAnotherKmsKey', {
  ArnNotEqualsIfExists: { [KEY_ID]: KEY },
  Null: { [KEY_ID]: 'false' },
});
const strictPin = canonical('DenyUploadsWithAnotherKmsKey', { ArnNotEqualsIfExists: { [KEY_ID]: KEY } });
const roleOnly = policy(pin('ArnNotEqualsIfExists', KEY, '{"AWS": "arn:aws:iam::111122223333:role/app"}'));

ruleTester(enc008, {
  valid: [
    { name: "AWS's example: ArnNotEqualsIfExists with the key ARN", code: policy(pin('ArnNotEqualsIfExists', KEY)) },
    { name: "template 3's key part", code: policy(httpDeny, friendlyPin) },
    { name: 'the "kmsKeyArns" requirement is met', code: policy(httpDeny, friendlyPin), requirements: { kmsKeyArns: [KEY] } },
    {
      name: 'Null on the key id takes true/false, not ARNs',
      code: policy(denyPut('NeedKeyId', `{"Null": {"${KEY_ID}": "true"}}`)),
    },
    { name: 'no pin and no requirement', code: policy(httpDeny) },
  ],
  invalid: [
    {
      name: 'an alias is not a key ARN',
      code: policy(pin('ArnNotEqualsIfExists', 'alias/app')),
      errors: [
        {
          target: '"alias/app"',
          severity: 'error',
          messageId: 'notAKeyArn',
          message:
            /^The key id header is compared with the alias "alias\/app", not with a key ARN\. It is compared with the alias "alias\/app"\. S3 requires the key ARN here .* a negated test then denies uploads that name the key by its ARN\. Use the full key ARN\.$/,
        },
      ],
      fixAll: 'output',
      output: policy(pin('ArnNotEqualsIfExists', 'alias/app')),
    },
    {
      name: 'a bare key id: the required key ARN it belongs to is substituted',
      code: policy(pin('ArnNotEqualsIfExists', '1234abcd-12ab-34cd-56ef-1234567890ab')),
      requirements: { kmsKeyArns: [KEY] },
      errors: [{ target: '"1234abcd-12ab-34cd-56ef-1234567890ab"', messageId: 'notAKeyArn', message: /the bare key id/ }],
      fixAll: 'output',
      output: policy(pin('ArnNotEqualsIfExists', KEY)),
    },
    {
      name: 'aws/s3 by its alias ARN',
      code: policy(pin('ArnNotEquals', 'arn:aws:kms:eu-west-1:111122223333:alias/aws/s3')),
      errors: [
        {
          target: '"arn:aws:kms:eu-west-1:111122223333:alias/aws/s3"',
          messageId: 'notAKeyArn',
          message:
            /^The key id header is compared with the alias ARN of alias\/aws\/s3, not with a key ARN\. It is compared with the alias ARN "arn:aws:kms:eu-west-1:111122223333:alias\/aws\/s3"\./,
        },
      ],
    },
    {
      name: 'a String operator on the key ARN is advice (same result for an exact ARN)',
      code: policy(pin('StringNotEqualsIfExists', KEY)),
      errors: [
        {
          target: '"StringNotEqualsIfExists"',
          severity: 'info',
          messageId: 'stringOperator',
          message:
            /^"StringNotEqualsIfExists" compares the key ARN as a string: AWS's examples use "ArnNotEqualsIfExists"\. .*AWS's examples use "ArnNotEqualsIfExists"; for an exact ARN the result is the same/,
        },
      ],
      fixAll: 'output',
      output: policy(pin('ArnNotEqualsIfExists', KEY)),
    },
    {
      name: '"kmsKeyArns" requirement without a pin: template 3\'s key part is inserted',
      code: policy(httpDeny),
      requirements: { kmsKeyArns: [KEY] },
      errors: [
        {
          target: '"Statement"',
          severity: 'warning',
          messageId: 'requiredKey',
          message:
            /^SSE-KMS uploads that name another key than key\/1234abcd… are not all denied \(requirement "kmsKeyArns"\)\. Your requirements accept only arn:aws:kms:eu-west-1:111122223333:key\/1234abcd-12ab-34cd-56ef-1234567890ab .* For example, an anonymous caller calling s3:PutObject .*s3:x-amz-server-side-encryption-aws-kms-key-id = arn:aws:kms:[^)]*key\/0{8}/,
        },
      ],
      fixAll: 'output',
      output: withAdded(policy(httpDeny), friendlyPin),
    },
    {
      name: "strict requirements get template 2's key part",
      code: policy(httpDeny),
      requirements: { kmsKeyArns: [KEY], sse: ['aws:kms'], headerlessUploads: 'deny' },
      errors: [{ target: '"Statement"', messageId: 'requiredKey' }],
      fixAll: 'output',
      output: withAdded(policy(httpDeny), strictPin),
    },
    {
      name: 'evident intent: a pin for one role lets other principals use another key',
      code: roleOnly,
      errors: [
        {
          target: '"Deny"',
          messageId: 'intendedKey',
          message:
            /^Statement "OnlyOurKey" misses uploads that name another KMS key than key\/1234abcd…\. It denies uploads that name another KMS key than .*, but not all of them: .* For example, an anonymous caller/,
        },
      ],
      fixAll: 'unchanged',
      output: withAdded(roleOnly, friendlyPin),
    },
  ],
});

tableSuite('ENC-008 fixes re-analysed', () => {
  it('the inserted pin denies uploads naming another key, and only those', () => {
    const d = decisions(withAdded(policy(httpDeny), friendlyPin));
    assert.equal(d['aws:kms/other'], 'denied');
    assert.equal(d['aws:kms:dsse/other'], 'denied');
    assert.equal(d['aws:kms/named'], 'not-denied');
    assert.equal(d['aws:kms'], 'not-denied');
    assert.equal(d.AES256, 'not-denied');
  });
  it('the strict pin also denies uploads that name no key', () => {
    const d = decisions(withAdded(policy(httpDeny), strictPin));
    assert.equal(d['aws:kms/other'], 'denied');
    assert.equal(d['aws:kms'], 'denied');
    assert.equal(d.none, 'denied');
  });
  it('the scope gap is closed', () => {
    assert.equal(decisions(withAdded(roleOnly, friendlyPin))['aws:kms/other'], 'denied');
  });
  it('the substituted ARN pins the required key', () => {
    const d = decisions(policy(pin('ArnNotEqualsIfExists', KEY)));
    assert.equal(d['aws:kms/named'], 'not-denied');
    assert.equal(d['aws:kms/other'], 'denied');
  });
});
