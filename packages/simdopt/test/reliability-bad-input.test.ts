/**
 * One table of bad input across the whole public surface. Every case must throw a SimdoptError
 * that names the argument at fault, and leave everything a user can observe byte for byte as it
 * was: every parameter's values and gradient, the optimizer's state dict and param groups, the
 * schedulers' state, the dropout mask sequence, the caller's output arrays and the active backend.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Adafactor,
  Muon,
  Adadelta,
  Adagrad,
  Adam,
  Adamax,
  AdamW,
  ASGD,
  AveragedModel,
  LBFGS,
  Rprop,
  SWALR,
  backendInfo,
  batches,
  bceWithLogitsLoss,
  checkpoint,
  clipGradNorm,
  clipGradValue,
  ChainedScheduler,
  ConstantLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  LinearLR,
  PolynomialLR,
  crossEntropyLoss,
  CyclicLR,
  Dropout,
  ExponentialLR,
  huberLoss,
  init,
  l1Penalty,
  l2Penalty,
  LambdaLR,
  Lion,
  ADOPT,
  LAMB,
  ScheduleFreeAdamW,
  ScheduleFreeSGD,
  loadState,
  mseLoss,
  MultiplicativeLR,
  MultiStepLR,
  NAdam,
  nn,
  OneCycleLR,
  Parameter,
  RAdam,
  ReduceLROnPlateau,
  restore,
  RMSprop,
  saveState,
  SequentialLR,
  SGD,
  SimdoptError,
  smoothL1Loss,
  StepLR,
  type Checkpoint,
  type OptimizerState,
} from 'simdopt';
import { sameState, values } from './support/harness.js';
import { BACKENDS } from './support/vectors.js';
import { OPTIMIZERS } from '../src/optim/registry.js';
import { CLOSURE_OPTIMIZERS } from './support/reference.js';

/** Everything the cases act on; made fresh for each case. */
interface World {
  w: Parameter;
  b: Parameter;
  /** Gradient holds NaN (for errorIfNonfinite). */
  nanGrad: Parameter;
  disposed: Parameter;
  /** Made under a backend that init() has since replaced. */
  stale: Parameter;
  staleLinear: nn.Linear;
  staleOpt: SGD;
  opt: Adam;
  disposedOpt: SGD;
  /** An SGD over [w, a parameter disposed after the optimizer was built]. */
  pairOpt: SGD;
  /** A Linear whose bias was disposed directly (its weight is live, with a gradient). */
  pairModel: nn.Linear;
  sched: StepLR;
  plateau: ReduceLROnPlateau;
  drop: Dropout;
  linear: nn.Linear;
  model: nn.Sequential;
  disposedLinear: nn.Linear;
  x: Float32Array;
  /** x shifted by one element: overlaps x without being x. */
  shifted: Float32Array;
  y: Float32Array;
  /** A caller's gradient buffer that a refused loss must not touch. */
  out: Float32Array;
  logits: Float32Array;
  targets: Int32Array;
  good: OptimizerState;
  ckpt: Checkpoint;
}

type Case = [label: string, argument: string, act: (w: World) => unknown];

/** A Schedule-Free group's bookkeeping as `stateDict().paramGroups` carries it. */
const SF_BOOK = { k: 2, trainMode: true, weightSum: 0.5, lrMax: 0.01, scheduledLr: 0.01 };

// Deliberately wrong arguments bypass the static types.
const any = (v: unknown) => v as never;

