/**
 * The opening of the kernels with coupled weight decay (Adagrad, Adadelta, Adamax, RMSprop, ASGD):
 * flags with maximize in bit 0 and weight decay in bit 1, `wd` at entry 1, and the gradient
 * `g ← −g` (maximize), `g ← g + wd·p` the Rust kernels compute first, rounded to float32.
 */
const f = Math.fround;

export const MAXIMIZE = 1;
export const WEIGHT_DECAY = 2;

/** Flags word for entry 0 (bits 0 and 1; the caller adds its own from bit 2 on). */
export function coupledFlags(o: { maximize: boolean; weightDecay: number }): number {
  return (o.maximize ? MAXIMIZE : 0) | (o.weightDecay !== 0 ? WEIGHT_DECAY : 0);
}

export class CoupledGrad {
  readonly maximize: boolean;
  readonly decay: boolean;
  readonly wd: number;

  constructor(a: Float32Array) {
    this.maximize = (a[0] & MAXIMIZE) !== 0;
    this.decay = (a[0] & WEIGHT_DECAY) !== 0;
    this.wd = a[1];
  }

  /** The gradient of element `i` after maximize and weight decay. */
  at(p: Float32Array, g: Float32Array, i: number): number {
    const gi = this.maximize ? -g[i] : g[i];
    return this.decay ? f(gi + f(this.wd * p[i])) : gi;
  }
}
