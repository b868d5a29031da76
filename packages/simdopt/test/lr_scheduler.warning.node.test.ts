/**
 * PyTorch's call-order warning: a scheduler stepped before its optimizer has ever stepped warns
 * once (per optimizer), through process.emitWarning (console.warn where that does not exist).
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import {
  ChainedScheduler,
  CosineAnnealingWarmRestarts,
  ExponentialLR,
  init,
  LinearLR,
  ORDER_WARNING,
  ReduceLROnPlateau,
  SequentialLR,
  SGD,
  StepLR,
} from 'simdopt';
import { OVERRIDDEN_WARNING } from '../src/lr_scheduler/scheduler.js';
import { sgd } from './support/optimizers.js';

beforeAll(async () => {
  await init({ backend: 'js' });
});

let emit: MockInstance<typeof process.emitWarning>;
beforeEach(() => {
  emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
});

const orderWarnings = () => emit.mock.calls.filter(([m]) => m === ORDER_WARNING).length;

describe('the call-order warning', () => {
  it('is PyTorch’s text', () => {
    expect(ORDER_WARNING).toMatch(/^Detected call of `lr_scheduler\.step\(\)` before `optimizer\.step\(\)`\./);
  });

  it('is given exactly once when step() precedes optimizer.step()', () => {
    const opt = sgd();
    const sched = new StepLR(opt, { stepSize: 2 });
    expect(emit).not.toHaveBeenCalled(); // construction's own step does not count
    sched.step();
    sched.step();
    sched.step();
    opt.step();
    sched.step();
    expect(emit).toHaveBeenCalledTimes(1);
    expect(emit).toHaveBeenCalledWith(ORDER_WARNING, 'UserWarning');
  });

  it('is not given when optimizer.step() comes first', () => {
    const opt = sgd();
    const sched = new StepLR(opt, { stepSize: 2 });
    for (let i = 0; i < 5; i++) {
      opt.step();
      sched.step();
    }
    expect(emit).not.toHaveBeenCalled();
  });

  it('is not given for a scheduler built on an optimizer that has already stepped', () => {
    const opt = sgd();
    new StepLR(opt, { stepSize: 2 });
    opt.step();
    const second = new ExponentialLR(opt, { gamma: 0.9 });
    second.step();
    expect(emit).not.toHaveBeenCalled();
  });

  it('is given once for all the children of a ChainedScheduler or SequentialLR on one optimizer', () => {
    const opt = sgd();
    const chained = new ChainedScheduler([new ExponentialLR(opt, { gamma: 0.9 }), new StepLR(opt, { stepSize: 2 })]);
    chained.step();
    chained.step();
    expect(orderWarnings()).toBe(1);

    const opt2 = sgd();
    const seq = new SequentialLR(opt2, {
      schedulers: [new LinearLR(opt2, { totalIters: 2 }), new ExponentialLR(opt2, { gamma: 0.9 })],
      milestones: [2],
    });
    for (let i = 0; i < 5; i++) seq.step();
    expect(orderWarnings()).toBe(2); // one more, for the second optimizer
  });

  it('is also given by CosineAnnealingWarmRestarts, which overrides step()', () => {
    const opt = sgd();
    const sched = new CosineAnnealingWarmRestarts(opt, { t0: 3 });
    sched.step();
    sched.step(1.5);
    expect(orderWarnings()).toBe(1);
  });

  it('is never given by ReduceLROnPlateau (as in PyTorch)', () => {
    const opt = sgd();
    const sched = new ReduceLROnPlateau(opt, { patience: 0 });
    sched.step(1);
    sched.step(2);
    expect(emit).not.toHaveBeenCalled();
  });

  it('becomes PyTorch’s “overridden” warning when optimizer.step was replaced after construction', () => {
    const opt = sgd();
    const sched = new StepLR(opt, { stepSize: 2 });
    const original = opt.step.bind(opt);
    opt.step = (o) => original(o);
    opt.step();
    sched.step();
    sched.step();
    expect(emit).toHaveBeenCalledTimes(1);
    expect(emit).toHaveBeenCalledWith(OVERRIDDEN_WARNING, 'UserWarning');
  });

  it('tracks optimizer.step on the instance only, once, and keeps its result', () => {
    const protoStep = SGD.prototype.step;
    const opt = sgd();
    new StepLR(opt, { stepSize: 2 });
    const tracked = opt.step;
    new ExponentialLR(opt, { gamma: 0.5 });
    expect(opt.step).toBe(tracked); // not wrapped twice
    expect(SGD.prototype.step).toBe(protoStep);
    expect(Object.keys(opt)).not.toContain('step');
    expect(sgd().step).toBe(protoStep); // other instances untouched
    expect(opt.step()).toBe(true);
  });

  it('goes to console.warn where process.emitWarning does not exist', () => {
    const saved = process.emitWarning;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      (process as { emitWarning?: unknown }).emitWarning = undefined;
      const opt = sgd();
      const sched = new StepLR(opt, { stepSize: 2 });
      sched.step();
      sched.step();
    } finally {
      process.emitWarning = saved;
    }
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toBe(`UserWarning: ${ORDER_WARNING}`);
  });
});
