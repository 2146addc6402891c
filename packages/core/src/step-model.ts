import type * as tf from '@tensorflow/tfjs-core';

/** What `start` and `step` return: the next-token distribution and the state after the input. */
export interface StepOutput<State> {
  /** Log-probabilities of the next token, `[batch, vocabSize]` (each row log-sums to 0). */
  readonly logProbs: tf.Tensor2D;
  /** The state after everything fed so far. */
  readonly state: State;
}

/**
 * The one contract every decoder drives: any recurrent model, batched, fed incrementally.
 * A row of the batch is one sequence; rows never interact. The decoders of
 * `@recur/decode` (greedy, sampling, streaming, beam search) take it; models offer it
 * (`recurrentStepModel`, `@recur/layers`' `seq2seqStepModel`) without depending on them.
 *
 * Ownership: every method returns fresh tensors that the caller owns, and neither keeps
 * nor disposes its arguments. A caller therefore disposes each `logProbs` it receives and
 * calls `disposeState` once on every state it receives (from `start`, `step` or
 * `selectRows`) when done with it. The decoders in this package follow that rule and leave
 * no tensor behind.
 */
export interface StepModel<State> {
  /** Number of token ids; valid ids are `0 … vocabSize − 1`. */
  readonly vocabSize: number;
  /**
   * Feeds each row's prompt once (token ids, `[batch][len]`, rows may differ in length) and
   * returns the state after it with the distribution of the token that follows. A model
   * conditioned on something else (an encoder's output) builds its own `StepModel` whose
   * `start` reads that input instead.
   */
  start(prompts: readonly (readonly number[])[]): StepOutput<State>;
  /** Feeds one token per row and returns the next distribution; never recomputes the prefix. */
  step(tokens: readonly number[] | tf.Tensor1D, state: State): StepOutput<State>;
  /** The state of rows `rows` (indices into `state`'s batch, repeats allowed), in that order. */
  selectRows(state: State, rows: readonly number[]): State;
  /** Releases every tensor held by `state`. */
  disposeState(state: State): void;
}
