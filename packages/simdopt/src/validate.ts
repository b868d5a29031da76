/** Argument checks shared by every public function; each throws a SimdoptError naming the argument. */
import { fail } from './errors.js';

export function checkNumber(name: string, v: unknown): asserts v is number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(name, 'a finite number', v);
}

export function checkNonNegative(name: string, v: unknown): asserts v is number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(name, 'a finite number >= 0', v);
}

export function checkPositive(name: string, v: unknown): asserts v is number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(name, 'a finite number > 0', v);
}

/** `lo <= v < hi` (`hiInclusive` for `lo <= v <= hi`). */
export function checkRange(name: string, v: unknown, lo: number, hi: number, hiInclusive = false): asserts v is number {
  const ok = typeof v === 'number' && v >= lo && (hiInclusive ? v <= hi : v < hi);
  if (!ok) fail(name, `a number in [${lo}, ${hi}${hiInclusive ? ']' : ')'}`, v);
}

export function checkInteger(name: string, v: unknown, min = 0): asserts v is number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(name, `an integer >= ${min}`, v);
}

export function checkBoolean(name: string, v: unknown): asserts v is boolean {
  if (typeof v !== 'boolean') fail(name, 'true or false', v);
}

/** Adam-style `betas`: two numbers in [0, 1). */
export function checkBetas(name: string, v: unknown): asserts v is [number, number] {
  if (!Array.isArray(v) || v.length !== 2) fail(name, 'an array of two numbers in [0, 1)', v);
  checkRange(`${name}[0]`, v[0], 0, 1);
  checkRange(`${name}[1]`, v[1], 0, 1);
}
