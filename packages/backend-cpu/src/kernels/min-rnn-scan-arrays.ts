/**
 * minRnnScan's forward and backward on plain arrays (min-rnn-scan.ts registers them; the
 * cpu workers run them on their rows): one sequential pass over time per row, vectorised by
 * nothing but the loop over features; the backward pass recomputes the gates from `pre`
 * rather than saving them.
 *
 * Gradients under 2⁻¹⁰⁰ in magnitude are flushed to zero, as the wasm kernel does (see
 * asm/min-rnn.ts: there the subnormal products they lead to make x·W's gradient up to 75
 * times slower), so that both backends give the same numbers; they are gradients that
 * decayed through many steps, too small to change a float32 sum that any gradient above
 * 2⁻⁷⁶ joins.
 */
import { flush } from './flush.js';
import { timeAt } from './scan-dims.js';

export interface MinRnnDims {
  readonly batch: number;
  readonly time: number;
  /** blocks·H, the last axis of `pre`. */
  readonly width: number;
  readonly units: number;
}

export interface MinRnnAttrs {
  readonly gates: 'minGru' | 'minLstm';
  readonly candidate: 'g' | 'linear';
  readonly reverse: boolean;
}

interface MinRnnArrays {
  /** `[B, T, blocks·H]`. */
  readonly pre: Float32Array;
  /** `[blocks·H]`, shared by every row. */
  readonly bias: Float32Array;
  readonly h0: Float32Array;
  readonly mask: Float32Array;
}

interface MinRnnGradArrays extends MinRnnArrays {
  readonly hs: Float32Array;
  readonly dhs: Float32Array;
  readonly dhT: Float32Array;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

/** c(x) and c′(x) of the candidate: the paper's g (c′(0) = 0, as in core's reference) or the identity. */
function candidateFns(candidate: 'g' | 'linear') {
  if (candidate === 'linear') return { c: (x: number) => x, slope: (_: number) => 1 };
  return {
    c: (x: number) => (x >= 0 ? x + 0.5 : sigmoid(x)),
    slope: (x: number) => (x > 0 ? 1 : x < 0 ? sigmoid(x) * sigmoid(-x) : 0),
  };
}

/**
 * One step's a, b and the chain rule back to the pre-activations, for one feature: `k(j)`
 * is block j's pre-activation plus its bias; `dpre` at offset `p` takes block 0's gradient,
 * blocks `H` apart.
 */
interface Gates {
  coefficients(k: (block: number) => number, out: Float64Array): void;
  backward(k: (block: number) => number, g: number, previous: number, dpre: Float32Array, p: number, H: number): number;
}

function gatesOf(kind: 'minGru' | 'minLstm', candidate: 'g' | 'linear'): Gates {
  const { c, slope } = candidateFns(candidate);
  if (kind === 'minGru') {
    return {
      coefficients(k, out) {
        out[0] = sigmoid(-k(0));
        out[1] = sigmoid(k(0)) * c(k(1));
      },
      // dk = σ(k)σ(−k)(db·c − da), dk̃ = db·σ(k)·c′(k̃), with da = g·h_{t−1}, db = g; returns a.
      backward(k, g, previous, dpre, p, H) {
        const kc = k(1);
        const [z, a] = [sigmoid(k(0)), sigmoid(-k(0))];
        dpre[p] = flush(z * a * (g * c(kc) - g * previous));
        dpre[p + H] = flush(g * z * slope(kc));
        return a;
      },
    };
  }
  const logRatio = (k: (block: number) => number) => softplus(-k(1)) - softplus(-k(0));
  return {
    coefficients(k, out) {
      const d = logRatio(k);
      out[0] = sigmoid(d);
      out[1] = sigmoid(-d) * c(k(2));
    },
    // dd = σ(d)σ(−d)(da − db·c), dk_f = dd·σ(−k_f), dk_i = −dd·σ(−k_i), dk̃ = db·σ(−d)·c′(k̃); returns a.
    backward(k, g, previous, dpre, p, H) {
      const d = logRatio(k);
      const [f, i, kc] = [sigmoid(d), sigmoid(-d), k(2)];
      const dd = f * i * (g * previous - g * c(kc));
      dpre[p] = flush(dd * sigmoid(-k(0)));
      dpre[p + H] = flush(-dd * sigmoid(-k(1)));
      dpre[p + 2 * H] = flush(g * i * slope(kc));
      return f;
    },
  };
}

export function minRnnScanForward(v: MinRnnArrays, d: MinRnnDims, attrs: MinRnnAttrs) {
  const { batch: B, time: T, width: W, units: H } = d;
  const gates = gatesOf(attrs.gates, attrs.candidate);
  const hs = new Float32Array(B * T * H);
  const hT = Float32Array.from(v.h0);
  const ab = new Float64Array(2);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < T; s++) {
      const t = timeAt(s, T, attrs.reverse);
      if (v.mask[b * T + t] !== 0) {
        const row = (b * T + t) * W;
        for (let f = 0; f < H; f++) {
          gates.coefficients((j) => (v.pre[row + j * H + f] as number) + (v.bias[j * H + f] as number), ab);
          hT[b * H + f] = (ab[0] as number) * (hT[b * H + f] as number) + (ab[1] as number);
        }
      }
      hs.set(hT.subarray(b * H, (b + 1) * H), (b * T + t) * H);
    }
  }
  return { hs, hT };
}

/** dpre, dBias (this call's rows summed) and dh0. */
export function minRnnScanBackward(v: MinRnnGradArrays, d: MinRnnDims, attrs: MinRnnAttrs) {
  const { batch: B, time: T, width: W, units: H } = d;
  const gates = gatesOf(attrs.gates, attrs.candidate);
  const dpre = new Float32Array(B * T * W);
  // Summed in float64: B·T terms per entry.
  const dbias = new Float64Array(W);
  // The gradient reaching each row's state from later steps; dh0 once every step is done.
  const carried = Float32Array.from(v.dhT);
  for (let b = 0; b < B; b++) {
    for (let s = T - 1; s >= 0; s--) {
      const t = timeAt(s, T, attrs.reverse);
      const o = (b * T + t) * H;
      const previous = s === 0 ? b * H : (b * T + timeAt(s - 1, T, attrs.reverse)) * H;
      const before = s === 0 ? v.h0 : v.hs;
      const real = v.mask[b * T + t] !== 0;
      const row = (b * T + t) * W;
      for (let f = 0; f < H; f++) {
        const g = (carried[b * H + f] as number) + (v.dhs[o + f] as number);
        const k = (j: number) => (v.pre[row + j * H + f] as number) + (v.bias[j * H + f] as number);
        const a = real ? gates.backward(k, g, before[previous + f] as number, dpre, row + f, H) : 1;
        carried[b * H + f] = flush(a * g);
      }
      if (real) for (let j = 0; j < W; j++) dbias[j] = (dbias[j] as number) + (dpre[row + j] as number);
    }
  }
  return { dpre, dBias: Float32Array.from(dbias), dh0: carried };
}
