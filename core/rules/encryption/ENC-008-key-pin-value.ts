// ENC-008 — pinning a KMS key: `s3:x-amz-server-side-encryption-aws-kms-key-id` must be compared
// with the key ARN (S3 guide; SAR types the key as ARN). Bare key ids, aliases, alias ARNs and
// `aws/s3` are errors; a String operator where AWS uses `ArnNotEqualsIfExists` is advice.
// This rule also carries the key-pinning requirement (docs/design/engine.md#requirements "kmsKeyArns") and, without it,
// the policy's own evident key pin: SSE-KMS uploads that name another key must be denied, decided
// from the verdict, with the witness in the message and a fix that inserts the canonical pin.
import type { BucketVerdict } from '../../../shared/types';
import { parseArn } from '../../policy/arn';
import { formatOperator, type ParsedOperator } from '../../policy/operators';
import { markSafe, operatorTaken, replaceFix } from '../edits';
import type { Fix, Rule, RuleContext } from '../types';
import { freshSid, keyPinStatement, newStatement, statementsFix } from '../templates';
import { shortKeyArn } from '../../../shared/wording';
import { clip } from '../../../shared/escape';
import { type KeyGap, acceptedAlgorithms, encryptionIntent, keyGap } from './intent';
import { sseEntries, SSE_KMS_KEY_ID, isKmsAlgorithm } from './sse-conditions';
import { statementTarget } from './statement-fixes';
import { policySpan, softWords, forExample, firstVerdict } from './upload-classes';
import { jsonString } from '../json-text';
import { listOf, capitalizedStatementLabel } from '../labels';
import { effectSpan } from '../model-lookups';

/** `arn:PARTITION:kms:REGION:ACCOUNT:key/ID` (wildcards allowed in the parts). */
export const isKeyArn = (value: string): boolean => {
  const arn = parseArn(value);
  return !!arn && arn.service === 'kms' && /^key\/.+/.test(arn.resource);
};

/**
 * What a value that is not a key ARN is, for the message (`the alias "alias/app"`); undefined for a
 * key ARN. `brief` for a summary: an alias ARN by its alias, other values clipped.
 */
export function notAKeyArn(value: string, brief = false): string | undefined {
  if (isKeyArn(value)) return undefined;
  const shown = jsonString(brief ? clip(value, 40) : value);
  const arn = parseArn(value);
  if (arn?.service === 'kms' && arn.resource.startsWith('alias/'))
    return brief ? `the alias ARN of ${shortKeyArn(value)}` : `the alias ARN ${shown}`;
  if (value === 'aws/s3' || value === 'alias/aws/s3') return `the AWS managed key alias ${shown}`;
  if (value.startsWith('alias/')) return `the alias ${shown}`;
  if (/^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.test(value))
    return `the bare key id ${shown}`;
  return `${shown}, which is not a key ARN`;
}

/** The Arn operator with the same meaning as a String operator (case-sensitive ones only). */
function arnOperator(op: ParsedOperator): string | undefined {
  if (op.family !== 'String' || op.ignoreCase) return undefined;
  const base = op.like ? (op.negated ? 'ArnNotLike' : 'ArnLike') : op.negated ? 'ArnNotEquals' : 'ArnEquals';
  return formatOperator(base, { set: op.set, ifExists: op.ifExists });
}

/** Reports the values and operators; returns how many values are not key ARNs. */
function checkValues(ctx: RuleContext): number {
  let wrong = 0;
  for (const st of ctx.doc.statements) {
    for (const { ob, op, entry, key } of sseEntries(st)) {
      if (key !== SSE_KMS_KEY_ID || !op || op.family === 'Null') continue;
      let allKeyArns = true;
      for (const item of entry.values.items) {
        if (typeof item.value !== 'string') continue;
        const what = notAKeyArn(item.value);
        if (!what) continue;
        allKeyArns = false;
        wrong++;
        const id = item.value;
        const known = ctx.requirements.kmsKeyArns.find(a => a.endsWith(`/${id}`));
        ctx.report({
          span: item.span,
          severity: 'error',
          messageId: 'notAKeyArn',
          data: {
            what: notAKeyArn(item.value, true)!,
            full: what,
            negated: op.negated ? ' — a negated test then denies uploads that name the key by its ARN' : '',
          },
          // Safe when the requirements name the key ARN that ends in this key id; otherwise which ARN
          // (region, account) is not in the text, so there is no fix.
          fixes: known ? [markSafe(replaceFix(`Use the key ARN ${known}`, item.span, jsonString(known)))] : [],
        });
      }
      const arnOp = arnOperator(op);
      if (!allKeyArns || !arnOp) continue;
      const onlyKeyId = ob.entries.every(e => e.key.value.toLowerCase() === SSE_KMS_KEY_ID);
      // Safe for exact ARNs: the result is the same. With a wildcard the Arn operator would start
      // honouring it (a String operator compares it literally): a change of meaning to review.
      const literal = entry.values.items.every(i => typeof i.value !== 'string' || !/[*?]/.test(i.value));
      const fixes: Fix[] =
        onlyKeyId && st.condition && !operatorTaken(st.condition, arnOp, ob)
          ? [markSafe(replaceFix(`Change to ${arnOp}`, ob.operator.span, jsonString(arnOp)), literal)]
          : [];
      ctx.report({
        span: ob.operator.span,
        severity: 'info',
        messageId: 'stringOperator',
        data: { operator: ob.operator.value, arnOperator: arnOp },
        fixes,
      });
    }
  }
  return wrong;
}

