/**
 * Writes test/vectors/args/: the argument blocks the TypeScript classes hand their Rust kernels,
 * so the Rust suites (crates/simdopt-core/tests) replay TypeScript's per-step scalars instead of
 * keeping a twin of every `writeArgs`. `npm run vector-args` rewrites the files,
 * `npm run vector-args -- --check` only compares; packages/simdopt/test/vector-args.test.ts runs
 * the comparison in `npm test` (UPDATE_VECTOR_ARGS=1 rewrites).
 *
 * - `args/<file>` and `args/torch/<file>`: for every case of every optimizer vector file whose
 *   class (src/optim/registry.ts) steps through one element-wise kernel, the kernel's name
 *   (`simdopt_<name>` in the wasm exports), the state slots in kernel order with their initial
 *   value, the scratch slots after them, and per step the f32 block `writeArgs` produced (the one
 *   the kernel receives); for Schedule-Free cases with eval points, the eval and train blocks;
 *   and `final`, the parameter the js kernels end at (the Rust kernels must match it bit for bit,
 *   so a block that differs from TypeScript's by one ulp fails there too).
 * - `args/lanes.json`: the same for the option sets of args-configurations.ts (8 or 6 steps) and
 *   the registry `example` of every other such class.
 *
 * Each run is made with the class itself on the js backend, recording every `runOptimizer`
 * call; a second run on other data must record the same blocks (the blocks depend on options
 * and step only, so they hold for the Rust suites' own data). Values are float32, written as the
 * shortest decimal that reads back as the same double, hence the same float.
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { init, Parameter } from '../../packages/simdopt/src/index.js';
import { backend } from '../../packages/simdopt/src/runtime.js';
import { OPTIMIZERS, type OptimizerEntry } from '../../packages/simdopt/src/optim/registry.js';
import type { Backend } from '../../packages/simdopt/src/backend/backend.js';
import { LANE_CONFIGURATIONS, LANE_STEPS, SWITCH_AFTER_STEP } from './args-configurations.js';

export const VECTOR_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../test/vectors');
export const ARGS_DIR = join(VECTOR_DIR, 'args');

/** The clip functions the ADOPT vectors name (scripts/reference/adopt.py `CLIPS`). */
const CLIPS: Record<string, (step: number) => number> = {
  'step**0.25': (s) => s ** 0.25,
  'step**0.25/4': (s) => s ** 0.25 / 4,
};

type Hyper = Readonly<Record<string, unknown>>;

/**
 * A vector file's options (PyTorch's names, as `hyper` holds them) in simdopt's names, through
 * the schema's PyTorch name of each option; optax's names (LAMB) and ADOPT's named clip
 * functions besides. An unknown name throws: a vector option nothing reads would go unnoticed.
 */
export function optionsOf(entry: OptimizerEntry, hyper: Hyper): Record<string, unknown> {
  const byTorch = new Map(Object.entries(entry.schema?.options ?? {}).map(([key, spec]) => [spec.torch, key]));
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(hyper)) {
    if (name === 'learning_rate') out.lr = value;
    else if (name === 'b1' || name === 'b2') {
      const betas = (out.betas ??= [0, 0]) as number[];
      betas[name === 'b1' ? 0 : 1] = value as number;
    } else if (name === 'clip_lambda') {
      if (value !== null && CLIPS[value as string] === undefined) throw new Error(`${entry.name}: no clip function ${JSON.stringify(value)}`);
      out.clipLambda = value === null ? null : CLIPS[value as string];
    } else {
      const key = byTorch.get(name);
      if (key === undefined) throw new Error(`${entry.name}: no option with PyTorch name ${name}`);
      out[key] = value;
    }
  }
  return out;
}

/** The registered class of a vector file's `optimizer` ('schedulefree_adamw' → ScheduleFreeAdamW). */
export function entryOf(optimizer: string): OptimizerEntry | undefined {
  return OPTIMIZERS.find((o) => o.name.toLowerCase() === optimizer.replace(/_/g, ''));
}

