// KMS-011 — the aws/s3 AWS managed key. Its key policy is AWS's and cannot be changed; it lets
// `{"AWS": "*"}` use the key only with kms:CallerAccount = the owner and kms:ViaService = S3 in its
// Region, so no other account can use it (KMS-DG concepts, "AWS managed keys"; the captured policy
// "auto-s3-2", github.com/FogSecurity/aws-managed-kms-keys). In a key-policy file, naming aws/s3 or
// carrying that captured policy suggests an edit that AWS will not accept. Bucket policies that pin
// aws/s3 for other accounts' writers are ENC-018's.
import type { Located, Statement } from '../../policy/model';
import { statementAnswer } from '../../policy/statement-facts';
import { spanOf } from '../../policy/parse';
import { stringItems, memberNamed } from '../model-lookups';
import { jsonString } from '../json-text';
import type { Rule, RuleContext } from '../types';

const AWS_S3_ALIAS = /(?:^|:|\/)alias\/aws\/s3$/;
/** The Sid of aws/s3's own statement (the captured AWS managed key policy). */
const AWS_S3_SID = 'Allow access through S3 for all principals in the account that are authorized to use S3';

/** Every string in Resource, Principal and Condition values of the policy that names alias/aws/s3. */
function aliasMentions(ctx: RuleContext): Located<string>[] {
  const out: Located<string>[] = [];
  for (const st of ctx.doc.statements)
    if (statementAnswer(ctx.doc, st, 'KMS-011 alias', s => mentionsIn(s).length > 0)) out.push(...mentionsIn(st));
  return out;
}

function mentionsIn(st: Statement): Located<string>[] {
  const lists = [st.resource, st.notResource, ...(st.condition?.operators ?? []).flatMap(o => o.entries.map(e => e.values))];
  return lists.flatMap(list => stringItems(list).filter(i => AWS_S3_ALIAS.test(i.value)));
}

export const kms011: Rule = {
  meta: {
    id: 'KMS-011',
    title: 'aws/s3 AWS managed key',
    severity: 'info',
    appliesTo: ['key-policy'],
    why: "The `aws/s3` AWS managed key has a key policy that AWS owns: you cannot change it. It lets principals of its own account use the key only through S3 (`kms:CallerAccount` and `kms:ViaService` conditions), so other accounts can never use it, and an alias ARN or `kms:RequestAlias` naming `alias/aws/s3` in another key's policy refers to a different key. AWS describes AWS managed keys as a legacy key type; for a policy you control, or cross-account access, use a customer managed key.",
    example:
      '{"Id": "auto-s3-2", "Statement": [{"Sid": "Allow access through S3 for all principals in the account that are authorized to use S3", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333", "kms:ViaService": "s3.us-east-1.amazonaws.com"}}}]}',
    useInstead:
      '{"Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "AllowS3UseForThisBucket", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}]}',
    references: [
      'https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html',
      'https://github.com/FogSecurity/aws-managed-kms-keys',
    ],
    confidence: 'DOC',
    fixable: false,
    messages: {
      managedKeyPolicy: {
        summary: 'This looks like the key policy of the aws/s3 AWS managed key, which AWS owns: it cannot be changed.',
        detail:
          "It is marked {marker}. Only principals of its own account can use that key, through S3. To control the policy, create a customer managed key and set it as the bucket's default encryption key.",
      },
      managedKeyAlias: {
        summary: 'This names the aws/s3 AWS managed key, whose key policy AWS owns: it is not this key.',
        detail:
          "{value} is the aws/s3 AWS managed key: its key policy is AWS's and cannot be changed, only principals of its own account can use it through S3, and in another key's policy it names a different key. Use a customer managed key you control.",
      },
    },
  },
  check(ctx) {
    const id = memberNamed(ctx.doc.members, 'Id')?.valueNode;
    const sid = ctx.doc.statements.find(st => st.sid?.value === AWS_S3_SID)?.sid;
    const capturedAt =
      id?.type === 'string' && /^auto-s3(?:-|$)/.test(String(id.value)) ? { value: String(id.value), span: spanOf(id) } : sid;
    if (capturedAt) {
      ctx.report({
        span: capturedAt.span,
        messageId: 'managedKeyPolicy',
        data: { marker: jsonString(String(capturedAt.value)) },
      });
    }
    for (const item of aliasMentions(ctx)) {
      ctx.report({ span: item.span, messageId: 'managedKeyAlias', data: { value: jsonString(item.value) } });
    }
  },
};
