/**
 * The summation order of crates/simdopt-core/src/stream.rs, for the js twins of the training-kit
 * kernels, so that their sums equal the wasm builds' bit for bit:
 *
 * ```text
 * lane j ∈ 0..4 adds, in f32 and in order, the terms of elements i ≡ j (mod 4) of whole quads;
 * after every 256 quads (1024 elements) and after the last whole quad each lane's f32 block sum
 *   is added to that lane's f64 total and restarts from zero;
 * tail element 4·⌊n/4⌋ + t is added to the f64 total of lane t;
 * result = (total₀ + total₂) + (total₁ + total₃)
 * ```
 * Terms must already be float32 values (rounded with `Math.fround`).
 *
 * A tensor kernel's tensors longer than `SEGMENT` run as consecutive segments of `SEGMENT`
 * elements, each a fresh sum, combined in order like separate tensors (stream.rs `segments`): the
 * threaded build computes segments on different threads and every build adds them alike.
 */
const f = Math.fround;

/** Elements per f32 block (256 quads of 4). */
const BLOCK = 1024;

/** A sum of `n` terms added one at a time in element order. */
export class LaneSum {
  private readonly body: number;
  private i = 0;
  private b0 = 0;
  private b1 = 0;
  private b2 = 0;
  private b3 = 0;
  private t0 = 0;
  private t1 = 0;
  private t2 = 0;
  private t3 = 0;

  constructor(n: number) {
    this.body = n - (n % 4);
  }

  /** Adds the term of the next element. */
  add(v: number): void {
    const i = this.i++;
    const lane = i % 4;
    if (i < this.body) {
      if (lane === 0) this.b0 = f(this.b0 + v);
      else if (lane === 1) this.b1 = f(this.b1 + v);
      else if (lane === 2) this.b2 = f(this.b2 + v);
      else {
        this.b3 = f(this.b3 + v);
        if ((i + 1) % BLOCK === 0 || i + 1 === this.body) this.flush();
      }
    } else if (lane === 0) this.t0 += v;
    else if (lane === 1) this.t1 += v;
    else this.t2 += v;
  }

  /** The sum, in f64. */
  result(): number {
    return this.t0 + this.t2 + (this.t1 + this.t3);
  }

  private flush(): void {
    this.t0 += this.b0;
    this.t1 += this.b1;
    this.t2 += this.b2;
    this.t3 += this.b3;
    this.b0 = this.b1 = this.b2 = this.b3 = 0;
  }
}

/** Elements per segment of a tensor kernel's pass (stream.rs `SEGMENT`). */
export const SEGMENT = 1 << 16;

/**
 * A sum of `n` terms added one at a time, taken per segment of `SEGMENT` elements (each a fresh
 * `LaneSum`) and the segments' sums added in order from 0 (two_pass.rs `measure_segments`): the
 * partition of LAMB's per-tensor sums, which the threaded build measures on several threads.
 */
export class SegmentSum {
  private total = 0;
  private left: number;
  private rest: number;
  private sum: LaneSum;

  constructor(n: number) {
    this.left = Math.min(n, SEGMENT);
    this.rest = n - this.left;
    this.sum = new LaneSum(this.left);
  }

  /** Adds the term of the next element. */
  add(v: number): void {
    if (this.left === 0) {
      this.total += this.sum.result();
      this.left = Math.min(this.rest, SEGMENT);
      this.rest -= this.left;
      this.sum = new LaneSum(this.left);
    }
    this.left--;
    this.sum.add(v);
  }

  /** The sum, in f64. */
  result(): number {
    return this.total + this.sum.result();
  }
}

/** The views of a tensor kernel's table with every tensor cut into its segments, in order. */
export function segmentViews<T extends { data: Float32Array; grad: Float32Array }>(views: readonly T[]): readonly { data: Float32Array; grad: Float32Array }[] {
  if (views.every((v) => v.data.length <= SEGMENT)) return views;
  return views.flatMap((v) => {
    const out = [];
    for (let a = 0; a < v.data.length; a += SEGMENT) {
      const b = Math.min(a + SEGMENT, v.data.length);
      out.push({ data: v.data.subarray(a, b), grad: v.grad.subarray(a, b) });
    }
    return out;
  });
}
