/**
 * The one refusal of an unknown option key, shared by optimizers, schedulers and utilities. A
 * key nobody reads would otherwise train silently with the default (`learningRate: 0.01` leaving
 * lr at 1e-3), where Python raises for an unexpected keyword argument. The message names the key
 * and, when it can tell, the option the caller meant: PyTorch's snake_case spelling, a
 * TensorFlow.js name, or a near miss by edit distance.
 */
import { SimdoptError } from '../errors.js';

/** TensorFlow.js (and Keras) names of options simdopt spells the PyTorch way. */
const ALIASES: Readonly<Record<string, string>> = {
  learningRate: 'lr',
  learning_rate: 'lr',
  beta1: 'betas',
  beta2: 'betas',
  beta_1: 'betas',
  beta_2: 'betas',
  epsilon: 'eps',
  decay: 'weightDecay',
  useNesterov: 'nesterov',
};

/** `weight_decay` → `weightDecay`, `T_0` → `t0`, `eta_min` → `etaMin`. */
export function camelCase(key: string): string {
  const parts = key.split('_').filter((s) => s.length > 0);
  if (parts.length < 2) return key;
  return parts.map((s, i) => (i === 0 ? (s.length === 1 ? s.toLowerCase() : s) : s[0].toUpperCase() + s.slice(1))).join('');
}

/** Levenshtein distance, stopping early once it exceeds `limit`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, row[j]);
    }
    if (best > limit) return limit + 1;
    prev = row;
  }
  return prev[b.length];
}

/** The known key `key` most likely stands for, or undefined. */
export function likelyKey(key: string, known: readonly string[]): string | undefined {
  const candidates = [ALIASES[key], camelCase(key), key.toLowerCase()];
  for (const c of candidates) if (c !== undefined && known.includes(c)) return c;
  const lower = key.toLowerCase();
  const found = known.find((k) => k.toLowerCase() === lower || k.toLowerCase() === camelCase(key).toLowerCase());
  if (found) return found;
  // A near miss: within a third of the key's length (at most 3 edits).
  const limit = Math.min(3, Math.max(1, Math.floor(key.length / 3)));
  let best: string | undefined;
  let bestD = limit + 1;
  for (const k of known) {
    const d = distance(lower, k.toLowerCase(), limit);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

/**
 * Fields the schedulers keep in an optimizer's param groups, as PyTorch's schedulers do
 * (`initial_lr`, OneCycleLR's `max_lr`, `min_lr`, `max_momentum`, `base_momentum`, SWALR's
 * `swa_lr`), and the
 * group's `params`: accepted in a group besides the optimizer's own options.
 */
export const GROUP_FIELDS: readonly string[] = ['params', 'initialLr', 'maxLr', 'minLr', 'maxMomentum', 'baseMomentum', 'swaLr'];

/**
 * Throws a SimdoptError for the first key of `object` that is neither in `known` nor in `also`.
 * `where` prefixes the key in the error (`paramGroups[1].`, `options.`); `owner` names what the
 * options belong to (`Adam`, `StepLR`).
 */
export function checkKnownKeys(object: object, known: readonly string[], where: string, owner: string, also: readonly string[] = []): void {
  for (const key in object) {
    if (!Object.hasOwn(object, key) || known.includes(key) || also.includes(key)) continue;
    failUnknownKey(`${where}${key}`, key, known, owner);
  }
}

export function failUnknownKey(argument: string, key: string, known: readonly string[], owner: string): never {
  const guess = likelyKey(key, known);
  const hint = guess !== undefined ? `; did you mean '${guess}'?` : '';
  throw new SimdoptError(`${argument}: expected one of ${owner}'s options (${known.join(', ')}), got an unknown key${hint}`, argument);
}
