// KMS-012 — key type in context of S3: S3 supports only symmetric encryption KMS keys
// (S3-UG UsingKMSEncryption, specifying-kms-encryption), while kms:Sign, kms:Verify, kms:GetPublicKey
// and kms:DeriveSharedSecret exist only for asymmetric keys and kms:GenerateMac/kms:VerifyMac only
// for HMAC keys. A key policy granting both cannot be right for one key. The Region half of
// docs/design/aws-facts.md#kms-012 (ViaService Region vs the key ARN's) is KMS-006's, to have one owner.
import { actionsNamed, type ActionInfo } from '../../knowledge';
import type { Statement } from '../../policy/model';
import { stringItems } from '../model-lookups';
import { capitalizedStatementLabel, show } from '../labels';
import type { Rule } from '../types';
import { statementAnswer } from '../../policy/statement-facts';
import { s3UseEvidence } from './key-policy-context';

/** Actions that only asymmetric (signing or key agreement) or HMAC keys support. */
const NOT_SYMMETRIC = new Map<string, string>([
  ['Sign', 'asymmetric signing'],
  ['Verify', 'asymmetric signing'],
  ['GetPublicKey', 'asymmetric'],
  ['DeriveSharedSecret', 'asymmetric key-agreement'],
  ['GenerateMac', 'HMAC'],
  ['VerifyMac', 'HMAC'],
]);

/** Actions of an item that are KMS actions, when all of them work only with keys other than symmetric encryption keys. */
function notSymmetricActions(value: string): ActionInfo[] | undefined {
  const actions = actionsNamed(value).filter(a => a.service === 'kms');
  // Only values that name nothing but such actions (kms:* or kms:Get* also name symmetric ones).
  return actions.length > 0 && actions.every(a => NOT_SYMMETRIC.has(a.name)) ? actions : undefined;
}

/** Does an Allow of the statement name only actions S3's symmetric keys cannot do? From the statement alone. */
const allowsOnlyAsymmetricUse = (st: Statement): boolean =>
  st.effect?.value === 'Allow' && !st.notAction && stringItems(st.action).some(i => notSymmetricActions(i.value) !== undefined);

export const kms012: Rule = {
  meta: {
    id: 'KMS-012',
    title: 'Key type and region (context for S3)',
    severity: 'info',
    appliesTo: ['key-policy'],
    why: "S3 supports only symmetric encryption KMS keys, in the bucket's own Region (multi-Region keys are used as single-Region keys; DSSE-KMS does not use S3 Bucket Keys). `kms:Sign`, `kms:Verify`, `kms:GetPublicKey` and `kms:DeriveSharedSecret` exist only for asymmetric keys, `kms:GenerateMac` and `kms:VerifyMac` only for HMAC keys. A key policy that grants them and also lets S3 use the key (a `kms:ViaService` for S3, or the S3 encryption context) is wrong for one of the two: S3 cannot use a signing or HMAC key, and a symmetric key never signs. (The Region check of `kms:ViaService` is KMS-006.)",
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "Signing", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": ["kms:Sign", "kms:Verify"], "Resource": "*"}, {"Sid": "S3Use", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "S3Use", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}]}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/specifying-kms-encryption.html',
      'https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html',
    ],
    confidence: 'DOC',
    fixable: false,
    messages: {
      notSymmetric: {
        summary: '{action} works only with {kinds} keys, but this policy also lets S3 use the key.',
        detail:
          '{where} lets S3 use the key ({evidence}), and S3 supports only symmetric encryption keys: one of the two grants is useless. If this key encrypts S3 objects, remove {action}; if it is {kindOfKey} key, S3 cannot use it.',
      },
    },
  },
  check(ctx) {
    const s3 = s3UseEvidence(ctx.doc);
    if (!s3) return;
    for (const st of ctx.doc.statements) {
      if (!statementAnswer(ctx.doc, st, 'KMS-012', allowsOnlyAsymmetricUse)) continue;
      for (const item of stringItems(st.action)) {
        const actions = notSymmetricActions(item.value);
        if (!actions) continue;
        const kinds = [...new Set(actions.map(a => NOT_SYMMETRIC.get(a.name)!))].join(' or ');
        const where = s3.st === st ? 'This statement' : capitalizedStatementLabel(s3.st);
        ctx.report({
          span: item.span,
          messageId: 'notSymmetric',
          data: {
            action: show(item.value, 32),
            kinds,
            where,
            evidence: s3.what,
            kindOfKey: `${/^[aeiouH]/.test(kinds) ? 'an' : 'a'} ${kinds}`,
          },
        });
      }
    }
  },
};
