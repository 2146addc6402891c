/**
 * A recurrent layer: any cell run over `[batch, time, features]` by core's `scan`, with
 * the Keras RNN options (Keras `SimpleRNN` / `LSTM` / `GRU` are `recurrent(elman(…))`,
 * `recurrent(lstm(…))`, `recurrent(gru(…))`), plus input dropout, variational recurrent
 * dropout and zoneout for training (see `regularized-cell.ts`).
 */
import {
  badArgument,
  type Carry,
  type Cell,
  checkCarry,
  checkLiveTensor,
  type MaskedOutput,
  maskedOutputOption,
  type Params,
  type Rng,
  scan,
} from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import {
  checkApplyOptions,
  checkBatchSize,
  checkBoolean,
  checkMask,
  checkParams,
  checkRate,
  checkRng,
  checkTraining,
  mismatch,
  shapeMismatch,
  tensorShape,
} from './internal/checks.js';
import { checkConfig } from './internal/config.js';
import { dropoutMask } from './internal/random.js';
import { cellKerasWeightSpec, paramsFromSpecs } from './keras-weights.js';
import type { ApplyOptions, Layer, LayerOutput, WeightSpec } from './layer.js';
import { regularizedCell } from './regularized-cell.js';

export interface RecurrentOptions<RS extends boolean = boolean> {
  /** Output every step `[batch, time, units]` (true) or the last real one `[batch, units]`. Default `false` (Keras). */
  readonly returnSequences?: RS;
  /** Return the final carry as `state` (to pass back as `initialState`: stateful use). Default `false`. */
  readonly returnState?: boolean;
  /** Process from the last step to the first (Keras `goBackwards`). Default `false`. */
  readonly reverse?: boolean;
  /**
   * With `reverse` and `returnSequences`: outputs in input time order. Default `false`:
   * processing order, as Keras `goBackwards`.
   */
  readonly keepOrder?: boolean;
  /**
   * What masked steps emit: `'previous'` (the last real output, and the initial state's
   * output before the first, as a plain Keras / tfjs-layers RNN) or `'zeros'` (as Keras
   * `Bidirectional`). Either way they keep the state. Default: core's
   * `DEFAULT_MASKED_OUTPUT` (`'previous'`), as `scan`.
   */
  readonly maskedOutput?: MaskedOutput;
  /** Input dropout rate in [0, 1): one mask per sequence, the same at every step (as Keras). Default 0. */
  readonly dropout?: number;
  /** Variational dropout of the recurrent input h_{t−1}, in [0, 1). Default 0. */
  readonly recurrentDropout?: number;
  /** Zoneout probability in [0, 1), for every carry field. Default 0. */
  readonly zoneout?: number;
}

/** Output of a recurrent layer: `[batch, time, O]` with `returnSequences: true`, else `[batch, O]`. */
export type SequenceOutput<RS extends boolean> = [RS] extends [true]
  ? tf.Tensor3D
  : [RS] extends [false]
    ? tf.Tensor2D
    : tf.Tensor2D | tf.Tensor3D;

export type RecurrentLayer<C extends Carry = Carry, P extends Params = Params, RS extends boolean = boolean> = Layer<
  P,
  C,
  tf.Tensor3D,
  SequenceOutput<RS>
> & {
  readonly kind: 'recurrent';
  readonly cell: Cell<C, P>;
  readonly options: Readonly<Required<RecurrentOptions<RS>>>;
};

const FIELDS = [
  'returnSequences',
  'returnState',
  'reverse',
  'keepOrder',
  'maskedOutput',
  'dropout',
  'recurrentDropout',
  'zoneout',
] as const;

/**
 * A layer running `cell` over sequences. Its params are the cell's (`cell.init(rng)`).
 *
 * ```ts
 * const layer = recurrent(lstm({ inputSize: 8, units: 32 }), { returnSequences: true });
 * const params = layer.init(new Rng(1));
 * const { output } = layer.apply(params, x); // [batch, time, 32]
 * ```
 */
