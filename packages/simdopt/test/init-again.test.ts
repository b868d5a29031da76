/**
 * A second `init()` (two modules, a React StrictMode effect run twice) keeps every object when
 * its options do not differ from the active backend's; differing options replace the backend
 * and the warning says how many live objects that invalidated.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Adam, backendInfo, init, Parameter, SimdoptError } from 'simdopt';
import { BACKENDS } from './support/vectors.js';

const DIFFERENT = { 'wasm-simd': 'js', wasm: 'js', js: 'wasm' } as const;

afterEach(async () => {
  await init({ onWarning: (m) => console.warn(m) });
});

describe.each(BACKENDS)('init() again on %s', (backend) => {
  it('with the same options, or none, is a no-op: objects stay valid', async () => {
    const warnings: string[] = [];
    await init({ backend, initialMemoryBytes: 2 << 20, onWarning: (m) => warnings.push(m) });
    const w = Parameter.from([1, 2, 3], { name: 'w' });
    const opt = new Adam([w], { lr: 0.1 });
    w.grad.fill(1);
    opt.step();
    const before = w.data.slice();
    // Every form a second caller may use: no options, the same ones, a subset, concurrently.
    await init();
    await init({ backend });
    await init({ backend, initialMemoryBytes: 2 << 20 });
    await Promise.all([init({ backend }), init()]);
    expect(w.data).toEqual(before);
    expect(opt.step()).toBe(true);
    expect(w.data[0]).toBeLessThan(before[0]);
    expect(backendInfo().backend).toBe(backend);
    expect(warnings).toEqual([]);
    opt.dispose();
    w.dispose();
  });

  it('concurrent first calls share one backend', async () => {
    await init({ backend: DIFFERENT[backend] });
    const [a, b] = await Promise.all([init({ backend, maximumMemoryBytes: 64 << 20 }), init({ backend, maximumMemoryBytes: 64 << 20 })]);
    expect(a.backend).toBe(backend);
    expect(b.backend).toBe(backend);
    const w = Parameter.zeros(4);
    await init({ backend });
    expect(() => w.data).not.toThrow();
    w.dispose();
  });

  it('with a differing option replaces the backend and counts the objects it invalidated', async () => {
    const warnings: string[] = [];
    await init({ backend, onWarning: (m) => warnings.push(m) });
    const w = Parameter.zeros(3, { name: 'w' });
    const b = Parameter.zeros(2, { name: 'b' });
    const gone = Parameter.zeros(2);
    gone.dispose(); // disposed: not counted
    const opt = new Adam([w, b]);
    await init({ backend: DIFFERENT[backend] });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/init\(\) replaced the .* backend/);
    expect(warnings[0]).toContain('3 live objects made under it (2 Parameters, 1 optimizer)');
    expect(() => w.data).toThrow(/replaced/);
    expect(() => opt.step()).toThrow(SimdoptError);
    // A differing memory size replaces too; nothing was alive: no warning.
    warnings.length = 0;
    await init({ backend, initialMemoryBytes: 3 << 20 });
    await init({ backend, initialMemoryBytes: 5 << 20 });
    expect(warnings).toEqual([]);
  });

  it('onWarning: null silences, a function redirects; a bad value is a SimdoptError', async () => {
    await expect(init({ onWarning: 'loud' as never })).rejects.toThrow(/onWarning: expected a function or null/);
    await init({ backend, onWarning: null });
    const w = Parameter.zeros(3);
    await init({ backend: DIFFERENT[backend] }); // would warn; silenced
    expect(() => w.data).toThrow(SimdoptError);
  });
});

