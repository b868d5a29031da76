/** Rprop: options schema, kernel (js twin) and class; see the class comment. */
import { fail } from '../errors.js';
import { hasFlag, kernel, lr, maximize, Optimizer, schema, spec, type ParamsInput, type StepContext } from './house.js';
import type { RpropOptions } from './options.js';

export type { RpropOptions };

const f = Math.fround;

// Argument block (crates/simdopt-core/src/optim/rprop.rs, `arg`).
const MAXIMIZE = 1;

/** torch.sign: −1, 0 or +1, with 0 for NaN and both zeros. */
function torchSign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

/** The kernel; the js twin rounds every operation to float32 as the wasm builds do. */
export const rpropKernel = kernel('rprop', 5, (p, g, s, a) => {
  const maximize = hasFlag(a[0], MAXIMIZE);
  const etaMinus = a[1];
  const etaPlus = a[2];
  const lo = a[3];
  const hi = a[4];
  const [prev, stepSize] = s;
  for (let i = 0; i < p.length; i++) {
    let gi = maximize ? -g[i] : g[i];
    const product = f(gi * prev[i]);
    const flipped = product < 0;
    const factor = flipped ? etaMinus : product > 0 ? etaPlus : 1;
    let ss = f(stepSize[i] * factor);
    // torch.clamp keeps NaN
    if (ss < lo) ss = lo;
    if (ss > hi) ss = hi;
    stepSize[i] = ss;
    if (flipped) gi = 0;
    prev[i] = gi;
    p[i] = f(p[i] + f(-torchSign(gi) * ss));
  }
});

function checkPair(name: string, v: unknown, ok: (a: number, b: number) => boolean, expected: string): asserts v is [number, number] {
  const good = Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && !Number.isNaN(x)) && ok(v[0], v[1]);
  if (!good) fail(name, expected, v);
}

/** Rprop's options (src/optim/options.ts is generated from this). */
export const rpropSchema = schema('Rprop', 'torch.optim.Rprop', {
  lr: lr(1e-2),
  // PyTorch: 0.0 < etaminus < 1.0 < etaplus
  etas: spec('[number, number]', (n, v) => checkPair(n, v, (m, p) => m > 0 && m < 1 && p > 1 && Number.isFinite(p), 'two numbers [η−, η+] with 0 < η− < 1 < η+'))(
    [0.5, 1.2],
    '[η−, η+], the factors of the step size after a sign flip and after agreeing signs (0 < η− < 1 < η+).',
    'etas',
  ),
  stepSizes: spec('[number, number]', (n, v) => checkPair(n, v, (lo, hi) => lo >= 0 && lo <= hi, 'two numbers [min, max] with 0 <= min <= max'))(
    [1e-6, 50],
    '[minimum, maximum] step size.',
    'step_sizes',
  ),
  maximize,
});

/**
 * Rprop, resilient backpropagation (Riedmiller & Braun 1993), with the exact semantics of
 * `torch.optim.Rprop` (torch 1.13 and 2.x agree; Rust kernel: crates/simdopt-core/src/optim/rprop.rs).
 *
 * ```text
 * g ← −g if maximize;  s = sign(g·prev)          (torch.sign: NaN → 0)
 * f = η+ if s > 0, η− if s < 0, 1 otherwise;  step_size ← clamp(step_size·f, min, max)
 * g ← 0 where s < 0;  p ← p − sign(g)·step_size;  prev ← g
 * ```
 * Only the signs of the gradients matter, so Rprop suits full-batch training. State: `prev`
 * (zeros) and `step_size` (filled with the group's lr when the state is created).
 * Defaults: lr 0.01, etas [0.5, 1.2], stepSizes [0.000001, 50], maximize false.
 */
export class Rprop extends Optimizer<RpropOptions> {
  protected readonly kernel = rpropKernel;
  protected readonly slotNamesAll = ['prev', 'step_size'] as const;

  constructor(params: ParamsInput<RpropOptions>, options: Partial<RpropOptions> = {}) {
    super(params, options, { schema: rpropSchema });
  }

  protected initSlot(name: string, group: RpropOptions, view: Float32Array): void {
    // state['step_size'] = full_like(grad, lr) when the state is created.
    if (name === 'step_size') view.fill(group.lr);
  }

  protected writeArgs(a: Float32Array, o: RpropOptions, _ctx: StepContext): void {
    a[0] = o.maximize ? MAXIMIZE : 0;
    a[1] = o.etas[0];
    a[2] = o.etas[1];
    a[3] = o.stepSizes[0];
    a[4] = o.stepSizes[1];
  }
}