/** One kernel call, as recorded. */
interface Call {
  kernel: string;
  args: number[];
}

let calls: Call[] | null = null;
const instrumented = new WeakSet<Backend>();

/** Records every optimizer kernel call of `b` while `calls` is set; a sums kernel is refused. */
function instrument(b: Backend): void {
  if (instrumented.has(b)) return;
  instrumented.add(b);
  const run = b.runOptimizer.bind(b);
  const runSums = b.runOptimizerSums.bind(b);
  b.runOptimizer = (kernel, table, args) => {
    calls?.push({ kernel: kernel.name, args: Array.from(args.subarray(0, kernel.argsLength)) });
    run(kernel, table, args);
  };
  b.runOptimizerSums = (kernel, table, args, out) => {
    if (calls !== null) throw new NotElementwise(`runs the sums kernel ${kernel.name}`);
    runSums(kernel, table, args, out);
  };
}

class NotElementwise extends Error {}

/** What the Rust suites need to replay one run of a class. */
export interface Recording {
  kernel: string;
  /** State slots in kernel order (PyTorch's names). */
  slots: string[];
  /** Each state slot's initial value (zero but for Adagrad's and Rprop's). */
  initial: number[];
  /** Scratch slots after the state slots (not state). */
  scratch: string[];
  /** Per step, the argument block. */
  steps: number[][];
  /** The eval switch's block and the train switch's (Schedule-Free), when the run switched. */
  eval?: number[];
  train?: number[];
}

/** A vector case's recording, with the parameter the js kernels (float32 twins) end at. */
interface CaseRecording extends Recording {
  /** Bit for bit what the Rust kernels must reach from the case's `init` and `grads`. */
  final: number[];
}

interface Protected {
  slotNames(group: unknown): readonly string[];
  slotNamesAll: readonly string[];
  initSlot(name: string, group: unknown, view: Float32Array): void;
  train?(): void;
  eval?(): void;
  paramGroups: unknown[];
  step(): boolean;
  dispose(): void;
}

/** One call of `action`, which must make exactly one element-wise kernel call. */
function oneCall(what: string, action: () => void): Call {
  calls = [];
  try {
    action();
    if (calls.length !== 1) throw new NotElementwise(`${what} made ${calls.length} kernel calls`);
    return calls[0];
  } finally {
    calls = null;
  }
}

/**
 * Steps `entry`'s class with `options` on `init`/`grads` and records its kernel calls; after each
 * step in `switchAfter` (1-based) it runs eval() and train() as the vector tests do.
 */
function record(entry: OptimizerEntry, options: Record<string, unknown>, initial: readonly number[], grads: readonly (readonly number[])[], switchAfter: readonly number[]): CaseRecording {
  const p = Parameter.from(initial);
  const opt = new entry.cls([p], options) as unknown as Protected;
  try {
    // Schedule-Free starts in eval mode, as the reference (no state yet: no kernel call).
    opt.train?.();
    const group = opt.paramGroups[0];
    const names = opt.slotNames(group);
    const slots = names.filter((n) => opt.slotNamesAll.includes(n));
    const scratch = names.filter((n) => !opt.slotNamesAll.includes(n));
    if (names.join() !== [...slots, ...scratch].join()) throw new Error(`${entry.name}: scratch slots before state slots`);
    const initialValues = slots.map((name) => {
      const view = new Float32Array(1);
      opt.initSlot(name, group, view);
      return view[0];
    });
    const out: CaseRecording = { kernel: '', slots, initial: initialValues, scratch, steps: [], final: [] };
    grads.forEach((g, k) => {
      p.grad.set(g);
      const step = oneCall(`${entry.name} step ${k + 1}`, () => opt.step());
      if (out.kernel === '') out.kernel = step.kernel;
      if (step.kernel !== out.kernel) throw new NotElementwise(`${entry.name} switches kernels`);
      out.steps.push(step.args);
      if (switchAfter.includes(k + 1)) {
        for (const mode of ['eval', 'train'] as const) {
          const call = oneCall(`${entry.name} ${mode}()`, () => opt[mode]!());
          if (call.kernel !== out.kernel) throw new NotElementwise(`${entry.name} ${mode}() runs ${call.kernel}`);
          if (out[mode] !== undefined && out[mode].join() !== call.args.join()) throw new Error(`${entry.name}: ${mode}() blocks differ`);
          out[mode] = call.args;
        }
      }
    });
    out.final = Array.from(p.data);
    return out;
  } finally {
    opt.dispose();
    p.dispose();
  }
}

