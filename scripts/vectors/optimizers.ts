/**
 * The float64 reference of every first-wave optimizer, written from docs/SEMANTICS.md in
 * PyTorch's operation order, and the same computation in float32 (every element operation rounded
 * with Math.fround, every per-step scalar computed in float64 and rounded once, as a float32
 * tensor sees a Python float). The float32 run is what `f32_max_abs_diff` measures.
 *
 * Operand order of the ATen ops used below: `add(a, b, alpha)` = a + alpha·b;
 * `addcmul(a, x, y, value)` = a + (value·x)·y; `addcdiv(a, x, y, value)` = a + (value·x)/y;
 * `lerp(a, b, w)` = a + w·(b − a) if |w| < 0.5 else b − (b − a)·(1 − w).
 */

import { pow } from './pow.js';

/** PyTorch's hyper-parameter names, as the vector files store them. */
export type Hyper = Record<string, unknown>;

export interface Trajectory {
  /** Parameters after each step. */
  expected: number[][];
  /** State after the last step, under PyTorch's names (per-element buffers and scalars). */
  state: Record<string, number | number[]>;
}

type Round = (x: number) => number;
const F64: Round = (x) => x;
const F32: Round = Math.fround;

/** Runs `optimizer` on `init` with one gradient per step, rounding every element op with `r`. */
export function trajectory(optimizer: string, h: Hyper, init: number[], grads: number[][], precision: 'f64' | 'f32'): Trajectory {
  const r = precision === 'f32' ? F32 : F64;
  const n = init.length;
  const p = init.map(r);
  const num = (k: string) => (h[k] as number | undefined) ?? 0;
  const flag = (k: string) => h[k] === true;
  const lr = num('lr');
  const wd = num('weight_decay');
  const [beta1, beta2] = (h.betas as [number, number] | undefined) ?? [0, 0];
  const eps = num('eps');
  const decoupled = optimizer === 'adamw' || flag('decoupled_weight_decay');
  const buffers: Record<string, number[]> = {};
  const buf = (name: string, fill = 0) => (buffers[name] ??= new Array<number>(n).fill(r(fill)));
  const scalars: Record<string, number> = {};
  let muProduct = 1;
  /** A Python float as a tensor of this precision sees it. */
  const s = r;
  const lerp = (a: number, b: number, w: number) =>
    Math.abs(w) < 0.5 ? r(a + r(s(w) * r(b - a))) : r(b - r(r(b - a) * s(1 - w)));
  const expected: number[][] = [];
  let sgdFirst = true;
  if (optimizer === 'adagrad') buf('sum', num('initial_accumulator_value'));

  for (let k = 0; k < grads.length; k++) {
    const t = k + 1;
    const g = grads[k].map((x) => r(flag('maximize') ? -x : x));
    if (wd !== 0 || decoupled) {
      for (let i = 0; i < n; i++) {
        if (decoupled) p[i] = r(p[i] * s(1 - lr * wd));
        else g[i] = r(g[i] + r(s(wd) * p[i]));
      }
    }
    switch (optimizer) {
      case 'sgd': {
        const mu = num('momentum');
        for (let i = 0; i < n; i++) {
          let d = g[i];
          if (mu !== 0) {
            const b = buf('momentum_buffer');
            b[i] = sgdFirst ? g[i] : r(r(s(mu) * b[i]) + r(s(1 - num('dampening')) * g[i]));
            d = flag('nesterov') ? r(g[i] + r(s(mu) * b[i])) : b[i];
          }
          p[i] = r(p[i] - r(s(lr) * d));
        }
        sgdFirst = false;
        break;
      }
      case 'adam':
      case 'adamw': {
        const m = buf('exp_avg');
        const v = buf('exp_avg_sq');
        const vmax = flag('amsgrad') ? buf('max_exp_avg_sq') : null;
        const stepSize = lr / (1 - pow(beta1, t));
        const bc2Sqrt = Math.sqrt(1 - pow(beta2, t));
        for (let i = 0; i < n; i++) {
          m[i] = lerp(m[i], g[i], 1 - beta1);
          v[i] = r(r(v[i] * s(beta2)) + r(r(s(1 - beta2) * g[i]) * g[i]));
          let sq = v[i];
          if (vmax) sq = vmax[i] = Math.max(vmax[i], v[i]);
          const denom = r(r(r(Math.sqrt(sq)) / s(bc2Sqrt)) + s(eps));
          p[i] = r(p[i] + r(r(s(-stepSize) * m[i]) / denom));
        }
        break;
      }
      case 'rmsprop': {
        const alpha = num('alpha');
        const mu = num('momentum');
        const v = buf('square_avg');
        const b = mu > 0 ? buf('momentum_buffer') : null;
        const ga = flag('centered') ? buf('grad_avg') : null;
        for (let i = 0; i < n; i++) {
          v[i] = r(r(v[i] * s(alpha)) + r(r(s(1 - alpha) * g[i]) * g[i]));
          let avg: number;
          if (ga) {
            ga[i] = lerp(ga[i], g[i], 1 - alpha);
            avg = r(r(Math.sqrt(r(v[i] - r(ga[i] * ga[i])))) + s(eps));
          } else {
            avg = r(r(Math.sqrt(v[i])) + s(eps));
          }
          if (b) {
            b[i] = r(r(b[i] * s(mu)) + r(g[i] / avg));
            p[i] = r(p[i] + r(s(-lr) * b[i]));
          } else {
            p[i] = r(p[i] + r(r(s(-lr) * g[i]) / avg));
          }
        }
        break;
      }
      case 'adagrad': {
        const sum = buf('sum');
        const clr = lr / (1 + (t - 1) * num('lr_decay'));
        for (let i = 0; i < n; i++) {
          sum[i] = r(sum[i] + r(r(s(1) * g[i]) * g[i]));
          const std = r(r(Math.sqrt(sum[i])) + s(eps));
          p[i] = r(p[i] + r(r(s(-clr) * g[i]) / std));
        }
        break;
      }
      case 'adadelta': {
        const rho = num('rho');
        const v = buf('square_avg');
        const u = buf('acc_delta');
        for (let i = 0; i < n; i++) {
          v[i] = r(r(v[i] * s(rho)) + r(r(s(1 - rho) * g[i]) * g[i]));
          const std = r(Math.sqrt(r(v[i] + s(eps))));
          const delta = r(r(r(Math.sqrt(r(u[i] + s(eps)))) / std) * g[i]);
          u[i] = r(r(u[i] * s(rho)) + r(r(s(1 - rho) * delta) * delta));
          p[i] = r(p[i] + r(s(-lr) * delta));
        }
        break;
      }
      case 'adamax': {
        const m = buf('exp_avg');
        const u = buf('exp_inf');
        const clr = lr / (1 - pow(beta1, t));
        for (let i = 0; i < n; i++) {
          m[i] = lerp(m[i], g[i], 1 - beta1);
          u[i] = Math.max(r(u[i] * s(beta2)), r(Math.abs(g[i]) + s(eps)));
          p[i] = r(p[i] + r(r(s(-clr) * m[i]) / u[i]));
        }
        break;
      }
      case 'nadam': {
        const psi = num('momentum_decay');
        const m = buf('exp_avg');
        const v = buf('exp_avg_sq');
        const bc2 = 1 - pow(beta2, t);
        const mu = beta1 * (1 - 0.5 * pow(0.96, t * psi));
        const muNext = beta1 * (1 - 0.5 * pow(0.96, (t + 1) * psi));
        // mu_product is a 0-dim tensor of the default dtype: float32 in the float32 run.
        muProduct = r(muProduct * mu);
        const c1 = (-lr * (1 - mu)) / (1 - muProduct);
        const c2 = (-lr * muNext) / (1 - muProduct * muNext);
        for (let i = 0; i < n; i++) {
          m[i] = lerp(m[i], g[i], 1 - beta1);
          v[i] = r(r(v[i] * s(beta2)) + r(r(s(1 - beta2) * g[i]) * g[i]));
          const denom = r(r(Math.sqrt(r(v[i] / s(bc2)))) + s(eps));
          p[i] = r(p[i] + r(r(s(c1) * g[i]) / denom));
          p[i] = r(p[i] + r(r(s(c2) * m[i]) / denom));
        }
        scalars.mu_product = muProduct;
        break;
      }
      case 'radam': {
        const m = buf('exp_avg');
        const v = buf('exp_avg_sq');
        const bc1 = 1 - pow(beta1, t);
        const bc2 = 1 - pow(beta2, t);
        const rhoInf = 2 / (1 - beta2) - 1;
        const rhoT = rhoInf - (2 * t * pow(beta2, t)) / bc2;
        const rect = rhoT > 5 ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
        for (let i = 0; i < n; i++) {
          m[i] = lerp(m[i], g[i], 1 - beta1);
          v[i] = r(r(v[i] * s(beta2)) + r(r(s(1 - beta2) * g[i]) * g[i]));
          const mHat = r(m[i] / s(bc1));
          if (rhoT > 5) {
            // `sqrt(bc2) / tensor` is evaluated as reciprocal(tensor)·sqrt(bc2).
            const adaptive = r(r(1 / r(r(Math.sqrt(v[i])) + s(eps))) * s(Math.sqrt(bc2)));
            p[i] = r(p[i] - r(r(r(mHat * s(lr)) * adaptive) * s(rect)));
          } else {
            p[i] = r(p[i] - r(mHat * s(lr)));
          }
        }
        scalars.last_rho_t = rhoT;
        break;
      }
      default:
        throw new Error(`no reference for optimizer ${optimizer}`);
    }
    expected.push(p.slice());
  }
  const state: Record<string, number | number[]> = {};
  if (optimizer !== 'sgd') state.step = grads.length;
  if (optimizer === 'nadam') state.mu_product = scalars.mu_product;
  for (const [name, b] of Object.entries(buffers)) state[name] = b.slice();
  if (optimizer === 'radam') state.last_rho_t = scalars.last_rho_t;
  return { expected, state };
}
