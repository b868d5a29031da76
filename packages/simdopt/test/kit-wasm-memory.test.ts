/**
 * How the wasm backends reach training-kit arguments: views of wasm memory (Parameters) by
 * address with no copy, other arrays through one scratch block that grows to the largest call and
 * never shrinks (a training loop allocates nothing per step); out of memory is a SimdoptError that
 * writes nothing; and the exports themselves refuse pointers outside live memory.
 */
import { describe, expect, it } from 'vitest';
import { backendInfo, crossEntropyLoss, Dropout, init, mseLoss, Parameter, SimdoptError } from 'simdopt';
import type { WasmBackend } from '../src/backend/wasm.js';
import { backend } from '../src/runtime.js';
import { randomF32 } from './support/kit.js';

describe.each(['wasm-simd', 'wasm'] as const)('training-kit memory on %s', (name) => {
  it('a loop over arrays outside wasm memory allocates only on its first call', async () => {
    await init({ backend: name });
    const x = randomF32(1, 5000, 1);
    const y = randomF32(2, 5000, 1);
    const grad = new Float32Array(5000);
    const drop = new Dropout(0.5, { seed: 1 });
    const step = () => {
      mseLoss(x, y, { grad });
      drop.forward(x);
      crossEntropyLoss(x, new Int32Array(500), { numClasses: 10, grad });
    };
    step();
    const after = backendInfo();
    const blocks = (backend() as WasmBackend).exports.simdopt_live_blocks();
    for (let k = 0; k < 50; k++) step();
    expect(backendInfo()).toEqual(after);
    expect((backend() as WasmBackend).exports.simdopt_live_blocks()).toBe(blocks);
    expect(after.liveBytes).toBe(0);
  });

  it('views of Parameters are passed by address: no scratch copy, memory does not grow', async () => {
    await init({ backend: name, initialMemoryBytes: 12 << 20 });
    const n = 1 << 20;
    const p = Parameter.from(randomF32(3, n, 1));
    const target = Parameter.from(randomF32(4, n, 1));
    const memory = backendInfo().memoryBytes;
    const value = mseLoss(p.data, target.data, { grad: p.grad });
    expect(backendInfo().memoryBytes).toBe(memory);
    expect(p.grad[5]).toBe(Math.fround(Math.fround(p.data[5] - target.data[5]) * 2 * Math.fround(1 / n)));
    // The same call with copies needs 12 MiB of scratch: memory grows (so the check above can fail).
    expect(mseLoss(p.data.slice(), target.data.slice(), { grad: new Float32Array(n) })).toBe(value);
    expect(backendInfo().memoryBytes).toBeGreaterThan(memory);
    p.dispose();
    target.dispose();
  });

  it('an empty view of wasm memory counts as an empty array, not as an absent one', async () => {
    await init({ backend: name });
    const b = backend() as WasmBackend;
    const empty = new Float32Array(b.memory.buffer, 0, 0);
    expect(mseLoss(empty, empty, { reduction: 'sum', grad: new Float32Array(0) })).toBe(0);
    expect(new Dropout(0.5, { seed: 1 }).forward(empty).length).toBe(0);
  });

  it('out of memory for the scratch block is a SimdoptError that writes nothing', async () => {
    await init({ backend: name, initialMemoryBytes: 1 << 20, maximumMemoryBytes: 2 << 20 });
    const n = 1 << 20;
    const grad = new Float32Array(n).fill(7);
    expect(() => mseLoss(new Float32Array(n), new Float32Array(n), { grad })).toThrow(/out of memory/);
    expect(grad.every((v) => v === 7)).toBe(true);
    expect(mseLoss(new Float32Array([1, 2]), new Float32Array([0, 0]))).toBe(2.5);
  });

  it('the exports refuse arguments outside live memory or of the wrong shape', async () => {
    await init({ backend: name });
    const b = backend() as WasmBackend;
    const e = b.exports;
    const words = (ptr: number, n: number) => new Uint32Array(b.memory.buffer, ptr, n);
    const block = (floats: number) => b.alloc(floats);
    const [x, y, table, args, result] = [block(8), block(8), block(8), block(4), block(4)];
    const argsView = b.f32(args, 0, 3);
    argsView.set([0, 0, 1]);
    const call = () => e.simdopt_pointwise_loss(table, 4, args, 3, result);
    words(table, 8).set([x, 8, y, 8, 0, 0, 0, 0]);
    expect(call()).toBe(0);
    words(table, 2).set([16, 8]); // below the heap: not a live block
    expect(call()).toBe(5);
    words(table, 2).set([x + 4, 8]); // runs past the end of its block
    expect(call()).toBe(5);
    words(table, 2).set([x, 7]); // lengths do not match
    expect(call()).toBe(6);
    words(table, 2).set([x, 8]);
    expect(e.simdopt_pointwise_loss(table, 3, args, 3, result)).toBe(2);
    expect(e.simdopt_pointwise_loss(table, 4, args, 2, result)).toBe(1);
    expect(e.simdopt_pointwise_loss(table, 4, args, 3, result + 4)).toBe(5);
    argsView[0] = 9; // no such loss kind
    expect(call()).toBe(6);
    b.f32(args, 0, 1)[0] = -1;
    expect(e.simdopt_grad_clamp(table, 0, args, 1, result)).toBe(6);
    for (const ptr of [x, y, table, args, result]) b.free(ptr);
    expect(() => b.free(x)).toThrow(SimdoptError);
  });
});
