import assert from 'node:assert/strict';
import { it } from 'node:test';
import { enc003 } from '../../../core/rules/encryption/ENC-003-encryption-not-required';
import { B, SSE, SSE_C, canonical, denyPut, httpDeny, policy, withAdded } from './enc-fixtures';
import { ruleTester, tableSuite } from './rule-tester';
import { decisions } from './verdict-helpers';

const onlyHttps = policy(httpDeny);
const scopedToRole = policy(
  httpDeny,
  denyPut('OnlyKms', `{"StringNotEquals": {"${SSE}": "aws:kms"}}`, '{"AWS": "arn:aws:iam::111122223333:role/app"}'),
);
const classicPair = policy(
  denyPut('DenyIncorrectEncryptionHeader', `{"StringNotEquals": {"${SSE}": "AES256"}}`),
  denyPut('DenyUnencryptedObjectUploads', `{"Null": {"${SSE}": "true"}}`),
);

const fixes = {
  sseKms: withAdded(
    onlyHttps,
    canonical('DenyUploadsWithoutRequiredEncryption', {
      StringNotEqualsIfExists: { [SSE]: 'aws:kms' },
      Null: { [SSE]: 'false' },
    }),
    canonical('DenySseCUploads', { Null: { [SSE_C]: 'false' } }),
  ),
  scoped: withAdded(
    scopedToRole,
    canonical('DenyUploadsWithoutRequiredEncryption', {
      StringNotEqualsIfExists: { [SSE]: 'aws:kms' },
      Null: { [SSE]: 'false' },
    }),
    canonical('DenySseCUploads', { Null: { [SSE_C]: 'false' } }),
  ),
  headerless: withAdded(onlyHttps, canonical('DenyUploadsWithoutEncryptionHeader', { Null: { [SSE]: 'true', [SSE_C]: 'true' } })),
  strictAes: withAdded(onlyHttps, canonical('DenyUploadsWithoutRequiredEncryption', { StringNotEquals: { [SSE]: 'AES256' } })),
  pair: policy(denyPut('DenyIncorrectEncryptionHeader', `{"StringNotEquals": {"${SSE}": "AES256"}}`)),
};

