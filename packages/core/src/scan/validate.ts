/**
 * Checks every argument of `scan` before any tfjs op runs, and turns the options into a
 * plan with every default filled in.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { carryShapes, checkCarry, checkLiveTensor } from '../carry.js';
import type { Carry, Cell, Params } from '../cell.js';
import { badArgument, describeValue, RecurError, type RecurErrorCode } from '../errors.js';
import type { MaskedOutput } from '../kernels/sequence-attrs.js';
import { isTensor } from '../validation/tensor.js';
import { checkBoolean } from '../validation/values.js';
import { DEFAULT_MASKED_OUTPUT, MASKED_OUTPUTS, type ScanOptions } from './options.js';

/** Where the padding comes from: nowhere, a caller's tensor, or sequence lengths. */
export type MaskSource =
  | { readonly kind: 'none' }
  | { readonly kind: 'tensor'; readonly tensor: tf.Tensor2D }
  | { readonly kind: 'lengths'; readonly lengths: readonly number[] };

export interface ScanPlan<C extends Carry> {
  readonly batch: number;
  readonly time: number;
  readonly reverse: boolean;
  readonly keepOrder: boolean;
  readonly maskedOutput: MaskedOutput;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly mask: MaskSource;
  readonly initialState: C | undefined;
}

/** As `badArgument`, for a received value already put in words. */
function described(code: RecurErrorCode, argument: string, expected: string, received: string): RecurError {
  return new RecurError(code, `${argument}: expected ${expected}, received ${received}`);
}

export function planScan<C extends Carry, P extends Params>(
  cell: Cell<C, P>,
  params: P,
  xs: tf.Tensor3D,
  options: ScanOptions<C> | undefined,
): ScanPlan<C> {
  validateCell(cell);
  checkOutputState(cell);
  checkLiveTensor(xs, 'xs', `a rank-3 tensor [batch, time, ${cell.inputSize}]`);
  if (xs.rank !== 3) {
    throw badArgument('SHAPE_MISMATCH', 'xs', `a rank-3 tensor [batch, time, ${cell.inputSize}]`, xs);
  }
  const [batch, time, features] = xs.shape;
  if (features !== cell.inputSize || batch === 0 || time === 0) {
    throw badArgument(
      'SHAPE_MISMATCH',
      'xs',
      `shape [batch ≥ 1, time ≥ 1, ${cell.inputSize}] (the last axis is cell.inputSize)`,
      xs,
    );
  }
  if (xs.dtype !== 'float32') throw badArgument('BAD_DATA', 'xs', 'a float32 tensor', `a ${xs.dtype} tensor`);
  if (params === null || typeof params !== 'object') {
    throw badArgument('BAD_CONFIG', 'params', "a record of the cell's weight tensors", params);
  }
  for (const [key, value] of Object.entries(params)) {
    if (isTensor(value)) checkLiveTensor(value, `params.${key}`);
  }
  // Once per run: cells skip their per-step params check for a record checked here.
  cell.checkParams?.(params);
  const opts = options ?? {};
  if (typeof opts !== 'object') throw badArgument('BAD_CONFIG', 'options', 'an options object', opts);
  const reverse = checkBoolean(opts.reverse, 'options.reverse', false);
  const keepOrder = checkBoolean(opts.keepOrder, 'options.keepOrder', false);
  const returnSequences = checkBoolean(opts.returnSequences, 'options.returnSequences', true);
  const returnState = checkBoolean(opts.returnState, 'options.returnState', true);
  const maskedOutput = maskedOutputOption(opts.maskedOutput);
  const mask = validateMask(opts, batch, time);
  const initialState = opts.initialState;
  if (initialState !== undefined) checkCarry(cell, initialState, batch, 'options.initialState');
  return { batch, time, reverse, keepOrder, maskedOutput, returnSequences, returnState, mask, initialState };
}

/** `value` as a `MaskedOutput`, {@link DEFAULT_MASKED_OUTPUT} when absent; throws naming `argument` otherwise. */
export function maskedOutputOption(value: unknown, argument = 'options.maskedOutput'): MaskedOutput {
  if (value === undefined) return DEFAULT_MASKED_OUTPUT;
  if (!(MASKED_OUTPUTS as readonly unknown[]).includes(value)) {
    throw badArgument('BAD_CONFIG', argument, MASKED_OUTPUTS.map((m) => `'${m}'`).join(' or '), value);
  }
  return value as MaskedOutput;
}

function validateCell(cell: unknown): asserts cell is Cell {
  const c = cell as Partial<Cell> | null | undefined;
  if (
    c == null ||
    typeof c !== 'object' ||
    typeof c.step !== 'function' ||
    typeof c.initCarry !== 'function' ||
    !Number.isInteger(c.inputSize) ||
    !Number.isInteger(c.outputSize)
  ) {
    throw badArgument('BAD_CONFIG', 'cell', 'a Cell ({ inputSize, outputSize, initCarry(), step() })', cell);
  }
}

function checkOutputState(cell: Cell): void {
  if (cell.outputState === undefined) return;
  const rest = carryShapes(cell).get(cell.outputState);
  if (rest === undefined || rest.length !== 1 || rest[0] !== cell.outputSize) {
    throw badArgument(
      'BAD_CONFIG',
      'cell.outputState',
      `the name of a carry entry of shape [batch, ${cell.outputSize}] (cell.outputSize)`,
      cell.outputState,
    );
  }
}

function validateMask<C extends Carry>(opts: ScanOptions<C>, batch: number, time: number): MaskSource {
  const { mask, seqLengths } = opts;
  if (mask !== undefined && seqLengths !== undefined) {
    throw described(
      'BAD_CONFIG',
      'options.mask / options.seqLengths',
      'at most one of them',
      `both (mask ${describeValue(mask)}, seqLengths ${describeValue(seqLengths)})`,
    );
  }
  if (mask !== undefined) {
    checkLiveTensor(mask, 'options.mask', `a tensor of shape [${batch}, ${time}] ([batch, time] of xs)`);
    if (mask.rank !== 2 || mask.shape[0] !== batch || mask.shape[1] !== time) {
      throw badArgument(
        'SHAPE_MISMATCH',
        'options.mask',
        `a tensor of shape [${batch}, ${time}] ([batch, time] of xs)`,
        mask,
      );
    }
    if (mask.dtype === 'string' || mask.dtype === 'complex64') {
      throw badArgument('BAD_DATA', 'options.mask', 'a bool, float32 or int32 tensor', `a ${mask.dtype} tensor`);
    }
    return { kind: 'tensor', tensor: mask };
  }
  if (seqLengths !== undefined) {
    const ok =
      Array.isArray(seqLengths) &&
      seqLengths.length === batch &&
      seqLengths.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= time);
    if (!ok) {
      throw badArgument(
        'BAD_DATA',
        'options.seqLengths',
        `${batch} integers (one per row of xs), each in [0, ${time}] (time of xs)`,
        seqLengths,
      );
    }
    return { kind: 'lengths', lengths: seqLengths };
  }
  return { kind: 'none' };
}
