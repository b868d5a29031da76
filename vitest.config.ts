import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

const src = fileURLToPath(new URL('./packages/simdopt/src/index.ts', import.meta.url));
const testDir = 'packages/simdopt/test';
// Tests import the package by name; it resolves to the TypeScript sources (no build needed).
const alias = [{ find: /^simdopt$/, replacement: src }];

/**
 * The suite runs in Node and in Chromium. A test file stays Node-only when its name ends in
 * `.node.test.ts` or it imports a `node:` module (so a new Node-only test needs no config change);
 * test/browser/ holds the browser-only ones.
 */
const testFiles = readdirSync(testDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.ts') && !f.startsWith('browser/'))
  .map((f) => `${testDir}/${f}`);
const nodeOnly = (file: string) =>
  file.endsWith('.node.test.ts') || /\bfrom\s+['"]node:|\bimport\(\s*['"]node:/.test(readFileSync(file, 'utf8'));
export const browserShared = testFiles.filter((f) => !nodeOnly(f));

// Debian's chromium (scripts/setup installs it); SIMDOPT_CHROMIUM points elsewhere, and without
// either Playwright looks for its own download.
const chromium = process.env.SIMDOPT_CHROMIUM ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
export const chromiumArgs = [
  '--no-sandbox', // CI runs as root
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // This machine's network is closed: no background connections to refuse.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'node',
          include: [`${testDir}/**/*.test.ts`],
          exclude: [`${testDir}/browser/**`],
          environment: 'node',
          pool: 'forks',
          execArgv: ['--expose-gc'],
          testTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'browser',
          include: [...browserShared, `${testDir}/browser/**/*.test.ts`],
          testTimeout: 60_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: { executablePath: chromium, args: chromiumArgs } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
