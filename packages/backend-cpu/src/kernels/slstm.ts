/**
 * Fused sLSTM sequence kernel on the cpu backend: the same function as core's reference
 * `RecurSlstmSequence` (see its doc for the equations, the backward pass and the
 * layouts), on typed arrays. One product for the input projection of all steps; the
 * block-diagonal recurrence per head and the stabilised gates in one loop per step; the
 * backward pass collects every step's pre-activation gradients and forms the input
 * weight gradients as large products at the end.
 */
import { gemm } from '../gemm.js';
import { flush } from './flush.js';
import {
  type BackwardAttrs,
  emitOutputs,
  emittedSteps,
  previousStates,
  projectionGradients,
  type SequenceDims,
  stepOrder,
} from './sequence-common.js';

export interface SlstmArrays {
  readonly x: Float32Array;
  readonly kernel: Float32Array;
  readonly recurrentKernel: Float32Array;
  readonly bias: Float32Array;
  readonly h0: Float32Array;
  readonly c0: Float32Array;
  readonly n0: Float32Array;
  readonly m0: Float32Array;
  readonly mask: Float32Array;
}

export interface SlstmAttrs {
  readonly forgetGate: 'sigmoid' | 'exponential';
  readonly reverse: boolean;
  readonly maskedOutput: 'zeros' | 'previous';
}

