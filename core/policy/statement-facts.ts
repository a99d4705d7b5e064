// Facts that follow from a statement's text alone (whether a rule's question can match it, the
// context keys it reads…), kept by that text across versions of the document: a keystroke changes
// one statement, and the 149 others of a large key policy are not examined again (as the statement
// rules' findings are reused, docs/design/engine.md#reuse). A fact must be reached from the
// statement only (its members, never the rest of the document) and hold no position: offsets
// move when the text before the statement changes.
import { BoundedCache, stringBytes } from '../bounded-cache';
import { documentOf, slot, statementNode, statementText } from './memo';
import type { PolicyDocument, Statement } from './model';

/** Facts by statement text, then by question. */
const byText = new BoundedCache<string, Map<string, unknown>>({
  maxBytes: 2 * 1024 * 1024,
  // A few answers and small sets of names per statement.
  sizeOf: key => stringBytes(key) + 512,
});
/** The same maps by statement object: one lookup by text per statement and analysis. */
const byStatement = slot<Statement, Map<string, unknown>>(statementNode);

/** Forget every earlier version's facts (tests compare with a fresh analysis). */
export function clearStatementFacts(): void {
  byText.clear();
}

/**
 * `compute(st)`, once per statement text for each `question` (a rule ID, a rule's own name for one
 * of its questions, or what the engine asks). The result is shared: callers must not change it.
 * With syntax errors nothing is kept: the tolerant parser's reading of a statement can then depend
 * on what surrounds it. `doc` is the statement's document (found from the statement when omitted).
 */
export function statementFact<T>(st: Statement, question: string, compute: (st: Statement) => T, doc = documentOf(st.node)): T {
  let facts = byStatement.get(st);
  if (!facts) {
    if (!doc || doc.syntaxErrors.length || doc.truncated) facts = new Map();
    else {
      const text = statementText(doc, st);
      facts = byText.get(text);
      if (!facts) byText.set(text, (facts = new Map()));
    }
    byStatement.set(st, facts);
  }
  if (facts.has(question)) return facts.get(question) as T;
  const fact = compute(st);
  facts.set(question, fact);
  return fact;
}

/** `test(st)` as a statement fact (see statementFact): can the statement match what a rule looks for? */
export const statementAnswer = (
  doc: PolicyDocument,
  st: Statement,
  question: string,
  test: (st: Statement) => boolean,
): boolean => statementFact(st, question, test, doc);

/**
 * `measure(doc.text)` for measures that add up over pieces of the text (a size; or 1 for a piece
 * holding something, for "is there any"), reckoned piece by piece: each statement's value is a
 * statement fact, and only the text between statements is measured again. So a keystroke measures
 * one statement, not the 32 KB around it. Pieces are cut at statement boundaries, where no string
 * is open, and only without syntax errors; with them the whole text is measured.
 */
export function measureByStatements(doc: PolicyDocument, question: string, measure: (text: string) => number): number {
  if (doc.syntaxErrors.length || doc.statements.length === 0) return measure(doc.text);
  let total = 0;
  let at = 0;
  for (const st of doc.statements) {
    total += measure(doc.text.slice(at, st.span.offset));
    total += statementFact(st, question, s => measure(statementText(doc, s)), doc);
    at = st.span.offset + st.span.length;
  }
  return total + measure(doc.text.slice(at));
}
