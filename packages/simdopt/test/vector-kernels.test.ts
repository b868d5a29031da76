/**
 * The whole-vector kernel (L-BFGS's dot products and axpys) and the averaging kernel
 * (AveragedModel): wasm-simd, wasm and js agree bit for bit on every length 0..67, every start
 * offset 0..3, with NaN/±Infinity/−0 in the inputs.
 */
import { describe, expect, it } from 'vitest';
import { init } from 'simdopt';
import { backend } from '../src/runtime.js';
import { averageKernel } from '../src/swa_utils.js';
import { vectorKernel, ABS_MAX, ABS_SUM, AXPY, DOT, SCALE } from '../src/vector.js';
import { values } from './support/harness.js';
import { BACKENDS } from './support/vectors.js';

function inputs(len: number, offset: number, seed: number, poison: boolean): Float32Array {
  const v = values(seed, len + offset, 3);
  if (poison && len > 0) [NaN, Infinity, -Infinity, -0].forEach((s, k) => (v[offset + ((k * 5 + 1) % len)] = s));
  return v.subarray(offset);
}

/** Every operation on every shape under the active backend: numbers and written arrays, in order. */
function runAll(): number[] {
  const out: number[] = [];
  const args = new Float32Array(2);
  for (let len = 0; len <= 67; len++) {
    for (let offset = 0; offset < 4; offset++) {
      for (const poison of [false, true]) {
        const x = inputs(len, offset, 1000 + 4 * len + offset, poison);
        const y = inputs(len, offset, 5000 + 4 * len + offset, poison);
        const b = backend();
        for (const [op, a] of [[DOT, 0], [ABS_MAX, 0.7], [ABS_SUM, 0]] as const) {
          args.set([op, a]);
          out.push(b.runArrays(vectorKernel, [x, op === DOT ? y : null, null], args));
        }
        const yy = y.slice();
        args.set([AXPY, -0.3]);
        b.runArrays(vectorKernel, [x, yy, yy], args);
        const o = new Float32Array(len);
        args.set([SCALE, 1.7]);
        b.runArrays(vectorKernel, [x, null, o], args);
        out.push(...yy, ...o);
        for (const [mode, w] of [[0, 4], [1, 0.1], [1, 0.7]] as const) {
          const avg = x.slice();
          args.set([mode, w]);
          b.runArrays(averageKernel, [avg, y, avg], args);
          out.push(...avg);
        }
      }
    }
  }
  return out;
}

describe('vector and average kernels across backends', () => {
  it('agree bit for bit on every shape, with NaN and infinities', async () => {
    const results: number[][] = [];
    for (const name of BACKENDS) {
      await init({ backend: name });
      results.push(runAll());
    }
    expect(results[0].length).toBeGreaterThan(10000);
    // Every value exactly (Object.is: −0 ≠ +0), any NaN equal to any NaN (as sameBits).
    for (let i = 1; i < results.length; i++) {
      const a = results[0];
      const r = results[i];
      const bad = r.findIndex((v, k) => !Object.is(v, a[k]) && !(Number.isNaN(v) && Number.isNaN(a[k])));
      expect(bad, `${BACKENDS[i]} at ${bad}: ${r[bad]} vs ${a[bad]}`).toBe(-1);
    }
  });
});
