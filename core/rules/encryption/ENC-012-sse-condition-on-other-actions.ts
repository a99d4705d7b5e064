// ENC-012 — a Deny whose SSE test is true when the key is absent, on actions that never carry the
// SSE keys (s3:*, s3:Get*, s3:List*…): GetObject, ListBucket and the bucket-configuration actions
// have no x-amz-server-side-encryption in their context, so the Deny fires for all of them.
// Confirmed with the evaluator: the statement applies to such requests.
import { statementApplies } from '../../engine/evaluate';
import { carriesSse } from '../../engine/requests/action-classes';
import { allActions } from '../../knowledge';
import { coversAction, principalValues } from '../../policy/statement';
import type { Request } from '../../../shared/types';
import { bucketArn, objectsArn, parseS3Arn } from '../../policy/arn';
import type { Statement } from '../../policy/model';
import { hasWildcard } from '../../policy/wildcard';
import { editsFix, markSafe } from '../edits';
import type { Fix, Rule, TextEditSpan } from '../types';
import { jsonStringOrList } from '../json-text';
import { capitalizedStatementLabel } from '../labels';
import { stringItems, effectSpan } from '../model-lookups';
import { isDeny, absentTrueEntries } from './sse-conditions';
import { statementTarget } from './statement-fixes';
import { principalOf, httpsRequest, uploadRequest, NONE } from './upload-classes';

/** Actions whose requests never carry the SSE keys (docs/design/aws-facts.md#table-0-1) that readers recognise first. */
const FIRST = ['s3:GetObject', 's3:ListBucket', 's3:DeleteObject', 's3:GetBucketPolicy', 's3:PutEncryptionConfiguration'];

interface Probe {
  action: string;
  target: 'object' | 'bucket';
}
let probes: readonly Probe[] | undefined;
/**
 * Every S3 action on a bucket or its objects whose request never carries the SSE keys, the familiar
 * ones first: `s3:Put*` takes in PutObjectAcl and PutObjectTagging, `s3:*Object` DeleteObject, and
 * a Deny on the SSE header denies each of them to everyone.
 */
function allProbes(): readonly Probe[] {
  if (!probes) {
    const out: Probe[] = [];
    for (const a of allActions('s3')) {
      if (carriesSse(a.fullName)) continue;
      const names = a.resourceTypes.map(r => r.name);
      const target = names.includes('object') ? 'object' : names.includes('bucket') ? 'bucket' : undefined;
      if (target) out.push({ action: a.fullName, target });
    }
    const rank = (p: Probe) => {
      const i = FIRST.indexOf(p.action);
      return i < 0 ? FIRST.length : i;
    };
    probes = out.sort((x, y) => rank(x) - rank(y) || (x.action < y.action ? -1 : 1));
  }
  return probes;
}

/** `a, b, c and 9 more actions` */
function actionList(actions: readonly string[], shown = 5): string {
  if (actions.length <= shown)
    return actions.length === 1 ? actions[0] : `${actions.slice(0, -1).join(', ')} and ${actions[actions.length - 1]}`;
  return `${actions.slice(0, shown).join(', ')} and ${actions.length - shown} more actions`;
}

/** Requests for `action` by the principals that may meet the statement: the upload's principal and the AWS principals the statement names. */
function probeRequests(st: Statement, upload: Request, action: string, resource: string): Request[] {
  const principals = [principalOf(upload)];
  for (const p of principalValues(st, 'AWS')) if (p !== '*' && !principals.includes(p)) principals.push(p);
  return principals.map(principal => httpsRequest(principal, action, resource));
}

/**
 * Narrow Action to the SSE-carrying actions it lists (else s3:PutObject) and Resource to object
 * ARNs. Safe: the statement's SSE test can only mean uploads (no other request carries the
 * header), and narrowing a Deny cannot lock anyone out; what it stops denying is every read and
 * bucket call, which it denies today only by this mistake.
 */
function narrowFix(st: Statement, partition: string, bucket: string): Fix | undefined {
  if (!st.action || st.notAction || !st.resource || st.notResource) return undefined;
  const actions = stringItems(st.action)
    .map(i => i.value)
    .filter(a => !hasWildcard(a) && carriesSse(a));
  const newActions = actions.length ? actions : ['s3:PutObject'];
  const resources = stringItems(st.resource)
    .map(i => i.value)
    .filter(r => parseS3Arn(r)?.key !== undefined);
  const newResources = resources.length ? resources : [objectsArn(partition, bucket)];
  const edits: TextEditSpan[] = [{ span: st.action.span, newText: jsonStringOrList(newActions) }];
  if (newResources.length !== st.resource.items.length)
    edits.push({ span: st.resource.span, newText: jsonStringOrList(newResources) });
  return markSafe(editsFix(`Narrow the statement to ${newActions.join(', ')} on ${newResources.join(', ')}`, edits));
}

export const enc012: Rule = {
  meta: {
    id: 'ENC-012',
    title: 'SSE-key conditions on actions that never carry them',
    severity: 'error',
    appliesTo: ['bucket-policy'],
    why: 'Only uploads (s3:PutObject, and s3:ReplicateObject, s3:BypassGovernanceRetention, s3:UpdateObjectEncryption) have `s3:x-amz-server-side-encryption` and its sibling keys in their request context. A Deny whose condition is true when the key is absent (`Null` "true", `StringNotEquals`…) and whose Action includes `s3:*`, `s3:Get*` or `s3:List*` therefore fires for every GetObject, ListBucket and bucket-configuration request: the bucket becomes unreadable for everyone, the account\'s administrators included (only the root user can still change the bucket policy). S3 may instead refuse the statement ("Conditions do not apply to combination of actions and resources in statement").',
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "RequireEncryption", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "RequireEncryption", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}}]}',
    references: [
      'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketPolicy.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      deniesEveryone: {
        summary: '{statement} denies everyone {count} whose requests never carry the encryption headers.',
        detail:
          "It denies {actions} to everyone: their requests never carry the encryption headers, so the condition key is always absent and the test always true. {consequence}S3 may also refuse the statement. Limit it to s3:PutObject on the bucket's objects.",
      },
    },
  },
  check(ctx) {
    for (const st of ctx.doc.statements) {
      if (!isDeny(st) || !absentTrueEntries(st).length) continue;
      for (const v of ctx.verdicts()) {
        const upload = uploadRequest(v, NONE);
        const target = statementTarget(ctx, v);
        const bucket = bucketArn(target.partition, v.bucket);
        const denied = allProbes().filter(
          p =>
            coversAction(st, p.action) &&
            probeRequests(st, upload, p.action, p.target === 'object' ? upload.resource : bucket).some(
              r => statementApplies(st, r) === true,
            ),
        );
        if (!denied.length) continue;
        const fix = narrowFix(st, target.partition, v.bucket);
        const span = (st.action ?? st.notAction)?.span ?? effectSpan(st);
        ctx.report({
          span,
          messageId: 'deniesEveryone',
          data: {
            statement: capitalizedStatementLabel(st),
            count: denied.length === 1 ? '1 action' : `${denied.length} actions`,
            actions: actionList(denied.map(p => p.action)),
            consequence: denied.some(p => p.action === 's3:GetObject' || p.action === 's3:ListBucket')
              ? "The bucket becomes unreadable for everyone, its account's administrators included (only the root user can still change the bucket policy); "
              : "Those calls fail for everyone, its account's administrators included; ",
          },
          fixes: fix ? [fix] : [],
        });
        break;
      }
    }
  },
};
