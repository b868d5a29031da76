/**
 * What is benchmarked, one entry per optimizer configuration, each with every contender's
 * version of the same update:
 *
 * - `simdopt`: the public API (one optimizer over Parameters);
 * - `naive`:   a loop as a user would first write it: options read per element, bias corrections
 *              recomputed per element with Math.pow, PyTorch's formulas transcribed literally;
 * - `tuned`:   a careful pure-JS loop: constants hoisted out of the loop, one fused pass, each
 *              array element read once, a multiply by a precomputed reciprocal instead of a
 *              second division (float64 arithmetic, float32 storage, as JS does);
 * - `tfjs`:    `tf.train.*` where TensorFlow.js has the optimizer; AdamW and Lion are emulated
 *              with tensor ops (tfjs has neither); NAdam and RAdam are n/a;
 * - `ref`:     the hand-written single-pass SIMD kernel (./ref/kernels.ts) with its per-step
 *              scalars.
 *
 * Hyperparameters are PyTorch's defaults except where a default makes the update trivial (SGD's
 * lr is given explicitly; AdamW's weight decay is its default 1e-2).
 */
import type * as TF from '@tensorflow/tfjs-core';
import {
  Adadelta, Adagrad, Adam, Adamax, AdamW, Lion, NAdam, RAdam, RMSprop, SGD, type Optimizer, Parameter,
  ASGD, Rprop,
} from 'simdopt';
import { REF_KERNELS } from './ref/kernels.js';
import { ADOPT, LAMB, ScheduleFreeAdamW } from 'simdopt';
import { Prodigy } from 'simdopt';
import type { BaseOptions } from 'simdopt';
// The registry is no public export: the bench resolves `simdopt` to these sources (tsconfig paths).
import { OPTIMIZERS as REGISTRY, type OptimizerEntry } from '../../packages/simdopt/src/optim/registry.js';
import { defaultsOf } from '../../packages/simdopt/src/options/schema.js';

/** A plain-JS update: returns the function that performs step `t` (1-based). */
export type PlainFactory = (p: Float32Array, g: Float32Array, s: Float32Array[]) => (t: number) => void;

/** One step of a plain-JS update over arrays passed as arguments; `st` keeps scalar state. */
type PlainBody = (p: Float32Array, g: Float32Array, s: Float32Array[], t: number, st: Record<string, number>) => void;

/**
 * A factory over a step function that receives its arrays as arguments, as hand-written code
 * would be. (A loop over arrays captured from a factory's closure runs 2.5× slower in V8 once
 * the factory has made a second closure: the optimised code can no longer treat the captured
 * arrays as constants and reloads them from the context in every iteration. The benchmark makes
 * one instance per size and per check, so it would have measured that artefact.)
 */
function plain(body: PlainBody): PlainFactory {
  return (p, g, s) => {
    const st: Record<string, number> = {};
    return (t) => body(p, g, s, t, st);
  };
}

/** A tfjs update over a variable and a (kept) gradient tensor: returns the step function. */
export type TfFactory = (tf: typeof TF, v: TF.Variable, grad: TF.Tensor) => { step(): void; dispose(): void };

export interface OptimizerSpec {
  id: string;
  /** The registered class it steps (packages/simdopt/src/optim/registry.ts). */
  optimizer: string;
  label: string;
  /** The options every contender uses, as text for the report. */
  options: string;
  /**
   * Bytes a fused pass must move per element (read p, g, state; write p, state). A spec made
   * from the registry counts one fused pass: 12 + 8 per state slot.
   */
  bytes: number;
  /**
   * State arrays of the plain-JS and reference contenders (and what sizes simdopt's memory). A
   * spec made from the registry counts simdopt's own state slots after two steps.
   */
  readonly slots: number;
  /** In the default set (the rest run with --all). */
  core: boolean;
  simdopt(params: Parameter[]): Optimizer<never>;
  /** null: nobody wrote the loops (a spec made from the registry). */
  naive: PlainFactory | null;
  tuned: PlainFactory | null;
  /** null: TensorFlow.js has no such optimizer and none is emulated. */
  tfjs: TfFactory | null;
  /** How the tfjs contender differs from tf.train (emulation), if it does. */
  tfjsNote?: string;
  /**
   * The reference kernel for step t, and a fresh writer of its argument block (stateful for
   * NAdam's running product of momentum factors; steps must then come in order from 1).
   * null: no hand-written kernel (the optimizers beyond torch.optim).
   */
  ref: { kernel(t: number): string; args(): (t: number, out: Float32Array) => void } | null;
}

const opt = (o: Optimizer<never> | object) => o as Optimizer<never>;

/** Wraps a tf.train optimizer: one applyGradients per step. */
function tfTrain(make: (tf: typeof TF) => TF.Optimizer): TfFactory {
  return (tf, v, grad) => {
    const o = make(tf);
    const grads = { [v.name]: grad } as never;
    return {
      step: () => o.applyGradients(grads),
      dispose: () => o.dispose(),
    };
  };
}

const SGD_LR = 0.01;
const MOMENTUM = 0.9;
const RMS_LR = 1e-2;
const RMS_ALPHA = 0.99;
const RMS_EPS = 1e-8;
const ADAGRAD_LR = 1e-2;
const ADAGRAD_EPS = 1e-10;
const ADAM_LR = 1e-3;
const B1 = 0.9;
const B2 = 0.999;
const ADAM_EPS = 1e-8;
const ADAMW_WD = 1e-2;
const LION_LR = 1e-4;
const LION_B1 = 0.9;
const LION_B2 = 0.99;
const ADADELTA_LR = 1.0;
const ADADELTA_RHO = 0.9;
const ADADELTA_EPS = 1e-6;
const ADAMAX_LR = 2e-3;
const NADAM_LR = 2e-3;
const NADAM_PSI = 4e-3;
const RADAM_LR = 1e-3;
const ASGD_LR = 1e-2;
const ASGD_LAMBD = 1e-4;
const ASGD_ALPHA = 0.75;
const ASGD_T0 = 1e6;
const RPROP_LR = 1e-2;
const RPROP_ETAS = [0.5, 1.2] as const;
const RPROP_SIZES = [1e-6, 50] as const;
const ADOPT_LR = 1e-3;
const ADOPT_B2 = 0.9999;
const ADOPT_EPS = 1e-6;
const LAMB_LR = 1e-3;
const LAMB_EPS = 1e-6;
const SF_LR = 0.0025;
const PRODIGY_D0 = 1e-6;

