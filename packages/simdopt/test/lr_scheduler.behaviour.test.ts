/**
 * PyTorch's scheduler behaviours that the reference vectors do not pin down on their own:
 * the constructor's step, composition and manual changes (the recurrences), the edges of
 * OneCycleLR, CyclicLR and SGDR, ReduceLROnPlateau's bookkeeping, state dicts of the families
 * without vectors, and a scheduled lr actually reaching the optimizer's update.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ChainedScheduler,
  ConstantLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  SWALR,
  CyclicLR,
  ExponentialLR,
  init,
  LambdaLR,
  LinearLR,
  MultiplicativeLR,
  OneCycleLR,
  Parameter,
  ReduceLROnPlateau,
  SequentialLR,
  SGD,
  SimdoptError,
  StepLR,
  type LRScheduler,
  type SchedulerState,
} from 'simdopt';
import { thrown } from './support/harness.js';
import { adam, lrsOf, sgd } from './support/optimizers.js';

beforeAll(async () => {
  await init({ backend: 'js' });
});

/** Steps optimizer and scheduler `n` times (optimizer first, as a training loop does). */
function run(opt: { step(): unknown }, s: LRScheduler, n: number): number[] {
  const lrs: number[] = [];
  for (let i = 0; i < n; i++) {
    opt.step();
    s.step();
    lrs.push(s.getLastLr()[0]);
  }
  return lrs;
}


describe('construction', () => {
  it('takes the initial step: the lr is already epoch 0’s', () => {
    const opt = sgd([0.3]);
    const s = new LinearLR(opt, { startFactor: 0.5 });
    expect(lrsOf(opt)).toEqual([0.15]);
    expect(s.getLastLr()).toEqual([0.15]);
    expect(s.lastEpoch).toBe(0);
    expect(new ConstantLR(sgd([0.3]), { factor: 0.5 }).getLastLr()).toEqual([0.15]);
  });

  it('a second scheduler keeps the first one’s initialLr (its base)', () => {
    const opt = sgd([0.4]);
    new LinearLR(opt, { startFactor: 0.5 });
    const second = new CosineAnnealingLR(opt, { tMax: 4 });
    expect((opt.paramGroups[0] as { initialLr?: number }).initialLr).toBe(0.4);
    opt.paramGroups[0].lr = 0.4; // back at the base: the cosine then follows its closed form from 0.4
    second.step();
    expect(second.getLastLr()[0]).toBeCloseTo((0.4 * (1 + Math.cos(Math.PI / 4))) / 2, 15);
  });

  it('getLastLr() returns a copy', () => {
    const s = new StepLR(sgd(), { stepSize: 1 });
    s.getLastLr()[0] = 42;
    expect(s.getLastLr()).toEqual([0.1]);
  });
});

describe('chainable forms (PyTorch’s recurrences)', () => {
  it('a manual lr change persists through StepLR', () => {
    const opt = sgd([0.1]);
    const s = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
    opt.paramGroups[0].lr = 1;
    expect(run(opt, s, 4)).toEqual([1, 0.5, 0.5, 0.25]);
  });

  it('a manual lr change persists through CosineAnnealingLR (the recurrence scales the current lr)', () => {
    const opt = sgd([0.1]);
    const s = new CosineAnnealingLR(opt, { tMax: 10 });
    s.step();
    opt.step();
    const before = opt.paramGroups[0].lr;
    opt.paramGroups[0].lr = before * 2;
    s.step();
    const ratio = (1 + Math.cos((2 * Math.PI) / 10)) / (1 + Math.cos(Math.PI / 10));
    expect(s.getLastLr()[0]).toBeCloseTo(before * 2 * ratio, 15);
  });

  it('ConstantLR restores by 1/factor at exactly totalIters, keeping a manual change', () => {
    const opt = sgd([0.1]);
    const s = new ConstantLR(opt, { factor: 0.5, totalIters: 3 });
    expect(s.getLastLr()).toEqual([0.05]);
    opt.paramGroups[0].lr = 0.02;
    expect(run(opt, s, 4)).toEqual([0.02, 0.02, 0.04, 0.04]);
  });

  it('two schedulers stepped in turn multiply, exactly as ChainedScheduler does', () => {
    const a = sgd([0.1]);
    const sa = [new ExponentialLR(a, { gamma: 0.9 }), new StepLR(a, { stepSize: 3, gamma: 0.5 })];
    const b = sgd([0.1]);
    const chained = new ChainedScheduler([new ExponentialLR(b, { gamma: 0.9 }), new StepLR(b, { stepSize: 3, gamma: 0.5 })]);
    const apart: number[] = [];
    for (let i = 0; i < 7; i++) {
      a.step();
      sa.forEach((s) => s.step());
      apart.push(lrsOf(a)[0]);
    }
    expect(run(b, chained, 7)).toEqual(apart);
    expect(apart[6]).toBeCloseTo(0.1 * 0.9 ** 7 * 0.25, 15);
    expect(chained.lastEpoch).toBe(7);
  });

  it('CosineAnnealingLR rises again past tMax and is back at the base at 2·tMax', () => {
    const opt = sgd([0.1]);
    const s = new CosineAnnealingLR(opt, { tMax: 5, etaMin: 0.01 });
    const lrs = run(opt, s, 10);
    expect(lrs[4]).toBeCloseTo(0.01, 15); // tMax
    expect(lrs[5]).toBeGreaterThan(lrs[4]);
    expect(lrs[9]).toBeCloseTo(0.1, 14); // 2·tMax
  });
});

