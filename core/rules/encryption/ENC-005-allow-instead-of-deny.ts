// ENC-005 — an Allow with an encryption condition does not enforce it. Decided from the verdict:
// the Allow is a problem when uploads its condition rejects are not explicitly denied (by any
// principal, to any object). Which upload classes the condition rejects is decided by evaluating
// the Allow's encryption conditions on a request of each class.
import { compileCondition } from '../../engine/conditions';
import type { BucketVerdict, UploadClass } from '../../../shared/types';
import type { ConditionBlock, PolicyDocument, Statement } from '../../policy/model';
import { parseOperator } from '../../policy/operators';
import { addStatementsFixFor, fixTarget, freshSid, newStatement, uploadDenyStatement, type NewStatement } from '../templates';
import { shortKeyArn } from '../../../shared/wording';
import type { Fix, Rule, RuleContext } from '../types';
import { sseKeyOf, coversPutObject } from './sse-conditions';
import { uploadRequest, softWords, forExample } from './upload-classes';
import { capitalizedStatementLabel } from '../labels';
import { stringItems } from '../model-lookups';

/** The request headers an upload's encryption shows in (docs/design/aws-facts.md#table-0-1), keyed by lower-case name. */
const SSE_KEYS = new Map([
  ['s3:x-amz-server-side-encryption', { name: 's3:x-amz-server-side-encryption', arn: false }],
  ['s3:x-amz-server-side-encryption-aws-kms-key-id', { name: 's3:x-amz-server-side-encryption-aws-kms-key-id', arn: true }],
  [
    's3:x-amz-server-side-encryption-customer-algorithm',
    { name: 's3:x-amz-server-side-encryption-customer-algorithm', arn: false },
  ],
]);

interface Requirement {
  key: string;
  arn: boolean;
  values: string[];
  like: boolean;
}

/** What an Allow's condition requires of the encryption headers (non-negated String/Arn comparisons only). */
function encryptionRequirements(st: Statement): Requirement[] {
  const out: Requirement[] = [];
  for (const ob of st.condition?.operators ?? []) {
    const op = parseOperator(ob.operator.value);
    if (!op || op.negated || op.set || (op.family !== 'String' && op.family !== 'Arn')) continue;
    for (const entry of ob.entries) {
      const key = SSE_KEYS.get(entry.key.value.toLowerCase());
      const values = stringItems(entry.values).map(i => i.value);
      if (key && values.length)
        out.push({ key: key.name, arn: key.arn, values, like: op.like && values.some(v => /[*?]/.test(v)) });
    }
  }
  return out;
}

/** The Allow's Condition reduced to its tests on the encryption headers (its other conditions do not decide which uploads it rejects). */
function encryptionCondition(cond: ConditionBlock): ConditionBlock {
  const operators = cond.operators
    .map(ob => ({ ...ob, entries: ob.entries.filter(e => sseKeyOf(e) !== undefined) }))
    .filter(ob => ob.entries.length > 0);
  return { ...cond, operators };
}

/**
 * The first upload class that the Allow's encryption condition rejects and that the policy does not
 * deny. Uploads without a header count only when the requirements say they must be denied: they get
 * default encryption (docs/design/engine.md#bucket-verdict).
 */
function uploadGettingThrough(ctx: RuleContext, st: Statement): { v: BucketVerdict; u: UploadClass } | undefined {
  if (!st.condition) return undefined;
  const test = compileCondition(encryptionCondition(st.condition));
  for (const v of ctx.verdicts()) {
    for (const u of v.encryption.uploads) {
      if (u.decision !== 'not-denied') continue;
      if (u.sse === 'none' && ctx.requirements.headerlessUploads !== 'deny') continue;
      if (test(uploadRequest(v, u)) === false) return { v, u };
    }
  }
  return undefined;
}

/** Does the statement's Action cover s3:PutObject (wildcards included)? NotAction is left to the enforcement analysis. */
const actionCoversPutObject = (st: Statement): boolean => !!st.action && coversPutObject(st);