/**
 * The hand-written specs: PyTorch's defaults (or a setting that keeps the update non-trivial),
 * each with its naive and tuned pure-JS loops, its tfjs equivalent and its reference kernel, in
 * table order. Every other registered element-wise optimizer gets a spec from the registry
 * (`registrySpec`).
 */
const HAND_WRITTEN: OptimizerSpec[] = [
  // --- beyond torch.optim (run with --all or --optimizers=adopt,lamb,schedulefree-adamw) ---
  {
    id: 'adopt',
    optimizer: 'ADOPT',
    label: 'ADOPT',
    options: `lr=${ADOPT_LR}, betas=[${B1}, ${ADOPT_B2}], eps=${ADOPT_EPS}, clipLambda=step^0.25`,
    bytes: 28,
    slots: 2,
    core: false,
    simdopt: (ps) => opt(new ADOPT(ps, { lr: ADOPT_LR })),
    naive: plain((p, g, [m, v], t) => {
      const o = { lr: ADOPT_LR, betas: [B1, ADOPT_B2], eps: ADOPT_EPS, clipLambda: (s: number) => s ** 0.25 };
      for (let i = 0; i < p.length; i++) {
        if (t === 1) {
          v[i] = v[i] + g[i] * g[i];
          continue;
        }
        const n = Math.min(Math.max(g[i] / Math.max(Math.sqrt(v[i]), o.eps), -o.clipLambda(t - 1)), o.clipLambda(t - 1));
        m[i] = m[i] + (1 - o.betas[0]) * (n - m[i]);
        p[i] = p[i] - o.lr * m[i];
        v[i] = o.betas[1] * v[i] + (1 - o.betas[1]) * g[i] * g[i];
      }
    }),
    tuned: plain((p, g, [m, v], t) => {
      const n = p.length;
      if (t === 1) {
        for (let i = 0; i < n; i++) v[i] = g[i] * g[i];
        return;
      }
      const clip = (t - 1) ** 0.25;
      const lr = ADOPT_LR;
      const w1 = 1 - B1;
      const b2 = ADOPT_B2;
      const w2 = 1 - ADOPT_B2;
      const eps = ADOPT_EPS;
      for (let i = 0; i < n; i++) {
        const gi = g[i];
        const vi = v[i];
        const r = Math.sqrt(vi);
        let x = gi / (r < eps ? eps : r);
        x = x > clip ? clip : x < -clip ? -clip : x;
        const mi = m[i] + w1 * (x - m[i]);
        m[i] = mi;
        p[i] -= lr * mi;
        v[i] = b2 * vi + w2 * gi * gi;
      }
    }),
    tfjs: null,
    ref: null,
  },
  {
    id: 'lamb',
    optimizer: 'LAMB',
    label: 'LAMB',
    options: `lr=${LAMB_LR}, betas=[${B1}, ${B2}], eps=${LAMB_EPS}`,
    // Two passes: p, g, μ, ν in and μ, ν out; then p, μ, ν in and p out.
    bytes: 40,
    // The plain-JS contenders keep the update in a third array between their two passes.
    slots: 3,
    core: false,
    simdopt: (ps) => opt(new LAMB(ps, { lr: LAMB_LR })),
    naive: plain((p, g, [mu, nu, u], t) => {
      const o = { lr: LAMB_LR, b1: B1, b2: B2, eps: LAMB_EPS, epsRoot: 0 };
      let pp = 0;
      let uu = 0;
      for (let i = 0; i < p.length; i++) {
        mu[i] = (1 - o.b1) * g[i] + o.b1 * mu[i];
        nu[i] = (1 - o.b2) * g[i] * g[i] + o.b2 * nu[i];
        u[i] = mu[i] / (1 - Math.pow(o.b1, t)) / (Math.sqrt(nu[i] / (1 - Math.pow(o.b2, t)) + o.epsRoot) + o.eps);
        pp += p[i] * p[i];
        uu += u[i] * u[i];
      }
      const ratio = pp === 0 || uu === 0 ? 1 : Math.sqrt(pp) / Math.sqrt(uu);
      for (let i = 0; i < p.length; i++) p[i] = p[i] - o.lr * ratio * u[i];
    }),
    tuned: plain((p, g, [mu, nu, u], t) => {
      const n = p.length;
      const b1 = B1;
      const w1 = 1 - B1;
      const b2 = B2;
      const w2 = 1 - B2;
      const invBc1 = 1 / (1 - B1 ** t);
      const invBc2 = 1 / (1 - B2 ** t);
      const eps = LAMB_EPS;
      let pp = 0;
      let uu = 0;
      for (let i = 0; i < n; i++) {
        const gi = g[i];
        const pi = p[i];
        const mi = w1 * gi + b1 * mu[i];
        const vi = w2 * gi * gi + b2 * nu[i];
        mu[i] = mi;
        nu[i] = vi;
        const ui = (mi * invBc1) / (Math.sqrt(vi * invBc2) + eps);
        u[i] = ui;
        pp += pi * pi;
        uu += ui * ui;
      }
      const step = -LAMB_LR * (pp === 0 || uu === 0 ? 1 : Math.sqrt(pp / uu));
      for (let i = 0; i < n; i++) p[i] += step * u[i];
    }),
    tfjs: null,
    ref: null,
  },
  {
    id: 'schedulefree-adamw',
    optimizer: 'ScheduleFreeAdamW',
    label: 'ScheduleFreeAdamW',
    options: `lr=${SF_LR}, betas=[${B1}, ${B2}], eps=${ADAM_EPS}`,
    bytes: 28,
    slots: 2,
    core: false,
    simdopt: (ps) => {
      const o = new ScheduleFreeAdamW(ps, { lr: SF_LR });
      o.train();
      return opt(o);
    },
    naive: plain((p, g, [z, v], t, st) => {
      const o = { lr: SF_LR, betas: [B1, B2], eps: ADAM_EPS, r: 0, weightLrPower: 2 };
      const k = t - 1;
      st.lrMax = Math.max(o.lr, st.lrMax ?? -1);
      const weight = Math.pow(k + 1, o.r) * Math.pow(st.lrMax, o.weightLrPower);
      st.weightSum = (st.weightSum ?? 0) + weight;
      const c = weight / st.weightSum;
      for (let i = 0; i < p.length; i++) {
        if (t === 1) z[i] = p[i];
        v[i] = o.betas[1] * v[i] + (1 - o.betas[1]) * g[i] * g[i];
        const d = g[i] / (Math.sqrt(v[i] / (1 - Math.pow(o.betas[1], k + 1))) + o.eps);
        p[i] = p[i] + c * (z[i] - p[i]) + o.lr * (o.betas[0] * (1 - c) - 1) * d;
        z[i] = z[i] - o.lr * d;
      }
    }),
    tuned: plain((p, g, [z, v], t, st) => {
      const n = p.length;
      if (t === 1) z.set(p);
      const lr = SF_LR;
      const weight = lr * lr; // (k+1)^0 · lrMax²
      st.weightSum = (st.weightSum ?? 0) + weight;
      const c = weight / st.weightSum;
      const yAlpha = lr * (B1 * (1 - c) - 1);
      const b2 = B2;
      const w2 = 1 - B2;
      const invBc2 = 1 / (1 - B2 ** t);
      const eps = ADAM_EPS;
      for (let i = 0; i < n; i++) {
        const gi = g[i];
        const vi = b2 * v[i] + w2 * gi * gi;
        v[i] = vi;
        const d = gi / (Math.sqrt(vi * invBc2) + eps);
        const yi = p[i];
        const zi = z[i];
        p[i] = yi + c * (zi - yi) + yAlpha * d;
        z[i] = zi - lr * d;
      }
    }),
    tfjs: null,
    ref: null,
  },
  {
    id: 'prodigy',
    optimizer: 'Prodigy',
    label: 'Prodigy',
    options: `lr=1, betas=[${B1}, ${B2}], beta3=√β2, eps=${ADAM_EPS}, d0=${PRODIGY_D0}`,
    // Two passes: p, g, s, p0 in and s out (the sums); then p, g, m, v in and p, m, v out.
    bytes: 48,
    slots: 4,
    core: false,
    simdopt: (ps) => opt(new Prodigy(ps)),
    naive: plain((p, g, [m, v, s, p0], t, st) => {
      // prodigyopt/prodigy.py transcribed: one group, options read as the reference reads them.
      const o = { lr: 1, betas: [B1, B2], beta3: Math.sqrt(B2), eps: ADAM_EPS, d0: PRODIGY_D0, dCoef: 1, growthRate: Infinity };
      if (t === 1) {
        p0.set(p);
        st.d = o.d0;
        st.dMax = o.d0;
        st.dNumerator = 0;
      }
      const d = st.d;
      const dlr = d * o.lr;
      let num = st.dNumerator * o.beta3;
      let den = 0;
      let dot = 0;
      for (let i = 0; i < p.length; i++) {
        dot += g[i] * (p0[i] - p[i]);
        m[i] = m[i] * o.betas[0] + g[i] * d * (1 - o.betas[0]);
        v[i] = v[i] * o.betas[1] + d * d * (1 - o.betas[1]) * g[i] * g[i];
        s[i] = s[i] * o.beta3 + g[i] * ((d / o.d0) * dlr);
      }
      num += (d / o.d0) * dlr * dot;
      for (let i = 0; i < p.length; i++) den += Math.abs(s[i]);
      if (den === 0) return;
      const dHat = (o.dCoef * num) / den;
      let dNew = d === o.d0 ? Math.max(d, dHat) : d;
      st.dMax = Math.max(st.dMax, dHat);
      dNew = Math.min(st.dMax, dNew * o.growthRate);
      st.d = dNew;
      st.dNumerator = num;
      for (let i = 0; i < p.length; i++) p[i] = p[i] - dlr * (m[i] / (Math.sqrt(v[i]) + dNew * o.eps));
    }),
    tuned: plain((p, g, [m, v, s, p0], t, st) => {
      // Two fused passes as simdopt's: sums (and s), then moments and parameters.
      const n = p.length;
      if (t === 1) {
        p0.set(p);
        st.d = st.dMax = PRODIGY_D0;
        st.dNumerator = 0;
      }
      const beta3 = Math.sqrt(B2);
      const d = st.d;
      const dlr = d;
      const c = (d / PRODIGY_D0) * dlr;
      let dot = 0;
      let den = 0;
      for (let i = 0; i < n; i++) {
        const gi = g[i];
        const pi = p[i];
        dot += gi * (p0[i] - pi);
        const si = s[i] * beta3 + gi * c;
        s[i] = si;
        den += si < 0 ? -si : si;
      }
      if (den === 0) return;
      const num = st.dNumerator * beta3 + c * dot;
      const dHat = num / den;
      if (dHat > st.dMax) st.dMax = dHat;
      // growthRate Infinity: d ← min(dMax, d·∞) = dMax.
      const dNew = st.dMax;
      st.d = dNew;
      st.dNumerator = num;
      const w1 = d * (1 - B1);
      const w2 = d * d * (1 - B2);
      const dEps = dNew * ADAM_EPS;
      for (let i = 0; i < n; i++) {
        const gi = g[i];
        const mi = m[i] * B1 + gi * w1;
        const vi = v[i] * B2 + w2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= (dlr * mi) / (Math.sqrt(vi) + dEps);
      }
    }),
    tfjs: null,
    ref: null,
  },
  {
    id: 'sgd',
    optimizer: 'SGD',
    label: 'SGD',
    options: `lr=${SGD_LR}`,
    bytes: 12,
    slots: 0,
    core: true,
    simdopt: (ps) => opt(new SGD(ps, { lr: SGD_LR })),
    naive: plain((p, g) => {
      const o = { lr: SGD_LR };
      for (let i = 0; i < p.length; i++) p[i] = p[i] - o.lr * g[i];
    }),
    tuned: plain((p, g) => {
      const lr = SGD_LR;
      const n = p.length;
      for (let i = 0; i < n; i++) p[i] -= lr * g[i];
    }),
    tfjs: tfTrain((tf) => tf.train.sgd(SGD_LR)),
    ref: { kernel: () => 'sgd', args: () => (_t, a) => void (a[0] = -SGD_LR) },
  },
  {
    id: 'sgd-momentum',
    optimizer: 'SGD',
    label: 'SGD momentum',
    options: `lr=${SGD_LR}, momentum=${MOMENTUM}`,
    bytes: 20,
    slots: 1,
    core: true,
    simdopt: (ps) => opt(new SGD(ps, { lr: SGD_LR, momentum: MOMENTUM })),
    naive: plain((p, g, [buf], t) => {
      const o = { lr: SGD_LR, momentum: MOMENTUM, dampening: 0 };
      for (let i = 0; i < p.length; i++) {
        if (t === 1) buf[i] = g[i];
        else buf[i] = o.momentum * buf[i] + (1 - o.dampening) * g[i];
        p[i] = p[i] - o.lr * buf[i];
      }
    }),
    tuned: plain((p, g, [buf], t) => {
      const lr = SGD_LR;
      const mu = t === 1 ? 0 : MOMENTUM; // buf starts at zero: the first step is a copy of g
      const n = p.length;
      for (let i = 0; i < n; i++) {
        const b = mu * buf[i] + g[i];
        buf[i] = b;
        p[i] -= lr * b;
      }
    }),
    // tfjs: accum ← μ·accum + g; p ← p − lr·accum (accum starts at 0: the same update).
    tfjs: tfTrain((tf) => tf.train.momentum(SGD_LR, MOMENTUM)),
    ref: { kernel: () => 'sgd_momentum', args: () => (t, a) => ((a[0] = t === 1 ? 0 : MOMENTUM), (a[1] = -SGD_LR)) },
  },
  {
    id: 'rmsprop',
    optimizer: 'RMSprop',
    label: 'RMSprop',
    options: `lr=${RMS_LR}, alpha=${RMS_ALPHA}, eps=${RMS_EPS}`,
    bytes: 20,
    slots: 1,
    core: true,
    simdopt: (ps) => opt(new RMSprop(ps, { lr: RMS_LR, alpha: RMS_ALPHA, eps: RMS_EPS })),
    naive: plain((p, g, [v]) => {
      const o = { lr: RMS_LR, alpha: RMS_ALPHA, eps: RMS_EPS };
      for (let i = 0; i < p.length; i++) {
        v[i] = o.alpha * v[i] + (1 - o.alpha) * g[i] * g[i];
        p[i] = p[i] - (o.lr * g[i]) / (Math.sqrt(v[i]) + o.eps);
      }
    }),
    tuned: plain((p, g, [v]) => {
      const lr = RMS_LR;
      const alpha = RMS_ALPHA;
      const oneMinusAlpha = 1 - RMS_ALPHA;
      const eps = RMS_EPS;
      const n = p.length;
      for (let i = 0; i < n; i++) {
        const gi = g[i];
        const vi = alpha * v[i] + oneMinusAlpha * gi * gi;
        v[i] = vi;
        p[i] -= (lr * gi) / (Math.sqrt(vi) + eps);
      }
    }),
    // tfjs puts eps inside the square root (TensorFlow's convention); same work per element.
    tfjs: tfTrain((tf) => tf.train.rmsprop(RMS_LR, RMS_ALPHA, 0, RMS_EPS, false)),
    ref: {
      kernel: () => 'rmsprop',
      args: () => (_t, a) => ((a[0] = RMS_ALPHA), (a[1] = 1 - RMS_ALPHA), (a[2] = RMS_EPS), (a[3] = -RMS_LR)),
    },
  },
  {
    id: 'adagrad',
    optimizer: 'Adagrad',
    label: 'Adagrad',
    options: `lr=${ADAGRAD_LR}, eps=${ADAGRAD_EPS}`,
    bytes: 20,
    slots: 1,
    core: true,
    simdopt: (ps) => opt(new Adagrad(ps, { lr: ADAGRAD_LR, eps: ADAGRAD_EPS })),
    naive: plain((p, g, [sum], t) => {
      const o = { lr: ADAGRAD_LR, lrDecay: 0, eps: ADAGRAD_EPS };
      for (let i = 0; i < p.length; i++) {
        const clr = o.lr / (1 + (t - 1) * o.lrDecay);
        sum[i] = sum[i] + g[i] * g[i];
        p[i] = p[i] - (clr * g[i]) / (Math.sqrt(sum[i]) + o.eps);
      }
    }),
    tuned: plain((p, g, [sum]) => {
      const clr = ADAGRAD_LR;
      const eps = ADAGRAD_EPS;
      const n = p.length;
      for (let i = 0; i < n; i++) {
        const gi = g[i];
        const si = sum[i] + gi * gi;
        sum[i] = si;
        p[i] -= (clr * gi) / (Math.sqrt(si) + eps);
      }
    }),
    // tfjs: accumulator from 0 as PyTorch's default (tfjs's own default is 0.1); its epsilon
    // (1e-7) sits inside the square root.
    tfjs: tfTrain((tf) => tf.train.adagrad(ADAGRAD_LR, 0)),
    ref: { kernel: () => 'adagrad', args: () => (_t, a) => ((a[0] = -ADAGRAD_LR), (a[1] = ADAGRAD_EPS)) },
  },
  {
    id: 'adam',
    optimizer: 'Adam',
    label: 'Adam',
    options: `lr=${ADAM_LR}, betas=[${B1}, ${B2}], eps=${ADAM_EPS}`,
    bytes: 28,
    slots: 2,
    core: true,
    simdopt: (ps) => opt(new Adam(ps, { lr: ADAM_LR })),
    naive: naiveAdam(0),
    tuned: tunedAdam(0),
    tfjs: tfTrain((tf) => tf.train.adam(ADAM_LR, B1, B2, ADAM_EPS)),
    ref: { kernel: () => 'adam', args: () => (t, a) => adamArgs(t, a) },
  },
  {
    id: 'adamw',
    optimizer: 'AdamW',
    label: 'AdamW',
    options: `lr=${ADAM_LR}, betas=[${B1}, ${B2}], eps=${ADAM_EPS}, weightDecay=${ADAMW_WD}`,
    bytes: 28,
    slots: 2,
    core: true,
    simdopt: (ps) => opt(new AdamW(ps, { lr: ADAM_LR, weightDecay: ADAMW_WD })),
    naive: naiveAdam(ADAMW_WD),
    tuned: tunedAdam(ADAMW_WD),
    tfjsNote: 'emulated: p ← p·(1 − lr·wd) with tensor ops, then tf.train.adam',
    tfjs: (tf, v, grad) => {
      const o = tf.train.adam(ADAM_LR, B1, B2, ADAM_EPS);
      const grads = { [v.name]: grad } as never;
      return {
        step: () => {
          tf.tidy(() => v.assign(tf.mul(v, 1 - ADAM_LR * ADAMW_WD)));
          o.applyGradients(grads);
        },
        dispose: () => o.dispose(),
      };
    },
    ref: {
      kernel: () => 'adamw',
      args: () => (t, a) => {
        adamArgs(t, a);
        a[6] = 1 - ADAM_LR * ADAMW_WD;
      },
    },
  },
  {
    id: 'lion',
    optimizer: 'Lion',
    label: 'Lion',
    options: `lr=${LION_LR}, betas=[${LION_B1}, ${LION_B2}]`,
    bytes: 20,
    slots: 1,
    core: true,
    simdopt: (ps) => opt(new Lion(ps, { lr: LION_LR, betas: [LION_B1, LION_B2] })),
    naive: plain((p, g, [m]) => {
      const o = { lr: LION_LR, betas: [LION_B1, LION_B2], weightDecay: 0 };
      for (let i = 0; i < p.length; i++) {
        const c = o.betas[0] * m[i] + (1 - o.betas[0]) * g[i];
        p[i] = p[i] * (1 - o.lr * o.weightDecay) - o.lr * Math.sign(c);
        m[i] = o.betas[1] * m[i] + (1 - o.betas[1]) * g[i];
      }
    }),
    tuned: plain((p, g, [m]) => {
      const lr = LION_LR;
      const b1 = LION_B1;
      const omb1 = 1 - LION_B1;
      const b2 = LION_B2;
      const omb2 = 1 - LION_B2;
      const n = p.length;
      for (let i = 0; i < n; i++) {
        const gi = g[i];
        const mi = m[i];
        const c = b1 * mi + omb1 * gi;
        p[i] -= c > 0 ? lr : c < 0 ? -lr : 0;
        m[i] = b2 * mi + omb2 * gi;
      }
    }),
    tfjsNote: 'emulated with tensor ops (tfjs has no Lion)',
    tfjs: (tf, v, grad) => {
      const m = tf.variable(tf.zerosLike(v));
      return {
        step: () =>
          tf.tidy(() => {
            const c = tf.add(tf.mul(m, LION_B1), tf.mul(grad, 1 - LION_B1));
            v.assign(tf.sub(v, tf.mul(tf.sign(c), LION_LR)));
            m.assign(tf.add(tf.mul(m, LION_B2), tf.mul(grad, 1 - LION_B2)));
          }),
        dispose: () => m.dispose(),
      };
    },
    ref: {
      kernel: () => 'lion',
      args: () => (_t, a) => ((a[0] = LION_B1), (a[1] = 1 - LION_B1), (a[2] = LION_B2), (a[3] = 1 - LION_B2), (a[4] = -LION_LR)),
    },
  },
  // --- --all ---
  {
    id: 'adadelta',
    optimizer: 'Adadelta',
    label: 'Adadelta',
    options: `lr=${ADADELTA_LR}, rho=${ADADELTA_RHO}, eps=${ADADELTA_EPS}`,
    bytes: 28,
    slots: 2,
    core: false,
    simdopt: (ps) => opt(new Adadelta(ps, { lr: ADADELTA_LR, rho: ADADELTA_RHO, eps: ADADELTA_EPS })),
    naive: plain((p, g, [sq, acc]) => {
      const o = { lr: ADADELTA_LR, rho: ADADELTA_RHO, eps: ADADELTA_EPS };
      for (let i = 0; i < p.length; i++) {
        sq[i] = o.rho * sq[i] + (1 - o.rho) * g[i] * g[i];
        const delta = (Math.sqrt(acc[i] + o.eps) / Math.sqrt(sq[i] + o.eps)) * g[i];
        acc[i] = o.rho * acc[i] + (1 - o.rho) * delta * delta;
        p[i] = p[i] - o.lr * delta;
      }
    }),
    tuned: plain((p, g, [sq, acc]) => {
      const lr = ADADELTA_LR;
      const rho = ADADELTA_RHO;
      const omr = 1 - ADADELTA_RHO;
      const eps = ADADELTA_EPS;
      const n = p.length;
      for (let i = 0; i < n; i++) {
        const gi = g[i];
        const s = rho * sq[i] + omr * gi * gi;
        const a = acc[i];
        const d = Math.sqrt((a + eps) / (s + eps)) * gi;
        sq[i] = s;
        acc[i] = rho * a + omr * d * d;
        p[i] -= lr * d;
      }
    }),
    tfjs: tfTrain((tf) => tf.train.adadelta(ADADELTA_LR, ADADELTA_RHO, ADADELTA_EPS)),
    ref: {
      kernel: () => 'adadelta',
      args: () => (_t, a) => ((a[0] = ADADELTA_RHO), (a[1] = 1 - ADADELTA_RHO), (a[2] = ADADELTA_EPS), (a[3] = -ADADELTA_LR)),
    },
  },
  {
    id: 'adamax',
    optimizer: 'Adamax',
    label: 'Adamax',
    options: `lr=${ADAMAX_LR}, betas=[${B1}, ${B2}], eps=${ADAM_EPS}`,
    bytes: 28,
    slots: 2,
    core: false,
    simdopt: (ps) => opt(new Adamax(ps, { lr: ADAMAX_LR })),
    naive: plain((p, g, [m, u], t) => {
      const o = { lr: ADAMAX_LR, betas: [B1, B2], eps: ADAM_EPS };
      for (let i = 0; i < p.length; i++) {
        m[i] = o.betas[0] * m[i] + (1 - o.betas[0]) * g[i];
        u[i] = Math.max(o.betas[1] * u[i], Math.abs(g[i]) + o.eps);
        p[i] = p[i] - (o.lr / (1 - Math.pow(o.betas[0], t))) * (m[i] / u[i]);
      }
    }),
    tuned: plain((p, g, [m, u], t) => {
      const w1 = 1 - B1;
      const b2 = B2;
      const eps = ADAM_EPS;
      const clr = ADAMAX_LR / (1 - B1 ** t);
      const n = p.length;
      for (let i = 0; i < n; i++) {
        const gi = g[i];
        const mi = m[i] + w1 * (gi - m[i]);
        const a = b2 * u[i];
        const b = Math.abs(gi) + eps;
        const ui = a > b ? a : b;
        m[i] = mi;
        u[i] = ui;
        p[i] -= (clr * mi) / ui;
      }
    }),
    // tfjs Adamax: u ← max(β2·u, |g|); p ← p − lr/(1 − β1^t)·m/(u + eps). Same work per element.
    tfjs: tfTrain((tf) => tf.train.adamax(ADAMAX_LR, B1, B2, ADAM_EPS, 0)),
    ref: {
      kernel: () => 'adamax',
      args: () => (t, a) => ((a[0] = 1 - B1), (a[1] = B2), (a[2] = ADAM_EPS), (a[3] = -ADAMAX_LR / (1 - B1 ** t))),
    },
  },
  {
    id: 'nadam',
    optimizer: 'NAdam',
    label: 'NAdam',
    options: `lr=${NADAM_LR}, betas=[${B1}, ${B2}], eps=${ADAM_EPS}, momentumDecay=${NADAM_PSI}`,
    bytes: 28,
    slots: 2,
    core: false,
    simdopt: (ps) => opt(new NAdam(ps, { lr: NADAM_LR })),
    naive: plain((p, g, [m, v], t, st) => {
      const o = { lr: NADAM_LR, betas: [B1, B2], eps: ADAM_EPS, momentumDecay: NADAM_PSI };
      const mu = o.betas[0] * (1 - 0.5 * Math.pow(0.96, t * o.momentumDecay));
      const muNext = o.betas[0] * (1 - 0.5 * Math.pow(0.96, (t + 1) * o.momentumDecay));
      const muProduct = (st.muProduct = (st.muProduct ?? 1) * mu);
      for (let i = 0; i < p.length; i++) {
        m[i] = o.betas[0] * m[i] + (1 - o.betas[0]) * g[i];
        v[i] = o.betas[1] * v[i] + (1 - o.betas[1]) * g[i] * g[i];
        const denom = Math.sqrt(v[i] / (1 - Math.pow(o.betas[1], t))) + o.eps;
        p[i] = p[i] - (o.lr * (1 - mu) / (1 - muProduct)) * (g[i] / denom);
        p[i] = p[i] - (o.lr * muNext / (1 - muProduct * muNext)) * (m[i] / denom);
      }
    }),
    tuned: plain((p, g, [m, v], t, st) => {
      const mu = B1 * (1 - 0.5 * 0.96 ** (t * NADAM_PSI));
      const muNext = B1 * (1 - 0.5 * 0.96 ** ((t + 1) * NADAM_PSI));
      const muProduct = (st.muProduct = (st.muProduct ?? 1) * mu);
      const w1 = 1 - B1;
      const b2 = B2;
      const omb2 = 1 - B2;
      const invBc2 = 1 / (1 - B2 ** t);
      const eps = ADAM_EPS;
      const gc = (NADAM_LR * (1 - mu)) / (1 - muProduct);
      const mc = (NADAM_LR * muNext) / (1 - muProduct * muNext);
      const n = p.length;
      for (let i = 0; i < n; i++) {
        const gi = g[i];
        const mi = m[i] + w1 * (gi - m[i]);
        const vi = b2 * v[i] + omb2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= (gc * gi + mc * mi) / (Math.sqrt(vi * invBc2) + eps);
      }
    }),
    tfjs: null,
    ref: {
      kernel: () => 'nadam',
      args: () => {
        let muProduct = 1;
        return (t: number, a: Float32Array) => {
          const mu = B1 * (1 - 0.5 * 0.96 ** (t * NADAM_PSI));
          muProduct *= mu;
          const muNext = B1 * (1 - 0.5 * 0.96 ** ((t + 1) * NADAM_PSI));
          a[0] = 1 - B1;
          a[1] = B2;
          a[2] = 1 - B2;
          a[3] = 1 - B2 ** t;
          a[4] = ADAM_EPS;
          a[5] = (-NADAM_LR * (1 - mu)) / (1 - muProduct);
          a[6] = (-NADAM_LR * muNext) / (1 - muProduct * muNext);
        };
      },
    },
  },
  {
    id: 'radam',
    optimizer: 'RAdam',
    label: 'RAdam',
    options: `lr=${RADAM_LR}, betas=[${B1}, ${B2}], eps=${ADAM_EPS}`,
    bytes: 28,
    slots: 2,
    core: false,
    simdopt: (ps) => opt(new RAdam(ps, { lr: RADAM_LR })),
    naive: plain((p, g, [m, v], t) => {
      const o = { lr: RADAM_LR, betas: [B1, B2], eps: ADAM_EPS };
      for (let i = 0; i < p.length; i++) {
        m[i] = o.betas[0] * m[i] + (1 - o.betas[0]) * g[i];
        v[i] = o.betas[1] * v[i] + (1 - o.betas[1]) * g[i] * g[i];
        const mHat = m[i] / (1 - Math.pow(o.betas[0], t));
        const rhoInf = 2 / (1 - o.betas[1]) - 1;
        const rhoT = rhoInf - (2 * t * Math.pow(o.betas[1], t)) / (1 - Math.pow(o.betas[1], t));
        if (rhoT > 5) {
          const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
          const adaptive = Math.sqrt(1 - Math.pow(o.betas[1], t)) / (Math.sqrt(v[i]) + o.eps);
          p[i] = p[i] - o.lr * mHat * adaptive * rect;
        } else {
          p[i] = p[i] - o.lr * mHat;
        }
      }
    }),
    tuned: plain((p, g, [m, v], t) => {
      const w1 = 1 - B1;
      const b2 = B2;
      const omb2 = 1 - B2;
      const bc2 = 1 - B2 ** t;
      const rhoInf = 2 / (1 - B2) - 1;
      const rhoT = rhoInf - (2 * t * B2 ** t) / bc2;
      const stepSize = RADAM_LR / (1 - B1 ** t);
      const n = p.length;
      if (rhoT > 5) {
        const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
        const k = stepSize * rect * Math.sqrt(bc2);
        const eps = ADAM_EPS;
        for (let i = 0; i < n; i++) {
          const gi = g[i];
          const mi = m[i] + w1 * (gi - m[i]);
          const vi = b2 * v[i] + omb2 * gi * gi;
          m[i] = mi;
          v[i] = vi;
          p[i] -= (k * mi) / (Math.sqrt(vi) + eps);
        }
      } else {
        for (let i = 0; i < n; i++) {
          const gi = g[i];
          const mi = m[i] + w1 * (gi - m[i]);
          m[i] = mi;
          v[i] = b2 * v[i] + omb2 * gi * gi;
          p[i] -= stepSize * mi;
        }
      }
    }),
    tfjs: null,
    ref: {
      kernel: (t) => (radamRect(t) > 0 ? 'radam' : 'radam_unrectified'),
      args: () => (t, a) => {
        a[0] = 1 - B1;
        a[1] = B2;
        a[2] = 1 - B2;
        a[3] = 1 - B1 ** t;
        a[4] = RADAM_LR;
        a[5] = ADAM_EPS;
        a[6] = Math.sqrt(1 - B2 ** t);
        a[7] = radamRect(t);
      },
    },
  },
  // --- --all, second wave (no reference SIMD kernel, no TensorFlow.js optimizer) ---
  {
    id: 'asgd',
    optimizer: 'ASGD',
    label: 'ASGD',
    options: `lr=${ASGD_LR}, lambd=${ASGD_LAMBD}, alpha=${ASGD_ALPHA}, t0=${ASGD_T0}`,
    bytes: 16,
    slots: 1,
    core: false,
    simdopt: (ps) => opt(new ASGD(ps, { lr: ASGD_LR, lambd: ASGD_LAMBD, alpha: ASGD_ALPHA, t0: ASGD_T0 })),
    naive: plain((p, g, [ax], t) => {
      const o = { lr: ASGD_LR, lambd: ASGD_LAMBD, alpha: ASGD_ALPHA, t0: ASGD_T0 };
      for (let i = 0; i < p.length; i++) {
        // η and μ of step t, recomputed per element from the step count
        const eta = t === 1 ? o.lr : o.lr / Math.pow(1 + o.lambd * o.lr * (t - 1), o.alpha);
        const mu = t === 1 ? 1 : 1 / Math.max(1, t - 1 - o.t0);
        p[i] = p[i] * (1 - o.lambd * eta) - eta * g[i];
        ax[i] = mu === 1 ? p[i] : ax[i] + (p[i] - ax[i]) * mu;
      }
    }),
    tuned: plain((p, g, [ax], t, st) => {
      const eta = t === 1 ? ASGD_LR : st.eta;
      const mu = t === 1 ? 1 : st.mu;
      const decay = 1 - ASGD_LAMBD * eta;
      const n = p.length;
      if (mu === 1) {
        for (let i = 0; i < n; i++) {
          const pi = p[i] * decay - eta * g[i];
          p[i] = pi;
          ax[i] = pi;
        }
      } else {
        for (let i = 0; i < n; i++) {
          const pi = p[i] * decay - eta * g[i];
          p[i] = pi;
          ax[i] += (pi - ax[i]) * mu;
        }
      }
      st.eta = ASGD_LR / Math.pow(1 + ASGD_LAMBD * ASGD_LR * t, ASGD_ALPHA);
      st.mu = 1 / Math.max(1, t - ASGD_T0);
    }),
    tfjs: null,
    ref: null,
  },
  {
    id: 'rprop',
    optimizer: 'Rprop',
    label: 'Rprop',
    options: `lr=${RPROP_LR}, etas=[${RPROP_ETAS}], stepSizes=[${RPROP_SIZES}]`,
    bytes: 28,
    slots: 2,
    core: false,
    simdopt: (ps) => opt(new Rprop(ps, { lr: RPROP_LR, etas: [...RPROP_ETAS], stepSizes: [...RPROP_SIZES] })),
    naive: plain((p, g, [prev, size], t) => {
      const o = { lr: RPROP_LR, etas: RPROP_ETAS, stepSizes: RPROP_SIZES };
      for (let i = 0; i < p.length; i++) {
        if (t === 1) size[i] = o.lr;
        const s = Math.sign(g[i] * prev[i]);
        const f = s > 0 ? o.etas[1] : s < 0 ? o.etas[0] : 1;
        size[i] = Math.min(Math.max(size[i] * f, o.stepSizes[0]), o.stepSizes[1]);
        const gi = s < 0 ? 0 : g[i];
        p[i] = p[i] - Math.sign(gi) * size[i];
        prev[i] = gi;
      }
    }),
    tuned: plain((p, g, [prev, size], t) => {
      if (t === 1) size.fill(RPROP_LR);
      const [etaMinus, etaPlus] = RPROP_ETAS;
      const [lo, hi] = RPROP_SIZES;
      const n = p.length;
      for (let i = 0; i < n; i++) {
        let gi = g[i];
        const prod = gi * prev[i];
        let ss = size[i];
        if (prod > 0) {
          ss *= etaPlus;
          if (ss > hi) ss = hi;
          size[i] = ss;
        } else if (prod < 0) {
          ss *= etaMinus;
          if (ss < lo) ss = lo;
          size[i] = ss;
          gi = 0;
        }
        p[i] -= gi > 0 ? ss : gi < 0 ? -ss : 0;
        prev[i] = gi;
      }
    }),
    tfjs: null,
    ref: null,
  },
];

