/**
 * The nn module contract on every backend: parameters, accumulation into `.grad`, frozen
 * parameters, skipping the input gradient, buffer reuse (no allocation per step once shapes are
 * stable), memory growth between calls, inputs inside or outside backend memory, errors, dispose,
 * train/eval, and an MLP that actually learns.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Adam, backendInfo, init, nn, Parameter, SimdoptError } from 'simdopt';
import { BACKENDS } from './support/vectors.js';
import { firstBitDifference, randoms } from './support/nn-reference.js';

function mlp(seed = 1): nn.Sequential {
  return new nn.Sequential(new nn.Linear(6, 16, { seed, name: 'fc1' }), new nn.ReLU(), new nn.Linear(16, 3, { seed: seed + 1, name: 'fc2' }), new nn.GELU());
}

/** One forward/backward; copies of the output, input gradient and every parameter gradient. */
function step(model: nn.Module, x: Float32Array, g: Float32Array) {
  model.zeroGrad();
  const y = model.forward(x).slice();
  const dx = model.backward(g).slice();
  return { y, dx, grads: model.parameters().map((p) => p.grad.slice()) };
}

describe.each(BACKENDS)('nn modules on %s', (backend) => {
  beforeEach(async () => {
    // One thread: the detached-view case below needs a memory that detaches (not shared).
    await init({ backend, initialMemoryBytes: 1 << 20, threads: 1 });
  });

  it('expose their parameters in order, with PyTorch shapes and names', () => {
    const m = mlp();
    const ps = m.parameters();
    expect(ps.map((p) => p.name)).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
    expect(ps.map((p) => p.shape)).toEqual([[16, 6], [16], [3, 16], [3]]);
    expect(new nn.Linear(4, 2, { bias: false }).parameters().length).toBe(1);
    expect(String(m)).toContain('Linear(inFeatures=6, outFeatures=16, bias=true)');
    m.dispose();
  });

  it('infer the batch from the length and keep [batch, features] row-major', () => {
    const lin = new nn.Linear(3, 2, { seed: 3 });
    lin.weight.data.set([1, 2, 3, 4, 5, 6]);
    lin.bias!.data.set([0.5, -1]);
    const y = lin.forward(Float32Array.from([1, 0, 0, 0, 1, 1]));
    expect(Array.from(y)).toEqual([1.5, 3, 5.5, 10]);
    const dx = lin.backward(Float32Array.from([1, 0, 0, 1]));
    expect(Array.from(dx)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(lin.weight.grad)).toEqual([1, 0, 0, 0, 1, 1]);
    expect(Array.from(lin.bias!.grad)).toEqual([1, 1]);
    lin.dispose();
  });

  it('accumulate (+=) into .grad across backward calls', () => {
    const m = mlp();
    const x = randoms(5 * 6, 1);
    const g = randoms(5 * 3, 2);
    const once = step(m, x, g).grads;
    m.backward(g); // a second backward of the same forward adds the same gradient again
    m.parameters().forEach((p, i) => {
      expect(firstBitDifference(p.grad, once[i].map((v) => v + v))).toBe(-1);
    });
    m.dispose();
  });

  it('skip frozen parameters and, on request, the input gradient', () => {
    const m = mlp();
    const x = randoms(4 * 6, 3);
    const g = randoms(4 * 3, 4);
    const full = step(m, x, g);
    const [w1, b1] = m.parameters();
    w1.requiresGrad = false;
    b1.requiresGrad = false;
    m.zeroGrad();
    w1.grad.fill(7);
    m.forward(x);
    const none = m.backward(g, { inputGrad: false });
    expect(none.length).toBe(0);
    expect(Array.from(w1.grad).every((v) => v === 7)).toBe(true);
    expect(Array.from(b1.grad).every((v) => v === 0)).toBe(true);
    m.parameters().slice(2).forEach((p, i) => expect(firstBitDifference(p.grad, full.grads[i + 2])).toBe(-1));
    m.dispose();
  });

  it('allocate nothing per step once shapes are stable, and reuse buffers for smaller batches', () => {
    const m = mlp();
    step(m, randoms(32 * 6, 5), randoms(32 * 3, 6));
    const live = backendInfo().liveBytes;
    for (let i = 0; i < 10; i++) step(m, randoms(32 * 6, 7 + i), randoms(32 * 3, 8 + i));
    step(m, randoms(5 * 6, 9), randoms(5 * 3, 10));
    expect(backendInfo().liveBytes).toBe(live);
    step(m, randoms(64 * 6, 11), randoms(64 * 3, 12));
    expect(backendInfo().liveBytes).toBeGreaterThan(live);
    m.dispose();
  });

  it('give the same results when memory grows between forward and backward, or inside forward', () => {
    // Batch 4096: the layers' buffers (~2 MiB) outgrow the < 1.25 MiB left after `fill`.
    const x = randoms(4096 * 6, 13);
    const g = randoms(4096 * 3, 14);
    const a = mlp(5);
    const want = step(a, x, g);
    a.dispose();
    const fillers: Parameter[] = [];
    /** Allocates until wasm memory has just grown (by 1 MiB), so little is left free. */
    const fill = () => {
      const size = backendInfo().memoryBytes;
      do fillers.push(Parameter.zeros(1 << 16));
      while (backend !== 'js' && backendInfo().memoryBytes === size);
    };
    const b = mlp(5);
    b.zeroGrad();
    const y = b.forward(x).slice();
    fill();
    const dx = b.backward(g).slice();
    expect(firstBitDifference(y, want.y)).toBe(-1);
    expect(firstBitDifference(dx, want.dx)).toBe(-1);
    b.parameters().forEach((p, i) => expect(firstBitDifference(p.grad, want.grads[i])).toBe(-1));
    // A first forward/backward that grows memory itself, fed views of backend memory.
    const c = mlp(5);
    const input = Parameter.from(x);
    const gradOut = Parameter.from(g);
    fill();
    const before = backendInfo().memoryBytes;
    c.zeroGrad();
    const got = c.forward(input.data).slice();
    // Read gradOut.data only now: a view fetched before the forward grew memory is detached.
    const gotDx = c.backward(gradOut.data).slice();
    if (backend !== 'js') expect(backendInfo().memoryBytes).toBeGreaterThan(before);
    expect(firstBitDifference(got, want.y)).toBe(-1);
    expect(firstBitDifference(gotDx, want.dx)).toBe(-1);
    c.parameters().forEach((p, i) => expect(firstBitDifference(p.grad, want.grads[i])).toBe(-1));
    [b, c].forEach((m) => m.dispose());
    [...fillers, input, gradOut].forEach((p) => p.dispose());
  });

  it('accept inputs inside and outside backend memory alike', () => {
    const m = mlp(9);
    const x = randoms(3 * 6, 15);
    const g = randoms(3 * 3, 16);
    const plain = step(m, x, g);
    const xp = Parameter.from(x);
    const gp = Parameter.from(g);
    const held = step(m, xp.data, gp.data);
    expect(firstBitDifference(held.y, plain.y)).toBe(-1);
    expect(firstBitDifference(held.dx, plain.dx)).toBe(-1);
    // Chained by hand: each layer's output view is the next one's input.
    const [l1, r, l2, gelu] = m.layers;
    const y = gelu.forward(l2.forward(r.forward(l1.forward(x))));
    expect(firstBitDifference(y, plain.y)).toBe(-1);
    // An activation applied to its own output (in place in backend memory).
    const relu = new nn.ReLU();
    const once = relu.forward(Float32Array.from([-1, 2, -3, 4]));
    expect(Array.from(relu.forward(once))).toEqual([0, 2, 0, 4]);
    [m, relu].forEach((v) => v.dispose());
    [xp, gp].forEach((p) => p.dispose());
  });

  it('reject bad arguments with SimdoptError naming them', () => {
    const lin = new nn.Linear(3, 2);
    expect(() => lin.forward(new Float32Array(5))).toThrow(/x: expected a length that is a multiple of inFeatures \(3\)/);
    expect(() => lin.forward([1, 2, 3] as unknown as Float32Array)).toThrow(/x: expected a Float32Array/);
    expect(() => lin.backward(new Float32Array(2))).toThrow(/call forward first/);
    lin.forward(new Float32Array(6));
    expect(() => lin.backward(new Float32Array(3))).toThrow(/gradOut: expected length 4/);
    expect(() => lin.backward(new Float32Array(4), { inputGrad: 1 as unknown as boolean })).toThrow(/options.inputGrad/);
    expect(() => new nn.Linear(0, 2)).toThrow(/inFeatures/);
    expect(() => new nn.Linear(2, 1.5)).toThrow(/outFeatures/);
    expect(() => new nn.Linear(2, 2, { bias: 'yes' as unknown as boolean })).toThrow(/options.bias/);
    expect(() => new nn.Linear(2, 2, { seed: -3 })).toThrow(/seed/);
    expect(() => new nn.GELU({ approximate: 'fast' as 'tanh' })).toThrow(/options.approximate/);
    expect(() => new nn.Sequential(lin, lin)).toThrow(/layers\[1\]/);
    expect(() => new nn.Sequential({} as nn.Module)).toThrow(/layers\[0\]/);
    expect(() => new nn.Tanh().backward(new Float32Array(1))).toThrow(SimdoptError);
    expect(() => lin.train('no' as unknown as boolean)).toThrow(/mode/);
    const detached = Parameter.from([1, 2, 3]);
    const view = detached.data;
    const grow = backend === 'js' ? [] : [Parameter.zeros(1 << 20)];
    if (backend !== 'js') expect(view.length).toBe(0);
    expect(() => lin.forward(backend === 'js' ? new Float32Array(0) : view)).toThrow(/non-empty.*detached/);
    [detached, ...grow].forEach((p) => p.dispose());
    lin.dispose();
    expect(() => lin.forward(new Float32Array(3))).toThrow(/disposed/);
  });

  it('turn running out of memory in forward into a SimdoptError that leaves no stale state', async () => {
    await init({ backend, initialMemoryBytes: 1 << 20, maximumMemoryBytes: 2 << 20 });
    const m = mlp();
    const live = backendInfo().liveBytes;
    step(m, randoms(4 * 6, 19), randoms(4 * 3, 20));
    expect(() => m.forward(new Float32Array(200_000 * 6))).toThrow(/out of memory/);
    const before = m.parameters().map((p) => p.grad.slice());
    expect(() => m.backward(new Float32Array(4 * 3).fill(1))).toThrow(/call forward first/);
    m.parameters().forEach((p, i) => expect(firstBitDifference(p.grad, before[i])).toBe(-1));
    expect(backendInfo().liveBytes).toBeLessThan(live + (1 << 20));
    const again = step(m, randoms(4 * 6, 19), randoms(4 * 3, 20));
    expect(again.y.every(Number.isFinite)).toBe(true);
    m.dispose();
  });

  it('free every buffer and parameter on dispose (idempotent)', () => {
    const live = backendInfo().liveBytes;
    const m = mlp();
    step(m, randoms(16 * 6, 17), randoms(16 * 3, 18));
    expect(backendInfo().liveBytes).toBeGreaterThan(live);
    m.dispose();
    m.dispose();
    expect(backendInfo().liveBytes).toBe(live);
    expect(m.layers.every((l) => l.disposed)).toBe(true);
    const relu = new nn.ReLU();
    relu.forward(new Float32Array(100));
    relu[Symbol.dispose]();
    expect(relu.disposed).toBe(true);
    expect(backendInfo().liveBytes).toBe(live);
  });

  it('propagate train() and eval() to children', () => {
    const m = mlp();
    expect(m.training).toBe(true);
    m.eval();
    expect(m.layers.every((l) => !l.training)).toBe(true);
    m.train();
    expect(m.layers.every((l) => l.training)).toBe(true);
    m.dispose();
  });
});

