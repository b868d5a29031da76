/**
 * The timing method, the same in Node and in the browser.
 *
 * - Calibration: each contender runs once untimed (JIT), then its batch size k doubles until one
 *   batch lasts at least `minSampleMs` (timer resolution and call overhead vanish).
 * - Warm-up round: every contender runs a whole round that is not recorded.
 * - Interleaved rounds: each round visits every contender once, starting one contender later than
 *   the previous round, so drift of the machine (other processes, frequency, thermal) hits every
 *   contender alike and no contender always runs right after the same neighbour.
 * - A visit: `prepare()` (untimed: re-create objects, switch backends), one untimed warm batch
 *   (caches and branch predictors hold this contender's data, as in a training loop that steps
 *   every iteration), then `samples` short timed batches; the visit's value is the fastest of
 *   them. On a shared machine another process can only ever add time to a sample (preemption,
 *   cache and bandwidth theft), never remove it, so the fastest of a few back-to-back samples
 *   is the visit's best estimate of its own cost; short samples make a clean one likely.
 * - The result per contender: the median over rounds of those visit values (the headline: one
 *   unlucky or lucky round cannot move it), its quartiles, and the minimum over every sample
 *   (reported beside the median, never instead of it).
 */

export interface Timed {
  id: string;
  /** Untimed, before every visit. */
  prepare?(): Promise<void> | void;
  /** One step of the benchmarked operation. */
  step(): void;
  /** Untimed, after every visit. */
  release?(): Promise<void> | void;
}

export interface MeasureOptions {
  /** Recorded rounds (each visits every contender once). */
  rounds: number;
  /** Unrecorded rounds before them. */
  warmupRounds: number;
  /** A sample lasts at least this long (k steps). */
  minSampleMs: number;
  /** Timed batches per visit (1 when a batch is slower than `slowBatchMs`). */
  samples: number;
  /** Batches slower than this get one sample and no warm batch per visit. */
  slowBatchMs: number;
  now(): number;
  /** Called after every visit (progress). */
  onVisit?(id: string, round: number, recorded: boolean): void;
}

export interface Measurement {
  id: string;
  /** Steps per timed batch. */
  k: number;
  /** Per recorded round: ms per step of that visit's fastest sample. */
  rounds: number[];
  /** Every timed sample, ms per step. */
  samples: number[];
  median: number;
  min: number;
  p25: number;
  p75: number;
}

export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export const median = (xs: readonly number[]) => quantile(xs, 0.5);

/** Runs the interleaved rounds; returns one measurement per contender id. */
export async function measure(contenders: readonly Timed[], o: MeasureOptions): Promise<Map<string, Measurement>> {
  const k = new Map<string, number>();
  const batchMs = new Map<string, number>();
  // Calibration.
  for (const c of contenders) {
    await c.prepare?.();
    c.step();
    // Double the batch until it lasts minSampleMs: one timed step is no estimate where the timer
    // is coarse (5 µs in an isolated page, 100 µs otherwise) or the first steps still compile.
    let steps = 1;
    let ms = 0;
    for (;;) {
      const t0 = o.now();
      for (let i = 0; i < steps; i++) c.step();
      ms = o.now() - t0;
      if (ms >= o.minSampleMs || steps >= 1_000_000) break;
      steps *= ms > 0 ? Math.min(8, Math.max(2, Math.ceil(o.minSampleMs / ms))) : 8;
    }
    k.set(c.id, steps);
    batchMs.set(c.id, ms);
    await c.release?.();
  }
  const rounds = new Map<string, number[]>(contenders.map((c) => [c.id, []]));
  const samples = new Map<string, number[]>(contenders.map((c) => [c.id, []]));
  const total = o.warmupRounds + o.rounds;
  for (let r = 0; r < total; r++) {
    const recorded = r >= o.warmupRounds;
    for (let j = 0; j < contenders.length; j++) {
      const c = contenders[(j + r) % contenders.length];
      // Calibration ran on cold code: once the contender runs faster, lengthen its batch.
      if (batchMs.get(c.id)! < o.minSampleMs / 2 && k.get(c.id)! < 1_000_000) {
        k.set(c.id, k.get(c.id)! * 2);
        batchMs.set(c.id, batchMs.get(c.id)! * 2);
      }
      const steps = k.get(c.id)!;
      const slow = batchMs.get(c.id)! > o.slowBatchMs;
      await c.prepare?.();
      if (!slow) for (let i = 0; i < steps; i++) c.step();
      const visit: number[] = [];
      for (let s = 0; s < (slow ? 1 : o.samples); s++) {
        const t0 = o.now();
        for (let i = 0; i < steps; i++) c.step();
        visit.push((o.now() - t0) / steps);
      }
      await c.release?.();
      // A slow contender's batch time drives its own warm-up choice from measured values.
      batchMs.set(c.id, Math.min(...visit) * steps);
      if (recorded) {
        rounds.get(c.id)!.push(Math.min(...visit));
        samples.get(c.id)!.push(...visit);
      }
      o.onVisit?.(c.id, r, recorded);
    }
  }
  const out = new Map<string, Measurement>();
  for (const c of contenders) {
    const rs = rounds.get(c.id)!;
    const ss = samples.get(c.id)!;
    out.set(c.id, {
      id: c.id,
      k: k.get(c.id)!,
      rounds: rs,
      samples: ss,
      median: median(rs),
      min: Math.min(...ss),
      p25: quantile(rs, 0.25),
      p75: quantile(rs, 0.75),
    });
  }
  return out;
}

/** Deterministic uniform floats in [lo, hi) (xorshift32), so every run and contender sees the same data. */
export function fillUniform(a: Float32Array, seed: number, lo: number, hi: number): Float32Array {
  let x = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < a.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    a[i] = lo + (hi - lo) * (x / 4294967296);
  }
  return a;
}

/**
 * Gradients with magnitudes in [0.1, 1) and random signs: no exact zeros (a zero gradient decays
 * state toward subnormal numbers, which x86 handles ~100× slower) and no tiny squares (eps
 * placement differences between libraries stay far below the correctness tolerance).
 */
export function fillGradient(a: Float32Array, seed: number): Float32Array {
  fillUniform(a, seed, 0.1, 1);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < a.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    if (x & 1) a[i] = -a[i];
  }
  return a;
}
