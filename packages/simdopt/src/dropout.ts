/**
 * The masks of inverted dropout, as `torch.nn.Dropout` (Rust kernel:
 * crates/simdopt-core/src/dropout.rs). The one public Dropout class is `nn.Dropout`
 * (src/nn/dropout.ts), exported at the top level too; this is its engine.
 *
 * ```text
 * training: out_i = x_i·m_i,  m_i = 0 with probability p, else 1/(1 − p)   (a fresh mask per forward)
 * eval:     out = x
 * backward: gradIn_i = gradOut_i·m_i with the mask of the last forward
 * ```
 * The mask comes from the counter-based generator of rng.ts: forward number k of a Dropout
 * seeded with s uses key(s, k), and element i is dropped when bits(key, i) >> 8 < round(p·2^24).
 * So a seed reproduces the whole sequence of masks, on wasm-simd, wasm and js alike, and backward
 * regenerates the forward mask instead of storing it. As in PyTorch the output is `x·mask`: a
 * dropped ±∞ or NaN gives NaN; p = 0 is the identity and p = 1 gives zeros.
 */
import type { ArrayKernel, Backend } from './backend/backend.js';
import { SimdoptError } from './errors.js';
import { checkDisjoint, checkF32, checkOptions } from './kit.js';
import { bitsAt, checkSeed, deriveKey, randomSeed, type Key } from './rng.js';
import { backend } from './runtime.js';
// The one public class (also `nn.Dropout`), re-exported here where the top-level entry finds it.
export { Dropout } from './nn/dropout.js';
import { checkBoolean, checkRange } from './validate.js';

const f = Math.fround;

/** 2^24: the threshold that drops every element. */
const THRESHOLD_ALL = 2 ** 24;

/**
 * Argument block: [k0 >> 16, k0 & 0xffff, k1 >> 16, k1 & 0xffff, threshold, scale] (key words in
 * 16-bit halves, which f32 holds exactly). Buffers: [input, output] (output may be the input).
 */
export const dropoutKernel: ArrayKernel = {
  name: 'dropout',
  argsLength: 6,
  writes: [false, true],
  js(buffers, args) {
    const [x, out] = buffers as readonly Float32Array[];
    const key = { k0: ((args[0] << 16) | args[1]) >>> 0, k1: ((args[2] << 16) | args[3]) >>> 0 };
    const threshold = args[4];
    const scale = args[5];
    for (let i = 0; i < x.length; i++) {
      const m = bitsAt(key, i) >>> 8 < threshold ? 0 : scale;
      out[i] = f(x[i] * m);
    }
    return 0;
  },
};

export interface DropoutOptions {
  /** Makes the sequence of masks reproducible: an integer in [0, 2^53). Default: random. */
  seed?: number;
}

/** What backward needs from the last forward. */
interface LastForward {
  length: number;
  /** The mask's key, or null when the forward was the identity (eval mode). */
  key: Key | null;
}

/** @internal The mask sequence and the kernel calls behind `Dropout`; works on any Float32Arrays. */
export class DropoutMask {
  /** Probability of dropping an element. */
  readonly p: number;
  /** The seed of the mask sequence (given or drawn at construction). */
  readonly seed: number;
  private mode = true;
  /** Forward passes made in training mode: the stream number of the next mask. */
  private stream = 0;
  private last: LastForward | null = null;
  private readonly args = new Float32Array(dropoutKernel.argsLength);

  constructor(p: number, options: DropoutOptions = {}) {
    checkRange('p', p, 0, 1, true);
    const o = checkOptions('options', options, ['seed']);
    if (o.seed !== undefined) checkSeed('options.seed', o.seed);
    this.p = p;
    this.seed = (o.seed) ?? randomSeed();
    this.args[4] = Math.round(p * THRESHOLD_ALL);
    this.args[5] = f(1 / f(1 - p));
  }

  /** Whether forward applies a mask (training mode, the default). */
  get training(): boolean {
    return this.mode;
  }

  /** Sets training mode (default true), as PyTorch's `train(mode)`. */
  train(mode = true): this {
    checkBoolean('mode', mode);
    this.mode = mode;
    return this;
  }

  /** Sets evaluation mode: forward is the identity. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Training mode: `x·mask` with a fresh mask, into `out` (which may be `x` itself) or a new array.
   * Eval mode: `x` (copied into `out` when given).
   */
  forward(x: Float32Array, out?: Float32Array): Float32Array {
    checkF32('x', x);
    if (out !== undefined) {
      checkF32('out', out, x.length, 'as x');
      checkDisjoint('out', out, [['x', x]], true);
    }
    const b = backend();
    if (!this.mode) {
      this.last = { length: x.length, key: null };
      if (out === undefined) return x;
      out.set(x);
      return out;
    }
    const key = deriveKey(this.seed, this.stream);
    const result = out ?? new Float32Array(x.length);
    this.apply(b, key, x, result);
    this.stream = (this.stream + 1) >>> 0;
    this.last = { length: x.length, key };
    return result;
  }

  /**
   * `gradOut·mask` with the mask of the last forward, into `gradIn` (which may be `gradOut`
   * itself) or a new array; the identity after an eval-mode forward.
   */
  backward(gradOut: Float32Array, gradIn?: Float32Array): Float32Array {
    const last = this.last;
    if (last === null) throw new SimdoptError('Dropout.backward: call forward first', 'gradOut');
    checkF32('gradOut', gradOut, last.length, 'as the last forward input');
    if (gradIn !== undefined) {
      checkF32('gradIn', gradIn, last.length, 'as the last forward input');
      checkDisjoint('gradIn', gradIn, [['gradOut', gradOut]], true);
    }
    const b = backend();
    if (last.key === null) {
      if (gradIn === undefined) return gradOut;
      gradIn.set(gradOut);
      return gradIn;
    }
    const result = gradIn ?? new Float32Array(gradOut.length);
    this.apply(b, last.key, gradOut, result);
    return result;
  }

  private apply(b: Backend, key: Key, input: Float32Array, output: Float32Array): void {
    const a = this.args;
    a[0] = key.k0 >>> 16;
    a[1] = key.k0 & 0xffff;
    a[2] = key.k1 >>> 16;
    a[3] = key.k1 & 0xffff;
    b.runArrays(dropoutKernel, [input, output], a);
  }
}
