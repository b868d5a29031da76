/**
 * Unknown option keys: the message names the key and the option the caller most likely meant
 * (PyTorch's snake_case, TensorFlow.js names, near misses), for optimizers old and new style,
 * schedulers and utilities. The bad-input table checks that nothing changes; this file checks
 * the hints and the types.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam, ADOPT, ASGD, AveragedModel, clipGradNorm, CosineAnnealingLR, init, LAMB, LBFGS, Lion, Parameter, Rprop, ScheduleFreeAdamW, ScheduleFreeSGD, SGD, SimdoptError, StepLR, SWALR } from 'simdopt';
import { likelyKey } from '../src/options/known-keys.js';
import { PlainGD } from './support/optimizers.js';
import { Optimizer, type BaseOptions, type ParamsInput } from '../src/optim/optimizer.js';
import { sgdKernel } from '../src/optim/sgd.js';

/** An old-style class that keeps a field of its own in its groups (as Schedule-Free's sums). */
class Tracking extends Optimizer<BaseOptions> {
  protected readonly kind = 'Tracking';
  protected readonly kernel = sgdKernel;
  protected readonly hasStepCounter = false;
  protected readonly slotNamesAll = [] as const;
  constructor(params: ParamsInput<BaseOptions>) {
    super(params, { lr: 0.1, skipNonFinite: false }, { groupFields: ['weightSum'] });
  }
  protected writeArgs(a: Float32Array, o: BaseOptions): void {
    a.fill(0);
    a[3] = 1;
    a[4] = o.lr;
    (this.paramGroups[0] as unknown as { weightSum: number }).weightSum = 1;
  }
}

