/**
 * The C ABI of the wasm builds, called raw (crates/simdopt-wasm/src/{abi,heap,exports,kit_exports,
 * nn_exports}.rs). Whatever pointers and lengths a caller passes, an export writes only inside
 * live blocks it handed out, and a refused call returns its status and changes no byte of the
 * heap (registry included). Accepted calls write only their outputs.
 */
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { init, Parameter } from 'simdopt';
import { slotStride } from '../src/backend/backend.js';
import type { WasmBackend } from '../src/backend/wasm.js';
import { backend } from '../src/runtime.js';
import { sgdKernel } from '../src/optim/sgd.js';
import { prodigyMeasureKernel } from '../src/optim/prodigy.js';
import { OPTIMIZERS, type OptimizerEntry } from '../src/optim/registry.js';
import type { OptimizerKernel } from '../src/backend/backend.js';
import type { StepContext } from '../src/optim/optimizer.js';

const OK = 0;
const BAD_ARGS = 1;
const BAD_TABLE = 2;
const BAD_TENSOR = 3;
const BAD_FREE = 4;
const BAD_BUFFER = 5;
const BAD_SHAPE = 6;
const OVERLAP = 7;

/**
 * The element-wise optimizers of the registry (`stepping: 'flat'`); Adafactor's and Muon's kernels
 * take shapes, and L-BFGS has none.
 */
const FLAT = OPTIMIZERS.filter((o) => o.stepping === 'flat');

/** The optimizer's internals this test reads: its kernel and the argument block it writes. */
interface Internals {
  kernel: OptimizerKernel;
  paramGroups: Record<string, unknown>[];
  writeArgs(a: Float32Array, group: Record<string, unknown>, ctx: StepContext): void;
  slotNames(group: Record<string, unknown>): readonly string[];
  initialScalars(): Readonly<Record<string, number>>;
  dispose(): void;
}

/**
 * The kernel of `entry`, the flags of its registry example (every state slot and flag on: a
 * valid configuration with the most state) at step 2, and its state slots (scratch included).
 */
function configuration(entry: OptimizerEntry): { kernel: OptimizerKernel; flags: number; slots: number } {
  const p = Parameter.zeros(37);
  const opt = new entry.cls([p], entry.example) as unknown as Internals;
  (opt as unknown as { train?(): void }).train?.();
  const group = opt.paramGroups[0];
  const args = new Float32Array(opt.kernel.argsLength);
  opt.writeArgs(args, group, { step: 2, fresh: new Set(), scalars: { ...opt.initialScalars() } });
  const out = { kernel: opt.kernel, flags: args[0], slots: opt.slotNames(group).length };
  opt.dispose();
  p.dispose();
  return out;
}
const TENSOR_KITS = ['grad_norm', 'grad_finite', 'grad_scale', 'grad_clamp', 'l1_penalty', 'l2_penalty'];

let b: WasmBackend;
/** Start of the heap: the registry block, then the backend's scratch block. */
let heapBase: number;

const u32 = (ptr: number, n: number) => new Uint32Array(b.memory.buffer, ptr, n);
const f32 = (ptr: number, n: number) => new Float32Array(b.memory.buffer, ptr, n);
const call = (name: string, ...args: number[]) => b.exports[`simdopt_${name}`](...args);

function heap(): Uint8Array {
  return new Uint8Array(b.memory.buffer).slice(heapBase);
}

/** The first byte (address) where two heap snapshots differ outside `allowed` ranges, or -1. */
function firstChange(before: Uint8Array, after: Uint8Array, allowed: [number, number][] = []): number {
  const n = Math.max(before.length, after.length);
  for (let i = 0; i < n; i++) {
    if (before[i] === after[i]) continue;
    const addr = heapBase + i;
    if (!allowed.some(([s, e]) => addr >= s && addr < e)) return addr;
  }
  return -1;
}

/** `act` returns `status` and the heap is byte-identical afterwards. */
function refused(status: number, act: () => number): void {
  const before = heap();
  expect(act()).toBe(status);
  expect(firstChange(before, heap())).toBe(-1);
}

/** `act` succeeds and writes nothing outside `allowed` ranges. */
function writesOnly(allowed: [number, number][], act: () => number): void {
  const before = heap();
  expect(act()).toBe(OK);
  expect(firstChange(before, heap(), allowed)).toBe(-1);
}

