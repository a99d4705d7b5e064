// The shape of the custom request `s3EncryptionGuard/decide` (server: features/liveDecide.ts;
// client: the bucket fix's judge, client/commands/fixCommands.ts): the engine's decision on single
// requests against policy text. The bucket fix asks it whether a new policy would deny the caller
// the calls that undo it (aws/fix.ts, the lock-out guard). Types and the method name only.
import type { Decision, Request } from '../shared/types';

export const DECIDE_REQUEST = 's3EncryptionGuard/decide';

/** Requests per call at most (the lock-out guard asks three). */
export const MAX_DECIDE_REQUESTS = 32;

export interface DecideParams {
  text: string;
  bucket: string;
  requests: Request[];
}

/** One decision per request, in order; null when the text is not a policy the engine reads. */
export interface DecideResult {
  decisions: { decision: Decision; undecided: boolean }[] | null;
}
