/**
 * RWKV-4's layer written again from the paper in float64 (Peng et al. 2023, arXiv
 * 2305.13048v2, eqs. 11–18), one batch row at a time. The WKV state is kept in true
 * scale, N = Σ_{i<t} e^{−(t−1−i)w + k_i} v_i and D likewise (eq. 16's sums, built one
 * step at a time): float64 holds e^{±700}, so this oracle needs no stabiliser and checks
 * the cell's. Its running max is tracked only to report the state as the cell does.
 */
import type { RwkvConfig } from '@recur/cells';
import type { Mat, RefCarry, RefParams, RefStep, Vec } from './support/reference.js';
import { vecMat } from './support/reference.js';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

function layerNorm(v: Vec, gain: Vec, shift: Vec, eps: number): Vec {
  const mean = v.reduce((s, a) => s + a, 0) / v.length;
  const variance = v.reduce((s, a) => s + (a - mean) ** 2, 0) / v.length;
  return v.map((a, k) => ((a - mean) / Math.sqrt(variance + eps)) * (gain[k] as number) + (shift[k] as number));
}

/** μ ⊙ x + (1 − μ) ⊙ previous, then ·W. */
function shifted(x: Vec, previous: Vec, mu: Vec, w: Mat): Vec {
  return vecMat(
    x.map((xi, i) => (mu[i] as number) * xi + (1 - (mu[i] as number)) * (previous[i] as number)),
    w,
  );
}

export function rwkvReference(config: Required<Pick<RwkvConfig, 'layerNormEpsilon'>>): RefStep {
  const eps = config.layerNormEpsilon;
  return (p: RefParams, carry: RefCarry, x: Vec) => {
    const v1 = (name: string) => p[name] as Vec;
    const m = (name: string) => p[name] as Mat;
    const x0 = p.inputKernel === undefined ? x : vecMat(x, m('inputKernel'));
    const a = layerNorm(x0, v1('ln1Gain'), v1('ln1Shift'), eps);
    const r = shifted(a, carry.att as Vec, v1('timeMixR'), m('receptance')); // eq. 11
    const k = shifted(a, carry.att as Vec, v1('timeMixK'), m('key')); // eq. 12
    const v = shifted(a, carry.att as Vec, v1('timeMixV'), m('value')); // eq. 13
    const num: Vec = [];
    const den: Vec = [];
    const max: Vec = [];
    const wkv = k.map((kc, c) => {
      const [u, w] = [v1('timeFirst')[c] as number, Math.exp(v1('timeDecay')[c] as number)];
      const scale = Math.exp(carry.max?.[c] as number);
      const N = (carry.num?.[c] as number) * scale;
      const D = (carry.den?.[c] as number) * scale;
      const vc = v[c] as number;
      const out = (N + Math.exp(u + kc) * vc) / (D + Math.exp(u + kc)); // eq. 16
      max[c] = Math.max((carry.max?.[c] as number) - w, kc);
      num[c] = (Math.exp(-w) * N + Math.exp(kc) * vc) * Math.exp(-(max[c] as number));
      den[c] = (Math.exp(-w) * D + Math.exp(kc)) * Math.exp(-(max[c] as number));
      return out;
    });
    const gated = r.map((rc, c) => sigmoid(rc) * (wkv[c] as number));
    const x1 = vecMat(gated, m('output')).map((o, c) => o + (x0[c] as number)); // eq. 17 + residual
    const b = layerNorm(x1, v1('ln2Gain'), v1('ln2Shift'), eps);
    const r2 = shifted(b, carry.ffn as Vec, v1('channelMixR'), m('ffnReceptance')); // eq. 14
    const k2 = shifted(b, carry.ffn as Vec, v1('channelMixK'), m('ffnKey')); // eq. 15
    const value = vecMat(
      k2.map((kc) => Math.max(kc, 0) ** 2),
      m('ffnValue'),
    );
    const y = x1.map((xc, c) => xc + sigmoid(r2[c] as number) * (value[c] as number)); // eq. 18 + residual
    return { carry: { att: a, num, den, max, ffn: b }, y };
  };
}
