/**
 * The reference module at run time: a WebAssembly.Memory sized up front (it never grows, so no
 * ArrayBuffer is ever detached), a bump allocator of 64-byte aligned arrays, and the exports.
 * Assembling the WAT needs wabt (./assemble.ts, Node); the browser receives the bytes.
 */

export interface RefExports {
  [kernel: string]: (...args: number[]) => void;
  copy(dst: number, src: number, bytes: number): void;
  axpy(x: number, y: number, n: number, a: number): void;
}

const PAGE = 65536;

export class RefArena {
  readonly memory: WebAssembly.Memory;
  readonly exports: RefExports;
  private top = 64;

  /** A memory of `bytes` (plus a page) with the module instantiated over it. */
  constructor(module: WebAssembly.Module, bytes: number) {
    const pages = Math.ceil((bytes + PAGE) / PAGE);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.exports = instance.exports as unknown as RefExports;
  }

  /** A 64-byte aligned array of `length` f32: its address and a view. */
  f32(length: number): { ptr: number; view: Float32Array } {
    const ptr = this.top;
    const bytes = Math.ceil((length * 4) / 64) * 64;
    if (ptr + bytes > this.memory.buffer.byteLength) throw new Error('reference arena: out of memory (sized too small)');
    this.top += Math.max(bytes, 64);
    return { ptr, view: new Float32Array(this.memory.buffer, ptr, length) };
  }

  /** Bytes an arena needs for arrays of these lengths. */
  static bytesFor(lengths: readonly number[]): number {
    return 64 + lengths.reduce((a, n) => a + Math.max(64, Math.ceil((n * 4) / 64) * 64), 0);
  }
}
