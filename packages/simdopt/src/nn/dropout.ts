/**
 * Dropout: `torch.nn.Dropout`, one class for both uses — a standalone utility
 * (`drop.forward(x, out?)`, `drop.backward(gradOut, gradIn?)`) and a layer of `nn.Sequential`.
 * The top-level `Dropout` and `nn.Dropout` are this same class.
 *
 * ```text
 * training: y_i = x_i·m_i,  m_i = 0 with probability p, else 1/(1 − p)   (a fresh mask per forward)
 * eval:     y = x
 * backward: dx_i = dy_i·m_i with the mask of the last forward (the identity after an eval forward)
 * ```
 * Defaults: p as given (PyTorch's default is 0.5: pass it), seed random. The mode is the
 * `training` flag (set by `train()`/`eval()`, also through a parent Sequential), read at each
 * forward. With a seed the sequence of masks is reproducible on every backend: training-mode
 * forward number k uses mask k of the seed; eval forwards use none. Masks come from the
 * counter-based generator of rng.ts (../dropout.ts), so backward regenerates the forward's mask
 * instead of storing it.
 *
 * Called directly, `forward(x)` returns a new array (or writes `out`; in eval mode it returns `x`
 * itself); inside a Sequential the layer writes into its own buffer of backend memory, as every
 * nn layer does.
 */
import { DropoutMask, type DropoutOptions } from '../dropout.js';
import { checkArray, checkLength, Module, NO_INPUT_GRAD, wantsInputGrad, type BackwardOptions } from './module.js';

export type { DropoutOptions };

export class Dropout extends Module {
  /** Probability of dropping an element, in [0, 1]. */
  readonly p: number;
  /** The seed of the mask sequence (given or drawn at construction). */
  readonly seed: number;
  private readonly mask: DropoutMask;
  private readonly output = this.buffer();
  private readonly gradInput = this.buffer();
  /** Length of the last layer forward; -1 before the first (or after a direct forward). */
  private length = -1;

  constructor(p: number, options: DropoutOptions = {}) {
    super();
    this.mask = new DropoutMask(p, options);
    this.p = this.mask.p;
    this.seed = this.mask.seed;
  }

  /**
   * Training mode: `x·mask` with a fresh mask, into `out` (which may be `x` itself) or a new
   * array. Eval mode: `x` itself (copied into `out` when given).
   */
  forward(x: Float32Array, out?: Float32Array): Float32Array {
    this.check('Dropout');
    this.length = -1;
    return this.mask.train(this.training).forward(x, out);
  }

  /**
   * `gradOut·mask` with the mask of the last forward, into `gradIn` (which may be `gradOut`
   * itself) or a new array; the identity after an eval-mode forward. As a layer (after a
   * Sequential's forward) the second argument is the Module's `{ inputGrad }` options.
   */
  backward(gradOut: Float32Array, gradIn?: Float32Array | BackwardOptions): Float32Array {
    this.check('Dropout');
    if (this.length < 0) {
      if (gradIn !== undefined && !(gradIn instanceof Float32Array)) {
        return wantsInputGrad(gradIn) ? this.mask.backward(gradOut) : NO_INPUT_GRAD;
      }
      return this.mask.backward(gradOut, gradIn);
    }
    if (gradIn instanceof Float32Array) {
      checkLength('gradIn', gradIn, this.length, "as the last forward's output");
      return this.mask.backward(gradOut, gradIn);
    }
    checkArray('gradOut', gradOut);
    checkLength('gradOut', gradOut, this.length, "as the last forward's output");
    if (!wantsInputGrad(gradIn)) return NO_INPUT_GRAD;
    const dy = this.reserve(gradOut, [this.gradInput, this.length]);
    const dx = this.gradInput.view(this.length);
    this.mask.backward(dy, dx);
    return dx;
  }

  /** @internal As a layer: the output in this module's own buffer of backend memory. */
  forwardLayer(x: Float32Array): Float32Array {
    this.check('Dropout');
    checkArray('x', x);
    const n = x.length;
    // The saved state is about to be replaced; if allocating fails, backward must not use it.
    this.length = -1;
    const src = this.reserve(x, [this.output, n]);
    const y = this.output.view(n);
    this.mask.train(this.training).forward(src, y);
    this.length = n;
    return y;
  }

  toString(): string {
    return `Dropout(p=${this.p})`;
  }
}
