/**
 * How a Recur model lines up with a PyTorch module tree. Each Recur layer belongs to a
 * named torch module (`options.modules`); consecutive recurrent layers of one name are
 * one multi-layer `nn.RNN` / `nn.LSTM` / `nn.GRU` (their `_l0`, `_l1`, ...), as a
 * PyTorch model writes `self.rnn = nn.LSTM(..., num_layers=2)`.
 */
import type { Cell } from '@recur/core';
import { badArgument, RecurError } from '@recur/core';
import type { AnyLayer } from '@recur/layers';
import { type ModelPart, modelParts, partName } from './model-parts.js';

/** How a Recur model's layers map to PyTorch module names in `state_dict` keys. */
export interface TorchOptions {
  /**
   * The torch module name of each layer of a stacked model, as its `state_dict()` keys
   * begin (`'embed'` for `embed.weight`). Consecutive recurrent layers with the same
   * name form one multi-layer RNN. Default: `nn.Sequential` names (`'0'`, `'1'`, ...);
   * for a single layer, `''` (keys without a prefix).
   */
  readonly modules?: readonly string[];
}

/** A PyTorch module the model maps to, with the arguments to build it in Python. */
export interface TorchModuleInfo {
  readonly name: string;
  /** `'RNN'`, `'LSTM'`, `'GRU'`, `'Embedding'` or `'Linear'` (of `torch.nn`). */
  readonly type: string;
  /** Constructor keyword arguments, e.g. `{ input_size: 8, hidden_size: 16, num_layers: 2, ... }`. */
  readonly args: Readonly<Record<string, number | boolean | string>>;
}

export interface RnnModule {
  readonly kind: 'rnn';
  readonly info: TorchModuleInfo;
  readonly cell: Cell;
  readonly directions: 1 | 2;
  /** One per torch layer (`_l{k}`). */
  readonly parts: readonly ModelPart[];
}

export interface FlatModule {
  readonly kind: 'embedding' | 'linear';
  readonly info: TorchModuleInfo;
  readonly part: ModelPart;
}

export type TorchModule = RnnModule | FlatModule;

const RNN_TYPES = { elman: 'RNN', lstm: 'LSTM', gru: 'GRU' } as const;

/** The torch modules of `model`, refusing layers PyTorch has no module for. */
export function torchLayout(model: unknown, options: TorchOptions = {}): TorchModule[] {
  const parts = modelParts(model);
  const names = moduleNames(parts, options);
  const modules: TorchModule[] = [];
  parts.forEach((part, i) => {
    const name = names[i] as string;
    const layer = unwrapTimeDistributed(part.layer);
    if (layer.kind === 'dropout') return;
    if (layer.kind === 'embedding') {
      const c = (layer as unknown as { config: { vocabSize: number; dim: number; paddingId?: number } }).config;
      const args = { num_embeddings: c.vocabSize, embedding_dim: c.dim };
      modules.push({
        kind: 'embedding',
        part,
        info: {
          name,
          type: 'Embedding',
          args: c.paddingId === undefined ? args : { ...args, padding_idx: c.paddingId },
        },
      });
    } else if (layer.kind === 'dense') {
      const c = (
        layer as unknown as { config: { inputSize: number; units: number; useBias: boolean; activation: string } }
      ).config;
      if (c.activation !== 'linear') {
        throw unsupported(part, `a dense activation '${c.activation}' (nn.Linear has none; apply it in Python)`);
      }
      modules.push({
        kind: 'linear',
        part,
        info: { name, type: 'Linear', args: { in_features: c.inputSize, out_features: c.units, bias: c.useBias } },
      });
    } else if (layer.kind === 'recurrent' || layer.kind === 'bidirectional') {
      const last = modules.at(-1);
      const prev = i > 0 ? names[i - 1] : undefined;
      if (last?.kind === 'rnn' && prev === name) extendRnn(modules, last, part);
      else modules.push(newRnn(part, name));
    } else {
      throw unsupported(part, 'this layer kind');
    }
  });
  return modules;
}

function moduleNames(parts: readonly ModelPart[], options: TorchOptions): string[] {
  if (options === null || typeof options !== 'object') throw badArgument('BAD_CONFIG', 'options', 'an object', options);
  const { modules } = options;
  if (modules === undefined) return parts.map((p) => (p.index === undefined ? '' : String(p.index)));
  if (!Array.isArray(modules) || modules.length !== parts.length || !modules.every((m) => typeof m === 'string')) {
    throw badArgument('BAD_CONFIG', 'options.modules', `${parts.length} module names (one per layer)`, modules);
  }
  return [...modules];
}

