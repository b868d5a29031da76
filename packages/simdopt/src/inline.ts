/**
 * `simdopt/inline`: the same API as `simdopt`, with both wasm binaries inlined (base64) into the
 * JavaScript, for bundlers and setups that do not copy assets referenced by
 * `new URL(…, import.meta.url)`. The package build swaps `wasm-url.ts` for a module that carries
 * the bytes (rollup.config.mjs); from the sources this entry is the plain one.
 */
export * from './index.js';