/** RAdam's rectification term at step t, or 0 while the variance is intractable (ρ_t ≤ 5). */
function radamRect(t: number): number {
  const bc2 = 1 - B2 ** t;
  const rhoInf = 2 / (1 - B2) - 1;
  const rhoT = rhoInf - (2 * t * B2 ** t) / bc2;
  return rhoT > 5 ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
}

/** Adam's argument block for the reference kernel (as adam.ts computes it, in float64). */
function adamArgs(t: number, a: Float32Array): void {
  a[0] = 1 - B1;
  a[1] = B2;
  a[2] = 1 - B2;
  a[3] = -ADAM_LR / (1 - B1 ** t);
  a[4] = Math.sqrt(1 - B2 ** t);
  a[5] = ADAM_EPS;
}

/** Adam as the textbook writes it, bias corrections per element; `wd` > 0 makes it AdamW. */
function naiveAdam(wd: number): PlainFactory {
  return plain((p, g, [m, v], t) => {
    const o = { lr: ADAM_LR, betas: [B1, B2], eps: ADAM_EPS, weightDecay: wd };
    for (let i = 0; i < p.length; i++) {
      p[i] = p[i] * (1 - o.lr * o.weightDecay);
      m[i] = o.betas[0] * m[i] + (1 - o.betas[0]) * g[i];
      v[i] = o.betas[1] * v[i] + (1 - o.betas[1]) * g[i] * g[i];
      const mHat = m[i] / (1 - Math.pow(o.betas[0], t));
      const vHat = v[i] / (1 - Math.pow(o.betas[1], t));
      p[i] = p[i] - (o.lr * mHat) / (Math.sqrt(vHat) + o.eps);
    }
  });
}

