import type { ConditionBlock, ConditionEntry, ConditionOperatorBlock, JsonNode, Member, PolicyDocument, Statement } from '../../policy/model';
import { ALL_OPERATOR_NAMES, formatOperator, isNullIfExists, parseOperator, SET_OPERATORS, type SetOperator } from '../../policy/operators';
import { membersOf, spanOf } from '../../policy/parse';
import { ALL_POLICY_KINDS, type Fix, type Rule, type RuleContext } from '../types';
import { closest, jsonString, replaceFix, statementLabel } from '../util';
import { removeMemberFix } from './GRM-001-document-shape';
import { jsonTypeName } from './GRM-008-bucket-policy-resource';

// ---------------------------------------------------------------------------------------------
// Condition helpers (also used by GRM-012, GRM-013, GRM-017)

/** The member `"key": value` of an operator block that holds `entry`. */
export function entryMember(ob: ConditionOperatorBlock, entry: ConditionEntry): Member | undefined {
  return membersOf(ob.node).find(m => m.key.span.offset === entry.key.span.offset);
}

/** The member `"Operator": {...}` of the Condition block that holds `ob`. */
export function operatorMember(cond: ConditionBlock, ob: ConditionOperatorBlock): Member | undefined {
  return membersOf(cond.node).find(m => m.key.span.offset === ob.operator.span.offset);
}

/** Remove the member of `object` whose key starts at `keyOffset` (with its joining comma). */
export function removeMemberAt(title: string, object: JsonNode, keyOffset: number, preferred = true): Fix | undefined {
  // removeMemberFix finds its neighbours by identity: give it the very list the member comes from.
  const members = membersOf(object);
  const member = members.find(m => m.key.span.offset === keyOffset);
  return member && { ...removeMemberFix(title, members, member), preferred };
}

/**
 * Remove one condition key; when it is the last key of its operator, the operator goes too,
 * and when that is the last operator, the whole `Condition` element.
 */
export function removeConditionEntryFix(title: string, st: Statement, cond: ConditionBlock, ob: ConditionOperatorBlock, entry: ConditionEntry, preferred: boolean): Fix | undefined {
  if (ob.entries.length > 1) return removeMemberAt(title, ob.node, entry.key.span.offset, preferred);
  return removeOperatorFix(title, st, cond, ob, preferred);
}

/** Remove one operator block; the whole `Condition` when it is the only one. */
export function removeOperatorFix(title: string, st: Statement, cond: ConditionBlock, ob: ConditionOperatorBlock, preferred = true): Fix | undefined {
  if (cond.operators.length > 1) return removeMemberAt(title, cond.node, ob.operator.span.offset, preferred);
  return { ...removeMemberFix(title, st.members, cond.member), preferred };
}

/** Every operator block of the policy, with its statement and Condition (Conditions that are objects only). */
export function* operatorBlocks(doc: PolicyDocument): Generator<{ st: Statement; cond: ConditionBlock; ob: ConditionOperatorBlock }> {
  for (const st of doc.statements) {
    const cond = st.condition;
    if (!cond || cond.node.type !== 'object') continue;
    for (const ob of cond.operators) yield { st, cond, ob };
  }
}

/** Does another operator of the same Condition already use this exact name? */
export function operatorTaken(cond: ConditionBlock, name: string, except?: ConditionOperatorBlock): boolean {
  return cond.operators.some(o => o !== except && o.operator.value === name);
}

// ---------------------------------------------------------------------------------------------

const ALIASES = new Map([['boolean', 'Bool'], ['isnull', 'Null']]);

/** The operator a misspelt one was meant to be: edit distance over every name, plus a few aliases. */
export function suggestOperator(name: string): string | undefined {
  const colon = name.indexOf(':');
  const prefix = colon >= 0 ? name.slice(0, colon) : '';
  const rest = colon >= 0 ? name.slice(colon + 1) : name;
  const alias = ALIASES.get(rest.toLowerCase().replace(/\s+/g, ''));
  if (alias) {
    const set = SET_OPERATORS.find(s => s.toLowerCase() === prefix.toLowerCase());
    if (!prefix || set) return formatOperator(alias, { set });
  }
  return closest(name.replace(/\s+/g, ''), ALL_OPERATOR_NAMES) ?? closest(name, ALL_OPERATOR_NAMES);
}

