/**
 * The linear-chain CRF's sums over tag paths, in float64 on the CPU, one row at a time
 * over its real steps s_1 < … < s_n (Sutton & McCallum 2012, "An introduction to
 * conditional random fields", sec. 4.1). With P the emissions and A the transitions:
 *
 *     α_1 = start + P[s_1]            α_k[j] = logsumexp_i(α_{k−1}[i] + A[i, j]) + P[s_k, j]
 *     β_n = end                       β_k[i] = logsumexp_j(A[i, j] + P[s_{k+1}, j] + β_{k+1}[j])
 *     log Z = logsumexp_j(α_n[j] + end[j])
 *
 * and the gradient of log Z is the marginals (eq. 4.21): p(y_{s_k} = j) = exp(α_k[j] +
 * β_k[j] − log Z) for the emissions (and start at k = 1, end at k = n), p(y_{s_{k−1}} = i,
 * y_{s_k} = j) = exp(α_{k−1}[i] + A[i, j] + P[s_k, j] + β_k[j] − log Z) for A. The gold
 * path's score s(y) is linear in the same weights; its gradient counts what the path uses.
 * A dense loop: B·T·K² terms, which for tagsets of tens of tags costs far less than the
 * same recursion as a graph of small tfjs ops.
 */

/** The values one batch is computed from; `emissions` is `[batch, time, k]` row-major. */
export interface CrfValues {
  readonly transitions: ArrayLike<number>;
  readonly start: ArrayLike<number>;
  readonly end: ArrayLike<number>;
  readonly emissions: ArrayLike<number>;
  readonly batch: number;
  readonly time: number;
  readonly k: number;
}

/** Per-row result and the gradient of Σ_b weight_b · result_b. */
export interface CrfSums {
  readonly values: Float64Array;
  readonly grad: { emissions: Float64Array; transitions: Float64Array; start: Float64Array; end: Float64Array };
}

function logSumExp(xs: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < xs.length; i++) if ((xs[i] as number) > max) max = xs[i] as number;
  if (max === -Infinity) return max;
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += Math.exp((xs[i] as number) - max);
  return max + Math.log(sum);
}

function bump(array: Float64Array, i: number, by: number): void {
  array[i] = (array[i] as number) + by;
}

/** The real steps of row `b`. */
export function realSteps(mask: ArrayLike<number> | undefined, b: number, time: number): number[] {
  const steps: number[] = [];
  for (let t = 0; t < time; t++) if (mask === undefined || mask[b * time + t] !== 0) steps.push(t);
  return steps;
}

/**
 * log Z − s(tags) per row (with `tags`; log Z alone without), and the gradient of
 * Σ_b upstream_b · value_b in every input. A row without a real step gives 0.
 */