/** Adam with everything per-step hoisted: one sqrt, one division per element. */
function tunedAdam(wd: number): PlainFactory {
  return plain((p, g, [m, v], t) => {
    const w1 = 1 - B1;
    const b2 = B2;
    const omb2 = 1 - B2;
    const stepSize = ADAM_LR / (1 - B1 ** t);
    const invBc2Sqrt = 1 / Math.sqrt(1 - B2 ** t);
    const eps = ADAM_EPS;
    const n = p.length;
    if (wd === 0) {
      for (let i = 0; i < n; i++) {
        const gi = g[i];
        const mi = m[i] + w1 * (gi - m[i]);
        const vi = b2 * v[i] + omb2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= (stepSize * mi) / (Math.sqrt(vi) * invBc2Sqrt + eps);
      }
    } else {
      const factor = 1 - ADAM_LR * wd;
      for (let i = 0; i < n; i++) {
        const gi = g[i];
        const mi = m[i] + w1 * (gi - m[i]);
        const vi = b2 * v[i] + omb2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] * factor - (stepSize * mi) / (Math.sqrt(vi) * invBc2Sqrt + eps);
      }
    }
  });
}

/** A name's spec id when nothing hand-written covers it: `ScheduleFreeSGD` → `schedulefreesgd`. */
export const registryId = (name: string): string => name.toLowerCase();

