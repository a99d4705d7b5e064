import { parseOperator } from '../../policy/operators';
import type { Statement } from '../../policy/model';
import { matchesWildcard } from '../../policy/wildcard';
import { addStatementsFix, fixTarget, uploadDenyStatement } from '../templates';
import type { Fix, Rule } from '../types';
import { capitalizedStatementLabel, stringItems } from '../util';

/** The request headers an upload's encryption shows in (RULES.md 0.1), keyed by lower-case name. */
const SSE_KEYS = new Map([
  ['s3:x-amz-server-side-encryption', { name: 's3:x-amz-server-side-encryption', arn: false }],
  ['s3:x-amz-server-side-encryption-aws-kms-key-id', { name: 's3:x-amz-server-side-encryption-aws-kms-key-id', arn: true }],
  ['s3:x-amz-server-side-encryption-customer-algorithm', { name: 's3:x-amz-server-side-encryption-customer-algorithm', arn: false }],
]);

interface Requirement { key: string; arn: boolean; values: string[]; like: boolean }

/** What an Allow's condition requires of the encryption headers (non-negated String/Arn comparisons only). */
function encryptionRequirements(st: Statement): Requirement[] {
  const out: Requirement[] = [];
  for (const ob of st.condition?.operators ?? []) {
    const op = parseOperator(ob.operator.value);
    if (!op || op.negated || op.set || (op.family !== 'String' && op.family !== 'Arn')) continue;
    for (const entry of ob.entries) {
      const key = SSE_KEYS.get(entry.key.value.toLowerCase());
      const values = stringItems(entry.values).map(i => i.value);
      if (key && values.length) out.push({ key: key.name, arn: key.arn, values, like: op.like && values.some(v => /[*?]/.test(v)) });
    }
  }
  return out;
}

const mentionsEncryptionKey = (st: Statement): boolean =>
  (st.condition?.operators ?? []).some(ob => ob.entries.some(e => SSE_KEYS.has(e.key.value.toLowerCase())));

/** Does the statement's Action cover s3:PutObject (wildcards included)? NotAction is left to the enforcement analysis. */
const coversPutObject = (st: Statement): boolean =>
  stringItems(st.action).some(a => matchesWildcard('s3:PutObject', a.value, { ignoreCase: true }));

/** The Deny that holds every principal to what the Allow asked of its own principals: one per header, since the Allow ANDs them. */
function mirrorDenies(reqs: Requirement[], partition: string, bucket: string): string[] {
  return reqs.map(r => {
    const operator = r.arn ? (r.like ? 'ArnNotLike' : 'ArnNotEquals') : r.like ? 'StringNotLike' : 'StringNotEquals';
    const sid = r.key.endsWith('key-id') ? 'DenyUploadsWithAnotherKmsKey' : r.key.endsWith('customer-algorithm') ? 'DenyUploadsWithoutSseC' : 'DenyUploadsWithoutRequiredEncryption';
    return uploadDenyStatement(partition, bucket, sid, { [operator]: { [r.key]: r.values.length === 1 ? r.values[0] : r.values } });
  });
}

export const enc005: Rule = {
  meta: {
    id: 'ENC-005',
    title: 'Enforcement must be a Deny, not an Allow with a condition',
    severity: 'warning',
    appliesTo: ['bucket-policy'],
    why: 'Within the bucket owner\'s account a request is allowed when an identity policy or the bucket policy allows it, so a principal whose IAM policy allows s3:PutObject is not bound by the condition on a bucket-policy Allow: it can upload with any encryption, or none. Only an explicit Deny constrains every principal. (Principals of other accounts do need the bucket policy\'s Allow, so for them the condition does apply.)',
    example: '{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}',
    useInstead: '{"Sid": "DenyUploadsWithoutRequiredEncryption", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}',
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html',
      'https://docs.aws.amazon.com/macie/latest/APIReference/datasources-s3.html',
    ],
    confidence: 'DOC',
    fixable: true,
  },
  check(ctx) {
    const { doc } = ctx;
    // A policy with a Deny on the encryption headers is judged by the enforcement analysis, not here.
    if (doc.statements.some(st => st.effect?.value === 'Deny' && mentionsEncryptionKey(st))) return;
    const target = fixTarget(doc, ctx.bucketName);
    for (const st of doc.statements) {
      if (st.effect?.value !== 'Allow' || !st.effect || !coversPutObject(st)) continue;
      const reqs = encryptionRequirements(st);
      if (!reqs.length) continue;
      const fix: Fix | undefined = target && addStatementsFix(
        reqs.length === 1 ? 'Add the matching Deny statement' : `Add the ${reqs.length} matching Deny statements`, doc, mirrorDenies(reqs, target.partition, target.bucket));
      const wanted = reqs.map(r => `${r.key.replace('s3:x-amz-server-side-encryption', 'x-amz-server-side-encryption')} = ${r.values.join(' or ')}`).join(' and ');
      ctx.report({
        span: st.effect.span,
        message: `${capitalizedStatementLabel(st)} allows uploads only with ${wanted}, but an Allow does not enforce that: principals of the bucket's own account whose IAM policies allow s3:PutObject can still upload with other encryption or none. ` +
          'Enforce it with a Deny for uploads that do not match.',
        fixes: fix ? [fix] : [],
      });
    }
  },
};
