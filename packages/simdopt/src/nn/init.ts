/**
 * Seeded initialisation: a deterministic generator in TypeScript, so a seed gives the same initial
 * weights on every backend and every run, and PyTorch's default init of `nn.Linear`.
 */
import { fail } from '../errors.js';

/**
 * xoshiro128** (Blackman & Vigna 2018) seeded through SplitMix32: 32-bit integer arithmetic only,
 * identical in every JavaScript engine.
 */
export class Generator {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** `seed`: a non-negative safe integer. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) fail('seed', 'a non-negative safe integer', seed);
    // SplitMix32 over both 32-bit halves of the seed fills the four state words.
    let x = (seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32), 0x9e3779b9);
    const next = () => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** The next 32 random bits, as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) on the 2^24 float32-exact steps. */
  uniform(): number {
    return (this.nextUint32() >>> 8) / 2 ** 24;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A seed for layers created without one (like PyTorch without `manual_seed`: differs per run). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}

/**
 * `view[i] = −bound + u·2·bound` for uniform u ∈ [0, 1), i.e. `tensor.uniform_(−bound, bound)`,
 * in index order. Values lie in [−bound, bound] after rounding to float32.
 */
export function fillUniform(view: Float32Array, bound: number, gen: Generator): void {
  for (let i = 0; i < view.length; i++) view[i] = -bound + gen.uniform() * 2 * bound;
}

/**
 * The bound of PyTorch's default `nn.Linear` init for both weight and bias:
 * `kaiming_uniform_(W, a=√5)` has gain √(2/(1 + a²)) = √(1/3) and bound gain·√(3/fan_in) =
 * 1/√fan_in; the bias is U(−1/√fan_in, 1/√fan_in) (0 when fan_in = 0).
 */
export function linearInitBound(fanIn: number): number {
  return fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
}
