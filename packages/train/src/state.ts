import { isTensor, RecurError, type RngState } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Checkpoint, StoredTensor } from './checkpoint/format.js';
import type { EarlyStopping, EarlyStoppingState } from './early-stopping.js';
import type { FitPosition } from './fit-options.js';
import { historyFromList, LossHistory } from './loss-history.js';
import { hiddenOptimizerScalars, restoreHiddenOptimizerScalars } from './optimizers.js';
import { stateTensors } from './step.js';

/** What `fit` needs, beyond weights and optimizer slots, to continue as if never stopped. */
export interface Progress {
  readonly losses: LossHistory;
  readonly skippedSteps: number;
  readonly epochLoss: number;
  readonly epochSteps: number;
}

/** `checkpoint.extra` as `fit` writes it (JSON). */
interface FitExtra {
  readonly position: { readonly batch: number; readonly chunk: number };
  readonly progress: {
    readonly skippedSteps: number;
    readonly epochLoss: number;
    readonly epochSteps: number;
    readonly losses: Record<string, number>;
    /** `best` is null while it is still infinite (JSON has no infinity). */
    readonly early?: { readonly best: number | null; readonly bestEpoch: number; readonly wait: number };
  };
  /** The TBPTT state's structure, its tensors replaced by `{ $tensor: i }` (they are `carry/i`). */
  readonly carry?: unknown;
  readonly optimizerScalars: Record<string, number>;
}

const RECENT = 'losses/recent';
const CARRY = 'carry/';
const BEST = 'earlyStopping/';

async function stored(t: tf.Tensor): Promise<StoredTensor> {
  const dtype = t.dtype === 'int32' ? 'int32' : 'float32';
  const values = (await t.data()) as Float32Array | Int32Array;
  return {
    shape: [...t.shape],
    dtype,
    values: dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values),
  };
}

const asTensor = (t: StoredTensor) => tf.tensor(t.values, [...t.shape], t.dtype);

/**
 * Replaces each tensor of a state by a numbered placeholder, in `stateTensors` order, and
 * each `undefined` (a stateless layer's slot) by a marker: JSON would turn it into `null`
 * inside arrays, and a model handed its state back must get exactly what it returned.
 */
function skeleton(state: unknown, count = { n: 0 }): unknown {
  if (isTensor(state)) return { $tensor: count.n++ };
  if (state === undefined) return { $undefined: true };
  if (Array.isArray(state)) return state.map((s) => skeleton(s, count));
  if (state !== null && typeof state === 'object') {
    return Object.fromEntries(Object.entries(state).map(([k, v]) => [k, skeleton(v, count)]));
  }
  return state;
}

/** The inverse of `skeleton`. Object.fromEntries defines own keys, so a `__proto__` key stays a key. */
function fill(shape: unknown, tensors: readonly tf.Tensor[]): unknown {
  if (Array.isArray(shape)) return shape.map((s) => fill(s, tensors));
  if (shape !== null && typeof shape === 'object') {
    if ((shape as { $undefined?: unknown }).$undefined === true) return undefined;
    const index = (shape as { $tensor?: unknown }).$tensor;
    if (index !== undefined) {
      const t = tensors[index as number];
      if (t === undefined)
        throw new RecurError('CORRUPT_CHECKPOINT', `checkpoint: carried state has no tensor ${JSON.stringify(index)}`);
      return t;
    }
    return Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, fill(v, tensors)]));
  }
  return shape;
}

