/**
 * l1Penalty / l2Penalty on every backend: values against float64 sums (within 1e−6 relative),
 * gradients exactly g + λ·sign(w) and g + λ·w in float32, addToGrad: false, frozen parameters,
 * and the argument checks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { init, l1Penalty, l2Penalty, Parameter } from 'simdopt';
import { expectArgumentErrors, randomF32 } from './support/kit.js';
import { BACKENDS } from './support/vectors.js';

const f = Math.fround;

function param(seed: number, n: number): Parameter {
  const p = Parameter.from(randomF32(seed, n, 2));
  p.grad.set(randomF32(seed + 100, n, 1));
  return p;
}

describe.each(BACKENDS)('penalties on %s', (backend) => {
  beforeAll(async () => {
    await init({ backend });
  });

  it('value and gradient in one pass, over several parameters', () => {
    const ps = [param(1, 37), param(2, 5), param(3, 1000)];
    ps[0].data[3] = 0;
    const before = ps.map((p) => p.grad.slice());
    const sumAbs = ps.reduce((s, p) => s + p.data.reduce((a, w) => a + Math.abs(w), 0), 0);
    const sumSq = ps.reduce((s, p) => s + p.data.reduce((a, w) => a + w * w, 0), 0);
    const l1 = l1Penalty(ps, 0.3);
    expect(Math.abs(l1 - 0.3 * sumAbs)).toBeLessThanOrEqual(1e-6 * l1);
    ps.forEach((p, t) => p.grad.forEach((g, i) => expect(g).toBe(f(before[t][i] + f(f(0.3) * Math.sign(p.data[i]))))));
    expect(ps[0].grad[3]).toBe(before[0][3]);
    const mid = ps.map((p) => p.grad.slice());
    const l2 = l2Penalty(ps, 0.01);
    expect(Math.abs(l2 - 0.005 * sumSq)).toBeLessThanOrEqual(1e-6 * l2);
    ps.forEach((p, t) => p.grad.forEach((g, i) => expect(g).toBe(f(mid[t][i] + f(f(0.01) * p.data[i])))));
  });

  it('addToGrad: false only computes the value; frozen parameters are skipped', () => {
    const a = param(4, 9);
    const frozen = param(5, 9);
    frozen.requiresGrad = false;
    const grads = [a.grad.slice(), frozen.grad.slice()];
    const value = l2Penalty([a, frozen], 2, { addToGrad: false });
    expect(value).toBeCloseTo(a.data.reduce((s, w) => s + w * w, 0), 5);
    expect(Array.from(a.grad)).toEqual(Array.from(grads[0]));
    l1Penalty([a, frozen], 1);
    expect(Array.from(frozen.grad)).toEqual(Array.from(grads[1]));
    expect(l1Penalty(frozen, 1)).toBe(0);
  });

  it('refuses bad arguments before touching any gradient', () => {
    const a = param(6, 4);
    const grad = a.grad.slice();
    const bad: [() => unknown, string][] = [
      [() => l1Penalty(a, -1), 'lambda'],
      [() => l2Penalty(a, NaN), 'lambda'],
      [() => l2Penalty(a, Infinity), 'lambda'],
      [() => l1Penalty(a, 1, { addToGrad: 'no' as never }), 'options.addToGrad'],
      [() => l1Penalty(a, 1, { add: true } as never), 'options.add'],
      [() => l2Penalty([], 1), 'params'],
      [() => l2Penalty([a, a], 1), 'params[1]'],
    ];
    expectArgumentErrors(bad);
    expect(Array.from(a.grad)).toEqual(Array.from(grad));
  });
});
