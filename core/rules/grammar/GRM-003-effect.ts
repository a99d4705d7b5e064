// GRM-003: Effect is mandatory and case-sensitive: exactly "Allow" or "Deny".
// docs/design/aws-facts.md#grm-003; IAM-UG reference_policies_elements_effect.
import { markSafe, replaceFix } from '../edits';
import { ALL_POLICY_KINDS, type Rule } from '../types';
import { perStatement } from '../statement-rule';
import { jsonString } from '../json-text';
import { capitalizedStatementLabel, SUMMARY_SID, show, closest } from '../labels';
import { statementHead } from '../model-lookups';

const EFFECTS = ['Allow', 'Deny'];

export const grm003: Rule = {
  meta: {
    id: 'GRM-003',
    title: 'Effect',
    severity: 'error',
    appliesTo: ALL_POLICY_KINDS,
    why: 'Every statement needs an "Effect" whose value is exactly "Allow" or "Deny". The value is case-sensitive: "deny" or "DENY" is not a Deny, and S3 rejects the policy ("MalformedPolicy: Invalid effect").',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyHttp", "Effect": "deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}',
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html',
      'https://github.com/versity/versitygw/issues/647',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      missing: {
        summary: '{statement} has no "Effect": AWS rejects a statement without one.',
        detail: 'Add "Effect": "Deny" or "Effect": "Allow".',
      },
      notString: {
        summary: '"Effect" is {value}, not a string: AWS rejects the policy.',
        detail: 'Write "Effect": "Allow" or "Effect": "Deny".',
      },
      invalidTypo: {
        summary: '"Effect" is {value}: AWS accepts only "Allow" or "Deny" (case-sensitive).',
        detail: 'AWS rejects the policy. Change it to "{guess}".',
      },
      invalid: {
        summary: '"Effect" is {value}: AWS accepts only "Allow" or "Deny" (case-sensitive).',
        detail: 'AWS rejects the policy. Use "Allow" or "Deny".',
      },
    },
  },
  ...perStatement((ctx, st) => {
    const effect = st.effect;
    if (!effect) {
      ctx.report({
        span: statementHead(st),
        messageId: 'missing',
        data: { statement: capitalizedStatementLabel(st, SUMMARY_SID) },
      });
      return;
    }
    if (typeof effect.value !== 'string') {
      ctx.report({
        span: effect.span,
        messageId: 'notString',
        data: { value: show(effect.value, 40) },
      });
      return;
    }
    if (EFFECTS.includes(effect.value)) return;
    const trimmed = effect.value.trim();
    // Case and stray spaces are unambiguous; typos ("Alow") and inflections ("Denied",
    // "Allowed") go to the nearest name or the one they start like.
    const lower = trimmed.toLowerCase();
    const guess =
      EFFECTS.find(e => e.toLowerCase() === lower) ??
      closest(trimmed, EFFECTS) ??
      EFFECTS.find(e => lower.startsWith(e.toLowerCase().slice(0, 3)));
    ctx.report({
      span: effect.span,
      messageId: guess ? 'invalidTypo' : 'invalid',
      data: { value: show(effect.value, 40), guess: guess ?? '' },
      // Case and stray spaces are safe to repair; a typo's nearest name is not: Allow and Deny are
      // opposites, so a wrong guess would grant what was meant to be denied. No fix for a missing
      // or non-string Effect: Allow or Deny is the author's choice.
      fixes: guess
        ? [markSafe(replaceFix(`Change to "${guess}"`, effect.span, jsonString(guess)), guess.toLowerCase() === lower)]
        : [],
    });
  }),
};
