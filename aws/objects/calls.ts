// Calls for the object audit and re-encryption: at most `concurrency` in flight, each under the
// session's call deadline (the SDK's own retries and backoff inside it), abandoned at once when the
// caller stops. S3 answers SlowDown when a prefix gets more requests than it takes: then the number
// of calls in flight is halved (down to one), and grows back by one after a run of successes
// (additive increase, multiplicative decrease). A throttled call is tried again after a backoff, a
// bounded number of times; every other failure is returned to the caller, never retried here.
import { setMaxListeners } from 'node:events';
import { errorCode, toCallError, type ErrorContext } from '../errors';
import type { Session } from '../session';
import type { CallError } from '../types';
import { WireError } from '../wire';

const THROTTLED = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestThrottled',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);
export const isThrottled = (e: unknown): boolean => THROTTLED.has(errorCode(e));

/** Throttled calls are sent again this many times at most (each after SDK retries of their own). */
const THROTTLE_RETRIES = 6;
/** Successes in a row before one more call may be in flight. */
const GROW_AFTER = 50;

export class StoppedError extends Error {
  constructor() {
    super('stopped');
    this.name = 'AbortError';
  }
}

export type CallResult<T> = { ok: true; value: T } | { ok: false; error: unknown };

interface SendableClient {
  send(command: unknown, options: { abortSignal?: AbortSignal }): Promise<unknown>;
}

export class Caller {
  private active = 0;
  private limit: number;
  private successes = 0;
  private readonly waiting: (() => void)[] = [];
  readonly errCtx: ErrorContext;
  readonly signal?: AbortSignal;
  /** How often the limit was halved (the report says the run slowed down). */
  slowDowns = 0;
  /** Calls sent (attempts the SDK retried count once). */
  sent = 0;

  constructor(
    readonly session: Pick<Session, 'endpoint' | 'timeoutMs' | 'maxAttempts' | 'callDeadlineMs' | 'scrub'>,
    readonly maxConcurrency: number,
    signal?: AbortSignal,
    private readonly backoffMs = 200,
  ) {
    this.limit = Math.max(1, Math.floor(maxConcurrency));
    if (signal) {
      // Every call in flight listens to the caller's signal: more than Node's default 10 listeners.
      const relay = new AbortController();
      setMaxListeners(0, relay.signal);
      if (signal.aborted) relay.abort(signal.reason);
      else signal.addEventListener('abort', () => relay.abort(signal.reason), { once: true });
      this.signal = relay.signal;
    }
    this.errCtx = {
      endpoint: session.endpoint,
      timeoutMs: session.timeoutMs,
      maxAttempts: session.maxAttempts,
      scrub: session.scrub,
    };
  }

  /** The calls in flight allowed now. */
  get concurrency(): number {
    return this.limit;
  }

  get stopped(): boolean {
    return this.signal?.aborted === true;
  }

  private async acquire(): Promise<void> {
    if (this.stopped) throw new StoppedError();
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const go = () => {
        this.signal?.removeEventListener('abort', onAbort);
        this.active++;
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new StoppedError());
      };
      this.waiting.push(go);
      this.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private release(): void {
    this.active--;
    while (this.active < this.limit && this.waiting.length) this.waiting.shift()!();
  }

  private throttled(): void {
    this.successes = 0;
    const next = Math.max(1, Math.floor(this.limit / 2));
    if (next < this.limit) this.slowDowns++;
    this.limit = next;
  }

  private succeeded(): void {
    if (++this.successes >= GROW_AFTER && this.limit < this.maxConcurrency) {
      this.successes = 0;
      this.limit++;
      this.release0();
    }
  }

  /** Wakes a waiter when the limit grew (release without a holder). */
  private release0(): void {
    while (this.active < this.limit && this.waiting.length) this.waiting.shift()!();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.stopped) return reject(new StoppedError());
      const t = setTimeout(() => {
        this.signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(new StoppedError());
      };
      this.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** One call; rejects only with StoppedError (the caller's stop). */
  async send<T>(client: SendableClient, command: unknown, operation: string): Promise<CallResult<T>> {
    for (let attempt = 0; ; attempt++) {
      const r = await this.once<T>(client, command, operation);
      if (r.ok || !isThrottled(r.error) || attempt >= THROTTLE_RETRIES) {
        if (r.ok) this.succeeded();
        return r;
      }
      this.throttled();
      await this.sleep(Math.min(10_000, this.backoffMs * 2 ** attempt) * (0.5 + Math.random() / 2));
    }
  }

  /** Like send, but a failure is a CallError naming the call. */
  async call<T>(
    client: SendableClient,
    command: unknown,
    operation: string,
  ): Promise<{ ok: true; value: T } | { ok: false; error: CallError; raw: unknown }> {
    const r = await this.send<T>(client, command, operation);
    return r.ok ? r : { ok: false, error: toCallError(operation, r.error, this.errCtx), raw: r.error };
  }

  private async once<T>(client: SendableClient, command: unknown, operation: string): Promise<CallResult<T>> {
    await this.acquire();
    this.sent++;
    const call = new AbortController();
    const started = Date.now();
    const deadline = this.session.callDeadlineMs;
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      call.abort();
    }, deadline);
    const onAbort = () => call.abort();
    this.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const value = await new Promise<T>((resolve, reject) => {
        call.signal.addEventListener('abort', () => reject(new StoppedError()), { once: true });
        (client.send(command, { abortSignal: call.signal }) as Promise<T>).then(resolve, reject);
      });
      return { ok: true, value };
    } catch (error) {
      if (this.stopped) throw new StoppedError();
      if (expired)
        return {
          ok: false,
          error: new WireError('TimeoutError', {
            operation,
            phase: 'call',
            elapsedMs: Date.now() - started,
            bytes: 0,
            limit: deadline,
          }),
        };
      return { ok: false, error };
    } finally {
      clearTimeout(timer);
      this.signal?.removeEventListener('abort', onAbort);
      this.release();
    }
  }
}

/** Runs `work` for each item of an async source with at most `width` at once (the Caller bounds the calls). */
export async function forEachBounded<T>(
  source: AsyncIterable<T> | Iterable<T>,
  width: number,
  work: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const running = new Set<Promise<void>>();
  let failure: unknown = null;
  for await (const item of source) {
    if (signal?.aborted || failure) break;
    const p: Promise<void> = work(item).then(
      () => {
        running.delete(p);
      },
      e => {
        running.delete(p);
        failure ??= e;
      },
    );
    running.add(p);
    if (running.size >= width) await Promise.race(running);
  }
  await Promise.all(running);
  if (failure) throw failure;
}
