/**
 * Regenerates test/vectors/*.json (the float64 reference vectors) from the references in this
 * directory: `npm run vectors` rewrites the files, `npm run vectors -- --check` only compares.
 * packages/simdopt/test/vectors-generator.test.ts runs the same comparison in `npm test`.
 *
 * What is recomputed and what is data: the random inputs of each case (`init`, `grads`, the
 * scheduler metrics) and its configuration (`hyper`, `spec`, ...) are data, read from the
 * committed file; every derived field is recomputed: optimizers `expected`, `final_state`,
 * `f32_max_abs_diff`; schedulers `lrs`, `momentum`/`beta1`; clipping `total_norm`, `clip_coef`,
 * `expected`. One diagnostic is carried over, not recomputed: `f64_vs_extended_max_abs_diff`
 * (the original generator's float64-vs-x87-extended comparison; JavaScript has no extended type,
 * and no test reads it).
 *
 * Rounding: every file comes out byte for byte. That takes three details of the C library the
 * original float64 reference ran on: integer powers correctly rounded (pow.ts; V8 multiplies
 * them out), cos correctly rounded (cos.ts; V8's fdlibm cos is off by an ulp at ~3 % of the
 * arguments), and norms summed exactly (clip.ts fsum). TOLERANCE bounds what `--check` still
 * accepts (as a relative difference) should a platform's last bits ever differ; the test in
 * `npm test` asserts equality of the bytes. Files are written in the byte format of Python's
 * json.dumps(separators=(',', ':')).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trajectory } from './optimizers.js';
import { schedule, type Spec } from './schedulers.js';
import { clipGradNorm, clipGradValue } from './clip.js';

export const VECTOR_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../test/vectors');

export const OPTIMIZER_FILES = ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', 'adadelta', 'adamax', 'nadam', 'radam'].map((n) => `${n}.json`);
export const FILES = [...OPTIMIZER_FILES, 'schedulers.json', 'clip.json'];

/** Relative bounds between a regenerated field and the committed one (see the header). */
export const TOLERANCE = { trajectory: 1e-14, drift: 1e-7, schedule: 2e-15, clip: 2e-15 };

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

/** `obj` with `updates` applied, keeping `obj`'s key order (new keys go last). */
function assign(obj: Obj, updates: Obj): Obj {
  const out: Obj = {};
  for (const k of Object.keys(obj)) out[k] = k in updates ? updates[k] : obj[k];
  for (const k of Object.keys(updates)) if (!(k in out)) out[k] = updates[k];
  return out;
}

function optimizerCase(c: Obj): Obj {
  const hyper = c.hyper as Obj;
  const init = c.init as number[];
  const grads = c.grads as number[][];
  const f64 = trajectory(c.optimizer as string, hyper, init, grads, 'f64');
  const f32 = trajectory(c.optimizer as string, hyper, init, grads, 'f32');
  const drift = f64.expected.map((row, k) => row.reduce((m, x, i) => Math.max(m, Math.abs(f32.expected[k][i] - x)), 0));
  const finalState = assign((c.final_state as Obj) ?? {}, f64.state);
  return assign(c, { expected: f64.expected, final_state: finalState, f32_max_abs_diff: drift });
}

function schedulerCase(c: Obj): Obj {
  const run = schedule(c.spec as unknown as Spec, c.optimizer_kind as string, c.initial_lr as number, (c.optimizer_momentum as number) ?? 0, c.steps as number, c.metrics as number[] | undefined);
  const updates: Obj = { lrs: run.lrs };
  if ('momentum' in c) updates.momentum = run.momenta;
  if ('beta1' in c) updates.beta1 = run.momenta;
  return assign(c, updates);
}

function clipCase(c: Obj): Obj {
  const grads = c.grads as number[][];
  if (c.fn === 'clip_grad_value_') return assign(c, { expected: clipGradValue(grads, c.clip_value as number).expected });
  const r = clipGradNorm(grads, c.max_norm as number, c.norm_type as number | 'inf');
  return assign(c, { total_norm: r.totalNorm!, clip_coef: r.clipCoef!, expected: r.expected });
}

/** The regenerated content of vector file `name`, from the committed `content` (its inputs). */
export function regenerate(name: string, content: Obj): Obj {
  const each = name === 'schedulers.json' ? schedulerCase : name === 'clip.json' ? clipCase : optimizerCase;
  return assign(content, { cases: (content.cases as Obj[]).map(each) });
}

