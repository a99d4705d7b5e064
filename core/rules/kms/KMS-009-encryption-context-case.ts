// KMS-009 — case in encryption-context conditions (KMS-DG conditions-kms, "Case sensitivity of the
// encryption context condition"): the context key in `kms:EncryptionContext:<key>` is matched
// case-insensitively, like every condition key name, while KMS binds ciphertext to the exact,
// case-sensitive context. Advice only.
import { parseOperator } from '../../policy/operators';
import type { Rule } from '../types';
import { perStatement, operatorBlocksOf } from '../statement-rule';
import { show } from '../labels';

const PIN_KEY = 'to require this exact spelling, add "ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "{contextKey}"}';
const EXACT_VALUE =
  'KMS needs the exact, case-sensitive context to decrypt, so callers can encrypt under several spellings; use "{exact}" unless that is intended';

const CONTEXT_KEY = /^kms:encryptioncontext:(.+)$/i;

export const kms009: Rule = {
  meta: {
    id: 'KMS-009',
    title: 'Case rules for encryption context',
    severity: 'info',
    appliesTo: ['key-policy'],
    why: 'In `kms:EncryptionContext:<key>` the context key is part of the condition key name, and condition key names are case-insensitive: `kms:EncryptionContext:Project` also matches a context key `project` or `PROJECT`. Values follow the operator (`StringEquals` is case-sensitive, `StringEqualsIgnoreCase` not), but KMS itself requires the exact, case-sensitive encryption context to decrypt, so a case-insensitive policy lets callers encrypt under several spellings of one context. To require the exact case of a context key, add a `kms:EncryptionContextKeys` condition; to require the exact value, use `StringEquals`.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "AlphaOnly", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:Encrypt", "Resource": "*", "Condition": {"StringEqualsIgnoreCase": {"kms:EncryptionContext:Project": "Alpha"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "AlphaOnly", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:Encrypt", "Resource": "*", "Condition": {"StringEquals": {"kms:EncryptionContext:Project": "Alpha"}, "ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "Project"}}}]}',
    references: [
      'https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context',
      'https://docs.aws.amazon.com/kms/latest/developerguide/encrypt_context.html',
    ],
    confidence: 'DOC',
    fixable: false,
    messages: {
      keyCase: {
        summary: 'In {key}, the context key "{contextKey}" is matched in any case.',
        detail: `"{lower}" matches too; ${PIN_KEY}.`,
      },
      valueCase: {
        summary: '{operator} accepts any case of the value, but KMS needs the exact context to decrypt.',
        detail: `In {key}, ${EXACT_VALUE}.`,
      },
      keyAndValueCase: {
        summary: 'In {key}, both the context key and its value are matched in any case.',
        detail: `The context key "{contextKey}" is matched in any case ("{lower}" matches too); ${PIN_KEY}. And {operator} accepts the value in any case, but ${EXACT_VALUE}.`,
      },
    },
  },
  ...perStatement((ctx, st) => {
    for (const { ob } of operatorBlocksOf(st)) {
      const op = parseOperator(ob.operator.value);
      if (!op || op.family !== 'String') continue;
      // Is the key's case pinned elsewhere in the statement with kms:EncryptionContextKeys?
      const pinnedKeys = new Set(
        (st.condition?.operators ?? []).flatMap(o =>
          o.entries
            .filter(
              e =>
                e.key.value.toLowerCase() === 'kms:encryptioncontextkeys' &&
                /^(?:ForAnyValue|ForAllValues):StringEquals(?:IfExists)?$/.test(o.operator.value),
            )
            .flatMap(e => e.values.items.map(i => i.value)),
        ),
      );
      for (const entry of ob.entries) {
        const m = CONTEXT_KEY.exec(entry.key.value);
        if (!m) continue;
        const contextKey = m[1];
        const keyCase = /[A-Z]/.test(contextKey) && !pinnedKeys.has(contextKey);
        if (!keyCase && !op.ignoreCase) continue;
        ctx.report({
          span: entry.key.span,
          messageId: keyCase && op.ignoreCase ? 'keyAndValueCase' : keyCase ? 'keyCase' : 'valueCase',
          data: {
            key: show(entry.key.value, 44),
            contextKey,
            lower: contextKey.toLowerCase(),
            operator: show(ob.operator.value, 36),
            exact: op.negated ? 'StringNotEquals' : 'StringEquals',
          },
        });
      }
    }
  }),
};
