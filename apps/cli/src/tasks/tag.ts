/**
 * `recur train tag`: part-of-speech tagging of the Brown corpus with a BiLSTM tagger over
 * word embeddings and character-level word features (Lample et al. 2016), a softmax or a
 * CRF output (`--crf`). Reported on held-out documents: token accuracy and accuracy on
 * words never seen in training, each beside the most-frequent-tag baseline.
 */
import type { Rng } from '@recur/core';
import { bucketByLength, type TaggedSentence } from '@recur/datasets';
import { brown } from '@recur/datasets/node';
import { type TaggerBatch, type TaggerConfig, type TaggerParams, tagger, taggerLoss } from '@recur/layers';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { CliError } from '../errors.js';
import { count, percent } from './format.js';
import type { Task, TaskContext, TaskSession } from './task.js';

/** What `train tag` takes besides the shared settings (`--tagset`, `--crf`). */
/** Word and character ids: padding 0, unknown 1, then the vocabulary. */
const UNKNOWN = 1;
/** Characters kept per word: long words keep their first 8 and last 12 (suffixes carry the part of speech). */
const MAX_CHARS = 20;
/** Sentences tagged per batch when evaluating. */
const EVAL_BATCH = 128;
/** A word enters the vocabulary when it occurs this often in training; rarer ones train the unknown word. */
const MIN_COUNT = 2;

/** What a tag model file holds besides weights: the vocabularies and the baseline's table. */
const preprocessing = z.strictObject({
  /** Padding, unknown, then the training words seen at least `MIN_COUNT` times (lower-cased). */
  words: z.array(z.string()).min(2),
  chars: z.array(z.string()).min(2),
  tags: z.array(z.string()).min(2),
  /**
   * Most frequent tag of each training word (lower-cased), for the baseline: `[word, tag]`
   * pairs, not a record, as words such as 'prototype' are keys a model file refuses.
   */
  baseline: z.array(z.tuple([z.string(), z.string()])),
  /** The most frequent tag over all training tokens: the baseline's guess for unseen words. */
  fallback: z.string(),
});
type Saved = z.infer<typeof preprocessing>;

const normal = (word: string) => word.toLowerCase();
const clip = (word: string) => (word.length > MAX_CHARS ? word.slice(0, 8) + word.slice(-12) : word);

function vocabularies(train: readonly TaggedSentence[], tags: readonly string[]): Saved {
  const counts = new Map<string, number>();
  const chars = new Set<string>();
  const tagCounts = new Map<string, Map<string, number>>();
  const overall = new Map<string, number>();
  for (const s of train) {
    s.words.forEach((w, i) => {
      const key = normal(w);
      const tag = s.tags[i] as string;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      for (const c of w) chars.add(c);
      const byTag = tagCounts.get(key) ?? new Map<string, number>();
      byTag.set(tag, (byTag.get(tag) ?? 0) + 1);
      tagCounts.set(key, byTag);
      overall.set(tag, (overall.get(tag) ?? 0) + 1);
    });
  }
  const argmax = (m: Map<string, number>) =>
    [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] as string;
  return {
    words: [
      '<pad>',
      '<unk>',
      ...[...counts]
        .filter(([, n]) => n >= MIN_COUNT)
        .map(([w]) => w)
        .sort(),
    ],
    chars: ['<pad>', '<unk>', ...[...chars].sort()],
    tags: [...tags],
    baseline: [...tagCounts].map(([w, m]): [string, string] => [w, argmax(m)]),
    fallback: argmax(overall),
  };
}