describe('SequentialLR', () => {
  it('restarts the next child from its base through its closed form at the milestone', () => {
    const opt = sgd([0.1]);
    const warm = new ConstantLR(opt, { factor: 0.1, totalIters: 10 });
    const decay = new ExponentialLR(opt, { gamma: 0.5 });
    const s = new SequentialLR(opt, { schedulers: [warm, decay], milestones: [2] });
    expect(s.getLastLr()).toEqual([0.1 * 0.1]);
    const lrs = run(opt, s, 4);
    // At the milestone the exponential starts over at 0.1·0.5^0, not from ConstantLR's 0.01.
    expect(lrs).toEqual([0.1 * 0.1, 0.1, 0.05, 0.025]);
    expect(s.lastEpoch).toBe(4);
  });
});

describe('OneCycleLR', () => {
  it('allows one step beyond the schedule (linear extrapolates below 0), then refuses and changes nothing', () => {
    const opt = sgd([0.1]);
    const s = new OneCycleLR(opt, { maxLr: 0.1, totalSteps: 10, annealStrategy: 'linear' });
    for (let i = 0; i < 9; i++) s.step();
    expect(s.getLastLr()[0]).toBeCloseTo(0.1 / 25 / 1e4, 15); // step N − 1: minLr
    s.step(); // step N: extrapolated
    expect(s.getLastLr()[0]).toBeLessThan(0);
    const state = s.stateDict();
    const groups = structuredClone(opt.paramGroups.map(({ params: _p, ...o }) => o));
    const e = thrown(() => s.step());
    expect(e.argument).toBe('totalSteps');
    expect(e.message).toMatch(/tried to step 11 times.*total steps is 10/);
    expect(s.stateDict()).toEqual(state);
    expect(opt.paramGroups.map(({ params: _p, ...o }) => o)).toEqual(groups);
  });

  it('epochs × stepsPerEpoch is totalSteps', () => {
    const a = sgd();
    const b = sgd();
    const x = new OneCycleLR(a, { maxLr: 0.2, epochs: 3, stepsPerEpoch: 7 });
    const y = new OneCycleLR(b, { maxLr: 0.2, totalSteps: 21 });
    expect(run(a, x, 21)).toEqual(run(b, y, 21));
    expect(() => x.step()).toThrow(SimdoptError);
  });

  it('cycles beta1 on Adam (max → base at the peak → max) and keeps beta2', () => {
    const opt = adam([0.1]);
    const s = new OneCycleLR(opt, { maxLr: 0.1, totalSteps: 10, pctStart: 0.4, maxMomentum: 0.95, baseMomentum: 0.85 });
    expect(opt.paramGroups[0].betas).toEqual([0.95, 0.999]);
    for (let i = 0; i < 3; i++) s.step(); // the peak at pct·N − 1 = 3
    expect(opt.paramGroups[0].betas).toEqual([0.85, 0.999]);
    for (let i = 0; i < 6; i++) s.step();
    expect(opt.paramGroups[0].betas[0]).toBeCloseTo(0.95, 15);
  });

  it('overwrites initialLr (ignoring the optimizer’s lr and an earlier scheduler’s base)', () => {
    const opt = sgd([0.7]);
    new StepLR(opt, { stepSize: 5 });
    new OneCycleLR(opt, { maxLr: 0.5, totalSteps: 10, divFactor: 5 });
    expect((opt.paramGroups[0] as { initialLr?: number }).initialLr).toBe(0.1);
  });
});

