/**
 * The float64 oracle of a matrix product: op(A)·op(B) for row-major `a` (`[m, k]`, or
 * `[k, m]` when `transA`) and `b` (`[k, n]`, or `[n, k]` when `transB`), summed in float64.
 */
export function matMulReference(
  a: Float32Array,
  b: Float32Array,
  dims: { m: number; n: number; k: number; transA: boolean; transB: boolean },
): Float64Array {
  const { m, n, k, transA, transB } = dims;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        sum += (a[transA ? p * m + i : i * k + p] as number) * (b[transB ? j * k + p : p * n + j] as number);
      }
      out[i * n + j] = sum;
    }
  }
  return out;
}
