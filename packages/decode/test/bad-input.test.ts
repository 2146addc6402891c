import { RecurError, type RecurErrorCode, Rng } from '@recur/core';
import { beamSearch, generate, generateBatch, lengthPenalty, type StepModel, stream } from '@recur/decode';
import { checkLeaks, describeBackends } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { randomDistribution, type TableState, tableModel } from './helpers/table-model.js';

const V = 4;
const rng = new Rng(0);

type Call = (model: StepModel<TableState>) => unknown;

function expectRejected(call: Call, code: RecurErrorCode, message: string): void {
  const model = tableModel(V, randomDistribution(V, 0));
  const before = tf.memory().numTensors;
  let error: unknown;
  try {
    call(model);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(RecurError);
  expect((error as RecurError).code).toBe(code);
  expect((error as RecurError).message).toBe(message);
  // Rejected before the model (or any tfjs op) ran.
  expect(model.calls.start).toBe(0);
  expect(tf.memory().numTensors).toBe(before);
}

const sample = (extra: object) => ({ maxLength: 3, strategy: { kind: 'sample', rng, ...extra } }) as never;

const generateCases: [string, Call, RecurErrorCode, string][] = [
  [
    'a model that is not one',
    () => generate(null as never, [1], { maxLength: 3 }),
    'BAD_CONFIG',
    'model: expected a StepModel (vocabSize, start, step, selectRows, disposeState), received null',
  ],
  [
    'a model without a vocabulary',
    (m) => generate({ ...m, vocabSize: 0 }, [1], { maxLength: 3 }),
    'BAD_CONFIG',
    'model.vocabSize: expected a positive integer, received 0',
  ],
  [
    'a prompt token beyond the vocabulary',
    (m) => generate(m, [1, 4], { maxLength: 3 }),
    'BAD_DATA',
    'prompt[1]: expected an integer token id in [0, 4), received 4',
  ],
  [
    'a negative prompt token',
    (m) => generate(m, [-1], { maxLength: 3 }),
    'BAD_DATA',
    'prompt[0]: expected an integer token id in [0, 4), received -1',
  ],
  [
    'a fractional prompt token',
    (m) => generate(m, [1.5], { maxLength: 3 }),
    'BAD_DATA',
    'prompt[0]: expected an integer token id in [0, 4), received 1.5',
  ],
  [
    'a prompt that is not an array',
    (m) => generate(m, '12' as never, { maxLength: 3 }),
    'BAD_DATA',
    "prompt: expected an array of token ids, received '12'",
  ],
  [
    'missing options',
    (m) => generate(m, [1], undefined as never),
    'BAD_CONFIG',
    'options: expected an object, received undefined',
  ],
  [
    'maxLength 0',
    (m) => generate(m, [1], { maxLength: 0 }),
    'BAD_CONFIG',
    'options.maxLength: expected a positive integer, received 0',
  ],
  [
    'a fractional maxLength',
    (m) => generate(m, [1], { maxLength: 2.5 }),
    'BAD_CONFIG',
    'options.maxLength: expected a positive integer, received 2.5',
  ],
  [
    'an end token outside the vocabulary',
    (m) => generate(m, [1], { maxLength: 3, endToken: 4 }),
    'BAD_CONFIG',
    'options.endToken: expected an integer token id in [0, 4), received 4',
  ],
  [
    'an unknown strategy',
    (m) => generate(m, [1], { maxLength: 3, strategy: { kind: 'beam' } as never }),
    'BAD_CONFIG',
    "options.strategy.kind: expected 'greedy' or 'sample', received 'beam'",
  ],
  [
    'sampling without an Rng',
    (m) => generate(m, [1], sample({ rng: 42 })),
    'BAD_CONFIG',
    'options.strategy.rng: expected an Rng from @recur/core, received 42',
  ],
  [
    'temperature 0',
    (m) => generate(m, [1], sample({ temperature: 0 })),
    'BAD_CONFIG',
    'options.strategy.temperature: expected a finite number > 0, received 0',
  ],
  [
    'a negative temperature',
    (m) => generate(m, [1], sample({ temperature: -1 })),
    'BAD_CONFIG',
    'options.strategy.temperature: expected a finite number > 0, received -1',
  ],
  [
    'an infinite temperature',
    (m) => generate(m, [1], sample({ temperature: Infinity })),
    'BAD_CONFIG',
    'options.strategy.temperature: expected a finite number > 0, received Infinity',
  ],
  [
    'top-k 0',
    (m) => generate(m, [1], sample({ topK: 0 })),
    'BAD_CONFIG',
    'options.strategy.topK: expected a positive integer, received 0',
  ],
  [
    'a fractional top-k',
    (m) => generate(m, [1], sample({ topK: 1.5 })),
    'BAD_CONFIG',
    'options.strategy.topK: expected a positive integer, received 1.5',
  ],
  [
    'top-p 0',
    (m) => generate(m, [1], sample({ topP: 0 })),
    'BAD_CONFIG',
    'options.strategy.topP: expected a number in (0, 1], received 0',
  ],
  [
    'top-p above 1',
    (m) => generate(m, [1], sample({ topP: 1.01 })),
    'BAD_CONFIG',
    'options.strategy.topP: expected a number in (0, 1], received 1.01',
  ],
  [
    'top-p NaN',
    (m) => generate(m, [1], sample({ topP: Number.NaN })),
    'BAD_CONFIG',
    'options.strategy.topP: expected a number in (0, 1], received NaN',
  ],
  [
    'an empty batch',
    (m) => generateBatch(m, [], { maxLength: 3 }),
    'BAD_DATA',
    'prompts: expected a non-empty array of prompts (arrays of token ids), received []',
  ],
  [
    'a bad token in the second prompt',
    (m) => generateBatch(m, [[1], [2, 9]], { maxLength: 3 }),
    'BAD_DATA',
    'prompts[1][1]: expected an integer token id in [0, 4), received 9',
  ],
  [
    'a bad prompt to stream',
    (m) => stream(m, [7], { maxLength: 3 }),
    'BAD_DATA',
    'prompt[0]: expected an integer token id in [0, 4), received 7',
  ],
  [
    'bad options to stream',
    (m) => stream(m, [1], sample({ topK: -2 })),
    'BAD_CONFIG',
    'options.strategy.topK: expected a positive integer, received -2',
  ],
];

const beam = (extra: object) => ({ beamWidth: 2, maxLength: 3, ...extra }) as never;
const beamCases: [string, Call, RecurErrorCode, string][] = [
  [
    'beam width 0',
    (m) => beamSearch(m, [[1]], beam({ beamWidth: 0 })),
    'BAD_CONFIG',
    'options.beamWidth: expected a positive integer, received 0',
  ],
  [
    'a fractional beam width',
    (m) => beamSearch(m, [[1]], beam({ beamWidth: 2.5 })),
    'BAD_CONFIG',
    'options.beamWidth: expected a positive integer, received 2.5',
  ],
  [
    'maxLength 0',
    (m) => beamSearch(m, [[1]], beam({ maxLength: 0 })),
    'BAD_CONFIG',
    'options.maxLength: expected a positive integer, received 0',
  ],
  [
    'an end token outside the vocabulary',
    (m) => beamSearch(m, [[1]], beam({ endToken: -1 })),
    'BAD_CONFIG',
    'options.endToken: expected an integer token id in [0, 4), received -1',
  ],
  [
    'a negative length penalty',
    (m) => beamSearch(m, [[1]], beam({ lengthPenalty: -0.5 })),
    'BAD_CONFIG',
    'options.lengthPenalty: expected a finite number ≥ 0, received -0.5',
  ],
  [
    'nBest above the beam width',
    (m) => beamSearch(m, [[1]], beam({ nBest: 3 })),
    'BAD_CONFIG',
    'options.nBest: expected an integer in [1, beamWidth = 2], received 3',
  ],
  [
    'nBest 0',
    (m) => beamSearch(m, [[1]], beam({ nBest: 0 })),
    'BAD_CONFIG',
    'options.nBest: expected an integer in [1, beamWidth = 2], received 0',
  ],
  [
    'a prompt token beyond the vocabulary',
    (m) => beamSearch(m, [[1], [4]], beam({})),
    'BAD_DATA',
    'prompts[1][0]: expected an integer token id in [0, 4), received 4',
  ],
  [
    'prompts that are not a batch',
    (m) => beamSearch(m, [1] as never, beam({})),
    'BAD_DATA',
    'prompts[0]: expected an array of token ids, received 1',
  ],
  ['a negative length', () => lengthPenalty(-1, 1), 'BAD_CONFIG', 'length: expected an integer ≥ 0, received -1'],
  ['a NaN α', () => lengthPenalty(3, Number.NaN), 'BAD_CONFIG', 'alpha: expected a finite number ≥ 0, received NaN'],
];

describeBackends('bad input', () => {
  checkLeaks();

  describe('generate, generateBatch and stream', () => {
    it.each(generateCases)('should reject %s', (_name, call, code, message) => expectRejected(call, code, message));
  });

  describe('beamSearch and lengthPenalty', () => {
    it.each(beamCases)('should reject %s', (_name, call, code, message) => expectRejected(call, code, message));
  });

  describe('a misbehaving model', () => {
    const broken = (logProbs: () => tf.Tensor2D): StepModel<TableState> => {
      const table = tableModel(V, randomDistribution(V, 0));
      return {
        ...table,
        start: (prompts) => {
          const out = table.start(prompts);
          out.logProbs.dispose();
          return { ...out, logProbs: logProbs() };
        },
      };
    };

    it('should name a NaN log-probability and dispose everything', () => {
      const model = broken(() => tf.tensor2d([[0, Number.NaN, -1, -2]]));
      expect(() => generate(model, [1], { maxLength: 3 })).toThrow(
        'model logProbs: expected log-probabilities (finite or −∞), received NaN at row 0, token 1',
      );
      expect(() => beamSearch(model, [[1]], { beamWidth: 2, maxLength: 3 })).toThrow(/NaN at row 0, token 1/);
    });

    it('should name log-probabilities of the wrong shape and dispose everything', () => {
      const model = broken(() => tf.zeros([1, V + 1]));
      expect(() => generate(model, [1], { maxLength: 3 })).toThrow(
        'model logProbs: expected shape [1, 4], received a tensor of shape [1, 5]',
      );
    });

    it('should refuse to pick from a row where every token is impossible', () => {
      const model = broken(() => tf.fill([1, V], Number.NEGATIVE_INFINITY));
      expect(() => generate(model, [1], { maxLength: 3 })).toThrow(/−∞ for every token in row 0/);
    });
  });
});