const CASES: Case[] = [
  // --- optimizers: hyperparameters ---
  ['SGD negative lr', 'lr', (o) => new SGD([o.w], { lr: -1 })],
  ['Adam NaN lr', 'lr', (o) => new Adam([o.w], { lr: NaN })],
  ['Adam infinite lr', 'lr', (o) => new Adam([o.w], { lr: Infinity })],
  ['Adam beta1 = 1', 'betas[0]', (o) => new Adam([o.w], { betas: [1, 0.999] })],
  ['AdamW NaN beta2', 'betas[1]', (o) => new AdamW([o.w], { betas: [0.9, NaN] })],
  ['Adam negative eps', 'eps', (o) => new Adam([o.w], { eps: -1e-8 })],
  ['RMSprop negative alpha', 'alpha', (o) => new RMSprop([o.w], { alpha: -0.5 })],
  ['RMSprop negative momentum', 'momentum', (o) => new RMSprop([o.w], { momentum: -0.1 })],
  ['Adagrad negative lrDecay', 'lrDecay', (o) => new Adagrad([o.w], { lrDecay: -1 })],
  ['Adagrad NaN initialAccumulatorValue', 'initialAccumulatorValue', (o) => new Adagrad([o.w], { initialAccumulatorValue: NaN })],
  ['Adadelta rho > 1', 'rho', (o) => new Adadelta([o.w], { rho: 2 })],
  ['Adamax infinite eps', 'eps', (o) => new Adamax([o.w], { eps: Infinity })],
  ['NAdam negative momentumDecay', 'momentumDecay', (o) => new NAdam([o.w], { momentumDecay: -1 })],
  ['RAdam NaN weightDecay', 'weightDecay', (o) => new RAdam([o.w], { weightDecay: NaN })],
  ['Lion betas not an array', 'betas', (o) => new Lion([o.w], { betas: any('0.9') })],
  ['LAMB negative epsRoot', 'epsRoot', (o) => new LAMB([o.w], { epsRoot: -1 })],
  ['ScheduleFreeAdamW fractional warmupSteps', 'warmupSteps', (o) => new ScheduleFreeAdamW([o.w], { warmupSteps: 1.5 })],
  ['ScheduleFreeSGD momentum 0', 'momentum', (o) => new ScheduleFreeSGD([o.w], { momentum: 0 })],
  ['ScheduleFreeSGD step() in eval mode', 'trainMode', (o) => new ScheduleFreeSGD([o.w]).step()],
  ['ADOPT non-boolean decouple', 'decouple', (o) => new ADOPT([o.w], { decouple: any(1) })],
  ['ADOPT clipLambda not a function', 'clipLambda', (o) => new ADOPT([o.w], { clipLambda: any(0.25) })],
  ['ADOPT clipLambda in a param group', 'paramGroups[0].clipLambda', (o) => new ADOPT([any({ params: [o.w], clipLambda: () => 1 })])],
  // Schedule-Free's bookkeeping fields pass the unknown-key check in a group; a misspelt option beside them does not.
  ['ScheduleFreeAdamW group with bookkeeping and warmup_steps', 'paramGroups[0].warmup_steps', (o) => new ScheduleFreeAdamW([any({ params: [o.w], ...SF_BOOK, warmup_steps: 3 })])],
  ['ScheduleFreeSGD addParamGroup with bookkeeping and weightLRPower', 'paramGroup.weightLRPower', (o) => new ScheduleFreeSGD([o.b]).addParamGroup(any({ params: [o.w], ...SF_BOOK, weightLRPower: 2 }))],
  ['ScheduleFreeSGD negative weightSum in a group', 'paramGroups[0].weightSum', (o) => new ScheduleFreeSGD([any({ params: [o.w], ...SF_BOOK, weightSum: -1 })])],
  ['ScheduleFreeAdamW bookkeeping k as a constructor option', 'k', (o) => new ScheduleFreeAdamW([o.w], any({ k: 3 }))],
  ['SGD nesterov without momentum', 'nesterov', (o) => new SGD([o.w], { nesterov: true })],
  ['SGD non-boolean maximize', 'maximize', (o) => new SGD([o.w], { maximize: any(1) })],
  ['Adam non-boolean skipNonFinite', 'skipNonFinite', (o) => new Adam([o.w], { skipNonFinite: any('yes') })],
  ['ASGD NaN lambd', 'lambd', (o) => new ASGD([o.w], { lambd: NaN })],
  ['ASGD negative weightDecay', 'weightDecay', (o) => new ASGD([o.w], { weightDecay: -0.1 })],
  ['Rprop etaminus >= 1', 'etas', (o) => new Rprop([o.w], { etas: [1.2, 1.5] })],
  ['Rprop stepSizes min > max', 'stepSizes', (o) => new Rprop([o.w], { stepSizes: [1, 0.1] })],
  ['LBFGS maxIter 0', 'maxIter', (o) => new LBFGS([o.w], { maxIter: 0 })],
  ['LBFGS unknown lineSearchFn', 'lineSearchFn', (o) => new LBFGS([o.w], { lineSearchFn: any('armijo') })],
  ['LBFGS options null', 'options', (o) => new LBFGS([o.w], any(null))],
  ['LBFGS maxEval 0', 'maxEval', (o) => new LBFGS([o.w], { maxEval: 0 })],
  ['LBFGS two param groups', 'params', (o) => new LBFGS([{ params: [o.w] }, { params: [o.b] }])],
  ['LBFGS step without a closure', 'closure', (o) => new LBFGS([o.w]).step()],
  ['LBFGS closure returning no number', 'closure', (o) => new LBFGS([o.w]).step(() => any('1'))],
  ['AveragedModel unknown strategy', 'options.strategy', (o) => new AveragedModel([o.w], { strategy: any('mean') })],
  ['AveragedModel decay > 1', 'options.decay', (o) => new AveragedModel([o.w], { strategy: 'ema', decay: 1.5 })],
  ['AveragedModel decay with swa', 'options.decay', (o) => new AveragedModel([o.w], { decay: 0.9 })],
  ['AveragedModel update with other sizes', 'paramsOrModule', (o) => new AveragedModel([o.w]).updateParameters([o.w, o.b])],
  ['SWALR without swaLr', 'swaLr', (o) => new SWALR(o.opt, any({}))],
  ['SWALR swaLr per group of the wrong length', 'swaLr', (o) => new SWALR(o.opt, { swaLr: [0.1, 0.2, 0.3] })],
  ['SWALR unknown annealStrategy', 'annealStrategy', (o) => new SWALR(o.opt, { swaLr: 0.1, annealStrategy: any('step') })],
  ['SWALR negative annealEpochs', 'annealEpochs', (o) => new SWALR(o.opt, { swaLr: 0.1, annealEpochs: -1 })],
  ['Adafactor positive beta2Decay', 'beta2Decay', (o) => new Adafactor([o.w], { beta2Decay: 0.5 })],
  ['Adafactor d below 1', 'd', (o) => new Adafactor([o.w], { d: 0.5 })],
  ['Adafactor eps not a pair', 'eps', (o) => new Adafactor([o.w], { eps: any(1e-3) })],
  ['Adafactor negative eps1', 'eps[0]', (o) => new Adafactor([o.w], { eps: [-1, 1e-3] })],
  ['Adafactor NaN eps2', 'eps[1]', (o) => new Adafactor([o.w], { eps: [null, NaN] })],
  ['Muon with a 1-D parameter', 'paramGroups[0].params[0]', (o) => new Muon([o.w])],
  ['Muon unknown adjustLrFn', 'adjustLrFn', (o) => new Muon([o.w], { adjustLrFn: any('adam') })],
  ['Muon nsSteps of 100', 'nsSteps', (o) => new Muon([o.w], { nsSteps: 100 })],
  ['Muon two nsCoefficients', 'nsCoefficients', (o) => new Muon([o.w], { nsCoefficients: any([3.4, -4.7]) })],
  ['Muon negative momentum', 'momentum', (o) => new Muon([o.w], { momentum: -0.9 })],
  // --- optimizers: parameters and groups ---
  ['empty parameter list', 'params', () => new Adam([])],
  ['params not iterable', 'params', () => new Adam(any(5))],
  ['a disposed parameter', 'paramGroups[0].params[1]', (o) => new Adam([o.w, o.disposed])],
  ['a parameter of a replaced backend', 'paramGroups[0].params[0] (Parameter \'stale\')', (o) => new SGD([o.stale])],
  ['a parameter in two groups', 'paramGroups[1].params[0]', (o) => new SGD([{ params: [o.w] }, { params: [o.w] }])],
  ['addParamGroup with a parameter already in a group', 'paramGroup.params[0]', (o) => o.opt.addParamGroup({ params: [o.w] })],
  ['addParamGroup with a bad lr', 'paramGroup.lr', (o) => o.opt.addParamGroup({ params: [Parameter.zeros(2)], lr: -1 })],
  ['step after lr became negative', 'paramGroups[0].lr', (o) => withOption(o.opt, 'lr', -1, () => o.opt.step())],
  ['step after betas became invalid', 'paramGroups[0].betas[0]', (o) => withOption(o.opt, 'betas', [1.5, 0.9], () => o.opt.step())],
  ['step with exclude not iterable', 'options.exclude', (o) => o.opt.step({ exclude: any(5) })],
  ['step with exclude holding a non-parameter', 'options.exclude[0]', (o) => o.opt.step({ exclude: any([{}]) })],
  ['step with options not an object', 'options', (o) => o.opt.step(any('all'))],
  ['step of a disposed optimizer', 'optimizer', (o) => o.disposedOpt.step()],
  ['step of an optimizer of a replaced backend', 'SGD optimizer', (o) => o.staleOpt.step()],
  ['zeroGrad of a disposed optimizer', 'optimizer', (o) => o.disposedOpt.zeroGrad()],
  ['Optimizer.zeroGrad with a disposed parameter after a live one', 'paramGroups[0].params[1]', (o) => o.pairOpt.zeroGrad()],
  ['Module.zeroGrad with a disposed parameter after a live one', 'pm.bias', (o) => o.pairModel.zeroGrad()],
  // --- optimizer state dicts ---
  ['state dict of another optimizer', 'stateDict.optimizer', (o) => o.opt.loadStateDict({ ...o.good, optimizer: 'SGD' })],
  ['state dict of another version', 'stateDict.version', (o) => o.opt.loadStateDict({ ...o.good, version: 2 })],
  ['state dict for another parameter size', 'stateDict.state[0].exp_avg', (o) => o.opt.loadStateDict(editState(o.good, 0, { exp_avg: new Float32Array(36) }))],
  ['state payload as Float64Array', 'stateDict.state[1].exp_avg_sq', (o) => o.opt.loadStateDict(editState(o.good, 1, { exp_avg_sq: new Float64Array(5) }))],
  ['state payload with a string', 'stateDict.state[1].exp_avg', (o) => o.opt.loadStateDict(editState(o.good, 1, { exp_avg: [1, 2, 'x', 4, 5] }))],
  ['state for a parameter index that does not exist', 'stateDict.state[9]', (o) => o.opt.loadStateDict({ ...o.good, state: { ...o.good.state, 9: o.good.state[0] } })],
  ['negative step counter', 'stateDict.state[0].step', (o) => o.opt.loadStateDict(editState(o.good, 0, { step: -1 }))],
  ['fractional step counter', 'stateDict.state[0].step', (o) => o.opt.loadStateDict(editState(o.good, 0, { step: 1.5 }))],
  ['NaN lr in a saved group', 'stateDict.paramGroups[0].lr', (o) => o.opt.loadStateDict({ ...o.good, paramGroups: [{ ...o.good.paramGroups[0], lr: NaN }] })],
  ['state dict with another number of groups', 'stateDict.paramGroups', (o) => o.opt.loadStateDict({ ...o.good, paramGroups: [] })],
  ['state dict that is null', 'stateDict', (o) => o.opt.loadStateDict(any(null))],
  // --- schedulers ---
  ['StepLR stepSize 0', 'stepSize', (o) => new StepLR(o.opt, { stepSize: 0 })],
  ['StepLR fractional stepSize', 'stepSize', (o) => new StepLR(o.opt, { stepSize: 1.5 })],
  ['MultiStepLR fractional milestone', 'milestones[1]', (o) => new MultiStepLR(o.opt, { milestones: [3, 4.5] })],
  ['ExponentialLR NaN gamma', 'gamma', (o) => new ExponentialLR(o.opt, { gamma: NaN })],
  ['CosineAnnealingLR negative tMax', 'tMax', (o) => new CosineAnnealingLR(o.opt, { tMax: -1 })],
  ['OneCycleLR totalSteps 0', 'totalSteps', (o) => new OneCycleLR(o.opt, { maxLr: 1, totalSteps: 0 })],
  ['CyclicLR negative baseLr', 'baseLr', (o) => new CyclicLR(o.opt, { baseLr: -1, maxLr: 1 })],
  ['ReduceLROnPlateau unknown mode', 'mode', (o) => new ReduceLROnPlateau(o.opt, { mode: any('up') })],
  ['LambdaLR lrLambda not a function', 'lrLambda', (o) => new LambdaLR(o.opt, { lrLambda: any(5) })],
  ['CyclicLR stepSizeUp 0 (PyTorch allows fractions)', 'stepSizeUp', (o) => new CyclicLR(o.opt, { baseLr: 0.001, maxLr: 0.1, stepSizeUp: 0 })],
  ['CosineAnnealingWarmRestarts fractional t0', 't0', (o) => new CosineAnnealingWarmRestarts(o.opt, { t0: 1.5 })],
  ['PolynomialLR fractional totalIters', 'totalIters', (o) => new PolynomialLR(o.opt, { totalIters: 2.5 })],
  ['LinearLR startFactor 0', 'startFactor', (o) => new LinearLR(o.opt, { startFactor: 0 })],
  ['scheduler of a non-optimizer', 'optimizer', () => new StepLR(any({ paramGroups: [] }), { stepSize: 1 })],
  ['scheduler state of another scheduler', 'stateDict.scheduler', (o) => o.sched.loadStateDict({ ...o.sched.stateDict(), scheduler: 'ExponentialLR' })],
  ['scheduler state of another version', 'stateDict.version', (o) => o.sched.loadStateDict({ ...o.sched.stateDict(), version: 7 })],
  ['scheduler state with a fractional lastEpoch', 'stateDict.lastEpoch', (o) => o.sched.loadStateDict({ ...o.sched.stateDict(), lastEpoch: 2.5 })],
  ['plateau state with a negative numBadEpochs', 'stateDict.numBadEpochs', (o) => o.plateau.loadStateDict({ ...o.plateau.stateDict(), numBadEpochs: -1 })],
  // --- clipping ---
  ['clipGradNorm negative maxNorm', 'maxNorm', (o) => clipGradNorm([o.w], -1)],
  ['clipGradNorm NaN maxNorm', 'maxNorm', (o) => clipGradNorm([o.w], NaN)],
  ['clipGradNorm normType 0', 'options.normType', (o) => clipGradNorm([o.w], 1, { normType: 0 })],
  ['clipGradNorm normType −Infinity', 'options.normType', (o) => clipGradNorm([o.w], 1, { normType: -Infinity })],
  ['clipGradNorm non-boolean errorIfNonfinite', 'options.errorIfNonfinite', (o) => clipGradNorm([o.w], 1, { errorIfNonfinite: any(1) })],
  ['clipGradNorm unknown option', 'options.norm', (o) => clipGradNorm([o.w], 1, any({ norm: 2 }))],
  ['clipGradNorm a parameter listed twice', 'params[1]', (o) => clipGradNorm([o.w, o.w], 1)],
  ['clipGradNorm no parameters', 'params', () => clipGradNorm([], 1)],
  ['clipGradNorm a disposed parameter', 'params[1]', (o) => clipGradNorm([o.w, o.disposed], 1)],
  ['clipGradNorm non-finite norm with errorIfNonfinite', 'params', (o) => clipGradNorm([o.w, o.nanGrad], 1, { errorIfNonfinite: true })],
  ['clipGradValue negative clipValue', 'clipValue', (o) => clipGradValue([o.w], -0.5)],
  ['clipGradValue NaN clipValue', 'clipValue', (o) => clipGradValue([o.w], NaN)],
  // --- penalties ---
  ['l1Penalty negative lambda', 'lambda', (o) => l1Penalty([o.w], -1)],
  ['l2Penalty NaN lambda', 'lambda', (o) => l2Penalty([o.w], NaN)],
  ['l2Penalty non-boolean addToGrad', 'options.addToGrad', (o) => l2Penalty([o.w], 0.1, { addToGrad: any('no') })],
  ['l1Penalty a parameter of a replaced backend', 'params[1] (Parameter \'stale\')', (o) => l1Penalty([o.w, o.stale], 0.1)],
  // --- dropout ---
  ['Dropout p > 1', 'p', () => new Dropout(1.5)],
  ['Dropout NaN p', 'p', () => new Dropout(NaN)],
  ['Dropout negative seed', 'options.seed', () => new Dropout(0.5, { seed: -1 })],
  ['Dropout fractional seed', 'options.seed', () => new Dropout(0.5, { seed: 1.5 })],
  ['Dropout.forward of a plain array', 'x', (o) => o.drop.forward(any([1, 2, 3]))],
  ['Dropout.forward of a Float64Array', 'x', (o) => o.drop.forward(any(new Float64Array(3)))],
  ['Dropout.forward into a shorter out', 'out', (o) => o.drop.forward(o.x, o.out.subarray(0, 3))],
  ['Dropout.forward into an overlapping out', 'out', (o) => o.drop.forward(o.x, o.shifted)],
  ['Dropout.backward of the wrong length', 'gradOut', (o) => o.drop.backward(new Float32Array(3))],
  ['Dropout.train with a non-boolean', 'mode', (o) => o.drop.train(any('yes'))],
  // --- losses ---
  ['mseLoss target of another length', 'target', (o) => mseLoss(o.x, o.y.subarray(1))],
  ['mseLoss unknown reduction', 'options.reduction', (o) => mseLoss(o.x, o.y, { reduction: any('avg') })],
  ['mseLoss grad of another length', 'options.grad', (o) => mseLoss(o.x, o.y, { grad: o.out.subarray(1) })],
  ['mseLoss grad that is the input', 'options.grad', (o) => mseLoss(o.x, o.y, { grad: o.x })],
  ['huberLoss delta 0', 'options.delta', (o) => huberLoss(o.x, o.y, { delta: 0, grad: o.out })],
  ['smoothL1Loss negative beta', 'options.beta', (o) => smoothL1Loss(o.x, o.y, { beta: -1, grad: o.out })],
  ['bceWithLogitsLoss input a plain array', 'input', (o) => bceWithLogitsLoss(any([0, 1]), o.y)],
  ['crossEntropyLoss target out of range', 'targets[1]', (o) => crossEntropyLoss(o.logits, Int32Array.from([0, 3]), { numClasses: 3, grad: o.out.subarray(0, 6) })],
  ['crossEntropyLoss targets a Float32Array', 'targets', (o) => crossEntropyLoss(o.logits, any(new Float32Array(2)), { numClasses: 3 })],
  ['crossEntropyLoss fractional numClasses', 'options.numClasses', (o) => crossEntropyLoss(o.logits, o.targets, { numClasses: 2.5 })],
  ['crossEntropyLoss labelSmoothing > 1', 'options.labelSmoothing', (o) => crossEntropyLoss(o.logits, o.targets, { numClasses: 3, labelSmoothing: 2 })],
  ['crossEntropyLoss logits of the wrong length', 'logits', (o) => crossEntropyLoss(o.logits.subarray(1), o.targets, { numClasses: 3 })],
  ['crossEntropyLoss without options', 'options', (o) => crossEntropyLoss(o.logits, o.targets, any(undefined))],
  // --- batches ---
  ['batches negative n', 'n', () => batches(-1, 2)],
  ['batches batchSize 0', 'batchSize', () => batches(10, 0)],
  ['batches fractional batchSize', 'batchSize', () => batches(10, 2.5)],
  ['batches NaN seed', 'options.seed', () => batches(10, 2, { seed: NaN })],
  ['batches non-boolean shuffle', 'options.shuffle', () => batches(10, 2, { shuffle: any(1) })],
  // --- nn ---
  ['Linear inFeatures 0', 'inFeatures', () => new nn.Linear(0, 3)],
  ['Linear fractional outFeatures', 'outFeatures', () => new nn.Linear(3, 2.5)],
  ['Linear negative seed', 'seed', () => new nn.Linear(3, 2, { seed: -1 })],
  ['Linear.forward of a length that is not a multiple of inFeatures', 'x', (o) => o.linear.forward(new Float32Array(4))],
  ['Linear.forward of a plain array', 'x', (o) => o.linear.forward(any([1, 2, 3]))],
  ['Sequential.backward of the wrong length', 'gradOut', (o) => o.model.backward(new Float32Array(5))],
  ['Sequential.backward with a non-boolean inputGrad', 'options.inputGrad', (o) => o.model.backward(new Float32Array(4), any({ inputGrad: 'no' }))],
  ['a disposed Linear', 'Linear', (o) => o.disposedLinear.forward(new Float32Array(3))],
  ['a Linear of a replaced backend', 'Linear', (o) => o.staleLinear.forward(new Float32Array(3))],
  ['Sequential with a module twice', 'layers[1]', (o) => new nn.Sequential(o.linear, o.linear)],
  ['GELU unknown approximation', 'options.approximate', () => new nn.GELU({ approximate: any('fast') })],
  // --- parameters ---
  ['Parameter negative size', 'shape', () => Parameter.zeros(-1)],
  ['Parameter fractional dimension', 'shape', () => Parameter.zeros([2, 1.5])],
  ['Parameter of more than 2^30 elements', 'shape', () => Parameter.zeros([2 ** 16, 2 ** 15])],
  ['Parameter.from with a string value', 'values[1]', () => Parameter.from(any([1, 'x']))],
  ['Parameter.from with a shape of another size', 'options.shape', () => Parameter.from([1, 2, 3], { shape: [2, 2] })],
  ['Parameter non-string name', 'options.name', () => Parameter.zeros(3, { name: any(5) })],
  ['requiresGrad set to a non-boolean', 'requiresGrad', (o) => ((o.w as { requiresGrad: unknown }).requiresGrad = 'yes')],
  ['data of a disposed parameter', 'gone', (o) => o.disposed.data],
  ['grad of a parameter of a replaced backend', "Parameter 'stale'", (o) => o.stale.grad],
  // --- init ---
  ['init unknown backend', 'backend', () => init({ backend: any('gpu') })],
  ['init fractional initialMemoryBytes', 'initialMemoryBytes', () => init({ initialMemoryBytes: 1.5 })],
  ['init negative maximumMemoryBytes', 'maximumMemoryBytes', () => init({ maximumMemoryBytes: -1 })],
  ['init initial above maximum', 'initialMemoryBytes', () => init({ initialMemoryBytes: 2 ** 21, maximumMemoryBytes: 2 ** 20 })],
  ['init options not an object', 'options', () => init(any('fast'))],
  ['init maximumMemoryBytes below what the module needs', 'maximumMemoryBytes', () => init({ backend: 'wasm', maximumMemoryBytes: 65536 })],
  // --- saveState / loadState ---
  ['saveState of a function', 'state.f', () => saveState({ f: () => 1 })],
  ['loadState of a number', 'text', () => loadState(any(42))],
  ['loadState of text that is not JSON', 'text', () => loadState('{')],
  ['loadState of another format version', 'text.version', () => loadState(JSON.stringify({ format: 'simdopt-state', version: 2, value: 1 }))],
  // --- checkpoint / restore ---
  ['checkpoint of a disposed parameter', 'parameters[1]', (o) => checkpoint({ parameters: [o.w, o.disposed] })],
  ['checkpoint of a non-scheduler', 'scheduler', (o) => checkpoint({ optimizer: o.opt, scheduler: any({}) })],
  ['restore a checkpoint of another version', 'checkpoint.version', (o) => restore({ ...o.ckpt, version: 99 }, { optimizer: o.opt, scheduler: o.sched, parameters: [o.w, o.b] })],
  ['restore into parameters of another shape', 'checkpoint.parameters.1', (o) => restore(o.ckpt, { optimizer: o.opt, scheduler: o.sched, parameters: [o.w, Parameter.zeros(4)] })],
  ['restore a checkpoint missing a parameter', 'checkpoint.parameters', (o) => restore(o.ckpt, { optimizer: o.opt, scheduler: o.sched, parameters: [o.w, o.b, o.nanGrad] })],
  ['restore an optimizer state of another optimizer', 'checkpoint.optimizer.optimizer', (o) => restore({ ...o.ckpt, optimizer: { ...o.good, optimizer: 'SGD' } }, { optimizer: o.opt, scheduler: o.sched, parameters: [o.w, o.b] })],
  ['restore a scheduler state that does not fit (after a valid optimizer state)', 'checkpoint.scheduler.lastEpoch', (o) => restore({ ...o.ckpt, scheduler: { ...o.ckpt.scheduler!, lastEpoch: -5 } }, { optimizer: o.opt, scheduler: o.sched, parameters: [o.w, o.b] })],
];

