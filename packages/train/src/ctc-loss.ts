/**
 * Connectionist temporal classification loss (Graves et al. 2006), as PyTorch's
 * `nn.CTCLoss` and Keras' `ctc_batch_cost`: −ln p(label | x) summed over every
 * alignment of the label to the input steps. Each row's loss and its analytic gradient
 * are core's `RecurCtcLoss` kernel (fused in float64 on cpu and wasm, the reference in
 * tfjs ops elsewhere); the checks, the error naming an impossible row and the
 * reductions are here.
 */
import { badArgument, ctcLoss as ctcLossKernel, minimumCtcSteps, RecurError, runKernel } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';

/** How `ctcLoss` reduces the rows' losses (see `CtcReduction`). */
export const CTC_REDUCTIONS = ['mean', 'sum', 'none'] as const;
/**
 * `'mean'`: each row's loss divided by its label length (at least 1), then averaged
 * over the batch (PyTorch's `'mean'`); `'sum'`: the rows' losses summed; `'none'`: `[batch]`.
 */
export type CtcReduction = (typeof CTC_REDUCTIONS)[number];

/** Options of `ctcLoss`: the labels of each row (required), input lengths, the blank class, the reduction and `zeroInfinity`. */
export interface CtcLossOptions<R extends CtcReduction = CtcReduction> {
  /** Steps of each row that count, each in [0, time]. Default: every step of every row. */
  readonly inputLengths?: readonly number[];
  /** The labels of each row: ids in [0, classes) other than `blank`, any length (empty too). Required. */
  readonly labels: readonly (readonly number[])[];
  /** The blank class. Default 0 (as PyTorch). */
  readonly blank?: number;
  /** Default `'mean'`. */
  readonly reduction?: R;
  /**
   * Rows whose label cannot be aligned within their input length (infinite loss) give a
   * loss of 0 and no gradient, as PyTorch's `zero_infinity`. Default `false`: such a row
   * throws `RecurError('BAD_DATA')` naming it.
   */
  readonly zeroInfinity?: boolean;
}

/** `[batch]` per row with reduction `'none'`, a scalar otherwise. */
export type CtcLossResult<R extends CtcReduction> = [R] extends ['none'] ? tf.Tensor1D : tf.Scalar;

const FIELDS = ['inputLengths', 'labels', 'blank', 'reduction', 'zeroInfinity'];

/**
 * CTC loss of `logProbs`, float32 `[batch, time, classes]` log-probabilities (e.g. a
 * `tf.logSoftmax` of the network's outputs), batch-major as every Recur sequence.
 * Differentiable in `logProbs`. The caller owns the result.
 */
export function ctcLoss<R extends CtcReduction = 'mean'>(
  logProbs: tf.Tensor3D,
  options: CtcLossOptions<R>,
): CtcLossResult<R> {
  const { batch, rows, reduction, zeroInfinity, blank } = checkCtc(logProbs, options);
  const width = Math.max(0, ...rows.map((r) => r.label.length));
  const padded = rows.flatMap((r) => [...r.label, ...new Array<number>(width - r.label.length).fill(blank)]);
  const divisors = rows.map((r) => Math.max(r.label.length, 1));
  return tf.tidy(() => {
    const inputs = {
      logProbs,
      labels: tf.tensor2d(padded, [batch, width], 'int32'),
      inputLengths: tf.tensor1d(
        rows.map((r) => r.inputLength),
        'int32',
      ),
      labelLengths: tf.tensor1d(
        rows.map((r) => r.label.length),
        'int32',
      ),
    };
    const { losses } = runKernel(ctcLossKernel, inputs, { blank, zeroInfinity });
    if (reduction === 'none') return losses;
    if (reduction === 'sum') return tf.sum(losses);
    return tf.mean(tf.div(losses, tf.tensor1d(divisors)));
  }) as CtcLossResult<R>;
}

interface Checked {
  readonly batch: number;
  readonly rows: readonly { readonly inputLength: number; readonly label: readonly number[] }[];
  readonly blank: number;
  readonly reduction: CtcReduction;
  readonly zeroInfinity: boolean;
}

function checkCtc(logProbs: unknown, options: unknown): Checked {
  const lp = logProbs as tf.Tensor;
  if (lp === null || typeof lp !== 'object' || !Array.isArray(lp.shape) || lp.rank !== 3 || lp.dtype !== 'float32') {
    throw badArgument('SHAPE_MISMATCH', 'logProbs', 'a float32 tensor of shape [batch, time, classes]', logProbs);
  }
  const [batch, time, classes] = lp.shape as [number, number, number];
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw badArgument('BAD_CONFIG', 'options', '{ labels, inputLengths?, blank?, reduction?, zeroInfinity? }', options);
  }
  const o = options as Partial<CtcLossOptions>;
  for (const key of Object.keys(o)) {
    if (!FIELDS.includes(key)) throw badArgument('BAD_CONFIG', `options.${key}`, `one of ${FIELDS.join(', ')}`, key);
  }
  const blank = o.blank ?? 0;
  if (!Number.isInteger(blank) || blank < 0 || blank >= classes) {
    throw badArgument('BAD_CONFIG', 'options.blank', `an integer in [0, ${classes})`, blank);
  }
  const reduction = o.reduction ?? 'mean';
  if (!(CTC_REDUCTIONS as readonly string[]).includes(reduction)) {
    throw badArgument('BAD_CONFIG', 'options.reduction', "'mean', 'sum' or 'none'", reduction);
  }
  const zeroInfinity = o.zeroInfinity ?? false;
  if (typeof zeroInfinity !== 'boolean')
    throw badArgument('BAD_CONFIG', 'options.zeroInfinity', 'a boolean', zeroInfinity);
  const labels = o.labels;
  if (!Array.isArray(labels) || labels.length !== batch) {
    throw badArgument('BAD_DATA', 'options.labels', `an array of ${batch} label arrays (one per row)`, labels);
  }
  const inputLengths = o.inputLengths ?? Array.from({ length: batch }, () => time);
  if (!Array.isArray(inputLengths) || inputLengths.length !== batch) {
    throw badArgument('BAD_DATA', 'options.inputLengths', `an array of ${batch} lengths (one per row)`, inputLengths);
  }
  const rows = labels.map((label, b) => {
    const length = inputLengths[b];
    if (!Number.isInteger(length) || length < 0 || length > time) {
      throw badArgument('BAD_DATA', `options.inputLengths[${b}]`, `an integer in [0, ${time}]`, length);
    }
    if (!Array.isArray(label)) throw badArgument('BAD_DATA', `options.labels[${b}]`, 'an array of class ids', label);
    label.forEach((k, i) => {
      if (!Number.isInteger(k) || k < 0 || k >= classes || k === blank) {
        throw badArgument(
          'BAD_DATA',
          `options.labels[${b}][${i}]`,
          `a class id in [0, ${classes}) other than the blank ${blank}`,
          k,
        );
      }
    });
    const needed = minimumCtcSteps(label);
    if (!zeroInfinity && length < needed) {
      throw new RecurError(
        'BAD_DATA',
        `ctcLoss row ${b}: no alignment of its ${label.length} labels fits in its ${length} input steps (it needs ` +
          `at least ${needed}: one per label and a blank between repeats); shorten the label, lengthen the input, ` +
          'or pass zeroInfinity: true',
      );
    }
    return { inputLength: length as number, label: label as number[] };
  });
  return { batch, rows, blank, reduction, zeroInfinity };
}