/** The Deny that holds every principal to what the Allow asked of its own principals: one per header, since the Allow ANDs them. */
function mirrorDenies(doc: PolicyDocument, reqs: Requirement[], partition: string, bucket: string): NewStatement[] {
  const taken: string[] = [];
  return reqs.map(r => {
    const operator = r.arn ? (r.like ? 'ArnNotLike' : 'ArnNotEquals') : r.like ? 'StringNotLike' : 'StringNotEquals';
    const sid = freshSid(
      doc,
      r.key.endsWith('key-id')
        ? 'DenyUploadsWithAnotherKmsKey'
        : r.key.endsWith('customer-algorithm')
          ? 'DenyUploadsWithoutSseC'
          : 'DenyUploadsWithoutRequiredEncryption',
      taken,
    );
    taken.push(sid);
    const values = r.arn ? r.values.map(shortKeyArn) : r.values;
    return newStatement(
      uploadDenyStatement(partition, bucket, sid, { [operator]: { [r.key]: r.values.length === 1 ? r.values[0] : r.values } }),
      `denies uploads that do not send ${headerName(r.key)}: ${values.join(' or ')}`,
    );
  });
}

/** `x-amz-server-side-encryption`, the header a condition key stands for. */
const headerName = (key: string): string => key.replace(/^s3:/, '');

export const enc005: Rule = {
  meta: {
    id: 'ENC-005',
    title: 'Enforcement must be a Deny, not an Allow with a condition',
    severity: 'warning',
    appliesTo: ['bucket-policy'],
    why: "Within the bucket owner's account a request is allowed when an identity policy or the bucket policy allows it, so a principal whose IAM policy allows s3:PutObject is not bound by the condition on a bucket-policy Allow: it can upload with any encryption, or none. Only an explicit Deny constrains every principal. (Principals of other accounts do need the bucket policy's Allow, so for them the condition does apply.)",
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "AppUploads", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "AppUploads", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}, {"Sid": "DenyUploadsWithoutRequiredEncryption", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}]}',
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html',
      'https://docs.aws.amazon.com/macie/latest/APIReference/datasources-s3.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      allowDoesNotEnforce: {
        summary: '{statement} requires encryption in an Allow condition, which does not enforce it.',
        detail:
          "It allows uploads only with {wanted}, but principals of the bucket's own account whose IAM policies allow s3:PutObject can still upload with other encryption or none, and no Deny {probably}stops them.{example} Enforce it with a Deny for uploads that do not match.{incomplete}",
      },
    },
  },
  check(ctx) {
    const { doc } = ctx;
    // Looked up once, and only when a finding needs its fix.
    let target: ReturnType<typeof fixTarget> | null = null;
    const targetOf = () => (target === null ? (target = fixTarget(doc, ctx.bucketName)) : target);
    for (const st of doc.statements) {
      if (st.effect?.value !== 'Allow' || !st.effect || !actionCoversPutObject(st)) continue;
      const reqs = encryptionRequirements(st);
      if (!reqs.length) continue;
      const through = uploadGettingThrough(ctx, st);
      if (!through) continue;
      const t = targetOf();
      // Not safe: the Deny holds every principal (services and the owner's tools included) to what
      // the Allow asked of its own principals, and denies uploads without the header too (ENC-004);
      // whether that is wanted, and strict or default-friendly, is the author's choice.
      const fix: Fix | undefined = t && addStatementsFixFor(doc, mirrorDenies(doc, reqs, t.partition, t.bucket));
      const wanted = reqs.map(r => `${headerName(r.key)} = ${r.values.join(' or ')}`).join(' and ');
      ctx.report({
        span: st.effect.span,
        messageId: 'allowDoesNotEnforce',
        data: { ...softWords(through.v), statement: capitalizedStatementLabel(st), wanted, example: forExample(through.u) },
        fixes: fix ? [fix] : [],
      });
    }
  },
};
