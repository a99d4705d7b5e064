// GRM-016: invisible and look-alike characters pasted from web pages. The S3 User Guide's
// SSE-C page itself has zero-width spaces inside x-amz-server-side-encryption-customer-algorithm;
// AWS compares policy strings character by character, so such a key never matches (a Null
// deny on it then denies every upload). Raw characters and \uXXXX escapes both count: the
// parsed value holds the character either way. docs/design/aws-facts.md#grm-016.
import { markSafe, replaceFix } from '../edits';
import { show } from '../labels';
import { jsonString } from '../json-text';
import { describeChar, LOOKALIKE_CHARS, suspectStrings } from '../suspect-characters';
import { ALL_POLICY_KINDS, type Rule } from '../types';

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
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "RequireSseC", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"Null": {"s3:x-amz-server-side\\u200b-encryption\\u200b-customer-algorithm": "true"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "RequireSseC", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "true"}}}]}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      lookalike: {
        summary: '{element} contains {codes}: it never matches what it looks like.',
        detail:
          '{element} {value} contains {chars}: AWS compares policy strings character by character. Remove invisible characters and use plain ASCII hyphens and quotes.',
      },
      notAscii: {
        summary: '{element} contains {codes}: it never matches what it looks like.',
        detail:
          '{element} {value} contains {chars}: AWS compares policy strings character by character. Retype it in plain ASCII.',
      },
    },
  },
  check(ctx) {
    for (const s of suspectStrings(ctx.doc)) {
      const byChar = new Map<number, number[]>();
      for (const h of s.hits) byChar.set(h.cp, [...(byChar.get(h.cp) ?? []), h.position]);
      const chars = [...byChar].map(([cp, positions]) => `${describeChar(cp)} at ${listPositions(positions)}`).join('; ');
      const visible = [...s.value.value].filter(ch => !LOOKALIKE_CHARS.get(ch.codePointAt(0)!)?.invisible).join('');
      const fixable = s.fixed !== undefined;
      // The summary names one character in full; several by code point only, to stay one short line.
      const codePoints = [...byChar.keys()].map(cp => describeChar(cp).split(' ')[0]);
      const codes =
        byChar.size === 1
          ? describeChar([...byChar.keys()][0])
          : `${codePoints.slice(0, -1).join(', ')} and ${codePoints[codePoints.length - 1]}`;
      ctx.report({
        span: s.value.span,
        messageId: fixable ? 'lookalike' : 'notAscii',
        data: { element: s.element, codes, value: show(visible), chars },
        // Safe: the fixed string is what the text shows; characters without a plain ASCII twin get no fix.
        fixes: fixable
          ? [
              markSafe(
                replaceFix('Remove invisible characters and normalise hyphens and quotes', s.value.span, jsonString(s.fixed!)),
              ),
            ]
          : [],
      });
    }
  },
};
