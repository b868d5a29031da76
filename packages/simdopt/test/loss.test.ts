/**
 * Losses on every backend: values against their closed forms and gradients against central finite
 * differences, both in float64, for random inputs; the three reductions; extreme logits (±1e4);
 * and the argument checks (named arguments, nothing written on error).
 *
 * Tolerances: values within 1e−6 relative (float32 terms, polynomial exp/log within 1 ulp);
 * gradients within 1e−5·max(1, |fd|) of the finite difference (step 1e−4), skipping elements within
 * 1e−3 of a kink where a finite difference is not a derivative.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bceWithLogitsLoss,
  crossEntropyLoss,
  huberLoss,
  init,
  l1Loss,
  mseLoss,
  smoothL1Loss,
  type LossValue,
  type Reduction,
} from 'simdopt';
import { expectArgumentErrors, randomF32 } from './support/kit.js';
import { BACKENDS } from './support/vectors.js';

const H = 1e-4;

interface Case {
  name: string;
  run: <R extends Reduction>(x: Float32Array, y: Float32Array, o: { reduction: R; grad?: Float32Array }) => LossValue<R>;
  /** ℓ(x, y) in float64. */
  loss: (x: number, y: number) => number;
  /** Distance from the nearest kink of ℓ(·, y). */
  kink: (x: number, y: number) => number;
  /** Targets: probabilities for BCE. */
  probabilities?: boolean;
}

const smooth = () => Infinity;
const CASES: Case[] = [
  { name: 'mse', run: (x, y, o) => mseLoss(x, y, o), loss: (x, y) => (x - y) ** 2, kink: smooth },
  { name: 'l1', run: (x, y, o) => l1Loss(x, y, o), loss: (x, y) => Math.abs(x - y), kink: (x, y) => Math.abs(x - y) },
  ...[1, 0.3].map((delta) => ({
    name: `huber δ=${delta}`,
    run: ((x, y, o) => huberLoss(x, y, { ...o, delta })) as Case['run'],
    loss: (x: number, y: number) => (Math.abs(x - y) < delta ? 0.5 * (x - y) ** 2 : delta * (Math.abs(x - y) - 0.5 * delta)),
    kink: (x: number, y: number) => Math.abs(Math.abs(x - y) - delta),
  })),
  ...[1, 0.3].map((beta) => ({
    name: `smoothL1 β=${beta}`,
    run: ((x, y, o) => smoothL1Loss(x, y, { ...o, beta })) as Case['run'],
    loss: (x: number, y: number) => (Math.abs(x - y) < beta ? (0.5 * (x - y) ** 2) / beta : Math.abs(x - y) - 0.5 * beta),
    kink: (x: number, y: number) => Math.abs(Math.abs(x - y) - beta),
  })),
  {
    name: 'bceWithLogits',
    run: (x, y, o) => bceWithLogitsLoss(x, y, o),
    loss: (x, y) => Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x))),
    kink: smooth,
    probabilities: true,
  },
];

/** Cross-entropy of one row in float64: logsumexp(x) − Σ_j t_j·x_j. */
function ceRow(x: number[], y: number, eps: number): number {
  const m = Math.max(...x);
  const lse = m + Math.log(x.reduce((s, v) => s + Math.exp(v - m), 0));
  return x.reduce((s, v, j) => s + (eps / x.length + (j === y ? 1 - eps : 0)) * (lse - v), 0);
}