/** `lr=0.002, betas=[0.9, 0.999], eps=1e-8`: the schema's defaults that switch something on. */
function describeDefaults(entry: OptimizerEntry): string {
  if (!entry.schema) return 'defaults';
  const shown = Object.entries(defaultsOf(entry.schema)).filter(([, v]) => v !== false && v !== 0 && v !== null && v !== undefined);
  return shown.map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}`).join(', ');
}

/**
 * simdopt's state slots of `make`'s optimizer: the per-parameter Float32Arrays of its state dict
 * after two steps of an 8-element parameter (on the backend that is active: the bench has
 * initialised one before it makes a contender).
 */
function countSlots(make: (params: Parameter[]) => Optimizer<never>): number {
  const p = Parameter.zeros(8);
  p.data.fill(0.5);
  p.grad.fill(0.25);
  const o = make([p]);
  try {
    o.step();
    o.step();
    const state = o.stateDict().state[0] ?? {};
    return Object.values(state).filter((v) => v instanceof Float32Array && v.length === p.size).length;
  } finally {
    o.dispose();
    p.dispose();
  }
}

/**
 * The spec of a registered optimizer nobody hand-wrote one for: simdopt at the schema's defaults
 * (in train mode if it has one, as Schedule-Free), checked against its other backends (the js
 * one is its TypeScript twin); no plain-JS loops, no tfjs, no reference kernel.
 */
export function registrySpec(entry: OptimizerEntry): OptimizerSpec {
  const simdopt = (ps: Parameter[]) => {
    const o = new entry.cls(ps, {}) as Optimizer<BaseOptions> & { train?: () => void };
    if (typeof o.train === 'function') o.train();
    return opt(o);
  };
  let slots: number | undefined;
  return {
    id: registryId(entry.name),
    optimizer: entry.name,
    label: entry.name,
    options: describeDefaults(entry),
    get slots() {
      return (slots ??= countSlots(simdopt));
    },
    get bytes() {
      return 12 + 8 * this.slots;
    },
    core: false,
    simdopt,
    naive: null,
    tuned: null,
    tfjs: null,
    ref: null,
  };
}

/**
 * Every optimizer the per-element benchmark can step: the hand-written specs (in their order),
 * then a spec made from the registry for each other optimizer it steps flat. ('shaped' ones,
 * Adafactor and Muon, have their own benchmark in ./factored.ts; 'closure' ones, LBFGS, take no
 * plain `step()`.)
 */
export function specsFromRegistry(registry: readonly OptimizerEntry[], handWritten: readonly OptimizerSpec[]): OptimizerSpec[] {
  const names = new Set(registry.map((e) => e.name));
  for (const s of handWritten) if (!names.has(s.optimizer)) throw new Error(`bench spec ${s.id}: ${s.optimizer} is not in the optimizer registry`);
  const covered = new Set(handWritten.map((s) => s.optimizer));
  return [...handWritten, ...registry.filter((e) => e.stepping === 'flat' && !covered.has(e.name)).map(registrySpec)];
}

export const OPTIMIZERS: OptimizerSpec[] = specsFromRegistry(REGISTRY, HAND_WRITTEN);

/** Specs by id, checking the reference kernels exist. */
export function optimizerSpecs(all: boolean, only?: readonly string[]): OptimizerSpec[] {
  const names = new Set(REF_KERNELS.map((k) => k.name));
  for (const o of OPTIMIZERS) {
    for (const t of [1, 10]) if (o.ref !== null && !names.has(o.ref.kernel(t))) throw new Error(`no reference kernel ${o.ref.kernel(t)}`);
  }
  if (only && only.length > 0) {
    const unknown = only.filter((id) => !OPTIMIZERS.some((o) => o.id === id));
    if (unknown.length > 0) throw new Error(`unknown optimizer ${unknown.join(', ')} (known: ${OPTIMIZERS.map((o) => o.id).join(', ')})`);
    return OPTIMIZERS.filter((o) => only.includes(o.id));
  }
  return OPTIMIZERS.filter((o) => all || o.core);
}
