/**
 * `wkvSequence` (core's `RecurWkvSequence` and `RecurWkvSequenceGrad`, RWKV-4's WKV
 * recurrence) on the wasm backend: asm/wkv.ts on the tensors in tfjs' heap.
 */
import { badArgument, RecurWkvSequence, RecurWkvSequenceGrad, wkvSequence } from '@recur/core';
import { fusedKernel } from '@recur/core/kernel-api';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { expectShape, runInHeap } from './heap.js';

const none = () => 0;

/** B, T, C from `k`, after checking every step, state, vector and the mask against them. */
function wkvDims(kernel: string, t: Readonly<Record<string, TensorInfo>>, steps: string[], states: string[]) {
  const k = t.k as TensorInfo;
  if (k.shape.length !== 3)
    throw badArgument('SHAPE_MISMATCH', `${kernel} input 'k'`, 'rank 3 [batch, time, channels]', k);
  const [batch, time, channels] = k.shape as [number, number, number];
  for (const name of steps) expectShape(kernel, name, t[name] as TensorInfo, [batch, time, channels]);
  for (const name of states) expectShape(kernel, name, t[name] as TensorInfo, [batch, channels]);
  for (const name of ['w', 'u']) expectShape(kernel, name, t[name] as TensorInfo, [channels]);
  expectShape(kernel, 'mask', t.mask as TensorInfo, [batch, time]);
  // Offsets are i32 in the module: eight step-sized tensors at most in one call.
  if (8 * batch * time * channels * 4 > 2 ** 31 - 2 ** 26) {
    throw badArgument('NOT_SUPPORTED', `${kernel} sizes`, 'under 2 GiB of tensors for one call', k);
  }
  return { batch, time, channels, steps: [batch, time, channels], state: [batch, channels] };
}

export const wkvSequenceWasm = fusedKernel(wkvSequence, 'wasm', {
  forward(t, attrs, backend: object) {
    const d = wkvDims(RecurWkvSequence, t, ['k', 'v'], ['num0', 'den0', 'max0']);
    const shapes = {
      wkv: d.steps,
      numT: d.state,
      denT: d.state,
      maxT: d.state,
      nums: d.steps,
      dens: d.steps,
      maxs: d.steps,
    };
    return runInHeap(
      backend,
      shapes,
      none,
      ({ kernels, at, outputs: o, batch }) => {
        kernels.wkvForward(
          ...[batch, d.time, d.channels],
          ...[at(t.k), at(t.v), at(t.w), at(t.u), at(t.num0), at(t.den0), at(t.max0), at(t.mask)],
          attrs.reverse,
          ...[o.wkv, o.numT, o.denT, o.maxT, o.nums, o.dens, o.maxs],
        );
      },
      { batch: d.batch, inputs: t, whole: ['w', 'u'] },
    );
  },
  backward(t, attrs, backend: object) {
    const d = wkvDims(
      RecurWkvSequenceGrad,
      t,
      ['k', 'v', 'nums', 'dens', 'maxs', 'dwkv'],
      ['num0', 'den0', 'max0', 'numT', 'denT', 'dnumT', 'ddenT', 'dmaxT'],
    );
    const vector = [d.channels];
    const shapes = { k: d.steps, v: d.steps, w: vector, u: vector, num0: d.state, den0: d.state, max0: d.state };
    return runInHeap(
      backend,
      shapes,
      none,
      ({ kernels, at, outputs: o, batch }) => {
        kernels.wkvBackward(
          ...[batch, d.time, d.channels],
          ...[at(t.k), at(t.v), at(t.w), at(t.u), at(t.num0), at(t.den0), at(t.max0), at(t.mask)],
          ...[at(t.nums), at(t.dens), at(t.maxs), at(t.numT), at(t.denT)],
          ...[at(t.dwkv), at(t.dnumT), at(t.ddenT), at(t.dmaxT)],
          attrs.reverse,
          ...[o.k, o.v, o.w, o.u, o.num0, o.den0, o.max0],
        );
      },
      { batch: d.batch, inputs: t, whole: ['w', 'u'] },
    );
  },
});
