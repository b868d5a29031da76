/**
 * The threaded backend: the `wasm-simd` backend over the threads build (simd128 + atomics) and a
 * shared WebAssembly.Memory, with `threads - 1` workers running the same module over it. Every
 * call is made by the calling thread, which validates it and allocates; the wasm side divides an
 * optimizer call's elements over the pool when the table is large enough (threads.rs) and the
 * calling thread works too. Results are the same bits as the single-threaded `wasm-simd`
 * backend's for every thread count.
 */
import type { ArrayKernel, KitArray, OptimizerKernel, OptimizerSumsKernel, ParamRef, TensorKernel, TensorTable } from './backend.js';
import { SimdoptError } from '../errors.js';
import { WorkerPool } from './pool.js';
import { WasmBackend, type WasmMemoryOptions } from './wasm.js';

/** f32 of each worker's stack (the kernels keep a few vectors; the loop a few words). */
export const WORKER_STACK_FLOATS = 16384;

/** Split settings the wasm side starts with (threads.rs); 0 keeps its default. */
export interface SplitConfig {
  /** Padded elements below which a call stays on the calling thread. */
  threshold?: number;
  /** Padded elements per chunk (rounded up to a multiple of 4); by default each job sizes its own (16384 to 65536). */
  chunk?: number;
  /** Threads a call may use, 1 ..= `threads` (the benchmark's scaling on one pool); default all. */
  use?: number;
}

export class ThreadsBackend extends WasmBackend {
  readonly threads: number;
  private pool: WorkerPool | null = null;
  /** The wasm side's failure flag (a worker trapped), seen through the shared memory. */
  private readonly failed: Int32Array;
  /** Heap blocks of the workers' stacks (not the user's live bytes). */
  private stacks: number[] = [];
  /** Every SharedArrayBuffer this memory has handed out: views of each stay valid after growth. */
  private readonly buffers = new WeakSet<ArrayBufferLike>();

  private constructor(instance: WebAssembly.Instance, memory: WebAssembly.Memory, threads: number) {
    super('wasm-simd', instance, memory);
    this.threads = threads;
    // The base constructor's views (made before this class's fields existed) are of this buffer.
    this.buffers.add(memory.buffer);
    this.failed = new Int32Array(memory.buffer, this.exports.simdopt_threads_failed_addr() >>> 0, 1);
  }

  /** Instantiates the threads module over a fresh shared memory and starts `threads - 1` workers. */
  static async start(module: WebAssembly.Module, options: WasmMemoryOptions, threads: number): Promise<ThreadsBackend> {
    const { instance, memory } = await WasmBackend.instantiate(module, { ...options, shared: true });
    const backend = new ThreadsBackend(instance, memory, threads);
    const ex = backend.exports as unknown as Record<string, WebAssembly.Global>;
    const tlsBytes = Number(ex.__tls_size.value);
    const starts = [];
    for (let i = 1; i < threads; i++) {
      const block = backend.alloc(WORKER_STACK_FLOATS + Math.ceil(tlsBytes / 16) * 4);
      backend.stacks.push(block);
      // The stack grows down from the top of the block; the TLS block sits above it.
      const stackTop = block + WORKER_STACK_FLOATS * 4;
      starts.push({ module, memory, stackTop, tls: stackTop, index: i - 1 });
    }
    if (starts.length > 0) {
      backend.pool = await WorkerPool.start(starts);
      backend.exports.simdopt_threads_config(starts.length, 0, 0);
    }
    return backend;
  }

  /** Changes where the split starts and the chunk size (tests and tuning); returns the chunk in force (0: sized per job). */
  configureSplit(config: SplitConfig): number {
    const workers = this.pool?.size ?? 0;
    const use = config.use === undefined ? workers : Math.max(0, Math.min(workers, config.use - 1));
    return this.exports.simdopt_threads_config(use, config.threshold ?? 0, config.chunk ?? 0) >>> 0;
  }

