// The engine in-process as the fix's Judge (aws/fix.ts): the posture's verdicts (localJudge) and
// the evaluator's decision for single requests, which the lock-out guard asks about the caller's
// own calls — the same code the language server answers the editor's `s3EncryptionGuard/decide`
// with (core/engine/decide.ts).
import type { FixJudge } from '../aws/fix';
import { decideRequests } from '../core/engine/decide';
import { localJudge } from './local-judge';

export function localFixJudge(): FixJudge {
  return {
    ...localJudge(),
    async decide(text, _bucket, requests) {
      return decideRequests(text, requests);
    },
  };
}
