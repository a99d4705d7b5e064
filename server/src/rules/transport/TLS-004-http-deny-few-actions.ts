import type { PolicyDocument, Statement } from '../../policy/model';
import { replaceFix } from '../edits';
import type { Fix, Rule } from '../types';
import { capitalizedStatementLabel, jsonString, memberAt, stringItems } from '../util';
import { gapsOwnedBy, httpsNotEnforced } from './TLS-001-no-http-deny';

/**
 * The fix that makes a Deny name every S3 action: `"Action": "s3:*"` (the value replaced, or a
 * `NotAction` member replaced by that Action). Undefined when the statement has neither.
 */
export function widenActionFix(doc: PolicyDocument, st: Statement): Fix | undefined {
  const title = 'Deny every S3 action ("Action": "s3:*")';
  if (st.action) return replaceFix(title, st.action.span, jsonString('s3:*'));
  if (!st.notAction) return undefined;
  const key = st.members.find(m => m.key.value === 'NotAction')?.key;
  const member = key && memberAt(st.node, key);
  return member ? replaceFix(title, member.span, `"Action": ${jsonString('s3:*')}`) : undefined;
}

/** How a statement's Action (or NotAction) list reads in a message: `s3:GetObject`, `s3:GetObject and s3:PutObject`. */
export function actionsText(st: Statement): string {
  const names = stringItems(st.action ?? st.notAction).map(i => i.value);
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** What a statement's actions take in and leave out, for messages: `only s3:GetObject` / `other actions`, or with NotAction `every action except s3:GetObject` / `s3:GetObject`. */
export function actionsLeftOut(st: Statement): { named: string; leftOut: string } {
  const list = actionsText(st);
  return st.notAction && !st.action ? { named: `every action except ${list}`, leftOut: list } : { named: `only ${list}`, leftOut: 'other actions' };
}

export const tls004: Rule = {
  meta: {
    id: 'TLS-004',
    title: 'HTTP Deny covers only a few actions',
    severity: 'warning',
    appliesTo: ['bucket-policy'],
    why: 'A Deny on "aws:SecureTransport": "false" stops HTTP only for the actions it names: with "Action": "s3:GetObject" (as in CIS AWS Foundations v1.3/v1.4 remediation text), PutObject, ListBucket, DeleteObject and everything else may still use HTTP. AWS\'s example denies "s3:*". Decided by evaluating the policy: the message names one request that gets through.',
    example: '{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}',
    useInstead: '{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html',
      'https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule',
    ],
    confidence: 'DOC',
    fixable: true,
  },
  // A partial HTTP Deny shows the author wants HTTPS: checked even when the requirements do not ask for it.
  check(ctx) {
    const { doc } = ctx;
    for (const gap of gapsOwnedBy(ctx, 'TLS-004')) {
      const st = gap.statement;
      if (!st) continue;
      const fix = widenActionFix(doc, st);
      const list = st.action ?? st.notAction;
      ctx.report({
        span: list?.span ?? st.span,
        message: `${httpsNotEnforced(gap.verdict, gap.witness)} ${capitalizedStatementLabel(st)} denies HTTP for ${actionsLeftOut(st).named}, so ${actionsLeftOut(st).leftOut} may use HTTP.` +
          ' Deny every S3 action: "Action": "s3:*".',
        fixes: fix ? [fix] : [],
      });
    }
  },
};
