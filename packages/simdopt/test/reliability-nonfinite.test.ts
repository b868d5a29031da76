/**
 * NaN and ±Infinity in gradients, at the head, in the SIMD body and in the scalar tail of a
 * vector, for every optimizer on every backend:
 * - by default they propagate into the parameters or state, as in PyTorch;
 * - with `skipNonFinite: true` the step returns false and changes nothing (values, state, step
 *   counters), on the first step (before any state exists) and on the fast path alike, and the
 *   run continues exactly as if that step had never been asked for.
 * The check is one vectorised pass (reduce.rs `FiniteKernel` on wasm, its twin on js).
 */
import { describe, expect, it } from 'vitest';
import { clipGradNorm, init, type Parameter, SimdoptError } from 'simdopt';
import { build, gradientAt, makeParams, RICH_OPTIONS, sameBits, sameState, type AnyOptimizer } from './support/harness.js';
import { FLAT_OPTIMIZERS } from './support/reference.js';
import { BACKENDS } from './support/vectors.js';

/** 37 = 9 whole quads + a tail of 1: index 0 is the head, 18 the body, 36 the tail. */
const SIZES = [37, 6];
const POSITIONS: [string, number][] = [
  ['head', 0],
  ['body', 18],
  ['tail', 36],
];
const BAD = [NaN, Infinity, -Infinity];

function setGrads(params: Parameter[], k: number): void {
  params.forEach((p, i) => p.grad.set(gradientAt(k, i, p.size)));
}

function snapshot(opt: AnyOptimizer, params: Parameter[]) {
  return { data: params.map((p) => p.data.slice()), state: opt.stateDict() };
}

function unchanged(opt: AnyOptimizer, params: Parameter[], before: ReturnType<typeof snapshot>): boolean {
  const now = opt.stateDict();
  return params.every((p, i) => sameBits(p.data, before.data[i])) && sameState(now.state, before.state.state);
}

/** Some value at `index` of parameter 0 or of any of its state payloads is NaN or ±Infinity. */
function nonFiniteAt(opt: AnyOptimizer, p: Parameter, index: number): boolean {
  if (!Number.isFinite(p.data[index])) return true;
  const entry = opt.stateDict().state[0] ?? {};
  return Object.values(entry).some((v) => typeof v !== 'number' && !Number.isFinite((v as Float32Array)[index]));
}

describe.each(BACKENDS)('non-finite gradients on %s', (backend) => {
  it.each(FLAT_OPTIMIZERS)('%s: propagate by default, skipped whole with skipNonFinite', async (className) => {
    await init({ backend, initialMemoryBytes: 1 << 20 });
    for (const [where, index] of POSITIONS) {
      for (const bad of BAD) {
        const label = `${where} ${bad}`;
        // Default: the bad value reaches the parameter or its state.
        const params = makeParams(SIZES);
        const opt = build(className, params, RICH_OPTIONS[className]);
        setGrads(params, 1);
        opt.step();
        setGrads(params, 2);
        params[0].grad[index] = bad;
        expect(opt.step(), label).toBe(true);
        // Rprop uses only signs: an infinite gradient whose sign flipped is zeroed (so in PyTorch), so only NaN must show.
        if (className !== 'Rprop' || Number.isNaN(bad)) expect(nonFiniteAt(opt, params[0], index), label).toBe(true);
        opt.dispose();
        params.forEach((p) => p.dispose());

        // skipNonFinite, on the first step (full path, no state yet) and after two (fast path).
        const skipping = makeParams(SIZES);
        const straight = makeParams(SIZES);
        const a = build(className, skipping, { ...RICH_OPTIONS[className], skipNonFinite: true });
        const b = build(className, straight, { ...RICH_OPTIONS[className], skipNonFinite: true });
        const first = snapshot(a, skipping);
        skipping[0].grad[index] = bad;
        expect(a.step(), label).toBe(false);
        expect(unchanged(a, skipping, first), label).toBe(true);
        for (let k = 1; k <= 3; k++) {
          setGrads(skipping, k);
          setGrads(straight, k);
          expect(a.step()).toBe(true);
          b.step();
          const before = snapshot(a, skipping);
          skipping[1].grad[k % 6] = bad; // the other parameter: a step is skipped for all
          expect(a.step(), label).toBe(false);
          skipping[0].grad[index] = bad;
          expect(a.step(), label).toBe(false);
          expect(unchanged(a, skipping, before), label).toBe(true);
        }
        // As if the refused steps had never been asked for: same bits, same step counters.
        skipping.forEach((p, i) => expect(sameBits(p.data, straight[i].data), label).toBe(true));
        expect(sameState(a.stateDict().state, b.stateDict().state), label).toBe(true);
        a.dispose();
        b.dispose();
        [...skipping, ...straight].forEach((p) => p.dispose());
      }
    }
  });

  it('a frozen parameter with a NaN gradient does not stop the step', async () => {
    await init({ backend });
    const [w, frozen] = makeParams([9, 9]);
    const opt = build('Adam', [w, frozen], { skipNonFinite: true });
    w.grad.fill(1);
    frozen.grad.fill(NaN);
    frozen.requiresGrad = false;
    expect(opt.step()).toBe(true);
    expect(opt.step({ exclude: [] })).toBe(true);
    frozen.requiresGrad = true;
    expect(opt.step()).toBe(false);
    // Excluded this step: as if its gradient were None.
    expect(opt.step({ exclude: [frozen] })).toBe(true);
  });

  it('skipNonFinite set in one group skips the whole step', async () => {
    await init({ backend });
    const [w, b] = makeParams([8, 3]);
    const opt = build('SGD', [{ params: [w] }, { params: [b], skipNonFinite: true }], { lr: 0.1 });
    w.grad.fill(Infinity);
    b.grad.fill(1);
    const held = [w.data.slice(), b.data.slice()];
    expect(opt.step()).toBe(false);
    expect(sameBits(w.data, held[0]) && sameBits(b.data, held[1])).toBe(true);
  });

  it.each(POSITIONS)('clipGradNorm errorIfNonfinite: NaN at the %s throws and leaves every gradient', async (_w, index) => {
    await init({ backend });
    for (const normType of [2, 1, Infinity, 3]) {
      for (const bad of BAD) {
        const [w, b] = makeParams(SIZES);
        setGrads([w, b], 1);
        w.grad[index] = bad;
        const grads = [w.grad.slice(), b.grad.slice()];
        expect(() => clipGradNorm([w, b], 0.1, { normType, errorIfNonfinite: true })).toThrow(SimdoptError);
        expect(sameBits(w.grad, grads[0]) && sameBits(b.grad, grads[1])).toBe(true);
        // Without the option the total is not finite and the gradients are scaled (PyTorch).
        expect(Number.isFinite(clipGradNorm([w, b], 0.1, { normType }))).toBe(false);
        w.dispose();
        b.dispose();
      }
    }
  });
});
