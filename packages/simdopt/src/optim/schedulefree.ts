/**
 * What Schedule-Free AdamW and SGD (schedulefreeadamw.ts, schedulefreesgd.ts) share: the kernel,
 * the options after their first ones, the group bookkeeping, the modes and the step.
 *
 * Schedule-Free AdamW and SGD (Defazio et al. 2024, "The Road Less Scheduled", arXiv
 * 2405.15682), as facebookresearch/schedule_free `schedulefree/adamw_schedulefree.py` and
 * `sgd_schedulefree.py` compute them (Rust kernel: crates/simdopt-core/src/optim/schedulefree.rs).
 * Not part of torch.optim.
 *
 * ```text
 * per group and step (k = steps so far):
 *   lr_k = lr·min(1, (k+1)/warmupSteps);  lrMax = max(lrMax, lr_k)     (lrMax starts at −1)
 *   weight = (k+1)^r · lrMax^weightLrPower;  weightSum += weight;  c = weight / weightSum (0 if 0)
 * per element (z starts as a copy of the parameter at its first step):
 *   AdamW: v ← β2·v + (1 − β2)·g²;  d = g / (√(v/(1 − β2^(k+1))) + eps)      SGD: d = g
 *   d ← d + wd·y;  y ← lerp(y, z, c);  y ← y + lr_k·(β·(1 − c) − 1)·d;  z ← z − lr_k·d
 * eval():  p ← lerp(p, z, 1 − 1/β)  (y → x);    train():  p ← lerp(p, z, 1 − β)  (x → y)
 * ```
 * β is β1 (AdamW) or `momentum` (SGD). As in the reference the optimizer starts in eval mode:
 * call `train()` before the first `step()` (a step outside train mode throws) and `eval()` before
 * evaluating or saving the model. The group bookkeeping — `k`, `trainMode`, `weightSum`, `lrMax`,
 * `scheduledLr` — is kept in each param group, as the reference keeps it in `param_groups` (so it
 * travels in `stateDict().paramGroups`); the traits name these fields (`groupFields`) so the
 * unknown-key check accepts them while still refusing a misspelt option. Per-parameter state is
 * `z` (and `exp_avg_sq` for AdamW).
 */
import { fail, SimdoptError } from '../errors.js';
import { checkBoolean, checkInteger, checkNonNegative, checkNumber } from '../validate.js';
import { checkAgainst, hasFlag, kernel, lerp32, nonNegative, Optimizer, spec, type BaseOptions, type OptionSpec, type ParamsInput, type Schema, type StepContext } from './house.js';
import type { ParamGroupInput, StepOptions } from './optimizer.js';

/** A group's bookkeeping, under the reference's names (camelCased). */
export interface ScheduleFreeGroupState {
  k: number;
  trainMode: boolean;
  weightSum: number;
  lrMax: number;
  scheduledLr: number;
}

/** The options after β (and eps): the same in both, in the reference's keyword order. */
export const scheduleFreeTail = (): Record<string, OptionSpec> => ({
  weightDecay: nonNegative(0, 'Weight decay, added to the direction at the interpolated point y.', 'weight_decay'),
  warmupSteps: spec('number', (n, v) => checkInteger(n, v))(0, 'Steps of linear lr warm-up (0: none).', 'warmup_steps'),
  r: nonNegative(0, 'The averaging weight grows as (k+1)^r.', 'r'),
  weightLrPower: nonNegative(2, 'The averaging weight grows as lrMax^weightLrPower.', 'weight_lr_power'),
});

const f = Math.fround;

// Argument block (crates/simdopt-core/src/optim/schedulefree.rs, `arg`).
const ADAPTIVE = 1;
const FIRST = 2;
const WEIGHT_DECAY = 4;
const SWITCH = 8;

