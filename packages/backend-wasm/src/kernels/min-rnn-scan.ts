/**
 * `minRnnScan` (core's `RecurMinRnnScan` and `RecurMinRnnScanGrad`: a min-RNN's gates and
 * linear recurrence from its pre-activations) on the wasm backend: asm/min-rnn.ts on the
 * tensors in tfjs' heap.
 */
import { MIN_RNN_BLOCKS, minRnnScan, RecurMinRnnScan, RecurMinRnnScanGrad } from '@recur/core';
import { fusedKernel } from '@recur/core/kernel-api';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { expectShape, runInHeap } from './heap.js';

const none = () => 0;

/** B, T, H from `pre [B, T, blocks·H]`, after checking the states and the mask against them (the module trusts its sizes). */
function dims(kernel: string, gates: 'minGru' | 'minLstm', t: Readonly<Record<string, TensorInfo>>, states: string[]) {
  const pre = t.pre as TensorInfo;
  const [batch, time, width] = pre.shape as [number, number, number];
  const units = width / MIN_RNN_BLOCKS[gates];
  expectShape(kernel, 'pre', pre, [batch, time, MIN_RNN_BLOCKS[gates] * units]);
  expectShape(kernel, 'bias', t.bias as TensorInfo, [MIN_RNN_BLOCKS[gates] * units]);
  for (const name of states) expectShape(kernel, name, t[name] as TensorInfo, [batch, units]);
  expectShape(kernel, 'mask', t.mask as TensorInfo, [batch, time]);
  return { batch, time, units, lstm: gates === 'minLstm' };
}

export const minRnnScanWasm = fusedKernel(minRnnScan, 'wasm', {
  forward(t, attrs, backend: object) {
    const d = dims(RecurMinRnnScan, attrs.gates, t, ['h0']);
    const shapes = { hs: [d.batch, d.time, d.units], hT: [d.batch, d.units] };
    return runInHeap(
      backend,
      shapes,
      none,
      ({ kernels, at, outputs: o, batch }) => {
        kernels.minRnnForward(
          d.lstm,
          attrs.candidate === 'linear',
          batch,
          d.time,
          d.units,
          at(t.pre),
          at(t.bias),
          at(t.h0),
          at(t.mask),
          attrs.reverse,
          o.hs,
          o.hT,
        );
      },
      { batch: d.batch, inputs: t, whole: ['bias'] },
    );
  },
  backward(t, attrs, backend: object) {
    const d = dims(RecurMinRnnScanGrad, attrs.gates, t, ['h0', 'dhT']);
    expectShape(RecurMinRnnScanGrad, 'hs', t.hs, [d.batch, d.time, d.units]);
    expectShape(RecurMinRnnScanGrad, 'dhs', t.dhs, [d.batch, d.time, d.units]);
    const shapes = { pre: [...t.pre.shape], bias: [...t.bias.shape], h0: [d.batch, d.units] };
    return runInHeap(
      backend,
      shapes,
      none,
      ({ kernels, at, outputs: o, batch }) => {
        kernels.minRnnBackward(
          d.lstm,
          attrs.candidate === 'linear',
          batch,
          d.time,
          d.units,
          at(t.pre),
          at(t.bias),
          at(t.h0),
          at(t.mask),
          at(t.hs),
          at(t.dhs),
          at(t.dhT),
          attrs.reverse,
          o.pre,
          o.bias,
          o.h0,
        );
      },
      { batch: d.batch, inputs: t, whole: ['bias'] },
    );
  },
});
