// KMS-005: the permissions S3 needs for SSE-KMS. S3 calls kms:GenerateDataKey on uploads and
// kms:Decrypt on downloads, multipart uploads and copies, with the caller's identity; kms:Encrypt is
// not what an upload uses. Checked per statement and, for the policy as a whole, by the verdict's
// "S3 can use the key".
import type { Located, Statement } from '../../policy/model';
import { addItemFix } from '../edits';
import type { Rule } from '../types';
import { grantedOf, isAllow, namedIdentities } from './grants';
import { statementAnswer } from '../../policy/statement-facts';
import { isS3ViaService, meansS3, s3UseEvidence } from './key-policy-context';
import { capitalizedStatementLabel, SUMMARY_SID } from '../labels';
import { stringItems } from '../model-lookups';

const NOBODY_THROUGH_S3 =
  'It names S3 ({evidence}), but no principal of the accounts it names is allowed both kms:GenerateDataKey and kms:Decrypt through S3, so SSE-KMS uploads and downloads with this key fail.';

/** Does the statement limit itself to calls through S3 (a kms:ViaService value for S3)? */
const throughS3 = (st: Statement): boolean =>
  (st.condition?.operators ?? []).some(
    o =>
      !/Not/.test(o.operator.value) &&
      o.entries.some(e => e.key.value.toLowerCase() === 'kms:viaservice' && stringItems(e.values).some(i => meansS3(i.value))),
  );

/** The Action item that names `action` itself (not through a wildcard), if any. */
const itemNaming = (st: Statement, action: string): Located<string> | undefined =>
  stringItems(st.action).find(i => i.value.toLowerCase() === action.toLowerCase());

/**
 * Does the statement give named principals kms:Encrypt without kms:GenerateDataKey, or
 * GenerateDataKey through S3 without Decrypt (what the loop below reports)? From the statement alone.
 */
function missesS3Action(st: Statement): boolean {
  if (!isAllow(st) || namedIdentities(st).length === 0) return false;
  const granted = grantedOf(st, ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt']);
  const list = st.action;
  if (
    itemNaming(st, 'kms:Encrypt') &&
    list &&
    !granted.includes('kms:GenerateDataKey') &&
    (throughS3(st) || granted.length === 1)
  )
    return true;
  return !!list && throughS3(st) && granted.includes('kms:GenerateDataKey') && !granted.includes('kms:Decrypt');
}

export const kms005: Rule = {
  meta: {
    id: 'KMS-005',
    title: "S3 cannot use the key for the principal's uploads or downloads",
    severity: 'warning',
    appliesTo: ['key-policy'],
    why: "With SSE-KMS, S3 calls KMS with the requester's identity: kms:GenerateDataKey for every upload, kms:Decrypt for every download, multipart upload and copy. kms:Encrypt is used by replication, not by uploads. Same-account callers need the key policy (or IAM, through the account root statement) to allow both; cross-account callers need the key policy and their own IAM policy.",
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "Uploads", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Uploader"}, "Action": "kms:Encrypt", "Resource": "*"}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "Uploads", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Uploader"}, "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}]}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions',
      'https://repost.aws/knowledge-center/s3-large-file-encryption-kms-key',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      encryptInsteadOfGenerateDataKey: {
        summary: '{statement} grants kms:Encrypt but not kms:GenerateDataKey, which S3 uploads use.',
        detail:
          "S3 uploads with SSE-KMS call GenerateDataKey (and downloads and multipart uploads call Decrypt), so this principal's uploads would fail with AccessDenied. Add {missing}.",
      },
      noDecrypt: {
        summary: '{statement} lets S3 generate data keys for uploads but not decrypt.',
        detail: 'Multipart uploads, downloads and copies of SSE-KMS objects call kms:Decrypt and would fail. Add kms:Decrypt.',
      },
      s3CannotUse: {
        summary: 'This key policy is meant for S3, but no principal can use the key through S3.',
        detail: `${NOBODY_THROUGH_S3} Grant both actions to the bucket's writers and readers, with "kms:ViaService": "s3.<region>.amazonaws.com".`,
      },
      s3CannotUseViaServiceFormat: {
        summary: 'This key policy is meant for S3, but no principal can use the key through S3.',
        detail: `${NOBODY_THROUGH_S3} Its kms:ViaService value is not in the form s3.<region>.amazonaws.com (KMS-006).`,
      },
    },
  },
  check(ctx) {
    let reported = false;
    for (const st of ctx.doc.statements) {
      if (!statementAnswer(ctx.doc, st, 'KMS-005', missesS3Action)) continue;
      const granted = grantedOf(st, ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt']);
      const list = st.action;
      // kms:Encrypt for "S3 writes": uploads call GenerateDataKey.
      const encrypt = itemNaming(st, 'kms:Encrypt');
      if (encrypt && list && !granted.includes('kms:GenerateDataKey') && (throughS3(st) || granted.length === 1)) {
        const missing = ['kms:GenerateDataKey', ...(granted.includes('kms:Decrypt') ? [] : ['kms:Decrypt'])];
        ctx.report({
          span: encrypt.span,
          messageId: 'encryptInsteadOfGenerateDataKey',
          data: { statement: capitalizedStatementLabel(st, SUMMARY_SID), missing: missing.join(' and ') },
          fixes: [
            addItemFix(
              `Add ${missing.join(' and ')}`,
              ctx.doc.text,
              list,
              encrypt,
              missing.map(a => JSON.stringify(a)).join(', '),
            ),
          ],
        });
        reported = true;
        continue;
      }
      // Uploads through S3 without Decrypt: multipart uploads, reads and copies fail.
      if (list && throughS3(st) && granted.includes('kms:GenerateDataKey') && !granted.includes('kms:Decrypt')) {
        const gen = stringItems(list).find(i => /^kms:GenerateDataKey/i.test(i.value)) ?? stringItems(list)[0];
        if (!gen) continue;
        ctx.report({
          span: gen.span,
          messageId: 'noDecrypt',
          data: { statement: capitalizedStatementLabel(st, SUMMARY_SID) },
          fixes: [addItemFix('Add kms:Decrypt', ctx.doc.text, list, gen, '"kms:Decrypt"')],
        });
        reported = true;
      }
    }
    // The policy as a whole: it is meant for S3 but no principal can use the key through S3.
    const v = ctx.keyVerdict();
    const evidence = s3UseEvidence(ctx.doc);
    if (reported || !v || v.s3CanUse.value || v.lockout || !evidence) return;
    const wrongFormat = ctx.doc.statements.some(st =>
      (st.condition?.operators ?? []).some(o =>
        o.entries.some(
          e =>
            e.key.value.toLowerCase() === 'kms:viaservice' &&
            stringItems(e.values).some(i => meansS3(i.value) && !isS3ViaService(i.value)),
        ),
      ),
    );
    ctx.report({
      span: evidence.st.effect?.span ?? evidence.st.span,
      messageId: wrongFormat ? 's3CannotUseViaServiceFormat' : 's3CannotUse',
      data: { evidence: evidence.what },
    });
  },
};
