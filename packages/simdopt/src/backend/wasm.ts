/**
 * The wasm backend: the Rust kernels (simd128 or scalar build) over an imported
 * WebAssembly.Memory that this module creates, so the caller chooses its initial and maximum size.
 */
import { SimdoptError } from '../errors.js';
import type * as B from './backend.js';
import { slotStride } from './backend.js';

/** The ABI version this TypeScript understands (crates/simdopt-wasm/src/exports.rs). */
export const ABI_VERSION = 1;

const PAGE = 65536;
/** Bytes of one table entry: {data, grad, state, len} as u32. */
export const ENTRY_BYTES = 16;
/** f32 slots of the argument scratch block (the longest argument block, with room to spare). */
const SCRATCH_FLOATS = 64;
/** Bytes of one buffer-table entry of the training-kit array kernels: {ptr, len} as u32. */
const BUFFER_ENTRY_BYTES = 8;
/** Bytes at the start of the kit scratch block that receive a kernel's f64 result. */
const RESULT_BYTES = 16;
/** Smallest kit scratch block: a result and a table of a few tensors. */
const MIN_KIT_SCRATCH_BYTES = 1024;

function roundUp16(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/** Where one array of a kit call lives in the scratch block (arrays outside wasm memory only). */
interface KitSlot {
  source: B.KitArray;
  /** Byte offset in the scratch block. */
  offset: number;
  /** Copied in before the call (some buffer using it is read). */
  read: boolean;
  /** Copied out after the call (some buffer using it is written). */
  written: boolean;
}

/** The raw exports, as the Rust crate declares them. */
export interface WasmExports {
  simdopt_abi_version(): number;
  simdopt_simd(): number;
  simdopt_alloc(bytes: number): number;
  simdopt_free(ptr: number): number;
  simdopt_live_bytes(): number;
  simdopt_live_blocks(): number;
  [kernel: string]: (...args: number[]) => number;
}

/** Status codes of crates/simdopt-wasm/src/abi.rs. */
export const STATUS_TEXT: Record<number, string> = {
  1: 'the argument block is not a live allocation of the expected length',
  2: 'the tensor table lies outside live memory',
  3: 'a tensor of the table lies outside live memory or is misaligned',
  4: 'the address is not the start of a live block',
  5: 'a buffer lies outside live memory',
  6: 'sizes or options do not fit together',
  7: 'an output overlaps the table, the argument block, the result or another operand',
};

export interface WasmMemoryOptions {
  initialMemoryBytes?: number;
  maximumMemoryBytes?: number;
  /** A shared memory (the threads build imports one). */
  shared?: boolean;
}

/** The wasm32 limit: 65536 pages of 64 KiB. */
export const MAX_MEMORY_BYTES = 65536 * PAGE;
/** Default initial memory: 16 MiB, enough for small models without a growth. */
export const DEFAULT_INITIAL_MEMORY_BYTES = 16 * 1024 * 1024;

class WasmTable implements B.TensorTable {
  /** Weak: a forgotten optimizer's tables must not keep a replaced backend alive (reclaim.ts). */
  private readonly backend: WeakRef<WasmBackend>;
  constructor(
    backend: WasmBackend,
    public ptr: number,
    public readonly count: number,
  ) {
    this.backend = new WeakRef(backend);
  }
  dispose(): void {
    if (this.ptr !== 0) {
      this.backend.deref()?.free(this.ptr);
      this.ptr = 0;
    }
  }
}

export class WasmBackend implements B.Backend {
  readonly name: B.BackendName;
  readonly exports: WasmExports;
  readonly memory: WebAssembly.Memory;
  private scratch: number;
  private scratchView: Float32Array;
  /** Each kernel's export, looked up once. */
  private readonly kernelFns = new Map<B.OptimizerKernel, (...args: number[]) => number>();
  /** The last kernel run and its export (a training loop runs one kernel: no Map lookup). */
  private lastKernel: B.OptimizerKernel | null = null;
  private lastKernelFn: ((...args: number[]) => number) | undefined = undefined;
  /**
   * The training kit's scratch block: the f64 result of a call, its tensor or buffer table, and
   * copies of argument arrays that do not live in wasm memory. It grows to the largest call seen
   * and never shrinks, so a training loop allocates (and may grow memory) only on its first step.
   */
  private kitScratch = 0;
  private kitScratchBytes = 0;
  /** Told when an allocation grew memory (views of the old buffer are detached); set by runtime.ts. */
  onGrow: ((fromBytes: number, toBytes: number) => void) | null = null;

  protected constructor(name: B.BackendName, instance: WebAssembly.Instance, memory: WebAssembly.Memory) {
    this.name = name;
    this.exports = instance.exports as unknown as WasmExports;
    this.memory = memory;
    const version = this.exports.simdopt_abi_version();
    if (version !== ABI_VERSION) {
      throw new SimdoptError(`the wasm binary speaks ABI ${version}, this package expects ${ABI_VERSION}`, 'wasm');
    }
    this.scratch = this.alloc(SCRATCH_FLOATS);
    this.scratchView = this.f32(this.scratch, 0, SCRATCH_FLOATS);
  }

  /** Instantiates a compiled simdopt module over a fresh memory. */
  static async create(name: B.BackendName, module: WebAssembly.Module, options: WasmMemoryOptions = {}): Promise<WasmBackend> {
    const { instance, memory } = await WasmBackend.instantiate(module, options);
    return new WasmBackend(name, instance, memory);
  }

  /** A fresh memory of the requested size and an instance of `module` over it. */
  protected static async instantiate(module: WebAssembly.Module, options: WasmMemoryOptions): Promise<{ instance: WebAssembly.Instance; memory: WebAssembly.Memory }> {
    const maximum = Math.floor((options.maximumMemoryBytes ?? MAX_MEMORY_BYTES) / PAGE);
    const initialBytes = Math.min(options.initialMemoryBytes ?? DEFAULT_INITIAL_MEMORY_BYTES, maximum * PAGE);
    // The module itself needs 2 pages (stack and statics) and the heap's first blocks.
    const initial = Math.max(4, Math.ceil(initialBytes / PAGE));
    if (initial > maximum) {
      throw new SimdoptError(`maximumMemoryBytes: expected at least ${initial * PAGE} bytes`, 'maximumMemoryBytes');
    }
    const memory = new WebAssembly.Memory({ initial, maximum, shared: options.shared === true });
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    return { instance, memory };
  }

  /**
   * Whether `buffer` is this backend's memory. A shared memory hands out a new SharedArrayBuffer
   * after each growth and the earlier ones stay valid (the threads backend remembers them).
   */
  protected ownsBuffer(buffer: ArrayBufferLike): boolean {
    return buffer === this.memory.buffer;
  }

  alloc(length: number): B.Handle {
    // A byte count past 4 GiB would wrap to a small one at the i32 boundary: refuse it here.
    const fits = Number.isInteger(length) && length >= 0 && length * 4 <= MAX_MEMORY_BYTES - PAGE;
    const before = this.memory.buffer.byteLength;
    const ptr = fits ? this.exports.simdopt_alloc(length * 4) >>> 0 : 0;
    if (this.onGrow !== null && this.memory.buffer.byteLength !== before) this.onGrow(before, this.memory.buffer.byteLength);
    if (ptr === 0) {
      throw new SimdoptError(
        `out of memory: cannot allocate ${length * 4} bytes (wasm memory is ${this.memoryBytes()} bytes; ` +
          `raise maximumMemoryBytes in init() or free unused objects)`,
        'memory',
      );
    }
    return ptr;
  }

  free(handle: B.Handle): void {
    const status = this.exports.simdopt_free(handle);
    if (status !== 0) throw new SimdoptError(`free(${handle}): ${STATUS_TEXT[status] ?? `status ${status}`}`, 'handle');
  }

  f32(handle: B.Handle, offset: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, handle + offset * 4, length);
  }

  liveBytes(): number {
    // The scratch blocks are the backend's own, not the user's.
    return (this.exports.simdopt_live_bytes() >>> 0) - SCRATCH_FLOATS * 4 - this.kitScratchBytes;
  }

  memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  createTable(entries: readonly B.TableEntry[]): B.TensorTable {
    const ptr = entries.length > 0 ? this.alloc((entries.length * ENTRY_BYTES) / 4) : 0;
    if (ptr !== 0) {
      const words = new Uint32Array(this.memory.buffer, ptr, entries.length * 4);
      entries.forEach((e, i) => {
        words[i * 4] = e.data;
        words[i * 4 + 1] = e.grad + e.gradOffset * 4;
        words[i * 4 + 2] = e.state ?? 0;
        words[i * 4 + 3] = e.len;
      });
    }
    return new WasmTable(this, ptr, entries.length);
  }

  optimizerArgs(): Float32Array {
    // A view detaches when memory grows: renew it then.
    if (this.scratchView.length === 0) this.scratchView = this.f32(this.scratch, 0, SCRATCH_FLOATS);
    return this.scratchView;
  }

  runOptimizer(kernel: B.OptimizerKernel, table: B.TensorTable, args: Float32Array): void {
    const t = table as WasmTable;
    if (t.count === 0) return;
    const n = kernel.argsLength;
    if (args !== this.scratchView) {
      // A plain loop: for ~10 floats it is a third of TypedArray.prototype.set's call.
      const scratch = this.optimizerArgs();
      for (let i = 0; i < n; i++) scratch[i] = args[i];
    }
    let run = kernel === this.lastKernel ? this.lastKernelFn : this.kernelFns.get(kernel);
    if (run === undefined) this.kernelFns.set(kernel, (run = this.exports[`simdopt_${kernel.name}`]));
    this.lastKernel = kernel;
    this.lastKernelFn = run;
    const status = run(t.ptr, t.count, this.scratch, n);
    if (status !== 0) throw new SimdoptError(`${kernel.name}: ${STATUS_TEXT[status] ?? `status ${status}`}`, kernel.name);
  }

  runOptimizerSums(kernel: B.OptimizerSumsKernel, table: B.TensorTable, args: Float32Array, out: Float64Array): void {
    const t = table as WasmTable;
    if (t.count === 0) {
      out[0] = 0;
      out[1] = 0;
      return;
    }
    const n = kernel.argsLength;
    // The result slot first: growing memory would detach a caller's view of the scratch.
    const result = this.ensureKitScratch(RESULT_BYTES);
    const scratch = this.optimizerArgs();
    if (args !== scratch) for (let i = 0; i < n; i++) scratch[i] = args[i];
    const status = this.exports[`simdopt_${kernel.name}`](t.ptr, t.count, this.scratch, n, result);
    if (status !== 0) throw new SimdoptError(`${kernel.name}: ${STATUS_TEXT[status] ?? `status ${status}`}`, kernel.name);
    const sums = new Float64Array(this.memory.buffer, result, 2);
    out[0] = sums[0];
    out[1] = sums[1];
  }

  runTableTensors(kernel: B.TensorKernel, table: B.TensorTable, args: Float32Array): number {
    const t = table as WasmTable;
    if (t.count === 0) return kernel.js([], args);
    return this.callKit(kernel.name, t.ptr, t.count, args, this.ensureKitScratch(RESULT_BYTES));
  }

  // --- nn kernels ---
  holds(view: Float32Array): boolean {
    return this.ownsBuffer(view.buffer);
  }

  /** Byte address of a view of this memory. */
  private nnAddress(view: Float32Array, what: string): number {
    // An empty range touches no memory (the Rust checks only its alignment).
    if (view.length === 0) return 0;
    if (!this.ownsBuffer(view.buffer)) {
      throw new SimdoptError(`${what}: expected a view of this backend's memory (a view taken before memory grew is detached)`, what);
    }
    return view.byteOffset;
  }

  private nnCheck(kernel: string, status: number): void {
    if (status === 0) return;
    const text = status === 6 ? 'sizes do not fit, or an output overlaps an input' : (STATUS_TEXT[status] ?? `status ${status}`);
    throw new SimdoptError(`${kernel}: ${text}`, kernel);
  }

  linearWorkspace(batch: number, inFeatures: number, outFeatures: number): number {
    return this.exports.simdopt_linear_workspace(batch, inFeatures, outFeatures) >>> 0;
  }

  linearForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, batch: number, inFeatures: number, outFeatures: number, workspace: Float32Array | null): void {
    const status = this.exports.simdopt_linear_forward(
      this.nnAddress(x, 'x'), this.nnAddress(w, 'weight'), bias === null ? 0 : this.nnAddress(bias, 'bias'), this.nnAddress(y, 'y'),
      batch, inFeatures, outFeatures, workspace === null ? 0 : this.nnAddress(workspace, 'workspace'), workspace?.length ?? 0,
    );
    this.nnCheck('linear_forward', status);
  }

  linearInputGrad(dy: Float32Array, w: Float32Array, dx: Float32Array, batch: number, inFeatures: number, outFeatures: number, workspace: Float32Array | null): void {
    const status = this.exports.simdopt_linear_input_grad(
      this.nnAddress(dy, 'gradOut'), this.nnAddress(w, 'weight'), this.nnAddress(dx, 'gradIn'), batch, inFeatures, outFeatures,
      workspace === null ? 0 : this.nnAddress(workspace, 'workspace'), workspace?.length ?? 0,
    );
    this.nnCheck('linear_input_grad', status);
  }

  linearWeightGrad(dy: Float32Array, x: Float32Array, dw: Float32Array, batch: number, inFeatures: number, outFeatures: number, workspace: Float32Array | null): void {
    const status = this.exports.simdopt_linear_weight_grad(
      this.nnAddress(dy, 'gradOut'), this.nnAddress(x, 'x'), this.nnAddress(dw, 'weight.grad'), batch, inFeatures, outFeatures,
      workspace === null ? 0 : this.nnAddress(workspace, 'workspace'), workspace?.length ?? 0,
    );
    this.nnCheck('linear_weight_grad', status);
  }

  linearBiasGrad(dy: Float32Array, db: Float32Array, batch: number, outFeatures: number): void {
    const status = this.exports.simdopt_linear_bias_grad(this.nnAddress(dy, 'gradOut'), this.nnAddress(db, 'bias.grad'), batch, outFeatures);
    this.nnCheck('linear_bias_grad', status);
  }

  activationForward(code: number, x: Float32Array, y: Float32Array): void {
    const status = this.exports.simdopt_activation_forward(code, this.nnAddress(x, 'x'), this.nnAddress(y, 'y'), x.length);
    this.nnCheck('activation_forward', status);
  }

  activationBackward(code: number, saved: Float32Array, dy: Float32Array, dx: Float32Array): void {
    const status = this.exports.simdopt_activation_backward(code, this.nnAddress(saved, 'saved'), this.nnAddress(dy, 'gradOut'), this.nnAddress(dx, 'gradIn'), saved.length);
    this.nnCheck('activation_backward', status);
  }
  // --- end nn kernels ---
  runTensors(kernel: B.TensorKernel, params: readonly B.ParamRef[], args: Float32Array): number {
    const base = this.ensureKitScratch(RESULT_BYTES + params.length * ENTRY_BYTES);
    const words = new Uint32Array(this.memory.buffer, base + RESULT_BYTES, params.length * 4);
    params.forEach((p, i) => {
      words[i * 4] = p.handle;
      words[i * 4 + 1] = p.handle + p.gradOffset * 4;
      words[i * 4 + 2] = 0;
      words[i * 4 + 3] = p.size;
    });
    return this.callKit(kernel.name, base + RESULT_BYTES, params.length, args, base);
  }

  /**
   * How arrays reach the kernel: an array that already lies in wasm memory (a Parameter's
   * `data`/`grad`, or a view of them) is passed by address, with no copy; any other array is
   * copied into the kit scratch block before the call (inputs) and back after it (outputs).
   * Identical arrays share one copy, so in-place dropout (`out === x`) works on both paths.
   * Addresses are taken before the scratch block may grow memory; they stay valid after it.
   */
  runArrays(kernel: B.ArrayKernel, buffers: readonly (B.KitArray | null)[], args: Float32Array): number {
    const addresses: number[] = [];
    const slots: KitSlot[] = [];
    const slotOf: (KitSlot | null)[] = [];
    let bytes = RESULT_BYTES + roundUp16(buffers.length * BUFFER_ENTRY_BYTES);
    buffers.forEach((b, i) => {
      // An empty view goes through the scratch block too: its address may be 0, which means absent.
      const inMemory = b !== null && b.length > 0 && this.ownsBuffer(b.buffer);
      addresses.push(inMemory ? b.byteOffset : 0);
      if (b === null || inMemory) {
        slotOf.push(null);
        return;
      }
      let slot = slots.find((s) => s.source.buffer === b.buffer && s.source.byteOffset === b.byteOffset && s.source.length === b.length);
      if (!slot) {
        slot = { source: b, offset: bytes, read: false, written: false };
        bytes += roundUp16(b.byteLength);
        slots.push(slot);
      }
      if (kernel.writes[i]) slot.written = true;
      else slot.read = true;
      slotOf.push(slot);
    });
    const base = this.ensureKitScratch(bytes);
    const table = new Uint32Array(this.memory.buffer, base + RESULT_BYTES, buffers.length * 2);
    buffers.forEach((b, i) => {
      const slot = slotOf[i];
      table[i * 2] = slot ? base + slot.offset : addresses[i];
      table[i * 2 + 1] = b === null ? 0 : b.length;
    });
    for (const s of slots) if (s.read) this.scratchArray(s, base).set(s.source);
    const result = this.callKit(kernel.name, base + RESULT_BYTES, buffers.length, args, base);
    for (const s of slots) if (s.written) s.source.set(this.scratchArray(s, base));
    return result;
  }

  /** The copy of a slot's array in the scratch block, typed as its source. */
  private scratchArray(s: KitSlot, base: number): B.KitArray {
    const type = s.source instanceof Int32Array ? Int32Array : Float32Array;
    return new type(this.memory.buffer, base + s.offset, s.source.length);
  }

  /** The kit scratch block, grown (never shrunk) to at least `bytes`; its address. */
  private ensureKitScratch(bytes: number): number {
    if (bytes > this.kitScratchBytes) {
      const size = roundUp16(Math.max(bytes, MIN_KIT_SCRATCH_BYTES));
      // Allocate the new block first: out of memory leaves the old one in place.
      const block = this.alloc(size / 4);
      if (this.kitScratch !== 0) this.free(this.kitScratch);
      this.kitScratch = block;
      this.kitScratchBytes = size;
    }
    return this.kitScratch;
  }

  /** Calls a kit export with the argument block and returns the f64 it wrote at `result`. */
  private callKit(name: string, table: number, count: number, args: Float32Array, result: number): number {
    if (this.scratchView.length === 0) this.scratchView = this.f32(this.scratch, 0, SCRATCH_FLOATS);
    this.scratchView.set(args);
    const status = this.exports[`simdopt_${name}`](table, count, this.scratch, args.length, result);
    if (status !== 0) throw new SimdoptError(`${name}: ${STATUS_TEXT[status] ?? `status ${status}`}`, name);
    return new Float64Array(this.memory.buffer, result, 1)[0];
  }
}

export { slotStride };
