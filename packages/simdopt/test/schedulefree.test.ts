/**
 * Schedule-Free's modes (facebookresearch/schedule_free): the optimizer starts in eval mode,
 * train()/eval() move every parameter with state between y and x, step() outside train mode
 * throws and changes nothing, and state dicts carry the mode and the group bookkeeping.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { init, Parameter, ScheduleFreeAdamW, ScheduleFreeSGD, SimdoptError } from 'simdopt';
import { gradientAt, makeParams, runSteps, sameBits, sameState } from './support/harness.js';
import { BACKENDS } from './support/vectors.js';

const f = Math.fround;
/** torch.lerp in float32, as the kernels compute it. */
const lerp = (a: number, b: number, w: number) => (Math.abs(w) < 0.5 ? f(a + f(w * f(b - a))) : f(b - f(f(b - a) * f(1 - w))));

const CLASSES = [
  ['ScheduleFreeAdamW', (ps: Parameter[]) => new ScheduleFreeAdamW(ps, { lr: 0.05, weightDecay: 0.01 }), 0.9],
  ['ScheduleFreeSGD', (ps: Parameter[]) => new ScheduleFreeSGD(ps, { lr: 0.1, momentum: 0.8 }), 0.8],
] as const;

describe.each(BACKENDS)('Schedule-Free modes on %s', (backend) => {
  beforeEach(async () => {
    await init({ backend, initialMemoryBytes: 1 << 20 });
  });

  it.each(CLASSES)('%s: starts in eval mode; step() there throws and changes nothing', (_name, make) => {
    const params = makeParams([5]);
    const opt = make(params);
    expect(opt.trainMode).toBe(false);
    params[0].grad.set(gradientAt(1, 0, 5));
    const before = params[0].data.slice();
    let err: unknown;
    try {
      opt.step();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SimdoptError);
    expect((err as SimdoptError).argument).toBe('trainMode');
    expect(sameBits(params[0].data, before)).toBe(true);
    expect(opt.stateDict().state).toEqual({});
    expect(opt.groupState().k).toBe(0);
  });

  it.each(CLASSES)('%s: eval() and train() lerp p towards z as the reference, and only on a mode change', (_name, make, beta) => {
    const params = makeParams([7, 3]);
    const opt = make(params);
    opt.eval(); // no state yet: nothing to move
    opt.train();
    runSteps(opt as never, params, 1, 4);
    const y = params.map((p) => p.data.slice());
    const z = params.map((_, i) => opt.stateDict().state[i].z as Float32Array);
    opt.eval();
    expect(opt.trainMode).toBe(false);
    params.forEach((p, i) => expect(sameBits(p.data, y[i].map((v, j) => lerp(v, z[i][j], f(1 - 1 / beta))))).toBe(true));
    const x = params.map((p) => p.data.slice());
    opt.eval(); // already in eval mode
    params.forEach((p, i) => expect(sameBits(p.data, x[i])).toBe(true));
    opt.train();
    params.forEach((p, i) => expect(sameBits(p.data, x[i].map((v, j) => lerp(v, z[i][j], f(1 - beta))))).toBe(true));
    // z and the second moment do not move with the mode.
    params.forEach((_, i) => expect(sameBits(opt.stateDict().state[i].z as Float32Array, z[i])).toBe(true));
  });

  it.each(CLASSES)('%s: the state dict carries the mode and the group bookkeeping', (_name, make) => {
    const params = makeParams([6]);
    const opt = make(params);
    opt.train();
    runSteps(opt as never, params, 1, 3);
    opt.eval();
    const saved = structuredClone(opt.stateDict());
    expect(saved.paramGroups[0]).toMatchObject({ k: 3, trainMode: false, lrMax: expect.any(Number), weightSum: expect.any(Number) });
    const copy = [Parameter.from(params[0].data)];
    const resumed = make(copy);
    resumed.train();
    resumed.loadStateDict(saved);
    expect(resumed.trainMode).toBe(false);
    expect(resumed.groupState()).toEqual(opt.groupState());
    opt.train();
    resumed.train();
    expect(sameBits(copy[0].data, params[0].data)).toBe(true);
    runSteps(opt as never, params, 4, 6);
    runSteps(resumed as never, copy, 4, 6);
    expect(sameBits(copy[0].data, params[0].data)).toBe(true);
    expect(sameState(resumed.stateDict().state, opt.stateDict().state)).toBe(true);
    // Bad bookkeeping is refused by name, and nothing changes.
    const bad = structuredClone(saved);
    (bad.paramGroups[0] as Record<string, unknown>).k = -1;
    const state = resumed.stateDict();
    expect(() => resumed.loadStateDict(bad)).toThrow(/stateDict\.paramGroups\[0\]\.k/);
    expect(resumed.stateDict()).toEqual(state);
  });

  it.each(CLASSES)('%s: the bookkeeping lives in the param groups; a group carrying it is accepted as it is', (_name, make) => {
    const params = makeParams([4, 3]);
    const opt = make([params[0]]);
    expect(opt.paramGroups[0]).toMatchObject({ k: 0, trainMode: false, weightSum: 0, lrMax: -1, scheduledLr: 0 });
    opt.train();
    runSteps(opt as never, [params[0]], 1, 2);
    expect(opt.paramGroups[0]).toMatchObject(opt.groupState(0));
    const { params: _ids, ...group } = opt.stateDict().paramGroups[0];
    opt.addParamGroup({ ...group, params: [params[1]] });
    expect(opt.groupState(1)).toEqual(opt.groupState(0));
    expect(opt.groupState(1).k).toBe(2);
    // Bookkeeping is not an option: the defaults never hold it.
    expect(Object.keys(opt.defaults)).not.toContain('k');
  });

  it('a group without a warm-up and lr 0 keeps c = 0 (the reference catches the ZeroDivisionError)', () => {
    const params = makeParams([4]);
    const opt = new ScheduleFreeSGD(params, { lr: 0 });
    opt.train();
    const before = params[0].data.slice();
    runSteps(opt as never, params, 1, 3);
    expect(sameBits(params[0].data, before)).toBe(true);
    expect(opt.groupState()).toMatchObject({ k: 3, weightSum: 0, lrMax: 0 });
  });
});
