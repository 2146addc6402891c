import {
  assertPositiveInteger,
  badArgument,
  type Carry,
  describeValue,
  gatherRows,
  type Params,
  RecurError,
  selectRows,
} from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import type { StepModel, StepOutput } from './step-model.js';
import { assertPrompts, assertTokenId } from './validate.js';

/**
 * The pieces of a token-level recurrent model: embedding, one recurrent step, output
 * projection. A `Cell` from `@recur/cells` fits as
 * `{ params, cellStep: cell.step, initCarry: cell.initCarry, … }` (cells are plain objects of
 * functions, so passing their methods unbound is safe).
 * Every function returns new tensors and leaves its inputs alone (the `Cell` contract);
 * the adapter disposes what they return.
 */
export interface RecurrentStepModelConfig<C extends Carry, P = Params> {
  readonly vocabSize: number;
  /** Weights handed to `cellStep`; the caller owns them (the adapter never disposes them). */
  readonly params: P;
  /** int32 token ids `[batch]` → cell inputs `[batch, inputSize]`. */
  embed(tokens: tf.Tensor1D): tf.Tensor2D;
  /** One recurrent step, e.g. `cell.step`. */
  cellStep(params: P, carry: C, x: tf.Tensor2D): { carry: C; y: tf.Tensor2D };
  /** Cell outputs `[batch, outputSize]` → logits `[batch, vocabSize]` (unnormalised). */
  project(y: tf.Tensor2D): tf.Tensor2D;
  /** Zero state for `batch` rows, e.g. `cell.initCarry`. */
  initCarry(batch: number): C;
}

/**
 * Turns embed → cell step → projection into a `StepModel` whose state is the cell's
 * carry. `start` feeds each prompt (at least one token, rows may differ in length: a row
 * that has ended keeps its carry and output while longer ones go on); `step` feeds one
 * token per row. Log-probabilities are `logSoftmax(project(y))`. Ownership as in
 * `StepModel`: returned tensors belong to the caller, arguments are neither kept nor
 * disposed.
 */
