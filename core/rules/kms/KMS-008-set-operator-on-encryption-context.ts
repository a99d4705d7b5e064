// KMS-008 — kms:EncryptionContext:<key> holds one value per request, so ForAllValues/ForAnyValue
// do not belong on it (KMS-DG conditions-kms; IAM-UG Access Analyzer "ForAllValues with single
// valued key"). ForAllValues is true when the request has no such context at all, so an Allow
// with it also lets context-free requests through; KMS refuses new policies with it
// (OverlyPermissiveCondition). The multivalued kms:EncryptionContextKeys is a different key and
// needs the set operators.
import type { ConditionEntry } from '../../policy/model';
import { formatOperator, parseOperator } from '../../policy/operators';
import type { Rule } from '../types';
import { markSafe } from '../edits';
import { moveEntriesFix } from './key-policy-context';
import { perStatement, operatorBlocksOf } from '../statement-rule';
import { show } from '../labels';

const CONTEXT_KEY = /^kms:encryptioncontext:.+/i;

export const kms008: Rule = {
  meta: {
    id: 'KMS-008',
    title: 'Set operators on kms:EncryptionContext:<key>',
    severity: 'error',
    appliesTo: ['key-policy'],
    why: '`kms:EncryptionContext:<key>` is single-valued: a request has at most one value for each context key. `ForAllValues:` is true when the request has no value at all, so `ForAllValues:StringEquals` also matches requests with no or unexpected encryption context, and KMS now rejects such policies with `OverlyPermissiveCondition`. `ForAnyValue:` is false when the key is missing (so `ForAnyValue:StringNotEquals` in a Deny lets context-free requests through), and AWS warns against it. Use the plain operator. (For the multivalued `kms:EncryptionContextKeys` the set operators are required.)',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "AppReadsThisBucket", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:Decrypt", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::example-bucket"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "AppReadsThisBucket", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEquals": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::example-bucket"}}}]}',
    references: [
      'https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      forAllValues: {
        summary: '{key} is single-valued, so {operator} is the wrong operator.',
        detail:
          'It holds one value per request, and "ForAllValues:" is true when the request has no value for it, so the condition also holds for requests without that encryption context (KMS rejects new policies with it as overly permissive). Use "{plain}".',
      },
      forAnyValueNegated: {
        summary: '{key} is single-valued, so {operator} is the wrong operator.',
        detail:
          'It holds one value per request, and "ForAnyValue:" is false when the request has no value for it, unlike "{plain}" alone, and AWS warns against it. Use "{plain}".',
      },
      forAnyValue: {
        summary: '{key} is single-valued, so {operator} is the wrong operator.',
        detail:
          'It holds one value per request, and "ForAnyValue:" is false when the request has no value for it, and AWS warns against it. Use "{plain}".',
      },
    },
  },
  ...perStatement((ctx, st) => {
    for (const { cond, ob } of operatorBlocksOf(st)) {
      const op = parseOperator(ob.operator.value);
      if (!op?.set) continue;
      const flagged: ConditionEntry[] = ob.entries.filter(e => CONTEXT_KEY.test(e.key.value));
      if (flagged.length === 0) continue;
      const plain = formatOperator(op.base, { ifExists: op.ifExists });
      // Safe for "fix all" only in an Allow with ForAllValues: the plain operator differs only for
      // requests without the context, which it stops allowing, so access can only narrow. Elsewhere
      // the change can widen an Allow or a Deny, which waits for a person.
      const fix = markSafe(
        moveEntriesFix(`Use "${plain}"`, ctx.text, cond, ob, flagged, plain),
        st.effect?.value === 'Allow' && op.set === 'ForAllValues',
      );
      for (const e of flagged) {
        ctx.report({
          span: e.key.span,
          messageId: op.set === 'ForAllValues' ? 'forAllValues' : op.negated ? 'forAnyValueNegated' : 'forAnyValue',
          data: { key: show(e.key.value, 44), operator: show(ob.operator.value, 36), plain },
          fixes: fix ? [fix] : [],
        });
      }
    }
  }),
};
