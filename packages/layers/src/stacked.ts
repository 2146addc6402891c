/**
 * Layers applied in sequence (a Keras `Sequential` of layers): each layer's output, and
 * its mask, feed the next. Params and states are arrays with one entry per layer.
 */
import { badArgument, checkPositiveInteger, checkRng, checkTensor, RecurError, type Rng } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkApplyOptions } from './apply-options.js';
import { prefixSpecs } from './keras-weights.js';
import type { AnyLayer, ApplyOptions, Layer, LayerOutput, WeightSpec } from './layer.js';

type ParamsOf<L> = L extends { init(rng: Rng): infer P } ? P : never;
type StateOf<L> = L extends { zeroState(batch: number): infer S } ? S : never;
type InputOf<L> = L extends { apply(params: never, input: infer I, ...rest: never[]): unknown } ? I : never;
type OutputOf<L> = L extends { apply(...args: never[]): { readonly output: infer O } } ? O : never;
type Last<L extends readonly unknown[]> = L extends readonly [...unknown[], infer Z] ? Z : L[number];

export type StackedParams<L extends readonly AnyLayer[]> = { readonly [K in keyof L]: ParamsOf<L[K]> };
export type StackedStates<L extends readonly AnyLayer[]> = { readonly [K in keyof L]: StateOf<L[K]> };

export type StackedLayer<L extends readonly AnyLayer[]> = Layer<
  StackedParams<L>,
  StackedStates<L>,
  InputOf<L[0]>,
  OutputOf<Last<L>>
> & {
  readonly kind: 'stacked';
  readonly layers: L;
};

/**
 * Stacks `layers`, checking at construction that each one's input size is the previous
 * one's output size and that only the last returns a pair (`bidirectional` with merge
 * `'none'`).
 *
 * ```ts
 * const model = stacked([
 *   embedding({ vocabSize: 100, dim: 16, paddingId: 0 }),
 *   recurrent(lstm({ inputSize: 16, units: 32 }), { returnSequences: true }),
 *   recurrent(gru({ inputSize: 32, units: 32 })),
 *   dense({ inputSize: 32, units: 5 }),
 * ]);
 * ```
 */
export function stacked<const L extends readonly AnyLayer[]>(layers: L): StackedLayer<L> {
  if (!Array.isArray(layers) || layers.length === 0) {
    throw badArgument('BAD_CONFIG', 'layers', 'a non-empty array of layers', layers);
  }
  let size: number | undefined;
  layers.forEach((layer: unknown, i) => {
    const l = layer as AnyLayer | null;
    if (l === null || typeof l !== 'object' || typeof l.apply !== 'function' || typeof l.checkInput !== 'function') {
      throw badArgument('BAD_CONFIG', `layers[${i}]`, 'a Recur layer', layer);
    }
    if (i > 0 && size !== undefined && l.inputSize !== undefined && l.inputSize !== size) {
      throw badArgument('BAD_CONFIG', `layers[${i}].inputSize`, `${size} (the output size before it)`, l.inputSize);
    }
    if (i < layers.length - 1 && (l as { merge?: unknown }).merge === 'none') {
      throw badArgument('BAD_CONFIG', `layers[${i}]`, "a layer with one output (merge 'none' only last)", 'none');
    }
    size = l.outputSize ?? size;
  });
  const all = layers as readonly AnyLayer[];
  const n = all.length;
  const specs = (): WeightSpec[] => all.flatMap((l, i) => prefixSpecs(l.kerasWeightSpec(), i, `layers.${i}`));

  function checkInput(
    inputShape: readonly number[],
    opts: ApplyOptions<StackedStates<L>> = {},
    argument = 'input',
  ): number[] {
    checkApplyOptions('stacked', opts, true);
    const states: unknown = opts.initialState;
    if (states !== undefined && (!Array.isArray(states) || states.length !== n)) {
      throw badArgument('SHAPE_MISMATCH', 'options.initialState', `an array of ${n} states (one per layer)`, states);
    }
    let shape: readonly number[] = inputShape;
    all.forEach((layer, i) => {
      const sub = layerOptions(opts, i, i === 0 ? opts.mask : undefined);
      shape = within(i, () => layer.checkInput(shape, sub, i === 0 ? argument : `output of layers[${i - 1}]`));
    });
    return [...shape];
  }

  return Object.freeze({
    kind: 'stacked' as const,
    layers,
    inputSize: all[0]?.inputSize,
    outputSize: all.reduce<number | undefined>((s, l) => l.outputSize ?? s, undefined),
    init(rng: Rng): StackedParams<L> {
      checkRng(rng, 'stacked init rng');
      const made: unknown[] = [];
      try {
        for (const layer of all) made.push(layer.init(rng));
      } catch (error) {
        tf.dispose(made as tf.TensorContainer);
        throw error;
      }
      return made as unknown as StackedParams<L>;
    },
    apply(
      params: StackedParams<L>,
      input: InputOf<L[0]>,
      opts: ApplyOptions<StackedStates<L>> = {},
    ): LayerOutput<OutputOf<Last<L>>, StackedStates<L>> {
      checkInput(checkTensor(input, 'input', 'a tensor').shape, opts);
      if (!Array.isArray(params) || params.length !== n) {
        throw badArgument('BAD_CONFIG', 'params', `an array of ${n} param sets (one per layer)`, params);
      }
      return tf.tidy(() => {
        let x: unknown = input;
        let mask: tf.Tensor2D | undefined = opts.mask;
        const states: unknown[] = [];
        all.forEach((layer, i) => {
          const out = within(i, () => layer.apply(params[i], x, layerOptions(opts, i, mask)));
          x = out.output;
          mask = out.mask;
          states.push(out.state);
        });
        const result: Record<string, unknown> = { output: x };
        if (mask !== undefined) result.mask = mask;
        if (states.some((s) => s !== undefined)) result.state = states;
        return result as tf.TensorContainerObject;
      }) as unknown as LayerOutput<OutputOf<Last<L>>, StackedStates<L>>;
    },
    checkInput,
    zeroState: (batch: number) => {
      const b = checkPositiveInteger(batch, 'batch');
      return all.map((l) => l.zeroState(b)) as unknown as StackedStates<L>;
    },
    kerasWeightSpec: specs,
    fromKerasWeights(weights: readonly tf.Tensor[]): StackedParams<L> {
      let offset = 0;
      return all.map((l) => {
        const count = l.kerasWeightSpec().length;
        offset += count;
        return l.fromKerasWeights(weights.slice(offset - count, offset));
      }) as unknown as StackedParams<L>;
    },
  });
}

/** The options layer `i` sees: the shared random options, its own initial state, and the current mask. */
function layerOptions(opts: ApplyOptions<unknown>, i: number, mask: tf.Tensor2D | undefined): ApplyOptions<unknown> {
  const state = Array.isArray(opts.initialState) ? (opts.initialState as unknown[])[i] : undefined;
  return {
    ...(opts.training === undefined ? {} : { training: opts.training }),
    ...(opts.rng === undefined ? {} : { rng: opts.rng }),
    ...(mask === undefined ? {} : { mask }),
    ...(state === undefined ? {} : { initialState: state }),
  };
}

/** Runs `fn`, naming layer `i` in any `RecurError` it throws. */
function within<T>(i: number, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof RecurError)
      throw new RecurError(error.code, `layers[${i}]: ${error.message}`, { cause: error });
    throw error;
  }
}
