// ENC-016 — browser POST uploads and presigned URLs under a header-required Deny: for POST the SSE
// settings are form fields (which the POST policy document must also allow), for a presigned PUT the
// header must be signed and sent by the uploader. Reported where the policy shows such uploads
// (a condition on s3:authType naming POST or REST-QUERY-STRING) and the evaluator confirms that a
// header-less upload of that kind is denied by a statement that reads the SSE keys.
import type { Statement } from '../../policy/model';
import type { Rule } from '../types';
import { uploadRequest, NONE, httpsRequest, principalOf, denyingStatements } from './upload-classes';
import { absentTrueEntries, SSE_CUSTOMER_ALGORITHM } from './sse-conditions';
import { capitalizedStatementLabel } from '../labels';

const AUTH_TYPE = 's3:authtype';
const KINDS = [
  {
    authType: 'POST',
    what: 'browser POST uploads',
    advice:
      'send x-amz-server-side-encryption (and the key id) as form fields, and allow those fields in the POST policy document (otherwise S3 answers "Extra input fields")',
  },
  {
    authType: 'REST-QUERY-STRING',
    what: 'uploads through presigned URLs',
    advice: 'sign the x-amz-server-side-encryption header (and the key id) into the URL and have the uploader send it',
  },
] as const;

/** The s3:authType values the policy compares with. */
function authTypesNamed(statements: readonly Statement[]): Set<string> {
  const out = new Set<string>();
  for (const st of statements)
    for (const ob of st.condition?.operators ?? [])
      for (const e of ob.entries) {
        if (e.key.value.toLowerCase() !== AUTH_TYPE) continue;
        for (const i of e.values.items) if (typeof i.value === 'string') out.add(i.value.toUpperCase());
      }
  return out;
}

export const enc016: Rule = {
  meta: {
    id: 'ENC-016',
    title: 'POST uploads and presigned URLs under a header-required Deny',
    severity: 'info',
    appliesTo: ['bucket-policy'],
    why: 'For a browser POST upload the SSE settings are form fields, not headers, and the POST policy document must allow them (otherwise S3 answers "Extra input fields"). For a presigned PUT the SSE header must be part of the signature and sent by whoever uses the URL. A Deny that requires the header refuses POST and presigned uploads that leave it out. SSE-C presigned URLs cannot be used from a plain browser address bar, since the key headers must be sent.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "BrowserUploads", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/uploader"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringEquals": {"s3:authType": "POST"}}}, {"Sid": "RequireKms", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "BrowserUploads", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/uploader"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringEquals": {"s3:authType": "POST"}}}, {"Sid": "RequireKms", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}, "Null": {"s3:x-amz-server-side-encryption": "false"}}}]}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingServerSideEncryption.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html',
      'https://github.com/bradleyg/django-s3direct/pull/73',
    ],
    confidence: 'DOC',
    fixable: false,
    messages: {
      deniedWithoutHeader: {
        summary: '{statement} denies {what} that carry no encryption header.',
        detail:
          'The policy expects {what} (s3:authType {authType}), and the statement denies them when they carry no encryption header: {advice}.{sseC}',
      },
    },
  },
  check(ctx) {
    const named = authTypesNamed(ctx.doc.statements);
    if (!named.size) return;
    const v = ctx.verdicts()[0];
    if (!v) return;
    const base = uploadRequest(v, NONE);
    for (const kind of KINDS) {
      if (!named.has(kind.authType)) continue;
      const req = httpsRequest(principalOf(base), 's3:PutObject', base.resource, { 's3:authType': kind.authType });
      // The statement that denies it for want of a header: an SSE test that is true when the key is absent.
      const denying = denyingStatements(ctx.doc, req)
        .map(st => ({ st, absent: absentTrueEntries(st) }))
        .find(d => d.absent.length > 0);
      if (!denying) continue;
      const { st, absent } = denying;
      // No fix: the repair is in the uploading client or the POST policy document, not in this policy.
      const sseC = absent.some(e => e.key === SSE_CUSTOMER_ALGORITHM);
      const ob = absent[0].ob;
      ctx.report({
        span: ob.operator.span,
        messageId: 'deniedWithoutHeader',
        data: {
          statement: capitalizedStatementLabel(st),
          what: kind.what,
          authType: kind.authType,
          advice: kind.advice,
          sseC:
            sseC && kind.authType === 'REST-QUERY-STRING'
              ? ' SSE-C presigned URLs cannot be used from a plain browser address bar: the key headers must be sent.'
              : '',
        },
      });
    }
  },
};
