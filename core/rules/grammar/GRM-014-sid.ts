// GRM-014: Sid rules depend on the policy type. IAM (identity) policies need unique,
// alphanumeric Sids; KMS key policies may use spaces (the console's own "Enable IAM User
// Permissions"), and AWS's S3 examples use spaces, hyphens and periods. Whether S3 or KMS
// reject duplicate Sids is not documented (docs/design/aws-facts.md open question 3), so there it is a warning.
// docs/design/aws-facts.md#grm-014; IAM-UG reference_policies_elements_sid; KMS-DG key-policy-overview.
import type { Located } from '../../policy/model';
import { markSafe, replaceFix } from '../edits';
import { capitalize, show } from '../labels';
import { jsonString } from '../json-text';
import { ALL_POLICY_KINDS, type Rule } from '../types';

const ALPHANUMERIC = /^[A-Za-z0-9]*$/;

/** "deny-http" → "DenyHttp": the words kept, the separators dropped. */
function alphanumericSid(sid: string): string {
  return sid
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map(capitalize)
    .join('');
}

/** `base`, or `base2`, `base3`… whichever is not taken yet; the result is recorded as taken. */
function unused(base: string, taken: Set<string>): string {
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}${n}`;
  taken.add(name);
  return name;
}

export const grm014: Rule = {
  meta: {
    id: 'GRM-014',
    title: 'Sid rules by policy type',
    severity: 'warning',
    appliesTo: ALL_POLICY_KINDS,
    why: 'In an IAM identity policy every Sid must be unique and contain only A–Z, a–z and 0–9 (Access Analyzer: "Unique Sids required", "Unsupported Sid"). KMS key policies allow spaces in Sids, and AWS\'s S3 examples use spaces, hyphens and periods, so those characters are only a problem if the same document is used as an IAM policy. Duplicate Sids make findings and CloudTrail references ambiguous; whether S3 and KMS reject them is not documented.',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::example-bucket", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}, {"Sid": "DenyHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::example-bucket", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}, {"Sid": "DenyHttpObjects", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}',
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html',
      'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html',
      'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html',
      'https://github.com/cloud-custodian/cloud-custodian/pull/3609',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      unsupportedCharactersRenamed: {
        summary: 'Sid {sid} may contain only letters and digits in an identity policy: IAM rejects it.',
        detail: 'IAM accepts only A–Z, a–z and 0–9 in the Sids of an identity policy. Use {renamed}.',
      },
      unsupportedCharacters: {
        summary: 'Sid {sid} may contain only letters and digits in an identity policy: IAM rejects it.',
        detail: 'IAM accepts only A–Z, a–z and 0–9 in the Sids of an identity policy. Use only those characters.',
      },
      duplicateInIdentityPolicy: {
        summary: 'Sid {sid} is already used by statement {first}: IAM rejects duplicate Sids here.',
        detail: 'IAM requires unique Sids in an identity policy and rejects the policy. Rename it, e.g. to {renamed}.',
      },
      duplicate: {
        summary: 'Sid {sid} is already used by statement {first}: findings and logs citing it become ambiguous.',
        detail:
          'AWS may accept it (whether S3 and KMS reject duplicate Sids is not documented), but findings and logs that cite the Sid become ambiguous. Rename it, e.g. to {renamed}.',
      },
    },
  },
  check(ctx) {
    const identity = ctx.kind === 'identity-policy';
    const sids = ctx.doc.statements
      .map(st => ({ st, sid: st.sid }))
      .filter((x): x is { st: typeof x.st; sid: Located<string> } => typeof x.sid?.value === 'string');
    // Names a fix may not produce: every Sid as written, plus the names earlier fixes chose.
    const taken = new Set(sids.map(x => x.sid.value));
    const firstUse = new Map<string, (typeof sids)[number]>();
    for (const x of sids) {
      const sid = x.sid.value;
      if (identity && !ALPHANUMERIC.test(sid)) {
        const base = alphanumericSid(sid);
        const renamed = base ? unused(base, taken) : undefined;
        ctx.report({
          span: x.sid.span,
          severity: 'error',
          messageId: renamed ? 'unsupportedCharactersRenamed' : 'unsupportedCharacters',
          data: { sid: show(sid, 40), renamed: renamed ? jsonString(renamed) : '' },
          // Safe: a Sid names a statement and changes no decision.
          fixes: renamed ? [markSafe(replaceFix(`Rename to ${jsonString(renamed)}`, x.sid.span, jsonString(renamed)))] : [],
        });
      }
      const first = firstUse.get(sid);
      if (!first) {
        firstUse.set(sid, x);
        continue;
      }
      const renamed = unused(identity ? alphanumericSid(sid) || 'Statement' : sid, taken);
      ctx.report({
        span: x.sid.span,
        severity: identity ? 'error' : 'warning',
        messageId: identity ? 'duplicateInIdentityPolicy' : 'duplicate',
        data: { sid: show(sid, 36), first: first.st.index + 1, renamed: jsonString(renamed) },
        fixes: [markSafe(replaceFix(`Rename to ${jsonString(renamed)}`, x.sid.span, jsonString(renamed)))],
      });
    }
  },
};
