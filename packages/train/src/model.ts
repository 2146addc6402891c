import type * as tf from '@tensorflow/tfjs-core';

// The model contract lives in core so models need not depend on the trainer; it is
// re-exported here, where `fit` users look for it.
export type { LossResult, StepContext, TrainableModel } from '@recur/core';

/** A batch of sequences, batch-major; what truncated BPTT knows how to cut along time. */
export interface SequenceBatch {
  /** `[batch, time, ...]` */
  readonly inputs: tf.Tensor;
  /** `[batch, time, ...]` for many-to-many, or `[batch, ...]` for many-to-one. */
  readonly targets: tf.Tensor;
  /** `[batch, time]`, 1 for real steps. */
  readonly mask?: tf.Tensor2D;
}
