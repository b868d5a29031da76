/**
 * The opening Adam, NAdam and RAdam share, mirroring `Moments` of
 * crates/simdopt-core/src/optim/mod.rs: entries 0 … 5 of their argument blocks (flags with
 * maximize in bit 0 and the decay mode at `decayShift`, wd, 1 − lr·wd, 1 − β1, β2, 1 − β2) and
 * the per-element update `g ← −g` (maximize), weight decay, `m ← lerp(m, g, 1 − β1)`,
 * `v ← β2·v + ((1 − β2)·g)·g`, rounded to float32 as the wasm builds do.
 */
import { lerp32 } from './lerp.js';

const f = Math.fround;

/** Decay modes (two bits at the kernel's decay shift). */
const COUPLED = 1;
const DECOUPLED = 2;

export interface MomentOptions {
  lr: number;
  betas: [number, number];
  weightDecay: number;
  maximize: boolean;
  decoupledWeightDecay: boolean;
}

/** Writes entries 0 … 5; returns the flags word so the caller can add its own bits. */
export function writeMoments(a: Float32Array, o: MomentOptions, decayShift: number): number {
  const decay = o.weightDecay === 0 ? 0 : o.decoupledWeightDecay ? DECOUPLED : COUPLED;
  const flags = (o.maximize ? 1 : 0) | (decay << decayShift);
  a[1] = o.weightDecay;
  a[2] = 1 - o.lr * o.weightDecay;
  a[3] = 1 - o.betas[0];
  a[4] = o.betas[1];
  a[5] = 1 - o.betas[1];
  return (a[0] = flags);
}

export class Moments {
  readonly maximize: boolean;
  readonly decay: number;
  readonly wd: number;
  readonly factor: number;
  readonly w1: number;
  readonly beta2: number;
  readonly w2: number;

  constructor(a: Float32Array, decayShift: number) {
    this.maximize = (a[0] & 1) !== 0;
    this.decay = (a[0] >> decayShift) & 3;
    this.wd = a[1];
    this.factor = a[2];
    this.w1 = a[3];
    this.beta2 = a[4];
    this.w2 = a[5];
  }

  /**
   * Updates `m[i]`, `v[i]` and, for decoupled decay, `p[i]` (the parameter the rest of the
   * update starts from); returns the gradient after maximize and coupled decay.
   */
  update(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, i: number): number {
    let gi = this.maximize ? -g[i] : g[i];
    if (this.decay === COUPLED) gi = f(gi + f(this.wd * p[i]));
    else if (this.decay === DECOUPLED) p[i] = f(p[i] * this.factor);
    m[i] = lerp32(m[i], gi, this.w1);
    v[i] = f(f(v[i] * this.beta2) + f(f(this.w2 * gi) * gi));
    return gi;
  }
}