describe('CyclicLR', () => {
  it('overwrites the lr with baseLr and the momentum with maxMomentum', () => {
    const opt = sgd([0.7], 0);
    const s = new CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3 });
    expect(lrsOf(opt)).toEqual([0.01]);
    expect(opt.paramGroups[0].momentum).toBe(0.9);
    expect(s.getLastLr()).toEqual([0.01]);
  });

  it('with an initialLr already stored, starts there (PyTorch takes base_lrs from it for the first step)', () => {
    const opt = sgd([0.7]);
    new StepLR(opt, { stepSize: 5 }); // stores initialLr 0.7
    const s = new CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2 });
    expect(s.getLastLr()).toEqual([0.7]);
    s.step(); // then from baseLr
    expect(s.getLastLr()[0]).toBeCloseTo(0.055, 15);
  });

  it('exp_range scales the amplitude by gamma^iteration', () => {
    const opt = sgd();
    const s = new CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3, stepSizeDown: 5, mode: 'exp_range', gamma: 0.9 });
    const lrs = [s.getLastLr()[0], ...run(opt, s, 24)];
    lrs.forEach((lr, e) => {
      const x = (e % 8) / 8;
      const height = x <= 3 / 8 ? x / (3 / 8) : (x - 1) / (3 / 8 - 1);
      expect(lr).toBeCloseTo(0.01 + 0.09 * height * 0.9 ** e, 15);
    });
  });

  it('a custom scaleFn replaces the mode and is evaluated per scaleMode', () => {
    const seen: number[] = [];
    const opt = sgd();
    const s = new CyclicLR(opt, { baseLr: 0, maxLr: 1, stepSizeUp: 2, scaleFn: (x) => (seen.push(x), 0.5), scaleMode: 'iterations' });
    run(opt, s, 3);
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(s.getLastLr()[0]).toBeCloseTo(0.25, 15); // height 0.5 at iteration 3, times 0.5
  });
});

describe('CosineAnnealingWarmRestarts', () => {
  it('restarts exactly at the base lr after t0, t0·tMult, …', () => {
    const opt = sgd([0.1]);
    const s = new CosineAnnealingWarmRestarts(opt, { t0: 2, tMult: 2 });
    const lrs = run(opt, s, 14);
    // Restarts at epochs 2, 6, 14.
    expect([lrs[1], lrs[5], lrs[13]]).toEqual([0.1, 0.1, 0.1]);
  });

  it('step(epoch) takes a fractional epoch and recomputes the position (tMult 1 and 2)', () => {
    const a = new CosineAnnealingWarmRestarts(sgd([0.1]), { t0: 10, etaMin: 0.01 });
    a.step(12.5);
    expect(a.getLastLr()[0]).toBeCloseTo(0.01 + (0.09 * (1 + Math.cos((Math.PI * 2.5) / 10))) / 2, 15);
    expect(a.lastEpoch).toBe(12);
    const b = new CosineAnnealingWarmRestarts(sgd([0.1]), { t0: 10, tMult: 2 });
    b.step(20); // second period: T_i = 20, T_cur = 10
    expect(b.getLastLr()[0]).toBeCloseTo((0.1 * (1 + Math.cos(Math.PI / 2))) / 2, 15);
    b.step(); // T_cur = 11 of 20
    expect(b.getLastLr()[0]).toBeCloseTo((0.1 * (1 + Math.cos((11 * Math.PI) / 20))) / 2, 15);
    expect(thrown(() => b.step(-1)).argument).toBe('epoch');
    expect(thrown(() => b.step(NaN)).argument).toBe('epoch');
  });
});

describe('LambdaLR and MultiplicativeLR', () => {
  it('a lambda returning NaN is an error that changes nothing', () => {
    const opt = sgd([0.1]);
    const s = new MultiplicativeLR(opt, { lrLambda: (e) => (e === 2 ? NaN : 0.5) });
    s.step();
    const e = thrown(() => s.step());
    expect(e.argument).toBe('lrLambda');
    expect(s.lastEpoch).toBe(1);
    expect(lrsOf(opt)).toEqual([0.05]);
  });
});

