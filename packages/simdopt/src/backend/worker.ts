/**
 * The worker's whole program. It is sent to each worker as source text (`workerSource()`), not
 * as a file: Node (ESM and CJS builds), Vite, webpack and the inlined `simdopt/inline` entry then
 * all start it without copying or resolving a separate asset. The function must therefore be
 * self-contained: no imports, no closure over module variables.
 *
 * A worker instantiates the threads module over the shared memory, points `__stack_pointer` at
 * the stack the calling thread allocated for it, sets up its thread-local block when the module
 * has one, says `ready`, and runs `simdopt_worker_loop` until `simdopt_threads_stop`.
 */

/** What the calling thread sends a worker. */
export interface WorkerStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** One past the top of this worker's stack (16-byte aligned). */
  stackTop: number;
  /** Its thread-local block (16-byte aligned), used when the module's `__tls_size` is non-zero. */
  tls: number;
  /** Its number, from 0 (a job may use only the first few workers). */
  index: number;
}

/** What a worker reports: instantiated and about to enter the loop, left the loop, or failed. */
export type WorkerReport = { kind: 'ready' } | { kind: 'stopped' } | { kind: 'error'; message: string };

/**
 * The program, plain JavaScript in a string: a function's `toString()` would carry whatever
 * helpers a bundler or transpiler adds (esbuild's `__name`), which the worker does not have.
 */
const WORKER_SOURCE = `
'use strict';
function run(start, post) {
  try {
    const instance = new WebAssembly.Instance(start.module, { env: { memory: start.memory } });
    const ex = instance.exports;
    ex.__stack_pointer.value = start.stackTop;
    if (Number(ex.__tls_size.value) > 0) ex.__wasm_init_tls(start.tls);
    post({ kind: 'ready' });
    try {
      ex.simdopt_worker_loop(start.index);
    } catch (e) {
      // A trap inside a kernel: tell the calling thread, which is waiting for this chunk.
      ex.simdopt_threads_fail();
      throw e;
    }
    post({ kind: 'stopped' });
  } catch (e) {
    post({ kind: 'error', message: String((e && e.message) || e) });
  }
}
if (typeof require === 'function') {
  const wt = require('node:worker_threads');
  run(wt.workerData, (m) => wt.parentPort.postMessage(m));
} else {
  self.onmessage = (e) => {
    self.onmessage = null;
    run(e.data, (m) => self.postMessage(m));
    self.close();
  };
}
`;

/** The worker program as source text. */
export function workerSource(): string {
  return WORKER_SOURCE;
}
