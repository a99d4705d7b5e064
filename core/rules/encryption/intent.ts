// What a policy's Deny statements visibly try to enforce (its evident intent), what must be denied
// (the requirements, else that intent) and the gaps the verdict shows between the two.
import type { BucketVerdict, UploadClass } from '../../../shared/types';
import type { ConditionOperatorBlock, PolicyDocument, Statement } from '../../policy/model';
import { type ParsedOperator } from '../../policy/operators';
import { matchesWildcard } from '../../policy/wildcard';
import type { RuleContext } from '../types';
import {
  type Algorithm,
  SSE_VALUES,
  coversPutObject,
  sseEntries,
  entryStrings,
  trueWhenAbsent,
  isAlgorithm,
  isKmsAlgorithm,
  KMS_ALGORITHMS,
  SSE_KMS_KEY_ID,
  SSE_CUSTOMER_ALGORITHM,
  SSE,
  isDeny,
} from './sse-conditions';
import { denyingStatements, uploadRequest, NONE } from './upload-classes';

export interface EncryptionIntent {
  /** Algorithms the Deny statements accept (the values of negated comparisons on the SSE header). */
  algorithms: Algorithm[];
  /** Keys they accept (values of negated comparisons on the key-id header, as written). */
  keys: string[];
  algorithmStatements: Statement[];
  keyStatements: Statement[];
  /** Deny statements with `Null` "true" on the SSE header: the header is required. */
  headerStatements: Statement[];
}

const isNegatedCompare = (op: ParsedOperator | undefined): op is ParsedOperator =>
  !!op && op.negated && op.set !== 'ForAnyValue' && (op.family === 'String' || op.family === 'Arn');

/** The SSE values a policy value stands for (Like patterns expanded over the real values). */
function algorithmsNamed(value: string, op: ParsedOperator): Algorithm[] {
  if (op.like) return SSE_VALUES.filter(a => matchesWildcard(a, value, { ignoreCase: op.ignoreCase }));
  return SSE_VALUES.filter(a => (op.ignoreCase ? a.toLowerCase() === value.toLowerCase() : a === value));
}

export function encryptionIntent(doc: PolicyDocument): EncryptionIntent {
  const intent: EncryptionIntent = { algorithms: [], keys: [], algorithmStatements: [], keyStatements: [], headerStatements: [] };
  for (const st of doc.statements) {
    if (!isDeny(st) || !coversPutObject(st)) continue;
    for (const { op, entry, key } of sseEntries(st)) {
      if (key === SSE && isNegatedCompare(op)) {
        for (const a of entryStrings(entry).flatMap(v => algorithmsNamed(v, op)))
          if (!intent.algorithms.includes(a)) intent.algorithms.push(a);
        if (!intent.algorithmStatements.includes(st)) intent.algorithmStatements.push(st);
      } else if (key === SSE_KMS_KEY_ID && isNegatedCompare(op)) {
        for (const k of entryStrings(entry)) if (!intent.keys.includes(k)) intent.keys.push(k);
        if (!intent.keyStatements.includes(st)) intent.keyStatements.push(st);
      } else if (key === SSE && op?.family === 'Null' && trueWhenAbsent(op, entry)) {
        if (!intent.headerStatements.includes(st)) intent.headerStatements.push(st);
      }
    }
  }
  return intent;
}

/** What uploads may name, and why: the requirements when they say, else the policy's evident intent. */
export interface Accepted<T> {
  source: 'requirement' | 'intent';
  values: T[];
}

const acceptedOf = <T>(required: readonly T[], intended: readonly T[]): Accepted<T> | undefined =>
  required.length
    ? { source: 'requirement', values: [...required] }
    : intended.length
      ? { source: 'intent', values: [...intended] }
      : undefined;

/** The algorithms uploads may name (requirement "sse", else the policy's algorithm Denies); undefined when neither says. */
export const acceptedAlgorithms = (ctx: RuleContext, intent: EncryptionIntent): Accepted<Algorithm> | undefined =>
  acceptedOf<Algorithm>(ctx.requirements.sse, intent.algorithms);