export async function snapshotTrainingState(args: {
  variables: Readonly<Record<string, tf.Variable>>;
  optimizer: tf.Optimizer;
  step: number;
  position: FitPosition;
  master: RngState;
  config: unknown;
  progress: Progress;
  early: EarlyStopping | undefined;
  /** The state carried into chunk `position.chunk`, when that is not 0. */
  carry: unknown;
}): Promise<Checkpoint> {
  const weights: Record<string, StoredTensor> = {};
  for (const [name, v] of Object.entries(args.variables)) weights[name] = await stored(v);
  const optimizer = [];
  for (const w of await args.optimizer.getWeights()) {
    optimizer.push({ name: w.name, ...(await stored(w.tensor)) });
    // tfjs makes the iteration count afresh for each call; the slots are the optimizer's own.
    if (w.name === 'iter') w.tensor.dispose();
  }
  const auxiliary: Record<string, StoredTensor> = {};
  auxiliary[RECENT] = {
    shape: [args.progress.losses.recent().length],
    dtype: 'float32',
    values: args.progress.losses.recent(),
  };
  const carried = args.position.chunk > 0 ? stateTensors(args.carry) : [];
  for (const [i, t] of carried.entries()) auxiliary[`${CARRY}${i}`] = await stored(t);
  for (const [name, t] of Object.entries(args.early?.bestWeightsCopy() ?? {}))
    auxiliary[`${BEST}${name}`] = await stored(t);
  const early = args.early?.state();
  const extra: FitExtra = {
    position: { batch: args.position.batch, chunk: args.position.chunk },
    progress: {
      skippedSteps: args.progress.skippedSteps,
      epochLoss: args.progress.epochLoss,
      epochSteps: args.progress.epochSteps,
      losses: args.progress.losses.summaryJSON(),
      ...(early === undefined ? {} : { early: { ...early, best: Number.isFinite(early.best) ? early.best : null } }),
    },
    ...(carried.length > 0 ? { carry: skeleton(args.carry) } : {}),
    optimizerScalars: hiddenOptimizerScalars(args.optimizer),
  };
  return {
    step: args.step,
    epoch: args.position.epoch,
    config: args.config ?? null,
    rng: args.master,
    weights,
    optimizer,
    extra,
    auxiliary,
  };
}

/** What a restore hands back to `fit`; `carry` (if any) is owned by the caller. */
export interface Restored {
  readonly position: FitPosition;
  readonly progress: Progress;
  readonly carry: unknown;
}

const isCount = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function corruptExtra(what: string, value: unknown): RecurError {
  return new RecurError(
    'CORRUPT_CHECKPOINT',
    `checkpoint: ${what} is ${JSON.stringify(value)}; it was not written by fit`,
  );
}

/** Reads `checkpoint.extra`, as `fit` wrote it in format 2 or as version 1 did (`batchInEpoch`, every loss). */
function readExtra(checkpoint: Checkpoint): {
  position: FitPosition;
  progress: Progress;
  early?: EarlyStoppingState;
  extra: Partial<FitExtra>;
} {
  const extra = (checkpoint.extra ?? {}) as Partial<FitExtra> & { batchInEpoch?: unknown };
  const p = (extra.progress ?? {}) as Partial<FitExtra['progress']> & { losses?: unknown };
  const legacy = extra.position === undefined;
  const position = legacy ? { batch: extra.batchInEpoch ?? 0, chunk: 0 } : extra.position;
  if (!isCount(position?.batch) || !isCount(position?.chunk)) throw corruptExtra('the position', position);
  for (const key of ['skippedSteps', 'epochSteps'] as const)
    if (!isCount(p[key] ?? 0)) throw corruptExtra(`progress.${key}`, p[key]);
  if (typeof (p.epochLoss ?? 0) !== 'number') throw corruptExtra('progress.epochLoss', p.epochLoss);
  const recent = checkpoint.auxiliary?.[RECENT];
  // A checkpoint written by other code (weights and a step only) starts an empty history at its step.
  const losses =
    p.losses === undefined
      ? new LossHistory(checkpoint.step)
      : legacy && Array.isArray(p.losses)
        ? historyFromList(p.losses, checkpoint.step)
        : LossHistory.restore(p.losses, (recent?.values ?? new Float32Array(0)) as Float32Array, checkpoint.step);
  let early: EarlyStoppingState | undefined;
  if (p.early !== undefined) {
    const e = p.early;
    if (
      !(
        e !== null &&
        (e.best === null || typeof e.best === 'number') &&
        Number.isInteger(e.bestEpoch) &&
        isCount(e.wait)
      )
    )
      throw corruptExtra('progress.early', e);
    early = { best: e.best ?? Number.POSITIVE_INFINITY, bestEpoch: e.bestEpoch, wait: e.wait };
  }
  return {
    position: { epoch: checkpoint.epoch, batch: position.batch as number, chunk: position.chunk as number },
    progress: { losses, skippedSteps: p.skippedSteps ?? 0, epochLoss: p.epochLoss ?? 0, epochSteps: p.epochSteps ?? 0 },
    ...(early === undefined ? {} : { early }),
    extra,
  };
}

