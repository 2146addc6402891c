import { assertPositiveInteger, badArgument, describeValue, RecurError } from '@recur/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { StepModel } from './step-model.js';

/** Checks the shape of a `StepModel` (not its behaviour) before any decoder touches it. */
export function assertStepModel(model: unknown): asserts model is StepModel<unknown> {
  const m = model as Partial<StepModel<unknown>> | null | undefined;
  if (typeof m !== 'object' || m === null) {
    throw badArgument('BAD_CONFIG', 'model', 'a StepModel (vocabSize, start, step, selectRows, disposeState)', model);
  }
  assertPositiveInteger(m.vocabSize, 'model.vocabSize');
  for (const method of ['start', 'step', 'selectRows', 'disposeState'] as const) {
    if (typeof m[method] !== 'function') {
      throw badArgument('BAD_CONFIG', `model.${method}`, 'a function', m[method]);
    }
  }
}

export function assertOptionsObject(options: unknown, argument = 'options'): asserts options is object {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw badArgument('BAD_CONFIG', argument, 'an object', options);
  }
}

export function isTokenId(value: unknown, vocabSize: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < vocabSize;
}

export function assertTokenId(
  value: unknown,
  vocabSize: number,
  argument: string,
  code: 'BAD_CONFIG' | 'BAD_DATA',
): asserts value is number {
  if (!isTokenId(value, vocabSize)) {
    throw badArgument(code, argument, `an integer token id in [0, ${vocabSize})`, value);
  }
}

/** One prompt: an array of token ids (possibly empty; the model decides what empty means). */
export function assertPrompt(prompt: unknown, vocabSize: number, argument: string): asserts prompt is number[] {
  if (!Array.isArray(prompt)) throw badArgument('BAD_DATA', argument, 'an array of token ids', prompt);
  prompt.forEach((token, i) => {
    assertTokenId(token, vocabSize, `${argument}[${i}]`, 'BAD_DATA');
  });
}

/** A batch of prompts: a non-empty array of token-id arrays. */
export function assertPrompts(
  prompts: unknown,
  vocabSize: number,
  argument = 'prompts',
): asserts prompts is readonly (readonly number[])[] {
  if (!Array.isArray(prompts) || prompts.length === 0) {
    throw badArgument('BAD_DATA', argument, 'a non-empty array of prompts (arrays of token ids)', prompts);
  }
  prompts.forEach((prompt, i) => {
    assertPrompt(prompt, vocabSize, `${argument}[${i}]`);
  });
}

/**
 * Copies a model's log-probabilities to the host and disposes the tensor (the caller of
 * `start`/`step` owns it). A shape other than `[rows, vocabSize]` or a NaN is the model's
 * bug, reported here rather than as a wrong token later.
 */
export function readLogProbs(logProbs: tf.Tensor2D, rows: number, vocabSize: number): Float32Array {
  try {
    const shape = (logProbs as { shape?: unknown })?.shape;
    if (!Array.isArray(shape) || shape.length !== 2 || shape[0] !== rows || shape[1] !== vocabSize) {
      throw new RecurError(
        'SHAPE_MISMATCH',
        `model logProbs: expected shape [${rows}, ${vocabSize}], received ${describeValue(logProbs)}`,
      );
    }
    const data = logProbs.dataSync();
    const values = data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
    const nan = values.findIndex(Number.isNaN);
    if (nan >= 0) {
      throw new RecurError(
        'BAD_DATA',
        `model logProbs: expected log-probabilities (finite or −∞), received NaN at row ${Math.floor(nan / vocabSize)}, token ${nan % vocabSize}`,
      );
    }
    return values;
  } finally {
    (logProbs as { dispose?: () => void })?.dispose?.();
  }
}
