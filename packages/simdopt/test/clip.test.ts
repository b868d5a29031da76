/**
 * clipGradNorm / clipGradValue: every case of test/vectors/clip.json on every backend (total norm
 * and clipped gradients within 2^−21 ≈ 4.8e−7 relative of the float64 reference: float32 inputs,
 * sums and coefficient), PyTorch's behaviour around it, and the argument checks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { clipGradNorm, clipGradValue, init, Parameter } from 'simdopt';
import clip from '../../../test/vectors/clip.json';
import { expectArgumentErrors } from './support/kit.js';
import { BACKENDS } from './support/vectors.js';

interface ClipCase {
  id: string;
  fn: 'clip_grad_norm_' | 'clip_grad_value_';
  max_norm?: number;
  norm_type?: number | 'inf';
  clip_value?: number;
  grads: number[][];
  total_norm?: number;
  expected: number[][];
}

const REL = 2 ** -21;
const cases = (clip as { cases: ClipCase[] }).cases;

function close(got: number, want: number): boolean {
  return Math.abs(got - want) <= REL * Math.abs(want);
}

function paramsWith(grads: number[][]): Parameter[] {
  return grads.map((g) => {
    const p = Parameter.zeros(g.length);
    p.grad.set(g);
    return p;
  });
}

describe.each(BACKENDS)('clipping on %s', (backend) => {
  beforeAll(async () => {
    await init({ backend });
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    expect(c.grads.length).toBeGreaterThan(0);
    const ps = paramsWith(c.grads);
    if (c.fn === 'clip_grad_norm_') {
      const normType = c.norm_type === 'inf' ? Infinity : c.norm_type!;
      const total = clipGradNorm(ps, c.max_norm!, { normType });
      expect(close(total, c.total_norm!), `total ${total} vs ${c.total_norm}`).toBe(true);
    } else {
      clipGradValue(ps, c.clip_value!);
    }
    ps.forEach((p, t) =>
      c.expected[t].forEach((want, i) => {
        if (!close(p.grad[i], want)) expect.fail(`tensor ${t} element ${i}: ${p.grad[i]} vs ${want}`);
      }),
    );
  });

  it('skips parameters that do not require grad, in the norm and in the scaling', () => {
    const [a, frozen] = paramsWith([[3, 4], [100, 100]]);
    frozen.requiresGrad = false;
    expect(clipGradNorm([a, frozen], 1)).toBe(5);
    expect(Array.from(frozen.grad)).toEqual([100, 100]);
    expect(a.grad[0]).toBeCloseTo(0.6, 6);
    clipGradValue([a, frozen], 0.1);
    expect(Array.from(frozen.grad)).toEqual([100, 100]);
    expect(clipGradNorm(frozen, 1), 'no gradient at all: norm 0').toBe(0);
  });

  it('general p-norms, and one Parameter instead of a list', () => {
    const g = [0.5, -2, 3, 0, 1e-3, -7.25, 4];
    for (const p of [0.5, 1.5, 3, 7]) {
      const [param] = paramsWith([g]);
      const want = g.reduce((s, x) => s + Math.abs(x) ** p, 0) ** (1 / p);
      const total = clipGradNorm(param, Infinity, { normType: p });
      expect(Math.abs(total - want) / want, `p = ${p}`).toBeLessThan(1e-6);
    }
  });

  it('a non-finite total: NaN gradients without errorIfNonfinite, an error and no change with it', () => {
    const [a, b] = paramsWith([[1, Infinity], [2, 3]]);
    expect(() => clipGradNorm([a, b], 1, { errorIfNonfinite: true })).toThrow(/total norm .* is Infinity/);
    expect(Array.from(a.grad)).toEqual([1, Infinity]);
    expect(Array.from(b.grad)).toEqual([2, 3]);
    expect(clipGradNorm([a, b], 1)).toBe(Infinity);
    // coef = 1/(∞ + 1e-6)·1 = 0: finite gradients become 0, ∞·0 is NaN (as PyTorch).
    expect(Array.from(b.grad)).toEqual([0, 0]);
    expect(a.grad[0]).toBe(0);
    expect(a.grad[1]).toBeNaN();
  });

  it('clipGradValue keeps NaN and clamps ±∞', () => {
    const [a] = paramsWith([[NaN, Infinity, -Infinity, 0.25, -3]]);
    clipGradValue(a, 0.5);
    expect(Array.from(a.grad)).toEqual([NaN, 0.5, -0.5, 0.25, -0.5]);
  });

  it('refuses bad arguments before touching any gradient', () => {
    const [a] = paramsWith([[3, 4]]);
    const bad: [() => unknown, string][] = [
      [() => clipGradNorm(a, -1), 'maxNorm'],
      [() => clipGradNorm(a, NaN), 'maxNorm'],
      [() => clipGradNorm(a, 1, { normType: 0 }), 'options.normType'],
      [() => clipGradNorm(a, 1, { normType: -2 }), 'options.normType'],
      [() => clipGradNorm(a, 1, { normType: NaN }), 'options.normType'],
      [() => clipGradNorm(a, 1, { errorIfNonfinite: 1 as unknown as boolean }), 'options.errorIfNonfinite'],
      [() => clipGradNorm(a, 1, { norm_type: 1 } as never), 'options.norm_type'],
      [() => clipGradNorm([], 1), 'params'],
      [() => clipGradNorm([a, a], 1), 'params[1]'],
      [() => clipGradNorm([a, {} as Parameter], 1), 'params[1]'],
      [() => clipGradValue(a, -0.5), 'clipValue'],
      [() => clipGradValue(a, NaN), 'clipValue'],
      [() => clipGradValue(null as never, 1), 'params'],
    ];
    expectArgumentErrors(bad);
    expect(Array.from(a.grad)).toEqual([3, 4]);
    const gone = Parameter.zeros(2);
    gone.dispose();
    expect(() => clipGradNorm([a, gone], 1)).toThrow(/disposed/);
    expect(Array.from(a.grad)).toEqual([3, 4]);
  });
});
