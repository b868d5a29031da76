/**
 * Composition: SequentialLR (one child after another, switching at milestones) and
 * ChainedScheduler (every child at every step, effects multiply)
 * (`torch.optim.lr_scheduler.SequentialLR`, `ChainedScheduler`).
 */
import { fail } from '../errors.js';
import { ReduceLROnPlateau } from './plateau.js';
import {
  checkOptimizer,
  groupsOf,
  int,
  LRScheduler,
  readHeader,
  readNumbers,
  readOptions,
  SCHEDULER_STATE_VERSION,
  type AnyOptimizer,
  type SchedulerState,
} from './scheduler.js';

/** Checks a list of child schedulers (non-empty, no ReduceLROnPlateau, all on `optimizer`, when given). */
function checkChildren(name: string, v: unknown, optimizer: AnyOptimizer | undefined): LRScheduler[] {
  if (!Array.isArray(v) || v.length === 0) fail(name, 'a non-empty array of schedulers', v);
  v.forEach((s, i) => {
    if (s instanceof ReduceLROnPlateau) {
      fail(`${name}[${i}]`, 'a step-driven scheduler (ReduceLROnPlateau needs a metric at every step and cannot be composed)', s);
    }
    if (!(s instanceof LRScheduler)) fail(`${name}[${i}]`, 'a simdopt learning-rate scheduler', s);
    if (optimizer && s.optimizer !== optimizer) fail(`${name}[${i}]`, 'a scheduler of the same optimizer as the others', s);
  });
  return [...v];
}

export interface SequentialLROptions {
  /** The children, built on the same optimizer before this (each took its initial step). */
  schedulers: LRScheduler[];
  /** Epochs at which the next child takes over: strictly increasing positive integers, one fewer than the children. */
  milestones: number[];
}

export interface ChainedSchedulerOptions {
  /** The optimizer of the children (default: the first child's). */
  optimizer?: AnyOptimizer;
}

/**
 * Runs `schedulers[0]` until `milestones[0]`, then `schedulers[1]` until `milestones[1]`, and so
 * on. Build the children on the same optimizer first, then this.
 *
 * ```text
 * construction: every group's lr ← initialLr; each child's construction step is undone;
 *               schedulers[0] takes its initial step again
 * step at epoch e = milestone m_i: schedulers[i+1] restarts at its epoch 0 through its closed
 *               form (from its base lrs, not from the previous child's last lr)
 * other steps:  the current child's step()
 * ```
 * Milestones are strictly increasing positive integers, one fewer than the schedulers. As in
 * PyTorch, the children's own construction steps changed the lr before this constructor runs.
 * Only the first child may itself be a SequentialLR or ChainedScheduler (PyTorch cannot restart
 * one at a milestone).
 */
export class SequentialLR extends LRScheduler {
  protected readonly kind = 'SequentialLR';
  private readonly schedulers: LRScheduler[];
  private milestones: number[];

  constructor(optimizer: AnyOptimizer, options: SequentialLROptions) {
    super(optimizer);
    const o = readOptions(options, ['schedulers', 'milestones']);
    const schedulers = checkChildren('schedulers', o.schedulers, optimizer);
    schedulers.forEach((s, i) => {
      if (i > 0 && (s instanceof SequentialLR || s instanceof ChainedScheduler)) {
        fail(`schedulers[${i}]`, 'a scheduler with a closed form or getLr (PyTorch cannot restart a SequentialLR or ChainedScheduler at a milestone)', s);
      }
    });
    this.milestones = sequentialMilestones(o.milestones, schedulers.length, '');
    const groups = groupsOf(optimizer);
    groups.forEach((g, i) => {
      if (typeof g.initialLr !== 'number' || !Number.isFinite(g.initialLr)) {
        fail(`paramGroups[${i}].initialLr`, 'a finite number (the children store it when they are built)', g.initialLr);
      }
    });
    this.schedulers = schedulers;
    this.epoch = 0;
    // Everything is checked: reset the lrs and redo the first child's initial step alone.
    for (const g of groups) g.lr = g.initialLr as number;
    this._undoInitialStep();
    this.schedulers[0]._initialStep();
    this.lastLr = this.schedulers[0].getLastLr();
  }

