/**
 * Bad options: a SimdoptError naming the option, and the optimizer exactly as it was (lrs,
 * momentum, betas, no initialLr stored, its step not wrapped).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ChainedScheduler,
  ConstantLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  CyclicLR,
  ExponentialLR,
  init,
  LambdaLR,
  LinearLR,
  MultiplicativeLR,
  MultiStepLR,
  OneCycleLR,
  PolynomialLR,
  ReduceLROnPlateau,
  SequentialLR,
  SimdoptError,
  StepLR,
  type LRScheduler,
} from 'simdopt';
import { adam, plain, sgd } from './support/optimizers.js';

beforeAll(async () => {
  await init({ backend: 'js' });
});

type Opt = ReturnType<typeof sgd> | ReturnType<typeof adam> | ReturnType<typeof plain>;
type Build = (opt: Opt) => unknown;
// Options deliberately wrong: the constructors' static types are bypassed.
const any = (o: unknown) => o as never;
const f = () => 1;

/** [scheduler, what is wrong, construction, the option the error must name, optimizer kind]. */
const CASES: [string, string, Build, string, ('sgd' | 'adam' | 'plain' | 'sgd2')?][] = [
  ['any', 'not an optimizer', () => new StepLR(any({ paramGroups: [] }), { stepSize: 1 }), 'optimizer'],
  ['any', 'options not an object', (o) => new StepLR(o, any(5)), 'options'],
  ['StepLR', 'stepSize missing', (o) => new StepLR(o, any({})), 'stepSize'],
  ['StepLR', 'stepSize 0', (o) => new StepLR(o, { stepSize: 0 }), 'stepSize'],
  ['StepLR', 'stepSize 1.5', (o) => new StepLR(o, { stepSize: 1.5 }), 'stepSize'],
  ['StepLR', 'stepSize NaN', (o) => new StepLR(o, { stepSize: NaN }), 'stepSize'],
  ['StepLR', 'gamma 0', (o) => new StepLR(o, { stepSize: 2, gamma: 0 }), 'gamma'],
  ['StepLR', 'gamma −1', (o) => new StepLR(o, { stepSize: 2, gamma: -1 }), 'gamma'],
  ['StepLR', 'gamma Infinity', (o) => new StepLR(o, { stepSize: 2, gamma: Infinity }), 'gamma'],
  ['StepLR', 'PyTorch’s snake_case name', (o) => new StepLR(o, any({ step_size: 2 })), 'step_size'],
  ['MultiStepLR', 'milestones decreasing', (o) => new MultiStepLR(o, { milestones: [5, 3] }), 'milestones'],
  ['MultiStepLR', 'a negative milestone', (o) => new MultiStepLR(o, { milestones: [1, -1] }), 'milestones[1]'],
  ['MultiStepLR', 'a fractional milestone', (o) => new MultiStepLR(o, { milestones: [2.5] }), 'milestones[0]'],
  ['MultiStepLR', 'milestones not an array', (o) => new MultiStepLR(o, any({ milestones: 3 })), 'milestones'],
  ['MultiStepLR', 'gamma NaN', (o) => new MultiStepLR(o, { milestones: [3], gamma: NaN }), 'gamma'],
  ['ExponentialLR', 'gamma missing', (o) => new ExponentialLR(o, any({})), 'gamma'],
  ['ExponentialLR', 'gamma 0', (o) => new ExponentialLR(o, { gamma: 0 }), 'gamma'],
  ['ExponentialLR', 'gamma −Infinity', (o) => new ExponentialLR(o, { gamma: -Infinity }), 'gamma'],
  ['CosineAnnealingLR', 'tMax 0', (o) => new CosineAnnealingLR(o, { tMax: 0 }), 'tMax'],
  ['CosineAnnealingLR', 'tMax 2.5', (o) => new CosineAnnealingLR(o, { tMax: 2.5 }), 'tMax'],
  ['CosineAnnealingLR', 'tMax Infinity', (o) => new CosineAnnealingLR(o, { tMax: Infinity }), 'tMax'],
  ['CosineAnnealingLR', 'etaMin −0.1', (o) => new CosineAnnealingLR(o, { tMax: 5, etaMin: -0.1 }), 'etaMin'],
  ['CosineAnnealingLR', 'etaMin NaN', (o) => new CosineAnnealingLR(o, { tMax: 5, etaMin: NaN }), 'etaMin'],
  ['CosineAnnealingLR', 'PyTorch’s T_max', (o) => new CosineAnnealingLR(o, any({ T_max: 5 })), 'T_max'],
  ['CosineAnnealingWarmRestarts', 't0 0', (o) => new CosineAnnealingWarmRestarts(o, { t0: 0 }), 't0'],
  ['CosineAnnealingWarmRestarts', 'tMult 0', (o) => new CosineAnnealingWarmRestarts(o, { t0: 3, tMult: 0 }), 'tMult'],
  ['CosineAnnealingWarmRestarts', 'tMult 1.5', (o) => new CosineAnnealingWarmRestarts(o, { t0: 3, tMult: 1.5 }), 'tMult'],
  ['CosineAnnealingWarmRestarts', 'etaMin Infinity', (o) => new CosineAnnealingWarmRestarts(o, { t0: 3, etaMin: Infinity }), 'etaMin'],
  ['LinearLR', 'startFactor 0', (o) => new LinearLR(o, { startFactor: 0 }), 'startFactor'],
  ['LinearLR', 'startFactor 1.5', (o) => new LinearLR(o, { startFactor: 1.5 }), 'startFactor'],
  ['LinearLR', 'endFactor −0.1', (o) => new LinearLR(o, { endFactor: -0.1 }), 'endFactor'],
  ['LinearLR', 'endFactor 1.1', (o) => new LinearLR(o, { endFactor: 1.1 }), 'endFactor'],
  ['LinearLR', 'totalIters 0', (o) => new LinearLR(o, { totalIters: 0 }), 'totalIters'],
  ['ConstantLR', 'factor 0', (o) => new ConstantLR(o, { factor: 0 }), 'factor'],
  ['ConstantLR', 'factor 1.2', (o) => new ConstantLR(o, { factor: 1.2 }), 'factor'],
  ['ConstantLR', 'factor NaN', (o) => new ConstantLR(o, { factor: NaN }), 'factor'],
  ['ConstantLR', 'totalIters −1', (o) => new ConstantLR(o, { totalIters: -1 }), 'totalIters'],
  ['PolynomialLR', 'totalIters 0', (o) => new PolynomialLR(o, { totalIters: 0 }), 'totalIters'],
  ['PolynomialLR', 'power −1', (o) => new PolynomialLR(o, { power: -1 }), 'power'],
  ['PolynomialLR', 'power NaN', (o) => new PolynomialLR(o, { power: NaN }), 'power'],
  ['LambdaLR', 'lrLambda not a function', (o) => new LambdaLR(o, any({ lrLambda: 0.5 })), 'lrLambda'],
  ['LambdaLR', 'a list of the wrong length', (o) => new LambdaLR(o, { lrLambda: [f, f, f] }), 'lrLambda', 'sgd2'],
  ['LambdaLR', 'a list with a non-function', (o) => new LambdaLR(o, any({ lrLambda: [f, 3] })), 'lrLambda[1]', 'sgd2'],
  ['LambdaLR', 'lrLambda(0) not finite', (o) => new LambdaLR(o, { lrLambda: () => NaN }), 'lrLambda'],
  ['MultiplicativeLR', 'lrLambda missing', (o) => new MultiplicativeLR(o, any({})), 'lrLambda'],
  ['OneCycleLR', 'neither totalSteps nor epochs', (o) => new OneCycleLR(o, { maxLr: 0.1 }), 'totalSteps'],
  ['OneCycleLR', 'epochs without stepsPerEpoch', (o) => new OneCycleLR(o, { maxLr: 0.1, epochs: 3 }), 'totalSteps'],
  ['OneCycleLR', 'totalSteps 0', (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 0 }), 'totalSteps'],
  ['OneCycleLR', 'totalSteps 2.5', (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 2.5 }), 'totalSteps'],
  ['OneCycleLR', 'epochs 0', (o) => new OneCycleLR(o, { maxLr: 0.1, epochs: 0, stepsPerEpoch: 4 }), 'epochs'],
  ['OneCycleLR', 'stepsPerEpoch 1.5', (o) => new OneCycleLR(o, { maxLr: 0.1, epochs: 2, stepsPerEpoch: 1.5 }), 'stepsPerEpoch'],
  ['OneCycleLR', 'pctStart 1.5', (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, pctStart: 1.5 }), 'pctStart'],
  ['OneCycleLR', 'pctStart NaN', (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, pctStart: NaN }), 'pctStart'],
  ['OneCycleLR', 'a warm-up of 0 steps', (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 4, pctStart: 0.25 }), 'pctStart'],
  ['OneCycleLR', 'annealStrategy', (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, annealStrategy: any('exp') }), 'annealStrategy'],
  ['OneCycleLR', 'divFactor 0', (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, divFactor: 0 }), 'divFactor'],
  ['OneCycleLR', 'finalDivFactor −1', (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, finalDivFactor: -1 }), 'finalDivFactor'],
  ['OneCycleLR', 'maxLr NaN', (o) => new OneCycleLR(o, { maxLr: NaN, totalSteps: 10 }), 'maxLr'],
  ['OneCycleLR', 'maxLr list too short', (o) => new OneCycleLR(o, { maxLr: [0.1], totalSteps: 10 }), 'maxLr', 'sgd2'],
  ['OneCycleLR', 'maxLr list with a negative', (o) => new OneCycleLR(o, { maxLr: [0.1, -1], totalSteps: 10 }), 'maxLr[1]', 'sgd2'],
  ['OneCycleLR', 'baseMomentum −0.1', (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, baseMomentum: -0.1 }), 'baseMomentum'],
  ['OneCycleLR', 'maxMomentum 1 as beta1', (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, maxMomentum: 1 }), 'maxMomentum', 'adam'],
  ['OneCycleLR', 'momentum on an optimizer without it', (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10 }), 'cycleMomentum', 'plain'],
  ['CyclicLR', 'baseLr missing', (o) => new CyclicLR(o, any({ maxLr: 0.1 })), 'baseLr'],
  ['CyclicLR', 'maxLr −1', (o) => new CyclicLR(o, { baseLr: 0.01, maxLr: -1 }), 'maxLr'],
  ['CyclicLR', 'stepSizeUp 0', (o) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 0 }), 'stepSizeUp'],
  ['CyclicLR', 'stepSizeDown −1', (o) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeDown: -1 }), 'stepSizeDown'],
  ['CyclicLR', 'mode', (o) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, mode: any('sine') }), 'mode'],
  ['CyclicLR', 'gamma 0', (o) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, mode: 'exp_range', gamma: 0 }), 'gamma'],
  ['CyclicLR', 'scaleFn not a function', (o) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, scaleFn: any(2) }), 'scaleFn'],
  ['CyclicLR', 'scaleMode', (o) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, scaleMode: any('epoch') }), 'scaleMode'],
  ['CyclicLR', 'baseMomentum NaN', (o) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, baseMomentum: NaN }), 'baseMomentum'],
  ['CyclicLR', 'momentum on an optimizer without it', (o) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1 }), 'cycleMomentum', 'plain'],
  ['ReduceLROnPlateau', 'mode', (o) => new ReduceLROnPlateau(o, { mode: any('avg') }), 'mode'],
  ['ReduceLROnPlateau', 'factor 1', (o) => new ReduceLROnPlateau(o, { factor: 1 }), 'factor'],
  ['ReduceLROnPlateau', 'factor −0.1', (o) => new ReduceLROnPlateau(o, { factor: -0.1 }), 'factor'],
  ['ReduceLROnPlateau', 'patience −1', (o) => new ReduceLROnPlateau(o, { patience: -1 }), 'patience'],
  ['ReduceLROnPlateau', 'patience 1.5', (o) => new ReduceLROnPlateau(o, { patience: 1.5 }), 'patience'],
  ['ReduceLROnPlateau', 'threshold NaN', (o) => new ReduceLROnPlateau(o, { threshold: NaN }), 'threshold'],
  ['ReduceLROnPlateau', 'thresholdMode', (o) => new ReduceLROnPlateau(o, { thresholdMode: any('pct') }), 'thresholdMode'],
  ['ReduceLROnPlateau', 'cooldown −1', (o) => new ReduceLROnPlateau(o, { cooldown: -1 }), 'cooldown'],
  ['ReduceLROnPlateau', 'minLr list too short', (o) => new ReduceLROnPlateau(o, { minLr: [0.1] }), 'minLr', 'sgd2'],
  ['ReduceLROnPlateau', 'minLr −1', (o) => new ReduceLROnPlateau(o, { minLr: -1 }), 'minLr'],
  ['ReduceLROnPlateau', 'eps NaN', (o) => new ReduceLROnPlateau(o, { eps: NaN }), 'eps'],
  ['ChainedScheduler', 'no schedulers', () => new ChainedScheduler([]), 'schedulers'],
];