export function crfSums(
  v: CrfValues,
  mask: ArrayLike<number> | undefined,
  tags: ArrayLike<number> | undefined,
  upstream: ArrayLike<number> | undefined,
): CrfSums {
  const { batch, time, k } = v;
  const values = new Float64Array(batch);
  const grad = {
    emissions: new Float64Array(batch * time * k),
    transitions: new Float64Array(k * k),
    start: new Float64Array(k),
    end: new Float64Array(k),
  };
  const emit = (b: number, t: number, j: number) => v.emissions[(b * time + t) * k + j] as number;
  const A = (i: number, j: number) => v.transitions[i * k + j] as number;
  const terms = new Float64Array(k);
  for (let b = 0; b < batch; b++) {
    const steps = realSteps(mask, b, time);
    const n = steps.length;
    if (n === 0) continue;
    const alpha = Array.from({ length: n }, () => new Float64Array(k));
    for (let j = 0; j < k; j++) (alpha[0] as Float64Array)[j] = (v.start[j] as number) + emit(b, steps[0] as number, j);
    for (let s = 1; s < n; s++) {
      const prev = alpha[s - 1] as Float64Array;
      for (let j = 0; j < k; j++) {
        for (let i = 0; i < k; i++) terms[i] = (prev[i] as number) + A(i, j);
        (alpha[s] as Float64Array)[j] = logSumExp(terms) + emit(b, steps[s] as number, j);
      }
    }
    const last = alpha[n - 1] as Float64Array;
    for (let j = 0; j < k; j++) terms[j] = (last[j] as number) + (v.end[j] as number);
    const logZ = logSumExp(terms);
    let gold = 0;
    if (tags !== undefined) {
      steps.forEach((t, s) => {
        const y = tags[b * time + t] as number;
        gold +=
          emit(b, t, y) +
          (s === 0 ? (v.start[y] as number) : A(tags[b * time + (steps[s - 1] as number)] as number, y));
      });
      gold += v.end[tags[b * time + (steps[n - 1] as number)] as number] as number;
    }
    values[b] = logZ - gold;
    if (upstream === undefined) continue;
    const w = upstream[b] as number;
    // β backwards, adding the marginals as it goes.
    let beta = Float64Array.from(v.end as ArrayLike<number>);
    for (let s = n - 1; s >= 0; s--) {
      const t = steps[s] as number;
      const a = alpha[s] as Float64Array;
      for (let j = 0; j < k; j++) {
        const p = Math.exp((a[j] as number) + (beta[j] as number) - logZ);
        bump(grad.emissions, (b * time + t) * k + j, w * p);
        if (s === 0) bump(grad.start, j, w * p);
        if (s === n - 1) bump(grad.end, j, w * p);
      }
      if (s === 0) break;
      const prev = alpha[s - 1] as Float64Array;
      const next = new Float64Array(k);
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
          const into = A(i, j) + emit(b, t, j) + (beta[j] as number);
          terms[j] = into;
          bump(grad.transitions, i * k + j, w * Math.exp((prev[i] as number) + into - logZ));
        }
        next[i] = logSumExp(terms);
      }
      beta = next;
    }
    if (tags === undefined) continue;
    steps.forEach((t, s) => {
      const y = tags[b * time + t] as number;
      bump(grad.emissions, (b * time + t) * k + y, -w);
      if (s === 0) bump(grad.start, y, -w);
      else bump(grad.transitions, (tags[b * time + (steps[s - 1] as number)] as number) * k + y, -w);
    });
    bump(grad.end, tags[b * time + (steps[n - 1] as number)] as number, -w);
  }
  return { values, grad };
}

/** The best path of each row's real steps and its score (Viterbi: the α recursion with max for logsumexp). */
export function viterbiPaths(v: CrfValues, mask: ArrayLike<number> | undefined): { tags: number[]; score: number }[] {
  const { batch, time, k } = v;
  const paths: { tags: number[]; score: number }[] = [];
  for (let b = 0; b < batch; b++) {
    const steps = realSteps(mask, b, time);
    if (steps.length === 0) {
      paths.push({ tags: [], score: 0 });
      continue;
    }
    const emit = (t: number, j: number) => v.emissions[(b * time + t) * k + j] as number;
    let delta = Array.from({ length: k }, (_, j) => (v.start[j] as number) + emit(steps[0] as number, j));
    const back: Int32Array[] = [];
    for (const t of steps.slice(1)) {
      const pointers = new Int32Array(k);
      const next = new Array<number>(k);
      for (let j = 0; j < k; j++) {
        let best = -Infinity;
        for (let i = 0; i < k; i++) {
          const s = (delta[i] as number) + (v.transitions[i * k + j] as number);
          if (s > best) {
            best = s;
            pointers[j] = i;
          }
        }
        next[j] = best + emit(t, j);
      }
      back.push(pointers);
      delta = next;
    }
    let tag = 0;
    let score = -Infinity;
    for (let j = 0; j < k; j++) {
      const s = (delta[j] as number) + (v.end[j] as number);
      if (s > score) {
        score = s;
        tag = j;
      }
    }
    const tags = [tag];
    for (let s = back.length - 1; s >= 0; s--) {
      tag = (back[s] as Int32Array)[tag] as number;
      tags.push(tag);
    }
    paths.push({ tags: tags.reverse(), score });
  }
  return paths;
}
