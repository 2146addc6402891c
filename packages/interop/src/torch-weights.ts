/**
 * PyTorch `state_dict()` ↔ Recur params. The layouts (checked against PyTorch 1.13):
 *
 * - `nn.RNN` / `nn.LSTM` / `nn.GRU` layer k, direction suffix `''` or `'_reverse'`:
 *   `weight_ih_l{k}` [G·H, I] = kernelᵀ, `weight_hh_l{k}` [G·H, H_out] =
 *   recurrentKernelᵀ, `bias_ih_l{k}`, `bias_hh_l{k}` [G·H], and with `proj_size`
 *   `weight_hr_l{k}` [P, H] = projKernelᵀ. Gate order: LSTM i, f, g, o (Recur's i, f, c, o);
 *   GRU r, z, n (Recur's z, r, h, so the blocks are swapped).
 * - RNN and LSTM add the two biases (Recur has one): `fromTorch` sums them, `toTorch`
 *   writes Recur's bias as `bias_ih` and zeros as `bias_hh`, which computes the same.
 *   GRU keeps both, as Recur's `[2, 3H]` bias (`b_hn` sits inside the reset product).
 * - `nn.Embedding.weight` [V, D] = embeddings; `nn.Linear.weight` [U, I] = kernelᵀ.
 */
import { badArgument, type Cell, isTensor, RecurError, sameShape } from '@recur/core';
import type { AnyLayer, Layer, ParamTree } from '@recur/layers';
import * as tf from '@tensorflow/tfjs-core';
import { assembleParams, checkModelParams, type ModelPart, modelParts, partParams } from './model-parts.js';
import { prefix, type TorchModule, type TorchModuleInfo, type TorchOptions, torchLayout } from './torch-layout.js';

/** One `state_dict()` entry: its key and shape. */
export interface TorchWeight {
  readonly name: string;
  readonly shape: readonly number[];
}

/** A group of torch tensors that makes one Recur params record (a cell's, a dense's...). */
interface Slot {
  readonly part: ModelPart;
  /** Where in the part's params: `[]`, or `['forward']` / `['backward']`. */
  readonly key: string | undefined;
  readonly weights: readonly TorchWeight[];
  toTorch(p: Record<string, tf.Tensor>): tf.Tensor[];
  fromTorch(ts: readonly tf.Tensor[]): Record<string, tf.Tensor>;
}

/** GRU blocks: torch r, z, n ↔ Recur z, r, h (the same swap both ways). */
function swapGruBlocks(t: tf.Tensor, axis: number): tf.Tensor {
  const [a, b, c] = tf.split(t, 3, axis) as [tf.Tensor, tf.Tensor, tf.Tensor];
  return tf.concat([b, a, c], axis);
}

function cellSlot(part: ModelPart, key: string | undefined, cell: Cell, suffix: string, name: string): Slot {
  const c = cell.config as { units: number; useBias: boolean; projSize?: number };
  const gru = cell.kind === 'gru';
  const g = { elman: 1, lstm: 4, gru: 3 }[cell.kind as 'lstm'] * c.units;
  const hOut = c.projSize ?? c.units;
  const weights: TorchWeight[] = [
    { name: `${name}weight_ih${suffix}`, shape: [g, cell.inputSize] },
    { name: `${name}weight_hh${suffix}`, shape: [g, hOut] },
    ...(c.useBias
      ? [
          { name: `${name}bias_ih${suffix}`, shape: [g] },
          { name: `${name}bias_hh${suffix}`, shape: [g] },
        ]
      : []),
    ...(c.projSize === undefined ? [] : [{ name: `${name}weight_hr${suffix}`, shape: [c.projSize, c.units] }]),
  ];
  const order = (t: tf.Tensor, axis: number) => (gru ? swapGruBlocks(t, axis) : t);
  return {
    part,
    key,
    weights,
    toTorch: (p) => {
      const out = [
        tf.transpose(order(p.kernel as tf.Tensor, 1)),
        tf.transpose(order(p.recurrentKernel as tf.Tensor, 1)),
      ];
      if (c.useBias) {
        const bias = p.bias as tf.Tensor;
        if (gru) out.push(...tf.unstack(order(bias, 1)));
        else out.push(tf.clone(bias), tf.zerosLike(bias));
      }
      if (c.projSize !== undefined) out.push(tf.transpose(p.projKernel as tf.Tensor));
      return out;
    },
    fromTorch: (ts) => {
      const [wih, whh, bih, bhh] = ts as tf.Tensor[];
      const p: Record<string, tf.Tensor> = {
        kernel: order(tf.transpose(wih as tf.Tensor), 1),
        recurrentKernel: order(tf.transpose(whh as tf.Tensor), 1),
      };
      if (c.useBias) {
        p.bias = gru
          ? order(tf.stack([bih as tf.Tensor, bhh as tf.Tensor]), 1)
          : tf.add(bih as tf.Tensor, bhh as tf.Tensor);
      }
      if (c.projSize !== undefined) p.projKernel = tf.transpose(ts[c.useBias ? 4 : 2] as tf.Tensor);
      return p;
    },
  };
}

