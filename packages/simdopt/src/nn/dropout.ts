/**
 * Dropout as a module: `torch.nn.Dropout`, the training kit's inverted dropout (../dropout.ts)
 * behind the Module contract.
 *
 * ```text
 * training: y_i = x_i·m_i,  m_i = 0 with probability p, else 1/(1 − p)   (a fresh mask per forward)
 * eval:     y = x
 * backward: dx_i = dy_i·m_i with the mask of the last forward (the identity after an eval forward)
 * ```
 * The mode is the module's `training` flag (set by `train()`/`eval()`, also through a parent
 * Sequential), read at each forward. With a seed the sequence of masks is reproducible on every
 * backend: training-mode forward number k uses mask k of the seed; eval forwards use none.
 */
import { Dropout as KitDropout, type DropoutOptions } from '../dropout.js';
import { SimdoptError } from '../errors.js';
import { checkArray, checkLength, Module, NO_INPUT_GRAD, wantsInputGrad, type BackwardOptions } from './module.js';

export type { DropoutOptions };

export class Dropout extends Module {
  /** Probability of dropping an element, in [0, 1]. */
  readonly p: number;
  /** The seed of the mask sequence (given or drawn at construction). */
  readonly seed: number;
  private readonly kit: KitDropout;
  private readonly output = this.buffer();
  private readonly gradInput = this.buffer();
  /** Length of the last forward; -1 before the first. */
  private length = -1;

  constructor(p: number, options: DropoutOptions = {}) {
    super();
    this.kit = new KitDropout(p, options);
    this.p = this.kit.p;
    this.seed = this.kit.seed;
  }

  forward(x: Float32Array): Float32Array {
    this.check('Dropout');
    checkArray('x', x);
    const n = x.length;
    // The saved state is about to be replaced; if allocating fails, backward must not use it.
    this.length = -1;
    const src = this.reserve(x, [this.output, n]);
    const y = this.output.view(n);
    // The kit keeps the mask's key (or "identity" in eval) for backward; no mask is stored.
    this.kit.train(this.training).forward(src, y);
    this.length = n;
    return y;
  }

  backward(gradOut: Float32Array, options?: BackwardOptions): Float32Array {
    this.check('Dropout');
    checkArray('gradOut', gradOut);
    if (this.length < 0) throw new SimdoptError('Dropout.backward: call forward first', 'gradOut');
    checkLength('gradOut', gradOut, this.length, "as the last forward's output");
    if (!wantsInputGrad(options)) return NO_INPUT_GRAD;
    const dy = this.reserve(gradOut, [this.gradInput, this.length]);
    const dx = this.gradInput.view(this.length);
    this.kit.backward(dy, dx);
    return dx;
  }

  toString(): string {
    return `Dropout(p=${this.p})`;
  }
}