function checkOperatorName(ctx: RuleContext, cond: ConditionBlock, ob: ConditionOperatorBlock): void {
  const name = ob.operator.value;
  const rename = (to: string, title = `Rename to "${to}"`): Fix[] =>
    operatorTaken(cond, to, ob) ? [] : [replaceFix(title, ob.operator.span, jsonString(to))];
  if (isNullIfExists(name)) {
    const set = SET_OPERATORS.find(s => name.toLowerCase().startsWith(`${s.toLowerCase()}:`)) as SetOperator | undefined;
    const to = formatOperator('Null', { set });
    ctx.report({
      span: ob.operator.span,
      message: `"${name}" is not an operator: IfExists cannot be added to Null (Access Analyzer: "Null with if exists"), and AWS rejects the policy. Null already tests whether the key exists: use "${to}".`,
      fixes: rename(to),
    });
    return;
  }
  const parsed = parseOperator(name);
  if (!parsed) {
    const guess = suggestOperator(name);
    ctx.report({
      span: ob.operator.span,
      message: `Unknown condition operator "${name}": AWS rejects the policy ("Invalid condition operator").` +
        (guess ? ` Did you mean "${guess}"?` : ' Use one of the String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress, NotIpAddress, Arn* or Null operators.'),
      fixes: guess ? rename(guess) : [],
    });
    return;
  }
  if (parsed.caseMismatch) {
    ctx.report({
      span: ob.operator.span,
      severity: 'warning',
      message: `Operator "${name}" is written with unusual casing: AWS documents it only as "${parsed.canonical}", and whether other casings are accepted is not documented. Write "${parsed.canonical}".`,
      fixes: rename(parsed.canonical),
    });
  }
}

const SCALAR = new Set(['string', 'number', 'boolean']);

function checkEntries(ctx: RuleContext, st: Statement, cond: ConditionBlock, ob: ConditionOperatorBlock): void {
  const name = ob.operator.value;
  if (ob.node.type !== 'object') {
    ctx.report({
      span: spanOf(ob.node),
      message: `The value of "${name}" must be an object of condition keys and values ({"key": "value"}), not ${jsonTypeName(ob.node.type)}: AWS rejects the policy.`,
    });
    return;
  }
  if (ob.entries.length === 0) {
    ctx.report({
      span: spanOf(ob.node),
      severity: 'warning',
      message: `"${name}" has no condition keys, so it tests nothing (Access Analyzer flags empty condition blocks). Add the key and value to compare, or remove "${name}".`,
      fixes: [removeOperatorFix(cond.operators.length > 1 ? `Remove "${name}"` : 'Remove the empty Condition', st, cond, ob)!],
    });
    return;
  }
  for (const e of ob.entries) {
    const v = e.values;
    if (!SCALAR.has(v.node.type) && v.node.type !== 'array') {
      ctx.report({ span: v.span, message: `The value of condition key "${e.key.value}" must be a string, number, Boolean or an array of them, not ${jsonTypeName(v.node.type)}: AWS rejects the policy.` });
      continue;
    }
    if (v.isArray && v.items.length === 0) {
      ctx.report({
        span: v.span,
        severity: 'warning',
        message: `Condition key "${e.key.value}" has an empty list of values, so the condition compares with nothing: AWS does not document the result (Access Analyzer says it does not affect the policy as intended). List the values, or remove the key.`,
      });
      continue;
    }
    for (const item of v.items) {
      if (!SCALAR.has(item.node.type)) {
        ctx.report({ span: item.span, message: `Each value of condition key "${e.key.value}" must be a string, number or Boolean, not ${jsonTypeName(item.node.type)}: AWS rejects the policy.` });
      }
    }
  }
}

export const grm011: Rule = {
  meta: {
    id: 'GRM-011',
    title: 'Condition block shape and operator names',
    severity: 'error',
    appliesTo: ALL_POLICY_KINDS,
    why: '`Condition` is an object `{operator: {key: value | [values]}}`. The operators are the String*, Numeric*, Date*, `Bool`, `BinaryEquals`, `IpAddress`/`NotIpAddress`, Arn* families, each optionally with the `IfExists` suffix, plus `Null`; any of them may carry a `ForAllValues:`/`ForAnyValue:` prefix. AWS rejects unknown operators ("Invalid condition operator") and `NullIfExists` ("Null with if exists"). Operator names appear in the AWS documentation only in their canonical casing; whether other casings work is undocumented, so they are flagged as warnings. Empty operator blocks and empty value lists compare with nothing.',
    example: '{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"NullIfExists": {"s3:x-amz-server-side-encryption": "true"}}}',
    useInstead: '{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}}',
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html',
    ],
    confidence: 'DOC',
    fixable: true,
  },
  check(ctx) {
    for (const st of ctx.doc.statements) {
      const cond = st.condition;
      if (!cond) continue;
      if (cond.node.type !== 'object') {
        ctx.report({
          span: spanOf(cond.node),
          message: `"Condition" in ${statementLabel(st)} must be an object of operators ({"StringEquals": {"key": "value"}}), not ${jsonTypeName(cond.node.type)}: AWS rejects the policy.`,
        });
        continue;
      }
      if (cond.operators.length === 0) {
        ctx.report({
          span: spanOf(cond.node),
          severity: 'warning',
          message: `"Condition" in ${statementLabel(st)} is empty, so it tests nothing (Access Analyzer: "Empty object condition"). Add the operator, key and value, or remove "Condition".`,
          fixes: [{ ...removeMemberFix('Remove the empty Condition', st.members, cond.member), preferred: true }],
        });
        continue;
      }
      for (const ob of cond.operators) {
        checkOperatorName(ctx, cond, ob);
        checkEntries(ctx, st, cond, ob);
      }
    }
  },
};