function messageOf(act: () => unknown): string {
  try {
    act();
  } catch (e) {
    expect(e).toBeInstanceOf(SimdoptError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

const any = (v: unknown) => v as never;

beforeAll(async () => {
  await init({ backend: 'js' });
});

describe('unknown option keys', () => {
  it.each([
    ['ScheduleFreeAdamW', 'warmup_steps', 'warmupSteps', (o: object) => new ScheduleFreeAdamW([Parameter.zeros(2)], any(o))],
    ['ScheduleFreeSGD', 'weight_lr_power', 'weightLrPower', (o: object) => new ScheduleFreeSGD([Parameter.zeros(2)], any(o))],
    ['LAMB', 'eps_root', 'epsRoot', (o: object) => new LAMB([Parameter.zeros(2)], any(o))],
    ['ADOPT', 'decoupled', 'decouple', (o: object) => new ADOPT([Parameter.zeros(2)], any(o))],
  ])('new %s({ %s }) suggests %s', (name, key, meant, make) => {
    const msg = messageOf(() => make({ [key]: 1 }));
    expect(msg).toContain(`${key}: expected one of ${name}'s options`);
    expect(msg).toContain(`did you mean '${meant}'?`);
  });

  it("Schedule-Free: a group holding the reference's bookkeeping is accepted; a misspelt option beside it is refused with a hint", () => {
    const book = { k: 1, trainMode: true, weightSum: 0.25, lrMax: 0.5, scheduledLr: 0.5 };
    const opt = new ScheduleFreeSGD([{ params: [Parameter.zeros(2)], ...book }], { lr: 0.5 });
    expect(opt.groupState()).toEqual(book);
    const msg = messageOf(() => opt.addParamGroup({ params: [Parameter.zeros(2)], ...book, warmupSteps: 2, weightlrpower: 1 } as never));
    expect(msg).toContain("paramGroup.weightlrpower: expected one of ScheduleFreeSGD's options");
    expect(msg).toContain("did you mean 'weightLrPower'?");
    expect(opt.paramGroups.length).toBe(1);
    // Bookkeeping is not an option: the constructor's options refuse it.
    expect(messageOf(() => new ScheduleFreeSGD([Parameter.zeros(2)], any({ weightSum: 1 })))).toContain("weightSum: expected one of ScheduleFreeSGD's options");
  });

  it.each([
    ['learningRate', 'lr'],
    ['weight_decay', 'weightDecay'],
    ['beta1', 'betas'],
    ['beta2', 'betas'],
    ['epsilon', 'eps'],
    ['amsGrad', 'amsgrad'],
    ['decoupled_weight_decay', 'decoupledWeightDecay'],
    ['maximise', 'maximize'],
  ])('new Adam({ %s }) suggests %s', (key, meant) => {
    const msg = messageOf(() => new Adam([Parameter.zeros(2)], any({ [key]: 0.01 })));
    expect(msg).toContain(`${key}: expected one of Adam's options`);
    expect(msg).toContain(`did you mean '${meant}'?`);
  });

  it('SGD momentun, useNesterov and a group key name the intended option', () => {
    expect(messageOf(() => new SGD([Parameter.zeros(2)], any({ momentun: 0.9 })))).toContain("did you mean 'momentum'?");
    expect(messageOf(() => new SGD([Parameter.zeros(2)], any({ useNesterov: true })))).toContain("did you mean 'nesterov'?");
    const p = Parameter.zeros(2);
    expect(messageOf(() => new Lion(any([{ params: [p], weight_decay: 0.1 }])))).toMatch(/^paramGroups\[0\]\.weight_decay: .*did you mean 'weightDecay'\?$/);
  });

  it('a key with no likely meaning gets no guess, and lists the options', () => {
    const msg = messageOf(() => new Adam([Parameter.zeros(2)], any({ foliage: 1 })));
    expect(msg).not.toContain('did you mean');
    expect(msg).toContain('(lr, betas, eps, weightDecay, amsgrad, maximize, decoupledWeightDecay, skipNonFinite)');
  });

  it('a key written onto a param group is refused at the next step, which changes nothing', () => {
    const p = Parameter.from([1, 2, 3]);
    p.grad.set([0.5, -0.5, 1]);
    const opt = new Adam([p], { lr: 0.1 });
    opt.step();
    const before = Array.from(p.data);
    const state = opt.stateDict();
    (opt.paramGroups[0] as unknown as Record<string, unknown>).learningRate = 0.5;
    expect(messageOf(() => opt.step())).toContain("paramGroups[0].learningRate: expected one of Adam's options");
    expect(Array.from(p.data)).toEqual(before);
    expect(opt.stateDict().state[0].step).toBe(state.state[0].step);
    delete (opt.paramGroups[0] as unknown as Record<string, unknown>).learningRate;
    expect(opt.step()).toBe(true);
    expect(opt.stateDict().state[0].step).toBe(2);
  });

  it('old-style classes (no schema) refuse keys their defaults do not have', () => {
    const opt = new PlainGD([Parameter.zeros(2)]);
    expect(messageOf(() => opt.addParamGroup(any({ params: [Parameter.zeros(2)], momentum: 0.9 })))).toContain("paramGroup.momentum: expected one of PlainGD's options (lr, skipNonFinite)");
  });

  it('traits.groupFields: a class may keep its own fields in its groups, and only those', () => {
    const p = Parameter.from([1, 2]);
    p.grad.set([1, 1]);
    const opt = new Tracking([p]);
    expect(opt.step()).toBe(true);
    expect(opt.step()).toBe(true);
    expect((opt.paramGroups[0] as unknown as { weightSum: number }).weightSum).toBe(1);
    (opt.paramGroups[0] as unknown as Record<string, unknown>).weightSums = 2;
    expect(messageOf(() => opt.step())).toContain("paramGroups[0].weightSums: expected one of Tracking's options (lr, skipNonFinite), got an unknown key");
  });

  it('schedulers and utilities name the intended option', () => {
    const opt = new SGD([Parameter.zeros(2)]);
    expect(messageOf(() => new CosineAnnealingLR(opt, any({ T_max: 10 })))).toContain("did you mean 'tMax'?");
    expect(messageOf(() => new StepLR(opt, any({ step_size: 10 })))).toContain("did you mean 'stepSize'?");
    expect(messageOf(() => clipGradNorm([Parameter.zeros(2)], 1, any({ norm_type: 2 })))).toContain("options.norm_type: expected one of the function's options (normType, errorIfNonfinite), got an unknown key; did you mean 'normType'?");
  });

  it('ASGD, Rprop, LBFGS, AveragedModel and SWALR name the intended option', () => {
    const p = () => Parameter.zeros(2);
    expect(messageOf(() => new ASGD([p()], any({ weight_decay: 0.1 })))).toContain("weight_decay: expected one of ASGD's options (lr, lambd, alpha, t0, weightDecay, maximize, skipNonFinite), got an unknown key; did you mean 'weightDecay'?");
    expect(messageOf(() => new Rprop([p()], any({ step_sizes: [1e-6, 1] })))).toContain("did you mean 'stepSizes'?");
    expect(messageOf(() => new LBFGS([p()], any({ line_search_fn: 'strong_wolfe' })))).toContain("did you mean 'lineSearchFn'?");
    const lbfgs = new LBFGS([p()]);
    (lbfgs.paramGroups[0] as unknown as Record<string, unknown>).history = 5;
    expect(messageOf(() => lbfgs.step(() => 0))).toContain("paramGroups[0].history: expected one of LBFGS's options");
    expect(messageOf(() => lbfgs.addParamGroup(any({ params: [p()], max_iter: 3 })))).toContain("paramGroup.max_iter: expected one of LBFGS's options");
    expect(messageOf(() => new AveragedModel([p()], any({ Strategy: 'ema' })))).toContain("options.Strategy: expected one of AveragedModel's options (strategy, decay), got an unknown key; did you mean 'strategy'?");
    const opt = new SGD([p()]);
    expect(messageOf(() => new SWALR(opt, any({ swa_lr: 0.1 })))).toContain("did you mean 'swaLr'?");
    // The group field SWALR writes is accepted by every optimizer's step.
    new SWALR(opt, { swaLr: 0.05 });
    expect((opt.paramGroups[0] as unknown as { swaLr: number }).swaLr).toBe(0.05);
    expect(opt.step()).toBe(true);
  });

  it('likelyKey: aliases, snake_case, case and edit distance; nothing far off', () => {
    const known = ['lr', 'betas', 'eps', 'weightDecay', 'momentumDecay'];
    expect(likelyKey('learning_rate', known)).toBe('lr');
    expect(likelyKey('momentum_decay', known)).toBe('momentumDecay');
    expect(likelyKey('WeightDecay', known)).toBe('weightDecay');
    expect(likelyKey('weightDecy', known)).toBe('weightDecay');
    expect(likelyKey('bets', known)).toBe('betas');
    expect(likelyKey('nesterov', known)).toBeUndefined();
  });

  it('the types refuse unknown keys too', () => {
    const p = Parameter.zeros(2);
    // @ts-expect-error learningRate is not an Adam option
    expect(() => new Adam([p], { learningRate: 0.01 })).toThrow(SimdoptError);
    // @ts-expect-error weight_decay is not a param-group key
    expect(() => new Adam([{ params: [p], weight_decay: 0.01 }])).toThrow(SimdoptError);
  });
});
