/**
 * Declarative option schemas: one entry per option (default, check, one-line doc, PyTorch's
 * name, TypeScript type). Defaults, validation, the allowed keys and (through
 * test/options-types.test.ts, which writes src/optim/options.ts) the options interfaces with
 * their `@default` tags all derive from it, so an option is written down once.
 */
import { checkBetas, checkBoolean, checkNonNegative, checkNumber, checkRange } from '../validate.js';

export interface OptionSpec {
  readonly default: unknown;
  /** Throws a SimdoptError naming `name` when `v` is not a valid value. */
  readonly check: (name: string, v: unknown) => void;
  /** One line for the generated interface. */
  readonly doc: string;
  /** PyTorch's keyword (snake_case), for docs and hints. */
  readonly torch: string;
  /** The TypeScript type of the option, as written in the generated interface. */
  readonly type: string;
}

export interface Schema {
  /** The class name (errors, generated interface `${name}Options`). */
  readonly name: string;
  /** PyTorch's class (`torch.optim.Adam`), or what the optimizer follows. */
  readonly torch: string;
  /** The options, in PyTorch's keyword order. `skipNonFinite` is added to every optimizer. */
  readonly options: Readonly<Record<string, OptionSpec>>;
}

type Check = (name: string, v: unknown) => void;

/** A builder of options of TypeScript type `type` checked by `check`. */
export const spec = (type: string, check: Check) => (value: unknown, doc: string, torch: string): OptionSpec => ({ default: value, check, doc, torch, type });

/** A finite number >= 0. */
export const nonNegative = spec('number', checkNonNegative);
/** Any finite number. */
export const finite = spec('number', checkNumber);
/** A number in [0, 1]. */
export const unitInterval = spec('number', (n, v) => checkRange(n, v, 0, 1, true));
export const boolean = spec('boolean', checkBoolean);
/** Adam-style `[β1, β2]`, each in [0, 1). */
export const betas = spec('[number, number]', checkBetas);

// The options most optimizers share, with their usual doc lines.
export const lr = (value: number): OptionSpec => nonNegative(value, 'Learning rate.', 'lr');
export const eps = (value: number): OptionSpec => nonNegative(value, 'Added to the denominator for numerical stability.', 'eps');
export const weightDecay = (value = 0): OptionSpec => nonNegative(value, 'Weight decay (L2 penalty).', 'weight_decay');
export const maximize = boolean(false, 'Maximize the objective instead of minimizing it.', 'maximize');
export const adamBetas = (b1: number, b2: number): OptionSpec =>
  betas([b1, b2], 'Coefficients of the running averages of the gradient and its square.', 'betas');
export const decoupledWeightDecay = boolean(false, 'Decay `p·(1 − lr·wd)` as AdamW instead of adding `wd·p` to the gradient.', 'decoupled_weight_decay');

/** The option every optimizer takes besides its schema's. */
export const skipNonFinite = boolean(false, 'When true, a step whose gradients hold NaN or ±Infinity changes nothing and returns false.', '');

/** A schema: the class name, PyTorch's class, and the options in PyTorch's keyword order. */
export function schema(name: string, torch: string, options: Record<string, OptionSpec>): Schema {
  return { name, torch, options };
}

/** A copy of `schema` with some defaults replaced (AdamW: Adam with weightDecay 1e-2). */
export function withDefaults(schema: Schema, name: string, torch: string, defaults: Readonly<Record<string, unknown>>): Schema {
  const options: Record<string, OptionSpec> = { ...schema.options };
  for (const [k, v] of Object.entries(defaults)) options[k] = { ...options[k], default: v };
  return { name, torch, options };
}

/** The allowed keys of `schema` (its options and `skipNonFinite`). */
export function keysOf(schema: Schema): string[] {
  return [...Object.keys(schema.options), 'skipNonFinite'];
}

/** The default of every option (arrays copied). */
export function defaultsOf(schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(schema.options)) out[k] = Array.isArray(s.default) ? [...s.default] : s.default;
  out.skipNonFinite = false;
  return out;
}

/** Checks every option of `group` against `schema`; `where` prefixes the names in errors. */
export function checkAgainst(schema: Schema, group: Readonly<Record<string, unknown>>, where: string): void {
  const options = schema.options;
  for (const k in options) options[k].check(`${where}${k}`, group[k]);
}
