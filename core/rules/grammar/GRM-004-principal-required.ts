// GRM-004: resource policies say who a statement is for. S3 rejects a statement without
// Principal/NotPrincipal ("Missing required field Principal"); KMS requires one or more
// principals per statement. docs/design/aws-facts.md#grm-004; KMS-DG key-policy-overview; PutKeyPolicy API.
import { editsFix, insertMember } from '../edits';
import { RESOURCE_POLICY_KINDS, type Fix, type Rule } from '../types';
import { perStatement } from '../statement-rule';
import { capitalizedStatementLabel, SUMMARY_SID } from '../labels';
import { memberNamed, statementHead } from '../model-lookups';

export const grm004: Rule = {
  meta: {
    id: 'GRM-004',
    title: 'Principal is mandatory in bucket and key policies',
    severity: 'error',
    appliesTo: RESOURCE_POLICY_KINDS,
    why: 'A bucket policy or key policy is attached to the resource, so each statement must say whom it applies to with "Principal" (or "NotPrincipal"). S3 rejects the policy with "MalformedPolicy: Missing required field Principal"; KMS requires one or more principals in every key policy statement.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyUnencryptedUploads", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyUnencryptedUploads", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}}]}',
    references: [
      'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html',
      'https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html',
      'https://github.com/terraform-aws-modules/terraform-aws-s3-bucket/pull/240',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      missingInDeny: {
        summary: '{statement} has no "Principal": {rejects}.',
        detail: '{requirement}. Add "Principal": "*" so the Deny applies to everyone.',
      },
      missing: {
        summary: '{statement} has no "Principal": {rejects}.',
        detail: '{requirement}. Add a "Principal" naming whom the statement is for.',
      },
    },
  },
  ...perStatement((ctx, st) => {
    const service =
      ctx.kind === 'key-policy'
        ? {
            rejects: 'KMS rejects the key policy',
            requirement: 'KMS requires one or more principals in every key policy statement',
          }
        : {
            rejects: 'S3 rejects the bucket policy',
            requirement: 'S3 answers "MalformedPolicy: Missing required field Principal"',
          };
    if (st.principal || st.notPrincipal) return;
    const effect = memberNamed(st.members, 'Effect');
    // An enforcement Deny is meant for everyone; an Allow needs a person to name the grantee.
    // Not safe: "Principal": "*" makes the Deny apply to every caller, administrators included,
    // which in a key policy can lock the key for good (KMS-001); a person confirms the scope.
    const isDeny = typeof st.effect?.value === 'string' && st.effect.value.trim().toLowerCase() === 'deny';
    const fixes: Fix[] =
      isDeny && effect
        ? [editsFix('Add "Principal": "*"', [insertMember(ctx.text, st.node, '"Principal": "*"', { after: effect })])]
        : [];
    ctx.report({
      span: statementHead(st),
      messageId: isDeny ? 'missingInDeny' : 'missing',
      data: { statement: capitalizedStatementLabel(st, SUMMARY_SID), ...service },
      fixes,
    });
  }),
};
