/**
 * The CTC forward–backward recursions for one sequence, in float64 and log space, as the
 * cpu backend fuses core's `RecurCtcLoss` (core's `kernels/ctc-lattice.ts` is the oracle)
 * (Graves et al. 2006, "Connectionist temporal classification", sec. 4.1–4.2). The label
 * l of length L is extended with blanks, l' = (b, l_1, b, l_2, …, l_L, b) of length
 * S = 2L + 1, and with y_t(k) = exp(logProbs[t, k]):
 *
 *     α_1(1) = y_1(b)    α_1(2) = y_1(l_1)
 *     α_t(s) = (α_{t−1}(s) + α_{t−1}(s−1) [+ α_{t−1}(s−2)]) · y_t(l'_s)
 *     β_T(S) = y_T(b)    β_T(S−1) = y_T(l_L)
 *     β_t(s) = (β_{t+1}(s) + β_{t+1}(s+1) [+ β_{t+1}(s+2)]) · y_t(l'_s)
 *     p(l | x) = α_T(S) + α_T(S−1)
 *
 * where the bracketed skip exists only between two different labels (a repeated label
 * needs a blank between its copies). Both α and β hold y_t(l'_s), so (eq. 14–16)
 *
 *     ∂(−ln p) / ∂ln y_t(k) = −(1 / p) Σ_{s : l'_s = k} α_t(s) β_t(s) / y_t(k)
 *
 * This is the true gradient in the log-probabilities. (PyTorch's `ctc_loss` adds
 * y_t(k) to it, which only agrees after a log-softmax; finite differences follow this one.)
 */

/** One row of a `[time, classes]` log-probability array, read in place. */
export interface CtcRow {
  readonly logProbs: ArrayLike<number>;
  /** Index of step 0, class 0 of this row in `logProbs`. */
  readonly offset: number;
  readonly classes: number;
  /** Steps that count, from 0. */
  readonly inputLength: number;
  readonly label: readonly number[];
  readonly blank: number;
}

function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** l' as class ids. */
function extended(label: readonly number[], blank: number): number[] {
  const out = [blank];
  for (const k of label) out.push(k, blank);
  return out;
}

/** Whether the path may jump from s − 2 to s (s a label, different from the label before it). */
function canSkip(ext: readonly number[], s: number, blank: number): boolean {
  return s >= 2 && ext[s] !== blank && ext[s] !== ext[s - 2];
}

/** log α as `[inputLength][S]` rows. */
function alphas(row: CtcRow, ext: readonly number[]): Float64Array[] {
  const { logProbs, offset, classes, inputLength, blank } = row;
  const y = (t: number, s: number) => logProbs[offset + t * classes + (ext[s] as number)] as number;
  const S = ext.length;
  const rows: Float64Array[] = [];
  let prev = new Float64Array(S).fill(-Infinity);
  for (let t = 0; t < inputLength; t++) {
    const cur = new Float64Array(S).fill(-Infinity);
    for (let s = 0; s < S; s++) {
      let a: number;
      if (t === 0) a = s < 2 ? 0 : -Infinity;
      else {
        a = logAdd(prev[s] as number, s >= 1 ? (prev[s - 1] as number) : -Infinity);
        if (canSkip(ext, s, blank)) a = logAdd(a, prev[s - 2] as number);
      }
      cur[s] = a === -Infinity ? -Infinity : a + y(t, s);
    }
    rows.push(cur);
    prev = cur;
  }
  return rows;
}

/** −ln p(label | x) for one row: Infinity when no alignment fits in `inputLength` steps. */
export function ctcNegLogLikelihood(row: CtcRow): number {
  const ext = extended(row.label, row.blank);
  if (row.inputLength === 0) return row.label.length === 0 ? 0 : Infinity;
  const last = alphas(row, ext)[row.inputLength - 1] as Float64Array;
  const S = ext.length;
  const logP = logAdd(last[S - 1] as number, S >= 2 ? (last[S - 2] as number) : -Infinity);
  return -logP;
}

/**
 * −ln p and its gradient in `logProbs` for one row: `[inputLength × classes]`, zero at
 * classes outside l'. Steps past `inputLength` have no entry (their gradient is zero).
 * Where no alignment exists, −ln p is Infinity and the gradient all zeros.
 */
export function ctcGradient(row: CtcRow): { nll: number; grad: Float64Array } {
  const { logProbs, offset, classes, inputLength, blank } = row;
  const grad = new Float64Array(inputLength * classes);
  if (inputLength === 0) return { nll: 0, grad };
  const ext = extended(row.label, blank);
  const S = ext.length;
  const alpha = alphas(row, ext);
  const y = (t: number, s: number) => logProbs[offset + t * classes + (ext[s] as number)] as number;
  const lastAlpha = alpha[inputLength - 1] as Float64Array;
  const logP = logAdd(lastAlpha[S - 1] as number, S >= 2 ? (lastAlpha[S - 2] as number) : -Infinity);
  if (logP === -Infinity) return { nll: Infinity, grad };
  let next = new Float64Array(S).fill(-Infinity);
  for (let t = inputLength - 1; t >= 0; t--) {
    const beta = new Float64Array(S).fill(-Infinity);
    for (let s = 0; s < S; s++) {
      let b: number;
      if (t === inputLength - 1) b = s >= S - 2 ? 0 : -Infinity;
      else {
        b = logAdd(next[s] as number, s + 1 < S ? (next[s + 1] as number) : -Infinity);
        if (s + 2 < S && canSkip(ext, s + 2, blank)) b = logAdd(b, next[s + 2] as number);
      }
      beta[s] = b === -Infinity ? -Infinity : b + y(t, s);
    }
    // Σ_{s: l'_s = k} α_t(s) β_t(s), per class, in log space.
    const byClass = new Map<number, number>();
    const a = alpha[t] as Float64Array;
    for (let s = 0; s < S; s++) {
      const k = ext[s] as number;
      byClass.set(k, logAdd(byClass.get(k) ?? -Infinity, (a[s] as number) + (beta[s] as number)));
    }
    for (const [k, logAB] of byClass) {
      const ly = logProbs[offset + t * classes + k] as number;
      // As y_t(k) → 0 the term α β / y (a product holding y once) → 0 too.
      grad[t * classes + k] = ly === -Infinity || logAB === -Infinity ? 0 : -Math.exp(logAB - ly - logP);
    }
    next = beta;
  }
  return { nll: -logP, grad };
}
