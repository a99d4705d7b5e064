// ENC-013 — a header-required Deny with Principal "*" also denies AWS services that deliver to the
// bucket: they write without an encryption header (S3 server access logging was observed denied
// until the Deny was removed). Only where the policy shows the bucket is a delivery destination (an
// Allow for a service principal on s3:PutObject); confirmed by evaluating a header-less PutObject
// by that service principal.
import { evaluatePolicy, statementApplies } from '../../engine/evaluate';
import type { Statement } from '../../policy/model';
import { parseOperator } from '../../policy/operators';
import { addConditionEdit, editsFix } from '../edits';
import type { Fix, Rule } from '../types';
import { uploadRequest, NONE, objectOf, httpsRequest } from './upload-classes';
import { coversPutObject, readsSseKeys, SSE } from './sse-conditions';
import { capitalizedStatementLabel, statementLabel } from '../labels';
import { principalValues, isEveryone } from '../model-lookups';

const KEY = 'aws:PrincipalIsAWSService';

/** Service principals an Allow lets upload, with the statement. */
function deliveringServices(statements: readonly Statement[]): { service: string; allow: Statement }[] {
  const out: { service: string; allow: Statement }[] = [];
  for (const st of statements) {
    if (st.effect?.value !== 'Allow' || !coversPutObject(st)) continue;
    for (const service of principalValues(st, 'Service'))
      if (service !== '*' && !out.some(o => o.service === service)) out.push({ service, allow: st });
  }
  return out;
}

/** Does the Deny already exempt AWS services (a test on aws:PrincipalIsAWSService)? */
const exemptsServices = (st: Statement): boolean =>
  (st.condition?.operators ?? []).some(
    ob =>
      parseOperator(ob.operator.value)?.family === 'Bool' &&
      ob.entries.some(e => e.key.value.toLowerCase() === KEY.toLowerCase()),
  );

export const enc013: Rule = {
  meta: {
    id: 'ENC-013',
    title: 'Principal "*" Deny also hits AWS service writers',
    severity: 'warning',
    appliesTo: ['bucket-policy'],
    why: 'AWS services that deliver objects — S3 server access logging (logging.s3.amazonaws.com), CloudWatch Logs / VPC Flow Logs delivery (delivery.logs.amazonaws.com), Elastic Load Balancing, CloudTrail, AWS Config — send no encryption header. A header-required Deny with `"Principal": "*"` applies to them too, so log delivery fails with AccessDenied (reported for server access logging until the Deny was removed). Server access log destinations also supported only SSE-S3 default encryption (2023 guide), and ALB logs use SSE-S3. Exempt the services with `"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}` (the key is absent for anonymous callers, hence IfExists), or use the default-friendly pattern (ENC-004).',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "AllowLogDelivery", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*"}, {"Sid": "RequireEncryption", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "AllowLogDelivery", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*"}, {"Sid": "RequireEncryption", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]}',
    references: [
      'https://github.com/aws-quickstart/quickstart-compliance-common/issues/29',
      'https://github.com/cloudposse/terraform-aws-lb-s3-bucket/issues/9',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalisawsservice',
    ],
    confidence: 'COMMUNITY',
    fixable: true,
    messages: {
      deniesService: {
        summary: '{statement} also denies uploads by {service} (no encryption header).',
        detail:
          'It applies to every principal, and {allow} lets {service} write to the bucket: AWS services deliver objects without an encryption header (S3 server access logging was reported denied until such a Deny was removed). ' +
          'Exempt AWS services with "BoolIfExists": {"{key}": "false"} (anonymous callers stay denied), or deny only uploads that name the wrong encryption (ENC-004).',
      },
    },
  },
  check(ctx) {
    const services = deliveringServices(ctx.doc.statements);
    if (!services.length) return;
    const reported = new Set<Statement>();
    for (const v of ctx.verdicts()) {
      const upload = uploadRequest(v, NONE);
      for (const { service, allow } of services) {
        // The service's delivery: a header-less PutObject over HTTPS to an object the Allow covers.
        const resource = objectOf(allow, v.bucket) ?? upload.resource;
        const req = httpsRequest(service, 's3:PutObject', resource);
        const ev = evaluatePolicy(ctx.doc, req);
        if (ev.decision !== 'explicit-deny') continue;
        for (const i of ev.statements) {
          const st = ctx.doc.statements[i];
          if (!st || reported.has(st) || !isEveryone(st) || !readsSseKeys(st) || exemptsServices(st)) continue;
          // The header is what denies it: the same delivery with an encryption header is not denied by this statement.
          const withHeader = (algorithm: string) =>
            statementApplies(st, httpsRequest(service, 's3:PutObject', resource, { [SSE]: algorithm })) === true;
          if (withHeader('AES256') && withHeader('aws:kms')) continue;
          reported.add(st);
          // Not safe: exempting AWS services widens the Deny's exceptions, and the default-friendly
          // rewrite (ENC-004) is the other way out; the author chooses.
          const edit = addConditionEdit(ctx.doc.text, st, 'BoolIfExists', KEY, '"false"');
          const fixes: Fix[] = edit ? [editsFix(`Exempt AWS services ("BoolIfExists": {"${KEY}": "false"})`, [edit])] : [];
          ctx.report({
            span: { offset: st.principal!.node.offset, length: st.principal!.node.length },
            messageId: 'deniesService',
            data: { statement: capitalizedStatementLabel(st), service, allow: statementLabel(allow), key: KEY },
            fixes,
          });
        }
      }
    }
  },
};
