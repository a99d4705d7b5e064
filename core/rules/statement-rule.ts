// Rules that judge each statement on its own (see Rule.checkStatement).
import type { ConditionBlock, ConditionOperatorBlock, Statement } from '../policy/model';
import type { Rule, StatementContext } from './types';

/**
 * A rule's check as `checkStatement` on every statement of the document, in order, with the
 * statement check itself for the analysis to reuse (`{ meta, ...perStatement(checkStatement) }`).
 */
export function perStatement(
  checkStatement: (ctx: StatementContext, st: Statement) => void,
): Required<Pick<Rule, 'check' | 'checkStatement'>> {
  return {
    check(ctx) {
      const sctx: StatementContext = { kind: ctx.kind, text: ctx.doc.text, report: r => ctx.report(r) };
      for (const st of ctx.doc.statements) checkStatement(sctx, st);
    },
    checkStatement,
  };
}

/** The operator blocks of a statement's Condition, in order (none when Condition is not an object). */
export function operatorBlocksOf(st: Statement): { st: Statement; cond: ConditionBlock; ob: ConditionOperatorBlock }[] {
  const cond = st.condition;
  if (!cond || cond.node.type !== 'object') return [];
  return cond.operators.map(ob => ({ st, cond, ob }));
}
