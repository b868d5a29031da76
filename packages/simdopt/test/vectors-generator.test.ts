/**
 * scripts/vectors (the float64 references behind test/vectors) regenerates every committed vector
 * file in memory, and each derived field matches the committed one within the stated rounding
 * (generate.ts TOLERANCE); files whose values agree exactly are also byte-identical.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compare, FILES, pyFloat, pyJson, regenerate, TOLERANCE, VECTOR_DIR } from '../../../scripts/vectors/generate.js';

describe('the vector generator reproduces test/vectors', () => {
  it.each(FILES)('%s', (name) => {
    const text = readFileSync(join(VECTOR_DIR, name), 'utf8');
    const committed = JSON.parse(text);
    const d = compare(name, committed, text, regenerate(name, committed));
    expect(d.structural).toEqual([]);
    for (const k of Object.keys(TOLERANCE) as (keyof typeof TOLERANCE)[]) expect(d.worst[k], k).toBeLessThanOrEqual(TOLERANCE[k]);
    // Exactly equal values are written back to the same bytes.
    if (Object.values(d.worst).every((v) => v === 0)) expect(d.bytesEqual).toBe(true);
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
