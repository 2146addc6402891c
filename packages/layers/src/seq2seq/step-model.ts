/**
 * A seq2seq model as a `StepModel` (core's decoding contract): every decoder of
 * `@recur/decode` — greedy, sampling, streaming, beam search — drives it. `start`
 * encodes the sources once; the state then carries the decoder's carry and h̃ with the
 * encoder outputs and the source mask, so `selectRows` (beam search's reorder and duplication) moves all of it together.
 */
import { badArgument, type Carry, isTensor, type StepModel, shapeMismatch } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { maskTerms } from './attention.js';
import { checkIdLists, checkIdValues } from './checks.js';
import type { Encoded, Seq2SeqParams } from './network.js';
import { checkSeq2SeqParams, networkOf, type Seq2SeqModel } from './seq2seq.js';

/** The decoding state of a batch of rows; every tensor is `[rows, …]`. */
export type Seq2SeqDecodeState = {
  readonly carry: Carry;
  /** h̃ of the last step (input feeding), `[rows, attentionalSize]`. */
  readonly attentional: tf.Tensor2D;
  /** Encoder outputs, `[rows, source, memorySize]`. */
  readonly memory: tf.Tensor3D;
  /** The attention's precomputed memory side, `[rows, source, keySize]`. */
  readonly keys: tf.Tensor3D;
  /** `[rows, source]` float32, 1 at real source positions. */
  readonly sourceMask: tf.Tensor2D;
};

/** The `StepModel` (core's decoding contract) of a seq2seq model over fixed sources. */
export type Seq2SeqStepModel = StepModel<Seq2SeqDecodeState>;

/**
 * A `StepModel` decoding `sources` (ragged arrays of source ids, one row each) with
 * `params`. The prompts given to `start` are target-side prefixes, one per source in the
 * same order, each at least one token (the begin token): `generateBatch(m, sources.map(()
 * => [BEGIN]), …)`, or `beamSearch(m, …)`. Sources are padded to the longest and masked.
 * `params` are borrowed (never disposed); ownership of what the methods return as in
 * `StepModel`. Inference only: no dropout, no sampling.
 */
