import { operatorTaken, removeConditionEntryFix } from '../edits';
import { show, capitalizedStatementLabel } from '../labels';
import type { Fix, Rule, Severity } from '../types';
import { gapsOwnedBy, httpsNotEnforced, transportTests } from './http-gaps';

// aws:SecureTransport is in every request context ("true" over HTTPS, "false" over HTTP; IAM-UG
// reference_policies_condition-keys). So `BoolIfExists` behaves exactly like `Bool` on it — both
// are correct and are deliberately not flagged (docs/design/aws-facts.md#tls-006) — while a `Null` test on it is a
// constant: "true" (absent) never matches, "false" (present) always does.

export const tls006: Rule = {
  meta: {
    id: 'TLS-006',
    title: 'aws:SecureTransport is always present: BoolIfExists equals Bool, Null never varies',
    severity: 'warning',
    appliesTo: ['bucket-policy'],
    why: 'aws:SecureTransport is always in the request context: "true" over HTTPS, "false" over HTTP. That is why "BoolIfExists" and "Bool" behave the same on it (both are fine, and JSON false and the string "false" are both accepted; neither is flagged). It also means a "Null" test on it never varies: "Null": {"aws:SecureTransport": "true"} (key absent) never matches, so a Deny with it does nothing, and "false" (key present) always matches, so a Deny with it denies every request it names, HTTPS included. To deny HTTP, test the value with Bool.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Null": {"aws:SecureTransport": "true"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}',
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-securetransport',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      denyAlways: {
        summary: '{statement} denies every request it names, HTTPS too: its Null test never varies.',
        detail:
          '{test} always matches, because aws:SecureTransport is in every request ("true" over HTTPS, "false" over HTTP).{evidence} To deny HTTP, use "Bool": {"aws:SecureTransport": "false"}.',
      },
      denyNever: {
        summary: '{statement} denies nothing: its Null test on aws:SecureTransport never matches.',
        detail:
          '{test} never matches, because aws:SecureTransport is in every request ("true" over HTTPS, "false" over HTTP), so the statement never applies.{evidence} To deny HTTP, use "Bool": {"aws:SecureTransport": "false"}.',
      },
      allowRedundant: {
        summary: '{statement} has a Null test on aws:SecureTransport that is always true: remove it.',
        detail:
          '{test} always matches, because aws:SecureTransport is in every request ("true" over HTTPS, "false" over HTTP): the test is redundant.',
      },
      allowNever: {
        summary: '{statement} allows nothing: its Null test on aws:SecureTransport never matches.',
        detail:
          '{test} never matches, because aws:SecureTransport is in every request ("true" over HTTPS, "false" over HTTP), so the statement never applies. To allow only HTTPS requests, test the value with Bool.',
      },
    },
  },
  check(ctx) {
    const { doc } = ctx;
    const owned = gapsOwnedBy(ctx, 'TLS-006');
    for (const st of doc.statements) {
      const effect = st.effect?.value;
      if (effect !== 'Allow' && effect !== 'Deny') continue;
      for (const t of transportTests(st)) {
        if (t.op.family !== 'Null' || t.op.set) continue;
        const always = t.matches === 'both';
        const test = `"${t.ob.operator.value}": {"${t.entry.key.value}": ${show(t.entry.values.items[0]?.value)}}`;
        const fixes: Fix[] = [];
        let severity: Severity;
        let messageId: string;
        let evidence = '';
        if (effect === 'Deny') {
          severity = always ? 'error' : 'warning';
          messageId = always ? 'denyAlways' : 'denyNever';
          const gap = owned.find(g => g.statement === st);
          if (gap) evidence = ` ${httpsNotEnforced(gap.verdict, gap.witness)}`;
          // The operator and the value change together: only when the Null block tests this key alone.
          if (
            t.ob.entries.length === 1 &&
            st.condition &&
            !operatorTaken(st.condition, 'Bool', t.ob) &&
            t.entry.values.items.length === 1
          ) {
            fixes.push({
              title: 'Deny requests over HTTP ("Bool": {"aws:SecureTransport": "false"})',
              edits: [
                { span: t.ob.operator.span, newText: '"Bool"' },
                { span: t.entry.values.items[0].span, newText: '"false"' },
              ],
              preferred: true,
              // Safe: the Deny then fires exactly on HTTP, what a Deny testing aws:SecureTransport is for.
              safe: true,
            });
          }
        } else if (always) {
          severity = 'info';
          messageId = 'allowRedundant';
          // Safe: the test is always true, so removing it changes no decision (and this is an Allow).
          const fix =
            st.condition &&
            removeConditionEntryFix('Remove the test on aws:SecureTransport', st, st.condition, t.ob, t.entry, true);
          if (fix) fixes.push({ ...fix, safe: true });
        } else {
          severity = 'warning';
          messageId = 'allowNever';
          // No fix: which requests the Allow was meant to allow is the author's call.
        }
        ctx.report({
          span: t.ob.operator.span,
          severity,
          messageId,
          data: { statement: capitalizedStatementLabel(st), test, evidence },
          fixes,
        });
      }
    }
  },
};