/** The kernel; the js twin rounds every operation to float32 as the wasm builds do. */
export const scheduleFreeKernel = kernel('schedulefree', 9, (p, g, s, a) => {
  const [flags, wd, beta2, w2, bc2, eps, c, yAlpha, lr] = a;
  const [z, v] = s;
  const toX = hasFlag(flags, SWITCH);
  const adaptive = hasFlag(flags, ADAPTIVE);
  const first = hasFlag(flags, FIRST);
  const decay = hasFlag(flags, WEIGHT_DECAY);
  if (toX) {
    // SWITCH: p ← lerp(p, z, w), with w at entry 6.
    for (let i = 0; i < p.length; i++) p[i] = lerp32(p[i], z[i], c);
    return;
  }
  for (let i = 0; i < p.length; i++) {
    const y = p[i];
    if (first) z[i] = y;
    const gi = g[i];
    let d = gi;
    if (adaptive) {
      const vi = f(f(v[i] * beta2) + f(f(w2 * gi) * gi));
      v[i] = vi;
      d = f(gi / f(f(Math.sqrt(f(vi / bc2))) + eps));
    }
    if (decay) d = f(d + f(wd * y));
    const zi = z[i];
    p[i] = f(lerp32(y, zi, c) + f(yAlpha * d));
    z[i] = f(zi - f(lr * d));
  }
});

/** The bookkeeping fields a group holds besides its options. */
const BOOK_KEYS = ['k', 'trainMode', 'weightSum', 'lrMax', 'scheduledLr'] as const;

type Common = BaseOptions & { weightDecay: number; warmupSteps: number; r: number; weightLrPower: number };

/** What both Schedule-Free optimizers share: the group bookkeeping, the mode, the step. */
export abstract class ScheduleFree<O extends Common> extends Optimizer<O> {
  protected readonly hasStepCounter: boolean = false;
  protected readonly kernel = scheduleFreeKernel;
  /** This step's group scalars, computed once per group and step() call. */
  private readonly advanced = new WeakMap<object, { serial: number; ckp1: number; lr: number }>();
  private serial = 0;
  private switchArgs: Float32Array | null = null;
  private readonly optionSchema: Schema;

  /** AdamW adapts by a second moment; SGD does not. */
  protected abstract readonly adaptive: boolean;
  /** β of the interpolation: β1 or momentum. */
  protected abstract beta(group: O): number;

  constructor(params: ParamsInput<O>, options: Partial<O>, schema: Schema) {
    super(params, options, { schema, groupFields: BOOK_KEYS });
    this.optionSchema = schema;
    for (const g of this.paramGroups) this.book(g);
  }

  addParamGroup(group: ParamGroupInput<O>): void {
    super.addParamGroup(group);
    this.book(this.paramGroups[this.paramGroups.length - 1]);
  }

  /** Whether the first group is in train mode (the mode `step()` checks, as the reference). */
  get trainMode(): boolean {
    return this.book(this.paramGroups[0]).trainMode;
  }

  /** A copy of a group's bookkeeping. */
  groupState(index = 0): ScheduleFreeGroupState {
    const g = this.paramGroups[index];
    if (g === undefined) fail('index', `a group index below ${this.paramGroups.length}`, index);
    const { k, trainMode, weightSum, lrMax, scheduledLr } = this.book(g);
    return { k, trainMode, weightSum, lrMax, scheduledLr };
  }

  /** Moves every parameter with state from the evaluation point x to the training point y. */
  train(): void {
    this.switchTo(true);
  }

  /** Moves every parameter with state from the training point y to the evaluation point x. */
  eval(): void {
    this.switchTo(false);
  }

  /** One step; throws a SimdoptError outside train mode. */
  step(options?: StepOptions): boolean {
    if (!this.book(this.paramGroups[0]).trainMode) {
      throw new SimdoptError(`trainMode: expected train mode for ${this.kind}.step() (call train() before stepping, eval() before evaluating), got eval mode`, 'trainMode');
    }
    this.serial++;
    return super.step(options);
  }

