/**
 * The nn exports check every pointer before use (crates/simdopt-wasm/src/nn_exports.rs): a freed
 * block, an output overlapping an input, a short workspace or an unknown activation is refused
 * with a SimdoptError and nothing is written.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { init, Parameter } from 'simdopt';
import { backend } from '../src/runtime.js';

describe.each(['wasm-simd', 'wasm'] as const)('nn exports on %s', (name) => {
  beforeEach(async () => {
    await init({ backend: name });
  });

  it('refuse a freed block, overlap, a short workspace and an unknown activation', () => {
    const b = backend();
    const x = Parameter.from([1, 2, 3, 4, 5, 6]); // [2, 3]
    const w = Parameter.from([1, 0, 0, 0, 1, 0]); // [2, 3]
    const y = Parameter.zeros(4); // [2, 2]
    const ws = Parameter.zeros(b.linearWorkspace(2, 3, 2));
    b.linearForward(x.data, w.data, null, y.data, 2, 3, 2, ws.data);
    expect(Array.from(y.data)).toEqual([1, 2, 4, 5]);

    y.data.fill(9);
    // y overlapping x: its gradient half lies right behind the values in the same block.
    const inside = new Float32Array(x.data.buffer, x.data.byteOffset + 8, 4);
    expect(() => b.linearForward(x.data, w.data, null, inside, 2, 3, 2, ws.data)).toThrow(/overlaps/);
    expect(() => b.linearForward(x.data, w.data, null, y.data, 2, 3, 2, ws.data.subarray(0, 8))).toThrow(/sizes do not fit/);
    // Checks are per block (a Parameter block holds values and gradient): batch 20 runs past it.
    expect(() => b.linearForward(x.data, w.data, null, y.data, 20, 3, 2, ws.data)).toThrow(/outside live memory/);
    expect(() => b.activationForward(9, x.data, x.data)).toThrow(/sizes do not fit/);
    expect(() => b.activationForward(0, x.data, x.data.subarray(1))).toThrow(/overlaps/);
    const stale = w.data;
    w.dispose();
    expect(() => b.linearForward(x.data, stale, null, y.data, 2, 3, 2, ws.data)).toThrow(/outside live memory/);
    expect(() => b.linearForward(x.data, new Float32Array(6), null, y.data, 2, 3, 2, ws.data)).toThrow(/weight: expected a view of this backend's memory/);
    expect(Array.from(y.data)).toEqual([9, 9, 9, 9]);
    [x, y, ws].forEach((p) => p.dispose());
  });
});
