/**
 * Keras layer configs (as tfjs-layers' `model.json` and the Keras converter write them,
 * snake_case) ↔ Recur layers. Supported: Embedding (`mask_zero`), Masking, SimpleRNN,
 * LSTM, GRU (both `reset_after`), Bidirectional, TimeDistributed(Dense), Dense, Dropout,
 * Activation (and softmax, which Recur's element-wise activations lack, as a layer).
 */
import { elman, gru, lstm } from '@recur/cells';
import { type Cell, RecurError } from '@recur/core';
import {
  type AnyLayer,
  bidirectional,
  dense,
  dropout,
  embedding,
  type RecurrentLayer,
  recurrent,
  timeDistributed,
} from '@recur/layers';
import { activationLayer } from './activation-layer.js';
import { masking } from './masking.js';

/** One layer of a Keras topology: `{ class_name, config }`. */
export interface KerasLayerJson {
  readonly class_name: string;
  readonly config: Record<string, unknown>;
}

/** What reading one Keras layer needs from the layers before it: its input size and how masked Bidirectional steps are filled. */
export interface FromKerasContext {
  /** Features of the layer's input (the vocabulary size is read from the config). */
  readonly inputSize: number;
  /** tfjs-layers' Bidirectional repeats the previous output at masked steps; Keras' emits zeros. */
  readonly bidirectionalMaskedOutput: 'zeros' | 'previous';
}

const RNN_CLASSES = ['SimpleRNN', 'LSTM', 'GRU'] as const;

function refuse(json: KerasLayerJson, what: string): RecurError {
  const name = typeof json.config?.name === 'string' ? ` '${json.config.name}'` : '';
  return new RecurError('NOT_SUPPORTED', `layer${name} of class ${json.class_name}: ${what}`);
}

function num(json: KerasLayerJson, key: string, fallback?: number): number {
  const v = json.config[key] ?? fallback;
  if (typeof v !== 'number') throw refuse(json, `config.${key} is ${JSON.stringify(v)}, expected a number`);
  return v;
}

function bool(json: KerasLayerJson, key: string, fallback: boolean): boolean {
  const v = json.config[key] ?? fallback;
  if (typeof v !== 'boolean') throw refuse(json, `config.${key} is ${JSON.stringify(v)}, expected a boolean`);
  return v;
}

function str(json: KerasLayerJson, key: string, fallback: string): string {
  const v = json.config[key] ?? fallback;
  if (typeof v !== 'string') throw refuse(json, `config.${key} is ${JSON.stringify(v)}, expected a string`);
  return v;
}

function rnnFromKeras(json: KerasLayerJson, inputSize: number): RecurrentLayer {
  if (bool(json, 'return_state', false))
    throw refuse(json, 'return_state inside a model (its states are extra outputs)');
  const common = {
    inputSize,
    units: num(json, 'units'),
    activation: str(json, 'activation', 'tanh'),
    useBias: bool(json, 'use_bias', true),
  };
  // Keras 2 (and tfjs-layers) default the gates to hard_sigmoid; both write it out.
  const recurrentActivation = str(json, 'recurrent_activation', 'hard_sigmoid');
  let cell: Cell;
  if (json.class_name === 'SimpleRNN') cell = elman(common) as unknown as Cell;
  else if (json.class_name === 'LSTM') cell = lstm({ ...common, recurrentActivation }) as unknown as Cell;
  else cell = gru({ ...common, recurrentActivation, resetAfter: bool(json, 'reset_after', true) }) as unknown as Cell;
  return recurrent(cell, {
    returnSequences: bool(json, 'return_sequences', false),
    reverse: bool(json, 'go_backwards', false),
    dropout: num(json, 'dropout', 0),
    recurrentDropout: num(json, 'recurrent_dropout', 0),
  }) as unknown as RecurrentLayer;
}

/**
 * The Recur layers for a Keras layer config (one, or two for a softmax `Dense`: a linear
 * dense then `activationLayer('softmax')`), or `RecurError('NOT_SUPPORTED')` naming it.
 */