  protected writeArgs(a: Float32Array, o: O, { fresh }: StepContext): void {
    const { ckp1, lr } = this.advance(o);
    const adaptive = this.adaptive;
    const beta1 = this.beta(o);
    const k = this.book(o).k; // after the increment: the reference's k + 1
    a[0] = (adaptive ? ADAPTIVE : 0) | (fresh.has('z') ? FIRST : 0) | (o.weightDecay !== 0 ? WEIGHT_DECAY : 0);
    a[1] = o.weightDecay;
    const betas = (o as unknown as { betas?: [number, number] }).betas;
    const beta2 = betas ? betas[1] : 0;
    a[2] = beta2;
    a[3] = 1 - beta2;
    a[4] = adaptive ? 1 - beta2 ** k : 1;
    a[5] = (o as unknown as { eps?: number }).eps ?? 0;
    a[6] = ckp1;
    a[7] = lr * (beta1 * (1 - ckp1) - 1);
    a[8] = lr;
  }

  /** The bookkeeping a group holds (from a state dict, or written by hand), where it holds it. */
  protected checkOptions(o: O, at: string): void {
    const g = o as unknown as Partial<Record<(typeof BOOK_KEYS)[number], unknown>>;
    if (g.k !== undefined) checkInteger(`${at}k`, g.k);
    if (g.trainMode !== undefined) checkBoolean(`${at}trainMode`, g.trainMode);
    if (g.weightSum !== undefined) checkNonNegative(`${at}weightSum`, g.weightSum);
    if (g.lrMax !== undefined) checkNumber(`${at}lrMax`, g.lrMax);
    if (g.scheduledLr !== undefined) checkNonNegative(`${at}scheduledLr`, g.scheduledLr);
  }

  /** A group's bookkeeping, in the group itself; missing fields start as the reference's. */
  private book(group: object): ScheduleFreeGroupState {
    const b = group as Partial<ScheduleFreeGroupState>;
    b.k ??= 0;
    b.trainMode ??= false;
    b.weightSum ??= 0;
    b.lrMax ??= -1;
    b.scheduledLr ??= 0;
    return b as ScheduleFreeGroupState;
  }

  /** Advances a group's bookkeeping once per step() (writeArgs may run once per run of parameters). */
  private advance(group: O): { ckp1: number; lr: number } {
    const memo = this.advanced.get(group);
    if (memo !== undefined && memo.serial === this.serial) return memo;
    const b = this.book(group);
    const k = b.k;
    const sched = k < group.warmupSteps ? (k + 1) / group.warmupSteps : 1;
    const lr = group.lr * sched;
    b.scheduledLr = lr;
    b.lrMax = Math.max(lr, b.lrMax);
    const weight = (k + 1) ** group.r * b.lrMax ** group.weightLrPower;
    b.weightSum += weight;
    // The reference catches ZeroDivisionError: c = 0 while every weight so far is 0.
    const ckp1 = b.weightSum !== 0 ? weight / b.weightSum : 0;
    b.k = k + 1;
    const next = { serial: this.serial, ckp1, lr };
    this.advanced.set(group, next);
    return next;
  }

  private switchTo(train: boolean): void {
    // Every group's options first (β moves the values): a bad one leaves every group as it was.
    this.paramGroups.forEach((g, gi) => {
      checkAgainst(this.optionSchema, g as unknown as Record<string, unknown>, `paramGroups[${gi}].`);
      this.checkOptions(g, `paramGroups[${gi}].`);
    });
    for (const group of this.paramGroups) {
      const b = this.book(group);
      if (b.trainMode === train) continue;
      const beta = this.beta(group);
      const args = (this.switchArgs ??= new Float32Array(scheduleFreeKernel.argsLength));
      args.fill(0);
      args[0] = SWITCH | (this.adaptive ? ADAPTIVE : 0);
      args[6] = train ? 1 - beta : 1 - 1 / beta;
      this.runOverState(group, args);
      b.trainMode = train;
    }
  }
}
