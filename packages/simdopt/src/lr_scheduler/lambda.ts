/**
 * User-defined factors: LambdaLR and MultiplicativeLR
 * (`torch.optim.lr_scheduler.LambdaLR`, `MultiplicativeLR`).
 */
import { fail } from '../errors.js';
import { groupsOf, LRScheduler, readOptions, type AnyOptimizer } from './scheduler.js';

/** A factor as a function of the epoch. */
export type LrLambda = (epoch: number) => number;

export interface LambdaLROptions {
  /** One function for every group, or a list of one function per param group. */
  lrLambda: LrLambda | LrLambda[];
}

function lambdas(optimizer: AnyOptimizer, v: unknown): LrLambda[] {
  const n = groupsOf(optimizer).length;
  if (Array.isArray(v)) {
    if (v.length !== n) fail('lrLambda', `one function per param group (${n})`, v);
    v.forEach((f, i) => {
      if (typeof f !== 'function') fail(`lrLambda[${i}]`, 'a function of the epoch', f);
    });
    return [...v];
  }
  if (typeof v !== 'function') fail('lrLambda', 'a function of the epoch, or a list of one per param group', v);
  return new Array<LrLambda>(n).fill(v as LrLambda);
}

/** Calls the group's lambda and checks that it gave a finite number. */
function factor(fns: LrLambda[], i: number, epoch: number): number {
  const f = fns[i](epoch);
  if (typeof f !== 'number' || !Number.isFinite(f)) {
    fail(fns.length > 1 ? `lrLambda[${i}]` : 'lrLambda', `a function returning a finite number (at epoch ${epoch})`, f);
  }
  return f;
}

/**
 * Sets each group's lr to its base lr times a user function of the epoch.
 *
 * ```text
 * lr_e = base·λ(e)      (also at epoch 0, in the constructor)
 * ```
 * Not chainable: every value comes from the base lr. The functions are not part of the state
 * dict (as in PyTorch, which only saves callable objects' attributes); the restored scheduler
 * keeps the functions it was built with.
 */
export class LambdaLR extends LRScheduler {
  protected readonly kind = 'LambdaLR';
  private readonly lrLambdas: LrLambda[];

  constructor(optimizer: AnyOptimizer, options: LambdaLROptions) {
    super(optimizer);
    this.lrLambdas = lambdas(optimizer, readOptions(options, ['lrLambda']).lrLambda);
    this.start();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((base, i) => base * factor(this.lrLambdas, i, this.epoch));
  }
}

export interface MultiplicativeLROptions {
  /** One function for every group, or a list of one function per param group. */
  lrLambda: LrLambda | LrLambda[];
}

/**
 * Multiplies each group's lr by a user function of the epoch at every step.
 *
 * ```text
 * chainable, epoch e ≥ 1:  lr ← lr·λ(e)      (the constructor's step leaves the lr alone)
 * ```
 * The functions are not part of the state dict (as in PyTorch).
 */
export class MultiplicativeLR extends LRScheduler {
  protected readonly kind = 'MultiplicativeLR';
  private readonly lrLambdas: LrLambda[];

  constructor(optimizer: AnyOptimizer, options: MultiplicativeLROptions) {
    super(optimizer);
    this.lrLambdas = lambdas(optimizer, readOptions(options, ['lrLambda']).lrLambda);
    this.start();
  }

  protected getLr(): number[] {
    if (this.isInitial) return this.groupLrs();
    return this.groupLrs().map((lr, i) => lr * factor(this.lrLambdas, i, this.epoch));
  }
}
