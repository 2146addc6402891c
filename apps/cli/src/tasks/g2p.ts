import { cellFromConfig } from '@recur/cells';
import type { Cell } from '@recur/core';
import { bucketByLength, padSequences } from '@recur/datasets';
import { beamSearch, generateBatch } from '@recur/decode';
import { bidirectional, recurrent, type Seq2SeqParams, seq2seq, seq2seqStepModel } from '@recur/layers';
import { phonemeErrorRate, sequenceErrorRate, softmaxCrossEntropy } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { loadPronunciations, type Pair } from '../data/pronunciations.js';
import { CliError } from '../errors.js';
import type { CellChoice } from '../model/sequence-net.js';
import { count, percent } from './format.js';
import { openCtc } from './g2p-ctc.js';
import type { Task, TaskContext, TaskSession } from './task.js';

/** Target ids: padding (0), begin and end, then the phonemes. Source ids: padding (0), unknown, then the letters. */
const BEGIN = 1;
const END = 2;
const UNKNOWN_LETTER = 1;
/** Words decoded per batch when evaluating. */
const DECODE_BATCH = 256;

/** Everything that fixes the weights' shapes; stored in the model file. */
export interface G2pNetConfig {
  readonly letters: number;
  readonly phonemes: number;
  readonly cell: CellChoice;
  readonly layers: number;
  readonly units: number;
  readonly embeddingDim: number;
}

interface Saved {
  readonly letters: readonly string[];
  readonly phonemes: readonly string[];
}

/**
 * Bahdanau/Luong encoder–decoder from `@recur/layers`: bidirectional encoder layers over
 * the letters (units/2 each way, so the memory has `units` features), a decoder cell with
 * input feeding and 'general' attention (Luong et al. 2015, sec. 3.1) over the letters.
 */
function buildModel(c: G2pNetConfig) {
  const cell = (inputSize: number, units: number) =>
    cellFromConfig({ kind: c.cell, inputSize, units }) as unknown as Cell;
  const half = Math.max(1, Math.floor(c.units / 2));
  const encoder = Array.from({ length: c.layers }, (_, i) =>
    bidirectional(recurrent(cell(i === 0 ? c.embeddingDim : 2 * half, half), { returnSequences: true })),
  );
  return seq2seq({
    sourceVocabSize: c.letters,
    targetVocabSize: c.phonemes,
    sourceEmbeddingDim: c.embeddingDim,
    targetEmbeddingDim: c.embeddingDim,
    encoder,
    decoder: cell(c.embeddingDim + c.units, c.units),
    attention: 'general',
  });
}

