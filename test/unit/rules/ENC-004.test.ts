import assert from 'node:assert/strict';
import { it } from 'node:test';
import { enc004 } from '../../../core/rules/encryption/ENC-004-header-required-blocks-default-encryption';
import { B, KEY, KEY_ID, SSE, SSE_C, ban, denyPut, httpDeny, policy } from './enc-fixtures';
import { ruleTester, tableSuite } from './rule-tester';
import { decisions } from './verdict-helpers';

const strictKms = policy(httpDeny, denyPut('OnlyKms', `{"StringNotEquals": {"${SSE}": "aws:kms"}}`));
const strictKmsFixed = policy(
  httpDeny,
  denyPut('OnlyKms', `{"StringNotEquals": {"${SSE}": "aws:kms"}, "Null": {"${SSE}": "false"}}`),
  ban,
);

const classicPair = policy(
  denyPut('DenyIncorrectEncryptionHeader', `{"StringNotEquals": {"${SSE}": "AES256"}}`),
  denyPut('DenyUnencryptedObjectUploads', `{"Null": {"${SSE}": "true"}}`),
);
const classicPairFixed = policy(
  denyPut('DenyIncorrectEncryptionHeader', `{"StringNotEquals": {"${SSE}": "AES256"}, "Null": {"${SSE}": "false"}}`),
  ban,
);

// Template 2 as many write it (the layout is kept; the Null members follow it).
const template2 = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "OnlyKms",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:PutObject",
      "Resource": "${B}/*",
      "Condition": {
        "StringNotEquals": { "${SSE}": "aws:kms" }
      }
    },
    {
      "Sid": "OnlyOurKey",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:PutObject",
      "Resource": "${B}/*",
      "Condition": {
        "ArnNotEqualsIfExists": { "${KEY_ID}": "${KEY}" }
      }
    }
  ]
}`;
const template2Fixed = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "OnlyKms",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:PutObject",
      "Resource": "${B}/*",
      "Condition": {
        "StringNotEquals": { "${SSE}": "aws:kms" },
        "Null": {"${SSE}": "false"}
      }
    },
    {
      "Sid": "OnlyOurKey",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:PutObject",
      "Resource": "${B}/*",
      "Condition": {
        "ArnNotEqualsIfExists": { "${KEY_ID}": "${KEY}" },
        "Null": {"${KEY_ID}": "false"}
      }
    },
    {
      "Sid": "DenySseCUploads",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:PutObject",
      "Resource": "${B}/*",
      "Condition": {
        "Null": {
          "${SSE_C}": "false"
        }
      }
    }
  ]
}`;

const headerOnly = policy(httpDeny, denyPut('RequireHeader', `{"Null": {"${SSE}": "true"}}`));
const headerOnlyFixed = policy(httpDeny, ban);

ruleTester(enc004, {
  valid: [
    { name: 'strict mode chosen in the requirements', code: strictKms, requirements: { headerlessUploads: 'deny' } },
    { name: 'template 3 (default-friendly)', code: strictKmsFixed },
    { name: "a key pin alone is ENC-009's", code: policy(denyPut('Pin', `{"ArnNotEqualsIfExists": {"${KEY_ID}": "${KEY}"}}`)) },
    { name: "requiring SSE-C is ENC-011's", code: policy(denyPut('RequireSseC', `{"Null": {"${SSE_C}": "true"}}`)) },
    {
      name: 'a Deny that lets no upload through is another problem (ENC-001)',
      code: policy(denyPut('Typo', `{"StringNotEquals": {"${SSE}": "AES-256"}}`)),
    },
    { name: 'no header-required Deny', code: policy(httpDeny) },
  ],
  invalid: [
    {
      name: 'StringNotEquals aws:kms: the rewrite adds Null "false" and the SSE-C ban (SSE-C has no SSE header)',
      code: strictKms,
      errors: [
        {
          target: '"StringNotEquals"',
          severity: 'warning',
          messageId: 'blocksDefaultEncryption',
          message:
            /^Statement "OnlyKms" also denies uploads that rely on default encryption \(no header\)\. It denies uploads that send no encryption header, although S3 would encrypt them with the bucket's default encryption: .* For example, an anonymous caller calling s3:PutObject on arn:aws:s3:::b\/\S+ over HTTPS \(s3:TlsVersion = 1\.3\) is denied by this policy\./,
        },
      ],
      fixAll: 'unchanged',
      output: strictKmsFixed,
    },
    {
      name: "AWS's classic pair: the Null statement goes, the SSE-C ban takes its place",
      code: classicPair,
      errors: [
        {
          target: '"StringNotEquals"',
          messageId: 'blocksDefaultEncryption',
          message: /set the requirement "headerlessUploads": "deny"/,
        },
      ],
      fixAll: 'unchanged',
      output: classicPairFixed,
    },
    {
      name: 'template 2 (algorithm and key pin): both statements become default-friendly, layout kept',
      code: template2,
      errors: [{ target: '"StringNotEquals"', messageId: 'blocksDefaultEncryption' }],
      fixAll: 'unchanged',
      output: template2Fixed,
    },
    {
      name: 'a Null "true" Deny alone',
      code: headerOnly,
      errors: [
        {
          target: '"Null"',
          messageId: 'blocksDefaultEncryption',
          message: /^Statement "RequireHeader" also denies uploads that rely on default encryption/,
        },
      ],
      fixAll: 'unchanged',
      output: headerOnlyFixed,
    },
  ],
});

tableSuite('ENC-004 fixes re-analysed', () => {
  it('header-less uploads get through; every other class keeps its decision', () => {
    for (const [before, after] of [
      [strictKms, strictKmsFixed],
      [classicPair, classicPairFixed],
      [template2, template2Fixed],
      [headerOnly, headerOnlyFixed],
    ]) {
      const b = decisions(before);
      const a = decisions(after);
      assert.equal(b.none, 'denied');
      assert.equal(a.none, 'not-denied');
      for (const [k, d] of Object.entries(b)) {
        // Template 3's key part also lets aws:kms without a key id through (S3 uses the default key).
        if (k === 'none' || (before === template2 && (k === 'aws:kms' || k === 'aws:kms:dsse'))) continue;
        assert.equal(a[k], d, `${k} changed`);
      }
    }
  });
  it('template 2 becomes template 3: only uploads naming another algorithm or key are denied', () => {
    const a = decisions(template2Fixed);
    assert.deepEqual(a, {
      none: 'not-denied',
      AES256: 'denied',
      'aws:kms': 'not-denied',
      'aws:kms/named': 'not-denied',
      'aws:kms/other': 'denied',
      'aws:kms:dsse': 'denied',
      'aws:kms:dsse/named': 'denied',
      'aws:kms:dsse/other': 'denied',
      'SSE-C': 'denied',
    });
  });
});
