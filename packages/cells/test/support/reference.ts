/**
 * The cells' equations written out again in plain JavaScript, in float64, one sequence
 * (one batch row) at a time, straight from the formulas in each cell's doc comment.
 * This is the oracle for the forward tests and, through central differences in
 * float64, for the gradient tests.
 */
import type { AnyCell } from '@recur/cells';

export type Vec = number[];
export type Mat = number[][];
export type RefParams = Readonly<Record<string, Vec | Mat>>;
export type RefCarry = Readonly<Record<string, Vec>>;
export type RefStep = (p: RefParams, carry: RefCarry, x: Vec) => { carry: RefCarry; y: Vec };

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const ACT: Record<string, (v: number) => number> = {
  linear: (v) => v,
  tanh: Math.tanh,
  sigmoid,
  hardSigmoid: (v) => Math.min(1, Math.max(0, 0.2 * v + 0.5)),
  relu: (v) => Math.max(0, v),
};

function fn(name: string): (v: number) => number {
  const f = ACT[name];
  if (f === undefined) throw new Error(`the reference has no activation '${name}'`);
  return f;
}

/** v·M for v [n], M [n][m]. */
export function vecMat(v: Vec, m: Mat): Vec {
  const out = new Array<number>((m[0] as Vec).length).fill(0);
  v.forEach((vi, i) => {
    (m[i] as Vec).forEach((mij, j) => {
      out[j] = (out[j] as number) + vi * mij;
    });
  });
  return out;
}

const add = (...vs: Vec[]): Vec => (vs[0] as Vec).map((_, k) => vs.reduce((s, v) => s + (v[k] as number), 0));
const mul = (a: Vec, b: Vec): Vec => a.map((ak, k) => ak * (b[k] as number));
const map = (a: Vec, f: (v: number) => number): Vec => a.map(f);
const block = (v: Vec, b: number, size: number): Vec => v.slice(b * size, (b + 1) * size);
const vec = (p: RefParams, name: string): Vec => {
  const v = p[name];
  if (v === undefined) throw new Error(`reference: missing parameter ${name}`);
  return v as Vec;
};
const mat = (p: RefParams, name: string): Mat => vec(p, name) as unknown as Mat;
const zerosLike = (v: Vec): Vec => v.map(() => 0);

/** Ba et al. 2016, eq. 4: gain ⊙ (v − μ) / √(σ² + ε) + shift. */
function layerNorm(v: Vec, gain: Vec, shift: Vec, eps: number): Vec {
  const mean = v.reduce((s, a) => s + a, 0) / v.length;
  const variance = v.reduce((s, a) => s + (a - mean) ** 2, 0) / v.length;
  return v.map((a, k) => ((a - mean) / Math.sqrt(variance + eps)) * (gain[k] as number) + (shift[k] as number));
}

function elmanRef(cfg: Extract<AnyCell, { kind: 'elman' }>['config']): RefStep {
  const act = fn(cfg.activation);
  return (p, { h }, x) => {
    const z = add(vecMat(x, mat(p, 'kernel')), vecMat(h as Vec, mat(p, 'recurrentKernel')));
    const hNew = map(cfg.useBias ? add(z, vec(p, 'bias')) : z, act);
    return { carry: { h: hNew }, y: hNew };
  };
}

function jordanRef(cfg: Extract<AnyCell, { kind: 'jordan' }>['config']): RefStep {
  const act = fn(cfg.activation);
  const outAct = fn(cfg.outputActivation);
  return (p, { y }, x) => {
    const z = add(vecMat(x, mat(p, 'kernel')), vecMat(y as Vec, mat(p, 'recurrentKernel')));
    const h = map(cfg.useBias ? add(z, vec(p, 'bias')) : z, act);
    const v = vecMat(h, mat(p, 'outputKernel'));
    const yNew = map(cfg.useBias ? add(v, vec(p, 'outputBias')) : v, outAct);
    return { carry: { y: yNew }, y: yNew };
  };
}

