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
} from './optim/optimizer.js';
export { SGD, type SGDOptions } from './optim/sgd.js';
export { Adam, type AdamOptions } from './optim/adam.js';
export { AdamW, type AdamWOptions } from './optim/adamw.js';

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
