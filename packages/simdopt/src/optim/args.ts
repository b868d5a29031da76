/**
 * Reading a kernel's argument block in a js twin: entry 0 is a word of flag bits, the rest are
 * scalars. Read once per call, before the element loop.
 */

/** The flag bits `masks` of `word` (an argument block's entry 0), in order, as booleans. */
export function flagBits<const M extends readonly number[]>(word: number, ...masks: M): { -readonly [K in keyof M]: boolean } {
  return masks.map((mask) => (word & mask) !== 0) as { -readonly [K in keyof M]: boolean };
}