function lstmRef(cfg: Extract<AnyCell, { kind: 'lstm' }>['config']): RefStep {
  const act = fn(cfg.activation);
  const sigma = fn(cfg.recurrentActivation);
  const H = cfg.units;
  const eps = cfg.layerNormEpsilon;
  return (p, carry, x) => {
    const hPrev = carry.h as Vec;
    const cPrev = carry.c as Vec;
    let zx = vecMat(x, mat(p, 'kernel'));
    let zh = vecMat(hPrev, mat(p, 'recurrentKernel'));
    if (cfg.layerNorm) {
      zx = layerNorm(zx, vec(p, 'lnKernelGain'), vec(p, 'lnKernelShift'), eps);
      zh = layerNorm(zh, vec(p, 'lnRecurrentGain'), vec(p, 'lnRecurrentShift'), eps);
    }
    const z = cfg.useBias ? add(zx, zh, vec(p, 'bias')) : add(zx, zh);
    // CIFG drops the input block: the remaining blocks are f, c, o.
    const first = cfg.cifg ? 0 : 1;
    const [zf, zc, zo] = [block(z, first, H), block(z, first + 1, H), block(z, first + 2, H)];
    const peep = (name: string, c: Vec) => (cfg.peephole ? mul(vec(p, name), c) : zerosLike(c));
    const f = map(add(zf, peep('peepholeF', cPrev)), sigma);
    const i = cfg.cifg ? f.map((fk) => 1 - fk) : map(add(block(z, 0, H), peep('peepholeI', cPrev)), sigma);
    const c = add(mul(f, cPrev), mul(i, map(zc, act)));
    const o = map(add(zo, peep('peepholeO', c)), sigma);
    const cOut = cfg.layerNorm ? layerNorm(c, vec(p, 'lnCellGain'), vec(p, 'lnCellShift'), eps) : c;
    const hCell = mul(o, map(cOut, act));
    const h = cfg.projSize === undefined ? hCell : vecMat(hCell, mat(p, 'projKernel'));
    return { carry: { h, c }, y: h };
  };
}

function gruRef(cfg: Extract<AnyCell, { kind: 'gru' }>['config']): RefStep {
  const act = fn(cfg.activation);
  const sigma = fn(cfg.recurrentActivation);
  const H = cfg.units;
  return (p, { h }, x) => {
    const hPrev = h as Vec;
    const U = mat(p, 'recurrentKernel');
    const Uz = U.map((row) => block(row, 0, H));
    const Ur = U.map((row) => block(row, 1, H));
    const Uh = U.map((row) => block(row, 2, H));
    const xw = vecMat(x, mat(p, 'kernel'));
    const zeros = new Array<number>(3 * H).fill(0);
    let bx = zeros;
    let bh = zeros;
    if (cfg.useBias && cfg.resetAfter) [bx, bh] = mat(p, 'bias') as [Vec, Vec];
    else if (cfg.useBias) bx = vec(p, 'bias');
    const z = map(add(block(xw, 0, H), vecMat(hPrev, Uz), block(bx, 0, H), block(bh, 0, H)), sigma);
    const r = map(add(block(xw, 1, H), vecMat(hPrev, Ur), block(bx, 1, H), block(bh, 1, H)), sigma);
    const hTilde = cfg.resetAfter
      ? map(add(block(xw, 2, H), block(bx, 2, H), mul(r, add(vecMat(hPrev, Uh), block(bh, 2, H)))), act)
      : map(add(block(xw, 2, H), vecMat(mul(r, hPrev), Uh), block(bx, 2, H)), act);
    const hNew = add(
      mul(z, hPrev),
      mul(
        map(z, (zk) => 1 - zk),
        hTilde,
      ),
    );
    return { carry: { h: hNew }, y: hNew };
  };
}

/** The reference step for a cell, from its resolved config. */
export function referenceStep(cell: AnyCell): RefStep {
  switch (cell.kind) {
    case 'elman':
      return elmanRef(cell.config);
    case 'jordan':
      return jordanRef(cell.config);
    case 'lstm':
      return lstmRef(cell.config);
    case 'gru':
      return gruRef(cell.config);
  }
}