async function open(context: TaskContext): Promise<TaskSession<Seq2SeqParams>> {
  const { settings, saved } = context;
  const data = await loadPronunciations(settings.source);
  const previous = saved as Saved | undefined;
  // Fixed ids first (padding 0, unknown 1), then the letters in code-unit order.
  const letters = previous?.letters ?? [
    '<pad>',
    '<unk>',
    ...[...new Set(data.train.flatMap((p) => [...p.word]))].sort(),
  ];
  const phonemes = previous?.phonemes ?? [
    '<pad>',
    '<bos>',
    '<eos>',
    ...[...new Set(data.train.flatMap((p) => p.phonemes))].sort(),
  ];
  const letterId = new Map(letters.map((l, i) => [l, i]));
  const phonemeId = new Map(phonemes.map((p, i) => [p, i]));
  const encodeWord = (word: string) => Array.from(word, (ch) => letterId.get(ch) ?? UNKNOWN_LETTER);
  const known = (p: Pair) => p.phonemes.every((ph) => phonemeId.has(ph));
  const net: G2pNetConfig = {
    letters: letters.length,
    phonemes: phonemes.length,
    cell: settings.cell,
    layers: settings.layers,
    units: settings.units,
    embeddingDim: settings.embeddingDim,
  };
  const model = buildModel(net);
  // Training pairs longer than --seq-length are left out (a few very long names); every test word is decoded.
  const train = context.forInference ? [] : data.train.filter((p) => p.word.length <= settings.seqLength && known(p));
  if (!context.forInference && train.length < settings.batch) {
    throw new CliError(
      `only ${train.length} training words fit --seq-length ${settings.seqLength}: give more data or a smaller --batch`,
    );
  }
  const toBatch = (pairs: readonly Pair[]) => {
    const source = padSequences(
      pairs.map((p) => encodeWord(p.word)),
      { padding: 'post' },
    );
    const ids = pairs.map((p) => p.phonemes.map((ph) => phonemeId.get(ph) as number));
    const targetIn = padSequences(
      ids.map((s) => [BEGIN, ...s]),
      { padding: 'post' },
    );
    const targetOut = padSequences(
      ids.map((s) => [...s, END]),
      { padding: 'post' },
    );
    const sourceIds = tf.tensor2d(source.data, [...source.shape], 'int32');
    return {
      // `inputs` is the name fit reads batch and time sizes from (samples/s in the progress bar).
      inputs: sourceIds,
      source: sourceIds,
      sourceMask: tf.tensor2d(source.mask, [...source.shape], 'float32'),
      targetIn: tf.tensor2d(targetIn.data, [...targetIn.shape], 'int32'),
      targetOut: tf.tensor2d(targetOut.data, [...targetOut.shape], 'int32'),
      targetMask: tf.tensor2d(targetOut.mask, [...targetOut.shape], 'float32'),
    };
  };
  const batches = (pairs: readonly Pair[], options: Parameters<typeof bucketByLength>[1]) =>
    bucketByLength(
      pairs.map((p) => p.word.length),
      options,
    ).map((idx) => Array.from(idx, (i) => pairs[i] as Pair));
  /** Phoneme sequences for `words`, decoded greedily (beam 1) or by beam search. */
  const transcribe = (params: Seq2SeqParams, words: readonly string[], beam: number): string[][] => {
    const out: string[][] = [];
    for (let start = 0; start < words.length; start += DECODE_BATCH) {
      const part = words
        .slice(start, start + DECODE_BATCH)
        .map((w) => (w.length > 0 ? encodeWord(w) : [UNKNOWN_LETTER]));
      const decoder = seq2seqStepModel(model, params, part);
      const maxLength = Math.max(...part.map((p) => p.length)) + 6;
      const prompts = part.map(() => [BEGIN]);
      const tokens =
        beam > 1
          ? beamSearch(decoder, prompts, { beamWidth: beam, maxLength, endToken: END }).map((h) => h[0]?.tokens ?? [])
          : generateBatch(decoder, prompts, { maxLength, endToken: END });
      for (const t of tokens) out.push(t.filter((id) => id > END).map((id) => phonemes[id] as string));
    }
    return out;
  };
  const source = settings.source.kind === 'file' ? settings.source.path : 'cmudict';
  return {
    net,
    preprocessing: { letters, phonemes } satisfies Saved,
    summary: `${source}: ${count(train.length || data.train.length)} training / ${count(data.validation.length)} validation / ${count(data.test.length)} test words, ${letters.length - 2} letters, ${phonemes.length - 3} phonemes`,
    metricName: 'acc',
    throughput: 'samples',
    init: (rng) => model.init(rng),
    lossOf: (params) =>
      function loss(b, context) {
        const { targetOut, targetMask, inputs: _, ...input } = b as ReturnType<typeof toBatch>;
        const { logits, attention } = model.apply(params, input, { training: context.training, rng: context.rng });
        attention.dispose();
        const value = softmaxCrossEntropy(logits, targetOut, { mask: targetMask });
        const hits = tf.mul(tf.cast(tf.equal(tf.argMax(logits, -1), targetOut), 'float32'), targetMask);
        const acc = tf.div(tf.sum(hits), tf.maximum(tf.sum(targetMask), 1)) as tf.Scalar;
        return { loss: value, metrics: { acc } };
      },
    data: (stopped) => ({
      stepsPerEpoch: Math.ceil(train.length / settings.batch),
      fitData: {
        *train(rng) {
          for (const pairs of batches(train, { batchSize: settings.batch, rng })) yield toBatch(pairs);
        },
        *validation() {
          if (stopped()) return;
          const pairs = data.validation.filter(known).slice(0, 1024);
          for (const part of batches(pairs, { batchSize: 256 })) yield toBatch(part);
        },
      },
    }),
    async evaluate(params, request) {
      const pairs = request.limit > 0 ? data.test.slice(0, request.limit) : data.test;
      const references = pairs.map((p) => [...p.phonemes]);
      const metrics: Record<string, number> = {};
      const lines: string[] = [];
      for (const beam of request.beams) {
        const hypotheses = transcribe(
          params,
          pairs.map((p) => p.word),
          beam,
        );
        const per = phonemeErrorRate(references, hypotheses);
        const wer = sequenceErrorRate(references, hypotheses);
        metrics[`per_beam${beam}`] = per;
        metrics[`wer_beam${beam}`] = wer;
        lines.push(
          `${beam > 1 ? `beam ${beam}` : 'greedy'}: phoneme error rate ${percent(per)}, word error rate ${percent(wer)} (${count(pairs.length)} test words)`,
        );
      }
      const examples = pairs.slice(0, 3).map((p) => p.word);
      const shown = transcribe(params, examples, Math.max(...request.beams));
      lines.push(...examples.map((w, i) => `  ${w} → ${(shown[i] ?? []).join(' ')}`));
      return { metrics, lines };
    },
    generate: async (params, request) => {
      const words = (request.prompt ?? 'recur').trim().toLowerCase().split(/\s+/).filter(Boolean);
      if (words.length === 0) throw new CliError('the prompt is empty: pass --prompt with a word to transcribe');
      const result = transcribe(params, words, request.beam);
      return words.map((w, i) => `${w}\t${(result[i] ?? []).join(' ')}`).join('\n');
    },
    dispose: () => {},
  };
}

export const g2p: Task = {
  name: 'g2p',
  description:
    'grapheme-to-phoneme: spells out how a word is pronounced (attention encoder–decoder, or CTC: --model ctc)',
  datasets: ['cmudict'],
  defaults: {
    cell: 'lstm',
    layers: 1,
    units: 64,
    embeddingDim: 32,
    seqLength: 24,
    horizon: 1,
    season: 1,
    lag: 1,
    batch: 64,
    learningRate: 0.003,
    minutes: 1.5,
  },
  open: (context) => (context.settings.g2p?.model === 'ctc' ? openCtc(context) : open(context)),
};
