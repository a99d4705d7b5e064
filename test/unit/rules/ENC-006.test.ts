import assert from 'node:assert/strict';
import { it } from 'node:test';
import { enc006 } from '../../../core/rules/encryption/ENC-006-string-equals-in-deny';
import { KEY, KEY_ID, SSE, denyPut, policy } from './enc-fixtures';
import { ruleTester, tableSuite } from './rule-tester';
import { decisions } from './verdict-helpers';

const inverted = (op: string, key = SSE, value = 'aws:kms') => policy(denyPut('RequireKms', `{"${op}": {"${key}": "${value}"}}`));

ruleTester(enc006, {
  valid: [
    { name: 'the negated operator requires the value', code: inverted('StringNotEquals') },
    {
      name: 'banning SSE-C with Null "false"',
      code: policy(denyPut('NoSseC', '{"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}}')),
    },
    {
      name: 'banning SSE-C with StringEquals on the customer algorithm',
      code: policy(denyPut('NoSseC', '{"StringEquals": {"s3:x-amz-server-side-encryption-customer-algorithm": "AES256"}}')),
    },
    {
      name: 'banning AES256 beside a Deny that requires aws:kms',
      code: policy(
        denyPut('Kms', `{"StringNotEqualsIfExists": {"${SSE}": "aws:kms"}, "Null": {"${SSE}": "false"}}`),
        denyPut('NoSseS3', `{"StringEquals": {"${SSE}": "AES256"}}`),
      ),
    },
    {
      name: 'banning an algorithm the requirements leave out',
      code: inverted('StringEquals', SSE, 'AES256'),
      requirements: { sse: ['aws:kms'] },
    },
    {
      name: 'StringEquals on the algorithm scoping a key pin',
      code: policy(denyPut('KmsKey', `{"StringEquals": {"${SSE}": "aws:kms"}, "ArnNotEquals": {"${KEY_ID}": "${KEY}"}}`)),
    },
    {
      name: "an Allow with StringEquals is ENC-005's",
      code: policy(
        `{"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"StringEquals": {"${SSE}": "aws:kms"}}}`,
      ),
    },
  ],
  invalid: [
    {
      name: 'StringEquals aws:kms in a Deny',
      code: inverted('StringEquals'),
      errors: [
        {
          target: '"StringEquals"',
          severity: 'error',
          messageId: 'inverted',
          message:
            /^Statement "RequireKms" denies uploads naming aws:kms and lets others through\. It denies uploads with aws:kms and no key id — the ones that name aws:kms — and lets others through\. For example, an anonymous caller calling s3:PutObject .*\. "StringEquals" in a Deny refuses the value it names; to require aws:kms, use "StringNotEquals"\.$/,
        },
      ],
      fixAll: 'unchanged',
      output: inverted('StringNotEquals'),
    },
    {
      name: 'IfExists is kept',
      code: inverted('StringEqualsIfExists', SSE, 'AES256'),
      errors: [{ target: '"StringEqualsIfExists"', messageId: 'inverted', message: /use "StringNotEqualsIfExists"/ }],
      fixAll: 'unchanged',
      output: inverted('StringNotEqualsIfExists', SSE, 'AES256'),
    },
    {
      name: 'a key pin written with ArnEquals denies the pinned key',
      code: inverted('ArnEquals', KEY_ID, KEY),
      errors: [
        {
          target: '"ArnEquals"',
          messageId: 'inverted',
          message:
            /^Statement "\w+" denies uploads naming key\/1234abcd… and lets others through\. It denies uploads with aws:kms and key\/1234abcd… .*lets others through\. For example, .*key\/00000000/,
        },
      ],
      fixAll: 'unchanged',
      output: inverted('ArnNotEquals', KEY_ID, KEY),
    },
    {
      name: 'StringLike with a pattern',
      code: inverted('StringLike', SSE, 'aws:kms*'),
      errors: [{ target: '"StringLike"', messageId: 'inverted' }],
      fixAll: 'unchanged',
      output: inverted('StringNotLike', SSE, 'aws:kms*'),
    },
    {
      name: 'ForAnyValue:StringEquals is reported without a fix (no plain negation)',
      code: inverted('ForAnyValue:StringEquals'),
      errors: [
        {
          target: '"ForAnyValue:StringEquals"',
          messageId: 'inverted',
          message: /use the negated operator \(StringNotEquals, ArnNotEquals\)\.$/,
        },
      ],
      fixAll: 'output',
      output: inverted('ForAnyValue:StringEquals'),
    },
  ],
});

tableSuite('ENC-006 fixes re-analysed', () => {
  it('after the flip the named algorithm gets through and the others are denied', () => {
    const before = decisions(inverted('StringEquals'));
    assert.equal(before['aws:kms'], 'denied');
    assert.equal(before.AES256, 'not-denied');
    const after = decisions(inverted('StringNotEquals'));
    assert.equal(after['aws:kms'], 'not-denied');
    assert.equal(after.AES256, 'denied');
    assert.equal(after['aws:kms:dsse'], 'denied');
  });
  it('after the flip only the pinned key gets through', () => {
    const after = decisions(inverted('ArnNotEquals', KEY_ID, KEY));
    assert.equal(after['aws:kms/named'], 'not-denied');
    assert.equal(after['aws:kms/other'], 'denied');
  });
});
