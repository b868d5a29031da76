/**
 * Memory over hours of training: no leak over 100 000 create/step/dispose cycles, no growth in a
 * loop sized with `initialMemoryBytes` (so no view is ever detached), forgotten objects freed by
 * their FinalizationRegistry, and a clear SimdoptError (not a trap) when memory cannot grow.
 */
import { describe, expect, it } from 'vitest';
import {
  Adam,
  backendInfo,
  clipGradNorm,
  CosineAnnealingLR,
  crossEntropyLoss,
  Dropout,
  init,
  nn,
  Parameter,
  SGD,
  SimdoptError,
} from 'simdopt';
import type { WasmBackend } from '../src/backend/wasm.js';
import { backend } from '../src/runtime.js';
import { sameBits, values } from './support/harness.js';
import { BACKENDS } from './support/vectors.js';

/** Lets FinalizationRegistry callbacks run: collect, then yield to the event loop, a few times. */
async function collect(until: () => boolean): Promise<boolean> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run node with --expose-gc (vitest.config.ts does)');
  for (let i = 0; i < 50 && !until(); i++) {
    gc();
    await new Promise((r) => setTimeout(r, 5));
  }
  return until();
}

describe('no leak over 100 000 create/step/dispose cycles', () => {
  it.each([['wasm-simd', 100_000], ['js', 10_000]] as const)('%s: live bytes end where they started after %i cycles, memory stops growing after 1000', async (name, cycles) => {
    await init({ backend: name, initialMemoryBytes: 1 << 20 });
    const live = backendInfo().liveBytes;
    let memoryAfter1000 = 0;
    for (let i = 0; i < cycles; i++) {
      // Sizes vary so that blocks of different sizes fill and reuse the gaps.
      const p = Parameter.zeros(1 + ((i * 7) % 61));
      const opt = i % 2 === 0 ? new Adam([p], { lr: 0.1 }) : new SGD([p], { lr: 0.1, momentum: 0.9 });
      p.grad.fill(1);
      opt.step();
      opt.dispose();
      p.dispose();
      if (i === 999) memoryAfter1000 = backendInfo().memoryBytes;
    }
    expect(backendInfo().liveBytes).toBe(live);
    expect(backendInfo().memoryBytes).toBeLessThanOrEqual(memoryAfter1000);
  });
});

/** A small classifier's full training step: forward, loss, backward, clip, step, zeroGrad, schedule. */
function trainingLoop(inFeatures: number, hidden: number, steps: number, check: (step: number) => void): void {
  const model = new nn.Sequential(
    new nn.Linear(inFeatures, hidden, { seed: 1 }),
    new nn.ReLU(),
    new nn.Linear(hidden, 4, { seed: 2 }),
  );
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const sched = new CosineAnnealingLR(opt, { tMax: steps });
  const drop = new Dropout(0.1, { seed: 3 });
  const batch = 16;
  const x = values(5, batch * inFeatures);
  const targets = Int32Array.from({ length: batch }, (_, i) => i % 4);
  const gradLogits = new Float32Array(batch * 4);
  for (let k = 0; k < steps; k++) {
    opt.zeroGrad();
    const logits = model.forward(drop.forward(x));
    crossEntropyLoss(logits, targets, { numClasses: 4, grad: gradLogits });
    model.backward(gradLogits, { inputGrad: false });
    clipGradNorm(model.parameters(), 1);
    opt.step();
    sched.step();
    check(k);
  }
  opt.dispose();
  model.dispose();
}

