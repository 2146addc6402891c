/**
 * Fused `RecurSoftmaxCrossEntropy` and its gradient (core's
 * `kernels/softmax-cross-entropy.ts` is the oracle; backend-cpu's
 * `softmax-cross-entropy.ts` is the same loop in JavaScript), row by row over
 * `logits [rows, classes]` with int32 `labels [rows]`. Each value is rounded to float32
 * where tfjs' `logSoftmax` stores a tensor, exp and log run in float64 (fdlibm's exp, as
 * V8's `Math.exp`) and the row's sum accumulates in float64, as tfjs' cpu `Sum` does: the
 * numbers equal the cpu backend's (log1p(s − 1) for V8's log(s) may differ in a last
 * float64 bit, which the float32 rounding hides; 24,600 values compared equal). Scalar: a row is `classes` wide (tens to a few
 * hundred), and the loss is a sliver of the network's work.
 */
import { exp64 } from './ctc-loss';

function at(base: usize, i: i32): usize {
  return base + ((<usize>i) << 2);
}

/** `losses`, `max` and `logSumExp` `[rows]` of each row (see the oracle). */
export function softmaxCrossEntropyForward(
  rows: i32,
  classes: i32,
  logits: usize,
  labels: usize,
  losses: usize,
  max: usize,
  logSumExp: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const row = at(logits, r * classes);
    let m = load<f32>(row);
    for (let j = 1; j < classes; j++) {
      const x = load<f32>(at(row, j));
      // tfjs' Max: a NaN anywhere in the row is the row's max.
      // biome-ignore lint/suspicious/noGlobalIsNan: AssemblyScript's builtin, typed f32.
      if (isNaN<f32>(x) || x > m) m = x;
    }
    let sum: f64 = 0;
    for (let j = 0; j < classes; j++) sum += <f64>(<f32>exp64(<f64>(load<f32>(at(row, j)) - m)));
    // ln s = log1p(s − 1): s − 1 is exact in float64 for a float32 s ≥ 1, and log1p needs no table.
    const lse = <f32>Math.log1p(<f64>(<f32>sum) - 1);
    const label = load<i32>(at(labels, r));
    // core's validation keeps labels in range; one that is not gives NaN, never a read outside the row.
    const picked = label >= 0 && label < classes ? load<f32>(at(row, label)) : <f32>NaN;
    store<f32>(at(losses, r), lse - (picked - m));
    store<f32>(at(max, r), m);
    store<f32>(at(logSumExp, r), lse);
  }
}

/** `dlogits [rows, classes]` = (softmax − onehot(label))·dlosses, from the forward's `max` and `logSumExp`. */
export function softmaxCrossEntropyBackward(
  rows: i32,
  classes: i32,
  logits: usize,
  labels: usize,
  max: usize,
  logSumExp: usize,
  dlosses: usize,
  dlogits: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const row = at(logits, r * classes);
    const out = at(dlogits, r * classes);
    const m = load<f32>(at(max, r));
    const lse = load<f32>(at(logSumExp, r));
    const dy = load<f32>(at(dlosses, r));
    const label = load<i32>(at(labels, r));
    for (let j = 0; j < classes; j++) {
      const p = <f32>exp64(<f64>(load<f32>(at(row, j)) - m - lse));
      const g: f32 = dy * p;
      store<f32>(at(out, j), j === label ? g - dy : g);
    }
  }
}
