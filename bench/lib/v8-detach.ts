/**
 * The V8 effect: once any ArrayBuffer in a process has been detached (a WebAssembly.Memory
 * growing detaches its old buffer), V8 invalidates a process-wide "detaching protector", and
 * optimised code must from then on check every typed-array access for a detached buffer.
 * Plain typed-array loops get slower in the whole process, for good.
 *
 * Measured with fresh child processes (the effect is permanent, so one process cannot show both
 * states), run interleaved: `repeats` times each variant of v8-detach-child.ts, in rotating
 * order. The result per variant is the median over its processes.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from './harness.js';
import type { Progress } from './suite.js';

export const VARIANTS = ['intact', 'detached', 'simdopt-default', 'simdopt-sized'] as const;

export interface DetachResult {
  repeats: number;
  /** Per variant: median ns/element of tuned-JS Adam and SGD over 1e6, and whether simdopt's memory grew. */
  variants: Record<string, { adamNs: number; sgdNs: number; grew: boolean | null; runs: { adamNs: number; sgdNs: number }[] }>;
  /** detached / intact, and simdopt-default / simdopt-sized, for each loop. */
  slowdown: { detachedAdam: number; detachedSgd: number; simdoptDefaultAdam: number; simdoptDefaultSgd: number };
}

function child(variant: string, samples: number): Promise<{ adamNs: number; sgdNs: number; grew: boolean | null }> {
  const script = fileURLToPath(new URL('./v8-detach-child.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', script, variant, String(samples)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (err += d));
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0) reject(new Error(`v8-detach child ${variant} exited ${code}: ${err.trim()}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!));
    });
  });
}

export async function runDetach(repeats: number, samples: number, progress?: Progress): Promise<DetachResult> {
  progress?.expect(repeats * VARIANTS.length);
  const runs = new Map<string, { adamNs: number; sgdNs: number; grew: boolean | null }[]>(VARIANTS.map((v) => [v, []]));
  for (let r = 0; r < repeats; r++) {
    for (let j = 0; j < VARIANTS.length; j++) {
      const v = VARIANTS[(j + r) % VARIANTS.length];
      runs.get(v)!.push(await child(v, samples));
      progress?.tick(`V8 detach: ${v} process ${r + 1}/${repeats}`);
    }
  }
  const variants: DetachResult['variants'] = {};
  for (const [v, rs] of runs) {
    variants[v] = {
      adamNs: median(rs.map((x) => x.adamNs)),
      sgdNs: median(rs.map((x) => x.sgdNs)),
      grew: rs[0].grew,
      runs: rs.map(({ adamNs, sgdNs }) => ({ adamNs, sgdNs })),
    };
  }
  return {
    repeats,
    variants,
    slowdown: {
      detachedAdam: variants.detached.adamNs / variants.intact.adamNs,
      detachedSgd: variants.detached.sgdNs / variants.intact.sgdNs,
      simdoptDefaultAdam: variants['simdopt-default'].adamNs / variants['simdopt-sized'].adamNs,
      simdoptDefaultSgd: variants['simdopt-default'].sgdNs / variants['simdopt-sized'].sgdNs,
    },
  };
}
