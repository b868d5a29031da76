/** lerp(a, b, w) as ATen computes it (float32 operations): the moment updates of the Adam family. */
const f = Math.fround;

export function lerp32(a: number, b: number, w: number): number {
  return Math.abs(w) < 0.5 ? f(a + f(w * f(b - a))) : f(b - f(f(b - a) * f(1 - w)));
}
