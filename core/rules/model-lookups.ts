// Lookups in the policy model that several rules share: strings of a list, members by name, condition
// operator blocks and key tests, resources a statement covers, the spans findings point at.
import type {
  ConditionBlock,
  ConditionEntry,
  ConditionOperatorBlock,
  JsonNode,
  Located,
  Member,
  PolicyDocument,
  Span,
  Statement,
  ValueList,
} from '../policy/model';
import { parseOperator, type ParsedOperator } from '../policy/operators';
import { oncePerDocument, slot, statementNode } from '../policy/memo';
import { membersOf } from '../policy/parse';
import { matchesWildcard } from '../policy/wildcard';

/** The items of a list that are strings, with their positions. */
export function stringItems(list: ValueList | undefined): Located<string>[] {
  return (list?.items ?? []).filter((i): i is Located<string> => typeof i.value === 'string');
}

/** The member named `name` (exact case) of a statement; the last one when duplicated. */
export function memberNamed(members: readonly Member[], name: string): Member | undefined {
  let found: Member | undefined;
  for (const m of members) if (m.key.value === name) found = m;
  return found;
}

/**
 * The member of `object` whose key is `key` (a member's key, a condition operator or key, a
 * principal type), found by position, so duplicated names cannot be confused.
 */
export function memberAt(object: JsonNode, key: Located<string>): Member | undefined {
  return membersOf(object).find(m => m.key.span.offset === key.span.offset);
}

/** Every condition operator block of the policy with its statement, Conditions that are objects only (computed once per document: many rules ask). */
export const operatorBlocks: (
  doc: PolicyDocument,
) => readonly { st: Statement; cond: ConditionBlock; ob: ConditionOperatorBlock }[] = oncePerDocument(
  function operatorBlocks(doc) {
    const out: { st: Statement; cond: ConditionBlock; ob: ConditionOperatorBlock }[] = [];
    for (const st of doc.statements) {
      const cond = st.condition;
      if (!cond || cond.node.type !== 'object') continue;
      for (const ob of cond.operators) out.push({ st, cond, ob });
    }
    return out;
  },
);

/** One test of a condition key in a statement: the entry, its operator block and the parsed operator. */
export interface KeyTest {
  ob: ConditionOperatorBlock;
  op: ParsedOperator;
  entry: ConditionEntry;
}

/** keyTests per statement and key: rules ask each statement about the same few keys, and a statement never changes. */
const keyTestsOf = slot<Statement, Map<string, readonly KeyTest[]>>(statementNode);
const NO_KEY_TESTS: readonly KeyTest[] = [];

/**
 * Every entry of a statement's Condition that tests `key` (condition key names are
 * case-insensitive), with its operator block and parsed operator; unknown operators are left out.
 * The list is shared: do not change it.
 */
export function keyTests(st: Statement, key: string): readonly KeyTest[] {
  const operators = st.condition?.operators;
  if (!operators?.length) return NO_KEY_TESTS;
  const byKey = keyTestsOf.get(st);
  const known = byKey?.get(key);
  if (known) return known;
  const lower = key.toLowerCase();
  let out: KeyTest[] | undefined;
  for (const ob of operators) {
    const op = parseOperator(ob.operator.value);
    if (!op) continue;
    for (const entry of ob.entries) if (entry.key.value.toLowerCase() === lower) (out ??= []).push({ ob, op, entry });
  }
  const found = out ?? NO_KEY_TESTS;
  (byKey ?? keyTestsOf.set(st, new Map())).set(key, found);
  return found;
}

export { coversAction, isAnyS3Action, isEveryone, principalValues } from '../policy/statement';

/** Does Resource/NotResource take in `arn`? (Case-sensitive, with wildcards.) */
export function coversResource(st: Statement, arn: string): boolean {
  const list = st.resource ?? st.notResource;
  if (!list) return false;
  const named = stringItems(list).some(i => matchesWildcard(arn, i.value));
  return st.notResource && !st.resource ? !named : named;
}

/** The span of a statement's opening brace, for findings about the statement as a whole. */
export function statementHead(st: Statement): Span {
  return { offset: st.node.offset, length: 1 };
}

/** The span of a statement's Effect value (its opening brace when Effect is missing). */
export const effectSpan = (st: Statement): Span => st.effect?.span ?? statementHead(st);

/** The span of the `Statement` key (else the document's opening brace), for findings about what the policy lacks. */
export function policyHead(doc: PolicyDocument): Span {
  return doc.statementMember?.key.span ?? { offset: doc.root?.offset ?? 0, length: doc.root ? 1 : 0 };
}