/** Deterministic inputs that differ from a vector case's (xorshift). */
function otherData(n: number, steps: number, seed: number): { init: number[]; grads: number[][] } {
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) / 2 ** 32) * 4 - 2;
  };
  const init = Array.from({ length: n }, next);
  const grads = Array.from({ length: steps }, () => Array.from({ length: n }, next));
  return { init, grads };
}

/** `record` on the given inputs, checked against a run on other inputs (the blocks must not move). */
function recordChecked(entry: OptimizerEntry, hyper: Hyper, initial: readonly number[], grads: readonly (readonly number[])[], switchAfter: readonly number[], what: string): CaseRecording {
  const options = optionsOf(entry, hyper);
  const got = record(entry, options, initial, grads, switchAfter);
  const other = otherData(initial.length, grads.length, what.length * 7919 + grads.length);
  const again = record(entry, optionsOf(entry, hyper), other.init, other.grads, switchAfter);
  const blocks = ({ final: _, ...r }: CaseRecording): string => JSON.stringify(r);
  if (blocks(again) !== blocks(got)) throw new Error(`${what}: the argument blocks depend on the data`);
  for (const block of [...got.steps, got.eval ?? [], got.train ?? []]) {
    if (!block.every(Number.isFinite)) throw new Error(`${what}: a non-finite argument`);
  }
  return got;
}

interface VectorCase {
  id: string;
  hyper: Hyper;
  shape?: number[];
  init: number[];
  grads: number[][];
  eval_after?: number[];
}

/** Whether a class steps flat parameters (Adafactor, Muon and LBFGS do not). */
const flat = (entry: OptimizerEntry): boolean => entry.stepping === 'flat';

/** The args file of vector file `file` (relative to test/vectors), or null when no Rust suite replays it. */
function vectorArgs(file: string): Record<string, unknown> | null {
  const v = JSON.parse(readFileSync(join(VECTOR_DIR, file), 'utf8')) as { optimizer?: unknown; cases?: VectorCase[] };
  if (typeof v.optimizer !== 'string' || !Array.isArray(v.cases) || !v.cases.every((c) => c.hyper !== undefined && c.grads !== undefined)) return null;
  const entry = entryOf(v.optimizer);
  if (entry === undefined || !flat(entry)) return null;
  try {
    const cases = v.cases.map((c) => ({ id: c.id, ...recordChecked(entry, c.hyper, c.init, c.grads, c.eval_after ?? [], c.id) }));
    return { generator: 'scripts/vectors/args.ts', vectors: file, optimizer: v.optimizer, class: entry.name, cases };
  } catch (e) {
    if (e instanceof NotElementwise) return null;
    throw e;
  }
}

