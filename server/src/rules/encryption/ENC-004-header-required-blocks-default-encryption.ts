// ENC-004 — a Deny that fires when the encryption header is absent also denies uploads that rely on
// default encryption: S3 evaluates the bucket policy before it applies default encryption. Decided
// from the verdict (the `sse: "none"` class is denied, by statements that read the SSE header), and
// only when the user's requirements leave header-less uploads to default encryption.
//
// The default-friendly rewrite (RULES.md template 3) lives here and ENC-009 uses it too.
import type { BucketVerdict, UploadClass } from '../../engine/types';
import type { ConditionOperatorBlock, Statement } from '../../policy/model';
import { parseOperator } from '../../policy/operators';
import { insertMember } from '../edits';
import type { Fix, Rule, RuleContext, TextEditSpan } from '../types';
import { jsonString } from '../util';
import { SSE_VALUES } from './ENC-001-sse-header-values';
import {
  NONE,
  SSE,
  SSE_CUSTOMER_ALGORITHM,
  SSE_KMS_KEY_ID,
  algorithmDenyStatement,
  capitalizedStatementLabel,
  classHeaders,
  denyingStatements,
  findClass,
  freshSid,
  incompleteNote,
  probably,
  readsSseKeys,
  sameClass,
  sseCBanStatement,
  sseEntries,
  statementTarget,
  statementsFix,
  trueWhenAbsent,
  uploadRequest,
  type ClassId,
} from './ENC-003-encryption-not-required';

// ---------------------------------------------------------------------------------------------
// The default-friendly rewrite

/** How a statement's SSE conditions treat an absent key. */
interface AbsentKeys {
  /** Keys compared with a negated operator (true when absent): a `Null … "false"` makes them require the header. */
  negated: Set<string>;
  /** Keys under `Null … "true"`: the statement exists to deny uploads without them. */
  nullTrue: Set<string>;
  /** Shapes the rewrite leaves alone (unknown operators, non-negated IfExists, ForAllValues…). */
  other: boolean;
}

function absentKeys(st: Statement): AbsentKeys {
  const out: AbsentKeys = { negated: new Set(), nullTrue: new Set(), other: false };
  for (const { op, entry, key } of sseEntries(st)) {
    if (!op) out.other = true;
    else if (op.family === 'Null') {
      if (op.set) out.other = true;
      else if (trueWhenAbsent(op, entry)) out.nullTrue.add(key);
    } else if (op.negated && op.set !== 'ForAnyValue') out.negated.add(key);
    else if (trueWhenAbsent(op, entry)) out.other = true;
  }
  return out;
}

/** Add `"Null": {key: "false", …}` to a statement's Condition (into its Null block when it has one). */
function nullFalseEdit(text: string, st: Statement, keys: readonly string[]): TextEditSpan | undefined {
  const cond = st.condition;
  if (!cond || cond.node.type !== 'object' || keys.length === 0) return undefined;
  const entries = keys.map(k => `${jsonString(k)}: "false"`).join(', ');
  const nulls: ConditionOperatorBlock[] = cond.operators.filter(o => parseOperator(o.operator.value)?.family === 'Null');
  if (nulls.length > 1) return undefined;
  if (nulls.length === 0) return insertMember(text, cond.node, `"Null": {${entries}}`);
  const block = nulls[0];
  if (block.operator.value !== 'Null' || block.node.type !== 'object') return undefined;
  if (block.entries.some(e => keys.includes(e.key.value.toLowerCase()))) return undefined;
  return insertMember(text, block.node, entries);
}

const KMS_WITHOUT_KEY: readonly ClassId[] = [{ sse: 'aws:kms', kmsKey: null }, { sse: 'aws:kms:dsse', kmsKey: null }];
const isAlgorithm = (s: string): boolean => (SSE_VALUES as readonly string[]).includes(s);

