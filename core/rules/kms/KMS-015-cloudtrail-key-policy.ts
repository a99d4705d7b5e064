// KMS-015 — a key policy for CloudTrail log encryption (CT-UG create-kms-key-policy-for-cloudtrail;
// KMS-DG services-cloudtrail). CloudTrail encrypts each log file with a data key from
// kms:GenerateDataKey* (never kms:Encrypt), under the encryption context
// `aws:cloudtrail:arn` = the trail ARN; it needs kms:DescribeKey as well; aws:SourceArn (the trail
// ARN) guards against the confused deputy. Checked only when a statement names the CloudTrail
// service principal.
import { parseArn } from '../../policy/arn';
import type { Located, Statement } from '../../policy/model';
import { addConditionEdit, editsFix, insertBeside, insertMember, replaceFix } from '../edits';
import type { Fix, Rule, RuleContext } from '../types';
import { clip } from '../../../shared/escape';
import { ownerAccount } from './key-policy-context';
import { jsonString } from '../json-text';
import { capitalizedStatementLabel, SUMMARY_SID } from '../labels';
import { stringItems, keyTests, coversAction } from '../model-lookups';

const CLOUDTRAIL = 'cloudtrail.amazonaws.com';
const CONTEXT_KEY = 'kms:EncryptionContext:aws:cloudtrail:arn';
const ADD_CONTEXT = `Add "StringLike": {"${CONTEXT_KEY}": "arn:aws:cloudtrail:*:{account}:trail/*"} (one entry per account whose trails may use it).`;
const ADD_SOURCE_ARN = 'Add "StringEquals": {"aws:SourceArn": "arn:aws:cloudtrail:REGION:{account}:trail/TRAIL-NAME"}.';

/** The `cloudtrail.amazonaws.com` item of an Allow statement's Principal. */
function cloudTrailPrincipal(st: Statement): Located<string> | undefined {
  if (st.effect?.value !== 'Allow') return undefined;
  for (const e of st.principal?.entries ?? []) {
    if (e.type.value !== 'Service') continue;
    const item = stringItems(e.values).find(i => i.value.toLowerCase() === CLOUDTRAIL);
    if (item) return item;
  }
  return undefined;
}

const hasKey = (st: Statement, key: string): boolean => keyTests(st, key).length > 0;
const hasContextCondition = (st: Statement): boolean =>
  (st.condition?.operators ?? []).some(o => o.entries.some(e => /^kms:encryptioncontext/i.test(e.key.value)));

/** The account whose trails may use the key: from the CloudTrail statements' aws:SourceArn/aws:SourceAccount, else the key's owner. */
function trailAccount(ctx: RuleContext, statements: readonly Statement[]): string | undefined {
  for (const st of statements) {
    for (const key of ['aws:SourceArn', 'aws:SourceAccount']) {
      for (const { entry } of keyTests(st, key)) {
        for (const i of stringItems(entry.values)) {
          const account = key === 'aws:SourceAccount' ? i.value : parseArn(i.value)?.account;
          if (account && /^\d{12}$/.test(account)) return account;
        }
      }
    }
  }
  return ownerAccount(ctx.doc);
}

/** Add `"StringLike": {CONTEXT_KEY: pattern}` to a statement, into an existing StringLike block when there is one. */
function contextFix(ctx: RuleContext, st: Statement, account: string): Fix | undefined {
  const pattern = jsonString(`arn:aws:cloudtrail:*:${account}:trail/*`);
  const title = `Limit to trails of account ${account}`;
  const add = addConditionEdit(ctx.doc.text, st, 'StringLike', CONTEXT_KEY, pattern);
  if (add) return editsFix(title, [add]);
  const like = st.condition?.operators.filter(o => o.operator.value === 'StringLike') ?? [];
  if (like.length !== 1 || like[0].node.type !== 'object') return undefined;
  return editsFix(title, [insertMember(ctx.doc.text, like[0].node, `${jsonString(CONTEXT_KEY)}: ${pattern}`)]);
}