export function layerFromKeras(json: KerasLayerJson, context: FromKerasContext): AnyLayer[] {
  const { inputSize } = context;
  const withName = <T>(make: () => T): T => {
    try {
      return make();
    } catch (error) {
      if (error instanceof RecurError && error.code !== 'NOT_SUPPORTED') throw refuse(json, error.message);
      throw error;
    }
  };
  return withName((): AnyLayer[] => {
    switch (json.class_name) {
      case 'Embedding': {
        const maskZero = bool(json, 'mask_zero', false);
        const config = { vocabSize: num(json, 'input_dim'), dim: num(json, 'output_dim') };
        return [embedding(maskZero ? { ...config, paddingId: 0 } : config) as unknown as AnyLayer];
      }
      case 'Masking':
        return [masking({ inputSize, maskValue: num(json, 'mask_value', 0) }) as unknown as AnyLayer];
      case 'SimpleRNN':
      case 'LSTM':
      case 'GRU':
        return [rnnFromKeras(json, inputSize) as unknown as AnyLayer];
      case 'Bidirectional': {
        const inner = json.config.layer as KerasLayerJson | undefined;
        if (inner === undefined || !(RNN_CLASSES as readonly string[]).includes(inner.class_name)) {
          throw refuse(json, `wrapping ${inner?.class_name ?? 'nothing'} (SimpleRNN, LSTM or GRU expected)`);
        }
        const merge = json.config.merge_mode ?? 'concat';
        const layer = bidirectional(rnnFromKeras(inner, inputSize), {
          merge: (merge === null ? 'none' : merge) as 'concat',
          maskedOutput: context.bidirectionalMaskedOutput,
        });
        return [layer as unknown as AnyLayer];
      }
      case 'TimeDistributed': {
        const inner = json.config.layer as KerasLayerJson | undefined;
        if (inner?.class_name !== 'Dense')
          throw refuse(json, `wrapping ${inner?.class_name ?? 'nothing'} (Dense expected)`);
        const [linear, ...rest] = denseFromKeras(inner, inputSize);
        return [timeDistributed(linear as never) as unknown as AnyLayer, ...rest];
      }
      case 'Dense':
        return denseFromKeras(json, inputSize);
      case 'Dropout':
        return [dropout(num(json, 'rate')) as unknown as AnyLayer];
      case 'Activation':
        return [activationLayer(str(json, 'activation', 'linear')) as unknown as AnyLayer];
      default:
        throw refuse(json, 'Recur has no equivalent layer');
    }
  });
}

function denseFromKeras(json: KerasLayerJson, inputSize: number): AnyLayer[] {
  const activation = str(json, 'activation', 'linear');
  const softmax = activation === 'softmax';
  const layer = dense({
    inputSize,
    units: num(json, 'units'),
    activation: softmax ? 'linear' : activation,
    useBias: bool(json, 'use_bias', true),
  }) as unknown as AnyLayer;
  return softmax ? [layer, activationLayer('softmax') as unknown as AnyLayer] : [layer];
}

/** camelCase → snake_case, as Keras spells activations (`hardSigmoid` → `hard_sigmoid`). */
function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const INITIALIZERS: Record<string, KerasLayerJson> = {
  zeros: { class_name: 'Zeros', config: {} },
  ones: { class_name: 'Ones', config: {} },
  glorotUniform: { class_name: 'GlorotUniform', config: { seed: null } },
  glorotNormal: { class_name: 'GlorotNormal', config: { seed: null } },
  heUniform: { class_name: 'HeUniform', config: { seed: null } },
  heNormal: { class_name: 'HeNormal', config: { seed: null } },
  orthogonal: { class_name: 'Orthogonal', config: { gain: 1, seed: null } },
  uniform: { class_name: 'RandomUniform', config: { minval: -0.05, maxval: 0.05, seed: null } },
};

/** Keras initializer configs for Recur's initializer names (only affects training from scratch). */
function initializers(config: Record<string, unknown>, keys: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [recurKey, kerasKey] of Object.entries(keys)) {
    const found = INITIALIZERS[config[recurKey] as string];
    if (found !== undefined) out[kerasKey] = found;
  }
  return out;
}