// --- unknown option keys: a name nobody reads would otherwise train silently with the default ---
// Every optimizer of the registry, four ways each: constructor options, a param group, addParamGroup,
// and a key written onto a group before the next step (fast and full path).
const TYPOS: Array<[where: string, key: string]> = [
  ['options', 'learningRate'],
  ['group', 'weight_decay'],
  ['addParamGroup', 'epsilon'],
  ['written', 'beta1'],
];
for (const { name, cls } of OPTIMIZERS) {
  const ctor = cls as unknown as new (params: unknown, options?: unknown) => { addParamGroup(g: unknown): void; step(o?: unknown): unknown; paramGroups: object[]; train?(): void };
  // L-BFGS steps through a closure (here a loss of 0 with zero gradients: it stops at once).
  const stepOnce = CLOSURE_OPTIMIZERS.includes(name) ? (opt: InstanceType<typeof ctor>) => opt.step(() => 0) : (opt: InstanceType<typeof ctor>) => opt.step();
  for (const [how, key] of TYPOS) {
    if (how === 'options') CASES.push([`${name} unknown option ${key}`, key, (o) => new ctor([o.w], { [key]: 0.01 })]);
    if (how === 'group') CASES.push([`${name} param group with ${key}`, `paramGroups[1].${key}`, (o) => new ctor([{ params: [o.b] }, { params: [o.w], [key]: 0.1 }])]);
    if (how === 'addParamGroup') {
      CASES.push([`${name} addParamGroup with ${key}`, `paramGroup.${key}`, () => {
        // Matrices, which every optimizer takes (Muon takes nothing else).
        const opt = new ctor([Parameter.zeros([2, 3])]);
        return opt.addParamGroup({ params: [Parameter.zeros([3, 2])], [key]: 1e-6 });
      }]);
    }
    if (how === 'written') {
      CASES.push([`${name} ${key} written onto a group, then step`, `paramGroups[0].${key}`, () => {
        const opt = new ctor([Parameter.zeros([1, 3])]);
        opt.train?.(); // Schedule-Free steps only in train mode
        stepOnce(opt);
        // The fast path notices the new key and re-checks the group before writing anything.
        (opt.paramGroups[0] as Record<string, unknown>)[key] = 0.5;
        return stepOnce(opt);
      }]);
    }
  }
}
CASES.push(
  ['SGD typo momentun', 'momentun', (o) => new SGD([o.w], any({ momentun: 0.9 }))],
  ['Adam key written onto a group, then a full step', 'paramGroups[0].amsGrad', (o) => withKey(o.opt, 'amsGrad', true, () => o.opt.step({ exclude: [] }))],
  ['Adam key written onto a group, then the fast step', 'paramGroups[0].lr_decay', (o) => withKey(o.opt, 'lr_decay', 0.1, () => o.opt.step())],
  ['Adam loadStateDict with an unknown group key', 'stateDict.paramGroups[0].weight_decay', (o) => o.opt.loadStateDict({ ...o.good, paramGroups: [{ ...o.good.paramGroups[0], weight_decay: 0.1 }] })],
  ['StepLR PyTorch name step_size', 'step_size', (o) => new StepLR(o.opt, any({ step_size: 2 }))],
  ['MultiStepLR typo milestone', 'milestone', (o) => new MultiStepLR(o.opt, any({ milestone: [2] }))],
  ['ExponentialLR typo gama', 'gama', (o) => new ExponentialLR(o.opt, any({ gama: 0.9 }))],
  ['CosineAnnealingLR PyTorch name T_max', 'T_max', (o) => new CosineAnnealingLR(o.opt, any({ T_max: 10 }))],
  ['CosineAnnealingWarmRestarts PyTorch name T_0', 'T_0', (o) => new CosineAnnealingWarmRestarts(o.opt, any({ T_0: 10 }))],
  ['LinearLR PyTorch name start_factor', 'start_factor', (o) => new LinearLR(o.opt, any({ start_factor: 0.5 }))],
  ['ConstantLR PyTorch name total_iters', 'total_iters', (o) => new ConstantLR(o.opt, any({ total_iters: 3 }))],
  ['PolynomialLR PyTorch name total_iters', 'total_iters', (o) => new PolynomialLR(o.opt, any({ total_iters: 3 }))],
  ['LambdaLR PyTorch name lr_lambda', 'lr_lambda', (o) => new LambdaLR(o.opt, any({ lr_lambda: () => 1 }))],
  ['MultiplicativeLR PyTorch name lr_lambda', 'lr_lambda', (o) => new MultiplicativeLR(o.opt, any({ lr_lambda: () => 1 }))],
  ['OneCycleLR PyTorch name max_lr', 'max_lr', (o) => new OneCycleLR(o.opt, any({ max_lr: 0.1, totalSteps: 10 }))],
  ['CyclicLR PyTorch name base_lr', 'base_lr', (o) => new CyclicLR(o.opt, any({ base_lr: 0.001, maxLr: 0.1 }))],
  ['ReduceLROnPlateau PyTorch name threshold_mode', 'threshold_mode', (o) => new ReduceLROnPlateau(o.opt, any({ threshold_mode: 'abs' }))],
  ['SequentialLR typo milestone', 'milestone', (o) => new SequentialLR(o.opt, any({ schedulers: [o.sched], milestone: [2] }))],
  ['ChainedScheduler unknown option', 'optimiser', (o) => new ChainedScheduler([o.sched], any({ optimiser: o.opt }))],
  ['clipGradNorm PyTorch name norm_type', 'options.norm_type', (o) => clipGradNorm([o.w], 1, any({ norm_type: 2 }))],
  ['l2Penalty typo addToGrads', 'options.addToGrads', (o) => l2Penalty([o.w], 0.1, any({ addToGrads: true }))],
  ['Dropout typo sead', 'options.sead', () => new Dropout(0.5, any({ sead: 1 }))],
  ['mseLoss typo reduce', 'options.reduce', (o) => mseLoss(o.x, o.y, any({ reduce: 'sum' }))],
  ['huberLoss typo delt', 'options.delt', (o) => huberLoss(o.x, o.y, any({ delt: 1 }))],
  ['batches typo shufle', 'options.shufle', () => batches(10, 2, any({ shufle: false }))],
  ['ASGD PyTorch name weight_decay', 'weight_decay', (o) => new ASGD([o.w], any({ weight_decay: 0.1 }))],
  ['Rprop PyTorch name step_sizes', 'step_sizes', (o) => new Rprop([o.w], any({ step_sizes: [1e-6, 50] }))],
  ['LBFGS PyTorch name max_iter', 'max_iter', (o) => new LBFGS([o.w], any({ max_iter: 5 }))],
  ['LBFGS loadStateDict with an unknown group key', 'stateDict.paramGroups[0].history_size', (o) => {
    const opt = new LBFGS([o.w]);
    const s = opt.stateDict();
    return opt.loadStateDict({ ...s, paramGroups: [{ ...s.paramGroups[0], history_size: 5 }] });
  }],
  ['AveragedModel PyTorch name avg_fn', 'options.avg_fn', (o) => new AveragedModel([o.w], any({ avg_fn: () => 0 }))],
  ['SWALR PyTorch name swa_lr', 'swa_lr', (o) => new SWALR(o.opt, any({ swa_lr: 0.1 }))],
  ['SWALR typo annealEpoch', 'annealEpoch', (o) => new SWALR(o.opt, any({ swaLr: 0.1, annealEpoch: 3 }))],
);

