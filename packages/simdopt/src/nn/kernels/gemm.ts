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
    for (let o = 0; o < outFeatures; o++) {
      const wo = o * inFeatures;
      let s = 0;
      for (let p = 0; p < inFeatures; p++) s = f(s + f(x[xr + p] * w[wo + p]));
      y[r * outFeatures + o] = b === null ? s : f(b[o] + s);
    }
  }
}

/** dx = dy·W. */
export function linearInputGrad(
  dy: Float32Array, w: Float32Array, dx: Float32Array,
  batch: number, inFeatures: number, outFeatures: number,
): void {
  for (let r = 0; r < batch; r++) {
    // The row of dx is the running sum: it starts at +0 like the Rust accumulators, and
    // storing into a Float32Array rounds each addition to float32.
    const row = dx.subarray(r * inFeatures, (r + 1) * inFeatures);
    row.fill(0);
    for (let p = 0; p < outFeatures; p++) {
      const a = dy[r * outFeatures + p];
      const wp = p * inFeatures;
      for (let c = 0; c < inFeatures; c++) row[c] += f(a * w[wp + c]);
    }
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
    for (let r = 0; r < batch; r++) {
      const a = dy[r * outFeatures + o];
      const xr = r * inFeatures;
      for (let c = 0; c < inFeatures; c++) sum[c] += f(a * x[xr + c]);
    }
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