describe('ReduceLROnPlateau', () => {
  it('does not step at construction nor store initialLr', () => {
    const opt = sgd([0.1]);
    const s = new ReduceLROnPlateau(opt);
    expect(s.getLastLr()).toEqual([0.1]);
    expect(s.lastEpoch).toBe(0);
    expect(opt.paramGroups[0]).not.toHaveProperty('initialLr');
  });

  it('skips a reduction smaller than eps', () => {
    const opt = sgd([1e-8]);
    const s = new ReduceLROnPlateau(opt, { patience: 0, factor: 0.5 });
    s.step(1);
    s.step(2);
    expect(s.getLastLr()).toEqual([1e-8]); // 1e-8 − 5e-9 is not > eps = 1e-8
    const t = new ReduceLROnPlateau(sgd([1e-8]), { patience: 0, factor: 0.5, eps: 0 });
    t.step(1);
    t.step(2);
    expect(t.getLastLr()).toEqual([5e-9]);
  });

  it('spreads a scalar minLr over a group added later; a list must be updated (error, nothing changed)', () => {
    const opt = sgd([0.1]);
    const s = new ReduceLROnPlateau(opt, { patience: 0, minLr: 0.05 });
    opt.addParamGroup({ params: [Parameter.zeros(1)], lr: 0.2 });
    s.step(1);
    s.step(2);
    expect(s.getLastLr()).toEqual([0.05, 0.05]);

    const opt2 = sgd([0.1]);
    const t = new ReduceLROnPlateau(opt2, { patience: 0, minLr: [0.05] });
    opt2.addParamGroup({ params: [Parameter.zeros(1)], lr: 0.2 });
    t.step(1);
    const state = t.stateDict();
    expect(thrown(() => t.step(2)).argument).toBe('minLr');
    expect(t.stateDict()).toEqual(state);
    expect(lrsOf(opt2)).toEqual([0.1, 0.2]);
  });

  it('survives JSON with best = ±Infinity and continues identically', () => {
    for (const mode of ['min', 'max'] as const) {
      const a = new ReduceLROnPlateau(sgd([0.1]), { mode, patience: 1, cooldown: 1 });
      const text = JSON.stringify(a.stateDict());
      expect(text).toContain(mode === 'min' ? '"Infinity"' : '"-Infinity"');
      const b = new ReduceLROnPlateau(sgd([0.1]), { mode: mode === 'min' ? 'max' : 'min' });
      b.loadStateDict(JSON.parse(text));
      for (const m of [1, 1, 1, 1, 0.5, 0.5, 0.5, 2]) {
        a.step(m);
        b.step(m);
      }
      expect(b.stateDict()).toEqual(a.stateDict());
      expect(b.getLastLr()).toEqual(a.getLastLr());
    }
  });

  it('a NaN metric is a bad step (as in PyTorch); a non-number is an error', () => {
    const s = new ReduceLROnPlateau(sgd([0.1]), { patience: 0 });
    s.step(1);
    s.step(NaN);
    expect(s.getLastLr()[0]).toBeCloseTo(0.01, 15);
    expect(thrown(() => s.step('1' as never)).argument).toBe('metric');
  });
});

