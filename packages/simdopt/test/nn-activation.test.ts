/**
 * Activations on every backend: forward and backward bit-identical across wasm-simd, wasm and js
 * (the js twins in src/nn/kernels mirror the Rust float32 arithmetic), over a wide grid, the
 * branch edges of the approximations, every tail length, and NaN/±Infinity/±0/subnormals; and the
 * TypeScript transcendentals within their stated error of float64 (the same bounds the Rust tests
 * assert): exp ≤ 2 ulp on [−87, 0], tanh ≤ 2 ulp, sigmoid ≤ 3 ulp on [−87, 20], 1 + erf relative
 * ≤ 6e-7 + x²·1.2e-7 on [−9, 6].
 */
import { describe, expect, it } from 'vitest';
import { init } from 'simdopt';
import { expNeg, onePlusErf, sigmoid, tanh } from '../src/nn/kernels/math.js';
import { BACKENDS } from './support/vectors.js';
import { firstBitDifference, makeActivation, onePlusErf as onePlusErf64, randoms, type ActivationName } from './support/nn-reference.js';

const NAMES: ActivationName[] = ['relu', 'tanh', 'sigmoid', 'gelu', 'geluTanh'];

/** A grid over ±120, the approximations' branch edges ±3 ulp, and special values. */
function inputs(): Float32Array {
  const xs: number[] = [];
  for (let i = -24000; i <= 24000; i++) xs.push(i / 200);
  const bits = new Float32Array(1);
  const u = new Uint32Array(bits.buffer);
  for (const edge of [0.625, 0.9, 10.5, 87, 104, 1e-20]) {
    bits[0] = edge;
    const b = u[0];
    for (let k = -3; k <= 3; k++) {
      u[0] = b + k;
      xs.push(bits[0], -bits[0]);
    }
  }
  xs.push(0, -0, NaN, Infinity, -Infinity, 1e-40, -1e-40, 3.4e38, -3.4e38);
  return Float32Array.from(xs);
}

describe('activations', () => {
  const x = inputs();
  const dy = randoms(x.length, 77, 2);
  dy[5] = NaN;
  dy[9] = Infinity;

  function run(name: ActivationName, length: number) {
    const m = makeActivation(name);
    try {
      const y = m.forward(x.subarray(0, length)).slice();
      const dx = m.backward(dy.subarray(0, length)).slice();
      return { y, dx };
    } finally {
      m.dispose();
    }
  }

  it('are bit-identical across wasm-simd, wasm and js, on every tail length', async () => {
    const lengths = [x.length, 1, 2, 3, 4, 5, 6, 7, 9, 13];
    const byBackend = new Map<string, ReturnType<typeof run>[]>();
    for (const backend of BACKENDS) {
      await init({ backend });
      byBackend.set(backend, NAMES.flatMap((name) => lengths.map((n) => run(name, n))));
    }
    const js = byBackend.get('js')!;
    for (const backend of ['wasm-simd', 'wasm']) {
      byBackend.get(backend)!.forEach((r, k) => {
        const name = NAMES[Math.floor(k / lengths.length)];
        const n = lengths[k % lengths.length];
        for (const part of ['y', 'dx'] as const) {
          const at = firstBitDifference(r[part], js[k][part]);
          if (at >= 0) expect.fail(`${name} ${part} on ${backend} vs js, length ${n}: at x = ${x[at]}: ${r[part][at]} vs ${js[k][part][at]}`);
        }
      });
    }
  });

  it('keep PyTorch\'s special values', async () => {
    await init({ backend: 'js' });
    const specials = Float32Array.from([0, -0, NaN, Infinity, -Infinity]);
    const out = (name: ActivationName) => {
      const m = makeActivation(name);
      const y = Array.from(m.forward(specials));
      m.dispose();
      return y;
    };
    expect(out('relu')).toEqual([0, 0, NaN, Infinity, 0]);
    expect(out('tanh')).toEqual([0, -0, NaN, 1, -1]);
    expect(out('sigmoid')).toEqual([0.5, 0.5, NaN, 1, 0]);
    // −∞·Φ(−∞) = −∞·0 is NaN in PyTorch too.
    expect(out('gelu')).toEqual([0, -0, NaN, Infinity, NaN]);
  });
});

describe('TypeScript transcendentals against float64', () => {
  /** `count` float32 in [lo, hi], evenly spaced in bit pattern (every binade alike). */
  function grid(lo: number, hi: number, count: number): number[] {
    const f = new Float32Array(1);
    const u = new Int32Array(f.buffer);
    const key = (v: number) => {
      f[0] = v;
      return v < 0 || Object.is(v, -0) ? -(u[0] & 0x7fffffff) : u[0];
    };
    const unkey = (k: number) => {
      u[0] = k < 0 ? -k | 0x80000000 : k;
      return f[0];
    };
    const a = key(lo);
    const b = key(hi);
    const out: number[] = [];
    for (let i = 0; i <= count; i++) out.push(unkey(Math.round(a + ((b - a) * i) / count)));
    return out;
  }
  const ulp = (v: number) => {
    const a = Math.abs(Math.fround(v));
    const f = new Float32Array([a]);
    new Uint32Array(f.buffer)[0] += 1;
    return f[0] - a;
  };
  const maxUlps = (xs: number[], got: (x: number) => number, want: (x: number) => number) =>
    Math.max(...xs.map((x) => Math.abs(got(x) - want(x)) / ulp(want(x))));

  it('exp_neg is within 2 ulp on [−87, 0]', () => {
    expect(maxUlps(grid(-87, 0, 100_000), expNeg, Math.exp)).toBeLessThanOrEqual(2);
  });

  it('tanh is within 2 ulp on [−10, 10]', () => {
    expect(maxUlps(grid(-10, 10, 100_000), tanh, Math.tanh)).toBeLessThanOrEqual(2);
  });

  it('sigmoid is within 3 ulp on [−87, 20]', () => {
    expect(maxUlps(grid(-87, 20, 100_000), sigmoid, (x) => 1 / (1 + Math.exp(-x)))).toBeLessThanOrEqual(3);
  });

  it('1 + erf has relative error ≤ 6e-7 + x²·1.2e-7 on [−9, 6]', () => {
    const worst = Math.max(
      ...grid(-9, 6, 100_000).map((x) => {
        const want = onePlusErf64(x);
        return Math.abs(onePlusErf(x) - want) / want / (6e-7 + x * x * 1.2e-7);
      }),
    );
    expect(worst).toBeLessThanOrEqual(1);
  });
});
