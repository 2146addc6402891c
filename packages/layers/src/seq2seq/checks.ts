/**
 * Checks of seq2seq inputs, made before any tfjs op. Token ids are read back from their
 * tensors (a host read, no kernel) so an id outside the vocabulary is reported by name
 * rather than gathered as a silent row of zeros.
 */
import { badArgument, isTensor, RecurError, sameShape, shapeMismatch } from '@recur/core';
import type * as tf from '@tensorflow/tfjs-core';

/** Checks `ids` is an int32 tensor of `shape` holding ids in [0, vocabSize). */
export function checkIdTensor(
  ids: unknown,
  shape: readonly (number | undefined)[],
  vocabSize: number,
  argument: string,
): readonly number[] {
  const wanted = `an int32 tensor of shape [${shape.map((d, i) => d ?? (i === 0 ? 'batch' : 'time')).join(', ')}]`;
  if (
    !isTensor(ids) ||
    ids.dtype !== 'int32' ||
    ids.rank !== shape.length ||
    shape.some((d, i) => (d === undefined ? (ids.shape[i] as number) < 1 : ids.shape[i] !== d))
  ) {
    throw shapeMismatch(argument, wanted, ids);
  }
  checkIdValues(ids.dataSync(), vocabSize, argument, ids.shape[ids.rank - 1] as number);
  return ids.shape;
}

/** Throws naming the first id outside [0, vocabSize), as `argument[row][column]`. */
export function checkIdValues(values: ArrayLike<number>, vocabSize: number, argument: string, width: number): void {
  for (let i = 0; i < values.length; i++) {
    const id = values[i] as number;
    if (!(Number.isInteger(id) && id >= 0 && id < vocabSize)) {
      const where = width > 0 && values.length > width ? `[${Math.floor(i / width)}][${i % width}]` : `[${i}]`;
      throw badArgument('BAD_DATA', `${argument}${where}`, `a token id in [0, ${vocabSize})`, id);
    }
  }
}

/** Ragged id lists (decoding prompts and sources): a non-empty array of non-empty arrays of ids. */
export function checkIdLists(lists: unknown, vocabSize: number, argument: string, count?: number): number[][] {
  if (!Array.isArray(lists) || lists.length === 0 || (count !== undefined && lists.length !== count)) {
    const n = count === undefined ? 'a non-empty array' : `an array of ${count}`;
    throw badArgument('BAD_DATA', argument, `${n} arrays of token ids`, lists);
  }
  return lists.map((list: unknown, i) => {
    if (!Array.isArray(list) || list.length === 0) {
      throw badArgument('BAD_DATA', `${argument}[${i}]`, 'a non-empty array of token ids', list);
    }
    checkIdValues(list as number[], vocabSize, `${argument}[${i}]`, 0);
    return list as number[];
  });
}

/**
 * The source mask: a `[batch, source]` tensor, or lengths (integers in [1, source]), or
 * neither (every position is real). Returns the lengths when given.
 */
export function checkSourceMask(
  mask: unknown,
  lengths: unknown,
  batch: number,
  time: number,
  prefix: string,
): readonly number[] | undefined {
  if (mask !== undefined && lengths !== undefined) {
    throw new RecurError(
      'BAD_DATA',
      `${prefix}sourceMask / ${prefix}sourceLengths: expected one of them, received both`,
    );
  }
  if (mask !== undefined && (!isTensor(mask) || !sameShape(mask.shape, [batch, time]))) {
    throw shapeMismatch(`${prefix}sourceMask`, `a tensor of shape [${batch}, ${time}] (the source's)`, mask);
  }
  if (lengths === undefined) return undefined;
  if (
    !Array.isArray(lengths) ||
    lengths.length !== batch ||
    !lengths.every((n) => Number.isInteger(n) && n >= 1 && n <= time)
  ) {
    throw badArgument(
      'BAD_DATA',
      `${prefix}sourceLengths`,
      `an array of ${batch} integers in [1, ${time}] (one per source row)`,
      lengths,
    );
  }
  return lengths as number[];
}

/** The scheduled-sampling probability: a number in [0, 1]. */
export function checkProbability(value: unknown, argument: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw badArgument('BAD_CONFIG', argument, 'a number in [0, 1]', value);
  }
  return value;
}

/** A `[batch, time]` target mask, when given. */
export function checkTargetMask(mask: unknown, batch: number, time: number, argument: string): void {
  if (mask !== undefined && (!isTensor(mask) || !sameShape(mask.shape, [batch, time]))) {
    throw shapeMismatch(argument, `a tensor of shape [${batch}, ${time}] (the targets')`, mask as tf.Tensor);
  }
}