describe('state dicts', () => {
  /** Families without reference vectors (their options cannot live in JSON) resume too. */
  const FAMILIES: [string, (opt: SGD | ReturnType<typeof adam>) => LRScheduler, 'sgd' | 'adam'][] = [
    ['LambdaLR', (o) => new LambdaLR(o, { lrLambda: (e) => 1 / (1 + e) }), 'sgd'],
    ['MultiplicativeLR', (o) => new MultiplicativeLR(o, { lrLambda: (e) => (e % 3 ? 0.9 : 1.1) }), 'sgd'],
    ['CyclicLR exp_range on Adam', (o) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3, mode: 'exp_range', gamma: 0.95 }), 'adam'],
    ['CyclicLR custom scaleFn', (o) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 4, scaleFn: (x) => 1 / x }), 'sgd'],
    ['OneCycleLR three-phase on Adam', (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 30, threePhase: true }), 'adam'],
    ['CosineAnnealingWarmRestarts tMult 3', (o) => new CosineAnnealingWarmRestarts(o, { t0: 2, tMult: 3, etaMin: 0.001 }), 'sgd'],
    ['SWALR cos', (o) => new SWALR(o, { swaLr: 0.01, annealEpochs: 7 }), 'sgd'],
    ['SWALR linear per group on Adam', (o) => new SWALR(o, { swaLr: [0.02, 0.01], annealEpochs: 5, annealStrategy: 'linear' }), 'adam'],
  ];
  it.each(FAMILIES)('%s resumes at several cut points', (_name, build, kind) => {
    const make = () => (kind === 'adam' ? adam([0.1, 0.05]) : sgd([0.1, 0.05]));
    const trace = (opt: ReturnType<typeof make>, s: LRScheduler, from: number, to: number) => {
      const out: unknown[] = [];
      for (let k = from; k < to; k++) {
        opt.step();
        s.step();
        out.push([s.getLastLr(), opt.paramGroups.map((g) => ('betas' in g ? g.betas : g.momentum))]);
      }
      return out;
    };
    const wholeOpt = make();
    const whole = trace(wholeOpt, build(wholeOpt), 0, 30);
    for (const cut of [1, 4, 11, 29]) {
      const headOpt = make();
      const head = build(headOpt);
      trace(headOpt, head, 0, cut);
      const savedOpt = structuredClone(headOpt.stateDict());
      const savedSched = JSON.parse(JSON.stringify(head.stateDict())) as SchedulerState;
      expect(JSON.stringify(savedSched)).not.toMatch(/lrLambda|scaleFn/); // functions are not state
      const tailOpt = make();
      const tail = build(tailOpt);
      tailOpt.loadStateDict(savedOpt);
      tail.loadStateDict(savedSched);
      expect(trace(tailOpt, tail, cut, 30)).toEqual(whole.slice(cut));
    }
  });

  it('SequentialLR and ChainedScheduler restore their children', () => {
    const build = (opt: SGD) => {
      const seq = new SequentialLR(opt, {
        schedulers: [new LinearLR(opt, { startFactor: 0.2, totalIters: 3 }), new CosineAnnealingLR(opt, { tMax: 6 })],
        milestones: [3],
      });
      return new ChainedScheduler([seq, new ExponentialLR(opt, { gamma: 0.97 })]);
    };
    const a = sgd();
    const sa = build(a);
    const whole = run(a, sa, 12);
    const b = sgd();
    const sb = build(b);
    run(b, sb, 5);
    const c = sgd();
    const sc = build(c);
    c.loadStateDict(structuredClone(b.stateDict()));
    sc.loadStateDict(JSON.parse(JSON.stringify(sb.stateDict())));
    expect(run(c, sc, 7)).toEqual(whole.slice(5));
  });

  it('a state that does not fit is a SimdoptError naming the field, and changes nothing', () => {
    const opt = sgd([0.1, 0.01]);
    const s = new StepLR(opt, { stepSize: 2 });
    s.step();
    const good = s.stateDict();
    const bad: [unknown, string][] = [
      [null, 'stateDict'],
      [{ ...good, version: 2 }, 'stateDict.version'],
      [{ ...good, scheduler: 'ExponentialLR' }, 'stateDict.scheduler'],
      [{ ...good, lastEpoch: 'x' }, 'stateDict.lastEpoch'],
      [{ ...good, stepCount: -1 }, 'stateDict.stepCount'],
      [{ ...good, baseLrs: [0.1] }, 'stateDict.baseLrs'],
      [{ ...good, lastLr: [0.1, NaN] }, 'stateDict.lastLr'],
      [{ ...good, stepSize: 0 }, 'stateDict.stepSize'],
      [{ ...good, gamma: undefined }, 'stateDict.gamma'],
    ];
    const other = new StepLR(sgd([0.1, 0.01]), { stepSize: 5, gamma: 0.5 });
    const before = other.stateDict();
    for (const [state, arg] of bad) {
      if (arg === 'stateDict.gamma') {
        // A missing option keeps the scheduler's own value (PyTorch's dict update); the rest loads.
        other.loadStateDict(state as SchedulerState);
        expect(other.stateDict()).toEqual({ ...good, gamma: 0.5 });
        other.loadStateDict(before);
        continue;
      }
      expect(thrown(() => other.loadStateDict(state as SchedulerState)).argument).toBe(arg);
      expect(other.stateDict()).toEqual(before);
    }
  });

  it('a SequentialLR state with one bad child changes neither the parent nor the other children', () => {
    const build = () => {
      const opt = sgd();
      return new SequentialLR(opt, {
        schedulers: [new LinearLR(opt, { totalIters: 2 }), new ExponentialLR(opt, { gamma: 0.5 })],
        milestones: [2],
      });
    };
    const a = build();
    for (let i = 0; i < 4; i++) a.step();
    const state = a.stateDict() as SchedulerState & { schedulers: SchedulerState[] };
    state.schedulers[1] = { ...state.schedulers[1], gamma: -1 };
    const b = build();
    const before = b.stateDict();
    expect(thrown(() => b.loadStateDict(state)).argument).toBe('stateDict.schedulers[1].gamma');
    expect(b.stateDict()).toEqual(before);
  });
});

describe('the optimizer steps with the scheduled lr', () => {
  it('SGD moves each parameter by the lr the scheduler set', () => {
    const p = Parameter.zeros(1);
    const opt = new SGD([p], { lr: 1 });
    const s = new StepLR(opt, { stepSize: 1, gamma: 0.5 });
    p.grad[0] = 1;
    let expected = 0;
    for (let i = 0; i < 4; i++) {
      expected -= opt.paramGroups[0].lr;
      opt.step();
      s.step();
      expect(p.data[0]).toBe(expected);
    }
    expect(expected).toBe(-(1 + 0.5 + 0.25 + 0.125));
  });
});
