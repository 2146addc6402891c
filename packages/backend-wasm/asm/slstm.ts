/**
 * Fused sLSTM sequence kernel (core's `kernels/slstm-sequence.ts` is the oracle, with the
 * equations, the backward pass and the layouts): the input projection of each step through
 * `gemm`, the block-diagonal recurrence per head and the stabilised gates in scalar loops
 * (exp, log and tanh per unit: the recurrence is a few heads of small blocks, not one
 * large product). Workspaces `[T,B,·]` time-major by input time; pointers are byte
 * addresses, sizes in floats.
 */
import { flushOne, isReal, timeAt } from './common';
import { gemm, gemmWorkBytes } from './gemm';
import { Lanes } from './math';

// Scalar forms of the lane functions: Mathf's would bring lookup tables (a data segment),
// which this module must not carry (it shares tfjs' heap).
function exp(v: f32): f32 {
  return f32x4.extract_lane(Lanes.exp(f32x4.splat(v)), 0);
}

function log1p(v: f32): f32 {
  return f32x4.extract_lane(Lanes.log1p(f32x4.splat(v)), 0);
}

function tanh(v: f32): f32 {
  return f32x4.extract_lane(Lanes.tanh(f32x4.splat(v)), 0);
}

function f(p: usize, i: i32): f32 {
  return load<f32>(p + <usize>i * 4);
}

function put(p: usize, i: i32, v: f32): void {
  store<f32>(p + <usize>i * 4, v);
}

function sigmoid(v: f32): f32 {
  return f32x4.extract_lane(Lanes.sigmoid(f32x4.splat(v)), 0);
}

/** log σ(v) = −softplus(−v), finite where σ(v) underflows. */
function logSigmoid(v: f32): f32 {
  return v >= 0 ? -log1p(exp(-v)) : v - log1p(exp(v));
}

/** log f + m_{t−1}, or −∞ for the empty state (n_{t−1} = 0: nothing to keep). */
function keptOf(fTilde: f32, nPrev: f32, mPrev: f32, exponential: bool): f32 {
  if (nPrev === 0) return -Infinity;
  return (exponential ? fTilde : logSigmoid(fTilde)) + mPrev;
}

/** Scratch of the forward pass: the products' packing space, then one head's `[B, 4·headSize]` product. */
export function slstmForwardScratch(batch: i32, units: i32): i32 {
  return gemmWorkBytes(4 * units) + batch * 4 * units * 4;
}

/** pre[t] = x_t·W + b + h_{t−1}·R (per head), time-major. */
function preActivations(
  batch: i32,
  time: i32,
  input: i32,
  units: i32,
  heads: i32,
  t: i32,
  x: usize,
  kernel: usize,
  recurrent: usize,
  bias: usize,
  h: usize,
  pre: usize,
  work: usize,
): void {
  const g4 = 4 * units;
  const z = pre + <usize>(t * batch * g4) * 4;
  gemm(false, false, batch, g4, input, x + <usize>(t * input) * 4, time * input, kernel, g4, z, g4, false, work);
  const dh = units / heads;
  for (let b = 0; b < batch; b++) {
    const zb = z + <usize>(b * g4) * 4;
    for (let c = 0; c < g4; c++) put(zb, c, f(zb, c) + f(bias, c));
  }
  // Head k: h[:, k] · R_k as one product [B, dh] × [dh, 4·dh], then added to the columns
  // (gate g, head k) of z.
  const product = work + <usize>gemmWorkBytes(g4);
  for (let k = 0; k < heads; k++) {
    const rk = recurrent + <usize>(k * dh * 4 * dh) * 4;
    gemm(false, false, batch, 4 * dh, dh, h + <usize>(k * dh) * 4, units, rk, 4 * dh, product, 4 * dh, false, work);
    for (let b = 0; b < batch; b++) {
      const zb = z + <usize>(b * g4) * 4;
      for (let g = 0; g < 4; g++) {
        for (let j = 0; j < dh; j++) {
          const at = g * units + k * dh + j;
          put(zb, at, f(zb, at) + f(product, (b * 4 + g) * dh + j));
        }
      }
    }
  }
}

