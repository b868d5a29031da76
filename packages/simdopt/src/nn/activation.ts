/**
 * Element-wise activations as modules: ReLU, Tanh, Sigmoid and GELU, with PyTorch's formulas
 * (Rust: crates/simdopt-core/src/nn/activation.rs; js twin: ./kernels/activation.ts).
 *
 * ```text
 * ReLU     y = max(x, 0)                      dx = y > 0 ? dy : 0
 * Tanh     y = tanh(x)                        dx = dy·(1 − y²)
 * Sigmoid  y = 1/(1 + e^−x)                   dx = dy·(1 − y)·y
 * GELU     y = x·Φ(x) = x/2·(1 + erf(x/√2))   dx = dy·(Φ(x) + x·φ(x))          (approximate 'none')
 *          y = x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³)))                        (approximate 'tanh')
 * ```
 * tanh, e^x and erf are float32 approximations computed identically on every backend (max error
 * in ./kernels/math.ts). The shape of `x` does not matter: any length, applied element by element.
 */
import { fail, SimdoptError } from '../errors.js';
import { ACTIVATION, savesOutput, type ActivationCode } from './kernels/activation.js';
import { checkArray, checkLength, Module, NO_INPUT_GRAD, wantsInputGrad, type BackwardOptions } from './module.js';

/** The shared body: buffers, forward and backward of one activation code. */
abstract class Activation extends Module {
  protected abstract readonly code: ActivationCode;
  protected abstract readonly label: string;
  private readonly output = this.buffer();
  /** The forward's input, for the activations whose gradient needs it (GELU). */
  private readonly savedInput = this.buffer();
  private readonly gradInput = this.buffer();
  /** Length of the last forward; -1 before the first. */
  private length = -1;

  forward(x: Float32Array): Float32Array {
    this.check(this.label);
    checkArray('x', x);
    const n = x.length;
    const keepInput = !savesOutput(this.code);
    // The saved state is about to be replaced; if allocating fails, backward must not use it.
    this.length = -1;
    const src = this.reserve(x, [this.output, n], [this.savedInput, keepInput ? n : 0]);
    const y = this.output.view(n);
    if (keepInput) {
      const saved = this.savedInput.view(n);
      saved.set(src);
      this.backend.activationForward(this.code, saved, y);
    } else if (this.backend.holds(src)) {
      this.backend.activationForward(this.code, src, y);
    } else {
      // Not in backend memory: copy into the output and apply in place.
      y.set(src);
      this.backend.activationForward(this.code, y, y);
    }
    this.length = n;
    return y;
  }

  backward(gradOut: Float32Array, options?: BackwardOptions): Float32Array {
    this.check(this.label);
    checkArray('gradOut', gradOut);
    if (this.length < 0) throw new SimdoptError(`${this.label}.backward: call forward first`, 'gradOut');
    const n = this.length;
    checkLength('gradOut', gradOut, n, "as the last forward's output");
    if (!wantsInputGrad(options)) return NO_INPUT_GRAD;
    const dy = this.reserve(gradOut, [this.gradInput, n]);
    const dx = this.gradInput.view(n);
    const saved = savesOutput(this.code) ? this.output.view(n) : this.savedInput.view(n);
    if (this.backend.holds(dy)) {
      this.backend.activationBackward(this.code, saved, dy, dx);
    } else {
      dx.set(dy);
      this.backend.activationBackward(this.code, saved, dx, dx);
    }
    return dx;
  }

  toString(): string {
    return `${this.label}()`;
  }
}

/** `torch.nn.ReLU`: max(x, 0); NaN stays NaN. */
export class ReLU extends Activation {
  protected readonly code = ACTIVATION.relu;
  protected readonly label = 'ReLU';
}

/** `torch.nn.Tanh`. */
export class Tanh extends Activation {
  protected readonly code = ACTIVATION.tanh;
  protected readonly label = 'Tanh';
}

/** `torch.nn.Sigmoid`. */
export class Sigmoid extends Activation {
  protected readonly code = ACTIVATION.sigmoid;
  protected readonly label = 'Sigmoid';
}

export interface GELUOptions {
  /**
   * 'none' (default, PyTorch's default): the exact x·Φ(x) with erf. 'tanh': PyTorch's tanh
   * approximation.
   */
  approximate?: 'none' | 'tanh';
}

/**
 * `torch.nn.GELU` (Hendrycks & Gimpel 2016, arXiv 1606.08415). One deliberate difference in
 * arithmetic: 1 + erf(x/√2) is computed without cancellation for x ≪ 0, where PyTorch's float32
 * `1 + erf(…)` loses its digits; results differ from PyTorch's there by less than 1e-7·|x|.
 */
export class GELU extends Activation {
  protected readonly code: ActivationCode;
  protected readonly label = 'GELU';
  readonly approximate: 'none' | 'tanh';

  constructor(options: GELUOptions = {}) {
    super();
    if (options === null || typeof options !== 'object') fail('options', 'an object', options);
    const { approximate = 'none' } = options;
    if (approximate !== 'none' && approximate !== 'tanh') fail('options.approximate', "'none' or 'tanh'", approximate);
    this.approximate = approximate;
    this.code = approximate === 'none' ? ACTIVATION.gelu : ACTIVATION.geluTanh;
  }

  toString(): string {
    return `GELU(approximate='${this.approximate}')`;
  }
}
