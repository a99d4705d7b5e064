// KMS-014 — kms:RequestAlias and kms:ResourceAliases take alias names (`alias/app`, patterns
// allowed), never alias ARNs, and kms:ResourceAliases is multivalued, so it needs ForAnyValue or
// ForAllValues (KMS-DG conditions-kms, alias-authorization). kms:RequestAlias matches only when
// the request names the key by that alias; which identifier S3 passes to KMS for SSE-KMS is not
// documented [UNCONFIRMED], so alias-based grants for S3 traffic are fragile.
// kms:ResourceAliases in a key policy is KMS-013's (it is valid in IAM policies only).
import { parseArn } from '../../policy/arn';
import { formatOperator, parseOperator } from '../../policy/operators';
import { replaceFix } from '../edits';
import { stringItems, operatorBlocks } from '../model-lookups';
import { show, capitalizedStatementLabel, SUMMARY_SID } from '../labels';
import { jsonString } from '../json-text';
import type { Rule, RuleContext } from '../types';
import { meansS3, moveEntriesFix, viaServiceValues } from './key-policy-context';

const ALIAS_KEYS = new Set(['kms:requestalias', 'kms:resourcealiases']);

function checkValues(ctx: RuleContext, key: string, items: ReturnType<typeof stringItems>): void {
  for (const item of items) {
    const v = item.value;
    const arn = parseArn(v);
    if (arn) {
      if (arn.service !== 'kms' || !arn.resource.startsWith('alias/')) {
        ctx.report({ span: item.span, messageId: 'otherArn', data: { key, value: jsonString(v) } });
        continue;
      }
      ctx.report({
        span: item.span,
        messageId: 'aliasArn',
        data: { key, value: jsonString(v), fixed: jsonString(arn.resource) },
        fixes: [replaceFix(`Change to ${jsonString(arn.resource)}`, item.span, jsonString(arn.resource))],
      });
      continue;
    }
    // `*app`, `${…}` may well match an alias name; `alias/…` is the right form.
    if (v.startsWith('alias/') || /^[*?$]/.test(v) || v.length === 0) continue;
    const fixed = `alias/${v}`;
    ctx.report({
      span: item.span,
      messageId: 'noAliasPrefix',
      data: { key, value: jsonString(v), fixed: jsonString(fixed) },
      fixes: [replaceFix(`Change to ${jsonString(fixed)}`, item.span, jsonString(fixed))],
    });
  }
}

export const kms014: Rule = {
  meta: {
    id: 'KMS-014',
    title: 'kms:RequestAlias / kms:ResourceAliases values',
    severity: 'error',
    appliesTo: ['key-policy', 'identity-policy'],
    why: '`kms:RequestAlias` and `kms:ResourceAliases` compare alias names such as `alias/app` (patterns allowed), never alias ARNs: an ARN never matches, so an Allow is dead and a negated Deny always applies. `kms:ResourceAliases` is multivalued (a key can have several aliases) and needs `ForAnyValue:` or `ForAllValues:`. `kms:RequestAlias` matches only when the request names the key by that alias (a request by key ARN does not); which identifier S3 passes to KMS for SSE-KMS is not documented, so alias-based grants for S3 traffic may not match.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "AppByAlias", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEquals": {"kms:RequestAlias": "arn:aws:kms:us-east-1:111122223333:alias/app"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "AppByAlias", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEquals": {"kms:RequestAlias": "alias/app"}}}]}',
    references: [
      'https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-request-alias',
      'https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-resource-aliases',
      'https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      aliasArn: {
        summary: '{key} compares alias names, not alias ARNs, so this value never matches.',
        detail: '{value} is an alias ARN. Use {fixed}.',
      },
      otherArn: {
        summary: '{key} compares alias names such as "alias/app", so this ARN never matches.',
        detail: '{value} is not an alias. Use the alias name.',
      },
      noAliasPrefix: {
        summary: '{key} compares alias names, which always start with "alias/", so this value never matches.',
        detail: '{value} has no "alias/" prefix. Use {fixed}.',
      },
      needsSetOperator: {
        summary: '{key} holds every alias of the key, so {operator} needs a set operator.',
        detail:
          'A key can have several aliases. Use "{target}" (any alias matches) or "ForAllValues:{canonical}" (every alias matches; also true for a key without aliases).',
      },
      requestAliasThroughS3: {
        // Which identifier S3 passes to KMS for SSE-KMS is not documented [UNCONFIRMED]: worded softly.
        summary: '{statement} is for S3 requests, but {key} may not match what S3 sends.',
        detail:
          '{key} only matches when the request names the key by that alias, and which identifier S3 passes to KMS is not documented: the statement may not apply to S3 uploads. Consider kms:ViaService with the S3 encryption context (kms:EncryptionContext:aws:s3:arn) instead.',
      },
    },
  },
  check(ctx) {
    const s3Via = new Set(
      viaServiceValues(ctx.doc)
        .filter(v => meansS3(v.item.value))
        .map(v => v.st),
    );
    for (const { st, cond, ob } of operatorBlocks(ctx.doc)) {
      const op = parseOperator(ob.operator.value);
      if (!op || op.family !== 'String') continue;
      const entries = ob.entries.filter(
        e =>
          ALIAS_KEYS.has(e.key.value.toLowerCase()) &&
          !(ctx.kind === 'key-policy' && e.key.value.toLowerCase() === 'kms:resourcealiases'),
      );
      for (const entry of entries) checkValues(ctx, entry.key.value, stringItems(entry.values));
      const multi = entries.filter(e => e.key.value.toLowerCase() === 'kms:resourcealiases');
      if (multi.length > 0 && !op.set) {
        const target = formatOperator(op.base, { set: 'ForAnyValue', ifExists: op.ifExists });
        const fix = moveEntriesFix(`Use "${target}"`, ctx.doc.text, cond, ob, multi, target);
        for (const e of multi) {
          ctx.report({
            span: e.key.span,
            messageId: 'needsSetOperator',
            data: { key: show(e.key.value, 40), operator: show(ob.operator.value, 36), target, canonical: op.canonical },
            fixes: fix ? [fix] : [],
          });
        }
      }
      if (!s3Via.has(st)) continue;
      for (const e of entries) {
        if (e.key.value.toLowerCase() !== 'kms:requestalias' || stringItems(e.values).every(i => i.value === '*')) continue;
        ctx.report({
          span: e.key.span,
          severity: 'info',
          messageId: 'requestAliasThroughS3',
          data: { statement: capitalizedStatementLabel(st, SUMMARY_SID), key: show(e.key.value, 40) },
        });
      }
    }
  },
};
