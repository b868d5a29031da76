/**
 * A float64 reference of every optimizer, written straight from docs/SEMANTICS.md, one parameter at a
 * time (PyTorch's single-tensor loop). It is checked against test/vectors first
 * (reference.test.ts), then serves as the oracle where no vector exists: Lion, options changed
 * between steps, frozen parameters whose step counter lags.
 */

/** Options in simdopt's names (camelCase), read at every step as PyTorch reads its group. */
export type RefOptions = Record<string, unknown> & { lr: number };

/** One parameter's state: `step`, per-element buffers under PyTorch's names, scalars. */
export interface RefState {
  step: number;
  buffers: Record<string, Float64Array>;
  muProduct: number;
}

export function newRefState(className: string, n: number, constructorOptions: RefOptions): RefState {
  const st: RefState = { step: 0, buffers: {}, muProduct: 1 };
  if (className === 'Adagrad') {
    st.buffers.sum = new Float64Array(n).fill((constructorOptions.initialAccumulatorValue as number) ?? 0);
  }
  return st;
}

function buffer(st: RefState, name: string, n: number): Float64Array {
  return (st.buffers[name] ??= new Float64Array(n));
}

/** `torch.lerp` in float64 (the two-branch form ATen uses). */
function lerp(a: number, b: number, w: number): number {
  return Math.abs(w) < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w);
}

