/** Helpers of the training-kit tests: reproducible inputs, bitwise comparisons, argument errors. */
import { expect } from 'vitest';
import { SimdoptError } from 'simdopt';

/** A reproducible Float32Array of `n` values uniform in [−scale, scale) (xorshift32). */
export function randomF32(seed: number, n: number, scale = 1): Float32Array {
  let s = (seed * 2654435761 + 1) >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = (s / 2 ** 32 * 2 - 1) * scale;
  }
  return out;
}

/** Puts NaN, ±∞ and ±0 at a few places of `v` (from `offset` on). */
export function poison(v: Float32Array, offset: number, salt: number): Float32Array {
  const len = v.length - offset;
  if (len > 0) [NaN, Infinity, -Infinity, 0, -0].forEach((s, j) => (v[offset + ((j * 7 + salt) % len)] = s));
  return v;
}

/** Equal bits, every NaN equal to every NaN. */
export function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  const fa = Float64Array.from(a);
  const fb = Float64Array.from(b);
  for (let i = 0; i < fa.length; i++) {
    if (!(Object.is(fa[i], fb[i]) || (Number.isNaN(fa[i]) && Number.isNaN(fb[i])))) return false;
  }
  return true;
}

/** The index of the first differing element, for messages. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): string {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (!sameBits([a[i]], [b[i]])) return `element ${i}: ${a[i]} vs ${b[i]}`;
  }
  return 'none';
}

/** Each call throws a SimdoptError whose `argument` is the one named next to it. */
export function expectArgumentErrors(cases: readonly (readonly [() => unknown, string])[]): void {
  for (const [call, argument] of cases) {
    let error: unknown;
    try {
      call();
    } catch (e) {
      error = e;
    }
    expect(error, argument).toBeInstanceOf(SimdoptError);
    expect((error as SimdoptError).argument, argument).toBe(argument);
  }
}
