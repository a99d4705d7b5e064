import { grm015 } from '../../../core/rules/grammar/GRM-015-size-and-charset';
import type { PolicyKind } from '../../../core/policy/model';
import { ruleTester } from './rule-tester';

const STATEMENT: Record<Exclude<PolicyKind, 'unknown'>, object> = {
  'bucket-policy': { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' },
  'key-policy': { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
  'identity-policy': { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
};

/**
 * A pretty-printed policy whose size without whitespace is exactly `size` (UTF-8 bytes, or
 * characters for identity policies), padded through a Sid made of `fill`.
 */
function policyOfSize(kind: Exclude<PolicyKind, 'unknown'>, size: number, fill = 'A'): string {
  const measure = (s: string) => (kind === 'identity-policy' ? [...s].length : Buffer.byteLength(s, 'utf8'));
  const doc = (sid: string) => ({ Version: '2012-10-17', Statement: [{ Sid: sid, ...STATEMENT[kind] }] });
  const base = measure(JSON.stringify(doc('')));
  const unit = measure(fill);
  const pad = fill.repeat(Math.floor((size - base) / unit)) + 'A'.repeat((size - base) % unit);
  const text = JSON.stringify(doc(pad), null, 2);
  if (measure(JSON.stringify(doc(pad))) !== size) throw new Error('test helper: size mismatch');
  return text;
}

ruleTester(grm015, {
  valid: [
    {
      kind: 'bucket-policy',
      code: '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}',
    },
    { name: 'bucket policy just under 90%', kind: 'bucket-policy', code: policyOfSize('bucket-policy', 18431) },
    {
      name: 'whitespace does not count',
      kind: 'bucket-policy',
      code: policyOfSize('bucket-policy', 18000).replace(/\n/g, '\n' + ' '.repeat(2000)),
    },
    { name: 'key policy under 90% of 32 KB', kind: 'key-policy', code: policyOfSize('key-policy', 29490) },
    {
      name: 'identity policy under 90% of 6,144 characters',
      kind: 'identity-policy',
      code: policyOfSize('identity-policy', 5529),
    },
    {
      name: 'Latin-1 in a key policy',
      kind: 'key-policy',
      code: '{"Statement": [{"Sid": "Clé d\'accès\u00a0admin", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}',
    },
    {
      name: 'the character set of bucket policies is not documented',
      kind: 'bucket-policy',
      code: '{"Statement": [{"Sid": "Deny \u2013 HTTP \u{1F512}", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}',
    },
    {
      name: 'characters inside strings that GRM-016 reports are left to it',
      kind: 'key-policy',
      code: '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*", "Condition": {"StringEquals": {"kms:Via\u200bService": "s3.us-east-1.amazonaws.com"}}}]}',
    },
  ],
  invalid: [
    {
      name: 'bucket policy at 90%',
      kind: 'bucket-policy',
      code: policyOfSize('bucket-policy', 18432),
      errors: [
        {
          target: '"Statement"',
          messageId: 'nearLimit',
          message:
            /18,432 bytes without whitespace, 90% of the 20 KB limit\. S3 rejects bucket policies over it.*Merge statements/,
          severity: 'warning',
        },
      ],
    },
    {
      name: 'bucket policy exactly at the limit is still accepted',
      kind: 'bucket-policy',
      code: policyOfSize('bucket-policy', 20480),
      errors: [{ target: '"Statement"', messageId: 'nearLimit', severity: 'warning' }],
    },
    {
      name: 'bucket policy over 20 KB',
      kind: 'bucket-policy',
      code: policyOfSize('bucket-policy', 20481),
      errors: [
        {
          target: '"Statement"',
          messageId: 'overLimit',
          message: /20,481 bytes without whitespace, over the 20 KB \(20,480 bytes\) limit: S3 rejects/,
          severity: 'error',
        },
      ],
    },
    {
      name: 'key policy over 32,768 bytes, counted in UTF-8',
      kind: 'key-policy',
      code: policyOfSize('key-policy', 32769, 'é'),
      errors: [
        {
          target: '"Statement"',
          messageId: 'overLimit',
          message: /32,769 bytes.*32 KB \(32,768 bytes\).*KMS rejects/,
          severity: 'error',
        },
      ],
    },
    {
      name: 'identity policy over 6,144 characters',
      kind: 'identity-policy',
      code: policyOfSize('identity-policy', 6145, 'é'),
      errors: [
        {
          target: '"Statement"',
          messageId: 'overLimit',
          message: /6,145 characters.*6,144 characters.*IAM rejects managed policies/,
          severity: 'error',
        },
      ],
    },
    {
      name: 'en dash in a key policy Sid',
      kind: 'key-policy',
      code: '{"Statement": [{"Sid": "Admins \u2013 full access", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}',
      errors: [
        {
          target: '\u2013',
          messageId: 'character',
          message:
            /^U\+2013 EN DASH is not allowed: KMS rejects the key policy\. The policy may contain only printable ASCII and Latin-1/,
          severity: 'error',
        },
      ],
    },
    {
      name: 'emoji in an identity policy (a surrogate pair is one character)',
      kind: 'identity-policy',
      code: '{"Statement": [{"Sid": "Read\u{1F512}", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, {"Sid": "Write\u{1F512}", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}',
      errors: [
        {
          target: '\u{1F512}',
          occurrence: 1,
          messageId: 'character',
          message: /^U\+1F512 is not allowed: IAM rejects the policy/,
        },
        { target: '\u{1F512}', occurrence: 2, messageId: 'character' },
      ],
    },
    {
      name: 'a zero-width space outside the strings GRM-016 checks',
      kind: 'key-policy',
      code: '{"Statement": [{"Sid": "Admin\u200b", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}',
      errors: [{ target: '\u200b', messageId: 'character', message: /U\+200B ZERO WIDTH SPACE is not allowed/ }],
    },
    {
      name: 'C1 control character in a key policy',
      kind: 'key-policy',
      code: '{"Statement": [{"Sid": "Admin\u0085", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}',
      errors: [{ target: '\u0085', messageId: 'character', message: /U\+0085 is not allowed/ }],
    },
  ],
});
