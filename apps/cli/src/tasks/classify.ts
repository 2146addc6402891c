import { padSequences, type SequenceBatch, sequenceBatches, Tokenizer } from '@recur/datasets';
import { accuracy, precisionRecallF1, rocAuc, softmaxCrossEntropy } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { type LabelledText, loadLabelledTexts } from '../data/labelled-texts.js';
import { CliError } from '../errors.js';
import { betweenBatches } from '../interrupt.js';
import { type NetworkConfig, type NetworkParams, network } from '../model/network.js';
import { TDNN_LAYERS } from '../model/tdnn-stack.js';
import type { SequenceModel } from '../settings.js';
import { count, fixed, percent } from './format.js';
import type { Task, TaskContext, TaskSession } from './task.js';

/** Rows per forward pass when predicting held-out texts. */
const PREDICT_BATCH = 128;

/** What a classifier's model file holds besides weights. */
const preprocessing = z.strictObject({
  tokenizer: z.record(z.string(), z.unknown()),
  classes: z.array(z.string()).min(2),
});
type Saved = z.infer<typeof preprocessing>;

async function open(context: TaskContext<'classify'>): Promise<TaskSession<NetworkParams>> {
  const { settings, saved } = context;
  const data = await loadLabelledTexts(settings.source);
  const previous = saved as Saved | undefined;
  if (previous !== undefined && previous.classes.join('\n') !== data.classes.join('\n')) {
    throw new CliError(
      `the data's classes (${data.classes.join(', ')}) are not the model's (${previous.classes.join(', ')})`,
    );
  }
  const tokenizer =
    previous !== undefined
      ? Tokenizer.fromJSON(previous.tokenizer, 'model file tokenizer')
      : Tokenizer.fit(
          data.train.map((e) => e.text),
          { level: 'word', lowercase: true, minFrequency: 2, maxSize: 10_000 },
        );
  const { maxTokens: seqLength, batch } = settings;
  // The first seqLength pieces of each text (subject and sender come first in an email).
  const encode = (rows: readonly LabelledText[]) => rows.map((e) => tokenizer.encode(e.text).subarray(0, seqLength));
  const netConfig: NetworkConfig = {
    input: { kind: 'tokens', vocabSize: tokenizer.vocabulary.size, dim: settings.embeddingDim, paddingId: 0 },
    cell: settings.cell,
    layers: settings.layers,
    units: settings.units,
    outputs: data.classes.length,
    perStep: false,
    pool: 'max',
    ...(settings.model === 'tdnn' ? { model: 'tdnn' as const } : {}),
  };
  const net = network(netConfig);
  const train = context.use === 'train' ? encode(data.train) : [];
  const validation = encode(data.validation);
  const test = encode(data.test);
  const labels = (rows: readonly LabelledText[], indices: ArrayLike<number>) =>
    Int32Array.from(indices, (i) => (rows[i] as LabelledText).label);
  // Ids 0 (padding) end each row: the recurrent layer stops at each text's last real piece.
  const toBatch = (b: SequenceBatch, rows: readonly LabelledText[]) => ({
    inputs: tf.tensor2d(b.data, [...b.shape], 'int32'),
    targets: tf.tensor1d(labels(rows, b.indices), 'int32'),
  });
  const predict = async (
    params: NetworkParams,
    seqs: readonly Int32Array[],
    stopped: (() => boolean) | undefined,
  ): Promise<{ labels: Int32Array; probabilities: Float32Array }> => {
    const labels = new Int32Array(seqs.length);
    const probabilities = new Float32Array(seqs.length * data.classes.length);
    for (let start = 0; start < seqs.length; start += PREDICT_BATCH) {
      await betweenBatches(stopped);
      const part = seqs.slice(start, start + PREDICT_BATCH).map((s) => (s.length > 0 ? s : Int32Array.of(1)));
      const padded = padSequences(part, { padding: 'post' });
      const [ids, probs] = tf.tidy(() => {
        const logits = net.apply(params, tf.tensor2d(padded.data, [...padded.shape], 'int32')).output;
        return [tf.argMax(logits, -1), tf.softmax(logits)];
      });
      labels.set(ids.dataSync() as Int32Array, start);
      probabilities.set(probs.dataSync() as Float32Array, start * data.classes.length);
      tf.dispose([ids, probs]);
    }
    return { labels, probabilities };
  };
  const source = settings.source.kind === 'file' ? settings.source.path : 'spam (SpamAssassin)';
  return {
    net: netConfig,
    preprocessing: { tokenizer: { ...tokenizer.toJSON() }, classes: [...data.classes] } satisfies Saved,
    parameterCount: net.parameterCount,
    summary: `${source}: ${count(data.train.length)} training / ${count(data.validation.length)} validation / ${count(data.test.length)} test texts, classes ${data.classes.join(', ')}, vocabulary ${count(tokenizer.vocabulary.size)}`,
    metricName: 'acc',
    throughput: 'samples',
    init: (rng) => net.init(rng),
    lossOf: (params) =>
      function loss(b) {
        const { inputs, targets } = b as { inputs: tf.Tensor2D; targets: tf.Tensor1D };
        const logits = net.apply(params, inputs).output;
        const value = softmaxCrossEntropy(logits, targets);
        const acc = tf.mean(tf.cast(tf.equal(tf.argMax(logits, -1), targets), 'float32')) as tf.Scalar;
        return { loss: value, metrics: { acc } };
      },
    data: (stopped) => ({
      stepsPerEpoch: Math.ceil(train.length / batch),
      fitData: {
        *train(rng) {
          for (const b of sequenceBatches(train, { batchSize: batch, rng, padding: 'post' }))
            yield toBatch(b, data.train);
        },
        *validation() {
          if (stopped()) return;
          for (const b of sequenceBatches(validation, { batchSize: 128, padding: 'post' }))
            yield toBatch(b, data.validation);
        },
      },
    }),
    async evaluate(params, request) {
      const rows = request.limit > 0 ? data.test.slice(0, request.limit) : data.test;
      const { labels: predicted, probabilities } = await predict(params, test.slice(0, rows.length), request.stopped);
      const truth = Int32Array.from(rows, (e) => e.label);
      const classes = data.classes.length;
      const probability = (i: number, c: number) => probabilities[i * classes + c] as number;
      const acc = accuracy(predicted, truth);
      const metrics: Record<string, number> = { accuracy: acc };
      const lines = [`held-out accuracy: ${percent(acc)} (${count(rows.length)} test texts)`];
      if (data.positive !== undefined) {
        const s = precisionRecallF1(predicted, truth, data.positive);
        Object.assign(metrics, { precision: s.precision, recall: s.recall, f1: s.f1 });
        lines.push(
          `${data.classes[data.positive]}: precision ${fixed(s.precision, 3)}, recall ${fixed(s.recall, 3)}, F1 ${fixed(s.f1, 3)} (${s.truePositives} caught, ${s.falsePositives} false alarms, ${s.falseNegatives} missed)`,
        );
        const positive = data.positive;
        // The area is undefined when the held-out texts hold one class only.
        if (truth.some((t) => t === positive) && truth.some((t) => t !== positive)) {
          metrics.rocAuc = rocAuc(
            Float32Array.from(rows, (_, i) => probability(i, positive)),
            truth,
            positive,
          );
          lines.push(`ROC AUC: ${fixed(metrics.rocAuc, 4)} (${data.classes[positive]} probability as the score)`);
        }
      } else {
        const f1s = data.classes.map((_, c) => precisionRecallF1(predicted, truth, c).f1);
        metrics.macroF1 = f1s.reduce((a, b) => a + b, 0) / f1s.length;
        lines.push(
          `macro F1: ${fixed(metrics.macroF1, 3)} (${data.classes.map((c, i) => `${c} ${fixed(f1s[i] as number, 3)}`).join(', ')})`,
        );
      }
      if (request.predictions !== true) return { metrics, lines };
      // Rows are numbered from 1 in the held-out split's order, as `eval` reads it.
      const header = ['id', 'label', 'predicted', ...data.classes.map((c) => `p_${c}`)];
      const table = rows.map((e, i) => [
        i + 1,
        data.classes[e.label] as string,
        data.classes[predicted[i] as number] as string,
        ...data.classes.map((_, c) => probability(i, c)),
      ]);
      return { metrics, lines, predictions: { header, rows: table } };
    },
    dispose: () => {},
  };
}

export const classify: Task<'classify'> = {
  name: 'classify',
  description: 'text classifier: reads a text and names its class (spam or ham)',
  datasets: ['spam'],
  flags: ['embeddingDim', 'seqLength', 'model'],
  settings: (flags) => ({
    cell: flags.cell ?? 'lstm',
    layers: flags.layers ?? (flags.model === 'tdnn' ? TDNN_LAYERS : 1),
    units: flags.units ?? 64,
    embeddingDim: flags.embeddingDim ?? 64,
    maxTokens: flags.seqLength ?? 256,
    model: (flags.model ?? 'recurrent') as SequenceModel, // the schema refuses g2p's models
    batch: flags.batch ?? 32,
    learningRate: flags.lr ?? 0.003,
    minutes: flags.minutes ?? 1.5,
  }),
  shape: ['model', 'cell', 'layers', 'units', 'embeddingDim', 'maxTokens'],
  preprocessing,
  open,
};
