/**
 * The TypeScript twin of crates/simdopt-core/src/nn/activation.rs: element-wise forward and
 * backward of ReLU, Tanh, Sigmoid and GELU (erf and tanh forms), as PyTorch's CPU kernels compute
 * them, every operation rounded to float32.
 */
import { expNeg, onePlusErf, sigmoid, tanh } from './math.js';

/** Activation codes of the ABI (activation.rs `Activation`). */
export const ACTIVATION = { relu: 0, tanh: 1, sigmoid: 2, gelu: 3, geluTanh: 4 } as const;
export type ActivationCode = (typeof ACTIVATION)[keyof typeof ACTIVATION];

/** Whether backward needs the forward's output (ReLU, Tanh, Sigmoid) rather than its input (GELU). */
export function savesOutput(code: number): boolean {
  return code === ACTIVATION.relu || code === ACTIVATION.tanh || code === ACTIVATION.sigmoid;
}

const f = Math.fround;
const SQRT1_2 = f(Math.SQRT1_2);
const INV_SQRT_2PI = f(0.39894228);
const SQRT_2_OVER_PI = f(0.79788456);
const KAPPA = f(0.044715);
const THREE_KAPPA = f(3 * KAPPA);

function forwardOne(code: number, x: number): number {
  switch (code) {
    case ACTIVATION.relu:
      return x <= 0 ? 0 : x;
    case ACTIVATION.tanh:
      return tanh(x);
    case ACTIVATION.sigmoid:
      return sigmoid(x);
    case ACTIVATION.gelu:
      return f(f(x * 0.5) * onePlusErf(f(x * SQRT1_2)));
    default: {
      const cube = f(f(x * x) * x);
      const inner = f(SQRT_2_OVER_PI * f(x + f(KAPPA * cube)));
      return f(f(0.5 * x) * f(1 + tanh(inner)));
    }
  }
}

function backwardOne(code: number, s: number, dy: number): number {
  switch (code) {
    case ACTIVATION.relu:
      return s <= 0 ? 0 : dy;
    case ACTIVATION.tanh:
      return f(dy * f(1 - f(s * s)));
    case ACTIVATION.sigmoid:
      return f(f(dy * f(1 - s)) * s);
    case ACTIVATION.gelu: {
      const cdf = f(0.5 * onePlusErf(f(s * SQRT1_2)));
      const pdf = f(INV_SQRT_2PI * expNeg(f(f(s * s) * -0.5)));
      return f(dy * f(cdf + f(s * pdf)));
    }
    default: {
      const xSq = f(s * s);
      const xCube = f(xSq * s);
      const inner = f(SQRT_2_OVER_PI * f(s + f(KAPPA * xCube)));
      const tanhInner = tanh(inner);
      const left = f(0.5 * s);
      const right = f(1 + tanhInner);
      const leftDerivative = f(0.5 * right);
      const tanhDerivative = f(1 - f(tanhInner * tanhInner));
      const innerDerivative = f(SQRT_2_OVER_PI * f(1 + f(THREE_KAPPA * xSq)));
      const rightDerivative = f(f(left * tanhDerivative) * innerDerivative);
      return f(dy * f(leftDerivative + rightDerivative));
    }
  }
}

/** y[i] = f(x[i]); `y` may be `x`. */
export function activationForward(code: number, x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) y[i] = forwardOne(code, x[i]);
}

/** dx[i] from saved[i] (output or input, see `savesOutput`) and dy[i]; `dx` may be `dy`. */
export function activationBackward(code: number, saved: Float32Array, dy: Float32Array, dx: Float32Array): void {
  for (let i = 0; i < saved.length; i++) dx[i] = backwardOne(code, saved[i], dy[i]);
}