function reportKeyGap(ctx: RuleContext, v: BucketVerdict, gap: KeyGap): void {
  const first = gap.leaks[0];
  const keys = gap.keys;
  const st = gap.statements[0];
  const algorithms: readonly string[] = acceptedAlgorithms(ctx, encryptionIntent(ctx.doc))?.values ?? [];
  // Strict (template 2) only when header-less uploads must be denied and only KMS algorithms are accepted: the strict pin denies every upload without a key id.
  const strict = ctx.requirements.headerlessUploads === 'deny' && algorithms.length > 0 && algorithms.every(isKmsAlgorithm);
  const insertable = keys.every(k => isKeyArn(k) && !/[*?]/.test(k));
  // Safe when the requirements name the keys ("kmsKeyArns"); from the policy's own pin it is not: a
  // scoped pin may be scoped on purpose, and a Deny for everyone is its author's choice.
  const fix = insertable
    ? statementsFix(
        ctx.doc,
        undefined,
        [],
        [
          newStatement(
            keyPinStatement(statementTarget(ctx, v), freshSid(ctx.doc, 'DenyUploadsWithAnotherKmsKey'), keys, strict),
            strict
              ? `denies uploads that do not name ${listOf(keys.map(shortKeyArn))}`
              : `denies uploads that name another KMS key than ${listOf(keys.map(shortKeyArn))}`,
          ),
        ],
      )
    : undefined;
  const requirement = gap.source === 'requirement' || !st;
  ctx.report({
    span: st ? effectSpan(st) : policySpan(ctx.doc),
    severity: 'warning',
    messageId: requirement ? 'requiredKey' : 'intendedKey',
    data: {
      ...softWords(v),
      statement: st ? capitalizedStatementLabel(st) : '',
      keys: listOf(keys.map(shortKeyArn)),
      fullKeys: listOf(keys),
      example: forExample(first),
    },
    fixes: fix ? [markSafe(fix, gap.source === 'requirement')] : [],
  });
}

export const enc008: Rule = {
  meta: {
    id: 'ENC-008',
    title: 'Pinning a KMS key: value must be the key ARN',
    severity: 'error',
    appliesTo: ['bucket-policy'],
    why:
      'The S3 guide requires `s3:x-amz-server-side-encryption-aws-kms-key-id` to be compared with the key ARN (`arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`) and notes that IAM does not verify the key exists; the Service Authorization Reference types the key as ARN. A bare key id, an alias, an alias ARN or `aws/s3` likely never equals what S3 compares, so a pin written that way denies the uploads it means to allow. ' +
      'Pinning must also cover every upload: when the requirements ("kmsKeyArns") or the policy\'s own pin say uploads naming another key must be denied, every such SSE-KMS upload — by any principal, to any object — has to be explicitly denied.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "OnlyOurKey", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "alias/app"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "OnlyOurKey", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"ArnNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}}]}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html',
      'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      notAKeyArn: {
        summary: 'The key id header is compared with {what}, not with a key ARN.',
        detail:
          'It is compared with {full}. S3 requires the key ARN here (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID) and IAM does not check that it names a key; whether S3 resolves a key id or alias before comparing is undocumented, so this comparison likely never matches the key S3 uses{negated}. Use the full key ARN.',
      },
      stringOperator: {
        summary: '"{operator}" compares the key ARN as a string: AWS\'s examples use "{arnOperator}".',
        detail:
          'S3 types this key as an ARN and AWS\'s examples use "{arnOperator}"; for an exact ARN the result is the same, but the Arn operators are the documented form (and match ARN patterns per field).',
      },
      requiredKey: {
        summary: 'SSE-KMS uploads that name another key than {keys} are {probably}not all denied (requirement "kmsKeyArns").',
        detail:
          'Your requirements accept only {fullKeys} ("kmsKeyArns"), and some SSE-KMS upload that names another key gets through.{example}{incomplete}',
      },
      intendedKey: {
        summary: '{statement} {probably}misses uploads that name another KMS key than {keys}.',
        detail:
          'It denies uploads that name another KMS key than {fullKeys}, but {probably}not all of them: a Deny constrains only the requests its Principal, Action, Resource and other conditions match.{example}{incomplete}',
      },
    },
  },
  check(ctx) {
    // A pin written with something else than key ARNs is fixed first: what it then lets through follows from that.
    if (checkValues(ctx) > 0) return;
    const gap = firstVerdict(ctx, v => keyGap(ctx, v));
    if (gap) reportKeyGap(ctx, gap.v, gap.found);
  },
};
