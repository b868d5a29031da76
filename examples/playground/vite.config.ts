/**
 * `npm run playground`: Vite serves this folder on 127.0.0.1. `simdopt` resolves to the
 * package's TypeScript sources, so the page follows the working tree (and every optimizer or
 * scheduler that lands there) without a package build.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: { alias: [{ find: /^simdopt$/, replacement: fileURLToPath(new URL('../../packages/simdopt/src/index.ts', import.meta.url)) }] },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  build: { outDir: fileURLToPath(new URL('../out/playground', import.meta.url)), emptyOutDir: true },
});
