import type { Carry, Params } from '@recur/core';
import { recurrentStepModel, type StepModel } from '@recur/decode';
import * as tf from '@tensorflow/tfjs-core';
import type { SequenceNet, SequenceNetParams } from './sequence-net.js';

/**
 * A token-level `SequenceNet` (embedding → stacked cells → per-step head) as a decoder
 * `StepModel`: one token in, the next token's log-probabilities out, the stack's carries
 * held in one record (`'0.h'`, `'0.c'`, `'1.h'`, …) so that `@recur/decode` can select
 * and reorder rows of it.
 */
export function netStepModel(net: SequenceNet, params: SequenceNetParams): StepModel<Carry> {
  const { input, outputs } = net.config;
  if (input.kind !== 'tokens' || !net.config.perStep) {
    throw new Error('netStepModel: needs a token-level model with a head on every step');
  }
  const embeddings = params.embedding?.embeddings as tf.Tensor2D;
  const { kernel, bias } = params.head;
  const split = (carry: Carry, layer: number): Carry =>
    Object.fromEntries(
      Object.entries(carry)
        .filter(([k]) => k.startsWith(`${layer}.`))
        .map(([k, v]) => [k.slice(`${layer}.`.length), v]),
    );
  const join = (carries: readonly Carry[]): Carry =>
    Object.fromEntries(carries.flatMap((c, i) => Object.entries(c).map(([k, v]) => [`${i}.${k}`, v])));
  return recurrentStepModel<Carry, SequenceNetParams>({
    vocabSize: outputs,
    params,
    embed: (tokens) => tf.gather(embeddings, tokens),
    cellStep: (p, carry, x) => {
      // Runs inside the adapter's tidy, so the outputs passed between layers are freed.
      const carries: Carry[] = [];
      let y = x;
      net.cells.forEach((cell, i) => {
        const out = cell.step(p.rnn[i] as Params, split(carry, i), y);
        carries.push(out.carry);
        y = out.y;
      });
      return { carry: join(carries), y };
    },
    project: (y) => {
      const logits = tf.matMul(y, kernel);
      return (bias === undefined ? logits : tf.add(logits, bias)) as tf.Tensor2D;
    },
    initCarry: (batch) => join(net.cells.map((cell) => cell.initCarry(batch))),
  });
}
