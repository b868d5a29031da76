/**
 * The ABI constants TypeScript writes by hand, checked against the Rust sources they mirror:
 * status codes, the ABI version, the table entry size, and every registered optimizer's argument
 * block length (`arg::LEN` of its kernel file). A change on one side without the other fails here.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { init, Parameter } from 'simdopt';
import { ABI_VERSION, ENTRY_BYTES, STATUS_TEXT } from '../src/backend/wasm.js';
import { PACK_WIDTH } from '../src/memory.js';
import { OPTIMIZERS } from '../src/optim/registry.js';
import { CLOSURE_OPTIMIZERS } from './support/reference.js';
import type { OptimizerKernel } from '../src/backend/backend.js';
import * as adam from '../src/optim/adam.js';
import * as nadam from '../src/optim/nadam.js';
import * as radam from '../src/optim/radam.js';

const crates = new URL('../../../crates/', import.meta.url);
const rust = (path: string) => readFileSync(new URL(path, crates), 'utf8');

beforeAll(async () => {
  await init({ backend: 'js' });
});

describe('ABI constants match the Rust side', () => {
  it('status codes: the same numbers, one message for each non-Ok status', () => {
    const body = /pub enum Status \{([\s\S]*?)\n\}/.exec(rust('simdopt-wasm/src/abi.rs'))![1];
    const codes = [...body.matchAll(/^\s*(\w+) = (\d+),/gm)].map((m) => [m[1], Number(m[2])] as const);
    expect(codes.length).toBeGreaterThanOrEqual(7);
    expect(codes.find(([n]) => n === 'Ok')![1]).toBe(0);
    const nonOk = codes.filter(([n]) => n !== 'Ok').map(([, v]) => v).sort((a, b) => a - b);
    expect(Object.keys(STATUS_TEXT).map(Number).sort((a, b) => a - b)).toEqual(nonOk);
  });

  it("the GEMM packing width estimateMemoryBytes counts (gemm.rs's PACK_WIDTH)", () => {
    expect(Number(/pub const PACK_WIDTH: usize = (\d+);/.exec(rust('simdopt-core/src/nn/gemm.rs'))![1])).toBe(PACK_WIDTH);
  });

  it('the ABI version', () => {
    const m = /const ABI_VERSION: u32 = (\d+);/.exec(rust('simdopt-wasm/src/exports.rs'));
    expect(Number(m![1])).toBe(ABI_VERSION);
  });

  it('the table entry: four 32-bit words (abi::Entry on wasm32)', () => {
    const body = /pub struct Entry \{([\s\S]*?)\n\}/.exec(rust('simdopt-wasm/src/abi.rs'))![1];
    const fields = [...body.matchAll(/^\s*pub \w+: (\*mut f32|usize),/gm)];
    expect(fields.length * 4).toBe(ENTRY_BYTES);
  });

  // L-BFGS has no optimizer kernel: it steps through the vector kernels (vector-kernels.test.ts).
  // Adafactor's and Muon's kernels are not element-wise but take an argument block all the same.
  const elementWise = OPTIMIZERS.filter((o) => !CLOSURE_OPTIMIZERS.includes(o.name));
  it('every optimizer of the registry but the closure ones has an optimizer kernel', () => {
    expect(OPTIMIZERS.length - elementWise.length).toBe(CLOSURE_OPTIMIZERS.length);
  });

  it.each(elementWise.map((o) => [o.name, o] as const))('%s: argsLength is arg::LEN of its kernel file', (_name, o) => {
    // [1, 1]: Muon takes matrices only.
    const kernel = (new o.cls([Parameter.zeros([1, 1])]) as unknown as { kernel: OptimizerKernel }).kernel;
    const src = rust(`simdopt-core/src/optim/${kernel.name}.rs`);
    const len = /pub mod arg \{[\s\S]*?pub const LEN: usize = (\d+);/.exec(src);
    expect(len, `crates/simdopt-core/src/optim/${kernel.name}.rs has arg::LEN`).not.toBeNull();
    expect(kernel.argsLength).toBe(Number(len![1]));
  });

  it('Adam family: the flag bits and decay shifts of the twins', () => {
    // TypeScript keeps masks (1 << bit) for single flags and the shift for the decay mode.
    for (const [file, ts] of [
      ['adam', { AMSGRAD: adam.AMSGRAD, DECAY_SHIFT: adam.DECAY_SHIFT }],
      ['nadam', { DECAY_SHIFT: nadam.DECAY_SHIFT }],
      ['radam', { RECTIFY: radam.RECTIFY, DECAY_SHIFT: radam.DECAY_SHIFT }],
    ] as const) {
      const src = rust(`simdopt-core/src/optim/${file}.rs`);
      for (const [name, value] of Object.entries(ts)) {
        const bit = Number(new RegExp(`pub const ${name}: u32 = (\\d+);`).exec(src)?.[1]);
        expect(name === 'DECAY_SHIFT' ? value : Math.log2(value), `${file}.rs ${name}`).toBe(bit);
      }
    }
  });
});