export interface SlstmDims extends SequenceDims {
  readonly heads: number;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
/** log σ(v) = −softplus(−v), finite where σ(v) underflows. */
const logSigmoid = (v: number) => (v >= 0 ? -Math.log1p(Math.exp(-v)) : v - Math.log1p(Math.exp(v)));

/** z_rec = h·R per head, added into `z` (row layout: gate block, head, unit). */
function addRecurrent(z: Float32Array, zo: number, h: Float32Array, ho: number, r: Float32Array, d: SlstmDims): void {
  const U = d.units;
  const dh = U / d.heads;
  for (let k = 0; k < d.heads; k++) {
    const rk = k * dh * 4 * dh;
    for (let q = 0; q < dh; q++) {
      const hv = h[ho + k * dh + q] as number;
      if (hv === 0) continue;
      const row = rk + q * 4 * dh;
      for (let g = 0; g < 4; g++) {
        for (let j = 0; j < dh; j++) {
          const at = zo + g * U + k * dh + j;
          z[at] = (z[at] as number) + hv * (r[row + g * dh + j] as number);
        }
      }
    }
  }
}

/** The stabilised gates of one unit from its pre-activations and the state it starts from. */
function gates(iT: number, fT: number, nPrev: number, mPrev: number, forgetGate: SlstmAttrs['forgetGate']) {
  const empty = nPrev === 0;
  const kept = empty ? Number.NEGATIVE_INFINITY : (forgetGate === 'sigmoid' ? logSigmoid(fT) : fT) + mPrev;
  const m = Math.max(kept, iT);
  return { kept, m, i: Math.exp(iT - m), f: empty ? 0 : Math.exp(kept - m) };
}

export function slstmForward(v: SlstmArrays, d: SlstmDims, attrs: SlstmAttrs) {
  const { batch: B, time: T, input: I, units: U } = d;
  const G = 4 * U;
  const zx = new Float32Array(B * T * G);
  for (let r = 0; r < B * T; r++) zx.set(v.bias, r * G);
  gemm({
    transA: false,
    transB: false,
    m: B * T,
    n: G,
    k: I,
    a: v.x,
    lda: I,
    b: v.kernel,
    ldb: G,
    beta: 1,
    c: zx,
    ldc: G,
  });
  const pre = new Float32Array(T * B * G);
  const [hs, cs, ns, ms] = [0, 0, 0, 0].map(() => new Float32Array(T * B * U)) as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  const [h, c, n, m] = [v.h0, v.c0, v.n0, v.m0].map((s) => Float32Array.from(s)) as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  for (const t of stepOrder(T, attrs.reverse)) {
    for (let b = 0; b < B; b++) {
      const zo = (t * B + b) * G;
      pre.set(zx.subarray((b * T + t) * G, (b * T + t + 1) * G), zo);
      addRecurrent(pre, zo, h, b * U, v.recurrentKernel, d);
    }
    for (let b = 0; b < B; b++) {
      if (v.mask[b * T + t] === 0) continue;
      const zo = (t * B + b) * G;
      for (let j = 0; j < U; j++) {
        const s = b * U + j;
        const g = gates(
          pre[zo + j] as number,
          pre[zo + U + j] as number,
          n[s] as number,
          m[s] as number,
          attrs.forgetGate,
        );
        const cNew = g.f * (c[s] as number) + g.i * Math.tanh(pre[zo + 2 * U + j] as number);
        const nNew = g.f * (n[s] as number) + g.i;
        c[s] = cNew;
        n[s] = nNew;
        m[s] = g.m;
        h[s] = sigmoid(pre[zo + 3 * U + j] as number) * (Math.fround(cNew) / Math.fround(nNew));
      }
    }
    hs.set(h, t * B * U);
    cs.set(c, t * B * U);
    ns.set(n, t * B * U);
    ms.set(m, t * B * U);
  }
  const ys = emitOutputs(hs, v.mask, d, attrs.maskedOutput, attrs.reverse);
  return { ys, hT: h, cT: c, nT: n, mT: m, pre, hs, cs, ns, ms };
}

export interface SlstmGradArrays extends SlstmArrays {
  readonly pre: Float32Array;
  readonly hs: Float32Array;
  readonly cs: Float32Array;
  readonly ns: Float32Array;
  readonly ms: Float32Array;
  readonly dys: Float32Array;
  readonly dhT: Float32Array;
  readonly dcT: Float32Array;
  readonly dnT: Float32Array;
  readonly dmT: Float32Array;
}

export function slstmBackward(v: SlstmGradArrays, d: SlstmDims, attrs: SlstmAttrs & BackwardAttrs) {
  const { batch: B, time: T, units: U, heads: H } = d;
  const G = 4 * U;
  const dh = U / H;
  const emitted = emittedSteps(v.mask, d, attrs.maskedOutput, attrs.reverse);
  const [hPrev, cPrev, nPrev, mPrev] = [
    [v.hs, v.h0],
    [v.cs, v.c0],
    [v.ns, v.n0],
    [v.ms, v.m0],
  ].map(([all, first]) => previousStates(all as Float32Array, first as Float32Array, d, attrs.reverse));
  const dZ = new Float32Array(T * B * G);
  const [dH, dC, dN, dM] = [v.dhT, v.dcT, v.dnT, v.dmT].map((s) => Float32Array.from(s)) as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  const dRecurrentKernel = new Float32Array(v.recurrentKernel.length);
  for (const t of stepOrder(T, attrs.reverse).reverse()) {
    for (let b = 0; b < B; b++) {
      const so = (t * B + b) * U;
      const out = emitted[t * B + b] ? (b * T + t) * U : -1;
      for (let j = 0; j < U; j++)
        dH[b * U + j] = flush(dH[b * U + j] as number) + (out < 0 ? 0 : (v.dys[out + j] as number));
      // A padded step kept every state: its gradients pass through unchanged.
      if (v.mask[b * T + t] === 0) continue;
      const zo = (t * B + b) * G;
      for (let j = 0; j < U; j++) {
        const s = b * U + j;
        const [iT, fT, zT, oT] = [0, 1, 2, 3].map((k) => v.pre[zo + k * U + j] as number) as [
          number,
          number,
          number,
          number,
        ];
        const [c0, n0] = [cPrev![so + j] as number, nPrev![so + j] as number];
        const g = gates(iT, fT, n0, mPrev![so + j] as number, attrs.forgetGate);
        const [c, n] = [v.cs[so + j] as number, v.ns[so + j] as number];
        const z = Math.tanh(zT);
        const o = sigmoid(oT);
        const ratio = c / n;
        const dhj = dH[s] as number;
        const dc = flush(dC[s] as number) + (dhj * o) / n;
        const dn = flush(dN[s] as number) - (dhj * o * ratio) / n;
        const di = (dc * z + dn) * g.i;
        const df = (dc * c0 + dn * n0) * g.f;
        const dm = flush(dM[s] as number) - di - df;
        const toKept = g.kept >= iT;
        const dKept = df + (toKept ? dm : 0);
        dZ[zo + j] = di + (toKept ? 0 : dm);
        dZ[zo + U + j] = attrs.forgetGate === 'sigmoid' ? dKept * sigmoid(-fT) : dKept;
        dZ[zo + 2 * U + j] = dc * g.i * (1 - z * z);
        dZ[zo + 3 * U + j] = dhj * ratio * o * (1 - o);
        dC[s] = dc * g.f;
        dN[s] = dn * g.f;
        dM[s] = dKept;
      }
      // dh_{t−1} = dz·Rᵀ per head, and dR += h_{t−1}ᵀ dz.
      for (let k = 0; k < H; k++) {
        const rk = k * dh * 4 * dh;
        for (let q = 0; q < dh; q++) {
          const row = rk + q * 4 * dh;
          const hv = hPrev![so + k * dh + q] as number;
          let acc = 0;
          for (let gi = 0; gi < 4; gi++) {
            for (let j = 0; j < dh; j++) {
              const dzv = dZ[zo + gi * U + k * dh + j] as number;
              acc += dzv * (v.recurrentKernel[row + gi * dh + j] as number);
              dRecurrentKernel[row + gi * dh + j] = (dRecurrentKernel[row + gi * dh + j] as number) + hv * dzv;
            }
          }
          dH[b * U + k * dh + q] = acc;
        }
      }
    }
  }
  const { dx, dKernel, dBias } = projectionGradients(v.x, v.kernel, dZ, d, G, attrs);
  return { dx, dKernel, dRecurrentKernel, dBias, dh0: dH, dc0: dC, dn0: dN, dm0: dM };
}