async function open(context: TaskContext<'tag'>): Promise<TaskSession<TaggerParams>> {
  const { settings, saved } = context;
  if (settings.source.kind !== 'dataset') throw new CliError('tag reads the Brown corpus only: use --dataset brown');
  const options = settings;
  const corpus = await brown({ tagset: options.tagset, seed: 0 });
  const vocab = (saved as Saved | undefined) ?? vocabularies(corpus.train, corpus.tags);
  const wordId = new Map(vocab.words.map((w, i) => [w, i]));
  const charId = new Map(vocab.chars.map((c, i) => [c, i]));
  const tagId = new Map(vocab.tags.map((t, i) => [t, i]));
  const config: TaggerConfig = {
    wordVocabSize: vocab.words.length,
    charVocabSize: vocab.chars.length,
    numTags: vocab.tags.length,
    wordDim: settings.embeddingDim,
    units: settings.units,
    output: options.crf ? 'crf' : 'softmax',
  };
  const model = tagger(config);
  const train = context.use === 'train' ? corpus.train.filter((s) => s.words.length <= settings.maxSentenceLength) : [];

  /** A padded batch; the caller owns its tensors. */
  const toBatch = (sentences: readonly TaggedSentence[]): TaggerBatch & { inputs: tf.Tensor2D } => {
    const time = Math.max(...sentences.map((s) => s.words.length));
    const width = Math.max(...sentences.flatMap((s) => s.words.map((w) => clip(w).length)));
    const words = new Int32Array(sentences.length * time);
    const chars = new Int32Array(sentences.length * time * width);
    const tags = new Int32Array(sentences.length * time);
    sentences.forEach((s, b) => {
      s.words.forEach((w, t) => {
        words[b * time + t] = wordId.get(normal(w)) ?? UNKNOWN;
        Array.from(clip(w)).forEach((c, i) => {
          chars[(b * time + t) * width + i] = charId.get(c) ?? UNKNOWN;
        });
        // A tag unseen in training (possible with the full tagset) counts as a miss, never as a crash.
        tags[b * time + t] = tagId.get(s.tags[t] as string) ?? 0;
      });
    });
    const wordTensor = tf.tensor2d(words, [sentences.length, time], 'int32');
    return {
      // `inputs` is the name fit reads batch and time sizes from (tokens/s in the progress bar).
      inputs: wordTensor,
      words: wordTensor,
      chars: tf.tensor3d(chars, [sentences.length, time, width], 'int32'),
      tags: tf.tensor2d(tags, [sentences.length, time], 'int32'),
    };
  };
  const disposeBatch = (b: ReturnType<typeof toBatch>) => tf.dispose([b.words, b.chars, b.tags]);
  const batches = (sentences: readonly TaggedSentence[], batchSize: number, rng?: Rng) => {
    const list = bucketByLength(
      sentences.map((s) => s.words.length),
      { batchSize, ...(rng === undefined ? {} : { rng }) },
    ).map((idx) => Array.from(idx, (i) => sentences[i] as TaggedSentence));
    // Buckets come sorted by length: shuffled, so an epoch does not run short to long.
    if (rng !== undefined) {
      for (let i = list.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [list[i], list[j]] = [list[j] as TaggedSentence[], list[i] as TaggedSentence[]];
      }
    }
    return list;
  };
  const tagAll = (params: TaggerParams, sentences: readonly TaggedSentence[]): string[][] => {
    const out: string[][] = new Array(sentences.length);
    const order = sentences
      .map((_, i) => i)
      .sort((a, b) => (sentences[a] as TaggedSentence).words.length - (sentences[b] as TaggedSentence).words.length);
    for (let start = 0; start < order.length; start += EVAL_BATCH) {
      const idx = order.slice(start, start + EVAL_BATCH);
      const batch = toBatch(idx.map((i) => sentences[i] as TaggedSentence));
      const predicted = model.predict(params, batch);
      disposeBatch(batch);
      idx.forEach((i, k) => {
        out[i] = (predicted[k] ?? []).map((t) => vocab.tags[t] as string);
      });
    }
    return out;
  };
  const baseline = new Map(vocab.baseline);
  const tokens = (sentences: readonly TaggedSentence[]) => sentences.reduce((n, s) => n + s.words.length, 0);

  return {
    net: config,
    preprocessing: vocab,
    parameterCount: model.weightSpec().reduce((n, spec) => n + spec.shape.reduce((a, d) => a * d, 1), 0),
    summary: `brown (${options.tagset} tags, ${vocab.tags.length}): ${count(tokens(corpus.train))} training / ${count(tokens(corpus.validation))} validation / ${count(tokens(corpus.test))} test tokens; ${count(vocab.words.length - 2)} words, ${vocab.chars.length - 2} characters; ${options.crf ? 'CRF' : 'softmax'} output`,
    metricName: 'acc',
    throughput: 'tokens',
    init: (rng) => model.init(rng),
    lossOf: (params) =>
      function loss(b, ctx) {
        const { inputs: _, ...batch } = b as ReturnType<typeof toBatch>;
        const { loss: value, metrics } = taggerLoss(model, params, batch, ctx);
        return { loss: value, metrics: { acc: metrics.accuracy } };
      },
    data: (stopped) => ({
      stepsPerEpoch: Math.ceil(train.length / settings.batch),
      fitData: {
        *train(rng) {
          for (const part of batches(train, settings.batch, rng)) yield toBatch(part);
        },
        *validation() {
          if (stopped()) return;
          for (const part of batches(corpus.validation.slice(0, 512), EVAL_BATCH)) yield toBatch(part);
        },
      },
    }),
    async evaluate(params, request) {
      const test = request.limit > 0 ? corpus.test.slice(0, request.limit) : corpus.test;
      const predicted = tagAll(params, test);
      const score = { all: [0, 0, 0], unseen: [0, 0, 0] };
      test.forEach((s, i) => {
        s.words.forEach((w, t) => {
          const gold = s.tags[t];
          const key = normal(w);
          const hit = predicted[i]?.[t] === gold ? 1 : 0;
          const base = (baseline.get(key) ?? vocab.fallback) === gold ? 1 : 0;
          for (const part of baseline.has(key) ? [score.all] : [score.all, score.unseen]) {
            part[0] = (part[0] as number) + hit;
            part[1] = (part[1] as number) + base;
            part[2] = (part[2] as number) + 1;
          }
        });
      });
      const rate = (p: number[], k: 0 | 1) => (p[2] === 0 ? Number.NaN : (p[k] as number) / (p[2] as number));
      const metrics = {
        accuracy: rate(score.all, 0),
        baseline_accuracy: rate(score.all, 1),
        unseen_accuracy: rate(score.unseen, 0),
        baseline_unseen_accuracy: rate(score.unseen, 1),
      };
      const lines = [
        `token accuracy ${percent(metrics.accuracy)} (most frequent tag: ${percent(metrics.baseline_accuracy)}) over ${count(score.all[2] as number)} test tokens in ${corpus.documents.test.length} held-out documents`,
        `unseen words   ${percent(metrics.unseen_accuracy)} (most frequent tag: ${percent(metrics.baseline_unseen_accuracy)}) over ${count(score.unseen[2] as number)} tokens never seen in training`,
      ];
      const example = test[0];
      if (example !== undefined) {
        lines.push(
          `  ${example.words
            .slice(0, 12)
            .map((w, t) => `${w}/${predicted[0]?.[t]}`)
            .join(' ')}`,
        );
      }
      if (request.predictions !== true) return { metrics, lines };
      // Sentences are numbered from 1 in the held-out split's order, as `eval` reads it.
      const rows = test.flatMap((s, i) =>
        s.words.map((w, t) => [i + 1, t + 1, w, s.tags[t] as string, predicted[i]?.[t] as string]),
      );
      return { metrics, lines, predictions: { header: ['sentence', 'position', 'word', 'tag', 'predicted'], rows } };
    },
    dispose: () => {},
  };
}

export const tag: Task<'tag'> = {
  name: 'tag',
  description: 'part-of-speech tagging: BiLSTM over words and characters, softmax or CRF output (--crf, --tagset)',
  datasets: ['brown'],
  flags: ['embeddingDim', 'seqLength', 'tagset', 'crf'],
  settings: (flags) => ({
    cell: (flags.cell ?? 'lstm') as 'lstm',
    layers: (flags.layers ?? 1) as 1,
    units: flags.units ?? 100,
    embeddingDim: flags.embeddingDim ?? 100,
    maxSentenceLength: flags.seqLength ?? 60,
    tagset: flags.tagset ?? 'universal',
    crf: flags.crf ?? false,
    batch: flags.batch ?? 32,
    learningRate: flags.lr ?? 0.003,
    minutes: flags.minutes ?? 10,
  }),
  shape: ['units', 'embeddingDim', 'maxSentenceLength', 'tagset', 'crf'],
  preprocessing,
  open,
};
