/**
 * Where the wasm binaries are, relative to this module. This file sits one directory below the
 * package root, as the bundled `dist/*.js` files do, so the same relative URL works from the
 * TypeScript sources and from the build (and bundlers see the `new URL(…, import.meta.url)`
 * pattern and copy the assets).
 */
export function wasmUrl(variant: 'simd' | 'scalar' | 'threads'): URL {
  if (variant === 'threads') return new URL('../wasm/simdopt-threads.wasm', import.meta.url);
  return variant === 'simd'
    ? new URL('../wasm/simdopt-simd.wasm', import.meta.url)
    : new URL('../wasm/simdopt-scalar.wasm', import.meta.url);
}
