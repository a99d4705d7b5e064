// ENC-018 — the aws/s3 AWS managed key, or an alias, pinned in a bucket policy that lets other
// accounts upload or read: aws/s3 can only be used by principals of its own account through S3 (its
// fixed key policy), and an alias is resolved in the requester's account. Found in the text; the
// evaluator confirms that the policy's Allow applies to a principal of that account.
import { statementApplies } from '../../engine/evaluate';
import { ACCOUNT_ID, accountPrincipal, accountRootArn, parseArn } from '../../policy/arn';
import type { Located, Statement } from '../../policy/model';
import { replaceFix } from '../edits';
import type { Fix, Rule } from '../types';
import { shortKeyArn } from '../../../shared/wording';
import { sseEntries, SSE_KMS_KEY_ID, entryStrings } from './sse-conditions';
import { objectOf, httpsRequest } from './upload-classes';
import { jsonString } from '../json-text';
import { statementLabel } from '../labels';
import { principalValues } from '../model-lookups';

/** Key-id values that name aws/s3 or an alias, with the alias ARN's account when it has one. */
function aliasValues(statements: readonly Statement[]): { item: Located<string>; account?: string; awsManaged: boolean }[] {
  const out: { item: Located<string>; account?: string; awsManaged: boolean }[] = [];
  for (const st of statements) {
    for (const { entry, key } of sseEntries(st)) {
      if (key !== SSE_KMS_KEY_ID) continue;
      for (const item of entry.values.items) {
        if (typeof item.value !== 'string' || !entryStrings(entry).includes(item.value)) continue;
        const v = item.value;
        const arn = parseArn(v);
        const alias = arn ? arn.service === 'kms' && arn.resource.startsWith('alias/') : v.startsWith('alias/') || v === 'aws/s3';
        if (!alias) continue;
        out.push({ item: item as Located<string>, account: arn?.account || undefined, awsManaged: /(^|\/)aws\/s3$/.test(v) });
      }
    }
  }
  return out;
}

/** Accounts that an Allow lets upload or read objects, with the statement and a principal ARN of that account. */
function grantedAccounts(statements: readonly Statement[]): { account: string; principal: string; allow: Statement }[] {
  const out: { account: string; principal: string; allow: Statement }[] = [];
  for (const st of statements) {
    if (st.effect?.value !== 'Allow') continue;
    for (const p of principalValues(st, 'AWS')) {
      const account = accountPrincipal(p) ?? parseArn(p)?.account;
      if (!account || !ACCOUNT_ID.test(account) || out.some(o => o.account === account)) continue;
      out.push({ account, principal: ACCOUNT_ID.test(p) ? accountRootArn('aws', p) : p, allow: st });
    }
  }
  return out;
}

export const enc018: Rule = {
  meta: {
    id: 'ENC-018',
    title: 'aws/s3 AWS managed key or alias with cross-account writers',
    severity: 'warning',
    appliesTo: ['bucket-policy'],
    why: 'The `aws/s3` AWS managed key can only be used by principals of its own account through S3 (its key policy has `kms:CallerAccount` and `kms:ViaService`) and its policy cannot be changed. An alias is resolved in the requester\'s account, so a writer from another account ends up encrypting with its own key (or fails with "Invalid keyId aws/s3"). For cross-account access AWS says: use a customer managed key and its fully qualified key ARN, and grant the other account `kms:GenerateDataKey` and `kms:Decrypt` in the key policy.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "PartnerWrites", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222233334444:root"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*"}, {"Sid": "OnlyS3ManagedKey", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"ArnNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:alias/aws/s3"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "PartnerWrites", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222233334444:root"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*"}, {"Sid": "OnlyOurKey", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"ArnNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}}]}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html',
      'https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html',
      'https://repost.aws/knowledge-center/cross-account-access-denied-error-s3',
      'https://github.com/aws/aws-cli/issues/4507',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      awsManagedKey: {
        summary: '{value} is the aws/s3 AWS managed key, which account {account} cannot use.',
        detail:
          "{fullValue} is the aws/s3 AWS managed key: only principals of its own account can use it, and its key policy cannot be changed. But {allow} lets account {account} upload or read objects, so its writers cannot use that key (or end up with their own account's aws/s3). " +
          "Pin a customer managed key by its full key ARN, and grant account {account} kms:GenerateDataKey and kms:Decrypt in that key's policy.",
      },
      alias: {
        summary: '{value} is an alias: account {account} writes with a key of its own.',
        detail:
          "KMS resolves an alias in the requester's account, and {allow} lets account {account} upload or read objects, so its writers end up with a key of their own account. " +
          "Pin a customer managed key by its full key ARN, and grant account {account} kms:GenerateDataKey and kms:Decrypt in that key's policy.",
      },
    },
  },
  check(ctx) {
    const aliases = aliasValues(ctx.doc.statements);
    if (!aliases.length) return;
    const grants = grantedAccounts(ctx.doc.statements);
    const bucket = ctx.verdicts()[0]?.bucket;
    for (const a of aliases) {
      // Another account: one that is not the alias ARN's; for a bare alias, any account but the first named (likely the owner's) when several are.
      const others = grants.filter(g =>
        a.account ? g.account !== a.account : grants.length > 1 && g.account !== grants[0].account,
      );
      const grant = others.find(g => {
        const resource = bucket && objectOf(g.allow, bucket);
        return (
          !!resource &&
          ['s3:PutObject', 's3:GetObject'].some(
            action => statementApplies(g.allow, httpsRequest(g.principal, action, resource)) === true,
          )
        );
      });
      if (!grant) continue;
      // A fix only when the requirements name exactly one key ("kmsKeyArns"): otherwise which
      // customer managed key is not in the text. Not safe even then: the other account also needs
      // kms:GenerateDataKey and kms:Decrypt in that key's policy, or its uploads start failing.
      const required = ctx.requirements.kmsKeyArns;
      const fixes: Fix[] =
        required.length === 1 ? [replaceFix(`Pin the required key ${required[0]}`, a.item.span, jsonString(required[0]))] : [];
      ctx.report({
        span: a.item.span,
        messageId: a.awsManaged ? 'awsManagedKey' : 'alias',
        data: {
          value: jsonString(shortKeyArn(a.item.value)),
          fullValue: jsonString(a.item.value),
          allow: statementLabel(grant.allow),
          account: grant.account,
        },
        fixes,
      });
    }
  },
};