export function slstmForward(
  batch: i32,
  time: i32,
  input: i32,
  units: i32,
  heads: i32,
  x: usize,
  kernel: usize,
  recurrent: usize,
  bias: usize,
  h0: usize,
  c0: usize,
  n0: usize,
  m0: usize,
  mask: usize,
  exponential: bool,
  reverse: bool,
  zeros: bool,
  ys: usize,
  hT: usize,
  cT: usize,
  nT: usize,
  mT: usize,
  pre: usize,
  hs: usize,
  cs: usize,
  ns: usize,
  ms: usize,
  scratch: usize,
): void {
  const state = <usize>(batch * units) * 4;
  memory.copy(hT, h0, state);
  memory.copy(cT, c0, state);
  memory.copy(nT, n0, state);
  memory.copy(mT, m0, state);
  memory.fill(ys, 0, <usize>(batch * time * units) * 4);
  const g4 = 4 * units;
  // The projection of step t needs h_{t−1} of every row: steps in order, all rows together.
  for (let s = 0; s < time; s++) {
    const t = timeAt(s, time, reverse);
    preActivations(batch, time, input, units, heads, t, x, kernel, recurrent, bias, hT, pre, scratch);
    for (let b = 0; b < batch; b++) {
      const z = pre + <usize>((t * batch + b) * g4) * 4;
      if (isReal(mask, b, t, time)) {
        for (let j = 0; j < units; j++) {
          const at = b * units + j;
          const iT = f(z, j);
          const kept = keptOf(f(z, units + j), f(nT, at), f(mT, at), exponential);
          const m = max(kept, iT);
          const ig = exp(iT - m);
          const fg: f32 = kept === -Infinity ? 0 : exp(kept - m);
          const c = fg * f(cT, at) + ig * tanh(f(z, 2 * units + j));
          const n = fg * f(nT, at) + ig;
          put(cT, at, c);
          put(nT, at, n);
          put(mT, at, m);
          put(hT, at, sigmoid(f(z, 3 * units + j)) * (c / n));
        }
      }
    }
    const o = <usize>(t * batch * units) * 4;
    memory.copy(hs + o, hT, state);
    memory.copy(cs + o, cT, state);
    memory.copy(ns + o, nT, state);
    memory.copy(ms + o, mT, state);
  }
  for (let b = 0; b < batch; b++) {
    let seen = false;
    for (let s = 0; s < time; s++) {
      const t = timeAt(s, time, reverse);
      const real = isReal(mask, b, t, time);
      seen = seen || real;
      if (zeros ? real : seen) {
        memory.copy(
          ys + <usize>((b * time + t) * units) * 4,
          hs + <usize>((t * batch + b) * units) * 4,
          <usize>units * 4,
        );
      }
    }
  }
}

/** Scratch of the backward pass: dZ `[T,B,4U]`, the products' packing space, one head's dz and dh, each row's first real step. */
export function slstmBackwardScratch(batch: i32, time: i32, input: i32, units: i32): i32 {
  const work = max(gemmWorkBytes(4 * units), gemmWorkBytes(input));
  return time * batch * 4 * units * 4 + work + batch * 4 * units * 4 + batch * units * 4 + batch * 4;
}