export function recurrent<C extends Carry, P extends Params, RS extends boolean = false>(
  cell: Cell<C, P>,
  options: RecurrentOptions<RS> = {},
): RecurrentLayer<C, P, RS> {
  if (cell === null || typeof cell !== 'object' || typeof cell.step !== 'function') {
    throw badArgument('BAD_CONFIG', 'cell', 'a Cell from @recur/cells', cell);
  }
  checkConfig(options, FIELDS, 'options');
  const maskedOutput = maskedOutputOption(options.maskedOutput);
  const full = Object.freeze({
    returnSequences: checkBoolean(options.returnSequences, 'options.returnSequences', false) as RS,
    returnState: checkBoolean(options.returnState, 'options.returnState', false),
    reverse: checkBoolean(options.reverse, 'options.reverse', false),
    keepOrder: checkBoolean(options.keepOrder, 'options.keepOrder', false),
    maskedOutput,
    dropout: checkRate(options.dropout, 'options.dropout'),
    recurrentDropout: checkRate(options.recurrentDropout, 'options.recurrentDropout'),
    zoneout: checkRate(options.zoneout, 'options.zoneout'),
  });
  const { inputSize, outputSize } = cell;
  const random = full.dropout > 0 || full.recurrentDropout > 0 || full.zoneout > 0;
  // Params are checked here when the cell has a Keras layout; other cells check their own at the first step.
  let paramSpecs: readonly WeightSpec[] | undefined;
  try {
    paramSpecs = cellKerasWeightSpec(cell as unknown as Cell);
  } catch {
    paramSpecs = undefined;
  }

  function checkInput(inputShape: readonly number[], opts: ApplyOptions<C> = {}, argument = 'input'): number[] {
    checkApplyOptions('recurrent', opts, true);
    if (inputShape.length !== 3 || inputShape[2] !== inputSize || inputShape[0] === 0 || inputShape[1] === 0) {
      throw shapeMismatch(argument, `a shape [batch, time, ${inputSize}] (batch, time ≥ 1)`, inputShape);
    }
    const [batch, time] = inputShape as [number, number];
    checkMask(opts.mask, batch, time);
    checkTraining(opts, random);
    if (opts.initialState !== undefined) checkCarry(cell, opts.initialState, batch, 'options.initialState');
    return full.returnSequences ? [batch, time, outputSize] : [batch, outputSize];
  }

  return Object.freeze({
    kind: 'recurrent' as const,
    cell,
    options: full,
    inputSize,
    outputSize,
    init: (rng: Rng): P => cell.init(checkRng(rng, 'recurrent init rng')),
    apply(params: P, input: tf.Tensor3D, opts: ApplyOptions<C> = {}): LayerOutput<SequenceOutput<RS>, C> {
      const shape = tensorShape(input, 'input', `a float32 tensor of shape [batch, time, ${inputSize}]`);
      checkLiveTensor(input, 'input', `a float32 tensor of shape [batch, time, ${inputSize}]`);
      if (opts.mask !== undefined) checkLiveTensor(opts.mask, 'options.mask', 'a [batch, time] tensor');
      checkInput(shape, opts);
      if (input.dtype !== 'float32') throw mismatch('input', 'a float32 tensor', input);
      if (paramSpecs !== undefined) checkParams(params, paramSpecs);
      const [batch, , features] = shape as [number, number, number];
      const training = opts.training === true;
      return tf.tidy(() => {
        const xs =
          training && full.dropout > 0
            ? (tf.mul(input, dropoutMask([batch, 1, features], full.dropout, opts.rng as Rng)) as tf.Tensor3D)
            : input;
        const stepped =
          full.zoneout > 0 || (training && full.recurrentDropout > 0)
            ? regularizedCell(cell, {
                batch,
                recurrentDropout: full.recurrentDropout,
                zoneout: full.zoneout,
                training,
                ...(opts.rng === undefined ? {} : { rng: opts.rng }),
              })
            : cell;
        const mask =
          opts.mask === undefined ? undefined : (tf.cast(tf.cast(opts.mask, 'bool'), 'float32') as tf.Tensor2D);
        const result = scan(stepped, params, xs, {
          reverse: full.reverse,
          keepOrder: full.keepOrder,
          maskedOutput: full.maskedOutput,
          returnSequences: full.returnSequences,
          returnState: full.returnState,
          ...(mask === undefined ? {} : { mask }),
          ...(opts.initialState === undefined ? {} : { initialState: opts.initialState }),
        });
        const out: { output: tf.Tensor; mask?: tf.Tensor2D; state?: C } = { output: result.outputs };
        if (full.returnSequences && mask !== undefined) out.mask = mask;
        if (full.returnState && result.state !== undefined) out.state = result.state;
        return out as unknown as tf.TensorContainerObject;
      }) as unknown as LayerOutput<SequenceOutput<RS>, C>;
    },
    checkInput,
    zeroState: (batch: number): C => cell.initCarry(checkBatchSize(batch)),
    kerasWeightSpec: () => cellKerasWeightSpec(cell as unknown as Cell),
    fromKerasWeights: (weights: readonly tf.Tensor[]): P =>
      paramsFromSpecs<P>(cellKerasWeightSpec(cell as unknown as Cell), weights),
  });
}
