/**
 * How init() finds its backend: SIMD detection by WebAssembly.validate, the scalar build and the
 * js backend as fallbacks, and the binary sources a caller (or simdopt/inline) may pass.
 * Runs in Node and in Chromium.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backendInfo, init, Parameter, SGD, SimdoptError } from 'simdopt';
import { compileVariant } from '../src/backend/load.js';

/** SGD lr 0.5 on [1, 2] with gradient [1, 1] gives [0.5, 1.5] on every backend. */
function oneStep(): number[] {
  const p = Parameter.from([1, 2]);
  const opt = new SGD([p], { lr: 0.5 });
  p.grad.set([1, 1]);
  opt.step();
  const out = Array.from(p.data);
  opt.dispose();
  p.dispose();
  return out;
}

/** The packaged binary's bytes, through the same loader. */
async function bytesOf(variant: 'simd' | 'scalar'): Promise<Uint8Array> {
  const module = await compileVariant(variant);
  expect(module).toBeInstanceOf(WebAssembly.Module);
  const { wasmUrl } = await import('../src/wasm-url.js');
  const url = wasmUrl(variant);
  if (url.protocol === 'file:') {
    const fs = (globalThis as unknown as { process: { getBuiltinModule(id: string): { readFileSync(u: URL): Uint8Array } } })
      .process.getBuiltinModule('node:fs');
    return new Uint8Array(fs.readFileSync(url));
  }
  return new Uint8Array(await (await fetch(url)).arrayBuffer());
}

function base64(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

describe('backend selection', () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
    await init({ backend: 'wasm-simd', maximumMemoryBytes: 2 ** 32 });
  });

  it('picks wasm-simd where WebAssembly.validate accepts the SIMD probe', async () => {
    expect((await init({ maximumMemoryBytes: 2 ** 31 + 2 ** 16 })).backend).toBe('wasm-simd');
    expect(oneStep()).toEqual([0.5, 1.5]);
  });

  it('falls back to the scalar build on an engine without SIMD', async () => {
    vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    // A differing option, so that init() chooses afresh rather than keep the active backend.
    expect((await init({ maximumMemoryBytes: 2 ** 31 })).backend).toBe('wasm');
    expect(oneStep()).toEqual([0.5, 1.5]);
    await expect(init({ backend: 'wasm-simd' })).rejects.toThrow(/no WebAssembly SIMD/);
  });

  it('falls back to js on an engine without WebAssembly', async () => {
    vi.stubGlobal('WebAssembly', undefined);
    expect((await init({ maximumMemoryBytes: 2 ** 30 })).backend).toBe('js');
    expect(oneStep()).toEqual([0.5, 1.5]);
    await expect(init({ backend: 'wasm' })).rejects.toThrow(SimdoptError);
  });
});

describe('binary sources', () => {
  afterEach(async () => {
    await init();
  });

  it('accepts bytes, a compiled module and a base64 data: URL (what simdopt/inline uses)', async () => {
    const simd = await bytesOf('simd');
    const scalar = await bytesOf('scalar');
    await init({ backend: 'wasm-simd', wasm: { simd } });
    expect(oneStep()).toEqual([0.5, 1.5]);
    await init({ backend: 'wasm', wasm: { scalar: await WebAssembly.compile(scalar as Uint8Array<ArrayBuffer>) } });
    expect(oneStep()).toEqual([0.5, 1.5]);
    await init({ backend: 'wasm-simd', wasm: { simd: `data:application/wasm;base64,${base64(simd)}` } });
    expect(backendInfo().backend).toBe('wasm-simd');
    expect(oneStep()).toEqual([0.5, 1.5]);
  });

  it('decodes a percent-encoded data: URL byte by byte', async () => {
    const scalar = await bytesOf('scalar');
    const encoded = Array.from(scalar, (b) => '%' + b.toString(16).padStart(2, '0')).join('');
    await init({ backend: 'wasm', wasm: { scalar: `data:application/wasm,${encoded}` } });
    expect(oneStep()).toEqual([0.5, 1.5]);
  });

  it('a binary that cannot be loaded is a SimdoptError naming its source', async () => {
    const bad = 'data:application/wasm;base64,AGFzbQEAAAA=AAAA'; // a truncated header
    await expect(init({ backend: 'wasm-simd', wasm: { simd: bad } })).rejects.toThrow(/cannot load the simd wasm binary/);
  });
});
