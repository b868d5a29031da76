/**
 * The TypeScript twin of the Linear products (crates/simdopt-core/src/nn/{gemm,linear}.rs).
 * Every output element is summed exactly as the Rust tiles sum it — from zero, in order of the
 * inner index, one float32 rounding per multiply and per add, then added to its initial value —
 * so the js backend agrees bit for bit with both wasm builds. The loop nests differ from Rust's
 * (each picks the cache-friendly order for its layout); the order within each sum does not.
 *
 * Layouts, row-major: x [batch, in], W [out, in], b [out], y and dy [batch, out], dx [batch, in].
 */
const f = Math.fround;

/** Row scratch for the sums that are added to an existing value (grown, never shrunk). */
let scratch = new Float32Array(64);
function rowScratch(length: number): Float32Array {
  if (scratch.length < length) scratch = new Float32Array(length);
  const row = scratch.subarray(0, length);
  row.fill(0);
  return row;
}

/** y = b + x·Wᵀ (b null: y = x·Wᵀ). */
export function linearForward(
  x: Float32Array, w: Float32Array, b: Float32Array | null, y: Float32Array,
  batch: number, inFeatures: number, outFeatures: number,
): void {
  for (let r = 0; r < batch; r++) {
    const xr = r * inFeatures;
    const yr = r * outFeatures;
    let o = 0;
    // Four outputs at once: four independent dependency chains instead of one.
    for (; o + 4 <= outFeatures; o += 4) {
      const w0 = o * inFeatures;
      const w1 = w0 + inFeatures;
      const w2 = w1 + inFeatures;
      const w3 = w2 + inFeatures;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let p = 0; p < inFeatures; p++) {
        const xv = x[xr + p];
        s0 = f(s0 + f(xv * w[w0 + p]));
        s1 = f(s1 + f(xv * w[w1 + p]));
        s2 = f(s2 + f(xv * w[w2 + p]));
        s3 = f(s3 + f(xv * w[w3 + p]));
      }
      y[yr + o] = b === null ? s0 : f(b[o] + s0);
      y[yr + o + 1] = b === null ? s1 : f(b[o + 1] + s1);
      y[yr + o + 2] = b === null ? s2 : f(b[o + 2] + s2);
      y[yr + o + 3] = b === null ? s3 : f(b[o + 3] + s3);
    }
    for (; o < outFeatures; o++) {
      const wo = o * inFeatures;
      let s = 0;
      for (let p = 0; p < inFeatures; p++) s = f(s + f(x[xr + p] * w[wo + p]));
      y[yr + o] = b === null ? s : f(b[o] + s);
    }
  }
}

/**
 * `sum[c] = (((sum[c] + a[0]·m[0, c]) + a[1]·m[1, c]) + …)` over rows `first + q·step` of a
 * row-major `m` (row length `n`), for q < count: the inner loop of dx and dW, four rows per pass
 * so that each element is loaded and stored once per four products (same order of additions).
 */
function addRows(
  sum: Float32Array, n: number, m: Float32Array, a: Float32Array,
  aFirst: number, aStep: number, count: number,
): void {
  let q = 0;
  for (; q + 4 <= count; q += 4) {
    const a0 = a[aFirst + q * aStep];
    const a1 = a[aFirst + (q + 1) * aStep];
    const a2 = a[aFirst + (q + 2) * aStep];
    const a3 = a[aFirst + (q + 3) * aStep];
    const m0 = q * n;
    const m1 = m0 + n;
    const m2 = m1 + n;
    const m3 = m2 + n;
    for (let c = 0; c < n; c++) {
      sum[c] = f(f(f(f(sum[c] + f(a0 * m[m0 + c])) + f(a1 * m[m1 + c])) + f(a2 * m[m2 + c])) + f(a3 * m[m3 + c]));
    }
  }
  for (; q < count; q++) {
    const av = a[aFirst + q * aStep];
    const mq = q * n;
    for (let c = 0; c < n; c++) sum[c] = f(sum[c] + f(av * m[mq + c]));
  }
}

/** dx = dy·W. */
export function linearInputGrad(
  dy: Float32Array, w: Float32Array, dx: Float32Array,
  batch: number, inFeatures: number, outFeatures: number,
): void {
  for (let r = 0; r < batch; r++) {
    // The row of dx is the running sum; it starts at +0 like the Rust accumulators.
    const row = dx.subarray(r * inFeatures, (r + 1) * inFeatures);
    row.fill(0);
    addRows(row, inFeatures, w, dy, r * outFeatures, 1, outFeatures);
  }
}

/** dW = dW + dyᵀ·x. */
export function linearWeightGrad(
  dy: Float32Array, x: Float32Array, dw: Float32Array,
  batch: number, inFeatures: number, outFeatures: number,
): void {
  const sum = rowScratch(inFeatures);
  for (let o = 0; o < outFeatures; o++) {
    sum.fill(0);
    addRows(sum, inFeatures, x, dy, o, outFeatures, batch);
    const wo = o * inFeatures;
    for (let c = 0; c < inFeatures; c++) dw[wo + c] += sum[c];
  }
}

/** db = db + Σ_rows dy (rows in order, from zero). */
export function linearBiasGrad(dy: Float32Array, db: Float32Array, batch: number, outFeatures: number): void {
  const sum = rowScratch(outFeatures);
  for (let r = 0; r < batch; r++) {
    const dr = r * outFeatures;
    for (let o = 0; o < outFeatures; o++) sum[o] += dy[dr + o];
  }
  for (let o = 0; o < outFeatures; o++) db[o] += sum[o];
}