/**
 * Puts weights, optimizer slots, early stopping and the carried TBPTT state back. The
 * checkpoint is read and every weight checked against the model before anything is
 * assigned, so a checkpoint of another model, or a damaged one, changes nothing.
 */
export async function restoreTrainingState(
  checkpoint: Checkpoint,
  variables: Readonly<Record<string, tf.Variable>>,
  optimizer: tf.Optimizer,
  early: EarlyStopping | undefined,
): Promise<Restored> {
  for (const [name, v] of Object.entries(variables)) {
    const w = Object.hasOwn(checkpoint.weights, name) ? checkpoint.weights[name] : undefined;
    if (w === undefined)
      throw new RecurError(
        'CORRUPT_CHECKPOINT',
        `checkpoint has no weight '${name}' (it was saved from another model)`,
      );
    if (w.shape.join() !== v.shape.join()) {
      throw new RecurError(
        'SHAPE_MISMATCH',
        `checkpoint weight '${name}': expected shape [${v.shape}], received [${w.shape}] (saved from another model shape)`,
      );
    }
  }
  const extraWeights = Object.keys(checkpoint.weights).filter((n) => !Object.hasOwn(variables, n));
  if (extraWeights.length > 0) {
    throw new RecurError(
      'CORRUPT_CHECKPOINT',
      `checkpoint has weights this model lacks: ${extraWeights.slice(0, 5).join(', ')}`,
    );
  }
  const read = readExtra(checkpoint);
  const aux = Object.entries(checkpoint.auxiliary ?? {});
  const carryParts = aux.filter(([k]) => k.startsWith(CARRY));
  if (read.position.chunk > 0 !== (read.extra.carry !== undefined)) {
    throw corruptExtra('the carried state at chunk ' + read.position.chunk, read.extra.carry ?? null);
  }
  const best = aux.filter(([k]) => k.startsWith(BEST));
  for (const [k, t] of best) {
    const v = variables[k.slice(BEST.length)];
    if (v === undefined || v.shape.join() !== t.shape.join()) throw corruptExtra(`auxiliary tensor '${k}'`, t.shape);
  }
  const carryTensors =
    read.position.chunk === 0
      ? []
      : carryParts
          .sort(([a], [b]) => Number(a.slice(CARRY.length)) - Number(b.slice(CARRY.length)))
          .map(([, t]) => asTensor(t));
  let carry: unknown;
  try {
    carry = read.position.chunk > 0 ? fill(read.extra.carry, carryTensors) : undefined;
  } finally {
    const used = new Set(stateTensors(carry));
    tf.dispose(carryTensors.filter((t) => !used.has(t)));
  }
  for (const [name, v] of Object.entries(variables)) {
    const w = checkpoint.weights[name] as StoredTensor;
    tf.tidy(() => v.assign(asTensor(w)));
  }
  if (checkpoint.optimizer.length > 0) {
    const tensors = checkpoint.optimizer.map((w) => ({ name: w.name, tensor: asTensor(w) }));
    // The optimizer's new slot variables share these tensors' data (reference counted).
    await optimizer.setWeights(tensors);
    tf.dispose(tensors.map((t) => t.tensor));
  }
  restoreHiddenOptimizerScalars(optimizer, read.extra.optimizerScalars ?? {});
  if (read.early !== undefined) {
    early?.restore(
      read.early,
      best.length > 0 ? Object.fromEntries(best.map(([k, t]) => [k.slice(BEST.length), asTensor(t)])) : undefined,
    );
  }
  return { position: read.position, progress: read.progress, carry };
}
