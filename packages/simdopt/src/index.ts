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
export { saveState, loadState } from './state.js';
