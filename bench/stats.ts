export interface Timing {
  median: number;
  p95: number;
  runs: number;
}

export function summarize(samples: number[]): Timing {
  const s = [...samples].sort((a, b) => a - b);
  return { median: s[s.length >> 1], p95: s[Math.min(s.length - 1, Math.floor(s.length * 0.95))], runs: s.length };
}

/**
 * Runs `fn` repeatedly for at least `minMs` (and 5 times), after a warm-up as long (and at least 5
 * runs): the steady state of a long-running server, not V8 compiling and re-compiling the code
 * paths of an input kind seen for the first time. With 5 warm-up runs only, that showed as the p95
 * of the first series of each kind (the 32 KB key policy's same-text p95: 12-24 ms, against 7-9 ms
 * for its keystroke series right after; a fifth of `minMs` was not enough either). The benchmark
 * runs with --expose-gc, so each series also starts from a collected heap: the garbage of the
 * series before (a parse-only series makes a lot) is not this one's to collect.
 */
export function time(fn: () => unknown, minMs = 500): Timing {
  // The garbage of the case measured before (a parse-only series makes a lot) is not this one's to collect.
  (globalThis as { gc?: () => void }).gc?.();
  const warm = performance.now() + minMs;
  for (let i = 0; i < 5 || performance.now() < warm; i++) fn();
  const samples: number[] = [];
  const end = performance.now() + minMs;
  while (performance.now() < end || samples.length < 5) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  return summarize(samples);
}

export const fmt = (ms: number): string => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);

export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map(r => r[c].length)));
  return rows.map(r => r.map((v, c) => v.padEnd(widths[c])).join('  ')).join('\n');
}
