/**
 * `RecurSlstmSequence`: a whole sLSTM sequence as one kernel, and its backward pass through
 * time (Beck et al. 2024, "xLSTM", arXiv 2405.04517, sec. 2.2, eqs. 8–17; the cell is
 * `@recur/cells`' `slstm`). Per step, gate blocks i, f, z, o of
 * z̃ = x·W + b + h_{t−1}·R (R block-diagonal over heads):
 *
 *     m = max(log f + m_{t−1}, ĩ)  (ĩ alone where n_{t−1} = 0: nothing is stored yet)
 *     i′ = exp(ĩ − m)   f′ = exp(log f + m_{t−1} − m)   c = f′c_{t−1} + i′ tanh(z̃)
 *     n = f′n_{t−1} + i′   h = σ(õ) c/n                  log f = log σ(f̃) or f̃
 *
 * Inputs: `x [B,T,I]`, `kernel [I,4U]`, `recurrentKernel [heads, U/heads, 4·U/heads]`,
 * `bias [4U]`, `h0, c0, n0, m0 [B,U]`, `mask [B,T]` (absent: all real; a padded step keeps
 * every state). Outputs `ys [B,T,U]` (padded steps as `maskedOutput` says) and the states
 * after each row's last real step. Workspace, time-major by input time: `pre [T,B,4U]`
 * (the gate pre-activations) and `hs, cs, ns, ms [T,B,U]` (the states after each step).
 *
 * Backward (derived from the equations above; tanh′ = 1 − g², σ′ = σ(1 − σ)):
 *     dc̄ = dc + dh·o/n     dn̄ = dn − dh·o·c/n²     dõ = dh·(c/n)·o(1 − o)
 *     di′ = dc̄·g + dn̄      df′ = dc̄·c_{t−1} + dn̄·n_{t−1}     dz̃ = dc̄·i′·(1 − g²)
 *     dm̄ = dm − di′·i′ − df′·f′ goes to whichever of (log f + m_{t−1}, ĩ) is the max
 *     dĩ = di′·i′ (+ dm̄)    d(log f) = dm_{t−1} = df′·f′ (+ dm̄)    dc_{t−1} = dc̄·f′   dn_{t−1} = dn̄·f′
 */
import * as tf from '@tensorflow/tfjs-core';
import { badArgument } from '../errors.js';
import { expectFloatTensor, expectOptionalShape, expectShape } from './check.js';
import { defineKernel } from './descriptor.js';
import { expectBooleanAttr, type MaskedOutput } from './sequence-attrs.js';
import { withMask } from './sequence-inputs.js';
import {
  at,
  emitOutputs,
  outputGradients,
  outputMask,
  previousStates,
  projectInputs,
  projectionGradients,
  stackSteps,
  stepMasks,
  stepOrder,
} from './sequence-steps.js';

/** tfjs kernel name of a whole sLSTM sequence (xLSTM eqs. 8–17) as one kernel (for `runKernel`). */
export const RecurSlstmSequence = 'RecurSlstmSequence';
/** tfjs kernel name of the sLSTM sequence's backward pass through time. */
export const RecurSlstmSequenceGrad = 'RecurSlstmSequenceGrad';

/**
 * Inputs of `RecurSlstmSequence`: `x [B,T,I]`, `kernel [I,4U]`, `recurrentKernel [heads,
 * U/heads, 4·U/heads]`, `bias [4U]`, initial states `h0, c0, n0, m0 [B,U]`, optional `mask [B,T]`.
 */
