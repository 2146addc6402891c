import { gemm } from '../gemm.js';

/**
 * Shared bookkeeping of the fused sequence kernels, on plain typed arrays. Layouts follow
 * core's `kernels/sequence-inputs.ts`: x `[B,T,I]` batch-major; workspaces `[T,B,·]` indexed by
 * input time; mask `[B,T]` (non-zero = real step).
 */
export interface SequenceDims {
  readonly batch: number;
  readonly time: number;
  readonly input: number;
  readonly units: number;
}

/** Input time of each processing step. */
export function stepOrder(time: number, reverse: boolean): number[] {
  const order = Array.from({ length: time }, (_, s) => s);
  return reverse ? order.reverse() : order;
}

/**
 * `[T,B]` 0/1: whether step t of row b emits its state. 'zeros': real steps only.
 * 'previous': every step at or after the row's first real step in processing order.
 */
export function emittedSteps(
  mask: Float32Array,
  d: SequenceDims,
  maskedOutput: 'zeros' | 'previous',
  reverse: boolean,
): Uint8Array {
  const out = new Uint8Array(d.time * d.batch);
  for (let b = 0; b < d.batch; b++) {
    let seen = false;
    for (const t of stepOrder(d.time, reverse)) {
      const real = mask[b * d.time + t] !== 0;
      seen ||= real;
      out[t * d.batch + b] = (maskedOutput === 'zeros' ? real : seen) ? 1 : 0;
    }
  }
  return out;
}

/** `x [B,T,I]` → `[T·B, I]` time-major. */
export function toTimeMajor(x: Float32Array, batch: number, time: number, width: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < time; t++)
      out.set(x.subarray((b * time + t) * width, (b * time + t + 1) * width), (t * batch + b) * width);
  }
  return out;
}

/** `[T·B, w]` time-major → `[B,T,w]`. */
export function toBatchMajor(x: Float32Array, batch: number, time: number, width: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let t = 0; t < time; t++) {
    for (let b = 0; b < batch; b++)
      out.set(x.subarray((t * batch + b) * width, (t * batch + b + 1) * width), (b * time + t) * width);
  }
  return out;
}

/**
 * States each step started from, time-major `[T·B, H]`: h0 for the first step in
 * processing order, else the workspace state of the previous step.
 */
export function previousStates(hs: Float32Array, h0: Float32Array, d: SequenceDims, reverse: boolean): Float32Array {
  const out = new Float32Array(d.time * d.batch * d.units);
  const order = stepOrder(d.time, reverse);
  const size = d.batch * d.units;
  order.forEach((t, s) => {
    if (s === 0) out.set(h0, t * size);
    else {
      const prev = order[s - 1] as number;
      out.set(hs.subarray(prev * size, (prev + 1) * size), t * size);
    }
  });
  return out;
}

/** Column sums of a `[rows, cols]` matrix. */
export function columnSums(m: Float32Array, rows: number, cols: number): Float32Array {
  const acc = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) acc[c] = (acc[c] as number) + (m[o + c] as number);
  }
  return Float32Array.from(acc);
}

/** `ys [B,T,H]`: the state of each step where it is emitted (see `emittedSteps`), zeros elsewhere. */
export function emitOutputs(
  hs: Float32Array,
  mask: Float32Array,
  d: SequenceDims,
  maskedOutput: 'zeros' | 'previous',
  reverse: boolean,
): Float32Array {
  const { batch: B, time: T, units: H } = d;
  const emitted = emittedSteps(mask, d, maskedOutput, reverse);
  const ys = new Float32Array(B * T * H);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      if (emitted[t * B + b]) ys.set(hs.subarray((t * B + b) * H, (t * B + b + 1) * H), (b * T + t) * H);
    }
  }
  return ys;
}

/** A backward kernel's attributes beyond the forward's. */
export interface BackwardAttrs {
  /**
   * Inputs whose gradients nobody asked for (core's register-gradients); `x` there skips
   * dX, which is then zeros.
   */
  readonly skipGradients?: readonly string[];
}

/**
 * Gradients of the input projection Z = X·W + b of every step, from `dZ [T·B, G]`
 * (time-major): dX = dZ·Wᵀ (returned batch-major), dW = Xᵀ·dZ, db = Σ dZ — three large
 * products instead of one per step; two where `attrs.skipGradients` holds `x`.
 */
export function projectionGradients(
  x: Float32Array,
  kernel: Float32Array,
  dZ: Float32Array,
  d: SequenceDims,
  width: number,
  attrs: BackwardAttrs,
) {
  const { batch: B, time: T, input: I } = d;
  const xTm = toTimeMajor(x, B, T, I);
  const dKernel = new Float32Array(I * width);
  gemm({
    transA: true,
    transB: false,
    m: I,
    n: width,
    k: T * B,
    a: xTm,
    lda: I,
    b: dZ,
    ldb: width,
    c: dKernel,
    ldc: width,
  });
  const dBias = columnSums(dZ, T * B, width);
  if (attrs.skipGradients?.includes('x')) return { dx: new Float32Array(B * T * I), dKernel, dBias };
  const dxTm = new Float32Array(T * B * I);
  gemm({
    transA: false,
    transB: true,
    m: T * B,
    n: I,
    k: width,
    a: dZ,
    lda: width,
    b: kernel,
    ldb: width,
    c: dxTm,
    ldc: I,
  });
  return { dx: toBatchMajor(dxTm, B, T, I), dKernel, dBias };
}