  /** Before a call: throws when a worker's exit was seen (the pool is short of a thread). */
  private checkBefore(): void {
    if (this.pool !== null && this.pool.broken !== null) this.pool.check();
  }

  /**
   * After a call: throws when a worker trapped inside it (the wasm side stopped waiting for its
   * chunk, so the result is incomplete). An Atomics.load of the flag, not an export call.
   */
  private checkAfter(): void {
    if (Atomics.load(this.failed, 0) !== 0) {
      throw new SimdoptError('a worker thread of the pool failed during a call (its results are incomplete); call shutdown() and init() again', 'threads');
    }
  }

  /** Chunks the workers (not the calling thread) have run so far: whether they take part. */
  workerChunks(): number {
    return this.exports.simdopt_threads_worker_chunks() >>> 0;
  }

  /** The pool's workers (test hook). */
  get workers(): WorkerPool | null {
    return this.pool;
  }

  override runOptimizer(kernel: OptimizerKernel, table: TensorTable, args: Float32Array): void {
    this.checkBefore();
    super.runOptimizer(kernel, table, args);
    this.checkAfter();
  }

  override runOptimizerSums(kernel: OptimizerSumsKernel, table: TensorTable, args: Float32Array, out: Float64Array): void {
    // Segments on the pool, their sums added in table and segment order; checked as every call.
    this.checkBefore();
    super.runOptimizerSums(kernel, table, args, out);
    this.checkAfter();
  }

  override runArrays(kernel: ArrayKernel, buffers: readonly (KitArray | null)[], args: Float32Array): number {
    this.checkBefore();
    const result = super.runArrays(kernel, buffers, args);
    this.checkAfter();
    return result;
  }

  override runTableTensors(kernel: TensorKernel, table: TensorTable, args: Float32Array): number {
    this.checkBefore();
    const result = super.runTableTensors(kernel, table, args);
    this.checkAfter();
    return result;
  }

  override runTensors(kernel: TensorKernel, params: readonly ParamRef[], args: Float32Array): number {
    this.checkBefore();
    const result = super.runTensors(kernel, params, args);
    this.checkAfter();
    return result;
  }

  override linearForward(...args: Parameters<WasmBackend['linearForward']>): void {
    this.checkBefore();
    super.linearForward(...args);
    this.checkAfter();
  }

  override linearInputGrad(...args: Parameters<WasmBackend['linearInputGrad']>): void {
    this.checkBefore();
    super.linearInputGrad(...args);
    this.checkAfter();
  }

  override linearWeightGrad(...args: Parameters<WasmBackend['linearWeightGrad']>): void {
    this.checkBefore();
    super.linearWeightGrad(...args);
    this.checkAfter();
  }

  override f32(handle: number, offset: number, length: number): Float32Array {
    const view = super.f32(handle, offset, length);
    // Undefined while the base constructor runs (fields are set after it).
    this.buffers?.add(view.buffer);
    return view;
  }

  protected override ownsBuffer(buffer: ArrayBufferLike): boolean {
    return buffer === this.memory.buffer || this.buffers.has(buffer);
  }

  override liveBytes(): number {
    return super.liveBytes() - this.stacks.length * (WORKER_STACK_FLOATS * 4) - this.tlsPadding();
  }

  private tlsPadding(): number {
    const tls = Number((this.exports as unknown as Record<string, WebAssembly.Global>).__tls_size.value);
    return this.stacks.length * Math.ceil(tls / 16) * 16;
  }

  /** Ends the workers (they leave their loop) and resolves when they have. */
  async shutdown(): Promise<void> {
    const pool = this.pool;
    if (pool === null) return;
    this.pool = null;
    this.exports.simdopt_threads_stop();
    await pool.stopped();
  }

  /** Ends the workers without waiting (a backend replaced by init()). */
  terminate(): void {
    const pool = this.pool;
    if (pool === null) return;
    this.pool = null;
    this.exports.simdopt_threads_stop();
    pool.terminate();
  }
}
