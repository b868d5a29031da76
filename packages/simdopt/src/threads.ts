/**
 * The `threads` option of `init()`: validation, `'auto'`, and starting and ending the threaded
 * backend (backend/threads.ts) for runtime.ts.
 */
import type { Backend } from './backend/backend.js';
import { autoThreads, sharedMemoryAvailable } from './backend/pool.js';
import { ThreadsBackend } from './backend/threads.js';
import type { WasmMemoryOptions } from './backend/wasm.js';
import { fail } from './errors.js';

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

export function startThreads(module: WebAssembly.Module, options: WasmMemoryOptions, threads: number): Promise<ThreadsBackend> {
  return ThreadsBackend.start(module, options, threads);
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
