import { badArgument, isTensor } from '@recur/core';
import type { StepModel, StepOutput } from '@recur/decode';
import type { StackedState } from '@recur/layers';
import * as tf from '@tensorflow/tfjs-core';
import type { Network, NetworkParams } from './network.js';

/** Every tensor of a state tree (the stack's carries, whatever their rank or nesting). */
function tensorsOf(state: unknown): tf.Tensor[] {
  if (isTensor(state)) return [state];
  if (Array.isArray(state)) return state.flatMap(tensorsOf);
  if (state !== null && typeof state === 'object') return Object.values(state).flatMap(tensorsOf);
  return [];
}

/** The same tree with each tensor replaced by `f(tensor)`. */
function mapTree(state: unknown, f: (t: tf.Tensor) => tf.Tensor): unknown {
  if (isTensor(state)) return f(state);
  if (Array.isArray(state)) return state.map((s) => mapTree(s, f));
  if (state !== null && typeof state === 'object') {
    return Object.fromEntries(Object.entries(state).map(([k, v]) => [k, mapTree(v, f)]));
  }
  return state;
}

/**
 * A per-step token network (embedding → recurrent layers → dense head on every step) as
 * `@recur/decode`'s `StepModel`. The decoder state is the stack's own state, the nested
 * carries `stacked` returns, so any cell's carry (any keys, any rank, batch on axis 0)
 * is selected and reordered by beam search as it is. Each call runs the network itself
 * over the new tokens from the state before them: the same function that trained.
 */
export function networkStepModel(net: Network, params: NetworkParams): StepModel<StackedState> {
  const { input, outputs, perStep } = net.config;
  if (input.kind !== 'tokens' || !perStep) {
    throw badArgument('BAD_CONFIG', 'net.config', 'a token network with a head on every step', net.config);
  }
  const vocabSize = outputs;
  const checkIds = (ids: readonly number[], argument: string) => {
    ids.forEach((id, i) => {
      if (!Number.isInteger(id) || id < 0 || id >= input.vocabSize) {
        throw badArgument('BAD_DATA', `${argument}[${i}]`, `a token id in [0, ${input.vocabSize})`, id);
      }
    });
  };
  /**
   * Runs `ids` [batch, time] on from `state`; the log-probabilities after each row's last
   * real step (`lengths`, under `mask`; every row's last step without).
   */
  const run = (
    ids: tf.Tensor2D,
    mask: tf.Tensor2D | undefined,
    state: StackedState | undefined,
    lengths?: readonly number[],
  ) =>
    tf.tidy(() => {
      const out = net.apply(params, ids, {
        ...(mask === undefined ? {} : { mask }),
        ...(state === undefined ? {} : { state }),
      });
      const [batch, time] = ids.shape;
      // Each row's own last real step: a recurrent layer repeats it over padded steps, but
      // a residual block's padded steps hold other values.
      const steps = tf.tensor2d(
        Array.from({ length: batch }, (_, row) => [row, (lengths?.[row] ?? time) - 1]),
        [batch, 2],
        'int32',
      );
      const last = tf.gatherND(out.output, steps) as tf.Tensor2D;
      return { logProbs: tf.logSoftmax(last) as tf.Tensor2D, state: out.state } as unknown as tf.TensorContainerObject;
    }) as unknown as StepOutput<StackedState>;
  return {
    vocabSize,
    start(prompts) {
      if (!Array.isArray(prompts) || prompts.length === 0) {
        throw badArgument('BAD_DATA', 'prompts', 'a non-empty array of prompts', prompts);
      }
      prompts.forEach((p, i) => {
        if (!Array.isArray(p) || p.length === 0)
          throw badArgument('BAD_DATA', `prompts[${i}]`, 'at least one token id', p);
        checkIds(p, `prompts[${i}]`);
      });
      const time = Math.max(...prompts.map((p) => p.length));
      const ragged = prompts.some((p) => p.length !== time);
      const ids = tf.tensor2d(
        prompts.flatMap((p) => Array.from({ length: time }, (_, t) => p[t] ?? 0)),
        [prompts.length, time],
        'int32',
      );
      const mask = ragged
        ? tf.tensor2d(
            prompts.flatMap((p) => Array.from({ length: time }, (_, t) => (t < p.length ? 1 : 0))),
            [prompts.length, time],
          )
        : undefined;
      try {
        return run(
          ids,
          mask,
          undefined,
          prompts.map((p) => p.length),
        );
      } finally {
        tf.dispose([ids, ...(mask === undefined ? [] : [mask])]);
      }
    },
    step(tokens, state) {
      const ids = tf.tidy(() => {
        if (isTensor(tokens)) return tf.reshape(tf.cast(tokens, 'int32'), [tokens.shape[0], 1]);
        if (!Array.isArray(tokens)) throw badArgument('BAD_DATA', 'tokens', 'an array of token ids', tokens);
        checkIds(tokens, 'tokens');
        return tf.tensor2d([...tokens], [tokens.length, 1], 'int32');
      }) as tf.Tensor2D;
      try {
        return run(ids, undefined, state);
      } finally {
        ids.dispose();
      }
    },
    selectRows(state, rows) {
      const batch = tensorsOf(state)[0]?.shape[0] ?? 0;
      if (!Array.isArray(rows) || rows.length === 0) {
        throw badArgument('BAD_DATA', 'rows', 'a non-empty array of row indices', rows);
      }
      rows.forEach((r, i) => {
        if (!Number.isInteger(r) || r < 0 || r >= batch) {
          throw badArgument('BAD_DATA', `rows[${i}]`, `a row index in [0, ${batch})`, r);
        }
      });
      return tf.tidy(() => {
        const idx = tf.tensor1d([...rows], 'int32');
        return mapTree(state, (t) => tf.gather(t, idx, 0)) as tf.TensorContainer;
      }) as unknown as StackedState;
    },
    disposeState(state) {
      tf.dispose(tensorsOf(state));
    },
  };
}
