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
// --- nn ---
export * as nn from './nn/index.js';
