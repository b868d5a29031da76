/**
 * TensorFlow.js 4.22 as a contender: `@tensorflow/tfjs-backend-cpu` and
 * `@tensorflow/tfjs-backend-wasm` in the same process, switched with `tf.setBackend` before each
 * visit (a tensor's data stays with the backend that created it).
 *
 * Two settings keep the comparison fair, and both are reported:
 * - single-threaded: `WASM_HAS_MULTITHREAD_SUPPORT` is false, as simdopt is single-threaded (in
 *   Node tfjs picks the non-threaded SIMD binary anyway; in a cross-origin-isolated page it would
 *   start workers);
 * - memory sized up front: the SIMD binary declares 16 MiB and grows on demand, and every growth
 *   detaches an ArrayBuffer, which slows typed-array code in the whole process (see
 *   v8-detach.ts). The binary is loaded with its memory section's initial size raised (what
 *   emscripten's -sINITIAL_MEMORY would do), so it never grows during the run; nothing else in
 *   the binary changes. `heapBytes()` lets the run verify that.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type Tf = typeof tf;

const BINARIES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];
const SCHEME = 'simdopt-bench-wasm:';

export interface TfjsHandle {
  tf: Tf;
  /** Bytes of the wasm backend's memory now (equal to the initial size while it never grew). */
  heapBytes(): number;
  initialHeapBytes: number;
  /** Which binary tfjs chose, and with how many threads. */
  wasmFlavour: string;
}

/** Reads an unsigned LEB128 at `at`: [value, bytes]. */
function leb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const b = bytes[i++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, i - at];
  }
}

function encodeLeb(value: number): number[] {
  const out: number[] = [];
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    out.push(b);
  } while (value > 0);
  return out;
}

/** The module with the initial size of its (defined) memory raised to at least `pages`. */
export function withInitialMemory(input: ArrayBuffer | Uint8Array, pages: number): Uint8Array<ArrayBuffer> {
  const bytes = (input instanceof Uint8Array ? input : new Uint8Array(input)) as Uint8Array<ArrayBuffer>;
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, n] = leb(bytes, at + 1);
    const start = at + 1 + n;
    if (id === 5) {
      const [count, c] = leb(bytes, start);
      if (count !== 1) throw new Error('withInitialMemory: expected one memory');
      let p = start + c;
      const flags = bytes[p++];
      const [min, m] = leb(bytes, p);
      p += m;
      const hasMax = (flags & 1) !== 0;
      const [max, x] = hasMax ? leb(bytes, p) : [0, 0];
      p += x;
      const initial = Math.max(min, pages);
      const body = [...encodeLeb(1), flags, ...encodeLeb(initial), ...(hasMax ? encodeLeb(Math.max(max, initial)) : [])];
      const section = [5, ...encodeLeb(body.length), ...body];
      const out = new Uint8Array(at + section.length + (bytes.length - (start + size)));
      out.set(bytes.subarray(0, at), 0);
      out.set(section, at);
      out.set(bytes.subarray(start + size), at + section.length);
      return out;
    }
    at = start + size;
  }
  throw new Error('withInitialMemory: the module defines no memory');
}

/**
 * Registers both backends, the wasm one with `initialMemoryBytes` of memory; `wasmBinary` gives
 * a binary's bytes by file name (Node: the file in node_modules; browser: fetched).
 */
export async function setupTfjs(initialMemoryBytes: number, wasmBinary: (name: string) => Promise<ArrayBuffer | Uint8Array>): Promise<TfjsHandle> {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths(Object.fromEntries(BINARIES.map((n) => [n, SCHEME + n])), true);
  const platform = tf.env().platform as unknown as { fetch(path: string, init?: unknown): Promise<unknown> };
  const original = platform.fetch.bind(platform);
  const pages = Math.min(65535, Math.ceil(initialMemoryBytes / 65536));
  let flavour = '?';
  platform.fetch = async (path: string, init?: unknown) => {
    if (typeof path !== 'string' || !path.startsWith(SCHEME)) return original(path, init);
    const name = path.slice(SCHEME.length);
    flavour = name;
    const patched = withInitialMemory(await wasmBinary(name), pages);
    return { ok: true, arrayBuffer: async () => patched.buffer.slice(patched.byteOffset, patched.byteOffset + patched.byteLength) };
  };
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  const before = proc?.listeners ? { u: proc.listeners('uncaughtException'), r: proc.listeners('unhandledRejection') } : null;
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend failed to initialise');
  // Emscripten's Node glue installs handlers that rethrow any error with its whole minified
  // source attached; the benchmark's own errors should read as themselves.
  if (proc && before) {
    for (const l of proc.listeners('uncaughtException')) if (!before.u.includes(l)) proc.removeListener('uncaughtException', l);
    for (const l of proc.listeners('unhandledRejection')) if (!before.r.includes(l)) proc.removeListener('unhandledRejection', l);
  }
  const backend = tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array; tfjs: { getThreadsCount(): number } } };
  const heapBytes = () => backend.wasm.HEAPU8.buffer.byteLength;
  const threads = backend.wasm.tfjs.getThreadsCount();
  if (!(await tf.setBackend('cpu'))) throw new Error('tfjs: the cpu backend failed to initialise');
  // No "install tfjs-node" banner in Node: the benchmark measures the JS backends on purpose.
  (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
  return { tf, heapBytes, initialHeapBytes: heapBytes(), wasmFlavour: `${flavour.replace(/^tfjs-backend-|\.wasm$/g, '')}, ${threads} thread${threads === 1 ? '' : 's'}` };
}
