import { parseOperator } from '../../policy/operators';
import { hasWildcard, compileWildcard } from '../../policy/wildcard';
import { markSafe, replaceFix } from '../edits';
import { clip } from '../../../shared/escape';
import type { Rule } from '../types';
import { perStatement, operatorBlocksOf } from '../statement-rule';
import { jsonString } from '../json-text';
import { stringItems } from '../model-lookups';
import { SSE, SSE_VALUES } from './sse-conditions';

/** Values SDK enums list for FSx and AWS Backup buckets; not something a client sends to a normal bucket. */
const SERVICE_VALUES = ['aws:fsx', 'aws:backup'];

/** The value the author most likely meant, from the letters alone: `AES-256` → `AES256`, `ams:kms` → `aws:kms`. */
export function intendedSseValue(value: string): string | undefined {
  const letters = value.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (/^(aes256|aes|sses3|s3)$/.test(letters)) return 'AES256';
  if (/^(a[wm]s)?(kms|ssekms)$/.test(letters) || letters === 'ssekms' || letters === 'awskmss') return 'aws:kms';
  if (/dsse/.test(letters)) return 'aws:kms:dsse';
  return undefined;
}

export const enc001: Rule = {
  meta: {
    id: 'ENC-001',
    title: 'Allowed values of s3:x-amz-server-side-encryption',
    severity: 'error',
    appliesTo: ['bucket-policy', 'identity-policy'],
    why: 'S3 only accepts `AES256` (SSE-S3), `aws:kms` (SSE-KMS) and `aws:kms:dsse` (DSSE-KMS) in the `x-amz-server-side-encryption` header, and String operators compare case-sensitively. A misspelt value never matches any request: a `StringNotEquals` Deny with a typo denies every upload, and a `StringEquals` Allow with a typo allows none. The console and prose call SSE-S3 "AES-256", which invites the typo.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "RequireSseS3", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES-256"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "RequireSseS3", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}}}]}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingServerSideEncryption.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/specifying-kms-encryption.html',
      'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      misspelt: {
        summary: '{value} is not a value S3 sends in x-amz-server-side-encryption: did you mean {meant}?',
        detail: 'S3 sends only {list}, {consequence}.',
      },
      unknownValue: {
        summary: '{value} is not a value S3 sends in x-amz-server-side-encryption: the condition {effect}.',
        detail: 'S3 sends only {list}, {consequence}.',
      },
      patternMatchesNone: {
        summary: 'The pattern {value} matches none of the values S3 sends in x-amz-server-side-encryption.',
        detail: 'S3 sends only {list}, so this condition never matches an upload.',
      },
      serviceValue: {
        summary: '{value} is a value S3 reports for FSx or AWS Backup storage: uploads likely never send it.',
        detail: 'Clients probably never send it when uploading to a bucket, so this condition likely never matches. Use {list}.',
      },
    },
  },
  ...perStatement((ctx, st) => {
    for (const { ob: block } of operatorBlocksOf(st)) {
      const op = parseOperator(block.operator.value);
      if (!op || op.family !== 'String') continue; // other families are GRM-011/GRM-012's business
      for (const entry of block.entries) {
        if (entry.key.value.toLowerCase() !== SSE) continue;
        for (const item of stringItems(entry.values)) {
          const v = item.value;
          const data = { value: jsonString(clip(v, 24)), list: SSE_VALUES.join(', ') };
          if (op.like && hasWildcard(v)) {
            const re = compileWildcard(v, { ignoreCase: op.ignoreCase });
            if (!SSE_VALUES.some(s => re.test(s))) ctx.report({ span: item.span, messageId: 'patternMatchesNone', data });
            continue;
          }
          const valid = op.ignoreCase
            ? SSE_VALUES.some(s => s.toLowerCase() === v.toLowerCase())
            : (SSE_VALUES as readonly string[]).includes(v);
          if (valid) continue;
          if (SERVICE_VALUES.includes(v.toLowerCase())) {
            ctx.report({ span: item.span, severity: 'warning', messageId: 'serviceValue', data });
            continue;
          }
          const meant = intendedSseValue(v);
          ctx.report({
            span: item.span,
            messageId: meant ? 'misspelt' : 'unknownValue',
            data: {
              ...data,
              meant: jsonString(meant ?? ''),
              effect: op.negated ? 'matches every upload' : 'never matches an upload',
              consequence: op.negated
                ? 'so this negated condition matches every upload (a Deny then blocks all of them)'
                : 'so this condition never matches an upload',
            },
            // Safe: the letters decide the value (AES-256, aes256, SSE-S3 → AES256; ams:kms → aws:kms), and
            // the value as written matches no upload. Patterns and FSx/Backup values get no fix.
            fixes: meant ? [markSafe(replaceFix(`Change to ${jsonString(meant)}`, item.span, jsonString(meant)))] : [],
          });
        }
      }
    }
  }),
};
