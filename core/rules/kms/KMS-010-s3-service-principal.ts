// KMS-010 — `{"Service": "s3.amazonaws.com"}` in a key policy. For SSE-KMS, S3 calls KMS with the
// requester's identity (S3-UG UsingKMSEncryption, "Permissions"), so a grant to the S3 service
// principal does nothing for uploads and downloads; an AWS docs maintainer also called that
// principal for KMS "not officially supported" (awsdocs/amazon-s3-developer-guide#38).
import { stringItems } from '../model-lookups';
import { capitalizedStatementLabel, SUMMARY_SID } from '../labels';
import type { Rule } from '../types';
import { contextRegion, s3ViaService } from './key-policy-context';

export const kms010: Rule = {
  meta: {
    id: 'KMS-010',
    title: 'S3 service principal in a key policy',
    severity: 'warning',
    appliesTo: ['key-policy'],
    why: "For SSE-KMS, S3 calls KMS on behalf of the requester, with the requester's identity: the writer needs `kms:GenerateDataKey` and the reader `kms:Decrypt` (through the key policy, or IAM when the key policy delegates to the account). A grant to the service principal `s3.amazonaws.com` does nothing for normal uploads and downloads, and an AWS documentation maintainer stated that using that principal for KMS is not officially supported and will not work in all Regions.",
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "S3Use", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*"}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "S3Use", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Uploader"}, "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}]}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html',
      'https://github.com/awsdocs/amazon-s3-developer-guide/pull/38',
    ],
    confidence: 'COMMUNITY',
    fixable: false,
    messages: {
      servicePrincipal: {
        summary: '{statement} grants the S3 service principal, which does nothing for SSE-KMS uploads.',
        detail:
          'For SSE-KMS, S3 calls KMS with the requester\'s identity, so this grant does nothing for uploads and downloads (and is not officially supported). Grant kms:GenerateDataKey and kms:Decrypt to the writer and reader roles instead, with "kms:ViaService": "{via}".',
      },
    },
  },
  check(ctx) {
    const via = s3ViaService(contextRegion(ctx.doc) ?? 'REGION');
    for (const st of ctx.doc.statements) {
      if (st.effect?.value !== 'Allow') continue;
      for (const e of st.principal?.entries ?? []) {
        if (e.type.value !== 'Service') continue;
        for (const item of stringItems(e.values)) {
          if (item.value.toLowerCase() !== 's3.amazonaws.com') continue;
          ctx.report({
            span: item.span,
            messageId: 'servicePrincipal',
            data: { statement: capitalizedStatementLabel(st, SUMMARY_SID), via },
          });
        }
      }
    }
  },
};
