// The statements the ENC fixes add (the templates are in ../templates) and the default-friendly
// rewrite of a header-required policy (docs/design/aws-facts.md#template-3).
import type { BucketVerdict, UploadClass } from '../../../shared/types';
import { dominantPartition } from '../../policy/arn';
import type { ConditionOperatorBlock, Statement } from '../../policy/model';
import { parseOperator } from '../../policy/operators';
import { insertMember } from '../edits';
import {
  algorithmDenyStatement,
  freshSid,
  newStatement,
  sseCBanStatement,
  statementsFix,
  type NewStatement,
  type StatementTarget,
} from '../templates';
import type { Fix, RuleContext, TextEditSpan } from '../types';
import {
  sseEntries,
  trueWhenAbsent,
  isAlgorithm,
  SSE_VALUES,
  type Algorithm,
  SSE_KMS_KEY_ID,
  SSE_CUSTOMER_ALGORITHM,
} from './sse-conditions';
import {
  type ClassId,
  NONE,
  KMS_WITHOUT_KEY,
  sameClass,
  denyingStatements,
  uploadRequest,
  classHeaders,
  partitionOf,
  DSSE_WITHOUT_KEY,
} from './upload-classes';
import { jsonString } from '../json-text';
import { listOf } from '../labels';

/** The algorithm Deny (templates.ts), with what it does for the fix's title: strict also denies uploads without the header. */
export const algorithmDeny = (t: StatementTarget, sid: string, algorithms: readonly string[], strict: boolean): NewStatement =>
  newStatement(
    algorithmDenyStatement(t, sid, algorithms, strict),
    strict
      ? `denies uploads that do not name ${listOf(algorithms)}`
      : `denies uploads that name another encryption than ${listOf(algorithms)}`,
  );

/** The SSE-C ban (templates.ts), with what it does. */
export const sseCBan = (t: StatementTarget, sid: string): NewStatement =>
  newStatement(sseCBanStatement(t, sid), 'denies SSE-C uploads');

/** The verdict's bucket, in the partition its witnesses use (else the policy's). */
export function statementTarget(ctx: RuleContext, v: BucketVerdict): StatementTarget {
  const partition = partitionOf(v) ?? dominantPartition(ctx.doc) ?? 'aws';
  return { partition, bucket: v.bucket };
}

// ---------------------------------------------------------------------------------------------
// The default-friendly rewrite (docs/design/aws-facts.md#template-3)

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

/**
 * Rewrite `statements` (Deny statements that fire when an SSE header is absent) so that they deny
 * only uploads that explicitly name the wrong encryption (docs/design/aws-facts.md#template-3): each negated
 * comparison gets `"Null": {key: "false"}`; a statement whose SSE test is only `Null "true"` goes.
 * Uploads without a header become allowed (and, when a key-id test is rewritten, uploads that name
 * aws:kms without a key id); every other class the policy denies stays denied — the algorithm Deny
 * and the SSE-C ban of template 3 are added when the rewrite would let such uploads through.
 * Undefined for shapes the rewrite does not handle.
 */
export function defaultFriendlyFix(
  ctx: RuleContext,
  v: BucketVerdict,
  statements: readonly Statement[],
  title: string,
): Fix | undefined {
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
  const meantToOpen: ClassId[] = [NONE, ...(keyIdRewritten ? [KMS_WITHOUT_KEY, DSSE_WITHOUT_KEY] : [])];
  const reopened: UploadClass[] = v.encryption.uploads.filter(u => {
    if (u.decision !== 'denied' || meantToOpen.some(c => sameClass(c, u))) return false;
    const deniers = denyingStatements(doc, uploadRequest(v, u));
    const headers = classHeaders(v, u);
    return deniers.length > 0 && deniers.every(st => required.has(st) && stopsApplying(st, headers));
  });

  const t = statementTarget(ctx, v);
  const appended: NewStatement[] = [];
  const taken: string[] = [];
  const algorithmsReopened = reopened.filter(u => isAlgorithm(u.sse));
  if (algorithmsReopened.length) {
    const open = (a: string) =>
      v.encryption.uploads.some(u => u.sse === a && (u.decision === 'not-denied' || meantToOpen.some(c => sameClass(c, u))));
    const allowed = SSE_VALUES.filter(open);
    // Only an algorithm Deny can restore them, and only if none of them uses an algorithm that stays allowed.
    if (!allowed.length || algorithmsReopened.some(u => allowed.includes(u.sse as Algorithm))) return undefined;
    const sid = freshSid(doc, 'DenyUploadsWithoutRequiredEncryption', taken);
    taken.push(sid);
    appended.push(algorithmDeny(t, sid, allowed, false));
  }
  if (reopened.some(u => u.sse === 'SSE-C')) appended.push(sseCBan(t, freshSid(doc, 'DenySseCUploads', taken)));
  const fix = statementsFix(doc, title, edits, appended, removed);
  return fix && { ...fix, preferred: false };
}
