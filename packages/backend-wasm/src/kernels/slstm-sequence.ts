/**
 * `slstmSequence` (core's `RecurSlstmSequence` and `RecurSlstmSequenceGrad`) on the wasm
 * backend: asm/slstm.ts on the tensors in tfjs' heap.
 */
import { badArgument, RecurSlstmSequence, RecurSlstmSequenceGrad, slstmSequence } from '@recur/core';
import { fusedKernel } from '@recur/core/kernel-api';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { expectShape, runInHeap, skipsX } from './heap.js';

/**
 * B, T, I, U and heads from `x [B,T,I]` and `recurrentKernel [heads, U/heads, 4·U/heads]`,
 * after checking every other tensor present against them: the module trusts its sizes.
 */
function dims(kernel: string, t: Readonly<Record<string, TensorInfo>>) {
  const x = t.x as TensorInfo;
  const r = t.recurrentKernel as TensorInfo;
  if (x.shape.length !== 3 || r.shape.length !== 3) {
    throw badArgument('SHAPE_MISMATCH', `${kernel} inputs 'x', 'recurrentKernel'`, 'rank 3 each', [x, r]);
  }
  const [batch, time, input] = x.shape as [number, number, number];
  const [heads, headSize] = r.shape as [number, number];
  const units = heads * headSize;
  const state = [batch, units];
  const steps = [time, batch, units];
  const expected: Record<string, number[]> = {
    ...{ kernel: [input, 4 * units], recurrentKernel: [heads, headSize, 4 * headSize], bias: [4 * units] },
    ...{ h0: state, c0: state, n0: state, m0: state, mask: [batch, time], dys: [batch, time, units] },
    ...{ pre: [time, batch, 4 * units], hs: steps, cs: steps, ns: steps, ms: steps },
    ...{ dhT: state, dcT: state, dnT: state, dmT: state },
  };
  for (const [name, info] of Object.entries(t)) {
    const shape = expected[name];
    if (shape !== undefined) expectShape(kernel, name, info, shape);
  }
  // 32-bit heap offsets (see shapes.ts): one call's workspace, scratch and outputs stay below 2³¹.
  if ((time * batch * (13 * units + 2 * input) + 8 * units * (units + input)) * 4 > 2 ** 31 - 2 ** 26) {
    throw badArgument('NOT_SUPPORTED', `${kernel} sizes`, 'under 2 GiB of workspace for one call', x);
  }
  return { B: batch, T: time, I: input, U: units, heads };
}

/** Where sLSTM keeps its batch (threads/split-call.ts): its workspaces are `[T, B, …]`. */
const SLSTM_LAYOUT = {
  timeMajor: ['pre', 'hs', 'cs', 'ns', 'ms'],
  whole: ['kernel', 'recurrentKernel', 'bias'],
} as const;

function codes(attrs: { forgetGate: string; reverse: boolean; maskedOutput: string; skipGradients?: unknown }) {
  return {
    exponential: attrs.forgetGate === 'exponential',
    reverse: attrs.reverse,
    zeros: attrs.maskedOutput === 'zeros',
    skipX: skipsX(attrs),
  };
}

export const slstmSequenceWasm = fusedKernel(slstmSequence, 'wasm', {
  forward(t, attrs, backend: object) {
    const { B, T, I, U, heads } = dims(RecurSlstmSequence, t);
    const a = codes(attrs);
    const state = [B, U];
    const steps = [T, B, U];
    const shapes = {
      ys: [B, T, U],
      hT: state,
      cT: state,
      nT: state,
      mT: state,
      pre: [T, B, 4 * U],
      hs: steps,
      cs: steps,
      ns: steps,
      ms: steps,
    };
    return runInHeap(
      backend,
      shapes,
      (k, batch) => k.slstmForwardScratch(batch, U),
      ({ kernels, at, outputs: o, scratch, batch }) => {
        kernels.slstmForward(
          ...[batch, T, I, U, heads],
          ...[at(t.x), at(t.kernel), at(t.recurrentKernel), at(t.bias)],
          ...[at(t.h0), at(t.c0), at(t.n0), at(t.m0), at(t.mask)],
          ...[a.exponential, a.reverse, a.zeros],
          ...[o.ys, o.hT, o.cT, o.nT, o.mT, o.pre, o.hs, o.cs, o.ns, o.ms],
          scratch,
        );
      },
      { ...SLSTM_LAYOUT, batch: B, inputs: t },
    );
  },
  backward(t, attrs, backend: object) {
    const { B, T, I, U, heads } = dims(RecurSlstmSequenceGrad, t);
    const a = codes(attrs);
    const state = [B, U];
    const shapes = {
      ...{ x: [B, T, I], kernel: [I, 4 * U], recurrentKernel: t.recurrentKernel.shape, bias: [4 * U] },
      ...{ h0: state, c0: state, n0: state, m0: state },
    };
    return runInHeap(
      backend,
      shapes,
      (k, batch) => k.slstmBackwardScratch(batch, T, I, U),
      ({ kernels, at, outputs: o, scratch, batch }) => {
        kernels.slstmBackward(
          ...[batch, T, I, U, heads],
          ...[at(t.x), at(t.kernel), at(t.recurrentKernel)],
          ...[at(t.h0), at(t.c0), at(t.n0), at(t.m0), at(t.mask)],
          ...[at(t.pre), at(t.hs), at(t.cs), at(t.ns), at(t.ms)],
          ...[at(t.dys), at(t.dhT), at(t.dcT), at(t.dnT), at(t.dmT)],
          ...[a.exponential, a.reverse, a.zeros, a.skipX],
          ...[o.x, o.kernel, o.recurrentKernel, o.bias, o.h0, o.c0, o.n0, o.m0],
          scratch,
        );
      },
      { ...SLSTM_LAYOUT, batch: B, inputs: t },
    );
  },
});