/** Runs `act` with `group[key]` set to `value`, then removes the key again. */
function withKey(opt: Adam, key: string, value: unknown, act: () => unknown): unknown {
  const group = opt.paramGroups[0] as unknown as Record<string, unknown>;
  group[key] = value;
  try {
    return act();
  } finally {
    delete group[key];
  }
}

/** Runs `act` with `group[key]` set to `value`, then puts the old value back. */
function withOption(opt: Adam, key: 'lr' | 'betas', value: unknown, act: () => unknown): unknown {
  const group = opt.paramGroups[0] as unknown as Record<string, unknown>;
  const old = group[key];
  group[key] = value;
  try {
    return act();
  } finally {
    group[key] = old;
  }
}

/** A copy of `s` with some entries of parameter `index`'s state replaced. */
function editState(s: OptimizerState, index: number, entries: Record<string, unknown>): OptimizerState {
  return { ...s, state: { ...s.state, [index]: { ...s.state[index], ...entries } } } as OptimizerState;
}

/** Every byte a user can see, as comparable values. */
function observe(o: World): unknown {
  const params = [o.w, o.b, o.nanGrad, ...o.model.parameters(), o.pairModel.weight];
  return {
    backend: backendInfo().backend,
    params: params.map((p) => [Array.from(new Uint32Array(p.data.slice().buffer)), Array.from(new Uint32Array(p.grad.slice().buffer))]),
    groups: JSON.stringify(o.opt.paramGroups.map(({ params: _p, ...rest }) => rest)),
    groupCount: o.opt.paramGroups.length,
    sched: JSON.stringify(o.sched.stateDict()),
    plateau: JSON.stringify(o.plateau.stateDict()),
    dropStream: (o.drop as unknown as { stream: number }).stream,
    out: Array.from(new Uint32Array(o.out.slice().buffer)),
    x: Array.from(o.x),
  };
}