/** test/vectors/args/lanes.json: the lane tests' option sets, then every other class's example. */
function laneArgs(): Record<string, unknown> {
  const configured = new Set(LANE_CONFIGURATIONS.map((c) => c.className));
  const sets: { entry: OptimizerEntry; hyper: Hyper; torchNames: boolean }[] = LANE_CONFIGURATIONS.map((c) => {
    const entry = OPTIMIZERS.find((o) => o.name === c.className);
    if (entry === undefined) throw new Error(`no registered optimizer ${c.className}`);
    return { entry, hyper: c.hyper, torchNames: true };
  });
  for (const entry of OPTIMIZERS) if (flat(entry) && !configured.has(entry.name)) sets.push({ entry, hyper: entry.example, torchNames: false });
  const configurations: Record<string, unknown>[] = [];
  for (const { entry, hyper, torchNames } of sets) {
    // torch.optim's kernels take 8 steps; the others 6, with an eval/train round trip.
    const group = entry.schema?.torch.startsWith('torch.optim.') ? 'torch' : 'beyond';
    const steps = LANE_STEPS[group];
    const hasModes = typeof (entry.cls.prototype as Partial<Protected>).eval === 'function';
    const data = otherData(5, steps, 12345);
    const what = `${entry.name} ${JSON.stringify(hyper)}`;
    const options = torchNames ? hyper : Object.fromEntries(Object.entries(hyper).map(([k, v]) => [torchName(entry, k), v]));
    try {
      const { final: _, ...rec } = recordChecked(entry, options, data.init, data.grads, hasModes && group === 'beyond' ? [SWITCH_AFTER_STEP] : [], what);
      configurations.push({ class: entry.name, group, hyper: options, ...rec });
    } catch (e) {
      if (!(e instanceof NotElementwise)) throw e;
      if (configured.has(entry.name)) throw e;
    }
  }
  return { generator: 'scripts/vectors/args.ts', configurations };
}

/** The PyTorch name of option `key` (registry examples are in simdopt's names). */
function torchName(entry: OptimizerEntry, key: string): string {
  const name = entry.schema?.options[key]?.torch;
  if (!name) throw new Error(`${entry.name}: option ${key} has no PyTorch name`);
  return name;
}

/** Every optimizer vector file, relative to test/vectors. */
function vectorFiles(): string[] {
  const list = (dir: string): string[] =>
    readdirSync(join(VECTOR_DIR, dir))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => (dir === '' ? f : `${dir}/${f}`));
  return [...list(''), ...list('torch')];
}

/** JSON with one case or configuration per line (diffs stay readable). */
function render(value: Record<string, unknown>, listKey: string): string {
  const { [listKey]: list, ...head } = value;
  const top = JSON.stringify(head).slice(0, -1);
  const items = (list as unknown[]).map((x) => JSON.stringify(x)).join(',\n');
  return `${top}${top.length > 1 ? ',' : ''}"${listKey}":[\n${items}\n]}\n`;
}

/** Every file this generator writes: path relative to test/vectors/args → its text. */
export async function renderAll(): Promise<Map<string, string>> {
  await init({ backend: 'js' });
  instrument(backend());
  const out = new Map<string, string>();
  for (const file of vectorFiles()) {
    const args = vectorArgs(file);
    if (args !== null) out.set(file, render(args, 'cases'));
  }
  out.set('lanes.json', render(laneArgs(), 'configurations'));
  return out;
}

/** The committed files under test/vectors/args (relative paths). */
export function committedFiles(): string[] {
  const list = (dir: string): string[] => {
    let names: string[];
    try {
      names = readdirSync(join(ARGS_DIR, dir));
    } catch {
      return [];
    }
    return names.filter((f) => f.endsWith('.json')).map((f) => (dir === '' ? f : `${dir}/${f}`));
  };
  return [...list(''), ...list('torch')].sort();
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const files = await renderAll();
  let stale = 0;
  for (const [file, text] of files) {
    const path = join(ARGS_DIR, file);
    let old = '';
    try {
      old = readFileSync(path, 'utf8');
    } catch {
      // new file
    }
    if (old === text) continue;
    stale++;
    console.log(`${check ? 'stale' : 'wrote'} test/vectors/args/${file}`);
    if (!check) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
  }
  for (const file of committedFiles()) {
    if (!files.has(file)) {
      stale++;
      console.log(`not generated (remove it): test/vectors/args/${file}`);
    }
  }
  console.log(`${files.size} files, ${stale} ${check ? 'stale' : 'changed'}`);
  if (check && stale > 0) process.exitCode = 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
