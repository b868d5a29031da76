/**
 * `simdopt/tfjs`: train TensorFlow.js models with simdopt's optimizers.
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { init, AdamW } from 'simdopt';
 * import { tfjsOptimizer } from 'simdopt/tfjs';
 * await init();
 * model.compile({ optimizer: tfjsOptimizer(tf, (params) => new AdamW(params, { lr: 1e-3 })), loss: 'meanSquaredError' });
 * ```
 * The app passes its own `tf`; this entry imports no tfjs code (only its types), and uses the
 * `simdopt` entry the app initialised.
 */
export {
  tfjsOptimizer,
  registerTfjsOptimizer,
  type SimdoptTfjsOptimizer,
  type TfjsOptimizerOptions,
  type SchedulerLike,
} from './optimizer.js';
export type { Tfjs } from './types.js';