export function recurrentStepModel<C extends Carry, P = Params>(config: RecurrentStepModelConfig<C, P>): StepModel<C> {
  if (typeof config !== 'object' || config === null) {
    throw badArgument(
      'BAD_CONFIG',
      'config',
      'an object with vocabSize, params, embed, cellStep, project, initCarry',
      config,
    );
  }
  assertPositiveInteger(config.vocabSize, 'config.vocabSize');
  for (const fn of ['embed', 'cellStep', 'project', 'initCarry'] as const) {
    if (typeof config[fn] !== 'function') throw badArgument('BAD_CONFIG', `config.${fn}`, 'a function', config[fn]);
  }
  const { vocabSize, params } = config;

  const logProbsOf = (y: tf.Tensor2D, batch: number): tf.Tensor2D => {
    const logits = config.project(y);
    expectShape(logits, [batch, vocabSize], 'config.project(y)');
    return tf.logSoftmax(logits);
  };
  const embed = (tokens: tf.Tensor1D, batch: number): tf.Tensor2D => {
    const x = config.embed(tokens);
    if (x?.rank !== 2 || x.shape[0] !== batch) {
      throw new RecurError(
        'SHAPE_MISMATCH',
        `config.embed(tokens): expected shape [${batch}, inputSize], received ${describeValue(x)}`,
      );
    }
    return x;
  };

  return {
    vocabSize,

    start(prompts) {
      assertPrompts(prompts, vocabSize);
      prompts.forEach((p, i) => {
        if (p.length === 0) throw badArgument('BAD_DATA', `prompts[${i}]`, 'at least one token id', p);
      });
      const batch = prompts.length;
      const lengths = prompts.map((p) => p.length);
      const steps = Math.max(...lengths);
      let carry = config.initCarry(batch);
      let y: tf.Tensor2D | undefined;
      try {
        for (let t = 0; t < steps; t++) {
          const prev = { carry, y };
          const next = tf.tidy(() => {
            const ids = tf.tensor1d(
              prompts.map((p) => p[t] ?? 0),
              'int32',
            );
            const out = config.cellStep(params, carry, embed(ids, batch));
            if (lengths.every((n) => t < n)) return out;
            // Rows whose prompt has ended keep their carry (entries of any rank) and their last output.
            const alive = tf.tensor1d(
              lengths.map((n) => (t < n ? 1 : 0)),
              'bool',
            );
            const kept = selectRows(alive, out.carry, carry);
            return { carry: kept, y: tf.where(tf.expandDims(alive, 1), out.y, y as tf.Tensor2D) as tf.Tensor2D };
          });
          carry = next.carry;
          y = next.y;
          disposeReplaced([...Object.values(prev.carry), prev.y], [...Object.values(carry), y]);
        }
        const logProbs = tf.tidy(() => logProbsOf(y as tf.Tensor2D, batch));
        disposeReplaced([y], Object.values(carry));
        return { logProbs, state: carry };
      } catch (error) {
        tf.dispose([...Object.values(carry), ...(y === undefined ? [] : [y])]);
        throw error;
      }
    },

    step(tokens, state): StepOutput<C> {
      const batch = batchOf(state);
      if (tokens instanceof tf.Tensor) {
        if (tokens.rank !== 1 || (batch !== undefined && tokens.shape[0] !== batch)) {
          throw badArgument('SHAPE_MISMATCH', 'tokens', `a tensor of shape [${batch ?? 'batch'}]`, tokens);
        }
      } else {
        if (!Array.isArray(tokens) || (batch !== undefined && tokens.length !== batch)) {
          throw badArgument('BAD_DATA', 'tokens', `an array of ${batch ?? 'batch'} token ids`, tokens);
        }
        tokens.forEach((t, i) => {
          assertTokenId(t, vocabSize, `tokens[${i}]`, 'BAD_DATA');
        });
      }
      const rows = tokens instanceof tf.Tensor ? (tokens.shape[0] as number) : tokens.length;
      const out = tf.tidy(() => {
        const ids = tokens instanceof tf.Tensor ? tf.cast(tokens, 'int32') : tf.tensor1d([...tokens], 'int32');
        const { carry, y } = config.cellStep(params, state, embed(ids, rows));
        return { carry, logProbs: logProbsOf(y, rows) };
      });
      return { logProbs: out.logProbs, state: ownedCopy(out.carry, state) };
    },

    selectRows(state, rows) {
      const batch = batchOf(state);
      if (!Array.isArray(rows) || rows.length === 0) {
        throw badArgument('BAD_DATA', 'rows', 'a non-empty array of row indices', rows);
      }
      rows.forEach((r, i) => {
        if (!Number.isInteger(r) || r < 0 || (batch !== undefined && r >= batch)) {
          throw badArgument('BAD_DATA', `rows[${i}]`, `an integer row index in [0, ${batch})`, r);
        }
      });
      // Row r of every carry entry, whatever its rank: how beams are reordered and duplicated.
      return tf.tidy(() => gatherRows(state, tf.tensor1d([...rows], 'int32')));
    },

    disposeState(state) {
      tf.dispose(Object.values(state));
    },
  };
}

function batchOf(carry: Carry): number | undefined {
  return Object.values(carry)[0]?.shape[0];
}

function expectShape(t: tf.Tensor, shape: readonly number[], what: string): void {
  if (t?.rank !== shape.length || !t.shape.every((d, i) => d === shape[i])) {
    throw new RecurError(
      'SHAPE_MISMATCH',
      `${what}: expected shape [${shape.join(', ')}], received ${describeValue(t)}`,
    );
  }
}

/** Disposes the tensors of `old` that do not live on in `next` (a cell may pass one through). */
function disposeReplaced(old: readonly (tf.Tensor | undefined)[], next: readonly (tf.Tensor | undefined)[]): void {
  const kept = new Set(next);
  for (const t of old) if (t !== undefined && !kept.has(t)) t.dispose();
}

/** The caller owns the returned state, so a tensor passed through from `input` is cloned. */
function ownedCopy<C extends Carry>(carry: C, input: C): C {
  const inputs = new Set(Object.values(input));
  return Object.fromEntries(
    Object.entries(carry).map(([k, v]) => [k, inputs.has(v) ? tf.clone(v) : v]),
  ) as unknown as C;
}