export const kms015: Rule = {
  meta: {
    id: 'KMS-015',
    title: 'CloudTrail SSE-KMS key policy',
    severity: 'warning',
    appliesTo: ['key-policy'],
    why: "CloudTrail encrypts log files with data keys from `kms:GenerateDataKey*` (not `kms:Encrypt`), under the encryption context `aws:cloudtrail:arn` = the trail ARN, and calls `kms:DescribeKey` when a trail is created or updated. AWS's key policy for CloudTrail allows `kms:GenerateDataKey*` to `cloudtrail.amazonaws.com` with `StringLike kms:EncryptionContext:aws:cloudtrail:arn` = `arn:aws:cloudtrail:*:ACCOUNT:trail/*` (one entry per account allowed to use the key) and `aws:SourceArn` = the trail ARN (recommended over `aws:SourceAccount`), plus `kms:DescribeKey` for the service, and `kms:Decrypt` for log readers. Without them CloudTrail cannot deliver logs, or any trail could use your key.",
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "Allow CloudTrail to encrypt logs", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:Encrypt", "Resource": "*"}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "Allow CloudTrail to encrypt logs", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey*", "Resource": "*", "Condition": {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:111122223333:trail/*"}, "StringEquals": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events"}}}, {"Sid": "Allow CloudTrail access", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:DescribeKey", "Resource": "*"}]}',
    references: [
      'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html',
      'https://docs.aws.amazon.com/kms/latest/developerguide/services-cloudtrail.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      encryptInsteadOfGenerateDataKey: {
        summary: 'CloudTrail encrypts logs with kms:GenerateDataKey*, never kms:Encrypt: it cannot deliver logs.',
        detail:
          'It encrypts each log file with a data key from kms:GenerateDataKey*, so with this grant alone it cannot deliver logs. Use "kms:GenerateDataKey*".',
      },
      noGenerateDataKey: {
        summary: 'No statement lets CloudTrail call kms:GenerateDataKey*, so trails cannot encrypt logs with this key.',
        detail:
          'Allow "kms:GenerateDataKey*" to cloudtrail.amazonaws.com, limited to your trails with kms:EncryptionContext:aws:cloudtrail:arn.',
      },
      anyTrail: {
        summary: '{statement} lets CloudTrail use the key for any trail, in any account.',
        detail: `It has no ${CONTEXT_KEY}, aws:SourceArn or aws:SourceAccount condition, so a trail in any account that names this key can use it. ${ADD_CONTEXT}`,
      },
      noContextCondition: {
        summary: `{statement} has no ${CONTEXT_KEY} condition.`,
        detail: `AWS's CloudTrail key policy uses it to limit the key to your accounts' trails. ${ADD_CONTEXT}`,
      },
      noSourceArn: {
        summary: '{statement} has no aws:SourceArn condition limiting CloudTrail to your trail.',
        detail: `AWS recommends limiting CloudTrail's use of the key to your trail. ${ADD_SOURCE_ARN}`,
      },
      sourceAccountOnly: {
        summary: '{statement} has no aws:SourceArn condition limiting CloudTrail to your trail.',
        detail: `AWS recommends limiting CloudTrail's use of the key to your trail (aws:SourceAccount works, but aws:SourceArn is recommended). ${ADD_SOURCE_ARN}`,
      },
      sourceArnNotTrail: {
        summary: "For CloudTrail, aws:SourceArn is the trail's ARN, so this {service} ARN never matches.",
        detail:
          '{value} is not a trail, so CloudTrail cannot use the key. Use "arn:aws:cloudtrail:REGION:ACCOUNT:trail/TRAIL-NAME".',
      },
      noDescribeKey: {
        summary: 'CloudTrail also needs kms:DescribeKey on the key, or creating and updating trails fails.',
        detail:
          'Allow it without an encryption-context condition, which DescribeKey requests never carry. Add a statement allowing "kms:DescribeKey" to cloudtrail.amazonaws.com.',
      },
    },
  },
  check(ctx) {
    const trailStatements = ctx.doc.statements.filter(st => cloudTrailPrincipal(st));
    if (trailStatements.length === 0) return;
    const account = trailAccount(ctx, trailStatements);
    const encrypters = trailStatements.filter(st => coversAction(st, 'kms:GenerateDataKey'));

    if (encrypters.length === 0) {
      const encryptItems = trailStatements.flatMap(st =>
        stringItems(st.action).filter(i => i.value.toLowerCase() === 'kms:encrypt'),
      );
      for (const item of encryptItems) {
        ctx.report({
          span: item.span,
          severity: 'error',
          messageId: 'encryptInsteadOfGenerateDataKey',
          fixes: [replaceFix('Change to "kms:GenerateDataKey*"', item.span, jsonString('kms:GenerateDataKey*'))],
        });
      }
      if (encryptItems.length === 0) {
        ctx.report({ span: cloudTrailPrincipal(trailStatements[0])!.span, messageId: 'noGenerateDataKey' });
      }
    }

    for (const st of encrypters) {
      const principal = cloudTrailPrincipal(st)!;
      if (!hasKey(st, CONTEXT_KEY)) {
        const fix = account ? contextFix(ctx, st, account) : undefined;
        ctx.report({
          span: principal.span,
          messageId: hasKey(st, 'aws:SourceArn') || hasKey(st, 'aws:SourceAccount') ? 'noContextCondition' : 'anyTrail',
          data: { statement: capitalizedStatementLabel(st, SUMMARY_SID), account: account ?? 'ACCOUNT' },
          fixes: fix ? [fix] : [],
        });
      }
      const sourceArns = [...keyTests(st, 'aws:SourceArn')].flatMap(t => stringItems(t.entry.values));
      if (sourceArns.length === 0) {
        ctx.report({
          span: principal.span,
          messageId: hasKey(st, 'aws:SourceAccount') ? 'sourceAccountOnly' : 'noSourceArn',
          data: { statement: capitalizedStatementLabel(st, SUMMARY_SID), account: account ?? 'ACCOUNT' },
        });
      }
      for (const item of sourceArns) {
        const arn = parseArn(item.value);
        if (!arn || arn.service === 'cloudtrail' || arn.service.includes('*')) continue;
        ctx.report({
          span: item.span,
          messageId: 'sourceArnNotTrail',
          data: { value: jsonString(item.value), service: clip(arn.service, 24) },
        });
      }
    }

    // kms:DescribeKey requests carry no encryption context: a statement that requires one never allows them.
    const describes = trailStatements.some(st => coversAction(st, 'kms:DescribeKey') && !hasContextCondition(st));
    if (!describes) {
      const first = trailStatements[0];
      const statement = `{"Sid": "Allow CloudTrail access", "Effect": "Allow", "Principal": {"Service": "${CLOUDTRAIL}"}, "Action": "kms:DescribeKey", "Resource": "*"}`;
      ctx.report({
        span: cloudTrailPrincipal(first)!.span,
        messageId: 'noDescribeKey',
        fixes: [
          editsFix('Add a statement allowing kms:DescribeKey to CloudTrail', [
            insertBeside(ctx.doc.text, first.span, statement, 'after'),
          ]),
        ],
      });
    }
  },
};
