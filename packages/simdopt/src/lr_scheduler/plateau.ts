/**
 * ReduceLROnPlateau (`torch.optim.lr_scheduler.ReduceLROnPlateau`): lowers the lr when a metric
 * stops improving. Driven by `step(metric)`, so it is not an LRScheduler (as in PyTorch it takes
 * no initial step, stores no initialLr and cannot be a child of SequentialLR/ChainedScheduler).
 */
import { fail, SimdoptError } from '../errors.js';
import {
  checkOptimizer,
  choice,
  decodeNumber,
  encodeNumber,
  groupsOf,
  int,
  num,
  overlay,
  readHeader,
  readNumbers,
  readOptions,
  SCHEDULER_STATE_VERSION,
  type AnyOptimizer,
  type SchedulerState,
} from './scheduler.js';

export interface ReduceLROnPlateauOptions {
  /** 'min': reduce when the metric stops decreasing; 'max': when it stops increasing. Default 'min'. */
  mode?: 'min' | 'max';
  /** new lr = lr·factor, in [0, 1). Default 0.1. */
  factor?: number;
  /** Non-improving steps tolerated before a reduction (an integer ≥ 0). Default 10. */
  patience?: number;
  /** Minimum change that counts as an improvement (≥ 0). Default 1e-4. */
  threshold?: number;
  /** 'rel': compare with best·(1 ∓ threshold); 'abs': with best ∓ threshold. Default 'rel'. */
  thresholdMode?: 'rel' | 'abs';
  /** Steps to wait after a reduction before counting again (an integer ≥ 0). Default 0. */
  cooldown?: number;
  /** Lower bound of the lr (≥ 0), or one per param group. Default 0. */
  minLr?: number | number[];
  /** A reduction smaller than eps is skipped (≥ 0). Default 1e-8. */
  eps?: number;
}

interface PlateauConfig {
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  cooldown: number;
  eps: number;
}

const OPTIONS = ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps'] as const;

function plateauConfig(o: Record<string, unknown>, at: string): PlateauConfig {
  return {
    mode: choice(`${at}mode`, o.mode, 'min', ['min', 'max']),
    // PyTorch rejects factor >= 1.
    factor: num(`${at}factor`, o.factor, 0.1, 'a number in [0, 1)', (x) => x >= 0 && x < 1),
    patience: int(`${at}patience`, o.patience, 10, 0),
    threshold: num(`${at}threshold`, o.threshold, 1e-4, 'a finite number >= 0', (x) => x >= 0),
    thresholdMode: choice(`${at}thresholdMode`, o.thresholdMode, 'rel', ['rel', 'abs']),
    cooldown: int(`${at}cooldown`, o.cooldown, 0, 0),
    eps: num(`${at}eps`, o.eps, 1e-8, 'a finite number >= 0', (x) => x >= 0),
  };
}

/** Whether metric `a` improves on `best` (PyTorch's `_is_better`). */
export function isBetter(a: number, best: number, c: Pick<PlateauConfig, 'mode' | 'threshold' | 'thresholdMode'>): boolean {
  if (c.mode === 'min' && c.thresholdMode === 'rel') return a < best * (1.0 - c.threshold);
  if (c.mode === 'min') return a < best - c.threshold;
  if (c.thresholdMode === 'rel') return a > best * (c.threshold + 1.0);
  return a > best + c.threshold;
}

/**
 * Reduces each group's lr by `factor` once the metric has not improved for more than `patience`
 * steps.
 *
 * ```text
 * better:  a < best·(1 − thr) (min, rel)   a < best − thr (min, abs)
 *          a > best·(1 + thr) (max, rel)   a > best + thr (max, abs)
 * step(a): better → best = a, bad = 0; else bad += 1
 *          in cooldown → cooldown −= 1, bad = 0
 *          bad > patience → lr ← max(lr·factor, minLr) where lr − that > eps; cooldown = cooldown; bad = 0
 * ```
 * Defaults: mode 'min', factor 0.1, patience 10, threshold 1e-4, thresholdMode 'rel', cooldown 0,
 * minLr 0, eps 1e-8. The first metric always improves (best starts at ±Infinity). With
 * thresholdMode 'rel' a negative metric changes the meaning of the threshold, as in PyTorch.
 * A NaN metric never improves (it counts as a bad step).
 */
export class ReduceLROnPlateau {
  /** The optimizer whose param groups this scheduler writes. */
  readonly optimizer: AnyOptimizer;
  private config: PlateauConfig;
  private minLrs: number[];
  /** The scalar minLr, re-spread when groups were added; null when a list was given. */
  private defaultMinLr: number | null;
  private best: number;
  private numBadEpochs = 0;
  private cooldownCounter = 0;
  private epoch = 0;
  private lastLr: number[];

