/**
 * The Linear products on every backend (forward y = b + x·Wᵀ with and without bias, dx = dy·W,
 * dW += dyᵀ·x, db += Σ dy): equal to float64 within the rigorous bound of recursive summation
 *
 *   |computed − exact| ≤ (k + 2)·2^−24·(Σ_p |a_p·b_p| + |init|)
 *
 * (init: the bias or the gradient accumulated before), and bit-identical across wasm-simd, wasm
 * and js, on shapes that hit every edge of the 4×8 register tile in all three products.
 */
import { describe, expect, it } from 'vitest';
import { init, nn } from 'simdopt';
import { BACKENDS } from './support/vectors.js';
import { firstBitDifference, randoms } from './support/nn-reference.js';

/** (batch, in, out): the shapes, then every remainder mod 4 and mod 8 in each role. */
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [7, 13, 1], [65, 3, 2], [3, 65, 5], [33, 17, 9], [128, 64, 10], [64, 10, 128], [9, 33, 17], [5, 1, 37],
];
for (const batch of [1, 2, 3, 4, 5, 8, 9]) {
  for (const inF of [1, 3, 4, 7, 9, 12, 17]) {
    for (const outF of [1, 2, 5, 8, 11, 16, 19]) SHAPES.push([batch, inF, outF]);
  }
}

const U = 2 ** -24;

interface Products {
  y: Float32Array;
  yNoBias: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
  db: Float32Array;
}

function inputs(batch: number, inF: number, outF: number) {
  const seed = batch * 1_000_003 + inF * 1009 + outF;
  return {
    x: randoms(batch * inF, seed, 2),
    w: randoms(outF * inF, seed + 1),
    b: randoms(outF, seed + 2),
    dy: randoms(batch * outF, seed + 3, 1.5),
    dw0: randoms(outF * inF, seed + 4, 0.5),
    db0: randoms(outF, seed + 5, 0.5),
  };
}

function run(batch: number, inF: number, outF: number): Products {
  const v = inputs(batch, inF, outF);
  const lin = new nn.Linear(inF, outF, { seed: 1 });
  const bare = new nn.Linear(inF, outF, { seed: 1, bias: false });
  try {
    lin.weight.data.set(v.w);
    lin.bias!.data.set(v.b);
    bare.weight.data.set(v.w);
    lin.weight.grad.set(v.dw0);
    lin.bias!.grad.set(v.db0);
    const y = lin.forward(v.x).slice();
    const yNoBias = bare.forward(v.x).slice();
    const dx = lin.backward(v.dy).slice();
    return { y, yNoBias, dx, dw: lin.weight.grad.slice(), db: lin.bias!.grad.slice() };
  } finally {
    lin.dispose();
    bare.dispose();
  }
}

/** The float64 products with their bounds. */
function reference(batch: number, inF: number, outF: number): Record<keyof Products, [number, number][]> {
  const v = inputs(batch, inF, outF);
  const sum = (k: number, init: number, term: (p: number) => number): [number, number] => {
    let s = 0;
    let mag = Math.abs(init);
    for (let p = 0; p < k; p++) {
      const t = term(p);
      s += t;
      mag += Math.abs(t);
    }
    return [init + s, (k + 2) * U * mag];
  };
  const y: [number, number][] = [];
  const yNoBias: [number, number][] = [];
  for (let r = 0; r < batch; r++) {
    for (let o = 0; o < outF; o++) {
      const term = (p: number) => v.x[r * inF + p] * v.w[o * inF + p];
      y.push(sum(inF, v.b[o], term));
      yNoBias.push(sum(inF, 0, term));
    }
  }
  const dx: [number, number][] = [];
  for (let r = 0; r < batch; r++) for (let c = 0; c < inF; c++) dx.push(sum(outF, 0, (p) => v.dy[r * outF + p] * v.w[p * inF + c]));
  const dw: [number, number][] = [];
  for (let o = 0; o < outF; o++) for (let c = 0; c < inF; c++) dw.push(sum(batch, v.dw0[o * inF + c], (p) => v.dy[p * outF + o] * v.x[p * inF + c]));
  const db: [number, number][] = [];
  for (let o = 0; o < outF; o++) db.push(sum(batch, v.db0[o], (p) => v.dy[p * outF + o]));
  return { y, yNoBias, dx, dw, db };
}

describe('Linear products', () => {
  const results = new Map<string, Products[]>();

  it.each(BACKENDS)('equal float64 within the summation bound on %s', async (backend) => {
    await init({ backend });
    const got = SHAPES.map(([n, i, o]) => run(n, i, o));
    results.set(backend, got);
    SHAPES.forEach(([n, i, o], s) => {
      const want = reference(n, i, o);
      for (const key of Object.keys(want) as (keyof Products)[]) {
        expect(got[s][key].length).toBe(want[key].length);
        want[key].forEach(([exact, bound], j) => {
          const err = Math.abs(got[s][key][j] - exact);
          if (!(err <= bound)) expect.fail(`${backend} ${key}[${j}] for batch ${n}, in ${i}, out ${o}: ${got[s][key][j]} vs ${exact} (bound ${bound})`);
        });
      }
    });
  });

  it('are bit-identical across wasm-simd, wasm and js', () => {
    const js = results.get('js')!;
    expect(js).toBeDefined();
    for (const backend of ['wasm-simd', 'wasm']) {
      const got = results.get(backend)!;
      SHAPES.forEach(([n, i, o], s) => {
        for (const key of Object.keys(js[s]) as (keyof Products)[]) {
          const at = firstBitDifference(got[s][key], js[s][key]);
          if (at >= 0) expect.fail(`${backend} vs js: ${key}[${at}] differs for batch ${n}, in ${i}, out ${o}`);
        }
      });
    }
  });
});
