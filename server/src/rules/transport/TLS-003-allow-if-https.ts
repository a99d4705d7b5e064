import { parseOperator } from '../../policy/operators';
import type { Located, Statement } from '../../policy/model';
import { addStatementsFix, fixTarget, httpsDenyStatement } from '../templates';
import type { Fix, Rule } from '../types';
import { capitalizedStatementLabel } from '../util';

const KEY = 'aws:securetransport';

/** The values a `Bool` (not `…IfExists`-free set operators) condition compares aws:SecureTransport with, as booleans. */
function secureTransportValues(st: Statement): { value: boolean; item: Located }[] {
  const out: { value: boolean; item: Located }[] = [];
  for (const ob of st.condition?.operators ?? []) {
    const op = parseOperator(ob.operator.value);
    if (!op || op.family !== 'Bool' || op.set) continue;
    for (const entry of ob.entries) {
      if (entry.key.value.toLowerCase() !== KEY) continue;
      for (const item of entry.values.items) {
        const v = typeof item.value === 'string' ? item.value.toLowerCase() : item.value;
        if (v === true || v === 'true') out.push({ value: true, item });
        else if (v === false || v === 'false') out.push({ value: false, item });
      }
    }
  }
  return out;
}

const isEveryone = (st: Statement): boolean =>
  !!st.principal && (st.principal.star || st.principal.entries.some(e => e.type.value === 'AWS' && e.values.items.some(i => i.value === '*')));

export const tls003: Rule = {
  meta: {
    id: 'TLS-003',
    title: 'Allow if HTTPS instead of Deny if HTTP',
    severity: 'error',
    appliesTo: ['bucket-policy'],
    why: 'An Allow that requires "aws:SecureTransport": "true" does not stop HTTP requests: anything another statement or an IAM identity policy allows still gets through over HTTP. Only an explicit Deny on "aws:SecureTransport": "false" enforces HTTPS. With "Principal": "*" such an Allow also grants anonymous access over HTTPS, which AWS Config\'s s3-bucket-ssl-requests-only rule uses as its non-compliant example.',
    example: '{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}',
    useInstead: '{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}',
    references: [
      'https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html',
    ],
    confidence: 'DOC',
    fixable: true,
  },
  check(ctx) {
    const { doc } = ctx;
    // A policy that already denies HTTP somewhere is judged by the enforcement analysis, not here.
    const deniesHttp = doc.statements.some(st => st.effect?.value === 'Deny' && secureTransportValues(st).some(v => !v.value));
    if (deniesHttp) return;
    const target = fixTarget(doc, ctx.bucketName);
    let fix: Fix | undefined;
    for (const st of doc.statements) {
      if (st.effect?.value !== 'Allow' || !st.effect) continue;
      if (!secureTransportValues(st).some(v => v.value)) continue;
      fix ??= target && addStatementsFix('Add a statement that denies HTTP requests (DenyInsecureTransport)', doc, [httpsDenyStatement(target.partition, target.bucket)]);
      const everyone = isEveryone(st);
      ctx.report({
        span: st.effect.span,
        severity: everyone ? 'error' : 'warning',
        message: `${capitalizedStatementLabel(st)} allows only HTTPS requests, but an Allow does not stop HTTP: whatever another statement or an IAM policy allows still gets through over HTTP. ` +
          (everyone ? 'With "Principal": "*" it also grants anonymous access over HTTPS. ' : '') +
          'Enforce HTTPS with a Deny on "aws:SecureTransport": "false" for the bucket and its objects.',
        fixes: fix ? [fix] : [],
      });
    }
  },
};
