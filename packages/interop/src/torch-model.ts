/**
 * The Recur model that computes what a list of PyTorch modules computes in sequence
 * (`torchModules`' inverse): `nn.RNN` / `nn.LSTM` / `nn.GRU` become `num_layers`
 * recurrent (or bidirectional) layers returning sequences, `nn.Embedding` an
 * embedding, `nn.Linear` a dense layer over the last axis.
 */

import { elman, gru, lstm } from '@recur/cells';
import { badArgument, type Cell, checkBoolean, checkPositiveInteger, RecurError } from '@recur/core';
import { type AnyLayer, bidirectional, dense, embedding, recurrent, stacked } from '@recur/layers';
import type { LoadedStack } from './model-parts.js';
import type { TorchModuleInfo } from './torch-layout.js';

/** Options of building a Recur model from PyTorch module descriptions: returned states and padding masks. */
export interface TorchModelOptions {
  /** Recurrent layers return their final state (compare it with torch's `h_n`, `c_n`). Default `false`. */
  readonly returnState?: boolean;
  /**
   * Make the embedding's `padding_idx` a Recur `paddingId`, which masks padded steps in
   * the layers after it. PyTorch's `padding_idx` only zeroes that row, and its RNNs run
   * over padding unless given packed sequences, so the default `false` keeps PyTorch's outputs.
   */
  readonly maskPadding?: boolean;
}

type Args = Readonly<Record<string, number | boolean | string>>;

function int(args: Args, key: string, module: string, fallback?: number): number {
  return checkPositiveInteger(args[key] ?? fallback, `modules '${module}' args.${key}`);
}

function flag(args: Args, key: string, fallback: boolean): boolean {
  return checkBoolean(args[key] ?? fallback, `args.${key}`);
}

function rnnLayers(m: TorchModuleInfo, options: TorchModelOptions): AnyLayer[] {
  const a = m.args;
  const hidden = int(a, 'hidden_size', m.name);
  const layers = int(a, 'num_layers', m.name, 1);
  const proj = a.proj_size === undefined || a.proj_size === 0 ? undefined : int(a, 'proj_size', m.name);
  const bi = flag(a, 'bidirectional', false);
  const useBias = flag(a, 'bias', true);
  const out = (proj ?? hidden) * (bi ? 2 : 1);
  return Array.from({ length: layers }, (_, k) => {
    const inputSize = k === 0 ? int(a, 'input_size', m.name) : out;
    let cell: Cell;
    if (m.type === 'LSTM') {
      cell = lstm({
        inputSize,
        units: hidden,
        useBias,
        ...(proj === undefined ? {} : { projSize: proj }),
      }) as unknown as Cell;
    } else if (m.type === 'GRU') {
      cell = gru({ inputSize, units: hidden, useBias, resetAfter: true }) as unknown as Cell;
    } else {
      const act = a.nonlinearity ?? 'tanh';
      if (act !== 'tanh' && act !== 'relu')
        throw badArgument('BAD_CONFIG', 'args.nonlinearity', "'tanh' or 'relu'", act);
      cell = elman({ inputSize, units: hidden, useBias, activation: act }) as unknown as Cell;
    }
    const layer = recurrent(cell, { returnSequences: true, returnState: options.returnState === true });
    return (bi ? bidirectional(layer) : layer) as unknown as AnyLayer;
  });
}

/**
 * A stacked Recur model equivalent to `modules` run in order, and the torch module
 * name of each of its layers: load the weights with `fromTorch(model, tensors, {
 * modules: names })`. Unsupported module types throw `NOT_SUPPORTED` naming them.
 */
export function modelFromTorchModules(
  modules: readonly TorchModuleInfo[],
  options: TorchModelOptions = {},
): { model: LoadedStack; names: string[] } {
  if (!Array.isArray(modules) || modules.length === 0) {
    throw badArgument('BAD_CONFIG', 'modules', 'a non-empty array of { name, type, args }', modules);
  }
  const layers: AnyLayer[] = [];
  const names: string[] = [];
  for (const m of modules) {
    if (m === null || typeof m !== 'object' || typeof m.name !== 'string' || typeof m.args !== 'object') {
      throw badArgument('BAD_CONFIG', 'modules[]', '{ name, type, args }', m);
    }
    let made: AnyLayer[];
    if (m.type === 'RNN' || m.type === 'LSTM' || m.type === 'GRU') {
      made = rnnLayers(m, options);
    } else if (m.type === 'Embedding') {
      const pad = m.args.padding_idx;
      made = [
        embedding({
          vocabSize: int(m.args, 'num_embeddings', m.name),
          dim: int(m.args, 'embedding_dim', m.name),
          ...(options.maskPadding === true && typeof pad === 'number' ? { paddingId: pad } : {}),
        }) as unknown as AnyLayer,
      ];
    } else if (m.type === 'Linear') {
      made = [
        dense({
          inputSize: int(m.args, 'in_features', m.name),
          units: int(m.args, 'out_features', m.name),
          useBias: flag(m.args, 'bias', true),
        }) as unknown as AnyLayer,
      ];
    } else {
      throw new RecurError(
        'NOT_SUPPORTED',
        `modules: torch module '${m.name}' of type nn.${String(m.type)} has no Recur layer`,
      );
    }
    layers.push(...made);
    names.push(...made.map(() => m.name));
  }
  return { model: stacked(layers) as unknown as LoadedStack, names };
}
