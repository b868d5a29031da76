/**
 * `npm run playground`: Vite serves this folder on 127.0.0.1. `simdopt` resolves to the
 * package's TypeScript sources, so the page follows the working tree (and every optimizer or
 * scheduler that lands there) without a package build.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const ISOLATED = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: { alias: [{ find: /^simdopt$/, replacement: fileURLToPath(new URL('../../packages/simdopt/src/index.ts', import.meta.url)) }] },
  // Cross-origin isolated (COOP/COEP), so that simdopt runs its worker threads here.
  server: { host: '127.0.0.1', port: 5173, headers: ISOLATED },
  preview: { host: '127.0.0.1', port: 4173, headers: ISOLATED },
  build: { outDir: fileURLToPath(new URL('../out/playground', import.meta.url)), emptyOutDir: true },
});
