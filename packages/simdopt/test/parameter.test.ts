import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Adam, backendInfo, init, Parameter, SGD, SimdoptError } from 'simdopt';
import { BACKENDS } from './support/vectors.js';

describe.each(BACKENDS)('Parameter on %s', (backend) => {
  beforeEach(async () => {
    await init({ backend, initialMemoryBytes: 256 * 1024 });
  });

  it('zeros and from, with shape, name and requiresGrad', () => {
    const w = Parameter.zeros([3, 4], { name: 'w' });
    expect(w.size).toBe(12);
    expect(w.shape).toEqual([3, 4]);
    expect(w.name).toBe('w');
    expect(w.requiresGrad).toBe(true);
    expect(Array.from(w.data)).toEqual(new Array(12).fill(0));
    expect(Array.from(w.grad)).toEqual(new Array(12).fill(0));
    const b = Parameter.from([1, 2, 3, 4, 5, 6], { shape: [2, 3], requiresGrad: false });
    expect(Array.from(b.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(b.requiresGrad).toBe(false);
    b.requiresGrad = true;
    expect(b.requiresGrad).toBe(true);
    expect(Parameter.zeros(5).shape).toEqual([5]);
    expect(Parameter.zeros(0).size).toBe(0);
  });

  it('data and grad are separate, live views; zeroGrad clears only the gradient', () => {
    const p = Parameter.from([1, 2, 3]);
    p.grad.set([4, 5, 6]);
    expect(Array.from(p.data)).toEqual([1, 2, 3]);
    p.data[0] = 10;
    expect(p.data[0]).toBe(10);
    p.zeroGrad();
    expect(Array.from(p.grad)).toEqual([0, 0, 0]);
    expect(Array.from(p.data)).toEqual([10, 2, 3]);
  });

  it('views stay correct after memory grows', () => {
    const p = Parameter.from([1.5, -2.5, 3.5]);
    const before = backendInfo().memoryBytes;
    const big: Parameter[] = [];
    // Force growth: far more than the 256 KiB initial memory.
    for (let i = 0; i < 8; i++) big.push(Parameter.zeros(256 * 1024));
    expect(backendInfo().memoryBytes).toBeGreaterThan(before);
    expect(Array.from(p.data)).toEqual([1.5, -2.5, 3.5]);
    p.grad[1] = 7;
    expect(p.grad[1]).toBe(7);
    const opt = new SGD([p], { lr: 0.5 });
    opt.step();
    expect(p.data[1]).toBe(-2.5 - 0.5 * 7);
    opt.dispose();
    big.forEach((b) => b.dispose());
    p.dispose();
  });

  it('dispose frees memory, is idempotent, and a disposed parameter is refused', () => {
    const live = backendInfo().liveBytes;
    const p = Parameter.zeros(1000);
    expect(backendInfo().liveBytes).toBeGreaterThanOrEqual(live + 8000);
    p.dispose();
    p.dispose();
    expect(backendInfo().liveBytes).toBe(live);
    expect(p.disposed).toBe(true);
    expect(() => p.data).toThrow(SimdoptError);
    expect(() => new Adam([p])).toThrow(/disposed/);
  });

  it('Symbol.dispose disposes', () => {
    const p = Parameter.zeros(4);
    p[Symbol.dispose]();
    expect(p.disposed).toBe(true);
  });

  it('rejects bad shapes and values', () => {
    expect(() => Parameter.zeros(-1)).toThrow(SimdoptError);
    expect(() => Parameter.zeros([2, 1.5])).toThrow(/shape/);
    expect(() => Parameter.from([1, 2, 3], { shape: [2, 2] })).toThrow(/options.shape/);
    expect(() => Parameter.from([1, 'x' as unknown as number])).toThrow(/values\[1\]/);
    expect(() => Parameter.from(null as unknown as number[])).toThrow(/values/);
    const p = Parameter.zeros(2);
    expect(() => ((p as { requiresGrad: unknown }).requiresGrad = 'yes')).toThrow(/requiresGrad/);
  });
});

describe('backend lifecycle', () => {
  afterEach(async () => {
    await init({ backend: 'wasm-simd', maximumMemoryBytes: 2 ** 32 });
  });

  it('objects made under a replaced backend throw', async () => {
    await init({ backend: 'wasm' });
    const p = Parameter.zeros(3);
    const opt = new SGD([p]);
    await init({ backend: 'js' });
    expect(() => p.data).toThrow(/replaced/);
    expect(() => opt.step()).toThrow(SimdoptError);
  });

  it('init picks wasm-simd on an engine with SIMD and reports the version', async () => {
    // A differing option, so that init() chooses afresh rather than keep the active (js) backend.
    const info = await init({ maximumMemoryBytes: 2 ** 31 });
    expect(info.backend).toBe('wasm-simd');
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('rejects bad init options', async () => {
    await expect(init({ backend: 'gpu' as never })).rejects.toThrow(/backend/);
    await expect(init({ initialMemoryBytes: -5 })).rejects.toThrow(/initialMemoryBytes/);
    await expect(init({ initialMemoryBytes: 2 ** 20, maximumMemoryBytes: 2 ** 19 })).rejects.toThrow(/initialMemoryBytes/);
  });

  it('running out of memory is a SimdoptError, not a crash, and changes nothing', async () => {
    for (const backend of BACKENDS) {
      await init({ backend, initialMemoryBytes: 1 << 20, maximumMemoryBytes: 2 << 20 });
      const keep = Parameter.from([1, 2, 3]);
      const live = backendInfo().liveBytes;
      expect(() => Parameter.zeros(1 << 20)).toThrow(/out of memory/);
      expect(backendInfo().liveBytes).toBe(live);
      expect(Array.from(keep.data)).toEqual([1, 2, 3]);
    }
  });
});
