import type { ConditionBlock, ConditionOperatorBlock, Statement } from '../../policy/model';
import {
  ALL_OPERATOR_NAMES,
  formatOperator,
  isNullIfExists,
  parseOperator,
  SET_OPERATORS,
  type SetOperator,
} from '../../policy/operators';
import { spanOf } from '../../policy/parse';
import { markSafe, operatorTaken, removeMemberFix, removeOperatorFix, replaceFix } from '../edits';
import { ALL_POLICY_KINDS, type Fix, type Rule, type StatementContext } from '../types';
import { perStatement } from '../statement-rule';
import { jsonString } from '../json-text';
import { closest, show, jsonTypeName, statementLabel, SUMMARY_SID } from '../labels';

const ALIASES = new Map([
  ['boolean', 'Bool'],
  ['isnull', 'Null'],
]);

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

function checkOperatorName(ctx: StatementContext, cond: ConditionBlock, ob: ConditionOperatorBlock): void {
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
      messageId: 'nullIfExists',
      data: { name: show(name, 40), to },
      fixes: rename(to, true),
    });
    return;
  }
  const parsed = parseOperator(name);
  if (!parsed) {
    const guess = suggestOperator(name);
    ctx.report({
      span: ob.operator.span,
      messageId: guess ? 'unknownOperatorTypo' : 'unknownOperator',
      data: { name: show(name, 40), guess: guess ?? '' },
      fixes: guess ? rename(guess, false) : [],
    });
    return;
  }
  if (parsed.caseMismatch) {
    ctx.report({
      span: ob.operator.span,
      severity: 'warning',
      messageId: 'casing',
      data: { name: show(name, 40), canonical: parsed.canonical },
      fixes: rename(parsed.canonical, true),
    });
  }
}

const SCALAR = new Set(['string', 'number', 'boolean']);

function checkEntries(ctx: StatementContext, st: Statement, cond: ConditionBlock, ob: ConditionOperatorBlock): void {
  const name = ob.operator.value;
  if (ob.node.type !== 'object') {
    ctx.report({
      span: spanOf(ob.node),
      messageId: 'operatorNotObject',
      data: { name: show(name, 40), type: jsonTypeName(ob.node.type) },
    });
    return;
  }
  if (ob.entries.length === 0) {
    ctx.report({
      span: spanOf(ob.node),
      severity: 'warning',
      messageId: 'emptyOperator',
      data: { name: show(name, 40) },
      // Safe: an operator with no keys tests nothing (Access Analyzer: it does not affect the policy).
      fixes: [
        markSafe(removeOperatorFix(cond.operators.length > 1 ? `Remove "${name}"` : 'Remove the empty Condition', st, cond, ob)!),
      ],
    });
    return;
  }
  for (const e of ob.entries) {
    const v = e.values;
    if (!SCALAR.has(v.node.type) && v.node.type !== 'array') {
      ctx.report({
        span: v.span,
        messageId: 'valueWrongType',
        data: { key: show(e.key.value, 48), type: jsonTypeName(v.node.type) },
      });
      continue;
    }
    if (v.isArray && v.items.length === 0) {
      // No fix: what an empty list does is undocumented, so removing the key could change the statement.
      ctx.report({
        span: v.span,
        severity: 'warning',
        messageId: 'emptyValues',
        data: { key: show(e.key.value, 40) },
      });
      continue;
    }
    for (const item of v.items) {
      if (!SCALAR.has(item.node.type)) {
        ctx.report({
          span: item.span,
          messageId: 'itemWrongType',
          data: { key: show(e.key.value, 40), type: jsonTypeName(item.node.type) },
        });
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
    example:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyUnencryptedUploads", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"NullIfExists": {"s3:x-amz-server-side-encryption": "true"}}}]}',
    useInstead:
      '{"Version": "2012-10-17", "Statement": [{"Sid": "DenyUnencryptedUploads", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}}]}',
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html',
    ],
    confidence: 'DOC',
    fixable: true,
    messages: {
      conditionNotObject: {
        summary: '"Condition" in {statement} must be an object of operators, not {type}.',
        detail: 'AWS rejects the policy. Write it as {"StringEquals": {"key": "value"}}.',
      },
      emptyCondition: {
        summary: '"Condition" in {statement} is empty, so it tests nothing.',
        detail: 'Access Analyzer: "Empty object condition". Add the operator, key and value, or remove "Condition".',
      },
      nullIfExists: {
        summary: '{name} is not an operator: IfExists cannot be added to Null, and AWS rejects the policy.',
        detail: 'Access Analyzer: "Null with if exists". Null already tests whether the key exists: use "{to}".',
      },
      unknownOperatorTypo: {
        summary: 'Unknown condition operator {name}: AWS rejects the policy.',
        detail: 'AWS answers "Invalid condition operator". Did you mean "{guess}"?',
      },
      unknownOperator: {
        summary: 'Unknown condition operator {name}: AWS rejects the policy.',
        detail:
          'AWS answers "Invalid condition operator". Use one of the String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress, NotIpAddress, Arn* or Null operators.',
      },
      casing: {
        summary: 'Operator {name} is written with unusual casing: AWS documents it only as "{canonical}".',
        detail: 'Whether other casings are accepted is not documented. Write "{canonical}".',
      },
      operatorNotObject: {
        summary: 'The value of {name} must be an object of condition keys and values, not {type}.',
        detail: 'AWS rejects the policy. Write {"key": "value"}.',
      },
      emptyOperator: {
        summary: '{name} has no condition keys, so it tests nothing.',
        detail: 'Access Analyzer flags empty condition blocks. Add the key and value to compare, or remove {name}.',
      },
      valueWrongType: {
        summary: 'Condition key {key} has {type} as its value: AWS rejects the policy.',
        detail: 'The value of a condition key must be a string, number, Boolean or an array of them.',
      },
      emptyValues: {
        summary: 'Condition key {key} has an empty list of values, so the condition compares with nothing.',
        detail:
          'AWS does not document the result (Access Analyzer says it does not affect the policy as intended). List the values, or remove the key.',
      },
      itemWrongType: {
        summary: 'Each value of {key} must be a string, number or Boolean, not {type}: AWS rejects the policy.',
      },
    },
  },
  ...perStatement((ctx, st) => {
    const cond = st.condition;
    if (!cond) return;
    if (cond.node.type !== 'object') {
      ctx.report({
        span: spanOf(cond.node),
        messageId: 'conditionNotObject',
        data: { statement: statementLabel(st, SUMMARY_SID), type: jsonTypeName(cond.node.type) },
      });
      return;
    }
    if (cond.operators.length === 0) {
      ctx.report({
        span: spanOf(cond.node),
        severity: 'warning',
        messageId: 'emptyCondition',
        data: { statement: statementLabel(st, SUMMARY_SID) },
        fixes: [markSafe(removeMemberFix('Remove the empty Condition', st.node, cond.member.key)!)],
      });
      return;
    }
    for (const ob of cond.operators) {
      checkOperatorName(ctx, cond, ob);
      checkEntries(ctx, st, cond, ob);
    }
  }),
};