  constructor(optimizer: AnyOptimizer, options: ReduceLROnPlateauOptions = {}) {
    checkOptimizer('optimizer', optimizer);
    const o = readOptions(options, OPTIONS);
    this.config = plateauConfig(o, '');
    const groups = groupsOf(optimizer);
    if (Array.isArray(o.minLr)) {
      if (o.minLr.length !== groups.length) fail('minLr', `one value per param group (${groups.length})`, o.minLr);
      this.minLrs = o.minLr.map((x, i) => num(`minLr[${i}]`, x, undefined, 'a finite number >= 0', (v) => v >= 0));
      this.defaultMinLr = null;
    } else {
      this.defaultMinLr = num('minLr', o.minLr, 0, 'a finite number >= 0, or a list of one per param group', (v) => v >= 0);
      this.minLrs = new Array<number>(groups.length).fill(this.defaultMinLr);
    }
    this.optimizer = optimizer;
    this.lastLr = groups.map((g) => g.lr);
    this.best = this.modeWorse();
  }

  /** The number of `step(metric)` calls so far. */
  get lastEpoch(): number {
    return this.epoch;
  }

  /** The learning rate of each param group after the latest step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Whether the scheduler is waiting out its cooldown after a reduction. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** Records one value of the monitored metric (e.g. the validation loss) and reduces the lr if it has plateaued. */
  step(metric: number): void {
    this.optimizer.assertUsable();
    if (typeof metric !== 'number') fail('metric', 'a number', metric);
    let best = this.best;
    let bad = this.numBadEpochs;
    let cooldown = this.cooldownCounter;
    if (isBetter(metric, best, this.config)) {
      best = metric;
      bad = 0;
    } else {
      bad += 1;
    }
    if (cooldown > 0) {
      cooldown -= 1;
      bad = 0; // bad steps during cooldown do not count
    }
    let reduce: (() => void) | null = null;
    if (bad > this.config.patience) {
      reduce = this.reduction();
      cooldown = this.config.cooldown;
      bad = 0;
    }
    reduce?.();
    this.epoch += 1;
    this.best = best;
    this.numBadEpochs = bad;
    this.cooldownCounter = cooldown;
    this.lastLr = groupsOf(this.optimizer).map((g) => g.lr);
  }

  /** Checks the groups and returns the function that lowers their lrs (PyTorch's `_reduce_lr`). */
  private reduction(): () => void {
    const groups = groupsOf(this.optimizer);
    let minLrs = this.minLrs;
    if (groups.length !== minLrs.length) {
      if (this.defaultMinLr === null) {
        throw new SimdoptError(
          `minLr: the optimizer has ${groups.length} param groups but ReduceLROnPlateau was given ${minLrs.length} minLr values ` +
            '(usually a param group was added later); set one per group',
          'minLr',
        );
      }
      minLrs = new Array<number>(groups.length).fill(this.defaultMinLr);
    }
    const next = groups.map((g, i) => {
      const old = g.lr;
      if (typeof old !== 'number' || !Number.isFinite(old)) fail(`paramGroups[${i}].lr`, 'a finite number', old);
      const lr = Math.max(old * this.config.factor, minLrs[i]);
      return old - lr > this.config.eps ? lr : old;
    });
    return () => {
      this.minLrs = minLrs;
      groups.forEach((g, i) => (g.lr = next[i]));
    };
  }

  private modeWorse(): number {
    return this.config.mode === 'min' ? Infinity : -Infinity;
  }

  /** This scheduler's state (JSON safe: an infinite `best` is written as a string). */
  stateDict(): SchedulerState {
    return {
      version: SCHEDULER_STATE_VERSION,
      scheduler: 'ReduceLROnPlateau',
      ...this.config,
      minLrs: [...this.minLrs],
      defaultMinLr: this.defaultMinLr,
      best: encodeNumber(this.best),
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
      lastEpoch: this.epoch,
      lastLr: [...this.lastLr],
    };
  }

  /** Restores `stateDict()` output; a state that does not fit is a SimdoptError and changes nothing. */
  loadStateDict(state: SchedulerState): void {
    const where = 'stateDict';
    // Fields missing from `state` keep their current values (PyTorch's `__dict__.update`).
    const s = overlay(this.stateDict(), readHeader(state, 'ReduceLROnPlateau', where));
    const config = plateauConfig(s, `${where}.`);
    const minLrs = s.minLrs;
    if (!Array.isArray(minLrs)) fail(`${where}.minLrs`, 'an array of finite numbers >= 0', minLrs);
    minLrs.forEach((x, i) => num(`${where}.minLrs[${i}]`, x, undefined, 'a finite number >= 0', (v) => v >= 0));
    const defaultMinLr = s.defaultMinLr === null ? null : num(`${where}.defaultMinLr`, s.defaultMinLr, undefined, 'null or a finite number >= 0', (v) => v >= 0);
    const best = decodeNumber(`${where}.best`, s.best);
    const numBadEpochs = int(`${where}.numBadEpochs`, s.numBadEpochs, undefined, 0);
    const cooldownCounter = int(`${where}.cooldownCounter`, s.cooldownCounter, undefined, 0);
    const lastEpoch = int(`${where}.lastEpoch`, s.lastEpoch, undefined, 0);
    const lastLr = readNumbers(s, 'lastLr', groupsOf(this.optimizer).length, where);
    this.config = config;
    this.minLrs = [...(minLrs as number[])];
    this.defaultMinLr = defaultMinLr;
    this.best = best;
    this.numBadEpochs = numBadEpochs;
    this.cooldownCounter = cooldownCounter;
    this.epoch = lastEpoch;
    this.lastLr = lastLr;
  }
}
