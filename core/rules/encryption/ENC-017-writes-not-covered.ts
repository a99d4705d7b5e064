// ENC-017 — writes that an s3:PutObject Deny does not cover: replicas are written with
// s3:ReplicateObject, and s3:UpdateObjectEncryption re-encrypts objects in place; both carry the SSE
// keys (SAR-S3). Decided with the evaluator: an upload class that the requirements ("sse",
// "kmsKeyArns") say must be denied, and that the policy denies for s3:PutObject, is not denied for
// the other action.
import { describeUploadClass } from '../../../shared/wording';
import type { BucketVerdict, UploadClass } from '../../../shared/types';
import type { Statement } from '../../policy/model';
import { editsFix, insertBeside, separatorBefore } from '../edits';
import type { Rule, TextEditSpan } from '../types';
import { isAlgorithm, isKmsAlgorithm, readsSseKeys } from './sse-conditions';
import { denyingStatements, uploadRequest, probably, incompleteNote } from './upload-classes';
import { jsonString, spanText } from '../json-text';
import { statementLabel } from '../labels';
import { coversAction } from '../model-lookups';

interface OtherWrite {
  action: string;
  what: string;
  /** The upload classes such a request can have. */
  carries: (u: UploadClass) => boolean;
}

const OTHER_WRITES: readonly OtherWrite[] = [
  {
    action: 's3:ReplicateObject',
    what: "replication; replicas keep the source object's encryption",
    carries: u => isAlgorithm(u.sse),
  },
  {
    action: 's3:UpdateObjectEncryption',
    what: 'in-place re-encryption of existing objects to SSE-KMS or another KMS key',
    carries: u => isKmsAlgorithm(u.sse) && u.kmsKey !== null,
  },
];

interface Uncovered {
  st: Statement;
  writes: Map<string, UploadClass>;
}

export const enc017: Rule = {
  meta: {
    id: 'ENC-017',
    title: 'Writes not covered by an s3:PutObject Deny',
    severity: 'info',
    appliesTo: ['bucket-policy'],
    why: "Replicas are written with `s3:ReplicateObject`, whose request carries the SSE keys, and the UpdateObjectEncryption API (`s3:UpdateObjectEncryption`: SSE-S3 to SSE-KMS, or another KMS key, in place) carries `s3:x-amz-server-side-encryption` and `s3:x-amz-server-side-encryption-aws-kms-key-id`. A Deny that names only `s3:PutObject` does not constrain them, so an object can end up with an algorithm or key the policy refuses for uploads. To pin encryption for every way of (re)encrypting data, include these actions in the Deny. (Replication encrypts an unencrypted source object with the destination's default; SSE-S3 and SSE-KMS sources keep their encryption type.)",
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "OnlyOurKey", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"ArnNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}}]}',
    exampleRequirements: { kmsKeyArns: ['arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'] },
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "OnlyOurKey", "Effect": "Deny", "Principal": "*", "Action": ["s3:PutObject", "s3:ReplicateObject", "s3:UpdateObjectEncryption"], "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"ArnNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}}]}',
    references: [
      'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/update-sse-encryption.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      otherWrites: {
        summary: 'Encryption is enforced on s3:PutObject only: {writes} are {probably}not denied.',
        detail:
          'Other writes that carry the encryption headers are {probably}not denied: {list}. Include these actions in the Deny if replicas and re-encryption must follow the same rule.{incomplete}',
      },
    },
  },
  check(ctx) {
    // Only what the user requires: AWS's own templates (and ours) deny on s3:PutObject alone, and
    // adding s3:ReplicateObject to a header-required Deny can block replication; without a stated
    // requirement that trade-off is not ours to raise on every enforcing policy.
    const { sse, kmsKeyArns } = ctx.requirements;
    if (!sse.length && !kmsKeyArns.length) return;
    const required = (u: UploadClass): boolean =>
      (sse.length > 0 && isAlgorithm(u.sse) && !sse.includes(u.sse)) ||
      (kmsKeyArns.length > 0 && u.kmsKey !== null && (u.kmsKey === 'other' || !kmsKeyArns.includes(u.kmsKey)));
    const uncovered: Uncovered[] = [];
    let verdict: BucketVerdict | undefined;
    for (const v of ctx.verdicts()) {
      verdict = v;
      // A policy that lets no upload through has a bigger problem (ENC-001, a lockout): not this one.
      if (!v.encryption.uploads.some(u => u.decision === 'not-denied')) continue;
      for (const u of v.encryption.uploads) {
        if (u.decision !== 'denied' || !required(u)) continue;
        const deniers = denyingStatements(ctx.doc, uploadRequest(v, u)).filter(st => readsSseKeys(st));
        if (!deniers.length) continue;
        for (const w of OTHER_WRITES) {
          if (!w.carries(u) || denyingStatements(ctx.doc, uploadRequest(v, u, w.action)).length) continue;
          // The deniers apply to an upload, so each has an Action or a NotAction.
          const st = deniers.find(s => !coversAction(s, w.action));
          if (!st) continue;
          let entry = uncovered.find(e => e.st === st);
          if (!entry) uncovered.push((entry = { st, writes: new Map() }));
          if (!entry.writes.has(w.action)) entry.writes.set(w.action, u);
        }
      }
      if (uncovered.length) break;
    }
    if (!uncovered.length) return;
    // One finding for the policy; its fix adds the missing actions to every statement concerned.
    // Not safe: a header-required Deny on s3:ReplicateObject can stop replication (replicas may
    // arrive without the header), a trade-off the author weighs.
    const edits: TextEditSpan[] = [];
    for (const { st, writes } of uncovered) {
      const list = st.action;
      const last = list?.items[list.items.length - 1];
      if (!list || !last) {
        edits.length = 0;
        break;
      }
      const actions = [...writes.keys()];
      // An Action list keeps its layout (one action per line, or all on one line).
      edits.push(
        list.isArray
          ? insertBeside(
              ctx.doc.text,
              last.span,
              actions.map(jsonString).join(`,${separatorBefore(ctx.doc.text, last.span.offset)}`),
              'after',
            )
          : { span: list.span, newText: `[${[spanText(ctx.doc.text, last.span), ...actions.map(jsonString)].join(', ')}]` },
      );
    }
    const all = [...new Set(uncovered.flatMap(u => [...u.writes.keys()]))];
    const detail = uncovered
      .flatMap(({ st, writes }) =>
        [...writes].map(
          ([a, u]) =>
            `${a} (${OTHER_WRITES.find(w => w.action === a)!.what}) with ${describeUploadClass(u).replace(/^uploads with /, '')}, which ${statementLabel(st)} denies for s3:PutObject`,
        ),
      )
      .join('; ');
    const first = uncovered[0].st;
    ctx.report({
      span: (first.action ?? first.notAction)!.span,
      messageId: 'otherWrites',
      data: {
        writes: all.join(' and '),
        list: detail,
        probably: verdict ? probably(verdict) : '',
        incomplete: verdict ? incompleteNote(verdict) : '',
      },
      fixes: edits.length
        ? [editsFix(`Add ${all.join(', ')} to the Deny ${uncovered.length > 1 ? 'statements' : 'statement'}`, edits)]
        : [],
    });
  },
};
