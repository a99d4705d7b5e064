// ENC-006 — inverted logic: a Deny with `StringEquals`/`StringLike`/`ArnEquals`/`ArnLike` on an
// encryption header denies exactly the uploads that name the approved value and lets every other
// one through. Found in the text, confirmed on the verdict: the named algorithm (or key) is denied,
// by this statement, and uploads with another algorithm (or key) are not.
import { describeUploadClass, shortKeyArn } from '../../../shared/wording';
import { clip } from '../../../shared/escape';
import type { BucketVerdict, UploadClass } from '../../../shared/types';
import type { ConditionOperatorBlock, Statement } from '../../policy/model';
import { matchesWildcard } from '../../policy/wildcard';
import { formatOperator, lookupBaseOperator, type ParsedOperator } from '../../policy/operators';
import { operatorTaken, replaceFix } from '../edits';
import type { Fix, Rule, RuleContext } from '../types';
import { encryptionIntent, acceptedAlgorithms, acceptedKeys } from './intent';
import { isDeny, coversPutObject, sseEntries, SSE, SSE_KMS_KEY_ID, entryStrings } from './sse-conditions';
import { classDeniedBy, softWords, forExample } from './upload-classes';
import { jsonString } from '../json-text';
import { listOf, capitalizedStatementLabel } from '../labels';

/** The negation of a non-negated String/Arn operator, keeping `IfExists` (no set operators). */
function negation(op: ParsedOperator): string | undefined {
  if (op.set || op.negated) return undefined;
  const name = {
    StringEquals: 'StringNotEquals',
    StringEqualsIgnoreCase: 'StringNotEqualsIgnoreCase',
    StringLike: 'StringNotLike',
    ArnEquals: 'ArnNotEquals',
    ArnLike: 'ArnNotLike',
  }[op.base];
  return name && lookupBaseOperator(name) ? formatOperator(name, { ifExists: op.ifExists }) : undefined;
}

interface Inverted {
  st: Statement;
  ob: ConditionOperatorBlock;
  op: ParsedOperator;
  /** `s3:x-amz-server-side-encryption` or the key-id header. */
  key: string;
  values: string[];
}

/** Deny statements that compare an approved encryption value with a non-negated String/Arn operator. */
function invertedComparisons(st: Statement): Inverted[] {
  if (!isDeny(st) || !coversPutObject(st)) return [];
  const entries = [...sseEntries(st)];
  // A negated test on another SSE key makes the equality a scope ("aws:kms uploads must name key K"), not an inversion.
  if (entries.some(e => e.op?.negated)) return [];
  const out: Inverted[] = [];
  for (const { ob, op, entry, key } of entries) {
    // A customer-algorithm test in a Deny bans SSE-C: that is a forbidden value, not an inversion.
    if (
      !op ||
      op.negated ||
      op.set === 'ForAllValues' ||
      (op.family !== 'String' && op.family !== 'Arn') ||
      (key !== SSE && key !== SSE_KMS_KEY_ID)
    )
      continue;
    const values = entryStrings(entry);
    if (values.length) out.push({ st, ob, op, key, values });
  }
  return out;
}

/** The classes the comparison names (denied by this statement) and one other class that gets through. */
function confirm(ctx: RuleContext, v: BucketVerdict, c: Inverted): { named: UploadClass; through: UploadClass } | undefined {
  const { uploads } = v.encryption;
  const namesClass = (u: UploadClass): boolean =>
    c.key === SSE
      ? u.sse !== 'none' && u.sse !== 'SSE-C' && c.values.some(x => (c.op.like ? matchesWildcard(u.sse, x) : x === u.sse))
      : u.kmsKey !== null && u.kmsKey !== 'other' && c.values.includes(u.kmsKey);
  const named = classDeniedBy(ctx, v, c.st, namesClass);
  if (!named) return undefined;
  const through = uploads.find(u => !namesClass(u) && u.decision === 'not-denied' && (c.key === SSE || u.kmsKey !== null));
  return through ? { named, through } : undefined;
}

export const enc006: Rule = {
  meta: {
    id: 'ENC-006',
    title: 'Inverted logic: StringEquals inside a Deny',
    severity: 'error',
    appliesTo: ['bucket-policy'],
    why: 'A Deny applies when its condition is true. With `StringEquals` (or `StringLike`, `ArnEquals`, `ArnLike`) on `s3:x-amz-server-side-encryption` or the key-id header and an approved value, the Deny refuses exactly the compliant uploads and lets uploads with another algorithm, another key or no header through. Requiring a value needs the negated operator (`StringNotEquals`, `ArnNotEquals`). Denying a forbidden value — `Null` "false" on `s3:x-amz-server-side-encryption-customer-algorithm` to ban SSE-C — is the one legitimate use and is not reported.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "RequireKms", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "RequireKms", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}]}',
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingServerSideEncryption.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      inverted: {
        summary: '{statement} denies uploads naming {named} and {probably}lets others through.',
        detail:
          'It denies {denied} — the ones that name {values} — and {probably}lets others through.{example} "{operator}" in a Deny refuses the value it names; to require {values}, use {negation}.{incomplete}',
      },
    },
  },
  check(ctx) {
    const intent = encryptionIntent(ctx.doc);
    for (const st of ctx.doc.statements) {
      for (const c of invertedComparisons(st)) {
        // Denying a value the requirements (or the policy's own requiring statements) leave out is a ban, not an inversion.
        const approved: readonly string[] =
          (c.key === SSE ? acceptedAlgorithms(ctx, intent) : acceptedKeys(ctx, intent))?.values ?? [];
        if (approved.length && !c.values.some(x => approved.includes(x))) continue;
        const found = ctx
          .verdicts()
          .map(v => ({ v, r: confirm(ctx, v, c) }))
          .find(x => x.r);
        if (!found?.r) continue;
        const { v, r } = found;
        const flipped = negation(c.op);
        const onlyThese = c.ob.entries.every(e => e.key.value.toLowerCase() === c.key);
        // Not safe: negating turns "deny X" into "deny everything but X", uploads without the header
        // included (ENC-004); the verdict shows it is inverted, the author confirms the reversal.
        const fixes: Fix[] =
          flipped && onlyThese && !operatorTaken(st.condition!, flipped, c.ob)
            ? [
                replaceFix(
                  `Change to ${flipped} (deny uploads that do not name ${listOf(c.values)})`,
                  c.ob.operator.span,
                  jsonString(flipped),
                ),
              ]
            : [];
        ctx.report({
          span: c.ob.operator.span,
          messageId: 'inverted',
          data: {
            ...softWords(v),
            statement: capitalizedStatementLabel(st),
            named: listOf(c.key === SSE_KMS_KEY_ID ? c.values.map(shortKeyArn) : c.values.map(x => clip(x, 30))),
            values: listOf(c.values),
            denied: describeUploadClass(r.named),
            example: forExample(r.through),
            operator: c.ob.operator.value,
            negation: flipped ? `"${flipped}"` : 'the negated operator (StringNotEquals, ArnNotEquals)',
          },
          fixes,
        });
      }
    }
  },
};
