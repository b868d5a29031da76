/**
 * Direct access to a tfjs tensor's float32 storage on the two CPU-side backends, so that a
 * gradient is read and a variable written with one copy each and no tensor allocation:
 *
 * - tfjs-backend-cpu keeps `values` (a Float32Array) per dataId: `dataSync()` returns that very
 *   array, so reading through it costs nothing extra; writing into it changes the tensor.
 * - tfjs-backend-wasm keeps a `memoryOffset` into its wasm heap: `dataSync()` copies the bytes
 *   out (`HEAPU8.slice`), a view over the heap does not.
 *
 * Anything else (webgl, webgpu, a tensor that lives on another backend, a layout a later tfjs
 * changes) gets `null`, and the caller falls back to `dataSync()` / `assign()`.
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
interface AnyBackend extends CpuLike, WasmLike {
  refCount?(dataId: DataId): number;
}

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
 * The storage of `dataId` when nothing but its variable refers to it (so writing in place
 * changes no other tensor: `tf.clone`, `tf.variable(t)` and `assign(t)` share storage), or null.
 */
export function ownStorage(backend: AnyBackend | null, dataId: DataId, size: number): Float32Array | null {
  if (backend === null || typeof backend.refCount !== 'function' || backend.refCount(dataId) !== 1) return null;
  return storage(backend, dataId, size);
}
