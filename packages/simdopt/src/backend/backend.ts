/**
 * The one interface every backend implements: memory blocks seen as Float32Array views, and
 * kernels that stream over tables of tensors. `wasm.ts` runs the Rust kernels (SIMD or scalar
 * build), `js.ts` runs the same kernels written in TypeScript.
 */

export type BackendName = 'wasm-simd' | 'wasm' | 'js';

/** A block of backend memory: a byte address in wasm memory, or a key of the js backend. */
export type Handle = number;

/** One tensor of a table: its values, gradient and state block (slot k at `k * slotStride(len)`). */
export interface TableEntry {
  data: Handle;
  grad: Handle;
  gradOffset: number;
  /** State block, or `null` for a kernel configuration without state. */
  state: Handle | null;
  len: number;
  /** Number of state slots (views the js kernels receive). */
  slots: number;
}

/** A table of tensors stepped by one kernel call (PyTorch's multi-tensor apply). */
export interface TensorTable {
  readonly count: number;
  /** Frees the table's memory; idempotent. */
  dispose(): void;
}

/**
 * The TypeScript twin of one Rust optimizer kernel (same argument block, same slot order).
 * The wasm backend calls the export `simdopt_${name}`.
 */
export interface OptimizerKernel {
  readonly name: string;
  /** Length of the f32 argument block. */
  readonly argsLength: number;
  /** Updates one tensor: values `p`, gradient `g`, state slot views `s`. */
  js(p: Float32Array, g: Float32Array, s: Float32Array[], args: Float32Array): void;
}

/**
 * The TypeScript twin of a Rust kernel that updates state and returns two sums over its table
 * (crates/simdopt-core/src/two_pass.rs `SumsKernel`; Prodigy's measuring pass). The wasm backend
 * calls the export `simdopt_${name}` with a 16-byte result slot.
 */
export interface OptimizerSumsKernel {
  readonly name: string;
  /** Length of the f32 argument block. */
  readonly argsLength: number;
  /**
   * Updates one tensor and writes its two sums (f64, in the order of stream.ts `LaneSum`) into
   * `sums`; the backend adds the tensors' sums in table order, as the Rust kernel does.
   */
  js(p: Float32Array, g: Float32Array, s: Float32Array[], args: Float32Array, sums: Float64Array): void;
}

/**
 * A parameter's block as the training-kit kernels see it: values at f32 offset 0, gradient at
 * f32 offset `gradOffset` (a Parameter is one).
 */
export interface ParamRef {
  readonly handle: Handle;
  readonly gradOffset: number;
  readonly size: number;
}

/** One parameter's values and gradient, as the js twin of a tensor kernel receives them. */
export interface TensorViews {
  data: Float32Array;
  grad: Float32Array;
}

/**
 * The TypeScript twin of one Rust tensor kernel (crates/simdopt-core/src/stream.rs
 * `TensorKernel`): one call over every parameter, returning one number. The wasm backend calls
 * the export `simdopt_${name}`.
 */
export interface TensorKernel {
  readonly name: string;
  /** Length of the f32 argument block. */
  readonly argsLength: number;
  /** Runs over every tensor in order and returns the combined result, as the Rust kernel does. */
  js(tensors: readonly TensorViews[], args: Float32Array): number;
}

/** An array argument of a training-kit kernel: values, or class indices. */
export type KitArray = Float32Array | Int32Array;

/**
 * The TypeScript twin of one Rust array kernel (crates/simdopt-core/src/stream.rs
 * `ArrayKernel`): a fixed list of arrays (`null` = absent) in the Rust kernel's order. The wasm
 * backend calls the export `simdopt_${name}`.
 */
export interface ArrayKernel {
  readonly name: string;
  /** Length of the f32 argument block. */
  readonly argsLength: number;
  /** Per buffer: true when the kernel only writes it (outputs are not copied in). */
  readonly writes: readonly boolean[];
  /** Runs the kernel over the arrays themselves and returns its number. */
  js(buffers: readonly (KitArray | null)[], args: Float32Array): number;
}