  step(): void {
    this.optimizer.assertUsable();
    const e = this.epoch + 1;
    const idx = bisectRight(this.milestones, e);
    const child = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === e) child._updateLr(0);
    else child.step();
    this.epoch = e;
    this.lastLr = child.getLastLr();
  }

  /** @internal Undoes the construction step of every (nested) child, not this one's. */
  _undoInitialStep(): void {
    for (const s of this.schedulers) s._undoInitialStep();
  }

  stateDict(): SchedulerState {
    return {
      version: SCHEDULER_STATE_VERSION,
      scheduler: this.kind,
      lastEpoch: this.epoch,
      milestones: [...this.milestones],
      lastLr: [...this.lastLr],
      schedulers: this.schedulers.map((s) => s.stateDict()),
    };
  }

  /** @internal */
  _readState(state: unknown, where: string): () => void {
    const s = readHeader(state, this.kind, where);
    const lastEpoch = int(`${where}.lastEpoch`, s.lastEpoch, undefined, 0);
    const milestones = sequentialMilestones(s.milestones, this.schedulers.length, `${where}.`);
    const lastLr = readNumbers(s, 'lastLr', groupsOf(this.optimizer).length, where);
    const children = readChildren(s.schedulers, this.schedulers, where);
    return () => {
      this.epoch = lastEpoch;
      this.milestones = milestones;
      this.lastLr = lastLr;
      children.forEach((commit) => commit());
    };
  }

  protected getLr(): number[] {
    return fail('SequentialLR', 'step() (it has no schedule of its own)', 'a restart at a milestone');
  }
}

function sequentialMilestones(v: unknown, count: number, at: string): number[] {
  if (!Array.isArray(v) || v.length !== count - 1) {
    fail(`${at}milestones`, `${count - 1} milestones (one fewer than the schedulers)`, v);
  }
  v.forEach((m, i) => {
    int(`${at}milestones[${i}]`, m, undefined, 1);
    if (i > 0 && m <= v[i - 1]) fail(`${at}milestones`, 'strictly increasing milestones', v);
  });
  return [...(v as number[])];
}

function readChildren(v: unknown, children: LRScheduler[], where: string): (() => void)[] {
  if (!Array.isArray(v) || v.length !== children.length) fail(`${where}.schedulers`, `${children.length} scheduler states`, v);
  return children.map((c, i) => c._readState(v[i], `${where}.schedulers[${i}]`));
}

/** The index of the first milestone > e (Python's bisect_right). */
function bisectRight(sorted: readonly number[], e: number): number {
  let i = 0;
  while (i < sorted.length && sorted[i] <= e) i++;
  return i;
}

/**
 * Steps every child, in order, at every step: their (chainable) effects multiply.
 *
 * ```text
 * step(): for each child: child.step()
 * ```
 * Takes the children (built on the same optimizer) and optionally `{ optimizer }` (default: the
 * first child's), as PyTorch's `ChainedScheduler(schedulers, optimizer=None)`.
 */
export class ChainedScheduler extends LRScheduler {
  protected readonly kind = 'ChainedScheduler';
  private readonly schedulers: LRScheduler[];

  constructor(schedulers: LRScheduler[], options: ChainedSchedulerOptions = {}) {
    const o = readOptions(options, ['optimizer']);
    const children = checkChildren('schedulers', schedulers, undefined);
    if (o.optimizer !== undefined) checkOptimizer('optimizer', o.optimizer);
    const optimizer = (o.optimizer) ?? children[0].optimizer;
    checkChildren('schedulers', children, optimizer);
    super(optimizer);
    this.schedulers = children;
    this.lastLr = groupsOf(optimizer).map((g) => g.lr);
  }

  /** The first child's epoch (PyTorch's ChainedScheduler keeps none of its own). */
  get lastEpoch(): number {
    return this.schedulers[0].lastEpoch;
  }

  step(): void {
    this.optimizer.assertUsable();
    for (const s of this.schedulers) s.step();
    this.lastLr = groupsOf(this.optimizer).map((g) => g.lr);
  }

  /** @internal */
  _undoInitialStep(): void {
    for (const s of this.schedulers) s._undoInitialStep();
  }

  stateDict(): SchedulerState {
    return {
      version: SCHEDULER_STATE_VERSION,
      scheduler: this.kind,
      lastLr: [...this.lastLr],
      schedulers: this.schedulers.map((s) => s.stateDict()),
    };
  }

  /** @internal */
  _readState(state: unknown, where: string): () => void {
    const s = readHeader(state, this.kind, where);
    const lastLr = readNumbers(s, 'lastLr', groupsOf(this.optimizer).length, where);
    const children = readChildren(s.schedulers, this.schedulers, where);
    return () => {
      this.lastLr = lastLr;
      children.forEach((commit) => commit());
    };
  }

  protected getLr(): number[] {
    return fail('ChainedScheduler', 'step() (it has no schedule of its own)', 'a restart at a milestone');
  }
}