/** Keys whose numbers Python wrote as ints; every other number is a float (`20.0`, `1e-08`). */
const INT_KEYS = new Set([
  'format_version', 'steps', 'step_size', 'milestones', 'total_iters', 'T_max', 'T_0', 'T_mult',
  'patience', 'cooldown', 'total_steps', 'step_size_up', 'step_size_down', 'norm_type',
]);

/** Python's repr of a float: shortest round-trip digits, exponent form below 1e-4 or from 1e16. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = Math.abs(x).toExponential().split('e');
  const e = Number(expText);
  const digits = mantissa.replace('.', '');
  const sign = x < 0 ? '-' : '';
  if (e < -4 || e >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  const whole = digits.slice(0, e + 1).padEnd(e + 1, '0');
  const frac = digits.slice(e + 1) || '0';
  return `${sign}${whole}.${frac}`;
}

/** `json.dumps(value, separators=(',', ':'))` of Python, for the vector files. */
export function pyJson(value: Json, key = ''): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return INT_KEYS.has(key) && Number.isInteger(value) ? String(value) : pyFloat(value);
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (Array.isArray(value)) return `[${value.map((v) => pyJson(v, key)).join(',')}]`;
  return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${pyJson(v, k)}`).join(',')}}`;
}

export interface Difference {
  /** Largest relative difference per field kind. */
  worst: Record<keyof typeof TOLERANCE, number>;
  /** Whether the written text equals the committed text byte for byte. */
  bytesEqual: boolean;
  /** Paths whose structure (keys, lengths, strings, flags) differs: must be empty. */
  structural: string[];
}

/** Compares a regenerated file with the committed one, field by field. */
export function compare(name: string, committed: Obj, text: string, regenerated: Obj): Difference {
  const worst = { trajectory: 0, drift: 0, schedule: 0, clip: 0 };
  const structural: string[] = [];
  const kindOf = (path: string[]): keyof typeof TOLERANCE =>
    name === 'schedulers.json' ? 'schedule' : name === 'clip.json' ? 'clip' : path.includes('f32_max_abs_diff') ? 'drift' : 'trajectory';
  // Relative to the largest magnitude of the array a number sits in (so tiny elements of a
  // buffer are judged at the buffer's scale), at least 1e-300.
  const walk = (a: Json, b: Json, path: string[], scale: number) => {
    if (typeof a === 'number' && typeof b === 'number') {
      if (Object.is(a, b)) return;
      const k = kindOf(path);
      worst[k] = Math.max(worst[k], Math.abs(a - b) / Math.max(scale, Math.abs(a), 1e-300));
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) return void structural.push(path.join('.'));
      const s = a.every((x) => typeof x === 'number') ? Math.max(...(a).map(Math.abs)) : 0;
      a.forEach((x, i) => walk(x, b[i], [...path, String(i)], s));
      return;
    }
    if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
      const ka = Object.keys(a);
      if (ka.join() !== Object.keys(b).join()) return void structural.push(`${path.join('.')} keys`);
      for (const k of ka) walk(a[k], (b)[k], [...path, k], 0);
      return;
    }
    if (a !== b) structural.push(path.join('.'));
  };
  walk(committed, regenerated, [], 0);
  return { worst, bytesEqual: pyJson(regenerated) === text, structural };
}

function main(args: string[]): void {
  const check = args.includes('--check');
  let failed = false;
  for (const name of FILES) {
    const path = join(VECTOR_DIR, name);
    const text = readFileSync(path, 'utf8');
    const committed = JSON.parse(text) as Obj;
    const regenerated = regenerate(name, committed);
    const d = compare(name, committed, text, regenerated);
    const figures = Object.entries(d.worst).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v.toExponential(1)}`);
    console.log(`${name}: ${d.bytesEqual ? 'byte for byte' : `max relative difference ${figures.join(', ') || '0'}`}${d.structural.length ? `; STRUCTURE ${d.structural.join(' ')}` : ''}`);
    failed ||= d.structural.length > 0 || (Object.keys(TOLERANCE) as (keyof typeof TOLERANCE)[]).some((k) => d.worst[k] > TOLERANCE[k]);
    if (!check) writeFileSync(path, pyJson(regenerated));
  }
  if (failed) {
    console.error('differences beyond the stated rounding');
    process.exitCode = 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
