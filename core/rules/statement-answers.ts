// Document rules that look at each statement in turn and report on the few that match can first
// ask whether a statement can match at all. That answer follows from the statement's text alone, so
// it is kept by that text across versions of the document: a keystroke changes one statement, and
// the 149 others of a large key policy are not examined again (as the statement rules' findings are
// reused, docs/design/engine.md#reuse). Rules that use this must reach their answer from the
// statement only: its members, never the rest of the document.
import { BoundedCache, stringBytes } from '../bounded-cache';
import { slot, statementNode, statementText } from '../policy/memo';
import type { PolicyDocument, Statement } from '../policy/model';

/** Answers by statement text, then by question. */
const byText = new BoundedCache<string, Map<string, boolean>>({
  maxBytes: 2 * 1024 * 1024,
  sizeOf: key => stringBytes(key) + 256,
});
/** The same maps by statement object: one slice of the text per statement and analysis. */
const byStatement = slot<Statement, Map<string, boolean>>(statementNode);

/** Forget every earlier version's answers (tests compare with a fresh analysis). */
export function clearStatementAnswers(): void {
  byText.clear();
}

/**
 * `test(st)`, asked once per statement text for each `question` (a rule ID, or a rule's own name
 * for one of its questions). With syntax errors nothing is kept: the tolerant parser's reading of a
 * statement can then depend on what surrounds it.
 */
export function statementAnswer(doc: PolicyDocument, st: Statement, question: string, test: (st: Statement) => boolean): boolean {
  let answers = byStatement.get(st);
  if (!answers) {
    if (doc.syntaxErrors.length || doc.truncated) answers = new Map();
    else {
      const text = statementText(doc, st);
      answers = byText.get(text);
      if (!answers) byText.set(text, (answers = new Map()));
    }
    byStatement.set(st, answers);
  }
  let answer = answers.get(question);
  if (answer === undefined) answers.set(question, (answer = test(st)));
  return answer;
}
