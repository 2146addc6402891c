/**
 * Checks every argument of `scan` before any tfjs op runs, and turns the options into a
 * plan with every default filled in.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Carry, Cell, Params } from '../cell.js';
import { badArgument, describeValue, RecurError, type RecurErrorCode } from '../errors.js';
import type { MaskedOutput } from '../kernels/sequence-attrs.js';
import { type KernelPlan, resolveKernelPlan } from './kernel-plan.js';
import type { ScanOptions } from './options.js';

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
  readonly returnCarry: boolean;
  readonly mask: MaskSource;
  readonly initialCarry: C | undefined;
  /** Set when the cell's sequence kernel will run. */
  readonly kernel: KernelPlan | undefined;
}

const shapeOf = (shape: readonly number[]) => `[${shape.join(', ')}]`;

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
  if (!(xs instanceof tf.Tensor) || xs.rank !== 3) {
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
  const opts = options ?? {};
  if (typeof opts !== 'object') throw badArgument('BAD_CONFIG', 'options', 'an options object', opts);
  const reverse = flag(opts.reverse, false, 'options.reverse');
  const keepOrder = flag(opts.keepOrder, false, 'options.keepOrder');
  const returnSequences = flag(opts.returnSequences, true, 'options.returnSequences');
  const returnCarry = flag(opts.returnCarry, true, 'options.returnCarry');
  const maskedOutput = opts.maskedOutput ?? 'zeros';
  if (maskedOutput !== 'zeros' && maskedOutput !== 'previous') {
    throw badArgument('BAD_CONFIG', 'options.maskedOutput', "'zeros' or 'previous'", maskedOutput);
  }
  const mask = validateMask(opts, batch, time);
  const kernel = cell.sequenceKernel === undefined ? undefined : resolveKernelPlan(cell, params);
  const layout = carryLayout(cell);
  if (kernel !== undefined) validateKernelCarryLayout(layout, kernel);
  const initialCarry = opts.initialCarry;
  if (initialCarry !== undefined) validateInitialCarry(initialCarry, layout, batch);
  return {
    batch,
    time,
    reverse,
    keepOrder,
    maskedOutput,
    returnSequences,
    returnCarry,
    mask,
    initialCarry,
    kernel,
  };
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

function flag(value: unknown, fallback: boolean, argument: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw badArgument('BAD_CONFIG', argument, 'a boolean', value);
  return value;
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
    if (!(mask instanceof tf.Tensor) || mask.rank !== 2 || mask.shape[0] !== batch || mask.shape[1] !== time) {
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

// Cells are immutable, so each one's carry layout (entry names and widths) is read once.
const layouts = new WeakMap<object, ReadonlyMap<string, number>>();

/** The cell's carry entries and their widths, from one `initCarry(1)`. */
export function carryLayout(cell: Cell): ReadonlyMap<string, number> {
  const known = layouts.get(cell);
  if (known !== undefined) return known;
  const template = cell.initCarry(1);
  try {
    const layout = new Map<string, number>();
    const entries = template !== null && typeof template === 'object' ? Object.entries(template) : [];
    for (const [key, value] of entries) {
      if (!(value instanceof tf.Tensor) || value.rank !== 2 || value.shape[0] !== 1) {
        throw badArgument('BAD_CONFIG', `cell.initCarry(1).${key}`, 'a tensor of shape [1, units]', value);
      }
      layout.set(key, value.shape[1] as number);
    }
    if (layout.size === 0) {
      throw badArgument('BAD_CONFIG', 'cell.initCarry(1)', 'a record of [batch, units] tensors', template);
    }
    layouts.set(cell, layout);
    return layout;
  } finally {
    tf.dispose(template as unknown as tf.TensorContainer);
  }
}

function describeLayout(layout: ReadonlyMap<string, number>, batch: number | string): string {
  return `{ ${[...layout].map(([k, w]) => `${k}: [${batch}, ${w}]`).join(', ')} }`;
}

function validateKernelCarryLayout(layout: ReadonlyMap<string, number>, kernel: KernelPlan): void {
  const expected = new Map(kernel.stateKeys.map((k) => [k, kernel.units]));
  const same = layout.size === expected.size && [...expected].every(([k, w]) => layout.get(k) === w);
  if (!same) {
    throw described(
      'BAD_CONFIG',
      'cell.initCarry(batch)',
      `${describeLayout(expected, 'batch')} for a cell with sequence kernel ${kernel.name}`,
      describeLayout(layout, 'batch'),
    );
  }
}

function validateInitialCarry(carry: unknown, layout: ReadonlyMap<string, number>, batch: number): void {
  const expected = describeLayout(layout, batch);
  if (carry === null || typeof carry !== 'object') {
    throw badArgument('SHAPE_MISMATCH', 'options.initialCarry', expected, carry);
  }
  const record = carry as Record<string, unknown>;
  const extra = Object.keys(record).filter((k) => !layout.has(k));
  if (extra.length > 0) {
    throw described(
      'SHAPE_MISMATCH',
      'options.initialCarry',
      `only the entries ${expected}`,
      `entries ${extra.join(', ')}`,
    );
  }
  for (const [key, width] of layout) {
    const value = record[key];
    if (!(value instanceof tf.Tensor) || value.rank !== 2 || value.shape[0] !== batch || value.shape[1] !== width) {
      throw badArgument(
        'SHAPE_MISMATCH',
        `options.initialCarry.${key}`,
        `a tensor of shape ${shapeOf([batch, width])} (carry ${expected})`,
        value,
      );
    }
  }
}
