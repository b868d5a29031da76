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
}

export const OPTIMIZERS: readonly OptimizerEntry[] = [
  { name: 'SGD', cls: SGD, schema: sgdSchema },
  { name: 'Adam', cls: Adam, schema: adamSchema },
  { name: 'AdamW', cls: AdamW, schema: adamwSchema },
  { name: 'RMSprop', cls: RMSprop, schema: rmspropSchema },
  { name: 'Adagrad', cls: Adagrad, schema: adagradSchema },
  { name: 'Adadelta', cls: Adadelta, schema: adadeltaSchema },
  { name: 'Adamax', cls: Adamax, schema: adamaxSchema },
  { name: 'NAdam', cls: NAdam, schema: nadamSchema },
  { name: 'RAdam', cls: RAdam, schema: radamSchema },
  { name: 'Lion', cls: Lion, schema: lionSchema },
  { name: 'ASGD', cls: ASGD, schema: asgdSchema },
  { name: 'Rprop', cls: Rprop, schema: rpropSchema },
  { name: 'LBFGS', cls: LBFGS, schema: lbfgsSchema },
  { name: 'ADOPT', cls: ADOPT, schema: adoptSchema },
  { name: 'LAMB', cls: LAMB, schema: lambSchema },
  { name: 'ScheduleFreeAdamW', cls: ScheduleFreeAdamW, schema: scheduleFreeAdamWSchema },
  { name: 'ScheduleFreeSGD', cls: ScheduleFreeSGD, schema: scheduleFreeSGDSchema },
  { name: 'Prodigy', cls: Prodigy, schema: prodigySchema },
  { name: 'Adafactor', cls: Adafactor, schema: adafactorSchema },
  { name: 'Muon', cls: Muon, schema: muonSchema },
];
