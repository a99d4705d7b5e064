// The SSE headers S3 accepts and how a statement's conditions test them: which entries name an
// SSE key, what they compare, and which are true when the header is absent (docs/design/aws-facts.md#table-0-2).
// The ENC rules import from the modules of this folder, never from each other.
import { isDeny, statementKeys } from '../../engine/requests/statements';
import { SSE, SSE_CUSTOMER_ALGORITHM, SSE_KMS_KEY_ID, SSE_KEYS } from '../../engine/requests/context-keys';
import type { ConditionEntry, ConditionOperatorBlock, Statement } from '../../policy/model';
import { slot, statementNode } from '../../policy/memo';
import { parseOperator, resultWhenKeyAbsent, type ParsedOperator } from '../../policy/operators';
import { coversAction } from '../model-lookups';

export { SSE, SSE_CUSTOMER_ALGORITHM, SSE_KMS_KEY_ID, isDeny };

// ---------------------------------------------------------------------------------------------
// The SSE headers and the conditions on them

/** The only values S3 accepts in the `x-amz-server-side-encryption` header (SSE-S3, SSE-KMS, DSSE-KMS). */
export const SSE_VALUES = ['AES256', 'aws:kms', 'aws:kms:dsse'] as const;
export type Algorithm = (typeof SSE_VALUES)[number];
export const KMS_ALGORITHMS: readonly Algorithm[] = ['aws:kms', 'aws:kms:dsse'];
export const isAlgorithm = (s: string): s is Algorithm => (SSE_VALUES as readonly string[]).includes(s);
export const isKmsAlgorithm = (s: string): boolean => (KMS_ALGORITHMS as readonly string[]).includes(s);

/** The SSE condition key an entry compares (lower-cased), or undefined. */
export function sseKeyOf(entry: ConditionEntry): string | undefined {
  const k = entry.key.value.toLowerCase();
  return SSE_KEYS.includes(k) ? k : undefined;
}

/** Does the statement's Action (or NotAction) let it apply to s3:PutObject? */
export const coversPutObject = (st: Statement): boolean => coversAction(st, 's3:PutObject');

/** Does the statement read one of the SSE condition keys? */
export const readsSseKeys = (st: Statement, keys: readonly string[] = SSE_KEYS): boolean => {
  const read = statementKeys(st);
  return keys.some(k => read.has(k));
};

/** One comparison of an SSE key in a statement's Condition. */
export interface SseEntry {
  ob: ConditionOperatorBlock;
  op: ParsedOperator | undefined;
  entry: ConditionEntry;
  key: string;
}

/** sseEntries per statement: a dozen rules ask each statement, and a statement never changes. */
const sseEntriesOf = slot<Statement, readonly SseEntry[]>(statementNode);
const NO_SSE_ENTRIES: readonly SseEntry[] = [];

/** Every operator block and entry of a statement that compares an SSE key, with the parsed operator (shared: do not change). */
export function sseEntries(st: Statement): readonly SseEntry[] {
  const found = sseEntriesOf.get(st);
  if (found) return found;
  let out: SseEntry[] | undefined;
  if (st.condition && st.condition.node.type === 'object') {
    for (const ob of st.condition.operators) {
      const op = parseOperator(ob.operator.value);
      for (const entry of ob.entries) {
        const key = sseKeyOf(entry);
        if (key) (out ??= []).push({ ob, op, entry, key });
      }
    }
  }
  return sseEntriesOf.set(st, out ?? NO_SSE_ENTRIES);
}

/** The string values of an entry. */
export const entryStrings = (entry: ConditionEntry): string[] =>
  entry.values.items.filter(i => typeof i.value === 'string').map(i => i.value as string);

/** Does this comparison hold when the key is absent from the request (docs/design/aws-facts.md#table-0-2)? */
export function trueWhenAbsent(op: ParsedOperator | undefined, entry: ConditionEntry): boolean {
  return (
    !!op &&
    resultWhenKeyAbsent(
      op,
      entry.values.items.map(i => i.value),
    ) === true
  );
}

/** The SSE tests of a statement that are true when their key is absent: the statement applies to uploads without that header. */
export const absentTrueEntries = (st: Statement) => [...sseEntries(st)].filter(e => trueWhenAbsent(e.op, e.entry));

/** The operator block of a statement whose test on `key` is true when the key is absent. */
export const absentTrueOperator = (st: Statement, key: string): ConditionOperatorBlock | undefined =>
  absentTrueEntries(st).find(e => e.key === key)?.ob;
