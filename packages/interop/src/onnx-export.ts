/**
 * Recur models to ONNX (opset 14), for serving with onnxruntime or any ONNX runtime:
 * embedding → `Gather`; recurrent and bidirectional → ONNX's `RNN` / `GRU` / `LSTM`
 * between `Transpose`s (Recur is batch-major, the operators time-major); dense and
 * time-distributed dense → `MatMul` + `Add` and the activation's operator; dropout
 * vanishes (inference). The graph takes `input` (`float32 [batch, time, features]`,
 * or `int64` ids `[batch, time]` when the model starts with an embedding) and gives `output`.
 *
 * Refused (`NOT_SUPPORTED`, naming the layer): masks (`paddingId` before a recurrent
 * layer, `masking`), since ONNX's recurrent operators take right-padded sequence
 * lengths, not per-step masks; LSTM projection, CIFG and layer norm; cells other
 * than Elman, GRU and LSTM; bidirectional merge `'none'` and reversed inner layers;
 * activations ONNX lacks (`gelu`).
 */
import { type Cell, RecurError } from '@recur/core';
import type { AnyLayer, ParamTree } from '@recur/layers';
import type * as tf from '@tensorflow/tfjs-core';
import { checkModelParams, type ModelPart, modelParts, partName, partParams } from './model-parts.js';
import { type Dim, OnnxGraph } from './onnx-graph.js';
import { emitRnn } from './onnx-rnn.js';

/** Options of the ONNX export: the opset declared. */
export interface OnnxOptions {
  /** The opset to declare, 14 or later (the operators used are unchanged since 14). Default 14. */
  readonly opset?: number;
}

interface Value {
  readonly name: string;
  readonly rank: number;
}

/** Element-wise activations of dense layers as ONNX nodes. */
function activation(graph: OnnxGraph, x: string, name: string, where: string): string {
  const simple: Record<string, string> = {
    tanh: 'Tanh',
    sigmoid: 'Sigmoid',
    relu: 'Relu',
    softplus: 'Softplus',
    softsign: 'Softsign',
    selu: 'Selu',
    exponential: 'Exp',
  };
  if (name === 'linear') return x;
  const op = simple[name];
  if (op !== undefined) return graph.node(op, [x])[0] as string;
  if (name === 'softmax') return graph.node('Softmax', [x], 1, { axis: -1 })[0] as string;
  if (name === 'hardSigmoid')
    return graph.node('HardSigmoid', [x], 1, { alpha: { float: 0.2 }, beta: { float: 0.5 } })[0] as string;
  if (name === 'elu') return graph.node('Elu', [x], 1, { alpha: { float: 1 } })[0] as string;
  if (name === 'swish') return graph.node('Mul', [x, graph.node('Sigmoid', [x])[0] as string])[0] as string;
  throw new RecurError('NOT_SUPPORTED', `${where}: no ONNX operator for the activation '${name}'`);
}

function emitDense(graph: OnnxGraph, x: Value, layer: AnyLayer, p: Record<string, tf.Tensor>, where: string): Value {
  const c = (layer as unknown as { config: { inputSize: number; units: number; useBias: boolean; activation: string } })
    .config;
  const kernel = graph.float('dense_kernel', p.kernel?.dataSync() as Float32Array, [c.inputSize, c.units]);
  let y = graph.node('MatMul', [x.name, kernel])[0] as string;
  if (c.useBias)
    y = graph.node('Add', [y, graph.float('dense_bias', p.bias?.dataSync() as Float32Array, [c.units])])[0] as string;
  return { name: activation(graph, y, c.activation, where), rank: x.rank };
}

/** One direction's outputs `[T, B, H]` (index 0 or 1 of Y's direction axis). */
function direction(graph: OnnxGraph, y: string, index: number): string {
  return graph.node('Gather', [y, graph.int64('direction', [index])], 1, { axis: 1 })[0] as string;
}

function merge(graph: OnnxGraph, a: string, b: string, mode: string): string {
  if (mode === 'sum') return graph.node('Add', [a, b])[0] as string;
  if (mode === 'mul') return graph.node('Mul', [a, b])[0] as string;
  const sum = graph.node('Add', [a, b])[0] as string;
  return graph.node('Mul', [sum, graph.float('half', new Float32Array([0.5]), [])])[0] as string;
}

