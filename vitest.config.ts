import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = fileURLToPath(new URL('./packages/simdopt/src/index.ts', import.meta.url));

export default defineConfig({
  resolve: { alias: { simdopt: src } },
  test: {
    projects: [
      {
        resolve: { alias: { simdopt: src } },
        test: {
          name: 'node',
          include: ['packages/simdopt/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
          exclude: ['packages/simdopt/test/browser/**'],
          environment: 'node',
          pool: 'forks',
          execArgv: ['--expose-gc'],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