/** The KMS keys uploads may name (requirement "kmsKeyArns", else the policy's key pins); undefined when neither says. */
export const acceptedKeys = (ctx: RuleContext, intent: EncryptionIntent): Accepted<string> | undefined =>
  acceptedOf(ctx.requirements.kmsKeyArns, intent.keys);

// ---------------------------------------------------------------------------------------------
// Gaps: uploads that the requirements (or, without them, the evident intent) say must be denied

export interface AlgorithmGap {
  source: 'requirement' | 'intent';
  /** The algorithms uploads may name. */
  allowed: Algorithm[];
  /** Not-denied classes that name another algorithm (AES256, aws:kms, aws:kms:dsse). */
  leaks: UploadClass[];
  /** The SSE-C class when it is not denied and must be (a requirement, or a KMS-only intent: ENC-011). */
  sseC?: UploadClass;
  /** The statements that show the intent (empty for a requirement without one). */
  statements: Statement[];
}

export function algorithmGap(ctx: RuleContext, v: BucketVerdict, intent = encryptionIntent(ctx.doc)): AlgorithmGap | undefined {
  const accepted = acceptedAlgorithms(ctx, intent);
  if (!accepted) return undefined;
  const { source, values: allowed } = accepted;
  const leaks = v.encryption.uploads.filter(u => u.decision === 'not-denied' && isAlgorithm(u.sse) && !allowed.includes(u.sse));
  const sseCOpen = v.encryption.uploads.find(u => u.sse === 'SSE-C' && u.decision === 'not-denied');
  const sseC = sseCOpen && (source === 'requirement' || allowed.every(isKmsAlgorithm)) ? sseCOpen : undefined;
  if (!leaks.length && !sseC) return undefined;
  return { source, allowed, leaks, sseC, statements: intent.algorithmStatements };
}

export interface KeyGap {
  source: 'requirement' | 'intent';
  keys: string[];
  /** Not-denied SSE-KMS/DSSE-KMS classes that name another key. */
  leaks: UploadClass[];
  statements: Statement[];
}

export function keyGap(ctx: RuleContext, v: BucketVerdict, intent = encryptionIntent(ctx.doc)): KeyGap | undefined {
  const accepted = acceptedKeys(ctx, intent);
  if (!accepted) return undefined;
  const { source, values: keys } = accepted;
  // An algorithm that must be denied altogether is the algorithm gap's finding, not a key gap.
  const algorithms: readonly string[] = acceptedAlgorithms(ctx, intent)?.values ?? KMS_ALGORITHMS;
  const leaks = v.encryption.uploads.filter(
    u =>
      u.decision === 'not-denied' &&
      u.kmsKey !== null &&
      algorithms.includes(u.sse) &&
      (u.kmsKey === 'other' || !keys.includes(u.kmsKey)),
  );
  return leaks.length ? { source, keys, leaks, statements: intent.keyStatements } : undefined;
}

/**
 * The policy requires SSE-C: only SSE-C uploads get through, and uploads without any header are
 * denied by a statement whose customer-algorithm test is true when that header is absent.
 */
export function sseCRequired(ctx: RuleContext, v: BucketVerdict): { st: Statement; ob: ConditionOperatorBlock } | undefined {
  const uploads = v.encryption.uploads;
  if (!uploads.some(u => u.sse === 'SSE-C' && u.decision === 'not-denied')) return undefined;
  if (!uploads.every(u => u.sse === 'SSE-C' || u.decision === 'denied')) return undefined;
  for (const st of denyingStatements(ctx.doc, uploadRequest(v, NONE))) {
    for (const { ob, op, entry, key } of sseEntries(st))
      if (key === SSE_CUSTOMER_ALGORITHM && trueWhenAbsent(op, entry)) return { st, ob };
  }
  return undefined;
}
