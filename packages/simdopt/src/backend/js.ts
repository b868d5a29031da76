/**
 * The pure-TypeScript backend: every kernel over plain Float32Arrays. It is the fallback where
 * WebAssembly is unavailable, and the "pure JS" every benchmark compares against.
 */
import { SimdoptError } from '../errors.js';
import type * as B from './backend.js';
import { slotStride } from './backend.js';
import { activationBackward, activationForward } from '../nn/kernels/activation.js';
import { linearBiasGrad, linearForward, linearInputGrad, linearWeightGrad } from '../nn/kernels/gemm.js';
import { SEGMENT, segmentViews } from '../stream.js';

interface JsEntry {
  p: Float32Array;
  g: Float32Array;
  s: Float32Array[];
}

class JsTable implements B.TensorTable {
  /** The entries as tensor kernels see them (made once: a step allocates nothing). */
  views: B.TensorViews[];
  constructor(public entries: JsEntry[]) {
    this.views = entries.map((e) => ({ data: e.p, grad: e.g }));
  }
  get count(): number {
    return this.entries.length;
  }
  dispose(): void {
    this.entries = [];
    this.views = [];
  }
}

export class JsBackend implements B.Backend {
  readonly name: B.BackendName = 'js';
  private readonly blocks = new Map<B.Handle, Float32Array>();
  private next = 16;
  private live = 0;
  private readonly argsScratch = new Float32Array(64);
  private readonly sumsScratch = new Float64Array(2);

  constructor(private readonly maximumBytes: number = Number.POSITIVE_INFINITY) {}

  alloc(length: number): B.Handle {
    let block: Float32Array | null = null;
    if (Number.isInteger(length) && length >= 0 && this.live + length * 4 <= this.maximumBytes) {
      try {
        block = new Float32Array(length);
      } catch {
        // The engine refused the ArrayBuffer: the same out-of-memory error as below.
      }
    }
    if (block === null) {
      throw new SimdoptError(
        `out of memory: cannot allocate ${length * 4} bytes beyond maximumMemoryBytes=${this.maximumBytes}`,
        'memory',
      );
    }
    const handle = this.next;
    this.next += 16;
    this.blocks.set(handle, block);
    this.live += length * 4;
    return handle;
  }

  free(handle: B.Handle): void {
    const block = this.blocks.get(handle);
    if (!block) throw new SimdoptError(`free(${handle}): not a live block`, 'handle');
    this.live -= block.byteLength;
    this.blocks.delete(handle);
  }

  f32(handle: B.Handle, offset: number, length: number): Float32Array {
    const block = this.blocks.get(handle);
    if (!block || offset < 0 || offset + length > block.length) {
      throw new SimdoptError(`view(${handle}, ${offset}, ${length}): outside a live block`, 'handle');
    }
    return block.subarray(offset, offset + length);
  }

  liveBytes(): number {
    return this.live;
  }

  memoryBytes(): number {
    return this.live;
  }

  createTable(entries: readonly B.TableEntry[]): B.TensorTable {
    return new JsTable(
      entries.map((e) => {
        const stride = slotStride(e.len);
        return {
          p: this.f32(e.data, 0, e.len),
          g: this.f32(e.grad, e.gradOffset, e.len),
          s: Array.from({ length: e.slots }, (_, k) => this.f32(e.state!, k * stride, e.len)),
        };
      }),
    );
  }

  optimizerArgs(): Float32Array {
    return this.argsScratch;
  }

  runOptimizer(kernel: B.OptimizerKernel, table: B.TensorTable, args: Float32Array): void {
    for (const e of (table as JsTable).entries) kernel.js(e.p, e.g, e.s, args);
  }

  runOptimizerSums(kernel: B.OptimizerSumsKernel, table: B.TensorTable, args: Float32Array, out: Float64Array): void {
    let a = 0;
    let b = 0;
    const sums = this.sumsScratch;
    // Segment by segment (SEGMENT elements), the sums added in table and segment order, as
    // two_pass.rs `SumsKernel::run` and the threaded build's pool add them.
    for (const e of (table as JsTable).entries) {
      const n = e.p.length;
      for (let lo = 0; lo < n; lo += SEGMENT) {
        const hi = Math.min(lo + SEGMENT, n);
        if (n <= SEGMENT) kernel.js(e.p, e.g, e.s, args, sums);
        else kernel.js(e.p.subarray(lo, hi), e.g.subarray(lo, hi), e.s.map((x) => x.subarray(lo, hi)), args, sums);
        a += sums[0];
        b += sums[1];
      }
    }
    out[0] = a;
    out[1] = b;
  }

  runTableTensors(kernel: B.TensorKernel, table: B.TensorTable, args: Float32Array): number {
    return kernel.js(segmentViews((table as JsTable).views), args);
  }

  // --- nn kernels ---
  holds(_view: Float32Array): boolean {
    return true;
  }

  linearWorkspace(_batch: number, _inFeatures: number, _outFeatures: number): number {
    return 0;
  }

  linearForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, batch: number, inFeatures: number, outFeatures: number): void {
    linearForward(x, w, bias, y, batch, inFeatures, outFeatures);
  }

  linearInputGrad(dy: Float32Array, w: Float32Array, dx: Float32Array, batch: number, inFeatures: number, outFeatures: number): void {
    linearInputGrad(dy, w, dx, batch, inFeatures, outFeatures);
  }

  linearWeightGrad(dy: Float32Array, x: Float32Array, dw: Float32Array, batch: number, inFeatures: number, outFeatures: number): void {
    linearWeightGrad(dy, x, dw, batch, inFeatures, outFeatures);
  }

  linearBiasGrad(dy: Float32Array, db: Float32Array, batch: number, outFeatures: number): void {
    linearBiasGrad(dy, db, batch, outFeatures);
  }

  activationForward(code: number, x: Float32Array, y: Float32Array): void {
    activationForward(code, x, y);
  }

  activationBackward(code: number, saved: Float32Array, dy: Float32Array, dx: Float32Array): void {
    activationBackward(code, saved, dy, dx);
  }
  // --- end nn kernels ---
  runTensors(kernel: B.TensorKernel, params: readonly B.ParamRef[], args: Float32Array): number {
    const views = params.map((p) => ({ data: this.f32(p.handle, 0, p.size), grad: this.f32(p.handle, p.gradOffset, p.size) }));
    return kernel.js(segmentViews(views), args);
  }

  runArrays(kernel: B.ArrayKernel, buffers: readonly (B.KitArray | null)[], args: Float32Array): number {
    // Plain Float32Arrays are this backend's memory: the kernels use them in place.
    return kernel.js(buffers, args);
  }
}
