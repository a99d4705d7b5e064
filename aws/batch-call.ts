// One AWS call for the Batch Operations code (batch.ts, batch-jobs.ts): the call's deadline (every
// attempt and the waits between them, session.callDeadlineMs), the caller's abort, and every
// failure turned into one CallError line (errors.ts) that carries no secret. Nothing here throws
// except an abort.
import type { Session } from './session';
import { toCallError } from './errors';
import type { CallError } from './types';
import { WireError } from './wire';

export type CallResult<T> = { ok: true; value: T } | { ok: false; error: CallError };

/** An abort is the only thing thrown: it names itself so that callers can tell it apart. */
export class AbortedError extends Error {
  constructor() {
    super('stopped');
    this.name = 'AbortError';
  }
}

interface Sender {
  send(command: unknown, options: { abortSignal?: AbortSignal }): Promise<unknown>;
}

/**
 * Sends `command` on `client`; `call` names the call in errors as the IAM action it needs
 * (`s3:CreateJob`, `iam:GetRole`), which is what an AccessDenied message tells the user to grant.
 */
export async function awsCall<T>(
  session: Session,
  call: string,
  client: unknown,
  command: unknown,
  signal?: AbortSignal,
): Promise<CallResult<T>> {
  if (signal?.aborted) throw new AbortedError();
  const ctl = new AbortController();
  const started = Date.now();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    ctl.abort();
  }, session.callDeadlineMs);
  const onAbort = () => ctl.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const value = await new Promise<T>((resolve, reject) => {
      ctl.signal.addEventListener('abort', () => reject(new AbortedError()), { once: true });
      (client as Sender).send(command, { abortSignal: ctl.signal }).then(v => resolve(v as T), reject);
    });
    return { ok: true, value };
  } catch (e) {
    if (signal?.aborted) throw new AbortedError();
    const error = expired
      ? new WireError('TimeoutError', {
          operation: call,
          phase: 'call',
          elapsedMs: Date.now() - started,
          bytes: 0,
          limit: session.callDeadlineMs,
        })
      : e;
    return {
      ok: false,
      error: toCallError(call, error, {
        endpoint: session.endpoint,
        timeoutMs: session.timeoutMs,
        maxAttempts: session.maxAttempts,
        scrub: session.scrub,
      }),
    };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** A call that must succeed for the work to go on: its failure, as one line, stops it. */
export class CallFailed extends Error {
  constructor(readonly error: CallError) {
    super(`${error.call}: ${error.message}`);
    this.name = 'CallFailed';
  }
}

export async function mustCall<T>(
  session: Session,
  call: string,
  client: unknown,
  command: unknown,
  signal?: AbortSignal,
): Promise<T> {
  const r = await awsCall<T>(session, call, client, command, signal);
  if (!r.ok) throw new CallFailed(r.error);
  return r.value;
}
