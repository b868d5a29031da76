/**
 * L1 and L2 penalties on parameter values, value and gradient in one fused pass (Rust kernels:
 * crates/simdopt-core/src/penalty.rs). Not part of torch.optim; the definitions of SEMANTICS.md:
 *
 * ```text
 * l1Penalty: returns λ·Σ|w|,   adds λ·sign(w) to grad   (sign(0) = 0)
 * l2Penalty: returns ½λ·Σw²,   adds λ·w to grad          (= coupled weight decay λ)
 * ```
 * Elastic net is both calls. Parameters with `requiresGrad === false` are skipped.
 */
import type { TensorKernel, TensorViews } from './backend/backend.js';
import { activeParams, checkOptions, type Params } from './kit.js';
import { backend } from './runtime.js';
import { LaneSum } from './stream.js';
import { checkBoolean, checkNonNegative } from './validate.js';

const f = Math.fround;

export interface PenaltyOptions {
  /** Add the penalty's gradient to each parameter's `grad` (default true). */
  addToGrad?: boolean;
}

/** The js twin of `PenaltyKernel<L2>`: Σ|w| or Σw², adding λ·sign(w) or λ·w when asked. */
function penaltyKernel(name: string, l2: boolean): TensorKernel {
  return {
    name,
    argsLength: 2,
    js(tensors: readonly TensorViews[], args: Float32Array): number {
      const lambda = args[0];
      const add = args[1] === 1;
      let total = 0;
      for (const { data: w, grad: g } of tensors) {
        const sum = new LaneSum(w.length);
        for (let i = 0; i < w.length; i++) {
          const wi = w[i];
          if (add) {
            const d = l2 ? wi : wi > 0 ? 1 : wi < 0 ? -1 : wi;
            g[i] = f(g[i] + f(lambda * d));
          }
          sum.add(l2 ? f(wi * wi) : Math.abs(wi));
        }
        total += sum.result();
      }
      return total;
    },
  };
}

/** Argument block: [λ, addToGrad (0 or 1)]. */
export const l1PenaltyKernel = penaltyKernel('l1_penalty', false);
/** Argument block: [λ, addToGrad (0 or 1)]. */
export const l2PenaltyKernel = penaltyKernel('l2_penalty', true);

const args = new Float32Array(2);

function penalty(kernel: TensorKernel, params: Params, lambda: number, options: PenaltyOptions): number {
  const list = activeParams('params', params);
  checkNonNegative('lambda', lambda);
  const o = checkOptions('options', options, ['addToGrad']);
  const addToGrad = o.addToGrad ?? true;
  checkBoolean('options.addToGrad', addToGrad);
  args[0] = lambda;
  args[1] = addToGrad ? 1 : 0;
  return backend().runTensors(kernel, list, args);
}

/** λ·Σ|w| over the parameters; adds λ·sign(w) to their gradients unless `addToGrad` is false. */
export function l1Penalty(params: Params, lambda: number, options: PenaltyOptions = {}): number {
  return lambda * penalty(l1PenaltyKernel, params, lambda, options);
}

/** ½λ·Σw² over the parameters; adds λ·w to their gradients unless `addToGrad` is false. */
export function l2Penalty(params: Params, lambda: number, options: PenaltyOptions = {}): number {
  return (lambda / 2) * penalty(l2PenaltyKernel, params, lambda, options);
}