export interface Backend {
  readonly name: BackendName;
  /** `length` zero-filled f32; throws SimdoptError when memory is exhausted. */
  alloc(length: number): Handle;
  /** Frees a block from `alloc`. */
  free(handle: Handle): void;
  /**
   * A view of `length` f32 at f32 offset `offset` of a block. It stays valid until memory
   * grows (a detached view has length 0; callers re-create it then).
   */
  f32(handle: Handle, offset: number, length: number): Float32Array;
  /** Bytes of live blocks. */
  liveBytes(): number;
  /** Bytes of backend memory (wasm linear memory; for `js`, the live bytes). */
  memoryBytes(): number;
  createTable(entries: readonly TableEntry[]): TensorTable;
  /**
   * The scratch an optimizer step writes its argument block into (at least 64 floats), so that
   * `runOptimizer(kernel, table, optimizerArgs())` copies nothing. Valid until the next call
   * that may allocate.
   */
  optimizerArgs(): Float32Array;
  /**
   * One kernel call over every tensor of `table` with the argument block: the first
   * `kernel.argsLength` floats of `args` (usually `optimizerArgs()` itself).
   */
  runOptimizer(kernel: OptimizerKernel, table: TensorTable, args: Float32Array): void;
  /** As `runOptimizer` for a kernel that returns two sums over the table: written into `out[0..2]`. */
  runOptimizerSums(kernel: OptimizerSumsKernel, table: TensorTable, args: Float32Array, out: Float64Array): void;

  // --- nn kernels ---
  // Layouts are row-major: x [batch, in], W [out, in], b [out], y and dy [batch, out],
  // dx [batch, in]. Arrays must be views the backend holds (see `holds`); outputs must not
  // overlap inputs except where noted. Rust: crates/simdopt-core/src/nn; js twins: src/nn/kernels.
  /** Whether the nn kernels can use `view` where it is: a live view of wasm memory (wasm), any Float32Array (js). */
  holds(view: Float32Array): boolean;
  /** f32 of packing workspace the linear products need for these sizes (0: none). */
  linearWorkspace(batch: number, inFeatures: number, outFeatures: number): number;
  /** y = b + x·Wᵀ (`bias` null: y = x·Wᵀ); `workspace` holds `linearWorkspace(…)` f32 (or is null when that is 0). */
  linearForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, batch: number, inFeatures: number, outFeatures: number, workspace: Float32Array | null): void;
  /** dx = dy·W. */
  linearInputGrad(dy: Float32Array, w: Float32Array, dx: Float32Array, batch: number, inFeatures: number, outFeatures: number, workspace: Float32Array | null): void;
  /** dW = dW + dyᵀ·x. */
  linearWeightGrad(dy: Float32Array, x: Float32Array, dw: Float32Array, batch: number, inFeatures: number, outFeatures: number, workspace: Float32Array | null): void;
  /** db = db + Σ_rows dy. */
  linearBiasGrad(dy: Float32Array, db: Float32Array, batch: number, outFeatures: number): void;
  /** y = f(x) element-wise for an activation code (src/nn/kernels/activation.ts); `y` may be `x`. */
  activationForward(code: number, x: Float32Array, y: Float32Array): void;
  /** dx from the saved tensor (output or input of the forward) and dy; `dx` may be `dy`. */
  activationBackward(code: number, saved: Float32Array, dy: Float32Array, dx: Float32Array): void;
  // --- end nn kernels ---
  /**
   * One training-kit tensor kernel over the tensors of an optimizer's table (values and
   * gradients; the state is not used); returns the kernel's number. No table is written.
   */
  runTableTensors(kernel: TensorKernel, table: TensorTable, args: Float32Array): number;
  /** One training-kit kernel call over every parameter of `params`; returns the kernel's number. */
  runTensors(kernel: TensorKernel, params: readonly ParamRef[], args: Float32Array): number;
  /**
   * One training-kit kernel call over arbitrary arrays (wherever they live); returns the kernel's
   * number. The caller has checked lengths and that outputs overlap no input unless identical.
   */
  runArrays(kernel: ArrayKernel, buffers: readonly (KitArray | null)[], args: Float32Array): number;
}

/** Distance between two state slots, in f32 (the length rounded up to whole 16-byte vectors). */
export function slotStride(len: number): number {
  return (len + 3) & ~3;
}
