import assert from 'node:assert/strict';
import { it } from 'node:test';
import { enc007 } from '../../../core/rules/encryption/ENC-007-separate-negated-statements';
import { SSE, denyPut, policy } from './enc-fixtures';
import { ruleTester, tableSuite } from './rule-tester';
import { decisions } from './verdict-helpers';

const only = (sid: string, values: string, principal?: string) =>
  denyPut(sid, `{"StringNotEquals": {"${SSE}": ${values}}}`, principal);

const withReplication = only('OnlyDsse', '"aws:kms:dsse"').replace(
  '"Action": "s3:PutObject"',
  '"Action": ["s3:PutObject", "s3:ReplicateObject"]',
);
const twoStatements = policy(only('OnlyKms', '"aws:kms"'), only('OnlyDsse', '"aws:kms:dsse"'));
const merged = policy(only('OnlyKms', '["aws:kms", "aws:kms:dsse"]'));

// The same, pretty-printed: the merge keeps the layout of what stays.
const pretty = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyHttp",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:*",
      "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
      "Condition": { "Bool": { "aws:SecureTransport": "false" } }
    },
    {
      "Sid": "OnlyKms",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::b/*",
      "Condition": { "StringNotEquals": { "${SSE}": "aws:kms" } }
    },
    {
      "Sid": "OnlyDsse",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::b/*",
      "Condition": { "StringNotEquals": { "${SSE}": "aws:kms:dsse" } }
    }
  ]
}`;
const prettyMerged = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyHttp",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:*",
      "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
      "Condition": { "Bool": { "aws:SecureTransport": "false" } }
    },
    {
      "Sid": "OnlyKms",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::b/*",
      "Condition": { "StringNotEquals": { "${SSE}": ["aws:kms", "aws:kms:dsse"] } }
    }
  ]
}`;

ruleTester(enc007, {
  valid: [
    { name: 'one statement with a list', code: merged },
    { name: 'one algorithm, no requirement', code: policy(only('OnlyKms', '"aws:kms"')) },
    { name: 'two statements naming the same algorithm', code: policy(only('A', '"aws:kms"'), only('B', '"aws:kms"')) },
    {
      name: 'the list holds every algorithm the requirements accept',
      code: merged,
      requirements: { sse: ['aws:kms', 'aws:kms:dsse'] },
    },
    {
      name: 'default-friendly statements with IfExists and Null are a different shape',
      code: policy(denyPut('A', `{"StringNotEqualsIfExists": {"${SSE}": "aws:kms"}, "Null": {"${SSE}": "false"}}`)),
    },
  ],
  invalid: [
    {
      name: 'two statements: together they deny both algorithms; the fix merges them',
      code: twoStatements,
      errors: [
        {
          target: '"StringNotEquals"',
          occurrence: 2,
          severity: 'warning',
          messageId: 'eachDeniesTheOther',
          message:
            /^Statement "OnlyDsse" denies aws:kms, which another Deny accepts: together they deny both\. Statement "OnlyDsse" accepts only aws:kms:dsse and statement "OnlyKms" only aws:kms; each is its own Deny, so together they deny both: uploads with aws:kms and no key id are denied by this statement, uploads with aws:kms:dsse and no key id by statement "OnlyKms"\./,
        },
      ],
      fixAll: 'unchanged',
      output: merged,
    },
    {
      name: 'pretty-printed: the second statement goes with its comma',
      code: pretty,
      errors: [{ target: '"StringNotEquals"', occurrence: 2, messageId: 'eachDeniesTheOther' }],
      fixAll: 'unchanged',
      output: prettyMerged,
    },
    {
      name: 'statements that differ in more than the value are reported without a fix',
      code: policy(only('OnlyKms', '"aws:kms"'), withReplication),
      errors: [{ target: '"StringNotEquals"', occurrence: 2, messageId: 'eachDeniesTheOther' }],
      fixAll: 'output',
      output: policy(only('OnlyKms', '"aws:kms"'), withReplication),
    },
    {
      name: 'a list that leaves out an algorithm the requirements accept',
      code: policy(only('OnlyKms', '"aws:kms"')),
      requirements: { sse: ['aws:kms', 'aws:kms:dsse'] },
      errors: [
        {
          target: '"aws:kms"',
          messageId: 'missesRequired',
          message:
            /^Statement "OnlyKms" denies aws:kms:dsse, which your requirements accept \("sse"\)\. It accepts only aws:kms, so it denies uploads with aws:kms:dsse and no key id, which your requirements accept \("sse": \["aws:kms","aws:kms:dsse"\]\)\. Add aws:kms:dsse to the list\.$/,
        },
      ],
      fixAll: 'output',
      output: merged,
    },
  ],
});

tableSuite('ENC-007 fixes re-analysed', () => {
  it('two statements deny every algorithm; merged, both accepted ones get through', () => {
    const before = decisions(twoStatements);
    assert.equal(before['aws:kms'], 'denied');
    assert.equal(before['aws:kms:dsse'], 'denied');
    for (const text of [merged, prettyMerged]) {
      const after = decisions(text);
      assert.equal(after['aws:kms'], 'not-denied');
      assert.equal(after['aws:kms:dsse'], 'not-denied');
      assert.equal(after.AES256, 'denied');
    }
  });
});
