import { Rng } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';

export interface Workload {
  readonly id: 'W1' | 'W2' | 'W3';
  readonly cell: 'lstm' | 'gru';
  readonly batch: number;
  readonly time: number;
  readonly input: number;
  readonly hidden: number;
  readonly classes: number;
  readonly description: string;
}

export const WORKLOADS: readonly Workload[] = [
  {
    id: 'W1',
    cell: 'lstm',
    batch: 32,
    time: 64,
    input: 64,
    hidden: 256,
    classes: 10,
    description: 'LSTM B32 T64 I64 H256, Dense(10) on the last state, softmax CE, Adam',
  },
  { id: 'W2', cell: 'gru', batch: 32, time: 64, input: 64, hidden: 256, classes: 10, description: 'the same with GRU' },
  {
    id: 'W3',
    cell: 'lstm',
    batch: 1,
    time: 100,
    input: 16,
    hidden: 32,
    classes: 16,
    description: 'LSTM B1 T100 I16 H32 (tiny character model)',
  },
];

/** Multiply-adds ×2 of one forward pass (products only; the gate arithmetic is a few % more). */
export function forwardFlops(w: Workload): number {
  const gates = w.cell === 'lstm' ? 4 : 3;
  return 2 * w.batch * w.time * (w.input + w.hidden) * gates * w.hidden + 2 * w.batch * w.hidden * w.classes;
}

/** A training step is a forward pass and a backward pass of about twice its cost. */
export function trainFlops(w: Workload): number {
  return 3 * forwardFlops(w);
}

/** A workload's inputs `[batch, time, input]` uniform in [−1, 1] and class labels, from a fixed seed. */
export function workloadData(w: Workload): { x: tf.Tensor3D; y: tf.Tensor1D } {
  const rng = new Rng(7);
  const x = tf.tensor3d(rng.fillUniform(new Float32Array(w.batch * w.time * w.input), -1, 1), [
    w.batch,
    w.time,
    w.input,
  ]);
  const y = tf.tensor1d(
    Array.from({ length: w.batch }, () => rng.int(w.classes)),
    'int32',
  );
  return { x, y };
}
