/**
 * Direct reads of a tfjs tensor's float32 storage on the two CPU-side backends, so that a
 * gradient reaches its Parameter with one copy:
 *
 * - tfjs-backend-cpu keeps `values` (a Float32Array) per dataId; `dataSync()` returns that very
 *   array, the view here is the same thing without the engine's bookkeeping.
 * - tfjs-backend-wasm keeps a `memoryOffset` into its wasm heap; `dataSync()` copies the bytes
 *   out (`HEAPU8.slice`), a view over the heap does not.
 *
 * Anything else (webgl, webgpu, a tensor that lives on another backend, a layout a later tfjs
 * changes) gets `null`, and the caller falls back to `dataSync()`.
 *
 * Writes never go into a tensor's storage: tfjs treats tensors as immutable and relies on it —
 * tfjs-backend-wasm's XNNPACK operators keep packed copies of a matMul's weights per tensor id
 * (an in-place write trains on stale weights), and tfjs-backend-cpu's slices and `dataSync()`
 * arrays alias the storage. A new tensor and `assign` is one copy as well (bench: tfjs section).
 */
import type { DataId, Tfjs } from './types.js';

interface DataStore<T> {
  has(dataId: DataId): boolean;
  get(dataId: DataId): T;
}

/** What simdopt reads of the two backends (their fields, stable across tfjs 3 and 4). */
interface CpuLike {
  data?: DataStore<{ values?: unknown }>;
}
interface WasmLike {
  dataIdMap?: DataStore<{ memoryOffset?: number | null }>;
  wasm?: { HEAPU8?: Uint8Array };
}
type AnyBackend = CpuLike & WasmLike;

/** The backend that holds `dataId`'s data (a tensor stays where it was made until moved). */
export function owner(tf: Tfjs, dataId: DataId): AnyBackend | null {
  const engine = tf.engine() as unknown as { state?: { tensorInfo?: Map<DataId, { backend?: AnyBackend }> } };
  return engine.state?.tensorInfo?.get(dataId)?.backend ?? null;
}

/** A Float32Array over the storage of `dataId` (`size` elements), or null where unreachable. */
export function storage(backend: AnyBackend | null, dataId: DataId, size: number): Float32Array | null {
  if (backend === null) return null;
  const heap = backend.wasm?.HEAPU8;
  if (heap !== undefined && backend.dataIdMap?.has(dataId)) {
    const offset = backend.dataIdMap.get(dataId).memoryOffset;
    if (typeof offset !== 'number' || offset % 4 !== 0 || offset + size * 4 > heap.byteLength) return null;
    return new Float32Array(heap.buffer, heap.byteOffset + offset, size);
  }
  if (backend.data?.has(dataId)) {
    const values = backend.data.get(dataId).values;
    return values instanceof Float32Array && values.length === size ? values : null;
  }
  return null;
}

/**
 * Whether `backend.write` copies the values it is given (tfjs-backend-wasm copies into its heap;
 * cpu keeps the array, webgl keeps it until upload): where not, the caller passes a copy.
 */
export function copiesOnWrite(backend: unknown): boolean {
  const b = backend as WasmLike | null;
  return b !== null && typeof b === 'object' && b.wasm?.HEAPU8 !== undefined && b.dataIdMap !== undefined;
}
