import * as tf from '@tensorflow/tfjs-core';

/**
 * Language-model batches over byte ids, laid out as `@recur/datasets`'
 * `languageModelBatches` (PyTorch's `batchify` + `get_batch`): row b of the stream holds
 * ids `[b·R, (b+1)·R)` with R = ⌊(n − 1) / rows⌋, batch k its steps `[k·span, (k+1)·span)`
 * (the last one shorter unless dropped), targets shifted by one. Made on demand from
 * the byte ids, instead of an int32 copy of the whole text.
 */
export function byteBatchCount(ids: number, rows: number, span: number, dropRemainder: boolean): number {
  const rowLength = Math.floor((ids - 1) / rows);
  const full = Math.floor(rowLength / span);
  return dropRemainder || rowLength % span === 0 ? full : full + 1;
}

/** Batch `k` (see {@link byteBatchCount}) as int32 tensors the caller owns. */
export function byteBatch(
  ids: Uint8Array,
  rows: number,
  span: number,
  k: number,
): { inputs: tf.Tensor2D; targets: tf.Tensor2D } {
  const rowLength = Math.floor((ids.length - 1) / rows);
  const t = Math.min(span, rowLength - k * span);
  const inputs = new Int32Array(rows * t);
  const targets = new Int32Array(rows * t);
  for (let b = 0; b < rows; b++) {
    const from = b * rowLength + k * span;
    inputs.set(ids.subarray(from, from + t), b * t);
    targets.set(ids.subarray(from + 1, from + 1 + t), b * t);
  }
  return { inputs: tf.tensor2d(inputs, [rows, t], 'int32'), targets: tf.tensor2d(targets, [rows, t], 'int32') };
}