/**
 * Rewrite `statements` (Deny statements that fire when an SSE header is absent) so that they deny
 * only uploads that explicitly name the wrong encryption (RULES.md template 3): each negated
 * comparison gets `"Null": {key: "false"}`; a statement whose SSE test is only `Null "true"` goes.
 * Uploads without a header become allowed (and, when a key-id test is rewritten, uploads that name
 * aws:kms without a key id); every other class the policy denies stays denied — the algorithm Deny
 * and the SSE-C ban of template 3 are added when the rewrite would let such uploads through.
 * Undefined for shapes the rewrite does not handle.
 */
export function defaultFriendlyFix(ctx: RuleContext, v: BucketVerdict, statements: readonly Statement[], title: string): Fix | undefined {
  const { doc } = ctx;
  const edits: TextEditSpan[] = [];
  let removed: Statement | undefined;
  let keyIdRewritten = false;
  for (const st of statements) {
    const keys = absentKeys(st);
    if (keys.other || (keys.negated.size && keys.nullTrue.size)) return undefined;
    if (keys.nullTrue.has(SSE_KMS_KEY_ID) || keys.negated.has(SSE_KMS_KEY_ID)) keyIdRewritten = true;
    if (keys.nullTrue.size) {
      // One removal per fix keeps the edits apart; the SSE-C requirement (`Null … customer-algorithm "true"`) is ENC-011's business.
      if (removed || keys.nullTrue.has(SSE_CUSTOMER_ALGORITHM)) return undefined;
      removed = st;
      continue;
    }
    const edit = nullFalseEdit(doc.text, st, [...keys.negated]);
    if (!edit) return undefined;
    edits.push(edit);
  }
  // A rewritten statement stops applying to an upload that lacks one of the keys it now requires
  // present (`Null … "false"`); a removed one applies to nothing. A class the policy denies is
  // reopened when every statement that denies it stops applying.
  const required = new Map(statements.map(st => [st, [...absentKeys(st).negated]]));
  const stopsApplying = (st: Statement, headers: Record<string, string>): boolean =>
    st === removed || (required.get(st) ?? []).some(k => headers[k] === undefined);
  const meantToOpen: ClassId[] = [NONE, ...(keyIdRewritten ? KMS_WITHOUT_KEY : [])];
  const reopened: UploadClass[] = v.encryption.uploads.filter(u => {
    if (u.decision !== 'denied' || meantToOpen.some(c => sameClass(c, u))) return false;
    const deniers = denyingStatements(doc, uploadRequest(v, u));
    const headers = classHeaders(v, u);
    return deniers.length > 0 && deniers.every(st => required.has(st) && stopsApplying(st, headers));
  });

  const t = statementTarget(ctx, v);
  const appended: string[] = [];
  const taken: string[] = [];
  const algorithmsReopened = reopened.filter(u => isAlgorithm(u.sse));
  if (algorithmsReopened.length) {
    const open = (a: string) => v.encryption.uploads.some(u => u.sse === a && (u.decision === 'not-denied' || meantToOpen.some(c => sameClass(c, u))));
    const allowed = SSE_VALUES.filter(open);
    // Only an algorithm Deny can restore them, and only if none of them uses an algorithm that stays allowed.
    if (!allowed.length || algorithmsReopened.some(u => allowed.includes(u.sse as (typeof allowed)[number]))) return undefined;
    const sid = freshSid(doc, 'DenyUploadsWithoutRequiredEncryption', taken);
    taken.push(sid);
    appended.push(algorithmDenyStatement(t, sid, allowed, false));
  }
  if (reopened.some(u => u.sse === 'SSE-C')) appended.push(sseCBanStatement(t, freshSid(doc, 'DenySseCUploads', taken)));
  const fix = statementsFix(doc, title, edits, appended, removed);
  return fix && { ...fix, preferred: false };
}

/** The operator block of a statement whose test on `key` is true when the key is absent. */
export function absentTrueOperator(st: Statement, key: string): ConditionOperatorBlock | undefined {
  for (const { ob, op, entry, key: k } of sseEntries(st)) if (k === key && trueWhenAbsent(op, entry)) return ob;
  return undefined;
}

