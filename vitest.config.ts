import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { chromiumArgs, chromiumPath } from './test/e2e/support/chromium.js';

const src = fileURLToPath(new URL('./packages/simdopt/src/index.ts', import.meta.url));
const tfjsSrc = fileURLToPath(new URL('./packages/simdopt/src/tfjs/index.ts', import.meta.url));
const testDir = 'packages/simdopt/test';
// Tests import the package by name; it resolves to the TypeScript sources (no build needed).
const alias = [
  { find: /^simdopt$/, replacement: src },
  { find: /^simdopt\/tfjs$/, replacement: tfjsSrc },
];

/**
 * The suite runs in Node and in Chromium. A test file stays Node-only when its name ends in
 * `.node.test.ts` or it imports a `node:` module (so a new Node-only test needs no config change);
 * test/browser/ holds the browser-only ones.
 */
const testFiles = readdirSync(testDir, { recursive: true, withFileTypes: true })
  // Files only: failure screenshots land in directories named after the test file.
  .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
  .map((e) => `${e.parentPath}/${e.name}`.replace(/\\/g, '/'))
  .filter((f) => !f.startsWith(`${testDir}/browser/`) && !f.includes('__screenshots__'));
const nodeOnly = (file: string) =>
  file.endsWith('.node.test.ts') || /\bfrom\s+['"]node:|\bimport\(\s*['"]node:/.test(readFileSync(file, 'utf8'));
const browserShared = testFiles.filter((f) => !nodeOnly(f));

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'node',
          include: [`${testDir}/**/*.test.ts`, 'examples/playground/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
          exclude: [`${testDir}/browser/**`],
          environment: 'node',
          pool: 'forks',
          execArgv: ['--expose-gc'],
          testTimeout: 60_000,
          // Suites build their inputs in beforeAll; the node and browser projects share 2 cores.
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        // Pre-bundled up front, together: found mid-run, Vite reloads the page, and bundled apart
        // each would carry its own tfjs-core (the simdopt/tfjs tests).
        optimizeDeps: { include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'] },
        test: {
          name: 'browser',
          include: [...browserShared, `${testDir}/browser/**/*.test.ts`],
          setupFiles: [`${testDir}/support/browser-gc.ts`],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: { executablePath: chromiumPath, args: [...chromiumArgs, '--js-flags=--expose-gc'] },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        // The threads test again in a cross-origin isolated page (COOP/COEP): Web Workers over a
        // shared memory. In the `browser` project (no such headers) it checks the fallback.
        resolve: { alias },
        server: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
        test: {
          name: 'browser-isolated',
          include: [`${testDir}/browser/threads.test.ts`],
          // The test checks the page really is isolated (else it would only test the fallback).
          provide: { isolatedPage: true },
          testTimeout: 60_000,
          hookTimeout: 120_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: { executablePath: chromiumPath, args: chromiumArgs } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        // End to end: the packed tarball in Node, Vite and Chromium; the playground in Chromium.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/e2e/support/pack.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Each file starts its own Chromium; two at once would fight over the 2 cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