function block(floats: number, fill = 0): number {
  const ptr = b.alloc(floats);
  f32(ptr, floats).fill(fill);
  return ptr;
}

describe.each(['wasm-simd', 'wasm'] as const)('raw ABI on %s', (name) => {
  beforeEach(async () => {
    await init({ backend: name, initialMemoryBytes: 256 * 1024, maximumMemoryBytes: 8 << 20 });
    b = backend() as WasmBackend;
    // The registry's first block (64 entries of 8 bytes) sits right below the scratch block.
    heapBase = (b as unknown as { scratch: number }).scratch - 512;
  });

  it('alloc refuses sizes that cannot exist, without trapping; free refuses what it did not hand out', () => {
    for (const bytes of [0xffffffff, 0xfffffff0, 0xffffffe0 - 16, 0x80000000, 0x7fffffff]) refused(0, () => e().simdopt_alloc(bytes) >>> 0);
    const p = block(4);
    for (const ptr of [0, 16, heapBase, p + 4, p + 16 * 1024, 0xfffffff0, b.memory.buffer.byteLength]) refused(BAD_FREE, () => e().simdopt_free(ptr));
    expect(e().simdopt_free(p)).toBe(OK);
    refused(BAD_FREE, () => e().simdopt_free(p));
    // A zero-byte block is a real, distinct block.
    const z1 = e().simdopt_alloc(0) >>> 0;
    const z2 = e().simdopt_alloc(0) >>> 0;
    expect(z1).not.toBe(0);
    expect(z2).not.toBe(z1);
    expect(e().simdopt_free(z1) | e().simdopt_free(z2)).toBe(OK);
  });

  it.each(FLAT.map((o) => [o.name, o] as const))('%s: every pointer of the table is checked; refused calls change no byte', (_name, registered) => {
    const { kernel, flags, slots } = configuration(registered);
    const opt = kernel.name;
    const argsLength = kernel.argsLength;
    expect(slots).toBeGreaterThan(0);
    expect(argsLength).toBeGreaterThan(0);
    const n = 37;
    const stride = slotStride(n);
    const data = block(n, 1);
    const grad = block(n, 0.5);
    const state = block(slots * stride);
    const table = block(8);
    const args = block(argsLength);
    // Flags 0 and small positive scalars: a valid configuration of every kernel (most state it may use).
    f32(args, argsLength).fill(0.5);
    f32(args, 1)[0] = flags;
    const entry = (d: number, g: number, s: number, len: number) => u32(table, 4).set([d, g, s, len]);
    const run = (count = 1, t = table, a = args, len = argsLength) => call(opt, t, count, a, len);
    entry(data, grad, state, n);
    writesOnly([[data, data + 4 * n], [state, state + 4 * slots * stride]], () => run());

    refused(BAD_ARGS, () => run(1, table, args, argsLength + 1));
    refused(BAD_ARGS, () => run(1, table, 16));
    refused(BAD_ARGS, () => run(1, table, args + 2));
    refused(BAD_TABLE, () => run(3)); // the table block holds two entries
    refused(BAD_TABLE, () => run(0x10000000 + 1)); // count·16 wraps in 32 bits
    refused(BAD_TABLE, () => run(1, heapBase)); // the registry is not a user block
    refused(BAD_TABLE, () => run(1, table + 2));
    const tensorCases: [string, [number, number, number, number], number][] = [
      ['data past its block', [data + 4, grad, state, n], BAD_TENSOR],
      ['grad past its block', [data, grad + 8, state, n], BAD_TENSOR],
      ['state block too short', [data, grad, state + 16, n], BAD_TENSOR],
      ['misaligned data', [data + 2, grad, state, 4], BAD_TENSOR],
      ['data in the registry', [heapBase, grad, state, 4], BAD_TENSOR],
      ['data below the heap', [16, grad, state, 4], BAD_TENSOR],
      ['length whose byte count wraps', [data, grad, state, 0x40000001], BAD_TENSOR],
      ['data over the table', [table, grad, state, 4], OVERLAP],
      ['data over the argument block', [args, grad, state, 1], OVERLAP],
      ['data over the gradient', [grad, grad, state, n], OVERLAP],
      ['state over the data', [data, grad, data, 4], OVERLAP],
    ];
    for (const [, e4, status] of tensorCases) {
      entry(...e4);
      refused(status, () => run());
    }
    // Zero-length tensors touch nothing: any aligned address passes, and nothing is written.
    entry(0, 0, 0, 0);
    writesOnly([], () => run());
    writesOnly([], () => run(0, 0));
    for (const p of [data, grad, state, table]) b.free(p);
    // A freed block is no longer live.
    refused(BAD_TABLE, () => run());
    b.free(args);
    refused(BAD_ARGS, () => run());
  });

  it('prodigy_measure: the result slot is checked (live, apart from every output); refused calls change no byte', () => {
    const n = 13;
    const stride = slotStride(n);
    const len = prodigyMeasureKernel.argsLength;
    const data = block(n, 1);
    const grad = block(n, 0.5);
    const state = block(4 * stride);
    const table = block(4);
    const args = block(len);
    const result = block(4);
    f32(args, len).set([3, 0, 0.9, 0.5]); // first step and accumulate
    u32(table, 4).set([data, grad, state, n]);
    const run = (r = result, a = args, l = len) => call('prodigy_measure', table, 1, a, l, r);
    // Only s and p0 (slots 2 and 3) and the result are written; data and the moments are not.
    writesOnly([[state + 4 * 2 * stride, state + 4 * 4 * stride], [result, result + 16]], () => run());
    expect(Array.from(new Float64Array(b.memory.buffer, result, 2))).toEqual([0, 13 * 0.25]);
    refused(BAD_ARGS, () => run(result, args, len + 1));
    refused(BAD_BUFFER, () => run(0));
    refused(BAD_BUFFER, () => run(result + 8)); // 16 bytes do not fit
    refused(BAD_BUFFER, () => run(heapBase));
    refused(OVERLAP, () => run(state)); // the result over the state it writes
    refused(OVERLAP, () => run(data));
    for (const p of [data, grad, state, table, args, result]) b.free(p);
  });

  it('a table entry that would rewrite a later, already checked entry is refused (the write could leave every block)', () => {
    const lr = sgdKernel.argsLength;
    const args = block(lr);
    f32(args, lr).set([0, 0, 0, 1, 1]); // p ← p − g
    const table = block(8);
    const grad = block(4);
    const victim = block(4);
    // Entry 0's values are entry 1 itself; with g = entry1 − target, the step turns entry 1's
    // length into 2^20 before entry 1 runs.
    u32(table, 8).set([table + 16, grad, 0, 4, victim, grad, 0, 4]);
    const target = new Uint32Array([victim, grad, 0, 1 << 20]);
    const now = new Float32Array(u32(table + 16, 4).slice().buffer);
    const wanted = new Float32Array(target.buffer);
    f32(grad, 4).set(now.map((v, i) => v - wanted[i]));
    refused(OVERLAP, () => call('sgd', table, 2, args, lr));
  });

  it.each(TENSOR_KITS)('%s: grads, table, arguments and result slot are checked', (kit) => {
    const n = 10;
    const param = block(2 * slotStride(n), 0.25);
    const grad = param + 4 * slotStride(n);
    const table = block(4);
    const args = block(2);
    const result = block(4);
    const argsLength = kit === 'grad_finite' ? 0 : kit.endsWith('penalty') ? 2 : 1;
    f32(args, 2).set([2, 1]);
    u32(table, 4).set([param, grad, 0, n]);
    const run = (t = table, count = 1, r = result) => call(kit, t, count, args, argsLength, r);
    writesOnly([[grad, grad + 4 * n], [result, result + 8]], () => run());
    refused(BAD_BUFFER, () => run(table, 1, result + 4)); // the f64 result must be 8-aligned
    refused(BAD_BUFFER, () => run(table, 1, heapBase));
    refused(BAD_TABLE, () => run(table, 2));
    u32(table, 4).set([param, grad + 16, 0, n]);
    refused(BAD_TENSOR, () => run());
    u32(table, 4).set([param, table, 0, 4]);
    refused(OVERLAP, () => run()); // a gradient over the table
    u32(table, 4).set([param, result, 0, 2]);
    refused(OVERLAP, () => run());
    u32(table, 4).set([param, param, 0, n]);
    refused(OVERLAP, () => run()); // the gradient over the values
    if (argsLength > 0) refused(BAD_ARGS, () => call(kit, table, 1, args, argsLength + 1, result));
  });

  it('vector and average kernels: in place only where allowed, shapes checked, refused calls change no byte', () => {
    const n = 9;
    const x = block(n, 1);
    const y = block(n, 2);
    const table = block(8);
    const args = block(2);
    const result = block(4);
    const vec = (op: number, bx: number, by: number, bo: number, len = n, lenOut = len) => {
      u32(table, 6).set([bx, len, by, by ? len : 0, bo, bo ? lenOut : 0]);
      f32(args, 2).set([op, 0.5]);
      return () => call('vector', table, 3, args, 2, result);
    };
    writesOnly([[result, result + 8]], vec(0, x, y, 0)); // DOT
    writesOnly([[result, result + 8]], vec(0, x, x, 0)); // DOT of x with itself
    writesOnly([[y, y + 4 * n], [result, result + 8]], vec(1, x, y, y)); // AXPY in place
    writesOnly([[x, x + 4 * n], [result, result + 8]], vec(2, x, 0, x)); // SCALE in place
    refused(OVERLAP, vec(1, x, y, y + 4, n - 1)); // AXPY into a shifted y
    refused(OVERLAP, vec(2, x, 0, table, 6)); // SCALE over the buffer table
    refused(BAD_SHAPE, vec(0, x, y, y)); // DOT with an output
    refused(BAD_SHAPE, vec(2, x, 0, y, n, n - 1)); // SCALE into a shorter output
    refused(BAD_SHAPE, vec(7, x, 0, 0)); // no such operation
    const avg = (a: number, p: number, out: number, mode = 0, len = n) => {
      u32(table, 6).set([a, len, p, len, out, len]);
      f32(args, 2).set([mode, 3]);
      return () => call('average', table, 3, args, 2, result);
    };
    writesOnly([[y, y + 4 * n], [result, result + 8]], avg(y, x, y));
    writesOnly([[y, y + 4 * n], [result, result + 8]], avg(y, x, y, 1));
    refused(OVERLAP, avg(y, x, y + 4, 0, n - 1)); // a shifted output
    refused(OVERLAP, avg(y, x, args, 0, 2)); // over the arguments
    refused(BAD_SHAPE, avg(y, x, y, 2)); // no such mode
    for (const p of [x, y, table, args, result]) b.free(p);
  });

  it('array kernels: outputs may not overlap inputs, the table, the arguments or the result', () => {
    const rows = 4;
    const c = 3;
    const logits = block(rows * c, 0.5);
    const targets = block(rows);
    u32(targets, rows).set([0, 1, 2, 1]);
    const grad = block(rows * c);
    const table = block(8);
    const args = block(4);
    const result = block(4);
    f32(args, 3).set([c, 0, 1]);
    // Each helper writes the buffer table first and returns the call (the table is the caller's).
    const ce = (g: number, glen = rows * c) => {
      u32(table, 8).set([logits, rows * c, targets, rows, g, glen, 0, 0]);
      return () => call('cross_entropy', table, 4, args, 3, result);
    };
    writesOnly([[grad, grad + 4 * rows * c], [result, result + 8]], ce(grad));
    // The gradient over the class indices: a written probability would become an index.
    const wide = block(rows * c + rows);
    u32(wide + 4 * (c - 2), rows).set([0, 1, 2, 1]);
    u32(table, 8).set([logits, rows * c, wide + 4 * (c - 2), rows, wide, rows * c, 0, 0]);
    refused(OVERLAP, () => call('cross_entropy', table, 4, args, 3, result));
    refused(OVERLAP, ce(logits)); // over its input
    refused(OVERLAP, ce(table, 8)); // over the buffer table: checked before lengths
    u32(table, 8).set([logits, rows * c, targets, rows, 0, 0, args, rows]);
    refused(OVERLAP, () => call('cross_entropy', table, 4, args, 3, result)); // `out` over the arguments
    u32(targets, 1)[0] = 3;
    refused(BAD_SHAPE, ce(grad)); // a class index out of range
    u32(targets, 1)[0] = 0;

    // Dropout: exactly in place is allowed, a shifted output is not.
    const x = block(9, 1);
    const dargs = block(6);
    f32(dargs, 6).set([1, 2, 3, 4, 2 ** 23, 2]);
    const drop = (input: number, out: number, len = 8) => {
      u32(table, 4).set([input, len, out, len]);
      return () => call('dropout', table, 2, dargs, 6, result);
    };
    writesOnly([[x, x + 32], [result, result + 8]], drop(x, x));
    refused(OVERLAP, drop(x, x + 4));
    refused(OVERLAP, drop(x, dargs, 6));
    refused(BAD_BUFFER, drop(x, x + 4, 9)); // past the block
    refused(BAD_TABLE, () => call('dropout', table, 3, dargs, 6, result));
  });

  it('nn exports: overflowing sizes, overlap, the registry and short workspaces are refused', () => {
    const [batch, inF, outF] = [2, 3, 2];
    const x = block(batch * inF, 1);
    const w = block(outF * inF, 0.5);
    const y = block(batch * outF);
    const need = b.linearWorkspace(batch, inF, outF);
    const ws = block(Math.max(need, 1));
    const fwd = (xx: number, yy: number, bt = batch, i = inF, o = outF, pack = ws, packLen = need) =>
      call('linear_forward', xx, w, 0, yy, bt, i, o, pack, packLen);
    writesOnly([[y, y + 16], [ws, ws + 4 * Math.max(need, 1)]], () => fwd(x, y));
    refused(BAD_SHAPE, () => fwd(x, y, 0x10000, 0x10000)); // batch·in wraps in 32 bits
    refused(BAD_BUFFER, () => fwd(x, y, 3)); // x is [2, 3]
    refused(BAD_BUFFER, () => fwd(heapBase, y));
    refused(BAD_SHAPE, () => fwd(x, x)); // y over x
    if (need > 0) {
      refused(BAD_SHAPE, () => fwd(x, y, batch, inF, outF, ws, need - 1));
      refused(BAD_SHAPE, () => fwd(x, ws, batch, inF, outF, ws, need)); // y over the workspace
    }
    refused(BAD_SHAPE, () => call('linear_bias_grad', y, y, batch, outF));
    refused(BAD_BUFFER, () => call('linear_bias_grad', y, heapBase, batch, outF));
    refused(BAD_SHAPE, () => call('activation_forward', 99, x, y, 4));
    refused(BAD_SHAPE, () => call('activation_forward', 0, x, x + 4, 4));
    refused(BAD_BUFFER, () => call('activation_forward', 0, x, y, 0x3fffffff));
    refused(BAD_SHAPE, () => call('activation_forward', 0, x, y, 0x40000000)); // 2^32 bytes
    writesOnly([[x, x + 24]], () => call('activation_forward', 0, x, x, 6));
  });

  it('random pointers and lengths into every export never write outside the caller\'s blocks', () => {
    const blocks = [block(16, 1), block(16, 2), block(64, 3), block(8, 4), block(40, 5)];
    const sizes = [16, 16, 64, 8, 40];
    const ranges: [number, number][] = blocks.map((p, i) => [p, p + 4 * sizes[i]]);
    // Candidate addresses: inside, at the edges of and past the caller's blocks, and junk.
    const address = fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: -2, max: 70 })).map(([i, k]) => blocks[i] + 4 * k),
      fc.constantFrom(0, 4, 16, heapBase, heapBase + 8, 0xfffffffc, b.memory.buffer.byteLength - 4),
      fc.integer({ min: 0, max: 0xffffffff }),
    );
    const length = fc.oneof(fc.integer({ min: 0, max: 70 }), fc.constantFrom(0x3fffffff, 0x40000000, 0xffffffff));
    const kernels = [...new Set(FLAT.map((o) => configuration(o).kernel.name))];
    const exportsList = [...kernels, ...TENSOR_KITS, 'dropout', 'pointwise_loss', 'cross_entropy'];
    fc.assert(
      fc.property(
        fc.constantFrom(...exportsList),
        fc.array(address, { minLength: 6, maxLength: 6 }),
        fc.array(length, { minLength: 4, maxLength: 4 }),
        fc.array(fc.oneof(address, length), { minLength: 8, maxLength: 8 }),
        (kernel, ptrs, lens, tableWords) => {
          // A table in the caller's third block, filled with random words.
          u32(blocks[2], 8).set(tableWords.map((v) => v >>> 0));
          const before = heap();
          const status = call(kernel, blocks[2], lens[0] % 5, ptrs[1], lens[1], ptrs[2]);
          expect(status).toBeGreaterThanOrEqual(0);
          expect(status).toBeLessThanOrEqual(7);
          return firstChange(before, heap(), ranges) === -1;
        },
      ),
      { seed: 8, numRuns: 400 },
    );
  });
});

function e() {
  return b.exports;
}
