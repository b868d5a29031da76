/**
 * The safety net behind `dispose()`: frees the backend blocks (and tensor tables) of objects that
 * were garbage-collected without it. A held record refers to its backend only weakly, so objects
 * a user forgot do not keep a backend that `init()` replaced alive — with its WebAssembly.Memory,
 * several GiB of reserved address space — until the registry's callback gets to run.
 */
import type { Backend, Handle, TensorTable } from './backend/backend.js';

/** What the registry needs to free a forgotten object's memory, without referencing the object. */
export interface Reclaimable {
  backend: WeakRef<Backend>;
  blocks: Set<Handle>;
  tables: Set<TensorTable>;
}

export function reclaimable(backend: Backend, blocks: Iterable<Handle> = []): Reclaimable {
  return { backend: new WeakRef(backend), blocks: new Set(blocks), tables: new Set() };
}

/** Disposes the tables and frees the blocks; a no-op once the backend itself is gone. */
export function release(r: Reclaimable): void {
  for (const t of r.tables) t.dispose();
  const backend = r.backend.deref();
  if (backend) {
    for (const b of r.blocks) {
      try {
        backend.free(b);
      } catch {
        // Already freed with its backend's memory.
      }
    }
  }
  r.tables.clear();
  r.blocks.clear();
}

/** One registry for every kind of object; `null` where the engine has no FinalizationRegistry. */
export const reclaimer: FinalizationRegistry<Reclaimable> | null =
  typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<Reclaimable>(release) : null;
