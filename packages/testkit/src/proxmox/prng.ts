/**
 * A small seeded PRNG (mulberry32): the same seed always yields the same sequence.
 *
 * @example
 * ```ts
 * const random = createRandom(42);
 * random.next(); // 0 <= x < 1, identical on every run
 * ```
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max] (inclusive). */
  int(min: number, max: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** True with probability `p`. */
  chance(p: number): boolean;
}

/**
 * Creates a {@link Random} from a numeric seed.
 *
 * @example
 * ```ts
 * createRandom(7).int(1, 6); // a die roll, the same one every time
 * ```
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    chance: (p) => next() < p,
  };
}

/**
 * A stateless hash of integers to [0, 1): noise that depends only on its inputs, so any time range
 * can be rendered in any order and still agree.
 *
 * @example
 * ```ts
 * hashUnit(42, 101, 28_000_000) === hashUnit(42, 101, 28_000_000); // true
 * ```
 */
export function hashUnit(...values: number[]): number {
  let h = 0x811c9dc5;
  for (const value of values) {
    let v = Math.floor(value) | 0;
    for (let index = 0; index < 4; index++) {
      h ^= v & 0xff;
      h = Math.imul(h, 0x01000193);
      v >>>= 8;
    }
    // Also mix the high part of large values (epoch seconds fit in 32 bits, vmids too).
    const high = Math.floor(value / 4294967296) | 0;
    h ^= high;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}