function slotsOf(module: TorchModule): Slot[] {
  const name = prefix(module.info.name);
  if (module.kind === 'embedding') {
    const [v, d] = [module.info.args.num_embeddings as number, module.info.args.embedding_dim as number];
    return [
      {
        part: module.part,
        key: undefined,
        weights: [{ name: `${name}weight`, shape: [v, d] }],
        toTorch: (p) => [tf.clone(p.embeddings as tf.Tensor)],
        fromTorch: (ts) => ({ embeddings: tf.clone(ts[0] as tf.Tensor) }),
      },
    ];
  }
  if (module.kind === 'linear') {
    const {
      in_features: i,
      out_features: u,
      bias,
    } = module.info.args as { in_features: number; out_features: number; bias: boolean };
    return [
      {
        part: module.part,
        key: undefined,
        weights: [{ name: `${name}weight`, shape: [u, i] }, ...(bias ? [{ name: `${name}bias`, shape: [u] }] : [])],
        toTorch: (p) => [tf.transpose(p.kernel as tf.Tensor), ...(bias ? [tf.clone(p.bias as tf.Tensor)] : [])],
        fromTorch: (ts) => ({
          kernel: tf.transpose(ts[0] as tf.Tensor),
          ...(bias ? { bias: tf.clone(ts[1] as tf.Tensor) } : {}),
        }),
      },
    ];
  }
  if (module.kind !== 'rnn') throw new RecurError('NOT_SUPPORTED', `torch module ${module.info.type}`);
  return module.parts.flatMap((part, k) => {
    const cell = cellOf(part.layer);
    if (module.directions === 1) return [cellSlot(part, undefined, cell, `_l${k}`, name)];
    return [cellSlot(part, 'forward', cell, `_l${k}`, name), cellSlot(part, 'backward', cell, `_l${k}_reverse`, name)];
  });
}

function cellOf(layer: AnyLayer): Cell {
  const l = layer as unknown as { cell?: Cell; forward?: { cell: Cell } };
  return (l.cell ?? l.forward?.cell) as Cell;
}

/** The PyTorch modules `model` maps to, with their constructor arguments (to rebuild it in Python). */
export function torchModules(model: AnyLayer, options: TorchOptions = {}): TorchModuleInfo[] {
  return torchLayout(model, options).map((m) => m.info);
}

/** The `state_dict()` keys and shapes of the torch model equivalent to `model`, in PyTorch's order. */
export function torchWeightSpec(model: AnyLayer, options: TorchOptions = {}): TorchWeight[] {
  return torchLayout(model, options)
    .flatMap(slotsOf)
    .flatMap((s) => s.weights);
}

/**
 * `params` as a PyTorch `state_dict` (keys and shapes exactly as `torchWeightSpec`),
 * ready for `writeSafetensors`. Returns new tensors, owned by the caller.
 */
export function toTorch<P extends ParamTree>(
  model: Layer<P, unknown, never, unknown>,
  params: P,
  options: TorchOptions = {},
): Record<string, tf.Tensor> {
  const slots = torchLayout(model, options).flatMap(slotsOf);
  checkModelParams(model as unknown as AnyLayer, params);
  return tf.tidy(() => {
    const out: Record<string, tf.Tensor> = {};
    for (const slot of slots) {
      const own = partParams(params, slot.part) as Record<string, ParamTree>;
      const p = (slot.key === undefined ? own : own[slot.key]) as Record<string, tf.Tensor>;
      slot.toTorch(p).forEach((t, i) => {
        out[(slot.weights[i] as TorchWeight).name] = t;
      });
    }
    return out;
  });
}

/** Options of reading a PyTorch `state_dict` into params: the module names, and whether unknown keys are refused. */
export interface FromTorchOptions extends TorchOptions {
  /** Refuse keys the model has no place for (as `load_state_dict(strict=True)`). Default `true`. */
  readonly strict?: boolean;
}

/**
 * New params for `model` from a PyTorch `state_dict` (e.g. `readSafetensors(bytes).tensors`).
 * Every key and shape is checked before any tensor is made (`SHAPE_MISMATCH` naming
 * the key), so bad weights change nothing. The caller owns the returned params;
 * `tensors` are neither kept nor disposed.
 */
export function fromTorch<P extends ParamTree>(
  model: Layer<P, unknown, never, unknown>,
  tensors: Readonly<Record<string, tf.Tensor>>,
  options: FromTorchOptions = {},
): P {
  if (tensors === null || typeof tensors !== 'object') {
    throw badArgument('BAD_DATA', 'tensors', 'a record of tensors by state_dict key', tensors);
  }
  const slots = torchLayout(model, options).flatMap(slotsOf);
  const wanted = new Set<string>();
  for (const w of slots.flatMap((s) => s.weights)) {
    wanted.add(w.name);
    const t = tensors[w.name];
    if (!isTensor(t)) throw badArgument('SHAPE_MISMATCH', `tensors['${w.name}']`, `a tensor [${w.shape}]`, t);
    if (!sameShape(t.shape, w.shape)) {
      throw badArgument('SHAPE_MISMATCH', `tensors['${w.name}']`, `shape [${w.shape}]`, `[${t.shape}]`);
    }
  }
  const extra = Object.keys(tensors).filter((k) => !wanted.has(k));
  if (options.strict !== false && extra.length > 0) {
    throw badArgument('BAD_DATA', 'tensors', 'only keys of the model (or options.strict false)', extra);
  }
  return tf.tidy(() => {
    const own = new Map<number | undefined, ParamTree>();
    for (const slot of slots) {
      const p = slot.fromTorch(slot.weights.map((w) => tf.cast(tensors[w.name] as tf.Tensor, 'float32')));
      if (slot.key === undefined) own.set(slot.part.index, p);
      else own.set(slot.part.index, { ...(own.get(slot.part.index) as object), [slot.key]: p });
    }
    return assembleParams(modelParts(model), own) as tf.TensorContainer;
  }) as P;
}
