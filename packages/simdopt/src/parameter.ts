/**
 * Parameter: a tensor of trainable values and its gradient, in backend memory (wasm linear
 * memory or, on the js backend, a Float32Array), seen as live Float32Array views.
 */
import type { Backend, Handle } from './backend/backend.js';
import { slotStride } from './backend/backend.js';
import { disposeOnUsing } from './dispose.js';
import { count, describe, fail, SimdoptError } from './errors.js';
import { reclaimable, reclaimer } from './reclaim.js';
import { backend, checkBackend, isActive } from './runtime.js';
import { checkBoolean } from './validate.js';
import { trackObject } from './warnings.js';

export interface ParameterOptions {
  /** A label for error messages and state dicts. */
  name?: string;
  /** False freezes the parameter: optimizers and utilities skip it (default true). */
  requiresGrad?: boolean;
}

export interface ParameterFromOptions extends ParameterOptions {
  /** Shape of the values (default: `[values.length]`). */
  shape?: readonly number[];
}

let nextId = 0;

const isUndisposed = (p: Parameter): boolean => p.handle !== -1;

function checkShape(name: string, shape: unknown): readonly number[] {
  if (typeof shape === 'number') {
    if (!(Number.isInteger(shape) && shape >= 0)) fail(name, 'a size (a non-negative integer) or an array of them', shape);
    shape = [shape];
  }
  if (!Array.isArray(shape)) fail(name, 'a size (a non-negative integer) or an array of them', shape);
  const bad = shape.findIndex((d) => !(Number.isInteger(d) && d >= 0));
  // Say which dimension is at fault rather than "an array of length n".
  if (bad >= 0) {
    throw new SimdoptError(`${name}: expected dimensions that are non-negative integers, got ${describe(shape[bad])} as dimension ${bad}`, name);
  }
  const size = shape.reduce((a: number, b: number) => a * b, 1);
  if (size > 2 ** 30) fail(name, 'at most 2^30 elements', size);
  return Object.freeze([...shape]);
}

export class Parameter {
  readonly shape: readonly number[];
  readonly size: number;
  readonly name: string;
  /** @internal The backend this parameter's memory belongs to. */
  readonly backend: Backend;
  /** @internal Block of [data | padding | grad]; -1 once disposed. */
  handle: Handle;
  /** @internal f32 offset of the gradient in the block. */
  readonly gradOffset: number;
  private requires: boolean;
  private dataView: Float32Array;
  private gradView: Float32Array;

  private constructor(shape: readonly number[], options: ParameterOptions) {
    if (options.name !== undefined && typeof options.name !== 'string') fail('options.name', 'a string', options.name);
    if (options.requiresGrad !== undefined) checkBoolean('options.requiresGrad', options.requiresGrad);
    this.backend = backend();
    this.shape = shape;
    this.size = shape.reduce((a, b) => a * b, 1);
    this.name = options.name ?? `param${nextId++}`;
    this.requires = options.requiresGrad ?? true;
    this.gradOffset = slotStride(this.size);
    this.handle = this.backend.alloc(this.gradOffset * 2);
    this.dataView = this.backend.f32(this.handle, 0, this.size);
    this.gradView = this.backend.f32(this.handle, this.gradOffset, this.size);
    reclaimer?.register(this, reclaimable(this.backend, [this.handle]), this);
    trackObject(this.backend, this, isUndisposed, 'parameter');
  }

  /** A parameter of zeros (and a zero gradient). `shape` is a size or a list of dimensions. */
  static zeros(shape: number | readonly number[], options: ParameterOptions = {}): Parameter {
    return new Parameter(checkShape('shape', shape), options ?? {});
  }

  /** A parameter holding a copy of `values`. */
  static from(values: ArrayLike<number>, options: ParameterFromOptions = {}): Parameter {
    if (values === null || typeof values !== 'object' || typeof (values).length !== 'number') {
      fail('values', 'an array or typed array of numbers', values);
    }
    const shape = checkShape('options.shape', options?.shape ?? [values.length]);
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== values.length) fail('options.shape', `a shape of ${count(values.length, 'element')}`, `[${shape.join(', ')}]`);
    if (!ArrayBuffer.isView(values)) {
      for (let i = 0; i < values.length; i++) {
        if (typeof values[i] !== 'number') fail(`values[${i}]`, 'a number', values[i]);
      }
    }
    const p = new Parameter(shape, options ?? {});
    p.dataView.set(values);
    return p;
  }

  /** The values, as a live view into backend memory. */
  get data(): Float32Array {
    this.check();
    if (this.dataView.length !== this.size) this.dataView = this.backend.f32(this.handle, 0, this.size);
    return this.dataView;
  }

  /** The gradient, as a live view into backend memory (zero-initialised). */
  get grad(): Float32Array {
    this.check();
    if (this.gradView.length !== this.size) this.gradView = this.backend.f32(this.handle, this.gradOffset, this.size);
    return this.gradView;
  }

  get requiresGrad(): boolean {
    return this.requires;
  }

  set requiresGrad(value: boolean) {
    checkBoolean('requiresGrad', value);
    this.requires = value;
  }

  /** Whether `dispose()` was called. */
  get disposed(): boolean {
    return this.handle < 0;
  }

  zeroGrad(): void {
    this.grad.fill(0);
  }

  /** Frees the memory; idempotent. Views taken before become invalid. */
  dispose(): void {
    if (this.handle < 0) return;
    reclaimer?.unregister(this);
    try {
      this.backend.free(this.handle);
    } finally {
      this.handle = -1;
      this.dataView = this.gradView = new Float32Array(0);
    }
  }

  /** @internal Throws unless the parameter is usable under the active backend. */
  check(): void {
    if (this.handle < 0) throw new SimdoptError(`Parameter '${this.name}' is disposed`, this.name);
    if (!isActive(this.backend)) checkBackend(this.backend, `Parameter '${this.name}'`);
  }

  toString(): string {
    return `Parameter '${this.name}' [${this.shape.join('×')}]`;
  }
}

// `using p = Parameter.zeros(…)` where the engine has explicit resource management; the package
// does not polyfill Symbol.dispose.
disposeOnUsing(Parameter.prototype);

export interface Parameter {
  [Symbol.dispose](): void;
}

/** Checks that `p` is a usable Parameter, naming it `name` in the error. */
export function checkParameter(name: string, p: unknown): asserts p is Parameter {
  if (!(p instanceof Parameter)) fail(name, 'a Parameter', p);
  if (p.disposed) throw new SimdoptError(`${name}: Parameter '${p.name}' is disposed`, name);
  checkBackend(p.backend, `${name} (Parameter '${p.name}')`);
}

