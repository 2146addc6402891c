/**
 * The CTC loss and its gradient over a batch of rows, on plain arrays (ctc-loss.ts
 * registers them): each row's α and β in float64 (ctc-lattice.ts) over the
 * log-probabilities in place.
 */
import { type CtcRow, ctcGradient, ctcNegLogLikelihood } from './ctc-lattice.js';

export interface CtcArrays {
  /** `[B, T, C]`. */
  readonly logProbs: Float32Array;
  /** `[B, W]`, each row padded past its length. */
  readonly labels: Int32Array;
  readonly inputLengths: Int32Array;
  readonly labelLengths: Int32Array;
}

export interface CtcDims {
  readonly batch: number;
  readonly time: number;
  readonly classes: number;
  /** The labels' padded width W. */
  readonly width: number;
}

export interface CtcAttrs {
  readonly blank: number;
  readonly zeroInfinity: boolean;
}

/** Each row as the lattice reads it. */
function rowsOf(v: CtcArrays, d: CtcDims, blank: number): CtcRow[] {
  const { batch, time, classes, width } = d;
  return Array.from({ length: batch }, (_, b) => ({
    logProbs: v.logProbs,
    offset: b * time * classes,
    classes,
    inputLength: v.inputLengths[b] as number,
    label: Array.from(v.labels.subarray(b * width, b * width + (v.labelLengths[b] as number))),
    blank,
  }));
}

export function ctcLossForward(v: CtcArrays, d: CtcDims, attrs: CtcAttrs): { losses: Float32Array } {
  const losses = rowsOf(v, d, attrs.blank).map((row) => {
    const nll = ctcNegLogLikelihood(row);
    // +∞ for any row with no alignment, too short or with −∞ on every path, as PyTorch.
    return Number.isFinite(nll) || !attrs.zeroInfinity ? nll : 0;
  });
  return { losses: Float32Array.from(losses) };
}

export function ctcLossBackward(
  v: CtcArrays & { readonly dlosses: Float32Array },
  d: CtcDims,
  attrs: CtcAttrs,
): { grad: Float32Array } {
  const grad = new Float32Array(v.logProbs.length);
  rowsOf(v, d, attrs.blank).forEach((row, b) => {
    const { nll, grad: g } = ctcGradient(row);
    if (!Number.isFinite(nll)) return;
    const scale = v.dlosses[b] as number;
    for (let i = 0; i < g.length; i++) grad[row.offset + i] = (g[i] as number) * scale;
  });
  return { grad };
}
