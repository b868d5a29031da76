/**
 * Browser-only: the packaged binaries come over HTTP; compileStreaming is used where the server
 * sends application/wasm, and the arrayBuffer fallback where it does not.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { init, Parameter, SGD } from 'simdopt';
import { wasmUrl } from '../../src/wasm-url.js';

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

describe('loading over HTTP', () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    await init();
  });

  it('runs in a real browser and fetches the packaged binary over HTTP', async () => {
    expect(navigator.userAgent).toMatch(/Chrome\//);
    expect(wasmUrl('simd').protocol).toMatch(/^https?:$/);
    const streaming = vi.spyOn(WebAssembly, 'compileStreaming');
    // A URL not loaded before (the loader caches compiled modules per URL).
    const url = new URL(wasmUrl('scalar'));
    url.searchParams.set('fresh', '1');
    expect((await init({ backend: 'wasm', wasm: { scalar: url } })).backend).toBe('wasm');
    expect(streaming).toHaveBeenCalledTimes(1);
    expect(oneStep()).toEqual([0.5, 1.5]);
  });

  it('falls back to arrayBuffer() when the server does not send application/wasm', async () => {
    const bytes = await (await fetch(wasmUrl('simd'))).arrayBuffer();
    const blob = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
    const streaming = vi.spyOn(WebAssembly, 'compileStreaming');
    const compile = vi.spyOn(WebAssembly, 'compile');
    expect((await init({ backend: 'wasm-simd', wasm: { simd: blob } })).backend).toBe('wasm-simd');
    await expect(streaming.mock.results[0].value).rejects.toThrow(TypeError);
    expect(compile).toHaveBeenCalled();
    expect(oneStep()).toEqual([0.5, 1.5]);
    URL.revokeObjectURL(blob);
  });

  it('a missing binary is a SimdoptError with the HTTP status', async () => {
    const missing = new URL('/no-such-simdopt.wasm', location.href);
    await expect(init({ backend: 'wasm', wasm: { scalar: missing } })).rejects.toThrow(/cannot load the scalar wasm binary.*HTTP 404/);
  });
});
