/**
 * A seeded pseudo-random generator (mulberry32), so that a test that draws its faults at random
 * prints its seed and can be run again with the same draws (`PROOFPOOL_SEED=<seed>`).
 */
export interface Random {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [low, high). */
  between(low: number, high: number): number;
  pick<T>(items: readonly T[]): T;
}

/** The seed from PROOFPOOL_SEED, or a fresh one; print `seed` where the test's output will show it. */
export function seededRandom(seed = Number(process.env.PROOFPOOL_SEED) || Math.floor(Math.random() * 2 ** 31)): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return {
    seed,
    next,
    between: (low, high) => low + (high - low) * next(),
    pick: (items) => items[Math.floor(next() * items.length)],
  };
}