export type RecurSlstmSequenceInputs = {
  readonly x: tf.Tensor3D;
  readonly kernel: tf.Tensor2D;
  readonly recurrentKernel: tf.Tensor3D;
  readonly bias: tf.Tensor1D;
  readonly h0: tf.Tensor2D;
  readonly c0: tf.Tensor2D;
  readonly n0: tf.Tensor2D;
  readonly m0: tf.Tensor2D;
  readonly mask?: tf.Tensor2D;
};
/** Attributes of `RecurSlstmSequence`: the forget gate, `reverse` (run from t = T−1 down) and what padded steps emit. */
export interface RecurSlstmSequenceAttrs {
  /** f = σ(f̃) or exp(f̃) (eq. 13). */
  readonly forgetGate: 'sigmoid' | 'exponential';
  readonly reverse: boolean;
  readonly maskedOutput: MaskedOutput;
}
/** Outputs of `RecurSlstmSequence`: `ys [B,T,U]` by input time and the states `hT, cT, nT, mT [B,U]` after each row's last real step. */
export type RecurSlstmSequenceOutputs = {
  readonly ys: tf.Tensor3D;
  readonly hT: tf.Tensor2D;
  readonly cT: tf.Tensor2D;
  readonly nT: tf.Tensor2D;
  readonly mT: tf.Tensor2D;
};
/** What the forward pass saves for the backward, time-major: `pre [T,B,4U]` gate pre-activations and `hs, cs, ns, ms [T,B,U]`, the states after each step. */
export type RecurSlstmSequenceWorkspace = {
  readonly pre: tf.Tensor3D;
  readonly hs: tf.Tensor3D;
  readonly cs: tf.Tensor3D;
  readonly ns: tf.Tensor3D;
  readonly ms: tf.Tensor3D;
};
type SlstmGradInputs = RecurSlstmSequenceInputs &
  RecurSlstmSequenceWorkspace & {
    readonly dys: tf.Tensor3D;
    readonly dhT: tf.Tensor2D;
    readonly dcT: tf.Tensor2D;
    readonly dnT: tf.Tensor2D;
    readonly dmT: tf.Tensor2D;
  };

const STATES = ['h0', 'c0', 'n0', 'm0'] as const;

/** h·R per head, back in the kernel's column layout (gate block, head, unit): `[B,U]` → `[B,4U]`. */
function headsProduct(h: tf.Tensor2D, recurrentKernel: tf.Tensor3D): tf.Tensor2D {
  const [heads, headSize] = recurrentKernel.shape;
  const batch = h.shape[0];
  const perHead = tf.transpose(tf.reshape(h, [batch, heads, headSize]), [1, 0, 2]);
  const product = tf.reshape(tf.matMul(perHead, recurrentKernel), [heads, batch, 4, headSize]);
  return tf.reshape(tf.transpose(product, [1, 2, 0, 3]), [batch, 4 * heads * headSize]);
}

/** `dz [B,4U]` in the kernel's layout → per head `[heads, B, 4·headSize]`. */
function byHead(dz: tf.Tensor2D, heads: number, headSize: number): tf.Tensor3D {
  const batch = dz.shape[0];
  return tf.reshape(tf.transpose(tf.reshape(dz, [batch, 4, heads, headSize]), [2, 0, 1, 3]), [
    heads,
    batch,
    4 * headSize,
  ]);
}

