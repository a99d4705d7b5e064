// GRM-016: invisible and look-alike characters pasted from web pages. The S3 User Guide's
// SSE-C page itself has zero-width spaces inside x-amz-server-side-encryption-customer-algorithm;
// AWS compares policy strings character by character, so such a key never matches (a Null
// deny on it then denies every upload). Raw characters and \uXXXX escapes both count: the
// parsed value holds the character either way. RULES.md GRM-016.
import { markSafe, replaceFix } from '../edits';
import { describeChar, LOOKALIKE_CHARS, suspectStrings } from '../suspect-characters';
import { ALL_POLICY_KINDS, type Rule } from '../types';
import { jsonString, show } from '../util';

function listPositions(positions: number[]): string {
  if (positions.length === 1) return `position ${positions[0]}`;
  return `positions ${positions.slice(0, -1).join(', ')} and ${positions[positions.length - 1]}`;
}

export const grm016: Rule = {
  meta: {
    id: 'GRM-016',
    title: 'Invisible characters',
    severity: 'error',
    appliesTo: ALL_POLICY_KINDS,
    why: 'Text copied from web pages can carry characters you cannot see or tell apart: zero-width spaces, no-break spaces, typographic hyphens and dashes, curly quotes. The S3 User Guide\'s own SSE-C page has zero-width spaces inside "x-amz-server-side-encryption-customer-algorithm". AWS compares actions, condition keys, operators and ARNs character by character, so such a string never matches what it looks like; a Null condition on a key that never exists then denies every upload.',
    example: '{"Condition": {"Null": {"s3:x-amz-server-side\\u200b-encryption\\u200b-customer-algorithm": "true"}}}',
    useInstead: '{"Condition": {"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "true"}}}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html',
    ],
    confidence: 'DOC',
    fixable: true,
  },
  check(ctx) {
    for (const s of suspectStrings(ctx.doc)) {
      const byChar = new Map<number, number[]>();
      for (const h of s.hits) byChar.set(h.cp, [...(byChar.get(h.cp) ?? []), h.position]);
      const chars = [...byChar].map(([cp, positions]) => `${describeChar(cp)} at ${listPositions(positions)}`).join('; ');
      const visible = [...s.value.value].filter(ch => !LOOKALIKE_CHARS.get(ch.codePointAt(0)!)?.invisible).join('');
      const fixable = s.fixed !== undefined;
      ctx.report({
        span: s.value.span,
        message: `${s.element} ${show(visible)} contains ${chars}: AWS compares policy strings character by character, so it never matches what it looks like. ` +
          (fixable ? 'Remove invisible characters and use plain ASCII hyphens and quotes.' : 'Retype it in plain ASCII.'),
        // Safe: the fixed string is what the text shows; characters without a plain ASCII twin get no fix.
        fixes: fixable ? [markSafe(replaceFix('Remove invisible characters and normalise hyphens and quotes', s.value.span, jsonString(s.fixed!)))] : [],
      });
    }
  },
};