function optimizerState(o: World): OptimizerState {
  return o.opt.stateDict();
}

async function makeWorld(backend: (typeof BACKENDS)[number]): Promise<World> {
  // Objects of a backend that is then replaced.
  await init({ backend: backend === 'js' ? 'wasm' : 'js' });
  const stale = Parameter.from([1, 2], { name: 'stale' });
  const staleLinear = new nn.Linear(3, 2, { seed: 1 });
  const staleOpt = new SGD([stale]);
  await init({ backend, initialMemoryBytes: 1 << 20 });
  const w = Parameter.from(values(1, 37), { name: 'w' });
  const b = Parameter.from(values(2, 5), { name: 'b' });
  const nanGrad = Parameter.from(values(3, 6), { name: 'nanGrad' });
  nanGrad.grad.set(values(4, 6));
  nanGrad.grad[4] = NaN;
  const disposed = Parameter.zeros(3, { name: 'gone' });
  disposed.dispose();
  w.grad.set(values(5, 37));
  b.grad.set(values(6, 5));
  const opt = new Adam([w, b], { lr: 0.01, amsgrad: true });
  opt.step();
  const sched = new StepLR(opt, { stepSize: 2 });
  const plateau = new ReduceLROnPlateau(new SGD([Parameter.zeros(1)]), { patience: 1 });
  plateau.step(1);
  const disposedOpt = new SGD([w]);
  disposedOpt.dispose();
  const later = Parameter.zeros(4, { name: 'later' });
  const pairOpt = new SGD([w, later]);
  later.dispose();
  const pairModel = new nn.Linear(2, 2, { seed: 4, name: 'pm' });
  pairModel.weight.grad.fill(3);
  pairModel.bias!.dispose();
  const drop = new Dropout(0.5, { seed: 3 });
  const xs = new Float32Array(9);
  xs.set(values(7, 9));
  const x = xs.subarray(0, 8);
  drop.forward(x);
  const linear = new nn.Linear(3, 2, { seed: 2 });
  const model = new nn.Sequential(linear, new nn.ReLU());
  model.forward(Float32Array.from([1, -2, 3, 0.5, 0.25, -1]));
  const disposedLinear = new nn.Linear(3, 1, { seed: 3 });
  disposedLinear.dispose();
  const good = opt.stateDict();
  const ckpt = checkpoint({ optimizer: opt, scheduler: sched, parameters: [w, b] });
  return {
    w, b, nanGrad, disposed, stale, staleLinear, staleOpt, opt, disposedOpt, pairOpt, pairModel, sched, plateau, drop, linear, model, disposedLinear,
    x, shifted: xs.subarray(1), y: values(8, 8), out: new Float32Array(8).fill(7), logits: values(9, 6), targets: Int32Array.from([0, 2]), good, ckpt,
  };
}

describe.each(BACKENDS)('bad input on %s', (backend) => {
  beforeAll(async () => {
    await init({ backend });
  });

  it(`the table has at least 60 distinct cases (${CASES.length})`, () => {
    expect(new Set(CASES.map((c) => c[0])).size).toBe(CASES.length);
    expect(CASES.length).toBeGreaterThanOrEqual(60);
  });

  it.each(CASES)('%s → SimdoptError naming %s, nothing changed', async (_label, argument, act) => {
    const world = await makeWorld(backend);
    const before = observe(world);
    const state = optimizerState(world);
    let error: unknown = null;
    try {
      await act(world);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SimdoptError);
    const e = error as SimdoptError;
    expect(e.argument).toBe(argument);
    expect(e.message).toContain(argument);
    // What was expected, or why the object cannot be used.
    expect(e.message).toMatch(/expected|is disposed|replaced|total norm/);
    expect(observe(world)).toEqual(before);
    const after = optimizerState(world);
    expect(sameState(after.state, state.state)).toBe(true);
    expect(after.paramGroups).toEqual(state.paramGroups);
  });
});
