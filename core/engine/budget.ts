// The one allowance of work an analysis has (docs/design/engine.md#work-allowance).

/**
 * A shared allowance of work, counted in statement checks: one statement tested against one request
 * costs 1, one request evaluated against a policy of n statements costs n. One budget serves a whole
 * analysis (every verdict and every rule that evaluates requests), so that no document, however many
 * buckets, statements or condition keys it has, can keep the engine busy for long. `exhausted` once a
 * caller asked for more than is left; callers then stop and mark their answer incomplete.
 */
export class Budget {
  used = 0;
  exhausted = false;
  /** `parent`: a slice of another budget: its steps count against both (see `slice`). */
  constructor(
    readonly max: number,
    private readonly parent?: Budget,
  ) {}
  /** Take `cost` units; false (and `exhausted`) when they are not left, here or in the budget this is a slice of. */
  take(cost = 1): boolean {
    if (this.used + cost > this.max || (this.parent && !this.parent.take(cost))) {
      this.exhausted = true;
      return false;
    }
    this.used += cost;
    return true;
  }
  /**
   * At most `max` of this budget's steps for one part of the analysis (MIS-003's lock-out sweep), so
   * that it cannot use up what the verdicts need. A slice running out leaves this budget as it is.
   */
  slice(max: number): Budget {
    return new Budget(max, this);
  }
}

/**
 * The work one analysis may do: about 100 ms of statement checks (one costs 50–150 ns, bench/).
 * Typical policies need tens to a few thousand (the 20 KB benchmark bucket policy 171, the 32 KB key
 * policy about 5,000); a thousand statements with conditions, about 100,000.
 */
export const DEFAULT_MAX_STEPS = 1_000_000;
