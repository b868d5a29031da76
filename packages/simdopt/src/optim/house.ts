/**
 * What an optimizer file needs, in one import: the base class and its types, the kernel type,
 * the per-step helpers and the schema builders. (Old-style files importing from optimizer.js,
 * backend.js or validate.js directly keep working.)
 */
export { Optimizer, type BaseOptions, type ParamsInput, type StepContext } from './optimizer.js';
export type { OptimizerKernel } from '../backend/backend.js';
export { power } from './power.js';
export { lerp32 } from './lerp.js';
export { Moments, writeMoments } from './moments.js';
export * from '../options/schema.js';
export { CoupledGrad, coupledFlags } from './coupled.js';
export { hasFlag } from './args.js';

import type { OptimizerKernel } from '../backend/backend.js';

/** A kernel: its export name (`simdopt_${name}`), argument block length and js twin. */
export function kernel(name: string, argsLength: number, js: OptimizerKernel['js']): OptimizerKernel {
  return { name, argsLength, js };
}
