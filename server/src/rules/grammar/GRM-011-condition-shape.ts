import type { ConditionBlock, ConditionOperatorBlock, Statement } from '../../policy/model';
import { ALL_OPERATOR_NAMES, formatOperator, isNullIfExists, parseOperator, SET_OPERATORS, type SetOperator } from '../../policy/operators';
import { spanOf } from '../../policy/parse';
import { markSafe, operatorTaken, removeMemberFix, removeOperatorFix, replaceFix } from '../edits';
import { ALL_POLICY_KINDS, type Fix, type Rule, type RuleContext } from '../types';
import { closest, jsonString, jsonTypeName, statementLabel } from '../util';

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
  // `safe`: NullIfExists → Null and canonical casing are decided by the name itself; the nearest
  // operator to a misspelling is a guess (StringEquls could be StringEquals or StringNotEquals).
  const rename = (to: string, safe: boolean): Fix[] =>
    operatorTaken(cond, to, ob) ? [] : [markSafe(replaceFix(`Rename to "${to}"`, ob.operator.span, jsonString(to)), safe)];
  if (isNullIfExists(name)) {
    const set = SET_OPERATORS.find(s => name.toLowerCase().startsWith(`${s.toLowerCase()}:`)) as SetOperator | undefined;
    const to = formatOperator('Null', { set });
    ctx.report({
      span: ob.operator.span,
      message: `"${name}" is not an operator: IfExists cannot be added to Null (Access Analyzer: "Null with if exists"), and AWS rejects the policy. Null already tests whether the key exists: use "${to}".`,
      fixes: rename(to, true),
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
      fixes: guess ? rename(guess, false) : [],
    });
    return;
  }
  if (parsed.caseMismatch) {
    ctx.report({
      span: ob.operator.span,
      severity: 'warning',
      message: `Operator "${name}" is written with unusual casing: AWS documents it only as "${parsed.canonical}", and whether other casings are accepted is not documented. Write "${parsed.canonical}".`,
      fixes: rename(parsed.canonical, true),
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
      // Safe: an operator with no keys tests nothing (Access Analyzer: it does not affect the policy).
      fixes: [markSafe(removeOperatorFix(cond.operators.length > 1 ? `Remove "${name}"` : 'Remove the empty Condition', st, cond, ob)!)],
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
      // No fix: what an empty list does is undocumented, so removing the key could change the statement.
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
          fixes: [markSafe(removeMemberFix('Remove the empty Condition', st.node, cond.member.key)!)],
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
