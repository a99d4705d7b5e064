// GRM-015: hard size limits and, for key and IAM policies, the allowed character set.
// Sizes are measured on the text without insignificant whitespace (what IAM counts, and close
// to what S3 stores after normalising, hence the warning at 90%).
// Limits: S3-UG add-bucket-policy / using-iam-policies ("limited to 20 KB"); KMS-DG
// key-policy-overview (32 KB = 32,768 bytes; printable ASCII, printable Latin-1, TAB/LF/CR);
// IAM-UG reference_iam-quotas (managed policy 6,144 characters, whitespace not counted;
// U+0009, U+000A, U+000D, U+0020–U+00FF). docs/design/aws-facts.md#grm-015.
import type { PolicyKind, Span } from '../../policy/model';
import { measureByStatements } from '../../policy/statement-facts';
import { describeChar, suspectSpans } from '../suspect-characters';
import type { Rule } from '../types';

const ADVICE =
  'Merge statements that share Effect, Principal and Condition, list actions with wildcards, or move grants to IAM policies or access points.';

interface SizeLimit {
  limit: number;
  unit: 'bytes' | 'characters';
  what: string;
  /** Who rejects it, in a summary's few words. */
  rejects: string;
  /** How the limit is written in AWS's documentation. */
  documented: string;
}

const SIZE_LIMITS: Partial<Record<PolicyKind, SizeLimit>> = {
  'bucket-policy': {
    limit: 20 * 1024,
    unit: 'bytes',
    what: 'S3 rejects bucket policies',
    rejects: 'S3 rejects it',
    documented: '20 KB',
  },
  'key-policy': {
    limit: 32 * 1024,
    unit: 'bytes',
    what: 'KMS rejects key policies',
    rejects: 'KMS rejects it',
    documented: '32 KB',
  },
  'identity-policy': {
    limit: 6144,
    unit: 'characters',
    what: 'IAM rejects managed policies',
    rejects: 'IAM rejects it',
    documented: '6,144 characters',
  },
};

const WARN_AT = 0.9;
/** Enough to point at the problem; a pasted binary blob should not produce thousands. */
const MAX_CHARSET_FINDINGS = 50;

/**
 * The size of the text once whitespace outside strings is removed (strings, escapes included,
 * counted as written): UTF-8 bytes or code points. Counts without building the minified text,
 * so a pasted megabyte costs one pass.
 */