describe.each(BACKENDS)('losses on %s', (backend) => {
  beforeAll(async () => {
    await init({ backend });
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s: closed form, finite differences, reductions', (_name, c) => {
    const n = 101;
    const x = randomF32(1, n, 4);
    const y = c.probabilities ? randomF32(2, n, 0.5).map((v) => v + 0.5) : randomF32(2, n, 2);
    const terms = Array.from(x, (xi, i) => c.loss(xi, y[i]));
    const want = terms.reduce((a, b) => a + b, 0);
    const magnitude = terms.reduce((a, b) => a + Math.abs(b), 0);
    const grad = new Float32Array(n);
    const sum = c.run(x, y, { reduction: 'sum', grad });
    expect(Math.abs(sum - want)).toBeLessThanOrEqual(1e-6 * magnitude);
    const perElement = c.run(x, y, { reduction: 'none' });
    expect(perElement).toBeInstanceOf(Float32Array);
    perElement.forEach((v, i) => expect(Math.abs(v - terms[i])).toBeLessThanOrEqual(1e-6 * Math.max(Math.abs(terms[i]), 1e-3)));
    const meanGrad = new Float32Array(n);
    expect(c.run(x, y, { reduction: 'mean', grad: meanGrad })).toBe(sum / n);
    let checked = 0;
    for (let i = 0; i < n; i++) {
      if (c.kink(x[i], y[i]) < 1e-3) continue;
      const fd = (c.loss(x[i] + H, y[i]) - c.loss(x[i] - H, y[i])) / (2 * H);
      if (!(Math.abs(grad[i] - fd) <= 1e-5 * Math.max(1, Math.abs(fd)))) expect.fail(`element ${i}: grad ${grad[i]} vs ${fd}`);
      expect(Math.abs(meanGrad[i] - fd / n)).toBeLessThanOrEqual((1e-5 * Math.max(1, Math.abs(fd))) / n);
      checked++;
    }
    expect(checked).toBeGreaterThan(n / 2);
  });

  it('smoothL1 with beta 0 is l1', () => {
    const x = randomF32(3, 37, 3);
    const y = randomF32(4, 37, 3);
    const [g1, g2] = [new Float32Array(37), new Float32Array(37)];
    expect(smoothL1Loss(x, y, { beta: 0, grad: g1 })).toBe(l1Loss(x, y, { grad: g2 }));
    expect(g1).toEqual(g2);
  });

  it('crossEntropy: closed form and finite differences, with and without label smoothing', () => {
    for (const [c, rows] of [[1, 4], [3, 5], [10, 7], [37, 3]]) {
      const logits = randomF32(5 + c, rows * c, 6);
      const targets = Int32Array.from({ length: rows }, (_, r) => (r * 7) % c);
      for (const eps of [0, 0.1, 1]) {
        const grad = new Float32Array(rows * c);
        const mean = crossEntropyLoss(logits, targets, { numClasses: c, labelSmoothing: eps, grad });
        const perRow = crossEntropyLoss(logits, targets, { numClasses: c, labelSmoothing: eps, reduction: 'none' });
        let want = 0;
        for (let r = 0; r < rows; r++) {
          const row = Array.from(logits.subarray(r * c, (r + 1) * c));
          const loss = ceRow(row, targets[r], eps);
          want += loss;
          expect(Math.abs(perRow[r] - loss)).toBeLessThanOrEqual(1e-6 * Math.max(1, loss));
          for (let j = 0; j < c; j++) {
            const plus = row.slice();
            const minus = row.slice();
            plus[j] += H;
            minus[j] -= H;
            const fd = (ceRow(plus, targets[r], eps) - ceRow(minus, targets[r], eps)) / (2 * H) / rows;
            expect(Math.abs(grad[r * c + j] - fd)).toBeLessThanOrEqual(1e-5 / rows);
          }
        }
        expect(Math.abs(mean - want / rows)).toBeLessThanOrEqual(1e-6 * Math.max(1, want / rows));
        expect(crossEntropyLoss(logits, targets, { numClasses: c, labelSmoothing: eps, reduction: 'sum' }) / rows).toBe(mean);
      }
    }
  });

  it('extreme logits (±1e4) give finite values and gradients', () => {
    const x = new Float32Array([1e4, -1e4, 1e4, -1e4, 1e4, -1e4]);
    const y = new Float32Array([0, 0, 1, 1, 0.3, 0.3]);
    const grad = new Float32Array(6);
    const losses = bceWithLogitsLoss(x, y, { reduction: 'none', grad });
    expect(Array.from(losses)).toEqual(Array.from(x, (v, i) => Math.fround(Math.max(v, 0) - Math.fround(v * y[i]))));
    expect(Array.from(grad)).toEqual(Array.from(x, (v, i) => Math.fround((v > 0 ? 1 : 0) - y[i])));
    const logits = new Float32Array([1e4, -1e4, 0, -1e4, 1e4, 3, -1e4, -1e4, -1e4]);
    const g = new Float32Array(9);
    const rows = crossEntropyLoss(logits, new Int32Array([1, 1, 2]), { numClasses: 3, labelSmoothing: 0.1, reduction: 'none', grad: g });
    expect(rows.every(Number.isFinite) && g.every(Number.isFinite)).toBe(true);
    expect(rows[0]).toBeCloseTo(0.9 * 2e4 + (0.1 / 3) * 3e4, 0);
    expect(rows[2]).toBeCloseTo(Math.log(3), 6);
  });

  it('refuses bad arguments, naming them, and writes nothing', () => {
    const x = new Float32Array([1, 2, 3]);
    const y = new Float32Array([0, 1, 2]);
    const grad = new Float32Array([7, 7, 7]);
    const logits = new Float32Array(6);
    const targets = new Int32Array([0, 2]);
    const bad: [() => unknown, string][] = [
      [() => mseLoss(x, new Float32Array(2), { grad }), 'target'],
      [() => mseLoss([1, 2, 3] as never, y), 'input'],
      [() => mseLoss(x, y, { grad: new Float32Array(4) }), 'options.grad'],
      [() => mseLoss(x, y, { grad: x }), 'options.grad'],
      [() => mseLoss(x, y, { grad: y.subarray(1) as never }), 'options.grad'],
      [() => mseLoss(x, y, { reduction: 'avg' as never, grad }), 'options.reduction'],
      [() => mseLoss(x, y, { grad, delta: 1 } as never), 'options.delta'],
      [() => huberLoss(x, y, { delta: 0, grad }), 'options.delta'],
      [() => smoothL1Loss(x, y, { beta: -1, grad }), 'options.beta'],
      [() => huberLoss(x, y, { delta: NaN, grad }), 'options.delta'],
      [() => crossEntropyLoss(logits, targets, { numClasses: 3, grad: new Float32Array(5) }), 'options.grad'],
      [() => crossEntropyLoss(logits, new Int32Array([0, 3]), { numClasses: 3 }), 'targets[1]'],
      [() => crossEntropyLoss(logits, new Int32Array([-1, 0]), { numClasses: 3 }), 'targets[0]'],
      [() => crossEntropyLoss(logits, targets, { numClasses: 4 }), 'logits'],
      [() => crossEntropyLoss(logits, [0, 1] as never, { numClasses: 3 }), 'targets'],
      [() => crossEntropyLoss(logits, targets, {} as never), 'options.numClasses'],
      [() => crossEntropyLoss(logits, targets, { numClasses: 1.5 }), 'options.numClasses'],
      [() => crossEntropyLoss(logits, targets, { numClasses: 3, labelSmoothing: 1.1 }), 'options.labelSmoothing'],
      [() => crossEntropyLoss(logits, targets, undefined as never), 'options'],
    ];
    expectArgumentErrors(bad);
    expect(Array.from(grad)).toEqual([7, 7, 7]);
  });

  it("'mean' of nothing is NaN (as PyTorch), 'sum' is 0", () => {
    const empty = new Float32Array(0);
    expect(mseLoss(empty, empty)).toBeNaN();
    expect(mseLoss(empty, empty, { reduction: 'sum' })).toBe(0);
    expect(crossEntropyLoss(empty, new Int32Array(0), { numClasses: 3 })).toBeNaN();
  });
});
