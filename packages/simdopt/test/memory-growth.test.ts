/**
 * Growing wasm memory while Parameters are alive detaches the views a user kept: warn once, with
 * an initialMemoryBytes that would have sufficed; `estimateMemoryBytes` sizes memory up front.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Adam, ADOPT, ASGD, backendInfo, estimateMemoryBytes, init, LAMB, nn, Parameter, Prodigy, Rprop, ScheduleFreeAdamW, ScheduleFreeSGD, SGD, SimdoptError } from 'simdopt';

const WASM = ['wasm-simd', 'wasm'] as const;

afterEach(async () => {
  await init({ onWarning: (m) => console.warn(m) });
});

describe.each(WASM)('memory growth on %s', (backend) => {
  it('warns once, naming initialMemoryBytes and a size that suffices', async () => {
    const warnings: string[] = [];
    await init({ backend, threads: 1, initialMemoryBytes: 1 << 20, onWarning: (m) => /grew/.test(m) && warnings.push(m) });
    const w = Parameter.zeros(100);
    const kept = w.data;
    const big = Parameter.zeros(1 << 20); // 8 MiB with its gradient: memory grows
    expect(kept.length).toBe(0); // detached, as the warning says
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/wasm memory grew from 1 MiB to [\d.]+ MiB while 1 Parameter was alive/);
    const suggested = Number(/initialMemoryBytes: (\d+)/.exec(warnings[0])![1]);
    expect(suggested).toBeGreaterThanOrEqual(backendInfo().memoryBytes);
    Parameter.zeros(1 << 21).dispose(); // grows again: no second warning
    expect(warnings).toHaveLength(1);
    // The suggested size does suffice: the same allocations on a backend of that size do not grow it.
    const again: string[] = [];
    await init({ backend, threads: 1, initialMemoryBytes: suggested, onWarning: (m) => /grew/.test(m) && again.push(m) });
    const w2 = Parameter.zeros(100);
    const big2 = Parameter.zeros(1 << 20);
    expect(backendInfo().memoryBytes).toBe(suggested);
    expect(again).toEqual([]);
    [w, big, w2, big2].forEach((p) => p.dispose());
  });

  it('no warning when nothing is alive (or when silenced)', async () => {
    const warnings: string[] = [];
    await init({ backend, threads: 1, initialMemoryBytes: 1 << 20, onWarning: (m) => /grew/.test(m) && warnings.push(m) });
    Parameter.zeros(1 << 20).dispose();
    await init({ backend, threads: 1, initialMemoryBytes: 2 << 20, onWarning: null });
    const w = Parameter.zeros(10);
    Parameter.zeros(1 << 20).dispose();
    expect(warnings).toEqual([]);
    w.dispose();
  });

  it.each([
    ['Adam amsgrad, many small tensors', { name: 'Adam', options: { amsgrad: true } }, Array.from({ length: 300 }, (_, i) => (i * 37) % 1000)],
    ['SGD momentum, a few large ones', { name: 'SGD', options: { momentum: 0.9 } }, [[1024, 1024], [1024], [300, 1024]]],
    ['RMSprop centered', { name: 'RMSprop', options: { centered: true, momentum: 0.1 } }, [5, [64, 3], 7777]],
  ] as const)('estimateMemoryBytes(%s) holds the model and its state without growing', async (_n, optimizer, shapes) => {
    const bytes = estimateMemoryBytes({ parameters: shapes as never, optimizer });
    const warnings: string[] = [];
    await init({ backend, threads: 1, initialMemoryBytes: bytes, onWarning: (m) => /grew/.test(m) && warnings.push(m) });
    const ps = shapes.map((s) => Parameter.zeros(s as number));
    const Ctor = optimizer.name === 'Adam' ? Adam : optimizer.name === 'SGD' ? SGD : (await import('simdopt')).RMSprop;
    const opt = new Ctor(ps, optimizer.options);
    ps.forEach((p) => p.grad.fill(1));
    opt.step();
    opt.step();
    expect(backendInfo().memoryBytes).toBe(bytes);
    expect(warnings).toEqual([]);
    // Not wildly more than needed: at most twice the live bytes plus 2 MiB.
    expect(bytes).toBeLessThanOrEqual(2 * backendInfo().liveBytes + (2 << 20));
    opt.dispose();
    ps.forEach((p) => p.dispose());
  });

  it.each(backend === 'wasm-simd' ? [1, 2, 4, 8] : [1])('estimateMemoryBytes with activations holds an nn model trained on batches (%i threads)', async (threads) => {
    const batch = 256;
    const bytes = estimateMemoryBytes({
      parameters: [[512, 64], [512], [10, 512], [10]],
      optimizer: Adam,
      activations: 3 * batch * (512 + 512 + 10),
      threads,
    });
    const info = await init({ backend, threads, initialMemoryBytes: bytes, onWarning: null });
    // Threads run where memory can be shared (Node; an isolated page), else the one-thread binary.
    if (info.threads !== threads) expect(info.threads).toBe(1);
    const model = new nn.Sequential(new nn.Linear(64, 512, { seed: 1 }), new nn.ReLU(), new nn.Linear(512, 10, { seed: 2 }));
    const opt = new Adam(model.parameters());
    for (let i = 0; i < 3; i++) {
      model.forward(new Float32Array(batch * 64).fill(0.5));
      model.backward(new Float32Array(batch * 10).fill(0.1));
      opt.step();
    }
    expect(backendInfo().memoryBytes).toBe(bytes);
    opt.dispose();
  });
});

describe('estimateMemoryBytes', () => {
  it('counts state slots by optimizer and options, and takes Parameters, sizes or shapes', () => {
    const none = estimateMemoryBytes({ parameters: [[1000, 1000]] });
    const sgd = estimateMemoryBytes({ parameters: [1e6], optimizer: 'SGD' });
    const adam = estimateMemoryBytes({ parameters: [[1000, 1000]], optimizer: 'Adam' });
    const ams = estimateMemoryBytes({ parameters: [[1000, 1000]], optimizer: { name: 'Adam', options: { amsgrad: true } } });
    expect(sgd).toBe(none);
    expect(adam).toBeGreaterThan(none + 7e6);
    expect(ams).toBeGreaterThan(adam + 3e6);
    expect(estimateMemoryBytes({ parameters: [{ size: 1e6 }], optimizer: { stateSlots: 2 } })).toBe(adam);
    expect(estimateMemoryBytes({ parameters: [] }) % (1 << 20)).toBe(0);
  });

  it('threads: a stack per worker and, per [out, in] shape, a packing workspace per worker', () => {
    const shapes = [[4096, 4096], [4096]];
    const one = estimateMemoryBytes({ parameters: shapes, optimizer: 'Adam' });
    // 7 workers: 7 × 64 KiB of stack and 7 × 4096 · 8 f32 of workspace, a quarter more, whole MiB.
    const workers = 7 * (64 << 10) + 7 * 4096 * 8 * 4;
    const eight = estimateMemoryBytes({ parameters: shapes, optimizer: 'Adam', threads: 8 });
    expect(eight - one).toBeGreaterThanOrEqual(Math.floor((workers * 1.25) / (1 << 20)) << 20);
    expect(eight - one).toBeLessThanOrEqual(Math.ceil((workers * 1.25) / (1 << 20)) << 20);
    expect(estimateMemoryBytes({ parameters: shapes, optimizer: 'Adam', threads: 1 })).toBe(one);
    for (const bad of [0, 1.5, 65, '2']) expect(() => estimateMemoryBytes({ parameters: shapes, threads: bad as never })).toThrow(/threads: expected an integer from 1 to 64/);
  });

  it.each([ASGD, Rprop, ADOPT, LAMB, ScheduleFreeAdamW, ScheduleFreeSGD, Prodigy].map((c) => [c.name, c] as const))('%s: the estimate holds its steps without growing memory', async (_name, Cls) => {
    const sizes = [[300, 200], [200], [70001]];
    await init({ backend: 'wasm', initialMemoryBytes: estimateMemoryBytes({ parameters: sizes, optimizer: Cls }), onWarning: null });
    const before = backendInfo().memoryBytes;
    const ps = sizes.map((shape) => Parameter.zeros(shape));
    const opt = new Cls(ps);
    (opt as { train?: () => void }).train?.();
    for (let t = 0; t < 3; t++) {
      ps.forEach((p) => p.grad.fill(0.1 * (t + 1)));
      opt.step();
    }
    expect(backendInfo().memoryBytes).toBe(before);
    opt.dispose();
    ps.forEach((p) => p.dispose());
  });

  it('bad input is a SimdoptError naming it', () => {
    expect(() => estimateMemoryBytes({ parameters: [-1] })).toThrow(/parameters\[0\]: expected a non-negative integer size/);
    expect(() => estimateMemoryBytes({ parameters: [1], optimizer: 'Adamm' })).toThrow(SimdoptError);
    expect(() => estimateMemoryBytes({ parameters: [1], optimizer: 'Adamm' })).toThrow(/optimizer: expected .*Adam/);
    expect(() => estimateMemoryBytes({ parameters: 3 as never })).toThrow(/parameters: expected an iterable/);
  });
});
