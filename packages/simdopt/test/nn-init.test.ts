/**
 * Seeded init of nn.Linear: identical on every backend and every run for a seed, different for
 * different seeds, and distributed as PyTorch's default: weight and bias U(−1/√in, 1/√in).
 */
import { describe, expect, it } from 'vitest';
import { init, nn } from 'simdopt';
import { Generator } from '../src/nn/init.js';
import { BACKENDS } from './support/vectors.js';
import { firstBitDifference } from './support/nn-reference.js';

function weights(inF: number, outF: number, seed: number): { w: Float32Array; b: Float32Array } {
  const lin = new nn.Linear(inF, outF, { seed });
  const out = { w: lin.weight.data.slice(), b: lin.bias!.data.slice() };
  lin.dispose();
  return out;
}

describe('Linear init', () => {
  it('is identical on every backend and every run for a seed', async () => {
    const runs: { w: Float32Array; b: Float32Array }[] = [];
    for (const backend of [...BACKENDS, ...BACKENDS]) {
      await init({ backend });
      runs.push(weights(37, 11, 2024));
    }
    for (const r of runs.slice(1)) {
      expect(firstBitDifference(r.w, runs[0].w)).toBe(-1);
      expect(firstBitDifference(r.b, runs[0].b)).toBe(-1);
    }
  });

  it('differs between seeds, and without a seed between layers', async () => {
    await init({ backend: 'js' });
    expect(firstBitDifference(weights(8, 8, 1).w, weights(8, 8, 2).w)).not.toBe(-1);
    const a = new nn.Linear(8, 8);
    const b = new nn.Linear(8, 8);
    expect(firstBitDifference(a.weight.data, b.weight.data)).not.toBe(-1);
    a.dispose();
    b.dispose();
  });

  it.each([1, 3, 784])('has PyTorch\'s bounds and a uniform spread for in = %i', async (inF) => {
    await init({ backend: 'wasm-simd' });
    const outF = Math.ceil(60_000 / inF);
    const { w, b } = weights(inF, outF, 7);
    const bound = 1 / Math.sqrt(inF);
    for (const [name, v] of [['weight', w], ['bias', b]] as const) {
      const max = Math.max(...v);
      const min = Math.min(...v);
      expect(max, name).toBeLessThanOrEqual(Math.fround(bound));
      expect(min, name).toBeGreaterThanOrEqual(-Math.fround(bound));
      if (v.length >= 1000) {
        // U(−β, β): mean 0, variance β²/3; with n samples the mean's standard error is β/√(3n).
        const mean = v.reduce((s, x) => s + x, 0) / v.length;
        const variance = v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length;
        expect(Math.abs(mean)).toBeLessThan((5 * bound) / Math.sqrt(3 * v.length));
        expect(variance / (bound * bound / 3)).toBeGreaterThan(0.97);
        expect(variance / (bound * bound / 3)).toBeLessThan(1.03);
        expect(max).toBeGreaterThan(0.99 * bound);
        expect(min).toBeLessThan(-0.99 * bound);
      }
    }
  });

  it('draws from xoshiro128** (a fixed stream: changing it changes every seeded model)', () => {
    // Pinned against an independent Python implementation of SplitMix32 seeding + xoshiro128**.
    const draw = (seed: number) => {
      const g = new Generator(seed);
      return Array.from({ length: 4 }, () => g.nextUint32());
    };
    expect(draw(42)).toEqual([2837322924, 544945897, 479756282, 3500138142]);
    expect(draw(2 ** 40 + 5)).toEqual([1121981940, 3042771919, 1158888507, 1595773982]);
    const u = new Generator(1);
    for (let i = 0; i < 10_000; i++) {
      const v = u.uniform();
      if (!(v >= 0 && v < 1 && Number.isInteger(v * 2 ** 24))) expect.fail(`uniform() gave ${v}`);
    }
    expect(() => new Generator(-1)).toThrow(/seed/);
    expect(() => new Generator(1.5)).toThrow(/seed/);
  });
});
