/**
 * Seeded randomness for the agents (pure-rand's xoroshiro128+). Every draw happens in a fixed
 * order — ticks in order, senders by index — and never depends on wall-clock timing, so a seed
 * names one history.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export interface Rng {
  /** uniform in [0, 1) */
  next(): number;
}

const WARM_UP = 32;

export function createRng(seed: number): Rng {
  const gen = xoroshiro128plus(seed);
  // Small seeds leave the state poorly mixed (seed 1 starts with 0.9999999995): skip ahead.
  for (let i = 0; i < WARM_UP; i++) gen.next();
  return {
    // 32 random bits scaled to [0, 1): enough resolution for rates and probabilities.
    next: () => (gen.next() >>> 0) / 0x1_0000_0000,
  };
}

/** Poisson(mean) by Knuth's product method: means here are small (requests per tick). */
export function poisson(rng: Rng, mean: number): number {
  if (mean <= 0) return 0;
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

/** An index drawn with probability proportional to its weight (weights not all 0). */
export function weighted(rng: Rng, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let x = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i]!;
    if (x < 0) return i;
  }
  return weights.findLastIndex((w) => w > 0);
}

/** A seeded permutation of 0..n−1 (Fisher–Yates). */
export function shuffle(rng: Rng, n: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