function emitRecurrent(graph: OnnxGraph, x: Value, part: ModelPart, params: ParamTree): Value {
  const where = partName(part);
  const layer = part.layer as unknown as {
    kind: string;
    merge?: string;
    cell?: Cell;
    forward?: { cell: Cell; options: { reverse: boolean; returnSequences: boolean } };
    options?: { reverse: boolean; keepOrder: boolean; returnSequences: boolean };
  };
  const bi = layer.kind === 'bidirectional';
  const options = (bi ? layer.forward?.options : layer.options) as {
    reverse: boolean;
    keepOrder?: boolean;
    returnSequences: boolean;
  };
  const cell = (bi ? layer.forward?.cell : layer.cell) as Cell;
  if (bi && (layer.merge === 'none' || options.reverse)) {
    throw new RecurError(
      'NOT_SUPPORTED',
      `${where}: ONNX export of a bidirectional layer with ${options.reverse ? 'a reversed inner layer' : "merge 'none'"}`,
    );
  }
  const p = params as Record<string, Record<string, tf.Tensor>>;
  const sets = bi ? [p.forward, p.backward] : [params as unknown as Record<string, tf.Tensor>];
  const xt = graph.node('Transpose', [x.name], 1, { perm: [1, 0, 2] })[0] as string;
  const dir = bi ? 'bidirectional' : options.reverse ? 'reverse' : 'forward';
  const { y, yh } = emitRnn(graph, xt, cell, sets as Record<string, tf.Tensor>[], dir, where);
  const units = cell.outputSize;
  if (!options.returnSequences) {
    // Y_h [dirs, B, H] is each direction's last processed step: what Recur returns.
    if (!bi) return { name: graph.node('Squeeze', [yh, graph.int64('axes', [0])])[0] as string, rank: 2 };
    if (layer.merge === 'concat') {
      const bdh = graph.node('Transpose', [yh], 1, { perm: [1, 0, 2] })[0] as string;
      return { name: graph.node('Reshape', [bdh, graph.int64('shape', [0, 2 * units])])[0] as string, rank: 2 };
    }
    const [f, b] = [0, 1].map(
      (i) => graph.node('Gather', [yh, graph.int64('direction', [i])], 1, { axis: 0 })[0] as string,
    );
    const squeeze = (t: string) => graph.node('Squeeze', [t, graph.int64('axes', [0])])[0] as string;
    return { name: merge(graph, squeeze(f as string), squeeze(b as string), layer.merge as string), rank: 2 };
  }
  if (bi && layer.merge === 'concat') {
    const btdh = graph.node('Transpose', [y], 1, { perm: [2, 0, 1, 3] })[0] as string;
    return { name: graph.node('Reshape', [btdh, graph.int64('shape', [0, 0, 2 * units])])[0] as string, rank: 3 };
  }
  const squeezeDir = (t: string) => graph.node('Squeeze', [t, graph.int64('axes', [1])])[0] as string;
  let tbh = bi
    ? merge(graph, squeezeDir(direction(graph, y, 0)), squeezeDir(direction(graph, y, 1)), layer.merge as string)
    : (graph.node('Squeeze', [y, graph.int64('axes', [1])])[0] as string);
  if (!bi && options.reverse && options.keepOrder !== true) {
    // Recur (as Keras go_backwards) returns a reversed run in processing order; ONNX in input order.
    tbh = graph.node('Slice', [
      tbh,
      graph.int64('starts', [-1]),
      graph.int64('ends', [-(2 ** 53)]),
      graph.int64('axes', [0]),
      graph.int64('steps', [-1]),
    ])[0] as string;
  }
  return { name: graph.node('Transpose', [tbh], 1, { perm: [1, 0, 2] })[0] as string, rank: 3 };
}

/**
 * `model` with `params` as a serialized ONNX `ModelProto` (bytes for
 * `InferenceSession.create` or a `.onnx` file). Throws `NOT_SUPPORTED` naming the
 * first layer ONNX's operators cannot express (see the file comment).
 */
export function toOnnx(model: AnyLayer, params: ParamTree, options: OnnxOptions = {}): Uint8Array {
  const opset = options.opset ?? 14;
  if (!Number.isInteger(opset) || opset < 14) {
    throw new RecurError('BAD_CONFIG', `options.opset: expected an integer of at least 14, received ${String(opset)}`);
  }
  const parts = modelParts(model);
  checkModelParams(model, params);
  const graph = new OnnxGraph();
  const first = parts[0]?.layer as AnyLayer;
  const ids = first.kind === 'embedding';
  const dims: Dim[] = ids
    ? ['batch', 'time']
    : first.kind === 'dense'
      ? ['batch', first.inputSize as number]
      : ['batch', 'time', first.inputSize as number];
  let x: Value = { name: graph.input('input', ids ? 'int64' : 'float32', dims), rank: dims.length };
  let masked: string | undefined;
  for (const part of parts) {
    const where = partName(part);
    const own = partParams(params, part) as Record<string, tf.Tensor>;
    const layer =
      part.layer.kind === 'timeDistributed' ? (part.layer as unknown as { layer: AnyLayer }).layer : part.layer;
    switch (layer.kind) {
      case 'embedding': {
        const c = (layer as unknown as { config: { vocabSize: number; dim: number; paddingId?: number } }).config;
        if (c.paddingId !== undefined) masked = where;
        const table = graph.float('embeddings', own.embeddings?.dataSync() as Float32Array, [c.vocabSize, c.dim]);
        x = { name: graph.node('Gather', [table, x.name], 1, { axis: 0 })[0] as string, rank: x.rank + 1 };
        break;
      }
      case 'recurrent':
      case 'bidirectional':
        if (masked !== undefined) {
          throw new RecurError(
            'NOT_SUPPORTED',
            `${where}: takes the mask made by ${masked}; ONNX's recurrent operators take sequence lengths, not masks (drop paddingId to export)`,
          );
        }
        x = emitRecurrent(graph, x, part, own as unknown as ParamTree);
        break;
      case 'dense':
        x = emitDense(graph, x, layer, own, where);
        break;
      case 'activation':
        x = {
          name: activation(graph, x.name, (layer as unknown as { activation: string }).activation, where),
          rank: x.rank,
        };
        break;
      case 'dropout':
        break;
      default:
        throw new RecurError('NOT_SUPPORTED', `${where}: no ONNX export for a ${layer.kind} layer`);
    }
  }
  const out = graph.node('Identity', [x.name], ['output']);
  const inner = Array.from({ length: Math.max(0, x.rank - 2) }, (_, i) => (i === 0 ? 'time' : `d${i}`));
  graph.output(out[0] as string, ['batch', ...inner, model.outputSize ?? 'features']);
  return graph.encode(opset, '0.1.0');
}
