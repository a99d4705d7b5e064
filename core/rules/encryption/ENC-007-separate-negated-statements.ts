// ENC-007 — several accepted algorithms need one value list under a negated operator: two Deny
// statements `StringNotEquals aws:kms` and `StringNotEquals aws:kms:dsse` each deny what the other
// accepts, so together they deny both. Found in the text; the verdict confirms that uploads naming
// an algorithm a statement accepts are denied. Also: a single `StringNotEquals` list that leaves out
// an algorithm the requirements accept ("sse": ["aws:kms", "aws:kms:dsse"]).
import { describeUploadClass } from '../../../shared/wording';
import type { BucketVerdict, UploadClass } from '../../../shared/types';
import type { ConditionEntry, ConditionOperatorBlock, Statement } from '../../policy/model';
import { nodeValue } from '../../policy/parse';
import { editsFix, markSafe, removeWithComma, replaceFix } from '../edits';
import type { Fix, Rule, RuleContext } from '../types';
import { isDeny, coversPutObject, sseEntries, SSE, entryStrings, isAlgorithm } from './sse-conditions';
import { classDeniedBy, softWords } from './upload-classes';
import { jsonStringOrList } from '../json-text';
import { listOf, capitalizedStatementLabel, statementLabel } from '../labels';

interface Accepting {
  st: Statement;
  ob: ConditionOperatorBlock;
  entry: ConditionEntry;
  /** The algorithms the statement accepts (its values). */
  values: string[];
}

/** Deny statements on PutObject whose plain negated String comparison on the SSE header accepts a list of real values. */
function acceptingStatements(statements: readonly Statement[]): Accepting[] {
  const out: Accepting[] = [];
  for (const st of statements) {
    if (!isDeny(st) || !coversPutObject(st)) continue;
    for (const { ob, op, entry, key } of sseEntries(st)) {
      if (key !== SSE || !op || op.family !== 'String' || !op.negated || op.set || op.like || op.ignoreCase) continue;
      const values = entryStrings(entry);
      if (values.length && values.every(isAlgorithm)) out.push({ st, ob, entry, values });
    }
  }
  return out;
}

/** An upload naming `algorithm` that `by` denies (the class with no key id, else any). */
const deniedBy = (ctx: RuleContext, v: BucketVerdict, algorithm: string, by: Statement): UploadClass | undefined =>
  classDeniedBy(ctx, v, by, u => u.sse === algorithm);

/** The statement as JSON, without its Sid and the compared values: two statements that differ only there can be merged. */
function shapeWithout(a: Accepting): string {
  const value = nodeValue(a.st.node) as Record<string, unknown>;
  delete value.Sid;
  const condition = value.Condition as Record<string, Record<string, unknown>> | undefined;
  const block = condition?.[a.ob.operator.value];
  if (block && typeof block === 'object') block[a.entry.key.value] = null;
  return JSON.stringify(value);
}

/** Merge `b`'s values into `a`'s list and remove `b`. */
function mergeFix(ctx: RuleContext, a: Accepting, b: Accepting): Fix | undefined {
  if (shapeWithout(a) !== shapeWithout(b)) return undefined;
  const node = ctx.doc.statementMember?.valueNode;
  if (node?.type !== 'array') return undefined;
  const children = node.children ?? [];
  const i = children.findIndex(c => c.offset === b.st.node.offset);
  if (i < 0 || children.length < 2) return undefined;
  const merged = [...a.values, ...b.values.filter(x => !a.values.includes(x))];
  const removal = removeWithComma(
    children.map(c => ({ offset: c.offset, length: c.length })),
    i,
    'previous',
  );
  return editsFix(`Merge into one statement accepting ${listOf(merged)}`, [
    { span: a.entry.values.span, newText: jsonStringOrList(merged) },
    removal,
  ]);
}

