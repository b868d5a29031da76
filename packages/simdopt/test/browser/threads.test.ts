/**
 * Browser-only, run twice: in the `browser` project (a plain page, not cross-origin isolated)
 * threads fall back to the single-thread binary, silently and with the same results; in the
 * `browser-isolated` project (served with COOP/COEP) 'auto' starts Web Workers over a shared
 * memory and every step, kit pass and product gives the same bits as one thread.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { Adam, backendInfo, clipGradNorm, init, nn, Parameter, SGD, shutdown } from 'simdopt';
import { backend } from '../../src/runtime.js';
import { ThreadsBackend } from '../../src/backend/threads.js';

const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
const cores = Math.max(2, Math.min(8, navigator.hardwareConcurrency || 1));

/** A little of everything that divides: optimizer steps, a clip norm, a Linear layer. */
function workload(): Uint32Array {
  const n = 150_000;
  const p = Parameter.zeros(n);
  const q = Parameter.zeros(70_003);
  for (let i = 0; i < n; i++) p.grad[i] = Math.sin(i) * 3;
  for (let i = 0; i < q.size; i++) q.grad[i] = Math.cos(i);
  const adam = new Adam([p], { lr: 0.01, amsgrad: true });
  const sgd = new SGD([q], { lr: 0.1, momentum: 0.9, nesterov: true });
  const norm = clipGradNorm([p, q], 10);
  for (let t = 0; t < 3; t++) {
    adam.step();
    sgd.step();
  }
  const lin = new nn.Linear(300, 200, { seed: 3 });
  const y = lin.forward(Float32Array.from({ length: 64 * 300 }, (_, i) => Math.sin(i * 0.37)));
  const out = new Uint32Array([...new Uint32Array(p.data.slice().buffer), ...new Uint32Array(q.data.slice().buffer), ...new Uint32Array(y.slice().buffer), ...new Uint32Array(new Float64Array([norm]).buffer)]);
  [adam, sgd].forEach((o) => o.dispose());
  [p, q].forEach((x) => x.dispose());
  lin.dispose();
  return out;
}

afterAll(async () => {
  await shutdown();
});

declare module 'vitest' {
  export interface ProvidedContext {
    isolatedPage?: boolean;
  }
}

describe(`threads in a ${isolated ? 'cross-origin isolated' : 'plain'} page`, () => {
  it('is the page its project serves', () => {
    expect(isolated).toBe(inject('isolatedPage') === true);
  });

  it(isolated ? "'auto' starts workers" : "'auto' and a number fall back to one thread", async () => {
    expect((await init()).threads).toBe(isolated ? cores : 1);
    expect((await init({ threads: 2 })).threads).toBe(isolated ? 2 : 1);
    expect(backendInfo().backend).toBe('wasm-simd');
  });

  it('gives the same bits for every thread count', async () => {
    await init({ threads: 1, initialMemoryBytes: 32 << 20 });
    const ref = workload();
    for (const threads of [2, 3]) {
      await init({ threads, initialMemoryBytes: 32 << 20 });
      expect(backendInfo().threads).toBe(isolated ? threads : 1);
      expect(backend() instanceof ThreadsBackend).toBe(isolated);
      const got = workload();
      expect(got.length).toBe(ref.length);
      expect(got.every((b, i) => b === ref[i])).toBe(true);
    }
    if (isolated) {
      const b = backend() as ThreadsBackend;
      expect(b.workerChunks()).toBeGreaterThan(0);
    }
  });

  it('shutdown() ends the workers; init() may follow', async () => {
    await init({ threads: 2 });
    await shutdown();
    expect(() => backendInfo()).toThrow(/not initialised/);
    expect((await init({ threads: 2 })).threads).toBe(isolated ? 2 : 1);
  });
});