describe('an MLP trained with Adam', () => {
  afterEach(async () => {
    await init();
  });

  it.each(BACKENDS)('fits a smooth 2-D function on %s (same trajectory on every backend)', async (backend) => {
    await init({ backend });
    const n = 64;
    const x = randoms(n * 2, 21, 2);
    const target = new Float32Array(n);
    for (let i = 0; i < n; i++) target[i] = Math.sin(x[2 * i]) * Math.cos(x[2 * i + 1]);
    const model = new nn.Sequential(new nn.Linear(2, 32, { seed: 1 }), new nn.Tanh(), new nn.Linear(32, 32, { seed: 2 }), new nn.GELU(), new nn.Linear(32, 1, { seed: 3 }));
    const opt = new Adam(model.parameters(), { lr: 0.01 });
    const grad = new Float32Array(n);
    const mse = () => {
      const y = model.forward(x);
      let s = 0;
      for (let i = 0; i < n; i++) {
        grad[i] = (2 * (y[i] - target[i])) / n;
        s += (y[i] - target[i]) ** 2;
      }
      return s / n;
    };
    const first = mse();
    let last = first;
    for (let t = 0; t < 300; t++) {
      opt.zeroGrad();
      last = mse();
      model.backward(grad, { inputGrad: false });
      opt.step();
    }
    expect(last).toBeLessThan(first / 20);
    const final = model.parameters().map((p) => p.data.slice());
    expect(final.every((v) => v.every(Number.isFinite))).toBe(true);
    trajectories.set(backend, final);
    if (trajectories.size === BACKENDS.length) {
      const js = trajectories.get('js')!;
      for (const b of ['wasm-simd', 'wasm']) trajectories.get(b)!.forEach((v, i) => expect(firstBitDifference(v, js[i])).toBe(-1));
    }
    opt.dispose();
    model.dispose();
  });
});

const trajectories = new Map<string, Float32Array[]>();
