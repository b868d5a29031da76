/**
 * The `threads` option of `init()`: validation, `'auto'`, and starting and ending the threaded
 * backend (backend/threads.ts) for runtime.ts.
 */
import type { Backend } from './backend/backend.js';
import { autoThreads, sharedMemoryAvailable } from './backend/pool.js';
import { ThreadsBackend } from './backend/threads.js';
import type { WasmMemoryOptions } from './backend/wasm.js';
import { fail, SimdoptError } from './errors.js';

export type ThreadsOption = number | 'auto';

/** Most threads a number may ask for. */
export const MAX_THREADS = 64;

/**
 * Threads a step will use: `'auto'` (the default) as `autoThreads()`; a number as asked, but 1
 * where shared memory is missing (a page that is not cross-origin isolated: the single-threaded
 * binaries run, with the same results).
 */
export async function resolveThreads(option: ThreadsOption | undefined): Promise<number> {
  if (option === undefined || option === 'auto') return autoThreads();
  if (!(Number.isInteger(option) && option >= 1 && option <= MAX_THREADS)) {
    fail('threads', `'auto' or an integer in [1, ${MAX_THREADS}]`, option);
  }
  return sharedMemoryAvailable() ? option : 1;
}

/**
 * Starts the threaded backend. With `'auto'` a failure to start it (no threads binary where it
 * was looked for, a shared memory the engine refuses, workers a CSP forbids) returns null and
 * the single-thread binary runs instead, silently; bad memory options still throw. With a
 * number the failure is the caller's SimdoptError.
 */
export async function startThreads(compile: () => Promise<WebAssembly.Module>, options: WasmMemoryOptions, threads: number, auto: boolean): Promise<ThreadsBackend | null> {
  try {
    return await ThreadsBackend.start(await compile(), options, threads);
  } catch (e) {
    const badOption = e instanceof SimdoptError && (e.argument === 'initialMemoryBytes' || e.argument === 'maximumMemoryBytes');
    if (auto && !badOption) return null;
    if (e instanceof SimdoptError) throw e;
    throw new SimdoptError(`threads: cannot start ${threads} threads: ${(e as Error)?.message ?? e}`, 'threads');
  }
}

/** Threads a backend runs a step on. */
export function threadCount(b: Backend): number {
  return b instanceof ThreadsBackend ? b.threads : 1;
}

/** Ends a backend's workers: waits for them when `wait`, else stops them at once (init() replacing it). */
export async function stopThreads(b: Backend, wait = false): Promise<void> {
  if (!(b instanceof ThreadsBackend)) return;
  if (wait) await b.shutdown();
  else b.terminate();
}
