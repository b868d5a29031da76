/**
 * wasm-simd, wasm and js compute the same bits for every training-kit kernel: clipping (every
 * norm type), penalties, dropout (forward, a second forward, backward), every loss with every
 * output, on every length 0..=67, start offsets 0..3, with NaN/±∞/±0 among the inputs, for arrays
 * outside wasm memory and for views of Parameters (inside it); and sums across the 1024-element
 * blocks of the summation order, over magnitudes wide enough that the f64 steps round.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bceWithLogitsLoss,
  clipGradNorm,
  clipGradValue,
  crossEntropyLoss,
  Dropout,
  huberLoss,
  init,
  l1Loss,
  l1Penalty,
  l2Penalty,
  mseLoss,
  Parameter,
  smoothL1Loss,
  type Reduction,
} from 'simdopt';
import { firstDifference, poison, randomF32, sameBits } from './support/kit.js';
import { BACKENDS } from './support/vectors.js';

type Results = Map<string, number[]>;
type PointwiseLoss = (x: Float32Array, y: Float32Array, o: { reduction: Reduction; grad?: Float32Array }) => number | Float32Array;

const LOSSES: [string, PointwiseLoss][] = [
  ['mse', (x, y, o) => mseLoss(x, y, o)],
  ['l1', (x, y, o) => l1Loss(x, y, o)],
  ['huber', (x, y, o) => huberLoss(x, y, { ...o, delta: 0.7 })],
  ['smoothL1', (x, y, o) => smoothL1Loss(x, y, { ...o, beta: 0.7 })],
  ['smoothL1/0', (x, y, o) => smoothL1Loss(x, y, { ...o, beta: 0 })],
  ['bce', (x, y, o) => bceWithLogitsLoss(x, y, o)],
];

function shapes(visit: (len: number, offset: number, poisoned: boolean, key: string) => void): void {
  for (let len = 0; len <= 67; len++) {
    for (let offset = 0; offset < 4; offset++) {
      for (const poisoned of [false, true]) visit(len, offset, poisoned, `${len}/${offset}/${poisoned}`);
    }
  }
}

/** `len` values at `offset` of a fresh array (outside wasm memory). */
function input(seed: number, len: number, offset: number, scale: number, poisoned: boolean): Float32Array {
  const v = randomF32(seed, len + offset, scale);
  return (poisoned ? poison(v, offset, seed) : v).subarray(offset);
}

function losses(r: Results, key: string, x: Float32Array, y: Float32Array, grad: () => Float32Array): void {
  for (const [name, loss] of LOSSES) {
    const target = name === 'bce' ? y.map(Math.abs) : y;
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const g = grad();
      const value = loss(x, target, { reduction, grad: g });
      r.set(`${name} ${reduction} ${key}`, [...(typeof value === 'number' ? [value] : value), ...g]);
    }
  }
}

function compute(): Results {
  const r: Results = new Map();
  shapes((len, offset, poisoned, key) => {
    const x = input(1, len, offset, 3, poisoned);
    const y = input(2, len, offset, 1, false);
    losses(r, key, x, y, () => new Float32Array(len + offset).subarray(offset));
    // The same through views of wasm memory (Parameters), passed by address on wasm backends.
    const px = Parameter.from(input(1, len + offset, 0, 3, false));
    px.data.set(x, offset);
    const py = Parameter.from(new Float32Array(len + offset));
    py.data.set(y, offset);
    losses(r, `${key} in memory`, px.data.subarray(offset), py.data.subarray(offset), () => px.grad.subarray(offset));

    if (len > 0) {
      const logits = input(3, 3 * len, offset, 5, poisoned);
      const targets = Int32Array.from([0, 1, 2], (k) => (k * 5 + 1) % len);
      for (const labelSmoothing of [0, 0.1]) {
        for (const reduction of ['mean', 'none'] as const) {
          const grad = new Float32Array(3 * len);
          const v = crossEntropyLoss(logits, targets, { numClasses: len, labelSmoothing, reduction, grad });
          r.set(`ce ${labelSmoothing} ${reduction} ${key}`, [...(typeof v === 'number' ? [v] : v), ...grad]);
        }
      }
    }

    for (const p of [0, 0.1, 0.5, 1]) {
      const drop = new Dropout(p, { seed: 42 });
      const first = drop.forward(x);
      const second = drop.forward(x);
      const back = drop.backward(y);
      const inPlace = drop.forward(px.data.subarray(offset), px.data.subarray(offset));
      r.set(`dropout ${p} ${key}`, [...first, ...second, ...back, ...inPlace]);
    }

    const grads = () => [input(4, len, offset, 3, poisoned), input(5, (len >> 1) + 1, 0, 1, false)];
    const params = (gs: Float32Array[]) =>
      gs.map((g, i) => {
        const p = Parameter.from(input(6 + i, g.length, 0, 2, false));
        p.grad.set(g);
        return p;
      });
    for (const normType of [1, 2, 3, 0.5, Infinity]) {
      const ps = params(grads());
      const total = clipGradNorm(ps, 1.5, { normType });
      r.set(`clipGradNorm ${normType} ${key}`, [total, ...ps.flatMap((p) => [...p.grad])]);
      for (const p of ps) p.dispose();
    }
    const pv = params(grads());
    clipGradValue(pv, 0.7);
    r.set(`clipGradValue ${key}`, pv.flatMap((p) => [...p.grad]));
    for (const [name, penalty] of [['l1', l1Penalty], ['l2', l2Penalty]] as const) {
      const ps = params(grads());
      ps[0].data.set(x);
      const value = penalty(ps, 0.3);
      r.set(`${name}Penalty ${key}`, [value, ...ps.flatMap((p) => [...p.grad])]);
      for (const p of ps) p.dispose();
    }
    for (const p of [px, py, ...pv]) p.dispose();
  });
  for (const n of [1023, 1024, 1025, 2047, 4099, 70_001]) {
    // Magnitudes from 2^−20 to 2^20, so block sums differ by far more than 2^29.
    const x = randomF32(9, n, 1).map((v, i) => v * 2 ** (((i >> 10) * 13) % 41 - 20));
    const y = randomF32(10, n, 1e-3);
    r.set(`long mse ${n}`, [mseLoss(x, y, { reduction: 'sum' }), l1Loss(x, y, { reduction: 'sum' })]);
    const p = Parameter.from(x);
    p.grad.set(x);
    r.set(`long penalty and norm ${n}`, [l1Penalty(p, 1), clipGradNorm(p, 1, { normType: 3 })]);
    p.dispose();
  }
  return r;
}

describe('training-kit kernels agree bit for bit across backends', () => {
  const results = new Map<string, Results>();

  beforeAll(async () => {
    for (const backend of BACKENDS) {
      await init({ backend });
      results.set(backend, compute());
    }
  });

  it.each(['wasm', 'js'] as const)('wasm-simd and %s', (other) => {
    const a = results.get('wasm-simd')!;
    const b = results.get(other)!;
    expect(a.size).toBeGreaterThan(544 * 40 + 12);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [key, values] of a) {
      if (!sameBits(values, b.get(key)!)) expect.fail(`${key}: ${firstDifference(values, b.get(key)!)}`);
    }
  });

  it('arrays in wasm memory and outside it give the same results', () => {
    for (const r of results.values()) {
      for (const [key, values] of r) {
        if (!key.endsWith(' in memory')) continue;
        const outside = r.get(key.slice(0, -' in memory'.length))!;
        if (!sameBits(values, outside)) expect.fail(`${key}: ${firstDifference(values, outside)}`);
      }
    }
  });
});
