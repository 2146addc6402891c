import { badArgument } from './errors.js';
import { assertPositiveInteger } from './validation/values.js';

/** The complete state of an {@link Rng}: four 32-bit words, JSON-safe. */
export interface RngState {
  readonly algorithm: 'xoshiro128**';
  readonly words: readonly [number, number, number, number];
}

/** splitmix32: spreads a 32-bit seed over the state words (xoshiro must not start at zero). */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const TWO_POW_32 = 4294967296;

/**
 * Seeded random source (xoshiro128**, Blackman & Vigna 2018). Every random choice in
 * Recur (initial weights, dropout masks, shuffles, sampling) takes an `Rng`, so a seed
 * reproduces a run bit for bit, and `state()` / `Rng.fromState()` let a checkpoint
 * resume the stream exactly where it stopped.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** Second value of the last Box–Muller pair, or NaN when none is pending. */
  private spare = Number.NaN;

  constructor(seed: number) {
    if (typeof seed !== 'number' || !Number.isInteger(seed)) {
      throw badArgument('BAD_CONFIG', 'seed', 'an integer', seed);
    }
    // Fold seeds beyond 32 bits in, so 2**32 + 1 and 1 differ.
    const mix = splitmix32((seed >>> 0) ^ Math.floor(seed / TWO_POW_32));
    this.s0 = mix();
    this.s1 = mix();
    this.s2 = mix();
    this.s3 = mix();
  }

  static fromState(state: RngState): Rng {
    const w = state?.words;
    if (
      state?.algorithm !== 'xoshiro128**' ||
      !Array.isArray(w) ||
      w.length !== 4 ||
      !w.every((x) => Number.isInteger(x) && x >= 0 && x < TWO_POW_32) ||
      w.every((x) => x === 0)
    ) {
      throw badArgument('BAD_DATA', 'state', 'an RngState from Rng.state()', state);
    }
    const rng = new Rng(0);
    [rng.s0, rng.s1, rng.s2, rng.s3] = w as [number, number, number, number];
    return rng;
  }

  state(): RngState {
    // A pending Box–Muller spare is dropped: the restored stream continues from the words.
    return { algorithm: 'xoshiro128**', words: [this.s0, this.s1, this.s2, this.s3] };
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    assertPositiveInteger(n, 'n');
    return Math.floor(this.next() * n);
  }

  /** Standard normal by the Box–Muller transform, scaled. */
  normal(mean = 0, stddev = 1): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = Number.NaN;
      return mean + stddev * z;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + stddev * r * Math.cos(2 * Math.PI * v);
  }

  fillUniform<T extends Float32Array | Float64Array>(out: T, low = 0, high = 1): T {
    const span = high - low;
    for (let i = 0; i < out.length; i++) out[i] = low + span * this.next();
    return out;
  }

  fillNormal<T extends Float32Array | Float64Array>(out: T, mean = 0, stddev = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, stddev);
    return out;
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /**
   * An independent stream derived from this one (this one advances by two draws), for
   * handing a sub-component its own randomness without coupling their sequences.
   */
  split(): Rng {
    return new Rng(this.nextUint32() * TWO_POW_32 + this.nextUint32());
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