describe.each(['wasm-simd', 'wasm'] as const)('memory growth on %s', (name) => {
  it('initialMemoryBytes sized for the model: a whole training loop never grows memory or detaches a view', async () => {
    await init({ backend: name, initialMemoryBytes: 8 << 20 });
    const memory = (backend() as WasmBackend).memory;
    let buffer: ArrayBuffer | null = null;
    let kept: Float32Array | null = null;
    trainingLoop(256, 512, 30, (k) => {
      if (k === 0) {
        buffer = memory.buffer;
        kept = new Float32Array(memory.buffer, 0, 16);
      }
      expect(memory.buffer).toBe(buffer);
      expect(kept!.length).toBe(16); // a detached view has length 0
    });
  });

  it('control: the same loop in too little memory does grow it (the check above can fail)', async () => {
    // One thread: a shared memory (threads) does not detach views (threads.node.test.ts).
    await init({ backend: name, initialMemoryBytes: 256 << 10, threads: 1 });
    const memory = (backend() as WasmBackend).memory;
    const first = memory.buffer;
    const kept = new Float32Array(first, 0, 16);
    trainingLoop(256, 512, 2, () => {});
    expect(memory.buffer).not.toBe(first);
    expect(kept.length).toBe(0);
  });

  it('accessors return valid views after growth; a view kept from before is detached, not wrong', async () => {
    await init({ backend: name, initialMemoryBytes: 256 << 10, threads: 1 });
    const p = Parameter.from(values(1, 100));
    const expected = p.data.slice();
    const old = p.data;
    const big = Parameter.zeros(1 << 20);
    expect(old.length).toBe(0);
    expect(sameBits(p.data, expected)).toBe(true);
    p.grad[3] = 2;
    expect(p.grad[3]).toBe(2);
    big.dispose();
    p.dispose();
  });
});

describe.each(BACKENDS)('forgotten objects on %s', (name) => {
  it('FinalizationRegistry frees parameters, optimizer state and module buffers nobody disposed', async () => {
    await init({ backend: name, initialMemoryBytes: 4 << 20 });
    const live = backendInfo().liveBytes;
    (() => {
      // Nothing here escapes the function.
      const ps = [Parameter.zeros(1000), Parameter.zeros(77)];
      const opt = new Adam(ps, { amsgrad: true });
      ps.forEach((p) => p.grad.fill(1));
      opt.step();
      const model = new nn.Sequential(new nn.Linear(8, 16, { seed: 1 }), new nn.GELU());
      model.forward(new Float32Array(8 * 4));
    })();
    expect(backendInfo().liveBytes).toBeGreaterThan(live);
    expect(await collect(() => backendInfo().liveBytes === live)).toBe(true);
  });
});

describe.each(BACKENDS)('memory that cannot grow on %s', (name) => {
  it('allocation failures are SimdoptErrors that change nothing; the objects work afterwards', async () => {
    await init({ backend: name, initialMemoryBytes: 1 << 20, maximumMemoryBytes: 3 << 20 });
    // 2 × 300 000 f32 = 2.4 MB for values and gradient: Adam's 2 slots (2.4 MB more) cannot fit.
    const p = Parameter.from(values(2, 300_000));
    const opt = new Adam([p], { lr: 0.1 });
    p.grad.fill(1);
    const held = p.data.slice();
    const live = backendInfo().liveBytes;
    let error: unknown;
    try {
      opt.step();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SimdoptError);
    expect((error as Error).message).toMatch(/out of memory/);
    expect(sameBits(p.data, held)).toBe(true);
    expect(opt.stateDict().state).toEqual({});
    expect(backendInfo().liveBytes).toBe(live);
    // A layer whose buffers do not fit: refused, and the model is usable at a smaller batch.
    const layer = new nn.Linear(64, 64, { seed: 1 });
    expect(() => layer.forward(new Float32Array(64 * 4096))).toThrow(/out of memory/);
    expect(() => layer.backward(new Float32Array(64))).toThrow(SimdoptError);
    expect(layer.forward(new Float32Array(64)).length).toBe(64);
    // Freeing memory makes the same step possible.
    layer.dispose();
    const small = Parameter.from(held.subarray(0, 1000));
    const opt2 = new Adam([small], { lr: 0.1 });
    small.grad.fill(1);
    expect(opt2.step()).toBe(true);
    opt.dispose();
    p.dispose();
  });
});
