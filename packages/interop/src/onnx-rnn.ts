/**
 * Recur's recurrent layers as ONNX's own `RNN`, `GRU` and `LSTM` operators (opset 14).
 * ONNX layouts: `W [dirs, G·H, I]`, `R [dirs, G·H, H]`, `B [dirs, 2·G·H]` (input biases
 * then recurrent ones), time-major `X [T, B, I]`, `Y [T, dirs, B, H]`, `Y_h [dirs, B, H]`.
 * Gate orders: LSTM i, o, f, c (Recur i, f, c, o); GRU z, r, h (as Recur), with
 * `linear_before_reset = 1` for the reset-after variant; peepholes `P [dirs, 3H]` in
 * order i, o, f. A reverse direction's `Y` is in input time order.
 */
import { type Cell, RecurError } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import type { AttributeValue, OnnxGraph } from './onnx-graph.js';

/** Recur activation → ONNX RNN activation name, with the alpha/beta it takes. */
const RNN_ACTIVATIONS: Record<string, readonly [string, number?, number?]> = {
  sigmoid: ['Sigmoid'],
  tanh: ['Tanh'],
  relu: ['Relu'],
  hardSigmoid: ['HardSigmoid', 0.2, 0.5],
  softsign: ['Softsign'],
  softplus: ['Softplus'],
  elu: ['Elu', 1],
  linear: ['Affine', 1, 0],
};

/** The `activations`, `activation_alpha`, `activation_beta` attributes for `names`, once per direction. */
function activationAttrs(where: string, names: readonly string[], directions: number): Record<string, AttributeValue> {
  const acts: string[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  for (let d = 0; d < directions; d++) {
    for (const n of names) {
      const found = RNN_ACTIVATIONS[n];
      if (found === undefined) {
        throw new RecurError('NOT_SUPPORTED', `${where}: ONNX's recurrent operators have no activation '${n}'`);
      }
      const [op, a, b] = found;
      acts.push(op);
      if (a !== undefined) alpha.push(a);
      if (b !== undefined) beta.push(b);
    }
  }
  return {
    activations: acts,
    ...(alpha.length > 0 ? { activation_alpha: { floats: alpha } } : {}),
    ...(beta.length > 0 ? { activation_beta: { floats: beta } } : {}),
  };
}

/** Checks a cell maps onto an ONNX operator; returns the operator and its gate count. */
export function onnxOperator(cell: Cell, where: string): { op: 'RNN' | 'GRU' | 'LSTM'; gates: number } {
  const c = cell.config as Record<string, unknown>;
  if (cell.kind === 'elman') return { op: 'RNN', gates: 1 };
  if (cell.kind === 'gru') return { op: 'GRU', gates: 3 };
  if (cell.kind !== 'lstm') {
    throw new RecurError(
      'NOT_SUPPORTED',
      `${where}: ONNX has no operator for a '${cell.kind}' cell (RNN, GRU and LSTM only)`,
    );
  }
  const why = {
    projSize: 'a projection (ONNX LSTM has no weight_hr)',
    cifg: 'CIFG (ONNX LSTM always has four gate blocks)',
    layerNorm: 'layer normalisation inside the cell',
  };
  for (const [key, what] of Object.entries(why)) {
    if (c[key] !== undefined && c[key] !== false)
      throw new RecurError('NOT_SUPPORTED', `${where}: ONNX LSTM cannot express ${what}`);
  }
  return { op: 'LSTM', gates: 4 };
}

/** Recur's gate blocks in ONNX's order (LSTM i, f, c, o → i, o, f, c; others unchanged). */
function onnxBlocks(t: tf.Tensor, axis: number, op: string): tf.Tensor {
  if (op !== 'LSTM') return t;
  const [i, f, c, o] = tf.split(t, 4, axis) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
  return tf.concat([i, o, f, c], axis);
}

type Weights = Record<'W' | 'R' | 'B' | 'P', Float32Array | undefined>;

/** W, R, B (and P) of one direction, in ONNX layout, as float32 arrays (read outside `tidy`, which would walk them). */
function directionWeights(p: Record<string, tf.Tensor>, cell: Cell, op: string): Weights {
  const c = cell.config as Record<string, unknown>;
  const tensors = tf.tidy(() => {
    const out: Record<string, tf.Tensor> = {
      W: tf.transpose(onnxBlocks(p.kernel as tf.Tensor, 1, op)),
      R: tf.transpose(onnxBlocks(p.recurrentKernel as tf.Tensor, 1, op)),
    };
    if (c.useBias !== false) {
      const bias = p.bias as tf.Tensor;
      // GRU reset-after keeps its recurrent bias apart (it sits inside r ⊙ (…)); elsewhere Rb = 0.
      const [wb, rb] = bias.rank === 2 ? tf.unstack(bias) : [bias, tf.zerosLike(bias)];
      out.B = tf.concat([onnxBlocks(wb as tf.Tensor, 0, op), onnxBlocks(rb as tf.Tensor, 0, op)]);
    }
    if (c.peephole === true) out.P = tf.concat([p.peepholeI, p.peepholeO, p.peepholeF] as tf.Tensor[]);
    return out;
  });
  const read = (k: string) => tensors[k]?.dataSync() as Float32Array | undefined;
  const weights = { W: read('W'), R: read('R'), B: read('B'), P: read('P') };
  tf.dispose(tensors);
  return weights;
}

function stackDirections(arrays: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  arrays.reduce((at, a) => {
    out.set(a, at);
    return at + a.length;
  }, 0);
  return out;
}

export interface RnnNode {
  /** `Y [T, dirs, B, H]` and `Y_h [dirs, B, H]`. */
  readonly y: string;
  readonly yh: string;
}

/**
 * Emits one ONNX recurrent node over time-major `xTimeMajor`, for one cell run in
 * `direction` with the param sets `params` (one per direction).
 */
export function emitRnn(
  graph: OnnxGraph,
  xTimeMajor: string,
  cell: Cell,
  params: readonly Record<string, tf.Tensor>[],
  direction: 'forward' | 'reverse' | 'bidirectional',
  where: string,
): RnnNode {
  const { op, gates } = onnxOperator(cell, where);
  const c = cell.config as Record<string, unknown>;
  const units = c.units as number;
  const dirs = params.length;
  const w = params.map((p) => directionWeights(p, cell, op));
  const name = (k: 'W' | 'R' | 'B' | 'P', dims: number[]) =>
    graph.float(`${op}_${k}`, stackDirections(w.map((d) => d[k] as Float32Array)), dims);
  const inputs = [name('W', [dirs, gates * units, cell.inputSize]), name('R', [dirs, gates * units, units])];
  inputs.push(w[0]?.B === undefined ? '' : name('B', [dirs, 2 * gates * units]));
  if (w[0]?.P !== undefined) inputs.push('', '', '', name('P', [dirs, 3 * units]));
  const acts =
    op === 'RNN'
      ? [c.activation as string]
      : op === 'GRU'
        ? [c.recurrentActivation as string, c.activation as string]
        : [c.recurrentActivation as string, c.activation as string, c.activation as string];
  const attrs = {
    hidden_size: units,
    direction,
    ...activationAttrs(where, acts, dirs),
    ...(op === 'GRU' ? { linear_before_reset: c.resetAfter === true ? 1 : 0 } : {}),
  };
  const outputs = graph.node(op, [xTimeMajor, ...inputs], op === 'LSTM' ? 3 : 2, attrs);
  return { y: outputs[0] as string, yh: outputs[1] as string };
}
