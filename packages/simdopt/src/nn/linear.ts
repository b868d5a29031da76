/**
 * Linear: `torch.nn.Linear` on the blocked SIMD GEMM (Rust: crates/simdopt-core/src/nn/linear.rs).
 *
 * ```text
 * y  = x·Wᵀ + b              x [batch, in], W [out, in], b [out], y [batch, out]
 * dW += dyᵀ·x,  db += Σ_rows dy,  dx = dy·W
 * ```
 * Every sum runs over its inner index in order from zero and is then added to the bias or the
 * existing gradient, on every backend, so wasm-simd, wasm and js agree bit for bit.
 *
 * Init as PyTorch's default: W ~ U(−1/√in, 1/√in) (`kaiming_uniform_` with a = √5) and
 * b ~ U(−1/√in, 1/√in), drawn from a seeded xoshiro128** generator in TypeScript: the weight
 * row-major first, then the bias. The same seed gives the same weights on every backend and run.
 */
import { fail, SimdoptError } from '../errors.js';
import { Parameter } from '../parameter.js';
import { checkBoolean, checkInteger } from '../validate.js';
import { fillUniform, Generator, linearInitBound, randomSeed } from './init.js';
import { checkArray, checkLength, Module, NO_INPUT_GRAD, wantsInputGrad, type BackwardOptions } from './module.js';

export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** Seed of the initial weights (a non-negative safe integer); without one they differ per run. */
  seed?: number;
  /** Names the parameters `${name}.weight` and `${name}.bias` (default `linear<n>`). */
  name?: string;
}

let nextId = 0;

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** [outFeatures, inFeatures]. */
  readonly weight: Parameter;
  /** [outFeatures], or null with `bias: false`. */
  readonly bias: Parameter | null;

  /** x of the last forward (backward needs it for dW). */
  private readonly input = this.buffer();
  private readonly output = this.buffer();
  private readonly gradInput = this.buffer();
  /** gradOut copied in when it is not in backend memory. */
  private readonly staging = this.buffer();
  /** GEMM packing workspace (wasm only), sized for the last forward's batch. */
  private readonly workspace = this.buffer();
  private workspaceLength = 0;
  /** Rows of the last forward; -1 before the first. */
  private batch = -1;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    checkInteger('inFeatures', inFeatures, 1);
    checkInteger('outFeatures', outFeatures, 1);
    if (options === null || typeof options !== 'object') fail('options', 'an object', options);
    const { bias = true, seed = randomSeed(), name = `linear${nextId++}` } = options;
    checkBoolean('options.bias', bias);
    if (typeof name !== 'string') fail('options.name', 'a string', name);
    const gen = new Generator(seed);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = Parameter.zeros([outFeatures, inFeatures], { name: `${name}.weight` });
    try {
      this.bias = bias ? Parameter.zeros([outFeatures], { name: `${name}.bias` }) : null;
      const bound = linearInitBound(inFeatures);
      fillUniform(this.weight.data, bound, gen);
      if (this.bias) fillUniform(this.bias.data, bound, gen);
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** y = x·Wᵀ + b for x of `[batch, inFeatures]` (batch = x.length / inFeatures). */
  forward(x: Float32Array): Float32Array {
    this.check('Linear');
    checkArray('x', x);
    if (x.length % this.inFeatures !== 0) {
      fail('x', `a length that is a multiple of inFeatures (${this.inFeatures}): [batch, inFeatures] row-major`, x);
    }
    const batch = x.length / this.inFeatures;
    const nx = batch * this.inFeatures;
    const ny = batch * this.outFeatures;
    // The workspace serves the backward too, whose inner dimension may be the batch.
    const wsLength = this.backend.linearWorkspace(batch, this.inFeatures, this.outFeatures);
    // The saved state is about to be replaced; if allocating fails, backward must not use it.
    this.batch = -1;
    const src = this.reserve(x, [this.input, nx], [this.output, ny], [this.workspace, wsLength]);
    this.workspaceLength = wsLength;
    const saved = this.input.view(nx);
    saved.set(src);
    const y = this.output.view(ny);
    this.backend.linearForward(saved, this.weight.data, this.bias?.data ?? null, y, batch, this.inFeatures, this.outFeatures, this.workspaceView());
    this.batch = batch;
    return y;
  }

  /** Adds dW = dyᵀ·x and db = Σ_rows dy into the gradients; returns dx = dy·W. */
  backward(gradOut: Float32Array, options?: BackwardOptions): Float32Array {
    this.check('Linear');
    checkArray('gradOut', gradOut);
    if (this.batch < 0) throw new SimdoptError('Linear.backward: call forward first', 'gradOut');
    const batch = this.batch;
    const ny = batch * this.outFeatures;
    const nx = batch * this.inFeatures;
    checkLength('gradOut', gradOut, ny, `[${batch}, ${this.outFeatures}], as the last forward's output`);
    const inputGrad = wantsInputGrad(options);
    let dy = this.reserve(gradOut, [this.gradInput, inputGrad ? nx : 0], [this.staging, this.backend.holds(gradOut) ? 0 : ny]);
    if (!this.backend.holds(dy)) {
      // Not in backend memory (or copied out above): stage it. May allocate, so before any view.
      this.staging.reserve(ny);
      const staged = this.staging.view(ny);
      staged.set(dy);
      dy = staged;
    }
    const x = this.input.view(nx);
    const ws = this.workspaceView();
    if (this.weight.requiresGrad) {
      this.backend.linearWeightGrad(dy, x, this.weight.grad, batch, this.inFeatures, this.outFeatures, ws);
    }
    if (this.bias !== null && this.bias.requiresGrad) this.backend.linearBiasGrad(dy, this.bias.grad, batch, this.outFeatures);
    if (!inputGrad) return NO_INPUT_GRAD;
    const dx = this.gradInput.view(nx);
    this.backend.linearInputGrad(dy, this.weight.data, dx, batch, this.inFeatures, this.outFeatures, ws);
    return dx;
  }

  private workspaceView(): Float32Array | null {
    return this.workspaceLength > 0 ? this.workspace.view(this.workspaceLength) : null;
  }

  parameters(): Parameter[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  protected ownParameters(): Parameter[] {
    return this.parameters();
  }

  toString(): string {
    return `Linear(inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null})`;
  }
}
