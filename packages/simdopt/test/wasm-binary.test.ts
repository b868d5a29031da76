/**
 * The SIMD build really streams with simd128 (rapier.js once shipped a "SIMD" build without SIMD)
 * and the scalar build contains no SIMD at all, so engines without it can run it.
 * Disassembled with wabt (npm).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import wabtInit from 'wabt';

async function disassemble(file: string): Promise<string> {
  const wabt = await wabtInit();
  const bytes = readFileSync(new URL(`../wasm/${file}`, import.meta.url));
  const module = wabt.readWasm(bytes, { readDebugNames: true, simd: true });
  return module.toText({ foldExprs: false, inlineExport: false });
}

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

describe('wasm binaries', () => {
  it('the SIMD build uses f32x4 arithmetic in its kernels', async () => {
    const text = await disassemble('simdopt-simd.wasm');
    expect(count(text, /\bf32x4\.(add|sub|mul|div|sqrt|max)\b/g)).toBeGreaterThan(40);
    expect(count(text, /\bv128\.load\b/g)).toBeGreaterThan(10);
    expect(count(text, /\bv128\.store\b/g)).toBeGreaterThan(5);
  });

  it('the scalar build has no SIMD instruction', async () => {
    const text = await disassemble('simdopt-scalar.wasm');
    expect(text).toMatch(/f32\.sqrt/);
    expect(count(text, /\b(v128|f32x4|i32x4|i8x16|i16x8|i64x2|f64x2)\./g)).toBe(0);
  });

  it('both import their memory and export the same functions', async () => {
    const names = (file: string) => {
      const m = new WebAssembly.Module(readFileSync(new URL(`../wasm/${file}`, import.meta.url)));
      return {
        imports: WebAssembly.Module.imports(m).map((i) => `${i.module}.${i.name}:${i.kind}`),
        exports: WebAssembly.Module.exports(m).map((e) => e.name).sort(),
      };
    };
    const simd = names('simdopt-simd.wasm');
    const scalar = names('simdopt-scalar.wasm');
    expect(simd.imports).toEqual(['env.memory:memory']);
    expect(scalar).toEqual(simd);
    expect(simd.exports).toContain('simdopt_adam');
  });
});
