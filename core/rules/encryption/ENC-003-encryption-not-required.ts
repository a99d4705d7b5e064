// ENC-003 — what a bucket policy must deny of uploads, checked against the engine's verdict: the
// user's requirements (docs/design/engine.md#requirements: "sse", "headerlessUploads": "deny") or, without them, the
// policy's own evident intent (the algorithms its Deny statements name). And docs/design/aws-facts.md#enc-003's
// analyzer fact: beside a `StringNotEquals` on the header, a `Null … "true"` Deny is redundant.
import { bucketVerdicts } from '../../engine/verdict';
import type { BucketVerdict, UploadClass } from '../../../shared/types';
import { parsePolicy } from '../../policy/parse';
import { applyEdits } from '../fixes';
import {
  freshSid,
  newStatement,
  statementsFix,
  uploadDenyStatement,
  type NewStatement,
  type StatementTarget,
} from '../templates';
import { markSafe } from '../edits';
import type { Rule, RuleContext } from '../types';
import { type AlgorithmGap, type EncryptionIntent, encryptionIntent, algorithmGap } from './intent';
import { SSE, SSE_CUSTOMER_ALGORITHM, sseEntries } from './sse-conditions';
import { statementTarget, algorithmDeny, sseCBan } from './statement-fixes';
import { policySpan, softWords, forExample, findClass, firstVerdict, NONE } from './upload-classes';
import { listOf, capitalizedStatementLabel, statementLabel } from '../labels';
import { effectSpan } from '../model-lookups';

/** Deny uploads that send no encryption header at all (neither SSE nor SSE-C). */
function headerRequiredStatement(t: StatementTarget, sid: string): NewStatement {
  return newStatement(
    uploadDenyStatement(t.partition, t.bucket, sid, { Null: { [SSE]: 'true', [SSE_CUSTOMER_ALGORITHM]: 'true' } }),
    'denies uploads without an encryption header',
  );
}

/**
 * The statements that close an algorithm gap: the algorithm Deny, strict when header-less uploads
 * must be denied, plus the SSE-C ban when SSE-C gets through and the Deny does not catch it.
 */
