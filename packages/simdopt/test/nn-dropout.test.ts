/**
 * nn.Dropout on every backend: the same masks as the training kit's Dropout for the same seed
 * (reproducible, a fresh one per training forward), the identity in eval mode (also when set
 * through a parent Sequential, and without consuming a mask), a backward that applies the mask of
 * the last forward (alone and inside a Sequential), buffer reuse, and its argument checks.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { backendInfo, Dropout, init, nn, Parameter, SimdoptError } from 'simdopt';
import { expectArgumentErrors, randomF32, sameBits } from './support/kit.js';
import { BACKENDS } from './support/vectors.js';

const N = 1000;
const SCALE = (p: number) => Math.fround(1 / Math.fround(1 - p));

describe.each(BACKENDS)('nn.Dropout on %s', (backend) => {
  beforeEach(async () => {
    await init({ backend, initialMemoryBytes: 1 << 20 });
  });

  it('draws the kit Dropout masks of its seed: reproducible, fresh per forward, other seeds differ', () => {
    const x = randomF32(1, N, 1).map((v) => v + 2); // no zeros: a zero output means dropped
    const a = new nn.Dropout(0.4, { seed: 21 });
    const b = new nn.Dropout(0.4, { seed: 21 });
    const kit = new Dropout(0.4, { seed: 21 });
    const first = a.forward(x).slice();
    const second = a.forward(x).slice();
    expect(sameBits(first, kit.forward(x))).toBe(true);
    expect(sameBits(second, kit.forward(x))).toBe(true);
    expect(sameBits(b.forward(x), first)).toBe(true);
    expect(sameBits(b.forward(x), second)).toBe(true);
    expect(sameBits(first, second)).toBe(false);
    expect(sameBits(new nn.Dropout(0.4, { seed: 22 }).forward(x), first)).toBe(false);
    // Kept elements are scaled by 1/(1 − p), dropped ones are zero; about 40 % dropped.
    let dropped = 0;
    first.forEach((v, i) => {
      if (v === 0) dropped++;
      else expect(v).toBe(Math.fround(x[i] * SCALE(0.4)));
    });
    expect(dropped).toBeGreaterThan(300);
    expect(dropped).toBeLessThan(500);
    expect(a.seed).toBe(21);
    expect(a.p).toBe(0.4);
    expect(a.parameters()).toEqual([]);
    expect(String(a)).toBe('Dropout(p=0.4)');
    [a, b].forEach((m) => m.dispose());
  });

  it('is the identity in eval mode, set directly or through a Sequential, and consumes no mask', () => {
    const x = randomF32(2, N, 1);
    const g = randomF32(3, N, 1);
    const drop = new nn.Dropout(0.5, { seed: 7 });
    const model = new nn.Sequential(drop);
    model.eval();
    expect(drop.training).toBe(false);
    expect(sameBits(model.forward(x), x)).toBe(true);
    expect(sameBits(model.backward(g), g)).toBe(true);
    model.train();
    const trained = drop.forward(x).slice();
    // The eval forward drew no mask: the first training forward is mask 0 of seed 7.
    expect(sameBits(trained, new nn.Dropout(0.5, { seed: 7 }).forward(x))).toBe(true);
    expect(sameBits(trained, x)).toBe(false);
    model.dispose();
  });

  it('backward applies the mask of the last forward', () => {
    const p = 0.3;
    const drop = new nn.Dropout(p, { seed: 9 });
    const x = randomF32(4, N, 1).map((v) => v + 2);
    drop.forward(x); // an earlier mask, which backward must not use
    const y = drop.forward(x).slice();
    const g = randomF32(5, N, 1);
    const dx = drop.backward(g);
    let kept = 0;
    dx.forEach((v, i) => {
      if (y[i] === 0) expect(Math.abs(v)).toBe(0); // −g·0 is −0, as in PyTorch
      else {
        kept++;
        expect(v).toBe(Math.fround(g[i] * SCALE(p)));
      }
    });
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(N);
    expect(drop.backward(g, { inputGrad: false }).length).toBe(0);
    drop.dispose();
  });

  it('inside a Sequential: Linear gradients are those of the masked output gradient', () => {
    const x = randomF32(6, 8 * 5, 1);
    const g = randomF32(7, 8 * 4, 1);
    const lin = new nn.Linear(5, 4, { seed: 3 });
    const drop = new nn.Dropout(0.5, { seed: 11 });
    const model = new nn.Sequential(lin, drop);
    model.zeroGrad();
    const y = model.forward(x).slice();
    const dx = model.backward(g).slice();
    const dW = lin.weight.grad.slice();
    // The same by hand: mask the gradient with the same mask, then Linear's backward.
    const mask = new nn.Dropout(0.5, { seed: 11 }).forward(new Float32Array(8 * 4).fill(1));
    const masked = g.map((v, i) => Math.fround(v * mask[i]));
    const ref = new nn.Linear(5, 4, { seed: 3 });
    const z = ref.forward(x);
    expect(sameBits(y, z.map((v, i) => Math.fround(v * mask[i])))).toBe(true);
    expect(sameBits(ref.backward(masked), dx)).toBe(true);
    expect(sameBits(ref.weight.grad, dW)).toBe(true);
    [model, ref].forEach((m) => m.dispose());
  });

  it('accepts inputs in backend memory and allocates nothing per step once shapes are stable', () => {
    const drop = new nn.Dropout(0.2, { seed: 1 });
    const xp = Parameter.from(randomF32(8, N, 1));
    const plain = new nn.Dropout(0.2, { seed: 1 }).forward(xp.data.slice());
    expect(sameBits(drop.forward(xp.data), plain)).toBe(true);
    drop.backward(xp.data);
    const live = backendInfo().liveBytes;
    for (let i = 0; i < 5; i++) {
      drop.forward(xp.data);
      drop.backward(xp.data);
    }
    drop.forward(xp.data.subarray(0, 10));
    expect(backendInfo().liveBytes).toBe(live);
    drop.dispose();
    xp.dispose();
  });

  it('refuses bad arguments and use after dispose', () => {
    const drop = new nn.Dropout(0.5, { seed: 1 });
    expectArgumentErrors([
      [() => new nn.Dropout(-0.1), 'p'],
      [() => new nn.Dropout(1.5), 'p'],
      [() => new nn.Dropout(0.5, { seed: -1 }), 'options.seed'],
      [() => drop.backward(new Float32Array(4)), 'gradOut'],
      [() => drop.forward([1, 2] as never), 'x'],
      // As a layer an empty batch is refused (a detached view); called directly (the utility) it is allowed.
      [() => new nn.Sequential(new nn.Dropout(0.5)).forward(new Float32Array(0)), 'x'],
    ]);
    drop.forward(new Float32Array(4).fill(1));
    expect(() => drop.backward(new Float32Array(5))).toThrow(SimdoptError);
    drop.dispose();
    drop.dispose();
    expect(() => drop.forward(new Float32Array(4))).toThrow(/disposed/);
  });
});

describe('one Dropout', () => {
  it('the top-level Dropout is nn.Dropout: usable in a Sequential, with the utility API kept', async () => {
    const { Dropout, init, nn } = await import('simdopt');
    await init();
    expect(Dropout).toBe(nn.Dropout);
    expect(Dropout.name).toBe('Dropout');
    const model = new nn.Sequential(new nn.Linear(2, 2, { seed: 1 }), new Dropout(0.5, { seed: 2 }));
    const y = model.forward(new Float32Array([1, 2, 3, 4])).slice();
    expect(y).toHaveLength(4);
    expect(model.backward(new Float32Array(4).fill(1))).toHaveLength(4);
    // Called directly: a new array each time (a layer's buffer is not handed out).
    const drop = new Dropout(0.5, { seed: 3 });
    const x = new Float32Array(64).fill(1);
    const a = drop.forward(x);
    const b = drop.forward(x);
    expect(a).not.toBe(b);
    expect([...a]).not.toEqual([...b]);
    expect(drop.backward(new Float32Array(64).fill(2)).every((v, i) => v === 2 * b[i])).toBe(true);
    model.dispose();
    drop.dispose();
  });
});