export function slstmBackward(
  batch: i32,
  time: i32,
  input: i32,
  units: i32,
  heads: i32,
  x: usize,
  kernel: usize,
  recurrent: usize,
  h0: usize,
  c0: usize,
  n0: usize,
  m0: usize,
  mask: usize,
  pre: usize,
  hs: usize,
  cs: usize,
  ns: usize,
  ms: usize,
  dys: usize,
  dhT: usize,
  dcT: usize,
  dnT: usize,
  dmT: usize,
  exponential: bool,
  reverse: bool,
  zeros: bool,
  skipDx: bool,
  dx: usize,
  dKernel: usize,
  dRecurrent: usize,
  dBias: usize,
  dh0: usize,
  dc0: usize,
  dn0: usize,
  dm0: usize,
  scratch: usize,
): void {
  const g4 = 4 * units;
  const dh = units / heads;
  const state = <usize>(batch * units) * 4;
  // dh0 … dm0 carry each row's gradients from later steps until every step is done.
  memory.copy(dh0, dhT, state);
  memory.copy(dc0, dcT, state);
  memory.copy(dn0, dnT, state);
  memory.copy(dm0, dmT, state);
  const dZ = scratch;
  const work = dZ + <usize>(time * batch * g4) * 4;
  const headDz = work + <usize>max(gemmWorkBytes(g4), gemmWorkBytes(input));
  const dhNew = headDz + <usize>(batch * g4) * 4;
  const firstReal = dhNew + <usize>(batch * units) * 4;
  memory.fill(dZ, 0, <usize>(time * batch * g4) * 4);
  memory.fill(dRecurrent, 0, <usize>(heads * dh * 4 * dh) * 4);
  // Which steps emit their state: the real ones, or (previous) every one from a row's first real step.
  for (let b = 0; b < batch; b++) {
    let first = time;
    for (let s = 0; s < time; s++) {
      if (isReal(mask, b, timeAt(s, time, reverse), time)) {
        first = s;
        break;
      }
    }
    store<i32>(firstReal + <usize>b * 4, first);
  }
  // Steps outer, rows inner: the recurrent products of a step run over every row at once.
  for (let s = time - 1; s >= 0; s--) {
    const t = timeAt(s, time, reverse);
    const prevT = s === 0 ? -1 : timeAt(s - 1, time, reverse);
    for (let b = 0; b < batch; b++) {
      const real = isReal(mask, b, t, time);
      const so = (t * batch + b) * units;
      const prevRow = prevT < 0 ? -1 : (prevT * batch + b) * units;
      const emitted = zeros ? real : s >= load<i32>(firstReal + <usize>b * 4);
      for (let j = 0; j < units; j++) {
        const add = emitted ? f(dys, (b * time + t) * units + j) : 0;
        put(dh0, b * units + j, flushOne(f(dh0, b * units + j)) + add);
      }
      // A padded step kept every state: its gradients pass through (its dz stays 0).
      if (!real) continue;
      const z = pre + <usize>(so * 4) * 4;
      const dz = dZ + <usize>(so * 4) * 4;
      for (let j = 0; j < units; j++) {
        const at = b * units + j;
        const cPrev = prevRow < 0 ? f(c0, at) : f(cs, prevRow + j);
        const nPrev = prevRow < 0 ? f(n0, at) : f(ns, prevRow + j);
        const mPrev = prevRow < 0 ? f(m0, at) : f(ms, prevRow + j);
        const iT = f(z, j);
        const fT = f(z, units + j);
        const kept = keptOf(fT, nPrev, mPrev, exponential);
        const m = max(kept, iT);
        const ig = exp(iT - m);
        const fg: f32 = kept === -Infinity ? 0 : exp(kept - m);
        const g = tanh(f(z, 2 * units + j));
        const o = sigmoid(f(z, 3 * units + j));
        const c = f(cs, so + j);
        const n = f(ns, so + j);
        const ratio = c / n;
        const dhj = f(dh0, at);
        const dc = flushOne(f(dc0, at)) + (dhj * o) / n;
        const dn = flushOne(f(dn0, at)) - (dhj * o * ratio) / n;
        const di = (dc * g + dn) * ig;
        const df = (dc * cPrev + dn * nPrev) * fg;
        const dm = flushOne(f(dm0, at)) - di - df;
        const toKept = kept >= iT;
        const dKept = df + (toKept ? dm : 0);
        put(dz, j, di + (toKept ? 0 : dm));
        put(dz, units + j, exponential ? dKept : dKept * sigmoid(-fT));
        put(dz, 2 * units + j, dc * ig * (1 - g * g));
        put(dz, 3 * units + j, dhj * ratio * o * (1 - o));
        put(dc0, at, dc * fg);
        put(dn0, at, dn * fg);
        put(dm0, at, dKept);
      }
    }
    // Per head k: dh_{t−1}[:, k] = dz_k·R_kᵀ and dR_k += h_{t−1}[:, k]ᵀ·dz_k, dz_k being the
    // columns (gate g, head k) of the step's dz gathered into [B, 4·dh].
    const dzStep = dZ + <usize>(t * batch * g4) * 4;
    const hPrev = prevT < 0 ? h0 : hs + <usize>(prevT * batch * units) * 4;
    for (let k = 0; k < heads; k++) {
      for (let b = 0; b < batch; b++) {
        for (let g = 0; g < 4; g++) {
          memory.copy(
            headDz + <usize>((b * 4 + g) * dh) * 4,
            dzStep + <usize>(b * g4 + g * units + k * dh) * 4,
            <usize>dh * 4,
          );
        }
      }
      const rk = recurrent + <usize>(k * dh * 4 * dh) * 4;
      gemm(false, true, batch, dh, 4 * dh, headDz, 4 * dh, rk, 4 * dh, dhNew + <usize>(k * dh) * 4, units, false, work);
      const dRk = dRecurrent + <usize>(k * dh * 4 * dh) * 4;
      gemm(true, false, dh, 4 * dh, batch, hPrev + <usize>(k * dh) * 4, units, headDz, 4 * dh, dRk, 4 * dh, true, work);
    }
    for (let b = 0; b < batch; b++) {
      if (isReal(mask, b, t, time)) {
        memory.copy(dh0 + <usize>(b * units) * 4, dhNew + <usize>(b * units) * 4, <usize>units * 4);
      }
    }
  }
  // dX_t = dZ_t·Wᵀ (only where core asked for it: skipGradients), dW = Σ_t X_tᵀ·dZ_t, db = Σ dZ.
  memory.fill(dBias, 0, <usize>g4 * 4);
  if (skipDx) memory.fill(dx, 0, <usize>(batch * time * input) * 4);
  for (let t = 0; t < time; t++) {
    const dzt = dZ + <usize>(t * batch * g4) * 4;
    if (!skipDx) {
      gemm(false, true, batch, input, g4, dzt, g4, kernel, g4, dx + <usize>(t * input) * 4, time * input, false, work);
    }
    gemm(true, false, input, g4, batch, x + <usize>(t * input) * 4, time * input, dzt, g4, dKernel, g4, t > 0, work);
    for (let b = 0; b < batch; b++) {
      for (let c = 0; c < g4; c++) put(dBias, c, f(dBias, c) + f(dzt, b * g4 + c));
    }
  }
}
