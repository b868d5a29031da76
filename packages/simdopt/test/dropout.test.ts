/**
 * Dropout on every backend: over 10^6 elements the kept fraction is within 4 standard deviations
 * of 1 − p and the output mean within 4 standard deviations of the input mean; p = 0 is the
 * identity, p = 1 gives zeros; a seed reproduces the mask sequence, on every backend the same;
 * backward applies the forward mask; eval mode; in-place use; the argument checks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Dropout, init, Parameter } from 'simdopt';
import { expectArgumentErrors, randomF32, sameBits } from './support/kit.js';
import { BACKENDS } from './support/vectors.js';

const N = 1_000_000;

describe.each(BACKENDS)('Dropout on %s', (backend) => {
  beforeAll(async () => {
    await init({ backend });
  });

  it.each([0.1, 0.5, 0.9])('p = %s: kept fraction and output mean within 4 sigma', (p) => {
    const x = randomF32(1, N, 1).map((v) => v + 1.5);
    const out = new Dropout(p, { seed: 11 }).forward(x);
    let kept = 0;
    let misscaled = 0;
    let sumIn = 0;
    let sumOut = 0;
    let sumSq = 0;
    const scale = Math.fround(1 / Math.fround(1 - p));
    for (let i = 0; i < N; i++) {
      if (out[i] !== 0) {
        kept++;
        if (out[i] !== Math.fround(x[i] * scale)) misscaled++;
      }
      sumIn += x[i];
      sumOut += out[i];
      sumSq += x[i] * x[i];
    }
    expect(misscaled, 'kept elements are x·1/(1 − p)').toBe(0);
    const sigma = Math.sqrt((p * (1 - p)) / N);
    expect(Math.abs(kept / N - (1 - p))).toBeLessThanOrEqual(4 * sigma);
    // out_i = x_i·m_i with E[m] = 1, Var[m] = p/(1 − p).
    const sigmaMean = Math.sqrt((p / (1 - p)) * sumSq) / N;
    expect(Math.abs(sumOut / N - sumIn / N)).toBeLessThanOrEqual(4 * sigmaMean);
  });

  it('p = 0 is the identity and p = 1 gives zeros', () => {
    const x = randomF32(2, 1001, 5);
    x[3] = NaN;
    x[4] = -0;
    expect(sameBits(new Dropout(0, { seed: 1 }).forward(x), x)).toBe(true);
    const zeros = new Dropout(1, { seed: 1 }).forward(x);
    zeros.forEach((v, i) => (i === 3 ? expect(v).toBeNaN() : expect(Math.abs(v)).toBe(0)));
  });

  it('a fresh mask per forward, the same sequence for the same seed, another for another seed', () => {
    const x = new Float32Array(4096).fill(1);
    const a = new Dropout(0.5, { seed: 3 });
    const b = new Dropout(0.5, { seed: 3 });
    const first = a.forward(x);
    const second = a.forward(x);
    expect(sameBits(b.forward(x), first)).toBe(true);
    expect(sameBits(b.forward(x), second)).toBe(true);
    const other = new Dropout(0.5, { seed: 4 }).forward(x);
    for (const m of [second, other]) {
      const agree = m.reduce((s, v, i) => s + (v === first[i] ? 1 : 0), 0);
      expect(Math.abs(agree - 2048)).toBeLessThanOrEqual(4 * 32);
    }
    expect(new Dropout(0.5).seed).not.toBe(new Dropout(0.5).seed);
  });

  it('backward multiplies by the last forward mask and scale; eval mode is the identity', () => {
    const drop = new Dropout(0.3, { seed: 5 });
    const x = randomF32(3, 333, 1).map((v) => v + 2);
    const y = drop.forward(x);
    const gradIn = drop.backward(new Float32Array(333).fill(1));
    const scale = Math.fround(1 / Math.fround(1 - 0.3));
    gradIn.forEach((g, i) => expect(g).toBe(y[i] === 0 ? 0 : scale));
    expect(drop.eval().training).toBe(false);
    expect(drop.forward(x)).toBe(x);
    const out = new Float32Array(333);
    expect(drop.forward(x, out)).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(x));
    const g = new Float32Array(333).fill(2);
    expect(drop.backward(g)).toBe(g);
    expect(drop.train().training).toBe(true);
  });

  it('works in place, on plain arrays and on Parameter views', () => {
    const x = randomF32(4, 77, 1);
    const expected = new Dropout(0.4, { seed: 6 }).forward(x);
    const copy = x.slice();
    expect(new Dropout(0.4, { seed: 6 }).forward(copy, copy)).toBe(copy);
    expect(sameBits(copy, expected)).toBe(true);
    const p = Parameter.from(x);
    new Dropout(0.4, { seed: 6 }).forward(p.data, p.data);
    expect(sameBits(p.data, expected)).toBe(true);
    const drop = new Dropout(0.4, { seed: 6 });
    drop.forward(x, p.grad);
    p.data.fill(1);
    drop.backward(p.data, p.data);
    const scale = Math.fround(1 / Math.fround(1 - 0.4));
    expect(Array.from(p.data)).toEqual(Array.from(expected, (v) => (v === 0 ? 0 : scale)));
    p.dispose();
  });

  it('refuses bad arguments, naming them', () => {
    const x = new Float32Array(8);
    const drop = new Dropout(0.5, { seed: 1 });
    const bad: [() => unknown, string][] = [
      [() => new Dropout(-0.1), 'p'],
      [() => new Dropout(1.5), 'p'],
      [() => new Dropout(NaN), 'p'],
      [() => new Dropout(0.5, { seed: -1 }), 'options.seed'],
      [() => new Dropout(0.5, { seed: 1.5 }), 'options.seed'],
      [() => new Dropout(0.5, { seed: 2 ** 53 }), 'options.seed'],
      [() => new Dropout(0.5, { sead: 1 } as never), 'options.sead'],
      [() => new Dropout(0.5).backward(x), 'gradOut'], // one Dropout (also nn.Dropout): named as nn's
      [() => drop.forward([1, 2] as never), 'x'],
      [() => drop.forward(x, new Float32Array(7)), 'out'],
      [() => drop.forward(x, x.subarray(1, 9)), 'out'],
      [() => drop.forward(x.subarray(0, 4), x.subarray(2, 6)), 'out'],
      [() => drop.train('yes' as never), 'mode'],
    ];
    expectArgumentErrors(bad);
    drop.forward(x);
    expect(() => drop.backward(new Float32Array(9))).toThrow(/gradOut/);
  });
});

describe('Dropout masks across backends', () => {
  it('the same seed gives the same masks on wasm-simd, wasm and js', async () => {
    const x = randomF32(5, 10_007, 3);
    const masks: Float32Array[] = [];
    for (const backend of BACKENDS) {
      await init({ backend });
      const drop = new Dropout(0.37, { seed: 2 ** 40 + 12345 });
      const first = drop.forward(x);
      masks.push(new Float32Array([...first, ...drop.forward(x), ...drop.backward(x)]));
    }
    expect(sameBits(masks[0], masks[1])).toBe(true);
    expect(sameBits(masks[0], masks[2])).toBe(true);
  });
});
