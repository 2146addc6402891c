/**
 * `minRnnScan` (core's `RecurMinRnnScan` and `RecurMinRnnScanGrad`: a min-RNN's gates and
 * linear recurrence from its pre-activations) on the wasm backend: asm/min-rnn.ts on the
 * tensors in tfjs' heap.
 *
 * On the calling thread only, unlike the fused LSTM/GRU: this kernel does O(1) work per
 * element it reads, so copying its rows into the pool's memory and back (threads/split-call.ts)
 * costs more than a second thread saves. minGRU, batch 16, T = 2048, hidden 256, one
 * training step's two calls (2026-12-06, shared machine, load average 7–9): 178 ms of CPU
 * on two threads against 116 ms on one, and 460–560 ms of wall time against 275–285 ms.
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
      { batch: d.batch, inputs: t, whole: ['bias'], threads: false },
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
      { batch: d.batch, inputs: t, whole: ['bias'], threads: false },
    );
  },
});
