/**
 * The benchmark harness end to end in its tiny mode (N = 1e3, one round): every contender passes
 * its correctness check against simdopt, every contender is timed, and the result document and
 * the chart are written. No timing is asserted: benchmarks are not tests.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBench } from '../lib/main.js';
import { withInitialMemory } from '../lib/tfjs.js';
import { referenceModuleBytes } from '../lib/ref/assemble.js';
import { REF_KERNELS } from '../lib/ref/kernels.js';

const out = mkdtempSync(join(tmpdir(), 'simdopt-bench-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('npm run bench (tiny mode)', () => {
  it('checks every contender, times them all, writes latest.json and latest.svg', async () => {
    const { results, report, files } = await runBench({ mode: 'tiny', detach: false, progress: false, outDir: out });
    // Correctness before timing: every contender of every core optimizer agrees with simdopt.
    const checks = Object.values(results.suite.checks).flat();
    expect(checks.length).toBeGreaterThanOrEqual(7 * 8);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    // simdopt's three backends and the reference kernels give the same bits.
    for (const c of checks) {
      if (c.contender.startsWith('simdopt-') || c.contender === 'ref') expect(c.exact, `${c.contender}`).toBe(true);
    }
    // Every contender has a timing for every optimizer.
    for (const o of results.optimizers) {
      const timed = new Set(results.suite.rows.filter((r) => r.optimizer === o.id).map((r) => r.contender));
      expect([...timed].sort()).toEqual(results.contenders.map((c) => c.id).sort());
    }
    expect(results.suite.rows.every((r) => r.ns.median > 0 && Number.isFinite(r.gbps))).toBe(true);
    expect(Object.values(results.suite.growths).every((g) => g === 0)).toBe(true);
    expect(results.mlp?.check.every((c) => c.ok)).toBe(true);
    expect(results.manySmall?.rows.length).toBeGreaterThan(0);
    // Adafactor and Muon: simdopt on each backend and the tuned-JS twin of the algorithm, all timed.
    expect(results.factored?.rows.filter((r) => r.contender === 'tuned').length).toBe(4);
    expect(results.factored?.rows.every((r) => r.ms.median > 0)).toBe(true);
    expect(results.factored?.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report).toContain('Muon');
    // simdopt/tfjs: model.fit with tfjs's Adam and simdopt's, on tfjs-backend-cpu and -wasm, train alike.
    expect(results.tfjsFit?.rows.map((x) => x.backend)).toEqual(['cpu', 'wasm']);
    for (const x of results.tfjsFit!.rows) {
      expect(Math.abs(x.loss.tfjs - x.loss.simdopt)).toBeLessThan(1e-3);
      expect(x.update.simdopt.median > 0 && x.fit.simdopt.median > 0).toBe(true);
    }
    expect(results.targets.length).toBeGreaterThan(0);
    expect(report).toContain('Adam');
    // The threads dimension: 1, 2, … threads for each optimizer and the MLP, every time positive.
    expect(results.threads?.threads.slice(0, 2)).toEqual([1, 2]);
    expect(results.threads?.rows.some((r) => r.label.startsWith('MLP'))).toBe(true);
    expect(results.threads?.rows.every((r) => r.ms.length === results.threads!.threads.length && r.ms.every((ms) => ms > 0))).toBe(true);
    expect(report).toContain('Threads (');
    // The files.
    expect(files.map((f) => f.slice(out.length + 1)).sort()).toEqual(['latest.json', 'latest.svg']);
    const json = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8'));
    expect(json.meta.mode).toBe('tiny');
    expect(json.suite.rows.length).toBe(results.suite.rows.length);
    const svg = readFileSync(join(out, 'latest.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('polyline');
  });

  it('the reference module assembles with every kernel exported', async () => {
    const module = new WebAssembly.Module(await referenceModuleBytes());
    const names = WebAssembly.Module.exports(module).map((e) => e.name);
    for (const k of REF_KERNELS) expect(names).toContain(k.name);
    expect(names).toEqual(expect.arrayContaining(['copy', 'axpy']));
  });

  it('withInitialMemory raises a defined memory and changes nothing else', async () => {
    const bytes = new Uint8Array(await referenceModuleBytes());
    // A module that defines its memory: (module (memory 1 100) (func (export "f")))
    const m = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 4, 1, 1, 1, 100, 7, 5, 1, 1, 102, 0, 0, 10, 4, 1, 2, 0, 11]);
    const patched = withInitialMemory(m, 300);
    // Memory section: one memory with a maximum, initial 300 (LEB128 0xac 0x02), maximum 100 → 300.
    const at = patched.indexOf(5, 8);
    expect([...patched.subarray(at, at + 8)]).toEqual([5, 6, 1, 1, 0xac, 0x02, 0xac, 0x02]);
    expect(patched.length).toBe(m.length + 2);
    expect(WebAssembly.Module.exports(new WebAssembly.Module(patched))).toEqual([{ name: 'f', kind: 'function' }]);
    expect(withInitialMemory(m, 1)).toEqual(m);
    // The reference module imports its memory: nothing to raise.
    expect(() => withInitialMemory(bytes, 10)).toThrow(/defines no memory/);
  });
});