export function seq2seqStepModel(
  model: Seq2SeqModel,
  params: Seq2SeqParams,
  sources: readonly (readonly number[])[],
): Seq2SeqStepModel {
  const net = networkOf(model);
  checkSeq2SeqParams(net, params);
  const rows = checkIdLists(sources, net.full.sourceVocabSize, 'sources').map((r) => [...r]);
  const vocabSize = net.full.targetVocabSize;
  const width = Math.max(...rows.map((r) => r.length));

  const checkState = (state: unknown, argument = 'state'): number => {
    const s = state as Partial<Seq2SeqDecodeState> | null;
    if (s === null || typeof s !== 'object' || !isTensor(s.memory) || !isTensor(s.attentional) || !isTensor(s.keys)) {
      throw badArgument('BAD_DATA', argument, 'a state returned by this model (start, step or selectRows)', state);
    }
    return s.memory.shape[0] as number;
  };

  return Object.freeze({
    vocabSize,
    start(prompts: readonly (readonly number[])[]) {
      const prefixes = checkIdLists(prompts, vocabSize, 'prompts', rows.length);
      const lengths = prefixes.map((p) => p.length);
      const steps = Math.max(...lengths);
      return tf.tidy(() => {
        const source = tf.tensor2d(
          rows.map((r) => Array.from({ length: width }, (_, t) => r[t] ?? 0)),
          [rows.length, width],
          'int32',
        );
        const sourceMask = tf.tensor2d(
          rows.map((r) => Array.from({ length: width }, (_, t) => (t < r.length ? 1 : 0))),
          [rows.length, width],
          'float32',
        );
        const { encoded, state: initial } = net.encode(params, source, sourceMask, false);
        let state = initial;
        let logits: tf.Tensor2D | undefined;
        for (let t = 0; t < steps; t++) {
          const ids = tf.tensor1d(
            prefixes.map((p) => p[t] ?? 0),
            'int32',
          );
          const out = net.step(params, encoded, state, net.embedTargets(params, ids) as tf.Tensor2D);
          if (lengths.every((n) => t < n)) {
            state = out.state;
            logits = out.logits;
            continue;
          }
          // Rows whose prompt has ended keep their state and logits while longer ones go on.
          const alive = tf.tensor2d(
            lengths.map((n) => [t < n]),
            [rows.length, 1],
            'bool',
          );
          const keep = <T extends tf.Tensor>(fresh: T, old: T): T =>
            tf.where(tf.broadcastTo(alive, fresh.shape), fresh, old) as T;
          const prev = state;
          state = {
            carry: Object.fromEntries(
              Object.entries(out.state.carry).map(([k, v]) => [k, keep(v, prev.carry[k] as tf.Tensor2D)]),
            ),
            attentional: keep(out.state.attentional, prev.attentional),
          };
          logits = keep(out.logits, logits as tf.Tensor2D);
        }
        return { logProbs: tf.logSoftmax(logits as tf.Tensor2D), state: packState(state, encoded) };
      }) as unknown as { logProbs: tf.Tensor2D; state: Seq2SeqDecodeState };
    },
    step(tokens: readonly number[] | tf.Tensor1D, state: Seq2SeqDecodeState) {
      const batch = checkState(state);
      checkTokens(tokens, batch, vocabSize);
      return tf.tidy(() => {
        const ids = isTensor(tokens) ? tf.cast(tokens, 'int32') : tf.tensor1d([...tokens], 'int32');
        const encoded: Encoded = {
          memory: state.memory,
          keys: state.keys,
          mask: state.sourceMask,
          maskTerms: maskTerms(state.sourceMask),
        };
        const carried = { carry: state.carry, attentional: state.attentional };
        const out = net.step(params, encoded, carried, net.embedTargets(params, ids) as tf.Tensor2D);
        // A cell may pass a carry field through unchanged: the caller must own what it gets.
        const given = new Set<tf.Tensor>(Object.values(state.carry));
        const carry = Object.fromEntries(
          Object.entries(out.state.carry).map(([k, v]) => [k, given.has(v) ? tf.clone(v) : v]),
        );
        return { logProbs: tf.logSoftmax(out.logits), state: packState({ ...out.state, carry }, encoded) };
      }) as unknown as { logProbs: tf.Tensor2D; state: Seq2SeqDecodeState };
    },
    selectRows(state: Seq2SeqDecodeState, picked: readonly number[]) {
      const batch = checkState(state);
      if (!Array.isArray(picked) || picked.length === 0) {
        throw badArgument('BAD_DATA', 'rows', 'a non-empty array of row indices', picked);
      }
      picked.forEach((r, i) => {
        if (!Number.isInteger(r) || r < 0 || r >= batch) {
          throw badArgument('BAD_DATA', `rows[${i}]`, `an integer row index in [0, ${batch})`, r);
        }
      });
      return tf.tidy(() => {
        const idx = tf.tensor1d([...picked], 'int32');
        const take = <T extends tf.Tensor>(t: T): T => tf.gather(t, idx, 0) as T;
        return {
          carry: Object.fromEntries(Object.entries(state.carry).map(([k, v]) => [k, take(v)])),
          attentional: take(state.attentional),
          memory: take(state.memory),
          keys: take(state.keys),
          sourceMask: take(state.sourceMask),
        };
      }) as unknown as Seq2SeqDecodeState;
    },
    disposeState(state: Seq2SeqDecodeState) {
      checkState(state);
      tf.dispose([...Object.values(state.carry), state.attentional, state.memory, state.keys, state.sourceMask]);
    },
  });
}

/**
 * The decoder state with new handles on the encoded source (a clone shares the data, no
 * copy), so each state owns its tensors; `mask` is always present here.
 */
function packState(state: { carry: Carry; attentional: tf.Tensor2D }, encoded: Encoded): Seq2SeqDecodeState {
  return {
    carry: state.carry,
    attentional: state.attentional,
    memory: tf.clone(encoded.memory),
    keys: tf.clone(encoded.keys),
    sourceMask: tf.clone(encoded.mask as tf.Tensor2D),
  };
}

function checkTokens(tokens: unknown, batch: number, vocabSize: number): void {
  if (isTensor(tokens)) {
    if (tokens.rank !== 1 || tokens.shape[0] !== batch || (tokens.dtype !== 'int32' && tokens.dtype !== 'float32')) {
      throw shapeMismatch('tokens', `a tensor of shape [${batch}] (one token id per row)`, tokens);
    }
    checkIdValues(tokens.dataSync(), vocabSize, 'tokens', 0);
    return;
  }
  if (!Array.isArray(tokens) || tokens.length !== batch) {
    throw badArgument('BAD_DATA', 'tokens', `an array of ${batch} token ids (one per row)`, tokens);
  }
  checkIdValues(tokens, vocabSize, 'tokens', 0);
}
