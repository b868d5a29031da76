/**
 * scripts/vectors (the float64 references behind test/vectors) regenerates every committed vector
 * file in memory, byte for byte; and the same references agree with real PyTorch
 * (test/vectors/torch): every schedule bit for bit, trajectories and clipped gradients to a few
 * float64 ulps (ATen fuses multiply-adds on SIMD chunks; 1.13 updates m with mul/add, not lerp).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clipGradNorm, clipGradValue } from '../../../scripts/vectors/clip.js';
import { compare, FILES, OPTIMIZER_FILES, pyFloat, pyJson, regenerate, TOLERANCE, VECTOR_DIR } from '../../../scripts/vectors/generate.js';
import { trajectory } from '../../../scripts/vectors/optimizers.js';
import { schedule, type Spec } from '../../../scripts/vectors/schedulers.js';

const TORCH_DIR = join(VECTOR_DIR, 'torch');
const torchFile = (name: string) => JSON.parse(readFileSync(join(TORCH_DIR, name), 'utf8'));

describe('the vector generator reproduces test/vectors', () => {
  it.each(FILES)('%s', (name) => {
    const text = readFileSync(join(VECTOR_DIR, name), 'utf8');
    const committed = JSON.parse(text);
    const d = compare(name, committed, text, regenerate(name, committed));
    expect(d.structural).toEqual([]);
    expect(d.worst, 'largest relative difference per field').toEqual({ trajectory: 0, drift: 0, schedule: 0, clip: 0 });
    expect(d.bytesEqual).toBe(true);
  });

  it('the comparison sees a wrong reference', () => {
    const name = 'adam.json';
    const text = readFileSync(join(VECTOR_DIR, name), 'utf8');
    const committed = JSON.parse(text);
    const wrong = structuredClone(committed);
    wrong.cases[0].hyper.eps = 1e-6;
    const regenerated = regenerate(name, wrong);
    (regenerated as unknown as { cases: { hyper: { eps: number } }[] }).cases[0].hyper.eps = committed.cases[0].hyper.eps;
    expect(compare(name, committed, text, regenerated).worst.trajectory).toBeGreaterThan(1e3 * TOLERANCE.trajectory);
  });

  it("writes floats as Python's repr", () => {
    expect([0, -0, 20, 1e-8, 1.5e-5, 0.0001, 1e16, 123456789012345680, 0.1, -2.5, 1e-300].map(pyFloat)).toEqual([
      '0.0', '-0.0', '20.0', '1e-08', '1.5e-05', '0.0001', '1e+16', '1.2345678901234568e+17', '0.1', '-2.5', '1e-300',
    ]);
    expect(pyJson({ steps: 20, step: 20, lrs: [1, 0.5], s: 'é' })).toBe('{"steps":20,"step":20.0,"lrs":[1.0,0.5],"s":"\\u00e9"}');
  });
});

describe('the references agree with real PyTorch (test/vectors/torch)', () => {
  const optimizerFiles = OPTIMIZER_FILES.filter((f) => existsSync(join(TORCH_DIR, f)));

  it('covers every torch optimizer file', () => {
    // NAdam is the one first-wave optimizer 1.13 computes differently.
    expect(optimizerFiles).toEqual(OPTIMIZER_FILES.filter((f) => f !== 'nadam.json'));
  });

  it.each(optimizerFiles)('%s: float64 trajectories within 4e-16 of the largest value', (name) => {
    const d = torchFile(name);
    for (const c of d.cases) {
      const { expected } = trajectory(d.optimizer, c.hyper, c.init, c.grads, 'f64');
      expected.forEach((row, k) => {
        const scale = Math.max(...c.expected[k].map(Math.abs));
        row.forEach((x, i) => {
          if (!(Math.abs(x - c.expected[k][i]) <= 4e-16 * scale)) expect.fail(`${c.id} step ${k + 1} element ${i}: ${x} vs ${c.expected[k][i]}`);
        });
      });
    }
  });

  it('schedulers.json: every schedule bit for bit', () => {
    const d = torchFile('schedulers.json');
    for (const c of d.cases) {
      const run = schedule(c.spec as Spec, c.optimizer_kind, c.initial_lr, c.optimizer_momentum ?? 0, c.steps, c.metrics);
      expect(run.lrs, c.id).toEqual(c.lrs);
      const momenta = c.momentum ?? c.beta1;
      if (momenta) expect(run.momenta, c.id).toEqual(momenta);
    }
  });

  it('clip.json: total norms and clipped gradients within 4e-16 relative', () => {
    const d = torchFile('clip.json');
    for (const c of d.cases) {
      const r = c.fn === 'clip_grad_value_' ? clipGradValue(c.grads, c.clip_value) : clipGradNorm(c.grads, c.max_norm, c.norm_type);
      if (r.totalNorm !== undefined) expect(Math.abs(r.totalNorm - c.total_norm), c.id).toBeLessThanOrEqual(4e-16 * c.total_norm);
      r.expected.flat().forEach((x, i) => {
        const want = c.expected.flat()[i];
        expect(Math.abs(x - want), `${c.id} ${i}`).toBeLessThanOrEqual(4e-16 * Math.abs(want));
      });
    }
  });
});
