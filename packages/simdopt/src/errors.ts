/**
 * The one error type simdopt throws for bad input. `argument` names what was wrong so that a
 * caller (or a test) can tell which argument to fix; the message says what was expected.
 */
export class SimdoptError extends Error {
  /** The argument (or option, or object) at fault, e.g. `"lr"` or `"params[2]"`. */
  readonly argument: string | undefined;

  constructor(message: string, argument?: string) {
    super(message);
    this.name = 'SimdoptError';
    this.argument = argument;
  }
}

/** Throws a SimdoptError naming `argument`: `${argument}: ${expected}, got ${value}`. */
export function fail(argument: string, expected: string, value?: unknown): never {
  const got = arguments.length > 2 ? `, got ${describe(value)}` : '';
  throw new SimdoptError(`${argument}: expected ${expected}${got}`, argument);
}

/** A short, safe description of a value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (value === null || value === undefined || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `${article(value.constructor.name)} of length ${(value as Float32Array).length}`;
  if (typeof value === 'function') return 'a function';
  const name = (value).constructor?.name;
  // A plain object (JSON.parse output) is "an object", not "a Object".
  return name === undefined || name === 'Object' ? 'an object' : article(name);
}

/** `word` with "a" or "an" before it. */
export function article(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}

/** `n` and `noun`, plural unless n is 1: "1 parameter", "2 parameters". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