ruleTester(enc003, {
  valid: [
    { name: 'no requirement and no visible intent: default encryption applies', code: onlyHttps },
    {
      name: 'template 2 meets "sse" and "headerlessUploads": "deny"',
      code: policy(httpDeny, denyPut('OnlyKms', `{"StringNotEquals": {"${SSE}": "aws:kms"}}`)),
      requirements: { sse: ['aws:kms'], headerlessUploads: 'deny' },
    },
    { name: 'template 3 with the SSE-C ban meets "sse"', code: fixes.sseKms, requirements: { sse: ['aws:kms'] } },
    {
      name: 'the intent (aws:kms or DSSE) holds for every upload',
      code: policy(denyPut('Kms', `{"StringNotEquals": {"${SSE}": ["aws:kms", "aws:kms:dsse"]}}`)),
    },
    {
      name: 'a Null "true" alone is not redundant',
      code: policy(denyPut('DenyUnencryptedObjectUploads', `{"Null": {"${SSE}": "true"}}`)),
    },
  ],
  invalid: [
    {
      name: '"sse" requirement, no Deny at all: template 3 plus the SSE-C ban',
      code: onlyHttps,
      requirements: { sse: ['aws:kms'] },
      errors: [
        {
          target: '"Statement"',
          severity: 'warning',
          messageId: 'requiredAlgorithm',
          message:
            /^Uploads that name another encryption than aws:kms are not all denied \(requirement "sse"\)\. Your requirements accept only aws:kms \("sse": \["aws:kms"\]\), and some upload with another encryption gets through\. For example, an anonymous caller calling s3:PutObject on arn:aws:s3:::b\/\S+ over HTTPS \(.*s3:x-amz-server-side-encryption = AES256\) is not denied by this policy \([^)]*\)\. Uploads with customer-provided keys \(SSE-C\) are not denied either\.$/,
        },
      ],
      fixAll: 'output',
      output: fixes.sseKms,
    },
    {
      name: 'evident intent: a Deny naming aws:kms that covers one role lets AES256 through for others',
      code: scopedToRole,
      errors: [
        {
          target: '"Deny"',
          occurrence: 2,
          messageId: 'intendedAlgorithm',
          message:
            /^Statement "OnlyKms" misses uploads with encryption other than aws:kms\. It denies uploads that do not use aws:kms, but not all of them: .* For example, an anonymous caller calling s3:PutObject .*AES256/,
        },
      ],
      fixAll: 'unchanged',
      output: fixes.scoped,
    },
    {
      name: '"headerlessUploads": "deny" without an SSE requirement: a Null Deny on both headers',
      code: onlyHttps,
      requirements: { headerlessUploads: 'deny' },
      errors: [
        {
          target: '"Statement"',
          messageId: 'headerless',
          message:
            /^Uploads without an encryption header are not all denied \(requirement "headerlessUploads"\)\. Your requirements say such uploads must be refused \("headerlessUploads": "deny"\).* For example, an anonymous caller calling s3:PutObject/,
        },
      ],
      fixAll: 'output',
      output: fixes.headerless,
    },
    {
      name: 'two requirements unmet: one finding each; the strict statement meets both',
      code: onlyHttps,
      requirements: { sse: ['AES256'], headerlessUploads: 'deny' },
      errors: [
        { target: '"Statement"', messageId: 'requiredAlgorithm', message: /another encryption than AES256/ },
        { target: '"Statement"', messageId: 'headerless', message: /without an encryption header/ },
      ],
      fixAll: 'output',
      output: fixes.strictAes,
    },
    {
      name: 'the classic pair: the Null statement is redundant (info, optional removal)',
      code: classicPair,
      errors: [
        {
          target: '"Null"',
          severity: 'info',
          messageId: 'redundantNull',
          message:
            /^Statement "DenyUnencryptedObjectUploads" is redundant: removing it changes no upload decision\. Statement "DenyIncorrectEncryptionHeader" already denies uploads without the x-amz-server-side-encryption header/,
        },
      ],
      fixAll: 'unchanged',
      output: fixes.pair,
    },
    {
      name: 'an undecidable statement makes the wording soft',
      code: policy(
        `{"Sid": "Odd", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "${B}/*", "Condition": {"StringEqualsSometimes": {"aws:SourceVpce": "vpce-1"}}}`,
      ),
      requirements: { sse: ['aws:kms'] },
      errors: [
        {
          target: '"Statement"',
          messageId: 'requiredAlgorithm',
          message:
            /are probably not all denied .*\(The analysis is incomplete: some statements could not be decided, so this may be wrong\.\)$/,
        },
      ],
    },
  ],
});

tableSuite('ENC-003 fixes re-analysed', () => {
  it('template 3 + SSE-C ban: every other algorithm and SSE-C denied, header-less left to default encryption', () => {
    const d = decisions(fixes.sseKms);
    assert.equal(d.AES256, 'denied');
    assert.equal(d['aws:kms:dsse'], 'denied');
    assert.equal(d['SSE-C'], 'denied');
    assert.equal(d['aws:kms'], 'not-denied');
    assert.equal(d.none, 'not-denied');
  });
  it('the inserted statement closes the scope gap', () => {
    const d = decisions(fixes.scoped);
    assert.equal(d.AES256, 'denied');
    assert.equal(d['SSE-C'], 'denied');
    assert.equal(d['aws:kms'], 'not-denied');
  });
  it('the header-less Deny denies only uploads without any encryption header', () => {
    const d = decisions(fixes.headerless);
    assert.equal(d.none, 'denied');
    assert.equal(d.AES256, 'not-denied');
    assert.equal(d['SSE-C'], 'not-denied');
  });
  it('the strict statement denies header-less uploads and other algorithms', () => {
    const d = decisions(fixes.strictAes);
    assert.equal(d.none, 'denied');
    assert.equal(d['aws:kms'], 'denied');
    assert.equal(d.AES256, 'not-denied');
  });
  it('removing the redundant Null statement changes no upload decision', () => {
    assert.deepEqual(decisions(fixes.pair), decisions(classicPair));
  });
});