/** One step of `className` on `p` (updated in place) from gradient `grad`. */
export function referenceStep(className: string, o: RefOptions, p: Float64Array, grad: ArrayLike<number>, st: RefState): void {
  const n = p.length;
  const lr = o.lr;
  const wd = (o.weightDecay as number) ?? 0;
  const maximize = o.maximize === true;
  const [beta1, beta2] = (o.betas as [number, number]) ?? [0, 0];
  const eps = o.eps as number;
  st.step += 1;
  const t = st.step;
  const g = Float64Array.from(grad, (x) => (maximize ? -x : x));
  const decoupled = className === 'AdamW' || className === 'Lion' || o.decoupledWeightDecay === true;
  if (wd !== 0) {
    for (let i = 0; i < n; i++) {
      if (decoupled) p[i] *= 1 - lr * wd;
      else g[i] += wd * p[i];
    }
  }
  switch (className) {
    case 'SGD': {
      const mu = o.momentum as number;
      const first = st.buffers.momentum_buffer === undefined;
      const b = mu !== 0 ? buffer(st, 'momentum_buffer', n) : null;
      for (let i = 0; i < n; i++) {
        let d = g[i];
        if (b) {
          b[i] = first ? g[i] : mu * b[i] + (1 - (o.dampening as number)) * g[i];
          d = o.nesterov ? g[i] + mu * b[i] : b[i];
        }
        p[i] -= lr * d;
      }
      return;
    }
    case 'Adam':
    case 'AdamW': {
      const m = buffer(st, 'exp_avg', n);
      const v = buffer(st, 'exp_avg_sq', n);
      const vmax = o.amsgrad ? buffer(st, 'max_exp_avg_sq', n) : null;
      const bc1 = 1 - beta1 ** t;
      const bc2 = 1 - beta2 ** t;
      for (let i = 0; i < n; i++) {
        m[i] = lerp(m[i], g[i], 1 - beta1);
        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
        let s = v[i];
        if (vmax) s = vmax[i] = Math.max(vmax[i], v[i]);
        p[i] -= ((lr / bc1) * m[i]) / (Math.sqrt(s) / Math.sqrt(bc2) + eps);
      }
      return;
    }
    case 'RMSprop': {
      const alpha = o.alpha as number;
      const mu = o.momentum as number;
      const v = buffer(st, 'square_avg', n);
      const b = mu > 0 ? buffer(st, 'momentum_buffer', n) : null;
      const ga = o.centered ? buffer(st, 'grad_avg', n) : null;
      for (let i = 0; i < n; i++) {
        v[i] = alpha * v[i] + (1 - alpha) * g[i] * g[i];
        let avg: number;
        if (ga) {
          ga[i] = lerp(ga[i], g[i], 1 - alpha);
          avg = Math.sqrt(v[i] - ga[i] * ga[i]) + eps;
        } else {
          avg = Math.sqrt(v[i]) + eps;
        }
        if (b) {
          b[i] = mu * b[i] + g[i] / avg;
          p[i] -= lr * b[i];
        } else {
          p[i] -= (lr * g[i]) / avg;
        }
      }
      return;
    }
    case 'Adagrad': {
      const sum = buffer(st, 'sum', n);
      const clr = lr / (1 + (t - 1) * (o.lrDecay as number));
      for (let i = 0; i < n; i++) {
        sum[i] += g[i] * g[i];
        p[i] -= (clr * g[i]) / (Math.sqrt(sum[i]) + eps);
      }
      return;
    }
    case 'Adadelta': {
      const rho = o.rho as number;
      const v = buffer(st, 'square_avg', n);
      const u = buffer(st, 'acc_delta', n);
      for (let i = 0; i < n; i++) {
        v[i] = rho * v[i] + (1 - rho) * g[i] * g[i];
        const delta = (Math.sqrt(u[i] + eps) / Math.sqrt(v[i] + eps)) * g[i];
        u[i] = rho * u[i] + (1 - rho) * delta * delta;
        p[i] -= lr * delta;
      }
      return;
    }
    case 'Adamax': {
      const m = buffer(st, 'exp_avg', n);
      const u = buffer(st, 'exp_inf', n);
      const clr = lr / (1 - beta1 ** t);
      for (let i = 0; i < n; i++) {
        m[i] = lerp(m[i], g[i], 1 - beta1);
        u[i] = Math.max(beta2 * u[i], Math.abs(g[i]) + eps);
        p[i] -= (clr * m[i]) / u[i];
      }
      return;
    }
    case 'NAdam': {
      const psi = o.momentumDecay as number;
      const m = buffer(st, 'exp_avg', n);
      const v = buffer(st, 'exp_avg_sq', n);
      const bc2 = 1 - beta2 ** t;
      const mu = beta1 * (1 - 0.5 * 0.96 ** (t * psi));
      const muNext = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi));
      st.muProduct *= mu;
      for (let i = 0; i < n; i++) {
        m[i] = lerp(m[i], g[i], 1 - beta1);
        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
        const denom = Math.sqrt(v[i] / bc2) + eps;
        p[i] -= (((lr * (1 - mu)) / (1 - st.muProduct)) * g[i]) / denom;
        p[i] -= (((lr * muNext) / (1 - st.muProduct * muNext)) * m[i]) / denom;
      }
      return;
    }
    case 'RAdam': {
      const m = buffer(st, 'exp_avg', n);
      const v = buffer(st, 'exp_avg_sq', n);
      const bc1 = 1 - beta1 ** t;
      const bc2 = 1 - beta2 ** t;
      const rhoInf = 2 / (1 - beta2) - 1;
      const rhoT = rhoInf - (2 * t * beta2 ** t) / bc2;
      for (let i = 0; i < n; i++) {
        m[i] = lerp(m[i], g[i], 1 - beta1);
        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
        const mHat = m[i] / bc1;
        if (rhoT > 5) {
          const r = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
          p[i] -= ((lr * mHat * Math.sqrt(bc2)) / (Math.sqrt(v[i]) + eps)) * r;
        } else {
          p[i] -= lr * mHat;
        }
      }
      return;
    }
    case 'Lion': {
      const m = buffer(st, 'exp_avg', n);
      for (let i = 0; i < n; i++) {
        const c = beta1 * m[i] + (1 - beta1) * g[i];
        p[i] -= lr * Math.sign(c);
        m[i] = beta2 * m[i] + (1 - beta2) * g[i];
      }
      return;
    }
    default:
      throw new Error(`no reference for ${className}`);
  }
}

/** The options every class is constructed with by default (docs/SEMANTICS.md's tables), PyTorch's names camelCased. */
export const API_DEFAULTS: Record<string, Record<string, unknown>> = {
  SGD: { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
  Adam: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, decoupledWeightDecay: false },
  AdamW: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false, decoupledWeightDecay: true },
  RMSprop: { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false },
  Adagrad: { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
  Adadelta: { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false },
  Adamax: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false },
  NAdam: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, decoupledWeightDecay: false, maximize: false },
  RAdam: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, maximize: false },
  Lion: { lr: 1e-4, betas: [0.9, 0.99], weightDecay: 0, maximize: false },
};

export const OPTIMIZER_CLASSES = Object.keys(API_DEFAULTS);
