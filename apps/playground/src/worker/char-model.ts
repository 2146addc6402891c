import { type Cell, RecurError, Rng } from '@recur/core';
import { Tokenizer, type TokenizerJSON } from '@recur/datasets';
import { beamSearch, type DecodeStrategy, generate, recurrentStepModel } from '@recur/decode';
import { dense, disposeParams, embedding, recurrent, stacked, toVariables } from '@recur/layers';
import {
  type Callbacks,
  fit as fitModel,
  type SequenceBatch,
  softmaxCrossEntropy,
  type TrainableModel,
} from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import type { CellName, Decoding, TextTask } from '../protocol.js';
import { cellFor } from './cells.js';
import { disposeTree } from './params.js';

/** What a saved character model holds besides its weights. */
export interface CharModelConfig {
  readonly kind: 'text';
  /** The recurrent cell; files saved before the picker hold an LSTM. */
  readonly cell?: CellName;
  readonly tokenizer: TokenizerJSON;
  readonly dim: number;
  readonly units: number;
  readonly seqLength: number;
}

const layersFor = (vocab: number, c: CharModelConfig) => {
  const cell = cellFor(c.cell ?? 'lstm', c.dim, c.units);
  const net = stacked([
    embedding({ vocabSize: vocab, dim: c.dim }),
    recurrent(cell, { returnSequences: true }),
    dense({ inputSize: c.units, units: vocab }),
  ]);
  return { cell, net };
};

export type CharNet = ReturnType<typeof layersFor>['net'];
type CharParams = ReturnType<CharNet['init']>;

/** A character-level language model: embedding → the picked cell → dense softmax over characters. */
export class CharModel {
  readonly kind = 'text' as const;
  readonly tokenizer: Tokenizer;
  readonly net: CharNet;
  readonly cell: Cell;
  readonly params: CharParams;
  steps = 0;

  constructor(
    readonly config: CharModelConfig,
    seed = 1,
  ) {
    this.tokenizer = Tokenizer.fromJSON(config.tokenizer, 'the model file');
    const { cell, net } = layersFor(this.tokenizer.vocabulary.size, config);
    this.cell = cell;
    this.net = net;
    const init = net.init(new Rng(seed));
    ({ params: this.params, variables: this.variables } = toVariables(init));
    disposeParams(init);
  }

  /** The weights by path (`1/kernel`): the names in a saved model. */
  readonly variables: Readonly<Record<string, tf.Variable>>;

  dispose(): void {
    disposeTree(this.params);
  }

  /** Trains on random windows of the text; the caller has checked the task. */
  async train(task: TextTask, callbacks: Callbacks): Promise<number[]> {
    const ids = this.tokenizer.encode(task.text);
    const { seqLength, batchSize } = task;
    const trainable: TrainableModel<SequenceBatch> = {
      variables: this.variables,
      loss: (batch) => {
        const logits = this.net.apply(this.params, batch.inputs).output;
        return { loss: softmaxCrossEntropy(logits, batch.targets) };
      },
    };
    const windows = function* (rng: Rng): Generator<SequenceBatch> {
      for (;;) {
        const x = new Int32Array(batchSize * seqLength);
        const y = new Int32Array(batchSize * seqLength);
        for (let b = 0; b < batchSize; b++) {
          const start = rng.int(ids.length - seqLength);
          x.set(ids.subarray(start, start + seqLength), b * seqLength);
          y.set(ids.subarray(start + 1, start + seqLength + 1), b * seqLength);
        }
        yield {
          inputs: tf.tensor2d(x, [batchSize, seqLength], 'int32'),
          targets: tf.tensor2d(y, [batchSize, seqLength], 'int32'),
        };
      }
    };
    const result = await fitModel(
      trainable,
      { train: (rng) => windows(rng) },
      {
        maxSteps: task.steps,
        optimizer: { kind: 'adam', learningRate: task.learningRate },
        clip: { globalNorm: 5 },
        seed: this.steps + 1,
        callbacks,
      },
    );
    this.steps += result.steps;
    return result.losses;
  }

  /** Continues `prompt` by `length` characters with sampling or beam search (@recur/decode). */
  generate(prompt: string, length: number, decoding: Decoding): string {
    const [embeddingParams, cellParams, head] = this.params;
    const model = recurrentStepModel({
      vocabSize: this.tokenizer.vocabulary.size,
      params: cellParams,
      embed: (tokens) => tf.gather(embeddingParams.embeddings, tokens),
      cellStep: this.cell.step,
      project: (y) => {
        const logits = tf.matMul(y, head.kernel);
        return (head.bias === undefined ? logits : tf.add(logits, head.bias)) as tf.Tensor2D;
      },
      initCarry: this.cell.initCarry,
    });
    const start = Array.from(this.tokenizer.encode(prompt));
    if (start.length === 0) {
      throw new RecurError('BAD_DATA', 'prompt: expected at least one character, received an empty prompt');
    }
    let tokens: number[];
    if (decoding.kind === 'beam') {
      const [best] = beamSearch(model, [start], { beamWidth: decoding.beamWidth, maxLength: length });
      tokens = best?.[0]?.tokens ?? [];
    } else {
      const strategy: DecodeStrategy = {
        kind: 'sample',
        rng: new Rng(decoding.seed),
        temperature: decoding.temperature,
        ...(decoding.topK > 0 ? { topK: decoding.topK } : {}),
      };
      tokens = generate(model, start, { maxLength: length, strategy });
    }
    return this.tokenizer.decode(tokens);
  }
}

/** Checks a text task before anything is built, so a bad one leaves the current model alone. */
export function checkTextTask(task: TextTask): void {
  const characters = [...task.text].length;
  if (characters === 0) {
    throw new RecurError('BAD_DATA', 'text: expected some text to train on, received an empty text');
  }
  const needed = task.seqLength + 1 + task.batchSize;
  if (characters < needed) {
    throw new RecurError(
      'BAD_DATA',
      `text: expected at least ${needed} characters for sequences of ${task.seqLength} ` +
        `(sequence length + 1 + batch size), received ${characters}; paste more text or shorten the sequence length`,
    );
  }
}

export function newCharModel(task: TextTask): CharModel {
  checkTextTask(task);
  const tokenizer = Tokenizer.fit(task.text, { level: 'char' });
  return new CharModel({
    kind: 'text',
    cell: task.cell,
    tokenizer: tokenizer.toJSON(),
    dim: 16,
    units: task.units,
    seqLength: task.seqLength,
  });
}