function unwrapTimeDistributed(layer: AnyLayer): AnyLayer {
  return layer.kind === 'timeDistributed' ? (layer as unknown as { layer: AnyLayer }).layer : layer;
}

function unsupported(part: ModelPart, what: string): RecurError {
  return new RecurError('NOT_SUPPORTED', `${partName(part)}: PyTorch has no module for ${what}`);
}

/** The cell and direction count of a recurrent or bidirectional part, checked against what torch computes. */
function rnnOf(part: ModelPart): { cell: Cell; directions: 1 | 2 } {
  const layer = part.layer as unknown as {
    kind: string;
    merge?: string;
    forward?: { cell: Cell };
    cell?: Cell;
    options?: { reverse: boolean };
  };
  if (layer.kind === 'bidirectional' && layer.merge !== 'concat') {
    throw unsupported(part, `merge '${layer.merge}' (torch concatenates the directions)`);
  }
  if (layer.kind === 'recurrent' && layer.options?.reverse === true) {
    throw unsupported(part, 'a reversed single-direction RNN');
  }
  const cell = (layer.kind === 'bidirectional' ? layer.forward?.cell : layer.cell) as Cell;
  const c = cell.config as Record<string, unknown>;
  const type = RNN_TYPES[cell.kind as keyof typeof RNN_TYPES];
  if (type === undefined) throw unsupported(part, `a '${cell.kind}' cell`);
  if (cell.kind === 'elman' && c.activation !== 'tanh' && c.activation !== 'relu') {
    throw unsupported(part, `an RNN with activation '${c.activation}' (nn.RNN has tanh or relu)`);
  }
  if (cell.kind !== 'elman' && (c.activation !== 'tanh' || c.recurrentActivation !== 'sigmoid')) {
    throw unsupported(part, `activations ${c.activation}/${c.recurrentActivation} (torch has tanh/sigmoid)`);
  }
  const variant = ['peephole', 'cifg', 'layerNorm'].find((v) => c[v] === true);
  if (variant !== undefined) throw unsupported(part, `an LSTM with ${variant}`);
  if (cell.kind === 'gru' && c.resetAfter !== true) {
    throw unsupported(part, 'a GRU with resetAfter false (nn.GRU applies the reset gate after the product)');
  }
  return { cell, directions: layer.kind === 'bidirectional' ? 2 : 1 };
}

function newRnn(part: ModelPart, name: string): RnnModule {
  const { cell, directions } = rnnOf(part);
  const c = cell.config as Record<string, unknown>;
  const args: Record<string, number | boolean | string> = {
    input_size: cell.inputSize,
    hidden_size: c.units as number,
    num_layers: 1,
    bias: c.useBias !== false,
    batch_first: true,
    bidirectional: directions === 2,
  };
  if (cell.kind === 'elman') args.nonlinearity = c.activation as string;
  if (c.projSize !== undefined) args.proj_size = c.projSize as number;
  return { kind: 'rnn', cell, directions, parts: [part], info: { name, type: RNN_TYPES[cell.kind as 'lstm'], args } };
}

/** Adds `part` as the next torch layer of `module` (replacing it in `modules`) when it matches. */
function extendRnn(modules: TorchModule[], module: RnnModule, part: ModelPart): void {
  const { cell, directions } = rnnOf(part);
  const a = module.cell.config as Record<string, unknown>;
  const b = cell.config as Record<string, unknown>;
  const same =
    cell.kind === module.cell.kind &&
    directions === module.directions &&
    ['units', 'activation', 'useBias', 'projSize'].every((k) => a[k] === b[k]) &&
    cell.inputSize === module.directions * module.cell.outputSize;
  if (!same) {
    throw new RecurError(
      'NOT_SUPPORTED',
      `${partName(part)}: shares the torch module name '${module.info.name}' with the layer before it, but one ` +
        `nn.${module.info.type} needs the same cell, size and directions in every layer`,
    );
  }
  const args = { ...module.info.args, num_layers: module.parts.length + 1 };
  modules[modules.length - 1] = { ...module, parts: [...module.parts, part], info: { ...module.info, args } };
}

/** The state_dict key prefix of a module. */
export function prefix(name: string): string {
  return name === '' ? '' : `${name}.`;
}
