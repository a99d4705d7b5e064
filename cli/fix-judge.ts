// The engine in-process as the fix's Judge (aws/fix.ts): the posture's verdicts (localJudge) and
// the evaluator's decision for single requests, which the lock-out guard asks about the caller's
// own calls. The editor asks its language server the same questions. No vscode imports.
import { parsePolicy } from '../core/policy/parse';
import { evaluatePolicy } from '../core/engine/evaluate';
import type { FixJudge } from '../aws/fix';
import { localJudge } from './local-judge';

/** AWS caps bucket policies at 20 KB; an S3-compatible store might not. */
const MAX_POLICY_CHARS = 1024 * 1024;

export function localFixJudge(): FixJudge {
  return {
    ...localJudge(),
    async decide(text, _bucket, requests) {
      if (text.length > MAX_POLICY_CHARS) return null;
      const doc = parsePolicy(text);
      if (!doc.statements.length) return null;
      return requests.map(r => {
        const e = evaluatePolicy(doc, r);
        return { decision: e.decision, undecided: e.undecided };
      });
    },
  };
}
