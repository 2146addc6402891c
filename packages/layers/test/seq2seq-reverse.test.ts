import { elman, gru } from '@recur/cells';
import { Rng, useBackend } from '@recur/core';
import { beamSearch, generate, generateBatch } from '@recur/decode';
import { backendMatrix, checkLeaks, describeBackends } from '@recur/test-utils';
import { fit } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { bidirectional, recurrent, seq2seq, seq2seqStepModel, seq2seqTrainable } from '../src/index.js';
import {
  BEGIN,
  END,
  MAX_LENGTH,
  randomDigits,
  restore,
  reverseBatch,
  SOURCE_VOCAB,
  snapshot,
  sourceIds,
  TARGET_VOCAB,
  targetIds,
} from './helpers/reverse-task.js';

// Sized for a test budget on 2 cores: the cpu backend's per-op cost dominates, so a small
// model and an Elman decoder (no gate splitting) learn in a few seconds.
const EMBEDDING = 8;
const ATTENTIONAL = 32;
const STEPS = 150;
const BATCH = 32;
const HELD_OUT = 200;

const model = seq2seq({
  sourceVocabSize: SOURCE_VOCAB,
  targetVocabSize: TARGET_VOCAB,
  sourceEmbeddingDim: EMBEDDING,
  targetEmbeddingDim: EMBEDDING,
  encoder: [bidirectional(recurrent(gru({ inputSize: EMBEDDING, units: 16 }), { returnSequences: true }))],
  decoder: elman({ inputSize: EMBEDDING + ATTENTIONAL, units: 32 }),
  attention: 'additive',
  attentionalSize: ATTENTIONAL,
});

const key = (digits: readonly number[]) => digits.join('');

describe('seq2seq learning to reverse digit strings', () => {
  let trained: ReturnType<typeof snapshot>;
  const seen = new Set<string>();
  let finalAccuracy = 0;

  // Training on every backend would not fit the test budget: train once on the first
  // backend of the matrix, then check decoding on each.
  beforeAll(async () => {
    await useBackend(backendMatrix()[0] as Parameters<typeof useBackend>[0]);
    const before = tf.memory().numTensors;
    const init = model.init(new Rng(3));
    const trainable = seq2seqTrainable(model, init);
    tf.dispose(init as unknown as tf.TensorContainer);
    const data = {
      *train(rng: Rng) {
        for (let i = 0; i < STEPS; i++) {
          const strings = Array.from({ length: BATCH }, () => randomDigits(rng));
          for (const s of strings) seen.add(key(s));
          yield reverseBatch(strings);
        }
      },
    };
    await fit(trainable, data, {
      epochs: 1,
      optimizer: { kind: 'adam', learningRate: 0.03 },
      schedule: { kind: 'cosine', rate: 0.03, decaySteps: STEPS, minRate: 0.001 },
      clip: { globalNorm: 5 },
      seed: 1,
      callbacks: {
        onBatchEnd: (e) => {
          finalAccuracy = e.metrics.accuracy ?? 0;
        },
      },
    });
    trained = snapshot(trainable.params as never);
    trainable.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('should reach full token accuracy on its last training batch', () => {
    expect(finalAccuracy).toBeGreaterThanOrEqual(0.99);
  });

  describeBackends('decoding', () => {
    checkLeaks();
    const rng = new Rng(2024);
    const heldOut: number[][] = [];

    it('should reverse ≥ 99% of fresh strings exactly, greedily and by beam search of width 1 alike', () => {
      while (heldOut.length < HELD_OUT) {
        const s = randomDigits(rng);
        if (!seen.has(key(s))) heldOut.push(s);
      }
      const shape = model.init(new Rng(0));
      const params = restore(shape as never, trained);
      tf.dispose(shape as unknown as tf.TensorContainer);
      const decoder = seq2seqStepModel(model, params, heldOut.map(sourceIds));
      const prompts = heldOut.map(() => [BEGIN]);
      const greedy = generateBatch(decoder, prompts, { maxLength: MAX_LENGTH + 2, endToken: END });
      const exact = greedy.filter((tokens, i) => key(tokens) === key(targetIds(heldOut[i] as number[]))).length;
      console.log('EXACT', exact / HELD_OUT, finalAccuracy);
      expect(exact / HELD_OUT).toBeGreaterThanOrEqual(0.99);
      const beams = beamSearch(decoder, prompts, { beamWidth: 1, maxLength: MAX_LENGTH + 2, endToken: END });
      expect(beams.map(([best]) => best?.tokens)).toEqual(greedy);
      // One source at a time through `generate` gives what the batch gave.
      for (const i of [0, 1, 2]) {
        const single = seq2seqStepModel(model, params, [sourceIds(heldOut[i] as number[])]);
        expect(generate(single, [BEGIN], { maxLength: MAX_LENGTH + 2, endToken: END })).toEqual(greedy[i]);
      }
      tf.dispose(params as unknown as tf.TensorContainer);
    });
  });
});
