// KMS-013 — actions and condition keys that do nothing in a key policy. A key policy only
// authorises requests on its own key; actions without the `key` resource type in the Service
// Authorization Reference (kms:CreateKey, kms:ListAliases, kms:ListKeys, kms:GenerateRandom, the
// custom key store actions…) act on no key, so only IAM policies can allow them (KMS-DG
// key-policy-default). kms:ResourceAliases is valid in IAM policies only (KMS-DG conditions-kms).
import { actionsNamed } from '../../knowledge';
import type { Statement } from '../../policy/model';
import { markSafe, removeItemFix } from '../edits';
import type { Rule, StatementContext } from '../types';
import { perStatement, operatorBlocksOf } from '../statement-rule';
import { show } from '../labels';
import { stringItems } from '../model-lookups';

/** Does an Action value name only KMS actions that act on no key? (Unknown and other services' actions are GRM-007's.) */
function noKeyAction(value: string): boolean {
  const actions = actionsNamed(value).filter(a => a.service === 'kms');
  return actions.length > 0 && actions.every(a => !a.resourceTypes.some(r => r.name === 'key'));
}

function checkActions(ctx: StatementContext, st: Statement): void {
  if (!st.action || st.notAction) return;
  const items = st.action.items;
  const flagged = stringItems(st.action).filter(i => noKeyAction(i.value));
  // Removing is offered only while an action with an effect stays in the list.
  const keeps = items.some(i => !flagged.some(f => f === i));
  for (const item of flagged) {
    // Safe for "fix all": the action never applies here, so removing it changes no decision.
    const fix = markSafe(
      keeps ? removeItemFix(`Remove "${item.value}" from the key policy`, st.action, items.indexOf(item)) : undefined,
    );
    ctx.report({ span: item.span, messageId: 'noKeyAction', data: { action: show(item.value, 40) }, fixes: fix ? [fix] : [] });
  }
}

export const kms013: Rule = {
  meta: {
    id: 'KMS-013',
    title: 'Actions and keys that have no effect in a key policy',
    severity: 'warning',
    appliesTo: ['key-policy'],
    why: 'A key policy controls access to its own key only. Actions that do not act on a key — `kms:CreateKey`, `kms:ListAliases`, `kms:ListKeys`, `kms:GenerateRandom`, `kms:ListRetirableGrants`, the custom key store actions — are authorised only by IAM policies, so in a key policy they never apply (wildcards such as `kms:List*` are fine: they also name key actions). The condition key `kms:ResourceAliases` is likewise valid only in IAM policies.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Admin"}, "Action": ["kms:DescribeKey", "kms:CreateKey", "kms:ListAliases"], "Resource": "*"}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Admin"}, "Action": ["kms:DescribeKey"], "Resource": "*"}]}',
    references: [
      'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html',
      'https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-resource-aliases',
      'https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      noKeyAction: {
        summary: '{action} acts on no particular key, so in a key policy it never applies.',
        detail: "Only IAM policies can allow it. Remove it here and grant it in the principal's IAM policy.",
      },
      resourceAliases: {
        summary: '{key} is valid only in IAM policies, not in key policies: here it controls nothing.',
        detail: "Move it to the principals' IAM policy, or test the alias in the request with kms:RequestAlias.",
      },
    },
  },
  ...perStatement((ctx, st) => {
    checkActions(ctx, st);
    for (const { ob } of operatorBlocksOf(st)) {
      for (const entry of ob.entries) {
        if (entry.key.value.toLowerCase() !== 'kms:resourcealiases') continue;
        ctx.report({ span: entry.key.span, messageId: 'resourceAliases', data: { key: show(entry.key.value, 40) } });
      }
    }
  }),
};
