/**
 * Global setup of the e2e project: `npm pack` of packages/simdopt (its prepack script runs the
 * rollup build), so the end-to-end tests consume exactly what `npm publish` would upload.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absolute path of the packed simdopt tarball. */
    tarball: string;
  }
}

export const packageDir = fileURLToPath(new URL('../../../packages/simdopt/', import.meta.url));

export default function setup(project: TestProject) {
  const out = mkdtempSync(join(tmpdir(), 'simdopt-pack-'));
  execFileSync('npm', ['pack', '--pack-destination', out, '--loglevel=error'], {
    cwd: packageDir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const tarballs = readdirSync(out).filter((f) => f.endsWith('.tgz'));
  if (tarballs.length !== 1) throw new Error(`npm pack produced ${tarballs.join(', ') || 'nothing'} in ${out}`);
  project.provide('tarball', join(out, tarballs[0]));
  return () => rmSync(out, { recursive: true, force: true });
}
