// The evaluator's decision on single requests against policy text: what the bucket fix's lock-out
// guard asks (aws/fix.ts) — in-process in the CLI (cli/fix-judge.ts), through the language server's
// `s3EncryptionGuard/decide` in the editor (server/features/live-decide.ts).
import { parsePolicy } from '../policy/parse';
import { evaluatePolicy } from './evaluate';
import type { Decision, Request } from '../../shared/types';

/** AWS caps bucket policies at 20 KB; an S3-compatible store might not. */
const MAX_POLICY_CHARS = 1024 * 1024;

/** One decision per request, in order; null when the text is not a policy the engine reads. */
export function decideRequests(text: string, requests: readonly Request[]): { decision: Decision; undecided: boolean }[] | null {
  if (text.length > MAX_POLICY_CHARS) return null;
  const doc = parsePolicy(text);
  if (!doc.statements.length) return null;
  return requests.map(r => {
    const e = evaluatePolicy(doc, r);
    return { decision: e.decision, undecided: e.undecided };
  });
}
