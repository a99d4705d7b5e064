// Shared by the in-editor suites: poll until the editor reaches a state, or fail saying what was last seen.
import * as assert from 'node:assert/strict';

/** Polls `probe` (sync or async) until it returns a value other than undefined; fails after `ms` with `describe()`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  describe: () => string,
  ms = 30_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) assert.fail(`timed out after ${ms / 1000} s waiting for ${what}; last seen: ${describe()}`);
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}
