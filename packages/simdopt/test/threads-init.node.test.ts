/**
 * init() and memory growth with worker threads (shared memory): Node, where threads always exist.
 * (A page that is not cross-origin isolated has no threads; test/browser/threads.test.ts covers
 * both kinds of page.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { backendInfo, init, Parameter, shutdown, SimdoptError } from 'simdopt';

afterEach(async () => {
  await init({ onWarning: (m) => console.warn(m) });
});

describe('init() again compares threads', () => {
  it("the same count is a no-op; another count or 'auto' replaces the backend", async () => {
    const warnings: string[] = [];
    await init({ backend: 'wasm-simd', threads: 2, onWarning: (m) => warnings.push(m) });
    expect(backendInfo().threads).toBe(2);
    const w = Parameter.from([1, 2, 3]);
    await init({ threads: 2 });
    await init();
    await init({ backend: 'wasm-simd', threads: 2 });
    expect(backendInfo().threads).toBe(2);
    expect(Array.from(w.data)).toEqual([1, 2, 3]);
    expect(warnings).toEqual([]);
    await init({ threads: 3 });
    expect(backendInfo().threads).toBe(3);
    expect(() => w.data).toThrow(SimdoptError);
    expect(warnings).toHaveLength(1);
    const v = Parameter.from([4]);
    // 'auto' is compared as given, not as the count it resolves to.
    await init({ threads: 'auto' });
    expect(() => v.data).toThrow(SimdoptError);
    await init({ threads: 1 });
    expect(backendInfo().threads).toBe(1);
  });

  it('after shutdown() init() with the same options starts a new backend', async () => {
    await init({ backend: 'wasm-simd', threads: 2 });
    const w = Parameter.from([1]);
    await shutdown();
    await init({ backend: 'wasm-simd', threads: 2 });
    expect(backendInfo().threads).toBe(2);
    expect(() => w.data).toThrow(SimdoptError);
  });
});

describe('memory growth with threads', () => {
  it('keeps earlier views valid (shared memory) and does not warn', async () => {
    const warnings: string[] = [];
    await init({ backend: 'wasm-simd', threads: 2, initialMemoryBytes: 1 << 20, onWarning: (m) => /grew/.test(m) && warnings.push(m) });
    expect(backendInfo().threads).toBe(2);
    const w = Parameter.from([1, 2, 3]);
    const kept = w.data;
    const big = Parameter.zeros(1 << 20);
    expect(backendInfo().memoryBytes).toBeGreaterThan(1 << 20);
    expect(Array.from(kept)).toEqual([1, 2, 3]);
    kept[1] = 5;
    expect(w.data[1]).toBe(5);
    expect(warnings).toEqual([]);
    [w, big].forEach((p) => p.dispose());
  });
});