function algorithmGapStatements(
  ctx: RuleContext,
  v: BucketVerdict,
  allowed: readonly string[],
  sseCOpen: boolean,
  taken: string[] = [],
): NewStatement[] {
  const t = statementTarget(ctx, v);
  const strict = ctx.requirements.headerlessUploads === 'deny';
  const sid = freshSid(ctx.doc, 'DenyUploadsWithoutRequiredEncryption', taken);
  const out = [algorithmDeny(t, sid, allowed, strict)];
  taken.push(sid);
  // The strict form denies SSE-C uploads too: they carry no x-amz-server-side-encryption header.
  if (sseCOpen && !strict) {
    const ban = freshSid(ctx.doc, 'DenySseCUploads', taken);
    out.push(sseCBan(t, ban));
    taken.push(ban);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The rule

function reportAlgorithmGap(ctx: RuleContext, v: BucketVerdict, gap: AlgorithmGap): void {
  // Safe when the requirements name the algorithms: the added Deny refuses only uploads they
  // forbid. From the policy's own intent it is not: the existing Deny may be scoped on purpose
  // (some principals, some keys), and a Deny for everyone is a choice its author makes.
  const fix = markSafe(
    statementsFix(ctx.doc, undefined, [], algorithmGapStatements(ctx, v, gap.allowed, !!gap.sseC)),
    gap.source === 'requirement',
  );
  const st = gap.statements[0];
  const requirement = gap.source === 'requirement' || !st;
  ctx.report({
    span: st ? effectSpan(st) : policySpan(ctx.doc),
    severity: 'warning',
    messageId: requirement ? 'requiredAlgorithm' : 'intendedAlgorithm',
    data: {
      ...softWords(v),
      allowed: listOf(gap.allowed),
      statement: st ? capitalizedStatementLabel(st) : '',
      sse: JSON.stringify(ctx.requirements.sse),
      example: forExample(gap.leaks[0]),
      sseC: gap.sseC ? ' Uploads with customer-provided keys (SSE-C) are not denied either.' : '',
    },
    fixes: fix ? [fix] : [],
  });
}

function reportHeaderlessGap(ctx: RuleContext, v: BucketVerdict, none: UploadClass, intent: EncryptionIntent): void {
  const t = statementTarget(ctx, v);
  const required = ctx.requirements.sse;
  const statement = required.length
    ? algorithmDeny(t, freshSid(ctx.doc, 'DenyUploadsWithoutRequiredEncryption'), required, true)
    : headerRequiredStatement(t, freshSid(ctx.doc, 'DenyUploadsWithoutEncryptionHeader'));
  // Safe: the requirement "headerlessUploads": "deny" asks for exactly this Deny.
  const fix = markSafe(statementsFix(ctx.doc, undefined, [], [statement]));
  const st = intent.headerStatements[0] ?? intent.algorithmStatements[0];
  ctx.report({
    span: st ? effectSpan(st) : policySpan(ctx.doc),
    severity: 'warning',
    messageId: 'headerless',
    data: { ...softWords(v), example: forExample(none) },
    fixes: fix ? [fix] : [],
  });
}

/**
 * The classic pair: a `Null "true"` Deny on the header beside a Deny whose negated comparison
 * already denies uploads without it (absent key → true, docs/design/aws-facts.md#table-0-2). Redundant when removing it
 * changes no upload decision.
 */
function reportRedundantNull(ctx: RuleContext, v: BucketVerdict, intent: EncryptionIntent): void {
  if (!intent.algorithmStatements.length) return;
  for (const st of intent.headerStatements) {
    const nullOnly = [...sseEntries(st)].every(e => e.op?.family === 'Null');
    if (!nullOnly || st.condition?.operators.length !== 1) continue;
    const others = intent.algorithmStatements.filter(s => s !== st);
    if (!others.length || !ctx.doc.statementMember || ctx.doc.statementMember.valueNode.type !== 'array') continue;
    // Changes no decision (checked below), but not safe for "fix all": nothing is wrong, AWS's own
    // example has both statements, and removing one is the author's refactoring to choose.
    const removal = statementsFix(ctx.doc, `Remove the redundant ${statementLabel(st)}`, [], [], st);
    if (!removal) continue;
    const without = bucketVerdicts(parsePolicy(applyEdits(ctx.doc.text, removal.edits)), {
      bucketName: v.bucket,
      budget: ctx.budget,
    })[0];
    if (!without || !v.complete || !without.complete) continue;
    const unchanged = v.encryption.uploads.every(u => findClass(without, u)?.decision === u.decision);
    if (!unchanged) continue;
    const ob = st.condition.operators[0];
    ctx.report({
      span: ob.operator.span,
      severity: 'info',
      messageId: 'redundantNull',
      data: { statement: capitalizedStatementLabel(st), other: capitalizedStatementLabel(others[0]) },
      fixes: [{ ...removal, preferred: false }],
    });
  }
}

export const enc003: Rule = {
  meta: {
    id: 'ENC-003',
    title: 'Required encryption is not enforced for every upload',
    severity: 'warning',
    appliesTo: ['bucket-policy'],
    why:
      'Only an explicit Deny constrains every principal, and it constrains only the requests its Principal, Action, Resource and conditions match. When the requirements (setting "sse" or "headerlessUploads": "deny") or the algorithms a policy\'s own Deny statements name say uploads with other encryption must be refused, every such PutObject — by any principal, to any object — must be explicitly denied; the finding names one that is not. ' +
      'A `StringNotEquals` on `s3:x-amz-server-side-encryption` is true when the header is absent, so that statement alone already denies uploads without the header: the `Null` "true" statement AWS publishes beside it is redundant (harmless).',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyUnencrypted", "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyUploadsWithoutRequiredEncryption", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}, "Null": {"s3:x-amz-server-side-encryption": "false"}}}, {"Sid": "DenySseCUploads", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}}}]}',
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingServerSideEncryption.html',
      'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_s3.html',
      'https://docs.aws.amazon.com/macie/latest/APIReference/datasources-s3.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      requiredAlgorithm: {
        summary: 'Uploads that name another encryption than {allowed} are {probably}not all denied (requirement "sse").',
        detail:
          'Your requirements accept only {allowed} ("sse": {sse}), and some upload with another encryption gets through.{example}{sseC}{incomplete}',
      },
      intendedAlgorithm: {
        summary: '{statement} {probably}misses uploads with encryption other than {allowed}.',
        detail:
          'It denies uploads that do not use {allowed}, but {probably}not all of them: a Deny constrains only the requests its Principal, Action, Resource and other conditions match.{example}{sseC}{incomplete}',
      },
      headerless: {
        summary: 'Uploads without an encryption header are {probably}not all denied (requirement "headerlessUploads").',
        detail:
          'Your requirements say such uploads must be refused ("headerlessUploads": "deny"); S3 would otherwise encrypt them with the bucket\'s default encryption.{example}{incomplete}',
      },
      redundantNull: {
        summary: '{statement} is redundant: removing it changes no upload decision.',
        detail:
          "{other} already denies uploads without the x-amz-server-side-encryption header, because a negated operator is true when the key is absent. The redundant statement is harmless (AWS's own example has both statements).",
      },
    },
  },
  check(ctx) {
    const intent = encryptionIntent(ctx.doc);
    const algorithm = firstVerdict(ctx, v => {
      const gap = algorithmGap(ctx, v, intent);
      // A gap that is only SSE-C is ENC-011's finding.
      return gap && gap.leaks.length ? gap : undefined;
    });
    if (algorithm) reportAlgorithmGap(ctx, algorithm.v, algorithm.found);

    // Header-less uploads get default encryption: not denying them is a gap only when the user requires it (docs/design/engine.md#bucket-verdict, §4).
    if (ctx.requirements.headerlessUploads === 'deny') {
      const headerless = firstVerdict(ctx, v => {
        const none = findClass(v, NONE);
        return none?.decision === 'not-denied' ? none : undefined;
      });
      if (headerless) reportHeaderlessGap(ctx, headerless.v, headerless.found, intent);
    }
    for (const v of ctx.verdicts().slice(0, 1)) reportRedundantNull(ctx, v, intent);
  },
};