export function minifiedSize(text: string, unit: 'bytes' | 'characters'): number {
  let n = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!inString && (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d)) continue;
    if (inString) {
      if (c === 0x5c /* \ */ && i + 1 < text.length) {
        n += 2;
        i++;
        continue;
      }
      if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    if (unit === 'characters') {
      // A surrogate pair is one character.
      if (!(c >= 0xdc00 && c <= 0xdfff && i > 0 && text.charCodeAt(i - 1) >= 0xd800 && text.charCodeAt(i - 1) <= 0xdbff)) n++;
    } else if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

const TAB_LF_CR = (cp: number) => cp === 0x09 || cp === 0x0a || cp === 0x0d;
/** KMS: printable ASCII, printable Latin-1 Supplement, TAB/LF/CR (DEL and the C1 controls are not printable). */
const kmsAllows = (cp: number) => TAB_LF_CR(cp) || (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff);
/** IAM: U+0009, U+000A, U+000D and U+0020–U+00FF. */
const iamAllows = (cp: number) => TAB_LF_CR(cp) || (cp >= 0x20 && cp <= 0xff);

const PLAIN_TEXT = /^[\t\n\r\x20-\x7e]*$/;

const CHARSETS: Partial<Record<PolicyKind, { allows: (cp: number) => boolean; service: string; set: string }>> = {
  'key-policy': {
    allows: kmsAllows,
    service: 'KMS rejects the key policy',
    set: 'printable ASCII and Latin-1 characters, tab, line feed and carriage return',
  },
  'identity-policy': {
    allows: iamAllows,
    service: 'IAM rejects the policy',
    set: 'U+0020–U+00FF, tab, line feed and carriage return',
  },
};

// Thousands separators without Intl (toLocaleString costs more than the rest of this rule).
const fmt = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

export const grm015: Rule = {
  meta: {
    id: 'GRM-015',
    title: 'Size and character-set limits',
    severity: 'error',
    // Key policies first: the example shows the character-set limit, which bucket policies do not have.
    appliesTo: ['key-policy', 'bucket-policy', 'identity-policy'],
    why: 'AWS enforces hard limits: a bucket policy may be at most 20 KB, a key policy 32,768 bytes, a customer managed IAM policy 6,144 characters (whitespace not counted). S3 normalises the policy it stores, so the stored size differs slightly from the file; staying under 90% leaves room. Key policies and IAM policies may contain only tab, line feed, carriage return and the printable characters up to U+00FF; anything else, such as a curly quote or an emoji in a Sid, makes AWS reject the document.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Allow use of the key \u2013 app", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:Decrypt", "Resource": "*"}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "Allow use of the key - app", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:Decrypt", "Resource": "*"}]}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/add-bucket-policy.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-iam-policies.html',
      'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html',
      'https://github.com/FogSecurity/aws-size',
    ],
    confidence: 'DOC',
    fixable: false,
    messages: {
      overLimit: {
        summary: 'The policy is {size} {unit} without whitespace, over the {documented} ({limit} {unit}) limit: {rejects}.',
        detail: `{what} this large. ${ADVICE}`,
      },
      nearLimit: {
        summary: 'The policy is {size} {unit} without whitespace, {percent}% of the {documented} limit.',
        detail: `{what} over it, and the size AWS counts may differ slightly. ${ADVICE}`,
      },
      character: {
        summary: '{character} is not allowed: {service}.',
        detail: 'The policy may contain only {set}. Replace or remove it.',
      },
    },
  },
  check(ctx) {
    const { doc, kind } = ctx;
    if (!doc.root) return;
    const size = SIZE_LIMITS[kind];
    if (size) {
      const measured = measureByStatements(doc, `minified ${size.unit}`, text => minifiedSize(text, size.unit));
      const share = measured / size.limit;
      const span: Span = doc.statementMember?.key.span ?? { offset: doc.root.offset, length: 1 };
      const data = {
        size: fmt(measured),
        unit: size.unit,
        documented: size.documented,
        limit: fmt(size.limit),
        what: size.what,
        rejects: size.rejects,
      };
      if (measured > size.limit) {
        ctx.report({ span, messageId: 'overLimit', data });
      } else if (share >= WARN_AT) {
        ctx.report({ span, severity: 'warning', messageId: 'nearLimit', data: { ...data, percent: Math.floor(share * 100) } });
      }
    }
    const charset = CHARSETS[kind];
    // Tab, line feed, carriage return and printable ASCII are in every charset: nothing to look at.
    if (!charset || measureByStatements(doc, 'not plain text', text => (PLAIN_TEXT.test(text) ? 0 : 1)) === 0) return;
    // Characters inside strings GRM-016 already reports are left to it (it names them and fixes them).
    const covered = suspectSpans(doc);
    const inCovered = (offset: number) => covered.some(s => offset >= s.offset && offset < s.offset + s.length);
    let reported = 0;
    for (let i = 0; i < doc.text.length && reported < MAX_CHARSET_FINDINGS; i++) {
      const cp = doc.text.codePointAt(i)!;
      const length = cp > 0xffff ? 2 : 1;
      if (!charset.allows(cp) && !inCovered(i)) {
        reported++;
        ctx.report({
          span: { offset: i, length },
          messageId: 'character',
          data: { character: describeChar(cp), service: charset.service, set: charset.set },
        });
      }
      i += length - 1;
    }
  },
};
