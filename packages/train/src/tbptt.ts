import { assertPositiveInteger, badArgument } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import type { SequenceBatch } from './model.js';

/**
 * Cuts a batch into chunks of `k` time steps (the last one may be shorter) for truncated
 * BPTT (Williams & Peng 1990; Sutskever 2013, §2.8.6): each chunk is a forward and
 * backward pass of its own, the state carried forward between them but not the
 * gradient. With `k ≥ time` there is one chunk, the batch itself (as views, cloned), so
 * the gradients are exactly those of full BPTT. Targets are cut too when they have a
 * time axis (`[batch, time, ...]`). The caller owns the returned tensors.
 */
export function chunkByTime(batch: SequenceBatch, k: number): SequenceBatch[] {
  assertPositiveInteger(k, 'tbptt.k');
  const { inputs, targets, mask } = batch;
  if (inputs.rank < 2) throw badArgument('SHAPE_MISMATCH', 'batch.inputs', 'rank ≥ 2 ([batch, time, ...])', inputs);
  const [b, time] = inputs.shape as [number, number];
  const targetsHaveTime = targets.rank >= 2 && targets.shape[0] === b && targets.shape[1] === time;
  if (mask !== undefined && (mask.shape[0] !== b || mask.shape[1] !== time)) {
    throw badArgument('SHAPE_MISMATCH', 'batch.mask', `shape [${b}, ${time}]`, mask);
  }
  const chunks: SequenceBatch[] = [];
  for (let start = 0; start < time; start += k) {
    const size = Math.min(k, time - start);
    const cut = (t: tf.Tensor) => tf.slice(t, [0, start], [b, size]);
    chunks.push({
      inputs: cut(inputs),
      targets: targetsHaveTime ? cut(targets) : tf.clone(targets),
      ...(mask !== undefined ? { mask: cut(mask) as tf.Tensor2D } : {}),
    });
  }
  return chunks;
}