/** "an anonymous caller uploading to arn:aws:s3:::b/example" */
export function describeUploader(req: { principal: { kind: string; arn?: string; service?: string }; resource: string }): string {
  const p = req.principal;
  const who = p.kind === 'anonymous' ? 'an anonymous caller' : p.kind === 'service' ? String(p.service) : String(p.arn);
  return `${who} uploading to ${req.resource}`;
}

// ---------------------------------------------------------------------------------------------
// The rule

export const enc004: Rule = {
  meta: {
    id: 'ENC-004',
    title: 'Header-required Deny blocks uploads that rely on default encryption',
    severity: 'warning',
    appliesTo: ['bucket-policy'],
    why: 'S3 evaluates the bucket policy before it applies default encryption, so a Deny that fires when `s3:x-amz-server-side-encryption` is absent (`Null` "true", `StringNotEquals`, `StringNotLike`, `ForAllValues:StringNotEquals`…) denies an upload without the header even though S3 would have encrypted it. That breaks clients that send no header: many SDK integrations and third-party tools, S3 Batch Operations copies without an explicit key, presigned URLs generated without SSE, and AWS log delivery (S3 server access logging sends no header). ' +
      'If the goal is "objects end up encrypted with X", set the bucket\'s default encryption to X and deny only uploads that explicitly ask for something else. Strict mode is sometimes a compliance requirement: then set the requirement "headerlessUploads": "deny" and this rule stays quiet.',
    example: '{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}',
    useInstead: '{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}, "Null": {"s3:x-amz-server-side-encryption": "false"}}}',
    references: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-copy-example-bucket-key.html',
      'https://github.com/aws/copilot-cli/pull/5329',
      'https://github.com/aws-quickstart/quickstart-compliance-common/issues/29',
    ],
    confidence: 'COMMUNITY',
    fixable: true,
  },
  check(ctx) {
    // Strict mode chosen: denying header-less uploads is what the user asked for.
    if (ctx.requirements.headerlessUploads === 'deny') return;
    for (const v of ctx.verdicts()) {
      // A policy that lets no upload through has a bigger problem (ENC-001, a lockout): not this one.
      if (findClass(v, NONE)?.decision !== 'denied' || !v.encryption.uploads.some(u => u.decision === 'not-denied')) continue;
      const req = uploadRequest(v, NONE);
      const deniers = denyingStatements(ctx.doc, req);
      // Denied for another reason too (a Deny on every upload…): not the header's doing.
      if (!deniers.length || !deniers.every(st => readsSseKeys(st))) continue;
      // Key pins alone are ENC-009's finding; a statement that requires SSE-C is ENC-011's.
      const headerStatements = deniers.filter(st => absentTrueOperator(st, SSE));
      if (!headerStatements.length || deniers.some(st => absentTrueOperator(st, SSE_CUSTOMER_ALGORITHM))) continue;
      const st = headerStatements[0];
      const ob = absentTrueOperator(st, SSE)!;
      const fix = defaultFriendlyFix(ctx, v, deniers, 'Deny only uploads that name the wrong encryption (default-friendly; set the bucket\'s default encryption)');
      ctx.report({
        span: ob.operator.span,
        message: `${capitalizedStatementLabel(st)} ${probably(v)}also denies uploads that send no encryption header (e.g. ${describeUploader(req)}), although S3 would encrypt them with the bucket's default encryption: S3 evaluates the bucket policy before it applies default encryption. ` +
          'Clients that send no header (many SDKs and tools, S3 Batch Operations copies, presigned URLs generated without SSE, AWS log delivery) get AccessDenied. ' +
          'If that is intended, set the requirement "headerlessUploads": "deny"; otherwise deny only uploads that name the wrong encryption and set the bucket\'s default encryption.' + incompleteNote(v),
        fixes: fix ? [fix] : [],
      });
      return;
    }
  },
};
