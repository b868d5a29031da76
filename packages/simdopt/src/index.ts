export { init, backendInfo, type InitOptions, type BackendInfo } from './runtime.js';
export type { BackendName } from './backend/backend.js';
export { SimdoptError } from './errors.js';
export { Parameter, type ParameterOptions, type ParameterFromOptions } from './parameter.js';
export {
  Optimizer,
  type BaseOptions,
  type OptimizerState,
  type ParamGroup,
  type ParamGroupInput,
  type ParamsInput,
  type StepOptions,
  type StepContext,
  type OptimizerTraits,
} from './optim/optimizer.js';
export { SGD, type SGDOptions } from './optim/sgd.js';
export { Adam, type AdamOptions } from './optim/adam.js';
export { AdamW, type AdamWOptions } from './optim/adamw.js';
export { RMSprop, type RMSpropOptions } from './optim/rmsprop.js';
export { Adagrad, type AdagradOptions } from './optim/adagrad.js';
export { Adadelta, type AdadeltaOptions } from './optim/adadelta.js';
export { Adamax, type AdamaxOptions } from './optim/adamax.js';
export { NAdam, type NAdamOptions } from './optim/nadam.js';
export { RAdam, type RAdamOptions } from './optim/radam.js';
export { Lion, type LionOptions } from './optim/lion.js';
export { ASGD, type ASGDOptions } from './optim/asgd.js';
export { Rprop, type RpropOptions } from './optim/rprop.js';
export { LBFGS, type LBFGSOptions, type LossClosure } from './optim/lbfgs.js';
export { Prodigy, prodigyKernel, prodigyMeasureKernel, type ProdigyOptions, type ProdigyGroupState } from './optim/prodigy.js';
export { LAMB, type LAMBOptions } from './optim/lamb.js';
export { ScheduleFreeAdamW, type ScheduleFreeAdamWOptions } from './optim/schedulefreeadamw.js';
export { ScheduleFreeSGD, type ScheduleFreeSGDOptions } from './optim/schedulefreesgd.js';
export { type ScheduleFreeGroupState } from './optim/schedulefree.js';
export { ADOPT, type ADOPTOptions, type ADOPTConstructorOptions, type ClipLambda } from './optim/adopt.js';
export { saveState, loadState } from './state.js';
export {
  AveragedModel,
  type AveragedModelOptions,
  type AveragedModelState,
  type ParamsOrModule,
} from './swa_utils.js';
export { checkpoint, restore, CHECKPOINT_VERSION, type Checkpoint, type CheckpointTargets } from './checkpoint.js';

// Learning-rate schedulers (src/lr_scheduler/).
export {
  LRScheduler,
  ORDER_WARNING,
  SCHEDULER_STATE_VERSION,
  type AnyOptimizer,
  type ScheduledGroup,
  type SchedulerState,
} from './lr_scheduler/scheduler.js';
export { StepLR, MultiStepLR, type StepLROptions, type MultiStepLROptions } from './lr_scheduler/step.js';
export { ExponentialLR, type ExponentialLROptions } from './lr_scheduler/exponential.js';
export { PolynomialLR, type PolynomialLROptions } from './lr_scheduler/polynomial.js';
export { LinearLR, ConstantLR, type LinearLROptions, type ConstantLROptions } from './lr_scheduler/factor.js';
export {
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  type CosineAnnealingLROptions,
  type CosineAnnealingWarmRestartsOptions,
} from './lr_scheduler/cosine.js';
export { LambdaLR, MultiplicativeLR, type LrLambda, type LambdaLROptions, type MultiplicativeLROptions } from './lr_scheduler/lambda.js';
export { OneCycleLR, type OneCycleLROptions, type AnnealStrategy } from './lr_scheduler/one_cycle.js';
export { CyclicLR, type CyclicLROptions, type CyclicLRMode } from './lr_scheduler/cyclic.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './lr_scheduler/plateau.js';
export { SWALR, type SWALROptions } from './lr_scheduler/swalr.js';
export { SequentialLR, ChainedScheduler, type SequentialLROptions, type ChainedSchedulerOptions } from './lr_scheduler/compose.js';
// --- nn ---
export * as nn from './nn/index.js';

// Training kit: gradient clipping, penalties, dropout, losses, batches.
export { clipGradNorm, clipGradValue, type ClipGradNormOptions } from './clip.js';
export { l1Penalty, l2Penalty, type PenaltyOptions } from './penalty.js';
export { Dropout, type DropoutOptions } from './dropout.js';
export {
  mseLoss,
  l1Loss,
  huberLoss,
  smoothL1Loss,
  bceWithLogitsLoss,
  crossEntropyLoss,
  type Reduction,
  type LossValue,
  type LossOptions,
  type HuberLossOptions,
  type SmoothL1LossOptions,
  type CrossEntropyLossOptions,
} from './loss.js';
export { batches, type BatchOptions } from './data.js';
export { Adafactor, type AdafactorOptions } from './optim/adafactor.js';
export { Muon, type MuonOptions, type MuonAdjustLr } from './optim/muon.js';
export { type TorchOptimizerState, type NestedNumbers } from './optim/state_interop.js';
export { type WarningHandler } from './warnings.js';
export { estimateMemoryBytes, type MemoryEstimateOptions } from './memory.js';
export { shutdown } from './runtime.js';