function snapshot(opt: Opt): unknown {
  // Everything a scheduler could write, and whether it wrapped the optimizer's step.
  return { groups: structuredClone(opt.paramGroups.map(({ params: _p, ...options }) => options)), ownStep: Object.hasOwn(opt, 'step') };
}

function make(kind: string | undefined): Opt {
  if (kind === 'adam') return adam();
  if (kind === 'plain') return plain();
  if (kind === 'sgd2') return sgd([0.1, 0.01]);
  return sgd();
}

describe('bad scheduler options', () => {
  it.each(CASES.map(([cls, what, build, arg, kind]) => [`${cls}: ${what}`, build, arg, kind] as const))(
    '%s',
    (_name, build, arg, kind) => {
      const opt = make(kind);
      const before = snapshot(opt);
      let error: unknown;
      try {
        build(opt);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SimdoptError);
      expect((error as SimdoptError).argument).toBe(arg);
      expect((error as SimdoptError).message).toContain(arg);
      expect(snapshot(opt)).toEqual(before);
    },
  );

  it('cycleMomentum false is fine on an optimizer without momentum', () => {
    const opt = plain();
    const s = new OneCycleLR(opt, { maxLr: 0.1, totalSteps: 10, cycleMomentum: false });
    // cos anneal at pct 0: end + (start − end)/2·2, within an ulp of maxLr/divFactor.
    expect(s.getLastLr()[0]).toBeCloseTo(0.1 / 25, 15);
    expect(new CyclicLR(plain(), { baseLr: 0.01, maxLr: 0.1, cycleMomentum: false }).getLastLr()).toEqual([0.01]);
  });

  describe('composites (checked after their children changed the lr, before changing it again)', () => {
    const kids = (opt: Opt): LRScheduler[] => [new LinearLR(opt, { totalIters: 3 }), new ExponentialLR(opt, { gamma: 0.9 })];
    /** [what is wrong, (optimizer) → (children built) → the composite's construction, the option named]. */
    const COMPOSITE: [string, (o: Opt) => () => unknown, string][] = [
      ['SequentialLR: no schedulers', (o) => () => new SequentialLR(o, { schedulers: [], milestones: [] }), 'schedulers'],
      ['SequentialLR: one milestone too many', (o) => { const k = kids(o); return () => new SequentialLR(o, { schedulers: k, milestones: [3, 5] }); }, 'milestones'],
      ['SequentialLR: milestones not increasing', (o) => { const k = [...kids(o), new StepLR(o, { stepSize: 2 })]; return () => new SequentialLR(o, { schedulers: k, milestones: [5, 5] }); }, 'milestones'],
      ['SequentialLR: milestone 0', (o) => { const k = kids(o); return () => new SequentialLR(o, { schedulers: k, milestones: [0] }); }, 'milestones[0]'],
      ['SequentialLR: a ReduceLROnPlateau child', (o) => { const k = [kids(o)[0], any(new ReduceLROnPlateau(o))]; return () => new SequentialLR(o, { schedulers: k, milestones: [3] }); }, 'schedulers[1]'],
      ['SequentialLR: a child of another optimizer', (o) => { const k = [kids(o)[0], new StepLR(sgd(), { stepSize: 1 })]; return () => new SequentialLR(o, { schedulers: k, milestones: [3] }); }, 'schedulers[1]'],
      ['SequentialLR: a ChainedScheduler after the first', (o) => { const k = [kids(o)[0], new ChainedScheduler(kids(o))]; return () => new SequentialLR(o, { schedulers: k, milestones: [3] }); }, 'schedulers[1]'],
      ['ChainedScheduler: no schedulers', () => () => new ChainedScheduler([]), 'schedulers'],
      ['ChainedScheduler: a ReduceLROnPlateau child', (o) => { const k = [any(new ReduceLROnPlateau(o))]; return () => new ChainedScheduler(k); }, 'schedulers[0]'],
      ['ChainedScheduler: children of two optimizers', (o) => { const k = [kids(o)[0], new StepLR(sgd(), { stepSize: 1 })]; return () => new ChainedScheduler(k); }, 'schedulers[1]'],
      ['ChainedScheduler: optimizer not an Optimizer', (o) => { const k = kids(o); return () => new ChainedScheduler(k, any({ optimizer: {} })); }, 'optimizer'],
      ['ChainedScheduler: optimizer not the children’s', (o) => { const k = kids(o); return () => new ChainedScheduler(k, { optimizer: sgd() }); }, 'schedulers[0]'],
    ];
    it.each(COMPOSITE)('%s', (_name, prepare, arg) => {
      const opt = sgd();
      const build = prepare(opt);
      const before = snapshot(opt);
      let error: unknown;
      try {
        build();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SimdoptError);
      expect((error as SimdoptError).argument).toBe(arg);
      expect(snapshot(opt)).toEqual(before);
    });
  });
});