/** The gates of one step from its pre-activations and the state it started from. */
function gatesOf(z: tf.Tensor2D, nPrev: tf.Tensor2D, mPrev: tf.Tensor2D, forgetGate: 'sigmoid' | 'exponential') {
  const [iTilde, fTilde, zTilde, oTilde] = tf.split(z, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  const empty = tf.equal(nPrev, 0);
  const logF = forgetGate === 'sigmoid' ? tf.neg(tf.softplus(tf.neg(fTilde))) : fTilde;
  const kept = tf.where(empty, tf.fill(nPrev.shape, -Infinity), tf.add(logF, mPrev));
  const m = tf.maximum(kept, iTilde);
  return {
    fTilde,
    kept,
    iTilde,
    m,
    i: tf.exp(tf.sub(iTilde, m)),
    f: tf.exp(tf.sub(kept, m)),
    g: tf.tanh(zTilde),
    o: tf.sigmoid(oTilde),
  };
}

function forward(
  inputs: RecurSlstmSequenceInputs,
  attrs: RecurSlstmSequenceAttrs,
): RecurSlstmSequenceOutputs & RecurSlstmSequenceWorkspace {
  return tf.tidy(() => {
    const { x, kernel, recurrentKernel, bias, mask } = inputs;
    const projected = projectInputs(x, kernel, bias);
    const real = mask === undefined ? undefined : stepMasks(mask).real;
    const pre: tf.Tensor2D[] = [];
    const states: Record<'h' | 'c' | 'n' | 'm', tf.Tensor2D[]> = { h: [], c: [], n: [], m: [] };
    let s = { h: inputs.h0, c: inputs.c0, n: inputs.n0, m: inputs.m0 };
    for (const t of stepOrder(x.shape[1], attrs.reverse)) {
      const before = s;
      const step = tf.tidy(() => {
        const z = tf.add(at(projected, t), headsProduct(before.h, recurrentKernel)) as tf.Tensor2D;
        const g = gatesOf(z, before.n, before.m, attrs.forgetGate);
        const c = tf.add(tf.mul(g.f, before.c), tf.mul(g.i, g.g)) as tf.Tensor2D;
        const n = tf.add(tf.mul(g.f, before.n), g.i) as tf.Tensor2D;
        const next = { h: tf.mul(g.o, tf.div(c, n)) as tf.Tensor2D, c, n, m: g.m as tf.Tensor2D };
        const m = real?.[t];
        if (m === undefined) return { z, next };
        const keep = (key: keyof typeof next) => tf.where(m, next[key], before[key]) as tf.Tensor2D;
        return { z, next: { h: keep('h'), c: keep('c'), n: keep('n'), m: keep('m') } };
      });
      s = step.next;
      pre[t] = step.z;
      for (const key of ['h', 'c', 'n', 'm'] as const) states[key][t] = s[key];
    }
    const [hs, cs, ns, ms] = (['h', 'c', 'n', 'm'] as const).map((k) => tf.stack(states[k]) as tf.Tensor3D) as [
      tf.Tensor3D,
      tf.Tensor3D,
      tf.Tensor3D,
      tf.Tensor3D,
    ];
    const emitted = mask === undefined ? undefined : outputMask(mask, attrs.maskedOutput, attrs.reverse);
    return {
      ys: emitOutputs(hs, emitted),
      hT: s.h,
      cT: s.c,
      nT: s.n,
      mT: s.m,
      pre: tf.stack(pre) as tf.Tensor3D,
      hs,
      cs,
      ns,
      ms,
    };
  });
}

/** The backward pass through time (equations in the file comment); weight gradients as large products at the end. */
function backward(inputs: SlstmGradInputs, attrs: RecurSlstmSequenceAttrs) {
  return tf.tidy(() => {
    const { x, kernel, recurrentKernel, mask, pre, hs, cs, ns, ms, dys } = inputs;
    const { reverse, forgetGate } = attrs;
    const [heads, headSize] = recurrentKernel.shape;
    const masks = mask === undefined ? undefined : stepMasks(mask);
    const emitted = mask === undefined ? undefined : outputMask(mask, attrs.maskedOutput, reverse);
    const fromOutputs = outputGradients(dys, emitted);
    const [hPrev, cPrev, nPrev, mPrev] = [
      [hs, inputs.h0],
      [cs, inputs.c0],
      [ns, inputs.n0],
      [ms, inputs.m0],
    ].map(([all, first]) => previousStates(all as tf.Tensor3D, first as tf.Tensor2D, reverse)) as tf.Tensor3D[];
    const dZ: tf.Tensor2D[] = [];
    let d = { h: inputs.dhT, c: inputs.dcT, n: inputs.dnT, m: inputs.dmT };
    for (const t of stepOrder(x.shape[1], reverse).reverse()) {
      const carried = d;
      const step = tf.tidy(() => {
        const dhTotal = tf.add(carried.h, at(fromOutputs, t));
        const weight = masks?.weight[t];
        const w = (g: tf.Tensor) => (weight === undefined ? g : tf.mul(g, weight));
        const [c0, n0] = [at(cPrev!, t), at(nPrev!, t)];
        const g = gatesOf(at(pre, t), n0, at(mPrev!, t), forgetGate);
        const [c, n] = [at(cs, t), at(ns, t)];
        // At padded steps n may be 0 (an empty state kept); their gradients are masked anyway.
        const nSafe = tf.where(tf.equal(n, 0), tf.onesLike(n), n);
        const ratio = tf.div(c, nSafe);
        const dh = w(dhTotal);
        const dc = tf.add(w(carried.c), tf.div(tf.mul(dh, g.o), nSafe));
        const dn = tf.sub(w(carried.n), tf.div(tf.mul(tf.mul(dh, g.o), ratio), nSafe));
        const dO = tf.mul(tf.mul(dh, ratio), tf.mul(g.o, tf.sub(1, g.o)));
        const di = tf.mul(tf.add(tf.mul(dc, g.g), dn), g.i);
        const df = tf.mul(tf.add(tf.mul(dc, c0), tf.mul(dn, n0)), g.f);
        const dG = tf.mul(tf.mul(dc, g.i), tf.sub(1, tf.square(g.g)));
        const dm = tf.sub(tf.sub(w(carried.m), di), df);
        const toKept = tf.greaterEqual(g.kept, g.iTilde);
        const zero = tf.zerosLike(dm);
        const dI = tf.add(di, tf.where(toKept, zero, dm));
        const dKept = tf.add(df, tf.where(toKept, dm, zero));
        const dF = forgetGate === 'sigmoid' ? tf.mul(dKept, tf.sigmoid(tf.neg(g.fTilde))) : dKept;
        const dz = tf.concat([dI, dF, dG, dO], 1) as tf.Tensor2D;
        const perHead = tf.matMul(byHead(dz, heads, headSize), recurrentKernel, false, true);
        let next = {
          h: tf.reshape(tf.transpose(perHead, [1, 0, 2]), [dz.shape[0], heads * headSize]) as tf.Tensor2D,
          c: tf.mul(dc, g.f) as tf.Tensor2D,
          n: tf.mul(dn, g.f) as tf.Tensor2D,
          m: dKept as tf.Tensor2D,
        };
        const keep = masks?.keep[t];
        if (keep !== undefined) {
          const pass = (a: tf.Tensor2D, b: tf.Tensor) => tf.add(a, tf.mul(b, keep)) as tf.Tensor2D;
          next = {
            h: pass(next.h, dhTotal),
            c: pass(next.c, carried.c),
            n: pass(next.n, carried.n),
            m: pass(next.m, carried.m),
          };
        }
        return { dz, next };
      });
      dZ[t] = step.dz;
      d = step.next;
    }
    const dZAll = stackSteps(dZ);
    const { dx, dKernel, dBias } = projectionGradients(x, kernel, dZAll);
    // dR_k = Σ_t h_{t−1,k}ᵀ dz_{t,k} per head k: [heads, headSize, T·B] × [heads, T·B, 4·headSize].
    const [time, batch] = [x.shape[1], x.shape[0]];
    const hHeads = tf.transpose(tf.reshape(hPrev!, [time * batch, heads, headSize]), [1, 2, 0]);
    const dRecurrentKernel = tf.matMul(hHeads, byHead(dZAll, heads, headSize)) as tf.Tensor3D;
    return {
      x: dx,
      kernel: dKernel,
      recurrentKernel: dRecurrentKernel,
      bias: dBias,
      h0: d.h,
      c0: d.c,
      n0: d.n,
      m0: d.m,
    };
  });
}

function validate(inputs: RecurSlstmSequenceInputs, attrs: RecurSlstmSequenceAttrs): void {
  const kernel = RecurSlstmSequence;
  const x = expectFloatTensor(kernel, 'x', inputs.x, 3);
  const recurrent = expectFloatTensor(kernel, 'recurrentKernel', inputs.recurrentKernel, 3);
  const [batch, time, features] = x.shape as [number, number, number];
  const [heads, headSize] = recurrent.shape as [number, number];
  const units = heads * headSize;
  expectShape(kernel, 'recurrentKernel', recurrent, [heads, headSize, 4 * headSize]);
  expectShape(kernel, 'kernel', inputs.kernel, [features, 4 * units]);
  expectShape(kernel, 'bias', inputs.bias, [4 * units]);
  for (const state of STATES) expectShape(kernel, state, inputs[state], [batch, units]);
  expectOptionalShape(kernel, 'mask', inputs.mask, [batch, time]);
  if (typeof attrs !== 'object' || attrs === null)
    throw badArgument('BAD_CONFIG', `${kernel} attrs`, 'an object', attrs);
  if (attrs.forgetGate !== 'sigmoid' && attrs.forgetGate !== 'exponential') {
    throw badArgument('BAD_CONFIG', `${kernel} attrs.forgetGate`, "'sigmoid' or 'exponential'", attrs.forgetGate);
  }
  expectBooleanAttr(kernel, 'reverse', attrs.reverse);
  if (attrs.maskedOutput !== 'zeros' && attrs.maskedOutput !== 'previous') {
    throw badArgument('BAD_CONFIG', `${kernel} attrs.maskedOutput`, "'zeros' or 'previous'", attrs.maskedOutput);
  }
}

/** The sLSTM sequence kernel: h, c, n, m carried, four gate blocks, block-diagonal R. */
export const slstmSequence = defineKernel<{
  inputs: RecurSlstmSequenceInputs;
  attrs: RecurSlstmSequenceAttrs;
  outputs: RecurSlstmSequenceOutputs;
  workspace: RecurSlstmSequenceWorkspace;
  differentiable: 'x' | 'kernel' | 'recurrentKernel' | 'bias' | 'h0' | 'c0' | 'n0' | 'm0';
  savedOutputs: never;
}>({
  name: RecurSlstmSequence,
  gradName: RecurSlstmSequenceGrad,
  inputs: ['x', 'kernel', 'recurrentKernel', 'bias', 'h0', 'c0', 'n0', 'm0', 'mask'],
  differentiable: ['x', 'kernel', 'recurrentKernel', 'bias', 'h0', 'c0', 'n0', 'm0'],
  outputs: ['ys', 'hT', 'cT', 'nT', 'mT'],
  workspace: ['pre', 'hs', 'cs', 'ns', 'ms'],
  savedOutputs: [],
  validate,
  complete: withMask,
  reference: forward,
  referenceGrad: backward,
  example(source) {
    const batch = source.int('batch', 1, 5);
    const time = source.int('time', 1, 6);
    const features = source.int('input', 1, 6);
    const heads = source.int('heads', 1, 3);
    const headSize = source.int('headSize', 1, 3);
    const units = heads * headSize;
    const s = source.scale;
    const r = (shape: number[], low = -s, high = s) => source.uniform(shape, low, high);
    // A live state (n > 0) or the empty one a sequence starts from.
    const empty = source.bool('emptyState');
    const state = (low: number, high: number) => (empty ? tf.zeros([batch, units]) : r([batch, units], low, high));
    return {
      inputs: {
        x: r([batch, time, features], -2 * s, 2 * s) as tf.Tensor3D,
        kernel: r([features, 4 * units]) as tf.Tensor2D,
        recurrentKernel: r([heads, headSize, 4 * headSize]) as tf.Tensor3D,
        bias: r([4 * units]) as tf.Tensor1D,
        h0: state(-1, 1) as tf.Tensor2D,
        c0: state(-1, 1) as tf.Tensor2D,
        n0: state(0.5, 1.5) as tf.Tensor2D,
        m0: state(-1, 1) as tf.Tensor2D,
        mask: source.bool('masked') ? source.mask(batch, time) : undefined,
      },
      attrs: {
        forgetGate: source.pick('forgetGate', ['sigmoid', 'exponential'] as const),
        reverse: source.bool('reverse'),
        maskedOutput: source.pick('maskedOutput', ['zeros', 'previous'] as const),
      },
    };
  },
});