export const enc007: Rule = {
  meta: {
    id: 'ENC-007',
    title: 'Several algorithms allowed: negated operators need one list',
    severity: 'warning',
    appliesTo: ['bucket-policy'],
    why: 'For a negated operator a list of values means "differs from all of them". Each statement is its own Deny, so `StringNotEquals aws:kms` in one statement and `StringNotEquals aws:kms:dsse` in another deny every upload: each refuses what the other accepts. Accepting several algorithms takes one statement with a value list. Likewise a list that leaves out an algorithm your requirements accept denies uploads that should pass.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "OnlyKms", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}, {"Sid": "OnlyDsse", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms:dsse"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "OnlyKms", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": ["aws:kms", "aws:kms:dsse"]}}}]}',
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingDSSEncryption.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      eachDeniesTheOther: {
        summary: '{statement} denies {aOnly}, which another Deny accepts: together they deny both.',
        detail:
          '{statement} accepts only {bValues} and {other} only {aValues}; each is its own Deny, so together they {probably}deny both: {deniedHere} are denied by this statement, {deniedThere} by {other}. ' +
          'To accept several algorithms, list them in one statement: a negated operator is true when the value differs from all of them.{incomplete}',
      },
      missesRequired: {
        summary: '{statement} {probably}denies {missing}, which your requirements accept ("sse").',
        detail:
          'It accepts only {values}, so it {probably}denies {denied}, which your requirements accept ("sse": {sse}). Add {missing} to the list.{incomplete}',
      },
    },
  },
  check(ctx) {
    const verdicts = ctx.verdicts();
    if (!verdicts.length) return;
    const accepting = acceptingStatements(ctx.doc.statements);
    const reported = new Set<Statement>();
    // Two statements that each deny what the other accepts.
    for (let j = 1; j < accepting.length; j++) {
      const b = accepting[j];
      for (let i = 0; i < j; i++) {
        const a = accepting[i];
        if (a.st === b.st || reported.has(b.st)) continue;
        const aOnly = a.values.find(x => !b.values.includes(x));
        const bOnly = b.values.find(x => !a.values.includes(x));
        if (!aOnly || !bOnly) continue;
        const found = verdicts
          .map(v => ({ v, byB: deniedBy(ctx, v, aOnly, b.st), byA: deniedBy(ctx, v, bOnly, a.st) }))
          .find(x => x.byA && x.byB);
        if (!found?.byA || !found.byB) continue;
        const { v, byA, byB } = found;
        // Not safe: accepting both algorithms is a security decision (one of the two statements may be
        // the stale one); the merge is what the statements most likely mean, for a person to confirm.
        const fix = mergeFix(ctx, a, b);
        reported.add(b.st);
        ctx.report({
          span: b.ob.operator.span,
          messageId: 'eachDeniesTheOther',
          data: {
            ...softWords(v),
            statement: capitalizedStatementLabel(b.st),
            other: statementLabel(a.st),
            aOnly,
            bValues: listOf(b.values),
            aValues: listOf(a.values),
            deniedHere: describeUploadClass(byB),
            deniedThere: describeUploadClass(byA),
          },
          fixes: fix ? [fix] : [],
        });
      }
    }
    // A list that leaves out an algorithm the requirements accept.
    const required = ctx.requirements.sse;
    if (!required.length) return;
    for (const a of accepting) {
      if (reported.has(a.st)) continue;
      const missing = required.filter(x => !a.values.includes(x));
      const denied = missing
        .map(m => verdicts.map(v => ({ v, u: deniedBy(ctx, v, m, a.st) })).find(x => x.u))
        .filter(x => x !== undefined);
      if (!denied.length) continue;
      const { v, u } = denied[0]!;
      const merged = [...a.values, ...missing];
      ctx.report({
        span: a.entry.values.span,
        messageId: 'missesRequired',
        data: {
          ...softWords(v),
          statement: capitalizedStatementLabel(a.st),
          values: listOf(a.values),
          missing: listOf(missing),
          denied: describeUploadClass(u!),
          sse: JSON.stringify(required),
        },
        // Safe: the requirements name the algorithms to accept.
        fixes: [markSafe(replaceFix(`Accept ${listOf(merged)}`, a.entry.values.span, jsonStringOrList(merged)))],
      });
    }
  },
};
