import type { TimeSeries } from '@recur/datasets';

/** The `q` quantile of `values` (linear interpolation between order statistics, as NumPy's default). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.POSITIVE_INFINITY;
  const sorted = [...values].sort((a, b) => a - b);
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (at - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

/**
 * The rolling z-score of each reading: max over features of |x_t − mean| / std, mean and
 * std of the `window` readings before it (0 for the first `window` readings). A reading
 * far from its recent past scores high; the classic baseline for point anomalies.
 */
export function rollingZScores(series: TimeSeries, window: number): Float64Array {
  const [rows, width] = series.shape;
  const out = new Float64Array(rows);
  const sum = new Float64Array(width);
  const squares = new Float64Array(width);
  const at = (t: number, f: number) => series.data[t * width + f] as number;
  for (let t = 0; t < rows; t++) {
    if (t >= window) {
      let score = 0;
      for (let f = 0; f < width; f++) {
        const mean = (sum[f] as number) / window;
        const variance = Math.max((squares[f] as number) / window - mean * mean, 0);
        // A flat window (std 0) would give ∞ for any change: floor the std.
        const z = Math.abs(at(t, f) - mean) / Math.max(Math.sqrt(variance), 1e-3);
        score = Math.max(score, z);
      }
      out[t] = score;
    }
    for (let f = 0; f < width; f++) {
      sum[f] = (sum[f] as number) + at(t, f);
      squares[f] = (squares[f] as number) + at(t, f) ** 2;
      if (t >= window) {
        sum[f] = (sum[f] as number) - at(t - window, f);
        squares[f] = (squares[f] as number) - at(t - window, f) ** 2;
      }
    }
  }
  return out;
}
