/**
 * Every built-in optimizer, one line each: the suites (bad input, options types, …) read this
 * list, so a new optimizer that adds its line here is covered by them. Old-style classes (no
 * schema) may leave `schema` out: their allowed options are then the keys of their defaults.
 */
import type { Schema } from '../options/schema.js';
import type { Optimizer, BaseOptions, ParamsInput } from './optimizer.js';
import { SGD, sgdSchema } from './sgd.js';
import { Adam, adamSchema } from './adam.js';
import { AdamW, adamwSchema } from './adamw.js';
import { RMSprop, rmspropSchema } from './rmsprop.js';
import { Adagrad, adagradSchema } from './adagrad.js';
import { Adadelta, adadeltaSchema } from './adadelta.js';
import { Adamax, adamaxSchema } from './adamax.js';
import { NAdam, nadamSchema } from './nadam.js';
import { RAdam, radamSchema } from './radam.js';
import { Lion, lionSchema } from './lion.js';
import { ASGD, asgdSchema } from './asgd.js';
import { Rprop, rpropSchema } from './rprop.js';
import { LBFGS, lbfgsSchema } from './lbfgs.js';
import { ADOPT, adoptSchema } from './adopt.js';
import { LAMB, lambSchema } from './lamb.js';
import { ScheduleFreeAdamW, scheduleFreeAdamWSchema } from './schedulefreeadamw.js';
import { ScheduleFreeSGD, scheduleFreeSGDSchema } from './schedulefreesgd.js';
import { Prodigy, prodigySchema } from './prodigy.js';
import { Adafactor, adafactorSchema } from './adafactor.js';
import { Muon, muonSchema } from './muon.js';

export interface OptimizerEntry {
  /** The class name, as `stateDict().optimizer` writes it. */
  readonly name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly cls: new (params: ParamsInput<any>, options?: any) => Optimizer<BaseOptions>;
  readonly schema?: Schema;
  /**
   * Options that switch on every state slot and flag the optimizer has (weight decay included):
   * the suites step it (state dicts, checkpoints, non-finite gradients, fuzzing), and the
   * benchmark and the playground can show it.
   */
  readonly example: Readonly<Record<string, unknown>>;
  /**
   * How the suites may step it: 'flat' — any parameter, 1-D ones included, against the
   * element-wise float64 reference; 'shaped' — its state depends on the parameter's shape
   * (Adafactor's factors; Muon takes matrices only); 'closure' — `step(closure)` (LBFGS).
   */
  readonly stepping: 'flat' | 'shaped' | 'closure';
}

export const OPTIMIZERS: readonly OptimizerEntry[] = [
  { name: 'SGD', cls: SGD, schema: sgdSchema, stepping: 'flat', example: { lr: 0.05, momentum: 0.9, weightDecay: 0.01 } },
  { name: 'Adam', cls: Adam, schema: adamSchema, stepping: 'flat', example: { lr: 0.05, amsgrad: true, weightDecay: 0.01 } },
  { name: 'AdamW', cls: AdamW, schema: adamwSchema, stepping: 'flat', example: { lr: 0.05, amsgrad: true, weightDecay: 0.1 } },
  { name: 'RMSprop', cls: RMSprop, schema: rmspropSchema, stepping: 'flat', example: { lr: 0.01, momentum: 0.9, centered: true, weightDecay: 0.01 } },
  { name: 'Adagrad', cls: Adagrad, schema: adagradSchema, stepping: 'flat', example: { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1, weightDecay: 0.01 } },
  { name: 'Adadelta', cls: Adadelta, schema: adadeltaSchema, stepping: 'flat', example: { lr: 1, weightDecay: 0.01 } },
  { name: 'Adamax', cls: Adamax, schema: adamaxSchema, stepping: 'flat', example: { lr: 0.05, weightDecay: 0.01 } },
  { name: 'NAdam', cls: NAdam, schema: nadamSchema, stepping: 'flat', example: { lr: 0.05, weightDecay: 0.01, momentumDecay: 0.01 } },
  { name: 'RAdam', cls: RAdam, schema: radamSchema, stepping: 'flat', example: { lr: 0.05, weightDecay: 0.01 } },
  { name: 'Lion', cls: Lion, schema: lionSchema, stepping: 'flat', example: { lr: 0.01, weightDecay: 0.1 } },
  { name: 'ASGD', cls: ASGD, schema: asgdSchema, stepping: 'flat', example: { lr: 0.05, lambd: 0.01, t0: 3, weightDecay: 0.01 } },
  { name: 'Rprop', cls: Rprop, schema: rpropSchema, stepping: 'flat', example: { lr: 0.05, etas: [0.4, 1.3], stepSizes: [1e-4, 1] } },
  { name: 'LBFGS', cls: LBFGS, schema: lbfgsSchema, stepping: 'closure', example: { lr: 0.5, historySize: 5, lineSearchFn: 'strong_wolfe' } },
  { name: 'ADOPT', cls: ADOPT, schema: adoptSchema, stepping: 'flat', example: { lr: 0.01, weightDecay: 0.01 } },
  { name: 'LAMB', cls: LAMB, schema: lambSchema, stepping: 'flat', example: { lr: 0.01, weightDecay: 0.01 } },
  { name: 'ScheduleFreeAdamW', cls: ScheduleFreeAdamW, schema: scheduleFreeAdamWSchema, stepping: 'flat', example: { lr: 0.01, weightDecay: 0.01, warmupSteps: 2, r: 0.5 } },
  { name: 'ScheduleFreeSGD', cls: ScheduleFreeSGD, schema: scheduleFreeSGDSchema, stepping: 'flat', example: { lr: 0.1, weightDecay: 0.01, warmupSteps: 2, r: 0.5 } },
  { name: 'Prodigy', cls: Prodigy, schema: prodigySchema, stepping: 'flat', example: { lr: 1, weightDecay: 0.01, safeguardWarmup: true } },
  { name: 'Adafactor', cls: Adafactor, schema: adafactorSchema, stepping: 'shaped', example: { lr: 0.05, weightDecay: 0.01, eps: [1e-6, 1e-3], d: 2, maximize: false } },
  { name: 'Muon', cls: Muon, schema: muonSchema, stepping: 'shaped', example: { lr: 0.02, weightDecay: 0.1, nesterov: true, adjustLrFn: 'match_rms_adamw' } },
];
