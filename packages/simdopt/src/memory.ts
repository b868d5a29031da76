/**
 * `estimateMemoryBytes`: an `initialMemoryBytes` for `init()` that holds a model, its optimizer
 * state and its layers' buffers, so that training never grows wasm memory (a growth detaches every
 * Float32Array view a user kept; see the warning in warnings.ts). Callable before `init()`.
 */
import { slotStride } from './backend/backend.js';
import { WORKER_STACK_FLOATS } from './backend/threads.js';
import { fail } from './errors.js';

/** State slots (per-element state tensors) each optimizer keeps per parameter, for its options. */
const STATE_SLOTS: Record<string, (o: Record<string, unknown>) => number> = {
  SGD: (o) => (typeof o.momentum === 'number' && o.momentum > 0 ? 1 : 0),
  Adam: (o) => (o.amsgrad === true ? 3 : 2),
  AdamW: (o) => (o.amsgrad === true ? 3 : 2),
  RMSprop: (o) => 1 + (typeof o.momentum === 'number' && o.momentum > 0 ? 1 : 0) + (o.centered === true ? 1 : 0),
  Adagrad: () => 1,
  Adadelta: () => 2,
  Adamax: () => 2,
  NAdam: () => 2,
  RAdam: () => 2,
  Lion: () => 1,
  ASGD: () => 1,
  Rprop: () => 2,
  ADOPT: () => 2,
  // mu, nu and the kernel's scratch for the update (not state, but memory all the same).
  LAMB: () => 3,
  ScheduleFreeAdamW: () => 2,
  ScheduleFreeSGD: () => 1,
  Prodigy: () => 4,
};

export interface MemoryEstimateOptions {
  /** The parameters: each a size or a shape (`[out, in]`), or anything with a `size` (a Parameter). */
  parameters: Iterable<number | readonly number[] | { readonly size: number }>;
  /**
   * The optimizer: its class or class name (`Adam`, `'SGD'`), optionally with the options that
   * change its state (`{ name: 'Adam', options: { amsgrad: true } }`), or `{ stateSlots }`
   * (state tensors per parameter) for one not listed. Default: none.
   */
  optimizer?: string | { readonly name: string } | { name: string | { readonly name: string }; options?: Record<string, unknown> } | { stateSlots: number };
  /**
   * Floats of the buffers nn layers keep for a batch (outputs, saved inputs, gradients): about
   * `3 × batchSize × Σ layer output features` (activations count as layers). Default 0.
   */
  activations?: number;
  /**
   * Threads the backend runs (`backendInfo().threads`; pass `navigator.hardwareConcurrency` or
   * Node's `os.availableParallelism()` for `'auto'`, at most 8): each worker's stack, and for every
   * `[out, in]` shape a Linear layer's packing workspace per thread. Default 1.
   */
  threads?: number;
}

const PAGE = 65536;
/** f32 per row of a GEMM packing workspace (`PACK_WIDTH` of crates/simdopt-core/src/nn/gemm.rs). */
export const PACK_WIDTH = 8;
/** The module's own pages (stack and statics), the backend's scratch blocks and the heap registry's first block. */
const BASE_BYTES = 3 * PAGE;
/** Bytes of one tensor-table entry, per parameter and per optimizer group. */
const ENTRY_BYTES = 16;
/** Bytes of one heap-registry record per live block; the registry doubles, so count twice. */
const REGISTRY_BYTES = 2 * 8;

function blockBytes(floats: number): number {
  return Math.ceil(Math.max(1, floats * 4) / 16) * 16 + REGISTRY_BYTES;
}

function slotsOf(optimizer: MemoryEstimateOptions['optimizer']): number {
  if (optimizer === undefined) return 0;
  if (optimizer !== null && typeof optimizer === 'object' && 'stateSlots' in optimizer) {
    const n = optimizer.stateSlots;
    if (!(Number.isInteger(n) && n >= 0)) fail('optimizer.stateSlots', 'a non-negative integer', n);
    return n;
  }
  const withOptions = optimizer !== null && typeof optimizer === 'object' && 'options' in optimizer;
  const named = withOptions ? (optimizer as { name: unknown }).name : optimizer;
  const name = typeof named === 'string' ? named : typeof named === 'function' || (named !== null && typeof named === 'object') ? (named as { name?: unknown }).name : undefined;
  const slots = typeof name === 'string' ? STATE_SLOTS[name] : undefined;
  if (slots === undefined) {
    fail('optimizer', `an optimizer class or one of the names ${Object.keys(STATE_SLOTS).join(', ')}, or { stateSlots }`, name ?? optimizer);
  }
  const options = withOptions ? ((optimizer as { options?: Record<string, unknown> }).options ?? {}) : {};
  return slots(options);
}

/**
 * Bytes of wasm memory that hold `parameters` (values and gradients), the state `optimizer`
 * keeps for them and `activations` floats of layer buffers, with room to spare, rounded up to
 * whole MiB: pass it as `init({ initialMemoryBytes })` and memory never grows while training.
 *
 * ```ts
 * await init({ initialMemoryBytes: estimateMemoryBytes({ parameters: [[784, 128], [128], [128, 10], [10]], optimizer: 'Adam' }) });
 * ```
 */
export function estimateMemoryBytes(options: MemoryEstimateOptions): number {
  if (options === null || typeof options !== 'object') fail('options', 'an object { parameters, optimizer?, activations? }', options);
  const ps = options.parameters as unknown;
  if (ps === null || typeof ps !== 'object' || typeof (ps as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    fail('parameters', 'an iterable of sizes, shapes or Parameters', ps);
  }
  const activations = options.activations ?? 0;
  if (!(Number.isInteger(activations) && activations >= 0)) fail('activations', 'a non-negative integer number of floats', activations);
  const threads = options.threads ?? 1;
  if (!(Number.isInteger(threads) && threads >= 1 && threads <= 64)) fail('threads', 'an integer from 1 to 64 (backendInfo().threads)', threads);
  const slots = slotsOf(options.optimizer);
  let bytes = BASE_BYTES + blockBytes(activations) + (threads - 1) * blockBytes(WORKER_STACK_FLOATS);
  let count = 0;
  for (const p of ps as Iterable<unknown>) {
    const where = `parameters[${count}]`;
    let size: number;
    if (typeof p === 'number') size = p;
    else if (Array.isArray(p)) size = p.reduce((a: number, d: unknown) => a * (d as number), 1);
    else if (p !== null && typeof p === 'object' && typeof (p as { size?: unknown }).size === 'number') size = (p as { size: number }).size;
    else fail(where, 'a size, a shape or a Parameter', p);
    if (!(Number.isInteger(size) && size >= 0)) fail(where, 'a non-negative integer size (or a shape of them)', p);
    const stride = slotStride(size);
    bytes += blockBytes(2 * stride); // values and gradient
    if (slots > 0) bytes += blockBytes(slots * stride);
    // A Linear's GEMM packing workspace: max(batch, in, out) · PACK_WIDTH f32 per thread; the
    // single-thread one is left to the slack below (as it always was), each worker's is counted.
    if (Array.isArray(p) && p.length === 2 && threads > 1) bytes += (threads - 1) * Math.max(p[0], p[1]) * PACK_WIDTH * 4;
    bytes += 2 * ENTRY_BYTES; // the optimizer's and the utilities' tensor tables
    count++;
  }
  // A quarter more for blocks freed and allocated again in another order (first-fit gaps).
  const MiB = 1024 * 1024;
  return Math.ceil((bytes * 1.25) / MiB) * MiB;
}
