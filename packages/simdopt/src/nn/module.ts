/**
 * Module: the base of every nn layer, in the shape of `torch.nn.Module` but with an explicit
 * backward instead of autograd.
 *
 * Data layout: a batch is a Float32Array of `[batch, features]` in row-major order (sample after
 * sample); Linear infers `batch` from the length. `forward(x)` returns a view of the module's own
 * output buffer in backend memory, and `backward(gradOut)` adds (+=) into each Parameter's `.grad`
 * and returns a view of the module's own input-gradient buffer. Those views stay valid until the
 * module's next forward/backward, or until backend memory grows (then read them again from the
 * next call; size memory with `init({ initialMemoryBytes })` to never grow). Do not write into
 * them: backward reads what forward saved. Empty batches are refused (see `checkArray`).
 */
import type { Backend } from '../backend/backend.js';
import { disposeOnUsing } from '../dispose.js';
import { fail, SimdoptError } from '../errors.js';
import type { Parameter } from '../parameter.js';
import { reclaimable, reclaimer, type Reclaimable } from '../reclaim.js';
import { backend, checkBackend } from '../runtime.js';
import { checkBoolean } from '../validate.js';
import { OwnedBuffer } from './buffer.js';

export interface BackwardOptions {
  /**
   * False skips the gradient with respect to the input (as PyTorch does for an input that does
   * not require grad, such as the data fed to the first layer); backward then returns an empty
   * Float32Array. Parameter gradients are accumulated either way. Default true.
   */
  inputGrad?: boolean;
}

/** The empty result of `backward(g, { inputGrad: false })`. */
export const NO_INPUT_GRAD = new Float32Array(0);

export abstract class Module {
  /** Training mode, as PyTorch's `training`; `train()` and `eval()` set it here and in children. */
  training = true;

  /** PyTorch-style description, as `print(module)` shows it; layers say more (`Linear(in_features=2, …)`). */
  toString(): string {
    return `${this.constructor.name}()`;
  }
  /** @internal The backend this module's memory belongs to. */
  readonly backend: Backend;
  private readonly held: Reclaimable;
  private isDisposed = false;

  constructor() {
    this.backend = backend();
    this.held = reclaimable(this.backend);
    reclaimer?.register(this, this.held, this);
  }

  /** The output for a batch `x` (layout in the module doc). */
  abstract forward(x: Float32Array): Float32Array;

  /**
   * Given d(loss)/d(output) of the last forward, adds d(loss)/d(parameter) into every parameter's
   * `.grad` (parameters with `requiresGrad` false are skipped) and returns d(loss)/d(input).
   */
  abstract backward(gradOut: Float32Array, options?: BackwardOptions): Float32Array;

  /**
   * @internal What a container (Sequential) calls: `forward(x)`, except for a layer whose direct
   * call differs (Dropout returns a new array when called directly, its own buffer as a layer).
   */
  forwardLayer(x: Float32Array): Float32Array {
    return this.forward(x);
  }

  /** Trainable parameters, in a stable order (for an optimizer). */
  parameters(): Parameter[] {
    return this.children().flatMap((c) => c.parameters());
  }

  /** Direct sub-modules. */
  children(): Module[] {
    return [];
  }

  /** Sets training mode (default true) here and in every child; returns this. */
  train(mode = true): this {
    checkBoolean('mode', mode);
    this.training = mode;
    for (const c of this.children()) c.train(mode);
    return this;
  }

  /** `train(false)`. None of the built-in layers behaves differently in eval mode except Dropout. */
  eval(): this {
    return this.train(false);
  }

  /** Zeroes the gradient of every parameter. */
  zeroGrad(): void {
    const params = this.parameters();
    // Every parameter first: a disposed one must not leave the others half zeroed.
    for (const p of params) p.check();
    for (const p of params) p.zeroGrad();
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  /** Frees the module's buffers, its own parameters and its children; idempotent. */
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    reclaimer?.unregister(this);
    for (const block of this.held.blocks) {
      try {
        this.backend.free(block);
      } catch {
        // Its backend was replaced; its memory went with it.
      }
    }
    this.held.blocks.clear();
    for (const p of this.ownParameters()) p.dispose();
    for (const c of this.children()) c.dispose();
  }

  /** Parameters this module created (and disposes), without its children's. */
  protected ownParameters(): Parameter[] {
    return [];
  }

  /** A buffer of backend memory owned (and freed) by this module. */
  protected buffer(): OwnedBuffer {
    return new OwnedBuffer(this.backend, this.held.blocks);
  }

  /**
   * Reserves `plans` ([buffer, length] pairs) and returns `input` in a form that survives it:
   * when a reservation may grow memory, a view of backend memory is copied out first (growth
   * would detach it).
   */
  protected reserve(input: Float32Array, ...plans: [OwnedBuffer, number][]): Float32Array {
    const grows = plans.some(([b, n]) => b.needs(n));
    const safe = grows && this.backend.holds(input) && input.length > 0 ? input.slice() : input;
    for (const [b, n] of plans) b.reserve(n);
    return safe;
  }

  /** Throws unless the module is usable under the active backend. */
  protected check(what: string): void {
    if (this.isDisposed) throw new SimdoptError(`${what} is disposed`, what);
    checkBackend(this.backend, what);
  }
}

// `using model = new nn.Sequential(…)` where the engine has explicit resource management; the
// package does not polyfill Symbol.dispose.
disposeOnUsing(Module.prototype);

export interface Module {
  [Symbol.dispose](): void;
}

/** Why an array may be unexpectedly empty. */
const DETACHED_HINT = ' (a view of backend memory read before memory grew is detached and empty: read it again after the growth)';

/**
 * Checks that `x` is a non-empty Float32Array, naming it `name`. Empty batches are refused: in
 * practice an empty array here is a view that a memory growth detached, and refusing it turns a
 * silently empty result into an error.
 */
export function checkArray(name: string, x: unknown): asserts x is Float32Array {
  if (!(x instanceof Float32Array)) fail(name, 'a Float32Array', x);
  if (x.length === 0) fail(name, `a non-empty Float32Array${DETACHED_HINT}`, x);
}

/** Checks that `x` has `length` elements; `shape` describes them for the message. */
export function checkLength(name: string, x: Float32Array, length: number, shape: string): void {
  if (x.length !== length) fail(name, `length ${length} (${shape})`, x);
}

/** Checks `options.inputGrad`. */
export function wantsInputGrad(options: BackwardOptions | undefined): boolean {
  if (options === undefined) return true;
  if (options === null || typeof options !== 'object') fail('options', 'an object', options);
  const v = options.inputGrad ?? true;
  checkBoolean('options.inputGrad', v);
  return v;
}