function rnnToKeras(layer: RecurrentLayer, name: string): KerasLayerJson {
  const { cell, options } = layer;
  const c = cell.config as Record<string, unknown>;
  const className = { elman: 'SimpleRNN', lstm: 'LSTM', gru: 'GRU' }[cell.kind];
  if (className === undefined)
    throw new RecurError('NOT_SUPPORTED', `${name}: Keras has no layer for a '${cell.kind}' cell`);
  const variant = ['peephole', 'cifg', 'layerNorm', 'projSize'].find((v) => c[v] !== undefined && c[v] !== false);
  if (variant !== undefined) throw new RecurError('NOT_SUPPORTED', `${name}: Keras' LSTM has no ${variant}`);
  if (options.keepOrder || options.zoneout > 0) {
    throw new RecurError('NOT_SUPPORTED', `${name}: Keras has no ${options.keepOrder ? 'keepOrder' : 'zoneout'}`);
  }
  if (cell.kind === 'gru' && c.resetAfter === true) {
    // tfjs-layers 4.22 throws "GRUCell does not support reset_after parameter set to true".
    throw new RecurError(
      'NOT_SUPPORTED',
      `${name}: tfjs-layers cannot run a GRU with resetAfter (use resetAfter: false)`,
    );
  }
  return {
    class_name: className,
    config: {
      name,
      trainable: true,
      units: c.units,
      activation: snake(c.activation as string),
      ...(cell.kind === 'elman' ? {} : { recurrent_activation: snake(c.recurrentActivation as string) }),
      use_bias: c.useBias,
      ...initializers(c, {
        kernelInitializer: 'kernel_initializer',
        recurrentInitializer: 'recurrent_initializer',
        biasInitializer: 'bias_initializer',
      }),
      ...(cell.kind === 'lstm' ? { unit_forget_bias: c.unitForgetBias } : {}),
      ...(cell.kind === 'gru' ? { reset_after: false } : {}),
      dropout: options.dropout,
      recurrent_dropout: options.recurrentDropout,
      return_sequences: options.returnSequences,
      return_state: false,
      go_backwards: options.reverse,
      stateful: false,
      unroll: false,
    },
  };
}

function denseToKeras(layer: AnyLayer, name: string): KerasLayerJson {
  const c = (layer as unknown as { config: Record<string, unknown> }).config;
  return {
    class_name: 'Dense',
    config: {
      name,
      trainable: true,
      units: c.units,
      activation: snake(c.activation as string),
      use_bias: c.useBias,
      ...initializers(c, { kernelInitializer: 'kernel_initializer', biasInitializer: 'bias_initializer' }),
    },
  };
}

/**
 * The Keras config of a Recur layer named `name` (tfjs-layers' own naming), or
 * `RecurError('NOT_SUPPORTED')` saying what Keras cannot express.
 */
export function layerToKeras(layer: AnyLayer, name: string): KerasLayerJson {
  const any = layer as unknown as Record<string, unknown>;
  const config = any.config as Record<string, unknown> | undefined;
  switch (layer.kind) {
    case 'embedding': {
      const pad = config?.paddingId;
      if (pad !== undefined && pad !== 0)
        throw new RecurError('NOT_SUPPORTED', `${name}: Keras masks id 0 only, not ${pad}`);
      return {
        class_name: 'Embedding',
        config: {
          name,
          trainable: true,
          input_dim: config?.vocabSize,
          output_dim: config?.dim,
          mask_zero: pad === 0,
          ...initializers(config ?? {}, { embeddingsInitializer: 'embeddings_initializer' }),
        },
      };
    }
    case 'masking':
      return { class_name: 'Masking', config: { name, trainable: true, mask_value: config?.maskValue } };
    case 'recurrent':
      return rnnToKeras(layer as unknown as RecurrentLayer, name);
    case 'bidirectional': {
      const merge = any.merge as string;
      const inner = rnnToKeras(any.forward as RecurrentLayer, `${name}_layer`);
      return {
        class_name: 'Bidirectional',
        config: { name, trainable: true, merge_mode: merge === 'none' ? null : merge, layer: inner },
      };
    }
    case 'timeDistributed': {
      const inner = any.layer as AnyLayer;
      if (inner.kind !== 'dense') throw new RecurError('NOT_SUPPORTED', `${name}: TimeDistributed of ${inner.kind}`);
      return {
        class_name: 'TimeDistributed',
        config: { name, trainable: true, layer: denseToKeras(inner, `${name}_dense`) },
      };
    }
    case 'dense':
      return denseToKeras(layer, name);
    case 'dropout':
      return { class_name: 'Dropout', config: { name, trainable: true, rate: any.rate } };
    case 'activation':
      return {
        class_name: 'Activation',
        config: { name, trainable: true, activation: snake(any.activation as string) },
      };
    default:
      throw new RecurError('NOT_SUPPORTED', `${name}: Keras has no layer for Recur's '${layer.kind}'`);
  }
}
