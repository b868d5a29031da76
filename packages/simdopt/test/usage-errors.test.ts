/** Mistakes a new user makes, answered with a SimdoptError that says what was wrong. */
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam, CosineAnnealingLR, init, Parameter, ReduceLROnPlateau, SequentialLR, SimdoptError, StepLR, ChainedScheduler, ExponentialLR } from 'simdopt';

beforeAll(async () => {
  await init();
});

describe('a scheduler over a disposed optimizer', () => {
  it.each([
    ['StepLR', (o: Adam) => new StepLR(o, { stepSize: 1 }), (s: { step(x?: number): void }) => s.step()],
    ['CosineAnnealingLR', (o: Adam) => new CosineAnnealingLR(o, { tMax: 10 }), (s: { step(x?: number): void }) => s.step()],
    ['ReduceLROnPlateau', (o: Adam) => new ReduceLROnPlateau(o), (s: { step(x?: number): void }) => s.step(1)],
    [
      'SequentialLR',
      (o: Adam) => new SequentialLR(o, { schedulers: [new StepLR(o, { stepSize: 1 }), new ExponentialLR(o, { gamma: 0.9 })], milestones: [2] }),
      (s: { step(x?: number): void }) => s.step(),
    ],
    ['ChainedScheduler', (o: Adam) => new ChainedScheduler([new StepLR(o, { stepSize: 1 })]), (s: { step(x?: number): void }) => s.step()],
  ] as const)('%s.step() throws SimdoptError and changes nothing', (_n, make, step) => {
    const p = Parameter.zeros(3);
    const opt = new Adam([p], { lr: 0.1 });
    const sched = make(opt);
    const lr = opt.paramGroups[0].lr;
    opt.dispose();
    expect(() => step(sched)).toThrow(SimdoptError);
    expect(() => step(sched)).toThrow(/Adam: the optimizer is disposed/);
    expect(opt.paramGroups[0].lr).toBe(lr);
    p.dispose();
  });
});

describe('Parameter.zeros with a bad shape says what was wrong', () => {
  it.each([
    [-1, 'shape: expected a size (a non-negative integer) or an array of them, got -1'],
    [1.5, 'shape: expected a size (a non-negative integer) or an array of them, got 1.5'],
    [[2, -3], 'shape: expected dimensions that are non-negative integers, got -3 as dimension 1'],
    ['3', 'shape: expected a size (a non-negative integer) or an array of them, got "3"'],
  ])('%j', (shape, message) => {
    expect(() => Parameter.zeros(shape as never)).toThrow(SimdoptError);
    expect(() => Parameter.zeros(shape as never)).toThrow(message);
  });
});
