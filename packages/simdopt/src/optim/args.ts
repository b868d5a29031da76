/**
 * Reading a kernel's argument block in a js twin: entry 0 is a word of flag bits, the rest are
 * scalars. Read once per call, before the element loop.
 */

/**
 * Whether `word` (an argument block's entry 0) has the bit `mask`. One boolean a call: an array of
 * them read back in the element loop measured ~40% slower on V8.
 */
export function hasFlag(word: number, mask: number): boolean {
  return (word & mask) !== 0;
}
